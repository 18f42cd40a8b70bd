"""A column of record values as text, with Arrow kernels: the part of the writers
(``output.py``) that makes each column's cells without a Python string per value.

A dictionary column is rendered once per distinct value and taken into rows; small integers
(ports, protocols) through a cached table of every value's text; wider integers whose values
lie close together (a batch's times) through a table of the batch's range; strings are
checked for what a format must escape over the column's bytes at once. The tables of
close-together integers and of small dictionaries are kept for the next batches (a time
range, ``action``'s values), so their padded, decorated forms are made once, not per batch.
``TextStyle`` says how one format (table, CSV, JSON lines) renders values; ``Cells`` is a
column's text, and ``join_lines`` joins the columns into lines in one kernel call.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from flowtui import arrowcompute as pc


@dataclass(frozen=True)
class TextStyle:
    """How one output format renders a column's values as text."""

    null: str  # the text of a missing value
    unsafe: str  # RE2 class of characters that send a string value through ``escape``
    escape: Callable[[str], str]  # the whole rendering of such a value, in Python
    plain: Callable[[pa.Array], pa.Array]  # the rendering of the other string values
    others: Callable[[pa.Array], pa.Array]  # neither integer nor string: values to text
    # Printable ASCII that still goes through ``escape`` (JSON's quote and backslash).
    also_unsafe: tuple[str, ...] = ()
    # What the line's join puts around a string value that needs no escaping (JSON's quotes),
    # instead of a pass over the column that adds them.
    quote: str = ""


@dataclass(frozen=True)
class Cells:
    """A column's text: ``values`` (no nulls) picked by ``indices``, or one per row.

    ``key`` names values shared by every batch (the text of every small integer), so that
    their decorated forms are made once, not once per batch.
    """

    values: pa.Array
    indices: pa.Array | None = None
    key: tuple[object, ...] | None = None
    # The text before and after each value (``values`` has no nulls then); of a table
    # (``indices``), of each entry but the last, which is the null text (a dictionary's).
    around: str = ""

    def rows(self, count: int | None = None) -> pa.Array:
        """The text of every row (or of the first ``count``)."""
        if self.indices is None:
            values = self.values if count is None else self.values.slice(0, count)
            if self.around:
                values = pc.binary_join_element_wise(self.around, values, self.around, "")
            return values
        indices = self.indices if count is None else self.indices.slice(0, count)
        table = decorated_table(self, "", "") if self.around else self.values
        return pc.take(table, indices)

    def parts(self, prefix: str, suffix: str, width: int = 0) -> list[pa.Array | str]:
        """Each row padded to ``width`` characters, between ``prefix`` and ``suffix``, as
        arguments for one join: a shared table is decorated once (cached across batches
        when it is the same table), one value per row is decorated by the join itself."""
        if self.indices is None:
            values = pc.utf8_rpad(self.values, width) if width else self.values
            return [part for part in (prefix + self.around, values, self.around + suffix)
                    if not isinstance(part, str) or part]
        return [pc.take(decorated_table(self, prefix, suffix, width), self.indices)]


def decorated_table(cells: Cells, prefix: str, suffix: str, width: int = 0) -> pa.Array:
    """The table of a column's text (``cells.values``, picked by ``cells.indices``), each
    value padded to ``width`` and put between ``prefix`` and ``suffix``; kept for the next
    batches when the table is one they share (``cells.key``)."""
    key = None if cells.key is None else (*cells.key, prefix, suffix, width)
    values = _decorated_cache.get(key) if key is not None else None
    if values is not None:
        return values
    if cells.around:
        # Quoted and decorated in one join (a batch's addresses: thousands of values each
        # batch); the null text, last, unquoted.
        assert not width and cells.indices is not None
        last = len(cells.values) - 1
        values = pa.concat_arrays([
            pc.binary_join_element_wise(prefix + cells.around, cells.values.slice(0, last),
                                        cells.around + suffix, ""),
            pa.array([prefix + cells.values[last].as_py() + suffix], pa.string())])
    else:
        values = pc.utf8_rpad(cells.values, width) if width else cells.values
        if prefix or suffix:
            values = pc.binary_join_element_wise(prefix, values, suffix, "")
    # Kept (a small dictionary seen again, ``action`` or an account, is quoted and decorated
    # once, and so is the table of its pairs with a neighbour's: ``linebytes._pair``).
    if key is not None:
        if len(_decorated_cache) >= MAX_CACHED_TABLES:
            _decorated_cache.clear()
        _decorated_cache[key] = values
    return values


