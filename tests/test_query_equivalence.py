"""One filter, three engines, the same rows: the Arrow path, DuckDB running the emitted SQL,
and the plain-Python reference (tests/query_reference.py).

The corpus is a store holding three formats at once (the default format, a version-5 custom
format with pkt-srcaddr/tcp-flags/flow-direction, and Transit Gateway records), parsed from
text by the real parser, with nulls, NODATA rows, IPv6 addresses in several spellings and
text that is not an address. Expressions come as trees of the dataclasses and as text
through ``parse``, so the grammar is held to the same meaning. The Athena SQL of every
expression must also read back with sqlglot's Trino dialect.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime
from functools import cache

import duckdb
import pyarrow as pa
import pytest
import sqlglot
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from flowtui.fields import ADDRESS_FIELDS, DEFAULT_FIELDS, TGW_DEFAULT_FIELDS, is_integer
from flowtui.parser import parse_bytes
from flowtui.query import aggregate
from flowtui.query.arrow import compile_arrow
from flowtui.query.expr import (
    COMPARE_OPS,
    And,
    Compare,
    Const,
    Expr,
    FilterError,
    FlagsAll,
    InNet,
    InSet,
    Match,
    Not,
    Or,
    parse,
)
from flowtui.query.sql import arrow_for_sql, histogram_sql, predicate_sql, top_sql
from flowtui.store import RecordStore
from tests.query_reference import matching

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
V5_FIELDS = (
    "version", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "start", "end", "type",
    "packets", "bytes", "account-id", "vpc-id", "interface-id", "action", "tcp-flags",
    "pkt-srcaddr", "pkt-dstaddr", "pkt-src-aws-service", "flow-direction", "traffic-path",
    "log-status",
)
FORMATS = (DEFAULT_FIELDS, V5_FIELDS, TGW_DEFAULT_FIELDS)
#: Fields no batch has: a leaf on them is false everywhere.
ABSENT = ("instance-id", "sublocation-type", "ecs-task-id")
ALL_FIELDS = tuple(dict.fromkeys(DEFAULT_FIELDS + V5_FIELDS + TGW_DEFAULT_FIELDS + ABSENT))
STRING_FIELDS = tuple(f for f in ALL_FIELDS if not is_integer(f))
INTEGER_FIELDS = tuple(f for f in ALL_FIELDS if is_integer(f))

# ------------------------------------------------------------------------------ values

ADDRESS_POOL = (
    "10.0.0.1", "10.0.1.10", "10.255.255.255", "11.0.0.0", "172.31.16.139", "192.168.0.1",
    "0.0.0.0", "255.255.255.255", "52.95.128.179",
    "2001:db8::1", "2001:DB8:0:0:0:0:0:2", "2001:0db8:0000:0000:0000:0000:0000:00ff",
    "2001:db8::ffff:1.2.3.4", "::ffff:10.0.0.1", "::1", "::", "fe80::1", "FE80::", "1::",
    "2600:1f18:abcd::10",
    # text that is not an address
    "unknown", "10.0.0.256", "010.0.0.1", "1:2:3:4:5:6:7::8", "1::2::3", ":::", "10.0.0",
    "::ffff:1.2.3.04", "12345::", "g::1",
)
TEXT_POOL = (
    "eni-0abc123", "eni-0ABC123", "vpc-1", "123456789012", "012345678901", "unknown", "it's",
    'say"hi', "a%b", "a_b", "back\\slash", "x*y?", "[x]", "é-ünï", "S3", "AMAZON",
    "us-east-1", "tgw-0a1b", "ACCEPT", "OK", "ingress", "IPv6",
)
ENUMS = {
    "action": ("ACCEPT", "REJECT"), "log-status": ("OK", "NODATA", "SKIPDATA"),
    "type": ("IPv4", "IPv6", "EFA"), "flow-direction": ("ingress", "egress"),
    "resource-type": ("TransitGateway", "TransitGatewayAttachment"),
    "sublocation-type": ("wavelength", "outpost"),
}
RANGES = {  # what the parser's column types hold
    "version": (0, 255), "srcport": (0, 65535), "dstport": (0, 65535), "protocol": (0, 255),
    "tcp-flags": (0, 255), "traffic-path": (0, 255),
}
INT_POOL = {
    "version": (2, 5, 6), "srcport": (22, 80, 443, 0, 65535, 1024),
    "dstport": (22, 80, 443, 0, 65535, 1024), "protocol": (6, 17, 1, 58, 0, 255),
    "tcp-flags": (0, 2, 18, 19, 3, 1, 4, 63), "traffic-path": (1, 2, 8),
    "start": (1_700_000_000, 1_700_000_060, 1_700_003_600),
    "end": (1_700_000_000, 1_700_000_060, 1_700_003_600),
}
WORD = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp", "Co", "Cn")),
               min_size=1, max_size=6)


# Strategies built once: a strategy made inside a draw is built and validated again on
# every draw, which cost as much as the drawing (the stores took half of the test's time).
_BOOLEANS = st.booleans()
_POOLED_ADDRESSES = st.sampled_from(ADDRESS_POOL)
_IP_ADDRESSES = st.ip_addresses()
_SPELLINGS = st.sampled_from(("compressed", "exploded", "upper"))
_PREFIXES = {4: st.integers(0, 32), 6: st.integers(0, 128)}
_ORDERS = st.permutations(FORMATS)


@st.composite
def address_text(draw: st.DrawFn) -> str:
    if draw(_BOOLEANS):
        return draw(_POOLED_ADDRESSES)
    address = draw(_IP_ADDRESSES)
    if address.version == 6:
        spelling = draw(_SPELLINGS)
        text = address.exploded if spelling == "exploded" else str(address)
        return text.upper() if spelling == "upper" else text
    return str(address)


@cache
def int_value(field: str) -> st.SearchStrategy[int]:
    low, high = RANGES.get(field, (0, 2**40))
    if field in ("start", "end"):
        low, high = 1_699_990_000, 1_700_010_000
    values = st.integers(low, high)
    return st.one_of(st.sampled_from(INT_POOL[field]), values) if field in INT_POOL else values


@cache
def text_value(field: str) -> st.SearchStrategy[str]:
    if field in ADDRESS_FIELDS:
        return address_text()
    if field in ENUMS:
        return st.sampled_from(ENUMS[field])
    pool = st.sampled_from(TEXT_POOL)
    return st.one_of(pool, pool, pool, WORD)


@cache
def cell(field: str) -> st.SearchStrategy[str]:
    value = int_value(field).map(str) if is_integer(field) else text_value(field)
    return st.one_of(st.just("-"), value, value, value, value)


@cache
def rows_of(fields: tuple[str, ...]) -> st.SearchStrategy[list[tuple[str, ...]]]:
    return st.lists(st.tuples(*(cell(f) for f in fields)), max_size=12)


@st.composite
def batch_text(draw: st.DrawFn, fields: tuple[str, ...]) -> bytes:
    lines = [" ".join(fields)]
    keep = {"version", "account-id", "interface-id", "start", "end", "log-status"}
    for values in draw(rows_of(fields)):
        if "log-status" in fields and values[fields.index("log-status")] == "SKIPDATA":
            # a NODATA/SKIPDATA row: the flow's fields are all missing
            values = tuple(v if f in keep else "-" for f, v in zip(fields, values, strict=True))
        lines.append(" ".join(values))
    return ("\n".join(lines) + "\n").encode("utf-8")


@st.composite
def stores(draw: st.DrawFn) -> RecordStore:
    store = RecordStore()
    order = draw(_ORDERS)
    for fields in order:
        batches, parser = parse_bytes(draw(batch_text(fields)))
        assert not parser.bad_lines, parser.bad_lines
        for batch in batches:
            store.append(batch, "test")
    return store


# ------------------------------------------------------------------- expressions as trees

_ADDRESS_TEXT = address_text()


@st.composite
def networks(draw: st.DrawFn, seen: tuple[str, ...] = ()) -> str:
    base = draw(st.one_of(_ADDRESS_TEXT, st.sampled_from(seen))) if seen else draw(
        _ADDRESS_TEXT)
    try:
        address = ipaddress.ip_address(base)
    except ValueError:
        address = draw(_IP_ADDRESSES)
    prefix = draw(_PREFIXES[address.version])
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


@cache
def typed_value(field: str) -> st.SearchStrategy[int | str]:
    if is_integer(field):
        return st.one_of(int_value(field), st.sampled_from((70_000, 2**40)))
    return text_value(field)


REGEX_PIECES = st.one_of(
    st.sampled_from(("^", "$", ".", ".*", "[0-9]+", "[a-f]", "[^0-9]", "(a|b)", "10\\.",
                     "::", "E", "x?", "\\.", "-", "é")),
    st.sampled_from(TEXT_POOL).map(re.escape),
    WORD.map(re.escape),
)
GLOB_PIECES = st.one_of(
    st.sampled_from(("*", "?", "[a-f]", "[!0-9]", "[-a]", "[z-a]", "[!]", "[]x]", "%", "_",
                     "\\", "[", "eni-", "0", ".")),
    st.sampled_from(TEXT_POOL),
    WORD,
)


@st.composite
def regex_near(draw: st.DrawFn, values: tuple[str, ...]) -> str:
    """A pattern made from a value the corpus holds, so that it often matches."""
    value = draw(st.sampled_from(values))
    k = draw(st.integers(0, len(value)))
    head, tail = re.escape(value[:k]), re.escape(value[k:])
    return draw(st.sampled_from((f"^{head}", f"{tail}$", head + ".*", f"^{head}.{tail[2:]}",
                                 f"{head}|{tail}" if head and tail else head or ".")))


@st.composite
def glob_near(draw: st.DrawFn, values: tuple[str, ...]) -> str:
    """A glob made from a value the corpus holds, so that it often matches."""
    value = draw(st.sampled_from(values))
    k = draw(st.integers(0, len(value)))
    head, tail = value[:k], value[k:]
    one = tail[:1]
    other = "z" if one != "z" else "y"
    return draw(st.sampled_from((head + "*", "*" + tail, f"{head}?{tail[1:]}",
                                 f"{head}[{one or 'a'}{other}]{tail[1:]}",
                                 f"{head}[!{other}]{tail[1:]}", f"*{one}*", value)))


def regexes(values: tuple[str, ...] = TEXT_POOL) -> st.SearchStrategy[str]:
    return st.one_of(regex_near(values),
                     st.lists(REGEX_PIECES, min_size=1, max_size=4).map("".join))


def globs(values: tuple[str, ...] = TEXT_POOL) -> st.SearchStrategy[str]:
    return st.one_of(glob_near(values),
                     st.lists(GLOB_PIECES, min_size=1, max_size=4).map("".join))


def seen_values(store: RecordStore) -> dict[str, tuple[int | str, ...]]:
    """Each field's values in the store (with the fields no batch has, empty)."""
    seen: dict[str, set[int | str]] = {f: set() for f in ALL_FIELDS}
    for row in store.rows(0, len(store)):
        for name, value in row.items():
            if value is not None:
                seen.setdefault(name, set()).add(value)
    return {f: tuple(sorted(v, key=str)) for f, v in seen.items()}


