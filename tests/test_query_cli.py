"""The query commands as a user runs them: ``cat --where/--sort``, ``top``, ``hist``, exports.

Each answer is checked against one computed here from the generated lines themselves (split
on spaces, ``-`` as missing), not through flowtui's parser or query code.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from flowtui.fields import DEFAULT_FIELDS
from flowtui.synth import generate_lines, make_text_object
from tests.cli_fork import flowtui_run

ROOT = Path(__file__).resolve().parent.parent
START = int(datetime(2024, 3, 5, 14, 0, tzinfo=UTC).timestamp())
INTS = {"version", "srcport", "dstport", "protocol", "packets", "bytes", "start", "end",
        "tcp-flags"}


def flowtui(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m flowtui ARGS``, forked from a warmed-up driver (tests/cli_fork.py)."""
    return flowtui_run(*args, cwd=ROOT, timeout=300)


def records(lines: list[str], fields: tuple[str, ...] = DEFAULT_FIELDS) -> list[dict[str, Any]]:
    out = []
    for line in lines:
        row: dict[str, Any] = {}
        for name, value in zip(fields, line.split(" "), strict=True):
            row[name] = None if value == "-" else int(value) if name in INTS else value
        out.append(row)
    return out


def jsonl(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """An hour of records (14:00-15:00 UTC) in two files under an AWS key layout."""
    folder = tmp_path_factory.mktemp("logs")
    rows: list[dict[str, Any]] = []
    for part in range(2):
        lines = list(generate_lines(3000, seed=40 + part, interfaces=10, span=1800,
                                    start=START + part * 1800))
        name = (f"AWSLogs/123456789012/vpcflowlogs/eu-west-1/2024/03/05/123456789012_"
                f"vpcflowlogs_eu-west-1_fl-0abc_20240305T14{part * 30:02d}Z_0000000{part}"
                ".log.gz")
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(make_text_object(lines, DEFAULT_FIELDS))
        rows += records(lines)
    return folder, rows


# --- the six questions of the issue, one command each ---------------------------------------


def test_which_sources_were_rejected_on_port_22(day: tuple[Path, list[dict[str, Any]]]
                                                ) -> None:
    folder, rows = day
    expected = Counter(r["srcaddr"] for r in rows
                       if r["action"] == "REJECT" and 22 in (r["srcport"], r["dstport"]))
    assert expected, "the generated data should have rejected SSH"
    got = jsonl(flowtui("top", str(folder), "--by", "srcaddr", "--where", "reject and port 22",
                        "--metric", "records", "-n", "1000", "--format", "jsonl"))
    assert {g["srcaddr"]: g["records"] for g in got} == dict(expected)
    assert [g["records"] for g in got] == sorted((g["records"] for g in got), reverse=True)


def test_who_sends_most_bytes_to_an_address(day: tuple[Path, list[dict[str, Any]]]) -> None:
    folder, rows = day
    target = Counter(r["dstaddr"] for r in rows if r["dstaddr"]).most_common(1)[0][0]
    sent: Counter[str] = Counter()
    for r in rows:
        if r["dstaddr"] == target:
            sent[r["srcaddr"]] += r["bytes"] or 0
    got = jsonl(flowtui("top", str(folder), "--by", "srcaddr", "--where", f"dst host {target}",
                        "-n", "3", "--format", "jsonl"))
    assert list(got[0]) == ["srcaddr", "records", "packets", "bytes"]
    assert [(g["srcaddr"], g["bytes"]) for g in got] == sent.most_common(3)


def test_only_one_interface(day: tuple[Path, list[dict[str, Any]]]) -> None:
    folder, rows = day
    eni = rows[0]["interface-id"]
    got = jsonl(flowtui("cat", str(folder), "--where", f"interface-id = {eni}",
                        "--format", "jsonl"))
    assert got == [r for r in rows if r["interface-id"] == eni]


def test_what_happened_around_1405(day: tuple[Path, list[dict[str, Any]]]) -> None:
    folder, rows = day
    got = jsonl(flowtui("hist", str(folder), "--where", "during 2024-03-05T14:03..14:07",
                        "--every", "1m", "--format", "jsonl"))
    low, high = START + 180, START + 420
    near = [r for r in rows if r["start"] is not None and r["start"] <= high
            and r["end"] >= low]
    per_minute = Counter(r["start"] // 60 * 60 for r in near)
    first = min(per_minute)
    expected = [{"time": datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "records": per_minute.get(t, 0),
                 "packets": sum(r["packets"] or 0 for r in near if r["start"] // 60 * 60 == t),
                 "bytes": sum(r["bytes"] or 0 for r in near if r["start"] // 60 * 60 == t),
                 "accept": sum(1 for r in near if r["start"] // 60 * 60 == t
                               and r["action"] == "ACCEPT"),
                 "reject": sum(1 for r in near if r["start"] // 60 * 60 == t
                               and r["action"] == "REJECT")}
                for t in range(first, max(per_minute) + 60, 60)]
    assert got == expected
    table = flowtui("hist", str(folder), "--every", "10m")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split()[:6] == ["time", "records", "packets", "bytes", "accept", "reject"]
    assert len(lines) == 7 and all("█" in line for line in lines[1:])


def test_a_clock_time_in_until_is_on_the_day_of_since(day: tuple[Path, list[dict[str, Any]]]
                                                      ) -> None:
    """``--since 2024-03-05T14:03 --until 14:07`` is four minutes, as ``during
    2024-03-05T14:03..14:07`` is: ``14:07`` was read as today, a window of days whose answer
    looked plausible. A clock time alone is on the day of the day folder the paths name."""
    folder, rows = day
    low, high = START + 180, START + 420
    near = [r for r in rows if r["start"] is not None and r["start"] <= high
            and r["end"] >= low]
    assert 0 < len(near) < len(rows)
    got = jsonl(flowtui("cat", str(folder), "--since", "2024-03-05T14:03", "--until", "14:07",
                        "--format", "jsonl"))
    assert got == near
    day_folder = next(folder.rglob("05"))
    got = jsonl(flowtui("cat", str(day_folder), "--since", "14:03", "--until", "14:07",
                        "--format", "jsonl"))
    assert got == near
    sql = flowtui("sql", "--since", "2024-03-05T14:03", "--until", "14:07")
    assert sql.returncode == 0, sql.stderr
    assert f"start > {high}" in sql.stdout and f'"end" < {low}' in sql.stdout


def test_a_window_that_keeps_nothing_says_so(day: tuple[Path, list[dict[str, Any]]],
                                             tmp_path: Path) -> None:
    """A file whose name carries no time is read whole and ``--since``/``--until`` drop the
    records outside the window: when it kept none, ``cat`` printed nothing and said nothing
    (exit 0), ``top`` and ``hist`` said "no records loaded" of a file full of records."""
    folder = tmp_path / "flows.log.gz"
    folder.write_bytes(next(day[0].rglob("*.log.gz")).read_bytes())
    cat = flowtui("cat", str(folder), "--since", "2030-01-01")
    assert cat.returncode == 0 and cat.stdout == ""
    assert cat.stderr == (f"flowtui: no record of {folder} lies between 2030-01-01 00:00:00 "
                          "UTC and now (--since/--until)\n")
    for command in (["top", "--by", "srcaddr"], ["hist"]):
        done = flowtui(command[0], str(folder), *command[1:], "--until", "2000-01-01")
        assert done.returncode == 0, done.stderr
        assert done.stderr == (f"flowtui: no record of {folder} lies up to 2000-01-01 00:00:00 "
                               "UTC (--since/--until)\n")
    where = flowtui("cat", str(folder), "--since", "2030-01-01", "--where", "reject")
    assert where.stderr == ("flowtui: no record matches --where 'reject' between 2030-01-01 "
                            "00:00:00 UTC and now\n")


def test_a_window_a_second_past_the_records_says_its_seconds(
        day: tuple[Path, list[dict[str, Any]]], tmp_path: Path) -> None:
    """The message of an empty window shows its bounds to the second, as they are applied
    (a record is kept when its end >= --since and its start <= --until, in whole seconds):
    ``--since`` 30 seconds past the last record's end (14:29:59) read "between 2024-03-05
    14:30 UTC", as if a second were all that missed; ``--until`` 30 seconds before the first
    start (14:00:01) read "up to 2024-03-05 13:59 UTC"."""
    folder = tmp_path / "flows.log.gz"
    first = min(day[0].rglob("*.log.gz"))
    folder.write_bytes(first.read_bytes())
    rows = [r for r in day[1] if r["start"] < START + 1800]  # the first file's records
    since = max(r["end"] for r in rows) + 30  # seconds past the last record's end
    until = min(r["start"] for r in rows) - 30  # seconds before the first one's start
    for flag, at, words in (("--since", since, "between"), ("--until", until, "up to")):
        assert at % 60, "a bound with seconds"
        done = flowtui("cat", str(folder), flag, str(at))
        assert done.returncode == 0 and done.stdout == "", done.stderr
        bound = f"{datetime.fromtimestamp(at, tz=UTC):%Y-%m-%d %H:%M:%S} UTC"
        assert f"lies {words} {bound}" in done.stderr, done.stderr


def test_sort_by_bytes_as_typed(day: tuple[Path, list[dict[str, Any]]]) -> None:
    folder, rows = day
    typed = jsonl(flowtui("cat", str(folder), "--sort", "-bytes,start", "--limit", "50",
                          "--format", "jsonl"))
    expected = sorted(rows, key=lambda r: r["start"])  # stable: ties keep load order
    expected = sorted(expected, key=lambda r: (r["bytes"] is None, -(r["bytes"] or 0)))
    assert typed == expected[:50]
    joined = jsonl(flowtui("cat", str(folder), "--sort=-bytes,start", "--limit", "50",
                           "--format", "jsonl"))
    assert joined == typed
    ascending = jsonl(flowtui("cat", str(folder), "--sort", "bytes", "--format", "jsonl"))
    assert [r["bytes"] for r in ascending] == sorted(
        r["bytes"] for r in rows if r["bytes"] is not None) + [None] * sum(
        1 for r in rows if r["bytes"] is None)


def test_export_these_records_to_parquet(day: tuple[Path, list[dict[str, Any]]],
                                         tmp_path: Path) -> None:
    folder, rows = day
    out = tmp_path / "rejects.parquet"
    result = flowtui("cat", str(folder), "--where", "reject", "--sort", "-packets",
                     "--columns", "srcaddr,dstaddr,dstport,packets", "--format", "parquet",
                     "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""  # no progress line without a terminal
    back = pq.read_table(out).to_pylist()
    rejected = sorted((r for r in rows if r["action"] == "REJECT"),
                      key=lambda r: -(r["packets"] or 0))
    assert back == [{k: r[k] for k in ("srcaddr", "dstaddr", "dstport", "packets")}
                    for r in rejected]
    view = jsonl(flowtui("cat", str(folder), "--where", "reject", "--sort", "-packets",
                         "--columns", "srcaddr,dstaddr,dstport,packets", "--format", "jsonl"))
    assert back == view


# --- outputs and errors ----------------------------------------------------------------------


def test_output_file_for_every_format(day: tuple[Path, list[dict[str, Any]]],
                                      tmp_path: Path) -> None:
    folder, _ = day
    for args in (("cat", "--where", "udp", "--format", "csv"),
                 ("top", "--by", "dstport", "--format", "table"),
                 ("hist", "--format", "jsonl")):
        target = tmp_path / f"{args[0]}.out"
        result = flowtui(args[0], str(folder), *args[1:], "--output", str(target))
        assert result.returncode == 0, result.stderr
        assert result.stdout == ""
        direct = flowtui(args[0], str(folder), *args[1:])
        assert target.read_text(encoding="utf-8") == direct.stdout


def test_decoded_jsonl_keeps_raw_and_adds_decoded(tmp_path: Path) -> None:
    fields = ("srcaddr", "dstport", "protocol", "tcp-flags", "start", "action")
    line = f"10.0.0.1 22 6 18 {START} REJECT"
    path = tmp_path / "f.log"
    path.write_text(" ".join(fields) + "\n" + line + "\n10.0.0.2 - - - - -\n")
    first, second = jsonl(flowtui("cat", str(path), "--format", "jsonl", "--decoded"))
    assert first["protocol"] == 6 and first["protocol.decoded"] == "TCP"
    assert first["tcp-flags"] == 18 and first["tcp-flags.decoded"] == ["SYN", "ACK"]
    assert first["start"] == START and first["start.decoded"] == "2024-03-05T14:00:00Z"
    assert first["dstport.decoded"] == "SSH"
    assert first["action"] == "REJECT" and first["action.decoded"].startswith("rejected")
    assert second["protocol"] is None and second["protocol.decoded"] is None


def test_errors_exit_2_with_one_line(day: tuple[Path, list[dict[str, Any]]]) -> None:
    folder, _ = day
    bad = flowtui("cat", str(folder), "--where", "dstprot = 22")
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.count("\n") == 1 and "'dstport'" in bad.stderr
    assert "Traceback" not in bad.stderr
    unknown = flowtui("top", str(folder), "--by", "srcadr")
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1
    assert "did you mean 'srcaddr'" in unknown.stderr
    sort = flowtui("cat", str(folder), "--sort", "-byts")
    assert sort.returncode == 2 and "did you mean 'bytes'" in sort.stderr
    parquet = flowtui("cat", str(folder), "--format", "parquet")
    assert parquet.returncode == 2 and "--output" in parquet.stderr
    # a group key named twice was a pyarrow traceback ("tried to rename a table of 4 columns")
    for twice in (flowtui("top", str(folder), "--by", "srcaddr,dstaddr,SRCADDR"),
                  flowtui("sql", "--top", "srcaddr,srcaddr")):
        assert twice.returncode == 2 and twice.stdout == "", twice.stderr
        assert twice.stderr.endswith("srcaddr is named twice\n"), twice.stderr


# --- filtering while loading -----------------------------------------------------------------


def test_where_keeps_only_matches_while_loading(day: tuple[Path, list[dict[str, Any]]]
                                                ) -> None:
    from flowtui.cli.filtering import keeper
    from flowtui.loader import Loader, resolve
    from flowtui.query.query import Query
    from flowtui.store import RecordStore

    folder, rows = day
    query = Query.build("reject and port 22")
    store = RecordStore()
    progress = Loader(store, predicate=keeper(query)).run(
        resolve([str(folder)]), lambda event: None, threading.Event())
    matches = [r for r in rows if r["action"] == "REJECT" and 22 in (r["srcport"],
                                                                      r["dstport"])]
    assert len(store) == len(matches) == progress.records
    assert store.rows(0, len(store)) == matches
    whole = RecordStore()
    Loader(whole).run(resolve([str(folder)]), lambda event: None, threading.Event())
    assert store.nbytes * 10 < whole.nbytes  # the dictionaries are cut down to the matches


# --- S3 ---------------------------------------------------------------------------------------


def test_top_and_hist_read_s3_with_a_window(s3_server: Any) -> None:
    from tests.conftest import MAIN_BUCKET

    prefix = "AWSLogs/111111111111/vpcflowlogs/"
    seeded = [o for o in s3_server.under(MAIN_BUCKET, prefix) if o.fmt == "text"
              and o.fields == DEFAULT_FIELDS and "/2024/03/05/" in o.key]
    rows = [r for o in seeded for r in records(list(o.lines))]
    options = ("--endpoint-url", s3_server.endpoint_url, "--since", "2024-03-05T00:00",
               "--until", "2024-03-05T23:59")
    got = jsonl(flowtui("top", f"s3://{MAIN_BUCKET}/{prefix}", "--by", "region",
                        "--metric", "records", "--format", "jsonl", *options))
    regions = Counter(o.key.split("/")[3] for o in seeded for _ in o.lines)
    # the custom-format object has a region column of its own; the rest take the key's
    custom = [o for o in s3_server.under(MAIN_BUCKET, prefix) if o.note == "custom"]
    for o in custom:
        for r in records(list(o.lines), o.fields):
            regions[r["region"]] += 1
    assert {g["region"]: g["records"] for g in got} == dict(regions)
    rejects = sum(1 for r in rows if r["action"] == "REJECT") + sum(
        1 for o in custom for r in records(list(o.lines), o.fields) if r["action"] == "REJECT")
    hist = jsonl(flowtui("hist", f"s3://{MAIN_BUCKET}/{prefix}", "--every", "1h",
                         "--where", "reject", "--format", "jsonl", *options))
    assert sum(h["records"] for h in hist) == sum(h["reject"] for h in hist) == rejects
    assert all(h["time"].startswith("2024-03-05T") for h in hist)


def test_hist_of_records_without_start_says_they_have_no_start(tmp_path: Path) -> None:
    """Records were loaded, but their format has no ``start``: ``hist`` must say that, not
    that nothing was loaded (a user would then look for a wrong path or credentials)."""
    path = tmp_path / "nostart.log"
    path.write_text("version srcaddr dstaddr bytes action\n"
                    "2 10.0.0.1 10.0.0.2 100 ACCEPT\n2 10.0.0.1 10.0.0.3 200 REJECT\n")
    result = flowtui("hist", str(path))
    assert result.returncode == 0, result.stderr
    assert "no records with a start time" in result.stderr
    assert "no records loaded" not in result.stderr


def test_cat_sort_limit_with_a_window_gives_the_first_records_inside_it(tmp_path: Path
                                                                         ) -> None:
    """``cat --sort start --limit 5 --since T`` is the first five records (by start, ties in
    file order) of those inside the window: the top-k kept while parsing must not choose
    records the window then drops (it did: the answer was empty, with a false "no record
    matches --where")."""
    lines = list(generate_lines(30_000, seed=21, interfaces=40, span=3600, start=START))
    path = tmp_path / "flows.log.gz"
    path.write_bytes(make_text_object(lines, DEFAULT_FIELDS))
    rows = records(lines)
    since = START + 1800
    for where in ([], ["--where", "accept"]):
        inside = [r for r in rows if (r["end"] is None or r["end"] >= since)
                  and (not where or r["action"] == "ACCEPT")]
        expected = sorted(inside, key=lambda r: (r["start"] is None, r["start"] or 0))[:5]
        result = flowtui("cat", str(path), "--sort", "start", "--limit", "5", "--since",
                         datetime.fromtimestamp(since, UTC).isoformat(), *where,
                         "--format", "jsonl")
        assert "no record matches" not in result.stderr
        got = jsonl(result)
        assert [(g["start"], g["srcaddr"], g["bytes"]) for g in got] == \
            [(r["start"], r["srcaddr"], r["bytes"]) for r in expected]


def test_objects_that_hold_no_record_say_so(tmp_path: Path, s3_server: Any,
                                            scratch_bucket: tuple[str, Any]) -> None:
    """A file or an object holding a header alone (AWS writes an object per interval; a
    quiet one can hold none) printed nothing with exit 0 in ``cat``, an answer read as "no
    traffic", while ``top`` and ``hist`` said "no records loaded". A file with records
    says nothing more."""
    import gzip

    header = " ".join(DEFAULT_FIELDS) + "\n"
    quiet = tmp_path / "quiet.log"
    quiet.write_text(header)
    bucket, raw = scratch_bucket
    raw.put_object(Bucket=bucket, Key="quiet/111111111111_vpcflowlogs_us-east-1_fl-1_"
                   "20240305T1400Z_0a1b2c3d.log.gz", Body=gzip.compress(header.encode()))
    for path in (str(quiet), f"s3://{bucket}/quiet/"):
        for fmt in ("table", "csv", "jsonl"):
            done = flowtui("cat", path, "--format", fmt,
                           "--endpoint-url", s3_server.endpoint_url)
            assert (done.returncode, done.stdout, done.stderr) == (
                0, "", "flowtui: no records loaded\n"), (path, fmt)
    line = next(iter(generate_lines(1, start=START)))
    quiet.write_text(header + line + "\n")
    done = flowtui("cat", str(quiet), "--format", "csv")
    assert done.returncode == 0 and done.stderr == "" and len(done.stdout.splitlines()) == 2


def test_a_csv_whose_columns_change_says_so(tmp_path: Path) -> None:
    """Two flow logs of different formats may write to one folder (the demo's does). A
    folder's CSV has one header, the union of its objects' fields (tests/
    test_csv_one_header.py). Standard input can't be read ahead: two objects' text one
    after another (``cat a b |``) gets a second header line where the columns change,
    which a CSV reader takes for a row of data: said on stderr, with where (it was
    silent). One format, or --columns: one header, nothing said."""
    line = next(iter(generate_lines(1, start=START)))
    (tmp_path / "a.log").write_text(" ".join(DEFAULT_FIELDS) + "\n" + line + "\n")
    (tmp_path / "b.log").write_text(" ".join((*DEFAULT_FIELDS, "flow-direction")) + "\n"
                                    + line + " ingress\n")
    both = (tmp_path / "a.log").read_text() + (tmp_path / "b.log").read_text()
    for where in ((), ("--where", "version = 2")):
        done = flowtui("cat", str(tmp_path), "--format", "csv", *where)
        assert (done.returncode, done.stderr) == (0, ""), done.stderr
        assert sum(row.startswith('"version",') for row in done.stdout.splitlines()) == 1
        done = flowtui_run("cat", "-", "--format", "csv", *where, cwd=ROOT, timeout=300,
                           input=both)
        assert done.returncode == 0, done.stderr
        assert sum(row.startswith('"version",') for row in done.stdout.splitlines()) == 2
        assert done.stderr == ("flowtui: the CSV has 2 header lines: the columns change at "
                               "- (objects of another format); --columns "
                               "writes one set of columns\n"), where
    for args in ((str(tmp_path / "a.log"),), (str(tmp_path), "--columns", "srcaddr,start")):
        done = flowtui("cat", *args, "--format", "csv")
        assert done.returncode == 0 and done.stderr == "", done.stderr
