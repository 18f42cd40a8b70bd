"""What ``--where`` (and ``--sort``) ask of a load, for ``cat``, ``top``, ``hist`` and
``story``: the query, checked before anything is loaded; the loader's filter for it (the
reference day of a time without a date, the names to add); the columns it reads.

Kept light at import (argparse only): Arrow, the loader and boto3 are imported when a command
runs, so ``--help`` answers at once.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from flowtui.cli.args import say, window_text
from flowtui.s3.url import S3Url, is_s3_url


def build_query(where: str | None, sort: str | None = None,
                args: argparse.Namespace | None = None) -> Any:
    """The ``Query`` for the options, or an exit code after a one-line message. A time
    without a date is read on the day of ``--since``/``--until`` when given (else today, until
    the keeper knows the data's day); name terms are resolved with ``args.names_loaded``
    (``--names``)."""
    from flowtui.query.query import FilterError, Query, UnknownField
    from flowtui.query.times import ReferenceDay

    day = window_day(args) or ReferenceDay.today()
    try:
        query = Query.build(where, sort, day=day, names=loaded_names(args))
    except (FilterError, UnknownField) as exc:
        say(str(exc))
        return 2
    refused = engine_refuses(query)
    if refused is not None:
        say(f"--where: {refused}")
        return 2
    if day.used and getattr(args, "engine", None) == "athena":
        # Athena's answer comes with no data to take the day from: the day taken is said,
        # as the local engine says it (Keeper) when nothing matches.
        say(f"--where: a time without a date is read on {day.describe()}: give a date "
            "(2024-03-05T14:00) or --since for another day")
    return query


def engine_refuses(query: Any) -> str | None:
    """Why Arrow would refuse the filter on every object (a number too large for its column,
    a regex RE2 can't compile), found by running it on two rows of every field (a value and a
    null) before anything is loaded; None when it runs. Otherwise each object would fail
    with the same error, blamed on the object (issue 20.9)."""
    if not query.filters:
        return None
    import pyarrow as pa

    from flowtui import arrowcompute as pc
    from flowtui.fields import FIELDS, arrow_type
    from flowtui.textsafe import printable

    def column(kind: pa.DataType) -> pa.Array:
        if pa.types.is_dictionary(kind):
            return pa.DictionaryArray.from_arrays(pa.array([0, None], kind.index_type),
                                                  pa.array(["x"], kind.value_type))
        if pa.types.is_string(kind):
            return pa.array(["x", None], kind)
        return pc.cast(pa.array([0, None]), kind)

    names = list(FIELDS)
    try:
        probe = pa.RecordBatch.from_arrays([column(arrow_type(n)) for n in names], names=names)
        query.predicate().filter(probe)
    except (pa.ArrowException, ValueError, TypeError, OverflowError) as exc:
        return f"the filter can't run: {printable(' '.join(str(exc).split()))}"
    return None


def window_day(args: argparse.Namespace | None) -> Any:
    """The reference day of the load's window (``--since``, else ``--until``, else the day
    folder the paths name), or None."""
    from flowtui.query.times import ReferenceDay

    since = getattr(args, "since", None)
    until = getattr(args, "until", None)
    if since is not None:
        return ReferenceDay(since.date(), "the day of --since")
    if until is not None:
        return ReferenceDay(until.date(), "the day of --until")
    day = folder_day(getattr(args, "paths", None) or [])
    if day is not None:
        return ReferenceDay(day, "the day of the folder")
    return None


def folder_day(paths: Sequence[str]) -> Any:
    """The day every path names as a day (or hour) folder, ``…/2024/03/05/`` or Hive's
    ``year=2024/month=03/day=05/``; None when they name none or several."""
    from flowtui.layout import parse_day_prefix

    days = set()
    for path in paths:
        parts = path.rstrip("/").split("/")
        day = None
        for end in (len(parts), len(parts) - 1):  # a day folder, or an hour folder in one
            found = parse_day_prefix("/".join(parts[:end]))
            if found is not None and found.year >= 2000:
                day = found
                break
        if day is None:
            return None
        days.add(day)
    return days.pop() if len(days) == 1 else None


def day_of_keys(locations: Sequence[str]) -> Any:
    """The day most of the objects' keys (or file names) are stamped with, or None."""
    from flowtui import layout

    counts: dict[Any, int] = {}
    for location in locations:
        key = S3Url.parse(location).key if is_s3_url(location) else location
        info = layout.parse_key(key)
        if info is not None:
            day = info.time.date()
            counts[day] = counts.get(day, 0) + 1
    return max(counts, key=lambda d: (counts[d], d)) if counts else None


