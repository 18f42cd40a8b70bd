"""Python's cycle collector held off while a command starts, then started with its start-up
objects frozen.

A command's start is imports: botocore, Arrow and flowtui's own modules make some hundred
thousand objects (functions, classes, dicts), and the collector walks the young ones every
700 allocations and all of them now and then: ~140 collections before ``cat``'s first line
from S3, ~35 ms of its ~330 ms of CPU (issue 21 item 4; medians of 15 fresh processes,
load 11). Nothing made while importing is garbage worth finding, so ``hold`` turns the
collector off as the command starts and ``release`` turns it back on once the command's
modules are loaded, before any record is read: from there on it runs as it always did,
minus the start-up's objects, which ``gc.freeze`` moves out of its sight for good (a
long load no longer walks them in each full collection).

``release`` is called where a command has finished importing and starts reading
(``cli.loading``, ``cli.cat``), and once more when the command returns, so a command that
reads nothing (``sql``, ``config``) or fails early ends with the collector as it was.
Commands that run until stopped (``tail``, ``demo``, the app) are never held.
"""

from __future__ import annotations

import gc
import threading

_LOCK = threading.Lock()
_held = False


def hold() -> None:
    """Turn the collector off for the command's start (if it is on)."""
    global _held
    with _LOCK:
        if not _held and gc.isenabled():
            gc.disable()
            _held = True


def release() -> None:
    """Turn it back on, what exists now frozen; a no-op unless ``hold`` turned it off."""
    global _held
    with _LOCK:
        if _held:
            _held = False
            gc.freeze()
            gc.enable()
