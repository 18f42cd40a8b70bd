"""The Athena table, checked by running the same question in DuckDB over the same objects.

The objects of a prefix are copied into a local folder laid out as the table's partitions
(``aws_account=…/aws_region=…/day=…``, what the projection template maps them to), DuckDB
reads them as the DDL declares them (space-separated, one header line, ``-`` is NULL, the
DDL's types), and the SQL flowtui would send to Athena — in DuckDB's dialect, partition
predicates included — must return the rows a local load and the Arrow filter keep.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlglot

from flowtui.athena.table import FlowLogTable, describe_prefix, partition_filter
from flowtui.layout import parse_key
from flowtui.loader import Loader, resolve
from flowtui.query import aggregate
from flowtui.query.aggregate import HISTOGRAM_COLUMNS
from flowtui.query.expr import And, Compare, parse
from flowtui.query.query import Query
from flowtui.query.sql import histogram_sql, select_sql, top_sql
from flowtui.query.view import RecordView
from flowtui.store import RecordStore

DUCK_TYPES = {"int": "INTEGER", "bigint": "BIGINT", "string": "VARCHAR"}
FILTERS = ["", "reject", "port 22 or port 443", "not port 22", "tcp and bytes > 1000",
           "srcaddr in 10.0.0.0/8", "dstport in (22, 80, 443) and accept",
           "flags S", "interface-id = eni-*", "nodata or skipdata"]


def _copy_as_partitions(s3_server: Any, table: FlowLogTable, root: Path) -> None:
    client = s3_server.client()
    for obj in s3_server.under(table.bucket, table.prefix + "AWSLogs/"):
        info = parse_key(obj.key)
        assert info is not None
        parts = [f"aws_account={info.account}", f"aws_region={info.region}"]
        if table.hive:
            parts += [f"year={info.time:%Y}", f"month={info.time:%m}", f"day={info.time:%d}"]
        else:
            parts += [f"day={info.time:%Y}%2F{info.time:%m}%2F{info.time:%d}"]
        if table.hourly:
            parts.append(f"hour={info.time:%H}")
        folder = root.joinpath(*parts)
        folder.mkdir(parents=True, exist_ok=True)
        body = client.get_object(Bucket=table.bucket, Key=obj.key)["Body"].read()
        (folder / obj.key.rpartition("/")[2]).write_bytes(body)
        # the projected template must name this object's folder (what Athena would read)
        assert obj.key.rpartition("/")[0] + "/" == table.folder(
            info.account, info.region, info.time.date(),
            info.time.hour if table.hourly else None).removeprefix(f"s3://{table.bucket}/")


def _duck(table: FlowLogTable, root: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    columns = ", ".join(f"'{c.name}': '{DUCK_TYPES[c.type]}'" for c in table.columns)
    con.execute(f"""CREATE VIEW vpc AS SELECT * FROM read_csv('{root}/**/*.log.gz',
        delim=' ', header=true, nullstr='-', hive_partitioning=true,
        hive_types_autocast=false, columns={{{columns}}})""")
    return con


@pytest.fixture(scope="module", params=["hive/", "team/net/"])
def hive_table(request: pytest.FixtureRequest, s3_server: Any,
               tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Hive-compatible daily folders, and the default layout with hour folders."""
    prefix = request.param
    table = describe_prefix(s3_server.client(), s3_server.main_bucket, prefix)
    root = tmp_path_factory.mktemp("athena-table")
    _copy_as_partitions(s3_server, table, root)
    store = RecordStore()
    refs = resolve([f"s3://{s3_server.main_bucket}/{prefix}"], client=s3_server.client())
    Loader(store, client=s3_server.client()).run(refs, lambda _e: None, threading.Event())
    return table, _duck(table, root), store


@pytest.mark.parametrize("text", FILTERS)
@pytest.mark.parametrize("minutes", [None, (0, 4), (5, 20)])
def test_athena_sql_in_duckdb_keeps_the_rows_the_arrow_path_keeps(
        hive_table: Any, s3_server: Any, text: str, minutes: tuple[int, int] | None) -> None:
    table, con, store = hive_table
    expr = parse(text)
    also: list[str] = []
    if minutes is not None:
        since = s3_server.day.replace(hour=14) + timedelta(minutes=minutes[0])
        until = s3_server.day.replace(hour=14) + timedelta(minutes=minutes[1])
        predicate = partition_filter(table, since, until)
        assert predicate is not None
        also.append(predicate)
        window = And((Compare("end", ">=", int(since.timestamp())),
                      Compare("start", "<=", int(until.timestamp()))))
        expr = window if not text else And((expr, window))
    fields = [c.field for c in table.columns]
    sql = select_sql("vpc", fields, dialect="duckdb", where=expr, select=fields, also=also)
    got = sorted(map(repr, con.execute(sql).fetchall()))
    view = RecordView(store, Query(where=expr))
    expected = sorted(repr(tuple(row[f] for f in fields)) for row in view.rows(0, len(view)))
    assert got == expected
    if text in ("", "port 22 or port 443", "not port 22") and minutes != (5, 20):
        assert got  # not a vacuous comparison




@pytest.mark.parametrize("by", [["log-status"], ["interface-id", "log-status"]])
@pytest.mark.parametrize("metric", ["bytes", "packets"])
def test_top_and_hist_sql_for_athena_and_duckdb_equal_the_arrow_sums(
        hive_table: Any, by: list[str], metric: str) -> None:
    """NODATA and SKIPDATA records carry '-' in packets and bytes (AWS, Flow log record
    examples: ``2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 -
    NODATA``): a group or bucket none of whose records recorded them has no sum (NULL, as
    SUM of only NULLs is in both engines), ranked after every number — the SQL sent to
    Athena (read as Trino, run here in DuckDB), DuckDB's, and the Arrow path agree."""
    table, con, store = hive_table
    fields = [c.field for c in table.columns]
    batches = store.snapshot().batches
    arrow = aggregate.top(batches, by, metric, None)
    names = [*by, "records", "packets", "bytes"]
    expected = [tuple(row[n] for n in names) for row in arrow.to_pylist()]
    if table.prefix == "hive/":  # (its objects hold NODATA and SKIPDATA records)
        assert any(row[-1] is None for row in expected)  # such a group: no sum
        assert expected[-1][-1] is None and expected[-1][-2] is None  # ranked last
    hist = aggregate.histogram(batches, 60, fill=False)
    expected_hist = [(int(r["time"].timestamp()), *(r[n] for n in HISTOGRAM_COLUMNS[1:]))
                     for r in hist.to_pylist()]
    for dialect in ("duckdb", "athena"):
        sql = top_sql("vpc", fields, by=by, metric=metric, n=None, dialect=dialect)
        sql_hist = histogram_sql("vpc", fields, every=60, dialect=dialect)
        if dialect == "athena":
            assert "SUM(bytes) AS bytes" in sql and "COALESCE(SUM" not in sql.upper()
            sql, sql_hist = (sqlglot.transpile(s, read="trino", write="duckdb")[0]
                             for s in (sql, sql_hist))
        got = [row[:len(names)] for row in con.execute(sql).fetchall()]
        assert got == expected, dialect
        assert con.execute(sql_hist).fetchall() == expected_hist, dialect
