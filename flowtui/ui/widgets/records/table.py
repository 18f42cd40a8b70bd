"""The record table: a Line-API view over a RowSource that draws only what is on screen.

DataTable builds every row up front (100k rows froze the UI for ~25 s when we measured);
this view asks its row source (the store, or a view over it) for the visible rows only,
formats them once, and keeps the rendered strips in small LRU caches. The source is
append-only between ``clear()`` calls, so a row's strip stays valid until the columns'
widths, the cursor, the raw/decoded mode or the source itself change. A live tail also drops
the oldest rows (``dropped`` grows): row indexes shift down, so the caches are reset and the
cursor and scroll move with the records.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.timer import Timer

from flowtui.explain import display_value
from flowtui.fields import is_integer
from flowtui.rowsource import RowSource
from flowtui.ui.actions import bindings
from flowtui.ui.widgets.names.cells import CellNames
from flowtui.ui.widgets.records.columns import ColumnChoices, ColumnLayout
from flowtui.ui.widgets.records.scrollbars import ChangedCellsScrollBar, CompactScrollBarRender
from flowtui.ui.widgets.safe import literal

MAX_COLUMN_WIDTH = 40
#: Seconds within which appended rows reach the table while they are on screen (or a tail
#: follows the end), and while they only grow the scroll range below it.
SYNC_DELAY = 0.1
OFFSCREEN_SYNC = 1.0
"""Long values (ECS ARNs, tags) are cut with an ellipsis; the detail panel shows them whole."""

MARKER_WIDTH = 2
"""The status marker column, fixed at the left edge so it stays visible when scrolling."""

GAP = 1

CUT_MARK = "…"
"""Drawn in place of the edge character of a cell the screen's edge cuts."""

SCROLL_INTERVAL = 0.15
"""Seconds between scrolls that follow the cursor while a held key pushes it off screen.

A scroll repaints every row of the table (~11 KB at 160x48, where a move inside the screen
is ~0.5 KB); a held key at 30/s would send that 30 times a second, more than a 1 Mbit/s
link carries. The first scroll after a pause is immediate; while keys repeat, the view
catches up with the cursor at most this often, several lines at a time."""


CURSOR_INTERVAL = 0.1
"""Seconds between repaints of the cursor's rows while a held key moves it on screen.

Each move repaints two rows (~350 B at 160x48 with the detail panel, more without it); at
a terminal's 30 repeats a second that alone passed 8 KB for 20 presses. The first move
after a pause is drawn at once; while keys repeat the cursor is drawn ten times a second,
skipping the rows in between."""


def row_marker(row: dict[str, object]) -> str:
    """A letter that marks rows needing attention without relying on colour."""
    status = row.get("log-status")
    if status == "NODATA":
        return "N"
    if status == "SKIPDATA":
        return "S"
    if row.get("action") == "REJECT":
        return "R"
    return " "


MARKER_LEGEND: tuple[tuple[str, str], ...] = (
    ("R", "REJECT: the security group or network ACL refused the traffic"),
    ("N", "NODATA: no traffic on the interface during the interval"),
    ("S", "SKIPDATA: records were lost in the interval (totals are lower bounds)"),
)


def _replace_cell(strip: Strip, x: int, text: str) -> Strip:
    """``strip`` with the one cell at ``x`` replaced by ``text`` (one cell wide), in the
    style that cell had."""
    cell = strip.crop(x, x + 1)
    style = next((segment.style for segment in cell if segment.text), None)
    return Strip.join([strip.crop(0, x), Strip([Segment(text, style)]),
                       strip.crop(x + 1, strip.cell_length)])


@dataclass
class _FormattedRow:
    marker: str
    cells: list[str]


