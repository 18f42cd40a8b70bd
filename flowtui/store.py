"""The record store: Arrow batches appended as they arrive, rows read by index.

Why columns: a million records as Python tuples cost ~700 bytes each; as Arrow columns with
narrow integers and dictionary-encoded strings they cost ~50. The table asks only for the
rows on screen, so a row becomes Python objects only when it is drawn or explained.
Batches from different objects may have different columns (one prefix can hold several
flow-log formats); the store's columns are their union and a missing column reads as None.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa

from flowtui import arrowcompute as pc
from flowtui.rowlines import RowLines, line_at, slice_lines


def records(batch: pa.RecordBatch) -> list[dict[str, object]]:
    """Rows as dicts of Python values. Dictionary columns are cast to plain strings first:
    pyarrow's per-value conversion of dictionary arrays is several times slower."""
    columns = [pc.cast(column, column.type.value_type) if pa.types.is_dictionary(column.type)
               else column for column in batch.columns]
    rows: list[dict[str, object]] = pa.RecordBatch.from_arrays(
        columns, names=batch.schema.names).to_pylist()
    return rows


@dataclass(frozen=True)
class StoreSnapshot:
    batches: list[pa.RecordBatch]
    starts: list[int]
    dropped: int
    length: int
    resets: int
    generation: int
    columns: list[str]

    def rows_at(self, places: list[tuple[int, int]]) -> list[dict[str, object]]:
        """Rows at (batch number, offset) places, in the order asked. Every row has every
        store column (None if absent)."""
        out: list[dict[str, object]] = []
        for batch in self.batches_at(places):
            missing = [name for name in self.columns if name not in batch.schema.names]
            for record in records(batch):
                for name in missing:
                    record[name] = None
                out.append(record)
        return out

    def batches_at(self, places: list[tuple[int, int]]) -> Iterator[pa.RecordBatch]:
        """The rows at (batch number, offset) places as record batches, in the order asked,
        each with its own format's columns; consecutive places in one batch are taken
        together."""
        run_start = 0
        while run_start < len(places):
            number = places[run_start][0]
            run_end = run_start
            while run_end < len(places) and places[run_end][0] == number:
                run_end += 1
            offsets = pa.array([offset for _, offset in places[run_start:run_end]],
                               type=pa.uint32())
            yield self.batches[number].take(offsets)
            run_start = run_end


