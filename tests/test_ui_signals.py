"""SIGTERM and SIGHUP to the app restore the terminal (issue 20.11), through a real pty as a
terminal (or sshd) runs it: after the signal, the app has left the alternate screen and
turned mouse reporting off, and it ends by the signal."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = next((ROOT / "samples").rglob("*.log.gz"))
ALT_ON, ALT_OFF = b"\x1b[?1049h", b"\x1b[?1049l"
MOUSE_ON, MOUSE_OFF = b"\x1b[?1000h", b"\x1b[?1000l"


def _read_until(fd: int, seen: bytearray, done, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                return
            if not data:
                return
            seen += data


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_restores_the_terminal(signum: int) -> None:
    master, slave = pty.openpty()
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="100", LINES="30")
    process = subprocess.Popen([sys.executable, "-m", "flowtui", str(SAMPLE)], cwd=ROOT,
                               stdin=slave, stdout=slave, stderr=slave, env=env,
                               start_new_session=True)
    os.close(slave)
    seen = bytearray()
    try:
        _read_until(master, seen, lambda: MOUSE_ON in seen and b"records" in seen, 60)
        assert ALT_ON in seen and MOUSE_ON in seen, "the app never started"
        process.send_signal(signum)
        _read_until(master, seen, lambda: False, 30)  # to the end: the app closes the pty
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    tail = bytes(seen[seen.rfind(ALT_ON):])
    assert ALT_OFF in tail, "still in the alternate screen"
    assert MOUSE_OFF in bytes(seen[seen.rfind(MOUSE_ON):]), "mouse reporting left on"
    assert process.returncode == -signum
