"""The five questions of bench/bench_peers.py answer as DuckDB does on the same file.

DuckDB's ``read_csv(F, delim=' ', header=true, nullstr='-')`` is what a user would run
instead, so it is the reference: the same generated ``.log.gz`` (several parse blocks, null
counters from NODATA/SKIPDATA records, ties in bytes) goes through ``flowtui`` as a user runs
it and through DuckDB's SQL, and the rows must be equal. flowtui's group states are merged
batch by batch here more often than in real use (small blocks, ``MERGE_ROWS`` = 1), and the
top-k of ``cat --sort --limit`` trims after every few batches, so the merging paths are the
ones checked.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from flowtui import cli, parser
from flowtui.cli import cat as catquery
from flowtui.fields import DEFAULT_FIELDS
from flowtui.query import aggregate
from flowtui.synth import generate_lines, make_text_object

duckdb = pytest.importorskip("duckdb")

RECORDS = 30_000


@pytest.fixture(scope="module")
def flows(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("peers") / "flows.log.gz"
    lines = generate_lines(RECORDS, seed=21, interfaces=40, span=3600, nodata_rate=0.02,
                           skipdata_rate=0.01)
    path.write_bytes(make_text_object(lines, DEFAULT_FIELDS))
    return path


@pytest.fixture(autouse=True)
def merge_often(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aggregate, "MERGE_ROWS", 1)
    monkeypatch.setattr(aggregate, "GROUP_ROWS", 5_000)  # batches reduced a few at a time
    monkeypatch.setattr(parser, "MAX_BLOCK_BYTES", 64 << 10)  # ~55 batches, not 6
    monkeypatch.setattr(catquery, "TRIM_SLACK", 0)


def duck(sql: str, path: Path) -> list[tuple[str, ...]]:
    con = duckdb.connect()
    con.execute("SET threads = 2")
    relation = f"read_csv('{path}', delim=' ', header=true, nullstr='-')"
    rows = con.execute(sql.format(F=relation)).fetchall()
    return [tuple("" if v is None else str(v) for v in row) for row in rows]


def ours(tmp_path: Path, *args: str) -> list[tuple[str, ...]]:
    out = tmp_path / "out.csv"
    assert cli.main([*args, "--format", "csv", "--output", str(out)]) == 0
    return [tuple(row) for row in csv.reader(io.StringIO(out.read_text()))][1:]


def test_top_sources_by_bytes(flows: Path, tmp_path: Path) -> None:
    got = ours(tmp_path, "top", str(flows), "--by", "srcaddr", "--metric", "bytes", "-n", "25")
    want = duck("SELECT srcaddr, count(*), sum(packets), sum(bytes)"
                " FROM {F} GROUP BY srcaddr ORDER BY 4 DESC NULLS LAST, srcaddr LIMIT 25", flows)
    assert len(want) == 25 and got == want


def test_top_by_two_fields_with_a_filter(flows: Path, tmp_path: Path) -> None:
    got = ours(tmp_path, "top", str(flows), "--by", "dstport,action", "--metric", "records",
               "--where", "protocol = 6", "-n", "40")
    want = duck("SELECT dstport, action, count(*) AS r, sum(packets), "
                "sum(bytes) FROM {F} WHERE protocol = 6 "
                "GROUP BY ALL ORDER BY r DESC, dstport NULLS LAST, action NULLS LAST "
                "LIMIT 40", flows)
    assert got == want


def test_rejected_ssh_to_csv(flows: Path, tmp_path: Path) -> None:
    got = ours(tmp_path, "cat", str(flows), "--where", "reject and dstport = 22")
    want = duck("SELECT * FROM {F} WHERE action = 'REJECT' AND dstport = 22", flows)
    assert len(want) > 10 and got == want


def test_records_per_minute(flows: Path, tmp_path: Path) -> None:
    got = ours(tmp_path, "hist", str(flows), "--every", "1m")
    want = duck("SELECT strftime(to_timestamp(start // 60 * 60), '%Y-%m-%dT%H:%M:%SZ'), "
                "count(*), sum(packets), sum(bytes), "
                "count(*) FILTER (WHERE action = 'ACCEPT'), "
                "count(*) FILTER (WHERE action = 'REJECT') "
                "FROM {F} WHERE start IS NOT NULL GROUP BY 1 ORDER BY 1", flows)
    assert len(want) >= 60 and got == want  # no empty minute: nothing filled in


def test_whole_file_to_csv(flows: Path, tmp_path: Path) -> None:
    got = ours(tmp_path, "cat", str(flows))
    want = duck("SELECT * FROM {F}", flows)
    assert len(got) == RECORDS and got == want


def test_largest_by_bytes(flows: Path, tmp_path: Path) -> None:
    got = ours(tmp_path, "cat", str(flows), "--sort", "-bytes", "--limit", "20")
    want = duck("SELECT * FROM {F} ORDER BY bytes DESC NULLS LAST LIMIT 20", flows)
    assert [row[9] for row in got] == [row[9] for row in want]
    # Ties at the cut may be any of the tied rows for DuckDB: every row is one of them.
    cut = want[-1][9]
    tied = set(duck(f"SELECT * FROM {{F}} WHERE bytes >= {cut}", flows))
    assert set(got) <= tied


def test_largest_by_two_keys_keep_ties_in_file_order(flows: Path, tmp_path: Path) -> None:
    """The top-k is the first rows of the whole sorted file, ties in file order included
    (packets has many ties): the same as sorting every record and cutting."""
    got = ours(tmp_path, "cat", str(flows), "--sort", "-packets,dstport", "--limit", "30")
    every = ours(tmp_path, "cat", str(flows), "--sort", "-packets,dstport")
    assert len(every) == RECORDS and got == every[:30]


def test_a_filter_on_a_column_the_output_leaves_out(flows: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """``--where`` on srcaddr, ``--columns`` without it: the filter reads its column, the
    output does not print it. The CIDR keeps most records, so after two blocks the parser
    types blocks once and the loader's filter decides (``BlockTyper._prefiltering``);
    small inflate steps make the many blocks that path needs. IPv4 10.0.0.0/8 is the
    text '10.' at the start (the file's IPv6 addresses are 2600:…)."""
    monkeypatch.setattr(parser, "INFLATE_STEP", 16 << 10)
    got = ours(tmp_path, "cat", str(flows), "--where", "srcaddr in 10.0.0.0/8",
               "--columns", "srcport,dstport,bytes,log-status")
    want = duck("SELECT srcport, dstport, bytes, \"log-status\" FROM {F} "
                "WHERE srcaddr LIKE '10.%'", flows)
    assert RECORDS // 3 < len(want) < RECORDS and got == want


def test_records_per_five_minutes_of_a_filter(flows: Path, tmp_path: Path) -> None:
    got = ours(tmp_path, "hist", str(flows), "--every", "5m", "--where",
               "srcaddr in 10.0.0.0/8 and not reject")
    want = duck("SELECT strftime(to_timestamp(start // 300 * 300), '%Y-%m-%dT%H:%M:%SZ'), "
                "count(*), sum(packets), sum(bytes), "
                "count(*) FILTER (WHERE action = 'ACCEPT'), "
                "count(*) FILTER (WHERE action = 'REJECT') "
                "FROM {F} WHERE start IS NOT NULL AND srcaddr LIKE '10.%' "
                "AND action IS DISTINCT FROM 'REJECT' GROUP BY 1 ORDER BY 1", flows)
    assert len(want) >= 12 and got == want


def test_smallest_by_bytes_leave_nodata_last(flows: Path, tmp_path: Path) -> None:
    """Ascending: NODATA/SKIPDATA records ('-' bytes) are missing values and come last, as
    DuckDB's NULLS LAST; the top-k's bound never lets one in ahead of a number."""
    got = ours(tmp_path, "cat", str(flows), "--sort", "bytes", "--limit", "15")
    want = duck("SELECT * FROM {F} ORDER BY bytes ASC NULLS LAST LIMIT 15", flows)
    assert [row[9] for row in got] == [row[9] for row in want] and "" not in \
        [row[9] for row in got]
    cut = want[-1][9]
    assert set(got) <= set(duck(f"SELECT * FROM {{F}} WHERE bytes <= {cut}", flows))


def test_a_top_k_larger_than_a_block_keeps_ties_in_file_order(
        flows: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--limit larger than a block: the top-k prefilter keeps every line of the first
    blocks, so it is set aside for most blocks after two (``BlockTyper._prefiltering``) and
    the sink's own top-k decides: still the first rows of the whole sorted file, ties (many
    in packets) in file order, NODATA/SKIPDATA rows (no packets) after every number."""
    monkeypatch.setattr(parser, "INFLATE_STEP", 16 << 10)
    got = ours(tmp_path, "cat", str(flows), "--sort", "-packets", "--limit", "4000")
    every = ours(tmp_path, "cat", str(flows), "--sort", "-packets")
    assert len(got) == 4000 and got == every[:4000]
    want = duck("SELECT packets FROM {F} ORDER BY packets DESC NULLS LAST LIMIT 4000", flows)
    assert [row[8] for row in got] == [row[0] for row in want]


def test_top_by_log_status_leaves_unrecorded_counters_unsummed(flows: Path,
                                                              tmp_path: Path) -> None:
    """NODATA and SKIPDATA records carry '-' in packets and bytes (AWS, Flow log record
    examples: ``2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 -
    NODATA``): not recorded, so those groups' sums are empty (DuckDB: SUM of only NULLs is
    NULL), not 0, and rank after every number."""
    got = ours(tmp_path, "top", str(flows), "--by", "log-status", "--metric", "bytes")
    want = duck('SELECT "log-status", count(*), sum(packets), sum(bytes) FROM {F} '
                'GROUP BY 1 ORDER BY 4 DESC NULLS LAST, 1', flows)
    assert [row[0] for row in got] == ["OK", "NODATA", "SKIPDATA"]
    assert got[1][2:] == ("", "") and got == want


def test_top_and_hist_say_how_many_records_recorded_no_counters(
        flows: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A sum that left records out says so, once, on stderr (stdout stays the table); a load
    where every record recorded its counters says nothing."""
    missing = int(duck('SELECT count(*) FROM {F} WHERE bytes IS NULL', flows)[0][0])
    total = int(duck('SELECT count(*) FROM {F}', flows)[0][0])
    assert missing > 100
    for question in (["top", "--by", "srcaddr"], ["hist", "--metric", "bytes"]):
        capsys.readouterr()
        ours(tmp_path, question[0], str(flows), *question[1:])
        said = capsys.readouterr().err
        assert f"{missing:,} of {total:,} records have no packets or bytes recorded" in said
        ours(tmp_path, question[0], str(flows), *question[1:], "--where", "bytes >= 0")
        assert "recorded" not in capsys.readouterr().err
