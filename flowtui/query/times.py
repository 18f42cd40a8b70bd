"""Times as users type them, and the time window a load keeps.

One reading of "a time" for every front end: ``--since``/``--until``, ``during`` in a filter,
the TUI's go-to-time. All UTC, since flow logs are.

A time without a date (``14:05``) means that time on the *reference day*: the day of the
data in view (the day most of the loaded records start on), else of the load's window
(``--since``, the objects' keys); today only when nothing else is known. Flow logs are read
days later, so "today" would match nothing; every front end says which day it took.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa

from flowtui import arrowcompute as pc

_RELATIVE = re.compile(r"^-?(\d+(?:\.\d+)?)\s*([smhdw])$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
#: A zone written after the time: ``Z`` or `` UTC``, as flowtui prints times (the story's
#: ``2024-03-05 14:00:05 UTC``): typed back, it means what no zone means here, UTC.
_UTC = re.compile(r"(?:\s*utc|z)$", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


@dataclass
class ReferenceDay:
    """The day a time without a date is read on, where it came from (``why``, for messages),
    and whether some time of the text was read on it (``used``, set by ``parse_time``)."""

    day: date
    why: str = "today, UTC"
    used: bool = False

    @classmethod
    def today(cls, now: datetime | None = None) -> ReferenceDay:
        return cls((now or datetime.now(tz=UTC)).astimezone(UTC).date())

    def describe(self) -> str:
        """``2024-03-05 (the day of the loaded records)``."""
        return f"{self.day:%Y-%m-%d} ({self.why})"


def day_of_data(batches: Iterable[pa.RecordBatch]) -> date | None:
    """The UTC day most of the records start on (None: no record has a start). One day folder
    can hold records from just before midnight; the most common day is the folder's. Batches
    read without ``start`` (``top --where 'end < 14:05'`` reads only ``end``) are counted by
    ``end``, a capture window later: the same day, or today would be taken."""
    counts: dict[int, int] = {}
    for batch in batches:
        names = batch.schema.names
        time = "start" if "start" in names else "end" if "end" in names else None
        if time is None or not batch.num_rows:
            continue
        column = batch.column(time)
        if pa.types.is_dictionary(column.type):
            column = column.dictionary_decode()
        days = pc.divide(pc.cast(column, pa.int64()), 86400)
        for item in pc.value_counts(days).to_pylist():
            if item["values"] is not None:
                counts[item["values"]] = counts.get(item["values"], 0) + item["counts"]
    if not counts:
        return None
    best = max(counts, key=lambda d: (counts[d], d))
    return datetime.fromtimestamp(best * 86400, tz=UTC).date()


def is_clock(text: str) -> bool:
    """Whether ``text`` is a clock time alone (``14:05``, ``9:30:15``): a time of no day."""
    value = text.strip()
    zone = _UTC.search(value)
    return _CLOCK.match(value[:zone.start()].rstrip() if zone else value) is not None


def parse_time(text: str, now: datetime | None = None, *, base: str | None = None,
               day: ReferenceDay | None = None) -> datetime:
    """A UTC time from what a user types (see ``_parse_time``); a time outside what a
    ``datetime`` holds (``800000d`` ago, year 1 less an hour) is a ValueError too."""
    try:
        return _parse_time(text, now, base=base, day=day)
    except (OverflowError, OSError):
        raise ValueError(f"{text.strip()[:40]!r} is outside the times a record can have "
                         "(years 1-9999 UTC)") from None


def _parse_time(text: str, now: datetime | None = None, *, base: str | None = None,
                day: ReferenceDay | None = None) -> datetime:
    """A UTC time from what a user types: ISO 8601 (``2024-03-05T14:00``, ``2024-03-05 14:00Z``,
    ``2024-03-05``; no zone means UTC, and so does ``UTC`` after it, as flowtui prints times:
    ``2024-03-05 14:00:05 UTC``), epoch seconds, an age (``90m``, ``-2h``, ``1d`` ago), or a
    clock time (``14:05``, ``14:05Z``) on the day of ``base`` (another time the user typed),
    else of ``day`` (marked used), else today."""
    value = text.strip()
    now = now or datetime.now(tz=UTC)
    zone = _UTC.search(value)
    if zone is not None and zone.start():
        value = value[:zone.start()].rstrip()
    m = _RELATIVE.match(value)
    if m:
        seconds = float(m.group(1)) * _UNITS[m.group(2)]
        if not seconds < 10_000 * 366 * 86400:  # 10,000 years (and not inf or nan)
            raise OverflowError(value)
        return now - timedelta(seconds=seconds)
    if value.isascii() and value.isdigit():
        if len(value) > 12:  # past year 9999 (and short of int()'s digit limit)
            raise OverflowError(value)
        return datetime.fromtimestamp(int(value), tz=UTC)
    clock = _CLOCK.match(value)
    if clock:
        hour, minute, second = (int(g or 0) for g in clock.groups())
        if hour > 23 or minute > 59 or second > 59:
            raise ValueError(f"not a time: {text!r}")
        on = parse_time(base, now, day=day) if base else now
        if not base and day is not None:
            day.used = True
            on = datetime(day.day.year, day.day.month, day.day.day, tzinfo=UTC)
        return on.replace(hour=hour, minute=minute, second=second, microsecond=0)
    try:
        t = datetime.fromisoformat(value)
        if zone is not None and t.tzinfo is not None:  # 14:00+01:00 UTC
            raise ValueError(value)
    except ValueError:
        raise ValueError(
            f"not a time: {text!r} (use 2024-03-05T14:00 [UTC], 14:05, epoch seconds, "
            "or an age such as -2h)"
        ) from None
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def window_filter(batch: pa.RecordBatch, since: datetime | None, until: datetime | None
                  ) -> pa.RecordBatch:
    """Rows whose [start, end] overlaps [since, until]; rows without times are kept."""
    mask = window_mask(batch, since, until)
    return batch if mask is None else pc.filter(batch, mask)


def window_mask(batch: pa.RecordBatch, since: datetime | None, until: datetime | None
                ) -> pa.BooleanArray | None:
    """The rows ``window_filter`` keeps (no nulls), or None when it keeps them all."""
    names = batch.schema.names
    mask = None
    if since is not None and "end" in names:
        mask = pc.fill_null(pc.greater_equal(batch.column("end"), int(since.timestamp())), True)
    if until is not None and "start" in names:
        m = pc.fill_null(pc.less_equal(batch.column("start"), int(until.timestamp())), True)
        mask = m if mask is None else pc.and_(mask, m)
    return mask
