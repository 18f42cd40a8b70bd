"""A filter expression evaluated on Arrow record batches, as they arrive.

Batches are evaluated as they arrive (a load or a tail appends them), so the predicate works
on the batches it is given and never needs the whole store. A view hands it every new batch
at once (``offsets``): consecutive batches of one schema are read as one ``pa.Table`` (no
copy) and each kernel runs once over all of them, Arrow looping over the chunks in C++ —
one kernel call per batch costs more than the work on a batch of ~12k rows (10M records are
~850 batches). String columns are dictionary-encoded:
a leaf is evaluated once on the dictionary (a few thousand distinct addresses, a handful of
actions) and mapped to rows through the indices with ``take``, which is what keeps a CIDR test
(Python's ``ipaddress``, per distinct value) cheap on a million rows; each batch has its own
dictionary, so that part stays per batch. Two-valued logic: a leaf is false where its value
is missing or its column absent; ``Not`` inverts that exactly. A leaf leaves a missing value
null and ``And``/``Or`` use Kleene's logic, where null reads "false, as far as this
subtree goes": over ``And``/``Or`` alone (monotone) filling the nulls with false once at the
end gives what filling every leaf would, and ``Not`` fills its operand before inverting.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache

import pyarrow as pa

from flowtui import arrowcompute as pc
from flowtui.query.expr import (
    And,
    Compare,
    Const,
    Expr,
    FlagsAll,
    InNet,
    InSet,
    Leaf,
    Match,
    Not,
    Or,
)
from flowtui.query.patterns import glob_regex

_COMPARE: dict[str, Callable[..., pa.Array]] = {
    "=": pc.equal, "!=": pc.not_equal, "<": pc.less, "<=": pc.less_equal,
    ">": pc.greater, ">=": pc.greater_equal,
}


class ArrowPredicate:
    """``mask(batch)``: a boolean array without nulls, true where the record matches."""

    def __init__(self, expr: Expr) -> None:
        self.expr = expr
        self.matches_everything = isinstance(expr, Const) and expr.value

    def mask(self, batch: pa.RecordBatch) -> pa.BooleanArray:
        return _no_nulls(_evaluate(self.expr, batch))

    def filter(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        if self.matches_everything:
            return batch
        return pc.filter(batch, self.mask(batch))

    def indices(self, batch: pa.RecordBatch) -> pa.Array:
        """Row numbers of the matching records within ``batch`` (uint64)."""
        if self.matches_everything:
            return _sequence(batch.num_rows)
        return pc.indices_nonzero(self.mask(batch))

    def offsets(self, batches: Sequence[pa.RecordBatch]) -> list[pa.Array]:
        """Per batch, the row numbers of its matching records within it: uint16 for a batch
        of up to 65,536 rows, else uint32 (what a view keeps per batch).

        Runs of batches of one schema are evaluated at once; the matches come out as the
        run's row numbers within their own batch (a filter of a per-batch sequence by the
        run's mask: no row-number arithmetic, no cast) and are cut back per batch by the
        count of true bits of each batch's stretch of the mask."""
        out: list[pa.Array] = []
        for run in _runs(batches):
            out += self._run_offsets(run)
        return out

    def _run_offsets(self, run: list[pa.RecordBatch]) -> list[pa.Array]:
        width = _offset_type(run[0])
        sizes = [batch.num_rows for batch in run]
        if self.matches_everything:
            return [_sequence(size, width) for size in sizes]
        table = pa.Table.from_batches(run)
        mask = _no_nulls(_evaluate(self.expr, table))
        if isinstance(mask, pa.ChunkedArray):
            mask = mask.chunk(0) if mask.num_chunks == 1 else mask.combine_chunks()
        if mask.buffers()[0] is not None:
            # fill_null leaves an all-valid bitmap, and a filter by a mask with one gives
            # its output one: a view would keep 2.125 bytes a match instead of 2.
            mask = pa.Array.from_buffers(pa.bool_(), len(mask), [None, mask.buffers()[1]],
                                         offset=mask.offset)
        counts = []
        start = 0
        for size in sizes:
            counts.append(mask.slice(start, size).true_count)
            start += size
        sequence = pa.chunked_array([_sequence(size, width) for size in sizes], width)
        kept = pc.filter(sequence, mask)
        return split(kept.chunks if isinstance(kept, pa.ChunkedArray) else [kept], counts,
                     width)


#: Rows of one run at most (its masks are bits: 4M rows, 0.5 MB each).
RUN_ROWS = 1 << 22


