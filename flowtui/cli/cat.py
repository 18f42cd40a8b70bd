"""``flowtui cat``: records from files, folders, s3:// prefixes or ``-``, printed or exported.

One command, three ways through, chosen from the options:

- plain local files: read here, the text made on two threads of its own while the next
  chunk inflates (``BackgroundWriter``); neither boto3 nor the filter grammar is loaded;
- s3:// URLs and time windows: the loader (``loading.load_objects``), batches written as
  they arrive in key order;
- the query path (``--where/--sort/--columns/--output/--format parquet``, ``--engine
  athena``, ``--names``): ``--where`` filters while loading (the loader's threads drop what
  does not match, so memory holds only matches); without ``--sort`` records still stream
  out as they arrive. With ``--sort`` the matches are kept in a store and written in the
  view's order, ``--limit`` taking the first N after sorting.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from flowtui.cli import collector, filtering, loading, results
from flowtui.cli import names as names_cli
from flowtui.cli.args import (
    add_engine_arguments,
    add_output_options,
    add_paths,
    add_where_argument,
    add_window_options,
    say,
    stdout_closed,
    window_text,
)

CAT_FORMATS = ("table", "csv", "jsonl", "parquet")
#: Rows a top-k (``--sort`` with ``--limit N``) holds beyond 4 N before it keeps the first N.
TRIM_SLACK = 1 << 16
MAX_BAD_LINES_SHOWN = 20
#: Blocks (so batches) for the JSON lines and table writers of a local cat: each batch costs
#: them its dictionaries' text and a copy of the tables of every port's text, whatever its
#: rows (jsonl on 1M records: 9.76 G instructions with 2 MB blocks, 9.08 G with 6 MB).
WRITER_BLOCK_BYTES = 6 << 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_paths(parser)
    add_output_options(parser, formats=CAT_FORMATS)
    add_window_options(parser)
    group = parser.add_argument_group("query and export")
    add_where_argument(group)
    group.add_argument("--sort", metavar="FIELD[,-FIELD…]",
                       help="sort by fields, '-' for descending (--sort -bytes,start); "
                            "stable, missing values last")
    group.add_argument("--columns", metavar="FIELD[,FIELD…]",
                       help="only these columns, in this order")
    group.add_argument("--output", metavar="FILE",
                       help="write to FILE instead of stdout (needed for --format parquet)")
    add_engine_arguments(parser)
    names_cli.add_names_arguments(parser)


def run(args: argparse.Namespace) -> int:
    if args.output in (None, "-") and stdout_closed():
        return 2
    if _wants_query(args):
        return _query(args)

    made: list[Any] = []

    def cat_writer() -> Any:
        from flowtui.output import make_writer

        made.append(make_writer(args.format, sys.stdout, limit=args.limit,
                                decoded=args.decoded, explain=args.explain))
        return made[-1]

    if loading.wants_loader(args):
        # The loader's threads write as batches arrive, and stop at once on a closed pipe.
        # The writer is made once the objects are listed (Arrow loads during the listing).
        return _said_at_end(args, loading.load(
            args, None, make_writer=cat_writer,
            on_objects=lambda client, refs: one_header(args, made[-1], client, refs)), made)
    from flowtui.localfiles import LocalPathError, find_objects
    from flowtui.writethreads import BackgroundWriter

    writer = cat_writer()

    try:
        paths = find_objects(args.paths)
    except LocalPathError as exc:
        say(str(exc))
        return 2
    one_header(args, writer, None, paths)
    if args.limit is not None:
        return _said_at_end(args, _local(args, paths, writer), made)
    # Text is made (two batches at once) and written on threads of their own while the
    # next chunk inflates.
    with BackgroundWriter(writer) as background:
        code = _local(args, paths, background)
    return _said_at_end(args, code, made)


def _said_at_end(args: argparse.Namespace, code: int, writers: list[Any]) -> int:
    """What the output can't say itself, said once the objects are read. Objects that
    held no record at all (empty, or a header alone): "no records loaded", as ``top`` and
    ``hist`` say it, since an empty answer and exit 0 read as "no traffic" (a window that
    kept nothing was said by the load; a reader that left ends the command before this).
    A CSV's header lines past the first (``said_more_headers``)."""
    if code == 0 and writers and not writers[-1].written and not window_text(args):
        say("no records loaded")
    if writers:
        said_more_headers(writers[-1])
    return code


