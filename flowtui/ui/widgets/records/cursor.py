"""The record table's cursor: moving it, drawing where it went, keeping it in view.

A move repaints the row the cursor left and the one it is on, and nothing else; while a
held key moves it, those repaints and the scrolls that follow it off screen are spaced out
(every byte of a repaint goes over SSH). Sideways, the cursor's column scrolls into view
whole. The app hears of each move through ``_cursor_moved`` (RecordTable posts CursorMoved).
"""

from __future__ import annotations

import time

from textual import events
from textual.geometry import Region

from flowtui.ui.widgets.records.cells import MARKER_WIDTH
from flowtui.ui.widgets.records.drawing import TableDrawing

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


class TableCursor(TableDrawing):
    """Cursor moves by key and by click, row and column, and what they repaint."""

    def _cursor_moved(self, row: int) -> None:
        """The cursor is on ``row`` now (RecordTable tells the app)."""

    def watch_cursor_row(self, old: int, new: int) -> None:
        if self._row_count and new >= self._row_count - 1:
            self.new_rows = 0  # the user caught up with the tail
        self._paint_cursor(old)
        self._follow_cursor()
        self._cursor_moved(new)

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
        # Any other row last drawn in the cursor's style is drawn again: after keys in one
        # write (r G k k k), a row the cursor had left now and then stayed highlighted on
        # screen (its text right, its style the cursor's), and nothing repainted it.
        top, body = int(self.scroll_y), self._body_height()
        for row in self._drawn_as_cursor - {painted, self.cursor_row}:
            if top <= row < top + body:
                self._refresh_row(row)
            else:  # drawn again, as it is then, when it comes back on screen
                self._drawn_as_cursor.discard(row)

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

    def on_resize(self) -> None:
        self._scroll_cursor_into_view()
