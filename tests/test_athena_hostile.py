"""``athena ddl`` can't be turned into another statement by the names it is given (issue 20.2).

Athena's rule for names (AWS docs, "Name databases, tables, and columns"): database, table and
column names are lower-case UTF-8 strings of 1 to 255 bytes; flow-log columns are snake_case
(AWS's Parquet delivery) and a backquote in a name would end the quoted identifier, so such
names are refused before anything is printed or sent.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from flowtui.athena.table import TableError, describe_prefix
from tests.cli_fork import flowtui_run
from tests.corpus.generate import backquote_column

ROOT = Path(__file__).resolve().parent.parent
NOTHING_LISTENS = "http://127.0.0.1:9"


def _seed(raw, bucket: str) -> None:
    t = datetime(2024, 3, 5, 9)
    name = f"123456789012_vpcflowlogs_us-east-1_fl-0aaa_{t:%Y%m%dT%H%MZ}_abcd1234.log.parquet"
    key = f"AWSLogs/123456789012/vpcflowlogs/us-east-1/{t:%Y/%m/%d}/{name}"
    raw.put_object(Bucket=bucket, Key=key, Body=backquote_column())


def _ddl(s3_server, bucket: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, AWS_ENDPOINT_URL_ATHENA=NOTHING_LISTENS)
    return flowtui_run("athena", "ddl", f"s3://{bucket}/", "--endpoint-url",
                       s3_server.endpoint_url, "--apply", "--yes", *extra, cwd=ROOT, env=env,
                       timeout=120)


def test_a_parquet_column_with_a_backquote_is_refused(s3_server, scratch_bucket) -> None:
    bucket, raw = scratch_bucket
    _seed(raw, bucket)
    with pytest.raises(TableError) as caught:
        describe_prefix(s3_server.client(), bucket, "")
    assert "not a name Athena can hold" in str(caught.value)
    done = _ddl(s3_server, bucket)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""  # no statement printed, none sent (nothing listens for Athena)
    assert done.stderr.count("\n") == 1 and "attacker" in done.stderr


@pytest.mark.parametrize("flag", ["--database", "--table"])
@pytest.mark.parametrize("value", ["x`.`y", "a'b", "t\nDROP", ""])
def test_database_and_table_names_are_checked(s3_server, flag: str, value: str) -> None:
    done = _ddl(s3_server, s3_server.main_bucket + "/hive", flag, value)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "lower-case letters, digits and _" in done.stderr



@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_stop_the_query_on_athena(s3_server, signum: int) -> None:
    """As Ctrl-C does (issue 20.12): a query left running keeps scanning and billing."""
    import boto3
    from test_athena_engine import _slow_queries

    _slow_queries(s3_server.endpoint_url, 100_000)
    raw = boto3.client("athena", region_name="us-east-1", endpoint_url=s3_server.endpoint_url)
    try:
        before = set(raw.list_query_executions()["QueryExecutionIds"])
        process = subprocess.Popen(
            [sys.executable, "-m", "flowtui", "top", f"s3://{s3_server.main_bucket}/hive/",
             "--by", "srcaddr", "--engine", "athena", "--output-location", "s3://r/q/",
             "--endpoint-url", s3_server.endpoint_url],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
            env=dict(os.environ, AWS_ENDPOINT_URL_ATHENA=s3_server.endpoint_url))
        deadline = time.monotonic() + 120
        new: set[str] = set()
        while not new and time.monotonic() < deadline:
            time.sleep(0.2)
            new = set(raw.list_query_executions()["QueryExecutionIds"]) - before
        assert new, "the query was never submitted"
        process.send_signal(signum)
        _out, err = process.communicate(timeout=60)
    finally:
        _slow_queries(s3_server.endpoint_url, 1)
    assert process.returncode == -signum, err
    assert "Traceback" not in err
    state = raw.get_query_execution(QueryExecutionId=new.pop())["QueryExecution"]["Status"]
    assert state["State"] == "CANCELLED"


@pytest.mark.parametrize("command", ["top", "hist"])
def test_an_answer_missing_a_column_is_one_line(s3_server, command: str) -> None:
    """Issue 20.14: moto (or a view, or another table of that name) answers without
    ``bytes``; before, ``top`` died with a KeyError traceback."""
    from test_athena_engine import _set_results

    first = "srcaddr" if command == "top" else "time"
    _set_results(s3_server.endpoint_url, [first, "records", "packets"],
                 [["1709647200" if command == "hist" else "10.0.0.5", "12", "40"]])
    extra = ["--by", "srcaddr"] if command == "top" else ["--every", "5m"]
    done = flowtui_run(
        command, f"s3://{s3_server.main_bucket}/hive/", *extra, "--engine", "athena",
        "--output-location", "s3://r/q/", "--endpoint-url", s3_server.endpoint_url, cwd=ROOT,
        timeout=120, env=dict(os.environ, AWS_ENDPOINT_URL_ATHENA=s3_server.endpoint_url))
    assert done.returncode == 2, done.stderr  # no answer: exit 2, as cli.main says
    assert "Traceback" not in done.stderr
    assert "Athena's answer has no column 'bytes'" in done.stderr
    assert all(line.startswith("flowtui: ") or line.startswith("athena ")
               for line in done.stderr.splitlines()), done.stderr