def _runs(batches: Sequence[pa.RecordBatch]) -> Iterator[list[pa.RecordBatch]]:
    """Consecutive batches of one schema and one offset type, ``RUN_ROWS`` rows at most
    (a batch bigger than that is a run of its own)."""
    run: list[pa.RecordBatch] = []
    rows = 0
    for batch in batches:
        if run and (rows + batch.num_rows > RUN_ROWS or _offset_type(batch) != _offset_type(
                run[0]) or not batch.schema.equals(run[0].schema)):
            yield run
            run, rows = [], 0
        run.append(batch)
        rows += batch.num_rows
    if run:
        yield run


def _offset_type(batch: pa.RecordBatch) -> pa.DataType:
    return pa.uint16() if batch.num_rows <= 1 << 16 else pa.uint32()


def split(chunks: Sequence[pa.Array], counts: Sequence[int], width: pa.DataType
          ) -> list[pa.Array]:
    """``chunks`` read end to end, cut into arrays of ``counts`` values each: a piece within
    one chunk is a slice of it (Arrow's filter gives one chunk per batch with a match, but
    does not promise it), one across chunks a concatenation."""
    out: list[pa.Array] = []
    chunks = [c for c in chunks if len(c)]
    number, position = 0, 0  # the chunk and the place in it where the next piece starts
    for count in counts:
        pieces: list[pa.Array] = []
        while count:
            chunk = chunks[number]
            take = min(count, len(chunk) - position)
            pieces.append(chunk if take == len(chunk) else chunk.slice(position, take))
            count -= take
            position += take
            if position == len(chunk):
                number, position = number + 1, 0
        if not pieces:
            out.append(pa.array([], width))
        else:
            out.append(pieces[0] if len(pieces) == 1 else pa.concat_arrays(pieces))
    return out


_SEQUENCE: dict[pa.DataType, pa.Array] = {}


def _sequence(length: int, of: pa.DataType | None = None) -> pa.Array:
    """0 … length-1 (uint64 unless ``of`` says), sliced from one cached array rather than
    built in Python."""
    of = of or pa.uint64()
    made = _SEQUENCE.get(of)
    if made is None or len(made) < length:
        size = max(length, 1 << 16)
        ones = pa.repeat(pa.scalar(1, pa.uint64()), size)
        made = pc.subtract(pc.cumulative_sum(ones), pa.scalar(1, pa.uint64()))
        if of != pa.uint64():
            made = pc.cast(made.slice(0, min(size, 1 << of.bit_width)), of)
        # No validity bitmap (the kernels leave an all-valid one), which a filter would copy.
        made = pa.Array.from_buffers(of, len(made), [None, made.buffers()[1]])
        _SEQUENCE[of] = made
    return made.slice(0, length)


def compile_arrow(expr: Expr) -> ArrowPredicate:
    return ArrowPredicate(expr)


def _evaluate(expr: Expr, batch: pa.RecordBatch | pa.Table) -> pa.BooleanArray:
    """``expr`` on ``batch`` (or a run of batches as a table); null where only missing
    values decide it (false, for whoever reads it)."""
    match expr:
        case Const(value):
            return _constant(value, batch.num_rows)
        case Not(item):
            return pc.invert(_no_nulls(_evaluate(item, batch)))
        case And(items):
            result = _evaluate(items[0], batch)
            for item in items[1:]:
                result = pc.and_kleene(result, _evaluate(item, batch))
            return result
        case Or(items):
            result = _evaluate(items[0], batch)
            for item in items[1:]:
                result = pc.or_kleene(result, _evaluate(item, batch))
            return result
        case _:
            return _leaf(expr, batch)


def _no_nulls(mask: pa.BooleanArray) -> pa.BooleanArray:
    return pc.fill_null(mask, False) if mask.null_count else mask


def _constant(value: bool, length: int) -> pa.BooleanArray:
    return pa.repeat(pa.scalar(value, pa.bool_()), length) if length else pa.array(
        [], pa.bool_())


def _leaf(leaf: Leaf, batch: pa.RecordBatch | pa.Table) -> pa.BooleanArray:
    index = batch.schema.get_field_index(leaf.field)
    if index < 0:
        return _constant(False, batch.num_rows)
    column = batch.column(index)
    if not pa.types.is_dictionary(column.type):
        return _on_values(leaf, column)
    if isinstance(column, pa.Array):
        return _on_dictionary(leaf, column)
    # Each batch of a run has its own dictionary: the leaf on each, mapped to its rows.
    return pa.chunked_array([_on_dictionary(leaf, chunk) for chunk in column.chunks],
                            pa.bool_())


