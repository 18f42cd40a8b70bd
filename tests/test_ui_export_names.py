"""``w`` with names showing: the file says the names the table shows, as ``FIELD.name``
columns, and is byte for byte what ``flowtui cat --names`` writes for the same columns.

The records are the EC2 world's (tests/ec2_world.py, moto over HTTP) and one more: an
interface the inventory does not have, holding 10.20.1.10 (web-1's address). The screen
leaves that record's address unnamed (names/resolve.py: an address is named from the
inventory only on a record whose interface the inventory has; private IPv4 addresses repeat
across VPCs, so the address alone does not say whose it is), and the file must too.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from flowtui.ui.app import FlowtuiApp
from tests.cli_fork import flowtui_run
from tests.ec2_world import HEADER, RANGES, T0, World, flow_lines
from tests.test_ui_names import app_for, loaded, toasts
from tests.ui_helpers import press, screen_text, wait_for

pytestmark = pytest.mark.usefixtures("cache_home")

ROOT = Path(__file__).resolve().parent.parent
STRANGER = "eni-0aaa000000000000a"  # an interface no inventory read has


@pytest.fixture()
def files(ec2_world: World, tmp_path: Path) -> dict[str, Path]:
    w = ec2_world
    lines = [*flow_lines(w),
             f"5 {w.account} {STRANGER} {w.web['ip']} 10.99.0.9 40001 443 6 3 300 "
             f"{T0} {T0 + 30} ACCEPT OK egress"]
    log = tmp_path / "flows.log"
    log.write_text(HEADER + "\n" + "\n".join(lines) + "\n")
    ranges = tmp_path / "ip-ranges.json"
    ranges.write_text(json.dumps(RANGES))
    return {"log": log, "ranges": ranges, "folder": tmp_path}


def cat(world: World, files: dict[str, Path], *args: str) -> str:
    env = dict(os.environ, AWS_ENDPOINT_URL_EC2=world.endpoint_url,
               XDG_CACHE_HOME=str(files["folder"] / "cli-cache"))
    done = flowtui_run("cat", str(files["log"]), "--names", "--ip-ranges",
                       str(files["ranges"]), "--region", world.region, *args, cwd=ROOT,
                       timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def export(pilot: Pilot, app: FlowtuiApp, target: Path) -> None:
    await press(pilot, "w")
    app.main_screen.prompt.input.value = str(target)
    await press(pilot, "enter")
    await wait_for(pilot, lambda: any(f"rows to {target}" in str(n.message)
                                      for n in app._notifications),  # noqa: SLF001
                   timeout=30, what="the export's toast")


async def test_export_writes_the_names_the_table_shows_as_cat_names_does(
        ec2_world: World, files: dict[str, Path]) -> None:
    w = ec2_world
    app = app_for(w, files)
    folder = files["folder"]
    async with app.run_test(size=(200, 30)) as pilot:
        await loaded(pilot, app, rows=6)
        assert app.table.cell_names.mode == "numbers+names"
        await press(pilot, "b", "d")
        await pilot.pause()
        shown = screen_text(pilot)
        assert any(f"{w.web['ip']} web-1" in line for line in shown)
        stranger = next(line for line in shown if STRANGER in line)
        assert "web-1" not in stranger  # the record of an unknown interface: no name
        columns = app.table.view_columns
        for suffix in (".csv", ".jsonl", ".parquet"):
            await export(pilot, app, folder / f"named{suffix}")
        toasts = [str(n.message) for n in app._notifications]  # noqa: SLF001

    with (folder / "named.csv").open(newline="") as handle:
        table = list(csv.DictReader(handle))
    names = [(r["interface-id.name"], r["srcaddr.name"], r["dstaddr.name"]) for r in table]
    assert names == [
        ("web-1", "web-1", "db-1"), ("db-1", "web-1", "db-1"), ("web-1", "", "web-1"),
        (f"NAT gateway {w.nat['id']}", f"NAT gateway {w.nat['id']}", "AWS S3 us-east-1"),
        ("", "", ""),
        ("", "", ""),  # web-1's address on an interface the inventory lacks: unnamed
    ]
    # the same file as ``cat --names`` writes for the same columns
    header = next(csv.reader((folder / "named.csv").open(newline="")))
    assert header[header.index("srcaddr") + 1] == "srcaddr.name"
    wanted = ",".join(header)
    assert set(header) == {*columns, "interface-id.name", "srcaddr.name", "dstaddr.name"}
    assert (folder / "named.csv").read_text() == cat(w, files, "--format", "csv",
                                                     "--columns", wanted)
    assert (folder / "named.jsonl").read_text() == cat(w, files, "--format", "jsonl",
                                                       "--columns", wanted)
    cli_parquet = folder / "cli.parquet"
    cat(w, files, "--format", "parquet", "--output", str(cli_parquet), "--columns", wanted)
    import pyarrow.parquet as pq

    ours: Any = pq.read_table(folder / "named.parquet")
    assert ours.column_names == header
    assert ours.to_pylist() == pq.read_table(cli_parquet).to_pylist()
    assert all("names as FIELD.name columns" in t for t in toasts if "rows to" in t)


async def test_names_not_shown_are_not_exported(ec2_world: World,
                                                files: dict[str, Path]) -> None:
    """``N`` to numbers alone: the file is the raw columns, as before."""
    app = app_for(ec2_world, files)
    async with app.run_test(size=(200, 30)) as pilot:
        await loaded(pilot, app, rows=6)
        await press(pilot, "N", "N")
        assert app.table.cell_names.mode == "numbers"
        target = files["folder"] / "plain.csv"
        await export(pilot, app, target)
        header = next(csv.reader(target.open(newline="")))
        assert header == app.table.view_columns


def test_a_record_whose_format_lacks_the_address_has_no_name_key(tmp_path: Path) -> None:
    """A sorted view gathers two formats into one schema; a format without ``srcaddr``
    (a custom format may leave it out; VPC user guide, "Flow log records": the fields are
    chosen) has no ``srcaddr`` key in JSON lines, and so no ``srcaddr.name`` either: a null
    would say the record's address has no name."""
    import pyarrow as pa

    from flowtui.names.namesfile import parse_names
    from flowtui.names.resolve import Names
    from flowtui.query.query import Query, parse_sort
    from flowtui.query.view import RecordView
    from flowtui.store import RecordStore
    from flowtui.ui.features.jobs.export import ExportJob, run_export

    store = RecordStore()
    store.append(pa.record_batch({"srcaddr": ["10.0.1.5"], "bytes": [180]}))
    store.append(pa.record_batch({"dstaddr": ["10.0.1.5"], "bytes": [90]}))
    view = RecordView(store, Query(sort=parse_sort("bytes")))
    names = Names(names_file=parse_names("cidr,name\n10.0.1.0/24,app\n"))
    target = tmp_path / "out.jsonl"
    columns = ("srcaddr", "srcaddr.name", "dstaddr", "dstaddr.name", "bytes")
    job = ExportJob(1, str(target), "jsonl", view.batches, columns, 2,
                    gathered=view.iter_gathered, names=names)
    said: list[Any] = []
    run_export(job, said.append, lambda: False)
    assert getattr(said[-1], "error", None) is None
    assert [json.loads(line) for line in target.read_text().splitlines()] == [
        {"dstaddr": "10.0.1.5", "dstaddr.name": "app", "bytes": 90},
        {"srcaddr": "10.0.1.5", "srcaddr.name": "app", "bytes": 180}]


