"""``cat --format csv`` takes whole numbers as their text (``numbers_as_text``): the bytes it
prints, and the bad lines it reports, are those of the typed path for every input.

The text of a number goes out as it came in only where it is what the typed value prints
(digits, no leading zero, in range); anything else (a bad line, "007", hex, a count over 32
bits, a negative count, a tab or a CR, a second header naming other columns) sends its
block the typed way. The reference here is the typed path itself: the parser without
``numbers_as_text`` and the same CSV writer.
"""

from __future__ import annotations

import io
import random
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from flowtui import output
from flowtui.arrowcsv import number_text, numbers_text
from flowtui.fields import DEFAULT_FIELDS
from flowtui.output import make_writer
from flowtui.parser import FlowLogParser

HEADER = " ".join(DEFAULT_FIELDS)
CUSTOM = "start action srcaddr tcp-flags bytes traffic-path end log-status"


def record(rng: random.Random) -> str:
    port = rng.choice(["443", "22", "0", "-", str(rng.randint(0, 65535))])
    count = rng.choice(["0", "1", "-", str(rng.randint(0, 9999)), str(rng.randint(0, 2**32 - 1))])
    start = 1709649000 + rng.randint(0, 3600)
    status = rng.choices(["OK", "NODATA", "SKIPDATA"], [30, 1, 1])[0]
    if status != "OK":
        return f"2 123456789012 eni-0a1b2c3d - - - - - - - {start} {start + 60} - {status}"
    return (f"2 0{rng.randint(10**10, 10**11 - 1)} eni-{rng.randint(0, 99)} 10.0.0.1 "
            f"10.0.0.{rng.randint(0, 255)} {port} {rng.choice(['443', '0'])} "
            f"{rng.choice(['6', '17', '1'])} {count} {count} {start} {start + 60} "
            f"{rng.choice(['ACCEPT', 'REJECT'])} OK")


#: Lines that must send their block the typed way, each with what makes it differ.
ODD = [
    "2 123456789012 eni-1 10.0.0.1 10.0.0.2 007 443 6 1 1 1709649000 1709649060 ACCEPT OK",
    "2 123456789012 eni-1 10.0.0.1 10.0.0.2 0x1bb 443 6 1 1 1709649000 1709649060 ACCEPT OK",
    "2 123456789012 eni-1 10.0.0.1 10.0.0.2 443 443 6 1 4294967296 1709649000 1709649060 "
    "ACCEPT OK",
    "2 123456789012 eni-1 10.0.0.1 10.0.0.2 70000 443 6 1 1 1709649000 1709649060 ACCEPT OK",
    "2 123456789012 eni-1 10.0.0.1 10.0.0.2 443 443 6 -5 1 1709649000 1709649060 ACCEPT OK",
    "2 123456789012 eni-1 10.0.0.1 10.0.0.2 +443 443 6 1 1 1709649000 1709649060 ACCEPT OK",
    "2 123456789012 eni-1 10.0.0.1 10.0.0.2 443\t 443 6 1 1 1709649000 1709649060 ACCEPT OK",
    "02 123456789012 eni-1 10.0.0.1 10.0.0.2 443 443 6 1 1 1709649000 1709649060 ACCEPT OK",
    "2 123456789012 eni-1 10.0.0.1 10.0.0.2 443 443 6 1 1 1709649000 1709649060 ACCEPT OK\r",
    "2 too few fields",
    "",
    # a second format for one record, then the first again (concatenated objects)
    f"{CUSTOM}\n1709649000 ACCEPT 10.0.0.9 19 500 1 1709649060 OK\n{HEADER}",
]


def flow_log(seed: int, odd: int) -> bytes:
    """A few blocks of records with ``odd`` lines of ``ODD`` spread through them."""
    rng = random.Random(seed)
    lines = [HEADER, *(record(rng) for _ in range(4000))]
    for _ in range(odd):
        lines.insert(rng.randint(1, len(lines)), rng.choice(ODD))
    return ("\n".join(lines) + "\n").encode()


