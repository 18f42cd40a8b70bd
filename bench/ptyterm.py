"""The app in a real pseudo-terminal: what it writes to the terminal, byte for byte.

A headless run (``App.run_test``) never renders to a stream, so it cannot say what a user
on SSH pays per key. Here the app runs as a child process on the slave side of a pty with
a real ``TERM`` and size, exactly as a terminal (or sshd) would run it; the parent writes
the bytes a terminal sends for a key to the master side and counts what comes back until
the app falls quiet. The child tells the parent when it is ready over a pipe of its own, so
nothing it prints for the harness is counted.
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import termios
import time
from dataclasses import dataclass

KEYS = {"j": b"j", "k": b"k", "pagedown": b"\x1b[6~", "pageup": b"\x1b[5~", "d": b"d",
        "q": b"q"}


@dataclass(frozen=True)
class Burst:
    """What the app wrote after one input: bytes, and when the last of them came."""

    size: int
    first: float  # seconds from the input to the first byte (inf: nothing written)
    last: float  # seconds from the input to the last byte before the app fell quiet
    data: bytes


class PtyApp:
    """A child process on a pty of ``width`` x ``height``; ``ready_fd`` is passed to it as
    argv[1], and it writes a line there whenever it is ready for the next step."""

    def __init__(self, argv: list[str], width: int, height: int,
                 term: str = "xterm-256color", env: dict[str, str] | None = None) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
        ready_r, ready_w = os.pipe()
        child_env = dict(os.environ if env is None else env)
        child_env.update(TERM=term, COLUMNS=str(width), LINES=str(height))
        for name in ("COLORTERM", "TEXTUAL", "NO_COLOR", "TMUX"):
            child_env.pop(name, None)
        self.process = subprocess.Popen(
            [*argv[:1], *argv[1:], str(ready_w)], stdin=slave, stdout=slave, stderr=slave,
            pass_fds=(ready_w,), env=child_env, start_new_session=True, close_fds=True)
        os.close(slave)
        os.close(ready_w)
        self.ready = ready_r
        self.log: list[bytes] = []  # what came while waiting for the child (for errors)

    def drain(self, quiet: float, first_within: float = 5.0, limit: float = 30.0) -> Burst:
        """Read what the app writes until nothing came for ``quiet`` seconds (waiting up to
        ``first_within`` for the first byte: a busy machine may take a while to answer)."""
        started = time.perf_counter()
        first = last = None
        chunks: list[bytes] = []
        deadline = started + limit
        while True:
            now = time.perf_counter()
            wait = (started + first_within - now) if last is None else quiet - (now - last)
            if now > deadline or wait <= 0:
                break
            readable, _, _ = select.select([self.master], [], [], wait)
            if not readable:
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            now = time.perf_counter()
            first = first if first is not None else now
            last = now
            chunks.append(data)
        data = b"".join(chunks)
        return Burst(len(data), (first - started) if first else float("inf"),
                     (last - started) if last else float("inf"), data)

    def wait_ready(self, timeout: float = 300.0) -> str:
        """Keep the terminal drained (a full pty blocks the app) until the child says ready."""
        deadline = time.monotonic() + timeout
        line = b""
        while not line.endswith(b"\n"):
            if time.monotonic() > deadline or self.process.poll() is not None:
                tail = b"".join(self.log)[-2000:].decode("utf-8", "replace")
                raise RuntimeError(f"the app in the pty never got ready: {tail!r}")
            readable, _, _ = select.select([self.master, self.ready], [], [], 0.5)
            if self.master in readable:
                try:
                    self.log.append(os.read(self.master, 65536))
                except OSError:
                    pass
            if self.ready in readable:
                line += os.read(self.ready, 1)
        return line.decode().strip()

    def press(self, key: str, quiet: float = 0.3) -> Burst:
        """Send one key as a terminal does; what the app writes until quiet."""
        os.write(self.master, KEYS.get(key, key.encode()))
        return self.drain(quiet)

    def hold(self, key: str, count: int, every: float, quiet: float = 0.3) -> Burst:
        """A held key: ``count`` presses ``every`` seconds (a terminal's auto-repeat), all
        the output until the app is quiet again."""
        data: list[bytes] = []
        started = time.perf_counter()
        for i in range(count):
            os.write(self.master, KEYS.get(key, key.encode()))
            until = started + (i + 1) * every
            while (left := until - time.perf_counter()) > 0:
                readable, _, _ = select.select([self.master], [], [], left)
                if readable:
                    data.append(os.read(self.master, 65536))  # a full pty blocks the app
        tail = self.drain(quiet, first_within=quiet)
        body = b"".join(data) + tail.data
        return Burst(len(body), 0.0, time.perf_counter() - started - quiet, body)

    def close(self) -> None:
        try:
            os.write(self.master, KEYS["q"])
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait(timeout=10)
        finally:
            os.close(self.master)
            os.close(self.ready)
