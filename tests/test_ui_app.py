"""The app driven like a user drives it (keys through Pilot), against the moto S3 server."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from textual.command import CommandPalette

from flowtui.ui.app import FlowtuiApp
from flowtui.ui.help import HelpScreen
from flowtui.ui.widgets.browser.pane import MORE_ID
from flowtui.ui.widgets.browser.sources import Location, entry_location
from flowtui.ui.widgets.dialogs import BadLinesScreen, ConfirmScreen
from tests.ui_helpers import (
    DAY_PREFIX,
    detail_caught_up,
    press,
    screen_segments,
    screen_text,
    wait_for,
)

pytestmark = pytest.mark.asyncio


def _fields_of(line: str, fields: tuple[str, ...]) -> dict[str, str]:
    return dict(zip(fields, line.split(" "), strict=True))


async def _highlight(pilot: Any, app: FlowtuiApp, location: str) -> None:
    """Move the browser's highlight to ``location`` with the keyboard."""
    browser = app.browser
    await wait_for(pilot, lambda: any(entry_location(e) == location for e in browser.entries),
                   what=f"{location} listed")
    await press(pilot, "home")
    for _ in range(len(browser.entries)):
        entry = browser.highlighted_entry()
        if entry is not None and entry_location(entry) == location:
            return
        await press(pilot, "down")
    raise AssertionError(f"could not reach {location}")


async def _finished(pilot: Any, app: FlowtuiApp, timeout: float = 15.0) -> None:
    await wait_for(pilot, lambda: app.job is not None and not app.job.status.running
                   and app.job.worker is not None and app.job.worker.is_finished,
                   timeout=timeout, what="load finished")
    await pilot.pause()


async def test_no_argument_lists_buckets(s3_server: Any, s3_client: Any) -> None:
    app = FlowtuiApp(None, client=s3_client)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.browser.entries) >= 2, what="bucket list")
        names = {e.bucket for e in app.browser.entries}
        assert {s3_server.main_bucket, s3_server.empty_bucket} <= names
        text = "\n".join(screen_text(pilot))
        assert s3_server.main_bucket in text and "S3 buckets" in text


async def test_browse_load_object_and_explain_cursor_record(s3_server: Any,
                                                            s3_client: Any) -> None:
    bucket = s3_server.main_bucket
    objects = [o for o in s3_server.under(bucket, DAY_PREFIX) if o.note == ""
               and o.key.count("/") == DAY_PREFIX.count("/")]
    target = objects[0]
    app = FlowtuiApp(f"s3://{bucket}/{DAY_PREFIX}", client=s3_client)
    async with app.run_test(size=(160, 48)) as pilot:
        await _highlight(pilot, app, target.url)
        # objects are labelled by time, size and flow-log id, not by the raw key
        listing = "\n".join(screen_text(pilot))
        assert target.key.rpartition("_")[0].split("_")[3] in listing  # flow-log id
        assert "14:00" in listing
        await press(pilot, "enter")
        await _finished(pilot, app)
        assert app.table.row_count == len(target.lines)
        assert app.browser._states[target.url].records == len(target.lines)
        await press(pilot, "tab")  # browser -> table
        assert app.focused is app.table
        await press(pilot, "j", "down", "j")
        assert app.table.cursor_row == 3
        await detail_caught_up(pilot)
        expected = _fields_of(target.lines[3], target.fields)
        detail = app.detail
        values = {t.label: t.value for t in detail.list.targets if t is not None}
        assert values["srcaddr"] == expected["srcaddr"]
        assert values["dstport"] == expected["dstport"]
        assert values["bytes"] == expected["bytes"]
        text = "\n".join(screen_text(pilot))
        assert "row 4 of " in text and expected["srcaddr"] in text
        assert "row 4/" in text  # the status line follows the cursor
        # copy the record as JSON (typed values), then one value from the detail panel
        await press(pilot, "c")
        copied = json.loads(app.clipboard)
        assert copied["srcaddr"] == expected["srcaddr"]
        assert copied["bytes"] == int(expected["bytes"])
        await press(pilot, "tab")  # table -> detail
        assert app.focused is detail.list
        await press(pilot, "home", "down", "down", "down", "y")  # the 4th field: srcaddr
        assert app.clipboard == expected["srcaddr"]
        text = "\n".join(screen_text(pilot))
        assert "Source address" in text  # the highlighted field says what it means
        assert "Destination address" not in text
        await press(pilot, "m")  # ... and m shows every field's meaning
        assert "Destination address" in "\n".join(screen_text(pilot))
        await press(pilot, "shift+tab")
        assert app.focused is app.table
        # raw/decoded toggle changes the cells, not the rows
        # decoded, then the cell cursor to the times (after the 5-tuple and the action): the
        # table scrolls to show the cursor's column whole
        await press(pilot, "r", *["l"] * 6)
        assert app.table.current_column == "start"
        assert app.table.decoded
        assert "2024-03-05 14:" in "\n".join(screen_text(pilot))
        await press(pilot, "G")
        assert app.table.cursor_row == len(target.lines) - 1
        await press(pilot, "g")
        assert app.table.cursor_row == 0


