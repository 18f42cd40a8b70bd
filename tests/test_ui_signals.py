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


def _pending_after_growth(fd: int, timeout: float = 20.0) -> int:
    """Bytes waiting to be read on ``fd`` once they stop growing for half a second."""
    import fcntl
    import struct
    import termios

    def pending() -> int:
        return int(struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4))[0])

    deadline = time.monotonic() + timeout
    last, since = pending(), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < 0.5:
        select.select([], [], [], 0.05)
        now = pending()
        if now != last:
            last, since = now, time.monotonic()
    return last


@pytest.mark.parametrize("attempt", range(3))
def test_the_app_ends_when_its_terminal_goes_away_mid_repaint(attempt: int) -> None:
    """An SSH session that drops (a tmux pane killed) while the screen repaints: the
    terminal is the app's controlling terminal, as sshd and tmux make it, and it stops
    being read while keys are still arriving, then closes. The kernel sends SIGHUP; the
    app must end within a few seconds, not wait forever on output nobody can read
    (Textual's output thread dies on EIO with its queue full; left so, the process lingered
    on the machine with its memory and connections). Without the quit deadline about one
    run in three hung (the moment of the hang-up decides), hence three attempts."""
    import fcntl
    import termios

    from flowtui.ui.signals import QUIT_DEADLINE

    master, slave = pty.openpty()
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="160", LINES="48")

    def controlling_terminal() -> None:  # in the child, after setsid
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen([sys.executable, "-m", "flowtui", str(SAMPLE)], cwd=ROOT,
                               stdin=slave, stdout=slave, stderr=slave, env=env,
                               start_new_session=True, preexec_fn=controlling_terminal)
    os.close(slave)
    seen = bytearray()
    try:
        _read_until(master, seen, lambda: MOUSE_ON in seen and b"records" in seen, 60)
        assert ALT_ON in seen and MOUSE_ON in seen, "the app never started"
        os.write(master, b"j" * 300)  # repaints the terminal's buffer cannot hold, unread
        pending = _pending_after_growth(master)
        assert pending >= 4000, pending  # the terminal holds all it can, unread
        os.close(master)
        master = -1
        process.wait(QUIT_DEADLINE + 25)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
            raise AssertionError("the app outlived its terminal")
        if master >= 0:
            os.close(master)
