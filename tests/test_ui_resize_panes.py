"""Made small with records on screen, the browser gives way as it does when the records take
the focus there (screen.py, TINY_WIDTH).

From 160x48 to 80x24 with the focus on the table or the Top-N pane, nothing moved the focus,
so the browser kept 30 of the 80 columns: the Top-N pane ranked "by bytes" with its bytes
and share columns off the screen (a ranking whose measure could not be read), the table
showed three columns.
"""

from __future__ import annotations

from pathlib import Path

from flowtui.ui.app import FlowtuiApp
from tests.test_ui_prompt_paste import _log
from tests.ui_helpers import press, screen_text, wait_for


async def test_the_browser_gives_way_when_the_terminal_gets_small(tmp_path: Path) -> None:
    app = FlowtuiApp(str(_log(tmp_path)), names=None)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.table.row_count == 3, what="the records")
        app.table.focus()
        await pilot.pause()
        browser = app.main_screen.query_one("#browser")
        assert browser.display  # wide: beside the table
        await press(pilot, "T")
        top = app.main_screen.top
        await wait_for(pilot, lambda: top.data is not None and top.data.rows, what="top-N")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert not browser.display
        header = next(line for line in screen_text(pilot) if " records " in line)
        assert "bytes" in header and "share of" in header, header
        await press(pilot, "escape")  # back to the records, still small: still given way
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert browser.display  # wide again: back
