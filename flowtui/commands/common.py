"""What ``cat --where/--sort``, ``top`` and ``hist`` share: reading the query options, loading
only the matching records, writing to a file or stdout, and a progress line.

Kept light at import (argparse only): Arrow, the loader and boto3 are imported when a command
runs, so ``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any

from flowtui.cliargs import field_list, say

#: Options whose value may start with "-" (``--sort -bytes``, ``--since -2h``): argparse would
#: take such a value for an option, so ``--sort -bytes`` is rewritten as ``--sort=-bytes``.
DASH_VALUE_OPTIONS = ("--sort", "--where", "--since", "--until", "--by")


def join_dash_values(argv: Sequence[str], options: Sequence[str] = DASH_VALUE_OPTIONS
                     ) -> list[str]:
    out: list[str] = []
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            out.extend(args[i:])
            break
        if arg in options and i + 1 < len(args) and args[i + 1].startswith("-") \
                and args[i + 1] not in ("-", "--") and not args[i + 1].startswith("--"):
            out.append(f"{arg}={args[i + 1]}")
            i += 2
            continue
        out.append(arg)
        i += 1
    return out


def add_source_arguments(parser: argparse.ArgumentParser) -> None:
    """Paths, ``--where``, headerless ``--fields``, S3 options and the time window."""
    from flowtui.s3 import cat as s3cat

    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="file, folder or s3://bucket/key-or-prefix")
    add_where_argument(parser)
    parser.add_argument("--fields", type=field_list, metavar="FORMAT",
                        help="columns of headerless files: a LogFormat ('${a} ${b}') or a "
                             "list ('a b' / 'a,b')")
    parser.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")
    s3cat.add_arguments(parser)


def add_where_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--where", metavar="EXPR",
                        help="keep only records matching EXPR while loading, e.g. "
                             "'reject and dst port 22' or 'bytes > 1M and net 10.0.0.0/8'")


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

    from flowtui.fields import FIELDS, arrow_type
    from flowtui.textsafe import printable

    def column(kind: pa.DataType) -> pa.Array:
        if pa.types.is_dictionary(kind):
            return pa.array(["x", None]).dictionary_encode().cast(kind)
        if pa.types.is_string(kind):
            return pa.array(["x", None], kind)
        return pa.array([0, None]).cast(kind)

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
        key = location.split("/", 3)[-1] if location.startswith("s3://") else location
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

        text = f"no record matches --where {self.query.where_text!r}"
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
    """The ``Names`` a command loaded for ``--names`` (``commands/names.py``), or None."""
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

    columns = []
    for column in batch.columns:
        if pa.types.is_dictionary(column.type) and len(column.dictionary) > len(column):
            index_type = column.type.index_type
            column = column.dictionary_decode().dictionary_encode().cast(
                pa.dictionary(index_type, column.type.value_type))
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


class StatesSink:
    """A writer-like sink that reduces each batch to its groups (``GroupStates``,
    ``HistogramStates``) instead of keeping it: memory holds the groups, not the records.
    The account and region of the object's key are added as ``StoreSink`` does."""

    def __init__(self, states: Any, key_fields: Sequence[str] = (),
                 progress: Progress | None = None) -> None:
        self.states = states
        self.key_fields = [f for f in key_fields if f in ("account-id", "region")]
        self.progress = progress
        self.done = False

    def write_batch(self, batch: Any, source: str) -> None:
        if self.key_fields:
            batch = with_key_columns(batch, source, self.key_fields)
        self.states.add(batch)
        if self.progress is not None:
            self.progress.show(f"read {self.states.records:,} matching records")


class StoreSink:
    """A writer-like sink (``write_batch``, ``done``) that keeps batches in a store, adding the
    account and region of the object's key as ``account-id`` / ``region`` columns when a
    command asks for them and the records lack them."""

    def __init__(self, key_fields: Sequence[str] = (), progress: Progress | None = None
                 ) -> None:
        from flowtui.store import RecordStore

        self.store = RecordStore()
        self.key_fields = [f for f in key_fields if f in ("account-id", "region")]
        self.progress = progress
        self.done = False

    def write_batch(self, batch: Any, source: str) -> None:
        if self.key_fields:
            batch = with_key_columns(batch, source, self.key_fields)
        self.store.append(batch, source)
        if self.progress is not None:
            self.progress.show(f"loaded {len(self.store):,} matching records")


