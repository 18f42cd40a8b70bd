"""A view of the store: the records a query keeps, in the order it asks, read like the store.

The table, the exporters and the CLI read a ``RecordView`` exactly as they would read the
store (``len``, ``rows(start, stop)``, ``row``, ``columns``, ``dropped``), so a filter or a sort
changes what they show without changing them. A view holds row numbers, not copies: per store
batch the offsets of its matching rows (two bytes each while batches stay under 64k rows), and,
when sorted, the order as absolute row numbers (four bytes each below 2^32 rows ever loaded).

It follows the store incrementally: a load or a tail appends batches and only those are
evaluated (``refresh``). Rows the store drops from the front (a tail's ``keep``) leave the
view too. A sorted view puts rows that arrived after its last sort at the end, in load order,
until it is sorted again (``sort_now``, which the TUI runs in a worker); ``auto_sort`` (the
CLI's choice) sorts before any read instead.
"""

from __future__ import annotations

import bisect
import ipaddress
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pyarrow as pa

from flowtui import arrowcompute as pc
from flowtui.fields import ADDRESS_FIELDS
from flowtui.query.query import Query, SortKey
from flowtui.store import RecordStore, StoreSnapshot

#: Per column some rows' format lacks: True for those rows (see ``iter_gathered``).
Absent = dict[str, pa.Array]


@dataclass
class _Part:
    """The matching rows of one store batch: absolute row number of the batch's first row
    (as first seen), its length then, and the offsets of the matches within it."""

    start: int
    length: int
    offsets: pa.Array


