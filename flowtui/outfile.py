"""Opening an output file (``--output``, the app's ``w``) so that it can't be turned against the
user, for every format.

The file is written whole or not at all: a temporary file made as ``mkstemp`` makes one
(``O_EXCL``, mode 0600, never an existing name, so a planted ``.partial`` symlink is never
followed) in the target's folder, renamed over the target at the end. A target that is not a
regular file is never replaced: a FIFO or a character device (``/dev/null``, a pipe someone
reads) is written directly, as a shell's ``>`` would; a folder, a block device or a socket is
refused. Problems are one ``OutputError`` line naming the path with its control characters
escaped. A signal that ends the process removes the temporary files still open
(``remove_partials``): each is on that list before it exists (``_make_partial``).
"""

from __future__ import annotations

import errno
import io
import os
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from flowtui.textsafe import printable


class OutputError(Exception):
    """The output file can't be written; ``str(exc)`` is one line for the user."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


_lock = threading.Lock()
_partials: set[str] = set()


def _name(path: str) -> str:
    return printable(path)


def _kind(path: str) -> os.stat_result | None:
    """The target's status (following a symlink the user named), None if it doesn't exist."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"{_name(path)}: {exc.strerror or exc}") from None


def check_target(path: str | None) -> None:
    """Refuse, in one line and before any work, a target that can't be written."""
    if path is None or path == "-":
        return
    if not path:
        raise OutputError("--output: an empty file name")
    info = _kind(path)
    if info is not None:
        mode = info.st_mode
        if stat.S_ISDIR(mode):
            raise OutputError(f"{_name(path)} is a folder: give a file name inside it")
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
            raise OutputError(f"{_name(path)} is not a regular file: refused")
        return
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise OutputError(f"{_name(path)}: the folder {_name(folder)} does not exist")


def _umask() -> int:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


@contextmanager
def open_output(path: str, *, binary: bool = False) -> Iterator[IO[Any]]:
    """``path`` opened for writing, replaced whole at the end (see the module's docstring);
    a failure leaves the target as it was and no temporary file behind."""
    check_target(path)
    info = _kind(path)
    if info is not None and not stat.S_ISREG(info.st_mode):  # a FIFO or a device: in place
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)
        except OSError as exc:
            raise OutputError(f"{_name(path)}: {exc.strerror or exc}") from None
        with _blamed(path), _fdopen(fd, binary, path) as handle:
            yield handle
        return
    fd, temporary = _make_partial(path)
    try:
        with _blamed(path):
            os.fchmod(fd, stat.S_IMODE(info.st_mode) if info is not None
                      else 0o666 & ~_umask())
            with _fdopen(fd, binary, path) as handle:
                yield handle
        try:
            os.replace(temporary, path)
        except OSError as exc:
            raise OutputError(f"{_name(path)}: {exc.strerror or exc}", 1) from None
    except BaseException:
        _remove(temporary)
        raise
    finally:
        with _lock:
            _partials.discard(temporary)


def _make_partial(path: str) -> tuple[int, str]:
    """A new temporary file beside ``path``, made as ``mkstemp`` makes one (``O_EXCL``, mode
    0600, a planted name or symlink never opened), but named in ``_partials`` before it
    exists. Why: a SIGTERM handled between the file's making and its naming left it behind
    (``remove_partials`` did not know it): the handler runs in the main thread at its next
    bytecode, and on a busy machine that can be the one after ``mkstemp`` returned."""
    import secrets

    folder = os.path.dirname(path) or "."
    base = os.path.basename(path)[:100]
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(
        os, "O_CLOEXEC", 0)
    for _ in range(100):
        temporary = os.path.join(folder, f".{base}.{secrets.token_hex(8)}.partial")
        with _lock:
            _partials.add(temporary)
        try:
            return os.open(temporary, flags, 0o600), temporary
        except FileExistsError:
            # someone else's file: ours is not on the list any more (a 64-bit name: never,
            # in practice, before a signal could land here)
            with _lock:
                _partials.discard(temporary)
        except OSError as exc:
            with _lock:
                _partials.discard(temporary)
            raise OutputError(f"{_name(path)}: {exc.strerror or exc}") from None
    raise OutputError(f"{_name(path)}: no free temporary name beside it")


#: Errors of writing itself (as opposed to errors of whatever produced the data).
WRITE_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EPERM,
                errno.EACCES)


@contextmanager
def _blamed(path: str) -> Iterator[None]:
    """A failure to write ``path`` as one ``OutputError`` line (exit 1)."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in WRITE_ERRORS:
            raise
        raise OutputError(f"{_name(path)}: {exc.strerror or exc}", 1) from None


class _Raw(io.FileIO):
    """The file's bytes: a failure to write them is the output's (``OutputError``), so the
    code that produced the data (a load, whose errors are an object's) can't take the blame."""

    target = ""

    def write(self, data: Any) -> int:
        try:
            return super().write(data)
        except OSError as exc:
            if exc.errno not in WRITE_ERRORS:
                raise
            raise OutputError(f"{_name(self.target)}: {exc.strerror or exc}", 1) from None


def _fdopen(fd: int, binary: bool, path: str) -> IO[Any]:
    raw = _Raw(fd, "w")
    raw.target = path
    buffered = io.BufferedWriter(raw)
    if binary:
        return buffered
    return io.TextIOWrapper(buffered, encoding="utf-8", newline="")


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def remove_partials() -> None:
    """Remove every temporary file still being written (a signal is ending the process).
    Safe to call from a signal handler: no lock is waited for."""
    for path in list(_partials):
        _remove(path)


class EndedBySignal(BaseException):  # noqa: N818 (not an error: an ending)
    """Raised where a signal was taken in hand (the app quit on SIGHUP/SIGTERM), caught at
    the top (``cli.main``), which then ends the process by it: on the way up every
    ``finally`` runs (the demo stops its S3 server and removes its names folder). Ending the
    process where the signal was taken skipped them. A BaseException: no ``except
    Exception`` on the way takes it for a failure."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def end_by_signal(signum: int) -> None:
    """End the process by ``signum`` (its default action: the exit status a shell or a
    supervisor expects), after removing the temporary files still being written."""
    import signal

    remove_partials()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


__all__ = ["EndedBySignal", "OutputError", "check_target", "end_by_signal", "open_output",
           "remove_partials"]