def csv_of(data: bytes, numbers_as_text: bool, chunk: int) -> tuple[bytes, list[tuple]]:
    parser = FlowLogParser(name="t", dictionaries=False, numbers_as_text=numbers_as_text)
    sink = io.BytesIO()
    out = io.TextIOWrapper(sink, encoding="utf-8", newline="")
    writer = make_writer("csv", out)
    for start in range(0, len(data), chunk):
        for batch in parser.feed(data[start : start + chunk]):
            writer.write_batch(batch, "t")
    for batch in parser.finish():
        writer.write_batch(batch, "t")
    out.flush()
    bad = [(b.line_number, b.reason, b.text) for b in parser.bad_lines]
    return sink.getvalue(), [*bad, parser.bad_count, parser.error]


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from([0, 1, 2, 5, 40]),
       st.sampled_from([7919, 1 << 16, 1 << 20]))
def test_numbers_as_text_print_what_the_typed_path_prints(seed: int, odd: int,
                                                           chunk: int) -> None:
    data = flow_log(seed, odd)
    typed = csv_of(data, False, chunk)
    assert csv_of(data, True, chunk) == typed
    assert typed[0].count(b"\n") >= 4000 - odd


def test_the_text_path_is_taken_and_a_block_it_refuses_is_typed() -> None:
    """Clean blocks go as text; a block holding "007" is typed (and prints 7)."""
    data = flow_log(3, 0)
    padded = ODD[0]  # srcport 007
    data = data.replace(b"\n", f"\n{padded}\n".encode(), 1)
    parser = FlowLogParser(name="t", dictionaries=False, numbers_as_text=True)
    batches = [batch for start in range(0, len(data), 16 << 10)  # blocks of 64 KB, 128 KB…
               for batch in parser.feed(data[start : start + (16 << 10)])]
    batches += parser.finish()
    texts = [pa.types.is_string(b.schema.field("srcport").type) for b in batches]
    assert texts[0] is False and any(texts[1:])
    assert batches[0].column("srcport")[0].as_py() == 7
    printed, _ = csv_of(data, True, 1 << 20)
    assert printed.splitlines()[1].startswith(b'2,"123456789012","eni-1","10.0.0.1",'
                                              b'"10.0.0.2",7,443,')


def test_the_writer_types_the_numbers_when_pyarrow_will_not_write_text_for_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = flow_log(5, 3)
    expected = csv_of(data, False, 1 << 20)
    monkeypatch.setattr(output, "_writes_text_as_typed", lambda: False)
    assert csv_of(data, True, 1 << 20) == expected


def test_cat_prints_the_same_bytes_and_messages_as_the_typed_path(tmp_path: Path) -> None:
    """The command as a user runs it, gzip input of several blocks with odd lines."""
    import gzip

    data = flow_log(11, 4)
    path = tmp_path / "flows.log.gz"
    path.write_bytes(gzip.compress(data))
    done = subprocess.run([sys.executable, "-m", "flowtui", "cat", str(path), "--format", "csv"],
                          capture_output=True, check=False, timeout=120)
    printed, bad = csv_of(data, False, 1 << 20)
    assert done.stdout == printed
    for line_number, reason, _text in bad[:-2]:
        assert f"{path}:{line_number}: {reason}".encode() in done.stderr


def _reference(values: list[str | None], kind: pa.DataType) -> bool:
    largest = (1 << kind.bit_width) - 1
    return all(value is None or (value.isascii() and value.isdigit()
                                 and (value == "0" or not value.startswith("0"))
                                 and int(value) <= largest) for value in values)


@settings(max_examples=100, deadline=None)
@example(["4294967295", None, "12"], pa.uint32())  # the largest value: cast to be sure
@example(["4294967296"], pa.uint32())  # one over, as long as the largest
@example(["5000000000", None], pa.uint32())  # as long, a larger first digit
@example(["3999999999", "0"], pa.uint32())
@example(["65535", "65536"], pa.uint16())
@example(["255", None, None], pa.uint8())  # trailing nulls start past the text
@example(["256"], pa.uint8())
@example([None, "00"], pa.uint8())
@example(["10", "", "7"], pa.uint32())  # an empty value is not a null
@example([None, None], pa.uint32())
@example(["", ""], pa.uint32())
@given(st.lists(st.one_of(st.none(), st.from_regex(r"\A[0-9]{1,11}\Z"),
                          st.text(alphabet="0123456789 +-xX\t\u0663a", max_size=6)),
                max_size=8),
       st.sampled_from([pa.uint8(), pa.uint16(), pa.uint32()]))
