"""How a ``flowtui`` process ends once its command is done (``cli.main.end_process``).

A user sees every record and message, the exit code, and what ``atexit`` functions do; the
interpreter's teardown after that (freeing every module and object, 25-35 ms) is skipped.
These run a real interpreter through the real entry point (``python -m flowtui``), with a
probe: an object whose ``__del__`` says when the teardown frees it, and an ``atexit``
function that says it ran.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

from flowtui.fields import DEFAULT_FIELDS

ROOT = Path(__file__).resolve().parent.parent
RECORD = ("2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 "
          "1418530010 1418530070 ACCEPT OK")

# The entry point as ``python -m flowtui`` runs it, after the probe is set up. ``WAITER``
# starts a thread that is not a daemon and ends only once the main thread has finished:
# Python's own exit waits for it.
PROBE = """
import atexit, runpy, sys, threading
class Teardown:
    def __del__(self):
        sys.stderr.write("probe: torn down\\n")
sys.modules["flowtui"].probe = Teardown()
atexit.register(lambda: sys.stderr.write("probe: atexit ran\\n"))
if sys.argv[1] == "WAITER":
    del sys.argv[1]
    def wait_for_main():
        threading.main_thread().join()
        sys.stderr.write("probe: waited for\\n")
    threading.Thread(target=wait_for_main, daemon=False).start()
runpy.run_module("flowtui", run_name="__main__", alter_sys=True)
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "import flowtui\n" + PROBE, *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)


def records_file(tmp_path: Path, count: int, bad: bool = False) -> Path:
    lines = [" ".join(DEFAULT_FIELDS)] + [RECORD] * count + (["not a record"] if bad else [])
    path = tmp_path / "flows.log.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


def test_a_finished_command_ends_without_the_interpreters_teardown(tmp_path: Path) -> None:
    """Every record written (stdout is a pipe: block-buffered, flushed before the end),
    atexit functions run, and no object is freed one by one after that."""
    result = run("cat", str(records_file(tmp_path, 20_000)), "--format", "csv")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 20_001 and lines[-1].startswith("2,\"123456789010\"")
    assert "probe: atexit ran" in result.stderr
    assert "probe: torn down" not in result.stderr


def test_the_exit_code_and_the_last_messages_survive_the_early_end(tmp_path: Path) -> None:
    """A truncated object: the records before the cut, the bad line and the error said,
    exit code 1."""
    whole = records_file(tmp_path, 2_000, bad=True).read_bytes()
    cut = tmp_path / "cut.log.gz"
    cut.write_bytes(whole[: len(whole) - 6])
    result = run("cat", str(cut), "--format", "csv")
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == 2_001
    assert "truncated object" in result.stderr and "1 bad line" in result.stderr
    assert "probe: torn down" not in result.stderr


def test_a_thread_still_working_is_waited_for_as_python_does(tmp_path: Path) -> None:
    """A thread that is not a daemon keeps the process until it ends: then the exit is
    Python's own, teardown included."""
    result = run("WAITER", "cat", str(records_file(tmp_path, 3)), "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 4
    assert "probe: waited for" in result.stderr
    assert "probe: torn down" in result.stderr


def test_an_error_before_any_command_keeps_pythons_exit() -> None:
    """No command ran (an unknown one): nothing changes."""
    result = run("tial")
    assert result.returncode == 2
    assert "did you mean tail?" in result.stderr
    assert "probe: torn down" in result.stderr
