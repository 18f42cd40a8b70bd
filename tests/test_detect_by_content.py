"""Gzip text and Parquet are told apart by their first bytes, from S3 as locally, whatever
the name says (issue 20.15: gzip text named .log.parquet was refused; a Parquet object named
.log.gz read locally but not from S3). The local cases are in tests/corpus/."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from tests.cli_fork import flowtui_run
from tests.corpus.generate import GOOD, HEADER, good_table, lines, parquet

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/03/05/"
NAME = "123456789012_vpcflowlogs_us-east-1_fl-0aaa_20240305T1400Z_abcd1234"


@pytest.mark.parametrize(("suffix", "body"), [
    (".log.parquet", lambda: __import__("gzip").compress(lines(HEADER, *GOOD))),
    (".log.gz", lambda: parquet(pa.table(good_table()))),
    (".log.parquet", lambda: parquet(pa.table(good_table()))),
    (".log.gz", lambda: __import__("gzip").compress(lines(HEADER, *GOOD))),
], ids=["gzip-named-parquet", "parquet-named-gz", "parquet", "gzip"])
def test_an_s3_object_is_read_by_its_first_bytes(s3_server, scratch_bucket, suffix: str,
                                                 body) -> None:
    bucket, raw = scratch_bucket
    key = PREFIX + NAME + suffix
    raw.put_object(Bucket=bucket, Key=key, Body=body())
    done = flowtui_run("cat", f"s3://{bucket}/{key}", "--format", "jsonl", "--endpoint-url",
                       s3_server.endpoint_url, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(records) == 100
    assert records[0]["srcaddr"] == "10.0.0.0" and records[99]["bytes"] == 9940
