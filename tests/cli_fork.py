"""``flowtui`` commands run as processes, many of them cheaply: one driver process imports
flowtui, Arrow and boto3 once, then forks a child per command line. Each child is a process
of its own as a user's would be: its stdout and stderr are files, its exit code comes from
``main``'s return through ``sys.exit`` and a normal interpreter shutdown, it may have a hard
RLIMIT_AS, and its peak resident memory (VmHWM) and CPU time are its own. What the children
skip is the interpreter's start and the imports (~0.5 s of CPU each for boto3 and the
parser, measured on a 2-core box; tests/test_cli_startup.py is about those), which made
the corpus tests' setup cost tens of seconds.

    run_all(jobs, width=3) -> [Done, ...]      # from a test
    python tests/cli_fork.py FOLDER WIDTH      # the driver (run_all starts it)

The driver waits on pidfds (no polling) with a wall-clock watchdog per child: a hang is
killed and fails its case, not the run.
"""

from __future__ import annotations

import gc
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: What ``flowtui cat`` imports on its way (local files, S3, Parquet, the output writers):
#: loaded once in the driver, shared by every child. Only a head start: a module that has
#: moved is skipped, and the child imports what it needs as ``flowtui cat`` would.
WARM = ("flowtui.cli", "flowtui.parser", "flowtui.parquet", "flowtui.localfiles",
        "flowtui.store", "flowtui.output", "flowtui.s3.cat", "flowtui.s3.session",
        "boto3", "botocore.session", "pyarrow.csv", "pyarrow.parquet")


@dataclass(frozen=True)
class Job:
    argv: tuple[str, ...]  # after ``flowtui``
    rlimit_as: int | None = None  # bytes of address space, a hard limit
    timeout: float = 300.0  # wall seconds before the child is killed


@dataclass(frozen=True)
class Done:
    returncode: int  # negative: killed by that signal
    stdout: bytes
    stderr: bytes
    cpu_seconds: float  # the child's own user + system time
    wall_seconds: float
    max_rss_mb: float  # the child's own peak resident memory


def run_all(jobs: list[Job], width: int = 3) -> list[Done]:
    """Every job, ``width`` at a time; results in the jobs' order."""
    with tempfile.TemporaryDirectory(prefix="flowtui-fork-") as name:
        folder = Path(name)
        (folder / "jobs.json").write_text(json.dumps(
            [{"argv": list(j.argv), "rlimit_as": j.rlimit_as, "timeout": j.timeout}
             for j in jobs]))
        driver = subprocess.run([sys.executable, __file__, str(folder), str(width)], cwd=ROOT,
                                stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                timeout=max(j.timeout for j in jobs) * len(jobs) + 60)
        assert driver.returncode == 0, driver.stderr[-2000:]
        results = json.loads((folder / "results.json").read_text())
        return [Done(r["returncode"], (folder / f"{i}.out").read_bytes(),
                     (folder / f"{i}.err").read_bytes(), r["cpu"], r["wall"], r["rss_mb"])
                for i, r in enumerate(results)]


# ------------------------------------------------------------------------------ the driver

def _child(job: dict, index: int, folder: Path) -> int:
    """In the forked child: become ``flowtui ARGV`` with its own files; the exit code."""
    import resource

    for fd, name in ((1, f"{index}.out"), (2, f"{index}.err")):
        target = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    if job["rlimit_as"]:
        resource.setrlimit(resource.RLIMIT_AS, (job["rlimit_as"], job["rlimit_as"]))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from flowtui.cli import main

    try:
        return main(job["argv"])
    finally:
        with open("/proc/self/status") as status, open(folder / f"{index}.hwm", "w") as out:
            out.write(next(line for line in status if line.startswith("VmHWM")))


def _own_peak_mb(path: Path) -> float | None:
    try:
        return int(path.read_text().split()[1]) / 1024  # "VmHWM:  12345 kB"
    except (OSError, IndexError, ValueError):
        return None


def serve(folder: Path, width: int) -> int | None:
    """Run the jobs; None in the driver when all ended, an exit code in a child."""
    import importlib

    jobs = json.loads((folder / "jobs.json").read_text())
    for module in WARM:
        try:
            importlib.import_module(module)
        except ImportError:
            pass
    gc.collect()
    gc.freeze()  # the children's shutdown skips the driver's objects
    results: list[dict | None] = [None] * len(jobs)
    pending = list(range(len(jobs)))
    running: dict[int, tuple[int, int, float]] = {}  # pidfd -> (job, pid, started)
    while pending or running:
        while pending and len(running) < width:
            index = pending.pop(0)
            sys.stdout.flush()
            sys.stderr.flush()
            started = time.monotonic()
            pid = os.fork()
            if pid == 0:
                return _child(jobs[index], index, folder)
            running[os.pidfd_open(pid)] = (index, pid, started)
        now = time.monotonic()
        deadline = min(started + jobs[index]["timeout"]
                       for index, _, started in running.values())
        ready, _, _ = select.select(list(running), [], [], max(0.0, deadline - now))
        for fd in ready:
            index, pid, started = running.pop(fd)
            os.close(fd)
            _, status, usage = os.wait4(pid, 0)
            own = _own_peak_mb(folder / f"{index}.hwm")
            results[index] = {"returncode": os.waitstatus_to_exitcode(status),
                              "cpu": usage.ru_utime + usage.ru_stime,
                              "wall": time.monotonic() - started,
                              "rss_mb": own if own is not None else usage.ru_maxrss / 1024}
        now = time.monotonic()
        for index, pid, started in running.values():
            if now - started > jobs[index]["timeout"]:
                os.kill(pid, signal.SIGKILL)  # reaped as it ends, on the next round
    (folder / "results.json").write_text(json.dumps(results))
    return None


def main() -> int:
    code = serve(Path(sys.argv[1]), int(sys.argv[2]))
    return 0 if code is None else code


if __name__ == "__main__":
    sys.exit(main())
