"""The five questions of bench/bench_peers.py asked of an S3 day folder: flowtui against
DuckDB's httpfs, whole processes, pair by pair.

The records of bench_peers' ``.log.gz`` are cut into a day folder of ``--objects`` (288: one
object every 5 minutes) ``.log.gz`` objects, each with its header, on a moto server on
loopback in its own process (bench/loopback.py). Each question then runs as
``python -m flowtui QUESTION s3://bench-flowlogs/…/05/`` and as DuckDB (2 threads) reading
``read_csv('s3://…/05/*.log.gz', delim=' ', header=true, nullstr='-')`` through httpfs,
after one warm-up each, in turn (flowtui, DuckDB, ...); ratios (flowtui / DuckDB) of wall
and CPU (user + sys) seconds and of each process's own peak resident memory are taken pair
by pair and their medians printed beside the medians of each (``wait4``'s ru_maxrss: this
process stays small, since a child's peak counts what it shared with its parent when it
was started). Target (issue 21 item 2): every MB ratio <= 1.0, wall no slower.

httpfs cannot be installed offline on every machine: ``--duckdb-python`` names a Python
whose duckdb loads it (``LOAD httpfs``, or the file named by ``--httpfs``, e.g. the
``duckdb-ext-httpfs`` wheel's, for the same duckdb version). When none loads, DuckDB's
column says ``download+duckdb``: the folder fetched with boto3 (8 threads) into a
temporary folder, then read there, both in the measured process.

The answers are checked once per question before timing (``check``): flowtui's CSV output
against DuckDB's rows over the same objects (the top and the histogram row for row; the
filtered and whole-folder CSV by a digest of every row, in order; the 20 largest by their
``bytes``: ties at the cut may be any of the tied rows).

A floor table follows (``--no-floor`` leaves it out): each process's peak for reading
nothing. flowtui's is the question's own command on an empty prefix (the next day's
folder: the same imports, client and listing, no object); DuckDB's loads httpfs, sets it
up as above and copies ``SELECT 1`` out. Each peak above its floor is what the answer
itself held; the floor is what a reader pays before the first byte. What each floor is made
of follows: resident memory (anonymous + file pages) after each step of one process that
takes the steps in turn (``FLOOR_STEPS``, ``DUCK_S3``): for flowtui the interpreter,
Arrow's modules, botocore's, the S3 client with one listing, then the first question's
command itself on the empty prefix (flowtui's own modules and what it does); for DuckDB
the interpreter, ``import duckdb``, then httpfs loaded and set up and ``SELECT 1``. The
steps' sum can differ from the command's own floor by the order things happen in.

    python bench/bench_peers_s3.py [--records 1000000] [--runs 3] [--only top,hist]
        [--duckdb-python /path/to/python] [--httpfs /path/to/httpfs.duckdb_extension]
        [--no-floor]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_peers import DUCKDB_THREADS, QUESTIONS, SHORT, Run  # noqa: E402
from bench.loopback import isolate_aws_env, moto_process  # noqa: E402

BUCKET = "bench-flowlogs"
PREFIX = "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/03/05/"
#: The floor's folder: the next day's, which holds no object.
EMPTY_PREFIX = "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/03/06/"
#: DuckDB's floor: httpfs loaded and set up, nothing read.
NOTHING_SQL = "SELECT 1 AS nothing"

#: Run in a child (this process stays small): the sample file cut into a day folder on moto.
PUT_FOLDER = """
import sys, zlib
from concurrent.futures import ThreadPoolExecutor
sys.path.insert(0, sys.argv[1])
from bench.bench_parse import sample_file
from flowtui.fields import DEFAULT_FIELDS
from flowtui.synth import make_text_object
import boto3
from botocore.config import Config
records, objects, endpoint, bucket, prefix = (int(sys.argv[2]), int(sys.argv[3]),
                                              sys.argv[4], sys.argv[5], sys.argv[6])
