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
from tests.ui_helpers import press, screen_text, wait_for
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


async def test_after_the_chooser_every_row_is_drawn_in_the_new_layout(flows: Path) -> None:
    """Hiding srcport (o ↓ Space Enter), then the defaults back (o D Enter), then a move
    (o J J Enter): after each, every row already drawn shows its values under the new
    headers, not ports under dstaddr. (Three tests before, one app each; the second began
    by hiding a column so the defaults were a change, which the first step now does.)
    Then the chooser's own keys: j and k move its list and stop at the ends."""
    app = FlowtuiApp(str(flows))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot, app)
        for keys in (("o", "down", "space", "enter"), ("o", "D", "enter"),
                     ("o", "J", "J", "enter")):
            before = list(app.table.columns)
            await press(pilot, *keys)
            await at_rest(pilot, app)
            assert app.table.columns != before, keys
            check_table(pilot, app, decoded=False)
        # the chooser's list moves with j and k and stops at its ends (a test of its own
        # before, with an app of its own)
        await press(pilot, "o")
        options = app.screen.query_one("#columns-list", OptionList)
        assert options.highlighted == 0
        await press(pilot, "j", "j", "k")
        assert options.highlighted == 1
        await press(pilot, "k", "k", "up")  # at the top it stays (it wrapped to the end)
        assert options.highlighted == 0
        await press(pilot, "G", "j", "down")
        assert options.highlighted == options.option_count - 1
        await press(pilot, "escape")


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
            await press(pilot, "l")
            await at_rest(pilot, app)
            check_table(pilot, app, decoded=False)
        # a scroll that leaves a column half shown at the left edge
        table = app.table
        table.scroll_to(x=int(table.scroll_x) + 3, animate=False, immediate=True)
        await pilot.pause()
        check_table(pilot, app, decoded=False)
        assert any(line[2:3] == CUT for line in table_lines(pilot, app)[1:])


# ---------------------------------------------------------------------- 2: prompt keys


async def test_keys_in_one_write_after_a_prompt_key_reach_the_prompt(flows: Path) -> None:
    """Keys in one write after a key that opens a prompt go to the prompt, however fast:
    ``@12:02`` and ``w x.csv`` (the go-to-time and export prompts); ``/quick`` is a filter
    text, not q (quit); ``/reject`` Enter is the filter (r, e, j and c do nothing); and,
    issue 20 item 7, ``tcp`` Enter then keys: Enter applies "tcp" first, and the keys
    after it act on the table in the order typed (two moves, then raw/decoded). Four tests
    before, one app each; here in that order, each from where the one before left the
    table (cursor on the first row, raw values, the prompts closed)."""
    app = FlowtuiApp(str(flows))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot, app)
        prompt = app.main_screen.prompt
        burst(app, ["at", *"12:02"])
        await keys_handled(pilot, app)
        assert prompt.is_open and prompt.input.value.endswith("12:02")
        assert app.table.cursor_row == 0 and not app.table.decoded
        burst(app, ["escape", "w", "ctrl+u", *"x.csv"])
        await keys_handled(pilot, app)
        assert prompt.is_open and prompt.input.value == "x.csv"
        await press(pilot, "escape")  # nothing exported
        assert not prompt.is_open

        burst(app, ["slash", *"quick"])
        await keys_handled(pilot, app)
        assert app.is_running and app.return_code is None
        assert prompt.is_open and prompt.input.value == "quick"
        await press(pilot, "escape")  # nothing applied
        assert not prompt.is_open and not app.shown.query.where_text

        burst(app, ["slash", *"reject", "enter"])
        await at_rest(pilot, app)
        assert app.shown.query.where_text == "reject"
        assert app.screen is app.main_screen  # e opened no dialog
        assert not app.table.decoded  # r did not toggle raw/decoded
        assert app.table.cursor_row == 0  # j did not move
        assert app.clipboard == ""  # c copied nothing
        assert app.focused is app.table
        check_status(pilot, app)

        burst(app, ["slash", "ctrl+u", *"tcp", "enter", "j", "j", "r"])  # ctrl+u: "reject"
        await at_rest(pilot, app)
        assert app.shown.query.where_text == "tcp"
        assert not app.main_screen.prompt.is_open
        assert app.table.cursor_row == 2 and app.table.decoded
        check_status(pilot, app)
        check_detail(pilot, app)


