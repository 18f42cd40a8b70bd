"""What the app paints at start and when little changes: the footer as one line of keys that
is drawn again only when its keys change, and the detail panel left alone while nothing is
to be explained (issue 16: every repaint is CPU at start, for a user on a jump host and for
each Pilot test, and bytes over SSH; bench/bench_app_start.py measures the start).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.style import Style
from textual.color import Color
from textual.css.stylesheet import Stylesheet
from textual.pilot import Pilot
from textual.widget import Widget

from flowtui.store import RecordStore
from flowtui.ui.app import FlowtuiApp
from flowtui.ui.help import HelpScreen
from flowtui.ui.widgets.footer.line import KeysFooter
from tests.ui_helpers import record_notes, wait_for

pytestmark = pytest.mark.asyncio


class Drawn:
    """Counts the lines a Line-API widget draws (``render_line`` calls)."""

    def __init__(self, widget: Widget) -> None:
        self.lines = 0
        draw = widget.render_line  # type: ignore[attr-defined]

        def spy(y: int) -> Any:
            self.lines += 1
            return draw(y)

        widget.render_line = spy  # type: ignore[attr-defined]


def _last_line(pilot: Pilot) -> list[tuple[str, Style | None]]:
    """The terminal's bottom row as (text, style) segments, as the screen would send it."""
    app = pilot.app
    update = app.screen._compositor.render_update(  # noqa: SLF001
        full=True, screen_stack=app._background_screens)  # noqa: SLF001
    return [(segment.text, segment.style) for strip in update.strips[-1] for segment in strip]


def _text(pilot: Pilot) -> str:
    return "".join(text for text, _style in _last_line(pilot))


async def _opened(pilot: Pilot, app: FlowtuiApp) -> KeysFooter:
    footer = app.main_screen.query_one(KeysFooter)
    await wait_for(pilot, lambda: any(i.description == "Help" for i in footer.items),
                   what="the footer's keys")
    return footer


async def test_the_footer_is_one_line_of_the_keys_and_a_click_presses_one(
        tmp_path: Path) -> None:
    app = FlowtuiApp(str(tmp_path))
    async with app.run_test(size=(160, 48)) as pilot:
        footer = await _opened(pilot, app)
        assert not footer.children  # one widget, not one per key
        # each key as Textual's FooterKey drew it: " key " then "description "
        line = _text(pilot)
        assert line.rstrip() == "".join(f" {item.key_display} {item.description} "
                                        for item in footer.items).rstrip()
        assert " q Quit " in line and " ? Help " in line and " ^p Commands " in line
        await pilot.click(KeysFooter, offset=(line.index("Help"), 0))
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")


async def test_the_key_under_the_mouse_is_shown_so(tmp_path: Path) -> None:
    app = FlowtuiApp(str(tmp_path))
    async with app.run_test(size=(160, 48)) as pilot:
        await _opened(pilot, app)

        def help_background() -> object:
            segment = next(style for text, style in _last_line(pilot) if "Help" in text)
            return segment.bgcolor if segment is not None else None

        plain = help_background()
        await pilot.hover(KeysFooter, offset=(_text(pilot).index("Help"), 0))
        await wait_for(pilot, lambda: help_background() != plain, what="the hover colour")
        await pilot.hover(KeysFooter, offset=(_text(pilot).index("Quit"), 0))
        await wait_for(pilot, lambda: help_background() == plain, what="hover gone")


async def test_the_footer_is_drawn_again_only_when_its_keys_change(tmp_path: Path) -> None:
    """A refresh of the bindings that changes no key (a tail's p and x asking the footer,
    a screen coming back) draws nothing; a focus move to other keys draws the new line."""
    app = FlowtuiApp(str(tmp_path))
    async with app.run_test(size=(160, 48)) as pilot:
        footer = await _opened(pilot, app)
        await pilot.pause()
        drawn = Drawn(footer)
        before = footer.items
        for _ in range(3):
            app.refresh_bindings()
            await pilot.pause()
        await pilot.pause()
        assert footer.items == before and drawn.lines == 0
        app.table.focus()  # the table's keys lead: / Filter, s Sort
        await wait_for(pilot, lambda: drawn.lines > 0, what="the footer drawn again")
        assert [i.description for i in footer.items][:2] == ["Filter", "Sort"]


async def test_with_nothing_to_explain_the_detail_panel_is_not_drawn_again(
        tmp_path: Path) -> None:
    """An empty folder shows no record; showing another empty view (as a load that finds
    nothing does) leaves the panel as it is instead of drawing its ~45 lines again."""
    app = FlowtuiApp(str(tmp_path))
    async with app.run_test(size=(160, 48)) as pilot:
        await _opened(pilot, app)
        await pilot.pause()
        panel = app.detail
        assert panel.record_index is None
        drawn = Drawn(panel.list)
        asked = []
        show_nothing = panel.show_nothing
        panel.show_nothing = lambda *a: (asked.append(a), show_nothing(*a))  # type: ignore[method-assign]
        app.shown.show_records(RecordStore())
        await wait_for(pilot, lambda: asked, what="the panel asked to follow the table")
        await pilot.pause()
        await pilot.pause()
        assert drawn.lines == 0
        assert "No record selected" in str(panel.query_one("#detail-title").render())


async def test_apps_one_after_another_each_have_their_themes_colours(
        tmp_path: Path) -> None:
    """The theme is set as the app is made (before its stylesheet is used): apps made one
    after another in a process each get their own theme's colours."""

    async def status_background(theme: str | None) -> tuple[object, object]:
        app = FlowtuiApp(str(tmp_path), theme=theme)
        async with app.run_test(size=(160, 48)) as pilot:
            await _opened(pilot, app)
            await pilot.pause()
            panel = app.get_css_variables()["panel"]
            return app.status.styles.background.hex, panel

    first, first_panel = await status_background(None)
    light, light_panel = await status_background("textual-light")
    again, _ = await status_background(None)
    assert first == again
    assert light != first
    assert (first, light) == (first_panel, light_panel)  # each its theme's $panel


@pytest.mark.parametrize("theme", ["ansi-dark", "textual-light"])
async def test_a_theme_given_at_start_styles_the_screen_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, theme: str) -> None:
    """--theme, the config's theme, TERM=xterm's ansi-dark and NO_COLOR's: applied before
    the screen is styled, not once it is up (then the CSS was parsed again, every widget
    restyled and the screen painted a second time, ~60 ms of a start)."""
    restyled_when_up: list[bool] = []
    reparse = Stylesheet.reparse

    def spy(self: Stylesheet) -> None:
        restyled_when_up.append(app.main_screen.is_mounted)
        reparse(self)

    monkeypatch.setattr(Stylesheet, "reparse", spy)
    app = FlowtuiApp(str(tmp_path), theme=theme)
    async with app.run_test(size=(160, 48)) as pilot:
        await _opened(pilot, app)
        await pilot.pause()
        assert app.theme == theme and app.has_class(f"-theme-{theme}")
        assert app.status.styles.background.hex == Color.parse(
            app.get_css_variables()["panel"]).hex
        assert True not in restyled_when_up


async def test_an_unknown_theme_is_said_once_the_screen_is_up(tmp_path: Path) -> None:
    app = FlowtuiApp(str(tmp_path), theme="no-such-theme")
    # (the toast's 5 s can pass before a loaded machine has drawn the footer: at load 15 it
    # was gone from app._notifications when the test looked)
    notes = record_notes(app)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await _opened(pilot, app)
        await wait_for(pilot, lambda: "Unknown theme no-such-theme" in notes,
                       what="the warning")
        assert app.theme == "textual-dark"
