"""The top-N pane: who talks most, to which ports, with which verdicts, in the current view.

VisiData's frequency sheet in flow-log words: rank the view's records by source, destination,
pair, destination port, protocol, action or interface, by records, packets or bytes, with a
share bar; Enter on a row filters the records to it (a drill-down the filter bar can read and
undo) and goes back to them. The counting is the query core's ``aggregate`` in a thread worker
on the pane's own clock (``AggregateRefresh``), so it follows a load or a tail without
costing a key press anything.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import pyarrow as pa
import pyarrow.compute as pc
from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events, on, work
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import get_current_worker

from flowtui.decoders import human_bytes
from flowtui.names.resolve import SUFFIX, Names
from flowtui.query.aggregate import group_by, top_of, unrecorded
from flowtui.query.topkeys import (
    TOP_KEYS,
    TOP_METRICS,
    NoDrill,
    TopKey,
    drill_text,
    key_label,
)
from flowtui.rowsource import RowSource
from flowtui.ui.actions import bindings
from flowtui.ui.messages import ShowConversation
from flowtui.ui.widgets.histogram.bars import share_bar
from flowtui.ui.widgets.prompt.bar import PromptBar, PromptSpec
from flowtui.ui.widgets.refresh import AggregateRefresh
from flowtui.ui.widgets.safe import literal
from flowtui.ui.widgets.top.named import by_name, nameable, named_batches, named_drill_text

FIND_KIND = "top-find"
"""The prompt bar's use while it asks what to find in the pane (``@``)."""
TOP_N = 100
"""Rows the pane ranks (the rest count in the total and the share)."""
HEADER_LINES = 2
KEY_WIDTH = 40


@dataclass(frozen=True)
class TopRow:
    values: tuple[object, ...]
    records: int
    #: None: none of the group's records recorded it ('-': NODATA/SKIPDATA, BPA), not 0.
    packets: int | None
    bytes: int | None

    def metric(self, name: str) -> int | None:
        value = getattr(self, name)
        return None if value is None else int(value)


@dataclass(frozen=True)
class TopData:
    key: TopKey
    metric: str
    rows: list[TopRow] = field(default_factory=list)
    groups: int = 0
    total: int | None = 0  # the metric over the whole view, for the share (None: unrecorded)
    error: str = ""
    #: Records of the view without the metric recorded ('-'), left out of its sums: said in
    #: the title when any (a NODATA/SKIPDATA or BPA record), nothing otherwise.
    unrecorded: int = 0


def compute(batches: Sequence[pa.RecordBatch], key: TopKey, metric: str,
            n: int = TOP_N, names: Names | None = None) -> TopData:
    """``names``: rank by the names of the key's fields (``srcaddr.name``) instead."""
    if names is not None:
        batches = named_batches(batches, key.fields, names)
        key = by_name(key)
    groups = group_by(batches, key.fields, ("records", "packets", "bytes"))
    total = pc.sum(groups.column(metric)).as_py()
    if total is None and metric == "records":
        total = 0
    ranked = top_of(groups, list(key.fields), metric, n).to_pylist()  # unrecorded last
    rows = [TopRow(tuple(r[f] for f in key.fields), r["records"], r["packets"], r["bytes"])
            for r in ranked]
    missing = unrecorded(batches).get(metric, 0)
    return TopData(key, metric, rows, groups.num_rows, total, unrecorded=missing)


def _amount(metric: str, value: int | None) -> str:
    if value is None:
        return "-"  # not recorded by any record, as the records table shows it
    return human_bytes(value) if metric == "bytes" else f"{value:,}"


