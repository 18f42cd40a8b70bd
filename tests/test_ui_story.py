"""The story screen as a user drives it, against moto over HTTP: ``i`` on a record tells its
story; ``l`` loads the objects around it (filtered to the flow) and the verdict changes;
Enter on a sighting puts the table's cursor on that record; ``v`` opens the conversation.
The records are the hand-written ones of tests/test_story_s3.py (built from the reference's
facts), in a bucket of the test's own."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from flowtui.fields import DEFAULT_FIELDS
from flowtui.query.expr import parse
from flowtui.query.query import Query
from flowtui.query.story import Story
from flowtui.query.view import RecordView
from flowtui.store import RecordStore
from flowtui.ui.app import FlowtuiApp
from flowtui.ui.commands import app_commands
from flowtui.ui.features.story.conversation import ConversationScreen
from flowtui.ui.features.story.render import ACCEPT_CELL, REJECT_CELL, strip_cells
from flowtui.ui.features.story.screen import SightingList, StoryBody, StoryScreen
from flowtui.ui.help import HelpScreen
from tests.conftest import text_object
from tests.test_story import ENI, NAT_ENI, T0, V5, v5
from tests.test_story_s3 import AT_NAT, FIELDS, LATE_LOOKALIKE, REPLY, REQUEST, filler, key
from tests.ui_helpers import declared_bindings, press, screen_segments, screen_text, wait_for

OBJECTS = {
    key("fl-0aaa", "1400", "a0000001"): [REQUEST, *filler(T0 + 200, 20)],
    key("fl-0aaa", "1405", "a0000002"): [*filler(T0 + 400, 20), REPLY],
    key("fl-0nat", "1405", "b0000001"): [AT_NAT],
    key("fl-0aaa", "1600", "a0000003"): [LATE_LOOKALIKE],  # hours later: never needed
}
FIRST = key("fl-0aaa", "1400", "a0000001")


@pytest.fixture()
def bucket(scratch_bucket: tuple[str, Any]) -> str:
    name, raw = scratch_bucket
    for name_, lines in OBJECTS.items():
        raw.put_object(Bucket=name, Key=name_, Body=text_object(lines, FIELDS))
    return name


def text(pilot: Pilot) -> str:
    return "\n".join(screen_text(pilot))


async def open_story(pilot: Pilot, app: FlowtuiApp, rows: int) -> StoryScreen:
    """Wait for the load, put the cursor on the request (row 0) and press s."""
    await wait_for(pilot, lambda: app.job is not None and not app.job.status.running
                   and app.table.row_count == rows, what="the object to load")
    app.table.focus()
    await press(pilot, "home", "i")
    await wait_for(pilot, lambda: isinstance(app.screen, StoryScreen)
                   and app.screen.told is not None, what="the story")
    screen = app.screen
    assert isinstance(screen, StoryScreen)
    return screen


def story_of(screen: StoryScreen) -> Story:
    assert screen.told is not None
    return screen.told.story


async def test_story_then_load_what_is_missing_then_jump_to_the_reply(
        bucket: str, s3_client: Any) -> None:
    app = FlowtuiApp(f"s3://{bucket}/{FIRST}", client=s3_client)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_story(pilot, app, rows=21)
        # the reply is in the next file of the flow log: not loaded, so the data can't tell
        assert story_of(screen).verdict == "incomplete"
        shown = text(pilot)
        assert "verdict incomplete" in shown
        plan = screen.plan
        assert plan is not None and len(plan.to_load) == 2  # the 14:05 files, not the 16:00
        assert "2 object(s) around it not loaded" in shown and "l loads" in shown
        store = screen.store
        assert len(store) == 21

        await press(pilot, "l")
        await wait_for(pilot, lambda: screen.told is not None
                       and story_of(screen).verdict == "ok", timeout=30,
                       what="the story told again after loading")
        # filtered while loading: the reply and the NAT gateway's sighting, no filler
        assert len(store) == 23
        story = story_of(screen)
        assert story.missing == []
        assert [s.record["interface-id"] for s in story.reply] == [ENI]
        assert [s.record["interface-id"] for s in story.elsewhere] == [NAT_ENI]
        await wait_for(pilot, lambda: "verdict ok" in text(pilot), what="the new verdict")
        assert "every object around this record is loaded" in text(pilot)
        # the sightings: the reply first (highlighted), compared with the record
        listing = screen.query_one(SightingList)
        assert listing.option_count == 2 and listing.highlighted == 0
        listing.focus()
        await press(pilot, "enter")
        await wait_for(pilot, lambda: app.screen is app.main_screen, what="back to the table")
        assert app.table.row_count == 23  # the table counts the loaded rows
        assert app.focused is app.table
        row = store.row(app.table.cursor_row)
        assert (row["srcport"], row["dstport"], row["tcp-flags"]) == (443, 40000, 18)


async def test_esc_cancels_a_stalled_load_and_the_story_says_what_is_missing(
        bucket: str, fault_proxy: Any, proxy_client: Any) -> None:
    # the neighbours' bodies stall after 20 bytes, until released
    fault_proxy.stall_after(20, match=lambda r: r.operation == "GetObject" and "1405" in r.key,
                            times=10)
    app = FlowtuiApp(f"s3://{bucket}/{FIRST}", client=proxy_client)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_story(pilot, app, rows=21)
            await press(pilot, "l")
            await wait_for(pilot, lambda: fault_proxy.stalled.is_set(), what="the stall")
            assert screen.loading_missing and "Esc cancels" in text(pilot)
            await press(pilot, "escape")
            assert isinstance(app.screen, StoryScreen)  # Esc cancelled, did not close
            await wait_for(pilot, lambda: not screen.loading_missing, timeout=30, what="cancelled")
            await wait_for(pilot, lambda: screen.told is not None
                           and any("cancelled" in m for m in story_of(screen).missing)
                           or "cancelled" in text(pilot), timeout=30,
                           what="the cancel reported")
            await wait_for(pilot, lambda: "Telling" not in text(pilot), timeout=30,
                           what="the story told again")
            assert story_of(screen).verdict == "incomplete"
            assert len(screen.store) == 21
            await press(pilot, "escape")
            await wait_for(pilot, lambda: app.screen is app.main_screen, what="closed")
    finally:
        fault_proxy.release()


async def test_enter_jumps_through_a_filtered_view(bucket: str, s3_client: Any) -> None:
    """The table may show a view (a filter): the jump maps the store row to the view's."""
    app = FlowtuiApp(f"s3://{bucket}/{FIRST}", client=s3_client)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.job is not None and not app.job.status.running
                       and app.table.row_count == 21, what="the load")
        store = app.shown.records
        assert isinstance(store, RecordStore)
        # a filter: the flow's records and the filler's last nine
        view = RecordView(store, Query(where=parse("srcport = 40000 or dstport = 40000 or "
                                                   "srcport > 41010")))
        app.table.set_store(view)
        app.table.refresh_now()
        await pilot.pause()
        assert app.table.row_count == 1 + 9
        app.table.focus()
        await press(pilot, "home", "i")
        await wait_for(pilot, lambda: isinstance(app.screen, StoryScreen)
                       and app.screen.told is not None, what="the story")
        screen = app.screen
        assert isinstance(screen, StoryScreen)
        assert screen.index == 0 and story_of(screen).record["srcport"] == 40000
        await press(pilot, "l")
        await wait_for(pilot, lambda: screen.told is not None
                       and story_of(screen).verdict == "ok", timeout=30, what="loaded")
        screen.query_one(SightingList).focus()
        await press(pilot, "enter")
        await wait_for(pilot, lambda: app.screen is app.main_screen, what="back")
        # the reply arrived after the filler (store row 21 or 22); the view holds it at 10
        reply_at = story_of(screen).reply[0].store_index
        assert reply_at in (21, 22)
        assert app.table.cursor_row == view.index_of(reply_at) == 10
        row = view.row(app.table.cursor_row)
        assert (row["srcport"], row["dstport"]) == (443, 40000)


