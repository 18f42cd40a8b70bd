"""A location where flow logs of two formats write, asked of Athena: never one format's lines
under the other's columns.

AWS facts relied on:
- One bucket prefix can hold files from several flow logs with different formats; each object's
  name carries its flow-log id: ``<account>_vpcflowlogs_<region>_<flow-log-id>_<time>_<hash>``
  (shared/reference/flow-log-format.md §5.2, §6.2; VPC user guide, "Publish flow logs to
  Amazon S3").
- "Athena reads all data stored in the Amazon S3 folder that you specify" (Athena user guide,
  "Specify a table location in Amazon S3"), and a flow-log table has "fields that match the
  fields that you specified when you created the flow log in the same order" (Athena user
  guide, "Create a table for Amazon VPC flow logs"): a text table reads each line's fields by
  position, so another format's lines land under the wrong columns.
- ``"$path"`` is a hidden column of Athena's (Trino's Hive connector) tables: "Full file system
  path name of the file for this row", usable in conditional statements (Trino docs, Hive
  connector, "Metadata columns"; AWS Knowledge Center, "find-s3-source-file-athena-table-row").
- ROW FORMAT DELIMITED FIELDS TERMINATED BY ' ' is Athena's Lazy Simple SerDe, and
  ``skip.header.line.count`` = 1 skips each object's header line (Athena user guide, "Lazy
  Simple SerDe for CSV, TSV, and custom-delimited files"); as Hive's LazySimpleSerDe, a line
  with fewer fields than columns reads NULL for the rest and extra fields are dropped.

The DuckDB check runs the SQL flowtui would send (in DuckDB's dialect) over a table built as
that SerDe reads the objects: every object under the location, by position, each row with its
object's ``s3://`` path as ``"$path"``.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import CUSTOM_FIELDS, flow_lines, text_object

from flowtui.athena.folder import folder_query
from flowtui.athena.table import (
    FlowLogTable,
    MixedFormats,
    create_table,
    describe_prefix,
    path_filter,
)
from flowtui.fields import DEFAULT_FIELDS
from flowtui.layout import parse_key
from flowtui.loader import Loader, resolve
from flowtui.query.expr import parse
from flowtui.query.query import Query
from flowtui.query.sql import select_sql, top_sql
from flowtui.query.view import RecordView
from flowtui.store import RecordStore
from tests.cli_fork import flowtui_run

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"
DEFAULT_LOG, CUSTOM_LOG = "fl-0aaa1111", "fl-0bbb2222"
FORMATS = {DEFAULT_LOG: tuple(DEFAULT_FIELDS), CUSTOM_LOG: CUSTOM_FIELDS}
DUCK_TYPES = {"int": "INTEGER", "bigint": "BIGINT", "string": "VARCHAR"}


def _fill(s3_server: Any, bucket: str, raw: Any) -> dict[str, list[str]]:
    """Two flow logs of two formats, two objects each, in one day folder (as the demo's
    us-east-1 folder holds its main and its BPA flow log); their keys by flow log."""
    keys: dict[str, list[str]] = {DEFAULT_LOG: [], CUSTOM_LOG: []}
    for n, minute in enumerate((0, 5)):
        t = s3_server.day.replace(hour=9, minute=minute)
        for flid, fields in FORMATS.items():
            name = f"{ACCOUNT}_vpcflowlogs_us-east-1_{flid}_{t:%Y%m%dT%H%MZ}_ab{n}d1234.log.gz"
            key = f"AWSLogs/{ACCOUNT}/vpcflowlogs/us-east-1/{t:%Y/%m/%d}/{name}"
            lines = flow_lines(40, seed=n * 7 + len(fields), account=ACCOUNT, stamp=t,
                               fields=fields)
            raw.put_object(Bucket=bucket, Key=key, Body=text_object(lines, fields))
            keys[flid].append(key)
    return keys


@pytest.fixture()
def mixed(s3_server: Any, scratch_bucket: tuple[str, Any]) -> Iterator[tuple[str, dict]]:
    bucket, raw = scratch_bucket
    yield bucket, _fill(s3_server, bucket, raw)


# --- refused without a choice, one line that says what to give ------------------------------

def test_a_mixed_location_is_refused_naming_each_flow_log_and_its_format(
        s3_server: Any, mixed: tuple[str, dict]) -> None:
    """Before, ``athena ddl`` printed a table of one format (with a warning) and the queries
    ran on it: the other flow log's lines were read under its columns."""
    bucket, _keys = mixed
    with pytest.raises(MixedFormats) as caught:
        describe_prefix(s3_server.client(), bucket, "")
    message = str(caught.value)
    assert f"{DEFAULT_LOG}: the default format" in message
    assert f"{CUSTOM_LOG}: {len(CUSTOM_FIELDS)} fields" in message
    assert "--flow-log fl-" in message
    done = flowtui_run("athena", "ddl", f"s3://{bucket}/", "--endpoint-url",
                       s3_server.endpoint_url, cwd=ROOT, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "flow logs of 2 formats write here" in done.stderr
    done = flowtui_run("sql", f"s3://{bucket}/", "--endpoint-url", s3_server.endpoint_url,
                       cwd=ROOT, timeout=120)
    assert done.returncode == 2 and done.stdout == "" and "--flow-log fl-" in done.stderr


def test_ddl_for_one_flow_log_has_its_columns_its_id_and_the_restriction(
        s3_server: Any, mixed: tuple[str, dict]) -> None:
    bucket, _keys = mixed
    done = flowtui_run("athena", "ddl", f"s3://{bucket}/", "--flow-log", CUSTOM_LOG,
                       "--endpoint-url", s3_server.endpoint_url, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    statement = done.stdout
    # the id in the table's name: a query for the other flow log can't land on this table
    assert statement.startswith(
        "CREATE EXTERNAL TABLE IF NOT EXISTS `default`.`vpc_flow_logs_fl_0bbb2222` (")
    columns = [line.split("`")[1] for line in statement.splitlines() if line.startswith("  `")]
    assert columns == [f.replace("-", "_") for f in CUSTOM_FIELDS]
    # the DDL (SHOW CREATE TABLE too) and the one stderr line say how to keep its objects
    assert "COMMENT 'flow log fl-0bbb2222 only" in statement
    assert "\"$path\" LIKE \\'%/AWSLogs/%\\\\_fl-0bbb2222\\\\_%\\' ESCAPE \\'\\\\\\'" in statement
    assert done.stderr.count("\n") == 1
    assert (f"{DEFAULT_LOG} there writes another format, so every query must keep WHERE "
            f"(\"$path\" LIKE '%/AWSLogs/%\\_{CUSTOM_LOG}\\_%' ESCAPE '\\')") in done.stderr
    import sqlglot

    sqlglot.parse_one(statement, read="hive")  # still one statement Hive's grammar reads


def test_flow_logs_of_two_formats_cannot_share_a_table(
        s3_server: Any, mixed: tuple[str, dict]) -> None:
    bucket, _keys = mixed
    done = flowtui_run("athena", "ddl", f"s3://{bucket}/", "--flow-log",
                       f"{DEFAULT_LOG},{CUSTOM_LOG}", "--endpoint-url", s3_server.endpoint_url,
                       cwd=ROOT, timeout=120)
    assert done.returncode == 2 and "write different formats" in done.stderr
    done = flowtui_run("athena", "ddl", f"s3://{bucket}/", "--flow-log", "fl-0ccc",
                       "--endpoint-url", s3_server.endpoint_url, cwd=ROOT, timeout=120)
    assert done.returncode == 2 and "no object of flow log fl-0ccc in the folders" in done.stderr
    done = flowtui_run("athena", "ddl", f"s3://{bucket}/", "--flow-log", "fl-x'; DROP",
                       "--endpoint-url", s3_server.endpoint_url, cwd=ROOT, timeout=120)
    assert done.returncode == 2 and "not a flow-log id" in done.stderr


# --- the answers: the chosen flow log's records, as a local load of its objects gives ---------

def _serde_rows(s3_server: Any, bucket: str, table: FlowLogTable) -> Iterator[tuple]:
    """Every object under the table's location read as the text SerDe reads it: header line
    skipped, fields by position under the table's columns, '-' NULL, a number that does not
    parse or fit its type NULL; with the row's ``"$path"`` and partition values."""
    client = s3_server.client()
    listed = client.list_objects_v2(Bucket=bucket, Prefix=table.prefix + "AWSLogs/")
    for key in (item["Key"] for item in listed["Contents"]):
        info = parse_key(key)
        assert info is not None
        body = gzip.decompress(client.get_object(Bucket=bucket, Key=key)["Body"].read())
        for line in body.decode().splitlines()[1:]:
            values = line.split(" ")
            row: list[Any] = []
            for i, column in enumerate(table.columns):
                value = values[i] if i < len(values) and values[i] != "-" else None
                if value is not None and column.type != "string":
                    number = int(value) if value.lstrip("-").isdigit() else None
                    bits = 31 if column.type == "int" else 63
                    value = number if number is not None and abs(number) < 1 << bits else None
                row.append(value)
            yield (*row, f"s3://{bucket}/{key}", info.account, info.region,
                   f"{info.time:%Y/%m/%d}")


def _duck(s3_server: Any, bucket: str, table: FlowLogTable) -> duckdb.DuckDBPyConnection:
    assert not table.hive and not table.hourly  # the partitions built below
    con = duckdb.connect()
    columns = [f'"{c.name}" {DUCK_TYPES[c.type]}' for c in table.columns]
    extra = ['"$path" VARCHAR', "aws_account VARCHAR", "aws_region VARCHAR", "day VARCHAR"]
    con.execute(f"CREATE TABLE vpc ({', '.join(columns + extra)})")
    con.executemany(f"INSERT INTO vpc VALUES ({', '.join('?' * (len(columns) + 4))})",
                    list(_serde_rows(s3_server, bucket, table)))
    return con


def _local(s3_server: Any, bucket: str, keys: list[str]) -> RecordStore:
    """flowtui's own reading of one flow log's objects (each by its own header)."""
    store = RecordStore()
    refs = resolve([f"s3://{bucket}/{key}" for key in keys], client=s3_server.client())
    Loader(store, client=s3_server.client()).run(refs, lambda _e: None, threading.Event())
    return store


@pytest.mark.parametrize("flow_log", [DEFAULT_LOG, CUSTOM_LOG])
def test_the_chosen_flow_logs_answers_equal_a_local_load_of_its_objects(
        s3_server: Any, mixed: tuple[str, dict], flow_log: str) -> None:
    bucket, keys = mixed
    table = describe_prefix(s3_server.client(), bucket, "", [flow_log])
    assert [c.field for c in table.columns] == list(FORMATS[flow_log])
    con = _duck(s3_server, bucket, table)
    store = _local(s3_server, bucket, keys[flow_log])
    keep = path_filter(table.flow_logs)
    assert keep is not None
    fields = [c.field for c in table.columns]
    since = s3_server.day.replace(hour=9)
    day = f"day IN ('{since:%Y/%m/%d}')"
    for text in ("", "reject", "port 22 or port 443", "not port 22", "srcaddr in 10.0.0.0/8"):
        expr = parse(text)
        sql = select_sql("vpc", fields, dialect="duckdb", where=expr, select=fields,
                         also=[day, keep])
        got = sorted(map(repr, con.execute(sql).fetchall()))
        view = RecordView(store, Query(where=expr))
        expected = sorted(repr(tuple(row[f] for f in fields)) for row in view.rows(0, len(view)))
        assert got == expected, text
    assert len(store) == 80  # both of its objects, none of the other's
    top = top_sql("vpc", fields, by=["srcaddr"], metric="records", n=1000, dialect="duckdb",
                  also=[keep])
    assert sum(row[1] for row in con.execute(top).fetchall()) == len(store)
    # what the table read before: every object's lines, the other format's under these columns
    everything = con.execute("SELECT COUNT(*) FROM vpc").fetchone()
    assert everything is not None and everything[0] == 160


def test_athena_queries_name_the_flow_logs_table_and_keep_its_objects(
        s3_server: Any, mixed: tuple[str, dict]) -> None:
    """``top --engine athena``: refused without --flow-log (no query sent); with it, the SQL
    Athena receives reads the flow log's own table and keeps its objects only."""
    from test_athena_cli import _flowtui, _last_query, _queries
    from test_athena_engine import _set_results

    bucket, _keys = mixed
    args = ("top", f"s3://{bucket}/", "--by", "srcaddr", "--engine", "athena",
            "--output-location", "s3://r/q/", "--since", "2024-03-05T09:00",
            "--until", "2024-03-05T09:10")
    before = _queries(s3_server)
    done = _flowtui(s3_server, *args)
    assert done.returncode == 2 and "--flow-log fl-" in done.stderr, done.stderr
    assert _queries(s3_server) == before  # nothing paid for
    _set_results(s3_server.endpoint_url, ["srcaddr", "records", "packets", "bytes"],
                 [["10.0.0.5", "1", "2", "3"]])
    done = _flowtui(s3_server, *args, "--flow-log", DEFAULT_LOG)
    assert done.returncode == 0, done.stderr
    sql = _last_query(s3_server)
    assert "FROM default.vpc_flow_logs_fl_0aaa1111" in sql
    assert f"\"$path\" LIKE '%/AWSLogs/%\\_{DEFAULT_LOG}\\_%' ESCAPE '\\'" in sql
    assert "day IN ('2024/03/05')" in sql


def test_the_apps_folder_query_keeps_the_chosen_flow_logs_objects(
        s3_server: Any, mixed: tuple[str, dict]) -> None:
    """The TUI's "query on Athena" of the day folder (athena/folder.py): refused without a
    flow log (``--athena-flow-log`` says which); with one, its objects only."""
    bucket, keys = mixed
    folder = keys[DEFAULT_LOG][0].rpartition("/")[0] + "/"
    with pytest.raises(MixedFormats) as caught:
        folder_query(s3_server.client(), bucket, folder, parse("tcp"), database="default",
                     table_name="vpc")
    assert "--athena-flow-log fl-" in caught.value.hint("--athena-flow-log")
    query = folder_query(s3_server.client(), bucket, folder, parse("tcp"), database="default",
                         table_name="vpc", flow_logs=(CUSTOM_LOG,))
    assert f"\"$path\" LIKE '%/AWSLogs/%\\_{CUSTOM_LOG}\\_%' ESCAPE '\\'" in query.sql
    assert [c.field for c in query.table.columns] == list(CUSTOM_FIELDS)


def test_one_format_keeps_its_table_as_before(s3_server: Any) -> None:
    """A location of one format: no flow log asked for, no restriction, no comment."""
    table = describe_prefix(s3_server.client(), s3_server.main_bucket, "hive/")
    assert table.flow_logs == () and path_filter(table.flow_logs) is None
    assert "\nCOMMENT '" not in create_table(table)  # the golden files hold the rest


def test_a_window_and_the_restriction_together_in_duckdb(
        s3_server: Any, mixed: tuple[str, dict]) -> None:
    """Partition predicates and the ``"$path"`` restriction are both kept (AND), in the SQL
    the CLI builds for Athena: a window that holds both flow logs' files reads one's."""
    from flowtui.athena.table import partition_filter

    bucket, keys = mixed
    table = describe_prefix(s3_server.client(), bucket, "", [DEFAULT_LOG])
    con = _duck(s3_server, bucket, table)
    since = s3_server.day.replace(hour=9)
    window = partition_filter(table, since, since + timedelta(minutes=10))
    assert window is not None
    keep = path_filter(table.flow_logs)
    assert keep is not None
    fields = [c.field for c in table.columns]
    sql = select_sql("vpc", fields, dialect="duckdb", select=["srcaddr"], also=[window, keep])
    assert len(con.execute(sql).fetchall()) == len(_local(s3_server, bucket, keys[DEFAULT_LOG]))


def test_a_format_only_an_older_folder_holds_is_found_where_the_question_reads(
        s3_server: Any, scratch_bucket: tuple[str, Any]) -> None:
    """The newest day has one flow log; the day before, another flow log of another format
    (deleted since: a format can't change, reference §5.2). A question that reads the older
    day (a window over it, the app's folder) looks at that day's flow logs too, and is
    refused as a mixed location is (fails before: the window's query ran on the newest
    day's format)."""
    from test_athena_cli import _flowtui, _queries

    bucket, raw = scratch_bucket
    keys = {}
    for flid, t in ((DEFAULT_LOG, s3_server.day.replace(hour=9)),
                    (CUSTOM_LOG, s3_server.day.replace(hour=9) - timedelta(days=1))):
        name = f"{ACCOUNT}_vpcflowlogs_us-east-1_{flid}_{t:%Y%m%dT%H%MZ}_abcd1234.log.gz"
        keys[flid] = f"AWSLogs/{ACCOUNT}/vpcflowlogs/us-east-1/{t:%Y/%m/%d}/{name}"
        lines = flow_lines(5, seed=3, account=ACCOUNT, stamp=t, fields=FORMATS[flid])
        raw.put_object(Bucket=bucket, Key=keys[flid], Body=text_object(lines, FORMATS[flid]))
    before = _queries(s3_server)
    done = _flowtui(s3_server, "top", f"s3://{bucket}/", "--by", "srcaddr", "--engine",
                    "athena", "--output-location", "s3://r/q/", "--since", "2024-03-04T09:00",
                    "--until", "2024-03-04T09:10")
    assert done.returncode == 2 and "flow logs of 2 formats" in done.stderr, done.stderr
    assert _queries(s3_server) == before
    older = keys[CUSTOM_LOG].rpartition("/")[0] + "/"
    with pytest.raises(MixedFormats):
        folder_query(s3_server.client(), bucket, older, parse("tcp"), database="default",
                     table_name="vpc")
    # the older flow log can be named, though the newest folders don't hold it
    query = folder_query(s3_server.client(), bucket, older, parse("tcp"), database="default",
                         table_name="vpc", flow_logs=(CUSTOM_LOG,))
    assert [c.field for c in query.table.columns] == list(CUSTOM_FIELDS)
