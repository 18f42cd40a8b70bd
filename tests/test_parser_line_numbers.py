"""Bad lines keep their line numbers when the parser knows a block's lines from its rows.

A clean block's lines are not counted (``bytes.count`` over every block was 8 % of a
jsonl cat's instructions): read with empty lines as rows, a block that types has one row
per line. Empty lines, CRLF, whitespace-only lines and bad lines must still be numbered as
a line-by-line reading numbers them, whatever the blocks are.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flowtui.parser as parser_module
from flowtui.blocks import BlockTyper, _Block
from flowtui.fields import DEFAULT_FIELDS
from flowtui.parser import FlowLogParser

GOOD = ("2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 "
        "1418530010 1418530070 ACCEPT OK")
KINDS = {  # a line, and whether it is a record (True), skipped (None) or bad (False)
    "good": (GOOD, True),
    "empty": ("", None),
    "crlf-good": (GOOD + "\r", True),
    "crlf-empty": ("\r", None),
    "spaces": ("   ", None),
    "short": ("2 123456789010 eni-1 OK", False),
    "port": (GOOD.replace(" 22 ", " ssh "), False),
    "big-packets": (GOOD.replace(" 20 4249 ", " 99999999999 4249 "), True),
}


def test_a_clean_block_s_lines_are_its_rows_not_counted() -> None:
    typer = BlockTyper(list(DEFAULT_FIELDS), None, None)
    block = _Block(("\n".join([GOOD] * 50) + "\n").encode())
    batch = typer._fast(block)
    assert batch.num_rows == 50
    assert block.newlines == 50  # known from the rows: never counted


def test_a_block_with_an_empty_line_is_read_as_before_and_counted() -> None:
    typer = BlockTyper(list(DEFAULT_FIELDS), None, None)
    block = _Block(f"{GOOD}\n\n{GOOD}\n".encode())
    assert typer._fast(block).num_rows == 2
    assert block.newlines is None and block.line_count() == 3


def test_an_all_text_format_counts_its_lines() -> None:
    """No integer column to reject an empty line's "": empty lines stay skipped, and
    the lines are counted."""
    typer = BlockTyper(["action", "log-status"], None, None)
    block = _Block(b"ACCEPT OK\n\nREJECT OK\n")
    assert typer._fast(block).num_rows == 2
    assert block.newlines is None and block.line_count() == 3


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(sorted(KINDS)), min_size=1, max_size=400),
       st.sampled_from([64, 512, 4096]), st.integers(0, 2**16))
def test_records_and_bad_line_numbers_match_a_line_by_line_reading(
        monkeypatch: pytest.MonkeyPatch, kinds: list[str], block_bytes: int, seed: int
        ) -> None:
    monkeypatch.setattr(parser_module, "FIRST_BLOCK_BYTES", block_bytes)
    monkeypatch.setattr(parser_module, "MAX_BLOCK_BYTES", block_bytes * 4)
    lines = [" ".join(DEFAULT_FIELDS), *(KINDS[kind][0] for kind in kinds)]
    data = ("\n".join(lines) + "\n").encode()
    records = sum(1 for kind in kinds if KINDS[kind][1])
    bad = [number for number, kind in enumerate(kinds, start=2) if KINDS[kind][1] is False]
    parser = FlowLogParser(name="test")
    rng = random.Random(seed)
    batches = []
    start = 0
    while start < len(data):  # any chunking
        size = rng.choice([1, 7, 100, 5000])
        batches += parser.feed(data[start : start + size])
        start += size
    batches += parser.finish()
    assert sum(batch.num_rows for batch in batches) == records
    assert [line.line_number for line in parser.bad_lines] == bad
    assert parser.bad_count == len(bad)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(sorted(KINDS)), min_size=1, max_size=400),
       st.sampled_from([64, 512, 4096]), st.integers(0, 2**16), st.booleans())
def test_each_record_knows_its_line_as_a_line_by_line_reading_numbers_it(
        monkeypatch: pytest.MonkeyPatch, kinds: list[str], block_bytes: int, seed: int,
        pipelined: bool) -> None:
    """``lines_of``: where each batch's rows are in the text, whatever the blocks, chunks,
    blank, CRLF and bad lines; when said, it is the record's own line (each record here
    carries its line number as its srcport). The detail panel names a record by it."""
    monkeypatch.setattr(parser_module, "FIRST_BLOCK_BYTES", block_bytes)
    monkeypatch.setattr(parser_module, "MAX_BLOCK_BYTES", block_bytes * 4)
    lines = [" ".join(DEFAULT_FIELDS)]
    for number, kind in enumerate(kinds, start=2):
        lines.append(KINDS[kind][0].replace(" 20641 ", f" {number} "))
    data = ("\n".join(lines) + "\n").encode()
    parser = FlowLogParser(name="test", line_numbers=True, pipelined=pipelined)
    rng = random.Random(seed)
    said: list[int | None] = []
    srcports: list[int] = []

    def take(batches: list) -> None:
        from flowtui.rowlines import line_at

        for batch in batches:
            where = parser.lines_of(batch)
            said.extend(line_at(where, row) for row in range(batch.num_rows))
            srcports.extend(batch.column("srcport").to_pylist())

    start = 0
    while start < len(data):
        size = rng.choice([1, 7, 100, 5000])
        take(parser.feed(data[start : start + size]))
        start += size
    take(parser.finish())
    parser.close()
    records = [n for n, kind in enumerate(kinds, start=2) if KINDS[kind][1]]
    assert srcports == records
    assert all(line is None or line == port for line, port in zip(said, srcports, strict=True))
    if all(KINDS[kind][1] for kind in kinds) and "crlf-good" not in kinds:
        assert said == records  # a clean object: every record's line is known