async def test_the_last_of_many_filters_typed_during_a_load_holds(
        s3_server: Any, fault_proxy: Any, proxy_client: Any) -> None:
    """Issue 20 item 7: twenty filters typed while a load runs (all in one write, the
    hardest case): the last one is in effect once the load is done, and the table shows
    the records it keeps. The load is the 30,000-record object, held by the fault proxy
    after its first rows, so it is running when the filters are typed on any machine (it
    was 100,000 local records, which a fast machine could load first); released as soon
    as they are typed, the rest arrives while the keys are being handled."""
    fault_proxy.stall_after(100_000)  # the load waits with some rows in (once: the rest
    app = FlowtuiApp(s3_server.find("big").url, client=proxy_client)  # comes in one read)
    filters = [f"port {port}" for port in range(1, 20)] + ["reject and port 22"]
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.table.row_count > 0 and fault_proxy.stalled.is_set(),
                       what="the first rows, then a stall")
        app.table.focus()
        for text in filters:
            burst(app, ["slash", "ctrl+u", *text, "enter"])
        running = app.job is not None and app.job.status.running
        fault_proxy.release()
        await wait_for(pilot, lambda: not app.key_gate.busy and
                       app.shown.query.where_text == "reject and port 22", timeout=300,
                       what="the last filter in effect")
        await at_rest(pilot, app)
        assert app.shown.query.where_text == "reject and port 22"
        assert not app.main_screen.prompt.is_open
        app.table.refresh_now()
        await pilot.pause()
        check_status(pilot, app)
        assert running and app.job is not None and len(app.job.store) == 30_000
        store, shown = app.job.store, app.table.store
        assert shown is not None
        assert shown.rows(0, len(shown)) == [
            r for r in store.rows(0, len(store)) if r["action"] == "REJECT"
            and 22 in (r["srcport"], r["dstport"])]


# --------------------------------------------------------------------- 3: detail panel


async def test_the_panel_is_the_cursors_record_after_top_n(flows: Path) -> None:
    """A filter applied while the Top-N pane hides the panel (or just before it does):
    back in the table, the panel explains the record under the cursor, not the one that
    was there before."""
    app = FlowtuiApp(str(flows))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot, app)
        await press(pilot, "j", "j", "j")
        await at_rest(pilot, app)
        await press(pilot, "T")
        await press(pilot, "slash", *"reject", "enter")
        await at_rest(pilot, app)
        await press(pilot, "T")  # T again: back to the records
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


# ------------------------------------------------------------------------ 10: smaller


async def test_x_clears_the_new_rows_count(s3_server: Any, s3_client: Any,
                                          raw_s3: Any) -> None:
    """After x (stop following) the status no longer says "N new rows (End follows)"."""
    bucket = Bucket(raw_s3, "ui-truth-tail-stop")
    bucket.put(T - 15 * M)
    app = FlowtuiApp(bucket.url(ACCOUNT), client=s3_client, tail_options=options())
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_for(pilot, lambda: any(e.key == REGION for e in app.browser.entries),
                       what="region folder listed")
        await press(pilot, "home", "t")
        await started(pilot, app)
        bucket.put(T - 10 * M, n=20)
        await poll(pilot, app, rows=20)
        await press(pilot, "tab", "k", "k")
        bucket.put(T - 9 * M, n=20)
        await poll(pilot, app, rows=40)
        await wait_for(pilot, lambda: "20 new rows" in tail_text(pilot), what="'20 new rows'")
        await press(pilot, "x")
        await wait_for(pilot, lambda: app.tail is not None and app.tail.stopped,
                       what="tail stopped")
        await pilot.pause()
        assert "new rows" not in tail_text(pilot)