class TopPane(ScrollView, can_focus=True, inherit_bindings=False):
    """Key tabs, a header, then one line per group with its share of the metric."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "top-pane--tab",
        "top-pane--tab-active",
        "top-pane--header",
        "top-pane--cursor",
        "top-pane--bar",
        "top-pane--note",
    }

    BINDINGS: ClassVar[list[BindingType]] = bindings("top")

    cursor_row: reactive[int] = reactive(0)
    key_index: reactive[int] = reactive(0)
    metric: reactive[str] = reactive("bytes")
    #: Rank interfaces and addresses by their names (``n``), when names are loaded.
    named: reactive[bool] = reactive(False)

    @dataclass
    class Computed(Message):
        pane: TopPane
        data: TopData
        key: Hashable

    @dataclass
    class DrillDown(Message):
        """Add ``text`` (filter language, e.g. ``srcaddr = 10.0.0.5``) to the filter."""

        pane: TopPane
        text: str

        @property
        def control(self) -> TopPane:
            return self.pane

    @dataclass
    class Left(Message):
        """Esc: back to the records without a filter."""

        pane: TopPane

        @property
        def control(self) -> TopPane:
            return self.pane

    def __init__(self, source: Callable[[], RowSource | None], *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._source = source
        self.data: TopData | None = None
        self.found_text = ""  # the last @ text, for n and N
        self._lines: dict[int, Strip] = {}
        self.refresher = AggregateRefresh(self, self._data_key, self._start)
        self.names: Names | None = None

    @property
    def key(self) -> TopKey:
        return TOP_KEYS[self.key_index]

    # ------------------------------------------------------------ computing

    def _data_key(self) -> Hashable:
        source = self._source()
        if source is None:
            return None
        return (id(source), len(source), source.generation, source.dropped, self.key_index,
                self.metric, self._naming(), id(self.names))

    def source_changed(self) -> None:
        self.refresher.changed()

    def _start(self) -> None:
        source = self._source()
        if source is None:
            self._show(None)
            return
        self._compute(source, self.key, self.metric, self._data_key(),
                      self.names if self._naming() else None)

    def _naming(self) -> bool:
        """Ranking by name now: asked for, names loaded, and a key that names apply to."""
        return self.named and self.names is not None and nameable(self.key)

    def set_names(self, names: Names | None) -> None:
        """The app's names changed: a ranking by name counts again with them."""
        if names is self.names:
            return
        self.names = names
        if self.named:
            self._question_changed()

    def action_by_name(self) -> None:
        if self.names is None:
            self.notify("No names are loaded (the EC2 inventory, a names file or AWS's IP "
                        "ranges name interfaces and addresses)", markup=False, timeout=4)
            return
        self.named = not self.named
        if self.named and not nameable(self.key):
            self.notify("By name: the src, dst, pair and interface keys", markup=False,
                        timeout=3)

    def watch_named(self) -> None:
        self._question_changed()

    @work(thread=True, group="top", exclusive=True, exit_on_error=False)
    def _compute(self, source: RowSource, key: TopKey, metric: str, data_key: Hashable,
                 names: Names | None = None) -> None:
        worker = get_current_worker()
        try:
            batches = source.batches()
            if worker.is_cancelled:
                return
            data = compute(batches, key, metric, names=names)
        except Exception as exc:  # the pane says so; the app goes on
            data = TopData(key, metric, error=f"top-N failed: {exc}")
        if not worker.is_cancelled:
            self.post_message(self.Computed(self, data, data_key))

    def on_top_pane_computed(self, message: Computed) -> None:
        message.stop()
        wanted = by_name(self.key) if self._naming() else self.key
        if message.data.key != wanted or message.data.metric != self.metric:
            return  # an answer to an older question
        self._show(message.data)

    def _show(self, data: TopData | None) -> None:
        old = self.data
        self.data = data
        if old is not None and data is not None and old.key == data.key and old.rows:
            # the same row stays under the cursor while the ranks move
            values = old.rows[min(self.cursor_row, len(old.rows) - 1)].values
            place = next((i for i, r in enumerate(data.rows) if r.values == values), None)
            if place is not None:
                self.set_reactive(TopPane.cursor_row, place)
        self.set_reactive(TopPane.cursor_row, self.validate_cursor_row(self.cursor_row))
        self.virtual_size = Size(self.size.width, len(self._rows()) + HEADER_LINES)
        self._scroll_cursor_into_view()
        self._lines.clear()
        self._update_title()
        self.refresh()

    def _rows(self) -> list[TopRow]:
        return self.data.rows if self.data is not None else []

    # --------------------------------------------------------------- keys

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self._rows()) - 1))

    def validate_key_index(self, index: int) -> int:
        return index % len(TOP_KEYS)

    def watch_cursor_row(self, old: int, new: int) -> None:
        for row in (old, new):
            self._lines.pop(row, None)
            y = row - int(self.scroll_y) + HEADER_LINES
            if HEADER_LINES <= y < self.size.height:
                self.refresh(Region(0, y, self.size.width, 1))
        self._scroll_cursor_into_view()

    def watch_key_index(self) -> None:
        self.set_reactive(TopPane.cursor_row, 0)
        self.scroll_to(y=0, animate=False, immediate=True)
        self._question_changed()

    def watch_metric(self) -> None:
        self._question_changed()

    def _question_changed(self) -> None:
        self._update_title()
        self._lines.clear()
        self.refresh()
        self.refresher.now(force=True)

    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - HEADER_LINES)

    def _scroll_cursor_into_view(self) -> None:
        top, body, row = int(self.scroll_y), self._body_height(), self.cursor_row
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + body:
            self.scroll_to(y=row - body + 1, animate=False, immediate=True)

    def action_cursor(self, step: int) -> None:
        self.cursor_row += step

    def action_page(self, direction: int) -> None:
        self.cursor_row += direction * self._body_height()

    def action_edge(self, direction: int) -> None:
        self.cursor_row = 0 if direction < 0 else len(self._rows()) - 1

    def action_key(self, step: int) -> None:
        self.key_index += step

    def action_pick(self, index: int) -> None:
        self.key_index = index

    def action_metric(self) -> None:
        self.metric = TOP_METRICS[(TOP_METRICS.index(self.metric) + 1) % len(TOP_METRICS)]

    def action_drill(self, keep: bool) -> None:
        rows = self._rows()
        if not rows or self.data is None:
            self.notify("Nothing ranked yet", markup=False, timeout=2)
            return
        row = rows[self.validate_cursor_row(self.cursor_row)]
        try:
            text = (named_drill_text(self.data.key.fields, row.values, keep=keep)
                    if self.data.key != self.key else
                    drill_text(self.data.key.fields, row.values, keep=keep))
        except NoDrill as exc:
            self.notify(literal(str(exc)), severity="warning", markup=False)
            return
        self.post_message(self.DrillDown(self, text))

    def action_conversation(self) -> None:
        """On an address pair: every flow between the two (``ShowConversation``, which the
        app answers with the conversation screen)."""
        rows = self._rows()
        data = self.data
        if not rows or data is None or data.key.fields != ("srcaddr", "dstaddr") \
                or data.key != self.key:
            self.notify("v opens the conversation of an address pair: rank by pair (3) first",
                        markup=False, timeout=3)
            return
        a, b = rows[self.validate_cursor_row(self.cursor_row)].values
        if a is None or b is None:
            self.notify("This row names no two addresses", severity="warning", markup=False)
            return
        self.post_message(ShowConversation(str(a), str(b)))

    def action_find_wanted(self) -> None:
        """``@``: the bar over the table asks what to find; ``find`` answers it."""
        prompt = getattr(self.screen, "prompt", None)
        if prompt is None:
            return
        prompt.border_title = "Jump to, in Top-N"
        prompt.open(PromptSpec(FIND_KIND, "@", "", owner=self,
                               placeholder="an address, a port: the cursor goes to the "
                                           "next row that has it (n, N)"))

    @on(PromptBar.Submitted)
    def _find_submitted(self, message: PromptBar.Submitted) -> None:
        if message.kind == FIND_KIND:
            self.focus()
            self.find(message.value)

    @on(PromptBar.Closed)
    def _find_closed(self, message: PromptBar.Closed) -> None:
        if message.kind == FIND_KIND:
            self.focus()  # back where "@" was pressed

    def action_find(self, step: int) -> None:
        if not self.found_text:
            self.notify("@ jumps to a row first (an address, a port)", markup=False, timeout=2)
            return
        self.find(self.found_text, step)

    def find(self, text: str, step: int = 1) -> bool:
        """Move the cursor to the next row (``step`` -1: the previous), wrapping, whose key
        is ``text`` (an address in any spelling, a port), else whose key as shown contains
        ``text`` (any case): part of an address, a name."""
        self.found_text = text = text.strip()
        rows = self._rows()
        wanted = text.lower()
        names = self._names_of(text)
        fields = self.data.key.fields if self.data is not None else ()
        # An address or a port typed is that value: its own row, not the first whose text
        # holds it (10.0.0.100 for 10.0.0.1), in any spelling (2001:DB8::7); text that is
        # no row's whole value is searched for inside the rows' keys.
        test = same_value(text)
        exact = test if any(test(v) for row in rows for v in row.values) else None
        count = len(rows)
        for offset in range(1, count + 1):
            at = (self.cursor_row + step * offset) % count
            if (any(exact(v) for v in rows[at].values) if exact is not None
                    else wanted in self._key_text(rows[at]).lower()) or any(
                    (field, value) in names for field, value in zip(
                        fields, rows[at].values, strict=False)):
                self.cursor_row = at
                return True
        self.notify(f"No row of top {self.key.name} has {literal(text)}",
                    severity="warning", markup=False, timeout=3)
        return False

    def _names_of(self, text: str) -> set[tuple[str, object]]:
        """Ranked by name, the rows hold addresses and interfaces under their names: the
        (``FIELD.name``, name) pairs ``text`` (an address, an interface id) is found under.
        Without them "No row of top src has 10.0.1.30" was said with app-1's row shown."""
        data, names = self.data, self.names
        if data is None or names is None or not self._naming():
            return set()
        found: set[tuple[str, object]] = set()
        for column in data.key.fields:
            try:  # each name it has where its records are (names.resolve): all are rows
                found.update((column, name) for name in names.every_name(
                    column.removesuffix(SUFFIX), text))
            except ValueError:
                continue
        return found

    def action_leave(self) -> None:
        self.post_message(self.Left(self))

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and offset.y >= HEADER_LINES:
            self.cursor_row = int(self.scroll_y) + offset.y - HEADER_LINES
            self.focus()

    # ------------------------------------------------------------- drawing

    def on_show(self) -> None:
        self._update_title()
        self.refresher.now()

    def on_resize(self) -> None:
        self._lines.clear()
        self._show(self.data)

    def on_focus(self) -> None:
        self._lines.pop(self.cursor_row, None)
        self.refresh()

    def on_blur(self) -> None:
        self.on_focus()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines = {}

    def _style(self, name: str) -> Style:
        return self.rich_style + self.get_component_rich_style(name)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._tabs().crop_extend(0, width, self.rich_style)
        if y == 1:
            return self._header(width)
        index = int(self.scroll_y) + y - HEADER_LINES
        rows = self._rows()
        if index >= len(rows):
            if index == 0:
                return self._note(width)
            return Strip.blank(width, self.rich_style)
        line = self._lines.get(index)
        if line is None:
            line = self._lines[index] = self._row_line(index, rows[index], width)
        return line

    def _note(self, width: int) -> Strip:
        data = self.data
        text = (data.error if data is not None and data.error else
                "no records in the view" if data is not None else "counting…")
        return Strip([Segment(literal(text), self._style("top-pane--note"))]).crop_extend(
            0, width, self.rich_style)

    def _tabs(self) -> Strip:
        """``[1 src] 2 dst 3 pair …``: the active key in brackets and reverse video, so it
        reads without colour; the metric and totals are in the pane's title."""
        segments = []
        for i, key in enumerate(TOP_KEYS):
            if i == self.key_index:
                segments.append(Segment(f"[{i + 1} {key.name}]",
                                        self._style("top-pane--tab-active")))
            else:
                segments.append(Segment(f" {i + 1} {key.name} ", self._style("top-pane--tab")))
        return Strip(segments)

    def _update_title(self) -> None:
        title = f"Top · by {self.metric}" + (" · by name" if self._naming() else "")
        data = self.data
        if data is not None and not data.error and data.metric == self.metric:
            title += f" · {data.groups:,} groups · {_amount(self.metric, data.total)}"
            if data.unrecorded:
                plural = "s" if data.unrecorded != 1 else ""
                title += f" · {data.unrecorded:,} record{plural} with no {self.metric}"
        self.border_title = title

    def _widths(self, width: int) -> tuple[int, int, int, int, int]:
        rows = self._rows()
        rank = len(str(len(rows))) if rows else 1
        key = min(KEY_WIDTH, max([cell_len(self._key_text(r)) for r in rows] +
                                 [cell_len(self._key_heading())]))
        counts = max([len(f"{r.records:,}") for r in rows] + [len("records")])
        packets = max([len(_amount("packets", r.packets)) for r in rows] + [len("packets")])
        used = rank + 1 + key + 1 + counts + 1 + packets + 1 + 10 + 1 + 6
        bar = max(8, width - used - 1)
        return rank, key, counts, packets, bar

    def _key_heading(self) -> str:
        key = by_name(self.key) if self._naming() else self.key
        return " → ".join(key.fields)

    def _key_text(self, row: TopRow) -> str:
        fields = self.data.key.fields if self.data is not None else self.key.fields
        return " → ".join(literal(key_label(f, v) if v is not None or not f.endswith(
            ".name") else "(no name)") for f, v in zip(fields, row.values,
                                                                     strict=False))

    def _header(self, width: int) -> Strip:
        rank, key, counts, packets, bar = self._widths(width)
        heading = (f"{'#':>{rank}} {set_cell_size(self._key_heading(), key)} "
                   f"{'records':>{counts}} {'packets':>{packets}} {'bytes':>10} "
                   f"{'share of ' + self.metric:<{bar + 7}}")
        return Strip([Segment(heading, self._style("top-pane--header"))]).crop_extend(
            0, width, self.rich_style)

    def _row_line(self, index: int, row: TopRow, width: int) -> Strip:
        rank, key, counts, packets, bar = self._widths(width)
        data = self.data
        total = data.total if data is not None else 0
        value = row.metric(self.metric)
        share = value / total if total and value is not None else 0.0
        text = self._key_text(row)
        if cell_len(text) > key:
            text = set_cell_size(text, key - 1) + "…"
        else:
            text = set_cell_size(text, key)
        style = self.rich_style
        if index == self.cursor_row:
            style += self.get_component_rich_style("top-pane--cursor")
        left = (f"{index + 1:>{rank}} {text} {row.records:>{counts},} "
                f"{_amount('packets', row.packets):>{packets}} "
                f"{_amount('bytes', row.bytes):>10} ")
        return Strip([
            Segment(left, style),
            Segment(share_bar(share, bar), style + self.get_component_rich_style(
                "top-pane--bar")),
            # no share of what was not recorded: '-', not 0.0 %
            Segment(f" {share * 100:5.1f}%" if value is not None else f" {'-':>5} ", style),
        ]).crop_extend(0, width, self.rich_style)


def same_value(text: str) -> Callable[[object], bool]:
    """A test of a key value against ``text``: as an address when it is one (any spelling),
    else as the value's text (a port, an interface id)."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return lambda value: value is not None and str(value) == text

    def same(value: object) -> bool:
        try:
            return value is not None and ipaddress.ip_address(str(value)) == address
        except ValueError:
            return False

    return same