def said_more_headers(writer: Any) -> None:
    """A CSV whose columns changed holds a second header line, which a CSV reader takes
    for a row of data: said, with where. A folder of several formats has one header
    (``one_header``); this is left for an object whose header could not be read first and
    for standard input (gzip members of several formats, one after another)."""
    more = getattr(writer, "more_headers", None)
    if more:
        from flowtui.textsafe import printable

        say(f"the CSV has {len(more) + 1} header lines: the columns change at "
            f"{printable(more[0])}{' and more' if len(more) > 1 else ''} (objects of "
            "another format); --columns writes one set of columns")


def one_header(args: argparse.Namespace, writer: Any, client: Any, objects: Any) -> None:
    """A CSV of several objects gets one header line: the union of every object's fields
    (``objectfields``), read before its first row is written, so a folder where two
    flow-log formats write is one table a CSV reader reads whole. One object (or
    ``--columns``, which chooses the columns) pays nothing. ``objects``: local paths, or
    the loader's refs (a list, or a ``RefFeed`` being listed: its end is waited for)."""
    from flowtui.output import CsvWriter

    if isinstance(writer, CsvWriter) and not args.columns:
        writer.columns = lambda first, source: _every_field(args, client, objects, first,
                                                            source)


def _every_field(args: argparse.Namespace, client: Any, objects: Any, first: list[str],
                 source: str) -> list[str] | None:
    """The union of ``first`` (the first batch's columns, of the object at ``source``) and
    the fields of every object after it. Objects are written in load order, so those
    before it wrote no row and need no column (nor does ``--sort`` give them one); its own
    fields, and its flow log's, are the batch's: a folder of one flow log reads nothing
    but its listing."""
    from pathlib import Path

    from flowtui.objectfields import (
        local_fields,
        one_per_flow_log,
        s3_fields,
        union_of_objects,
    )
    from flowtui.reffeed import RefFeed
    from flowtui.textsafe import printable

    def where(item: Any) -> str:
        return str(item) if isinstance(item, Path) else str(item.location)

    def read(item: Any) -> list[str]:
        if not isinstance(item, Path) and item.is_s3:
            return s3_fields(client, item.location, args.fields, item.size)
        return local_fields(Path(where(item)), args.fields)

    def said(item: Any, reason: str) -> None:
        say(f"{printable(where(item))}: its header line could not be read for the CSV's "
            f"columns ({reason}); should it hold records, they start a second header line")

    if isinstance(objects, RefFeed):
        with objects.lock:
            objects.lock.wait_for(lambda: objects.complete)
            objects = list(objects.refs)
    if len(objects) < 2:
        return None
    places = [where(item) for item in objects]
    if source in places:
        objects = objects[places.index(source) + 1:]
    else:  # (not met: batches come from the objects listed)
        first = []
    if client is None:  # local files, one after another: a first block each, cached
        every = union_of_objects(objects, read, said, first=first, workers=1)
    else:  # S3: one GET per flow log (the first batch's is known), several at once
        others = set(one_per_flow_log([source, *map(where, objects)], str)[1:])
        every = union_of_objects([o for o in objects if where(o) in others], read, said,
                                 first=first)
    if filtering.loaded_names(args) is None:
        return every
    from flowtui.names.columns import named_columns  # --names: FIELD.name after FIELD

    return list(named_columns(every))


