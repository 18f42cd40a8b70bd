"""Columns, the top-N pane and the time histogram, driven by keys against the moto S3 server.

Expected answers are computed from the seeded lines themselves (the fixture keeps them), so
each test says what a user would read off the data by hand.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from textual.widgets import OptionList

from flowtui.decoders import human_bytes
from flowtui.ui.app import FlowtuiApp
from flowtui.ui.widgets.records.chooser import ColumnChooser
from flowtui.ui.widgets.records.columns import LEAD
from tests.ui_helpers import DAY_PREFIX, press, record_notes, screen_text, wait_for

pytestmark = pytest.mark.asyncio


def _records(obj: Any) -> list[dict[str, str]]:
    return [dict(zip(obj.fields, line.split(" "), strict=True)) for line in obj.lines]


async def _loaded(pilot: Any, app: FlowtuiApp) -> None:
    await wait_for(pilot, lambda: app.job is not None and not app.job.status.running
                   and app.job.worker is not None and app.job.worker.is_finished,
                   what="load finished")
    app.table.refresh_now()
    app.table.focus()
    await pilot.pause()


async def _top_by(pilot: Any, app: FlowtuiApp, digit: str, name: str) -> Any:
    """The top-N pane opened (``T``) and keyed by ``digit``, once it has counted by it."""
    top = app.main_screen.top
    await press(pilot, "T", digit)
    await wait_for(pilot, lambda: top.data is not None and top.data.key.name == name,
                   what=f"top by {name}")
    return top


def _plain(obj: Any) -> Any:
    return next(o for o in obj.under(obj.main_bucket, DAY_PREFIX) if o.note == "")


async def _choose(pilot: Any, app: FlowtuiApp, column: str, *keys: str) -> None:
    """In the column chooser, move to ``column`` and press ``keys`` there."""
    assert isinstance(app.screen, ColumnChooser)
    options = app.screen.query_one(OptionList)
    await press(pilot, "home")
    for _ in range(options.option_count):
        index = options.highlighted
        if index is not None and options.get_option_at_index(index).id == column:
            await press(pilot, *keys)
            return
        await press(pilot, "down")
    raise AssertionError(f"{column} is not in the chooser")


async def test_constant_columns_fold_into_the_title_and_the_chooser_shows_hides_and_pins(
        s3_server: Any, s3_client: Any) -> None:
    custom = s3_server.find("custom")
    records = _records(custom)
    constant = [f for f in custom.fields if f not in LEAD
                and len({r[f] for r in records}) == 1]
    assert "version" in constant and "interface-id" not in constant  # the data has both
    app = FlowtuiApp(custom.url, client=s3_client)
    async with app.run_test(size=(160, 48)) as pilot:
        await _loaded(pilot, app)
        header = screen_text(pilot)[1]
        title = app.table.border_title or ""
        assert header.split()[1:4] == ["srcaddr", "srcport", "dstaddr"]
        for field in constant:
            assert f" {field} " not in header  # folded: no width taken
            value = records[0][field]
            if value != "-":
                assert (f"v{value}" if field == "version" else value) in title
        assert "interface-id" not in title

        # the chooser: unfold version, hide srcport, pin up to dstaddr
        await press(pilot, "o")
        await wait_for(pilot, lambda: isinstance(app.screen, ColumnChooser), what="chooser")
        await _choose(pilot, app, "version", "space")
        await _choose(pilot, app, "srcport", "space")
        await _choose(pilot, app, "dstaddr", "p")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: app.screen is app.main_screen, what="chooser closed")
        assert app.table.pinned == 2
        header = screen_text(pilot)[1]
        assert header.split()[1:3] == ["srcaddr", "dstaddr"] and "srcport" not in header
        assert "version" in app.table.columns and "v5" not in (app.table.border_title or "")
        # scrolled all the way right, the pinned addresses stay at the left edge
        await press(pilot, "dollar_sign")
        await pilot.pause()
        assert app.table.scroll_x > 0
        header = screen_text(pilot)[1]
        assert header.split()[1:3] == ["srcaddr", "dstaddr"]
        assert app.table.columns[-1] in header

        # Esc in the chooser changes nothing
        await press(pilot, "o")
        await wait_for(pilot, lambda: isinstance(app.screen, ColumnChooser), what="chooser")
        await _choose(pilot, app, "dstaddr", "space")
        await press(pilot, "escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen, what="chooser closed")
        assert "dstaddr" in app.table.columns


async def test_drill_down_from_the_top_n_pane_filters_the_records(
        s3_server: Any, s3_client: Any) -> None:
    obj = _plain(s3_server)
    records = _records(obj)
    by_dst: dict[str, int] = defaultdict(int)
    for r in records:
        if r["dstaddr"] != "-":
            by_dst[r["dstaddr"]] += int(r["bytes"])
    top_dst = min(by_dst, key=lambda a: (-by_dst[a], a))
    talkers: dict[str, int] = defaultdict(int)
    for r in records:
        if r["dstaddr"] == top_dst:
            talkers[r["srcaddr"]] += int(r["bytes"])
    app = FlowtuiApp(obj.url, client=s3_client)
    async with app.run_test(size=(120, 40)) as pilot:
        await _loaded(pilot, app)
        top = app.main_screen.top
        await press(pilot, "T")
        await wait_for(pilot, lambda: top.data is not None, what="top-N counted")
        assert app.focused is top and not app.table.display
        await press(pilot, "2")  # by destination
        await wait_for(pilot, lambda: top.data is not None and top.data.key.name == "dst",
                       what="top destinations")
        assert top.data.rows[0].values == (top_dst,)
        assert top.data.rows[0].bytes == by_dst[top_dst]
        assert top_dst in "\n".join(screen_text(pilot))
        await press(pilot, "enter")
        await wait_for(pilot, lambda: app.table.row_count == sum(
            r["dstaddr"] == top_dst for r in records), what="the records filtered")
        assert app.focused is app.table and not top.display
        assert app.shown.query.where_text == f"dstaddr = {top_dst}"
        source = app.table.store
        assert source is not None
        assert {row["dstaddr"] for row in source.rows(0, len(source))} == {top_dst}
        # "top talkers to X": the same pane, by source, over the filtered records
        await press(pilot, "T", "1")
        await wait_for(pilot, lambda: top.data is not None and top.data.key.name == "src"
                       and sum(r.records for r in top.data.rows) == app.table.row_count,
                       what="top sources to the destination")
        assert [r.values[0] for r in top.data.rows] == sorted(
            talkers, key=lambda a: (-talkers[a], a))
        await press(pilot, "escape")  # back without a filter
        assert app.focused is app.table
        assert app.shown.query.where_text == f"dstaddr = {top_dst}"


async def test_a_histogram_of_a_view_that_matches_nothing_says_so(s3_server: Any,
                                                                s3_client: Any) -> None:
    """With a filter that keeps no record the histogram said "no records with a start
    time yet", as if they were still loading: it speaks of the view, as it is."""
    obj = _plain(s3_server)
    assert not [r for r in _records(obj) if r.get("srcaddr") == "192.0.2.254"]
    app = FlowtuiApp(obj.url, client=s3_client)
    async with app.run_test(size=(120, 40)) as pilot:
        await _loaded(pilot, app)
        await press(pilot, "slash", *"srcaddr = 192.0.2.254", "enter")
        await wait_for(pilot, lambda: app.table.row_count == 0, what="an empty view")
        histogram = app.main_screen.histogram
        await press(pilot, "H")
        await wait_for(pilot, lambda: histogram.data is not None, what="histogram counted")
        await wait_for(pilot, lambda: "no record in this view has a start time"
                       in "\n".join(screen_text(app)), what="the histogram's note")
        assert "start time yet" not in "\n".join(screen_text(app))