def with_key_columns(batch: Any, source: str, names: Sequence[str]) -> Any:
    import pyarrow as pa

    from flowtui import layout

    missing = [n for n in names if n not in batch.schema.names]
    if not missing:
        return batch
    info = layout.parse_key(source) or layout.parse_key(os.path.basename(source))
    for name in missing:
        value = None if info is None else (info.account if name == "account-id"
                                           else info.region)
        column = pa.DictionaryArray.from_arrays(
            pa.repeat(pa.scalar(0 if value is not None else None, pa.int8()), batch.num_rows),
            pa.array([value if value is not None else ""], pa.string()))
        batch = batch.append_column(name, column)
    return batch


def load(args: argparse.Namespace, sink: Any, keep: Callable[[Any], Any] | None,
         columns: Sequence[str] | None = None, prefilter: Any = None) -> int:
    """Read ``args.paths`` (S3, local files and folders, ``-``) into ``sink`` keeping only what
    ``keep`` keeps, and of each record only ``columns`` (None: all). Exit code: 0 done, 1 some
    objects failed, 2 nothing could be read."""
    from flowtui.outfile import check_target
    from flowtui.s3 import cat as s3cat

    check_target(getattr(args, "output", None))  # before any work: one line, exit 2
    if getattr(keep, "pending", False):
        # The filter's bare times wait for the data's day: a prefilter made now would read
        # them on another day and drop what the keeper will keep.
        prefilter = None
    if "-" in args.paths:
        return _load_stdin(args, sink, keep, columns, prefilter)
    return s3cat.run(args, sink, say, predicate=keep, columns=columns, prefilter=prefilter,
                     on_refs=getattr(keep, "on_refs", None))


def _load_stdin(args: argparse.Namespace, sink: Any, keep: Callable[[Any], Any] | None,
                columns: Sequence[str] | None = None, prefilter: Any = None) -> int:
    from pathlib import Path

    from flowtui.localfiles import LocalPathError, read_batches
    from flowtui.parser import FlowLogParser

    if args.paths != ["-"]:
        say("'-' (standard input) can't be mixed with other paths")
        return 2
    parser = FlowLogParser(args.fields, name="-", columns=columns, prefilter=prefilter)
    try:
        for batch in read_batches(Path("-"), parser):
            if keep is not None:
                batch = keep(batch)
            sink.write_batch(batch, "-")
            if sink.done:
                break
    except LocalPathError as exc:
        say(str(exc))
        return 1
    if parser.error:
        say(f"-: {parser.error}")
        return 1
    if parser.bad_count:
        say(f"{parser.bad_count} bad line{'s' if parser.bad_count != 1 else ''} skipped")
    return 0


@contextmanager
def output(path: str | None, *, binary: bool = False) -> Iterator[IO[Any]]:
    """``--output FILE`` (written whole or not at all, safely: ``flowtui.outfile``), else
    stdout."""
    if path is None or path == "-":
        yield sys.stdout.buffer if binary else sys.stdout
        return
    from flowtui.outfile import open_output

    with open_output(path, binary=binary) as handle:
        yield handle


class Progress:
    """One self-overwriting line on stderr, only when stderr is a terminal."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._last = 0.0
        self._shown = False

    def show(self, text: str, *, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        sys.stderr.write(f"\r\x1b[K{text}")
        sys.stderr.flush()
        self._shown = True

    def clear(self) -> None:
        if self.enabled and self._shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self._shown = False


def write_table(table: Any, fmt: str, out: IO[str]) -> None:
    """A small result table through the record writers (table, csv, jsonl)."""
    from flowtui.output import make_writer

    writer = make_writer(fmt, out)
    for batch in table.to_batches():
        writer.write_batch(batch, "")
    if table.num_rows == 0 and fmt == "table":
        out.write("  ".join(table.schema.names) + "\n")
