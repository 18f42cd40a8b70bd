"""The questions users ask, flowtui against DuckDB: whole processes, pair by pair.

DuckDB is what a user would pick instead: ``read_csv(F, delim=' ', header=true,
nullstr='-')`` answers each question in one line. Each question runs as two whole processes
(``python -m flowtui ...`` and ``python -c 'import duckdb ...'`` with 2 threads), in turn
(flowtui, DuckDB, flowtui, DuckDB ...) after one warm-up each, so a busy machine slows both
alike; the ratio is taken pair by pair and its median printed, with the medians of wall and
CPU (user + sys) seconds and of peak resident memory (each process's own, from ``wait4``).
``zcat FILE`` runs once per round too: the least any reader of the file pays.

The files are deterministic default-format ``.log.gz`` flow logs (bench/bench_parse.py's
``sample_file``), made once into bench/data/. Output goes to a pipe the benchmark reads
and throws away (not /dev/null: see ``run``); a command that does not exit 0 stops it.

Targets (issue 21): every question <= 1.0x DuckDB, wall, on 1M and 3M records; peak memory
<= DuckDB's on the same question. tests/test_peers_duckdb.py holds the answers equal.

    python bench/bench_peers.py [--records 1000000 3000000] [--runs 5] [--only top,hist]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def sample_path(records: int) -> Path:
    """bench_parse's ``sample_file`` (made in a child: see ``main``), not imported here: its
    modules (Arrow) would grow this process, and a child's peak memory (``wait4``'s
    ru_maxrss) counts this process's size at the fork — 66 MB under every figure."""
    return ROOT / "bench" / "data" / f"default-{records}.log.gz"

DUCKDB_THREADS = 2
#: What a DuckDB user runs: the query, its rows printed (or COPY'd as CSV to stdout).
DUCK_SCRIPT = """
import sys, duckdb
con = duckdb.connect()
con.execute("SET threads = {threads}")
sql = sys.argv[1]
if sql.lstrip().upper().startswith("COPY"):
    con.execute(sql)
else:
    for row in con.execute(sql).fetchall():
        print(*row)
""".replace("{threads}", str(DUCKDB_THREADS))


def relation(path: Path) -> str:
    return f"read_csv('{path}', delim=' ', header=true, nullstr='-')"


@dataclass(frozen=True)
class Question:
    name: str
    flowtui: list[str]  # arguments after ``python -m flowtui``, FILE for the path
    sql: str  # {F} for the relation


QUESTIONS = (
    Question("top 10 srcaddr by bytes",
             ["top", "FILE", "--by", "srcaddr", "--metric", "bytes", "-n", "10"],
             "SELECT srcaddr, count(*) AS records, coalesce(sum(packets), 0) AS packets, "
             "coalesce(sum(bytes), 0) AS bytes FROM {F} GROUP BY srcaddr "
             "ORDER BY bytes DESC, srcaddr LIMIT 10"),
    Question("REJECT and dstport 22 -> CSV",
             ["cat", "FILE", "--where", "reject and dstport = 22", "--format", "csv"],
             "COPY (SELECT * FROM {F} WHERE action = 'REJECT' AND dstport = 22) "
             "TO '/dev/stdout' (FORMAT csv, HEADER)"),
    Question("records per minute",
             ["hist", "FILE", "--every", "1m"],
             "SELECT to_timestamp(start // 60 * 60) AS time, count(*) AS records, "
             "coalesce(sum(packets), 0) AS packets, coalesce(sum(bytes), 0) AS bytes, "
             "count(*) FILTER (WHERE action = 'ACCEPT') AS accept, "
             "count(*) FILTER (WHERE action = 'REJECT') AS reject "
             "FROM {F} WHERE start IS NOT NULL GROUP BY 1 ORDER BY 1"),
    Question("whole file -> CSV",
             ["cat", "FILE", "--format", "csv"],
             "COPY (SELECT * FROM {F}) TO '/dev/stdout' (FORMAT csv, HEADER)"),
    Question("20 largest by bytes",
             ["cat", "FILE", "--sort", "-bytes", "--limit", "20"],
             "SELECT * FROM {F} ORDER BY bytes DESC NULLS LAST LIMIT 20"),
)
SHORT = {"top": 0, "where": 1, "hist": 2, "csv": 3, "sort": 4}


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak_mb: float


