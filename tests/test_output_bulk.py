"""The writers' bulk paths give the bytes of the plain per-record rendering.

``tests/test_output.py`` checks batches of a few rows; the writers take other paths for
batches the size the parser makes (thousands of rows): tables of every small integer's text,
tables of a batch's range of close-together integers, dictionaries rendered once per value,
neighbouring columns' tables joined into one, tables kept from one batch to the next. Each
of those is a place where an escaping slip would hide. So here the batches are large, drawn
from small pools of hostile values (quotes, commas, newlines, backslashes, C0 and C1
controls, bidi controls, ``-``, trailing spaces, wide and combining text) so that every
bulk path is taken, and the bytes written (through the binary stream ``cat`` writes to)
are compared with the reference renderings of ``tests/test_output.py``: Python's ``str`` of
each value escaped by ``printable`` (table), Arrow's CSV writer then ``printable`` over its
text (CSV), ``json.dumps`` per value with the terminal-unsafe characters escaped (JSON
lines). The same holds for batches as the parser makes them from flow-log text (default
and custom formats, NODATA and SKIPDATA records, dictionaries or plain strings) and from
Parquet.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowtui.linebytes import MAX_ROWS
from flowtui.output import make_writer
from flowtui.parquet import iter_parquet_batches
from flowtui.parser import FlowLogParser
from tests.test_output import csv_reference, jsonl_reference, table_reference

HOSTILE = ["-", '"', '""', ",", "a,b", 'say "hi"', "line\nbreak", "cr\rlf", "tab\there",
           "back\\slash", "\x1b[2J", "\x00", "\x7f", "\x85", "\x9b", "evil\u202etxt.exe",
           "\u2066iso\u2069", "\u200e", "\u2028", "\u2029", "trail ", "trail\u3000",
           "wide東京", "e\u0301", "{}", "[]", "ACCEPT", "REJECT", "OK", "NODATA", "SKIPDATA",
           "10.0.0.1", "eni-0123456789abcdef0", ""]
PLAIN = ["ACCEPT", "REJECT", "OK", "NODATA", "SKIPDATA", "10.1.2.3", "eni-0a1b2c3d4e5f6a7b8",
         "123456789012", "-"]
REFERENCES = {"table": table_reference, "csv": csv_reference, "jsonl": jsonl_reference}
INTEGER_TYPES = [pa.uint8(), pa.uint16(), pa.uint32(), pa.uint64(), pa.int8(), pa.int16(),
                 pa.int32(), pa.int64()]


def written_bytes(fmt: str, batches: list[pa.RecordBatch]) -> bytes:
    """What ``cat`` writes: through a text stream's binary buffer, as the writers do."""
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    writer = make_writer(fmt, out)
    for batch in batches:
        writer.write_batch(batch, "test")
    out.flush()
    return raw.getvalue()


def assert_same_as_reference(batches: list[pa.RecordBatch]) -> None:
    for fmt, reference in REFERENCES.items():
        expected = reference(batches).encode()
        got = written_bytes(fmt, batches)
        if got != expected:  # the first differing line, not a 10 MB diff
            for number, (mine, theirs) in enumerate(zip(got.split(b"\n"),
                                                        expected.split(b"\n"), strict=False)):
                assert mine == theirs, f"{fmt} line {number}"
            assert got == expected, fmt