async def test_a_histogram_range_becomes_a_during_filter(s3_server: Any,
                                                         s3_client: Any) -> None:
    obj = _plain(s3_server)
    records = _records(obj)
    app = FlowtuiApp(obj.url, client=s3_client)
    async with app.run_test(size=(120, 40)) as pilot:
        await _loaded(pilot, app)
        histogram = app.main_screen.histogram
        await press(pilot, "H")
        await wait_for(pilot, lambda: histogram.data is not None and histogram.data.times,
                       what="histogram counted")
        data = histogram.data
        assert app.focused is histogram
        assert sum(data.accept) == sum(r["action"] == "ACCEPT" for r in records)
        assert sum(data.reject) == sum(r["action"] == "REJECT" for r in records)
        lines = "\n".join(screen_text(pilot))
        assert "ACCEPT" in lines and "REJECT" in lines and "▲" in lines
        await press(pilot, "home", "right", "right", "]", "]", "]")  # buckets 2..5
        assert histogram.selection() == (data.times[2], data.times[5])
        low, high = data.times[2], data.times[5] + data.width - 1
        expected = sum(r["start"] != "-" and int(r["start"]) <= high
                       and int(r["end"]) >= low for r in records)
        await press(pilot, "enter")
        await wait_for(pilot, lambda: app.shown.query.filters, what="filter applied")
        assert app.shown.query.where_text.startswith("during 2024-03-05T14:")
        await wait_for(pilot, lambda: app.table.row_count == expected, what="filtered rows")
        assert 0 < expected < len(records)
        assert app.focused is app.table
        # bytes: ACCEPT and REJECT bytes per bucket add up to the view's bytes
        await press(pilot, "H", "m")
        await wait_for(pilot, lambda: histogram.data is not None
                       and histogram.data.metric == "bytes", what="bytes histogram")
        source = app.table.store
        assert source is not None
        total = sum(int(row["bytes"] or 0) for row in source.rows(0, len(source)))
        # (a bucket whose records recorded no bytes has None, not 0: left out of the sum)
        assert sum(v or 0 for v in histogram.data.accept + histogram.data.reject) == total
        # and their labels are sizes as the rest of the app gives them (powers of 1024, IEC)
        peak = human_bytes(max(v or 0 for v in histogram.data.accept))
        assert peak.endswith("KiB")
        await wait_for(pilot, lambda: f"max {peak} " in "\n".join(screen_text(pilot)),
                       what=f"max {peak} on the ACCEPT row")


