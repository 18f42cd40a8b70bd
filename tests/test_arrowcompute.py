"""``flowtui.arrowcompute`` answers as ``pyarrow.compute`` does, for every function flowtui
calls through it.

It exists so that ``cat`` prints its first line without paying for ``pyarrow.compute``'s
import (issue 21 item 4); what a user sees must not change: the same kernel, the same
options, the same errors. Each function flowtui's sources call as ``pc.NAME`` (where
``pc`` is this module) is checked against pyarrow's own, and the calling conventions are
checked with values that take every branch: nulls, dictionaries, options given as
positional arguments, keywords, an object or a dict, wrong arities, Expressions.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as arrow
import pytest

from flowtui import arrowcompute

FLOWTUI = Path(arrowcompute.__file__).resolve().parent
HAND_WRITTEN = {"cast", "take", "fill_null"}  # hand-written in both modules


def names_called() -> set[str]:
    """Every ``pc.NAME`` in the modules that import this one as ``pc``."""
    names: set[str] = set()
    for path in FLOWTUI.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "from flowtui import arrowcompute as pc" in text:
            names |= set(re.findall(r"\bpc\.(\w+)", text))
    return names


def test_the_sources_call_it() -> None:
    # the scan below checks something: the first-line path's modules go through it
    assert {"cast", "take", "fill_null", "utf8_rpad", "binary_join_element_wise",
            "min_max"} <= names_called()


@pytest.mark.parametrize("name", sorted(names_called()))
def test_each_function_flowtui_calls_is_arrows_own(name: str) -> None:
    ours, theirs = getattr(arrowcompute, name), getattr(arrow, name)
    if name in HAND_WRITTEN:
        assert ours is not theirs and callable(ours)
    elif hasattr(theirs, "__arrow_compute_function__"):
        # the kernel, its arity and its options class are pyarrow.compute's
        assert ours.__arrow_compute_function__ == theirs.__arrow_compute_function__
    else:
        assert ours is theirs  # anything else is pyarrow.compute's own object


NUMBERS = pa.array([1, None, 300, -4], pa.int32())
TEXT = pa.array(["a", None, "ccc", "é"], pa.string())
WORDS = pa.array(["x", "y", None, "x"]).dictionary_encode()
MASK = pa.array([True, None, False, True])
BATCH = pa.RecordBatch.from_arrays([NUMBERS, TEXT], names=["n", "t"])

CALLS: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("cast", (NUMBERS, pa.int64()), {}),
    ("cast", (NUMBERS, pa.uint8()), {}),  # overflow: ArrowInvalid, the same text
    ("cast", (NUMBERS, pa.uint8()), {"safe": False}),
    ("cast", (NUMBERS,), {"options": arrow.CastOptions.safe(pa.string())}),
    ("cast", (NUMBERS, pa.int8()), {"options": arrow.CastOptions.safe(pa.string())}),
    ("cast", (WORDS, pa.dictionary(pa.int8(), pa.string())), {}),
    ("cast", (NUMBERS, "string"), {}),
    ("take", (TEXT, pa.array([3, None, 0])), {}),
    ("take", (TEXT, pa.array([9])), {}),  # out of bounds: IndexError, the same text
    ("take", (BATCH, pa.array([1, 0])), {}),
    ("fill_null", (NUMBERS, 7), {}),
    ("fill_null", (NUMBERS, pa.scalar(7, pa.int64())), {}),
    ("fill_null", (TEXT, pa.array(["p", "q", "r", "s"])), {}),
    ("fill_null", (TEXT, "-"), {}),
    ("utf8_rpad", (TEXT, 4), {}),
    ("utf8_rpad", (TEXT,), {"width": 3, "padding": "."}),
    ("utf8_rpad", (TEXT,), {"options": {"width": 2}}),
    ("utf8_rpad", (TEXT,), {"options": arrow.PadOptions(5)}),
    ("utf8_rpad", (TEXT, 4), {"options": arrow.PadOptions(5)}),  # both: TypeError
    ("utf8_rpad", (TEXT,), {"options": 5}),  # not its options: TypeError
    ("utf8_rpad", (), {}),  # too few arguments: TypeError
    ("utf8_length", (TEXT,), {}),
    ("utf8_length", (TEXT, TEXT), {}),  # arity: TypeError
    ("binary_join_element_wise", ("<", TEXT, ">", ""), {}),
    ("binary_join_element_wise", (TEXT, TEXT, "-"), {"null_handling": "replace",
                                                      "null_replacement": "?"}),
    ("min_max", (NUMBERS,), {}),
    ("min_max", (pa.array([], pa.int32()),), {}),
    ("max", (NUMBERS,), {"skip_nulls": False}),
    ("any", (MASK,), {}),
    ("sum", (NUMBERS,), {}),
    ("subtract", (NUMBERS, 3), {}),
    ("add", (NUMBERS, pa.scalar(2, pa.int32())), {}),
    ("ascii_is_printable", (TEXT,), {}),
    ("match_substring_regex", (TEXT, "c+"), {}),
    ("replace_with_mask", (TEXT, MASK, pa.array(["z", "w"])), {}),
    ("filter", (TEXT, MASK), {}),
    ("filter", (BATCH, MASK), {"null_selection_behavior": "emit_null"}),
    ("cumulative_sum", (NUMBERS,), {}),
    ("dictionary_encode", (TEXT,), {}),
    ("and_", (MASK, MASK), {}),
    ("or_", (MASK, pa.array([False] * 4)), {}),
    ("is_in", (TEXT,), {"value_set": pa.array(["a", "é"])}),
    ("greater_equal", (NUMBERS, 1), {}),
    ("split_pattern", (pa.array(["a b", None]), " "), {}),
    ("binary_join", (pa.array([["a", "b"], None]), "+"), {}),
]


def outcome(function: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    try:
        return "ok", function(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the error is the answer being compared
        return type(exc), str(exc)


@pytest.mark.parametrize(("name", "args", "kwargs"), CALLS,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(CALLS)])
def test_the_same_answer_or_the_same_error(name: str, args: tuple[Any, ...],
                                           kwargs: dict[str, Any]) -> None:
    ours = outcome(getattr(arrowcompute, name), args, kwargs)
    theirs = outcome(getattr(arrow, name), args, kwargs)
    assert ours[0] == theirs[0], (ours, theirs)
    if ours[0] == "ok":
        assert ours[1].equals(theirs[1])
        assert getattr(ours[1], "type", None) == getattr(theirs[1], "type", None)
    else:
        assert ours[1] == theirs[1]


def test_expressions_are_built_as_arrow_builds_them() -> None:
    """A filter built from Expressions (``pc.field``) names the same kernel call."""
    field = arrowcompute.field("n")  # not a kernel: pyarrow.compute's own
    assert field.equals(arrow.field("n"))
    assert arrowcompute.greater_equal(field, 3).equals(arrow.greater_equal(field, 3))
    assert arrowcompute.is_in(field, value_set=pa.array([1])).equals(
        arrow.is_in(field, value_set=pa.array([1])))


def test_a_name_arrow_lacks_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        arrowcompute.no_such_kernel  # noqa: B018
