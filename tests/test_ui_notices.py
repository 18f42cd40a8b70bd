"""At 80x24 (SSH on a jump host) no notification is drawn over evidence: a names note (the
12-second warning ``NamesControl.loaded`` raises about the EC2 inventory) raised on the main
screen is not carried over the story, and one raised while the story, the conversation or the
help is shown is a line of that screen, outside its body."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widget import Widget

from flowtui.ui.app import FlowtuiApp
from flowtui.ui.features.story.conversation import ConversationBody, ConversationScreen
from flowtui.ui.features.story.screen import StoryBody, StoryScreen
from flowtui.ui.help import HelpScreen
from flowtui.ui.widgets.notice import NoticeLine
from tests.test_story import T0, V5, v5
from tests.ui_helpers import press, screen_text, wait_for

pytestmark = pytest.mark.asyncio

#: The words of inventory.load_inventory's note for another account's records.
NOTE = ("EC2 inventory: these credentials read account 111122223333, the records are of "
        "account 444455556666: its interfaces and private addresses are not named (use that "
        "account's credentials, --profile)")


def names_note(app: FlowtuiApp) -> None:
    """What NamesControl.loaded raises for a note (same title, severity and timeout)."""
    app.notify(NOTE, title="Names", severity="warning", timeout=12, markup=False)


def rows_of(pilot: Pilot, widget: Widget) -> str:
    region = widget.region
    rows = screen_text(pilot)[region.y:region.y + region.height]
    return "\n".join(row[region.x:region.x + region.width] for row in rows)


async def settled(pilot: Pilot) -> None:
    """Long enough for a toast carried to a new screen to be drawn there (two refreshes of
    its rack; what failed before the fix)."""
    for _ in range(3):
        await pilot.pause(0.05)


def note_in(text: str) -> bool:
    return any(word in text for word in ("444455556666", "EC2 inventory", "--profile"))


@pytest.fixture()
def log(tmp_path: Any) -> str:
    lines = [v5("eni-0aaa", "198.51.100.7", "10.0.1.5", 50123, 443, T0 + 5, T0 + 58, "ACCEPT",
                2, "ingress"),
             v5("eni-0aaa", "10.0.1.5", "198.51.100.7", 443, 50123, T0 + 5, T0 + 58, "REJECT",
                18, "egress")]
    path = tmp_path / "nacl.log"
    path.write_text(V5 + "\n" + "\n".join(lines) + "\n")
    return str(path)


async def test_a_names_note_never_covers_the_story_or_the_conversation(log: str) -> None:
    app = FlowtuiApp(log)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_for(pilot, lambda: app.table.row_count == 2, what="the records")
        names_note(app)  # raised on the main screen, as names arrive with the records
        await wait_for(pilot, lambda: note_in("\n".join(screen_text(pilot))),
                       what="the toast on the main screen")
        app.table.focus()
        await press(pilot, "home", "i")
        await wait_for(pilot, lambda: isinstance(app.screen, StoryScreen)
                       and app.screen.told is not None, what="the story")
        await settled(pilot)
        assert not note_in("\n".join(screen_text(pilot)))  # not carried over the story
        names_note(app)  # raised while the story is read: a line of the story screen
        await pilot.pause()
        body, notice = app.screen.query_one(StoryBody), app.screen.query_one(NoticeLine)
        assert not note_in(rows_of(pilot, body))
        assert "warning: Names: EC2 inventory" in rows_of(pilot, notice)
        assert "credentials, --profile)" in rows_of(pilot, notice)  # whole, wrapped
        assert not body.region.overlaps(notice.region)
        await press(pilot, "v")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen),
                       what="the conversation")
        names_note(app)
        await pilot.pause()
        talk = app.screen.query_one(ConversationBody)
        assert not note_in(rows_of(pilot, talk))
        assert "warning: Names: EC2 inventory" in rows_of(pilot, app.screen.query_one(NoticeLine))
        await press(pilot, "escape", "escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen, what="the table")


async def test_a_names_note_never_covers_the_help(log: str) -> None:
    app = FlowtuiApp(log)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_for(pilot, lambda: app.table.row_count == 2, what="the records")
        names_note(app)
        await wait_for(pilot, lambda: note_in("\n".join(screen_text(pilot))),
                       what="the toast on the main screen")
        await press(pilot, "question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        await settled(pilot)
        assert not note_in("\n".join(screen_text(pilot)))
        names_note(app)
        await pilot.pause()
        help_body = app.screen.query_one("#help-body")
        notice = app.screen.query_one(NoticeLine)
        assert not note_in(rows_of(pilot, help_body))
        assert "warning: Names: EC2 inventory" in rows_of(pilot, notice)
        assert not help_body.region.overlaps(notice.region)
