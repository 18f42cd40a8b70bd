"""What the user typed before, kept across runs in the user's state directory.

``$XDG_STATE_HOME/flowtui`` (``~/.local/state/flowtui`` without it), one file per prompt,
one entry per line, newest last. History is a convenience: a directory that cannot be read
or written costs the history, never the action the user asked for.

Filters hold addresses, so the file is private (0600 in a 0700 folder) and never a symlink
(a planted one is refused, not followed). Each entry is appended under a lock, so two running
instances lose nothing; only the tail is read, so a huge file costs no memory; the file is
compacted to its last entries (through ``mkstemp``, renamed) when it has grown well past them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

LIMIT = 200
#: The most of the file read: the tail holding the last entries (a filter is one line).
TAIL_BYTES = 256 << 10
#: Compact when the file is this much bigger than the tail read.
COMPACT_BYTES = 4 * TAIL_BYTES
_OPEN_FLAGS = os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or ""
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "state"
    return root / "flowtui"


def _private_dir(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode):
        raise OSError(f"{folder} is not a folder")
    if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(folder, 0o700)


def _tail(fd: int) -> list[str]:
    """The entries at the end of the open file (at most ``TAIL_BYTES`` read)."""
    size = os.fstat(fd).st_size
    start = max(0, size - TAIL_BYTES)
    os.lseek(fd, start, os.SEEK_SET)
    data = b""
    while len(data) < size - start:
        piece = os.read(fd, size - start - len(data))
        if not piece:
            break
        data += piece
    lines = data.split(b"\n")
    if start > 0:
        lines = lines[1:]  # the first line was cut by the start of the tail
    return [line.decode("utf-8", "replace") for line in lines if line.strip()]


def _unique_newest(entries: list[str], limit: int) -> list[str]:
    """Each entry once, where it was last used, oldest first; the newest ``limit``."""
    seen: set[str] = set()
    out: list[str] = []
    for entry in reversed(entries):
        if entry not in seen:
            seen.add(entry)
            out.append(entry)
            if len(out) >= limit:
                break
    return out[::-1]


@contextlib.contextmanager
def _locked(path: Path, create: bool) -> Iterator[int]:
    """The history file, open and locked; a symlink or a non-regular file is refused. The
    file may have been replaced (compacted) while the lock was awaited: then reopen."""
    flags = _OPEN_FLAGS | (os.O_RDWR | os.O_APPEND | os.O_CREAT if create else os.O_RDONLY)
    for _attempt in range(5):
        fd = os.open(path, flags, 0o600)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise OSError(f"{path} is not a regular file")
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                now = os.lstat(path)
            except FileNotFoundError:
                now = None
            if now is not None and (now.st_ino, now.st_dev) == (info.st_ino, info.st_dev):
                if stat.S_IMODE(info.st_mode) & 0o077:
                    os.fchmod(fd, 0o600)
                yield fd
                return
        finally:
            os.close(fd)
    raise OSError(f"{path} keeps changing")


class History:
    """Entries of one prompt, oldest first; ``older``/``newer`` walk them from the end."""

    def __init__(self, name: str, limit: int = LIMIT) -> None:
        self.name = name
        self.limit = limit
        self._entries: list[str] | None = None
        self._cursor = 0  # len(entries) means "what the user is typing", not an entry
        self._typed = ""

    @property
    def path(self) -> Path:
        return state_dir() / f"{self.name}-history"

    @property
    def entries(self) -> list[str]:
        if self._entries is None:
            try:
                with _locked(self.path, create=False) as fd:
                    lines = _tail(fd)
            except OSError:  # none yet, a symlink, unreadable: no history
                lines = []
            self._entries = _unique_newest(lines, self.limit)
        return self._entries

    def start(self, typed: str = "") -> None:
        """A prompt opened: walking starts below the newest entry."""
        self._cursor = len(self.entries)
        self._typed = typed

    def older(self, current: str) -> str:
        if self._cursor == len(self.entries):
            self._typed = current
        self._cursor = max(0, self._cursor - 1)
        return self.entries[self._cursor] if self.entries else current

    def newer(self, current: str) -> str:
        if self._cursor >= len(self.entries):
            return current
        self._cursor += 1
        return self._typed if self._cursor == len(self.entries) else self.entries[self._cursor]

    def add(self, text: str) -> None:
        """Remember ``text`` as the newest entry (once) and save."""
        text = text.strip()
        if not text or "\n" in text:
            return
        entries = [e for e in self.entries if e != text] + [text]
        self._entries = entries[-self.limit:]
        self._cursor = len(self._entries)
        try:
            _private_dir(self.path.parent)
            with _locked(self.path, create=True) as fd:
                os.write(fd, text.encode("utf-8") + b"\n")  # O_APPEND: one whole line
                if os.fstat(fd).st_size > COMPACT_BYTES:
                    self._compact(fd)
        except OSError:
            pass  # no state directory: history lasts this run only

    def _compact(self, fd: int) -> None:
        """Rewrite the file as its last entries (under the lock the caller holds)."""
        entries = _unique_newest(_tail(fd), self.limit)
        handle, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part",
                                             dir=self.path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(("\n".join(entries) + "\n").encode("utf-8"))
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
