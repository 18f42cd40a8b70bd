"""The screen tells the truth, whatever keys come in what order (issue 17, "How to make it
hold"): a Hypothesis state machine presses random sequences of the app's real keys through
Pilot and, after every step, reads the screen and checks the invariants of
``tests/ui_invariants.py``:

- every drawn cell is the value of its row's record and of the column its header names,
  formatted as the raw/decoded mode says; a cell cut by the edge shows ``…``;
- the detail panel, the status line and a copy (``c``) are about the cursor's record;
- "N of M match" is the view's count, and the view is the filter's meaning (the plain-Python
  reference evaluator of ``tests/query_reference.py``) over the store;
- the browser's path header names the place shown and its highlighted entry is in that
  place's listing (``test_ui_browser_invariants.py`` walks S3 with slow listings);
- keys typed after a prompt key reach the prompt, even in one write: the filter typed is the
  filter applied, and nothing else happened (raw/decoded, screens, quitting).

Derandomized and bounded, so CI gets the same few sequences every run in well under a minute.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from textual.widgets import Static

from flowtui.events import ObjectRef
from flowtui.fields import DEFAULT_FIELDS
from flowtui.parser import parse_bytes
from flowtui.query.expr import parse
from flowtui.ui.app import FlowtuiApp
from flowtui.ui.features.export.control import COPY_BYTES, COPY_ROWS
from flowtui.ui.features.story.conversation import ConversationBody, ConversationScreen
from flowtui.ui.features.story.screen import SightingList, StoryScreen
from flowtui.ui.widgets.detail.panel import record_json
from tests.conftest import flow_lines, text_object
from tests.query_reference import evaluate
from tests.ui_helpers import screen_text
from tests.ui_invariants import (
    burst,
    check_browser,
    check_detail,
    check_footer,
    check_status,
    check_story,
    check_table,
    expected_cell,
)

STAMP = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)
FILTERS = ("reject", "port 22", "protocol = 17", "dstport < 1024", "not accept",
           "srcaddr ~ '^10\\.'", "bytes > 5000", "action = ACCEPT and port 443")
# Go-to-time targets around the fixtures' records (12:00 to 12:05 on 2024-03-05 UTC), one
# before them all and one after.
TIMES = ("11:00:00", "12:00:00", "12:01:30", "12:02:00", "12:03:17", "12:04:59", "13:00:00")
SIZES = ((160, 48), (100, 30), (80, 24), (130, 40))
# A longer, randomised run (not CI's): FLOWTUI_MACHINE_EXAMPLES=N sequences of
# FLOWTUI_MACHINE_STEPS steps, FLOWTUI_MACHINE_RANDOM=1 (new sequences each run),
# FLOWTUI_MACHINE_SIZES=80x24,60x20 (the first the size each app starts at; the rest too
# are sizes the resize rule picks). Unset, CI's settings below.
SIZES = tuple((int(w), int(h)) for w, h in (
    size.split("x") for size in os.environ["FLOWTUI_MACHINE_SIZES"].split(","))
) + SIZES if os.environ.get("FLOWTUI_MACHINE_SIZES") else SIZES
# Seconds: never reached when the app works. A guard against a hang, not a speed test:
# 20 s was reached under a profiler on a 2-core box at load 12, the app only slow.
SETTLE = 90.0


def _write(folder: Path, name: str, n: int, seed: int) -> Path:
    path = folder / name
    path.write_bytes(text_object(flow_lines(n, seed=seed, account="111122223333",
                                            stamp=STAMP)))
    return path


class ScreenMachine(RuleBasedStateMachine):
    """One app per example, opened on a local file; rules press keys, invariants read."""

    folder: Path

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.first = _write(self.folder, "a.log.gz", 240, seed=1)
        self.second = _write(self.folder, "b.log.gz", 90, seed=2)
        self.extra = iter(range(3, 1000))
        self.app = self.make_app()
        self.decoded = False
        self.filter = ""
        # Textual's context variables live in the task that entered run_test: one task
        # holds the app for the whole example and runs each step handed to it.
        self.steps: asyncio.Queue[Any] = asyncio.Queue()
        self.driver = self.loop.create_task(self._drive())
        self.run(self._focus_table())  # as Tab from the browser would

    async def _drive(self) -> None:
        async with self.app.run_test(size=SIZES[0]) as pilot:
            self.pilot = pilot
            while True:
                step, done = await self.steps.get()
                if step is None:
                    break
                try:
                    done.set_result(await step)
                except BaseException as exc:  # handed back to the rule that asked
                    done.set_exception(exc)

    def run(self, coroutine: Any) -> Any:
        async def handed() -> Any:
            done = self.loop.create_future()
            await self.steps.put((coroutine, done))
            return await done
        return self.loop.run_until_complete(handed())

    def teardown(self) -> None:
        async def stop() -> None:
            await self.steps.put((None, None))
            await self.driver

        try:
            self.loop.run_until_complete(stop())
        finally:
            pending = asyncio.all_tasks(self.loop)
            for task in pending:
                task.cancel()
            if pending:
                self.loop.run_until_complete(asyncio.wait(pending, timeout=5))
            self.loop.close()

    def make_app(self) -> FlowtuiApp:
        return FlowtuiApp(str(self.first))

    # ------------------------------------------------------------ helpers

    def at_rest(self) -> bool:
        app = self.app
        job = app.job
        if job is not None and (job.status.running or (
                job.worker is not None and not job.worker.is_finished)):
            return False
        # a re-sort waiting for rows to stop coming moves them (and a story's record from
        # under the cursor) once it runs: not at rest until it has
        if (app.sorts.running or app.sorts.pending or app.main_screen.detail_throttle.pending
                or app.key_gate.busy):
            return False
        table = app.table
        return not table._update_pending and not table.cursor_paint_pending  # noqa: SLF001

    async def settle(self) -> None:
        deadline = time.monotonic() + SETTLE
        await self.pilot.pause()
        while not self.at_rest():
            assert time.monotonic() < deadline, "the app did not come to rest"
            await self.pilot.pause(0.02)
        await self.pilot.pause()
        await self.pilot.pause()

    def press(self, *keys: str) -> None:
        """Keys one at a time, each sent once the app is at rest after the one before (as
        a person types). Pilot.press waits for the process to look idle instead: twice per
        key, 20 ms at least each, half of this test's time, and blind to what is pending."""
        async def go() -> None:
            for key in keys:
                burst(self.app, [key])
                await self.pilot._wait_for_screen()  # noqa: SLF001 - the key is taken
                await self.rest()
            await self.settle()
        self.run(go())

    async def rest(self) -> None:
        """Until the app is at rest (``at_rest``), waiting on nothing when it already is."""
        deadline = time.monotonic() + SETTLE
        while not self.at_rest():
            assert time.monotonic() < deadline, "the app did not come to rest"
            await self.pilot.pause(0.02)

    def until(self, ready: Callable[[], bool], never: str) -> None:
        """Until ``ready()`` (``never``: the failure's message), then at rest."""
        async def go() -> None:
            deadline = time.monotonic() + SETTLE
            while not ready():
                assert time.monotonic() < deadline, never
                await self.pilot.pause(0.02)
            await self.settle()
        self.run(go())

    def write(self, *keys: str) -> None:
        """Keys in one write, as a paste or a fast typist sends them."""
        async def go() -> None:
            burst(self.app, keys)
            await self.settle()
        self.run(go())

    # -------------------------------------------------------------- rules

    @rule(keys=st.lists(st.sampled_from(["j", "k", "g", "G", "pagedown", "pageup", "down"]),
                        min_size=1, max_size=4), together=st.booleans())
    def move(self, keys: list[str], together: bool) -> None:
        (self.write if together else self.press)(*keys)

    @rule(keys=st.lists(st.sampled_from(["l", "h", "0", "dollar_sign"]), min_size=1,
                        max_size=4))
    def sideways(self, keys: list[str]) -> None:
        self.press(*keys)

    @rule(text=st.sampled_from(FILTERS), together=st.booleans())
    def type_filter(self, text: str, together: bool) -> None:
        """``/``, the text, Enter: in one write or key by key, the filter is the text typed."""
        keys = ["slash", "ctrl+u", *text, "enter"]
        (self.write if together else self.press)(*keys)
        self.filter = text
        assert self.app.shown.query.where_text == text
        assert self.app.focused is self.app.table

    @rule(text=st.sampled_from(FILTERS))
    def filter_abandoned(self, text: str) -> None:
        self.write("slash", *text, "escape")
        assert self.app.shown.query.where_text == self.filter

    @precondition(lambda self: bool(self.filter))
    @rule()
    def pop_step(self) -> None:
        self.press("backspace")
        self.filter = self.app.shown.query.where_text

    @rule()
    def sort(self) -> None:
        self.press("s")

    @rule(keys=st.lists(st.sampled_from(["space", "down", "up", "j", "k", "K", "J", "D"]),
                        max_size=6), apply=st.booleans())
    def choose_columns(self, keys: list[str], apply: bool) -> None:
        self.press("o", *keys, "enter" if apply else "escape")

    @rule(down=st.integers(0, 3), keep=st.booleans())
    def top_drill_down(self, down: int, keep: bool) -> None:
        self.press("T")
        self.press(*(["j"] * down), "enter" if keep else "exclamation_mark")
        self.filter = self.app.shown.query.where_text
        if self.app.main_screen.top_shown:  # nothing to drill into
            self.press("escape")

    @rule(text=st.sampled_from(FILTERS))
    def filter_behind_top_n(self, text: str) -> None:
        """T hides the detail panel; a filter typed then (in one write), and back: the
        panel must explain the cursor's record, not the one before the filter."""
        self.press("T")
        self.write("slash", "ctrl+u", *text, "enter")
        self.filter = text
        if self.app.main_screen.top_shown:
            self.press("T")
        self.run(self._focus_table())

    async def _focus_table(self) -> None:
        self.app.table.focus()
        await self.settle()

    @rule()
    def copy_cell(self) -> None:
        self.press("y")
        table = self.app.table
        cell = table.current_cell()
        if cell is not None:
            assert self.app.clipboard == expected_cell(cell[0], cell[1], self.decoded)

    @rule()
    def toggle_decoded(self) -> None:
        self.press("r")
        self.decoded = not self.decoded

    @rule()
    def copy(self) -> None:
        self.press("c")
        table = self.app.table
        if table.store is not None and table.row_count:
            assert self.app.clipboard == record_json(table.store.row(table.cursor_row))

    @rule()
    def load_another(self) -> None:
        path = self.second

        async def go() -> None:
            self.app.loads.start([ObjectRef(str(path), path.stat().st_size)], path.name)
            await self.settle()
            self.app.table.focus()
            await self.settle()
        self.run(go())

    @rule(n=st.integers(1, 40))
    def tail_append(self, n: int) -> None:
        """New records arrive as a tail's do (appended to the shown store, then the table
        told, as ``Tails.update`` does)."""
        store = self.app.shown.records
        assert store is not None
        lines = flow_lines(n, seed=next(self.extra), account="111122223333", stamp=STAMP)
        batches, _ = parse_bytes("\n".join([" ".join(DEFAULT_FIELDS), *lines]).encode())

        async def go() -> None:
            for batch in batches:
                store.append(batch, "tail")
            self.app.table.data_changed()
            await self.settle()
        self.run(go())

    @rule(to=st.sampled_from(TIMES))
    def go_to_time(self, to: str) -> None:
        """``@``, a time, Enter: the cursor is on the first row starting at or after it (the
        rows in start order), or, none starting then, stays on the record it was on."""
        table = self.app.table
        before = self.cursor_record_index()
        self.write("at", "ctrl+u", *to, "enter")
        assert self.app.focused is table
        source = table.store
        if source is None or not table.row_count:
            return
        target = int(datetime.fromisoformat(f"2024-03-05T{to}+00:00").timestamp())
        starts = [source.row(i).get("start") for i in range(table.row_count)]
        if not any(isinstance(s, int) and s >= target for s in starts):
            assert self.cursor_record_index() == before, (
                f"no row starts at or after {to}, yet the cursor left its record")
            return
        row = table.cursor_row
        assert isinstance(starts[row], int) and starts[row] >= target, (
            f"@{to}: the cursor's record starts at {starts[row]}, before {target}")
        assert row == 0 or (isinstance(starts[row - 1], int) and starts[row - 1] < target), (
            f"@{to}: row {row} is not the first at or after it ({starts[row - 1]} before)")

    def cursor_record_index(self) -> int | None:
        """The store row under the cursor (None: no rows)."""
        table = self.app.table
        source = table.store
        if source is None or table.cursor_row >= table.row_count:
            return None
        return source.store_index(table.cursor_row)

    @rule(pick=st.none() | st.integers(0, 3))
    def story(self, pick: int | None) -> None:
        """``i``: the story is about the cursor's record (the one it tells and the one its
        comparison draws); Esc comes back to that record, Enter on a sighting goes to it."""
        table = self.app.table
        at = self.cursor_record_index()
        self.press("i")
        if at is None:
            assert self.app.screen is self.app.main_screen
            return
        story = self.app.screen
        assert isinstance(story, StoryScreen), story
        record = table.store.store.row(at) if table.store is not None else None
        self.until(lambda: story.told is not None and not story.status.startswith("Telling"),
                   "the story was never told")
        assert story.told is not None and story.told.story.store_index == at
        assert story.told.story.record == record
        check_story(self.pilot, story, record)
        sightings = story.told.story.reply + story.told.story.elsewhere
        if pick is None or not sightings:
            self.press("escape")
            assert self.cursor_record_index() == at, "back from a story, on another record"
            return
        self.press("tab", *(["down"] * min(pick, len(sightings) - 1)))
        chosen = story.query_one(SightingList).highlighted
        assert chosen is not None
        self.press("enter")
        jump = sightings[chosen].store_index
        assert self.app.screen is self.app.main_screen
        assert table.store is not None
        if table.store.index_of(jump) is not None:
            assert self.cursor_record_index() == jump, "Enter on a sighting, another record"

    @rule(size=st.sampled_from(SIZES))
    def resize(self, size: tuple[int, int]) -> None:
        async def go() -> None:
            await self.pilot.resize_terminal(*size)
            await self.settle()
        self.run(go())

    # --------------------------------------------------------- invariants

    @invariant()
    def cells_panel_and_status_are_the_records(self) -> None:
        """Cells are their records; the panel and the status line follow the cursor. One
        read of the screen for the three (a full render costs as much as a key)."""
        screen = screen_text(self.pilot)
        check_table(self.pilot, self.app, self.decoded, screen)
        check_detail(self.pilot, self.app, screen)
        check_status(self.pilot, self.app, screen)
        check_browser(self.pilot, self.app, screen)
        check_footer(self.app, screen)

    @invariant()
    def the_view_is_the_filter(self) -> None:
        shown = self.app.shown
        store, view = shown.records, shown.view
        if store is None or not shown.query.filters or view is None:
            return
        expr = parse(shown.query.where_text, store.columns)
        expected = sorted(i for i, row in enumerate(store.rows(0, len(store)))
                          if evaluate(expr, row))
        assert sorted(view.store_index(i) for i in range(len(view))) == expected

    @invariant()
    def nothing_else_happened(self) -> None:
        app = self.app
        assert app.is_running and app.screen is app.main_screen
        assert app.table.decoded == self.decoded


