"""Names in the app, as a user sees them, against moto's EC2 and S3 in server mode: the name
in the detail panel, the table's named column under its header, top-N by name, the story's
rule line, ``name web-*`` filtering (also typed before the names arrive), and the one line
when EC2 refuses the inventory."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from flowtui.names.resolve import NamesOptions
from flowtui.ui.app import FlowtuiApp
from flowtui.ui.features.story.conversation import ConversationScreen
from flowtui.ui.features.story.screen import StoryScreen
from tests.ec2_world import HEADER, RANGES, World, flow_lines, refusing_ec2
from tests.ui_helpers import detail_caught_up, press, screen_text, wait_for

pytestmark = pytest.mark.usefixtures("cache_home")



@pytest.fixture()
def files(ec2_world: World, tmp_path: Path) -> dict[str, Path]:
    log = tmp_path / "flows.log"
    log.write_text(HEADER + "\n" + "\n".join(flow_lines(ec2_world)) + "\n")
    ranges = tmp_path / "ip-ranges.json"
    ranges.write_text(json.dumps(RANGES))
    return {"log": log, "ranges": ranges}


def options(world: World, ranges: Path | None, endpoint: str | None = None) -> NamesOptions:
    return NamesOptions(ip_ranges=str(ranges) if ranges else None, download_ip_ranges=False,
                        endpoint_url=endpoint or world.endpoint_url)


def app_for(world: World, files: dict[str, Path], **kw: Any) -> FlowtuiApp:
    """The app on the local file: names for the records' account-id in the app's region."""
    names = kw.pop("names", options(world, files["ranges"]))
    return FlowtuiApp(str(files["log"]), names=names, region=world.region, **kw)


def text(pilot: Pilot) -> str:
    return "\n".join(screen_text(pilot))


async def loaded(pilot: Pilot, app: FlowtuiApp, rows: int = 5) -> None:
    await wait_for(pilot, lambda: app.job is not None and not app.job.status.running
                   and app.table.row_count == rows, what="the records to load")
    await wait_for(pilot, lambda: app.names.names is not None and not app.names.reading,
                   timeout=30, what="the names to load")
    app.table.focus()


def toasts(app: FlowtuiApp) -> list[str]:
    """The notifications shown (each one line; a toast wraps it to its width)."""
    return [str(n.message) for n in app._notifications]  # noqa: SLF001


def row_of(app: FlowtuiApp, **match: Any) -> int:
    source = app.table.store
    assert source is not None
    for i in range(len(source)):
        record = source.row(i)
        if all(record.get(k) == v for k, v in match.items()):
            return i
    raise AssertionError(f"no row with {match}")


async def test_the_table_shows_names_under_a_header_that_says_so(
        ec2_world: World, files: dict[str, Path]) -> None:
    """Names arrive for the records' account (account-id 123456789012, moto's) in the app's
    region; the named columns say ``·name`` in their header and show ``10.20.1.10 web-1``;
    N cycles to names alone (the header ``name|srcaddr``) and back to numbers, where the
    header is the field again."""
    w = ec2_world
    app = app_for(w, files)
    async with app.run_test(size=(200, 30)) as pilot:
        await loaded(pilot, app)
        assert app.names.scopes == ((w.account, w.region),)
        assert app.table.cell_names.mode == "numbers+names"  # a source named something
        await press(pilot, "b", "d")  # the table alone: every column on screen
        await pilot.pause()
        shown = text(pilot)
        assert "srcaddr·name" in shown and "dstaddr·name" in shown
        assert "interface-id·name" in shown
        assert f"{w.web['ip']} web-1" in shown and f"{w.db['ip']} db-1" in shown
        assert f"{w.web['eni']} web-1" in shown
        assert "52.94.8.8 AWS S3 us-east-1" in shown  # AWS IP ranges name public addresses
        unnamed = next(line for line in screen_text(pilot) if "10.99.0.1" in line)
        assert re.search(r"10\.99\.0\.1\s{2,}\d", unnamed)  # unnamed: the address alone
        assert "names: " in shown and "interfaces read" in shown  # status line: the age
        await press(pilot, "N")
        await pilot.pause()
        assert app.table.cell_names.mode == "names"
        lines = screen_text(pilot)
        row = next(line for line in lines if "198.51.100.7" in line)
        assert "web-1" in row and w.web["ip"] not in row  # the name alone
        # the header says so: a name, or the value where there is none (not "srcaddr·name",
        # which promises the address in every cell)
        shown = text(pilot)
        assert "name|srcaddr" in shown and "name|dstaddr" in shown, shown
        assert "name|interface-id" in shown and "·name" not in shown
        await press(pilot, "N")
        await pilot.pause()
        shown = text(pilot)
        assert "·name" not in shown and "web-1" not in shown.split("names:")[0]
        # the quick filter keeps the value, not the name
        app.table.cursor_column = app.table.columns.index("srcaddr")
        await press(pilot, "N", "N")  # names alone again
        app.table.move_cursor(row_of(app, srcaddr="198.51.100.7"))
        await press(pilot, "equals_sign")
        await wait_for(pilot, lambda: app.table.row_count == 1, what="the quick filter")
        assert app.filters.text == "host 198.51.100.7"  # the address, not its name


async def test_detail_panel_names_each_field_with_its_source(
        ec2_world: World, files: dict[str, Path]) -> None:
    w = ec2_world
    app = app_for(w, files)
    async with app.run_test(size=(200, 40)) as pilot:
        await loaded(pilot, app)
        app.table.move_cursor(row_of(app, dstaddr="52.94.8.8"))
        await detail_caught_up(pilot)
        await wait_for(pilot, lambda: "Names" in text(pilot), what="the names section")
        shown = text(pilot)
        # on screen (cut at the panel's edge), and whole in what y copies from each line
        assert re.search(r"interface-id\s+NAT gateway nat-", shown)
        assert re.search(r"dstaddr\s+AWS S3 us-east-1 · AWS IP rang", shown)
        assert re.search(r"names from\s+EC2 inventory read \d+s ago", shown)
        assert named_lines(app) == {
            "interface-id": f"NAT gateway {w.nat['id']} ({w.subnet_app})",
            "srcaddr": f"NAT gateway {w.nat['id']} · inventory ({w.nat['eni']})",
            "dstaddr": "AWS S3 us-east-1 · AWS IP ranges (52.94.8.0/24)",
            "names from": named_lines(app)["names from"],
            # the records are of 2024, the inventory of now: its names are not then's (a
            # released public IPv4 address goes back to Amazon's pool, EC2 User Guide)
            "names are": "as the inventory was read, not at the record's time (addresses "
                         "change hands)"}
        assert "AWS IP ranges 2026-11-30" in named_lines(app)["names from"]
        app.table.move_cursor(row_of(app, srcaddr=w.web["ip"], dstaddr=w.db["ip"]))
        await detail_caught_up(pilot)
        await wait_for(pilot, lambda: named_lines(app).get("interface-id", "").startswith(
            "web-1"), what="web-1's interface line")
        assert named_lines(app)["interface-id"] == f"web-1 ({w.web['id']}, {w.subnet_app}, sg-web)"
        assert named_lines(app)["dstaddr"] == f"db-1 · inventory ({w.db['eni']})"
        assert re.search(r"interface-id\s+web-1 \(i-", text(pilot))


def named_lines(app: FlowtuiApp) -> dict[str, str]:
    """The Names section's lines as ``y`` copies them (label ``FIELD name``)."""
    return {t.label.removesuffix(" name"): t.value for t in app.detail.list.targets
            if t is not None and t.label.endswith(" name")}


