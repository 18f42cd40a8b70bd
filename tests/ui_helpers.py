"""Helpers shared by the UI tests: wait for a condition, read what is on the screen."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.binding import Binding
from textual.dom import DOMNode
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


async def detail_caught_up(pilot: Pilot) -> None:
    """Wait until the detail panel explains the record under the table's cursor."""
    app = pilot.app
    await wait_for(pilot, lambda: app.detail.record_index == app.table.cursor_row,  # type: ignore[attr-defined]
                   what="detail panel to follow the cursor")


def declared_bindings(node: DOMNode | type[DOMNode]) -> list[Binding]:
    """The bindings ``node``'s class (or ``node``, a class) declares, one per key: the
    action table's rows for it (tests/test_actions.py holds them equal), system ones aside."""
    kind = node if isinstance(node, type) else type(node)
    return [b for b in Binding.make_bindings(kind.BINDINGS) if not b.system]
