"""First line from S3: ``flowtui cat s3://…/day/`` against a plain boto3 GET piped to zcat.

Whole processes, as a user starts them, against moto on loopback (its own process): the time
from starting the process to the first line of records on its stdout. The baseline is what
the shell one-liner a user would otherwise type costs: a Python process that imports boto3,
makes a client, GETs the first object of the folder (its key known, no listing) and pipes
the body to ``zcat``, whose first line is the header. flowtui lists the folder, picks the
objects and parses before it prints. The two run in turn, ``--repeat`` times after a warm-up;
medians and the median of the pair-by-pair ratios are printed, with the load average.

``--profile`` also prints where flowtui's time goes before its first line: its imports
(``python -X importtime``, the largest), and the stages timed inside one run.

Target (issue 21): flowtui <= 1.2x the baseline.

    python bench/bench_first_line.py [--objects 288] [--records 1000000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loopback import isolate_aws_env, moto_process  # noqa: E402

isolate_aws_env()

BUCKET = "bench-first-line"
DAY = "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/03/05/"
BASELINE = (
    "import sys, subprocess, boto3\n"
    "from botocore.config import Config\n"
    "s3 = boto3.client('s3', endpoint_url=sys.argv[1], config=Config("
    "s3={'addressing_style': 'path'}))\n"
    "body = s3.get_object(Bucket=sys.argv[2], Key=sys.argv[3])['Body']\n"
    "zcat = subprocess.Popen(['zcat'], stdin=subprocess.PIPE)\n"
    "try:\n"
    "    for chunk in body.iter_chunks(256 * 1024):\n"
    "        zcat.stdin.write(chunk)\n"
    "    zcat.stdin.close()\n"
    "except BrokenPipeError:\n"
    "    pass\n"
    "zcat.wait()\n"
)


def key(i: int) -> str:
    return (f"{DAY}123456789012_vpcflowlogs_us-east-1_fl-0123456789abcdef0_"
            f"20240305T{i // 12:02d}{i % 12 * 5:02d}Z_{i:08x}.log.gz")


def first_line(command: list[str]) -> float:
    """Seconds from start to the first line on stdout; the process is then ended."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               cwd=ROOT)
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - started
    process.stdout.close()
    process.kill()
    process.wait()
    if not line:
        raise SystemExit(f"no output from {command[:4]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=288)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    import boto3
    from botocore.config import Config

    from flowtui.fields import DEFAULT_FIELDS
    from flowtui.synth import generate_lines, make_text_object

    with moto_process() as (_server, port):
        endpoint = f"http://127.0.0.1:{int(port)}"
        s3 = boto3.client("s3", endpoint_url=endpoint,
                          config=Config(s3={"addressing_style": "path"}))
        s3.create_bucket(Bucket=BUCKET)
        lines = list(generate_lines(args.records, seed=5, interfaces=200, span=86400))
        per = -(-len(lines) // args.objects)
        for i in range(args.objects):
            s3.put_object(Bucket=BUCKET, Key=key(i), Body=make_text_object(
                lines[i * per:(i + 1) * per], DEFAULT_FIELDS))
        ours = [sys.executable, "-m", "flowtui", "cat", f"s3://{BUCKET}/{DAY}",
                "--endpoint-url", endpoint]
        theirs = [sys.executable, "-c", BASELINE, endpoint, BUCKET, key(0)]
        first_line(ours), first_line(theirs)  # warm-up: page cache, .pyc files
        a, b = [], []
        for _ in range(args.repeat):
            a.append(first_line(ours))
            b.append(first_line(theirs))
        ratio = statistics.median(x / y for x, y in zip(a, b, strict=True))
        print(f"{args.objects} objects of ~{per:,} records on loopback moto; {args.repeat} "
              f"pairs, medians; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
        print(f"  flowtui cat s3://…/day/ | head -1   {statistics.median(a):6.3f} s")
        print(f"  boto3 GET | zcat | head -1         {statistics.median(b):6.3f} s")
        print(f"  ratio (pair by pair)               {ratio:6.2f}   target <= 1.2")
        if args.profile:
            profile(ours)


def profile(command: list[str]) -> None:
    """Where the time before the first line goes: imports, then the stages of one run."""
    result = subprocess.run([sys.executable, "-X", "importtime", *command[1:]],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    rows = []
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = (part.strip() for part in
                                   line.removeprefix("import time:").split("|"))
            if cumulative.isdigit() and not name.startswith(" "):
                rows.append((int(cumulative), name))
    top = sorted(rows, reverse=True)[:8]
    print("  top-level imports (cumulative ms): " +
          ", ".join(f"{name} {us / 1000:.0f}" for us, name in top))
    stages = (
        "import time, sys\n"
        "t0 = time.perf_counter()\n"
        "def mark(what, t=[t0]):\n"
        "    now = time.perf_counter(); print(f'  {what:<34} {now - t[0]:6.3f} s', "
        "file=sys.stderr); t[0] = now\n"
        "import flowtui.cli; mark('import flowtui.cli (no Arrow)')\n"
        "import pyarrow, flowtui.loader, flowtui.output; mark('import arrow + loader')\n"
        "from flowtui.s3.session import make_client; mark('import boto3 (session)')\n"
        "c = make_client(endpoint_url=sys.argv[2]); mark('client')\n"
        "from flowtui.s3.select import objects_at\n"
        "e = objects_at(c, sys.argv[1]); mark(f'list ({len(e)} objects)')\n"
        "from flowtui.s3.reader import ObjectStream\n"
        "s = iter(ObjectStream(c, e[0].bucket, e[0].key)); chunk = next(s); "
        "mark('first GET, first chunk')\n"
        "from flowtui.parser import FlowLogParser\n"
        "p = FlowLogParser(pipelined=False); batches = p.feed(chunk); "
        "mark('first chunk parsed')\n"
        "w = flowtui.output.make_writer('table', open('/dev/null', 'w')); "
        "w.write_batch(batches[0], 'x'); mark('first batch written (table)')\n"
    )
    # As ``cat`` runs them: Arrow imported on a thread while boto3 loads and the folder is
    # listed (flowtui.cli.loading.open_sources).
    overlapped = (
        "import time, sys\n"
        "t0 = time.perf_counter()\n"
        "import flowtui.cli\n"
        "from flowtui.cli.loading import _Importer\n"
        "i = _Importer('flowtui.loader')\n"
        "from flowtui.s3.session import make_client\n"
        "c = make_client(endpoint_url=sys.argv[2])\n"
        "from flowtui.s3.select import objects_at\n"
        "e = objects_at(c, sys.argv[1]); i.join()\n"
        "print(f'  imports, client and listing, overlapped {time.perf_counter() - t0:6.3f} s "
        "(from the script start)', file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", overlapped, command[4], command[6]],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    overlapped_line = result.stderr.rstrip()
    result = subprocess.run([sys.executable, "-c", stages, command[4], command[6]],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    print("  stages of one run, one after the other, in a fresh process:")
    print(result.stderr.rstrip())
    print(overlapped_line)


if __name__ == "__main__":
    main()