class RecordView:
    def __init__(self, store: RecordStore, query: Query | None = None, *,
                 auto_sort: bool = True) -> None:
        self.store = store
        self.query = query or Query()
        self.auto_sort = auto_sort
        self._predicate = self.query.predicate()
        self._lock = threading.RLock()
        self._parts: list[_Part] = []
        self._counts: list[int] = []  # cumulative matches before each part
        self._matched = 0
        self._resets = store.resets
        self._store_generation = -1
        self._store_dropped = store.dropped
        self._order: pa.Array | None = None  # absolute row numbers, sorted (when sorting)
        self._unsorted: list[pa.Array] = []  # matches that arrived after the last sort
        self.dropped = 0
        #: Bumps whenever rows already read may now be elsewhere (sorted, cleared, reordered):
        #: a reader that caches rows by index starts over when it moves.
        self.order_generation = 0
        self.generation = 0

    # --- what it shows

    @property
    def passthrough(self) -> bool:
        return not self.query.filters and not self.query.sort

    @property
    def sorted(self) -> bool:
        return bool(self.query.sort)

    @property
    def stale(self) -> bool:
        """Rows arrived since the last sort (they show at the end until ``sort_now``)."""
        self.refresh()
        return bool(self._unsorted) or (self.sorted and self._order is None and
                                        self._matched > 0)

    @property
    def columns(self) -> list[str]:
        if self.query.columns:
            return list(self.query.columns)
        return self.store.columns

    @property
    def nbytes(self) -> int:
        """Bytes the view itself holds (row numbers; the records stay in the store)."""
        with self._lock:
            held: int = sum(part.offsets.nbytes for part in self._parts)
            if self._order is not None:
                held += self._order.nbytes
            unsorted: int = sum(chunk.nbytes for chunk in self._unsorted)
            return held + unsorted

    @property
    def total(self) -> int:
        """Records in the store, matching or not ("12,345 of 1,000,000 match")."""
        return len(self.store)

    def __len__(self) -> int:
        if self.passthrough:
            return len(self.store)
        self.refresh()
        return self._matched

    def row(self, index: int) -> dict[str, object]:
        rows = self.rows(index, index + 1)
        if not rows:
            raise IndexError(index)
        return rows[0]

    def rows(self, start: int, stop: int) -> list[dict[str, object]]:
        if self.passthrough:
            return self.store.rows(start, stop)
        snapshot, places = self._places_now(start, stop)
        return snapshot.rows_at(places)

    def few_batches(self, start: int, stop: int) -> list[pa.RecordBatch]:
        """View rows ``start``..``stop`` as record batches in view order, each with its own
        format's columns, taken row by row as ``rows`` reads them: for a few rows (a copy)
        of a view of millions, where ``iter_batches`` would first gather them all."""
        if self.passthrough:
            return list(_slices(self.store.snapshot().batches, max(start, 0), stop))
        snapshot, places = self._places_now(start, stop)
        return list(snapshot.batches_at(places))

    def _places_now(self, start: int, stop: int
                    ) -> tuple[StoreSnapshot, list[tuple[int, int]]]:
        """The store as of now, and the places in it of view rows ``start``..``stop``."""
        self.refresh()
        if self.auto_sort and self.stale:
            self.sort_now()
        with self._lock:
            snapshot = self.store.snapshot()
            self._sync(snapshot)
            return snapshot, self._places(snapshot, max(start, 0), min(stop, self._matched))

    def source(self, index: int) -> str:
        """The object a row came from."""
        if self.passthrough:
            return self.store.source(index)
        with self._lock:
            snapshot = self.store.snapshot()
            self._sync(snapshot)
            places = self._places(snapshot, index, index + 1)
        if not places:
            raise IndexError(index)
        number = places[0][0]
        return self.store.source(snapshot.starts[number])

    def store_index(self, index: int) -> int:
        """The store row behind view row ``index`` (to find it again after a filter changes)."""
        if self.passthrough:
            return index
        with self._lock:
            snapshot = self.store.snapshot()
            self._sync(snapshot)
            places = self._places(snapshot, index, index + 1)
        if not places:
            raise IndexError(index)
        number, offset = places[0]
        return snapshot.starts[number] + offset

    def index_of(self, store_index: int) -> int | None:
        """Where store row ``store_index`` is in this view, or None when it does not match."""
        if self.passthrough:
            return store_index if 0 <= store_index < len(self.store) else None
        self.refresh()
        # pyarrow.compute's own ``index`` (a function over the kernel, not the kernel): the
        # TUI's path, which imports pyarrow.compute anyway.
        import pyarrow.compute as arrow

        absolute = store_index + self.store.dropped
        with self._lock:
            if self._order is not None:
                found = arrow.index(self._order, pa.scalar(absolute, self._order.type)).as_py()
                if found >= 0:
                    return int(found)
                base = len(self._order)
                for chunk in self._unsorted:
                    found = arrow.index(chunk, pa.scalar(absolute, chunk.type)).as_py()
                    if found >= 0:
                        return base + int(found)
                    base += len(chunk)
                return None
            for number, part in enumerate(self._parts):
                if part.start <= absolute < part.start + part.length:
                    offset = absolute - part.start
                    found = arrow.index(part.offsets, pa.scalar(offset, part.offsets.type)).as_py()
                    return None if found < 0 else self._counts[number] + int(found)
        return None

    def batches(self) -> list[pa.RecordBatch]:
        """The matching records as record batches in view order (export, aggregates)."""
        if self.passthrough:
            return self.store.batches()
        return list(self.iter_batches())

    def iter_batches(self, start: int = 0, stop: int | None = None,
                     size: int = 1 << 16) -> Iterator[pa.RecordBatch]:
        """View rows ``start``..``stop`` as record batches in view order, made as they are
        read (an export of millions of sorted rows never holds them all at once).

        Unsorted, they are the matching rows of each store batch; sorted, rows are gathered
        ``size`` at a time from the store's batches cast to one schema (Arrow's take over
        chunks), not looked up one by one."""
        for batch, _absent in self.iter_gathered(start, stop, size, marked=False):
            yield batch

    def iter_gathered(self, start: int = 0, stop: int | None = None, size: int = 1 << 16,
                      *, marked: bool = True) -> Iterator[tuple[pa.RecordBatch, Absent]]:
        """As ``iter_batches``, each batch with which of its rows lack which of its columns
        (``{name: booleans}``, only for columns some row lacks): a sorted view gathers rows
        of several formats into one schema, where a field a row's format does not log and a
        ``-`` it logged are both null. JSON lines keep them apart (``write_gathered``)."""
        if self.passthrough:
            snapshot = self.store.snapshot()
            for batch in _slices(snapshot.batches, start, snapshot.length if stop is None
                                 else stop):
                yield batch, {}
            return
        self.refresh()
        if self.stale and self.auto_sort:
            self.sort_now()
        with self._lock:
            snapshot = self.store.snapshot()
            self._sync(snapshot)
            stop = self._matched if stop is None else min(stop, self._matched)
            if self._order is None and not self._unsorted:
                parts = [pc.take(snapshot.batches[n], part.offsets)
                         for n, part in enumerate(self._parts) if len(part.offsets)]
                order = None
            else:
                chunks = ([self._order] if self._order is not None else []) + self._unsorted
                order = pa.chunked_array([pc.cast(c, pa.uint64()) for c in chunks], pa.uint64())
        if order is None:  # each batch one store batch's rows, with its own columns
            for batch in _slices(parts, start, stop):
                yield batch, {}
            return
        if start >= stop:
            return
        from flowtui.export import conform, unified_schema

        schema = unified_schema(snapshot.batches)
        table = pa.Table.from_batches([conform(b, schema) for b in snapshot.batches],
                                      schema=schema).unify_dictionaries()
        lacking = _lacking(snapshot.batches, schema) if marked else {}
        origin = pa.chunked_array(  # the store batch of each row of ``table``
            [pa.repeat(pa.scalar(n, pa.uint32()), b.num_rows)
             for n, b in enumerate(snapshot.batches)], pa.uint32()) if lacking else None
        first = pa.scalar(snapshot.dropped, pa.uint64())
        for position in range(start, stop, size):
            absolute = order.slice(position, min(size, stop - position))
            rows = pc.subtract(absolute, first)
            batch = pc.take(table, rows).combine_chunks().to_batches()[0]
            if origin is None:
                yield batch, {}
                continue
            of = pc.take(origin, rows).combine_chunks()
            yield batch, {name: pc.take(lacks, of) for name, lacks in lacking.items()}

    # --- following the store

    def refresh(self) -> bool:
        """Take in what changed in the store since the last call; True when the view changed."""
        if self.passthrough:
            return False
        with self._lock:
            return self._sync(self.store.snapshot())

    def _sync(self, snapshot: StoreSnapshot) -> bool:
        with self._lock:
            if snapshot.generation == self._store_generation:
                return False
            self._store_generation = snapshot.generation
            changed = False
            if snapshot.resets != self._resets:
                self._resets = snapshot.resets
                self._start_over()
                changed = True
            if snapshot.dropped != self._store_dropped:
                self._drop_before(snapshot.dropped)
                self._store_dropped = snapshot.dropped
                changed = True
            first = len(self._parts)
            # All new batches at once: the predicate runs its kernels over runs of them.
            found = self._predicate.offsets(snapshot.batches[first:])
            for number, offsets in enumerate(found, first):
                batch = snapshot.batches[number]
                start = snapshot.dropped + snapshot.starts[number]
                self._parts.append(_Part(start, batch.num_rows, offsets))
                self._counts.append(self._matched)
                self._matched += len(offsets)
                if self.sorted and len(offsets):
                    self._unsorted.append(_absolute(start, offsets))
                changed = changed or len(offsets) > 0
            if changed:
                self.generation += 1
            return changed

    def _start_over(self) -> None:
        self._parts, self._counts, self._matched = [], [], 0
        self._order, self._unsorted = None, []
        self.dropped = 0
        self._store_dropped = self.store.dropped
        self.order_generation += 1

    def _drop_before(self, dropped: int) -> None:
        """The store forgot rows below absolute number ``dropped``."""
        gone = 0
        while self._parts and self._parts[0].start + self._parts[0].length <= dropped:
            gone += len(self._parts.pop(0).offsets)
        if self._parts and self._parts[0].start < dropped:
            first = self._parts[0]
            cut = dropped - first.start
            keep = pc.greater_equal(first.offsets, pa.scalar(cut, first.offsets.type))
            kept = pc.subtract(pc.filter(first.offsets, keep), pa.scalar(cut, first.offsets.type))
            gone += len(first.offsets) - len(kept)
            self._parts[0] = _Part(dropped, first.length - cut, kept)
        self._matched -= gone
        self._counts = []
        total = 0
        for part in self._parts:
            self._counts.append(total)
            total += len(part.offsets)
        if self._order is not None or self._unsorted:
            limit = pa.scalar(dropped, pa.uint64())
            if self._order is not None:
                self._order = pc.filter(self._order, pc.greater_equal(
                    pc.cast(self._order, pa.uint64()), limit))
            self._unsorted = [pc.filter(c, pc.greater_equal(pc.cast(c, pa.uint64()), limit))
                              for c in self._unsorted]
            self._unsorted = [c for c in self._unsorted if len(c)]
            self.order_generation += 1
        else:
            self.dropped += gone

    # --- sorting

    def sort_now(self) -> None:
        """Put every matching row in the query's order (stable: ties keep load order; nulls
        last whichever the direction). Blocking: the TUI calls it from a worker."""
        if not self.sorted:
            return
        self.refresh()
        with self._lock:
            snapshot = self.store.snapshot()
            parts = list(self._parts)
        order = _sorted_order(snapshot, parts, self.query.sort)
        with self._lock:
            self.refresh()
            if self.store.dropped != snapshot.dropped:
                limit = pa.scalar(self.store.dropped, pa.uint64())
                order = pc.filter(order, pc.greater_equal(pc.cast(order, pa.uint64()), limit))
            # Rows that came while sorting stay at the end, unsorted, until the next sort.
            self._unsorted = _last(self._unsorted, self._matched - len(order))
            self._order = order
            self.order_generation += 1
            self.generation += 1

    # --- places

    def _places(self, snapshot: StoreSnapshot, start: int, stop: int) -> list[tuple[int, int]]:
        """(store batch number, offset) of view rows ``start``..``stop``."""
        if start >= stop:
            return []
        first_absolute = snapshot.dropped
        starts = [first_absolute + s for s in snapshot.starts]
        if self.sorted and (self._order is not None or self._unsorted):
            absolute = self._absolute_slice(start, stop)
            places = []
            for value in absolute:
                number = bisect.bisect_right(starts, value) - 1
                places.append((number, value - starts[number]))
            return places
        places = []
        part_number = bisect.bisect_right(self._counts, start) - 1
        position = start
        while position < stop and part_number < len(self._parts):
            part = self._parts[part_number]
            begin = position - self._counts[part_number]
            end = min(len(part.offsets), begin + stop - position)
            shift = part.start - starts[part_number] if part_number < len(starts) else 0
            for offset in part.offsets.slice(begin, end - begin).to_pylist():
                places.append((part_number, offset + shift))
            position += end - begin
            part_number += 1
        return places

    def _absolute_slice(self, start: int, stop: int) -> list[int]:
        chunks = ([self._order] if self._order is not None else []) + self._unsorted
        if self._order is None:
            # Never sorted yet: every part's matches in load order, then the rest.
            chunks = self._unsorted
        out: list[int] = []
        position = 0
        for chunk in chunks:
            if position >= stop:
                break
            end = position + len(chunk)
            if end > start:
                lo = max(start - position, 0)
                hi = min(stop - position, len(chunk))
                out.extend(chunk.slice(lo, hi - lo).to_pylist())
            position = end
        return out


