"""The hostile corpus (tests/corpus/generate.py) opened in the app as a local file, as
``flowtui FILE`` opens it: the load ends, every good record reaches the table, an object's
problem is one line, nothing raw reaches the screen, a key is still answered, and q quits."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from flowtui.ui.app import FlowtuiApp
from flowtui.ui.widgets.browser.sources import entry_location
from flowtui.ui.widgets.safe import literal
from tests.corpus.generate import CASES, GOOD, HEADER, Case, gzip_repeat, lines
from tests.ui_helpers import press, screen_segments, screen_text, wait_for

pytestmark = pytest.mark.asyncio

# The bombs' memory bounds are test_corpus's (a subprocess); here one 20 MB gzip bomb in
# their place (it stood in for each of the three, the same case three times over).
SMALL_BOMB = Case("bomb-20mb.log.gz", lambda: gzip_repeat(lines(HEADER, *GOOD[:50]),
                                                          b"\n" * (1 << 20), 20,
                                                          lines(*GOOD[50:])), 0, 100)
UI_CASES = [case for case in CASES if not case.name.startswith("bomb-")] + [SMALL_BOMB]
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
LOAD_BOUND = 60.0  # seconds: generous, for a loaded two-core machine
KEY_BOUND = 10.0


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus-ui")
    for case in UI_CASES:
        (folder / case.name).write_bytes(case.make())
    return folder


def _messages(app: FlowtuiApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def _opened(pilot: Any, app: FlowtuiApp, path: Path) -> None:
    """Highlight ``path`` in the browser (its folder, shown) and press Enter on it."""
    browser = app.browser
    await wait_for(pilot, lambda: any(entry_location(e) == str(path) for e in browser.entries),
                   timeout=LOAD_BOUND, what=f"{path.name} listed")
    index = next(i for i, e in enumerate(browser.entries) if entry_location(e) == str(path))
    browser.entry_list.focus()
    browser.entry_list.highlighted = index
    await pilot.pause()
    await press(pilot, "enter")


async def test_the_app_loads_each_case_and_stays_responsive(corpus_dir: Path) -> None:
    """The app started on the first case as ``flowtui FILE`` starts it, then every other
    case opened from the browser (the corpus folder, listed beside it) with Enter, as a user
    goes through files: each load ends, with the case's records and its one-line problem,
    and the app answers a key before the next. One app for all the cases (each case started
    its own, 26 app starts); a case that left the app unable to go on fails the next."""
    first = UI_CASES[0]
    app = FlowtuiApp(str(corpus_dir / first.name))
    # Notifications stay until read: on a loaded machine the check may come more than the
    # default 5 s after the load's notification, which then has already gone.
    app.NOTIFICATION_TIMEOUT = 3600
    async with app.run_test(size=(140, 40)) as pilot:
        previous: object = None
        seen = 0
        for case in UI_CASES:
            path = corpus_dir / case.name
            if case is not first:
                await _opened(pilot, app, path)
            await wait_for(pilot, lambda last=previous: app.job is not None
                           and app.job is not last and not app.job.status.running
                           and app.job.worker is not None and app.job.worker.is_finished,
                           timeout=LOAD_BOUND, what=f"{case.name} loaded")
            await pilot.pause()
            messages = _messages(app)[seen:]  # this case's
            seen += len(messages)
            previous = app.job
            await _check(pilot, app, case, path, messages)
        await press(pilot, "q")
    assert not app.is_running


async def _check(pilot: Any, app: FlowtuiApp, case: Case, path: Path, messages: list[str]
                 ) -> None:
    """What the user depends on after ``case`` loaded; ``messages``: the notifications it
    brought."""
    job = app.job
    assert job is not None
    context = f"{case.name}: {messages!r}, {job.status}"
    if case.records >= 0:
        assert app.table.row_count == case.records, context
    else:
        assert app.table.row_count > 0, context
    state = app.browser._states[str(path.resolve())]
    if case.exit_code:  # the object's problem: one line in a notification and the browser
        assert state.error or state.status == "failed", context
        reason = state.error or ""
        assert "\n" not in reason and case.message is not None, context
        assert case.message.lower() in reason.lower(), context
        assert any(case.message.lower() in m.lower() for m in messages), context
        # ... and under the object in the browser, literally (cut to the pane's width)
        shown = "\n".join(screen_text(pilot))
        assert (f"! {literal(reason)[:20]}" in shown
                or f"failed: {literal(reason)[:20]}" in shown), context
    elif case.bad_lines > 0:  # bad lines are counted, their reasons behind `e`
        assert job.status.bad_lines >= min(case.bad_lines, 1), context
        if case.message and case.message != "bad lines skipped":
            assert any(case.message.lower() in bad.reason.lower()
                       for _, bad in job.bad_lines), context
    else:
        assert state.error is None and state.status == "done", context
    for message in messages:
        assert "\n" not in message and not CONTROL.search(message), context
    text = "\n".join(screen_text(pilot))
    assert "Traceback" not in text, context
    assert not any(CONTROL.search(segment) for segment in screen_segments(pilot)), context
    # a key is answered: the cursor moves down the table (or the raw/decoded toggle flips)
    app.table.focus()
    await pilot.pause()
    if app.table.row_count >= 2:
        before = app.table.cursor_row
        await press(pilot, "j")
        await wait_for(pilot, lambda: app.table.cursor_row == before + 1,
                       timeout=KEY_BOUND, what=f"{case.name}: the cursor to move")
    else:
        decoded = app.table.decoded
        await press(pilot, "r")
        await wait_for(pilot, lambda: app.table.decoded is not decoded,
                       timeout=KEY_BOUND, what=f"{case.name}: raw/decoded to flip")