def _integers(kind: pa.DataType, rng: random.Random, rows: int, spread: str) -> list[int]:
    bits = kind.bit_width
    signed = pa.types.is_signed_integer(kind)
    low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    if spread == "wide":
        return [rng.randint(low, high) for _ in range(rows)]
    if spread == "edges":
        return [rng.choice([low, high, 0, -1 if signed else 1]) for _ in range(rows)]
    width = {"one": 0, "narrow": 12, "span": min(rows // 3, high - low)}[spread]
    base = rng.randint(low, high - width)
    return [base + rng.randint(0, width) for _ in range(rows)]


@st.composite
def bulk_columns(draw: st.DrawFn, rows: int, seed: int) -> pa.Array:
    rng = random.Random(seed)
    kind = draw(st.sampled_from(["dict", "string", "int", "nulls"]))
    null_share = draw(st.sampled_from([0.0, 0.003, 0.3, 1.0]))
    present = [rng.random() >= null_share for _ in range(rows)]
    if kind in ("dict", "string"):
        pool = draw(st.lists(st.sampled_from(HOSTILE) | st.sampled_from(PLAIN)
                             | st.text(max_size=6), min_size=1, max_size=12))
        values = [rng.choice(pool) if keep else None for keep in present]
        array = pa.array(values, pa.string())
        return array.dictionary_encode() if kind == "dict" else array
    if kind == "int":
        integer = draw(st.sampled_from(INTEGER_TYPES))
        spread = draw(st.sampled_from(["one", "narrow", "span", "wide", "edges"]))
        numbers = _integers(integer, rng, rows, spread)
        return pa.array([n if keep else None for n, keep in zip(numbers, present, strict=True)],
                        integer)
    return pa.nulls(rows, pa.string())


@st.composite
def bulk_batches(draw: st.DrawFn) -> list[pa.RecordBatch]:
    rows = draw(st.sampled_from([300, 1500, 4100, 5000]))
    count = draw(st.integers(1, 6))
    names = draw(st.lists(st.sampled_from(["version", "srcaddr", "a\u202eb", 'q"t', "x\x1by",
                                           "dstport", "action", "log-status", "é"]),
                          min_size=count, max_size=count, unique=True))
    seed = draw(st.integers(0, 2**32))
    first = pa.RecordBatch.from_arrays([draw(bulk_columns(rows, seed + i))
                                        for i in range(count)], names=names)
    # A second batch: the same columns with other rows (same dictionaries, as a parser's
    # blocks often have, or new ones), or a new set of columns.
    follow = draw(st.sampled_from(["none", "same", "shuffled", "new"]))
    if follow == "none":
        return [first]
    if follow == "same":
        return [first, first.slice(rows // 3)]
    if follow == "shuffled":
        order = list(range(rows))
        random.Random(seed).shuffle(order)
        return [first, first.take(pa.array(order))]
    other = pa.RecordBatch.from_arrays([draw(bulk_columns(rows // 2, seed + 99 + i))
                                        for i in range(count)], names=names[::-1])
    return [first, other]


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(bulk_batches())
def test_large_batches_of_hostile_values_match_the_reference(batches: list[pa.RecordBatch]
                                                             ) -> None:
    assert_same_as_reference(batches)


# ------------------------------------------------------------ as the parser makes them


@st.composite
def flow_log_text(draw: st.DrawFn, rows: int | None = None) -> tuple[bytes, bool]:
    """A flow log of a few thousand records: default or custom format, NODATA/SKIPDATA
    records, '-' fields, odd printable strings in the text fields."""
    seed = draw(st.integers(0, 2**32))
    rng = random.Random(seed)
    custom = draw(st.booleans())
    fields = (["version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport",
               "dstport", "protocol", "packets", "bytes", "start", "end", "action",
               "log-status"] if not custom else
              ["start", "action", "srcaddr", "tcp-flags", "pkt-srcaddr", "flow-direction",
               "bytes", "vpc-id", "sublocation-type", "traffic-path", "end", "log-status"])
    words = draw(st.lists(st.sampled_from(['q"uote', "com,ma", "back\\slash", "é", "東京",
                                           "x{}", "[y]", "ok", "eni-1"]),
                          min_size=1, max_size=4))
    rows = rows or draw(st.sampled_from([800, 3000, 6000]))
    start = 1709649000 + rng.randint(0, 3600)
    lines = [" ".join(fields)]
    for _ in range(rows):
        status = rng.choices(["OK", "NODATA", "SKIPDATA"], [40, 1, 1])[0]
        values = []
        for name in fields:
            if status != "OK" and name not in ("version", "account-id", "interface-id",
                                               "start", "end", "log-status"):
                values.append("-")
            elif name == "log-status":
                values.append(status)
            elif name in ("start", "end"):
                values.append(str(start + rng.randint(0, 90)))
            elif name in ("srcport", "dstport"):
                values.append(rng.choice(["443", "22", "-", str(rng.randint(0, 65535))]))
            elif name in ("packets", "bytes", "tcp-flags", "protocol", "version",
                          "traffic-path"):
                values.append(rng.choice(["-", "0", "2", "6", "17", str(rng.randint(0, 9999)),
                                          str(rng.randint(0, 2**32 - 1))])
                              if name in ("packets", "bytes") else rng.choice(["2", "6", "-"]))
            elif name == "action":
                values.append(rng.choice(["ACCEPT", "REJECT", "-"]))
            else:
                values.append(rng.choice([*words, "-", "10.0.0.1", "2001:db8::1"]))
        lines.append(" ".join(values))
    return ("\n".join(lines) + "\n").encode(), draw(st.booleans())


def parsed(text: bytes, dictionaries: bool) -> list[pa.RecordBatch]:
    parser = FlowLogParser(name="test", dictionaries=dictionaries)
    batches = [*parser.feed(text), *parser.finish()]
    parser.close()
    assert parser.bad_count == 0 and parser.error is None
    return batches


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(flow_log_text())
def test_flow_logs_as_parsed_match_the_reference(case: tuple[bytes, bool]) -> None:
    text, dictionaries = case
    batches = parsed(text, dictionaries)
    assert sum(batch.num_rows for batch in batches) == text.count(b"\n") - 1
    assert_same_as_reference(batches)


def test_parquet_batches_match_the_reference(tmp_path: Path) -> None:
    """Parquet input: columns typed by the catalogue, dictionaries Arrow read, one big batch."""
    rng = random.Random(7)
    rows = 20_000
    table = pa.table({
        "srcaddr": pa.array([rng.choice(HOSTILE[:12] + PLAIN) for _ in range(rows)]),
        "dstport": pa.array([rng.choice([22, 443, None, rng.randint(0, 65535)])
                             for _ in range(rows)], pa.int64()),
        "start": pa.array([1709649000 + rng.randint(0, 600) for _ in range(rows)], pa.int64()),
        "action": pa.array([rng.choice(["ACCEPT", "REJECT", "-"]) for _ in range(rows)]),
        "log-status": pa.array([rng.choice(["OK", "NODATA"]) for _ in range(rows)]),
    })
    path = tmp_path / "flows.parquet"
    pq.write_table(table, path)
    batches = list(iter_parquet_batches(str(path)))
    assert sum(batch.num_rows for batch in batches) == rows
    assert_same_as_reference(batches)


def test_batches_longer_than_a_run_of_lines_and_lines_of_short_pieces_match_the_reference(
        ) -> None:
    """The JSON lines writer puts lines together ``linebytes.MAX_ROWS`` at a time from
    string views: a batch of two runs and a part (no line lost, doubled or out of order at
    the seams), with every kind of piece (a column of values, quoted plain strings, tables
    of small integers and of a time range, dictionaries with nulls, texts between two
    columns of values); and lines whose every piece is 12 bytes or fewer (views that hold
    their text, no data buffer at all)."""
    rng = random.Random(11)
    rows = 2 * MAX_ROWS + 77
    wide = [rng.randint(0, 2**32 - 1) for _ in range(rows)]
    batch = pa.RecordBatch.from_arrays([
        pa.array([rng.choice([2, 5, None]) for _ in range(rows)], pa.uint8()),
        pa.array(wide, pa.uint32()),
        pa.array([rng.choice(PLAIN[:-1]) for _ in range(rows)], pa.string()),
        pa.array([n // 7 for n in wide], pa.uint32()),
        pa.array([rng.choice(HOSTILE + [None]) for _ in range(rows)]).dictionary_encode(),
        pa.array([1709649000 + rng.randint(0, 900) for _ in range(rows)], pa.uint32()),
    ], names=["version", "bytes", "srcaddr", "packets", "action", "start"])
    short = pa.RecordBatch.from_arrays(
        [pa.array([rng.choice([1, 7, None]) for _ in range(rows)], pa.uint8())], names=["a"])
    assert len(b'{"a": 7}\n') <= 12
    assert_same_as_reference([batch, short, batch.slice(MAX_ROWS - 5)])


def test_table_lines_whose_last_cell_ends_in_space_are_stripped_across_runs_of_lines(
        ) -> None:
    """The table writer puts lines together ``MAX_ROWS`` at a time too, and a line whose
    last cell is empty or ends in whitespace loses that whitespace (as ``str.rstrip``):
    the rows to strip are found once a batch and must be matched to the lines of each run,
    also after the first (a slip strips the wrong line or leaves trailing spaces)."""
    rng = random.Random(5)
    rows = 2 * MAX_ROWS + 301
    last = [rng.choice(["ACCEPT", "trail ", "", "x", "trail\u3000", None]) for _ in range(rows)]
    batch = pa.RecordBatch.from_arrays([
        pa.array([rng.randint(0, 2**32 - 1) for _ in range(rows)], pa.uint32()),
        pa.array([rng.choice(PLAIN) for _ in range(rows)]).dictionary_encode(),
        pa.array(last, pa.string()),
    ], names=["bytes", "srcaddr", "note"])
    assert_same_as_reference([batch, batch.slice(MAX_ROWS + 1),
                              batch.select([0, 2]).slice(7)])


@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(flow_log_text(rows=12_000))
def test_flow_logs_parsed_in_batches_of_more_lines_than_a_run_match_the_reference(
        monkeypatch, case: tuple[bytes, bool]) -> None:  # type: ignore[no-untyped-def]
    """``cat``'s JSON lines and table writers get batches of large blocks
    (``cat.WRITER_BLOCK_BYTES``): batches of more lines than the writers put together at
    once (``linebytes.MAX_ROWS``), from the parser, with dictionaries shared across the
    runs of one batch and NODATA rows in each."""
    from flowtui import parser as parser_module

    monkeypatch.setattr(parser_module, "FIRST_BLOCK_BYTES", 1 << 20)
    text, dictionaries = case
    batches = parsed(text, dictionaries)
    assert max(batch.num_rows for batch in batches) > MAX_ROWS
    assert sum(batch.num_rows for batch in batches) == text.count(b"\n") - 1
    assert_same_as_reference(batches)