async def top_by_name(pilot: Pilot, app: FlowtuiApp) -> Any:
    """The records and names loaded, ``T`` then ``a``: the Top-N pane ranking sources by
    name."""
    await loaded(pilot, app)
    await press(pilot, "T")
    top = app.main_screen.top
    await wait_for(pilot, lambda: top.data is not None and top.data.rows, what="top-N")
    await press(pilot, "a")  # by name: src
    await wait_for(pilot, lambda: top.data is not None
                   and top.data.key.fields == ("srcaddr.name",), what="top-N by name")
    return top


async def test_top_n_by_name_and_enter_filters_by_that_name(
        ec2_world: World, files: dict[str, Path]) -> None:
    w = ec2_world
    app = app_for(w, files)
    async with app.run_test(size=(160, 30)) as pilot:
        top = await top_by_name(pilot, app)
        shown = text(pilot)
        assert "by name" in shown and "srcaddr.name" in shown
        values = [r.values[0] for r in top.data.rows]
        assert "web-1" in values and None in values  # unnamed sources group as one
        assert "(no name)" in shown
        # two records come from web-1's address (to db-1, on both interfaces)
        web = next(r for r in top.data.rows if r.values == ("web-1",))
        assert web.records == 2
        top.cursor_row = top.data.rows.index(web)
        await press(pilot, "enter")
        await wait_for(pilot, lambda: app.table.row_count == 2, what="the drill-down")
        assert app.filters.text == "srcaddr.name = web-1"


