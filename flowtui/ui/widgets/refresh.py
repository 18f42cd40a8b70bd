"""When the top-N pane and the histogram compute again: on their own clock, not per key.

A load appends batches every few milliseconds and a held key moves the cursor every 30 ms;
an aggregate over a million rows takes tens of milliseconds in a worker. So a pane asks for
a new answer at most every ``AGGREGATE_INTERVAL`` while the rows change, only while it is
shown, and not at all when the rows it last counted are still the rows there are.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

from textual.timer import Timer
from textual.widget import Widget

AGGREGATE_INTERVAL = 1.0
"""Seconds between recomputations of a shown pane while a load or tail adds rows."""


class AggregateRefresh:
    """Calls ``start()`` for the newest data, at most every ``interval`` seconds, while
    ``owner`` is shown and ``key()`` (what the data is) has moved since the last start."""

    def __init__(self, owner: Widget, key: Callable[[], Hashable], start: Callable[[], None],
                 interval: float = AGGREGATE_INTERVAL) -> None:
        self._owner = owner
        self._key = key
        self._start = start
        self._interval = interval
        self._at = -interval
        self._timer: Timer | None = None
        self._last: Hashable = None

    def changed(self) -> None:
        """The rows changed (appended, filtered, a new load): compute soon."""
        if self._timer is not None:
            return
        wait = self._interval - (time.monotonic() - self._at)
        if wait <= 0:
            self._run()
        else:
            self._timer = self._owner.set_timer(wait, self._run)

    def now(self, force: bool = False) -> None:
        """Compute at once (the pane was just shown, or its question changed)."""
        if force:
            self._last = None
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._run()

    def _run(self) -> None:
        self._timer = None
        if not self._owner.is_attached or not self._owner.display:
            return
        key = self._key()
        if key == self._last:
            return
        self._last = key
        self._at = time.monotonic()
        self._start()