async def test_rows_appear_before_a_large_load_finishes_and_esc_cancels(
        s3_server: Any, fault_proxy: Any, proxy_client: Any, raw_s3: Any) -> None:
    from tests.conftest import text_object

    big = s3_server.find("big")
    lines = list(big.lines) * 4  # ~120k records, a few MB of gzip: many chunks
    key = "ui-large/" + big.key.rpartition("/")[2]
    body = text_object(lines, big.fields)
    raw_s3.put_object(Bucket=big.bucket, Key=key, Body=body)
    # the server stops sending three quarters of the way through, until released
    fault_proxy.stall_after(len(body) * 3 // 4, match=lambda r: r.operation == "GetObject")
    app = FlowtuiApp(f"s3://{big.bucket}/{key}", client=proxy_client)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.table.row_count > 0, what="first rows")
            assert app.job is not None and app.job.status.running
            assert app.table.row_count < len(lines)
            assert "Esc cancels" in "\n".join(screen_text(pilot))
            await press(pilot, "escape")
            assert app.job.cancel.is_set()
            assert not app.job.status.running and app.job.status.cancelled
            await wait_for(pilot, lambda: app.job.worker.is_finished, what="worker ended")
            assert app.table.row_count < len(lines)
            assert "cancelled" in "\n".join(screen_text(pilot))
            # the app is still usable: the cursor moves over what did load
            app.table.focus()
            await press(pilot, "G")
            assert app.table.cursor_row == app.table.row_count - 1
    finally:
        fault_proxy.release()
        raw_s3.delete_object(Bucket=big.bucket, Key=key)


async def test_day_folder_load_asks_first_when_large(s3_server: Any, s3_client: Any) -> None:
    """A day folder with more objects than CONFIRM_OBJECTS asks before loading. One more
    than the threshold is large: the 5,000-key folder proved the same after listing five
    pages (seconds, and over 20 s on a loaded machine)."""
    from flowtui.ui.features.jobs.listing import CONFIRM_OBJECTS
    from tests.conftest import DAY, _default_key, scratch, text_object

    count = CONFIRM_OBJECTS + 1
    account, region = "666666666666", "us-east-1"
    with scratch(s3_server) as (bucket, raw):
        body = text_object([])
        for i in range(count):
            stamp = DAY + timedelta(minutes=5 * i)
            raw.put_object(Bucket=bucket, Body=body, Key=_default_key(
                "", account, region, "fl-0666", stamp, f"{i:08x}"))
        day = _default_key("", account, region, "fl-0666", DAY, "x").rpartition("/")[0] + "/"
        parent = day.rstrip("/").rpartition("/")[0] + "/"
        app = FlowtuiApp(f"s3://{bucket}/{parent}", client=s3_client)
        async with app.run_test(size=(120, 40)) as pilot:
            await _highlight(pilot, app, f"s3://{bucket}/{day}")
            await press(pilot, "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), timeout=20,
                           what="confirmation")
            question = "\n".join(screen_text(pilot))
            assert f"{count:,} objects" in question
            await press(pilot, "n")
            assert not isinstance(app.screen, ConfirmScreen)
            assert app.job is None  # nothing was loaded


