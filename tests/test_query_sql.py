"""The SQL a filter becomes: golden Athena text, names and literals that can't go wrong, and
SELECT / top-N / histogram run by DuckDB against the same records computed in Python.

Golden files: tests/golden/sql/NAME.sql; after an intended change of the SQL, rewrite them
with ``FLOWTUI_UPDATE_GOLDEN=1 pytest tests/test_query_sql.py`` and review the diff.
"""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
import sqlglot
from sqlglot import exp

from flowtui.fields import DEFAULT_FIELDS
from flowtui.parser import parse_bytes
from flowtui.query import aggregate
from flowtui.query.arrow import compile_arrow
from flowtui.query.expr import Compare, InSet, parse
from flowtui.query.query import Query
from flowtui.query.sql import (
    FlowtuiTrino,
    arrow_for_sql,
    histogram_sql,
    predicate_sql,
    select_sql,
    sql_name,
    top_sql,
    where_clause,
)
from flowtui.query.view import RecordView
from flowtui.store import RecordStore
from flowtui.synth import generate_lines, make_text_object

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
GOLDEN = Path(__file__).parent / "golden" / "sql"
V5 = DEFAULT_FIELDS + ("vpc-id", "tcp-flags", "pkt-srcaddr", "pkt-dstaddr", "flow-direction")

#: name → filter; each becomes SELECT … FROM flow_logs WHERE … in Athena's dialect.
FILTERS = {
    "rejected_ssh": "reject and port 22",
    "not_port_22_keeps_nodata": "not port 22",
    "not_equal_drops_nodata": "dstport != 22",
    "bytes_to_host": "dst host 10.0.1.10 and bytes > 10k",
    "eni_glob": "interface-id = 'eni-0abc*'",
    "glob_with_class": "interface-id = 'eni-[0-9]?x*'",
    "glob_not": "vpc-id != vpc-*",
    "regex": "account-id ~ '^(1234|5678)' and action !~ 'ACC'",
    "networks_v4_v6": "src net 10.0.0.0/8 or dst net 2001:db8::/32",
    "address_set": "srcaddr in (10.0.0.1, 192.168.0.0/16)",
    "pkt_addresses": "pkt-src net 172.16.0.0/12 and not pkt-dst host ::1",
    "syn_ack": "flags SA and egress",
    "port_range_services": "dst port 1000-2000 or port https or proto udp",
    "during": "during 2026-11-30T14:00..14:30",
    "statuses": "nodata or skipdata or log-status = ok",
    "set_of_ports": "dstport in (22, 80, 443)",
    "quote_in_value": r"vpc-id = 'it\'s' or vpc-id = 'a\b'",
    "field_not_in_table": "instance-id = i-0abc or not sublocation-type = outpost",
    "empty": "",
}