def _on_dictionary(leaf: Leaf, column: pa.DictionaryArray) -> pa.BooleanArray:
    return pc.take(_on_values(leaf, column.dictionary), column.indices)


def _on_values(leaf: Leaf, values: pa.Array) -> pa.Array:
    """The leaf on plain (not dictionary-encoded) values; nulls where values are null."""
    match leaf:
        case Compare(_, op, value):
            if pa.types.is_integer(values.type):
                number = _coerce(value, values.type)
                if number is None:  # a word against numbers: compare as text
                    values = pc.cast(values, pa.string())
                elif isinstance(number, int) and not _fits(number, values.type):
                    return _beyond(values, op, above=number > 0)
            return _COMPARE[op](values, _scalar(value, values.type))
        case InSet(_, choices):
            kept = [v for v in (_coerce(c, values.type) for c in choices) if v is not None
                    and (not isinstance(v, int) or _fits(v, values.type))]
            result = pc.is_in(values, value_set=pa.array(kept, type=_value_type(values.type)))
            return _keep_nulls(result, values)
        case Match(_, pattern, kind):
            regex = pattern if kind == "regex" else glob_regex(pattern)
            return pc.match_substring_regex(_as_text(values), regex)
        case FlagsAll(_, mask):
            if not pa.types.is_integer(values.type):
                values = pc.cast(values, pa.int64(), safe=False)
            return pc.equal(pc.bit_wise_and(values, pa.scalar(mask, values.type)),
                            pa.scalar(mask, values.type))
        case InNet(_, networks):
            test = _network_test(networks)
            return pa.array([None if v is None else test(v) for v in _as_text(values)
                             .to_pylist()], type=pa.bool_())
    raise TypeError(f"not a leaf: {leaf!r}")


def _keep_nulls(result: pa.Array, values: pa.Array) -> pa.Array:
    if values.null_count:
        return pc.if_else(pc.is_null(values), pa.scalar(None, pa.bool_()), result)
    return result


def _as_text(values: pa.Array) -> pa.Array:
    return values if pa.types.is_string(values.type) or pa.types.is_large_string(
        values.type) else pc.cast(values, pa.string())


def _value_type(data_type: pa.DataType) -> pa.DataType:
    return pa.int64() if pa.types.is_integer(data_type) else data_type


def _coerce(value: int | str, data_type: pa.DataType) -> int | str | None:
    """A filter value as the column's kind: text columns compare with text, integer columns
    with integers (a word that is not a number can match no integer)."""
    if pa.types.is_integer(data_type):
        if isinstance(value, int):
            return value
        try:
            return int(value)
        except ValueError:
            return None
    return str(value)


def _fits(number: int, data_type: pa.DataType) -> bool:
    """Whether an integer column of ``data_type`` could hold ``number`` at all."""
    width: int = data_type.bit_width
    if pa.types.is_unsigned_integer(data_type):
        return 0 <= number < 1 << width
    return -(1 << (width - 1)) <= number < 1 << (width - 1)


def _beyond(values: pa.Array, op: str, *, above: bool) -> pa.Array:
    """A comparison with a number past every value the column's type can hold: decided by
    the operator alone (nulls stay null, so they end up false like any missing value)."""
    true = op in ("!=", "<", "<=") if above else op in ("!=", ">", ">=")
    result = pa.repeat(pa.scalar(true, pa.bool_()), len(values)) if len(values) else pa.array(
        [], pa.bool_())
    return _keep_nulls(result, values)


def _scalar(value: int | str, data_type: pa.DataType) -> pa.Scalar:
    coerced = _coerce(value, data_type)
    if coerced is None:  # text against a number column: compare as text instead
        return pa.scalar(str(value))
    if isinstance(coerced, int) and pa.types.is_integer(data_type):
        try:
            return pa.scalar(coerced, data_type)  # the column's own type: no cast of the column
        except (pa.ArrowInvalid, OverflowError):
            return pa.scalar(coerced, pa.int64() if coerced >= -(2**63) else pa.float64())
    return pa.scalar(coerced, data_type if pa.types.is_string(data_type) else pa.string())


@lru_cache(maxsize=64)
def _network_test(networks: tuple[str, ...]) -> Callable[[str], bool]:
    parsed = [ipaddress.ip_network(n) for n in networks]

    @lru_cache(maxsize=1 << 16)
    def inside(text: str) -> bool:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            return False
        return any(address.version == net.version and address in net for net in parsed)

    return inside
