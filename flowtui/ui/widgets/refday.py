"""The day a time without a date means in the app: the day of the data in view.

The filter bar (``during 14:00..14:10``), go-to-time (``@ 14:05``) and the histogram's ``@``
read a bare time on the day most of the loaded records start on (``times.day_of_data``),
so a folder of last week answers "around 14:05" about last week; today only before any
record is loaded. Counting the days of a million records takes a few milliseconds, so the
answer is kept until the rows change.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from flowtui.query.times import ReferenceDay, day_of_data
from flowtui.rowsource import RowSource

WHY_DATA = "the day most of the loaded records start on"
WHY_NONE = "today, UTC: no record with a start time is loaded"


class DataDay:
    """``DataDay(lambda: screen.records)()``: a fresh ``ReferenceDay`` for the rows now."""

    def __init__(self, source: Callable[[], RowSource | None]) -> None:
        self._source = source
        self._key: Hashable = None
        self._day: ReferenceDay | None = None

    def __call__(self) -> ReferenceDay:
        source = self._source()
        key = None if source is None else (id(source), len(source), source.generation)
        if key != self._key or self._day is None:
            day = day_of_data(source.batches()) if source is not None and len(source) else None
            self._day = ReferenceDay(day, WHY_DATA) if day is not None else \
                ReferenceDay(ReferenceDay.today().day, WHY_NONE)
            self._key = key
        return ReferenceDay(self._day.day, self._day.why)  # ``used`` is the caller's