text = zlib.decompress(sample_file(records).read_bytes(), wbits=31).decode()
lines = text.splitlines()[1:]
per = -(-len(lines) // objects)
client = boto3.client("s3", endpoint_url=endpoint, config=Config(
    s3={"addressing_style": "path"}, max_pool_connections=16))
client.create_bucket(Bucket=bucket)
def key(i):
    return (f"{prefix}123456789012_vpcflowlogs_us-east-1_fl-0bench_"
            f"20240305T{i // 12:02d}{i % 12 * 5:02d}Z_{i:08x}.log.gz")
def put(i):
    body = make_text_object(lines[i * per:(i + 1) * per], DEFAULT_FIELDS)
    client.put_object(Bucket=bucket, Key=key(i), Body=body)
    return len(body)
with ThreadPoolExecutor(8) as pool:
    sizes = [n for n in pool.map(put, range(objects))]
print(len(sizes), sum(sizes))
"""

#: A child's ``rss(step)``: its resident MB (anonymous, file) and its peak so far, on stderr
#: when $BENCH_STEPS is set (``floor_parts``); else nothing.
RSS_STEP = """
import os, sys
def rss(step):
    if os.environ.get("BENCH_STEPS"):
        status = dict(line.split(":", 1) for line in open("/proc/self/status"))
        print("STEP", step, *(int(status[k].split()[0]) / 1024
                              for k in ("RssAnon", "RssFile", "VmHWM")),
              file=sys.stderr, flush=True)
"""

#: What a DuckDB user runs, with httpfs (argv: sql, endpoint host:port, httpfs to load) or
#: after a plain download (httpfs ""): the query's rows printed, or COPY'd to stdout.
DUCK_S3 = RSS_STEP + """rss("python")
import duckdb
rss("duckdb")
sql, endpoint, httpfs = sys.argv[1], sys.argv[2], sys.argv[3]
con = duckdb.connect()
con.execute("SET threads = {threads}")
con.execute("SET enable_progress_bar = false")  # (it prints to stdout past 2 s)
if httpfs:
    con.execute(f"LOAD '{httpfs}'" if httpfs.endswith(".duckdb_extension") else "LOAD httpfs")
    con.execute(f"SET s3_endpoint = '{endpoint}'")
    con.execute("SET s3_url_style = 'path'")
    con.execute("SET s3_use_ssl = false")
    con.execute(f"SET s3_region = '{os.environ['AWS_DEFAULT_REGION']}'")
    con.execute(f"SET s3_access_key_id = '{os.environ['AWS_ACCESS_KEY_ID']}'")
    con.execute(f"SET s3_secret_access_key = '{os.environ['AWS_SECRET_ACCESS_KEY']}'")
    location = "s3://{bucket}/{prefix}*.log.gz"
else:  # download the folder, then read it
    import tempfile
    from concurrent.futures import ThreadPoolExecutor
    import boto3
    from botocore.config import Config
    client = boto3.client("s3", endpoint_url="http://" + endpoint, config=Config(
        s3={"addressing_style": "path"}, max_pool_connections=16))
    keys = [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(
        Bucket="{bucket}", Prefix="{prefix}") for o in page.get("Contents", [])]
    folder = tempfile.mkdtemp(prefix="bench-peers-s3-")
    def get(k):
        client.download_file("{bucket}", k, os.path.join(folder, k.rpartition("/")[2]))
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(get, keys))
    location = folder + "/*.log.gz"
relation = f"read_csv('{location}', delim=' ', header=true, nullstr='-')"
sql = sql.replace("{F}", relation)
try:
    if sql.lstrip().upper().startswith("COPY"):
        con.execute(sql)
    elif len(sys.argv) > 4:  # the answer check: every row as text, tab-separated
        cursor = con.execute(sql)
        while rows := cursor.fetchmany(10000):
            for row in rows:
                print("\\t".join("" if v is None else str(v) for v in row))
    else:  # the rows as DuckDB writes them (fetchall() needs pytz for a TIMESTAMPTZ)
        con.execute(f"COPY ({sql}) TO '/dev/stdout' (FORMAT csv)")
finally:
    if not httpfs:
        import shutil
        shutil.rmtree(folder)
