"""The record table's state and geometry: what it shows and where each part sits.

The base of the table's classes (geometry -> drawing -> cursor -> table.RecordTable, one
job each): the row source, the columns shown and their widths, the caches the drawing fills,
where columns start (pinned ones stay put, the rest scroll sideways), how many rows the body
holds, and the scroll range. A new scroll range is set without a layout of the screen.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from flowtui.rowsource import RowSource
from flowtui.ui.widgets.names.cells import CellNames
from flowtui.ui.widgets.records.cells import GAP, MARKER_WIDTH, FormattedRow
from flowtui.ui.widgets.records.columns import ColumnLayout
from flowtui.ui.widgets.safe import literal


class TableGeometry(ScrollView):
    """The table's state, its columns' places and its scroll range (no drawing, no keys)."""

    decoded: reactive[bool] = reactive(False)
    #: No repaint of its own: the watcher refreshes the two rows that changed.
    cursor_row: reactive[int] = reactive(0, repaint=False)
    #: The column under the cursor (index into ``columns``): quick filters and sort use it.
    cursor_column: reactive[int] = reactive(0, repaint=False)
    placeholder: reactive[str] = reactive(
        "No records yet. In the browser, Enter on an object or a day/hour folder loads it.")

    def __init__(self, store: RowSource | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._store: RowSource | None = store
        self._row_count = 0
        self._total = 0  # the source's total (a view's store length) when last synced
        self._columns: list[str] = []
        self._widths: dict[str, int] = {}
        self._widths_version = 0
        self._formatted: LRUCache[int, FormattedRow] = LRUCache(4096)
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
        #: Rows whose last drawn line carried the cursor's style: a cursor repaint clears
        #: every one but the cursor's (a burst of keys once left one highlighted).
        self._drawn_as_cursor: set[int] = set()
        #: Names beside (or instead of) interface ids and addresses (ui/names/cells.py).
        self.cell_names = CellNames()

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

    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, self._row_count - 1)) if self._row_count else 0

    def validate_cursor_column(self, column: int) -> int:
        return max(0, min(column, len(self._columns) - 1)) if self._columns else 0

    def _scroll_cursor_into_view(self) -> None:
        top = int(self.scroll_y)
        body = self._body_height()
        row = self.cursor_row
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + body:
            self.scroll_to(y=row - body + 1, animate=False, immediate=True)

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
