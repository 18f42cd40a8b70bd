"""A filter expression evaluated on Arrow record batches, one batch at a time.

Batches are evaluated as they arrive (a load or a tail appends them), so the predicate works
on one ``RecordBatch`` and never needs the whole store. String columns are dictionary-encoded:
a leaf is evaluated once on the dictionary (a few thousand distinct addresses, a handful of
actions) and mapped to rows through the indices with ``take``, which is what keeps a CIDR test
(Python's ``ipaddress``, per distinct value) cheap on a million rows. Two-valued logic: a leaf
is false where its value is missing or its column absent; ``Not`` inverts that exactly.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
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
        return _evaluate(self.expr, batch)

    def filter(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        if self.matches_everything:
            return batch
        return pc.filter(batch, self.mask(batch))

    def indices(self, batch: pa.RecordBatch) -> pa.Array:
        """Row numbers of the matching records within ``batch`` (uint64)."""
        if self.matches_everything:
            return _sequence(batch.num_rows)
        return pc.indices_nonzero(self.mask(batch))


_SEQUENCE: list[pa.Array] = [pa.array([], pa.uint64())]


def _sequence(length: int) -> pa.Array:
    """0 … length-1 (uint64), sliced from one cached array rather than built in Python."""
    if len(_SEQUENCE[0]) < length:
        size = max(length, 1 << 16)
        ones = pa.repeat(pa.scalar(1, pa.uint64()), size)
        _SEQUENCE[0] = pc.subtract(pc.cumulative_sum(ones), pa.scalar(1, pa.uint64()))
    return _SEQUENCE[0].slice(0, length)


def compile_arrow(expr: Expr) -> ArrowPredicate:
    return ArrowPredicate(expr)


def _evaluate(expr: Expr, batch: pa.RecordBatch) -> pa.BooleanArray:
    match expr:
        case Const(value):
            return _constant(value, batch.num_rows)
        case Not(item):
            return pc.invert(_evaluate(item, batch))
        case And(items):
            result = _evaluate(items[0], batch)
            for item in items[1:]:
                result = pc.and_(result, _evaluate(item, batch))
            return result
        case Or(items):
            result = _evaluate(items[0], batch)
            for item in items[1:]:
                result = pc.or_(result, _evaluate(item, batch))
            return result
        case _:
            return _leaf(expr, batch)


def _constant(value: bool, length: int) -> pa.BooleanArray:
    return pa.repeat(pa.scalar(value, pa.bool_()), length) if length else pa.array(
        [], pa.bool_())


def _leaf(leaf: Leaf, batch: pa.RecordBatch) -> pa.BooleanArray:
    index = batch.schema.get_field_index(leaf.field)
    if index < 0:
        return _constant(False, batch.num_rows)
    column = batch.column(index)
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_dictionary(column.type):
        on_values = _on_values(leaf, column.dictionary)
        result = pc.take(on_values, column.indices)
    else:
        result = _on_values(leaf, column)
    return pc.fill_null(result, False) if result.null_count else result


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
