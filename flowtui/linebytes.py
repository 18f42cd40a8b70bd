"""A batch's lines as one run of bytes, put together with two takes and one copy instead
of a take per column and a join.

Why: the JSON lines and table writers made each column's text (``columntext.py``: a table of texts
and each row's index into it), took every column into rows (~12-16 ns a cell) and joined
the columns row by row with Arrow's ``binary_join_element_wise`` (~15 ns per argument per
row). Here nothing is taken into rows per column and nothing is joined: every piece of
every line (a column's decorated table, a column of values, a text that is the same on
every line) is an array of string views, laid end to end; the indices of each line's
pieces are put in line order (row 0's pieces, then row 1's, …) with one integer take
through a kept order; the views are taken in that order as 16-byte values (no text is
copied); and one cast copies the text of the views, in order, into a string array whose
data is the lines themselves. Two neighbouring kept tables that pair up in few ways
(``version`` and ``account-id``, ``action`` and ``log-status``) are one table of their
pairs: 12 pieces a default-format line instead of 14. Writer CPU in-process on 1M
default-format records (best of 16, load ~12): 0.595 s with the takes and the join, 0.49 s
here; with batches three times as long, 0.52 and 0.40 s. The table writer's cells are
padded to their widths here (a kept table padded once); its CPU in-process went from 0.49
to 0.40 s (instructions, cachegrind: 4.28 -> 3.18 G per 1M records).

A string view (Arrow's ``string_view``) is 16 bytes: the length, and either the text
itself (12 bytes or fewer) or its first bytes, the index of the data buffer that holds it
and the offset there. Taken as ``binary(16)`` values, views keep their buffer indices, so
the taken views point into the data buffers of the tables laid end to end.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa

from flowtui import arrowcompute as pc
from flowtui.columntext import Cells, counting, decorated_table, placed_texts

MAX_ROWS = 1 << 13  # lines put together at once: bounds the index arrays and the orders kept
_VIEW = pa.string_view()
_SLOT = pa.binary(16)  # a string view as a plain 16-byte value
_INDEX = pa.int32()
_MAX_ORDERS = 8
MAX_KEPT_VIEWS = 64
MAX_PAIRS = 1 << 12  # entries of a kept table of two neighbouring tables' pairs
_pairs: dict[tuple[int, int], tuple[pa.Array, pa.Array, pa.Array]] = {}


@dataclass(frozen=True)
class _Column:
    """A piece of every line from a table: ``table[indices[row]]``, or with ``indices``
    None, ``table[row]`` (a column of values). ``kept``: the table is kept from batch to
    batch (``Cells.key``), so its views can be kept too."""

    table: pa.Array
    indices: pa.Array | None
    kept: bool = False


Piece = _Column | str  # a column's piece, or a text that is the same on every line


def line_bytes(cells: list[Cells], texts: list[str], widths: list[int] | None = None
               ) -> Iterator[pa.Array]:
    """Lines of ``texts[0]``, the first column's cell, ``texts[1]``, … the last cell,
    ``texts[-1]``, each cell padded to its width (``widths``: 0 or none, unpadded), as
    string arrays of the lines, one per ``MAX_ROWS`` rows, in order (the pieces are copied
    into one run of bytes; each line's offset is its first piece's).

    Every table and value given must be a string array without nulls (``column_cells``
    makes them so)."""
    pieces = _paired(_pieces(cells, texts, widths or [0] * len(cells)))
    first = cells[0]
    rows = len(first.values if first.indices is None else first.indices)
    tables, segments = _tables_and_indices(pieces, rows)
    views = pa.concat_arrays(tables)
    buffers = views.buffers()
    slots = pa.Array.from_buffers(_SLOT, len(views), [None, buffers[1]], offset=views.offset)
    for start in range(0, rows, MAX_ROWS):
        count = min(MAX_ROWS, rows - start)
        stride = _stride(count)
        padding = _zeros(stride - count)
        # Concatenated arrays come with a validity bitmap even when none of the parts has
        # one; dropped, the takes after run at five times the speed.
        indices = _without_validity(pa.concat_arrays(
            [part for segment in segments for part in (segment.slice(start, count), padding)]))
        # In bounds by construction (``_order``: below ``stride`` times the pieces, the
        # length of ``indices``), so unchecked; the indices into the tables, from the
        # data, are checked.
        order = pc.take(indices, _order(stride, len(pieces)).slice(0, count * len(pieces)),
                        boundscheck=False)
        taken = pc.take(slots, order)
        lines = pa.Array.from_buffers(_VIEW, len(taken),
                                      [None, taken.buffers()[1], *buffers[2:]],
                                      offset=taken.offset)
        joined = pc.cast(lines, pa.string())
        ends = pa.Array.from_buffers(_INDEX, len(joined) + 1, [None, joined.buffers()[1]],
                                     offset=joined.offset)
        starts = pc.take(ends, _every(len(pieces)).slice(0, count + 1), boundscheck=False)
        yield pa.Array.from_buffers(pa.string(), count,
                                    [None, starts.buffers()[1], joined.buffers()[2]],
                                    offset=starts.offset)


def _pieces(cells: list[Cells], texts: list[str], widths: list[int]) -> list[Piece]:
    """The pieces of a line in order. A text goes into the decorated table of the column
    after it, else of the one before it (a table is decorated once, kept across batches);
    only a text with no table beside it (between two columns of values) is a piece of its
    own, as is the text around a column of values (JSON's quotes)."""
    count = len(cells)
    prefixes, suffixes, loose = placed_texts(cells, texts)
    pieces: list[Piece] = []
    pending = ""
    for index, column in enumerate(cells):
        pending += loose[index]
        if column.indices is None:
            if pending + column.around:
                pieces.append(pending + column.around)
            width = widths[index]
            pieces.append(_Column(pc.utf8_rpad(column.values, width) if width
                                  else column.values, None))
            pending = column.around
            continue
        if pending:
            pieces.append(pending)
            pending = ""
        pieces.append(_Column(decorated_table(column, prefixes[index], suffixes[index],
                                              widths[index]),
                              column.indices, column.key is not None))
    if pending + loose[count]:
        pieces.append(pending + loose[count])
    return pieces


def _paired(pieces: list[Piece]) -> list[Piece]:
    """Two neighbouring kept tables whose texts pair up in few ways (``version`` and
    ``account-id``, ``action`` and ``log-status``) as one kept table of every pair: a
    piece fewer per line saves a take and a copy of every line's piece (~25 ns a record)
    for a few ns of index arithmetic."""
    paired: list[Piece] = []
    for piece in pieces:
        last = paired[-1] if paired else None
        if (isinstance(piece, _Column) and isinstance(last, _Column) and piece.kept
                and last.kept and piece.indices is not None and last.indices is not None
                and len(piece.table) * len(last.table) <= MAX_PAIRS):
            paired[-1] = _pair(last, piece)
        else:
            paired.append(piece)
    return paired


def _pair(first: _Column, second: _Column) -> _Column:
    assert first.indices is not None and second.indices is not None
    width = len(second.table)
    key = (id(first.table), id(second.table))
    seen = _pairs.get(key)
    if seen is not None and seen[0] is first.table and seen[1] is second.table:
        table = seen[2]
    else:
        every = _counting32(len(first.table) * width)
        row = pc.divide(every, pa.scalar(width, _INDEX))
        column = pc.subtract(every, pc.multiply(row, pa.scalar(width, _INDEX)))
        table = pc.binary_join_element_wise(pc.take(first.table, row),
                                            pc.take(second.table, column), "")
        if len(_pairs) >= MAX_KEPT_VIEWS:
            _pairs.clear()
        _pairs[key] = (first.table, second.table, table)
    indices = pc.add(pc.multiply(pc.cast(first.indices, _INDEX), pa.scalar(width, _INDEX)),
                     pc.cast(second.indices, _INDEX))
    return _Column(table, indices, kept=True)


def _tables_and_indices(pieces: list[Piece], rows: int
                        ) -> tuple[list[pa.Array], list[pa.Array]]:
    """Each piece's table as string views, and each row's index into the tables laid end
    to end (int32, without a validity bitmap)."""
    tables: list[pa.Array] = []
    segments: list[pa.Array] = []
    base = 0
    for piece in pieces:
        offset = pa.scalar(base, _INDEX)
        if isinstance(piece, str):
            table = _views(_text_table(piece))
            segment = pc.add(_zeros(rows), offset)
        elif piece.indices is None:
            table = pc.cast(piece.table, _VIEW)
            segment = pc.add(_counting32(rows), offset)
        else:
            table = _views(piece.table) if piece.kept else pc.cast(piece.table, _VIEW)
            segment = pc.add(pc.cast(piece.indices, _INDEX), offset)
        tables.append(table)
        segments.append(_without_validity(segment))
        base += len(table)
    return tables, segments


_kept_views: dict[int, tuple[pa.Array, pa.Array]] = {}  # id(table) -> (table, its views)


def _views(table: pa.Array) -> pa.Array:
    """A table kept from batch to batch (or a constant text) as string views, made once."""
    seen = _kept_views.get(id(table))
    if seen is not None and seen[0] is table:
        return seen[1]
    views = pc.cast(table, _VIEW)
    if len(_kept_views) >= MAX_KEPT_VIEWS:
        _kept_views.clear()
    _kept_views[id(table)] = (table, views)
    return views


def _stride(rows: int) -> int:
    """Room for one piece's indices: a power of two (few orders to keep) and one cache
    line more, so the runs of the pieces' indices, read side by side by the take, do not
    fall into the same cache sets (a power of two apart, the take ran at a third of its
    speed)."""
    return (1 << max(10, (rows - 1).bit_length())) + 16


_orders: dict[tuple[int, int], pa.Array] = {}


def _order(stride: int, count: int) -> pa.Array:
    """Positions, in the pieces' indices laid out one piece after another ``stride``
    apart, of line 0's pieces, then line 1's, …: ``piece * stride + row`` at
    ``row * count + piece``. Kept: a few batch sizes and formats."""
    key = (stride, count)
    order = _orders.get(key)
    if order is None:
        position = _counting32(stride * count)
        row = pc.divide(position, pa.scalar(count, _INDEX))
        piece = pc.subtract(position, pc.multiply(row, pa.scalar(count, _INDEX)))
        order = _without_validity(pc.add(pc.multiply(piece, pa.scalar(stride, _INDEX)), row))
        if len(_orders) >= _MAX_ORDERS:
            _orders.clear()
        _orders[key] = order
    return order


_steps: dict[int, pa.Array] = {}


def _every(step: int) -> pa.Array:
    """0, ``step``, 2 ``step``, … (``MAX_ROWS`` + 1 of them): where each line's first
    piece is among a run of lines' pieces. Kept: one per number of pieces a line."""
    every = _steps.get(step)
    if every is None:
        if len(_steps) >= _MAX_ORDERS:
            _steps.clear()
        every = _steps[step] = _without_validity(pc.multiply(_counting32(MAX_ROWS + 1),
                                                             pa.scalar(step, _INDEX)))
    return every


_zeroed: list[pa.Array] = [pa.array([], _INDEX)]


def _zeros(count: int) -> pa.Array:
    zeroed = _zeroed[0]  # read once: another writing thread may replace it
    if len(zeroed) < count:
        zeroed = _zeroed[0] = _without_validity(pc.multiply(_counting32(count),
                                                            pa.scalar(0, _INDEX)))
    return zeroed.slice(0, count)


def _counting32(count: int) -> pa.Array:
    return _without_validity(pc.cast(counting(count), _INDEX))


def _without_validity(values: pa.Array) -> pa.Array:
    """The same integers without a validity bitmap (there are no nulls): a take through
    an index that carries one, even all set, runs at a third of its speed."""
    buffers = values.buffers()
    if buffers[0] is None:
        return values
    assert not values.null_count
    return pa.Array.from_buffers(values.type, len(values), [None, buffers[1]],
                                 offset=values.offset)


_text_tables: dict[str, pa.Array] = {}


def _text_table(text: str) -> pa.Array:
    table = _text_tables.get(text)
    if table is None:
        if len(_text_tables) >= 256:
            _text_tables.clear()
        table = _text_tables[text] = pa.array([text], pa.string())
    return table
