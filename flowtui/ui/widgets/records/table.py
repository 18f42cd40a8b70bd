"""The record table: a Line-API view over a RowSource that draws only what is on screen.

DataTable builds every row up front (100k rows froze the UI for ~25 s when we measured);
this view asks its row source (the store, or a view over it) for the visible rows only,
formats them once, and keeps the rendered strips in small LRU caches. The source is
append-only between ``clear()`` calls, so a row's strip stays valid until the columns'
widths, the cursor, the raw/decoded mode or the source itself change. A live tail also drops
the oldest rows (``dropped`` grows): row indexes shift down, so the caches are reset and the
cursor and scroll move with the records.

This module holds the widget the app uses and its data: a new source or store, appended
rows, the sort mark, the column chooser's answer, raw/decoded; what it builds on is split by
job: geometry.py (state, column places, scroll range), drawing.py (formatting, strips,
styles, bars), cursor.py (moves and their repaints), cells.py (a row's marker and cells).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from textual.binding import BindingType
from textual.geometry import Region
from textual.message import Message

from flowtui.explain import display_value
from flowtui.rowsource import RowSource
from flowtui.ui.actions import bindings
from flowtui.ui.widgets.records.cells import GAP, MARKER_LEGEND, MARKER_WIDTH, MAX_COLUMN_WIDTH
from flowtui.ui.widgets.records.columns import ColumnChoices
from flowtui.ui.widgets.records.cursor import TableCursor
from flowtui.ui.widgets.safe import literal

__all__ = ["GAP", "MARKER_LEGEND", "MARKER_WIDTH", "RecordTable"]

#: Seconds within which appended rows reach the table while they are on screen (or a tail
#: follows the end), and while they only grow the scroll range below it.
SYNC_DELAY = 0.1
OFFSCREEN_SYNC = 1.0


class RecordTable(TableCursor, can_focus=True, inherit_bindings=False):
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

    def _cursor_moved(self, row: int) -> None:
        self.post_message(self.CursorMoved(self, row))

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

    def action_last(self) -> None:
        self.refresh_now()
        self.cursor_row = self._row_count - 1

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