def run(command: list[str]) -> Run:
    """One whole process, its output read from a pipe of its own and thrown away: wall,
    user+sys and its own peak RSS. Anything but exit 0 stops the benchmark with the
    command's last words.

    Not /dev/null: DuckDB's ``COPY … TO '/dev/stdout'`` takes a POSIX lock on the file it
    writes, and /dev/null is one file for every process on the machine. While another
    DuckDB wrote there (a benchmark beside this one), each DuckDB run here failed at once
    with "Could not set lock on file /dev/stdout: Conflicting lock is held" and exit 1,
    which this function used to accept: the two COPY questions then timed a failure
    (0.2-0.5 s of CPU instead of 1-5 s). A pipe is private to the run."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=ROOT)
    assert process.stdout is not None and process.stderr is not None
    errors: list[bytes] = []
    stderr = process.stderr
    drain = threading.Thread(target=lambda: errors.append(stderr.read()[-2000:]), daemon=True)
    drain.start()
    out = process.stdout.fileno()
    while os.read(out, 1 << 20):
        pass
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    drain.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        said = b"".join(errors).decode(errors="replace").strip().splitlines()[-3:]
        raise SystemExit(f"{' '.join(command[:4])[:120]}... exited {process.returncode}: "
                         + " | ".join(said))
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def commands(question: Question, path: Path) -> tuple[list[str], list[str]]:
    flowtui = [sys.executable, "-m", "flowtui",
               *[str(path) if a == "FILE" else a for a in question.flowtui]]
    duck = [sys.executable, "-c", DUCK_SCRIPT, question.sql.format(F=relation(path))]
    return flowtui, duck


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[1_000_000, 3_000_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="",
                        help=f"questions by short name: {','.join(SHORT)}")
    args = parser.parse_args()
    zcat = shutil.which("zcat")
    chosen = [QUESTIONS[SHORT[s]] for s in args.only.split(",") if s] or list(QUESTIONS)
    # flowtui's bytecode, as an installed copy has it (pip compiles it): a checkout run under
    # PYTHONDONTWRITEBYTECODE=1 compiles ~40 modules on every start (0.15 s of CPU a run).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "flowtui")],
                   check=True, stdout=subprocess.DEVNULL)
    for records in args.records:
        # Made in a child: a child's peak memory (wait4's ru_maxrss) counts what it shared
        # with this process at the fork, so generating the data here would show every
        # command — flowtui's and DuckDB's alike — at this process's few hundred MB.
        subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                        "from bench.bench_parse import sample_file; "
                        "sample_file(int(sys.argv[2]))", str(ROOT), str(records)], check=True)
        path = sample_path(records)
        print(f"\n{path.name}: {path.stat().st_size / 1e6:.1f} MB gzip, {records:,} records; "
              f"{args.runs} pairs after a warm-up, medians; DuckDB {DUCKDB_THREADS} threads; "
              f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
        print(f"{'question':<30} {'wall s':>6} {'duck s':>6} {'ratio':>6} {'/zcat':>6}  "
              f"{'cpu s':>6} {'duck':>6} {'ratio':>6}  {'MB':>5} {'duck':>5}")
        for question in chosen:
            ours, theirs = commands(question, path)
            run(ours), run(theirs)  # warm-up: page cache, .pyc files
            a: list[Run] = []
            b: list[Run] = []
            z: list[float] = []
            for _ in range(args.runs):
                a.append(run(ours))
                b.append(run(theirs))
                if zcat:
                    z.append(run([zcat, str(path)]).wall)
            ratio = median([x.wall / y.wall for x, y in zip(a, b, strict=True)])
            cpu_ratio = median([x.cpu / y.cpu for x, y in zip(a, b, strict=True)])
            wall = median([x.wall for x in a])
            vs_zcat = f"{wall / median(z):6.2f}" if z else "     -"
            print(f"{question.name:<30} {wall:6.2f} {median([y.wall for y in b]):6.2f} "
                  f"{ratio:6.2f} {vs_zcat}  {median([x.cpu for x in a]):6.2f} "
                  f"{median([y.cpu for y in b]):6.2f} {cpu_ratio:6.2f}  "
                  f"{median([x.peak_mb for x in a]):5.0f} {median([y.peak_mb for y in b]):5.0f}",
                  flush=True)


if __name__ == "__main__":
    main()
