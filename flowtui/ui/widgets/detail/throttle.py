"""Keeping the detail panel up with a held key without paying for every row it passes.

Explaining a record takes a few ms and laying the panel out a few more, and over SSH each
update of the panel costs ~1-2 KB (the lines whose text changed). A held ``j`` moves the
cursor every 30 ms or so: updating the panel on the way (even every 80 ms, as it did) sent
~25 KB for 20 presses, nine tenths of what the key cost. So the panel follows the cursor at
once after a pause (a single key: the panel is shown in the frame after the table's), and
while keys repeat it waits until the cursor rests for ``DETAIL_REST`` and then shows the
row the cursor stopped on, once. The panel may lag behind a moving cursor; once the keys
stop (``pending`` is False) it always shows the cursor's record.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.message_pump import MessagePump
from textual.timer import Timer

DETAIL_REST = 0.15
"""Seconds without a cursor move after which the cursor counts as resting: longer than
the gap between a terminal's auto-repeated keys (25-40 a second), shorter than a person's
pause to read."""


class DetailThrottle:
    """Calls ``show(row)`` for the newest row: at once after a rest, else once it rests."""

    def __init__(self, owner: MessagePump, show: Callable[[int], None],
                 rest: float = DETAIL_REST) -> None:
        self._owner = owner  # whose timer catches up (it stops with its owner)
        self._show = show
        self._rest = rest
        self._row = 0
        self._moved_at = -rest  # when soon() was last called
        self._timer: Timer | None = None
        self._scheduled = False

    @property
    def pending(self) -> bool:
        """An update is due: the panel does not show the newest row yet."""
        return self._timer is not None or self._scheduled

    def soon(self, row: int) -> None:
        """Explain the cursor's record: after this frame if the cursor was resting, else
        when it has rested for the rest interval."""
        self._row = row
        now = time.monotonic()
        resting = now - self._moved_at >= self._rest
        self._moved_at = now
        if self._scheduled or self._timer is not None:
            return  # the update already due takes the newest row
        if resting:
            self._scheduled = True
            self._owner.call_after_refresh(self._show_newest)
        else:
            self._timer = self._owner.set_timer(self._rest, self._when_resting)

    def _show_newest(self) -> None:
        self._scheduled = False
        self._show(self._row)

    def _when_resting(self) -> None:
        left = self._rest - (time.monotonic() - self._moved_at)
        if left > 0.001:  # the cursor moved again since: wait out the rest from then
            self._timer = self._owner.set_timer(left, self._when_resting)
            return
        self._timer = None
        self._show(self._row)
