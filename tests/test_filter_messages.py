"""A user walk through the filter language (--where and the filter bar): filters that matched
nothing by construction, and errors that named the wrong problem.

- ``interface-id = ENI-D9A1*`` matched nothing: AWS writes resource IDs as a prefix and
  lower-case letters and digits (EC2 user guide, Resource IDs: "i-1234567890abcdef0"), so an
  ID typed in capitals is read in lower case, the same tree for Arrow, DuckDB and Athena.
- ``srcport = dstport`` said "unknown service 'dstport'" and ``packets < bytes`` "packets is a
  number, not 'bytes'": the problem is comparing two fields. ``bytes > -1`` said "bytes is a
  number, not '-1'": it is a number, one no counter holds.
- nfdump's comparators (``port gt 1024``) said "unknown field '1024'".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flowtui.query.expr import parse
from flowtui.query.sql import predicate_sql
from flowtui.query.steps import quick_step
from flowtui.store import RecordStore
from tests.cli_fork import flowtui_run
from tests.test_query_values import NOW, arrow_rows, duck_rows, store_of

ROOT = Path(__file__).resolve().parent.parent
HEADER = "account-id interface-id vpc-id subnet-id instance-id srcaddr dstaddr bytes"
ROWS = [
    "123456789012 eni-0d9a1b2c3d4e5f607 vpc-0a1b2c3d subnet-0f1e2d3c i-0abc1234def567890 "
    "10.0.0.5 2001:db8::a 100",                                                    # 0
    "123456789012 eni-0ffff000011112222 vpc-0a1b2c3d subnet-0aaaaaaa i-0fff1234def567890 "
    "10.0.0.6 10.0.1.9 200",                                                       # 1
    "unknown eni-0d9a1b2c3d4e5f608 - - - 10.0.0.7 10.0.1.9 300",                   # 2
]


@pytest.fixture(scope="module")
def ids() -> RecordStore:
    return store_of(HEADER, ROWS)


def both(store: RecordStore, text: str) -> list[int]:
    found = arrow_rows(store, text)
    assert duck_rows(store, text) == found, text
    return found


@pytest.mark.parametrize(("upper", "lower", "expected"), [
    ("interface-id = ENI-0D9A1*", "interface-id = eni-0d9a1*", [0, 2]),
    ("interface-id = ENI-0D9A1B2C3D4E5F607", "interface-id = eni-0d9a1b2c3d4e5f607", [0]),
    ("interface-id != ENI-0D9A1B2C3D4E5F607", "interface-id != eni-0d9a1b2c3d4e5f607", [1, 2]),
    ("vpc-id in (VPC-0A1B2C3D, vpc-9)", "vpc-id in (vpc-0a1b2c3d, vpc-9)", [0, 1]),
    ("subnet-id = Subnet-0F1E*", "subnet-id = subnet-0f1e*", [0]),
    ("instance-id = I-0FFF1234DEF567890", "instance-id = i-0fff1234def567890", [1]),
    ("account-id = UNKNOWN", "account-id = unknown", [2]),
    ("dstaddr = 2001:DB8::*", "dstaddr = 2001:db8::*", [0]),
])
def test_an_id_typed_in_capitals_finds_the_id_aws_writes(ids: RecordStore, upper: str,
                                                        lower: str, expected: list[int]
                                                        ) -> None:
    """AWS writes resource IDs in lower case (EC2 user guide, Resource IDs: a resource
    identifier, a hyphen and letters and numbers, "i-1234567890abcdef0"), so ``ENI-0D9A1*``
    matched nothing by construction; it now reads as the ID, in Arrow, DuckDB and Athena's SQL
    alike."""
    assert both(ids, upper) == both(ids, lower) == expected
    for dialect in ("duckdb", "athena"):
        assert predicate_sql(parse(upper, ids.columns, now=NOW), ids.columns, dialect) \
            == predicate_sql(parse(lower, ids.columns, now=NOW), ids.columns, dialect)


def test_a_regular_expression_on_an_id_stays_as_typed(ids: RecordStore) -> None:
    """``~`` is the exact way to damaged text (README): its case is the user's."""
    assert both(ids, "interface-id ~ '^eni-0d9a1'") == [0, 2]
    assert both(ids, "interface-id ~ '^ENI'") == []


def test_a_quick_filter_on_damaged_capitals_keeps_exactly_that_value() -> None:
    """Damaged data may hold an ID in capitals; ``=`` would read it in lower case, so the
    quick filter (Enter/``-`` on a cell, a top-N drill-down) uses an anchored ``~``."""
    damaged = store_of("interface-id bytes", ["ENI-0ABC 1", "eni-0abc 2", "eni-0abd 3"])
    keep = quick_step("interface-id", "ENI-0ABC", keep=True)
    assert both(damaged, keep) == [0]
    assert both(damaged, quick_step("interface-id", "ENI-0ABC", keep=False)) == [1, 2]