MAX_CACHED_TABLES = 256
MAX_SPAN = 1 << 16  # the widest range of values _span_cells makes a table of
LOOKUP_MIN_SHARE = 4  # a lookup table is made for a column of 1/16 of its size or more
STRING_TYPES = (pa.string(), pa.large_string())
BINARY_TYPES = (pa.binary(), pa.large_binary())
_LOOKUP_TYPES = (pa.uint8(), pa.uint16(), pa.int8(), pa.int16())
_lookup_cache: dict[tuple[object, ...], pa.Array] = {}
_decorated_cache: dict[tuple[object, ...], pa.Array] = {}
MAX_CACHED_DICTIONARY = 1024  # values of a dictionary whose text is kept for the next batches
_dictionary_cache: dict[tuple[object, ...],
                        list[tuple[pa.Array, pa.Array, tuple[object, ...], str]]] = {}
_dictionary_serial = itertools.count()
MAX_CACHED_SPANS = 4  # ranges kept per integer type (start, end, packets share uint32)
_span_cache: dict[tuple[object, ...], list[tuple[int, int, pa.Array]]] = {}
_SPANS_LOCK = threading.Lock()


def column_cells(column: pa.Array, style: TextStyle) -> Cells:
    kind = column.type
    if pa.types.is_dictionary(kind):
        table, key, around = _dictionary_text(column.dictionary, style)
        return Cells(table, _filled_indices(column.indices, len(table) - 1), key, around)
    key = (kind, style.null)
    table = _lookup_cache.get(key)
    # Ports, protocols, versions: a table of every value's text, made once for the first
    # batch long enough to pay for it (a small first batch, the first rows of a load,
    # is not kept waiting while 65,536 texts are made and padded).
    if kind in _LOOKUP_TYPES and (table is not None
                                  or len(column) << LOOKUP_MIN_SHARE >= 1 << kind.bit_width):
        low = -(1 << (kind.bit_width - 1)) if pa.types.is_signed_integer(kind) else 0
        if table is None:
            every = pa.array(range(low, low + (1 << kind.bit_width)), kind)
            table = _lookup_cache[key] = pa.concat_arrays(
                [pc.cast(every, pa.string()), pa.array([style.null], pa.string())])
        indices = column if not low else pc.subtract(pc.cast(column, pa.int32()), low)
        return Cells(table, _filled_indices(indices, len(table) - 1), key)
    if pa.types.is_integer(kind):
        return _span_cells(column, style) or Cells(pc.fill_null(pc.cast(column, pa.string()),
                                                                 style.null))
    if kind in STRING_TYPES:
        if style.quote and not column.null_count and plain_ascii(column, style.also_unsafe):
            return Cells(column, around=style.quote)  # the join quotes: no pass here
        text = rendered(column, style)
        return Cells(pc.fill_null(text, style.null) if text.null_count else text)
    return Cells(style.others(column))


def _dictionary_text(dictionary: pa.Array, style: TextStyle
                     ) -> tuple[pa.Array, tuple[object, ...] | None, str]:
    """The text of a dictionary's values and of null (last), a key naming it, and the text
    around each value but the null's (JSON's quotes, for plain values: put on as the table
    is decorated, not in a pass of their own). A small dictionary equal to one seen lately
    (``action``, ``log-status``, an account's, batch after batch) reuses that one's text
    and key, so its padded, decorated forms are not made again for each batch."""
    small = len(dictionary) <= MAX_CACHED_DICTIONARY
    bucket = _dictionary_cache.setdefault((id(style), dictionary.type, len(dictionary)),
                                          []) if small else []
    for seen, table, key, around in bucket:
        if seen.equals(dictionary):
            return table, key, around
    cells = column_cells(dictionary, style)
    around = cells.around
    values = cells.values if around else cells.rows()
    table = pa.concat_arrays([values, pa.array([style.null], pa.string())])
    if not small:
        return table, None, around
    if len(_dictionary_cache) > MAX_CACHED_TABLES:
        _dictionary_cache.clear()
    key = ("dictionary", next(_dictionary_serial))
    bucket.insert(0, (dictionary, table, key, around))
    del bucket[MAX_CACHED_SPANS:]
    return table, key, around