def test_number_text_takes_only_what_the_typed_value_prints(values: list[str | None],
                                                            kind: pa.DataType) -> None:
    column = pa.array([None if v is None else v.encode() for v in values], pa.binary())
    assert number_text([column], kind) == _reference(values, kind)
    cut = len(values) // 2  # as columns checked together, and as slices of one
    halves = [column.slice(0, cut), pa.chunked_array([column.slice(cut)], pa.binary())]
    assert number_text(halves, kind) == _reference(values, kind)
    for start in range(1, len(values)):  # one slice alone: its offsets start past 0
        assert number_text([column.slice(start)], kind) == _reference(values[start:], kind)
        assert number_text([column.slice(0, start)], kind) == _reference(values[:start], kind)


_NUMBERS = st.lists(st.one_of(st.none(), st.from_regex(r"\A[0-9]{1,11}\Z"),
                              st.sampled_from(["255", "256", "65535", "65536", "4294967295",
                                               "4294967296", "07", "0", ""])), max_size=6)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([pa.uint8(), pa.uint16(), pa.uint32()]),
                          st.lists(_NUMBERS, max_size=3)), max_size=4))
def test_columns_of_several_types_are_checked_each_against_its_own(
        groups: list[tuple[pa.DataType, list[list[str | None]]]]) -> None:
    """One block's integer columns, checked at once: "65535" fits a port, not a protocol."""
    arrays = [(kind, [pa.array([None if v is None else v.encode() for v in column],
                               pa.binary()) for column in columns]) for kind, columns in groups]
    expected = all(_reference(column, kind) for kind, columns in groups for column in columns)
    assert numbers_text(arrays) == expected


@pytest.mark.parametrize("odd", ["", "\r", " \r", "\r\r", "\n", "\n\n\n"])
def test_blocks_read_as_text_number_their_lines_as_the_file_does(odd: str) -> None:
    """A block whose numbers read as text takes its line count from the rows' sizes, not a
    count; empty lines (which the reader skips) and a lone CR (which ends a row inside a
    line: here one line holds two records) must not shift the number of a bad line in a
    later block, nor the lines printed."""
    rng = random.Random(7)
    clean = [record(rng) for _ in range(3000)]
    joined = clean[5] + odd + clean[6] if odd else ""
    lines = [HEADER, *clean[:5], joined, *clean[7:], "2 too few fields", clean[0]]
    data = ("\n".join(lines) + "\n").encode()
    typed = csv_of(data, False, 16 << 10)
    bad = typed[1][:-2]  # (line, reason, text) of each bad line, then the count and error
    assert bad[-1][:2] == (len(lines) + joined.count("\n") - 1, "expected 14 fields, found 4")
    assert csv_of(data, True, 16 << 10) == typed


def test_a_block_of_empty_lines_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A flood of empty lines (a blank-line bomb) costs one read of each block: the read
    with numbers as text finds no rows, and no rows is the answer (reading the block again
    with the numbers typed made such a cat a third slower than before numbers as text)."""
    from flowtui import blocks

    sources: list[object] = []  # each read's source, kept so no two share an id
    real = blocks.pacsv.read_csv

    def counted(source: object, *args: object) -> pa.Table:
        sources.append(source)
        return real(source, *args)

    monkeypatch.setattr(blocks.pacsv, "read_csv", counted)
    rng = random.Random(5)
    data = (HEADER + "\n" + record(rng) + "\n" + "\n" * (1 << 18) + record(rng) + "\n"
            ).encode()
    printed, bad = csv_of(data, True, 1 << 16)
    assert printed.count(b"\n") == 3 and bad == [0, None]
    assert len(sources) == len({id(source) for source in sources})  # no block read twice
