"""At 80x24 the footer's keys are wider than the terminal: the line was cut mid-key ("esc"
with no description on the browser, "⏎ Filte" under a top-N), which reads as a key. The
last cell now says more follows (the mouse wheel scrolls the line; ``?`` lists every key)."""

from __future__ import annotations

from typing import Any

import pytest

from flowtui.ui.app import FlowtuiApp
from flowtui.ui.widgets.footer.line import KeysFooter
from tests.ui_helpers import screen_text, wait_for

pytestmark = pytest.mark.asyncio


async def test_a_footer_wider_than_80_columns_ends_in_an_ellipsis(s3_client: Any) -> None:
    app = FlowtuiApp(None, client=s3_client)
    async with app.run_test(size=(80, 24)) as pilot:
        footer = app.main_screen.query_one(KeysFooter)
        await wait_for(pilot, lambda: len(footer.items) > 8, what="the footer's keys")
        whole = "  ".join(f"{i.key_display} {i.description}" for i in footer.items)
        assert len(whole) > 80  # the case: more keys than room
        bottom = screen_text(pilot)[-1]
        # the palette's key stays, at the right end, after the "…" (the way to the rest)
        assert bottom.endswith("… ^p Commands "), bottom
        shown = bottom.rpartition("…")[0].rstrip()
        # what is left of the ellipsis is whole keys with their descriptions, or a cut one
        # that the ellipsis marks; never the line ending as if it were complete
        assert not any(shown.endswith(f" {i.key_display}") for i in footer.items), bottom
