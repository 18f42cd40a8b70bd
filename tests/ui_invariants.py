"""What the screen must always say, read from the screen: the invariants of issue 17.

Each check reads the rendered terminal (the compositor's lines, as ``screen_text``) and
compares it with the records: a cell is the value its header names, the detail panel and
the status line are about the cursor's record, "N of M match" is the view's count. The
table's column layout (where each column starts, how wide it is) places the spans to read;
what is *in* those spans, header and cells alike, comes from the screen.
"""

from __future__ import annotations

import functools
import gzip
import re
from collections.abc import Mapping
from pathlib import Path

from rich.cells import cell_len
from textual.binding import Binding
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from flowtui.explain import display_value
from flowtui.s3.listing import Entry
from flowtui.ui.actions import ACTIONS
from flowtui.ui.app import FlowtuiApp
from flowtui.ui.widgets.browser.pane import Crumb
from flowtui.ui.widgets.browser.sources import Location, entry_location
from flowtui.ui.widgets.records.table import GAP, MARKER_WIDTH
from flowtui.ui.widgets.safe import literal
from tests.ui_helpers import (
    burst,  # noqa: F401 - moved to ui_helpers, imported from here too
    screen_text,
)

CUT = "…"


def _cell(line: str, x: int, width: int) -> str:
    """``width`` cells of ``line`` from column ``x`` (lines here are single-width text)."""
    return line[x:x + width]


def table_lines(pilot: Pilot, app: FlowtuiApp, screen: list[str] | None = None) -> list[str]:
    """The table's content area as drawn: header first, then one line per row. ``screen``:
    the screen's text when the caller has read it already (one render for every check)."""
    region = app.table.scrollable_content_region
    lines = screen_text(pilot) if screen is None else screen
    return [line[region.x:region.x + region.width]
            for line in lines[region.y:region.y + region.height]]


def expected_cell(column: str, value: object, decoded: bool) -> str:
    return literal(display_value(column, value, decoded))


def check_table(pilot: Pilot, app: FlowtuiApp, decoded: bool,
                screen: list[str] | None = None) -> None:
    """Every drawn cell is the value of its row's record and of the column its header names;
    a cell cut by the screen's edge shows ``…`` where it is cut."""
    table = app.table
    source = table.store
    lines = table_lines(pilot, app, screen)
    if not lines or source is None or not table.row_count:
        return
    width = len(lines[0])
    columns = table.columns
    starts = table._column_starts()  # noqa: SLF001
    widths = [table._widths.get(c, 0) for c in columns]  # noqa: SLF001
    pinned = table.pinned
    pinned_width = sum(w + GAP for w in widths[:pinned])
    scroll_x = int(table.scroll_x)
    top = int(table.scroll_y)
    records = [source.row(i) for i in range(top, min(table.row_count, top + len(lines) - 1))]
    for index, column in enumerate(columns):
        start, size = starts[index], widths[index]
        x = start if index < pinned else start - scroll_x
        left_cut = index >= pinned and x < pinned_width
        visible_from = max(x, pinned_width) if index >= pinned else x
        screen_from = MARKER_WIDTH + visible_from
        screen_to = min(width, MARKER_WIDTH + x + size)
        if screen_to <= screen_from:
            continue  # scrolled out of sight
        right_cut = MARKER_WIDTH + x + size > width
        header = lines[0][screen_from:screen_to]
        _check_cell(header, table.header_label(column), size, left_cut, right_cut,
                    f"header of {column}", x, pinned_width)
        for y, record in enumerate(records, start=1):
            drawn = lines[y][screen_from:screen_to]
            value = expected_cell(column, record.get(column), decoded)
            _check_cell(drawn, value, size, left_cut, right_cut,
                        f"row {top + y} column {column} header {header!r}", x, pinned_width)


def _ellipsized(text: str, size: int) -> str:
    return text if cell_len(text) <= size else text[:size - 1] + CUT