async def test_stories_closed_at_once_then_y_copies_and_the_palette_names_keys(
        flows: Path) -> None:
    """Five stories opened and closed in one write each (i Esc): the work that arrives for
    screens that are gone is dropped and the table is shown; y copies the cell under the
    cursor (raw, then as shown decoded); the palette names each command's key from its
    binding, and follows a keymap. Three tests before, one app each."""
    app = FlowtuiApp(str(flows))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot, app)
        for _ in range(5):  # stories closed before their work arrives: dropped
            burst(app, ["i", "escape"])
        await keys_handled(pilot, app)
        assert app.screen is app.main_screen
        await press(pilot, "j", "l", "l", "l")
        column = app.table.current_column
        assert column == "dstport"
        record = app.table.store.row(1)  # type: ignore[union-attr]
        await press(pilot, "y")
        assert app.clipboard == str(record["dstport"])
        await press(pilot, "r", "y")  # decoded: as the table shows it
        assert app.clipboard.startswith(str(record["dstport"]))
        # The palette said Story was (s); it is i. Each command's key is its binding's, and
        # a keymap that rebinds it is followed. (A test of its own before.)
        helps = {c.name: c.help for c in FlowtuiCommands(app.screen)._commands()}  # noqa: SLF001
        assert helps["Story of the record"].endswith("(i)")
        assert helps["Sort by this column"].endswith("(s)")
        assert helps["Filter records"].endswith("(/)")
        app.set_keymap({"app.story": "y"})
        helps = {c.name: c.help for c in FlowtuiCommands(app.screen)._commands()}  # noqa: SLF001
        assert helps["Story of the record"].endswith("(y)")


def _other_file(tmp_path: Path) -> Path:
    """3,000 records to load under a sort."""
    other = tmp_path / "other.log.gz"
    other.write_bytes(text_object(flow_lines(3000, seed=9, account="111122223333",
                                             stamp=STAMP)))
    return other


async def _sorted_by_bytes_then_load(pilot: Any, app: FlowtuiApp, other: Path) -> None:
    await opened(pilot, app)
    while app.table.current_column != "bytes":
        await press(pilot, "l")
    await press(pilot, "s")
    await at_rest(pilot, app)
    app.loads.start([ObjectRef(str(other), other.stat().st_size)], other.name)


async def test_a_new_load_under_a_sort_starts_at_the_top(flows: Path, tmp_path: Path) -> None:
    """Sorted by bytes, then another file loaded: once sorted, the cursor is on the first
    row of the sorted table (it landed wherever the first record loaded sorted to)."""
    other = _other_file(tmp_path)
    app = FlowtuiApp(str(flows))
    async with app.run_test(size=(160, 48)) as pilot:
        await _sorted_by_bytes_then_load(pilot, app, other)
        await at_rest(pilot, app)
        await wait_for(pilot, lambda: app.shown.view is not None
                       and not app.shown.view.stale and not app.sorts.running,
                       timeout=20, what="the new rows sorted")
        await at_rest(pilot, app)
        assert app.table.cursor_row == 0
        check_status(pilot, app)
        check_detail(pilot, app)


async def test_a_record_moved_to_while_a_load_comes_under_a_sort_stays_under_the_cursor(
        flows: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by the state machine (fuzzscreen): sorted by bytes, another file loaded, and
    the user moved to a record before the rows were sorted in. The re-sort sent the cursor
    to the top, onto another record, under a story opened meanwhile. The record the user
    moved to now stays under the cursor; while the rows wait to be sorted in, the status
    line says they are being sorted (the ▲ alone claimed an order they were not in yet)."""
    from flowtui.ui.features.jobs import sort as sort_job

    other = _other_file(tmp_path)
    app = FlowtuiApp(str(flows))
    async with app.run_test(size=(160, 48)) as pilot:
        # the re-sort is held until the test lets it go
        monkeypatch.setattr(sort_job, "RESORT_AFTER", 3600.0)
        await _sorted_by_bytes_then_load(pilot, app, other)
        await wait_for(pilot, lambda: app.shown.view is not None and app.shown.view.stale
                       and len(app.shown.view) == 3000, timeout=20, what="the new rows, unsorted")
        assert "sorting by bytes…" in "\n".join(screen_text(pilot))
        for _ in range(5):
            await press(pilot, "j")
        view = app.shown.view
        assert view is not None
        chosen = view.store_index(app.table.cursor_row)
        monkeypatch.setattr(sort_job, "RESORT_AFTER", 0.01)
        app.sorts.rows_changed()
        await wait_for(pilot, lambda: not view.stale and not app.sorts.running
                       and not app.sorts.pending, timeout=20, what="the rows sorted in")
        await at_rest(pilot, app)
        assert view.store_index(app.table.cursor_row) == chosen
        assert "sorting by" not in "\n".join(screen_text(pilot))
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
