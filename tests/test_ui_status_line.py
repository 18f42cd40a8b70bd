"""The status line at the widths people use: at 80 columns the row, the match count and the
load's progress show whatever else the line holds; the rest goes, least important first."""

from __future__ import annotations

from textual.app import App, ComposeResult

from flowtui.ui.widgets.records.status import LoadStatus, RecordStatus
from tests.ui_helpers import screen_text, wait_for

LABEL = "s3://flow-logs-archive/AWSLogs/111111111111/vpcflowlogs/us-east-1/2024/03/05/"


class OneLine(App[None]):
    def compose(self) -> ComposeResult:
        yield RecordStatus(id="status")


def busy(status: RecordStatus) -> None:
    """Everything at once: a filter, a sort in progress, new rows, bad lines, a load."""
    status.total = 1_234
    status.position = 41
    status.store_total = 3_000_000
    status.note = "exporting 1,000/1,234 rows to 2024-03-05_reject-and-port-22.csv"
    status.new_rows = 300
    status.decoded = True
    status.load = LoadStatus(label=LABEL, objects_done=12, objects_total=288,
                             bytes_read=48_000_000, records=3_000_000, bad_lines=2,
                             running=True)


async def line_at(width: int) -> str:
    app = OneLine()
    async with app.run_test(size=(width, 3)) as pilot:
        busy(app.query_one(RecordStatus))
        await wait_for(pilot, lambda: "row 42/" in screen_text(pilot)[0], what="drawn")
        return screen_text(pilot)[0]


async def test_at_80_columns_the_essential_parts_show() -> None:
    line = await line_at(80)
    assert "row 42/1,234" in line, line
    assert "1,234 of 3,000,000 match" in line, line
    assert "loading 12/288 objects" in line, line
    assert LABEL not in line and "…" not in line  # dropped whole, not cut mid-word


async def test_with_more_room_the_more_important_parts_come_back_first() -> None:
    line = await line_at(100)
    assert "300 new rows (End follows)" in line, line  # news of the tail before the rest
    assert "loading 12/288 objects" in line, line
    assert "decoded" not in line and LABEL not in line, line


async def test_a_wide_line_shows_every_part_in_its_order() -> None:
    line = await line_at(300)
    order = ["row 42/1,234", "of 3,000,000 match", "exporting", "300 new rows",
             "2 bad lines", "loading 12/288 objects", "Esc cancels", "decoded", LABEL]
    places = [line.find(part) for part in order]
    assert -1 not in places and places == sorted(places), line


async def test_the_bytes_read_are_kib_mib_as_computed() -> None:
    """48,000,000 bytes are 45.8 MiB (48e6 / 2**20 = 45.78): "45.8 MB" would be 45,800,000
    bytes, the filter language's ``45.8M``."""
    line = await line_at(300)
    assert "loading 12/288 objects 45.8 MiB" in line, line
    assert " MB" not in line, line


async def test_in_the_app_a_cut_part_ends_in_an_ellipsis_not_a_hidden_second_row(
        s3_client: object) -> None:
    """At 80x24 in the app the line's last part was wrapped to a second row that its one row
    hides: "names: 5 interfaces read 22s" read as a whole statement (the demo's status after
    a filter), and the day folder's label vanished without a mark. The line is not wrapped
    now: a part cut short ends in "…" (what ``render`` keeps it for)."""
    from flowtui.ui.app import FlowtuiApp

    app = FlowtuiApp(None, client=s3_client)  # type: ignore[arg-type]
    async with app.run_test(size=(80, 24)) as pilot:
        status = app.main_screen.query_one(RecordStatus)
        status.total, status.store_total = 0, 3_600
        status.load = LoadStatus(label=LABEL, objects_done=6, objects_total=6)
        status.names = "names: 5 interfaces read 22s ago, IP ranges"
        await wait_for(pilot, lambda: "0 of 3,600 match" in screen_text(pilot)[-2],
                       what="drawn")
        line = screen_text(pilot)[-2].rstrip()
        assert line.endswith("…"), line


async def test_one_bad_line_and_one_new_row_are_singular() -> None:
    """A file with one bad line said "1 bad lines" (and a tail with one new row "1 new
    rows"): the count of the status line is English."""
    app = OneLine()
    async with app.run_test(size=(200, 3)) as pilot:
        status = app.query_one(RecordStatus)
        status.total, status.position, status.new_rows = 10, 0, 1
        status.load = LoadStatus(label=LABEL, objects_done=1, objects_total=1, bytes_read=1,
                                 records=10, bad_lines=1, running=False)
        await wait_for(pilot, lambda: "bad line" in screen_text(pilot)[0], what="drawn")
        line = screen_text(pilot)[0]
    assert "1 bad line " in line + " " and "1 bad lines" not in line, line
    assert "1 new row (End follows)" in line, line
