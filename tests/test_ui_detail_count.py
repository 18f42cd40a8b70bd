"""The detail panel's title counts the rows the table has now.

Its title names the cursor's record as ``row 1 of 240 · line 2 of a.log.gz``. Rows that
arrive while the cursor rests (a live tail's new files, the table not following the end)
changed the table and the status line (``row 1/280``) but not the panel, which went on
saying ``row 1 of 240``: found by the stateful screen test (tests/test_ui_invariants.py,
a tail's rows after a filter behind the top-N pane) run with random sequences.
"""

from __future__ import annotations

from pathlib import Path

from flowtui.fields import DEFAULT_FIELDS
from flowtui.parser import parse_bytes
from flowtui.ui.app import FlowtuiApp
from tests.conftest import flow_lines, text_object
from tests.test_ui_invariants import STAMP
from tests.ui_helpers import detail_caught_up, wait_for


def _title(app: FlowtuiApp) -> str:
    return str(app.detail.query_one("#detail-title").content)  # type: ignore[attr-defined]


async def test_rows_arriving_under_a_resting_cursor_update_the_panels_count(
        tmp_path: Path) -> None:
    path = tmp_path / "a.log.gz"
    path.write_bytes(text_object(flow_lines(240, seed=1, account="111122223333",
                                            stamp=STAMP)))
    app = FlowtuiApp(str(path), names=None)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.table.row_count == 240, what="the records")
        app.table.focus()
        await detail_caught_up(pilot)
        assert _title(app).startswith("row 1 of 240 · line 2 of a.log.gz")
        # as Tails.update does with a new file's records: appended, the table told
        store = app.shown.records
        assert store is not None
        lines = flow_lines(40, seed=3, account="111122223333", stamp=STAMP)
        batches, _ = parse_bytes("\n".join([" ".join(DEFAULT_FIELDS), *lines]).encode())
        for batch in batches:
            store.append(batch, "tail")
        app.table.data_changed()
        await wait_for(pilot, lambda: app.table.row_count == 280, what="the new rows")
        await detail_caught_up(pilot)
        await pilot.pause()
        assert app.table.cursor_row == 0
        assert _title(app).startswith("row 1 of 280 · line 2 of a.log.gz"), _title(app)