def _check_cell(drawn: str, value: str, size: int, left_cut: bool, right_cut: bool,
                where: str, x: int, pinned_width: int) -> None:
    shown = _ellipsized(value, size)
    if not left_cut and not right_cut:
        assert drawn.strip() == shown.strip(), f"{where}: drawn {drawn!r}, record has {value!r}"
        return
    # the cell as it would be drawn whole (numbers right-aligned or not), then cut
    for whole in (shown.ljust(size), shown.rjust(size)):
        lo = max(0, pinned_width - x) if left_cut else 0
        hi = lo + len(drawn)
        visible, hidden = whole[lo:hi], whole[:lo] + whole[hi:]
        if not hidden.strip():
            if drawn == visible:
                return
            continue
        marked = list(visible)
        if left_cut and whole[:lo].strip():
            marked[0] = CUT
        if right_cut and whole[hi:].strip():
            marked[-1] = CUT
        if drawn == "".join(marked):
            return
    raise AssertionError(f"{where}: cut cell drawn {drawn!r}, record has {value!r}")


def detail_lines(pilot: Pilot, app: FlowtuiApp, screen: list[str] | None = None) -> list[str]:
    region = app.detail.region
    lines = screen_text(pilot) if screen is None else screen
    return [line[region.x:region.x + region.width]
            for line in lines[region.y:region.y + region.height]]


DETAIL_FIELDS = ("srcaddr", "dstaddr", "srcport", "dstport", "start", "packets", "bytes")


def check_detail(pilot: Pilot, app: FlowtuiApp, screen: list[str] | None = None) -> None:
    """The detail panel names the cursor's record truly and shows that record's values: its
    title starts ``row N of M`` (the cursor's row of the rows shown), and a line it names
    (``line L of OBJECT``) is the line of the object's text that holds this record, read
    here from the file itself; a local object that parses cleanly always has its line."""
    table, detail = app.table, app.detail
    if not detail.display or not detail.region.height or table.store is None:
        return
    lines = detail_lines(pilot, app, screen)
    text = "\n".join(lines)
    if not table.row_count:
        assert not re.search(r"(record|row) \d", text), text
        return
    record = table.store.row(table.cursor_row)
    widget = detail.query_one("#detail-title", Static)
    title = str(widget.content)
    shown = f"row {table.cursor_row + 1:,} of {table.row_count:,}"
    assert title.startswith(shown + " ") or title == shown, (
        f"detail panel is not about row {table.cursor_row + 1}: {title!r}")
    box = widget.region
    drawn = (screen_text(pilot) if screen is None else screen)[box.y][box.x:box.right]
    assert drawn.strip().rstrip("…") and title.startswith(drawn.strip().rstrip("…")), (
        f"the panel's title line {drawn!r} is not its title {title!r}")
    store = table.store.store
    at = table.store.store_index(table.cursor_row)
    location = store.source(at)
    named = re.search(r" · line (\d+) of (\S+)", title)
    if location.endswith(".log.gz") and Path(location).is_file():
        assert named is not None, f"a clean local object's record has its line: {title!r}"
        assert named.group(2) == Path(location).name
        line = _object_lines(location)[int(named.group(1)) - 1].split(" ")
        fields = _object_lines(location)[0].split(" ")
        for name in DETAIL_FIELDS:
            value = record.get(name)
            assert line[fields.index(name)] == ("-" if value is None else str(value)), (
                f"line {named.group(1)} of {location} is not the cursor's record ({name})")
    elif named is not None:
        assert store.line_of(at) == int(named.group(1))
    for name in DETAIL_FIELDS:
        value = record.get(name)
        if value is None:
            continue
        match = re.search(rf"│{re.escape(name)}\s+(\S+)", text)
        if match is None:
            continue  # below the panel's fold on a small terminal
        assert match.group(1) == str(value), (
            f"detail panel shows {name} {match.group(1)}, the cursor's record has {value}")


@functools.cache
def _object_lines(path: str) -> list[str]:
    """A local gzip object's text, line by line (line 1 is its header)."""
    return gzip.decompress(Path(path).read_bytes()).decode().splitlines()


def status_line(pilot: Pilot, app: FlowtuiApp, screen: list[str] | None = None) -> str:
    region = app.status.region
    line = (screen_text(pilot) if screen is None else screen)[region.y]
    return line[region.x:region.x + region.width]