async def test_conversation_from_the_story_and_from_a_message(bucket: str,
                                                              s3_client: Any) -> None:
    from flowtui.ui.messages import ShowConversation

    app = FlowtuiApp(f"s3://{bucket}/{FIRST}", client=s3_client)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, rows=21)
        await press(pilot, "v")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen)
                       and "group(s)" in text(pilot), what="the conversation")
        shown = text(pilot)
        assert "A 10.0.1.5 ⇄ B 203.0.113.5" in shown and "1 group(s), 1 record(s)" in shown
        await press(pilot, "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, StoryScreen), what="back")
        await press(pilot, "escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen, what="the table")
        # what a top-N pane of address pairs posts
        app.table.post_message(ShowConversation("10.0.1.5", "10.0.9.3"))
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen)
                       and "group(s)" in text(pilot), what="the conversation by message")
        shown = text(pilot)
        assert "1 group(s), 1 record(s)" in shown and "5432" in shown


async def test_story_of_a_local_file_shows_data_literally_and_fits_80x24(tmp_path: Any
                                                                         ) -> None:
    evil = "eni-[red]x[/red]\x1b[31m"
    lines = [
        v5(evil, "198.51.100.7", "10.0.1.5", 50123, 443, T0 + 5, T0 + 58, "ACCEPT", 2,
           "ingress"),
        v5(evil, "10.0.1.5", "198.51.100.7", 443, 50123, T0 + 5, T0 + 58, "REJECT", 18,
           "egress"),
    ]
    path = tmp_path / "nacl.log"
    path.write_text(V5 + "\n" + "\n".join(lines) + "\n")
    app = FlowtuiApp(str(path))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_story(pilot, app, rows=2)
        assert story_of(screen).verdict == "nacl-blocks-reply"
        rows = screen_text(pilot)
        assert len(rows) == 24
        assert "verdict nacl-blocks-reply" in rows[0]
        assert "esc Back/cancel" in rows[-1] and "l Load missing" in rows[-1]
        assert any("← reply" in r and "REJECT" in r for r in rows)
        assert "not from S3" in rows[-2]
        # scroll to the timeline: the strip shows ACCEPT and REJECT as different glyphs
        await press(pilot, "end")
        shown = text(pilot)
        assert f"→ {'·' * 11}{ACCEPT_CELL}" in shown and f"← {'·' * 11}{REJECT_CELL}" in shown
        assert "eni-[red]x[/red]\\x1b[31m" in shown  # the markup and the ESC, shown as text
        # named with its kind, in the same words as the CLI's story (test_story.py)
        assert "timeline (interface eni-[red]x[/red]\\x1b[31m)" in shown
        assert not any("\x1b" in s for s in screen_segments(pilot))
        # the comparison marks what differs (action) and what mirrors (addresses)
        body = screen.query_one(StoryBody)
        await press(pilot, "home")
        assert body.scroll_y == 0