def golden_sql(name: str, text: str) -> str:
    expr = parse(text, now=NOW)
    return select_sql("flow_logs", V5, dialect="athena", where=expr,
                      order_by=[("start", False)], limit=100) + "\n"


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_athena_sql_matches_its_golden_file_and_reads_as_trino(name: str) -> None:
    sql = golden_sql(name, FILTERS[name])
    path = GOLDEN / f"{name}.sql"
    if os.environ.get("FLOWTUI_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sql, encoding="utf-8")
    assert sql == path.read_text(encoding="utf-8")
    tree = sqlglot.parse_one(sql, read="trino")
    # Trino reads back exactly this query (written with the null order spelled out)
    assert tree.sql(dialect=FlowtuiTrino) + "\n" == sql


def test_every_golden_file_belongs_to_a_filter() -> None:
    assert {p.stem for p in GOLDEN.glob("*.sql")} == set(FILTERS)


# ------------------------------------------------------------------------------ units

def test_a_field_the_table_lacks_is_false_and_its_negation_true() -> None:
    expr = parse("instance-id = i-0abc")
    for dialect in ("duckdb", "athena"):
        assert predicate_sql(expr, DEFAULT_FIELDS, dialect) == "FALSE"
        assert predicate_sql(parse("not instance-id = i-0abc"), DEFAULT_FIELDS,
                             dialect) == "NOT FALSE"


def test_names_are_athena_column_names_quoted_where_needed() -> None:
    columns = ["log-status", "end", "tcp_flags", "My-Col", "odd.name"]
    expr = parse("log-status = ok and end > 5 and tcp-flags = 2 and My-Col = x "
                 "and odd.name = y", columns)
    sql = predicate_sql(expr, columns, "athena")
    assert "NULLIF(log_status, '-') = 'OK'" in sql
    assert '"end" > 5' in sql
    assert "tcp_flags = 2" in sql
    assert "NULLIF(my_col, '-') = 'x'" in sql
    assert 'NULLIF("odd.name", \'-\') = \'y\'' in sql
    assert sql_name("pkt-src-aws-service") == "pkt_src_aws_service"


HOSTILE = ["x' OR '1'='1", "'; DROP TABLE flows; --", "a\\'b", "\\", "it''s", "é\"ü"]


@pytest.mark.parametrize("dialect", ["duckdb", "athena"])
@pytest.mark.parametrize("value", HOSTILE)
def test_a_value_cannot_break_out_of_its_string_literal(value: str, dialect: str) -> None:
    sql = predicate_sql(Compare("vpc-id", "=", value), V5, dialect)
    tree = sqlglot.parse_one(sql, read="trino" if dialect == "athena" else "duckdb")
    literals = list(tree.find_all(exp.Literal))
    assert [lit.this for lit in literals if lit.is_string and lit.this != "-"] == [value]
    assert not list(tree.find_all(exp.Or)) and not list(tree.find_all(exp.Drop))


def _store(text: bytes) -> RecordStore:
    store = RecordStore()
    batches, parser = parse_bytes(text)
    assert not parser.bad_lines
    for batch in batches:
        store.append(batch)
    return store


def test_hostile_values_match_only_themselves_in_duckdb() -> None:
    # (not parsed from text: a flow-log value has no spaces, a Parquet one might)
    batch = pa.record_batch({"vpc-id": pa.array(HOSTILE + ["x", "a"]).dictionary_encode()})
    con = duckdb.connect()
    con.register("flows", arrow_for_sql([batch]))
    for value in HOSTILE:
        where = where_clause(InSet("vpc-id", (value,)), ["vpc-id"], "duckdb")
        assert con.execute(f"SELECT vpc_id FROM flows {where}").fetchall() == [(value,)]


def test_where_clause_is_empty_for_no_filter() -> None:
    assert where_clause(parse(""), DEFAULT_FIELDS, "athena") == ""
    assert where_clause(parse("tcp"), DEFAULT_FIELDS, "athena") == (
        "WHERE COALESCE(protocol = 6, FALSE)")


# ----------------------------------------------------- whole queries, run by DuckDB

@pytest.fixture(scope="module")
def flows() -> tuple[RecordStore, duckdb.DuckDBPyConnection]:
    store = RecordStore()
    for seed, fields in ((1, DEFAULT_FIELDS), (2, V5)):
        data = make_text_object(generate_lines(3000, seed=seed, fields=fields), fields,
                                compress=False)
        for batch in parse_bytes(data)[0]:
            store.append(batch)
    con = duckdb.connect()
    con.register("flows", arrow_for_sql(store.snapshot().batches))
    return store, con


def _groups(rows: list[dict[str, object]], key: tuple[str, ...]) -> dict[tuple, list[int]]:
    out: dict[tuple, list] = defaultdict(lambda: [0, 0, 0, None, None, 0, 0])
    for row in rows:
        g = out[tuple(row.get(k) for k in key)]
        g[0] += 1
        for i, (field, fold) in enumerate((("packets", sum), ("bytes", sum), ("start", min),
                                           ("end", max)), start=1):
            if row.get(field) is not None:
                g[i] = row[field] if g[i] is None else fold((g[i], row[field]))
        g[5] += row.get("action") == "ACCEPT"
        g[6] += row.get("action") == "REJECT"
    return out


def test_top_n_in_duckdb_is_the_grouping_done_by_hand(flows) -> None:
    store, con = flows
    where = parse("tcp and not nodata")
    sql = top_sql("flows", store.columns, by=["srcaddr", "dstport"], dialect="duckdb",
                  metric="bytes", n=10, where=where)
    got = con.execute(sql).fetchall()
    kept = [r for r in store.rows(0, len(store)) if r["protocol"] == 6
            and r["log-status"] != "NODATA"]
    groups = _groups(kept, ("srcaddr", "dstport"))
    expected = sorted(((*k, *v) for k, v in groups.items()),
                      key=lambda t: (-t[4], str(t[0]), t[1]))
    assert [r[:2] for r in got] == [r[:2] for r in expected[:10]]
    assert got == [tuple(r) for r in expected[:10]]
    assert [d[0] for d in con.execute(sql).description] == [
        "srcaddr", "dstport", "records", "packets", "bytes", "first_start", "last_end",
        "accept", "reject"]


def test_histogram_in_duckdb_buckets_start_by_hand(flows) -> None:
    store, con = flows
    sql = histogram_sql("flows", store.columns, every=60, dialect="duckdb",
                        where=parse("reject or accept"))
    got = con.execute(sql).fetchall()
    kept = [r for r in store.rows(0, len(store)) if r["action"] in ("ACCEPT", "REJECT")]
    buckets = _groups([{**r, "time": r["start"] - r["start"] % 60} for r in kept], ("time",))
    assert got == [(k[0], *v[:3], *v[5:]) for k, v in sorted(buckets.items())]
    assert len(got) > 3


def test_select_sorts_as_the_view_does(flows) -> None:
    store, con = flows
    query = Query.build("not reject", "-srcaddr,bytes")
    sql = select_sql("flows", store.columns, dialect="duckdb", where=query.where,
                     select=["srcaddr", "bytes"],
                     order_by=[(k.field, k.descending) for k in query.sort])
    got = con.execute(sql).fetchall()
    view = RecordView(store, query)
    assert got == [(r["srcaddr"], r["bytes"]) for r in view.rows(0, len(view))]


def test_select_limits_and_names_missing_fields_null(flows) -> None:
    store, con = flows
    sql = select_sql("flows", store.columns, dialect="duckdb", select=["srcaddr", "az-id"],
                     limit=5)
    assert "NULL AS az_id" in sql
    got = con.execute(sql).fetchall()
    assert len(got) == 5 and all(r[1] is None for r in got)


def test_arrow_for_sql_unions_formats_under_sql_names() -> None:
    a = _store(b"srcport action\n22 ACCEPT\n")
    b = _store(b"srcport tcp-flags\n- 18\n")
    table = arrow_for_sql(a.snapshot().batches + b.snapshot().batches)
    assert table.column_names == ["srcport", "action", "tcp_flags"]
    assert table.schema.field("srcport").type == pa.int64()
    assert table.to_pylist() == [{"srcport": 22, "action": "ACCEPT", "tcp_flags": None},
                                 {"srcport": None, "action": None, "tcp_flags": 18}]


def test_top_and_histogram_in_duckdb_equal_the_arrow_aggregates(flows) -> None:
    store, con = flows
    where = parse("not nodata and dstport < 1024")
    kept = [compile_arrow(where).filter(b) for b in store.snapshot().batches]
    arrow_top = aggregate.top(kept, ["srcaddr", "protocol"], "packets", 15)
    sql = top_sql("flows", store.columns, by=["srcaddr", "protocol"], dialect="duckdb",
                  metric="packets", n=15, where=where)
    names = ["srcaddr", "protocol", "records", "packets", "bytes"]
    assert [r[:5] for r in con.execute(sql).fetchall()] == [
        tuple(r[n] for n in names) for r in arrow_top.to_pylist()]
    arrow_hist = aggregate.histogram(kept, 300, fill=False)
    sql = histogram_sql("flows", store.columns, every=300, dialect="duckdb", where=where)
    assert con.execute(sql).fetchall() == [
        (int(r["time"].timestamp()), *(r[n] for n in aggregate.HISTOGRAM_COLUMNS[1:]))
        for r in arrow_hist.to_pylist()]


# ------------------------------------------------ tables made from AWS's DDL, table names

def test_a_dash_in_a_string_column_is_missing_as_in_flowtui() -> None:
    """AWS's own Athena DDL for flow logs (Athena user guide, "Query Amazon VPC flow logs")
    declares no ``NULL DEFINED AS '-'``, so there ``-`` is a string; the filter must still
    read it as the missing value flowtui reads it as: ``srcaddr != X`` false, ``not`` true."""
    con = duckdb.connect()
    con.execute("CREATE TABLE aws (srcaddr VARCHAR, action VARCHAR, log_status VARCHAR)")
    con.execute("INSERT INTO aws VALUES ('10.0.0.1', 'ACCEPT', 'OK'), ('-', '-', 'NODATA')")
    columns = ["srcaddr", "action", "log-status"]

    def kept(text: str) -> list[str]:
        where = where_clause(parse(text, columns), columns, "duckdb")
        return [s for (s,) in con.execute(f"SELECT log_status FROM aws {where} ORDER BY 1")
                .fetchall()]

    assert kept("srcaddr != 10.0.0.9") == ["OK"]
    assert kept("not srcaddr = 10.0.0.9") == ["NODATA", "OK"]
    assert kept("action != ACCEPT") == []
    assert kept("srcaddr ~ '.'") == ["OK"]
    assert kept("srcaddr = '*'") == ["OK"]


def _sql(*args: str) -> str:
    import contextlib
    import io

    from flowtui.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["sql", *args]) == 0
    return out.getvalue()


