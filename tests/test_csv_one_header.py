"""``flowtui cat FOLDER --format csv`` over objects of several flow-log formats: one header.

Several flow logs may write into one folder, each with its own format: the default format
is the 14 version-2 fields in a fixed order, a custom format "any subset and any order"
of the fields (format reference §1, §5.1-5.2; AWS VPC user guide, "Flow log records"), and
each text object begins with one header line naming its fields (§5.3). Streamed as they
came, the CSV's columns changed where the format did, under a second header line in the
middle of the output; DuckDB's ``read_csv(header=true)`` then read a part of it and said
nothing (a user piping ``cat`` on got a wrong answer). Now the header is the union of
every object's fields (in the order first named, as ``--sort`` writes it), and a field a
record's format does not log is an empty cell, as a ``-`` is.

Read back with DuckDB, every record must be there with its own values.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flowtui.fields import DEFAULT_FIELDS
from tests.cli_fork import flowtui_run
from tests.conftest import scratch

ROOT = Path(__file__).resolve().parent.parent
DAY = "AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/12/07/"
DEFAULT = list(DEFAULT_FIELDS)
#: A custom (version 5/8) format: another order, fields the default lacks, some it leaves out.
CUSTOM = ["version", "vpc-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol",
          "bytes", "packets", "start", "end", "action", "log-status", "flow-direction",
          "pkt-srcaddr", "reject-reason"]
V2 = ("2 111122223333 eni-0a1b2c3d4e5f67890 10.0.1.5 10.0.2.9 40000 443 6 3 180 "
      "1796619906 1796619913 ACCEPT OK")
V2_SECOND = ("2 111122223333 eni-0a1b2c3d4e5f67890 10.0.1.7 10.0.2.9 40001 22 6 1 40 "
             "1796619906 1796619913 REJECT OK")
V8 = ("8 vpc-0abc 10.0.3.1 10.0.4.2 5353 53 17 900 7 1796619950 1796619960 ACCEPT OK "
      "egress 10.0.3.1 -")
V8_SECOND = ("8 vpc-0abc 10.0.3.9 10.0.4.2 5000 443 6 60 1 1796619950 1796619960 REJECT OK "
             "ingress 10.0.3.9 1")
LATER_V2 = ("2 111122223333 eni-0fedcba987654321 10.0.9.9 10.0.2.9 12345 80 6 2 120 "
            "1796620200 1796620260 ACCEPT OK")
#: The objects in key order: a default one, a custom one, a default one again.
OBJECTS = ((DEFAULT, [V2, V2_SECOND]), (CUSTOM, [V8, V8_SECOND]), (DEFAULT, [LATER_V2]))
STEM = "111122223333_vpcflowlogs_us-east-1_fl-0{}_20261207T05{:02}Z_abcd{:04}.log.gz"


def _object(fields: list[str], lines: list[str]) -> bytes:
    return gzip.compress(("\n".join([" ".join(fields), *lines]) + "\n").encode())


def _key(number: int) -> str:
    """Each object of a flow log of its own (a flow log's format is fixed), in key order."""
    return DAY + STEM.format(f"{number + 1}1b2c3d4e5f678901", number * 5, number)


def _expected() -> list[dict[str, str | None]]:
    """Each record as its own format logs it: '-' is null (NULL in DuckDB, as an empty
    cell reads); a field its format does not log is absent."""
    return [{name: (None if value == "-" else value)
             for name, value in zip(fields, line.split(), strict=True)}
            for fields, lines in OBJECTS for line in lines]


def _union() -> list[str]:
    return list(dict.fromkeys([*DEFAULT, *CUSTOM]))


def _read_back(text: str, tmp_path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    """The CSV as DuckDB reads it (``read_csv``, ``header=true``), every cell as text."""
    path = tmp_path / "out.csv"
    path.write_text(text)
    relation = duckdb.sql(f"select * from read_csv('{path}', header=true, all_varchar=true)")
    names = relation.columns
    return names, [dict(zip(names, row, strict=True)) for row in relation.fetchall()]


def _check(result: Any, tmp_path: Path) -> None:
    names, rows = _read_back(result.stdout, tmp_path)
    assert names == _union()
    expected = _expected()
    assert len(rows) == len(expected)
    for row, record in zip(rows, expected, strict=True):
        # every field the record's format logs holds its value; every other one is empty
        assert row == {name: record.get(name) for name in names}
    assert result.returncode == 0, result.stderr
    assert "header" not in result.stderr, result.stderr
    # and one header line: no record is a line of field names
    assert sum(1 for line in csv.reader(io.StringIO(result.stdout))
               if line[:1] == ["version"]) == 1


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "logs" / DAY
    folder.mkdir(parents=True)
    for number, (fields, lines) in enumerate(OBJECTS):
        (tmp_path / "logs" / _key(number)).write_bytes(_object(fields, lines))
    return folder


@pytest.mark.parametrize("extra", [[], ["--where", "bytes > 0"]], ids=["plain", "where"])
def test_a_local_folder_of_two_formats_is_one_csv(mixed_folder: Path, tmp_path: Path,
                                                  extra: list[str]) -> None:
    _check(flowtui_run("cat", str(mixed_folder), "--format", "csv", *extra, cwd=ROOT,
                       timeout=120), tmp_path)


def test_an_s3_folder_of_two_formats_is_one_csv(s3_server: Any, tmp_path: Path) -> None:
    with scratch(s3_server) as (bucket, raw):
        for number, (fields, lines) in enumerate(OBJECTS):
            raw.put_object(Bucket=bucket, Key=_key(number), Body=_object(fields, lines))
        result = flowtui_run("cat", f"s3://{bucket}/{DAY}", "--format", "csv",
                             "--endpoint-url", s3_server.endpoint_url, cwd=ROOT, timeout=120)
        _check(result, tmp_path)
        # --sort writes the same columns in the same order (one rule: header.union)
        ordered = flowtui_run("cat", f"s3://{bucket}/{DAY}", "--format", "csv", "--sort",
                              "start", "--endpoint-url", s3_server.endpoint_url, cwd=ROOT,
                              timeout=120)
        assert ordered.stdout.splitlines()[0] == result.stdout.splitlines()[0]


def test_an_object_whose_header_cannot_be_read_is_said_and_the_rest_is_one_csv(
        mixed_folder: Path, tmp_path: Path) -> None:
    """Not gzip, not text: said on stderr (its header, then its load), the rest written."""
    junk = mixed_folder / STEM.format("91b2c3d4e5f678901", 7, 9)
    junk.write_bytes(b"\x1f\x8b\x08\x00garbage, not deflate" * 10)
    result = flowtui_run("cat", str(mixed_folder), "--format", "csv", cwd=ROOT, timeout=120)
    names, rows = _read_back(result.stdout, tmp_path)
    assert names == _union() and len(rows) == len(_expected())
    assert result.returncode == 1
    said = [line for line in result.stderr.splitlines() if junk.name in line]
    assert said and "header line could not be read" in said[0], result.stderr
    assert "header lines" not in result.stderr


def test_an_s3_object_whose_header_cannot_be_read_is_said(s3_server: Any,
                                                        tmp_path: Path) -> None:
    """Its ranged GET inflates to no header: said, left out of the header, the rest one CSV."""
    with scratch(s3_server) as (bucket, raw):
        for number, (fields, lines) in enumerate(OBJECTS):
            raw.put_object(Bucket=bucket, Key=_key(number), Body=_object(fields, lines))
        junk = DAY + STEM.format("91b2c3d4e5f678901", 7, 9)
        raw.put_object(Bucket=bucket, Key=junk, Body=b"\x1f\x8b\x08\x00not deflate" * 10)
        result = flowtui_run("cat", f"s3://{bucket}/{DAY}", "--format", "csv",
                             "--endpoint-url", s3_server.endpoint_url, cwd=ROOT, timeout=120)
    names, rows = _read_back(result.stdout, tmp_path)
    assert names == _union() and len(rows) == len(_expected())
    assert result.returncode == 1
    said = [line for line in result.stderr.splitlines() if junk in line]
    assert said and "header line could not be read" in said[0], result.stderr
    assert "header lines" not in result.stderr


def test_a_header_after_a_byte_order_mark_is_read_ahead_as_the_parser_reads_it(
        mixed_folder: Path, tmp_path: Path) -> None:
    """The parser reads a header saved with UTF-8's byte-order mark (a Windows editor); the
    CSV's columns are read ahead by the same first-line rule (``header.first_line_fields``),
    so such an object joins the one header instead of starting a second one."""
    custom = tmp_path / "logs" / _key(1)
    custom.write_bytes(gzip.compress(b"\xef\xbb\xbf" + gzip.decompress(custom.read_bytes())))
    _check(flowtui_run("cat", str(mixed_folder), "--format", "csv", cwd=ROOT, timeout=120),
           tmp_path)


def test_one_object_reads_no_header_first(tmp_path: Path) -> None:
    """A single object: its own header, as before (nothing read ahead of the load)."""
    path = tmp_path / "one.log.gz"
    path.write_bytes(_object(CUSTOM, [V8]))
    result = flowtui_run("cat", str(path), "--format", "csv", cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert next(csv.reader(io.StringIO(result.stdout))) == CUSTOM


def test_one_header_read_per_flow_log() -> None:
    """A flow log's format can't be changed after it is made; a new format is a new flow log
    with its own ``fl-`` id (format reference §5.2, [C]; AWS VPC user guide, "Work with flow
    logs": "you can't change its configuration or the flow log record format"). So of an
    S3 folder, the first object of each flow log is read for the header, and every object
    whose name is not a flow-log file name."""
    from flowtui.objectfields import one_per_flow_log

    keys = [_key(0), _key(0).replace("T0500Z", "T0505Z"), _key(1),
            _key(0).replace(".log.gz", ".log.parquet"), DAY + "copied-by-hand.log.gz",
            DAY + "copied-by-hand-2.log.gz"]
    assert one_per_flow_log(keys, str) == [keys[0], keys[2], keys[3], keys[4], keys[5]]