def _wants_query(args: argparse.Namespace) -> bool:
    return bool(args.where or args.sort or args.columns or args.output
                or args.format == "parquet" or args.engine == "athena"
                or names_cli.wanted(args))


def _query(args: argparse.Namespace) -> int:
    """The query path: ``--where``, ``--sort``, ``--columns``, ``--output``, Parquet, Athena,
    names."""
    from flowtui.query.query import Query, UnknownField

    names = names_cli.load(args)
    if isinstance(names, int):
        return names
    args.names_loaded = names  # the keeper names what it keeps (FIELD.name columns)
    query = filtering.build_query(args.where, args.sort, args)
    if isinstance(query, int):
        return query
    columns: tuple[str, ...] | None = None
    if args.columns:
        try:
            columns = tuple(names_cli.column_name(n, names) for n in args.columns.split(",")
                            if n.strip())
        except UnknownField as exc:
            say(f"--columns: {exc}")
            return 2
    if args.format == "parquet" and (args.output is None or args.output == "-"):
        say("--format parquet needs --output FILE")
        return 2
    if args.format == "parquet" and (args.explain or args.decoded):
        say("--format parquet writes raw values: drop --explain/--decoded")
        return 2
    if args.engine == "athena":
        if names is not None:
            say("--names with --engine athena: the filter's name terms are sent to Athena, "
                "FIELD.name columns are not added")
        from flowtui.cli import athena_queries

        return athena_queries.cat(args, query, columns)
    keep = filtering.keeper(query, args)
    if not query.sort and args.format != "parquet":
        code = _stream(args, query, keep, columns)
        if keep is not None and query.filters and not keep.kept and code != 2:
            say(keep.nothing_matched())
        return code
    progress = results.Progress()
    read = None
    if columns:
        read = filtering.needed_columns(args, query, [  # FIELD.name is read as FIELD
            *names_cli.read_as(list(columns)), *(k.field for k in query.sort)])
    from flowtui.store import RecordStore

    sink: Any = results.Sink(RecordStore(), (), progress)
    if query.sort and args.limit:
        # A top-k: each batch keeps only its first --limit rows in the sort order, so
        # memory holds at most a few times --limit rows, not every match.
        sink = TopRowsSink(query.sort, args.limit, progress)
    prefilter: Any = filtering.Prefilter.of(query)
    if isinstance(sink, TopRowsSink):
        prefilter = TopPrefilter(query, args.limit, args.since, args.until, sink.bound)
    if keep is not None:
        prefilter = keep.watching(prefilter)
    code = loading.load(args, sink, keep, read, prefilter)
    if code == 2:
        progress.clear()
        return code
    if keep is not None and query.filters and not keep.kept:
        progress.clear()
        say(keep.nothing_matched())
    from flowtui.query.view import RecordView

    view = RecordView(sink.into, Query(sort=query.sort, columns=columns))
    total = min(len(view), args.limit) if args.limit else len(view)
    # JSON lines leave out a field a row's format lacks: sorted rows are gathered from
    # several formats into one schema, where it would be a null (a '-' logged)
    gathered = view.iter_gathered(0, total, marked=args.format == "jsonl")
    if columns:
        gathered = ((_select(b, columns, args.format), absent) for b, absent in gathered)
    batches = (batch for batch, _absent in gathered)
    if args.format == "parquet":
        from flowtui.export import write_parquet

        write_parquet(batches, args.output, sink.into.batches(), columns=columns,
                      progress=lambda n: progress.show(f"writing {n:,} of {total:,} records"))
        progress.clear()
        return code
    from flowtui.output import make_writer

    with results.output(args.output) as out:
        writer = make_writer(args.format, out, limit=args.limit, decoded=args.decoded,
                             explain=args.explain)
        for batch, absent in gathered:
            writer.write_gathered(batch, absent)
            if args.output:
                progress.show(f"writing {writer.written:,} of {total:,} records")
    progress.clear()
    return code


