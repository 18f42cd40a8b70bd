"""``@`` to a time after every record: the cursor, the detail panel and the status line stay
on the record they were on, and the warning says why (the latest start there is). It used
to put the cursor on the last row while saying no record starts there, so the panel showed
a record the message denied. Local files of synthetic flow logs, read as the app reads them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flowtui.ui.app import FlowtuiApp
from tests.conftest import flow_lines, text_object
from tests.test_ui_truth import at_rest, opened
from tests.ui_helpers import press, wait_for
from tests.ui_invariants import check_detail, check_status

STAMP = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)
#: A late record (14:00), REJECT to port 65000: a filter can leave it out of the view.
LATE = ("2 111122223333 eni-0late0000000000 10.9.9.9 10.0.0.1 40000 65000 6 1 40 "
        f"{int(STAMP.timestamp()) + 7200} {int(STAMP.timestamp()) + 7260} REJECT OK")


def notes(app: FlowtuiApp) -> list[str]:
    return [str(n.message) for n in app._notifications]  # noqa: SLF001


async def go_nowhere(pilot: Any, app: FlowtuiApp, clock: str) -> str:
    """``@clock`` Enter from row 5; the cursor (and panel, status) must stay there."""
    await press(pilot, *"jjjjj")
    await at_rest(pilot, app)
    before = app.table.store.store_index(5)  # type: ignore[union-attr]
    assert app.table.cursor_row == 5
    await press(pilot, "at", *clock, "enter")
    await wait_for(pilot, lambda: any("No record starts" in n for n in notes(app)),
                   timeout=20, what="the warning")
    await at_rest(pilot, app)
    table = app.table
    assert table.store is not None
    assert table.store.store_index(table.cursor_row) == before  # the same record
    assert app.detail.record_index == table.cursor_row
    check_detail(pilot, app)
    check_status(pilot, app)
    return next(n for n in notes(app) if "No record starts" in n)


async def test_a_time_after_every_record_leaves_the_cursor_on_its_record(
        tmp_path: Path) -> None:
    """Every record starts by 12:05; @ 23:00 goes nowhere, says the latest start (fails
    before: the cursor went to the last row, 299)."""
    path = tmp_path / "flows.log.gz"
    lines = flow_lines(300, seed=7, account="111122223333", stamp=STAMP)
    path.write_bytes(text_object(lines))
    app = FlowtuiApp(str(path))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot, app)
        said = await go_nowhere(pilot, app, "23:00")
        assert app.table.cursor_row == 5
        assert "the cursor stays where it was" in said
        latest = max(int(line.split()[10]) for line in lines)
        assert f"{datetime.fromtimestamp(latest, tz=UTC):%Y-%m-%d %H:%M:%S} UTC" in said
        assert app.shown.view is None  # nothing to find: the view was not sorted for it


async def test_a_filtered_view_sorted_for_the_search_keeps_the_cursor_s_record(
        tmp_path: Path) -> None:
    """A record at 14:00 is loaded but filtered out: @ 13:00 sorts the view by start to
    search it, finds nothing, and the cursor is back on the record it was on (fails
    before: it went to the last row)."""
    path = tmp_path / "flows.log.gz"
    lines = flow_lines(300, seed=7, account="111122223333", stamp=STAMP) + [LATE]
    path.write_bytes(text_object(lines))
    app = FlowtuiApp(str(path))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot, app)
        await press(pilot, "slash", *"not port 65000", "enter")
        await at_rest(pilot, app)
        assert app.table.row_count == 300
        said = await go_nowhere(pilot, app, "13:00")
        assert "the latest start in this view is 2024-03-05 12:0" in said
