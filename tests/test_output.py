"""The cat writers render columns with Arrow kernels; the text must be what the plain
per-record rendering gives, character for character, for any values: hostile strings,
nulls, dictionaries, every integer width, and the odd types a Parquet file can carry."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import threading

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowtui.output import TRAILING_SPACE, make_writer
from flowtui.textsafe import BIDI, printable

# Characters that make rendering interesting: controls (C0, C1, DEL), bidi controls, CSV
# and JSON structure, line separators, whitespace Python strips, wide and combining text.
SPECIAL = ("\x00\x07\t\n\r\x1b\x7f\x85\x9b\u061c\u200e\u202a\u202e\u2066\u2069 \u00a0\u3000"
           "\u2028\u2029\",\\'{}é東\u0301-")
# Each column draws a few of them (so a value holding only a bidi control, or only a
# trailing ideographic space, is common) plus ordinary letters, sometimes any character.
ALPHABETS = st.builds(lambda chosen, rest: "ab" + "".join(chosen) + rest,
                      st.lists(st.sampled_from(SPECIAL), min_size=1, max_size=3),
                      st.sampled_from(["", "".join(map(chr, range(0x20, 0x3000, 97)))]))
INTEGERS = [pa.uint8(), pa.uint16(), pa.uint32(), pa.int8(), pa.int16(), pa.int64()]


@st.composite
def columns(draw: st.DrawFn, rows: int) -> pa.Array:
    kind = draw(st.sampled_from(["dict", "string", "int", "float", "bool", "time", "binary",
                                 "null"]))
    maybe = st.none() | st.just(0)  # 0: a value; None: null
    present = [draw(maybe) is not None for _ in range(rows)]
    if kind in ("dict", "string", "binary"):
        text = st.text(alphabet=draw(ALPHABETS), max_size=8)
        values = [draw(text) if keep else None for keep in present]
        if kind == "binary":
            return pa.array([None if v is None else v.encode() for v in values], pa.binary())
        array = pa.array(values, pa.string())
        return array.dictionary_encode() if kind == "dict" else array
    if kind == "int":
        kind_type = draw(st.sampled_from(INTEGERS))
        info = (1 << kind_type.bit_width)
        low, high = (-(info >> 1), (info >> 1) - 1) if kind_type.id in (
            pa.int8().id, pa.int16().id, pa.int64().id) else (0, info - 1)
        return pa.array([draw(st.integers(low, high)) if keep else None for keep in present],
                        kind_type)
    if kind == "float":
        return pa.array([draw(st.sampled_from([0.1, 1.5, -2.0, 1e20])) if keep else None
                         for keep in present], pa.float64())
    if kind == "bool":
        return pa.array([draw(st.booleans()) if keep else None for keep in present])
    if kind == "time":
        start = dt.datetime(2024, 3, 5, 14, 0)
        return pa.array([start + dt.timedelta(seconds=draw(st.integers(0, 10**6)))
                         if keep else None for keep in present], pa.timestamp("s"))
    return pa.nulls(rows)


@st.composite
def batches(draw: st.DrawFn) -> pa.RecordBatch:
    rows = draw(st.integers(1, 8))
    count = draw(st.integers(1, 5))
    names = draw(st.lists(st.sampled_from(["srcaddr", "a\u202eb", 'q"t', "x\x1by", "port"]),
                          min_size=count, max_size=count, unique=True))
    return pa.RecordBatch.from_arrays([draw(columns(rows)) for _ in names], names=names)


def written(fmt: str, *batches: pa.RecordBatch) -> str:
    out = io.StringIO()
    writer = make_writer(fmt, out)
    for batch in batches:
        writer.write_batch(batch, "test")
    return out.getvalue()


# ------------------------------------------------------------ the per-record renderings


def table_reference(batches: list[pa.RecordBatch]) -> str:
    lines: list[str] = []
    names: list[str] | None = None
    widths: list[int] = []
    for batch in batches:
        rows = [["-" if value is None else printable(str(value)) for value in row.values()]
                for row in _python_rows(batch)]
        if batch.schema.names != names:
            names = batch.schema.names
            header = [printable(name) for name in names]
            widths = [max([len(h)] + [len(row[i]) for row in rows[:200]])
                      for i, h in enumerate(header)]
            lines.append(_padded(header, widths))
        lines.extend(_padded(row, widths) for row in rows)
    return "".join(line + "\n" for line in lines)


def _padded(cells: list[str], widths: list[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()


def csv_reference(batches: list[pa.RecordBatch]) -> str:
    text = []
    names = None
    for batch in batches:
        sink = pa.BufferOutputStream()
        pacsv.write_csv(batch, sink, pacsv.WriteOptions(include_header=batch.schema.names != names,
                                                        quoting_style="needed"))
        names = batch.schema.names
        text.append(printable(sink.getvalue().to_pybytes().decode(), keep_newlines=True))
    return "".join(text)


_TERMINAL_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029" + BIDI + "]")


def json_text(value: str) -> str:
    encoded = json.dumps(value, ensure_ascii=False)
    return _TERMINAL_UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)


def jsonl_reference(batches: list[pa.RecordBatch]) -> str:
    lines = []
    for batch in batches:
        columns = []
        for column in batch.columns:
            if pa.types.is_dictionary(column.type):
                column = column.cast(column.type.value_type)
            numeric = pa.types.is_integer(column.type) or pa.types.is_floating(column.type)
            columns.append([None if v is None else v if numeric else json_text(v)
                            for v in column.cast(pa.string()).to_pylist()])
        for row in zip(*columns, strict=True):
            members = [f"{json_text(name)}: {'null' if value is None else value}"
                       for name, value in zip(batch.schema.names, row, strict=True)]
            lines.append("{" + ", ".join(members) + "}\n")
    return "".join(lines)


def _python_rows(batch: pa.RecordBatch) -> list[dict[str, object]]:
    return [{name: batch.column(i)[row].as_py() for i, name in enumerate(batch.schema.names)}
            for row in range(batch.num_rows)]


# ------------------------------------------------------------ tests


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(batches(), min_size=1, max_size=3))
def test_writers_match_the_per_record_rendering(batch_list: list[pa.RecordBatch]) -> None:
    assert written("table", *batch_list) == table_reference(batch_list)
    assert written("csv", *batch_list) == csv_reference(batch_list)
    assert written("jsonl", *batch_list) == jsonl_reference(batch_list)


def test_jsonl_reads_back_the_values_with_bidi_and_controls_escaped() -> None:
    hostile = "eni-\u202eexe.txt\x1b[2J\x9b\u2066"
    batch = pa.RecordBatch.from_arrays([pa.array([hostile, None]).dictionary_encode(),
                                        pa.array([70000, None], pa.uint32())],
                                       names=["interface-id", "bytes"])
    text = written("jsonl", batch)
    assert not re.search("[\x00-\x1f\x7f-\x9f" + BIDI + "]", text.replace("\n", ""))
    first, second = (json.loads(line) for line in text.splitlines())
    assert first == {"interface-id": hostile, "bytes": 70000}
    assert second == {"interface-id": None, "bytes": None}


def test_a_new_set_of_columns_gets_its_header_and_widths() -> None:
    one = pa.RecordBatch.from_arrays([pa.array(["a"]), pa.array([1], pa.uint8())],
                                     names=["action", "protocol"])
    two = pa.RecordBatch.from_arrays([pa.array(["REJECT"])], names=["action"])
    assert written("table", one, one, two).splitlines() == [
        "action  protocol", "a       1", "a       1", "action", "REJECT"]
    assert written("csv", one, two).splitlines() == ['"action","protocol"', '"a",1',
                                                     '"action"', '"REJECT"']


def test_trailing_space_names_what_rstrip_would_strip_after_escaping() -> None:
    stripped = {chr(c) for c in range(0x110000) if chr(c).isspace() and printable(chr(c)) == chr(c)}
    named = {chr(c) for c in range(0x110000)
             if not 0xD800 <= c < 0xE000 and re.search(TRAILING_SPACE, "x" + chr(c))}
    assert named == stripped


def test_background_writer_writes_what_the_writer_writes_and_raises_its_errors() -> None:
    """``cat`` of a local file writes on a thread of its own: the same text, in order, and a
    reader that went away (BrokenPipeError in that thread) stops the caller."""
    from flowtui.writethreads import BackgroundWriter

    batches = [pa.RecordBatch.from_pydict({"srcport": list(range(i, i + 50)),
                                           "action": ["ACCEPT"] * 50}) for i in range(0, 500, 50)]
    plain = io.StringIO()
    writer = make_writer("csv", plain)
    for batch in batches:
        writer.write_batch(batch, "")
    threaded = io.StringIO()
    with BackgroundWriter(make_writer("csv", threaded), depth=2) as background:
        for batch in batches:
            background.write_batch(batch, "")
    assert threaded.getvalue() == plain.getvalue() and plain.getvalue().count("\n") == 501

    class Gone(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError

    background = BackgroundWriter(make_writer("csv", Gone()))
    background.write_batch(batches[0], "")
    with pytest.raises(BrokenPipeError):
        background.drain()
    with pytest.raises(BrokenPipeError):
        background.write_batch(batches[1], "")
    with pytest.raises(BrokenPipeError):
        background.close()


@pytest.mark.parametrize("fmt", ["table", "csv", "jsonl"])
def test_text_made_on_two_threads_is_written_in_order_with_each_header_and_widths(
        fmt: str) -> None:
    """``cat`` of a local file makes the text of two batches at once (two threads); what it
    writes is still what one writer writes: batches in order, a header (and, for the
    table, widths from the first rows) for each new set of columns. The writer here waits
    inside ``render`` until a second batch is being made, so the test fails unless two
    are made at once."""
    from flowtui.writethreads import BackgroundWriter

    def batch(start: int, names: list[str]) -> pa.RecordBatch:
        width = "x" * (start % 7)  # each batch wider than the last: widths are the first's
        return pa.RecordBatch.from_arrays(
            [pa.array(range(start, start + 40), pa.uint32()),
             pa.array([f"eni-{width}{n}" for n in range(40)])], names=names)

    batches = [batch(i, ["srcport", "interface-id"]) for i in range(0, 200, 40)]
    batches += [batch(i, ["packets", "action"]) for i in range(200, 400, 40)]
    plain = io.StringIO()
    writer = make_writer(fmt, plain)
    for each in batches:
        writer.write_batch(each, "")
    together = threading.Barrier(2, timeout=30)
    overlapped = []
    threaded_writer = make_writer(fmt, io.StringIO())
    render = threaded_writer.render

    def rendering(each: pa.RecordBatch, source: str,
                  into: list[bytes | memoryview] | None = None) -> list[bytes | memoryview]:
        if each.column(0)[0].as_py() in (40, 80):  # two batches between two headers
            together.wait()
            overlapped.append(True)
        return render(each, source, into)

    threaded_writer.render = rendering  # type: ignore[method-assign]
    with BackgroundWriter(threaded_writer, depth=2, threads=2) as background:
        for each in batches:
            background.write_batch(each, "")
    assert overlapped == [True, True]
    assert threaded_writer.out.getvalue() == plain.getvalue()
    assert plain.getvalue().count("\n") == 400 + 2 * (fmt != "jsonl")


def test_the_batch_whose_turn_it_is_is_written_as_its_lines_are_made() -> None:
    """A large batch's JSON lines are made a run of lines at a time (``linebytes.MAX_ROWS``);
    the thread whose turn it is writes each run as it is made, not the whole batch (13 MB
    for 44,000 records) once it is all made, so memory holds one run, not the batch. Here
    each run, as it is made, finds the runs before it already written."""
    from flowtui.linebytes import MAX_ROWS
    from flowtui.writethreads import BackgroundWriter

    rows = 3 * MAX_ROWS + 5
    batch = pa.RecordBatch.from_pydict({"srcport": [n % 65536 for n in range(rows)],
                                        "bytes": list(range(rows))})
    out = io.StringIO()
    writer = make_writer("jsonl", out)
    made = writer._write_lines
    written_before: list[int] = []

    def write_lines(lines: pa.Array) -> None:
        written_before.append(out.getvalue().count("\n"))
        made(lines)

    writer._write_lines = write_lines  # type: ignore[method-assign]
    with BackgroundWriter(writer, depth=2, threads=2) as background:
        background.write_batch(batch, "")
    assert written_before == [0, MAX_ROWS, 2 * MAX_ROWS, 3 * MAX_ROWS]
    assert out.getvalue() == jsonl_reference([batch])
