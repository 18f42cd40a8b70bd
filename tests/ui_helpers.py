"""Helpers shared by the UI tests: wait for a condition, read what is on the screen."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import _character_to_key
from textual.pilot import Pilot

DAY_PREFIX = "AWSLogs/111111111111/vpcflowlogs/us-east-1/2024/03/05/"


async def wait_for(pilot: Pilot, condition: Callable[[], object], timeout: float = 10.0,
                   what: str = "condition") -> None:
    """Let the app run until ``condition()`` holds (events, workers); fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)
    await pilot.pause()  # let the screen catch up with what just happened


def burst(app: App[object], keys: Iterable[str]) -> None:
    """Keys as one write from the terminal (a paste, fast typing): every key is queued
    before the app handles the first. ``keys`` are key names ("slash", "enter") or single
    characters."""
    for key in keys:
        if len(key) == 1:
            char, name = key, _character_to_key(key)
        else:
            name = key
            char = {"enter": "\r", "escape": "\x1b", "space": " ", "tab": "\t",
                    "backspace": "\x7f", "slash": "/", "at": "@", "colon": ":"}.get(key)
        app.post_message(events.Key(name, char))


async def press(pilot: Pilot, *keys: str, timeout: float | None = None) -> None:
    """Type ``keys`` as one write and wait until the last of them has acted.

    The app's key gate (flowtui/ui/keygate.py) lets each key through only once the work of
    the one before it is done (its bindings, the messages it posted, the focus it moved), so
    this ends where ``Pilot.press`` pressing them one by one would; but ``Pilot.press``
    waits for the process to look idle twice per key (40 ms or more each, up to a second
    while a worker runs), where this waits on the gate, once for all of them."""
    app = pilot.app
    if not hasattr(app, "key_gate"):  # a bare App around one widget: no gate to wait on
        await pilot.press(*keys)
        return
    burst(app, keys)
    await pilot._wait_for_screen()  # noqa: SLF001 - the app took the keys: the gate has them
    deadline = time.monotonic() + (timeout or 30 + 2 * len(keys))
    while app.key_gate.busy:  # type: ignore[attr-defined]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for keys {keys!r} to be handled")
        await pilot.pause(0.02)
    await app.animator.wait_until_complete()  # a scroll they started ends (as Pilot.press)
    # Keys in one write are a held key to the table and the detail panel: they repaint the
    # cursor's rows and explain its record once it rests (over SSH every byte counts), so
    # what they show settles a moment after the last key acted.
    while _paint_due(app):
        if time.monotonic() > deadline:
            raise AssertionError(f"the screen did not settle after keys {keys!r}")
        await pilot.pause(0.02)
    await pilot.pause()  # the screen catches up


def _paint_due(app: App[object]) -> bool:
    """The table or the detail panel still owes the screen a repaint (a throttled cursor)."""
    screen = getattr(app, "main_screen", None)
    if screen is None or app.screen is not screen or app.return_code is not None \
            or not app.is_running:
        return False  # another screen on top (its timers wait), or the app is ending
    table = getattr(app, "table", None)
    throttle = getattr(screen, "detail_throttle", None)
    return bool((table is not None and table.cursor_paint_pending)
                or (throttle is not None and throttle.pending))


def record_notes(app: App[object]) -> list[str]:
    """Every message ``app`` is asked to show as a toast, kept in the returned list: a toast
    shown for 3 s can be gone before a test on a loaded machine looks (``app.notify`` still
    shows it; this only remembers)."""
    notes: list[str] = []
    shown = app.notify

    def notify(message: str, **kwargs: object) -> None:
        notes.append(str(message))
        shown(message, **kwargs)  # type: ignore[arg-type]

    app.notify = notify  # type: ignore[method-assign]
    return notes


def screen_text(pilot: Pilot) -> list[str]:
    """The characters on the terminal, one string per row, as a user would read them.

    Built the way ``App.export_screenshot`` builds its picture (the compositor's full
    update), so it is what would be written to the terminal, minus colours."""
    app = pilot.app
    update = app.screen._compositor.render_update(  # noqa: SLF001
        full=True, screen_stack=app._background_screens)  # noqa: SLF001
    return ["".join(strip.text for strip in line) for line in update.strips]


def screen_segments(pilot: Pilot) -> list[str]:
    """Every text segment that would reach the terminal (to look for stray control codes)."""
    app = pilot.app
    update = app.screen._compositor.render_update(  # noqa: SLF001
        full=True, screen_stack=app._background_screens)  # noqa: SLF001
    return [segment.text for line in update.strips for strip in line for segment in strip
            if not segment.control]


async def loaded(pilot: Pilot, rows: int) -> None:
    """Wait until the app's load has ended with ``rows`` rows in its table."""
    app = pilot.app
    await wait_for(pilot, lambda: app.job is not None  # type: ignore[attr-defined]
                   and not app.job.status.running  # type: ignore[attr-defined]
                   and app.table.row_count == rows,  # type: ignore[attr-defined]
                   what="the file to load")


async def detail_caught_up(pilot: Pilot) -> None:
    """Wait until the detail panel explains the record under the table's cursor."""
    app = pilot.app
    await wait_for(pilot, lambda: app.detail.record_index == app.table.cursor_row,  # type: ignore[attr-defined]
                   what="detail panel to follow the cursor")


async def detail_field_shown(pilot: Pilot, field: int) -> str:
    """The detail panel's words, one space apart, with its ``field``-th row (from 0, of a
    freshly loaded file's one record) highlighted, so shown whole (wrapped) with its meaning.
    The focus goes browser → records → detail by tab, as a user moves it."""
    app = pilot.app
    await detail_caught_up(pilot)
    await press(pilot, "tab", "tab")
    assert app.focused is app.detail.list  # type: ignore[attr-defined]
    await press(pilot, *["down"] * field)
    region = app.detail.region  # type: ignore[attr-defined]
    panel = [row[region.x:region.right] for row in screen_text(pilot)[region.y:region.bottom]]
    return " ".join(" ".join(panel).replace("│", " ").split())


def declared_bindings(node: DOMNode | type[DOMNode]) -> list[Binding]:
    """The bindings ``node``'s class (or ``node``, a class) declares, one per key: the
    action table's rows for it (tests/test_actions.py holds them equal), system ones aside."""
    kind = node if isinstance(node, type) else type(node)
    return [b for b in Binding.make_bindings(kind.BINDINGS) if not b.system]