class NewerKeysMachine(ScreenMachine):
    """The screen machine with the keys of later changes: ``C`` (the rows as CSV) and the
    conversation screen (from a story, ``v``). Its own test, so the first machine's
    sequences (checked to catch the bugs its comment names) stay what they were."""

    @rule()
    def copy_rows(self) -> None:
        """``C``: the clipboard is the CSV of the rows the table shows, in its order, under
        the columns it shows in the order drawn (its header names them; the ones folded
        into the title, account and version, kept), each value as logged."""
        self.app.copy_to_clipboard("")
        self.press("C")
        table = self.app.table
        if table.store is None or not table.row_count:
            assert self.app.clipboard == ""
            return
        copied = self.app.clipboard
        rows = list(csv.reader(io.StringIO(copied)))
        columns = list(table.view_columns)
        assert rows and rows[0] == columns, f"C's header {rows[:1]}, the table has {columns}"
        drawn = list(table.columns)
        assert [c for c in columns if c in drawn] == drawn, (
            f"C's columns {columns} are not in the order drawn {drawn}")
        body = rows[1:]
        count = min(COPY_ROWS, table.row_count)
        assert body, "C copied no row"
        assert len(body) == count or len(copied) > COPY_BYTES - 300, (
            f"C copied {len(body)} rows of {table.row_count}")
        for at, row in enumerate(body):
            record = table.store.row(at)
            want = ["" if record.get(c) is None else str(record.get(c)) for c in columns]
            assert row == want, f"C's row {at + 1} is {row}, the table's row is {want}"

    @rule()
    def conversation(self) -> None:
        """``i`` then ``v``: the conversation of the cursor's record's two addresses; it
        counts the records between them; at 80 columns or more nothing is off to the side
        and every header shows; the footer keeps the palette's key. Esc, Esc: back."""
        table = self.app.table
        at = self.cursor_record_index()
        if at is None or table.store is None:
            return
        record = table.store.store.row(at)
        a, b = record.get("srcaddr"), record.get("dstaddr")
        self.press("i")
        story = self.app.screen
        assert isinstance(story, StoryScreen), story
        self.until(lambda: story.told is not None and not story.status.startswith("Telling"),
                   "the story was never told")
        self.press("v")
        talk = self.app.screen
        assert isinstance(talk, ConversationScreen), talk
        self.until(lambda: "group(s)" in str(
            talk.query_one("#conversation-title", Static).content),
            "the conversation was never told")
        assert (talk.a, talk.b) == (str(a), str(b))
        store = table.store.store
        between = sum(1 for r in store.rows(0, len(store))
                      if {r.get("srcaddr"), r.get("dstaddr")} == {a, b})
        screen = screen_text(self.pilot)
        widget = talk.query_one("#conversation-title", Static)
        title = str(widget.content)
        drawn = screen[widget.region.y][widget.region.x:widget.region.right].strip()
        assert title.startswith(drawn.rstrip("…")), f"drawn {drawn!r}, the title {title!r}"
        assert f"A {a} ⇄ B {b}" in title, title
        said = re.search(r"([\d,]+) record\(s\)", title)
        assert said is not None and int(said.group(1).replace(",", "")) == between, (
            f"the conversation says {title.strip()!r}; {between} records are between them")
        width = self.app.size.width
        if width >= 80:
            body = talk.query_one(ConversationBody)
            assert body.max_scroll_x == 0, f"the conversation scrolls sideways at {width}"
            shown = "\n".join(screen)
            for header in ("proto", "port", "rec", "bytes", "acc", "rej", "first (UTC)",
                           "last", "ifaces"):
                assert header in shown, f"{header} is not on the conversation at {width}"
        check_footer(self.app, screen)
        self.press("escape")
        self.press("escape")
        assert self.app.screen is self.app.main_screen
        assert self.cursor_record_index() == at, "back from a conversation, on another record"


