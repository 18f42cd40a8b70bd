"""``name X``, ``FIELD.name = X`` and ``sg X``: Arrow and DuckDB give the rows a reading of the
names themselves gives (each record's names from ``Names.name``, the glob matched in Python),
with the precedence (names file, inventory, IP ranges) and the narrowest network holding."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase

import duckdb
import pyarrow as pa
import pytest
import sqlglot

from flowtui.names.inventory import fetch, make_ec2_client
from flowtui.names.ipranges import parse_ip_ranges
from flowtui.names.namesfile import parse_names
from flowtui.names.resolve import Names
from flowtui.query.arrow import compile_arrow
from flowtui.query.expr import FilterError
from flowtui.query.query import Query
from flowtui.query.sql import arrow_for_sql, predicate_sql
from tests.ec2_world import World

RANGES = {"createDate": "2026-11-30-12-00-00", "prefixes": [
    {"ip_prefix": "52.94.0.0/16", "region": "us-east-1", "service": "EC2"},
    {"ip_prefix": "52.94.8.0/24", "region": "us-east-1", "service": "S3"},
    {"ip_prefix": "10.20.0.0/16", "region": "ap-northeast-3", "service": "EC2"}],
    "ipv6_prefixes": []}
NAMES_FILE = ("cidr,name\n198.51.100.0/24,partner\n198.51.100.128/25,partner-lab\n"
              "52.94.8.0/26,office-proxy\n10.20.2.30/32,batch\n")


@pytest.fixture(scope="module")
def names(ec2_world: World) -> Names:
    inventory = fetch(make_ec2_client(region=ec2_world.region,
                                      endpoint_url=ec2_world.endpoint_url), ec2_world.region)
    return Names(names_file=parse_names(NAMES_FILE), inventories=[inventory],
                 ip_ranges=parse_ip_ranges(json.loads(json.dumps(RANGES))).table)


@pytest.fixture(scope="module")
def batch(ec2_world: World) -> pa.RecordBatch:
    w = ec2_world
    addresses = [w.web["ip"], w.db["ip"], w.plain["ip"], w.nat["ip"], w.web["ipv6"],
                 "198.51.100.7", "198.51.100.200", "52.94.1.1", "52.94.8.8", "52.94.8.100",
                 "10.20.9.9", "8.8.8.8", None]
    enis = [w.web["eni"], w.db["eni"], w.nat["eni"], w.endpoint["eni"], "eni-0000unknown", None]
    rows = [(enis[i % len(enis)], addresses[i % len(addresses)],
             addresses[(i * 5 + 3) % len(addresses)]) for i in range(120)]
    return pa.RecordBatch.from_pydict({
        "interface-id": pa.array([r[0] for r in rows]).dictionary_encode(),
        "srcaddr": pa.array([r[1] for r in rows]).dictionary_encode(),
        "dstaddr": pa.array([r[2] for r in rows]).dictionary_encode(),
        "dstport": pa.array(range(120), pa.int32())})


def expected(batch: pa.RecordBatch, names: Names, fields: tuple[str, ...], pattern: str
             ) -> list[int]:
    rows = batch.to_pylist()
    out = []
    for i, row in enumerate(rows):
        for field in fields:
            name = names.name(field, row[field], names.where(row))
            if name is not None and fnmatchcase(name.lower(), pattern.lower()):
                out.append(i)
                break
    return out


def via_arrow(query: Query, batch: pa.RecordBatch) -> list[int]:
    mask = compile_arrow(query.where).mask(batch)
    return [i for i, keep in enumerate(mask.to_pylist()) if keep]


def via_duckdb(query: Query, batch: pa.RecordBatch) -> list[int]:
    table = arrow_for_sql([batch])
    table = table.append_column("row", pa.array(range(table.num_rows), pa.int64()))
    sql = predicate_sql(query.where, batch.schema.names, "duckdb")
    sqlglot.parse_one(predicate_sql(query.where, batch.schema.names, "athena"), read="trino")
    connection = duckdb.connect()
    connection.register("flows", table)
    return [r[0] for r in connection.execute(
        f"SELECT row FROM flows WHERE {sql} ORDER BY 1").fetchall()]


@pytest.mark.parametrize(("text", "fields", "pattern"), [
    ("name web-*", ("interface-id", "srcaddr", "dstaddr"), "web-*"),
    ("name 'NAT gateway*'", ("interface-id", "srcaddr", "dstaddr"), "NAT gateway*"),
    ("srcaddr.name = db-1", ("srcaddr",), "db-1"),
    ("dstaddr.name = partner", ("dstaddr",), "partner"),  # not the /25 inside it
    ("name partner*", ("interface-id", "srcaddr", "dstaddr"), "partner*"),
    ("dstaddr.name = 'AWS S3 us-east-1'", ("dstaddr",), "AWS S3 us-east-1"),  # minus the /26
    ("srcaddr.name = 'AWS EC2*'", ("srcaddr",), "AWS EC2*"),  # minus the inventory's addresses
    ("srcaddr.name = batch", ("srcaddr",), "batch"),  # names file over the inventory
    ("interface-id.name = WEB-1", ("interface-id",), "web-1"),  # case-insensitive
])
def test_name_filters_agree_with_the_names(text: str, fields: tuple[str, ...], pattern: str,
                                           names: Names, batch: pa.RecordBatch) -> None:
    query = Query.build(text, names=names)
    rows = expected(batch, names, fields, pattern)
    assert rows, "the case must select something"
    assert via_arrow(query, batch) == rows
    assert via_duckdb(query, batch) == rows


def test_not_equal_is_false_where_there_is_no_name(names: Names, batch: pa.RecordBatch) -> None:
    query = Query.build("srcaddr.name != web-1", names=names)
    rows = [i for i, row in enumerate(batch.to_pylist())
            if (n := names.name("srcaddr", row["srcaddr"], names.where(row))) is not None
            and n != "web-1"]
    assert via_arrow(query, batch) == rows == via_duckdb(query, batch)


def test_sg_selects_the_interfaces_in_the_group(ec2_world: World, names: Names,
                                                batch: pa.RecordBatch) -> None:
    for text in (f"sg {ec2_world.sg_web}", "sg sg-web", "sg 'web'"):
        query = Query.build(text, names=names)
        rows = [i for i, row in enumerate(batch.to_pylist())
                if row["interface-id"] == ec2_world.web["eni"]]
        assert via_arrow(query, batch) == rows == via_duckdb(query, batch)


@pytest.mark.parametrize(("text", "message"), [
    ("name wbe-1", "no interface or address is named 'wbe-1' (names like: web-1, db-1, "
                   "worker-1) (column 6): name ‸wbe-1"),
    ("sg sg-nothing", "sg 'sg-nothing': no security group of the EC2 inventory is "
                      "'sg-nothing' (by id, group name or Name tag) (column 4): sg ‸sg-nothing"),
])
def test_a_name_nothing_has_is_an_error_with_a_hint(names: Names, text: str,
                                                    message: str) -> None:
    with pytest.raises(FilterError) as caught:
        Query.build(text, names=names)
    assert str(caught.value) == message


def test_name_terms_without_names_are_an_error() -> None:
    with pytest.raises(FilterError) as caught:
        Query.build("reject and name web-1")
    assert str(caught.value).startswith("name, sg and FIELD.name need names (--names")


def test_a_column_called_something_dot_name_is_still_a_column() -> None:
    query = Query.build("odd.name = y", columns=["odd.name"])
    assert query.where.field == "odd.name"  # type: ignore[union-attr]