def check_status(pilot: Pilot, app: FlowtuiApp, screen: list[str] | None = None) -> None:
    """"row N/M" is the cursor's row of the rows shown; "X of Y match" is the view's count
    of the store's records."""
    table = app.table
    line = status_line(pilot, app, screen)
    if not table.row_count:
        return
    found = re.search(r"row ([\d,]+)/([\d,]+)", line)
    assert found is not None, line
    assert int(found.group(1).replace(",", "")) == table.cursor_row + 1, line
    assert int(found.group(2).replace(",", "")) == table.row_count, line
    view, store = app.shown.view, app.shown.records
    matched = re.search(r"([\d,]+) of ([\d,]+) match", line)
    if app.shown.query.filters:
        assert matched is not None and view is not None and store is not None, line
        assert int(matched.group(1).replace(",", "")) == len(view) == table.row_count, line
        assert int(matched.group(2).replace(",", "")) == len(store), line
    else:
        assert matched is None, line


STORY_FIELDS = ("srcaddr", "dstaddr", "srcport", "dstport", "packets", "bytes", "action")


def check_story(pilot: Pilot, story: Screen[object], record: Mapping[str, object]) -> None:
    """The story's comparison draws, under "this record", the record it was asked about."""
    region = story.query_one("#story-compare").region
    lines = [line[region.x:region.right]
             for line in screen_text(pilot)[region.y:region.bottom]]
    text = "\n".join(lines)
    for name in STORY_FIELDS:
        value = display_value(name, record.get(name), decoded=True)
        match = re.search(rf"^\s*{re.escape(name)}\s+[≠⇄]?\s*(\S+)", text, re.MULTILINE)
        if match is None or not value:
            continue  # below the fold on a small terminal
        assert match.group(1) == literal(value).split()[0], (
            f"the story shows {name} {match.group(1)}, the cursor's record has {value}")


def check_footer(app: FlowtuiApp, screen: list[str]) -> None:
    """The footer (the screen's last line) keeps the command palette's key, whatever else
    it has no room for: the way to every command the footer cannot show."""
    palette = next(b for b in ACTIONS if b.id == "app.palette")
    key = app.get_key_display(Binding(palette.keys.split(",")[0], palette.run))
    assert f"{key} " in screen[-1], f"the footer {screen[-1]!r} has lost {key}"


def _in_place(entry: Entry, place: Location) -> bool:
    """``entry`` is one of the entries a listing of ``place`` gives."""
    if place.kind == "buckets":
        return entry.kind == "bucket"
    if place.kind == "local":
        return Path(entry.key).parent == Path(place.prefix)
    rest = entry.key[len(place.prefix):]
    return (entry.kind != "bucket" and entry.bucket == place.bucket
            and entry.key.startswith(place.prefix) and bool(rest)
            and "/" not in rest.rstrip("/"))


def check_browser(pilot: Pilot, app: FlowtuiApp, screen: list[str] | None = None) -> None:
    """The browser's path header names the place shown, its highlighted entry is an entry
    of that place's listing (none while nothing of it is listed yet: keys typed then are
    not used)."""
    browser = app.browser
    place = browser.location
    if not browser.display or place is None:
        return
    lines = screen_text(pilot) if screen is None else screen
    crumb = browser.query_one(Crumb).region
    if crumb.height:
        drawn = lines[crumb.y][crumb.x:crumb.right].rstrip()
        title = literal(place.title)
        assert drawn == title or (drawn.startswith(CUT) and title.endswith(drawn[1:])), (
            f"the path header {drawn!r} is not the place shown {title!r}")
    entry = browser.highlighted_entry()
    if browser.fetching and not browser.entries:  # not even the "loading…" row
        assert browser.entry_list.highlighted is None, (
            f"row {browser.entry_list.highlighted} highlighted while {place.title} "
            "is not listed yet")
    if entry is not None:
        assert _in_place(entry, place), f"{entry.key} highlighted in {place.title}"
        option = browser.entry_list.highlighted_option
        assert option is not None and option.id == entry_location(entry)