def near(field: str, seen: dict[str, tuple[int | str, ...]]) -> st.SearchStrategy[int | str]:
    """A value for ``field``: one the store holds, or any of the field's kind."""
    if seen.get(field):
        return st.one_of(st.sampled_from(seen[field]), typed_value(field))
    return typed_value(field)


def leaves(seen: dict[str, tuple[int | str, ...]]) -> st.SearchStrategy[Expr]:
    held = [f for f in ALL_FIELDS if seen.get(f)]  # mostly fields the store has values for
    fields = st.one_of(st.sampled_from(held), st.sampled_from(held),
                       st.sampled_from(ALL_FIELDS)) if held else st.sampled_from(ALL_FIELDS)
    held_text = [f for f in held if f in STRING_FIELDS] or list(STRING_FIELDS)
    compare = fields.flatmap(lambda f: st.builds(Compare, st.just(f),
                                                 st.sampled_from(COMPARE_OPS), near(f, seen)))
    in_set = fields.flatmap(lambda f: st.builds(
        InSet, st.just(f), st.lists(near(f, seen), min_size=1, max_size=4).map(tuple)))
    addresses = tuple(str(v) for f in ADDRESS_FIELDS for v in seen.get(f, ()))
    in_net = st.builds(InNet, st.sampled_from(sorted(ADDRESS_FIELDS)),
                       st.lists(networks(addresses), min_size=1, max_size=3).map(tuple))

    def texts_of(field: str) -> tuple[str, ...]:
        return tuple(str(v) for v in seen.get(field, ())) or TEXT_POOL

    regex = fields.flatmap(lambda f: st.builds(Match, st.just(f), regexes(texts_of(f)),
                                               st.just("regex")))
    glob = st.one_of(st.sampled_from(held_text), st.sampled_from(STRING_FIELDS)).flatmap(
        lambda f: st.builds(Match, st.just(f), globs(texts_of(f)), st.just("glob")))
    flags = st.builds(FlagsAll, st.just("tcp-flags"), st.integers(0, 63))
    return st.one_of(compare, in_set, in_net, regex, glob, flags,
                     st.builds(Const, st.booleans()))


