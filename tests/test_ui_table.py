"""The record table draws what is on screen and nothing more, from the real RecordStore."""

from __future__ import annotations

import time
from pathlib import Path

import pyarrow as pa
import pytest
from textual.app import App, ComposeResult

from flowtui.fields import DEFAULT_FIELDS, arrow_type
from flowtui.store import RecordStore
from flowtui.ui.widgets.records.table import RecordTable
from tests.ui_helpers import press, screen_text, wait_for

pytestmark = pytest.mark.asyncio


class CountingStore(RecordStore):
    """A RecordStore that remembers which row ranges were asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[tuple[int, int]] = []

    def rows(self, start: int, stop: int) -> list[dict[str, object]]:
        self.requests.append((start, stop))
        return super().rows(start, stop)


def _batch(n: int, offset: int = 0) -> pa.RecordBatch:
    """``n`` records; every 10th REJECT, every 50th NODATA, every 70th SKIPDATA."""
    columns: dict[str, list[object]] = {name: [] for name in DEFAULT_FIELDS}
    for i in range(offset, offset + n):
        status = "NODATA" if i % 50 == 49 else "SKIPDATA" if i % 70 == 69 else "OK"
        flow = status == "OK"
        values = {
            "version": 2, "account-id": "123456789012", "interface-id": f"eni-{i % 97:017x}",
            "srcaddr": f"10.0.{i % 256}.{i % 199}" if flow else None,
            "dstaddr": "172.31.0.9" if flow else None,
            "srcport": 1024 + i % 60000 if flow else None,
            "dstport": 443 if flow else None,
            "protocol": 6 if flow else None,
            "packets": i % 1000 + 1 if flow else None,
            "bytes": (i % 1000 + 1) * 60 if flow else None,
            "start": 1709647200 + i, "end": 1709647260 + i,
            "action": ("REJECT" if i % 10 == 9 else "ACCEPT") if flow else None,
            "log-status": status,
        }
        for name in DEFAULT_FIELDS:
            columns[name].append(values[name])
    arrays = []
    for name in DEFAULT_FIELDS:
        kind = arrow_type(name)
        if pa.types.is_dictionary(kind):
            arrays.append(pa.array(columns[name], pa.string()).dictionary_encode())
        else:
            arrays.append(pa.array(columns[name], kind))
    return pa.RecordBatch.from_arrays(arrays, names=list(DEFAULT_FIELDS))


class TableApp(App[None]):
    def __init__(self, store: RecordStore) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        yield RecordTable(self.store)

    def on_mount(self) -> None:
        table = self.query_one(RecordTable)
        table.refresh_now()
        table.focus()


@pytest.fixture(scope="module")
def big_batches() -> list[pa.RecordBatch]:
    """A million rows: one batch of 100,000 ten times over (what is measured is how many
    rows the table asks for, not what they hold; building ten distinct batches in Python
    took 4.6 s)."""
    return [_batch(100_000)] * 10


async def test_a_million_rows_are_drawn_a_screen_at_a_time(
        big_batches: list[pa.RecordBatch]) -> None:
    store = CountingStore()
    for batch in big_batches:
        store.append(batch, "s3://b/k")
    app = TableApp(store)
    started = time.perf_counter()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(RecordTable)
        await wait_for(pilot, lambda: table.row_count == 1_000_000, what="rows counted")
        first_paint = time.perf_counter() - started
        await press(pilot, "G")
        await press(pilot, "pageup", "pageup", "k", "g", "pagedown")
        await pilot.pause()
        height = table.size.height
        assert store.requests, "the table never asked the store for rows"
        assert max(stop - start for start, stop in store.requests) <= height
        assert sum(stop - start for start, stop in store.requests) < 20 * height
        assert table.cursor_row == table._body_height()  # g then one page down
        print(f"first paint with 1M rows: {first_paint * 1000:.0f} ms")


async def test_strips_are_cached_and_only_new_rows_are_fetched() -> None:
    store = CountingStore()
    store.append(_batch(500), "a")
    app = TableApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(RecordTable)
        await pilot.pause()
        store.requests.clear()
        table.refresh()
        await pilot.pause()
        assert store.requests == []  # repaint of the same rows: nothing asked again
        await press(pilot, "pagedown", "pagedown")
        await pilot.pause()
        fetched = sum(stop - start for start, stop in store.requests)
        assert 0 < fetched <= 2 * table.size.height


async def test_rows_appear_as_batches_arrive() -> None:
    store = RecordStore()
    app = TableApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(RecordTable)
        assert table.row_count == 0
        for part in range(3):
            store.append(_batch(100, part * 100), "a")
            table.data_changed()
            await wait_for(pilot, lambda p=part: table.row_count == (p + 1) * 100,
                           what="batch shown")
        assert "10.0.0.0" in "\n".join(screen_text(pilot))


async def test_reject_and_nodata_rows_are_marked_without_colour() -> None:
    store = RecordStore()
    store.append(_batch(80), "a")
    app = TableApp(store)
    async with app.run_test(size=(180, 90)) as pilot:
        await pilot.pause()
        lines = screen_text(pilot)
        header, rows = lines[0], lines[1:81]
        assert header.startswith("! ") and "log-status" in header
        assert rows[9].startswith("R ") and "REJECT" in rows[9]
        assert rows[49].startswith("N ") and "NODATA" in rows[49]
        assert rows[69].startswith("S ") and "SKIPDATA" in rows[69]
        assert rows[0].startswith("  ") and "ACCEPT" in rows[0]
        # '-' stays '-', never 0
        assert " - " in rows[49]


async def test_columns_fit_the_values_on_screen_and_scroll_sideways() -> None:
    store = RecordStore()
    store.append(_batch(40), "a")
    app = TableApp(store)
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(RecordTable)
        await pilot.pause()
        lines = screen_text(pilot)
        # the 5-tuple and the action lead; the format's own first columns come later
        assert lines[0].split()[:7] == ["!", "srcaddr", "srcport", "dstaddr", "dstport",
                                        "protocol", "action"]
        assert "interface-id" not in lines[0]
        await press(pilot, "dollar_sign")
        await pilot.pause()
        assert table.scroll_x > 0
        lines = screen_text(pilot)
        header = lines[0]
        assert header.startswith("! ")  # the marker column stays put
        assert "log-status" in header and "interface-id" in header
        assert "eni-00000000000000001 " in lines[2]  # as wide as the values need


async def test_a_number_folded_into_the_title_says_whose_it_is(tmp_path: Path) -> None:
    """A column with one value in every row folds into the table's title, where no header
    names it: a Transit Gateway log's title read ``… · IPv4 · 0 · 0 · 0 · 0 · 2 · …`` (four
    packets-lost-* counters and tcp-flags), and in decoded mode the version was a bare
    ``6``. A number now carries its field's name; the version stays ``v6``."""
    from flowtui.fields import TGW_DEFAULT_FIELDS
    from flowtui.ui.app import FlowtuiApp

    values = {"version": "6", "resource-type": "TransitGateway", "account-id": "111122223333",
              "tgw-id": "tgw-0a1b", "tgw-attachment-id": "tgw-attach-0a1b", "protocol": "6",
              "srcaddr": "10.10.1.5", "dstaddr": "10.11.2.9", "dstport": "443",
              "packets": "3", "bytes": "180", "log-status": "OK", "type": "IPv4",
              "tcp-flags": "2", "region": "us-east-1", "flow-direction": "ingress"}
    lines = [" ".join(values.get(name, "0" if name.startswith("packets-lost") else
                                 str(40000 + i) if name == "srcport" else
                                 str(1709647200 + i) if name in ("start", "end") else "-")
                      for name in TGW_DEFAULT_FIELDS) for i in range(3)]
    log = tmp_path / "tgw.log"
    log.write_text(" ".join(TGW_DEFAULT_FIELDS) + "\n" + "\n".join(lines) + "\n")
    app = FlowtuiApp(str(log), names=None)
    async with app.run_test(size=(400, 20)) as pilot:
        await wait_for(pilot, lambda: app.table.row_count == 3, what="the records")
        title = str(app.table.border_title)
        for counter in ("no-route", "blackhole", "mtu-exceeded", "ttl-expired"):
            assert f" · packets-lost-{counter} 0" in title, title
        assert " · tcp-flags 2 · " in title and title.startswith("Records · v6 · ")
        app.table.focus()
        await press(pilot, "r")
        await wait_for(pilot, lambda: "tcp-flags SYN" in str(app.table.border_title),
                       what="the decoded title")
        assert str(app.table.border_title).startswith("Records · v6 · ")
