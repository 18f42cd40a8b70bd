"""Go to time: ``14:05`` or an ISO time jumps to the first record that starts at or after it.

A clock time means that time on the day of the data in view (the day most of the loaded
records start on, as in the filter bar; flow logs are read days later). Finding "the first
at or after" needs the rows in start order: a view sorted by start, or records that arrived
in start order (one object usually does), are searched as they are; otherwise the view is
sorted by start first, in the sort worker.

A time after every record's start goes nowhere (as a search that finds nothing leaves the
cursor): the cursor, the detail panel and the status line stay on the record they were on,
and the warning says the latest start there is. It used to put the cursor on the last row
while saying no record starts there: the panel then showed a record the message denied.
When every loaded record starts earlier, the view is not even sorted for the search.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from textual import on
from textual.app import App

from flowtui.query.query import SortKey
from flowtui.query.times import parse_time
from flowtui.rowsource import RowSource
from flowtui.ui.features.feature import Feature
from flowtui.ui.features.jobs.sort import Sorts
from flowtui.ui.screen import MainScreen
from flowtui.ui.shown import Shown
from flowtui.ui.widgets.prompt.bar import Check, PromptBar, PromptSpec
from flowtui.ui.widgets.prompt.history import History
from flowtui.ui.widgets.refday import DataDay
from flowtui.ui.widgets.safe import literal

KIND = "goto"
BY_START = (SortKey("start"),)


class GoTo(Feature):
    """``@`` in the table: the cursor goes to the first record at or after a time."""

    def __init__(self, app: App[Any], screen: MainScreen, shown: Shown, sorts: Sorts) -> None:
        super().__init__()
        self._app = app
        self._screen = screen
        self._shown = shown
        self._sorts = sorts
        self.history = History("goto")
        self.day = DataDay(lambda: shown.records)

    def open(self) -> None:
        self._screen.prompt.border_title = "Go to time"
        self._screen.prompt.open(PromptSpec(
            KIND, "@", "", check=self.check, history=self.history,
            placeholder="14:05 · 2024-03-05T14:05 · epoch seconds (UTC)", owner=self))

    @on(PromptBar.Submitted)
    def _prompt_submitted(self, message: PromptBar.Submitted) -> None:
        self._screen.table.focus()
        self.go(message.value)

    @on(PromptBar.Closed)
    def _prompt_closed(self, message: PromptBar.Closed) -> None:
        self._screen.table.focus()

    def when(self, text: str) -> datetime:
        return parse_time(text, day=self.day())

    def check(self, text: str) -> Check:
        if not text.strip():
            return Check(False, "type a time: 14:05, 2024-03-05T14:05 or epoch seconds")
        try:
            moment = self.when(text)
        except ValueError as exc:
            return Check(False, str(exc), 0)
        return Check(True, f"Enter goes to the first record at or after "
                           f"{moment:%Y-%m-%d %H:%M:%S} UTC")

    def go(self, text: str) -> None:
        try:
            moment = self.when(text)
        except ValueError as exc:
            self._app.notify(literal(str(exc)), severity="error", markup=False)
            return
        target = int(moment.timestamp())
        screen = self._screen
        source = screen.table.store
        if source is None or not len(source):
            self._app.notify("No records to go through", markup=False, timeout=2)
            return
        latest = latest_start(self._shown.records.batches() if self._shown.records else [])
        if latest is None or latest < target:
            self._nothing_after(moment, latest, "loaded")
            return
        view = self._shown.view
        if view is not None and view.query.sort == BY_START and not view.stale:
            self._jump(target, moment)
        elif view is None or not view.sorted:
            if in_start_order(self._shown.batches()):
                self._jump(target, moment)
                return
            self._sort_then_jump(target, moment)
        else:
            self._sort_then_jump(target, moment)

    def _sort_then_jump(self, target: int, moment: datetime) -> None:
        self._app.notify(f"Sorting by start to go to {moment:%H:%M:%S}", markup=False,
                         timeout=3)
        table = self._screen.table
        source = table.store
        held = (source.store_index(table.cursor_row)
                if source is not None and table.cursor_row < table.row_count else None)
        self._sorts.set(BY_START, then=lambda: self._jump(target, moment, held))

    def _jump(self, target: int, moment: datetime, held: int | None = None) -> None:
        """The cursor to the first row at or after ``target``; none: it stays on its record
        (``held``: the store row it was on before a sort for this search moved it)."""
        table = self._screen.table
        source = table.store
        if source is None:
            return
        table.refresh_now()
        row = first_at_or_after(source, target)
        if row is None:
            if held is not None:
                back = source.index_of(held)
                if back is not None and back != table.cursor_row:
                    table.move_cursor(back)
            self._nothing_after(moment, latest_start(self._shown.batches()), "in this view")
            return
        table.move_cursor(row, to_top=True)
        table.focus()

    def _nothing_after(self, moment: datetime, latest: int | None, where: str) -> None:
        last = ("no record " + where + " has a start time" if latest is None else
                f"the latest start {where} is "
                f"{datetime.fromtimestamp(latest, tz=UTC):%Y-%m-%d %H:%M:%S} UTC")
        self._app.notify(f"No record starts at or after {moment:%Y-%m-%d %H:%M:%S} UTC: "
                         f"{last}; the cursor stays where it was",
                         severity="warning", markup=False)


def in_start_order(batches: list[pa.RecordBatch]) -> bool:
    """Every record starts no earlier than the one before (nulls break the order)."""
    previous: int | None = None
    for batch in batches:
        index = batch.schema.get_field_index("start")
        if index < 0:
            return False
        column = batch.column(index)
        if not len(column):
            continue
        if column.null_count:
            return False
        if len(column) > 1 and not pc.all(pc.greater_equal(column.slice(1),
                                                            column.slice(0, len(column) - 1))
                                          ).as_py():
            return False
        first = column[0].as_py()
        if previous is not None and first < previous:
            return False
        previous = column[len(column) - 1].as_py()
    return True


def latest_start(batches: list[pa.RecordBatch]) -> int | None:
    """The latest start among the batches' records (None: no record has one)."""
    latest: int | None = None
    for batch in batches:
        index = batch.schema.get_field_index("start")
        if index < 0 or not len(batch):
            continue
        value = pc.max(batch.column(index)).as_py()
        if value is not None and (latest is None or value > latest):
            latest = value
    return latest


def first_at_or_after(source: RowSource, target: int) -> int | None:
    """The first row whose start is at or after ``target`` in rows sorted by start (missing
    starts last); None when every start is earlier."""
    low, high = 0, len(source)
    while low < high:
        middle = (low + high) // 2
        start = source.row(middle).get("start")
        if isinstance(start, int) and start < target:
            low = middle + 1
        else:
            high = middle
    if low >= len(source) or not isinstance(source.row(low).get("start"), int):
        return None
    return low