def trees(seen: dict[str, tuple[int | str, ...]]) -> st.SearchStrategy[Expr]:
    return st.recursive(leaves(seen), lambda inner: st.one_of(
        inner.map(Not),
        st.lists(inner, min_size=1, max_size=3).map(lambda items: And(tuple(items))),
        st.lists(inner, min_size=1, max_size=3).map(lambda items: Or(tuple(items))),
    ), max_leaves=8)


# -------------------------------------------------------------------- expressions as text

def _quoted(text: str) -> str:
    return "'" + text.replace("'", "\\'") + "'"


def _quotable(text: str) -> bool:
    # A quoted value cannot end in a backslash: the grammar reads \' as an escaped quote.
    return not text.endswith("\\")


TEXT_TERMS = st.one_of(
    st.builds("{}port {}".format, st.sampled_from(("", "src ", "dst ")),
              st.sampled_from(("22", "80", "443", "ssh", "https", "0", "1k", "1000-2000",
                               "0-1024", ">= 1024", "< 80", "!= 22"))),
    st.builds("proto {}".format, st.sampled_from(("tcp", "udp", "6", "icmp", "58", "17"))),
    st.sampled_from(("tcp", "udp", "icmp", "icmpv6", "accept", "reject", "nodata", "skipdata",
                     "ingress", "egress", "ACCEPT", "Reject")),
    st.builds("flags {}".format, st.sampled_from(("S", "SA", "F,R", "18", "SYN", "ACK+SYN"))),
    st.builds("{}net {}".format, st.sampled_from(("", "src ", "dst ", "pkt-src ", "pkt-dst ")),
              networks()),
    st.builds("{}host {}".format, st.sampled_from(("", "src ", "dst ", "pkt-dst ")),
              address_text().filter(lambda a: re.fullmatch(r"[0-9A-Fa-f.:]+", a) is not None)),
    st.builds("{} {} {}".format, st.sampled_from(("bytes", "packets", "srcport", "protocol",
                                                  "version", "traffic_path")),
              st.sampled_from(("=", "==", "!=", "<", "<=", ">", ">=")),
              st.sampled_from(("0", "10", "1500", "10k", "2M", "1KiB", "65535", "18"))),
    st.builds("{} {} {}".format, st.sampled_from(("start", "end")),
              st.sampled_from(("<", ">=", "=")),
              st.sampled_from(("1700000000", "2023-11-14T22:13:20", "'2023-11-14 22:14Z'",
                               "-1000d"))),
    st.builds("during {}".format, st.sampled_from((
        "1700000000..1700000060", "2023-11-14T22:13..22:15", "1699990000..1700010000"))),
    st.builds("tcp-flags {} {}".format, st.sampled_from(("=", "!=", ">")),
              st.sampled_from(("0", "2", "18", "SA", "F"))),
    st.builds("{} {} {}".format,
              st.sampled_from([f for f in STRING_FIELDS if f not in ADDRESS_FIELDS]),
              st.sampled_from(("=", "!=", "<", ">=")),
              st.one_of(st.sampled_from(TEXT_POOL), WORD, globs()).filter(_quotable)
              .map(_quoted)),
    st.builds("{} {} {}".format, st.sampled_from(ALL_FIELDS), st.sampled_from(("~", "!~")),
              regexes().filter(_quotable).map(_quoted)),
    st.builds("{} in ({})".format, st.sampled_from(("srcport", "dstport", "protocol")),
              st.lists(st.integers(0, 65535).map(str), min_size=1, max_size=3).map(", ".join)),
    st.builds("{} in ({})".format, st.sampled_from(("interface-id", "account-id", "action",
                                                    "srcaddr")),
              st.lists(st.sampled_from(TEXT_POOL).filter(_quotable).map(_quoted),
                       min_size=1, max_size=3).map(", ".join)),
    st.builds("{} in {}".format, st.sampled_from(sorted(ADDRESS_FIELDS)), networks()),
    st.builds("{} {} {}".format, st.sampled_from(("srcaddr", "dstaddr")),
              st.sampled_from(("=", "!=")), networks()),
)