def test_newer_keys_tell_the_truth(machine_folder: Path) -> None:
    NewerKeysMachine.folder = machine_folder
    run = NewerKeysMachine.TestCase()
    run.settings = machine_settings(steps=8, examples=2)
    run.runTest()


@pytest.fixture
def machine_folder(tmp_path: Path) -> Path:
    return tmp_path


def test_the_screen_tells_the_truth(machine_folder: Path) -> None:
    ScreenMachine.folder = machine_folder
    run = ScreenMachine.TestCase()
    # Three sequences of up to ten steps (was four): each sequence opens an app and most of
    # the time is the app handling keys. Checked by breaking the app on purpose: these three
    # still fail on a formatted-row cache kept across a column change, a cut cell without
    # its …, keys of one write not held behind the previous key's work, and the detail
    # panel not updated while the top-N pane hides it (as four did; two sequences of fifteen
    # missed the last). The stateful seed is Hypothesis's own, so the sequences are the
    # same as before.
    run.settings = machine_settings(steps=10)
    run.runTest()


def machine_settings(steps: int, examples: int = 3) -> settings:
    """Three derandomized sequences of up to ``steps`` steps, no deadline (a loaded box);
    the environment may ask for more, randomised (``SIZES``' comment)."""
    env = os.environ.get
    return settings(max_examples=int(env("FLOWTUI_MACHINE_EXAMPLES", str(examples))),
                    stateful_step_count=int(env("FLOWTUI_MACHINE_STEPS", str(steps))),
                    deadline=None, derandomize=not env("FLOWTUI_MACHINE_RANDOM"), database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck))