async def test_at_in_the_top_n_pane_jumps_to_a_typed_address(
        s3_server: Any, s3_client: Any) -> None:
    """``@`` then an address puts the Top-N cursor on its row (``@`` jumps, as in the table and
    the histogram; ``/`` stays the filter), so Enter drills to it without scrolling; ``n``
    finds the next (as VisiData's search); a text no row has says so."""
    obj = _plain(s3_server)
    app = FlowtuiApp(obj.url, client=s3_client)
    notes = record_notes(app)  # the 3 s toast was gone before it was read at load 19
    async with app.run_test(size=(120, 40)) as pilot:
        await _loaded(pilot, app)
        top = await _top_by(pilot, app, "2", "dst")  # by destination
        keys = [str(r.values[0]) for r in top.data.rows]
        assert len(keys) > 2
        target = next(k for k in reversed(keys)  # far down, and in no other key
                      if k != "None" and sum(k in other for other in keys) == 1)
        await press(pilot, "at", *target, "enter")
        await wait_for(pilot, lambda: top.data.rows[top.cursor_row].values == (target,),
                       what="the cursor on the typed address")
        assert app.focused is top
        await press(pilot, "n")  # the only row with it: n wraps back to it
        assert top.data.rows[top.cursor_row].values == (target,)
        here = top.cursor_row
        await press(pilot, "at", *"192.0.2.254", "enter")  # TEST-NET-1: in no row
        await wait_for(pilot, lambda: any("No row of top dst has 192.0.2.254" in n
                                          for n in notes), what="not found")
        assert top.cursor_row == here and app.focused is top
        await press(pilot, "enter")
        await wait_for(pilot, lambda: app.shown.query.where_text == f"dstaddr = {target}",
                       what="drilled to the found row")