def texts() -> st.SearchStrategy[str]:
    return st.recursive(TEXT_TERMS, lambda inner: st.one_of(
        st.builds("not {}".format, inner), st.builds("!{}".format, inner),
        st.builds("({})".format, inner),
        st.builds("{} {} {}".format, inner, st.sampled_from(("and", "&&", "AND", "or", "||",
                                                             "Or")), inner),
        st.builds("({}) ({})".format, inner, inner),
    ), max_leaves=5)


# ------------------------------------------------------------------------------ engines

_CONNECTION = duckdb.connect()
ROW = "flowtui_row"


def via_arrow(expr: Expr, store: RecordStore) -> list[int]:
    predicate = compile_arrow(expr)
    found: list[int] = []
    offset = 0
    for batch in store.snapshot().batches:
        mask = predicate.mask(batch)
        assert mask.null_count == 0
        found += [offset + i for i, keep in enumerate(mask.to_pylist()) if keep]
        offset += batch.num_rows
    return found


def via_runs(expr: Expr, store: RecordStore) -> list[int]:
    """The view's path: every batch at once, evaluated as runs of one schema. Each batch
    is cut in three (one row, an empty slice, the rest), so that runs hold several batches
    of one format, a batch without rows among them."""
    pieces: list[pa.RecordBatch] = []
    for batch in store.snapshot().batches:
        pieces += [batch.slice(0, 1), batch.slice(1, 0), batch.slice(1)]
    found: list[int] = []
    offset = 0
    for piece, offsets in zip(pieces, compile_arrow(expr).offsets(pieces), strict=True):
        assert offsets.null_count == 0 and offsets.type == pa.uint16()
        found += [offset + i for i in offsets.to_pylist()]
        offset += piece.num_rows
    return found


