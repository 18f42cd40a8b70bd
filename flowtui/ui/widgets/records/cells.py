"""What one row of the record table is made of: its marker, its cells, how a cut cell shows.

Plain functions and constants, no widget: the table's drawing (drawing.py), its geometry
(geometry.py), the help screen's legend and the screen invariants' tests read them.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from textual.strip import Strip

MAX_COLUMN_WIDTH = 40
"""Long values (ECS ARNs, tags) are cut with an ellipsis; the detail panel shows them whole."""

MARKER_WIDTH = 2
"""The status marker column, fixed at the left edge so it stays visible when scrolling."""

GAP = 1
"""Blank cells between two columns."""

CUT_MARK = "…"
"""Drawn in place of the edge character of a cell the screen's edge cuts."""


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


def replace_cell(strip: Strip, x: int, text: str) -> Strip:
    """``strip`` with the one cell at ``x`` replaced by ``text`` (one cell wide), in the
    style that cell had."""
    cell = strip.crop(x, x + 1)
    style = next((segment.style for segment in cell if segment.text), None)
    return Strip.join([strip.crop(0, x), Strip([Segment(text, style)]),
                       strip.crop(x + 1, strip.cell_length)])


@dataclass
class FormattedRow:
    """A record as the table shows it: its marker letter and its cells' text."""

    marker: str
    cells: list[str]

