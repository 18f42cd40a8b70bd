"""Drawing the record table: only the rows on screen, formatted once, strips cached.

Each column is as wide as its header and the widest value on screen (a wide value widens
its column while shown and gives the room back once scrolled away); rows are drawn as one
segment per run of one style, since every segment costs its escape codes over SSH; a cell
the screen's edge cuts shows ``…``. The scrollbars repaint only the cells that change
(scrollbars.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from flowtui.explain import display_value
from flowtui.fields import is_integer
from flowtui.ui.widgets.records.cells import (
    CUT_MARK,
    GAP,
    MARKER_WIDTH,
    MAX_COLUMN_WIDTH,
    FormattedRow,
    replace_cell,
    row_marker,
)
from flowtui.ui.widgets.records.geometry import TableGeometry
from flowtui.ui.widgets.records.scrollbars import (
    ChangedCellsScrollBar,
    CompactScrollBarRender,
    changed_cells,
)
from flowtui.ui.widgets.safe import literal


class TableDrawing(TableGeometry):
    """``render_line`` and what it needs: formatting, widths, styles, cut cells, bars."""

    def _format_rows(self, start: int, stop: int) -> list[FormattedRow]:
        """Format rows [start, stop), asking the store only for those not cached."""
        out: list[FormattedRow | None] = [self._formatted.get(i) for i in range(start, stop)]
        missing = [i for i, row in zip(range(start, stop), out, strict=True) if row is None]
        if missing and self._store is not None:
            lo, hi = missing[0], missing[-1] + 1
            decoded = self.decoded
            columns = self._columns
            for i, record in zip(range(lo, hi), self._store.rows(lo, hi), strict=False):
                names = self.cell_names
                where = names.where(record) if names.active else None
                formatted = FormattedRow(
                    row_marker(record),
                    [names.cell(c, record.get(c),
                                literal(display_value(c, record.get(c), decoded)), where)
                     for c in columns] if names.active else
                    [literal(display_value(c, record.get(c), decoded)) for c in columns],
                )
                self._formatted[i] = formatted
                out[i - start] = formatted
        return [row for row in out if row is not None]

    def _fit_widths(self, rows: Sequence[FormattedRow], later: bool = True) -> None:
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
        if cursor:
            self._drawn_as_cursor.add(index)
        else:
            self._drawn_as_cursor.discard(index)
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
                part = replace_cell(part, 0, CUT_MARK)
            if start < right < end and right < length and \
                    strip.crop(right, end).text.strip():
                part = replace_cell(part, right - left - 1, CUT_MARK)
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

    def watch_scroll_y(self, old: float, new: float) -> None:
        """Fit the columns to the rows a scroll brings, now: left to the paint, a new width
        changes the virtual size after it and the whole table is painted a second time
        (twice the bytes of a PgDn).

        What ScrollView's own watcher does, but the repaint stops at the scrollbar: its
        region (the widget's size) reaches over the bar, which repaints its own changed cells
        (a PgDn sent the bar's column again, ~0.5 KB)."""
        if self.show_vertical_scrollbar:
            self.vertical_scrollbar.position = new
        if round(old) != round(new):
            self.refresh(Region(0, 0, *self.scrollable_content_region.size))
        top = int(new)
        stop = min(self._row_count, top + self._body_height())
        if stop > top and self._columns:
            version = self._widths_version
            self._fit_widths(self._format_rows(top, stop), later=False)
            if version != self._widths_version:
                self._update_virtual_size()

    # Textual's own two properties, with bars that repaint only the cells that change
    # (ui/widgets/records/scrollbars.py); Textual creates its bars here, on first use.
    @property
    def vertical_scrollbar(self) -> ScrollBar:
        return changed_cells(super().vertical_scrollbar)

    @property
    def horizontal_scrollbar(self) -> ScrollBar:
        bar = super().horizontal_scrollbar
        if not isinstance(bar, ChangedCellsScrollBar):
            # Textual declares ``renderer`` a ClassVar but reads it through the instance:
            # this table's bar alone draws compactly.
            bar.renderer = CompactScrollBarRender  # type: ignore[misc]
        return changed_cells(bar)
