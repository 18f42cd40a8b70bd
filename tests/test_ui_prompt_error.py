"""An error near the end of a long filter is readable at 80 columns.

The line under the filter bar puts a caret under the error and the reason after it. With the
error near the right edge (a long filter at 80x24, or a field typed last), the reason ran
past the edge: ``^ unknown fiel…``, or ``^ …`` alone, and the user saw where but not why.
Where the reason does not fit after the caret it now ends just before it.
"""

from __future__ import annotations

from pathlib import Path

from flowtui.ui.app import FlowtuiApp
from tests.test_ui_prompt_paste import _log
from tests.ui_helpers import press, screen_text, wait_for


async def test_the_reason_of_an_error_at_the_right_edge_is_shown_whole(
        tmp_path: Path) -> None:
    app = FlowtuiApp(str(_log(tmp_path)), names=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.table.row_count == 3, what="the records")
        app.table.focus()
        typed = "srcaddr = 10.0.0.5 and dstport = 22 and srcport = 40000 and bogus = 3"
        await press(pilot, "slash", *typed)
        prompt = app.main_screen.prompt
        await wait_for(pilot, lambda: "bogus" in prompt.message, what="the error")
        await pilot.pause()
        screen = screen_text(pilot)
        row = next(i for i, line in enumerate(screen) if "bogus = 3" in line)
        under = screen[row + 1]
        assert "unknown field 'bogus'" in under, under  # the reason, not cut
        assert under.index("^") == screen[row].index("bogus = 3"), (screen[row], under)