def _span_cells(column: pa.Array, style: TextStyle) -> Cells | None:
    """Wider integers whose values lie close together (a batch's start and end times,
    packet counts) as a table of the text of every value between the least and the
    greatest, taken into rows: the table is padded and decorated once, then one take per
    column instead of a cast, a padding pass and a separator argument to the join. None
    when the values spread wider than the rows (bytes).

    The table is kept for the next batches (a few ranges per type): it covers half the
    batch's range again on either side, so the times of the next blocks, which move on
    a little, are found in it, and its padded, decorated forms are made once."""
    bounds = pc.min_max(column)
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    if low is None:
        return None
    kind = column.type
    with _SPANS_LOCK:  # the writing threads share the ranges (BackgroundWriter)
        spans = _span_cache.setdefault((kind, style.null), [])
        found = next((span for span in spans if span[0] <= low and high <= span[1]), None)
        if found is not None:
            spans.remove(found)
            spans.insert(0, found)
    if found is not None:
        first, last, table = found
    else:
        if high - low >= min(len(column) // 2, MAX_SPAN):
            return None
        first, last = low, high
        if kind.bit_width >= 32:  # smaller ones have their lookup tables
            margin = (high - low + 1) // 2
            least, most = _integer_range(kind)
            first, last = max(low - margin, least), min(high + margin, most)
        wide = pa.uint64() if kind == pa.uint64() else pa.int64()
        every = pc.add(pc.cast(counting(last - first + 1), wide), pa.scalar(first, wide))
        table = pa.concat_arrays([pc.cast(every, pa.string()),
                                  pa.array([style.null], pa.string())])
        with _SPANS_LOCK:
            spans.insert(0, (first, last, table))
            del spans[MAX_CACHED_SPANS:]
    indices = pc.subtract(column, pa.scalar(first, kind))
    return Cells(table, _filled_indices(indices, len(table) - 1),
                 ("span", kind, style.null, first, last))


def _integer_range(kind: pa.DataType) -> tuple[int, int]:
    if pa.types.is_signed_integer(kind):
        return -(1 << (kind.bit_width - 1)), (1 << (kind.bit_width - 1)) - 1
    return 0, (1 << kind.bit_width) - 1


def plain_ascii(values: pa.Array, also: tuple[str, ...] = ()) -> bool:
    """Whether every value of a string array is printable ASCII (space to ``~``) holding
    none of ``also``: then no format escapes any of them. Checked over the array's bytes
    at once, one kernel call, not value by value (a row-by-row regex over a column of a
    million plain strings costs more than writing it)."""
    if values.type != pa.string():
        return False
    if not len(values):
        return True
    _validity, offsets, data = values.buffers()
    if data is None:
        return True
    offset = memoryview(offsets).cast("i")  # int32 offsets of a string array
    start, end = offset[values.offset], offset[values.offset + len(values)]
    if end > start:
        # Printable ASCII is every byte from space to "~": the least and the greatest byte
        # tell, and min_max over bytes runs in SIMD (ascii_is_printable over the same bytes
        # as one value took 2.4 times as long: a fifth of the CSV writer's CPU).
        bytes_ = pa.Array.from_buffers(pa.uint8(), end - start, [None, data], offset=start)
        least, greatest = (value.as_py() for value in pc.min_max(bytes_).values())
        if least < 0x20 or greatest > 0x7E:
            return False
    if not also:
        return True
    text = memoryview(data)[start:end].tobytes()  # Python's byte search is memchr-fast
    return not any(needle.encode() in text for needle in also)


def _filled_indices(indices: pa.Array, null_index: int) -> pa.Array:
    """Indices with nulls pointing at the extra entry that holds the null text."""
    if not indices.null_count:
        return indices
    return pc.fill_null(pc.cast(indices, pa.int32()), null_index)


def rendered(values: pa.Array, style: TextStyle) -> pa.Array:
    """String values rendered by ``style`` (nulls kept): those holding a character of
    ``style.unsafe`` through its Python ``escape``, the rest with kernels."""
    if values.type != pa.string():
        values = pc.cast(values, pa.string())
    out = style.plain(values)
    if plain_ascii(values, style.also_unsafe):
        return out
    unsafe = pc.match_substring_regex(values, style.unsafe)
    if pc.any(unsafe).as_py():
        unsafe = pc.fill_null(unsafe, False)
        escaped = [style.escape(value) for value in pc.filter(values, unsafe).to_pylist()]
        out = pc.replace_with_mask(out, unsafe, pa.array(escaped, pa.string()))
    return out


def python_text(column: pa.Array) -> pa.Array:
    """Values as Python prints them (``True``, ``2024-03-05 14:00:00``), as text."""
    return pa.array([None if value is None else str(value) for value in column.to_pylist()],
                    pa.string())


def line_parts(cells: list[Cells], texts: list[str], widths: list[int] | None = None
               ) -> list[pa.Array | str]:
    """The join's arguments for lines of ``texts[0]``, the first column's cell, ``texts[1]``,
    … the last cell, ``texts[-1]`` (one text more than columns), each cell padded to its
    width. A text goes into the decorated table of the column after it, else of the one
    before it, when that column has one (a table is decorated once, cached across batches;
    a text left on its own costs the join a pass over the rows: the separator before a
    column of wide integers such as ``bytes``)."""
    count = len(cells)
    prefixes, suffixes, loose = placed_texts(cells, texts)
    parts: list[pa.Array | str] = []
    for index, column in enumerate(cells):
        if loose[index]:
            parts.append(loose[index])
        parts += column.parts(prefixes[index], suffixes[index],
                              widths[index] if widths else 0)
    if loose[count]:
        parts.append(loose[count])
    return parts


def placed_texts(cells: list[Cells], texts: list[str]
                 ) -> tuple[list[str], list[str], list[str]]:
    """Where each of ``texts`` (one more than ``cells``: before the first cell, between
    cells, after the last) goes: the prefix of the column after it when that column has a
    decorated table, else the suffix of the one before it when that one has, else loose (a
    piece of its own). Returns (prefixes, suffixes, loose)."""
    count = len(cells)
    prefixes, suffixes, loose = [""] * count, [""] * count, [""] * (count + 1)
    for index, text in enumerate(texts):
        if index < count and cells[index].indices is not None:
            prefixes[index] = text
        elif index > 0 and cells[index - 1].indices is not None:
            suffixes[index - 1] = text
        else:
            loose[index] = text
    return prefixes, suffixes, loose


def join_lines(parts: list[pa.Array | str]) -> pa.Array:
    """One kernel call joins every column's text into lines; neighbouring constant texts
    (a separator and the next key) are merged first, as each argument costs a pass."""
    merged: list[pa.Array | str] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    return pc.binary_join_element_wise(*merged, "")


_counted: list[pa.Array] = [pa.array([], pa.int64())]


def counting(count: int) -> pa.Array:
    """0, 1, … count - 1 as int64, sliced from a cached array (made with one kernel call
    when it grows, not from a Python range)."""
    counted = _counted[0]  # read once: another writing thread may replace it
    if len(counted) < count:
        size = max(count, 1 << 16)
        counted = _counted[0] = pc.subtract(
            pc.cumulative_sum(pa.repeat(pa.scalar(1, pa.int64()), size)), pa.scalar(1, pa.int64()))
    return counted.slice(0, count)


DIGIT_SPLIT = 1000  # a 16-bit value's text as the text of value // 1000 and of the rest
_digit_tables: dict[tuple[object, ...], tuple[pa.Array, pa.Array, pa.Array, pa.Array]] = {}


def digit_cells(column: pa.Array, style: TextStyle) -> list[Cells] | None:
    """A uint16 column (ports) as two columns of cells whose texts, one after the other,
    are each value's text: the thousands (none below 1,000), then the rest (three digits
    from 1,000 on). None for other columns.

    Why: the text of every port is a table of 65,536 entries, over 2 MB with its views;
    lines take from it at random, and on 1M records the cache misses cost the JSON lines
    writer about a fifth of its time. The two tables here (67 and 2,001 entries) stay in
    the cache, and a piece more a line costs less than the misses."""
    if column.type != pa.uint16():
        return None
    key = ("digits", style.null)
    tables = _digit_tables.get(key)
    if tables is None:
        high_text = pa.array(["", *(str(n) for n in range(1, 66)), style.null], pa.string())
        low_text = pa.array([*(str(n) for n in range(DIGIT_SPLIT)),
                             *(f"{n:03d}" for n in range(DIGIT_SPLIT)), ""], pa.string())
        # Each value's entries, made with kernels (a Python list of 65,536 costs ~10 ms).
        every = counting(1 << 16)
        split = pa.scalar(DIGIT_SPLIT, pa.int64())
        thousands = pc.divide(every, split)
        rest = pc.subtract(every, pc.multiply(thousands, split))
        padded = pc.multiply(pc.cast(pc.greater_equal(every, split), pa.int64()), split)
        high_of = pc.cast(thousands, pa.uint8())
        low_of = pc.cast(pc.add(rest, padded), pa.uint16())
        tables = _digit_tables[key] = (high_text, low_text, high_of, low_of)
    high_text, low_text, high_of, low_of = tables
    # Every uint16 is an index into the 65,536 entries: in bounds by construction.
    high = pc.take(high_of, column, boundscheck=False)
    low = pc.take(low_of, column, boundscheck=False)
    return [Cells(high_text, _filled_indices(high, len(high_text) - 1), ("digits-high", *key)),
            Cells(low_text, _filled_indices(low, len(low_text) - 1), ("digits-low", *key))]