async def test_at_in_the_top_n_pane_goes_to_the_address_typed_not_one_containing_it(
        tmp_path: Any) -> None:
    """``@ 10.0.0.1`` put the cursor on the row of 10.0.0.100 (ranked above it: the text is
    in it), and Enter then filtered to 10.0.0.100; ``@ 2001:DB8:0:0:0:0:0:7`` said "No row of
    top dst has …" with 2001:db8::7's row shown. An address typed is that address, in any
    spelling (README: "@ and an address … puts the cursor on its row")."""
    header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol " \
             "packets bytes start end action log-status"
    lines = [header]
    for dst, size in (("10.0.0.10", 9000), ("10.0.0.100", 6000), ("10.0.0.1", 5000),
                      ("2001:db8::7", 3000)):
        lines.append(f"2 123456789012 eni-0a1b2c3d4e5f60001 10.9.9.9 {dst} 40000 443 6 10 "
                     f"{size} 1709647200 1709647260 ACCEPT OK")
    path = tmp_path / "find.log"
    path.write_text("\n".join(lines) + "\n")
    app = FlowtuiApp(str(path))
    notes = record_notes(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await _loaded(pilot, app)
        top = await _top_by(pilot, app, "2", "dst")
        assert [r.values[0] for r in top.data.rows][:3] == ["10.0.0.10", "10.0.0.100",
                                                            "10.0.0.1"]
        await press(pilot, "at", *"10.0.0.1", "enter")
        await wait_for(pilot, lambda: top.data.rows[top.cursor_row].values == ("10.0.0.1",),
                       what="the cursor on 10.0.0.1")
        await press(pilot, "at", *"2001:DB8:0:0:0:0:0:7", "enter")
        await wait_for(pilot, lambda: top.data.rows[top.cursor_row].values == ("2001:db8::7",)
                       or any("No row" in n for n in notes), what="found or not")
        assert top.data.rows[top.cursor_row].values == ("2001:db8::7",), notes


async def test_a_top_n_group_whose_records_recorded_no_bytes_shows_dash_and_ranks_last(
        s3_server: Any, s3_client: Any) -> None:
    """A NODATA record carries '-' in packets, bytes and action (AWS, Flow log record
    examples: ``2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 -
    NODATA``): ranked by action, its group (no action) recorded no packets or bytes, so
    the pane shows '-' there and no share, after every number — not '0 B' and 0.0 %; the
    title says how many records the sums left out."""
    obj = s3_server.find("broken-neighbour")
    records = _records(obj)
    nodata = sum(r["bytes"] == "-" for r in records)
    assert nodata >= 1
    app = FlowtuiApp(obj.url, client=s3_client)
    async with app.run_test(size=(120, 40)) as pilot:
        await _loaded(pilot, app)
        top = await _top_by(pilot, app, "6", "action")
        last = top.data.rows[-1]
        assert last.values == (None,) and last.packets is None and last.bytes is None
        assert all(r.bytes is not None for r in top.data.rows[:-1])
        assert top.data.unrecorded == nodata
        record_word = "record" if nodata == 1 else "records"
        assert f"{nodata} {record_word} with no bytes" in str(top.border_title)
        rank = f"│{len(top.data.rows)} "
        line = next(t for t in screen_text(pilot) if rank in t)
        row = line[line.index(rank) + 1:].rstrip(" │").split()
        # rank, key, records, then packets, bytes and share: '-' each, no 0 B, no 0.0 %
        assert row[-3:] == ["-", "-", "-"] and row[-4] == str(nodata), line