@pytest.mark.parametrize(("args", "database", "table"), [
    (["--table", "flowlogs.vpc"], "flowlogs", "vpc"),
    (["--database", "other", "--table", "flowlogs.vpc"], "flowlogs", "vpc"),
    (["--database", "flowlogs", "--table", "vpc"], "flowlogs", "vpc"),
    ([], "default", "vpc_flow_logs"),
    (["--table", 'a"b'], "default", 'a"b'),
])
def test_sql_table_names_its_own_database(args: list[str], database: str, table: str) -> None:
    """Athena reads a three-part name as catalog.database.table (Athena user guide, "Query
    across catalogs"), so ``--table db.tbl`` must not become ``default.db.tbl``."""
    tree = sqlglot.parse_one(_sql(*args).rstrip().rstrip(";"), read="trino")
    found = tree.find(exp.Table)
    assert found is not None
    assert (found.catalog, found.db, found.name) == ("", database, table)


def test_sql_without_a_prefix_selects_every_column_the_table_has() -> None:
    """A table made from the default format has 14 columns; naming all of the VPC fields
    would fail there (COLUMN_NOT_FOUND), so without the prefix the SELECT is ``*``."""
    tree = sqlglot.parse_one(_sql("--where", "tcp").rstrip().rstrip(";"), read="trino")
    assert isinstance(tree, exp.Select)
    assert [e.sql() for e in tree.expressions] == ["*"]


def test_a_window_keeps_records_without_times_in_sql_as_a_local_load_does() -> None:
    """``--since``/``--until`` locally keep rows that have no start/end (times.window_filter);
    the Athena query's window (queries.window_expr) must keep the same rows."""
    import argparse

    from flowtui.cli.athena_queries import window_expr
    from flowtui.query.times import window_filter

    batch = pa.record_batch({"start": pa.array([100, 200, None, 300], pa.int64()),
                             "end": pa.array([150, 260, None, 330], pa.int64()),
                             "n": pa.array([0, 1, 2, 3], pa.int64())})
    since, until = datetime.fromtimestamp(250, UTC), datetime.fromtimestamp(310, UTC)
    local = window_filter(batch, since, until).column("n").to_pylist()
    expr = window_expr(argparse.Namespace(since=since, until=until), parse(""))
    con = duckdb.connect()
    con.register("t", pa.Table.from_batches([batch]))
    where = where_clause(expr, ["start", "end", "n"], "duckdb")
    remote = [n for (n,) in con.execute(f"SELECT n FROM t {where} ORDER BY n").fetchall()]
    assert local == remote == [1, 2, 3]