class TopRowsSink(results.Sink):
    """A store that keeps the first ``limit`` rows in the order of ``sort``: each batch's own
    first ``limit`` (``first_sorted``), and when those pile up past a few times ``limit``,
    the first ``limit`` of them. Sorting is stable, so ties keep load order as they would in
    a store of every row, and the view over this store answers the same first ``limit``.
    ``bound`` learns from the rows kept how good a row must be to matter at all."""

    def __init__(self, sort: Any, limit: int, progress: results.Progress) -> None:
        from flowtui.store import RecordStore

        super().__init__(RecordStore(), (), progress)
        self.sort = sort
        self.limit = limit
        self.bound = Bound(sort[0].field, sort[0].descending, limit)

    def write_batch(self, batch: Any, source: str, lines: Any = None, *,
                    family: str = "unknown") -> None:
        """``lines`` are not kept: a sorted output's records are named by their order."""
        from flowtui.query.view import first_sorted

        batch = self.bound.within(batch)
        kept = first_sorted(batch, self.sort, self.limit)
        self.bound.learn(kept)
        if kept is not batch:
            kept = filtering.compact_dictionaries(kept)
        super().write_batch(kept, source, family=family)
        if len(self.into) > 4 * self.limit + TRIM_SLACK:
            self._trim()

    def _trim(self) -> None:
        from flowtui.query.query import Query
        from flowtui.query.view import RecordView
        from flowtui.store import RecordStore

        view = RecordView(self.into, Query(sort=tuple(self.sort)))
        kept = RecordStore()
        for batch in view.iter_batches(0, self.limit):
            kept.append(filtering.compact_dictionaries(batch))
        self.into = kept


