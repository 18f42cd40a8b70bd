"""``cat --where`` types only what its filter needs, and must print what typing everything does.

The fast path (the parser's prefilter, ``FlowLogParser(prefilter=…)``) types the filter's
columns of each block first, cuts out the lines the filter keeps and types only those, with
blocks typed two at a time. The plain path types every column of every line and filters the
batches after. Whatever the input holds — NODATA/SKIPDATA records with '-' for absent values,
CRLF, tabs and double spaces, leading zeros, a counter over 2^32, bad lines, blank lines, a
second gzip member in another format, an unterminated last line — both must print the same
bytes on stdout and the same bad-line reports on stderr, in every format, from a file, from
standard input and from Parquet. A bad value in a column the filter does not read, in a line
the filter drops, is the one documented difference (``FlowLogParser``): the shared data has
bad field counts only, and a bad value is checked where both paths see it.
"""

from __future__ import annotations

import gzip
import random
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from flowtui import cli, loader, parser
from flowtui.cli import filtering
from flowtui.fields import DEFAULT_FIELDS
from flowtui.synth import generate_lines

# A record the question asks for: REJECT, to port 22 (the default format's 14 fields).
SSH = ("2 123456789012 eni-0a1b2c3d4e5f60718 203.0.113.9 10.0.1.5 51515 22 6 3 180 "
       "1709640000 1709640060 REJECT OK")
V5_FIELDS = ("version srcaddr dstaddr srcport dstport protocol start end type packets bytes "
             "account-id interface-id action tcp-flags log-status")
V5_SSH = ("5 198.51.100.7 10.0.1.5 40000 22 6 1709640100 1709640160 IPv4 2 120 123456789012 "
          "eni-0a1b2c3d4e5f60718 REJECT 2 OK")

#: Records that match, written oddly: each must come out, as the plain path gives it.
ODD_MATCHES = [
    SSH + "\r",  # CRLF
    SSH.replace(" ", "\t"),  # tabs between the fields
    SSH.replace(" 22 ", "  22  "),  # double spaces
    SSH.replace(" 22 6 ", " 022 6 "),  # a leading zero: still port 22
    SSH.replace(" 180 ", " 9999999999 "),  # bytes over 2^32
    SSH.replace(" 3 180 ", " - - "),  # absent counters
]
#: Lines every path reports as bad, whatever the filter reads: a wrong field count.
BAD = ["2 too few fields", SSH + " extra"]
FILTERS = ["reject and dstport = 22", "port 22 or port 3389", "log-status = NODATA",
           "bytes > 1k and not udp", "action = ACCEPT"]


def generated(seed: int = 21, records: int = 12_000) -> tuple[bytes, int]:
    """A two-member gzip object full of oddities, and how many records in it are REJECT to
    port 22 (counted here, in Python, not by the parser)."""
    rng = random.Random(seed)
    lines = list(generate_lines(records, seed=seed, interfaces=40, span=3600, reject_rate=0.3,
                                nodata_rate=0.02, skipdata_rate=0.01))
    for odd in ODD_MATCHES * 5 + BAD * 5 + [""] * 5 + [SSH.replace("REJECT", "ACCEPT")] * 5:
        lines.insert(rng.randrange(len(lines)), odd)
    bad = set(BAD)
    first = [" ".join(DEFAULT_FIELDS), *lines]
    second = [V5_FIELDS] + [V5_SSH if i % 3 == 0 else V5_SSH.replace("REJECT", "ACCEPT")
                            for i in range(300)]
    wanted = sum(1 for line in lines if line not in bad and _rejected_ssh(line, 12, 6))
    wanted += sum(1 for line in second[1:] if _rejected_ssh(line, 13, 4))
    data = gzip.compress(("\n".join(first) + "\n").encode())
    data += gzip.compress("\n".join(second).encode())  # no newline after the last line
    return data, wanted


def _rejected_ssh(line: str, action: int, dstport: int) -> bool:
    tokens = line.split()
    return len(tokens) > action and tokens[action] == "REJECT" and \
        tokens[dstport].isdigit() and int(tokens[dstport]) == 22