class DuckDB:
    """The store's batches as one Arrow table in DuckDB, with each row's place in the store."""

    def __init__(self, store: RecordStore) -> None:
        table = arrow_for_sql(store.snapshot().batches)
        self.table = table.append_column(ROW, pa.array(range(table.num_rows), pa.int64()))
        self.columns = store.columns

    def rows(self, expr: Expr) -> list[int]:
        sql = predicate_sql(expr, self.columns, "duckdb")
        _CONNECTION.register("flows", self.table)
        try:
            found = _CONNECTION.execute(f"SELECT {ROW} FROM flows WHERE {sql} ORDER BY 1")
            return [r[0] for r in found.fetchall()]
        finally:
            _CONNECTION.unregister("flows")


def assert_same_rows(exprs: list[Expr], store: RecordStore) -> None:
    rows = store.rows(0, len(store))
    duck = DuckDB(store)
    for expr in exprs:
        expected = matching(expr, rows)
        athena = predicate_sql(expr, store.columns, "athena")
        sqlglot.parse_one(athena, read="trino")  # reads back as Trino SQL
        assert duck.rows(expr) == expected, (expr, predicate_sql(expr, store.columns,
                                                                 "duckdb"))
        assert via_arrow(expr, store) == expected, expr
        assert via_runs(expr, store) == expected, expr


