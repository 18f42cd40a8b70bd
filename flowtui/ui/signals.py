"""Signals that end the app: the terminal is restored first (issue 20.11).

Killed by SIGTERM or SIGHUP (a closed SSH session, a supervisor, ``kill``), a Textual app
would leave the terminal in the alternate screen with mouse reporting on. Here these signals
quit the app as ``q`` does, so Textual restores the terminal, and the caller then ends the
process by the signal.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

from textual.app import App


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