@pytest.fixture(scope="module")
def flows(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    data, wanted = generated()
    path = tmp_path_factory.mktemp("where") / "flows.log.gz"
    path.write_bytes(data)
    return path, wanted


@pytest.fixture(autouse=True)
def many_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """~20 blocks typed two at a time, as a large object's are."""
    monkeypatch.setattr(parser, "MAX_BLOCK_BYTES", 64 << 10)
    monkeypatch.setattr(loader, "PIPELINE_MIN_BYTES", 0)


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str,
        fast: bool = True) -> tuple[str, str]:
    """stdout and stderr of ``flowtui cat ARGS``, through the fast path or the plain one."""
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(filtering.Prefilter, "of", classmethod(lambda cls, query: None))
        capsys.readouterr()
        cli.main(["cat", *args])
        got = capsys.readouterr()
    return got.out, got.err


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "table"])
@pytest.mark.parametrize("where", FILTERS)
def test_the_fast_path_prints_what_the_plain_path_prints(
        flows: tuple[Path, int], fmt: str, where: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    args = [str(flows[0]), "--where", where, "--format", fmt]
    fast = run(capsys, monkeypatch, *args)
    plain = run(capsys, monkeypatch, *args, fast=False)
    assert fast[0].count("\n") > 20
    assert fast == plain
    assert "bad lines skipped" in fast[1]


@pytest.mark.parametrize("where", ["reject and dstport = 22", "log-status = NODATA"])
def test_standard_input_and_parquet_print_what_the_plain_path_prints(
        flows: tuple[Path, int], where: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """``cat -`` (the parser fed from a pipe) and a Parquet object (no text parser at all)."""
    with flows[0].open("rb") as stdin:
        monkeypatch.setattr(sys, "stdin", stdin)
        fast = run(capsys, monkeypatch, "-", "--where", where, "--format", "csv")
        stdin.seek(0)
        plain = run(capsys, monkeypatch, "-", "--where", where, "--format", "csv",
                    fast=False)
    assert fast == plain and fast[0].count("\n") > 5
    table = pq.read_table(_whole(flows[0], tmp_path, capsys, monkeypatch))
    parquet = tmp_path / "flows.parquet"
    pq.write_table(table, parquet)
    args = [str(parquet), "--where", where, "--format", "csv"]
    assert run(capsys, monkeypatch, *args) == run(capsys, monkeypatch, *args, fast=False)


def _whole(path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
           monkeypatch: pytest.MonkeyPatch) -> Path:
    out = tmp_path / "first.parquet"
    run(capsys, monkeypatch, str(path), "--where", "version = 2", "--format", "parquet",
        "--output", str(out))
    return out


def test_no_matching_record_is_dropped(flows: tuple[Path, int],
                                       capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Every REJECT to port 22 in the object is printed, however its line is written, next
    to whichever bad line or block boundary: counted in Python from the generated lines,
    not by either path of the parser."""
    path, wanted = flows
    out, _ = run(capsys, monkeypatch, str(path), "--where", "reject and dstport = 22",
                 "--format", "csv")
    rows = [line for line in out.splitlines() if not line.startswith('"')]
    assert wanted > 100 and len(rows) == wanted


def test_a_bad_value_the_filter_reads_or_keeps_is_reported_as_by_the_plain_path(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A port that is no number (a column the filter reads) and a byte count that is none
    in a record the filter keeps: said with their line numbers, as typing everything does;
    their neighbours printed."""
    lines = [" ".join(DEFAULT_FIELDS)] + [SSH] * 3000
    lines[700] = SSH.replace(" 22 6 ", " twenty-two 6 ")
    lines[2100] = SSH.replace(" 180 ", " lots ")
    path = tmp_path / "bad.log.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    args = [str(path), "--where", "reject and dstport = 22", "--format", "csv"]
    fast = run(capsys, monkeypatch, *args)
    assert fast == run(capsys, monkeypatch, *args, fast=False)
    assert fast[0].count("\n") == 1 + 2998
    assert ":701: dstport" in fast[1] and ":2101: bytes" in fast[1]


def test_a_filter_that_keeps_most_lines_is_set_aside_then_taken_up_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Typing the filter's columns tokenises the whole block: where the filter keeps most
    lines the block is then typed twice (``--where 'srcaddr in 10.5.0.0/16'`` cost 1.27x
    plain ``cat``). After two such blocks the parser types blocks once and lets the
    loader's filter decide, trying the prefilter again now and then: here the first half
    of the object matches almost everywhere, the second rarely, and the output is the
    plain path's either way, with NODATA rows ('-' in the filter's column) and bad lines
    on both sides of the change."""
    from flowtui import blocks

    dense = [SSH.replace(" 22 ", " 443 ") for _ in range(6000)]
    # (long enough that, once a probe finds the filter picks lines again, many blocks follow)
    sparse = [SSH.replace(" 22 ", f" {1000 + i % 50} ") for i in range(18000)]
    nodata = ("2 123456789012 eni-0a1b2c3d4e5f60718 - - - - - - - 1709640000 1709640060 - "
              "NODATA")
    for part in (dense, sparse):
        for i in range(0, 6000, 500):
            part[i] = nodata
        part[1234] = "2 too few fields"
    path = tmp_path / "change.log.gz"
    path.write_bytes(gzip.compress(("\n".join([" ".join(DEFAULT_FIELDS), *dense, *sparse])
                                    + "\n").encode()))
    decided: list[bool] = []  # per block: whether the prefilter was applied
    outcomes: list[bool] = []  # per prefiltered block: whether it picked lines out
    prefiltering, picked = blocks.BlockTyper._prefiltering, blocks.BlockTyper._picked

    def deciding(self: blocks.BlockTyper) -> bool:
        decided.append(prefiltering(self))
        return decided[-1]

    def recording(self: blocks.BlockTyper, block: object, options: object) -> bytes | None:
        kept = picked(self, block, options)  # type: ignore[arg-type]
        outcomes.append(kept is not None)
        return kept

    monkeypatch.setattr(blocks.BlockTyper, "_prefiltering", deciding)
    monkeypatch.setattr(blocks.BlockTyper, "_picked", recording)
    monkeypatch.setattr(parser, "INFLATE_STEP", 16 << 10)  # blocks of ~64 KB, not 1 MB,
    monkeypatch.setattr(parser, "MAX_BLOCK_BYTES", 64 << 10)  # however fast the machine
    args = [str(path), "--where", "dstport = 443 or dstport = 1003", "--format", "csv"]
    fast = run(capsys, monkeypatch, *args)
    plain = run(capsys, monkeypatch, *args, fast=False)
    assert fast == plain
    assert fast[0].count("\n") == 1 + 6000 - 12 - 1 + 360  # header, 443s, 1003s
    assert "2 bad lines skipped" in fast[1]
    assert decided.count(False) > 5  # blocks typed once, the filter set aside...
    assert outcomes.count(True) > 5  # ...and taken up again where it keeps few lines