async def test_help_lists_every_binding_and_palette_runs_commands(s3_client: Any) -> None:
    app = FlowtuiApp(None, client=s3_client)
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(screen_text(pilot))
        for _ in range(4):  # the help scrolls; read it a page at a time
            await press(pilot, "pagedown")
            text += "\n".join(screen_text(pilot))
        for node in (app, app.main_screen, app.browser.entry_list, app.table,
                     app.detail.list):
            for _key, binding in node._bindings:
                assert binding.id, f"{binding} has no id"
        for ident in ("app.quit", "app.back", "app.toggle-decoded", "browser.open",
                      "browser.parent", "table.first", "table.last", "table.page-down",
                      "detail.copy-value", "detail.toggle-meanings", "screen.focus-next",
                      "app.palette"):
            assert ident in text, ident
        await press(pilot, "escape")
        assert not isinstance(app.screen, HelpScreen)

        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        # The whole name, so no other command outranks it; the palette's providers answer
        # in their own time, which on a loaded machine is seconds.
        await press(pilot, *"toggle raw/decoded")
        await wait_for(pilot, lambda: "Toggle raw/decoded" in _highlighted_command(app),
                       timeout=45, what="command listed and highlighted")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: app.table.decoded, what="command ran")


async def test_keymap_can_remap_a_binding_by_id(s3_server: Any, s3_client: Any) -> None:
    app = FlowtuiApp(s3_server.find("broken-neighbour").url, client=s3_client)
    async with app.run_test(size=(120, 40)) as pilot:
        await _finished(pilot, app)
        app.set_keymap({"table.last": "z"})
        app.table.focus()
        await press(pilot, "z")
        assert app.table.cursor_row == app.table.row_count - 1 > 0


async def test_markup_and_escape_characters_in_data_are_shown_literally(
        s3_server: Any, s3_client: Any, raw_s3: Any) -> None:
    from tests.conftest import text_object

    bucket = s3_server.main_bucket
    prefix = "ui-literal/"
    evil = "[red]x[/red]\x1b[31mEVIL\x07"
    # S3 listings are XML, which cannot carry ESC or BEL; a key gets markup and a bidi
    # override (which would reorder the text on screen) instead.
    # (and no "/", which would make it a folder).
    evil_key = "[bold red]x\u202eEVIL"
    fields = ("version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport",
              "dstport", "protocol", "packets", "bytes", "start", "end", "action",
              "log-status")
    line = (f"2 123456789012 {evil} 10.0.0.1 10.0.0.2 443 5555 6 10 840 1709647200 "
            "1709647260 ACCEPT OK")
    key = f"{prefix}{evil_key}.log.gz"
    raw_s3.put_object(Bucket=bucket, Key=key, Body=text_object([line], fields))
    try:
        app = FlowtuiApp(f"s3://{bucket}/{prefix}", client=s3_client)
        async with app.run_test(size=(160, 48)) as pilot:
            url = f"s3://{bucket}/{key}"
            await _highlight(pilot, app, url)
            await press(pilot, "enter")
            await _finished(pilot, app)
            assert app.table.row_count == 1
            shown = "[red]x[/red]\\x1b[31mEVIL\\x07"
            # the detail panel paints once the cursor rests (it follows the cursor lazily)
            await wait_for(pilot, lambda: shown in "\n".join(screen_text(pilot)),
                           what="the detail panel to show the record")
            rows = screen_text(pilot)
            text = "\n".join(rows)
            # one row: its interface-id folds into the table's title (cut there), and the
            # detail panel shows it whole
            assert text.count(shown) >= 1
            assert "Records · v2 · 123456789012 · " + shown[:20] in text
            assert "[bold red]x\\u202eEVIL" in text  # the browser entry
            assert not any(c in segment for segment in screen_segments(pilot)
                           for c in ("\x1b", "\x07", "\u202e"))
    finally:
        raw_s3.delete_object(Bucket=bucket, Key=key)