async def test_filter_name_glob(ec2_world: World, files: dict[str, Path]) -> None:
    """``name web-*``: records whose interface or either address is named web-…: the two
    web-1 → db-1 records and the ssh REJECT to web-1."""
    w = ec2_world
    app = app_for(w, files)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot, app)
        await press(pilot, "slash")
        await press(pilot, *"name web-*")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: app.table.row_count == 3, what="name web-*")
        assert "3 of 5 match" in text(pilot)
        await press(pilot, "slash")  # a name nothing has: one line, with a hint
        await wait_for(pilot, lambda: app.main_screen.prompt.is_open, what="the bar")
        app.main_screen.prompt.input.value = ""
        await press(pilot, *"name wbe-1")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: any(n.startswith(
            "no interface or address is named 'wbe-1' (names like: web-1")
            for n in toasts(app)), what="the one-line error")
        assert app.table.row_count == 3  # the filter stayed


async def test_a_name_filter_typed_before_the_names_arrive_waits_for_them(
        ec2_world: World, files: dict[str, Path]) -> None:
    """The filter says in one line that names are loading, and applies once they are."""
    w = ec2_world
    app = app_for(w, files)
    app.NOTIFICATION_TIMEOUT = 3600  # the note stays until read (5 s passed at load 19)
    async with app.run_test(size=(160, 30)) as pilot:
        # loading can start and end between two looks on a quiet machine (the inventory is
        # cached by an earlier test): wait for either, the branch below covers both
        await wait_for(pilot, lambda: app.names.reading or app.names.names is not None,
                       what="names to start loading")
        app.filters.apply("name db-*")
        if app.names.reading:  # still loading: held, and said so
            assert app.filters.waiting == "name db-*"
            # notify() posts a message: the toast is there once the app has handled it
            await wait_for(pilot, lambda: any("names are still loading" in n
                                              for n in toasts(app)), what="the note")
        await loaded(pilot, app, rows=2)
        await wait_for(pilot, lambda: app.filters.text == "name db-*", what="the filter")
        await wait_for(pilot, lambda: app.table.row_count == 2, what="name db-*")


async def test_the_story_of_a_reject_names_who_and_the_rule(
        ec2_world: World, files: dict[str, Path]) -> None:
    """ssh from 198.51.100.7 to web-1, REJECTed: the subnet's NACL evaluates inbound entries
    in ascending rule number and the first match decides (AWS: "Network ACL rules ... are
    evaluated in order, starting with the lowest numbered rule"); rule 90 denies tcp 22 from
    198.51.100.0/24 before rule 100 allows all. The screen says it is today's configuration."""
    w = ec2_world
    app = app_for(w, files)
    async with app.run_test(size=(200, 45)) as pilot:
        await loaded(pilot, app)
        app.table.move_cursor(row_of(app, action="REJECT"))
        await press(pilot, "i")
        await wait_for(pilot, lambda: isinstance(app.screen, StoryScreen)
                       and app.screen.told is not None, what="the story")
        await wait_for(pilot, lambda: "rule  NACL" in text(pilot), what="the rule line")
        flat = " ".join(text(pilot).split())
        assert f"who 198.51.100.7 → web-1 ({w.web['id']}, sg-web) tcp 22" in flat
        assert (f"rule NACL {w.acl} inbound rule 90 denies tcp 22 from 198.51.100.0/24; if the "
                f"NACL let it through, no rule of sg-web ({w.sg_web}) allows tcp 22 from "
                "198.51.100.7") in flat
        assert "— today's configuration" in flat
        # v: the conversation's title says who the sides are (the partner has no name)
        await press(pilot, "v")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen)
                       and "group(s)" in text(pilot), what="the conversation")
        assert f"A 198.51.100.7 ⇄ B {w.web['ip']} (web-1)  1 group(s)" in text(pilot)