def test_cat_where_an_id_in_capitals_prints_its_records() -> None:
    """The walk's command: ``flowtui cat FILE --where 'interface-id = ENI-…*'`` said "no
    record matches" (exit 0, nothing printed); the sample's interface is eni-45eb484b…"""
    sample = next((ROOT / "samples").rglob("*.log.gz"))
    upper = flowtui_run("cat", str(sample), "--where", "interface-id = ENI-45EB484B*",
                        "--columns", "interface-id", "--format", "jsonl", "--limit", "1")
    assert upper.returncode == 0, upper.stderr
    assert '"eni-45eb484b0326643cc"' in upper.stdout


def where_error(text: str) -> str:
    """The one stderr line of ``flowtui cat SAMPLE --where text``, which must exit 2."""
    sample = next((ROOT / "samples").rglob("*.log.gz"))
    done = flowtui_run("cat", str(sample), "--where", text)
    assert done.returncode == 2 and done.stdout == "", (done.returncode, done.stderr)
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("flowtui: ")
    return done.stderr


@pytest.mark.parametrize(("text", "example"), [
    ("srcport = dstport", "(srcport = 22)"),
    ("packets < bytes", "(packets < 100)"),
    ("srcaddr = dstaddr", "(srcaddr = 10.0.0.5)"),
    ("port dstport", "(srcport = 22)"),
])
def test_comparing_two_fields_says_so(text: str, example: str) -> None:
    """The value was read as a value of the field: "unknown service 'dstport'", "packets is
    a number, not 'bytes'". The user named a second field, which a filter does not compare."""
    line = where_error(text)
    other = text.split()[-1]
    assert f"'{other}' is a field: a filter compares a field with a value {example}, " \
        "not two fields" in line, line
    assert "unknown service" not in line and "is a number, not" not in line


@pytest.mark.parametrize("text", ["bytes < -1", "packets = -1", "bytes in (-1, 5)"])
def test_a_negative_count_cannot_occur(text: str) -> None:
    """A counter is never negative (bytes and packets: INT_64 counts in AWS's Parquet
    schema, 0 when nothing was sent): "bytes is a number, not '-1'" named the wrong problem."""
    line = where_error(text)
    assert "-1 cannot occur: " in line and " is 0-9223372036854775807" in line, line
    assert "is a number, not" not in line


def test_a_negative_lower_bound_keeps_every_count(ids: RecordStore) -> None:
    """``bytes > -1`` is true of every record with bytes, as ``bytes >= 0`` is (the house
    rule: always true is not an error): the same rows in Arrow and DuckDB, not an error."""
    assert both(ids, "bytes > -1") == both(ids, "bytes >= 0") == [0, 1, 2]
    assert both(ids, "bytes != -5") == [0, 1, 2]
    sample = next((ROOT / "samples").rglob("*.log.gz"))
    every = flowtui_run("cat", str(sample), "--where", "bytes > -1", "--format", "jsonl")
    assert every.returncode == 0, every.stderr
    assert every.stdout == flowtui_run("cat", str(sample), "--where", "bytes >= 0",
                                       "--format", "jsonl").stdout != ""


@pytest.mark.parametrize(("nfdump", "symbol"), [
    ("bytes lt 250", "bytes < 250"), ("bytes GT 100", "bytes > 100"),
    ("bytes eq 200", "bytes = 200"), ("bytes ge 200", "bytes >= 200"),
    ("bytes le 200", "bytes <= 200"), ("bytes ne 200", "bytes != 200"),
])
def test_nfdumps_comparators_are_the_operators(ids: RecordStore, nfdump: str, symbol: str
                                               ) -> None:
    """nfdump's filter scanner reads eq gt lt ge le as = > < >= <= (phaag/nfdump,
    src/libnfdump/filter/scanner.l); ne is read as != alongside. No field is named so."""
    assert parse(nfdump, ids.columns, now=NOW) == parse(symbol, ids.columns, now=NOW)
    assert both(ids, nfdump) == both(ids, symbol) != []


def test_cat_where_port_gt_1024_is_port_above_1024() -> None:
    """The walk's command said "unknown field '1024'" (exit 2)."""
    sample = next((ROOT / "samples").rglob("*.log.gz"))
    words = flowtui_run("cat", str(sample), "--where", "port gt 1024 and packets eq 1",
                        "--format", "jsonl")
    symbols = flowtui_run("cat", str(sample), "--where", "port > 1024 and packets = 1",
                          "--format", "jsonl")
    assert words.returncode == symbols.returncode == 0, words.stderr
    assert words.stdout == symbols.stdout != ""


def test_tab_after_an_nfdump_comparator_offers_the_fields_values() -> None:
    """The filter bar's Tab completes the values a field holds after ``field =``; after
    ``field eq`` it offered field names and keywords (none starting with 'eni-4')."""
    from flowtui.ui.features.filter.suggest import matches

    def seen(field: str) -> list[str]:
        return {"interface-id": ["eni-45eb", "eni-472f", "eni-9"],
                "dstport": ["443", "22"]}.get(field, [])

    assert matches("interface-id eq eni-4", [], seen) == (
        "interface-id eq ", "eni-4", ["eni-45eb", "eni-472f"])
    assert matches("tcp and dstport GT 4", [], seen)[2] == ["443"]
