"""Missing values sort last everywhere: in the local sort, in the SQL DuckDB runs and in the
SQL Athena runs, whatever the engine's own default.

The local sort (``flowtui cat --sort``, the table's sort) puts a missing value (``-``) after
every present one, ascending and descending alike. The documented defaults of the engines
agree today, but only by default:

- Trino (Athena engine v3), SELECT, ORDER BY clause: "The default null ordering is NULLS
  LAST, regardless of the ordering direction." (trino.io/docs/current/sql/select.html)
- DuckDB, ORDER BY clause: "NULL order modifier (NULLS FIRST or NULLS LAST, default is
  NULLS LAST)", and the default is a setting a session may change:
  ``SET default_null_order = 'nulls_first'`` (duckdb.org/docs/sql/query_syntax/orderby).

So the SQL flowtui writes says NULLS LAST itself on every ORDER BY term: the order of a
forensic answer must not depend on a setting of the session that runs it.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from test_athena_cli import ROOT, _flowtui, _last_query
from test_athena_engine import _set_results

from flowtui.parser import parse_bytes
from flowtui.query.query import Query
from flowtui.query.sql import arrow_for_sql, histogram_sql, select_sql, top_sql
from tests.cli_fork import flowtui_run

HEADER = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
          "bytes start end action log-status")
#: Present and missing bytes and addresses, IPv4 and IPv6, NODATA rows with nothing at all.
LINES = [
    "2 123456789012 eni-a 10.0.0.9 10.0.1.1 443 5000 6 3 900 1709647200 1709647260 ACCEPT OK",
    "2 123456789012 eni-a - - - - - - - 1709647200 1709647260 - NODATA",
    "2 123456789012 eni-a 10.0.0.10 10.0.1.1 443 5001 6 2 - 1709647200 1709647260 ACCEPT OK",
    "2 123456789012 eni-a 2001:db8::1 10.0.1.1 443 5002 6 1 120 1709647200 1709647260 "
    "REJECT OK",
    "2 123456789012 eni-a - 10.0.1.1 - - 6 1 4000 1709647200 1709647260 ACCEPT OK",
    "2 123456789012 eni-a 10.0.0.9 10.0.1.1 443 5003 6 1 - 1709647200 1709647260 ACCEPT OK",
    "2 123456789012 eni-b - - - - - - - 1709647300 1709647360 - NODATA",
    "2 123456789012 eni-a 10.0.0.2 10.0.1.1 443 5004 6 8 120 1709647200 1709647260 ACCEPT OK",
]
#: Each sort, with the columns that identify a row's place (rows equal in them may tie).
SORTS = ["bytes,srcaddr", "-bytes,srcaddr", "srcaddr,bytes", "-srcaddr,-bytes",
         "-dstport,srcaddr,bytes"]
#: DuckDB's settings of the default null order (its ``default_null_order`` option).
NULL_ORDERS = ["nulls_last", "nulls_first", "nulls_first_on_asc_last_on_desc",
               "nulls_last_on_asc_first_on_desc"]


@pytest.fixture(scope="module")
def log_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("nulls") / "flows.log"
    path.write_text("\n".join([HEADER, *LINES]) + "\n", encoding="ascii")
    return path


def _columns(sort: str) -> list[str]:
    return [f.lstrip("-") for f in sort.split(",")]


def _local_order(path: Path, sort: str) -> list[tuple[object, ...]]:
    """What ``flowtui cat --sort`` prints, as tuples of the sort's columns."""
    columns = _columns(sort)
    done = flowtui_run("cat", str(path), "--sort", sort, "--columns", ",".join(columns),
                       "--format", "jsonl", cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    return [tuple(json.loads(line)[c] for c in columns) for line in done.stdout.splitlines()]


@pytest.mark.parametrize("null_order", NULL_ORDERS)
@pytest.mark.parametrize("sort", SORTS)
def test_duckdb_runs_the_sql_in_the_order_of_a_local_cat(log_file: Path, sort: str,
                                                          null_order: str) -> None:
    batches, _ = parse_bytes(log_file.read_bytes())
    columns = [f.name for f in batches[0].schema]
    query = Query.build("", sort)
    sql = select_sql("flows", columns, dialect="duckdb", select=_columns(sort),
                     order_by=[(k.field, k.descending) for k in query.sort])
    con = duckdb.connect()
    con.execute(f"SET default_null_order = '{null_order}'")  # a user's session may
    con.register("flows", arrow_for_sql(batches))
    got = con.execute(sql).fetchall()
    local = _local_order(log_file, sort)
    assert any(None in row for row in local)  # the missing values are there to be placed
    assert got == local


def test_every_order_by_term_says_where_missing_values_go() -> None:
    columns = ["srcaddr", "dstport", "bytes", "start"]
    for dialect in ("duckdb", "athena"):
        select = select_sql("t", columns, dialect=dialect,
                            order_by=[("bytes", True), ("dstport", False), ("srcaddr", True)])
        top = top_sql("t", columns, by=["dstport"], dialect=dialect)
        hist = histogram_sql("t", columns, every=60, dialect=dialect)
        for sql in (select, top, hist):
            order = sql.partition(" ORDER BY ")[2].partition(" LIMIT ")[0]
            terms = order.count(" ASC") + order.count(" DESC")
            assert terms and order.count(" NULLS LAST") == terms, sql
        assert " ORDER BY bytes DESC NULLS LAST, dstport ASC NULLS LAST, " in select


def test_athena_receives_the_sort_with_nulls_last_written_out(s3_server) -> None:
    _set_results(s3_server.endpoint_url, ["srcaddr", "bytes"], [["10.0.0.5", "9000"]])
    done = _flowtui(s3_server, "cat", f"s3://{s3_server.main_bucket}/team/net/", "--sort",
                    "-bytes,dstport", "--limit", "5", "--engine", "athena", "--format",
                    "jsonl", "--output-location", "s3://r/q/")
    assert done.returncode == 0, done.stderr
    sql = _last_query(s3_server)
    assert sql.endswith("ORDER BY bytes DESC NULLS LAST, dstport ASC NULLS LAST LIMIT 5")
