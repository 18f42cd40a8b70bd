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

    flowtui_run(*args, env=..., input=...)     # one command, as subprocess.run would run it
    python tests/cli_fork.py --serve           # its driver, one per test process, kept

``flowtui_run`` is for the tests that run a command and read what it wrote: the same
``CompletedProcess`` as ``subprocess.run([python, "-m", "flowtui", ...], capture_output=True)``
from a driver started once per test process (per xdist worker), so a file of twenty command
lines pays the imports once instead of twenty times. The child gets the caller's environment,
working directory and umask at the call (a test's monkeypatched ``XDG_*`` reach it); an
environment that changes how the interpreter starts (``PYTHON*``, the locale) runs a real
interpreter instead.

The driver waits on pidfds (no polling) with a wall-clock watchdog per child: a hang is
killed and fails its case, not the run.
"""

from __future__ import annotations

import atexit
import gc
import json
import locale
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def _warm_up() -> None:
    """Import what every command needs once, in the driver, and freeze it: the children's
    shutdown skips the driver's objects."""
    import importlib

    for module in WARM:
        try:
            importlib.import_module(module)
        except ImportError:
            pass
    gc.collect()
    gc.freeze()


def serve(folder: Path, width: int) -> int | None:
    """Run the jobs; None in the driver when all ended, an exit code in a child."""
    jobs = json.loads((folder / "jobs.json").read_text())
    _warm_up()
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


# ---------------------------------------------------- one command at a time, from a kept driver

#: What a real interpreter reads at its start: a caller's environment that differs here runs
#: ``python -m flowtui`` itself rather than a child of a driver started under another.
_STARTUP_ENV = ("PYTHON", "LC_", "LANG")


class _Server:
    """The kept driver of this test process: a job per line on its stdin, a result per line
    on its stdout."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[str] | None = None
        self._env: dict[str, str] = {}
        self._folder = Path()
        self._count = 0

    def _driver(self) -> subprocess.Popen[str]:
        if self._proc is None or self._proc.poll() is not None:
            self._folder = Path(tempfile.mkdtemp(prefix="flowtui-forkserver-"))
            self._env = dict(os.environ)
            self._proc = subprocess.Popen(
                [sys.executable, __file__, "--serve"], cwd=ROOT, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, text=True, env=self._env)
            atexit.register(self.close)
        return self._proc

    def starts_alike(self, env: dict[str, str]) -> bool:
        """A child of the driver starts as a fresh interpreter would under ``env``."""
        def startup(e: dict[str, str]) -> dict[str, str]:
            return {k: v for k, v in e.items() if k.startswith(_STARTUP_ENV)}
        self._driver()
        return startup(env) == startup(self._env)

    def run(self, argv: list[str], env: dict[str, str], cwd: str, stdin: bytes | None,
            timeout: float) -> tuple[int, bytes, bytes]:
        with self._lock:
            driver = self._driver()
            self._count += 1
            base = self._folder / str(self._count)
            source = None
            if stdin is not None:  # the driver writes it into the child's stdin, a pipe
                source = base.with_suffix(".in")
                source.write_bytes(stdin)
            umask = os.umask(0o022)  # read it (a test may have set its own), and put back
            os.umask(umask)
            job = {"argv": argv, "env": env, "cwd": cwd, "timeout": timeout, "umask": umask,
                   "stdin": str(source) if source else None,
                   "out": str(base.with_suffix(".out")), "err": str(base.with_suffix(".err"))}
            assert driver.stdin is not None and driver.stdout is not None
            driver.stdin.write(json.dumps(job) + "\n")
            driver.stdin.flush()
            answer = driver.stdout.readline()
            assert answer, "the fork driver ended"
            result = json.loads(answer)
            out = Path(job["out"]).read_bytes()
            err = Path(job["err"]).read_bytes()
            for name in (job["out"], job["err"], source):
                if name:
                    Path(name).unlink(missing_ok=True)
            if result["timed_out"]:
                raise subprocess.TimeoutExpired([sys.executable, "-m", "flowtui", *argv],
                                                timeout, out, err)
            return result["returncode"], out, err

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            assert proc.stdin is not None
            proc.stdin.close()
            proc.wait(timeout=30)
        shutil.rmtree(self._folder, ignore_errors=True)


_SERVER = _Server()


def flowtui_run(*args: str, env: dict[str, str] | None = None, cwd: str | Path = ROOT,
                input: str | bytes | None = None, text: bool = True,
                timeout: float = 300.0) -> subprocess.CompletedProcess[Any]:
    """``subprocess.run([sys.executable, "-m", "flowtui", *args], capture_output=True,
    text=text, ...)``, from a child of the kept driver: the same exit code, stdout and stderr
    (text decoded, newlines translated, as ``text=True`` does)."""
    command = [sys.executable, "-m", "flowtui", *args]
    environment = dict(os.environ if env is None else env)
    data = input.encode() if isinstance(input, str) else input
    if not _SERVER.starts_alike(environment):
        return subprocess.run(command, env=environment, cwd=cwd, input=data,
                              capture_output=True, text=text, timeout=timeout)
    code, out, err = _SERVER.run(list(args), environment, str(cwd), data, timeout)
    if not text:
        return subprocess.CompletedProcess(command, code, out, err)
    encoding = locale.getpreferredencoding(False)
    return subprocess.CompletedProcess(command, code, _universal(out.decode(encoding)),
                                       _universal(err.decode(encoding)))


def _universal(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _serve_one(job: dict) -> int | None:
    """Fork the job's child; in the driver, wait for it and answer (None); in the child,
    the command's exit code."""
    started = time.monotonic()
    sys.stdout.flush()
    # stdin: /dev/null without input (as under an xdist worker), else a pipe the driver
    # fills as subprocess.run(input=...) does (not a file: a pipe cannot seek)
    reader, writer = os.pipe() if job["stdin"] else (os.open(os.devnull, os.O_RDONLY), -1)
    pid = os.fork()
    if pid == 0:
        os.chdir(job["cwd"])
        os.umask(job["umask"])
        os.environ.clear()
        os.environ.update(job["env"])
        os.dup2(reader, 0)
        os.close(reader)
        if writer >= 0:
            os.close(writer)
        for fd, name in ((1, job["out"]), (2, job["err"])):
            target = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(target, fd)
            os.close(target)
        # the driver's own stdin wrapper may hold read-ahead of its job lines: a fresh one
        sys.stdin = open(0, closefd=False)  # noqa: SIM115
        sys.argv = [str(ROOT / "flowtui" / "__main__.py"), *job["argv"]]
        signal.signal(signal.SIGINT, signal.default_int_handler)
        from flowtui.cli import main

        return main(job["argv"])
    os.close(reader)
    feeder = None
    if writer >= 0:
        feeder = threading.Thread(target=_feed, args=(writer, Path(job["stdin"]).read_bytes()))
        feeder.start()
    fd = os.pidfd_open(pid)
    ready, _, _ = select.select([fd], [], [], job["timeout"])
    timed_out = not ready
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    _, status, _ = os.wait4(pid, 0)
    os.close(fd)
    if feeder is not None:
        feeder.join()
    print(json.dumps({"returncode": os.waitstatus_to_exitcode(status), "timed_out": timed_out,
                      "wall": time.monotonic() - started}), flush=True)
    return None


def _feed(fd: int, data: bytes) -> None:
    """Write ``data`` into a child's stdin and close it (a child that stops reading ends it)."""
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view):]
    except BrokenPipeError:
        pass
    finally:
        os.close(fd)


def kept() -> int | None:
    """The kept driver: warm up, then one job per line of stdin until it closes."""
    _warm_up()
    for line in sys.stdin:
        code = _serve_one(json.loads(line))
        if code is not None:
            return code  # the child's, through sys.exit
    return None


def main() -> int:
    code = kept() if sys.argv[1:] == ["--serve"] else serve(Path(sys.argv[1]),
                                                           int(sys.argv[2]))
    return 0 if code is None else code


if __name__ == "__main__":
    sys.exit(main())
