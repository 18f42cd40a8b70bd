"""Names only where the record is: an address is named from the EC2 inventory on a record
whose interface the inventory has, by a holder in that interface's VPC (a public or IPv6
address by its holder anywhere); a record of a deleted interface, or of a VPC or region not
read, reads as unknown. The rule is ``flowtui.names.resolve``'s docstring; here it is
checked on every surface that names a record: the FIELD.name columns (cat, top), a name
filter in both engines, the detail panel, the story, and ``flowtui top --by srcaddr.name``.

Facts: deleting a network interface "releases any private IP addresses or Elastic IP
addresses to be used by another instance" (EC2 User Guide, Delete a network interface), so
who holds an address now says nothing of a deleted interface's records; VPCs with
overlapping IPv4 CIDR blocks can't be peered (VPC Peering Guide, Create a VPC peering
connection: "If they overlap, the status of the VPC peering connection immediately goes to
failed"), so of two VPCs using 10.20.1.10 the one meant by a record is its own.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from flowtui.names.resolve import Names
from flowtui.names.story import who
from flowtui.query.arrow import compile_arrow
from flowtui.query.query import Query
from flowtui.query.sql import arrow_for_sql, predicate_sql
from tests.cli_fork import flowtui_run
from tests.ec2_world import HEADER, RANGES, T0, World, names_of, twin_vpc

OTHER_REGION = "eu-south-2"  # no other test uses it: moto's state is shared in-process
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def places(ec2_world: World) -> dict[str, Any]:
    """A deleted interface whose address 10.20.1.77 another interface holds now (the
    world's VPC), and another region's VPC using the world's CIDR with "other-web" at
    web-1's address 10.20.1.10."""
    ec2 = ec2_world.client()
    gone = ec2.create_network_interface(SubnetId=ec2_world.subnet_app,
                                        PrivateIpAddress="10.20.1.77")["NetworkInterface"]
    ec2.delete_network_interface(NetworkInterfaceId=gone["NetworkInterfaceId"])
    new = ec2.create_network_interface(SubnetId=ec2_world.subnet_app,
                                       PrivateIpAddress="10.20.1.77")["NetworkInterface"]
    ec2.create_tags(Resources=[new["NetworkInterfaceId"]],
                    Tags=[{"Key": "Name", "Value": "new-holder"}])
    other = twin_vpc(ec2_world.endpoint_url, OTHER_REGION, ec2_world.web["ip"], "other-web")
    return {"gone": gone["NetworkInterfaceId"], "new": new["NetworkInterfaceId"],
            "other_eni": other["eni"], "other_vpc": other["vpc"]}


@pytest.fixture(scope="module")
def world_only(ec2_world: World, places: dict[str, Any]) -> Names:
    return names_of(ec2_world.endpoint_url, ec2_world.region)


@pytest.fixture(scope="module")
def both(ec2_world: World, places: dict[str, Any], world_only: Names) -> Names:
    return Names(inventories=[*world_only.inventories,
                              *names_of(ec2_world.endpoint_url, OTHER_REGION).inventories])


def records(w: World, p: dict[str, Any]) -> list[dict[str, Any]]:
    """web-1 → db-1; the deleted interface from 10.20.1.77; other-web (other region) to
    10.20.1.10 and to web-1's IPv6 address."""
    return [
        {"interface-id": w.web["eni"], "srcaddr": w.web["ip"], "dstaddr": w.db["ip"]},
        {"interface-id": p["gone"], "srcaddr": "10.20.1.77", "dstaddr": w.db["ip"]},
        {"interface-id": p["other_eni"], "srcaddr": w.web["ip"], "dstaddr": w.web["ipv6"]},
        {"interface-id": p["other_eni"], "srcaddr": "10.20.9.9", "dstaddr": w.web["ip"]},
    ]


def batch_of(rows: list[dict[str, Any]]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist(
        [{**r, "start": T0 + i} for i, r in enumerate(rows)])


def named_columns(names: Names, rows: list[dict[str, Any]]) -> list[tuple[Any, Any]]:
    out = names.with_names(batch_of(rows))
    return list(zip(out.column("srcaddr.name").to_pylist(),
                    out.column("dstaddr.name").to_pylist(), strict=True))


def test_a_record_the_inventory_cannot_place_gets_no_inventory_name(
        ec2_world: World, places: dict[str, Any], world_only: Names) -> None:
    """Before: the deleted interface's 10.20.1.77 read "new-holder" (who holds it now), and
    the other region's record named its own 10.20.1.10 "web-1" (the world's instance)."""
    rows = records(ec2_world, places)
    assert named_columns(world_only, rows) == [
        ("web-1", "db-1"),  # placed: web-1's interface, db-1 in its VPC
        (None, None),  # a deleted interface: its addresses are unknown, db-1's too
        (None, None),  # another region's VPC, not read
        (None, None)]
    for row, (src, dst) in zip(rows, named_columns(world_only, rows), strict=True):
        where = world_only.where(row)
        assert (world_only.name("srcaddr", row["srcaddr"], where),
                world_only.name("dstaddr", row["dstaddr"], where)) == (src, dst)
    # the detail panel says why 10.20.1.77 has no name, and names nothing after new-holder
    from flowtui.ui.widgets.names.lines import NOT_PLACED, detail_lines

    panel = dict(detail_lines(world_only, rows[1]))
    assert "new-holder" not in " ".join(panel.values())
    assert panel["not named"] == NOT_PLACED
    # the story's "who" line
    assert who(rows[1], world_only) == f"10.20.1.77 → {ec2_world.db['ip']}"
    assert who(rows[2], world_only).startswith(f"{ec2_world.web['ip']} → ")


def test_the_records_vpc_picks_which_holder_is_meant(
        ec2_world: World, places: dict[str, Any], both: Names) -> None:
    """Both regions read: 10.20.1.10 is web-1 on web-1's records and other-web on
    other-web's (before: "web-1 or other-web" on both); web-1's IPv6 address is web-1's
    wherever it is seen (an IPv6 address is one interface's, not per VPC)."""
    rows = records(ec2_world, places)
    assert named_columns(both, rows) == [
        ("web-1", "db-1"),
        (None, None),
        ("other-web", "web-1"),
        (None, "other-web")]
    assert both.address(ec2_world.web["ip"]) == "web-1 or other-web"  # no record: both


def _rows(query: Query, batch: pa.RecordBatch) -> tuple[list[int], list[int]]:
    mask = compile_arrow(query.where).mask(batch)
    arrow = [i for i, keep in enumerate(mask.to_pylist()) if keep]
    table = arrow_for_sql([batch])
    table = table.append_column("row", pa.array(range(table.num_rows), pa.int64()))
    connection = duckdb.connect()
    connection.register("flows", table)
    sql = predicate_sql(query.where, batch.schema.names, "duckdb")
    return arrow, [r[0] for r in connection.execute(
        f"SELECT row FROM flows WHERE {sql} ORDER BY 1").fetchall()]


@pytest.mark.parametrize(("text", "which", "kept"), [
    ("srcaddr.name = web-1", "both", [0]),  # not other-web's own 10.20.1.10
    ("srcaddr.name = other-web", "both", [2]),
    ("dstaddr.name = web-1", "both", [2]),  # by IPv6; not row 3's 10.20.1.10
    ("srcaddr.name = new-holder", "world_only", []),  # not the deleted interface's record
    ("dstaddr.name = db-1", "world_only", [0]),
])
def test_a_name_filter_keeps_the_rows_named_so(ec2_world: World, places: dict[str, Any],
                                               request: pytest.FixtureRequest, text: str,
                                               which: str, kept: list[int]) -> None:
    """A filter by name keeps exactly the rows whose FIELD.name column says that name (the
    drill-down of a top by name must count what it showed), in Arrow and in DuckDB."""
    names: Names = request.getfixturevalue(which)
    rows = records(ec2_world, places)
    field = text.split(".")[0]
    wanted = text.split("= ")[1]
    column = names.with_names(batch_of(rows)).column(f"{field}.name").to_pylist()
    assert [i for i, name in enumerate(column) if name == wanted] == kept
    assert _rows(Query.build(text, names=names), batch_of(rows)) == (kept, kept)


def gone_log(w: World, places: dict[str, Any], folder: Path) -> Path:
    """A flow log of two records: the deleted interface from 10.20.1.77 to db-1 (9000
    bytes), web-1 to db-1 (500 bytes)."""
    log = folder / "flows.log"
    log.write_text(HEADER + "\n" + "\n".join([
        f"5 {w.account} {places['gone']} 10.20.1.77 {w.db['ip']} 40000 5432 6 9 9000 "
        f"{T0} {T0 + 30} ACCEPT OK egress",
        f"5 {w.account} {w.web['eni']} {w.web['ip']} {w.db['ip']} 40001 5432 6 5 500 "
        f"{T0} {T0 + 30} ACCEPT OK egress"]) + "\n")
    return log


def test_top_by_name_does_not_count_a_deleted_interface_under_the_new_holder(
        ec2_world: World, places: dict[str, Any], tmp_path: Path) -> None:
    """``flowtui top --by srcaddr.name``: the deleted interface's 9000 bytes from
    10.20.1.77 are "(no name)", not new-holder's."""
    w = ec2_world
    log = gone_log(w, places, tmp_path)
    ranges = tmp_path / "ip-ranges.json"
    ranges.write_text(json.dumps(RANGES))
    env = dict(os.environ, AWS_ENDPOINT_URL_EC2=w.endpoint_url,
               XDG_CACHE_HOME=str(tmp_path / "cache"))
    done = flowtui_run("top", str(log), "--by", "srcaddr.name", "--format", "jsonl",
                       "--names", "--ip-ranges", str(ranges), "--region", w.region,
                       cwd=ROOT, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert {r["srcaddr.name"]: r["bytes"] for r in rows} == {None: 9000, "web-1": 500}


def test_a_conversation_names_a_side_only_as_its_recorders_place_it(
        ec2_world: World, places: dict[str, Any], world_only: Names, both: Names) -> None:
    """``story --conversation A B`` and the conversation screen's title. Before: named by
    the address alone, the deleted interface's 10.20.1.77 was "new-holder" and other-web's
    own 10.20.1.10 "web-1 or other-web"."""
    from flowtui.names.story import conversation_names
    from flowtui.query.conversation import conversation
    from flowtui.store import RecordStore

    w = ec2_world
    store = RecordStore()
    full = [{**r, "srcport": 40000, "dstport": 5432, "protocol": 6, "packets": 1,
             "bytes": 60, "end": T0 + 30, "action": "ACCEPT"} for r in records(w, places)]
    store.append(batch_of(full))
    talk = conversation(store, w.web["ip"], w.db["ip"])
    assert talk.recorders == {w.web["eni"]}
    assert conversation_names(talk, world_only) == {"a": "web-1", "b": "db-1"}
    gone = conversation(store, "10.20.1.77", w.db["ip"])
    assert conversation_names(gone, world_only) == {"a": None, "b": None}
    other = conversation(store, "10.20.9.9", w.web["ip"])  # other-web's record
    assert conversation_names(other, both) == {"a": None, "b": "other-web"}


@pytest.mark.usefixtures("cache_home")
async def test_the_table_leaves_a_deleted_interfaces_address_unnamed(
        ec2_world: World, places: dict[str, Any], tmp_path: Path) -> None:
    """In the app, srcaddr·name: web-1's row reads ``10.20.1.10 web-1``; the deleted
    interface's row reads ``10.20.1.77`` alone (before: ``10.20.1.77 new-holder``)."""
    from flowtui.names.resolve import NamesOptions
    from flowtui.ui.app import FlowtuiApp
    from tests.ui_helpers import screen_text, wait_for

    w = ec2_world
    log = gone_log(w, places, tmp_path)
    app = FlowtuiApp(str(log), region=w.region, names=NamesOptions(
        download_ip_ranges=False, endpoint_url=w.endpoint_url))
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_for(pilot, lambda: app.job is not None and not app.job.status.running
                       and app.table.row_count == 2, what="the records to load")
        await wait_for(pilot, lambda: f"{w.web['ip']} web-1" in "\n".join(
            screen_text(pilot)), timeout=30, what="web-1's row named")
        shown = "\n".join(screen_text(pilot))
        assert "srcaddr·name" in shown
        assert "new-holder" not in shown
        assert re.search(r"10\.20\.1\.77\s{2,}", shown)  # the address, then the next column


def test_every_name_an_address_has_is_what_at_finds_in_a_ranking_by_name(
        ec2_world: World, places: dict[str, Any], both: Names, world_only: Names) -> None:
    """``@ 10.20.1.10`` in top-N by name looks for the rows the address is filed under.
    Placed per record, it is filed under web-1 and under other-web, never under the
    address-only "web-1 or other-web": asking that name said "No row of top src has
    10.20.1.10" with both rows on screen."""
    assert both.every_name("srcaddr", ec2_world.web["ip"]) == {"web-1", "other-web"}
    assert world_only.every_name("srcaddr", "10.20.1.77") == {"new-holder"}
    assert world_only.every_name("srcaddr", "10.99.99.99") == set()
    assert world_only.every_name("interface-id", ec2_world.web["eni"]) == {"web-1"}


def test_names_are_the_same_whether_text_is_read_as_dictionaries_or_plain_strings(
        ec2_world: World, places: dict[str, Any], both: Names) -> None:
    """``cat --format csv`` reads text as plain strings (no dictionary per block), every other
    output as dictionaries: ``with_names`` must place and name each record alike (records of
    two VPCs, a deleted interface, an address of both)."""
    unplaced = {"interface-id": None, "srcaddr": ec2_world.web["ip"], "dstaddr": "10.20.9.9"}
    plain = batch_of([*records(ec2_world, places), unplaced] * 3)
    encoded = pa.RecordBatch.from_arrays(
        [c.dictionary_encode() if pa.types.is_string(c.type) else c for c in plain.columns],
        names=plain.schema.names)
    fields = ("interface-id.name", "srcaddr.name", "dstaddr.name")
    from_plain = both.with_names(plain).select(fields).to_pydict()
    assert from_plain == both.with_names(encoded).select(fields).to_pydict()
    assert from_plain["srcaddr.name"][:5] == ["web-1", None, "other-web", None, None]
