"""Keys in one write leave one row in the cursor's style: the one the cursor is on.

``r G k k k`` pasted (or typed faster than the table repaints while a key repeats) left, one
run in four, the row the cursor had passed still highlighted: its text right, its style the
cursor's. What the screen shows must equal what a fresh paint of the same state shows."""

from __future__ import annotations

from typing import Any

import pytest

from flowtui.ui.app import FlowtuiApp
from tests.test_ui_snapshots import _loaded
from tests.ui_helpers import detail_caught_up, press

pytestmark = pytest.mark.asyncio


def _styled(app: FlowtuiApp) -> list[list[tuple[str, str]]]:
    update = app.screen._compositor.render_update(  # noqa: SLF001
        full=True, screen_stack=app._background_screens)  # noqa: SLF001
    return [[(seg.text, str(seg.style)) for strip in line for seg in strip]
            for line in update.strips]


@pytest.mark.parametrize("run", range(3))
async def test_a_burst_leaves_no_stale_cursor_row(s3_server: Any, s3_client: Any,
                                                  run: int) -> None:
    app = FlowtuiApp(s3_server.find("broken-neighbour").url, client=s3_client)
    async with app.run_test(size=(200, 60)) as pilot:
        await _loaded(pilot)
        app.table.focus()
        await press(pilot, "r", "G", "k", "k", "k")
        await detail_caught_up(pilot)
        shown = _styled(app)
        app.table._strips.clear()  # noqa: SLF001 - draw every row afresh
        app.table.refresh()
        await pilot.pause()
        fresh = _styled(app)
        assert [y for y in range(len(shown)) if shown[y] != fresh[y]] == []