rss("httpfs+query" if httpfs else "download+query")
""".replace("{threads}", str(DUCKDB_THREADS)).replace("{bucket}", BUCKET).replace(
    "{prefix}", PREFIX)

#: The SQL whose rows are flowtui's CSV output, row for row (as tests/test_peers_duckdb.py).
CHECK_SQL = {
    "top": "SELECT srcaddr, count(*), coalesce(sum(packets), 0), coalesce(sum(bytes), 0) "
           "FROM {F} GROUP BY srcaddr ORDER BY 4 DESC, srcaddr LIMIT 10",
    "where": "SELECT * FROM {F} WHERE action = 'REJECT' AND dstport = 22",
    "hist": "SELECT strftime(to_timestamp(start // 60 * 60), '%Y-%m-%dT%H:%M:%SZ'), "
            "count(*), coalesce(sum(packets), 0), coalesce(sum(bytes), 0), "
            "count(*) FILTER (WHERE action = 'ACCEPT'), "
            "count(*) FILTER (WHERE action = 'REJECT') "
            "FROM {F} WHERE start IS NOT NULL GROUP BY 1 ORDER BY 1",
    "csv": "SELECT * FROM {F}",
    "sort": "SELECT bytes FROM {F} ORDER BY bytes DESC NULLS LAST LIMIT 20",
}


def run(command: list[str], tries: int = 3) -> Run:
    """bench_peers' ``run``, but only a run that exits 0 counts: httpfs gives up on a
    request moto answers slowly on a loaded machine and DuckDB then exits 1 within a second
    (a whole-folder COPY measured 1.5 s and 70 MB instead of 14 s and 160 MB). A failed run
    is said on stderr and run again, up to ``tries`` times."""
    for _ in range(tries):
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   cwd=ROOT)
        assert process.stderr is not None
        errors = process.stderr.read()
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        if code == 0:
            return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)
        last = errors.decode(errors="replace").strip().splitlines()[-1:] or [""]
        print(f"  ({Path(command[0]).name} {command[1][:20]!r}... exited {code}: "
              f"{last[0][:160]}; run again)", file=sys.stderr, flush=True)
    raise SystemExit(f"{command[:3]}... failed {tries} times")


def httpfs_loads(python: str, httpfs: str) -> bool:
    """Whether ``python``'s duckdb loads httpfs (the file ``httpfs``, else by name)."""
    load = f"LOAD '{httpfs}'" if httpfs else "LOAD httpfs"
    done = subprocess.run([python, "-c", f"import duckdb; duckdb.sql({load!r})"],
                          capture_output=True, text=True)
    return done.returncode == 0


def duckdb_version(python: str) -> str:
    return subprocess.run([python, "-c", "import duckdb; print(duckdb.__version__)"],
                          capture_output=True, text=True, check=True).stdout.strip()


def check(short: str, flowtui: list[str], duck: list[str]) -> str:
    """flowtui's answer against DuckDB's, on the same objects: 'equal', or what differs."""
    with tempfile.TemporaryDirectory(prefix="bench-peers-s3-") as folder:
        ours_csv = Path(folder) / "ours.csv"
        theirs_txt = Path(folder) / "duck.txt"
        ours_args = [a for a in flowtui]
        if "--format" not in ours_args:
            ours_args += ["--format", "csv"]
        subprocess.run([*ours_args, "--output", str(ours_csv)], check=True, cwd=ROOT)
        with theirs_txt.open("w") as out:
            subprocess.run([*duck[:3], CHECK_SQL[short], *duck[4:], "rows"], check=True,
                           stdout=out)
        return subprocess.run([sys.executable, "-c", COMPARE, str(ours_csv), str(theirs_txt),
                               short], capture_output=True, text=True, check=True,
                              cwd=ROOT).stdout.strip()