@pytest.mark.parametrize("keys", [(), ("slash", *"not port 443", "enter"), ("s", "s")],
                         ids=["as-loaded", "filtered", "sorted"])
async def test_copy_as_csv_is_what_w_writes_names_and_all(ec2_world: World,
                                                          files: dict[str, Path],
                                                          keys: tuple[str, ...]) -> None:
    """``C`` with names showing: the clipboard (OSC 52) holds the CSV ``w`` writes for the
    same rows, FIELD.name columns included (it held the raw columns alone before), for the
    records as loaded, a filtered view of them and a sorted one."""
    app = app_for(ec2_world, files)
    target = files["folder"] / "shown.csv"
    async with app.run_test(size=(200, 30)) as pilot:
        await loaded(pilot, app, rows=6)
        assert app.table.cell_names.active
        if keys:
            await press(pilot, *keys)
            await wait_for(pilot, lambda: app.shown.view is not None
                           and not app.sorts.running and not app.sorts.pending,
                           what="the view")
        await export(pilot, app, target)
        await press(pilot, "C")
        await wait_for(pilot, lambda: any(t.startswith("Copied ") for t in toasts(app)),
                       what="the copy's toast")
        copied = app.clipboard
        rows = app.table.row_count
    written = target.read_text()
    assert "srcaddr.name" in written.partition("\n")[0]  # the names are in the file
    assert copied == written
    assert copied.count("\n") == rows + 1