async def test_missing_permission_is_one_line_and_the_rest_works(
        ec2_world: World, files: dict[str, Path]) -> None:
    """EC2 answers UnauthorizedOperation: one line names the IAM action; AWS IP ranges still
    name the public address; the table and the filter still work."""
    refusing = refusing_ec2()
    try:
        app = app_for(ec2_world, files,
                      names=options(ec2_world, files["ranges"], endpoint=refusing.url))
        async with app.run_test(size=(200, 30)) as pilot:
            await loaded(pilot, app)
            await wait_for(pilot, lambda: any("ec2:DescribeNetworkInterfaces is not allowed"
                                              in n for n in toasts(app)),
                           what="the permission line")
            assert refusing.calls == ["DescribeNetworkInterfaces"]
            shown = text(pilot)
            assert "no EC2 inventory" in shown  # the status line
            assert "52.94.8.8 AWS S3 us-east-1" in shown  # IP ranges still name
            await press(pilot, "slash", *"name web-*", "enter")
            await wait_for(pilot, lambda: any("(the EC2 inventory could not be read)" in n
                                              for n in toasts(app)), what="the filter's line")
            assert app.table.row_count == 5
    finally:
        refusing.close()


async def test_refresh_reads_ec2_again_and_no_names_means_none(
        ec2_world: World, files: dict[str, Path]) -> None:
    w = ec2_world
    app = app_for(w, files)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot, app)
        first = app.names.names
        assert first is not None and first.inventories
        fetched = first.inventories[0].fetched_at
        await press(pilot, "R")
        await wait_for(pilot, lambda: app.names.names is not first and not app.names.reading,
                       timeout=30, what="names read again")
        assert app.names.names is not None
        assert app.names.names.inventories[0].fetched_at > fetched  # not the cache
        assert any("EC2 inventory of" in n for n in toasts(app))
    bare = app_for(w, files, names=None)
    async with bare.run_test(size=(160, 30)) as pilot:
        await wait_for(pilot, lambda: bare.table.row_count == 5, what="the records")
        assert "·name" not in text(pilot)
        await press(pilot, "slash", *"name web-*", "enter")
        await pilot.pause()
        # the bar refuses it and says why on its own line, as it is typed
        assert bare.main_screen.prompt.is_open
        assert "names are off (--no-names)" in text(pilot)
        assert bare.table.row_count == 5


async def test_names_for_s3_keys_come_from_the_key_layout(
        ec2_world: World, scratch_bucket: tuple[str, Any], s3_client: Any,
        files: dict[str, Path]) -> None:
    """An object under AWSLogs/<account>/vpcflowlogs/<region>/ names its scope."""
    w = ec2_world
    bucket, raw = scratch_bucket
    key = (f"AWSLogs/{w.account}/vpcflowlogs/{w.region}/2024/03/05/"
           f"{w.account}_vpcflowlogs_{w.region}_fl-0abc_20240305T1400Z_a1.log")
    raw.put_object(Bucket=bucket, Key=key, Body=files["log"].read_bytes())
    app = FlowtuiApp(f"s3://{bucket}/{key}", client=s3_client, region="eu-west-1",
                     names=options(w, files["ranges"]))
    async with app.run_test(size=(200, 30)) as pilot:
        await loaded(pilot, app)
        assert app.names.scopes == ((w.account, w.region),)
        assert f"{w.web['ip']} web-1" in text(pilot)


async def test_a_cursor_move_asks_no_name_and_repaints_two_rows(
        ec2_world: World, files: dict[str, Path]) -> None:
    """Names cost a cursor move nothing but their characters: the rows were named when they
    were formatted (once per row, each distinct value looked up once), so moving the cursor
    names no cell again and repaints the two rows that changed, as without names
    (tests/test_ui_repaint.py)."""
    from tests.test_ui_repaint import Painted

    app = app_for(ec2_world, files)
    async with app.run_test(size=(200, 30)) as pilot:
        await loaded(pilot, app)
        assert app.table.cell_names.active
        cells = app.table.cell_names
        asked: list[tuple[str, object]] = []
        cell = cells.cell

        def spy(column: str, value: object, shown: str) -> str:
            asked.append((column, value))
            return cell(column, value, shown)

        cells.cell = spy  # type: ignore[method-assign]
        await pilot.pause()
        painted = Painted(app.table)
        await press(pilot, "j", "k")  # the focus's repaint done with
        await pilot.pause()
        painted.take()
        for key, old, new in (("j", 0, 1), ("j", 1, 2), ("k", 2, 1), ("j", 1, 2)):
            await press(pilot, key)
            await pilot.pause()
            assert app.table.cursor_row == new
            assert painted.take() == {old + 1, new + 1}, key
        assert asked == []