#: In a child (a million rows read here would grow this process): the two answers compared.
COMPARE = """
import csv, hashlib, sys
ours, theirs, short = sys.argv[1], sys.argv[2], sys.argv[3]
def digest(rows):
    h, n = hashlib.sha256(), 0
    for row in rows:
        h.update("\\t".join(row).encode() + b"\\n")
        n += 1
    return n, h.hexdigest()
with open(ours, newline="") as f:
    reader = csv.reader(f)
    header = next(reader)
    if short == "sort":
        col = header.index("bytes")
        reader = ([row[col]] for row in reader)
    a = digest(reader)
with open(theirs) as f:
    b = digest(line.rstrip("\\n").split("\\t") for line in f)
print(f"equal ({a[0]} rows)" if a == b else f"DIFFER: flowtui {a[0]} rows, DuckDB {b[0]}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--objects", type=int, default=288)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help=f"questions by short name: {','.join(SHORT)}")
    parser.add_argument("--duckdb-python", default=sys.executable,
                        help="a Python whose duckdb has httpfs (default: this one)")
    parser.add_argument("--httpfs", default="", help="an httpfs.duckdb_extension file to LOAD")
    parser.add_argument("--no-check", action="store_true", help="skip the answer check")
    parser.add_argument("--no-floor", action="store_true",
                        help="skip the peaks for reading nothing (an empty prefix; httpfs "
                             "loaded, nothing read)")
    args = parser.parse_args()
    isolate_aws_env()  # fake credentials for every child; nothing reaches real AWS
    shorts = [s for s in args.only.split(",") if s] or list(SHORT)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "flowtui")],
                   check=True, stdout=subprocess.DEVNULL)
    httpfs = args.httpfs or "httpfs"
    if not httpfs_loads(args.duckdb_python, args.httpfs):
        httpfs = ""
    duck_label = (f"DuckDB {duckdb_version(args.duckdb_python)} "
                  + ("httpfs" if httpfs else "download+duckdb (httpfs does not load here)"))
    with moto_process() as (_server, port_line):
        port = int(port_line)
        endpoint = f"127.0.0.1:{port}"
        os.environ["AWS_ENDPOINT_URL_S3"] = f"http://{endpoint}"
        put = subprocess.run([sys.executable, "-c", PUT_FOLDER, str(ROOT), str(args.records),
                              str(args.objects), f"http://{endpoint}", BUCKET, PREFIX],
                             check=True, capture_output=True, text=True, cwd=ROOT)
        count, size = (int(x) for x in put.stdout.split())
        url = f"s3://{BUCKET}/{PREFIX}"
        print(f"\n{url}: {count} objects, {size / 1e6:.1f} MB gzip, {args.records:,} records, "
              f"moto on loopback (own process); {args.runs} pairs after a warm-up, medians; "
              f"{duck_label}, {DUCKDB_THREADS} threads; {os.cpu_count()} CPUs, "
              f"load {os.getloadavg()[0]:.1f}")
        peaks: dict[str, tuple[float, float]] = {}
        print(f"{'question':<30} {'wall s':>6} {'duck s':>6} {'ratio':>6}  {'cpu s':>6} "
              f"{'duck':>6} {'ratio':>6}  {'MB':>5} {'duck':>5} {'ratio':>6}  answer")
        for short in shorts:
            question = QUESTIONS[SHORT[short]]
            ours = [sys.executable, "-m", "flowtui",
                    *[url if a == "FILE" else a for a in question.flowtui]]
            theirs = [args.duckdb_python, "-c", DUCK_S3, question.sql, endpoint, httpfs]
            answer = "-" if args.no_check else check(short, ours, theirs)
            run(ours), run(theirs)  # warm-up
            a: list[Run] = []
            b: list[Run] = []
            for _ in range(args.runs):
                a.append(run(ours))
                b.append(run(theirs))
            med = statistics.median
            print(f"{question.name:<30} {med([x.wall for x in a]):6.2f} "
                  f"{med([y.wall for y in b]):6.2f} "
                  f"{med([x.wall / y.wall for x, y in zip(a, b, strict=True)]):6.2f}  "
                  f"{med([x.cpu for x in a]):6.2f} {med([y.cpu for y in b]):6.2f} "
                  f"{med([x.cpu / y.cpu for x, y in zip(a, b, strict=True)]):6.2f}  "
                  f"{med([x.peak_mb for x in a]):5.0f} {med([y.peak_mb for y in b]):5.0f} "
                  f"{med([x.peak_mb / y.peak_mb for x, y in zip(a, b, strict=True)]):6.2f}  "
                  f"{answer}", flush=True)
            peaks[short] = (med([x.peak_mb for x in a]), med([y.peak_mb for y in b]))
        if not args.no_floor:
            floor(peaks, f"s3://{BUCKET}/{EMPTY_PREFIX}", args.runs,
                  [args.duckdb_python, "-c", DUCK_S3, NOTHING_SQL, endpoint, httpfs])
        print(f"load {os.getloadavg()[0]:.1f} at the end")


#: In a child: the steps of flowtui's floor, reported as ``DUCK_S3`` reports DuckDB's (its
#: ``rss``). argv: flowtui's command (on the empty prefix) as JSON, the bucket, the prefix.
FLOOR_STEPS = RSS_STEP + """
import json
rss("python")
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")  # as flowtui's start sets it
import pyarrow, pyarrow._compute, pyarrow.csv, pyarrow._acero  # what flowtui loads of Arrow
rss("Arrow")
import botocore.session
rss("botocore")
from flowtui.s3.session import make_client
make_client().list_objects_v2(Bucket=sys.argv[2], Prefix=sys.argv[3])
rss("S3-client+listing")
from flowtui.cli.main import main
main(json.loads(sys.argv[1]))
rss("command")
"""


def floor_parts(label: str, command: list[str]) -> str:
    """``label``: each step's MB added (anon+file), their sum and the process's peak, from
    a run of ``command`` (``FLOOR_STEPS`` or ``DUCK_S3``, which report on stderr)."""
    errors = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT,
                            env=dict(os.environ, BENCH_STEPS="1")).stderr
    parts = []
    anon = file = peak = 0.0
    for line in errors.splitlines():
        if line.startswith("STEP "):
            _, step, a, f, peak = line.split()
            parts.append(f"{'+' if parts else ''}{step} {float(a) - anon:.1f}+"
                         f"{float(f) - file:.1f}")
            anon, file, peak = float(a), float(f), float(peak)
    return f"  {label:<8} " + "  ".join(parts) + f"  = {anon + file:.0f} (peak {peak:.0f})"


def floor(peaks: dict[str, tuple[float, float]], empty_url: str, runs: int,
          nothing: list[str]) -> None:
    """The floor table: per question, flowtui's peak for its command on ``empty_url`` and
    DuckDB's for ``nothing`` (one figure for every question: what it loads does not depend
    on the query), medians of ``runs`` after a warm-up; and each side's peak above its
    floor, from the medians of the table above."""
    run(nothing)  # warm-up
    duck = statistics.median(run(nothing).peak_mb for _ in range(runs))
    print(f"\nfloor: peak MB reading nothing (flowtui: the command on {empty_url}; DuckDB: "
          f"httpfs loaded, {NOTHING_SQL!r}), medians of {runs}; above = peak - floor")
    print(f"{'question':<30} {'floor':>5} {'duck':>5} {'ratio':>6}  {'above':>5} "
          f"{'duck':>5}")
    for short, (ours_peak, duck_peak) in peaks.items():
        question = QUESTIONS[SHORT[short]]
        command = [sys.executable, "-m", "flowtui",
                   *[empty_url if a == "FILE" else a for a in question.flowtui]]
        run(command)  # warm-up
        ours = statistics.median(run(command).peak_mb for _ in range(runs))
        print(f"{question.name:<30} {ours:5.0f} {duck:5.0f} {ours / duck:6.2f}  "
              f"{ours_peak - ours:5.0f} {duck_peak - duck:5.0f}", flush=True)
    first = QUESTIONS[SHORT[next(iter(peaks))]]
    print(f"made of (MB resident after each step, anon+file; {first.name}):")
    print(floor_parts("flowtui", [sys.executable, "-c", FLOOR_STEPS, json.dumps(
        [empty_url if a == "FILE" else a for a in first.flowtui]), BUCKET, EMPTY_PREFIX]))
    print(floor_parts("DuckDB", nothing))


if __name__ == "__main__":
    main()