# --- helpers ---------------------------------------------------------------------------------

def _absolute(start: int, offsets: pa.Array) -> pa.Array:
    wide = pc.add(pc.cast(offsets, pa.uint64()), pa.scalar(start, pa.uint64()))
    return _narrow_positions(wide)


def _narrow_positions(values: pa.Array) -> pa.Array:
    if len(values) and pc.max(values).as_py() < 2**32:
        return pc.cast(values, pa.uint32())
    return values


def _last(chunks: list[pa.Array], count: int) -> list[pa.Array]:
    """The last ``count`` rows of ``chunks``."""
    out: list[pa.Array] = []
    for chunk in reversed(chunks):
        if count <= 0:
            break
        take = min(count, len(chunk))
        out.insert(0, chunk.slice(len(chunk) - take))
        count -= take
    return out


def _sorted_order(snapshot: StoreSnapshot, parts: Sequence[_Part],
                  keys: Sequence[SortKey]) -> pa.Array:
    """Absolute row numbers of the matches in ``parts``, ordered by ``keys``."""
    first_absolute = snapshot.dropped
    starts = [first_absolute + s for s in snapshot.starts]
    columns: dict[str, list[pa.Array]] = {f"k{i}": [] for i in range(len(keys))}
    absolute: list[pa.Array] = []
    for number, part in enumerate(parts):
        if not len(part.offsets) or number >= len(snapshot.batches):
            continue
        batch = snapshot.batches[number]
        offsets = part.offsets
        shift = part.start - starts[number]
        if shift:
            offsets = pc.add(pc.cast(offsets, pa.uint32()), pa.scalar(shift, pa.uint32()))
        for i, key in enumerate(keys):
            columns[f"k{i}"].append(_sort_column(batch, key.field, offsets))
        absolute.append(pc.cast(_absolute(starts[number], offsets), pa.uint64()))
    if not absolute:
        return pa.array([], pa.uint32())
    table = pa.table({name: _one_column(chunks) for name, chunks in columns.items()}
                     | {"row": pa.chunked_array(absolute)})
    sort_keys = [(f"k{i}", "descending" if key.descending else "ascending")
                 for i, key in enumerate(keys)]
    # Arrow's sort is stable and the rows are in load order: ties keep it; nulls go last.
    permutation = None
    if len(keys) == 1:
        permutation = split_order(table.column("k0").combine_chunks(), keys[0].descending)
    if permutation is None:
        permutation = pc.sort_indices(table, sort_keys=sort_keys)
    ordered = pc.take(table.column("row"), permutation).combine_chunks()
    return _narrow_positions(ordered)


