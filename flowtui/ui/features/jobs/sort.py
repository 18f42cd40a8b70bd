"""Sorting the shown view in a thread worker (group ``sort``), so a million rows never
freeze the UI: the rows stay readable in their old order meanwhile, rows that arrive later
show at the end until the view is sorted again (a second after the rows stop coming).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual import on
from textual.app import App
from textual.message import Message
from textual.timer import Timer
from textual.worker import Worker, get_current_worker

from flowtui.query.query import SortKey
from flowtui.query.view import RecordView
from flowtui.ui.features.feature import Feature, quiet_when_closing
from flowtui.ui.screen import MainScreen
from flowtui.ui.shown import Shown
from flowtui.ui.widgets.records.table import RecordTable

RESORT_AFTER = 1.0
"""Seconds without new rows before a stale sorted view is sorted again (a load that streams
rows re-sorts once at its end, not once per batch)."""


@dataclass
class SortDone(Message, bubble=False):
    """A view's rows are in order now; ``first`` sends the cursor to the top."""

    view: RecordView
    first: bool
    seconds: float
    #: The store row under the cursor when the sort began (kept there after a re-sort).
    held: int | None = None


class Sorts(Feature):
    """The sort of the shown records: set by ``s`` (and by go to time), kept while rows come."""

    def __init__(self, app: App[Any], screen: MainScreen, shown: Shown) -> None:
        super().__init__()
        self._app = app
        self._screen = screen
        self._shown = shown
        self._worker: Worker[Any] | None = None
        self._timer: Timer | None = None
        #: Called once the next sort is done (go to time waits for its sort by start).
        self._then: list[Callable[[], None]] = []
        #: The last view a sort finished (others have not been in order yet).
        self._sorted: RecordView | None = None

    @property
    def keys(self) -> tuple[SortKey, ...]:
        return self._shown.sort

    @property
    def running(self) -> bool:
        return self._worker is not None and not self._worker.is_finished

    @property
    def pending(self) -> bool:
        """A re-sort waits for the rows to stop coming (``RESORT_AFTER``): the rows may
        still move under the cursor, to the top when the view was never sorted whole."""
        return self._timer is not None

    def cycle(self) -> None:
        """The column under the cursor: ascending, then descending, then no sort."""
        column = self._screen.table.current_column
        if column is None:
            self._app.notify("Nothing to sort yet", markup=False, timeout=2)
            return
        current = self.keys[0] if self.keys else None
        if current is None or current.field != column:
            keys: tuple[SortKey, ...] = (SortKey(column),)
        elif not current.descending:
            keys = (SortKey(column, descending=True),)
        else:
            keys = ()
        self.set(keys)

    def set(self, keys: tuple[SortKey, ...], then: Callable[[], None] | None = None) -> None:
        shown = self._shown
        shown.show_query(shown.query.with_sort(keys), cursor_row=0)
        self.mark()
        if then is not None:
            self._then.append(then)
        self.view_changed()

    def view_changed(self) -> None:
        """The screen shows a new view (sort or filter changed): sort it if it asks."""
        view = self._shown.view
        if view is not None and view.sorted:
            self._start(view, first=True)
        else:
            self._cancel()
            self._screen.status.note = ""
            self._run_then()

    def mark(self) -> None:
        key = self.keys[0] if self.keys else None
        table = self._screen.table
        table.set_sort_mark(key.field if key else None, key.descending if key else False)
        self._screen.crumbs.sort = (f"{key.field} {'▼' if key.descending else '▲'}"
                                    if key else "")

    def on_mount(self) -> None:
        self.hear(RecordTable.RowsChanged, self.rows_changed)

    def rows_changed(self, _message: RecordTable.RowsChanged | None = None) -> None:
        """New rows came: a sorted view sorts them in once they stop coming for a while."""
        view = self._shown.view
        if view is None or not view.sorted:
            return
        if self._timer is not None:
            self._timer.stop()
        # the rows that came are not in order yet: the sort mark must not say they are
        note = f"sorting by {view.query.sort[0].field}…"
        if view.stale and self._screen.status.note != note:
            self._screen.status.note = note
        self._timer = self._app.set_timer(RESORT_AFTER, self._resort)

    def _resort(self) -> None:
        self._timer = None
        view = self._shown.view
        if view is None or not view.sorted or self.running or self._screen.closing:
            return
        if view.stale:
            # a view never sorted whole yet (a new load under a sort) starts at its top,
            # not wherever the first record loaded sorts to; but a record the user moved
            # to while the rows came stays under the cursor (it went to the top too)
            moved = self._screen.table.cursor_row > 0
            self._start(view, first=view is not self._sorted and not moved)
        elif self._screen.status.note.startswith("sorting by"):
            self._screen.status.note = ""  # nothing came that needs sorting in

    def _start(self, view: RecordView, first: bool) -> None:
        self._cancel()
        key = view.query.sort[0]
        table = self._screen.table
        held = None
        if not first and table.cursor_row < table.row_count:
            held = view.store_index(table.cursor_row)
        self._screen.status.note = f"sorting by {key.field}…"
        self._worker = self._app.run_worker(partial(self._run, view, first, held), thread=True,
                                            group="sort", exclusive=True,
                                            exit_on_error=False, name=f"sort {key}")

    def _run(self, view: RecordView, first: bool, held: int | None) -> None:
        """Thread worker: the view sorts itself; the UI reads its rows meanwhile."""
        worker = get_current_worker()
        if worker.is_cancelled:
            return
        began = time.perf_counter()
        view.sort_now()
        if not worker.is_cancelled:
            self.post_message(SortDone(view, first, time.perf_counter() - began, held))

    def _cancel(self) -> None:
        if self._worker is not None and not self._worker.is_finished:
            self._worker.cancel()
        self._worker = None

    @on(SortDone)
    @quiet_when_closing
    def done(self, message: SortDone) -> None:
        screen = self._screen
        if message.view is not self._shown.view or screen.closing:
            return
        screen.status.note = ""
        self._sorted = message.view
        table = screen.table
        table.refresh_now()  # order_generation moved: the table drops what it cached
        row = table.cursor_row
        if message.first:
            row = 0
        elif message.held is not None:
            found = message.view.index_of(message.held)
            row = found if found is not None else row
        if row != table.cursor_row:
            table.move_cursor(row)
        else:  # the same row number, another record
            table.post_message(table.CursorMoved(table, row))
        self._run_then()

    def _run_then(self) -> None:
        waiting, self._then = self._then, []
        for callback in waiting:
            callback()
