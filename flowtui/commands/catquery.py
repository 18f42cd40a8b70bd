"""``flowtui cat --where/--sort/--columns/--output/--format parquet``: the query path of cat.

``--where`` filters while loading (the loader's threads drop what does not match, so memory
holds only matches); without ``--sort`` records still stream out as they arrive. With
``--sort`` the matches are kept in a store and written in the view's order, ``--limit``
taking the first N after sorting.
"""

from __future__ import annotations

import argparse
from typing import Any

from flowtui.cliargs import say
from flowtui.commands import common
from flowtui.commands import names as names_cli
from flowtui.commands.common import join_dash_values

CAT_FORMATS = ("table", "csv", "jsonl", "parquet")
#: Rows a top-k (``--sort`` with ``--limit N``) holds beyond 4 N before it keeps the first N.
TRIM_SLACK = 1 << 16

__all__ = ["CAT_FORMATS", "add_arguments", "join_dash_values", "run", "wanted"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("query and export")
    common.add_where_argument(group)  # type: ignore[arg-type]
    group.add_argument("--sort", metavar="FIELD[,-FIELD…]",
                       help="sort by fields, '-' for descending (--sort -bytes,start); "
                            "stable, missing values last")
    group.add_argument("--columns", metavar="FIELD[,FIELD…]",
                       help="only these columns, in this order")
    group.add_argument("--output", metavar="FILE",
                       help="write to FILE instead of stdout (needed for --format parquet)")
    from flowtui.athena.cli import add_engine_arguments  # light: no boto3

    add_engine_arguments(parser)
    names_cli.add_names_arguments(parser)


def wanted(args: argparse.Namespace) -> bool:
    return bool(args.where or args.sort or args.columns or args.output
                or args.format == "parquet" or args.engine == "athena"
                or names_cli.wanted(args))


def run(args: argparse.Namespace) -> int:
    from flowtui.query.query import Query, UnknownField

    names = names_cli.load(args)
    if isinstance(names, int):
        return names
    args.names_loaded = names  # the keeper names what it keeps (FIELD.name columns)
    query = common.build_query(args.where, args.sort, args)
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
        from flowtui.athena import queries

        return queries.cat(args, query, columns)
    keep = common.keeper(query, args)
    if not query.sort and args.format != "parquet":
        code = _stream(args, query, keep, columns)
        if keep is not None and query.filters and not keep.kept and code != 2:
            say(keep.nothing_matched())
        return code
    progress = common.Progress()
    read = None
    if columns:
        read = common.needed_columns(args, query, [  # FIELD.name is read as FIELD
            *(c.removesuffix(".name") for c in columns), *(k.field for k in query.sort)])
    sink: Any = common.StoreSink((), progress)
    if query.sort and args.limit:
        # A top-k: each batch keeps only its first --limit rows in the sort order, so
        # memory holds at most a few times --limit rows, not every match.
        sink = TopRowsSink(query.sort, args.limit, progress)
    prefilter: Any = common.Prefilter.of(query)
    if isinstance(sink, TopRowsSink):
        prefilter = TopPrefilter(query, args.limit, args.since, args.until)
    if keep is not None:
        prefilter = keep.watching(prefilter)
    code = common.load(args, sink, keep, read, prefilter)
    if code == 2:
        progress.clear()
        return code
    if keep is not None and query.filters and not keep.kept:
        progress.clear()
        say(keep.nothing_matched())
    from flowtui.query.view import RecordView

    view = RecordView(sink.store, Query(sort=query.sort, columns=columns))
    total = min(len(view), args.limit) if args.limit else len(view)
    batches = view.iter_batches(0, total)
    if columns:
        batches = (_select(b, columns) for b in batches)
    if args.format == "parquet":
        from flowtui.export import write_parquet

        write_parquet(batches, args.output, sink.store.batches(), columns=columns,
                      progress=lambda n: progress.show(f"writing {n:,} of {total:,} records"))
        progress.clear()
        return code
    from flowtui.output import make_writer

    with common.output(args.output) as out:
        writer = make_writer(args.format, out, limit=args.limit, decoded=args.decoded,
                             explain=args.explain)
        for batch in batches:
            writer.write_batch(batch, "")
            if args.output:
                progress.show(f"writing {writer.written:,} of {total:,} records")
    progress.clear()
    return code


class TopRowsSink(common.StoreSink):
    """A store that keeps the first ``limit`` rows in the order of ``sort``: each batch's own
    first ``limit`` (``first_sorted``), and when those pile up past a few times ``limit``,
    the first ``limit`` of them. Sorting is stable, so ties keep load order as they would in
    a store of every row, and the view over this store answers the same first ``limit``."""

    def __init__(self, sort: Any, limit: int, progress: common.Progress) -> None:
        super().__init__((), progress)
        self.sort = sort
        self.limit = limit

    def write_batch(self, batch: Any, source: str) -> None:
        from flowtui.query.view import first_sorted

        kept = first_sorted(batch, self.sort, self.limit)
        if kept is not batch:
            kept = common.compact_dictionaries(kept)
        super().write_batch(kept, source)
        if len(self.store) > 4 * self.limit + TRIM_SLACK:
            self._trim()

    def _trim(self) -> None:
        from flowtui.query.query import Query
        from flowtui.query.view import RecordView
        from flowtui.store import RecordStore

        view = RecordView(self.store, Query(sort=tuple(self.sort)))
        kept = RecordStore()
        for batch in view.iter_batches(0, self.limit):
            kept.append(common.compact_dictionaries(batch))
        self.store = kept


class TopPrefilter:
    """A top-k the parser applies before typing whole records (see ``FlowLogParser``): of a
    block, the lines the filter keeps and, of those, the first ``limit`` in the sort order;
    only the sort's and the filter's columns are typed for the rest. The first ``limit``
    are chosen among the lines inside ``--since``/``--until`` too: the loader's window
    would drop the chosen ones outside it after they had displaced the ones inside."""

    def __init__(self, query: Any, limit: int, since: Any = None, until: Any = None
                 ) -> None:
        from flowtui.query.expr import fields_used

        self.sort = query.sort
        self.limit = limit
        self.since, self.until = since, until
        self.where = query.predicate() if query.filters else None
        used = fields_used(query.where) if query.filters else set()
        if since is not None or until is not None:
            used |= {"start", "end"}
        self.columns = sorted({key.field for key in query.sort} | used)

    def mask(self, batch: Any) -> Any:
        import pyarrow as pa
        import pyarrow.compute as pc

        from flowtui.query.times import window_mask
        from flowtui.query.view import first_sorted_rows

        every = pc.subtract(pc.cumulative_sum(pa.repeat(pa.scalar(1, pa.uint32()),
                                                        batch.num_rows)),
                            pa.scalar(1, pa.uint32()))
        rows = every if self.where is None else self.where.indices(batch).cast(pa.uint32())
        chosen = batch.take(rows) if self.where is not None else batch
        inside = window_mask(chosen, self.since, self.until)
        if inside is not None:
            rows, chosen = rows.filter(inside), chosen.filter(inside)
        if chosen.num_rows > self.limit:
            rows = rows.take(first_sorted_rows(chosen, self.sort, self.limit))
        return pc.is_in(every, value_set=rows)


def _stream(args: argparse.Namespace, query: Any, keep: Any, columns: tuple[str, ...] | None
            ) -> int:
    from flowtui.output import make_writer

    with common.output(args.output) as out:
        writer = make_writer(args.format, out, limit=args.limit, decoded=args.decoded,
                             explain=args.explain)
        sink = _Columns(writer, columns) if columns else writer
        prefilter = common.Prefilter.of(query)
        if keep is not None:
            prefilter = keep.watching(prefilter)
        return common.load(args, sink, keep, prefilter=prefilter)


class _Columns:
    """A writer that sees only the chosen columns (absent ones as nulls)."""

    def __init__(self, writer: Any, columns: tuple[str, ...]) -> None:
        self.writer = writer
        self.columns = columns

    @property
    def done(self) -> bool:
        return bool(self.writer.done)

    def write_batch(self, batch: Any, source: str) -> None:
        self.writer.write_batch(_select(batch, self.columns), source)


def _select(batch: Any, columns: tuple[str, ...]) -> Any:
    import pyarrow as pa

    arrays = [batch.column(name) if name in batch.schema.names
              else pa.nulls(batch.num_rows, pa.string()) for name in columns]
    return pa.RecordBatch.from_arrays(arrays, names=list(columns))