class Bound:
    """How good a record's first sort key must be for it to be among the first ``limit``:
    no worse than the ``limit``-th best first key among the records already kept
    (``learn``: rows the sink kept, so rows that passed the filter, the window and the
    parse). A record whose first key is worse ranks after ``limit`` kept records whatever
    its other keys and its place in the input, so dropping it (``within``, ``mask``)
    changes nothing; a tie is kept, for the stable order to decide. Learned from integer
    columns only (a text key is ranked by a transform of its value: see
    ``view._sort_column``); missing values rank last, so they never pass a bound.

    Each parse thread reads ``value`` while the sink's thread sets it: a bound only ever
    tightens, and any bound seen is a true one."""

    def __init__(self, field: str, descending: bool, limit: int) -> None:
        import pyarrow as pa

        from flowtui.fields import ADDRESS_FIELDS, arrow_type

        self.field = field
        self.descending = descending
        self.limit = limit
        self.value: int | None = None
        kind = arrow_type(field)
        self._usable = pa.types.is_integer(kind) and field not in ADDRESS_FIELDS
        self._seen: list[Any] = []  # first keys of kept rows since the last update
        self._seen_rows = 0

    def _column(self, batch: Any) -> Any:
        """The batch's first-key column when it is integers, else None."""
        import pyarrow as pa

        if not self._usable:
            return None
        index = batch.schema.get_field_index(self.field)
        if index < 0:
            return None
        column = batch.column(index)
        return column if pa.types.is_integer(column.type) else None

    def mask(self, batch: Any) -> Any:
        """Which rows of ``batch`` may still be among the first ``limit`` (None: all)."""
        from flowtui import arrowcompute as pc

        value = self.value
        column = None if value is None else self._column(batch)
        if column is None:
            return None
        near = (pc.greater_equal(column, value) if self.descending
                else pc.less_equal(column, value))
        return pc.fill_null(near, False)

    def within(self, batch: Any) -> Any:
        from flowtui import arrowcompute as pc

        keep = self.mask(batch)
        return batch if keep is None else pc.filter(batch, keep)

    def learn(self, kept: Any) -> None:
        """Take the first keys of rows the sink kept; the bound is the ``limit``-th best
        of them, updated once a sixteenth of ``limit`` more have come (at once for a small
        ``limit``, where each tightening spares blocks; the work per row stays constant
        for a large one)."""
        import pyarrow as pa

        from flowtui import arrowcompute as pc

        column = self._column(kept)
        if column is None or not kept.num_rows:
            return
        column = pc.drop_null(column)
        if not len(column):
            return
        self._seen.append(pc.cast(column, pa.int64()))
        self._seen_rows += len(column)
        if self._seen_rows < self.limit or (
                self.value is not None
                and self._seen_rows - self.limit < max(1, self.limit // 16)):
            return
        values = pa.concat_arrays(self._seen)
        order = "descending" if self.descending else "ascending"
        best = pc.take(values, pc.select_k_unstable(values, self.limit,
                                                    sort_keys=[("", order)]))
        self._seen, self._seen_rows = [best], len(best)
        self.value = best[self.limit - 1].as_py()


class TopPrefilter:
    """A top-k the parser applies before typing whole records (see ``FlowLogParser``): of a
    block, the lines the filter keeps and, of those, the first ``limit`` in the sort order;
    only the sort's and the filter's columns are typed for the rest. The first ``limit``
    are chosen among the lines inside ``--since``/``--until`` too: the loader's window
    would drop the chosen ones outside it after they had displaced the ones inside.
    Lines whose first sort key is worse than ``bound`` are dropped first: in a long input
    that is almost every line, so few blocks have any line left to type."""

    def __init__(self, query: Any, limit: int, since: Any = None, until: Any = None,
                 bound: Bound | None = None) -> None:
        from flowtui.query.expr import fields_used

        self.sort = query.sort
        self.limit = limit
        self.bound = bound
        self.since, self.until = since, until
        self.where = query.predicate() if query.filters else None
        used = fields_used(query.where) if query.filters else set()
        if since is not None or until is not None:
            used |= {"start", "end"}
        self.columns = sorted({key.field for key in query.sort} | used)

    def mask(self, batch: Any) -> Any:
        import pyarrow as pa

        from flowtui import arrowcompute as pc
        from flowtui.query.times import window_mask
        from flowtui.query.view import first_sorted_rows

        near = None if self.bound is None else self.bound.mask(batch)
        if near is not None and not pc.any(near).as_py():
            return near  # no line here can be among the first ``limit``
        every = pc.subtract(pc.cumulative_sum(pa.repeat(pa.scalar(1, pa.uint32()),
                                                        batch.num_rows)),
                            pa.scalar(1, pa.uint32()))
        if near is not None:
            rows, chosen = pc.filter(every, near), pc.filter(batch, near)
        else:
            rows, chosen = every, batch
        if self.where is not None:
            matching = self.where.indices(chosen)
            rows, chosen = pc.take(rows, matching), pc.take(chosen, matching)
        inside = window_mask(chosen, self.since, self.until)
        if inside is not None:
            rows, chosen = pc.filter(rows, inside), pc.filter(chosen, inside)
        if chosen.num_rows > self.limit:
            rows = pc.take(rows, first_sorted_rows(chosen, self.sort, self.limit))
        return pc.is_in(every, value_set=rows)


def _stream(args: argparse.Namespace, query: Any, keep: Any, columns: tuple[str, ...] | None
            ) -> int:
    from flowtui.output import make_writer

    with results.output(args.output) as out:
        writer = make_writer(args.format, out, limit=args.limit, decoded=args.decoded,
                             explain=args.explain)
        sink = _Columns(writer, columns, args.format) if columns else writer
        prefilter = filtering.Prefilter.of(query)
        if keep is not None:
            prefilter = keep.watching(prefilter)
        # CSV takes text columns as plain strings, as a plain local cat does (``_local``),
        # with --names too: ``Names.with_names`` makes dictionaries of the named columns
        # alone, which costs less than a dictionary of every text column in every block
        # that the CSV writer then decodes (bench/bench_names.py).
        plain = args.format == "csv"
        code = loading.load(args, sink, keep, prefilter=prefilter, dictionaries=not plain,
                            on_objects=lambda client, refs: one_header(args, sink, client,
                                                                       refs))
    said_more_headers(writer)
    return code


class _Columns:
    """A writer that sees only the chosen columns (see ``_select``)."""

    def __init__(self, writer: Any, columns: tuple[str, ...], fmt: str) -> None:
        self.writer = writer
        self.columns = columns
        self.fmt = fmt

    @property
    def done(self) -> bool:
        return bool(self.writer.done)

    def write_batch(self, batch: Any, source: str, lines: Any = None) -> None:
        self.writer.write_batch(_select(batch, self.columns, self.fmt), source, lines)


def _select(batch: Any, columns: tuple[str, ...], fmt: str) -> Any:
    """The chosen columns: one set for a table, CSV or Parquet (a field the records'
    format lacks is a column of nulls there); in JSON lines such a field is left out of
    the object, as it is without ``--columns``, and null means a ``-`` logged."""
    import pyarrow as pa

    if fmt == "jsonl":
        from flowtui.export import own_columns

        return own_columns(batch, columns)
    arrays = [batch.column(name) if name in batch.schema.names
              else pa.nulls(batch.num_rows, pa.string()) for name in columns]
    return pa.RecordBatch.from_arrays(arrays, names=list(columns))


def _local(args: argparse.Namespace, paths: list[Any], writer: Any) -> int:
    import pyarrow as pa

    from flowtui.localfiles import LocalPathError, read_batches
    from flowtui.memory import keep_freed_pages, prefer_streaming_memory
    from flowtui.parser import FlowLogParser

    """Plain local files, one after another, into ``writer``; each failed file and bad
    line said on stderr."""
    drain = getattr(writer, "drain", lambda: None)  # rows before the messages about them
    keep_freed_pages()
    if args.format == "csv" and not args.decoded and not args.explain:
        prefer_streaming_memory()  # CSV's blocks fragment glibc's heaps (see there)
    collector.release()  # the modules are loaded; records come next
    bad_total = 0
    failed = 0
    for path in paths:
        if writer.done:
            break
        # CSV takes text columns as plain strings: Arrow's CSV writer renders each row once,
        # so a dictionary per block would be built for nothing. The table and jsonl writers
        # render a dictionary's values once each, which costs less than the dictionary.
        # Plain CSV (not --decoded/--explain, which read typed values) also takes numbers
        # as their text where that is what the writer would print (see FlowLogParser).
        parser = FlowLogParser(args.fields, name=str(path), line_numbers=args.explain,
                               dictionaries=args.format != "csv",
                               numbers_as_text=args.format == "csv" and not args.decoded
                               and not args.explain,
                               max_block_bytes=WRITER_BLOCK_BYTES
                               if args.format in ("jsonl", "table") else None)
        try:
            for batch in read_batches(path, parser):
                writer.write_batch(batch, str(path), parser.lines_of(batch))
                if writer.done:
                    break
        except (LocalPathError, pa.ArrowException) as exc:
            drain()
            say(f"{path}: {exc}")
            failed += 1
            continue
        finally:
            parser.close()
        drain()
        if parser.error:
            say(f"{path}: {parser.error}")
            failed += 1
        for bad in parser.bad_lines[:MAX_BAD_LINES_SHOWN]:
            say(f"{path}:{bad.line_number}: {bad.reason}: {bad.text[:120]}")
        if parser.bad_count > MAX_BAD_LINES_SHOWN:
            say(f"{path}: … and {parser.bad_count - MAX_BAD_LINES_SHOWN} more bad lines")
        bad_total += parser.bad_count
    if bad_total:
        say(f"{bad_total} bad line{'s' if bad_total != 1 else ''} skipped")
    return 1 if failed else 0