class RecordStore:
    """Append from a loader thread, read from the UI thread; appends are atomic."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._batches: list[pa.RecordBatch] = []
        self._sources: list[str] = []
        #: Where each batch's rows are in its object's text (``RowLines``): one int for the
        #: usual batch, so naming a record by its line costs nothing per record.
        self._lines: list[RowLines] = []
        self._starts: list[int] = []  # index of each batch's first row
        self._length = 0
        self._columns: list[str] = []
        self.generation = 0
        #: Rows dropped from the front since creation (``drop_oldest``): row ``i`` now was row
        #: ``i + dropped`` of everything ever appended, so a view can keep its place.
        self.dropped = 0
        #: How many times ``clear`` emptied the store: a view starts over when this moves.
        self.resets = 0

    def append(self, batch: pa.RecordBatch, source: str = "", lines: RowLines = None) -> None:
        """``lines``: where the rows are in ``source``'s text (None: not known)."""
        if batch.num_rows == 0:
            return
        with self._lock:
            for name in batch.schema.names:
                if name not in self._columns:
                    self._columns.append(name)
            self._starts.append(self._length)
            self._batches.append(batch)
            self._sources.append(source)
            self._lines.append(lines)
            self._length += batch.num_rows
            self.generation += 1

    @property
    def order_generation(self) -> int:
        """A store never reorders its rows; only a clear moves them (``RowSource``)."""
        return self.resets

    def clear(self) -> None:
        with self._lock:
            self._batches, self._sources, self._starts = [], [], []
            self._lines = []
            self._length = 0
            self._columns = []
            self.generation += 1
            self.resets += 1

    def drop_oldest(self, count: int) -> int:
        """Forget the first ``count`` rows (a tail that runs for days keeps the newest N).

        Whole batches go; the batch holding the cut is sliced (its buffers are freed when the
        rest of it goes too). Returns the rows dropped; bumps ``generation`` and ``dropped``.
        """
        with self._lock:
            count = min(max(count, 0), self._length)
            if count == 0:
                return 0
            cut = bisect.bisect_right(self._starts, count) - 1
            batches = self._batches[cut:]
            sources = self._sources[cut:]
            lines = self._lines[cut:]
            offset = count - self._starts[cut]
            if offset == batches[0].num_rows:
                batches, sources, lines = batches[1:], sources[1:], lines[1:]
            elif offset:
                batches[0] = batches[0].slice(offset)
                lines[0] = slice_lines(lines[0], offset)
            starts, position = [], 0
            for batch in batches:
                starts.append(position)
                position += batch.num_rows
            self._batches, self._sources, self._starts = batches, sources, starts
            self._lines = lines
            self._length -= count
            self.dropped += count
            self.generation += 1
            return count

    def __len__(self) -> int:
        return self._length

    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    @property
    def nbytes(self) -> int:
        """Bytes held by the columns (dictionaries included)."""
        with self._lock:
            return sum(batch.nbytes for batch in self._batches)

    def row(self, index: int) -> dict[str, object]:
        rows = self.rows(index, index + 1)
        if not rows:
            raise IndexError(index)
        return rows[0]

    def rows(self, start: int, stop: int) -> list[dict[str, object]]:
        """Rows ``start`` to ``stop`` (exclusive) as dicts keyed by every store column."""
        out: list[dict[str, object]] = []
        for batch, offset, count, _source in self._spans(start, stop):
            piece = records(batch.slice(offset, count))
            missing = [name for name in self._columns if name not in batch.schema.names]
            for record in piece:
                for name in missing:
                    record[name] = None
                out.append(record)
        return out

    def source(self, index: int) -> str:
        with self._lock:
            if not 0 <= index < self._length:
                raise IndexError(index)
            return self._sources[bisect.bisect_right(self._starts, index) - 1]

    def line_of(self, index: int) -> int | None:
        """Row ``index``'s line number in its object's text (None: not known: a Parquet
        object, rows a filter picked while loading, an Athena result)."""
        with self._lock:
            if not 0 <= index < self._length:
                raise IndexError(index)
            number = bisect.bisect_right(self._starts, index) - 1
            lines, start = self._lines[number], self._starts[number]
        return line_at(lines, index - start)

    def fields_of(self, index: int) -> list[str]:
        """The columns row ``index``'s own object has. Rows of an object whose format lacks a
        column read None there, like a logged '-'; what explains one record must not take
        the store's other formats for this record's (a default-format record in a folder
        shared with a custom-format flow log is not 'not rejected by BPA')."""
        for batch, _offset, _count, _source in self._spans(index, index + 1):
            return list(batch.schema.names)
        raise IndexError(index)

    @property
    def store(self) -> RecordStore:
        """Itself: the table reads a store or a view of one through the same questions."""
        return self

    def store_index(self, index: int) -> int:
        return index

    def index_of(self, store_index: int) -> int | None:
        return store_index if 0 <= store_index < len(self) else None

    def batches(self) -> list[pa.RecordBatch]:
        with self._lock:
            return list(self._batches)

    def snapshot(self) -> StoreSnapshot:
        """Batches and their places as of one instant (a view evaluates them outside the lock)."""
        with self._lock:
            return StoreSnapshot(list(self._batches), list(self._starts), self.dropped,
                                 self._length, self.resets, self.generation,
                                 list(self._columns))

    def _spans(self, start: int, stop: int) -> Iterator[tuple[pa.RecordBatch, int, int, str]]:
        with self._lock:
            batches, starts, sources = list(self._batches), list(self._starts), self._sources[:]
            length = self._length
        start = max(start, 0)
        stop = min(stop, length)
        if start >= stop:
            return
        position = bisect.bisect_right(starts, start) - 1
        while start < stop and position < len(batches):
            batch = batches[position]
            offset = start - starts[position]
            count = min(batch.num_rows - offset, stop - start)
            yield batch, offset, count, sources[position]
            start += count
            position += 1
