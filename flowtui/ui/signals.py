"""Signals that end the app: the terminal is restored first (issue 20.11).

Killed by SIGTERM or SIGHUP (a closed SSH session, a supervisor, ``kill``), a Textual app
would leave the terminal in the alternate screen with mouse reporting on. Here these signals
quit the app as ``q`` does, so Textual restores the terminal, and the caller then ends the
process by the signal.

That quit can itself hang when the terminal is gone (an SSH session dropped, a tmux pane
killed while the screen repaints): Textual's output thread dies on the first write that
fails (EIO), and the next writes wait forever for room in its full queue — on the event
loop's thread, so the quit never runs (Textual issue 6692 is the same wait). A process left
so on a jump host holds its memory and S3 connections until someone kills it. So a signal
also starts a deadline: if the process has not ended ``QUIT_DEADLINE`` seconds later, it
ends at once (status 128 + the signal's number), without the restore there is no terminal
left for.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from typing import Any

from textual.app import App

#: Seconds a signalled app has to quit before the process is ended by the signal anyway.
QUIT_DEADLINE = 5.0


@contextlib.contextmanager
def exit_on_signals(app: App[Any]) -> Iterator[list[int]]:
    """SIGTERM and SIGHUP quit the app as ``q`` does, so Textual leaves the alternate screen
    and turns mouse reporting off before the process ends; the signal is noted in the list
    yielded. (The handler runs on the event loop's thread: it asks a helper thread to call
    ``app.exit`` through ``call_from_thread``.)"""
    received: list[int] = []

    def quit_app(signum: int, _frame: object) -> None:
        received.append(signum)
        threading.Thread(target=lambda: _exit_from_thread(app), name="signal-exit",
                         daemon=True).start()
        deadline = threading.Timer(QUIT_DEADLINE, _end_by, args=(signum,))
        deadline.name, deadline.daemon = "signal-deadline", True
        deadline.start()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGHUP):
            previous[signum] = signal.signal(signum, quit_app)
    try:
        yield received
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _exit_from_thread(app: App[Any]) -> None:
    with contextlib.suppress(Exception):  # the app may be ending already
        app.call_from_thread(app.exit)


def _end_by(signum: int) -> None:
    """End the process now, from any thread, with the status a shell gives a process that
    ``signum`` ended (128 + N): the handler cannot be reset off the main thread, and the
    main thread is the one that is stuck."""
    os._exit(128 + signum)
