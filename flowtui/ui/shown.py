"""What the record table shows: which records, through which query, as which view.

Loads, tails and Athena queries fill a ``RecordStore``; a filter and a sort make a query;
the table reads a ``RowSource`` — the store itself, or a ``RecordView`` of it while the query
filters or sorts. Eight features read or change these three together (a filter keeps the
sort, a new load keeps the filter, a story's jump goes from a store row to the view's), so
they live in one object the features edit through its methods, not on the screen.
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa

from flowtui.query.absent import absent_hint
from flowtui.query.query import Query, SortKey
from flowtui.query.view import RecordView
from flowtui.rowsource import RowSource
from flowtui.store import RecordStore
from flowtui.ui.screen import MainScreen


class Shown:
    """The records, the query over them and the view the table reads (one per app)."""

    def __init__(self, screen: MainScreen) -> None:
        self._screen = screen
        #: The records the table shows (it reads them through a RowSource; loads append here).
        self.records: RecordStore | None = None
        #: Which rows (filter) in what order (sort). It holds across loads, so a filter set
        #: during one load applies to the next and to a tail.
        self.query: Query = Query()
        #: The view the table reads while ``query`` filters or sorts (None: the store itself).
        self.view: RecordView | None = None
        #: Told of every store that takes the table (a tail stops when one not its own does).
        self.on_records: list[Callable[[RecordStore], None]] = []

    # ------------------------------------------------------------ reading

    @property
    def sort(self) -> tuple[SortKey, ...]:
        return self.query.sort

    def holds(self, store: RecordStore | None) -> bool:
        """Whether ``store`` is the one shown (a job's rows reach the table only then)."""
        return store is not None and store is self.records

    def batches(self) -> list[pa.RecordBatch]:
        """The shown rows as Arrow batches: the view's when it filters, else the store's."""
        if self.view is not None:
            return self.view.batches()
        return self.records.batches() if self.records is not None else []

    def first_batches(self, count: int) -> list[pa.RecordBatch]:
        """The first ``count`` shown rows as Arrow batches, in the table's order (``C``)."""
        if self.view is not None:
            return self.view.few_batches(0, count)
        if self.records is None:
            return []
        return RecordView(self.records).few_batches(0, count)  # the store's own order

    # ------------------------------------------------------------ changing

    def show_records(self, store: RecordStore) -> None:
        """Show ``store`` in the table (a new load or tail): the table starts over."""
        self.records = store
        table = self._screen.table
        table.column_layout.follow(store)
        table.set_store(self._source(store))
        self._screen.aggregates_changed()
        for told in list(self.on_records):
            told(store)

    def show_query(self, query: Query, cursor_row: int | None = None) -> RecordView | None:
        """Show the same records through ``query``. The cursor stays on its record when the
        new view has it (else on the next one that matches), or goes to ``cursor_row``."""
        store = self.records
        self.query = query
        if store is None:
            return None
        table = self._screen.table
        old_view = self.view
        row = table.cursor_row
        held = row < table.row_count
        at = (old_view.store_index(row) if old_view is not None else row) if held else 0
        source = self._source(store)
        if cursor_row is None:
            cursor_row = _place_of(self.view, at) if held else 0
        table.replace_source(source, cursor_row)
        if self.view is not None and not len(self.view):
            missing = absent_hint(query.where, store.columns)
            table.placeholder = (f"No record matches the filter{': ' + missing if missing else ''}"
                                 " (Backspace undoes the last step)")
        self._screen.aggregates_changed()
        return self.view

    def _source(self, store: RecordStore) -> RowSource:
        query = self.query
        if not query.filters and not query.sort:
            self.view = None
            return store
        self.view = RecordView(store, query, auto_sort=False)
        return self.view


def _place_of(view: RecordView | None, store_row: int) -> int:
    """Where store row ``store_row`` is in ``view``; when it is filtered out, the first match
    after it in load order (the last row if none follows; the top of a sorted view)."""
    if view is None:
        return store_row
    found = view.index_of(store_row)
    if found is not None:
        return found
    if view.sorted:
        return 0
    low, high = 0, len(view)
    while low < high:  # an unsorted view keeps load order: store rows only go up
        middle = (low + high) // 2
        if view.store_index(middle) < store_row:
            low = middle + 1
        else:
            high = middle
    return min(low, max(0, len(view) - 1))
