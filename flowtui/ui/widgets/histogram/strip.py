"""The time histogram: records (or bytes) per time bucket of the current view, over the table.

"What happened around 14:05" is a shape, not a row: a strip of bars, ACCEPT above REJECT,
each bucket one cell wide, and a time cursor that selects a range and turns it into a filter
(``during A..B``, the same text the filter bar reads). The bars are counted by the query core
(``aggregate.histogram``) in a thread worker, on the strip's own clock (``AggregateRefresh``),
never per key; moving the cursor redraws three short lines.

The cursor opens at the time of the table's cursor; ``@`` jumps to a typed time (a time
without a date is on the day of the data); ``+``/``-`` make the buckets narrower or wider
around the cursor (``z`` back to the width that fits); ``s`` switches the bars to a log
scale, so one huge bucket does not flatten the rest (the scale is labelled).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import pyarrow as pa
from rich.segment import Segment
from rich.style import Style
from textual import events, on, work
from textual.binding import BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget
from textual.worker import get_current_worker

from flowtui.query.aggregate import BUCKETS, MAX_FILLED_BUCKETS, bucket_seconds, histogram
from flowtui.query.arrow import compile_arrow
from flowtui.query.expr import Compare
from flowtui.query.times import parse_time
from flowtui.rowsource import RowSource
from flowtui.ui.actions import bindings
from flowtui.ui.widgets.histogram.bars import (
    amount_text,
    bucket_label,
    column_rows,
    during_text,
    width_text,
)
from flowtui.ui.widgets.prompt.bar import Check, PromptBar, PromptSpec
from flowtui.ui.widgets.prompt.history import History
from flowtui.ui.widgets.refday import DataDay
from flowtui.ui.widgets.refresh import AggregateRefresh

LABEL_WIDTH = 9
INFO_WIDTH = 20
"""Cells right of the bars: " max 1023 KiB /10s", " A1023 KiB R1023 KiB" at the widest."""
METRICS = ("records", "bytes")
SCALES = ("lin", "log")
#: The prompt kind of the strip's ``@`` (the app hands the submitted text back to ``go``).
JUMP_KIND = "histogram"
_REJECTS = compile_arrow(Compare("action", "=", "REJECT"))


@dataclass(frozen=True)
class HistogramData:
    """Per bucket start (epoch seconds): the metric for ACCEPT and for REJECT records. Bytes
    are None in a bucket none of whose records recorded them ('-': NODATA/SKIPDATA, Block
    Public Access records): no bar, and '-' in the axis, not 0."""

    metric: str
    width: int  # seconds per bucket
    times: list[int] = field(default_factory=list)
    accept: list[int | None] = field(default_factory=list)
    reject: list[int | None] = field(default_factory=list)
    error: str = ""


def compute(batches: Sequence[pa.RecordBatch], metric: str, target: int,
            every: int | None = None) -> HistogramData:
    """The strip's numbers: ``aggregate.histogram`` over the view (``every`` seconds a bucket,
    else a round width for about ``target`` buckets), plus (for bytes) the same buckets over
    its REJECT records, since the histogram counts actions only in records."""
    table = histogram(batches, every, target=max(1, target))
    width = bucket_seconds(table) or 60
    times = _seconds(table.column("time"))
    if metric == "records":
        return HistogramData(metric, width, times, table.column("accept").to_pylist(),
                             table.column("reject").to_pylist())
    rejected = [b.take(_REJECTS.indices(b)) for b in batches if b.num_rows]
    rej_table = histogram([b for b in rejected if b.num_rows], every=width, fill=False)
    rej = {t: v for t, v in zip(_seconds(rej_table.column("time")),
                                rej_table.column("bytes").to_pylist(), strict=True)}
    total = table.column("bytes").to_pylist()
    reject = [rej.get(t, 0) if a is not None else None for t, a in zip(times, total,
                                                                         strict=True)]
    return HistogramData(metric, width, times, [None if a is None else max(0, a - (r or 0))
                                                for a, r in zip(total, reject, strict=True)],
                         reject)


class TimeHistogram(Widget, can_focus=True):
    """A few lines over the table: ACCEPT bars, REJECT bars, an axis with the cursor."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "time-histogram--label",
        "time-histogram--accept",
        "time-histogram--reject",
        "time-histogram--cursor",
        "time-histogram--axis",
        "time-histogram--info",
    }

    BINDINGS: ClassVar[list[BindingType]] = bindings("histogram")

    cursor: reactive[int] = reactive(0)
    #: Where a range selection started (None: no range, Enter filters the cursor's bucket).
    range_start: reactive[int | None] = reactive(None)
    metric: reactive[str] = reactive("records")
    #: Seconds per bucket chosen with +/- (None: the round width that fits the strip).
    every: reactive[int | None] = reactive(None)
    scale: reactive[str] = reactive("lin")

    @dataclass
    class Computed(Message):
        """A worker counted the buckets (for the rows named by ``key``)."""

        histogram: TimeHistogram
        data: HistogramData
        key: Hashable

    @dataclass
    class RangeChosen(Message):
        """Filter the records to this range: ``text`` is filter-language (``during A..B``)."""

        histogram: TimeHistogram
        text: str

        @property
        def control(self) -> TimeHistogram:
            return self.histogram

    @dataclass
    class Left(Message):
        """Esc with nothing selected: the user is done here (focus goes to the records)."""

        histogram: TimeHistogram

        @property
        def control(self) -> TimeHistogram:
            return self.histogram

    def __init__(self, source: Callable[[], RowSource | None], *, id: str | None = None,
                 classes: str | None = None,
                 anchor: Callable[[], int | None] | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._source = source
        self._anchor = anchor or (lambda: None)  # the table cursor's time: where it opens
        self._moment: int | None = None  # the time the cursor stands for (see _place_at_moment)
        self._center = False  # put the cursor mid-strip at the next drawing
        self.data: HistogramData | None = None
        self._lines: list[Strip] | None = None
        self._offset = 0  # first bucket on screen, when there are more than cells
        self.refresher = AggregateRefresh(self, self._data_key, self._start)
        self.day = DataDay(source)
        self.history = History("goto")

    # ------------------------------------------------------------ computing

    @property
    def room(self) -> int:
        """Buckets that fit: one cell each between the labels and the numbers."""
        return max(1, self.size.width - LABEL_WIDTH - INFO_WIDTH)

    def _data_key(self) -> Hashable:
        source = self._source()
        if source is None:
            return None
        return (id(source), len(source), source.generation, source.dropped, self.metric,
                self.room, self.every)

    def source_changed(self) -> None:
        """Rows were added or the view changed: count again on the strip's clock."""
        self.refresher.changed()

    def _start(self) -> None:
        source = self._source()
        if source is None:
            self.data = None
            self._invalidate()
            return
        self._compute(source, self.metric, self.room, self.every, self._data_key())

    @work(thread=True, group="histogram", exclusive=True, exit_on_error=False)
    def _compute(self, source: RowSource, metric: str, target: int, every: int | None,
                 key: Hashable) -> None:
        worker = get_current_worker()
        try:
            batches = source.batches()
            if worker.is_cancelled:
                return
            data = compute(batches, metric, target, every)
        except Exception as exc:  # the strip says so; the app goes on
            data = HistogramData(metric, 0, error=f"histogram failed: {exc}")
        if not worker.is_cancelled:
            self.post_message(self.Computed(self, data, key))

    def on_time_histogram_computed(self, message: Computed) -> None:
        message.stop()
        old = self.data
        self.data = message.data
        times = message.data.times
        if old is not None and old.times and times:
            self.set_reactive(TimeHistogram.cursor, _nearest(times, old.times[
                min(self.cursor, len(old.times) - 1)]))
            if self.range_start is not None:
                self.set_reactive(TimeHistogram.range_start, _nearest(times, old.times[
                    min(self.range_start, len(old.times) - 1)]))
        else:
            self.set_reactive(TimeHistogram.cursor, 0)
            self.set_reactive(TimeHistogram.range_start, None)
        self._place_at_moment()
        self._invalidate()

    def _place_at_moment(self) -> None:
        """The cursor on the bucket holding ``_moment`` (the table cursor's time when the
        strip opened, or a time jumped to), kept through recounts and zooms until the
        cursor is moved by hand."""
        data = self.data
        if self._moment is None or data is None or not data.times:
            return
        self.set_reactive(TimeHistogram.cursor, _nearest(data.times, self._moment))
        self._center = True

    # --------------------------------------------------------------- keys

    def _count(self) -> int:
        return len(self.data.times) if self.data is not None else 0

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, self._count() - 1))

    def watch_cursor(self) -> None:
        self._invalidate()

    def watch_range_start(self) -> None:
        self._invalidate()

    def watch_metric(self) -> None:
        self.refresher.now(force=True)

    def watch_every(self) -> None:
        self._center = True
        self.refresher.now(force=True)

    def watch_scale(self) -> None:
        self._invalidate()

    def action_move(self, step: int) -> None:
        self._moment = None
        self.cursor += step

    def action_edge(self, direction: int) -> None:
        self._moment = None
        self.cursor = 0 if direction < 0 else self._count() - 1

    def action_extend(self, step: int) -> None:
        self._moment = None
        if self.range_start is None:
            self.range_start = self.cursor
        self.cursor += step

    def action_mark(self) -> None:
        self.range_start = None if self.range_start is not None else self.cursor

    def action_metric(self) -> None:
        self.metric = METRICS[(METRICS.index(self.metric) + 1) % len(METRICS)]

    def action_scale(self) -> None:
        self.scale = SCALES[(SCALES.index(self.scale) + 1) % len(SCALES)]

    def action_zoom(self, step: int) -> None:
        """``+`` (step -1) narrower buckets, ``-`` wider, around the cursor; 0: back to the
        width that fits the strip."""
        data = self.data
        if step == 0 or data is None or not data.times:
            self.every = None
            return
        widths = list(BUCKETS)
        index = min(range(len(widths)), key=lambda i: abs(widths[i] - data.width))
        index += step
        if not 0 <= index < len(widths):
            self.notify(f"Buckets are already {width_text(data.width)} "
                        f"({'narrowest' if step < 0 else 'widest'})", markup=False, timeout=2)
            return
        span = data.times[-1] + data.width - data.times[0]
        if span // widths[index] > MAX_FILLED_BUCKETS:
            self.notify(f"{width_text(widths[index])} buckets are too many for "
                        f"{width_text(span)}", markup=False, timeout=2)
            return
        self.every = widths[index]

    def action_jump(self) -> None:
        """``@``: the bar over the table asks for a time; ``go`` moves the cursor there."""
        prompt = getattr(self.screen, "prompt", None)
        if prompt is None:
            return
        prompt.border_title = "Histogram: go to time"
        prompt.open(PromptSpec(JUMP_KIND, "@", "", check=self.check_time, history=self.history,
                               placeholder="14:05 · 2024-03-05T14:05 · epoch seconds (UTC)",
                               owner=self))

    @on(PromptBar.Submitted)
    def _jump_submitted(self, message: PromptBar.Submitted) -> None:
        if message.kind == JUMP_KIND:
            self.focus()
            self.go(message.value)

    @on(PromptBar.Closed)
    def _jump_closed(self, message: PromptBar.Closed) -> None:
        if message.kind == JUMP_KIND:
            self.focus()  # back where "@" was pressed

    def check_time(self, text: str) -> Check:
        if not text.strip():
            return Check(False, "type a time: 14:05, 2024-03-05T14:05 or epoch seconds")
        try:
            moment = parse_time(text, day=self.day())
        except ValueError as exc:
            return Check(False, str(exc), 0)
        return Check(True, f"Enter puts the histogram's cursor at {moment:%Y-%m-%d %H:%M:%S} UTC")

    def go(self, text: str) -> None:
        """Put the cursor on the bucket holding the time ``text`` names."""
        data = self.data
        try:
            moment = parse_time(text, day=self.day())
        except ValueError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        if data is None or not data.times:
            self.notify("No buckets yet", markup=False, timeout=2)
            return
        target = int(moment.timestamp())
        self.range_start = None
        self._moment = target
        self._place_at_moment()
        self._invalidate()
        if not data.times[0] <= target < data.times[-1] + data.width:
            self.notify(f"No record starts near {moment:%Y-%m-%d %H:%M} UTC: the cursor is on "
                        "the nearest bucket", severity="warning", markup=False)

    def action_filter(self) -> None:
        data = self.data
        if data is None or not data.times:
            self.notify("No buckets to filter to yet", markup=False, timeout=2)
            return
        start = self.cursor if self.range_start is None else self.range_start
        low, high = sorted((self.cursor, start))
        text = during_text(data.times[low], data.times[high] + data.width - 1)
        self.range_start = None
        self.post_message(self.RangeChosen(self, text))

    def action_leave(self) -> None:
        if self.range_start is not None:
            self.range_start = None
            return
        self.post_message(self.Left(self))

    def selection(self) -> tuple[int, int] | None:
        """The selected buckets' first and last start times (None: no range)."""
        data = self.data
        if self.range_start is None or data is None or not data.times:
            return None
        low, high = sorted((self.cursor, self.range_start))
        return data.times[low], data.times[high]

    # ------------------------------------------------------------- drawing

    def on_resize(self, event: events.Resize) -> None:
        self._invalidate()
        self.refresher.now()  # the bucket width follows the room

    def on_show(self) -> None:
        self.refresher.now()

    def opened(self) -> None:
        """The strip was just shown: its cursor goes to the table cursor's time (now if
        the buckets are counted, else when they are)."""
        self._moment = self._anchor()
        if self._moment is not None:
            self.set_reactive(TimeHistogram.range_start, None)
        self._place_at_moment()
        self._invalidate()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines = None

    def _invalidate(self) -> None:
        self._lines = None
        self.refresh()

    def render_line(self, y: int) -> Strip:
        if self._lines is None:
            self._lines = self._build()
        if y < len(self._lines):
            return self._lines[y]
        return Strip.blank(self.size.width, self.rich_style)

    def _style(self, name: str) -> Style:
        return self.rich_style + self.get_component_rich_style(name)

    def _build(self) -> list[Strip]:
        width, height = self.size.width, max(1, self.size.height)
        base = self.rich_style
        data = self.data
        label = self._style("time-histogram--label")
        if data is None or not data.times:
            note = (data.error if data is not None and data.error else
                    "no record in this view has a start time" if data is not None else "counting…")
            first = Strip([Segment(f"{'time':<{LABEL_WIDTH}}", label),
                           Segment(note, self._style("time-histogram--info"))])
            return [first.crop_extend(0, width, base)] + [Strip.blank(width, base)] * (height - 1)
        rows = max(1, (height - 1) // 2)
        room = self.room
        count = len(data.times)
        cursor = self.validate_cursor(self.cursor)
        if self._center:
            self._center = False
            self._offset = cursor - room // 2
        if cursor < self._offset:
            self._offset = cursor
        elif cursor >= self._offset + room:
            self._offset = cursor - room + 1
        self._offset = max(0, min(self._offset, max(0, count - room)))
        lo, hi = self._offset, min(count, self._offset + room)
        at = cursor - lo
        lines: list[Strip] = []
        notes = (self.scale, f"/{width_text(data.width)}")  # the scale, the bucket width
        for (name, values, part), note in zip((("ACCEPT", data.accept, "accept"),
                                               ("REJECT", data.reject, "reject")), notes,
                                              strict=True):
            peak = max((v for v in values if v is not None), default=0)
            shown = [v or 0 for v in values[lo:hi]]  # (no bar where nothing was recorded)
            if self.scale == "log":  # heights by log(1 + value): small buckets stay visible
                bars = column_rows([_log(v) for v in shown], _log(peak), rows)
            else:
                bars = column_rows(shown, peak, rows)
            style = self._style(f"time-histogram--{part}")
            cursor_style = style + self._style("time-histogram--cursor")
            for row, text in enumerate(bars):
                tag = name if row == 0 else ""
                info = f" max {amount_text(peak, data.metric)} {note}" if row == 0 else ""
                lines.append(Strip([
                    Segment(f"{tag:<{LABEL_WIDTH}}", label),
                    Segment(text[:at], style),
                    Segment(text[at:at + 1], cursor_style),
                    Segment(text[at + 1:], style),
                    Segment(" " * (room - len(text)), base),
                    Segment(f"{info:<{INFO_WIDTH}}", self._style("time-histogram--info")),
                ]).crop_extend(0, width, base))
        lines.append(self._axis(data, lo, hi, cursor, room).crop_extend(0, width, base))
        while len(lines) < height:
            lines.append(Strip.blank(width, base))
        return lines[:height]

    def _axis(self, data: HistogramData, lo: int, hi: int, cursor: int, room: int) -> Strip:
        """``14:05    ──━━━▲──── A1.2k R42``: the cursor's time, the selection under the
        bars (heavy rule), and the cursor's (or the selection's) numbers."""
        anchor = self.range_start
        low, high = sorted((cursor, cursor if anchor is None else anchor))
        marks = "".join("▲" if i == cursor else "━" if low <= i <= high else "─"
                        for i in range(lo, hi))
        info = (f" A{_recorded(data.accept[low:high + 1], data.metric)}"
                f" R{_recorded(data.reject[low:high + 1], data.metric)}")
        axis = self._style("time-histogram--axis")
        return Strip([
            Segment(f"{bucket_label(data.times[cursor], data.width):<{LABEL_WIDTH}}",
                    self._style("time-histogram--label")),
            Segment(marks + " " * (room - len(marks)), axis),
            Segment(f"{info:<{INFO_WIDTH}}", self._style("time-histogram--info")),
        ])


def _recorded(values: list[int | None], metric: str) -> str:
    """The sum of the buckets' amounts that were recorded; '-' when none was."""
    known = [v for v in values if v is not None]
    return amount_text(sum(known), metric) if known else "-"


def _seconds(column: pa.ChunkedArray) -> list[int]:
    """Bucket starts as epoch seconds (86,400 one-second buckets: no datetime per bucket)."""
    return [int(t) for t in column.cast(pa.int64()).to_pylist()]


def _log(value: int) -> int:
    """A bar height on the log scale (in thousandths, for ``column_rows``' integers)."""
    return round(math.log1p(max(0, value)) * 1000)


def _nearest(times: list[int], moment: int) -> int:
    """The index of the bucket holding ``moment`` (or the nearest one)."""
    best = 0
    for index, start in enumerate(times):
        if start <= moment:
            best = index
        else:
            break
    return best