class RecordTable(ScrollView, can_focus=True, inherit_bindings=False):
    """Rows of flow-log records with a fixed header; the cursor row drives the detail panel."""


    COMPONENT_CLASSES = {
        "record-table--header",
        "record-table--cursor",
        "record-table--reject",
        "record-table--nodata",
        "record-table--skipdata",
        "record-table--marker",
        "record-table--empty",
        "record-table--cursor-cell",
        "record-table--header-cursor",
    }

    BINDINGS: ClassVar[list[BindingType]] = bindings("table")

    decoded: reactive[bool] = reactive(False)
    #: No repaint of its own: the watcher refreshes the two rows that changed.
    cursor_row: reactive[int] = reactive(0, repaint=False)
    #: The column under the cursor (index into ``columns``): quick filters and sort use it.
    cursor_column: reactive[int] = reactive(0, repaint=False)
    placeholder: reactive[str] = reactive(
        "No records yet. In the browser, Enter on an object or a day/hour folder loads it.")

    @dataclass
    class CursorMoved(Message):
        """The cursor is on a new record (or the data under it changed)."""

        table: RecordTable
        row: int

        @property
        def control(self) -> RecordTable:
            return self.table

    @dataclass
    class RowsChanged(Message):
        """More rows are visible to the table (a load appended batches)."""

        table: RecordTable
        count: int

        @property
        def control(self) -> RecordTable:
            return self.table

    def __init__(self, store: RowSource | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._store: RowSource | None = store
        self._row_count = 0
        self._total = 0  # the source's total (a view's store length) when last synced
        self._columns: list[str] = []
        self._widths: dict[str, int] = {}
        self._widths_version = 0
        self._formatted: LRUCache[int, _FormattedRow] = LRUCache(4096)
        self._strips: LRUCache[tuple, Strip] = LRUCache(1024)
        self._update_pending = False
        self._announced = False
        self._dropped = 0  # store.dropped when last synced
        self._order_generation = 0  # store.order_generation when last synced
        #: The sorted column and its direction, marked in the header (▲ ascending, ▼ not).
        self._sort_mark: tuple[str, bool] | None = None
        #: Tail mode: new rows move the cursor along while it is on the last row.
        self.follow = False
        #: Rows appended since the cursor left the last row (tail mode), for "N new rows".
        self.new_rows = 0
        self._styles: dict[str, Style] = {}
        self._base_style = Style()
        #: Which columns show, in what order, pinned how; what folds into the title.
        self.column_layout = ColumnLayout()
        self._title: Text | None = None
        self._scrolled_at = 0.0  # when a cursor move last scrolled the view
        self._placeholder_wrap: tuple[tuple[str, int], list[str]] = (("", 0), [])
        self._scroll_timer: Timer | None = None
        self._cursor_painted_at = 0.0  # when a cursor move last repainted its rows
        self._cursor_timer: Timer | None = None
        #: The row last drawn as the cursor's while a repaint waits (None: none waits).
        self._painted_cursor: int | None = None
        #: Names beside (or instead of) interface ids and addresses (ui/names/cells.py).
        self.cell_names = CellNames()

    # ----------------------------------------------------------------- data

    @property
    def store(self) -> RowSource | None:
        return self._store

    @property
    def row_count(self) -> int:
        return self._row_count

    @property
    def columns(self) -> list[str]:
        """The columns shown, in order (after folds, the chooser's hides and order;
        ``cursor_column`` indexes these)."""
        return list(self._columns)

    @property
    def view_columns(self) -> list[str]:
        """The view's columns in display order, the ones folded into the title included (an
        export or a copy keeps the account and version; only what the chooser hid goes)."""
        columns = self._store.columns if self._store is not None else []
        hidden = self.column_layout.choices.hidden
        return [c for c in self.column_layout.arranged(columns) if c not in hidden]

    @property
    def current_column(self) -> str | None:
        """The name of the column under the cursor, None before any column is known."""
        if not self._columns:
            return None
        return self._columns[min(self.cursor_column, len(self._columns) - 1)]

    def current_cell(self) -> tuple[str, object] | None:
        """(column, raw value) under the cursor, None on an empty table."""
        column = self.current_column
        if column is None or self._store is None or self.cursor_row >= self._row_count:
            return None
        try:
            record = self._store.row(self.cursor_row)
        except IndexError:
            return None
        return column, record.get(column)

    def header_label(self, column: str) -> str:
        """The column's header text, with the sort mark when it is the sorted one."""
        label = self.cell_names.header(column, literal(column))
        if self._sort_mark is not None and self._sort_mark[0] == column:
            label += " ▼" if self._sort_mark[1] else " ▲"
        return label

    def set_sort_mark(self, column: str | None, descending: bool = False) -> None:
        """Mark ``column`` as the sorted one in the header (None: no sort)."""
        self._sort_mark = (column, descending) if column is not None else None
        if column is not None and column in self._widths:
            need = min(MAX_COLUMN_WIDTH, cell_len(self.header_label(column)))
            if need > self._widths[column]:
                self._widths[column] = need
                self._widths_version += 1
                self._strips.clear()
                self._update_virtual_size()
                # the wider column may now end past the screen's edge
                self.call_after_refresh(self._scroll_column_into_view)
                self.refresh()
        self.refresh(Region(0, 0, self.size.width, 1))

    def replace_source(self, source: RowSource, cursor_row: int = 0) -> None:
        """Show another view of the same records (a filter or sort changed): columns and
        their widths stay, the rows start over, the cursor goes to ``cursor_row``."""
        self._store = source
        self._dropped = source.dropped
        self._order_generation = source.order_generation
        self._row_count = 0
        self.new_rows = 0
        self._reset_caches()
        self._announced = True
        self._sync()
        self.set_reactive(RecordTable.cursor_row, self.validate_cursor_row(cursor_row))
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.RowsChanged(self, self._row_count))
        self.post_message(self.CursorMoved(self, self.cursor_row))

    def set_store(self, store: RowSource | None) -> None:
        """Show another store (a new load): forget everything derived from the old one."""
        self._store = store
        self._row_count = 0
        self._dropped = store.dropped if store is not None else 0
        self._order_generation = store.order_generation if store is not None else 0
        self.new_rows = 0
        self._columns = []
        self._widths = {}
        self._reset_caches()
        self._announced = False
        self.set_reactive(RecordTable.cursor_row, 0)
        self.set_reactive(RecordTable.cursor_column, 0)
        self.scroll_to(0, 0, animate=False, immediate=True)
        self._sync()
        self.post_message(self.CursorMoved(self, 0))

    def data_changed(self) -> None:
        """Rows were appended; coalesce bursts of batches into one repaint per tenth second,
        or per ``OFFSCREEN_SYNC`` once the new rows land below the screen.

        The first rows of an empty table are shown at once: that wait is the one users feel.
        Rows below the screen change only the scroll range, and a new virtual size lays out
        the whole screen again (every widget redrawn): done ten times a second through a
        1M-record load, that took the UI thread a third of the load's time, and the GIL
        from the loader with it.
        """
        if self._row_count == 0 and not self._update_pending:
            self._sync()
            return
        if not self._update_pending:
            self._update_pending = True
            self.set_timer(self._sync_delay(), self._sync)

    def _sync_delay(self) -> float:
        on_screen = self._row_count < int(self.scroll_y) + self._body_height()
        return SYNC_DELAY if self.follow or on_screen else OFFSCREEN_SYNC

    def refresh_now(self) -> None:
        """Pick up appended rows immediately (end of a load, tests)."""
        self._sync()

    def _sync(self) -> None:
        self._update_pending = False
        store = self._store
        count = len(store) if store is not None else 0
        all_columns = store.columns if store is not None else []
        self.column_layout.observe()
        columns = self.column_layout.visible(all_columns)
        self._update_title(all_columns)
        dropped = store.dropped if store is not None else 0
        shift = max(0, dropped - self._dropped)
        self._dropped = dropped
        order = store.order_generation if store is not None else 0
        if order != self._order_generation:
            # Rows already shown may have moved (a sort, a clear): nothing cached holds.
            self._order_generation = order
            self._reset_caches()
            self.refresh()
        old = self._row_count
        at_end = not old or self.cursor_row >= old - 1
        if shift:
            # The oldest rows went (a tail's --keep): every index moved down by ``shift``.
            self._reset_caches()
        elif count < old:  # the store was cleared under us
            self._reset_caches()
            self._widths = {}
        if columns != self._columns:
            # Formatted rows hold one cell per column in the old order: kept, they drew
            # ports under dstaddr after the chooser hid srcport (issue 17).
            self._formatted.clear()
            self._columns = columns
            for column in columns:
                self._widths.setdefault(column, min(MAX_COLUMN_WIDTH,
                                                    cell_len(self.header_label(column))))
            self._widths_version += 1
            self._strips.clear()
        self._row_count = count
        appended = count - (old - shift)
        # A filtered view's store can grow by rows that do not match: the count stays, the
        # "N of M match" total does not (a tail after a filter showed the pre-tail total).
        total = getattr(store, "total", count)
        if count != old or shift or total != self._total:
            self.post_message(self.RowsChanged(self, count))
        self._total = total
        self._update_virtual_size()
        if self.follow and at_end and count:
            self.new_rows = 0
            if self.cursor_row != count - 1:
                self.cursor_row = count - 1  # the watcher scrolls and announces
            elif shift:
                self.post_message(self.CursorMoved(self, self.cursor_row))  # another record
            self._scroll_cursor_into_view()
            # the scroll range follows the new virtual size only after the next layout
            self.call_after_refresh(self._scroll_cursor_into_view)
            self.refresh()
        elif shift:
            if self.follow and appended > 0:
                self.new_rows += appended
            self.set_reactive(RecordTable.cursor_row, max(0, self.cursor_row - shift))
            self.scroll_to(y=max(0, int(self.scroll_y) - shift), animate=False,
                           immediate=True)
            self._scroll_cursor_into_view()
            self.post_message(self.CursorMoved(self, self.cursor_row))
            self.refresh()
        else:
            if self.follow and appended > 0:
                self.new_rows += appended
            if self.cursor_row >= count:
                self.set_reactive(RecordTable.cursor_row, max(0, count - 1))
            top = int(self.scroll_y)
            if old < top + self._body_height() or count < old:
                self.refresh()
        if count and not self._announced:
            self._announced = True
            self.post_message(self.CursorMoved(self, self.cursor_row))

    def _update_title(self, columns: Sequence[str]) -> None:
        title = self.column_layout.title(columns, self.decoded)
        if title != self._title:  # setting a title repaints the whole widget
            self._title = title
            self.border_title = title

    def set_column_choices(self, choices: ColumnChoices) -> None:
        """The column chooser's answer: show, hide, order and pin as it says."""
        self.column_layout.choices = choices
        self._sync()
        self._update_virtual_size()
        self.refresh()

    def _reset_caches(self) -> None:
        self._formatted.clear()
        self._strips.clear()
        self._widths_version += 1

    def _update_virtual_size(self) -> None:
        width = MARKER_WIDTH + sum(self._widths.get(c, 0) + GAP for c in self._columns)
        self._set_virtual_size(Size(width, self._row_count + 1))
        if self.follow and self._row_count and self.cursor_row == self._row_count - 1:
            # wider columns can bring the horizontal scrollbar, which takes a row of the body
            self.call_after_refresh(self._scroll_cursor_into_view)

    def _set_virtual_size(self, size: Size) -> None:
        """A new scroll range without a layout. Where a ScrollView sits on the screen does
        not depend on its virtual size, yet Textual's reactive lays the screen out and
        repaints the whole table, border, title and bars included (~3 KB at 160x48, on
        every PgDn whose rows fit the columns differently). The bars' sizes and the scroll
        offsets are updated as the layout would (a bar shown or hidden still lays out)."""
        if size == self.virtual_size:
            return
        if not self.is_mounted or not self.container_size:
            self.virtual_size = size
            return
        self.set_reactive(ScrollView.virtual_size, size)
        self._scroll_update(size)

    # -------------------------------------------------------------- cursor

    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, self._row_count - 1)) if self._row_count else 0

    def watch_cursor_row(self, old: int, new: int) -> None:
        if self._row_count and new >= self._row_count - 1:
            self.new_rows = 0  # the user caught up with the tail
        self._paint_cursor(old)
        self._follow_cursor()
        self.post_message(self.CursorMoved(self, new))

    def _paint_cursor(self, old: int) -> None:
        """Repaint the row the cursor left and the one it is on: at once after a pause,
        else at most every ``CURSOR_INTERVAL`` (the rows it passed in between are never
        drawn as the cursor's)."""
        if self._cursor_timer is not None:
            return  # the repaint due takes the newest row
        painted = self._painted_cursor if self._painted_cursor is not None else old
        now = time.monotonic()
        wait = CURSOR_INTERVAL - (now - self._cursor_painted_at)
        if wait <= 0:
            self._repaint_cursor(painted)
        else:
            self._painted_cursor = painted
            self._cursor_timer = self.set_timer(wait, self._catch_up_cursor)

    def _catch_up_cursor(self) -> None:
        self._cursor_timer = None
        painted = self._painted_cursor
        self._repaint_cursor(painted if painted is not None else self.cursor_row)

    def _repaint_cursor(self, painted: int) -> None:
        self._cursor_painted_at = time.monotonic()
        self._painted_cursor = None
        self._refresh_row(painted)
        self._refresh_row(self.cursor_row)

    @property
    def cursor_paint_pending(self) -> bool:
        """The cursor moved and its rows are not repainted yet (a held key)."""
        return self._cursor_timer is not None

    def _follow_cursor(self) -> None:
        """Scroll the cursor into view now, or soon if a cursor move scrolled just now."""
        top = int(self.scroll_y)
        if top <= self.cursor_row < top + self._body_height():
            return
        now = time.monotonic()
        if now - self._scrolled_at >= SCROLL_INTERVAL:
            self._scrolled_at = now
            self._scroll_cursor_into_view()
        elif self._scroll_timer is None:
            self._scroll_timer = self.set_timer(SCROLL_INTERVAL - (now - self._scrolled_at),
                                                self._catch_up_scroll)

    def _catch_up_scroll(self) -> None:
        self._scroll_timer = None
        self._scrolled_at = time.monotonic()
        self._scroll_cursor_into_view()

    def _refresh_row(self, row: int) -> None:
        """Repaint one record's line if it is on screen (line 0 is the header)."""
        y = row - int(self.scroll_y) + 1
        if 1 <= y < self.size.height:
            self.refresh_lines(row + 1)

    def refresh_lines(self, y_start: int, line_count: int = 1) -> None:
        """Repaint whole lines of the table, and only them: ScrollView's own version spans
        the virtual width, which reaches over the scrollbar, the border and the panel
        beside the table on the terminal, and each of those costs bytes to redraw."""
        region = self.scrollable_content_region
        self.refresh(Region(0, y_start - int(self.scroll_y), region.width, line_count))

    def _scroll_cursor_into_view(self) -> None:
        top = int(self.scroll_y)
        body = self._body_height()
        row = self.cursor_row
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + body:
            self.scroll_to(y=row - body + 1, animate=False, immediate=True)

    def move_cursor(self, row: int, *, to_top: bool = False) -> None:
        """Put the cursor on ``row``; ``to_top`` scrolls it to the top of the screen (a jump
        to a place, where what follows it is what the user came to read)."""
        self.cursor_row = row
        if to_top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_page_up(self) -> None:
        body = self._body_height()
        self.scroll_to(y=max(0, int(self.scroll_y) - body), animate=False, immediate=True)
        self.cursor_row -= body

    def action_page_down(self) -> None:
        body = self._body_height()
        self.scroll_to(y=int(self.scroll_y) + body, animate=False, immediate=True)
        self.cursor_row += body

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.refresh_now()
        self.cursor_row = self._row_count - 1

    def _column_starts(self) -> list[int]:
        starts, x = [], 0
        for column in self._columns:
            starts.append(x)
            x += self._widths.get(column, 0) + GAP
        return starts

    @property
    def pinned(self) -> int:
        """How many leading columns stay put while the rest scroll sideways."""
        return self.column_layout.pinned(self._columns)

    def _pinned_width(self) -> int:
        return sum(self._widths.get(c, 0) + GAP for c in self._columns[:self.pinned])

    def _scroll_starts(self) -> list[int]:
        """Where each scrolling (unpinned) column starts, in scroll_x units."""
        pinned, width = self.pinned, self._pinned_width()
        return [s - width for s in self._column_starts()[pinned:]]

    def _left_column(self) -> str | None:
        """The scrolling column at the left edge (the first not cut by the scroll)."""
        x = int(self.scroll_x)
        starts = self._scroll_starts()
        for column, start in zip(self._columns[self.pinned:], starts, strict=False):
            if start >= x:
                return column
        return None

    def validate_cursor_column(self, column: int) -> int:
        return max(0, min(column, len(self._columns) - 1)) if self._columns else 0

    def watch_cursor_column(self) -> None:
        self._strips.clear()  # the header and the cursor row mark the column
        self._scroll_column_into_view()
        self._refresh_row(self.cursor_row)
        self.refresh(Region(0, 0, self.size.width, 1))

    def _scroll_column_into_view(self) -> None:
        """Scroll sideways just enough to show the cursor's column whole, with a column
        start at the left edge (none cut in half); pinned columns are always in view."""
        if not self._columns:
            return
        index = self.validate_cursor_column(self.cursor_column)
        pinned = self.pinned
        if index < pinned:
            return
        starts = self._scroll_starts()
        start = starts[index - pinned]
        end = start + self._widths.get(self._columns[index], 0)
        view = max(1, self.scrollable_content_region.width - MARKER_WIDTH
                   - self._pinned_width())
        x = int(self.scroll_x)
        if start < x:
            self.scroll_to(x=start, animate=False, immediate=True)
        elif end > x + view:
            left = next((s for s in starts if s >= end - view), start)  # none cut in half
            self.scroll_to(x=min(start, left), animate=False, immediate=True)

    def action_column_right(self) -> None:
        self.cursor_column += 1

    def action_column_left(self) -> None:
        self.cursor_column -= 1

    def action_leftmost(self) -> None:
        self.cursor_column = 0
        self.scroll_to(x=0, animate=False)

    def action_rightmost(self) -> None:
        self.cursor_column = len(self._columns) - 1
        self.scroll_to(x=self.max_scroll_x, animate=False)

    def action_toggle_decoded(self) -> None:
        self.decoded = not self.decoded

    def names_changed(self) -> None:
        """The names or their mode changed (``cell_names``): cells and headers again."""
        self.watch_decoded()

    def action_copy_cell(self) -> None:
        """y: the value under the cursor, as the table shows it (raw or decoded), as the
        detail panel's y copies a field's."""
        cell = self.current_cell()
        if cell is None:
            self.notify("No record under the cursor", severity="warning", markup=False)
            return
        column, value = cell
        text = display_value(column, value, self.decoded)
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied {literal(column)}: {literal(text)}", markup=False, timeout=3)

    def watch_decoded(self) -> None:
        """Raw and decoded cells differ in width: the column at the left edge stays there,
        rather than the old scroll offset cutting some other column in half."""
        anchor = self._left_column() if int(self.scroll_x) else None
        self._formatted.clear()
        self._strips.clear()
        self._widths = {c: min(MAX_COLUMN_WIDTH, cell_len(self.header_label(c)))
                        for c in self._columns}
        self._widths_version += 1
        top = int(self.scroll_y)
        stop = min(self._row_count, top + self._body_height())
        if stop > top:
            self._fit_widths(self._format_rows(top, stop), later=False)
        self._update_virtual_size()
        if self._store is not None:
            self._update_title(self._store.columns)
        if anchor is not None:
            at = self._columns[self.pinned:].index(anchor)
            self.scroll_to(x=self._scroll_starts()[at], animate=False, immediate=True)
        self.refresh()

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and offset.y >= 1:
            self.cursor_row = int(self.scroll_y) + offset.y - 1
            x = offset.x - MARKER_WIDTH  # pinned columns stay put, the rest scroll
            x = x if x < self._pinned_width() else x + int(self.scroll_x)
            starts = self._column_starts()
            if offset.x >= MARKER_WIDTH and starts:
                self.cursor_column = max(0, sum(1 for s in starts if s <= x) - 1)
            self.focus()

    # ------------------------------------------------------------- drawing

    def _format_rows(self, start: int, stop: int) -> list[_FormattedRow]:
        """Format rows [start, stop), asking the store only for those not cached."""
        out: list[_FormattedRow | None] = [self._formatted.get(i) for i in range(start, stop)]
        missing = [i for i, row in zip(range(start, stop), out, strict=True) if row is None]
        if missing and self._store is not None:
            lo, hi = missing[0], missing[-1] + 1
            decoded = self.decoded
            columns = self._columns
            for i, record in zip(range(lo, hi), self._store.rows(lo, hi), strict=False):
                names = self.cell_names
                formatted = _FormattedRow(
                    row_marker(record),
                    [names.cell(c, record.get(c),
                                literal(display_value(c, record.get(c), decoded)))
                     for c in columns] if names.active else
                    [literal(display_value(c, record.get(c), decoded)) for c in columns],
                )
                self._formatted[i] = formatted
                out[i - start] = formatted
        return [row for row in out if row is not None]

    def _fit_widths(self, rows: Sequence[_FormattedRow], later: bool = True) -> None:
        """Each column as wide as its header and the widest value on screen: a wide value
        widens its column while shown and gives the room back once scrolled away."""
        changed = False
        anchor = self._left_column() if int(self.scroll_x) else None
        for index, column in enumerate(self._columns):
            width = self._widths.get(column, 1)
            need = max((cell_len(r.cells[index]) for r in rows if index < len(r.cells)),
                       default=0)
            need = min(MAX_COLUMN_WIDTH, max(need, cell_len(self.header_label(column)), 1))
            if need != width:
                self._widths[column] = need
                changed = True
        if changed:
            self._widths_version += 1
            self._strips.clear()
            if later:
                # found while drawing part of the screen: the rest was drawn at the old widths
                self.call_later(self._update_virtual_size)
                self.call_later(self.refresh, self.size.region)
            if anchor is not None:
                # other rows (a sort, a filter) resized the columns left of the edge: the
                # column that started it still does, rather than one cut in half
                self.call_later(self._scroll_to_column, anchor)

    def _scroll_to_column(self, column: str) -> None:
        scrolling = self._columns[self.pinned:]
        if column in scrolling:
            start = self._scroll_starts()[scrolling.index(column)]
            if start != int(self.scroll_x):
                self.scroll_to(x=start, animate=False, immediate=True)

    def _component_style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(name)
        return style

    def render_lines(self, crop: Region) -> list[Strip]:
        self._styles = {}  # looked up once per paint (theme, focus change)
        self._base_style = self.rich_style
        top = int(self.scroll_y)
        stop = min(self._row_count, top + self._body_height())
        if stop > top:
            self._fit_widths(self._format_rows(top, stop))
        return super().render_lines(crop)

    def _cells_strip(self, cells: Sequence[str], style: Style,
                     highlight: Style | None = None) -> Strip:
        """One row of cells; ``highlight`` marks the cell of the cursor's column."""
        segments = []
        current = self.validate_cursor_column(self.cursor_column)
        for index, (column, cell) in enumerate(zip(self._columns, cells, strict=False)):
            width = self._widths.get(column, 1)
            if cell_len(cell) > width:
                cell = set_cell_size(cell, width - 1) + "…"
            elif is_integer(column) and not self.decoded:
                cell = " " * (width - cell_len(cell)) + cell
            else:
                cell = set_cell_size(cell, width)
            if highlight is not None and index == current:
                segments.append(Segment(cell, style + highlight))
                segments.append(Segment(" " * GAP, style))
            else:
                segments.append(Segment(cell + " " * GAP, style))
        return Strip(segments)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x = int(self.scroll_x)
        base = self._base_style
        if y == 0:
            style = base + self._component_style("record-table--header")
            key = ("header", self._widths_version, self._sort_mark, self.cursor_column,
                   self.has_focus)
            header = self._strips.get(key)
            if header is None:
                marked = self._component_style("record-table--header-cursor")
                header = self._cells_strip([self.header_label(c) for c in self._columns],
                                           style, marked if self.has_focus else None).simplify()
                self._strips[key] = header
            return Strip.join([Strip([Segment("! ", style)]),
                               *self._pinned_and_scrolled(header, scroll_x, width, style)])
        index = int(self.scroll_y) + y - 1
        if index >= self._row_count:
            if not self._row_count and self.placeholder:
                lines = self._placeholder_lines(width)
                if 1 <= y <= len(lines):
                    style = base + self._component_style("record-table--empty")
                    return Strip([Segment(lines[y - 1], style)]).crop_extend(0, width, base)
            return Strip.blank(width, base)
        row = self._formatted.get(index)
        if row is None:
            rows = self._format_rows(index, index + 1)
            if not rows:
                return Strip.blank(width, base)
            row = rows[0]
        cursor = index == self.cursor_row
        strip_key = (index, self._widths_version, cursor, self.has_focus)
        strip = self._strips.get(strip_key)
        if strip is None:
            style = base + self._row_style(row.marker)
            if cursor:
                style += self._component_style("record-table--cursor")
            cell = self._component_style("record-table--cursor-cell") if cursor else None
            # one segment per run of one style: each segment costs its escape codes
            strip = self._cells_strip(row.cells, style, cell).simplify()
            self._strips[strip_key] = strip
        style = base + self._row_style(row.marker)
        if cursor:
            style += self._component_style("record-table--cursor")
        # a blank marker in the row's own style: bold changes no blank cell, and one style
        # run fewer saves its escape codes (~25 B a row) on every repaint
        marker_style = (style if row.marker == " "
                        else style + self._component_style("record-table--marker"))
        marker = Strip([Segment(row.marker + " ", marker_style)])
        # one segment per run of one style: each segment costs its escape codes
        return Strip.join([marker, *self._pinned_and_scrolled(strip, scroll_x, width,
                                                              style)]).simplify()

    def _pinned_and_scrolled(self, strip: Strip, scroll_x: int, width: int,
                             style: Style) -> list[Strip]:
        """The pinned columns as they are, then the rest from the horizontal scroll on."""
        room = width - MARKER_WIDTH
        pinned = min(self._pinned_width(), room)
        if not pinned:
            return [self._cut(strip, scroll_x, scroll_x + room, style)]
        start = pinned + scroll_x
        return [self._cut(strip, 0, pinned, style),
                self._cut(strip, start, start + room - pinned, style)]

    def _cut(self, strip: Strip, left: int, right: int, style: Style) -> Strip:
        """``strip`` from cell ``left`` to ``right``; a cell cut at either edge shows ``…``
        where it is cut (when what is hidden of it is not blank). Cut bare, the last two
        characters of an address read as a value of their own."""
        part = strip.crop_extend(left, right, style)
        length = strip.cell_length
        for start, column in zip(self._column_starts(), self._columns, strict=False):
            end = start + self._widths.get(column, 0)
            if start < left < end and strip.crop(start, left).text.strip():
                part = _replace_cell(part, 0, CUT_MARK)
            if start < right < end and right < length and \
                    strip.crop(right, end).text.strip():
                part = _replace_cell(part, right - left - 1, CUT_MARK)
        return part

    def _placeholder_lines(self, width: int) -> list[str]:
        """The empty table's hint, wrapped at words to the table's width (a long hint cut
        at the edge lost its second half at every width)."""
        key = (self.placeholder, width)
        if self._placeholder_wrap[0] != key:
            text = Text(literal(self.placeholder))
            lines = text.wrap(self.app.console, max(1, width - 1), overflow="ellipsis")
            self._placeholder_wrap = (key, [line.plain.rstrip() for line in lines])
        return self._placeholder_wrap[1]

    def _row_style(self, marker: str) -> Style:
        if marker == "R":
            return self._component_style("record-table--reject")
        if marker in ("N", "S"):
            name = "record-table--nodata" if marker == "N" else "record-table--skipdata"
            return self._component_style(name)
        return Style()

    def notify_style_update(self) -> None:
        """A theme or CSS change: cached strips carry the old colours."""
        super().notify_style_update()
        self._strips.clear()

    def on_focus(self) -> None:
        self._strips.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._strips.clear()
        self.refresh()

    def on_resize(self) -> None:
        self._scroll_cursor_into_view()

    def watch_scroll_y(self, old: float, new: float) -> None:
        """Fit the columns to the rows a scroll brings, now: left to the paint, a new width
        changes the virtual size after it and the whole table is painted a second time
        (twice the bytes of a PgDn)."""
        super().watch_scroll_y(old, new)
        top = int(new)
        stop = min(self._row_count, top + self._body_height())
        if stop > top and self._columns:
            version = self._widths_version
            self._fit_widths(self._format_rows(top, stop), later=False)
            if version != self._widths_version:
                self._update_virtual_size()

    # Textual's own two properties, but with bars that repaint only the cells that change
    # (ui/widgets/records/scrollbars.py); Textual creates its bars here, on first use.
    @property
    def vertical_scrollbar(self) -> ScrollBar:
        if self._vertical_scrollbar is None:
            bar = ChangedCellsScrollBar(vertical=True, name="vertical",
                                        thickness=self.scrollbar_size_vertical)
            bar.display = False
            self._vertical_scrollbar = bar
            self.app._start_widget(self, bar)  # noqa: SLF001 - as Widget.vertical_scrollbar
        return self._vertical_scrollbar

    @property
    def horizontal_scrollbar(self) -> ScrollBar:
        if self._horizontal_scrollbar is None:
            bar = ChangedCellsScrollBar(vertical=False, name="horizontal",
                                        thickness=self.scrollbar_size_horizontal)
            # Textual declares ``renderer`` a ClassVar but reads it through the instance:
            # this table's bar alone draws compactly.
            bar.renderer = CompactScrollBarRender  # type: ignore[misc]
            bar.display = False
            self._horizontal_scrollbar = bar
            self.app._start_widget(self, bar)  # noqa: SLF001 - as Widget.horizontal_scrollbar
        return self._horizontal_scrollbar