def test_app_options_flags_win_over_the_config_and_no_names_reads_nothing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``flowtui PATH --names-file F`` beats the config's ``[names] names_file``; the config's
    ``ip_ranges`` is used when no flag says otherwise (``~`` expanded); ``--no-names`` gives
    the app no names at all; EC2's endpoint is AWS_ENDPOINT_URL_EC2, never the S3 one."""
    from flowtui.cli.launch import _parser, names_options
    from flowtui.config import Settings

    monkeypatch.setenv("AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:9")
    monkeypatch.setenv("HOME", "/home/u")
    conf = Settings(names_file="~/nets.csv", ip_ranges="~/ranges.json")
    args = _parser().parse_args(["x.log", "--names-file", "mine.csv", "--endpoint-url",
                                 "http://127.0.0.1:1"])
    options = names_options(args, conf, "prof")
    assert options is not None
    assert (options.names_file, options.ip_ranges) == ("mine.csv", "/home/u/ranges.json")
    assert options.endpoint_url == "http://127.0.0.1:9" and options.profile == "prof"
    assert options.inventory and not options.refresh
    assert names_options(_parser().parse_args(["x.log", "--no-names"]), conf, None) is None


async def test_a_broken_names_file_is_one_line_and_the_records_still_show(
        ec2_world: World, files: dict[str, Path], tmp_path: Path) -> None:
    """The user's names file is theirs to fix: its first bad line is told at once (a toast
    and the status line), and the records load as without names."""
    broken = tmp_path / "names.csv"
    broken.write_text("cidr,name\nnot-a-network,office\n")
    names = NamesOptions(names_file=str(broken), download_ip_ranges=False,
                         endpoint_url=ec2_world.endpoint_url)
    app = app_for(ec2_world, files, names=names)
    async with app.run_test(size=(200, 30)) as pilot:
        await wait_for(pilot, lambda: app.table.row_count == 5, what="the records")
        await wait_for(pilot, lambda: any("names.csv" in n for n in toasts(app)),
                       timeout=30, what="the names file's line")
        line = next(n for n in toasts(app) if "names.csv" in n)
        assert "\n" not in line and "not-a-network" in line
        assert "names: " in text(pilot)  # the status line says it too
        assert app.names.names is None and not app.table.cell_names.active


async def test_a_live_tail_names_its_records(ec2_world: World, files: dict[str, Path],
                                             s3_client: Any, raw_s3: Any) -> None:
    """Following AWSLogs/<account>/vpcflowlogs/<region>/: the first object's key says whose
    records they are, and the names of that account and region load for the tail."""
    from tests.tail_helpers import Bucket
    from tests.test_ui_tail import M, T, poll, started
    from tests.test_ui_tail import options as tail_options

    w = ec2_world
    bucket = Bucket(raw_s3, "ui-names-tail")
    prefix = f"AWSLogs/{w.account}/vpcflowlogs/{w.region}/"
    app = FlowtuiApp(client=s3_client, follow=bucket.url(prefix),
                     tail_options=tail_options(), names=options(w, files["ranges"]),
                     region="eu-west-1")
    async with app.run_test(size=(200, 30)) as pilot:
        await started(pilot, app)
        bucket.put(T - 5 * M, n=10, account=w.account, region=w.region)
        await poll(pilot, app, rows=10)
        await wait_for(pilot, lambda: app.names.names is not None and not app.names.reading,
                       timeout=30, what="the tail's names")
        assert app.names.scopes == ((w.account, w.region),)
        assert app.table.cell_names.active and "srcaddr·name" in text(pilot)