async def test_story_keys_have_ids_and_help_and_palette_list_them(tmp_path: Any) -> None:
    path = tmp_path / "one.log"
    path.write_text(V5 + "\n" + REQUEST + "\n")
    app = FlowtuiApp(str(path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_story(pilot, app, rows=1)
        for widget in (screen.query_one(StoryBody), screen.query_one(SightingList)):
            widget.display = True
            widget.focus()
            await pilot.pause()
            active = screen.active_bindings
            for node in (widget, screen):
                live = {(k, b.binding.id) for k, b in active.items()
                        if b.node is node and not b.binding.system}
                assert live and live <= {(b.key, b.id) for b in declared_bindings(node)}
            assert all(b.id for b in declared_bindings(widget))
        assert all(b.id for b in declared_bindings(StoryScreen))
        # the main screen's keys are off while the story covers it (and out of the footer)
        assert not app.check_action("do", ("app.toggle-detail",))
        await press(pilot, "question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        listed = text(pilot)
        for _ in range(8):  # the help scrolls; read it a page at a time
            await press(pilot, "pagedown")
            listed += text(pilot)
        for ident in ("app.story", "story.close", "story.load-missing", "story.conversation",
                      "story-list.jump", "story-text.page-down", "conversation.close"):
            assert ident in listed
        await press(pilot, "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, StoryScreen), what="back")
        await press(pilot, "escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen, what="the table")
        assert app.check_action("do", ("app.toggle-detail",))
        names = [c.name for c in app_commands(app)]
        assert "Story of the record" in names


async def test_the_palette_offers_the_story_and_its_actions(tmp_path: Any) -> None:
    from textual.command import CommandPalette

    from tests.test_ui_app import _highlighted_command

    path = tmp_path / "one.log"
    path.write_text(V5 + "\n" + REQUEST + "\n" + REPLY + "\n")
    app = FlowtuiApp(str(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.table.row_count == 2, what="rows")
        app.table.focus()
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await press(pilot, *"story of the record")
        await wait_for(pilot, lambda: "Story of the record" in _highlighted_command(app),
                       what="the story command")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, StoryScreen)
                       and app.screen.told is not None, what="the story")
        assert story_of(app.screen).verdict == "ok"  # type: ignore[arg-type]
        await press(pilot, "ctrl+p")
        await press(pilot, *"story conversation")
        await wait_for(pilot, lambda: "conversation" in _highlighted_command(app),
                       what="the conversation command")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen),
                       what="the conversation")


def test_the_strip_merges_slots_to_fit_and_keeps_the_record_visible() -> None:
    from flowtui.query.story import Tally, Window

    accept, reject = Tally(records=1, accept=1), Tally(records=1, reject=1)
    timeline = [Window(T0 + 60 * i, T0 + 60 * i + 60, accept if i % 2 else Tally(),
                       reject if i == 100 else Tally()) for i in range(0, 200, 10)]
    cells, seconds, first = strip_cells(timeline, T0 + 100 * 60 + 30, width=20)
    assert len(cells) <= 20 and seconds % 60 == 0 and first == T0
    here = [c for c in cells if c.here]
    assert len(here) == 1 and here[0].reverse == REJECT_CELL


async def test_v_on_a_top_n_pair_opens_its_conversation(bucket: str, s3_client: Any) -> None:
    """The top-N pane ranked by pair: v posts ShowConversation for the row's two addresses."""
    app = FlowtuiApp(f"s3://{bucket}/{FIRST}", client=s3_client)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.job is not None and not app.job.status.running
                       and app.table.row_count == 21, what="the load")
        app.table.focus()
        top = app.main_screen.top
        await press(pilot, "T")
        await wait_for(pilot, lambda: top.data is not None, what="top-N counted")
        await press(pilot, "v")  # by source: not a pair, says so
        assert app.screen is app.main_screen
        await press(pilot, "3")
        await wait_for(pilot, lambda: top.data is not None and top.data.key.name == "pair",
                       what="top pairs")
        a, b = top.data.rows[top.cursor_row].values
        await press(pilot, "v")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen)
                       and "group(s)" in text(pilot), what="the pair's conversation")
        assert f"A {a} ⇄ B {b}" in text(pilot)
        await press(pilot, "escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen, what="back")
        assert app.focused is top


async def test_the_story_of_a_nodata_row_does_not_ask_for_more_data(tmp_path: Any) -> None:
    """A NODATA row has no flow: "no network traffic to or from the network interface
    during the aggregation interval" (VPC guide, log-status; reference §3.2). Its story's
    verdict code is ``incomplete`` (test_story.py), but the line under it read "the loaded
    data can't settle it" while the status line said every object around it is loaded:
    loading more settles nothing, there is no flow to tell."""
    line = "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA"
    path = tmp_path / "nodata.log"
    path.write_text(" ".join(DEFAULT_FIELDS) + "\n" + line + "\n")
    app = FlowtuiApp(str(path), names=None)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_story(pilot, app, rows=1)
        assert story_of(screen).verdict == "incomplete"
        top = screen_text(pilot)[0]
        assert "can't settle" not in top, top
        assert "NODATA row: no flow to tell" in top, top


async def test_prompt_keys_are_off_under_a_story(tmp_path: Any) -> None:
    """`/`, `@` and `w` under a story (or its conversation) opened their prompt on the main
    screen behind it, out of sight and without the focus: what was typed next went nowhere,
    and the footer offered "w Export". They are record keys like `r` and `c`: off under a
    story and out of its footer, so Esc finds the table as it was."""
    path = tmp_path / "one.log"
    path.write_text(V5 + "\n" + REQUEST + "\n" + REPLY + "\n")
    app = FlowtuiApp(str(path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_story(pilot, app, rows=2)
        assert "Export" not in text(pilot).splitlines()[-1]
        for key in ("slash", "at", "w"):
            await press(pilot, key)
            assert app.screen is screen
            assert not app.main_screen.prompt.is_open, key
        await press(pilot, "v")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen),
                       what="the conversation")
        await press(pilot, "slash", "w")
        assert not app.main_screen.prompt.is_open
        await press(pilot, "escape", "escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen, what="the table")
        assert not app.main_screen.prompt.is_open
        assert app.focused is app.table
