"""Issue 17's defects, one test each: the screen shows each value under the header that names
it, keys after a prompt key reach the prompt however fast they come, the detail panel is the
cursor's record, and work for a screen that is gone is dropped. Keys are sent as one write
(``burst``) where the defect needs it: Pilot's ``press`` waits for the app between keys,
which a terminal never does. Local files of synthetic flow logs, read as the app reads them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList

from flowtui.events import ObjectRef
from flowtui.fields import DEFAULT_FIELDS
from flowtui.parser import parse_bytes
from flowtui.ui.app import FlowtuiApp
from flowtui.ui.commands import FlowtuiCommands
from flowtui.ui.features.story.screen import StoryScreen
from flowtui.ui.keygate import MAX_WAIT
from tests.conftest import flow_lines, text_object
from tests.tail_helpers import Bucket
from tests.test_ui_tail import ACCOUNT, REGION, M, T, options, poll, started
from tests.test_ui_tail import text as tail_text
from tests.ui_helpers import wait_for
from tests.ui_invariants import (
    CUT,
    burst,
    check_detail,
    check_status,
    check_table,
    table_lines,
)

STAMP = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    path = tmp_path / "flows.log.gz"
    path.write_bytes(text_object(flow_lines(300, seed=7, account="111122223333",
                                            stamp=STAMP)))
    return path


async def keys_handled(pilot: Any, app: FlowtuiApp, keys: int = 10) -> None:
    """Once the app took the keys sent (a burst is in its queue, not yet admitted, until it
    runs once), until the last of them has acted.

    The bound is the gate's own promise, not a guess at the machine's speed: each held key
    waits at most ``MAX_WAIT`` for the one before it (a story screen still being told can
    keep its queue busy that long on a loaded machine: ten keys once took more than the
    10 s this wait used to allow), plus 10 s for the work itself."""
    await pilot.pause()
    await wait_for(pilot, lambda: not app.key_gate.busy, timeout=keys * MAX_WAIT + 10,
                   what="keys handled")


def resting(app: FlowtuiApp) -> dict[str, bool]:
    """What still runs (all False: at rest)."""
    job = app.job
    return {"load": job is None or job.status.running or job.worker is None
            or not job.worker.is_finished,
            "keys": app.key_gate.busy, "sort": app.sorts.running,
            "detail": app.main_screen.detail_throttle.pending,
            "cursor": app.table.cursor_paint_pending}


async def at_rest(pilot: Any, app: FlowtuiApp) -> None:
    await pilot.pause()
    await wait_for(pilot, lambda: not any(resting(app).values()), timeout=30,
                   what=f"the app at rest ({resting(app)})")
    await pilot.pause()


async def opened(pilot: Any, app: FlowtuiApp) -> None:
    await at_rest(pilot, app)
    app.table.refresh_now()
    app.table.focus()
    await pilot.pause()


# ----------------------------------------------------------------- 1: cells and headers


@pytest.mark.parametrize("keys", [("o", "down", "space", "enter"), ("o", "D", "enter"),
                                  ("o", "J", "J", "enter")])
async def test_after_the_chooser_every_row_is_drawn_in_the_new_layout(
        flows: Path, keys: tuple[str, ...]) -> None:
    """Hiding srcport (o ↓ Space Enter), the defaults (o D Enter) or a move (J): each row
    already drawn shows its values under the new headers, not ports under dstaddr."""
    app = FlowtuiApp(str(flows))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot, app)
        if keys[1] == "D":  # make the defaults a change: hide a column first
            await pilot.press("o", "down", "space", "enter")
            await at_rest(pilot, app)
        before = list(app.table.columns)
        await pilot.press(*keys)
        await at_rest(pilot, app)
        assert app.table.columns != before
        check_table(pilot, app, decoded=False)


async def test_a_cell_cut_by_the_edge_says_so(flows: Path) -> None:
    """Scrolled sideways (or at the right edge), a partly shown address or time shows …
    where it is cut: the last characters of 10.0.3.130 alone read as the value 30."""
    app = FlowtuiApp(str(flows))
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, app)
        check_table(pilot, app, decoded=False)
        lines = table_lines(pilot, app)
        assert all(line.rstrip().endswith(CUT) for line in lines[:5] if line.strip()), lines
        for _ in range(3):
            await pilot.press("l")
            await at_rest(pilot, app)
            check_table(pilot, app, decoded=False)
        # a scroll that leaves a column half shown at the left edge
        table = app.table
        table.scroll_to(x=int(table.scroll_x) + 3, animate=False, immediate=True)
        await pilot.pause()
        check_table(pilot, app, decoded=False)
        assert any(line[2:3] == CUT for line in table_lines(pilot, app)[1:])


# ---------------------------------------------------------------------- 2: prompt keys


async def test_a_filter_pasted_in_one_write_is_the_filter(flows: Path) -> None:
    """``/reject`` Enter as one write: the bar gets every key; r, e, j and c do nothing."""
    app = FlowtuiApp(str(flows))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot, app)
        burst(app, ["slash", *"reject", "enter"])
        await at_rest(pilot, app)
        assert app.shown.query.where_text == "reject"
        assert app.screen is app.main_screen  # e opened no dialog
        assert not app.table.decoded  # r did not toggle raw/decoded
        assert app.table.cursor_row == 0  # j did not move
        assert app.clipboard == ""  # c copied nothing
        assert app.focused is app.table
        check_status(pilot, app)


async def test_quick_typed_fast_is_a_filter_text_not_quit(flows: Path) -> None:
    app = FlowtuiApp(str(flows))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot, app)
        burst(app, ["slash", *"quick"])
        await keys_handled(pilot, app)
        assert app.is_running and app.return_code is None
        assert app.main_screen.prompt.is_open
        assert app.main_screen.prompt.input.value == "quick"


async def test_keys_after_enter_act_after_the_filter_in_order(flows: Path) -> None:
    """Issue 20 item 7: ``tcp`` Enter then keys at once: Enter applies "tcp" first, and the
    keys after it act on the table in the order typed (two moves, then raw/decoded)."""
    app = FlowtuiApp(str(flows))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot, app)
        burst(app, ["slash", *"tcp", "enter", "j", "j", "r"])
        await at_rest(pilot, app)
        assert app.shown.query.where_text == "tcp"
        assert not app.main_screen.prompt.is_open
        assert app.table.cursor_row == 2 and app.table.decoded
        check_status(pilot, app)
        check_detail(pilot, app)


async def test_go_to_time_and_export_prompts_take_their_keys(flows: Path,
                                                             tmp_path: Path) -> None:
    app = FlowtuiApp(str(flows))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot, app)
        burst(app, ["at", *"12:02"])
        await keys_handled(pilot, app)
        prompt = app.main_screen.prompt
        assert prompt.is_open and prompt.input.value.endswith("12:02")
        assert app.table.cursor_row == 0 and not app.table.decoded
        burst(app, ["escape", "w", "ctrl+u", *"x.csv"])
        await keys_handled(pilot, app)
        assert prompt.is_open and prompt.input.value == "x.csv"


async def test_the_last_of_many_filters_typed_during_a_load_holds(tmp_path: Path) -> None:
    """Issue 20 item 7: twenty filters typed while a big load runs (all in one write, the
    hardest case): the last one is in effect once the load is done."""
    path = tmp_path / "big.log.gz"
    lines = flow_lines(20_000, seed=3, account="111122223333", stamp=STAMP)
    path.write_bytes(text_object(lines * 5))
    app = FlowtuiApp(str(tmp_path))  # the folder: nothing loads until asked
    filters = [f"port {port}" for port in range(1, 20)] + ["reject and port 22"]
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        app.loads.start([ObjectRef(str(path), path.stat().st_size)], path.name)
        app.table.focus()
        running = app.job is not None and app.job.status.running
        for text in filters:
            burst(app, ["slash", "ctrl+u", *text, "enter"])
        await wait_for(pilot, lambda: not app.key_gate.busy and
                       app.shown.query.where_text == "reject and port 22", timeout=90,
                       what="the last filter in effect")
        await at_rest(pilot, app)
        assert app.shown.query.where_text == "reject and port 22"
        assert not app.main_screen.prompt.is_open
        app.table.refresh_now()
        await pilot.pause()
        check_status(pilot, app)
        assert running and app.job is not None and len(app.job.store) == 100_000


# --------------------------------------------------------------------- 3: detail panel


async def test_the_panel_is_the_cursors_record_after_top_n(flows: Path) -> None:
    """A filter applied while the Top-N pane hides the panel (or just before it does):
    back in the table, the panel explains the record under the cursor, not the one that
    was there before."""
    app = FlowtuiApp(str(flows))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot, app)
        await pilot.press("j", "j", "j")
        await at_rest(pilot, app)
        await pilot.press("T")
        await pilot.press("slash", *"reject", "enter")
        await at_rest(pilot, app)
        await pilot.press("T")  # T again: back to the records
        await at_rest(pilot, app)
        assert not app.main_screen.top_shown
        check_detail(pilot, app)
        burst(app, ["slash", "ctrl+u", *"port 22", "enter", "T", "1", "escape"])
        await at_rest(pilot, app)
        check_detail(pilot, app)


# --------------------------------------------------------------- 4: screens that are gone


async def test_a_story_asked_for_while_quitting_is_dropped(flows: Path) -> None:
    """``q`` then ``i`` in one write: the app ends without a traceback (the story's work
    arrives for a screen that is gone)."""
    app = FlowtuiApp(str(flows))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot, app)
        burst(app, ["q", "i"])
        await wait_for(pilot, lambda: not app.is_running or app._exit_renderables == []
                       and app.return_code is not None, what="the app to quit")
    assert app.return_code == 0


async def test_a_story_opened_as_the_app_quits_is_dropped(flows: Path) -> None:
    """Without the key gate's help: the story asked for after quit began, its screen
    mounting while the app goes, ends quietly (it was ``NoMatches: '#story-sightings'``)."""
    app = FlowtuiApp(str(flows))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot, app)
        app.exit()
        app.push_screen(StoryScreen(app.shown.records, 0, client=None,  # type: ignore[arg-type]
                                    memory=app.stories.memory))
        await pilot.pause()


async def test_a_story_closed_before_its_work_arrives(flows: Path) -> None:
    app = FlowtuiApp(str(flows))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot, app)
        for _ in range(5):
            burst(app, ["i", "escape"])
        await keys_handled(pilot, app)
        assert app.screen is app.main_screen


# ------------------------------------------------------------------------ 10: smaller


async def test_the_palette_names_each_key_from_its_binding(flows: Path) -> None:
    """The palette said Story was (s); it is i. Each command's key is its binding's, and a
    keymap that rebinds it is followed."""
    app = FlowtuiApp(str(flows))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot, app)
        helps = {c.name: c.help for c in FlowtuiCommands(app.screen)._commands()}  # noqa: SLF001
        assert helps["Story of the record"].endswith("(i)")
        assert helps["Sort by this column"].endswith("(s)")
        assert helps["Filter records"].endswith("(/)")
        app.set_keymap({"app.story": "y"})
        helps = {c.name: c.help for c in FlowtuiCommands(app.screen)._commands()}  # noqa: SLF001
        assert helps["Story of the record"].endswith("(y)")


async def test_the_chooser_moves_with_j_and_k_and_stops_at_the_ends(flows: Path) -> None:
    app = FlowtuiApp(str(flows))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot, app)
        await pilot.press("o")
        options = app.screen.query_one("#columns-list", OptionList)
        assert options.highlighted == 0
        await pilot.press("j", "j", "k")
        assert options.highlighted == 1
        await pilot.press("k", "k", "up")  # at the top it stays (it wrapped to the end)
        assert options.highlighted == 0
        await pilot.press("G", "j", "down")
        assert options.highlighted == options.option_count - 1
        await pilot.press("escape")


async def test_x_clears_the_new_rows_count(s3_server: Any, s3_client: Any,
                                          raw_s3: Any) -> None:
    """After x (stop following) the status no longer says "N new rows (End follows)"."""
    bucket = Bucket(raw_s3, "ui-truth-tail-stop")
    bucket.put(T - 15 * M)
    app = FlowtuiApp(bucket.url(ACCOUNT), client=s3_client, tail_options=options())
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_for(pilot, lambda: any(e.key == REGION for e in app.browser.entries),
                       what="region folder listed")
        await pilot.press("home", "t")
        await started(pilot, app)
        bucket.put(T - 10 * M, n=20)
        await poll(pilot, app, rows=20)
        await pilot.press("tab", "k", "k")
        bucket.put(T - 9 * M, n=20)
        await poll(pilot, app, rows=40)
        await wait_for(pilot, lambda: "20 new rows" in tail_text(pilot), what="'20 new rows'")
        await pilot.press("x")
        await wait_for(pilot, lambda: app.tail is not None and app.tail.stopped,
                       what="tail stopped")
        await pilot.pause()
        assert "new rows" not in tail_text(pilot)


async def test_y_in_the_table_copies_the_cell_under_the_cursor(flows: Path) -> None:
    app = FlowtuiApp(str(flows))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot, app)
        await pilot.press("j", "l", "l", "l")
        column = app.table.current_column
        assert column == "dstport"
        record = app.table.store.row(1)  # type: ignore[union-attr]
        await pilot.press("y")
        assert app.clipboard == str(record["dstport"])
        await pilot.press("r", "y")  # decoded: as the table shows it
        assert app.clipboard.startswith(str(record["dstport"]))


async def test_a_new_load_under_a_sort_starts_at_the_top(flows: Path, tmp_path: Path) -> None:
    """Sorted by bytes, then another file loaded: once sorted, the cursor is on the first
    row of the sorted table (it landed wherever the first record loaded sorted to)."""
    other = tmp_path / "other.log.gz"
    other.write_bytes(text_object(flow_lines(3000, seed=9, account="111122223333",
                                             stamp=STAMP)))
    app = FlowtuiApp(str(flows))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot, app)
        while app.table.current_column != "bytes":
            await pilot.press("l")
        await pilot.press("s")
        await at_rest(pilot, app)
        app.loads.start([ObjectRef(str(other), other.stat().st_size)], other.name)
        await at_rest(pilot, app)
        await wait_for(pilot, lambda: app.shown.view is not None
                       and not app.shown.view.stale and not app.sorts.running,
                       timeout=20, what="the new rows sorted")
        await at_rest(pilot, app)
        assert app.table.cursor_row == 0
        check_status(pilot, app)
        check_detail(pilot, app)


async def test_rows_that_do_not_match_still_count_in_the_total(flows: Path) -> None:
    """Found by the state machine: filter, then new records arrive (a tail's append) that
    the filter hides: "N of M match" must count them in M (it kept the pre-tail total)."""
    app = FlowtuiApp(str(flows))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot, app)
        burst(app, ["slash", *"port 22", "enter"])
        await at_rest(pilot, app)
        store = app.shown.records
        assert store is not None
        lines = flow_lines(30, seed=11, account="111122223333", stamp=STAMP)
        batches, _ = parse_bytes("\n".join([" ".join(DEFAULT_FIELDS), *[
            line for line in lines if " 22 " not in line]]).encode())
        for batch in batches:
            store.append(batch, "tail")
        app.table.data_changed()
        await wait_for(pilot, lambda: not app.table._update_pending,  # noqa: SLF001
                       what="the table synced")
        await at_rest(pilot, app)
        check_status(pilot, app)
