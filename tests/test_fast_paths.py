"""``hist``, ``top`` and ``cat --sort F --limit N`` answer from fast paths, and each must
answer what the plain path answers, on data that tries them: ties in the sort key, missing
values (``-``, NODATA and SKIPDATA records), bad lines (some bad only in a column the fast
path does not type), blank lines, a value too wide for the narrow read, several objects,
a custom format, Parquet, standard input and ``--where``.

The fast paths: ``cat --sort --limit`` keeps a top-k while loading (``TopRowsSink``) and
drops, before typing them, lines whose first sort key is worse than the ``limit``-th best
kept so far (``Bound``); ``hist`` and ``top`` hold group states, reducing batches a few at a
time (``GROUP_ROWS``); the parser types only the columns read. The plain paths: every
matching record sorted in a store, then cut (``cat --sort`` without ``--limit``); the
aggregates over every record parsed whole (``aggregate.histogram``, ``aggregate.top``).
Blocks, group sizes and the top-k's trim are made small so every merging path runs.
"""

from __future__ import annotations

import csv
import io
import random
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from flowtui import cli, parser
from flowtui.cli import cat as catquery
from flowtui.fields import DEFAULT_FIELDS
from flowtui.parser import parse_bytes
from flowtui.query import aggregate
from flowtui.synth import generate_lines, make_parquet_object, make_text_object

ROOT = Path(__file__).resolve().parent.parent
BYTES, DSTPORT, PACKETS, START = (DEFAULT_FIELDS.index(f) for f in
                                  ("bytes", "dstport", "packets", "start"))


@pytest.fixture(autouse=True)
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    # Dozens of blocks per object: a block is at least one inflate step of text.
    monkeypatch.setattr(parser, "MAX_BLOCK_BYTES", 16 << 10)
    monkeypatch.setattr(parser, "INFLATE_STEP", 8 << 10)
    monkeypatch.setattr(aggregate, "GROUP_ROWS", 700)
    monkeypatch.setattr(aggregate, "MERGE_ROWS", 1)
    monkeypatch.setattr(catquery, "TRIM_SLACK", 0)


def tied_lines(n: int, seed: int) -> list[str]:
    """Records whose bytes and packets take a few values only (ties at every cut), with
    missing values where NODATA/SKIPDATA records have them."""
    rng = random.Random(seed)
    out = []
    for line in generate_lines(n, seed=seed, interfaces=20, span=900, nodata_rate=0.03,
                               skipdata_rate=0.02):
        parts = line.split(" ")
        if parts[BYTES] != "-":
            parts[BYTES] = str(rng.choice((40, 52, 1500, 9001, 9001, 65535)))
            parts[PACKETS] = str(rng.choice((1, 2, 3)))
        if rng.random() < 0.01:
            parts[BYTES] = "-"  # a record with a start and no byte count
        out.append(" ".join(parts))
    return out


