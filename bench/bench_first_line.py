"""First line from S3: ``flowtui cat s3://…/day/`` against a plain boto3 GET piped to zcat.

Whole processes, as a user starts them, against moto on loopback (its own process): the time
from starting the process to the first line of records on its stdout. The baseline is what
the shell one-liner a user would otherwise type costs: a Python process that imports boto3,
makes a client, GETs the first object of the folder (its key known, no listing) and pipes
the body to ``zcat``, whose first line is the header. flowtui lists the folder, picks the
objects and parses before it prints. The two run in turn, ``--repeat`` times after a warm-up;
medians and the median of the pair-by-pair ratios are printed, with the load average: wall
seconds, and the CPU seconds each process had used when its first line came (on a shared
box the wall ratio moves with the load, the CPU one much less).

The comparison is fair on the shared part and says what is flowtui's own: both processes
import an AWS SDK and make an S3 client (the baseline imports boto3, as the one-liner would);
only flowtui lists the folder (the baseline is told the first key), imports Arrow and types
the records.

``--profile`` also prints where the time goes before the first line: flowtui's largest
imports (``python -X importtime``), and each stage (interpreter, CLI, SDK import, client,
listing, Arrow, first GET, first block, first write) timed one after the other in fresh
processes, wall and CPU medians, beside the baseline's stages. ``--serve`` fills the server,
prints a ``farm-bench`` command comparing the two whole processes (``| head -1``; CPU
figures hold under load where wall ones do not) and keeps the server up until Enter.

Target (issue 21): flowtui <= 1.2x the baseline.

    python bench/bench_first_line.py [--objects 288] [--records 1000000] [--repeat 7]
                                      [--format table|csv|jsonl] [--profile | --serve]
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


def first_line(command: list[str]) -> tuple[float, float]:
    """Seconds from start to the first line on stdout, and the CPU seconds (user + system,
    all threads) the process had used by then; the process is then ended. CPU holds under
    load where wall time does not (the baseline's ``zcat``, a child, is not counted: a few
    milliseconds). Linux's /proc; elsewhere the CPU figure is NaN."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               cwd=ROOT)
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - started
    cpu = float("nan")
    try:
        with open(f"/proc/{process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        pass
    process.stdout.close()
    process.kill()
    process.wait()
    if not line:
        raise SystemExit(f"no output from {command[:4]}")
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=288)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--format", default="table", choices=("table", "csv", "jsonl"),
                        help="cat's --format (csv reads every object's header line first)")
    parser.add_argument("--profile", action="store_true",
                        help="also time each stage before the first line, wall and CPU")
    parser.add_argument("--serve", action="store_true",
                        help="fill the server, print the farm-bench command, wait")
    args = parser.parse_args()
    # Both sides as installed: pip compiles a package's bytecode when it installs it (boto3's
    # is there), so flowtui's must be too; with PYTHONDONTWRITEBYTECODE set, a checkout's
    # sources would be compiled again on every run (a sixth of a second before the first
    # line). The warm-up run writes them.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
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
                "--endpoint-url", endpoint, "--format", args.format]
        theirs = [sys.executable, "-c", BASELINE, endpoint, BUCKET, key(0)]
        first_line(ours), first_line(theirs)  # warm-up: page cache, .pyc files
        if args.serve:
            serve(args, ours, theirs)
            return
        a, b = [], []
        for _ in range(args.repeat):
            a.append(first_line(ours))
            b.append(first_line(theirs))
        print(f"{args.objects} objects of ~{per:,} records on loopback moto; {args.repeat} "
              f"pairs, medians; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
        print("                                      wall s   CPU s at the first line")
        for name, runs in (("flowtui cat s3://…/day/ | head -1", a),
                           ("boto3 GET | zcat | head -1", b)):
            print(f"  {name:<34} {statistics.median(r[0] for r in runs):6.3f}  "
                  f"{statistics.median(r[1] for r in runs):6.3f}")
        wall, cpu = (statistics.median(x[i] / y[i] for x, y in zip(a, b, strict=True))
                     for i in (0, 1))
        print(f"  ratio (pair by pair)               {wall:6.2f}  {cpu:6.2f}   target <= 1.2")
        if args.profile:
            profile(ours, theirs, args.repeat)


#: One run of what ``cat`` does before its first line, one stage after another in a fresh
#: process; each stage prints its name, wall and CPU seconds (the interpreter's start is
#: timed from the parent's clock before it started the process).
STAGES = (
    "import time, sys\n"
    "T = [float(sys.argv[3]), 0.0]\n"
    "def mark(what):\n"
    "    w, c = time.time(), time.process_time()\n"
    "    print(f'{what}\\t{w - T[0]:.6f}\\t{c - T[1]:.6f}', file=sys.stderr); T[:] = [w, c]\n"
    "mark('interpreter start')\n"
    "from flowtui.cli import collector, registry\n"
    "collector.hold()  # as cli.main does for the process's own command\n"
    "args = registry.find('cat').parser().parse_args([sys.argv[1], '--endpoint-url', "
    "sys.argv[2]])\n"
    "mark('CLI: flowtui.cli, cat arguments')\n"
    "from flowtui.s3.session import make_client; mark('import the S3 client modules')\n"
    "c = make_client(endpoint_url=sys.argv[2]); mark('S3 client')\n"
    "from flowtui.s3.select import objects_at\n"
    "e = objects_at(c, sys.argv[1]); mark('listing (whole folder)')\n"
    "import pyarrow; mark('import pyarrow')\n"
    "import flowtui.loader, flowtui.output; mark('import loader, parser, writers')\n"
    "from flowtui.s3.reader import ObjectStream\n"
    "collector.release()  # as cli.loading does once the modules are loaded\n"
    "s = iter(ObjectStream(c, e[0].bucket, e[0].key)); chunk = next(s); "
    "mark('first GET, first chunk')\n"
    "from flowtui.parser import FlowLogParser\n"
    "p = FlowLogParser(pipelined=False); batches = p.feed(chunk); "
    "mark('first block parsed')\n"
    "w = flowtui.output.make_writer('table', open('/dev/null', 'w')); "
    "w.write_batch(batches[0], 'x'); mark('first batch written (table)')\n"
)
#: The baseline's stages, the same way.
BASELINE_STAGES = (
    "import time, sys\n"
    "T = [float(sys.argv[4]), 0.0]\n"
    "def mark(what):\n"
    "    w, c = time.time(), time.process_time()\n"
    "    print(f'{what}\\t{w - T[0]:.6f}\\t{c - T[1]:.6f}', file=sys.stderr); T[:] = [w, c]\n"
    "mark('interpreter start')\n"
    "import boto3\n"
    "from botocore.config import Config\n"
    "mark('import boto3')\n"
    "s3 = boto3.client('s3', endpoint_url=sys.argv[1], config=Config("
    "s3={'addressing_style': 'path'}))\n"
    "mark('S3 client')\n"
    "body = s3.get_object(Bucket=sys.argv[2], Key=sys.argv[3])['Body']\n"
    "chunk = next(body.iter_chunks(256 * 1024)); mark('first GET, first chunk')\n"
)


def profile(ours: list[str], theirs: list[str], repeat: int) -> None:
    """Where the time goes before the first line: the largest imports (``python -X
    importtime``), then each stage's median wall and CPU seconds over ``repeat`` fresh
    processes, flowtui's and the baseline's in turn."""
    result = subprocess.run([sys.executable, "-X", "importtime", *ours[1:]],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    rows = []
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = (part.strip() for part in
                                   line.removeprefix("import time:").split("|"))
            if cumulative.isdigit() and not name.startswith(" "):
                rows.append((int(cumulative), name))
    top = sorted(rows, reverse=True)[:8]
    print("  top-level imports of cat (cumulative ms, one run): " +
          ", ".join(f"{name} {us / 1000:.0f}" for us, name in top))
    url, endpoint = ours[4], ours[6]
    runs: dict[str, list[dict[str, tuple[float, float]]]] = {"flowtui": [], "baseline": []}
    for _ in range(repeat):
        for who, argv in (("flowtui", [STAGES, url, endpoint]),
                          ("baseline", [BASELINE_STAGES, *theirs[3:]])):
            started = time.time()
            result = subprocess.run([sys.executable, "-c", *argv, str(started)],
                                    capture_output=True, text=True, cwd=ROOT, timeout=120)
            stages = {}
            for line in result.stderr.splitlines():
                name, _, times = line.partition("\t")
                wall, _, cpu = times.partition("\t")
                if cpu:
                    stages[name] = (float(wall), float(cpu))
            runs[who].append(stages)
    for who, stage_runs in runs.items():
        print(f"  {who}: stages one after the other, medians of {repeat} fresh processes "
              "(wall s, CPU s)")
        total_wall = total_cpu = 0.0
        for name in stage_runs[0]:
            wall = statistics.median(r[name][0] for r in stage_runs if name in r)
            cpu = statistics.median(r[name][1] for r in stage_runs if name in r)
            total_wall, total_cpu = total_wall + wall, total_cpu + cpu
            print(f"    {name:<34} {wall:6.3f}  {cpu:6.3f}")
        print(f"    {'sum':<34} {total_wall:6.3f}  {total_cpu:6.3f}")


def serve(args: argparse.Namespace, ours: list[str], theirs: list[str]) -> None:
    """Keep the filled server up and print the two commands for ``farm-bench`` (the
    baseline's script written to a file beside the runs' output: no nested quoting)."""
    import shlex
    import tempfile

    script = Path(tempfile.gettempdir()) / "flowtui-first-line-baseline.py"
    script.write_text(BASELINE)
    theirs = [theirs[0], str(script), *theirs[3:]]
    a = shlex.join(["sh", "-c", shlex.join(ours) + " | head -1"])
    b = shlex.join(["sh", "-c", shlex.join(theirs) + " | head -1"])
    fake = " ".join(f"{name}={shlex.quote(os.environ[name])}" for name in sorted(os.environ)
                    if name.startswith("AWS_"))
    print("moto is up; whole processes with farm-bench (Enter or Ctrl-C ends the server):")
    print(f"  {fake} farm-bench -n {args.repeat} --vs {shlex.quote(b)} -- {a}", flush=True)
    try:
        sys.stdin.readline()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
