"""The cat writers' fast paths give the text the careful paths give.

``flowtui cat --format csv`` parses text columns as plain strings (no dictionaries) and
checks a column's bytes at once for anything to escape; integers whose values lie close
together are rendered through a table of their text. Each shortcut must leave the output
byte for byte what it was, on flow logs with nulls (NODATA rows), IPv6 addresses and odd
strings, and must not let a bad line through: a value that is not a number in a number
column, a number out of its column's range, or bytes that are not UTF-8 are still
reported as bad lines, never written.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowtui.fields import DEFAULT_FIELDS
from flowtui.parser import FlowLogParser
from flowtui.synth import generate_lines
from tests.cli_fork import flowtui_run
from tests.test_output import csv_reference, jsonl_reference, table_reference, written

ROOT = Path(__file__).resolve().parent.parent
REFERENCES = {"table": table_reference, "csv": csv_reference, "jsonl": jsonl_reference}
WIDE_FIELDS = ("version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport",
               "dstport", "protocol", "packets", "bytes", "start", "end", "action",
               "log-status", "vpc-id", "subnet-id", "tcp-flags", "type", "pkt-srcaddr",
               "pkt-dstaddr", "flow-direction", "traffic-path")
# Text columns' values a terminal, CSV or JSON must treat with care; none holds a space or a
# newline (the record separators). ESC, a C1 control, bidi overrides, a line separator,
# quote and backslash, accents and CJK, a combining mark.
ODD = ['eni-"quoted"', "eni-back\\slash", "eni-\u00e9\u6771\u0301", "eni-\u202eexe.txt",
       "eni-\x1b[2J", "ACCEPT\x85", "OK\u2028", "fe80::1", "2600:1f18:abcd::42"]


def _odd_lines(fields: tuple[str, ...], count: int) -> list[str]:
    """Generated records (some NODATA, some IPv6), every 97th with an odd text value."""
    lines = list(generate_lines(count, seed=21, fields=fields, interfaces=40, span=600,
                                nodata_rate=0.02))
    text_columns = [i for i, name in enumerate(fields)
                    if name in ("account-id", "interface-id", "srcaddr", "dstaddr", "action",
                                "log-status", "vpc-id", "pkt-srcaddr")]
    for number in range(0, count, 97):
        tokens = lines[number].split(" ")
        column = text_columns[number // 97 % len(text_columns)]
        tokens[column] = ODD[number // 97 % len(ODD)]
        lines[number] = " ".join(tokens)
    return lines


def _parsed(text: bytes, dictionaries: bool) -> list[pa.RecordBatch]:
    parser = FlowLogParser(name="test", dictionaries=dictionaries)
    batches = [b for start in range(0, len(text), 1 << 16)
               for b in parser.feed(text[start : start + (1 << 16)])]
    batches += parser.finish()
    assert not parser.bad_count and parser.error is None
    return batches


@pytest.mark.parametrize("fields", [tuple(DEFAULT_FIELDS), WIDE_FIELDS],
                         ids=["default", "wide"])
def test_plain_and_dictionary_text_columns_give_the_same_text(fields: tuple[str, ...]) -> None:
    """Every writer, on batches with dictionaries and without, writes what the per-record
    rendering writes: nulls as '-', '' or null, odd strings escaped, IPv6 addresses whole."""
    lines = _odd_lines(fields, 3000)
    text = gzip.compress(("\n".join([" ".join(fields), *lines]) + "\n").encode())
    with_dictionaries = _parsed(text, True)
    plain = _parsed(text, False)
    assert any(pa.types.is_dictionary(t) for t in with_dictionaries[0].schema.types)
    assert pa.string() in plain[0].schema.types
    assert not any(pa.types.is_dictionary(t) for b in plain for t in b.schema.types)
    assert sum(b.num_rows for b in plain) == len(lines)
    for fmt, reference in REFERENCES.items():
        expected = reference(with_dictionaries)
        assert written(fmt, *with_dictionaries) == expected, fmt
        assert written(fmt, *plain) == expected, fmt
    shown = written("table", *plain)
    assert "2600:1f18:abcd::42" in shown and "eni-\\x1b[2J" in shown
    assert "eni-\\u202eexe.txt" in shown and "ACCEPT\\x85" in shown


def test_cat_csv_of_a_file_is_the_per_record_csv(tmp_path: Path) -> None:
    """The command as a user runs it (plain text columns for CSV) against the reference."""
    fields = tuple(DEFAULT_FIELDS)
    lines = _odd_lines(fields, 3000)
    text = gzip.compress(("\n".join([" ".join(fields), *lines]) + "\n").encode())
    path = tmp_path / "odd.log.gz"
    path.write_bytes(text)
    done = flowtui_run("cat", str(path), "--format", "csv", cwd=ROOT, timeout=120, text=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode() == csv_reference(_parsed(text, True))


BAD = {
    # file name: (its one bad line, what the message must name)
    "a.log.gz": ("2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 49152 6 10 12x 1418530010 "
                 "1418530070 ACCEPT OK", "bytes: '12x' is not an integer"),
    "b.log.gz": ("2 123456789010 eni-1 10.0.0.1 10.0.0.2 70000 49152 6 10 840 1418530010 "
                 "1418530070 ACCEPT OK", "srcport: 70000 is out of range 0..65535"),
    "c.log.gz": ("2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 49152 6 10 840 1418530010.5 "
                 "1418530070 ACCEPT OK", "start: '1418530010.5' is not an integer"),
    "d.log.gz": ("2 123456789010 eni-\udcff\udcfe 10.0.0.1 10.0.0.2 443 49152 6 10 840 "
                 "1418530010 1418530070 ACCEPT OK", "interface-id: invalid UTF-8"),
    "e.log.gz": ("2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 49152 6 10 840 1418530010 ACCEPT "
                 "OK", "expected 14 fields, found 13"),
}
GOOD = ("2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 49152 6 10 840 1418530010 1418530070 "
        "ACCEPT OK")


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "table"])
def test_cat_still_reports_values_that_do_not_fit_their_column(tmp_path: Path,
                                                               fmt: str) -> None:
    """Plain text columns skip no check: a number column holding a non-number, a port
    over 65535 (ports are 16-bit, AWS's field table), bytes that are not UTF-8, a short
    line: each is a bad line with its number and reason; the good lines around them are
    written, the bad ones never. One bad line per object, so that each object's other
    lines pass the fast path and the bad one is caught by it, not by its neighbours."""
    for name, (bad, _reason) in BAD.items():
        body = "\n".join([" ".join(DEFAULT_FIELDS), GOOD, bad, GOOD]) + "\n"
        (tmp_path / name).write_bytes(gzip.compress(body.encode("utf-8", "surrogateescape")))
    done = flowtui_run("cat", str(tmp_path), "--format", fmt, cwd=ROOT, timeout=120, text=False)
    out, err = done.stdout.decode(), done.stderr.decode()
    for name, (_bad, reason) in BAD.items():
        assert f"{name}:3: {reason}" in err, err
    assert f"{len(BAD)} bad lines skipped" in err
    assert "12x" not in out and "70000" not in out and "\ufffd" not in out
    assert len([line for line in out.splitlines() if "eni-1" in line]) == 2 * len(BAD)


# --------------------------------------------------------------- close integers, plain text

INTEGER_TYPES = [pa.uint32(), pa.int32(), pa.int64(), pa.uint64()]
PLAIN_ASCII = st.text(alphabet=st.sampled_from('ab "\\-,{}~'), max_size=6)


@st.composite
def close_batches(draw: st.DrawFn) -> pa.RecordBatch:
    """Integers a few apart (start and end times, packet counts) and printable ASCII text
    (which the writers check at once, not value by value), with nulls."""
    rows = draw(st.integers(1, 40))
    columns = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            kind = draw(st.sampled_from(INTEGER_TYPES))
            low = -(1 << (kind.bit_width - 1)) if pa.types.is_signed_integer(kind) else 0
            high = (1 << (kind.bit_width - 1 if pa.types.is_signed_integer(kind)
                          else kind.bit_width)) - 1
            base = draw(st.integers(low, high - 8))
            values = [None if draw(st.integers(0, 5)) == 0 else base + draw(st.integers(0, 8))
                      for _ in range(rows)]
            columns.append(pa.array(values, kind))
        else:
            values = [None if draw(st.integers(0, 5)) == 0 else draw(PLAIN_ASCII)
                      for _ in range(rows)]
            array = pa.array(values, pa.string())
            columns.append(array.dictionary_encode() if draw(st.booleans()) else array)
    return pa.RecordBatch.from_arrays(columns, names=[f"c{i}" for i in range(len(columns))])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(close_batches(), min_size=1, max_size=3))
def test_close_integers_and_plain_text_match_the_per_record_rendering(
        batch_list: list[pa.RecordBatch]) -> None:
    for fmt, reference in REFERENCES.items():
        assert written(fmt, *batch_list) == reference(batch_list), fmt


@pytest.mark.parametrize("dictionaries", [True, False], ids=["dictionaries", "plain"])
def test_a_hexadecimal_number_is_a_bad_line_and_0x_in_text_is_text(dictionaries: bool) -> None:
    """Arrow's CSV reader takes ``0x1bb`` for 443; flow logs write ports in decimal (AWS's
    field table: integers), and the line-by-line check says it is not an integer. So the
    line is reported, whichever path reads it, and a text value holding ``0x`` stays."""
    hexadecimal = GOOD.replace(" 443 ", " 0x1bb ")
    text_0x = GOOD.replace("eni-1", "eni-0xbeef")
    body = "\n".join([" ".join(DEFAULT_FIELDS), GOOD, hexadecimal, text_0x, GOOD]) + "\n"
    parser, batches = _parsed_with_bad(gzip.compress(body.encode()), dictionaries)
    assert [(bad.line_number, bad.reason) for bad in parser.bad_lines] == [
        (3, "srcport: '0x1bb' is not an integer")]
    rows = pa.Table.from_batches(batches).to_pylist()
    assert [row["interface-id"] for row in rows] == ["eni-1", "eni-0xbeef", "eni-1"]
    assert [row["srcport"] for row in rows] == [443, 443, 443]


def _parsed_with_bad(text: bytes, dictionaries: bool
                     ) -> tuple[FlowLogParser, list[pa.RecordBatch]]:
    parser = FlowLogParser(name="test", dictionaries=dictionaries)
    batches = parser.feed(text)
    batches += parser.finish()
    return parser, batches
