"""The CLI's questions (``cat``, ``top``, ``hist``) asked of Athena instead of loaded here.

One filter, compiled by the query core: the same ``--where`` text becomes the Arrow predicate
of a local load or the SQL of an Athena query. The window (``--since``/``--until``) becomes
both partition predicates (so Athena reads only those days or hours) and the same record
overlap test a local load applies. Answers come back with the local commands' column names.
"""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from flowtui.athena.engine import AthenaTarget, QueryFailed, QueryStatus
from flowtui.athena.table import (
    FlowLogTable,
    TableError,
    default_table_name,
    describe_prefix,
    flow_log_ids,
    partition_filter,
    path_filter,
)
from flowtui.cli.args import say
from flowtui.query.expr import And, Compare, Const, Expr, Not
from flowtui.query.sql import table_name
from flowtui.s3.url import S3Url, S3UrlError, is_s3_url

#: The Arrow aggregates' spelling of the SQL aggregate columns.
_AGGREGATE_NAMES = {"first_start": "first-start", "last_end": "last-end"}


@dataclass
class Plan:
    """What an Athena run needs: the table as flowtui sees the prefix, the extra predicates."""

    table: FlowLogTable
    name: tuple[str, str]  # (database, table)
    also: list[str]
    target: AthenaTarget


def plan(args: argparse.Namespace, where: Expr | None = None) -> Plan | int:
    """Describe the prefix and the window; an exit code after a one-line message if not,
    or if ``where`` cannot match the table's columns (no query is paid for an answer known
    to be empty, read as "none of these")."""
    from flowtui.outfile import check_target
    from flowtui.query.absent import absent_hint, cannot_match
    from flowtui.s3.errors import describe
    from flowtui.s3.session import make_client

    check_target(getattr(args, "output", None))  # before a query is paid for
    urls = [p for p in args.paths if is_s3_url(p)]
    if len(urls) != 1 or len(args.paths) != 1:
        say("--engine athena takes one s3://bucket/prefix (the table's location)")
        return 2
    try:
        url = S3Url.parse(urls[0])
    except S3UrlError as exc:
        say(str(exc))
        return 2
    bucket, prefix = url.bucket, url.key
    try:
        flow_logs = flow_log_ids(getattr(args, "flow_log", None))
        database, name = table_name(args.database, default_table_name(flow_logs, args.table))
    except ValueError as exc:  # TableError too
        say(str(exc))
        return 2
    try:
        client = make_client(args.profile, args.region, args.endpoint_url, args.no_sign_request)
        since, until = window(args)
        table = describe_prefix(client, bucket, prefix, flow_logs, window=(since, until))
        partitions = partition_filter(table, since, until)
    except TableError as exc:
        say(str(exc))
        return 2
    except ValueError as exc:
        say(str(exc))
        return 2
    except Exception as exc:  # S3 errors: one line
        say(describe(exc, bucket=bucket, key=prefix))
        return 2
    if cannot_match(where, columns(table)):
        say(f"{url}: {absent_hint(where, columns(table)) or 'the filter cannot match'}")
        return 2
    # a location shared by flow logs of several formats: only the table's flow logs' objects
    also = [term for term in (partitions, path_filter(table.flow_logs)) if term]
    return Plan(table=table, name=(database, name), also=also,
                target=AthenaTarget(database=database, workgroup=args.workgroup,
                                    output_location=args.output_location))


def window(args: argparse.Namespace) -> tuple[datetime | None, datetime | None]:
    from flowtui.query.times import parse_time

    def read(value: object) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value  # cat's options are parsed already
        return parse_time(str(value))

    return read(getattr(args, "since", None)), read(getattr(args, "until", None))


def window_expr(args: argparse.Namespace, where: Expr) -> Expr:
    """The filter and the window's record overlap, as one expression."""
    since, until = window(args)
    terms: list[Expr] = [] if isinstance(where, Const) and where.value else [where]
    # "not end < since" rather than "end >= since": a record without a time is kept, as a
    # local load keeps it (times.window_filter), so both engines give the same rows.
    if since is not None:
        terms.append(Not(Compare("end", "<", int(since.timestamp()))))
    if until is not None:
        terms.append(Not(Compare("start", ">", int(until.timestamp()))))
    if not terms:
        return Const(True)
    return terms[0] if len(terms) == 1 else And(tuple(terms))


