"""The record table's scrollbars, drawn for what they cost over SSH.

Textual repaints a whole scrollbar whenever anything about it is set: a scroll of one line,
and every layout of the screen (a ScrollView is told its visible size as its virtual size,
which never equals the real one, so each layout sets the bars' sizes again). At 160x48 the
table's vertical bar is ~1.5 KB of escape codes for what is, at a million rows, a thumb one
cell tall that moved by a cell or none. These bars repaint only the cells that changed.
"""

from __future__ import annotations

from itertools import zip_longest
from typing import Self

from rich.segment import Segment, Segments
from rich.style import Style
from textual.geometry import Region, Size
from textual.scrollbar import ScrollBar, ScrollBarRender

Cells = tuple[tuple[str, Style | None], ...]


class CompactScrollBarRender(ScrollBarRender):
    """Textual's scrollbar with runs of one style drawn as one segment.

    The stock horizontal bar is one segment per cell, and every segment costs its escape
    codes: ~3 KB for the table's bar at 160 columns, sent again on every vertical scroll."""

    @classmethod
    def render_bar(cls, *args: object, **kwargs: object) -> Segments:
        bar = super().render_bar(*args, **kwargs)  # type: ignore[arg-type]
        if bar.new_lines:  # vertical: one segment per line already
            return bar
        return Segments(list(Segment.simplify(bar.segments)), new_lines=False)


def _cells(line: list[Segment]) -> Cells:
    return tuple((char, segment.style) for segment in line for char in segment.text)


def changed_span(old: Cells, new: Cells) -> tuple[int, int] | None:
    """The cells [start, end) where two lines differ, None when they are the same."""
    if old == new:
        return None
    pairs = list(zip_longest(old, new))
    start = next(i for i, (a, b) in enumerate(pairs) if a != b)
    end = len(pairs) - next(i for i, (a, b) in enumerate(reversed(pairs)) if a != b)
    return start, end


class ChangedCellsScrollBar(ScrollBar):
    """A scrollbar whose plain ``refresh()`` repaints only the cells that now differ from
    what it drew last (a moved thumb: a cell or two).

    Textual makes a widget's bars itself (``Widget.vertical_scrollbar``), so a bar becomes
    one of these by :func:`changed_cells`; it keeps no state beyond ``_drawn``."""

    _drawn: tuple[Size, list[Cells]] | None = None

    def _lines(self) -> list[Cells]:
        width, height = self.size
        options = self.app.console.options.update_dimensions(width, height)
        return [_cells(line) for line in self.app.console.render_lines(self.render(), options,
                                                                       pad=False)]

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        if regions or layout or recompose or not repaint or not self.is_mounted \
                or not self.display or not self.size or self.parent is None:
            self._drawn = None
            return super().refresh(*regions, repaint=repaint, layout=layout,
                                   recompose=recompose)
        lines = self._lines()
        drawn, self._drawn = self._drawn, (self.size, lines)
        if drawn is None or drawn[0] != self.size:
            return super().refresh()
        changed = [Region(span[0], y, span[1] - span[0], 1)
                   for y, (old, new) in enumerate(zip_longest(drawn[1], lines, fillvalue=()))
                   if (span := changed_span(old, new)) is not None]
        if changed:
            super().refresh(*changed)
        return self


def changed_cells(bar: ScrollBar) -> ScrollBar:
    """``bar`` (one Textual made, and started) as a :class:`ChangedCellsScrollBar`: its class
    is switched, which adds behaviour and no state (the subclass defines no ``__init__``)."""
    if not isinstance(bar, ChangedCellsScrollBar):
        bar.__class__ = ChangedCellsScrollBar
    return bar