def spoiled(lines: list[str], kinds: tuple[str, ...]) -> list[str]:
    """``lines`` with bad and blank lines mixed in, four of each kind together, each with
    more bytes than any record: a field missing (``short``), one too many (``long``), a
    start that is not a number (``start``: bad for a reader of start), a port that is not
    one (``port``: bad for a reader of every column, though the sort's own column reads
    fine). Kinds that every reader rejects and those it may not are put in different
    places (different blocks), early and late. A record with more bytes than 32 bits hold
    is good, and first; one with 3,999,999,999 comes next."""
    out = list(lines)
    good = lines[5].split(" ")
    wide = list(good)
    wide[BYTES] = str(5 << 32)
    every_reader = [k for k in kinds if k in ("short", "long")]
    some_readers = [k for k in kinds if k not in ("short", "long")]
    # A good record with fewer bytes than the bad lines and more than any other, after
    # them: a bound learned from lines not yet known to be good would drop it.
    runner_up = list(good)
    runner_up[BYTES] = str(3_999_999_999)
    out.insert(len(out) * 5 // 6, " ".join(runner_up))
    places = [(len(out) - 10, every_reader), (len(out) * 2 // 3, some_readers),
              (len(out) * 2 // 5, every_reader), (len(out) * 3 // 10, some_readers),
              (3, every_reader)]  # from the last, so each place is where it was meant
    # (the first block is 64 KB, some 600 lines: the second place is in a later one)
    for at, chosen in places:
        bad = []
        for number, kind in enumerate(k for k in chosen for _ in range(4)):
            parts = list(good)
            parts[BYTES] = str(4_000_000_000 + number)
            if kind == "short":
                del parts[DSTPORT]
            elif kind == "long":
                parts.append("extra")
            elif kind == "start":
                parts[START] = "soon"
            elif kind == "port":
                parts[DSTPORT] = "http"
            bad.append(" ".join(parts))
        out[at:at] = [*bad, ""] if chosen is every_reader else bad  # a blank line too
    out.insert(len(out) // 2, " ".join(wide))
    return out


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three objects, loaded together and merged in key order."""
    where = tmp_path_factory.mktemp("fast")
    for part in range(3):
        lines = spoiled(tied_lines(2500, seed=70 + part), ("short", "long", "start", "port"))
        (where / f"part{part}.log.gz").write_bytes(make_text_object(lines, DEFAULT_FIELDS))
    return where


def ours(tmp_path: Path, *args: str) -> list[list[str]]:
    out = tmp_path / "out.csv"
    code = cli.main([*args, "--format", "csv", "--output", str(out)])
    assert code in (0, 1)
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows, "no header written"
    return rows


@pytest.mark.parametrize(("sort", "where", "limit"), [
    ("-bytes", None, 1),
    ("-bytes", None, 5),                 # fewer than the bad lines with the most bytes
    ("-bytes", None, 20),
    ("-bytes", None, 400),
    ("bytes", None, 30),                 # ascending, nulls still last
    ("start", "reject", 50),             # ascending: the bound is an upper one
    ("-start", None, 10),
    ("-bytes,start", None, 25),          # the bound is the first key's; ties go on
    ("-packets,dstport", None, 60),      # three values: the cut falls inside a tie
    ("-bytes", "accept and dstport != 22", 20),
    ("srcaddr", None, 20),               # addresses: no bound, the top-k alone
])
def test_sort_limit_is_the_first_rows_of_the_whole_sort(
        folder: Path, tmp_path: Path, sort: str, where: str | None, limit: int) -> None:
    """``--limit N`` prints the first N rows ``--sort`` prints without it: the same rows in
    the same order, ties in input order, missing values last, the lines with the most
    bytes that are bad (even only in a column the sort does not read) never among them."""
    args = ["cat", str(folder), "--sort", sort, *(["--where", where] if where else [])]
    every = ours(tmp_path, *args)
    assert len(every) > 7000 or where
    got = ours(tmp_path, *args, "--limit", str(limit))
    assert got == every[: limit + 1]
    if sort == "-bytes" and not where:
        first = [str(5 << 32)] * 3 + ["3999999999"] * 3
        assert [row[BYTES] for row in got[1:7]] == first[:limit]
        assert not any(row[BYTES].startswith("400000000") for row in got)


def test_sort_limit_on_a_custom_format_parquet_and_stdin(tmp_path: Path) -> None:
    """The same on a custom format (bytes first, fewer fields), on Parquet (no parser: the
    sink's top-k and bound alone) and on standard input."""
    fields = ("bytes", "start", "srcaddr", "action", "packets", "dstport")
    lines = tied_lines(3000, seed=9)
    chosen = [DEFAULT_FIELDS.index(f) for f in fields]
    custom = [" ".join(line.split(" ")[i] for i in chosen) for line in lines]
    text = tmp_path / "custom.log.gz"
    text.write_bytes(make_text_object(custom, fields))
    table = tmp_path / "flows.parquet"
    table.write_bytes(make_parquet_object(lines, DEFAULT_FIELDS))
    for path in (text, table):
        every = ours(tmp_path, "cat", str(path), "--sort", "-bytes")
        got = ours(tmp_path, "cat", str(path), "--sort", "-bytes", "--limit", "40")
        assert len(every) == 3001 and got == every[:41]
    piped = subprocess.run(
        [sys.executable, "-m", "flowtui", "cat", "-", "--sort", "-bytes", "--limit", "40",
         "--format", "csv"], input=text.read_bytes(), capture_output=True, cwd=ROOT,
        timeout=120, check=True)
    assert list(csv.reader(io.StringIO(piped.stdout.decode()))) == \
        ours(tmp_path, "cat", str(text), "--sort", "-bytes", "--limit", "40")


def plain_batches(folder: Path) -> list[pa.RecordBatch]:
    """Every record of the folder's objects, parsed whole (all columns)."""
    batches = []
    for path in sorted(folder.glob("*.log.gz")):
        parsed, _ = parse_bytes(path.read_bytes())
        batches.extend(parsed)
    return batches


@pytest.fixture(scope="module")
def counted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Objects whose bad lines are bad for every reader (a field missing or extra), so the
    aggregates over every column count the same records."""
    where = tmp_path_factory.mktemp("counted")
    for part in range(2):
        lines = spoiled(tied_lines(3000, seed=80 + part), ("short", "long"))
        (where / f"part{part}.log.gz").write_bytes(make_text_object(lines, DEFAULT_FIELDS))
    return where


def test_hist_is_the_histogram_of_every_record(counted: Path, tmp_path: Path) -> None:
    """``hist`` (four columns typed, buckets reduced a few batches at a time) gives the
    histogram of every record parsed whole: per minute, and with the width it chooses."""
    plain = plain_batches(counted)
    for every in (["--every", "1m"], []):
        got = ours(tmp_path, "hist", str(counted), *every)
        want = aggregate.histogram(plain, 60 if every else None)
        want = want.set_column(0, "time", pc.strftime(want.column("time"),
                                                      format="%Y-%m-%dT%H:%M:%SZ"))
        assert got[1:] == [[str(v) for v in row.values()] for row in want.to_pylist()]
        assert len(got) > 10


def test_top_is_the_top_of_every_record(counted: Path, tmp_path: Path) -> None:
    """``top`` (group states reduced a few batches at a time) gives the top of every record
    parsed whole, ties in key order."""
    plain = plain_batches(counted)
    for by, metric in (("srcaddr", "bytes"), ("dstport,action", "records"),
                       ("interface-id", "packets")):
        got = ours(tmp_path, "top", str(counted), "--by", by, "--metric", metric, "-n", "30")
        keys = by.split(",")
        want = aggregate.top(plain, keys, metric, 30).select(
            [*keys, "records", "packets", "bytes"])
        assert got[1:] == [["" if v is None else str(v) for v in row.values()]
                           for row in want.to_pylist()]


def test_bad_lines_keep_their_line_numbers(counted: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """The bad lines ``hist`` names are numbered as in the file, past blank lines, blocks
    read whole (the text handed over as views) and blocks read in pieces."""
    import gzip

    path = sorted(counted.glob("*.log.gz"))[0]
    text = gzip.decompress(path.read_bytes()).decode().split("\n")
    width = len(DEFAULT_FIELDS)
    expected = [number for number, line in enumerate(text, start=1)
                if line.strip() and len(line.split()) != width][:20]
    ours(tmp_path, "hist", str(path), "--every", "1m")
    prefix = f"flowtui: {path}:"
    said = [line[len(prefix):].split(":")[0] for line in capsys.readouterr().err.splitlines()
            if line.startswith(prefix) and line[len(prefix):].split(":")[0].isdigit()]
    assert said == [str(n) for n in expected] and len(said) == 20


def test_a_format_of_text_fields_only_is_counted(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A custom format with no integer field (``${interface-id} ${srcaddr} ${dstaddr}
    ${action}``): ``top --by action`` said "Function 'utf8_lower' has no kernel matching
    input types (binary)" and "no records loaded" (exit 1) of a file with a record, and from
    standard input with ``--fields`` it ended in a traceback. The columns a question does
    not read are bytes there; the header check reads them as the text they were checked to
    be."""
    path = tmp_path / "text.log"
    path.write_text("interface-id srcaddr dstaddr action\n"
                    "eni-1 10.0.0.1 10.0.0.2 ACCEPT\neni-1 10.0.0.2 10.0.0.1 REJECT\n"
                    "eni-2 10.0.0.3 10.0.0.2 ACCEPT\n")
    assert cli.main(["top", str(path), "--by", "action", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert "kernel" not in captured.err and "no records" not in captured.err, captured.err
    rows = {r["action"]: r["records"] for r in csv.DictReader(io.StringIO(captured.out))}
    assert rows == {"ACCEPT": "2", "REJECT": "1"}
    body = "".join(path.read_text().splitlines(keepends=True)[1:]).encode()
    piped = subprocess.run(
        [sys.executable, "-m", "flowtui", "top", "-", "--fields",
         "interface-id,srcaddr,dstaddr,action", "--by", "srcaddr", "--format", "csv"],
        input=body, capture_output=True, cwd=ROOT, timeout=120)
    assert piped.returncode == 0 and b"Traceback" not in piped.stderr, piped.stderr
    assert piped.stdout.decode().splitlines()[1:] == ["\"10.0.0.1\",1,,", "\"10.0.0.2\",1,,",
                                                      "\"10.0.0.3\",1,,"]
