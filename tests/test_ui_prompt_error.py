"""An error near the end of a long filter is readable at 80 columns.

The line under the filter bar puts a caret under the error and the reason after it. With the
error near the right edge (a long filter at 80x24, or a field typed last), the reason ran
past the edge: ``^ unknown fiel…``, or ``^ …`` alone, and the user saw where but not why.
Where the reason does not fit after the caret it now ends just before it.
"""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from flowtui.ui.app import FlowtuiApp
from tests.test_ui_prompt_paste import _log
from tests.ui_helpers import press, screen_text, wait_for


async def typed_with_error(pilot: Pilot, app: FlowtuiApp, typed: str, error: str) -> None:
    """The three records loaded, ``/`` and ``typed``: the bar says its error about
    ``error``."""
    await wait_for(pilot, lambda: app.table.row_count == 3, what="the records")
    app.table.focus()
    await press(pilot, "slash", *typed)
    prompt = app.main_screen.prompt
    await wait_for(pilot, lambda: error in prompt.message, what="the error")
    await pilot.pause()


async def test_the_reason_of_an_error_at_the_right_edge_is_shown_whole(
        tmp_path: Path) -> None:
    app = FlowtuiApp(str(_log(tmp_path)), names=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await typed_with_error(pilot, app, "srcaddr = 10.0.0.5 and dstport = 22 and "
                               "srcport = 40000 and bogus = 3", "bogus")
        screen = screen_text(pilot)
        row = next(i for i, line in enumerate(screen) if "bogus = 3" in line)
        under = screen[row + 1]
        assert "unknown field 'bogus'" in under, under  # the reason, not cut
        assert under.index("^") == screen[row].index("bogus = 3"), (screen[row], under)


async def test_after_a_resize_the_caret_is_still_under_the_error(tmp_path: Path) -> None:
    """From 80x24 to 160x48 with the bar open, the bar gets narrower (the browser and the
    detail panel come back beside it): the input kept its old scroll, the end of the text
    with the cursor and the error out of view, and the caret line was the old one, drawn
    past the end ("…" alone)."""
    app = FlowtuiApp(str(_log(tmp_path)), names=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await typed_with_error(pilot, app, "srcaddr = 10.0.0.5 and dstaddr = 10.0.0.1 and "
                               "srcport = 1 and dstport = 99999", "99999")
        for size in ((160, 48), (100, 30), (80, 24)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await pilot.pause()
            screen = screen_text(pilot)
            row = next(i for i, line in enumerate(screen) if "/ " in line
                       and "99999" in line)
            assert screen[row + 1].index("^") == screen[row].index("99999"), (
                size, screen[row], screen[row + 1])


async def test_two_fields_compared_say_so_under_the_bar(tmp_path: Path) -> None:
    """``srcport = dstport`` said "unknown service 'dstport'" under the bar too (the same
    parser as --where); it now names the problem."""
    app = FlowtuiApp(str(_log(tmp_path)), names=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await typed_with_error(pilot, app, "srcport = dstport", "is a field")
        assert "'dstport' is a field" in app.main_screen.prompt.message
        assert "unknown service" not in app.main_screen.prompt.message