SETTINGS = settings(max_examples=60, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(store=stores(), data=st.data())
def test_trees_give_the_same_rows_in_every_engine(store: RecordStore,
                                                  data: st.DataObject) -> None:
    exprs = data.draw(st.lists(trees(seen_values(store)), min_size=1, max_size=6))
    assert_same_rows(exprs, store)


@SETTINGS
@given(store=stores(), filters=st.lists(texts(), min_size=1, max_size=6))
def test_typed_filters_give_the_same_rows_in_every_engine(store: RecordStore,
                                                           filters: list[str]) -> None:
    exprs = []
    for text in filters:
        try:
            exprs.append(parse(text, store.columns, now=NOW))
        except FilterError:
            pass  # a value its field can never hold is refused (tests/test_query_values.py)
    assume(exprs)
    assert_same_rows(exprs, store)


def _sql_rows(sql: str, dialect: str, table: pa.Table) -> list[tuple]:
    """``sql`` run by DuckDB over ``table`` as ``flows``; Athena's (Trino) SQL is read as
    Trino and written as DuckDB's first, so both dialects' aggregates are run."""
    if dialect == "athena":
        sql = sqlglot.transpile(sql, read="trino", write="duckdb")[0]
    _CONNECTION.register("flows", table)
    try:
        return _CONNECTION.execute(sql).fetchall()
    finally:
        _CONNECTION.unregister("flows")


@SETTINGS
@given(store=stores(), by=st.sampled_from([("log-status",), ("srcaddr",), ("action",),
                                           ("protocol", "dstport")]),
       metric=st.sampled_from(aggregate.METRICS))
def test_top_and_histogram_sums_agree_in_every_engine(store: RecordStore,
                                                      by: tuple[str, ...],
                                                      metric: str) -> None:
    """Packets and bytes of a group or bucket: the sum of its records that recorded them,
    None ('-', not 0) where none did (NODATA/SKIPDATA rows: AWS's flow log record examples
    show '-' there), ranked after every number — Arrow, DuckDB's SQL and Athena's SQL."""
    assume(all(f in store.columns for f in by))
    batches = store.snapshot().batches
    table = arrow_for_sql(batches)
    arrow = aggregate.top(batches, list(by), metric, None).to_pylist()
    names = [*by, "records", "packets", "bytes"]
    expected = [tuple(row[n] for n in names) for row in arrow]
    recorded: dict[str, set[tuple]] = {"packets": set(), "bytes": set()}
    for row in store.rows(0, len(store)):
        for name, keys in recorded.items():
            if row.get(name) is not None:
                keys.add(tuple(row.get(f) for f in by))
    for row in arrow:
        for name, keys in recorded.items():
            assert (row[name] is None) == (tuple(row[f] for f in by) not in keys), row
    ranked = [row[metric] for row in arrow]
    assert None not in ranked or set(ranked[ranked.index(None):]) == {None}  # last
    hist = aggregate.histogram(batches, 60, fill=False)
    expected_hist = [(int(r["time"].timestamp()), *(r[n] for n in
                                                     aggregate.HISTOGRAM_COLUMNS[1:]))
                     for r in hist.to_pylist()]
    for dialect in ("duckdb", "athena"):
        sql = top_sql("flows", store.columns, by=list(by), metric=metric, n=None,
                      dialect=dialect)
        assert [r[:len(names)] for r in _sql_rows(sql, dialect, table)] == expected, dialect
        if "start" in store.columns:
            sql = histogram_sql("flows", store.columns, every=60, dialect=dialect)
            assert _sql_rows(sql, dialect, table) == expected_hist, dialect


EDGE_ADDRESSES = (
    "10.0.0.1", "2001:db8::1", "2001:DB8:0:0:0:0:0:1", "2001:0db8::0001", "::ffff:10.0.0.1",
    "::", "::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6::", "::2:3:4:5:6:7:8",
    "1:2:3:4:5:6:1.2.3.4", "::1.2.3.4", "fe80::1:2", "unknown", "1:2:3:4:5:6:7::8",
    "1:2:3:4:5:6:7", "1::2::3", "::ffff:1.2.3.04", "1.2.3.4.5", "10.0.0.256", "010.0.0.1",
    "12345::", ":1::", "1::2:", "2001:db8::/32",
)
NETWORKS = ("0.0.0.0/0", "10.0.0.0/8", "10.0.0.1/32", "::/0", "2001:db8::/32",
            "2001:db8::1/128", "::ffff:0:0/96", "::/127", "fe80::/10", "0.0.0.0/1")


def test_duckdb_reads_addresses_as_python_does() -> None:
    """The DuckDB network test (no inet extension) against ipaddress, on edge spellings."""
    store = RecordStore()
    batches, _ = parse_bytes(("srcaddr\n" + "\n".join(EDGE_ADDRESSES) + "\n").encode())
    for batch in batches:
        store.append(batch)
    assert len(store) == len(EDGE_ADDRESSES)
    rows = store.rows(0, len(store))
    duck = DuckDB(store)
    for network in NETWORKS:
        expr = InNet("srcaddr", (network,))
        assert duck.rows(expr) == matching(expr, rows), network
    everything = InNet("srcaddr", NETWORKS)
    assert duck.rows(everything) == matching(everything, rows) != []


@pytest.mark.parametrize("expr", [
    Compare("bytes", ">", 2**63), InSet("bytes", (2**63,)),
    Compare("srcport", ">", -(2**63) - 5), Compare("bytes", "<", 10**22),
])
def test_integers_beyond_the_column_type_compare_in_every_engine(expr: Expr) -> None:
    store = RecordStore()
    batches, _ = parse_bytes(b"srcport bytes\n22 1500\n- -\n")
    for batch in batches:
        store.append(batch)
    rows = store.rows(0, len(store))
    assert DuckDB(store).rows(expr) == matching(expr, rows)
    assert via_arrow(expr, store) == matching(expr, rows)
    assert via_runs(expr, store) == via_runs(Not(Not(expr)), store) == matching(expr, rows)
