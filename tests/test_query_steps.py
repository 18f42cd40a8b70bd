"""Filter steps: the breadcrumb's parts, and quick filters that read back as what they mean."""

from __future__ import annotations

import pyarrow as pa
import pytest

from flowtui.fields import DEFAULT_FIELDS
from flowtui.parser import parse_bytes
from flowtui.query.expr import FilterError, parse
from flowtui.query.query import Query
from flowtui.query.steps import NoQuickFilter, join_steps, quick_step, split_steps
from flowtui.query.topkeys import drill_text
from flowtui.query.view import RecordView
from flowtui.store import RecordStore
from flowtui.synth import generate_lines, make_text_object


@pytest.mark.parametrize(("text", "steps"), [
    ("", []),
    ("reject", ["reject"]),
    ("reject and port 22", ["reject", "port 22"]),
    ("reject port 22", ["reject", "port 22"]),  # side by side means "and"
    ("(dstport = 22 or dstport = 3389) and not host 10.0.0.5",
     ["(dstport = 22 or dstport = 3389)", "not host 10.0.0.5"]),
    ("dstport = 22 or reject", ["dstport = 22 or reject"]),
    ("interface-id = 'a and b' && tcp", ["interface-id = 'a and b'", "tcp"]),
])
def test_steps_are_the_top_level_and_terms(text: str, steps: list[str]) -> None:
    assert split_steps(text) == steps
    if steps:  # joined again, the steps mean what the text meant
        assert parse(join_steps(steps)) == parse(text)


def test_an_or_step_is_parenthesised_when_joined() -> None:
    joined = join_steps(["dstport = 22 or dstport = 3389", "reject"])
    assert joined == "(dstport = 22 or dstport = 3389) and reject"
    assert split_steps(joined) == ["(dstport = 22 or dstport = 3389)", "reject"]


def test_split_refuses_what_does_not_parse() -> None:
    with pytest.raises(FilterError):
        split_steps("reject and (port 22")


def _store() -> RecordStore:
    data = make_text_object(generate_lines(3000, seed=4), DEFAULT_FIELDS, compress=False)
    batches, _ = parse_bytes(data, chunk_size=64 << 10)
    store = RecordStore()
    for batch in batches:
        store.append(batch, "s3://b/k")
    return store


def test_quick_filters_keep_and_drop_exactly_the_value_under_the_cursor() -> None:
    store = _store()
    rows = store.rows(0, len(store))
    for field in ("dstport", "protocol", "action", "interface-id", "log-status", "bytes"):
        value = next(r[field] for r in rows if r[field] is not None)
        kept = RecordView(store, Query.build(quick_step(field, value, keep=True)))
        dropped = RecordView(store, Query.build(quick_step(field, value, keep=False)))
        assert kept.rows(0, len(kept)) == [r for r in rows if r[field] == value], field
        # the exact complement: rows without the field stay when a value is excluded
        assert dropped.rows(0, len(dropped)) == [r for r in rows if r[field] != value], field


def test_a_quick_filter_on_an_address_matches_both_directions() -> None:
    store = _store()
    rows = store.rows(0, len(store))
    address = rows[5]["dstaddr"]
    assert quick_step("dstaddr", address, keep=True) == f"host {address}"
    view = RecordView(store, Query.build(quick_step("dstaddr", address, keep=True)))
    expected = [r for r in rows if address in (r["srcaddr"], r["dstaddr"])]
    assert view.rows(0, len(view)) == expected
    assert any(r["srcaddr"] == address for r in expected)  # not only the column it came from


@pytest.mark.parametrize("value", [
    "reject", "a and b", "it's", 'say "hi"', "a*b?[c]", "x=1", "(paren)", "tab\there",
])
def test_hostile_string_values_read_back_exactly(value: str) -> None:
    batch = pa.RecordBatch.from_pydict({"note": [value, "other", None, value + "x"]})
    store = RecordStore()
    store.append(batch, "s3://b/k")
    try:
        keep = quick_step("note", value, keep=True)
    except NoQuickFilter as exc:
        assert "\t" in value and "control" in str(exc)
        return
    view = RecordView(store, Query.build(keep, columns=["note"]))
    assert [r["note"] for r in view.rows(0, len(view))] == [value]
    drop = RecordView(store, Query.build(quick_step("note", value, keep=False),
                                         columns=["note"]))
    assert [r["note"] for r in drop.rows(0, len(drop))] == ["other", None, value + "x"]


def test_no_quick_filter_on_a_missing_value() -> None:
    with pytest.raises(NoQuickFilter, match="no dstport value"):
        quick_step("dstport", None, keep=True)


@pytest.mark.parametrize("value", ["unknown", "10.0.0.300", "reject"])
def test_a_quick_filter_on_an_address_column_holding_no_address_is_exact(value: str) -> None:
    """``host`` takes only an address (tests/test_query_values.py); a cell of an address
    column holding other text (hostile or damaged data) is matched as that column's value."""
    batch = pa.RecordBatch.from_pydict({"srcaddr": [value, "10.0.0.1", None],
                                        "dstaddr": ["10.0.0.2", value, "10.0.0.3"]})
    store = RecordStore()
    store.append(batch, "s3://b/k")
    view = RecordView(store, Query.build(quick_step("srcaddr", value, keep=True)))
    assert [r["srcaddr"] for r in view.rows(0, len(view))] == [value]
    drop = RecordView(store, Query.build(quick_step("srcaddr", value, keep=False)))
    assert [r["srcaddr"] for r in drop.rows(0, len(drop))] == ["10.0.0.1", None]


def test_a_quick_filter_on_an_action_aws_never_writes_still_matches_it() -> None:
    """``action = x`` is refused (AWS writes only ACCEPT or REJECT), but damaged or hostile
    data can hold another word: the quick filter on that cell matches it exactly."""
    batch = pa.RecordBatch.from_pydict({"action": ["[bold]x", "ACCEPT", None]})
    store = RecordStore()
    store.append(batch, "s3://b/k")
    view = RecordView(store, Query.build(quick_step("action", "[bold]x", keep=True)))
    assert [r["action"] for r in view.rows(0, len(view))] == ["[bold]x"]
    assert quick_step("action", "REJECT", keep=True) == "action = REJECT"


@pytest.mark.parametrize(("fields", "values"), [
    (("srcaddr",), ("unknown",)), (("action",), ("ACC",)),
    (("srcaddr", "dstaddr"), ("10.0.0.1", "[red]x[/]")), (("interface-id",), ("eni-[b]",)),
])
def test_a_top_n_drill_down_on_damaged_values_matches_them_exactly(
        fields: tuple[str, ...], values: tuple[str, ...]) -> None:
    """Top-N ranks what the data holds, damaged values too; Enter on such a row wrote
    ``srcaddr = unknown`` or ``action = ACC``, which the filter refuses (AWS never writes
    them), and a glob character was "type a filter instead"."""
    batch = pa.RecordBatch.from_pydict({
        "srcaddr": ["unknown", "10.0.0.1", "10.0.0.1"], "dstaddr": ["10.0.0.2", "[red]x[/]", "x"],
        "action": ["ACC", "ACCEPT", None], "interface-id": ["eni-[b]", "eni-b", None]})
    store = RecordStore()
    store.append(batch, "s3://b/k")
    view = RecordView(store, Query.build(drill_text(fields, values)))
    got = [tuple(r[f] for f in fields) for r in view.rows(0, len(view))]
    assert got == [values]
    drop = RecordView(store, Query.build(drill_text(fields, values, keep=False)))
    assert len(drop) == 2
