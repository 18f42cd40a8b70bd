"""Keeping the detail panel up with a held key without slowing the table down.

Explaining a record takes a few ms and laying the panel out a few more; a held ``j`` moves
the cursor every 30 ms or so. So the panel is shown at most every ``DETAIL_INTERVAL`` while
the cursor moves, and once more for the row it stopped on: the table keeps up with the keys
and the panel catches up with the last row. Even the first update after a pause waits for
the screen to be drawn: the table's two changed rows reach the terminal first, and the
panel follows in the next frame instead of holding the key's repaint back.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.message_pump import MessagePump
from textual.timer import Timer

DETAIL_INTERVAL = 0.08
"""Seconds between detail-panel updates while the cursor moves."""


class DetailThrottle:
    """Calls ``show(row)`` for the newest row, at most every ``interval`` seconds."""

    def __init__(self, owner: MessagePump, show: Callable[[int], None],
                 interval: float = DETAIL_INTERVAL) -> None:
        self._owner = owner  # whose timer catches up (it stops with its owner)
        self._show = show
        self._interval = interval
        self._row = 0
        self._at = 0.0
        self._timer: Timer | None = None
        self._scheduled = False

    @property
    def pending(self) -> bool:
        """A catch-up is due: the panel does not show the newest row yet."""
        return self._timer is not None or self._scheduled

    def soon(self, row: int) -> None:
        """Explain the cursor's record, at most every interval while keys repeat."""
        self._row = row
        if self._scheduled:
            return  # the update already due after this frame takes the newest row
        now = time.monotonic()
        if now - self._at >= self._interval:
            self._at = now
            self._scheduled = True
            self._owner.call_after_refresh(self._show_newest)
        elif self._timer is None:
            self._timer = self._owner.set_timer(self._interval, self._catch_up)

    def _show_newest(self) -> None:
        self._scheduled = False
        self._show(self._row)

    def _catch_up(self) -> None:
        self._timer = None
        self._at = time.monotonic()
        self._show(self._row)