class Keeper:
    """The loader's batch filter for a query: the matching rows, their dictionaries cut down
    to the values they use when few rows are left (a few matches must not pin a whole
    batch's dictionaries in memory). It counts what it kept, for the message when nothing
    matched.

    A ``--where`` with a time without a date (``during 14:00..14:10``) is read on the day of
    the data: the load's window (``--since``/``--until``), else the day the objects' keys
    name (``on_refs``, before loading), else the day most of the first records loaded start
    on; ``day`` says which was taken."""

    def __init__(self, query: Any, args: argparse.Namespace | None = None) -> None:
        import threading

        from flowtui.query.query import Query
        from flowtui.query.times import ReferenceDay

        self.query = query
        self.kept = 0
        self.columns: set[str] = set()  # every column a batch brought: what the format logs
        self._lock = threading.Lock()
        self.names = loaded_names(args)  # --names: FIELD.name columns added to what is kept
        self.window = window_text(args) if args is not None else ""
        window = window_day(args)
        probe = window or ReferenceDay.today()
        # which reference day does the text use?
        Query.build(query.where_text, day=probe, names=self.names)
        self.day: ReferenceDay | None = probe if probe.used else None
        self._pending = self.day is not None and window is None
        self._predicate = None if self._pending else query.predicate()

    @property
    def pending(self) -> bool:
        """A time without a date waits for the data's day (``on_refs`` or the first batch)."""
        return self._pending

    def _settle(self, day: Any, why: str) -> None:
        from flowtui.query.query import Query
        from flowtui.query.times import ReferenceDay

        self.day = ReferenceDay(day, why)
        self.query = Query.build(self.query.where_text, day=self.day, names=self.names)
        self._predicate = self.query.predicate()
        self._pending = False

    def on_refs(self, locations: Sequence[str]) -> None:
        """The objects about to load: their keys name the data's day."""
        if self._pending:
            day = day_of_keys(locations)
            if day is not None:
                self._settle(day, "the day of the objects' keys")

    def __call__(self, batch: Any) -> Any:
        self.saw(batch.schema.names)
        if self._pending:
            with self._lock:
                if self._pending:
                    from flowtui.query.times import ReferenceDay, day_of_data

                    day = day_of_data([batch])
                    if day is None:
                        self._settle(ReferenceDay.today().day, "today, UTC")
                    else:
                        self._settle(day, "the day most of the first records start on")
        assert self._predicate is not None
        kept = self._predicate.filter(batch)
        if kept.num_rows * 4 < batch.num_rows:
            kept = compact_dictionaries(kept)
        if self.names is not None:
            kept = self.names.with_names(kept)
        with self._lock:
            self.kept += kept.num_rows
        return kept

    def saw(self, names: Sequence[str]) -> None:
        """Columns a batch brought (the filter's own when the parser prefilters): the
        format's fields, for ``nothing_matched``."""
        if not self.columns.issuperset(names):
            with self._lock:
                self.columns.update(names)

    def watching(self, prefilter: Any) -> Any:
        """``prefilter`` telling this keeper the columns it meets: lines it drops never
        reach ``__call__``, and a filter on a field the format lacks drops them all."""
        return None if prefilter is None else _Watched(prefilter, self)

    def nothing_matched(self) -> str:
        """The line for a load where the filter kept nothing: true, and with the day a
        time without a date was read on."""
        from flowtui.query.absent import absent_hint

        text = f"no record matches --where {self.query.where_text!r}{self.window}"
        missing = absent_hint(self.query.where, self.columns)
        if missing:
            text += f": {missing}"
        if self.day is not None:
            text += (f"; a time without a date was read on {self.day.describe()}: give a "
                     "date (2024-03-05T14:00) or --since for another day")
        return text


class _Watched:
    """A prefilter (``Prefilter``, ``TopPrefilter``) whose every block's columns a
    ``Keeper`` sees."""

    def __init__(self, inner: Any, keeper: Keeper) -> None:
        self.columns = inner.columns
        self._inner, self._keeper = inner, keeper

    def mask(self, batch: Any) -> Any:
        self._keeper.saw(batch.schema.names)
        return self._inner.mask(batch)


def keeper(query: Any, args: argparse.Namespace | None = None) -> Keeper | None:
    """The loader's batch filter for ``query`` (None: no filter and no names to add)."""
    if not query.filters and loaded_names(args) is None:
        return None
    return Keeper(query, args)


def loaded_names(args: argparse.Namespace | None) -> Any:
    """The ``Names`` a command loaded for ``--names`` (``cli/names.py``), or None."""
    return getattr(args, "names_loaded", None)


def needed_columns(args: argparse.Namespace, query: Any, names: Sequence[str]
                   ) -> list[str] | None:
    """The columns a question reads: ``names`` (what it groups, sums or prints), the
    filter's fields, and the times a window is checked on; None (all) when the filter's
    fields cannot be told."""
    from flowtui.query.expr import fields_used

    try:
        used = fields_used(query.where)
    except AttributeError:  # a filter leaf that names no single field: read everything
        return None
    if getattr(args, "since", None) is not None or getattr(args, "until", None) is not None:
        used |= {"start", "end"}
    return list(dict.fromkeys([*names, *sorted(used)]))


class Prefilter:
    """The filter as the parser applies it before typing whole records (``cat --where``):
    its fields and its mask. None from ``of`` when the fields cannot be told."""

    def __init__(self, columns: Sequence[str], predicate: Any) -> None:
        self.columns = list(columns)
        self.mask = predicate.mask

    @classmethod
    def of(cls, query: Any) -> Prefilter | None:
        from flowtui.query.expr import fields_used

        if not query.filters:
            return None
        try:
            used = fields_used(query.where)
        except AttributeError:
            return None
        return cls(sorted(used), query.predicate()) if used else None


def compact_dictionaries(batch: Any) -> Any:
    import pyarrow as pa

    from flowtui import arrowcompute as pc

    columns = []
    for column in batch.columns:
        if pa.types.is_dictionary(column.type) and len(column.dictionary) > len(column):
            index_type = column.type.index_type
            column = pc.cast(pc.dictionary_encode(column.dictionary_decode()),
                             pa.dictionary(index_type, column.type.value_type))
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)
