"""What a key repaints: the lines that changed and no more (every repainted line costs bytes
over SSH; bench/bench_ui.py counts them), and the rough edges found in the same trial."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.color import Color
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widget import Widget

from flowtui.explain import explain
from flowtui.store import RecordStore
from flowtui.ui.app import FlowtuiApp
from flowtui.ui.run import theme_for_colours
from flowtui.ui.widgets.records.table import RecordTable
from tests.test_ui_table import _batch
from tests.ui_helpers import DAY_PREFIX, detail_caught_up, press, screen_text, wait_for


class Painted:
    """The lines a Line-API widget draws while the screen paints it: ``render_line`` calls
    made from inside ``render_lines`` (the panel also calls ``render_line`` to compare)."""

    def __init__(self, widget: Widget) -> None:
        self.lines: list[int] = []
        paint, draw = widget.render_lines, widget.render_line  # type: ignore[attr-defined]

        def spy(y: int) -> Any:
            self.lines.append(y)
            return draw(y)

        def render_lines(crop: Any) -> Any:
            widget.render_line = spy  # type: ignore[attr-defined]
            try:
                return paint(crop)
            finally:
                widget.render_line = draw  # type: ignore[attr-defined]

        widget.render_lines = render_lines  # type: ignore[method-assign]

    def take(self) -> set[int]:
        out = set(self.lines)
        self.lines.clear()
        return out


class TableApp(App[None]):
    def __init__(self, store: RecordStore) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        yield RecordTable(self.store)

    def on_mount(self) -> None:
        table = self.query_one(RecordTable)
        table.refresh_now()
        table.focus()


@pytest.mark.asyncio
async def test_a_cursor_move_on_screen_repaints_the_two_rows_that_changed() -> None:
    store = RecordStore()
    store.append(_batch(500), "a")
    app = TableApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(RecordTable)
        await pilot.pause()
        painted = Painted(table)
        for key, old, new in (("j", 0, 1), ("j", 1, 2), ("k", 2, 1), ("down", 1, 2)):
            await press(pilot, key)
            await pilot.pause()
            assert table.cursor_row == new
            # line 0 is the header; row r is on line r + 1 while the view is at the top
            assert painted.take() == {old + 1, new + 1}, key
        # off the bottom edge: the view scrolls and every line of the body is drawn again
        body = table.scrollable_content_region.height - 1
        table.move_cursor(body - 1)
        await pilot.pause()
        painted.take()
        await press(pilot, "j")
        await pilot.pause()
        assert table.scroll_y == 1
        assert set(range(1, body + 1)) <= painted.take()


@pytest.mark.asyncio
async def test_a_held_key_that_leaves_the_screen_is_followed_by_the_view() -> None:
    store = RecordStore()
    store.append(_batch(500), "a")
    app = TableApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(RecordTable)
        await pilot.pause()
        body = table.scrollable_content_region.height - 1
        await press(pilot, *["j"] * (body + 10))  # faster than the scroll interval
        assert table.cursor_row == body + 10
        await wait_for(pilot, lambda: table.scroll_y <= table.cursor_row
                       < table.scroll_y + body, what="the view to catch up with the cursor")
        cursor_line = table.cursor_row - int(table.scroll_y) + 1 + table.content_region.y
        row = table.store.row(table.cursor_row)  # type: ignore[union-attr]
        assert str(row["srcaddr"]) in screen_text(pilot)[cursor_line]


def _object_url(s3_server: Any) -> str:
    return next(o for o in s3_server.under(s3_server.main_bucket, DAY_PREFIX)
                if o.note == "" and o.key.count("/") == DAY_PREFIX.count("/")).url


async def _loaded(pilot: Pilot, app: FlowtuiApp) -> None:
    await wait_for(pilot, lambda: app.job is not None and not app.job.status.running
                   and app.table.row_count > 10, what="load finished")
    app.table.focus()
    await pilot.pause()
    await detail_caught_up(pilot)


def _panel_lines(pilot: Pilot, app: FlowtuiApp) -> list[str]:
    region = app.detail.list.content_region
    return [line[region.x:region.right] for line in
            screen_text(pilot)[region.y:region.bottom]]


@pytest.mark.asyncio
async def test_the_detail_panel_repaints_only_lines_whose_text_changed(
        s3_server: Any, s3_client: Any) -> None:
    app = FlowtuiApp(_object_url(s3_server), client=s3_client)
    async with app.run_test(size=(160, 48)) as pilot:
        await _loaded(pilot, app)
        painted = Painted(app.detail.list)
        for _ in range(4):
            before = _panel_lines(pilot, app)
            await press(pilot, "j")
            await detail_caught_up(pilot)
            await pilot.pause()
            after = _panel_lines(pilot, app)
            changed = {y for y, (a, b) in enumerate(zip(before, after, strict=True)) if a != b}
            lines = painted.take()
            assert changed, "the next record reads the same as the last"
            assert lines == changed  # every changed line, and only those
            assert len(lines) < len(after)


@pytest.mark.asyncio
async def test_meanings_shown_with_m_are_whole_when_the_scrollbar_shows(
        s3_server: Any, s3_client: Any) -> None:
    app = FlowtuiApp(_object_url(s3_server), client=s3_client)
    async with app.run_test(size=(160, 48)) as pilot:
        await _loaded(pilot, app)
        ol = app.detail.list
        ol.focus()
        await press(pilot, "m")
        await pilot.pause()
        assert ol.show_vertical_scrollbar  # every meaning does not fit: the case that cut
        seen: dict[int, str] = {}
        region = ol.scrollable_content_region
        while True:
            for y, line in enumerate(_panel_lines(pilot, app)):
                seen[int(ol.scroll_y) + y] = line[:region.width]
            if ol.scroll_y >= ol.max_scroll_y:
                break
            ol.scroll_to(y=ol.scroll_y + region.height - 1, animate=False)
            await pilot.pause()
        text = " ".join(" ".join(seen[y] for y in sorted(seen)).split())
        record = app.table.store.row(app.table.cursor_row)  # type: ignore[union-attr]
        meanings = [row.meaning for row in explain(record).rows if row.meaning]
        assert meanings
        for meaning in meanings:
            assert " ".join(meaning.split()) in text


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (160, 48)])
@pytest.mark.asyncio
async def test_the_empty_table_hint_is_whole_at_every_width(s3_client: Any,
                                                             size: tuple[int, int]) -> None:
    app = FlowtuiApp(None, client=s3_client)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        table = app.table
        region = table.content_region
        lines = [line[region.x:region.right].strip() for line in
                 screen_text(pilot)[region.y:region.bottom]]
        shown = " ".join(" ".join(lines).split())
        assert " ".join(table.placeholder.split()) in shown


@pytest.mark.asyncio
async def test_notifications_leave_the_status_line_readable(s3_client: Any) -> None:
    app = FlowtuiApp(None, client=s3_client)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        status_y = app.status.region.y
        before = screen_text(pilot)[status_y]
        assert "no records" in before
        app.notify("A notification long enough to reach across the bottom right corner " * 2,
                   markup=False, timeout=30)
        await pilot.pause()
        await pilot.pause()
        assert screen_text(pilot)[status_y] == before
        footer_y = status_y + 1
        assert "Quit" in screen_text(pilot)[footer_y]


@pytest.mark.asyncio
async def test_the_palette_lists_the_apps_commands_not_textuals_own(s3_client: Any) -> None:
    app = FlowtuiApp(None, client=s3_client)
    async with app.run_test(size=(120, 40)) as pilot:
        assert list(app.get_system_commands(app.screen)) == []
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        commands = app.screen.query_one(CommandList)
        await wait_for(pilot, lambda: commands.option_count > 10, what="commands listed")
        names = [str(commands.get_option_at_index(i).prompt)
                 for i in range(commands.option_count)]
        assert any("Toggle raw/decoded" in name for name in names)
        for textual_own in ("Screenshot", "Maximize", "Keys", "Change theme"):
            assert not any(name.startswith(textual_own) for name in names), textual_own


def test_sixteen_colour_terminals_get_the_terminals_own_colours() -> None:
    assert theme_for_colours("standard") == "ansi-dark"  # TERM=xterm
    assert theme_for_colours("256") is None
    assert theme_for_colours("truecolor") is None
    assert theme_for_colours(None) is None


def _contrast(a: Color, b: Color) -> float:
    return abs(a.brightness - b.brightness)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "ansi-dark"])
@pytest.mark.asyncio
async def test_borders_are_visible_and_focus_is_not_the_reject_colour(s3_client: Any,
                                                                      theme: str) -> None:
    app = FlowtuiApp(None, client=s3_client, theme=theme)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        app.table.focus()
        await pilot.pause()
        focused = app.table.styles.border_top[1]
        reject = app.table.get_component_rich_style("record-table--reject").color
        assert reject is not None
        assert focused.rich_color != reject
        unfocused = app.browser.styles.border_top[1]
        assert unfocused != focused
        if not app.current_theme.ansi:  # ansi colours are the terminal's: no values here
            background = app.screen.styles.background
            assert _contrast(background + unfocused, background) > 0.15
