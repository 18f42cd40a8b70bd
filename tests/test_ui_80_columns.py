"""At 80x24 the conversation screen's table fits, and every footer keeps ``^p``.

The conversation table put both directions on one row: 105 cells, in a body 76 wide at 80
columns, so it scrolled sideways and ``last`` and ``ifaces`` were off screen. The main
footer, once records were loaded, cut its keys before ``^p Commands``: the palette is the
way to every command the footer has no room for, so it is the key that must stay.
"""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette
from textual.widgets import Static

from flowtui.ui.app import FlowtuiApp
from flowtui.ui.features.story.conversation import ConversationBody, ConversationScreen
from flowtui.ui.messages import ShowConversation
from flowtui.ui.widgets.footer.line import KeysFooter
from tests.ui_helpers import loaded, screen_text, wait_for

HEADER = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
          "bytes start end action log-status")
LINES = [  # an upload of megabytes on 443, SSH REJECTed, DNS: three groups, both directions
    "2 123456789012 eni-1 10.0.0.1 10.0.0.2 40000 443 6 4000 123456789 1700000000 1700000060 "
    "ACCEPT OK",
    "2 123456789012 eni-1 10.0.0.2 10.0.0.1 443 40000 6 2000 98765 1700000000 1700000060 "
    "ACCEPT OK",
    "2 123456789012 eni-1 10.0.0.1 10.0.0.2 40001 22 6 3 180 1700000100 1700000160 REJECT OK",
    "2 123456789012 eni-1 10.0.0.1 10.0.0.2 53000 53 17 1 70 1700000200 1700000260 ACCEPT OK",
    "2 123456789012 eni-1 10.0.0.2 10.0.0.1 53 53000 17 1 90 1700000200 1700000260 ACCEPT OK",
]


def _footer(pilot) -> str:
    return screen_text(pilot)[-1]


async def test_at_80_columns_the_conversation_fits_and_footers_keep_the_palette(
        tmp_path: Path) -> None:
    path = tmp_path / "flows.log"
    path.write_text("\n".join([HEADER, *LINES]) + "\n")
    app = FlowtuiApp(str(path))
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, len(LINES))
        footer = app.main_screen.query_one(KeysFooter)
        await wait_for(pilot, lambda: any(i.key_display == "/" for i in footer.items),
                       what="the footer of the loaded records")
        assert "^p Commands" in _footer(pilot), _footer(pilot)
        # a click on it opens the palette, as a click on any key presses it
        await pilot.click(KeysFooter, offset=(_footer(pilot).index("^p") + 1, 0))
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette),
                       what="the command palette")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen, what="the records")

        app.table.post_message(ShowConversation("10.0.0.1", "10.0.0.2"))
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen)
                       and "group(s)" in "\n".join(screen_text(pilot)),
                       what="the conversation")
        body = app.screen.query_one(ConversationBody)
        table = app.screen.query_one("#conversation-table", Static)
        assert table.size.width <= body.scrollable_content_region.width, (table.size, body)
        assert body.max_scroll_x == 0  # nothing off to the side
        shown = "\n".join(screen_text(pilot))
        for header in ("proto", "port", "rec", "bytes", "acc", "rej", "first (UTC)", "last",
                       "ifaces"):
            assert header in shown, header
        assert "118 MiB" in shown, shown  # the upload's bytes, whole
        assert "^p" in _footer(pilot), _footer(pilot)