async def test_the_status_line_says_the_inventorys_age_as_it_is_now(
        ec2_world: World, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """"names: N interfaces read 3 min ago" is how far to trust the names; it was the age at
    load time and stayed so for as long as the app ran ("read 34s ago" an hour later)."""
    from types import SimpleNamespace

    from flowtui.names import inventory
    from flowtui.ui.features.names.control import NamesControl

    monkeypatch.setattr(NamesControl, "AGE_EVERY", 0.1, raising=False)
    app = app_for(ec2_world, files)
    async with app.run_test(size=(200, 30)) as pilot:
        await loaded(pilot, app)
        status = app.main_screen.status
        await wait_for(pilot, lambda: re.search(r"interfaces read \d+s ago", status.names),
                       what="the age when read")
        now = inventory.time.time
        monkeypatch.setattr(inventory, "time", SimpleNamespace(time=lambda: now() + 600))
        await wait_for(pilot, lambda: "interfaces read 10 min ago" in status.names,
                       what="the age ten minutes later")
        await pilot.pause()
        assert "read 10 min ago" in text(pilot)


async def test_n_after_a_jump_in_top_n_goes_to_the_next_match_not_by_name(
        ec2_world: World, files: dict[str, Path]) -> None:
    """``@`` then a text puts the Top-N cursor on a row that has it and ``n``/``N`` go to
    the next/previous (as VisiData's search; the help says so). With names loaded, ``n``
    ran 'By name/address' instead: the ranking switched to names and the cursor lost the
    match. Ranking by name is ``a`` now."""
    app = app_for(ec2_world, files)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot, app)
        await press(pilot, "T")
        top = app.main_screen.top
        await wait_for(pilot, lambda: top.data is not None and len(top.data.rows) > 2,
                       what="top-N")
        assert top.data.key.fields == ("srcaddr",)
        matching = [i for i, r in enumerate(top.data.rows) if r.values[0] is not None
                    and "." in str(r.values[0])]
        assert len(matching) >= 3
        await press(pilot, "at", ".", "enter")
        await wait_for(pilot, lambda: top.cursor_row == matching[1], what="the first match")
        await press(pilot, "n")
        await wait_for(pilot, lambda: top.cursor_row == matching[2], what="the next match")
        assert not top.named and top.data.key.fields == ("srcaddr",)
        await press(pilot, "N")
        await wait_for(pilot, lambda: top.cursor_row == matching[1], what="the previous one")
        await press(pilot, "a")  # by name
        await wait_for(pilot, lambda: top.data is not None
                       and top.data.key.fields == ("srcaddr.name",), what="top-N by name")


def test_the_panel_says_names_are_the_inventorys_only_for_older_records() -> None:
    """A record an hour or more older than the inventory's reading gets 'names are: as the
    inventory was read, not at the record's time'; a live tail's record (minutes old) and a
    record named by the IP ranges alone do not."""
    from flowtui.names.inventory import Inventory
    from flowtui.names.resolve import Names
    from flowtui.ui.widgets.names.lines import OWNERS_NOW, detail_lines

    now = time.time()
    inventory = Inventory(region="us-east-1", fetched_at=now, interfaces=[{
        "NetworkInterfaceId": "eni-0aaa", "PrivateIpAddress": "10.0.0.5",
        "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.0.5"}], "Groups": [],
        "TagSet": [{"Key": "Name", "Value": "web-1"}]}])
    names = Names(inventories=[inventory])
    record = {"interface-id": "eni-0aaa", "srcaddr": "10.0.0.5", "dstaddr": "192.0.2.1"}
    old = dict(detail_lines(names, {**record, "start": int(now) - 86400}))
    assert old["names are"] == OWNERS_NOW
    fresh = dict(detail_lines(names, {**record, "start": int(now) - 300}))
    assert "names are" not in fresh and "interface-id" in fresh


async def test_at_an_address_in_top_n_by_name_goes_to_its_names_row(
        ec2_world: World, files: dict[str, Path]) -> None:
    """Ranked by name, ``@`` and an address said "No row of top src has 10.20.1.10" while
    the row web-1 (that address's name) was on screen: the help offers ``@`` for "an
    address or port", and the rows of a ranking by name hold addresses under their names.
    The address is found under its name now; a text no row has still says so."""
    app = app_for(ec2_world, files)
    async with app.run_test(size=(160, 30)) as pilot:
        top = await top_by_name(pilot, app)
        web = next(i for i, r in enumerate(top.data.rows) if r.values == ("web-1",))
        top.cursor_row = (web + 1) % len(top.data.rows)
        await press(pilot, "at", *"10.20.1.10", "enter")
        await wait_for(pilot, lambda: top.cursor_row == web, what="web-1's row")
        assert not any("No row" in t for t in toasts(app))
        await press(pilot, "at", *"10.99.99.99", "enter")
        await wait_for(pilot, lambda: any("No row of top src has 10.99.99.99" in t
                                          for t in toasts(app)), what="nothing has it")