async def test_failing_objects_show_errors_and_the_app_keeps_working(
        s3_server: Any, s3_client: Any) -> None:
    corrupt = s3_server.find("corrupt")
    readme = s3_server.find("readme")
    good = s3_server.find("broken-neighbour")
    app = FlowtuiApp(readme.url, client=s3_client)
    async with app.run_test(size=(120, 40)) as pilot:
        await _finished(pilot, app)
        state = app.browser._states[readme.url]
        assert state.status in ("failed", "done") and (state.error or state.status == "failed")
        assert app._notifications  # the error is told, not raised
        app.browser.open(Location("s3", corrupt.bucket, corrupt.key.rpartition("/")[0] + "/"))
        await _highlight(pilot, app, corrupt.url)
        await press(pilot, "enter")
        await _finished(pilot, app)
        state = app.browser._states[corrupt.url]
        assert state.error or state.status == "failed"
        assert 0 < app.table.row_count < len(corrupt.lines)  # what did parse is kept
        text = "\n".join(screen_text(pilot))
        assert "! the gzip stream ends early" in text  # in the browser, under the object
        assert app.job.bad_lines  # the cut-off last line, with its reason, behind `e`
        await press(pilot, "e")
        assert isinstance(app.screen, BadLinesScreen)
        assert "cut off" in "\n".join(screen_text(pilot))
        await press(pilot, "escape")
        await _highlight(pilot, app, good.url)
        await press(pilot, "enter")
        await _finished(pilot, app)
        assert app.table.row_count == len(good.lines)
        assert app.is_running


async def test_a_listing_error_is_a_message_and_esc_backs_out(s3_server: Any,
                                                              s3_client: Any) -> None:
    app = FlowtuiApp("s3://no-such-bucket-for-flowtui/", client=s3_client)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app._notifications, what="error notification")
        text = "\n".join(screen_text(pilot))
        assert "listing failed" in text and "no-such-bucket-for-flowtui" in text
        assert "Traceback" not in text
        await press(pilot, "escape")  # up to the bucket list, which works
        await wait_for(pilot, lambda: any(e.bucket == s3_server.main_bucket
                                          for e in app.browser.entries), what="buckets")
        assert app.is_running


async def test_browser_shows_a_page_then_fetches_more_at_the_end(s3_server: Any,
                                                                 s3_client: Any,
                                                                 big_bucket: str) -> None:
    app = FlowtuiApp(f"s3://{big_bucket}/{s3_server.big_prefix}", client=s3_client)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.browser.entries) > 0, what="first page")
        first = len(app.browser.entries)
        assert first < s3_server.big_count  # one page, not the whole folder
        ol = app.browser.entry_list
        last = ol.get_option_at_index(ol.option_count - 1)
        assert last.id == MORE_ID and "more" in str(last.prompt)  # says there is more
        await press(pilot, "end")
        await wait_for(pilot, lambda: len(app.browser.entries) > first, what="second page")
        keys = [e.key for e in app.browser.entries]
        assert keys == sorted(keys) and len(set(keys)) == len(keys)


async def test_quitting_during_a_stalled_load_does_not_wait_for_s3(
        s3_server: Any, fault_proxy: Any, proxy_client: Any) -> None:
    big = s3_server.find("big")
    fault_proxy.stall_after(1000, match=lambda r: r.operation == "GetObject")
    app = FlowtuiApp(big.url, client=proxy_client)
    try:
        started = time.monotonic()
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: fault_proxy.stalled.is_set(), what="stall")
            await press(pilot, "q")
        assert app.job is not None and app.job.cancel.is_set()
        assert time.monotonic() - started < 10  # the stall lasts until released: not waited
        loader_threads = [t for t in threading.enumerate() if t.name.startswith("flowtui-load")]
        for thread in loader_threads:
            thread.join(timeout=5)
            assert not thread.is_alive(), "a loader thread outlived the app"
    finally:
        fault_proxy.release()


def _highlighted_command(app: FlowtuiApp) -> str:
    """The palette's highlighted entry: results stream in from several providers, so Enter
    must wait until the one we typed for is the one highlighted."""
    from textual.command import CommandList

    try:
        commands = app.screen.query_one(CommandList)
    except Exception:
        return ""
    index = commands.highlighted
    if index is None or index >= commands.option_count:
        return ""
    return str(commands.get_option_at_index(index).prompt)