def columns(table: FlowLogTable) -> list[str]:
    return [c.field for c in table.columns]


def run(args: argparse.Namespace, sql: str, target: AthenaTarget) -> Iterator[pa.RecordBatch]:
    """Run ``sql``; progress on stderr (a live line on a terminal, a summary line always);
    Ctrl-C stops the query on Athena, and so does the output's reader going away (``| less``
    quit while the query runs): a query nobody will read is not left scanning, and billing.
    Raises ``QueryFailed``, or ``BrokenPipeError`` when the reader left (cli.main ends
    quietly)."""
    from flowtui.athena.engine import make_athena_client, run_query
    from flowtui.cli.readergone import when_reader_leaves
    from flowtui.cli.results import Progress
    from flowtui.s3.session import make_client

    client = make_athena_client(args.profile, args.region, args.athena_endpoint_url)
    s3 = make_client(args.profile, args.region, args.endpoint_url, args.no_sign_request)
    cancel = threading.Event()
    progress = Progress()
    last: list[QueryStatus] = []

    def on_status(status: QueryStatus) -> None:
        last[:] = [status]
        progress.show(status.line(), force=True)

    reader_gone = threading.Event()

    def on_reader_gone() -> None:
        reader_gone.set()
        cancel.set()

    with _interrupt_sets(cancel) as signals, when_reader_leaves(on_reader_gone):
        try:
            yield from run_query(client, sql, target, cancel=cancel, on_status=on_status,
                                 s3_client=s3)
        except QueryFailed:
            if reader_gone.is_set():
                if not last or last[0].state != "SUCCEEDED":
                    say("stopped: the output's reader left; Athena was asked to stop the "
                        "query")
                raise BrokenPipeError from None
            if cancel.is_set():  # a signal: the query was stopped; exit as the signal says
                if signals.signum not in (None, signal.SIGINT):
                    from flowtui.outfile import end_by_signal

                    say("stopped: Athena was asked to stop the query")
                    end_by_signal(signals.signum or signal.SIGTERM)
                raise KeyboardInterrupt from None
            raise
        finally:
            progress.clear()
            if last:
                say(last[0].line())


class _interrupt_sets:
    """Ctrl-C, SIGTERM and SIGHUP set ``cancel`` (the engine then stops the query on Athena,
    so it stops billing) instead of raising in the middle of a request."""

    def __init__(self, cancel: threading.Event) -> None:
        self.cancel = cancel
        self.previous: dict[int, Any] = {}
        self.signum: int | None = None

    def _set(self, signum: int, _frame: object) -> None:
        self.signum = signum
        self.cancel.set()

    def __enter__(self) -> _interrupt_sets:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                self.previous[signum] = signal.signal(signum, self._set)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, previous in self.previous.items():
            signal.signal(signum, previous)


def local_names(table: pa.Table) -> pa.Table:
    """SQL result columns under the local commands' names (``first_start`` → ``first-start``,
    ``log_status`` → ``log-status``)."""
    from flowtui.fields import canonical_name

    names = [_AGGREGATE_NAMES.get(n, canonical_name(n)) for n in table.schema.names]
    return table.rename_columns(names)


def as_table(batches: Sequence[pa.RecordBatch]) -> pa.Table:
    """Result pages as one table (pages may type a column differently: numbers in one, text
    in another; the export's schema union settles it as it does for mixed formats)."""
    from flowtui.export import conform, unified_schema

    if not batches:
        return pa.table({})
    schema = unified_schema(batches)
    return pa.Table.from_batches([conform(b, schema) for b in batches], schema=schema)


def iso_times(table: pa.Table, name: str = "time") -> pa.Table:
    index = table.schema.get_field_index(name)
    if index < 0:
        return table
    times = pc.cast(table.column(name).cast(pa.int64()), pa.timestamp("s", tz="UTC"))
    return table.set_column(index, name, pc.strftime(times, format="%Y-%m-%dT%H:%M:%SZ"))


def failed(exc: QueryFailed) -> int:
    """A query Athena did not answer: one line, exit 2 (no answer, as a listing that
    fails: ``cli.main``)."""
    say(str(exc))
    return 2


