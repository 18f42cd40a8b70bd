"""``--output`` (CLI) and ``w`` (app) can't be turned against the user (issue 20.4).

Each test plants what an attacker or an accident leaves at or beside the target: a symlink
named like the temporary file, a FIFO, a folder, a missing folder, control characters in
the name; and a SIGTERM in the middle of a write. One writer (``flowtui.outfile``) serves
every format, so the CLI's text and Parquet paths and the app's export are all checked.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from flowtui.ui.features.jobs.export import ExportDone, ExportJob, run_export
from tests.cli_fork import flowtui_run

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = next((ROOT / "samples").rglob("*.log.gz"))


def _cat(*args: str) -> subprocess.CompletedProcess[str]:
    return flowtui_run("cat", str(SAMPLE), *args, cwd=ROOT, timeout=120)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_a_planted_partial_symlink_is_never_followed(tmp_path: Path, fmt: str) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    target = tmp_path / f"out.{fmt}"
    for name in (f"out.{fmt}.partial", f".out.{fmt}.partial"):
        (tmp_path / name).symlink_to(victim)
    done = _cat("--format", fmt, "--output", str(target), *(
        ("--sort", "bytes") if fmt == "parquet" else ()))
    assert done.returncode == 0, done.stderr
    assert victim.read_text() == "precious\n"
    assert target.is_file() and not target.is_symlink() and target.stat().st_size > 0
    leftovers = {p.name for p in tmp_path.iterdir()} - {"victim", target.name,
                                                       f"out.{fmt}.partial",
                                                       f".out.{fmt}.partial"}
    assert leftovers == set()


def test_a_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    old = os.umask(0o027)
    try:
        done = _cat("--format", "csv", "--output", str(target))
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_fifo_is_written_to_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    done = _cat("--format", "csv", "--output", str(fifo))
    reader.join(60)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got and got[0].startswith(b"\"version\",")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_a_full_device_is_one_line_and_stays_a_device() -> None:
    done = _cat("--format", "csv", "--output", "/dev/full")
    assert done.returncode == 1
    assert done.stderr == "flowtui: /dev/full: No space left on device\n"
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_folder_or_a_missing_folder_is_one_line(tmp_path: Path, fmt: str) -> None:
    sort = ("--sort", "bytes") if fmt == "parquet" else ()
    folder = tmp_path / "dir"
    folder.mkdir()
    done = _cat("--format", fmt, "--output", str(folder), *sort)
    assert done.returncode == 2
    assert done.stderr == f"flowtui: {folder} is a folder: give a file name inside it\n"
    missing = tmp_path / "nope" / "out.csv"
    done = _cat("--format", fmt, "--output", str(missing), *sort)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "does not exist" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir"]
    assert list(folder.iterdir()) == []


def test_control_characters_in_the_name_are_escaped(tmp_path: Path) -> None:
    target = tmp_path / "a\x1b[31mb\x07" / "out.csv"
    done = _cat("--format", "csv", "--output", str(target))
    assert done.returncode == 2
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr
    assert "\\x1b[31mb\\x07" in done.stderr


def test_a_partial_file_is_on_the_removal_list_before_it_exists(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A SIGTERM's handler removes the temporary files on ``_partials``; it runs in the
    main thread at its next bytecode, which on a busy machine was once the one between the
    file's making (``mkstemp``) and its naming on the list, and the file stayed behind
    (the SIGTERM test below, in CI at load ~5). Every ``.partial`` is now on the list when
    the call that makes it is made."""
    from flowtui import outfile

    real_open = os.open
    seen: list[tuple[str, bool]] = []

    def spying_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_CREAT and str(path).endswith(".partial"):
            seen.append((str(path), str(path) in outfile._partials))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", spying_open)
    with outfile.open_output(str(tmp_path / "out.csv")) as out:
        out.write("a\n")
    assert seen and all(listed for _path, listed in seen), seen
    assert (tmp_path / "out.csv").read_text() == "a\n" and not outfile._partials


def test_sigterm_while_writing_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    process = subprocess.Popen(
        [sys.executable, "-m", "flowtui", "cat", "-", "--format", "csv", "--output",
         str(target)], stdin=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert process.stdin is not None
    import gzip

    process.stdin.write(gzip.decompress(SAMPLE.read_bytes()))
    process.stdin.flush()  # stdin stays open: cat is mid-write
    deadline = time.monotonic() + 60
    while not any(tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any(tmp_path.iterdir()), "the temporary file never appeared"
    process.send_signal(signal.SIGTERM)
    process.wait(60)
    process.stdin.close()
    assert process.returncode == -signal.SIGTERM
    assert list(tmp_path.iterdir()) == []


def _job(path: str, fmt: str) -> ExportJob:
    batch = pa.record_batch({"srcport": pa.array([1, 2], pa.int32())})
    return ExportJob(1, path, fmt, lambda: [batch], ("srcport",), 2)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_apps_export_refuses_a_folder_and_a_planted_symlink(tmp_path: Path,
                                                                 fmt: str) -> None:
    """``w`` in the app runs ``run_export``: the same writer, the same refusals."""
    posted: list[object] = []
    run_export(_job(str(tmp_path), fmt), posted.append, lambda: False)
    done = posted[-1]
    assert isinstance(done, ExportDone) and done.error == (
        f"{tmp_path} is a folder: give a file name inside it")
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    target = tmp_path / f"out.{fmt}"
    Path(f"{target}.partial").symlink_to(victim)
    posted.clear()
    run_export(_job(str(target), fmt), posted.append, lambda: False)
    done = posted[-1]
    assert isinstance(done, ExportDone) and done.error is None and done.rows == 2
    assert victim.read_text() == "precious\n" and target.is_file()


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing(tmp_path: Path) -> None:
    from flowtui.outfile import OutputError, open_output

    target = tmp_path / "out.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), open_output(str(target)) as out:
        out.write("new\n")
        raise RuntimeError("the source broke")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    with pytest.raises(OutputError):
        with open_output(str(tmp_path)):
            pass