#: Rows from which one key is sorted in two halves on two threads (fewer sort quickly).
SPLIT_MIN_ROWS = 1 << 20


def split_order(values: pa.Array, descending: bool = False) -> pa.Array | None:
    """The stable order of an integer array, missing values last, as ``sort_indices`` gives
    it, sorted as two halves on two threads; None when the values are not integers or are
    few (Arrow's own sort is then quick enough).

    Why: Arrow sorts one column on one thread (10M byte counters: about 1.7 s of CPU). The
    rows are cut at a pivot value near the median into those that come first and the rest
    (missing values with the rest), each half keeping row order; each half is sorted on its
    own thread (Arrow's kernels release the GIL), and the two orders placed end to end are
    the whole order: equal values always fall in the same half, so ties keep row order.
    """
    if not pa.types.is_integer(values.type) or len(values) < SPLIT_MIN_ROWS:
        return None
    step = max(1, len(values) // 4096)
    sample = pc.take(values, pc.multiply(_all_rows(len(values) // step),
                                         pa.scalar(step, pa.uint32())))
    sample = pc.filter(sample, pc.is_valid(sample))
    if not len(sample):
        return None  # (nearly) all missing: one sort will do
    pivot = pc.take(sample, pc.array_sort_indices(sample))[len(sample) // 2]
    first = (pc.greater_equal(values, pivot) if descending else pc.less(values, pivot))
    first = pc.fill_null(first, False)
    parts = [pc.indices_nonzero(first), pc.indices_nonzero(pc.invert(first))]
    order = "descending" if descending else "ascending"
    from concurrent.futures import ThreadPoolExecutor

    def sort_part(rows: pa.Array) -> pa.Array:
        return pc.take(rows, pc.array_sort_indices(pc.take(values, rows), order=order))

    with ThreadPoolExecutor(2, "flowtui-sort") as pool:
        halves = list(pool.map(sort_part, parts))
    return pa.concat_arrays([pc.cast(h, pa.uint64()) for h in halves])


def first_sorted(batch: pa.RecordBatch, keys: Sequence[SortKey], count: int
                 ) -> pa.RecordBatch:
    """The first ``count`` rows of ``batch`` in the order of ``keys``, as a sorted view
    orders them (stable, missing values last): a top-k of each batch, so that the first
    ``count`` of many batches is the first ``count`` of their kept rows."""
    if batch.num_rows <= count:
        return batch
    return pc.take(batch, first_sorted_rows(batch, keys, count))


def first_sorted_rows(batch: pa.RecordBatch, keys: Sequence[SortKey], count: int
                      ) -> pa.Array:
    """The row numbers of ``first_sorted``, in its order.

    A selection, not a sort (a heap of ``count``: a few times faster than sorting a block
    of 18k rows to keep 20): ``select_k_unstable`` with the row number as the last key,
    which makes it the stable sort's first ``count``, ties in row order."""
    offsets = _all_rows(batch.num_rows)
    table = pa.table({f"k{i}": _sort_column(batch, key.field, offsets)
                      for i, key in enumerate(keys)} | {"row": offsets})
    sort_keys = [(f"k{i}", "descending" if key.descending else "ascending")
                 for i, key in enumerate(keys)] + [("row", "ascending")]
    if count >= batch.num_rows:
        return pc.sort_indices(table, sort_keys=sort_keys)
    return pc.select_k_unstable(table, count, sort_keys=sort_keys)


def _all_rows(count: int) -> pa.Array:
    """Offsets 0 … count-1 (uint32)."""
    ones = pa.repeat(pa.scalar(1, pa.uint32()), count)
    return pc.subtract(pc.cumulative_sum(ones), pa.scalar(1, pa.uint32()))


def _sort_column(batch: pa.RecordBatch, name: str, offsets: pa.Array) -> pa.Array:
    index = batch.schema.get_field_index(name)
    if index < 0:
        return pa.nulls(len(offsets), pa.int64() if name not in ADDRESS_FIELDS else pa.binary())
    column = batch.column(index)
    every_row = len(offsets) == batch.num_rows  # offsets are ascending: all rows, in order
    if pa.types.is_dictionary(column.type):
        values = column.dictionary
        if name in ADDRESS_FIELDS:
            values = _address_keys(values)
        elif not pa.types.is_string(values.type):
            values = pc.cast(values, pa.string())
        return pc.take(values, column.indices if every_row else pc.take(column.indices, offsets))
    taken = column if every_row else pc.take(column, offsets)
    if name in ADDRESS_FIELDS:
        return _address_keys(pc.cast(taken, pa.string()))
    return taken


def _one_column(chunks: list[pa.Array]) -> pa.Array:
    """One contiguous sort key (Arrow sorts one array faster than many chunks); integers
    narrowed differently per batch meet as int64."""
    types = {chunk.type for chunk in chunks}
    if len(types) > 1:
        chunks = [pc.cast(c, pa.int64()) if pa.types.is_integer(c.type) else c for c in chunks]
    return pa.chunked_array(chunks).combine_chunks()


def _address_keys(values: pa.Array) -> pa.Array:
    """Addresses as bytes that sort numerically (10.0.0.9 before 10.0.0.10; IPv4 before IPv6);
    text that is not an address sorts after both, as text."""
    keys: list[bytes | None] = []
    for text in values.to_pylist():
        if text is None:
            keys.append(None)
            continue
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            keys.append(b"\x07" + text.encode("utf-8", "replace"))
            continue
        keys.append(bytes([address.version]) + address.packed)
    return pa.array(keys, pa.binary())


def _lacking(batches: Sequence[pa.RecordBatch], schema: pa.Schema) -> dict[str, pa.Array]:
    """For each column some batch lacks: per batch, whether it lacks it."""
    lacking = {}
    names = [set(batch.schema.names) for batch in batches]
    for name in schema.names:
        lacks = [name not in has for has in names]
        if any(lacks):
            lacking[name] = pa.array(lacks, pa.bool_())
    return lacking


def _slices(batches: Sequence[pa.RecordBatch], start: int, stop: int
            ) -> Iterator[pa.RecordBatch]:
    """Rows ``start``..``stop`` of ``batches`` taken end to end."""
    position = 0
    for batch in batches:
        if position >= stop:
            return
        end = position + batch.num_rows
        if end > start:
            lo = max(start - position, 0)
            hi = min(stop - position, batch.num_rows)
            if hi > lo:
                yield batch.slice(lo, hi - lo)
        position = end