def guarded(body: Callable[[], int]) -> int:
    """Athena errors as one line and an exit code, never a traceback."""
    try:
        return body()
    except QueryFailed as exc:
        return failed(exc)
    except KeyboardInterrupt:
        say("cancelled: Athena was asked to stop the query")
        return 130
    except BrokenPipeError:
        raise
    except Exception as exc:  # noqa: BLE001 - the user gets one line, not a traceback
        from flowtui.athena.engine import describe_error

        say(describe_error(exc))
        return 2




# --- the three commands ---------------------------------------------------------------------

def cat(args: argparse.Namespace, query: Any, selected: tuple[str, ...] | None) -> int:
    """``cat --engine athena``: the records, written as a local ``cat`` writes them."""
    from flowtui.cli import results
    from flowtui.output import make_writer
    from flowtui.query.sql import select_sql

    where = window_expr(args, query.where)
    prepared = plan(args, where)
    if isinstance(prepared, int):
        return prepared
    sql = select_sql(prepared.name, columns(prepared.table), dialect="athena",
                     where=where, select=selected,
                     order_by=[(k.field, k.descending) for k in query.sort],
                     limit=args.limit, also=prepared.also)

    def body() -> int:
        batches = run(args, sql, prepared.target)
        if args.format == "parquet":
            from flowtui.export import write_parquet

            got = list(batches)
            write_parquet(iter(got), args.output, got, columns=selected)
            return 0
        with results.output(args.output) as out:
            writer = make_writer(args.format, out, limit=args.limit, decoded=args.decoded,
                                 explain=args.explain)
            for batch in batches:
                writer.write_batch(batch, "athena")
                if writer.done:
                    break
        return 0

    return guarded(body)


def top(args: argparse.Namespace, by: Sequence[str], query: Any) -> pa.Table | int:
    """``top --engine athena``: the groups, with the local command's columns."""
    from flowtui.query.sql import top_sql

    where = window_expr(args, query.where)
    prepared = plan(args, where)
    if isinstance(prepared, int):
        return prepared
    sql = top_sql(prepared.name, columns(prepared.table), by=list(by), dialect="athena",
                  metric=args.metric, n=args.n, where=where,
                  also=prepared.also)
    return _answer(args, sql, prepared.target, [*by, "records", "packets", "bytes"])


def hist(args: argparse.Namespace, every: int | None, query: Any) -> pa.Table | int:
    """``hist --engine athena``: per bucket, as the local histogram (times in ISO 8601)."""
    from flowtui.query.sql import histogram_sql

    where = window_expr(args, query.where)
    prepared = plan(args, where)
    if isinstance(prepared, int):
        return prepared
    since, until = window(args)
    width = every or _default_every(since, until)
    sql = histogram_sql(prepared.name, columns(prepared.table), every=width, dialect="athena",
                        where=where, also=prepared.also)
    return _answer(args, sql, prepared.target, ["time", "records", "packets", "bytes"])


def _answer(args: argparse.Namespace, sql: str, target: AthenaTarget,
            expected: Sequence[str]) -> pa.Table | int:
    """A small result table (top-N, histogram) under the local commands' column names; an
    answer without a column the command prints is one line, not a KeyError (issue 20.14)."""
    result: list[pa.Table] = []

    def body() -> int:
        table = local_names(as_table(list(run(args, sql, target))))
        missing = [name for name in expected if name not in table.column_names]
        if missing and not table.num_rows:  # no rows (no pages at all): an empty answer
            for name in missing:
                table = table.append_column(name, pa.array([], pa.int64()))
        elif missing:
            raise QueryFailed(
                f"Athena's answer has no column {', '.join(map(repr, missing))} (it has "
                f"{', '.join(map(repr, table.column_names)) or 'none'}): is the table the "
                "one flowtui athena ddl made for this prefix?")
        result.append(table)
        return 0

    code = guarded(body)
    return result[0] if result and code == 0 else code


def _default_every(since: datetime | None, until: datetime | None) -> int:
    """Without ``--every``: a round width for about 60 buckets over the window (an hour's
    worth of minutes when the window is open-ended)."""
    from datetime import UTC

    from flowtui.query.aggregate import choose_bucket

    if since is None:
        return 60
    end = until or datetime.now(tz=UTC)
    return int(choose_bucket(int(since.timestamp()), int(end.timestamp())))
