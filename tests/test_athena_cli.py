"""``--engine athena`` and ``flowtui sql`` end to end, against moto's S3 and Athena on loopback.

moto answers every query with results the test configures, so these tests check what a user
depends on: the SQL Athena receives (the filter compiled, the window's partitions), that the
answer prints like a local answer, and that Ctrl-C stops the query on Athena.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3
from test_athena_engine import _set_results, _slow_queries

from tests.cli_fork import flowtui_run

ROOT = Path(__file__).resolve().parent.parent


def _env(s3_server) -> dict[str, str]:
    return dict(os.environ, AWS_ENDPOINT_URL_ATHENA=s3_server.endpoint_url)


def _flowtui(s3_server, *args: str) -> subprocess.CompletedProcess[str]:
    return flowtui_run(*args, "--endpoint-url", s3_server.endpoint_url, cwd=ROOT,
                       env=_env(s3_server), timeout=180)


def _last_query(s3_server) -> str:
    raw = boto3.client("athena", region_name="us-east-1", endpoint_url=s3_server.endpoint_url)
    ids = raw.list_query_executions()["QueryExecutionIds"]
    queries = [raw.get_query_execution(QueryExecutionId=i)["QueryExecution"] for i in ids]
    newest = max(queries, key=lambda q: q["Status"]["SubmissionDateTime"])
    return str(newest["Query"])


def test_top_on_athena_sends_the_compiled_filter_and_the_windows_partitions(s3_server) -> None:
    _set_results(s3_server.endpoint_url,
                 ["srcaddr", "records", "packets", "bytes", "first_start", "last_end",
                  "accept", "reject"],
                 [["10.0.0.5", "12", "40", "9000", "1709647200", "1709647500", "2", "10"]])
    done = _flowtui(s3_server, "top", f"s3://{s3_server.main_bucket}/hive/", "--by", "srcaddr",
                    "--where", "dst host 10.0.1.10 and reject", "--since", "2024-03-05T14:00",
                    "--until", "2024-03-05T14:30", "--engine", "athena", "--format", "jsonl",
                    "--database", "logs", "--table", "vpc", "--output-location", "s3://r/q/")
    assert done.returncode == 0, done.stderr
    assert [json.loads(line) for line in done.stdout.splitlines()] == [
        {"srcaddr": "10.0.0.5", "records": 12, "packets": 40, "bytes": 9000}]
    sql = _last_query(s3_server)
    assert sql.startswith("SELECT srcaddr, COUNT(*) AS records")
    assert "FROM logs.vpc" in sql
    assert "(year = '2024' AND month = '03' AND day = '05')" in sql  # only that day is read
    assert "COALESCE(NULLIF(dstaddr, '-') = '10.0.1.10', FALSE)" in sql
    assert "COALESCE(NULLIF(action, '-') = 'REJECT', FALSE)" in sql
    assert "athena succeeded" in done.stderr  # the summary line: state, scanned, cost


def test_cat_on_athena_prints_records_like_a_local_cat(s3_server) -> None:
    _set_results(s3_server.endpoint_url, ["srcaddr", "dstport", "action", "log_status"],
                 [["10.0.0.5", "22", "REJECT", "OK"], ["-", "-", "-", "NODATA"]])
    done = _flowtui(s3_server, "cat", f"s3://{s3_server.main_bucket}/team/net/", "--where",
                    "port 22", "--sort", "-bytes", "--limit", "5", "--engine", "athena",
                    "--format", "jsonl", "--output-location", "s3://r/q/")
    assert done.returncode == 0, done.stderr
    assert [json.loads(line) for line in done.stdout.splitlines()] == [
        {"srcaddr": "10.0.0.5", "dstport": 22, "action": "REJECT", "log-status": "OK"},
        {"srcaddr": None, "dstport": None, "action": None, "log-status": "NODATA"}]
    sql = _last_query(s3_server)
    assert sql.endswith("ORDER BY bytes DESC NULLS LAST LIMIT 5")


def test_hist_on_athena_gives_iso_buckets(s3_server) -> None:
    _set_results(s3_server.endpoint_url, ["time", "records", "packets", "bytes", "accept",
                                          "reject"],
                 [["1709647200", "5", "9", "900", "4", "1"]])
    done = _flowtui(s3_server, "hist", f"s3://{s3_server.main_bucket}/hive/", "--every", "5m",
                    "--engine", "athena", "--format", "csv", "--output-location", "s3://r/q/")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].startswith('"2024-03-05T14:00:00Z",5,9,900,4,1')
    assert "start - (start % 300 + 300) % 300 AS time" in _last_query(s3_server)


def test_a_bare_time_on_athena_says_the_day_it_was_read_on(s3_server) -> None:
    """No data is at hand to take the day of ``during 14:00..14:10`` from: the day taken
    (today, or --since's) is said, else an empty answer for the wrong day looks true."""
    _set_results(s3_server.endpoint_url, ["time", "records", "packets", "bytes", "accept",
                                          "reject"], [])
    common = ("--engine", "athena", "--format", "csv", "--output-location", "s3://r/q/",
              "--where", "during 14:00..14:10")
    done = _flowtui(s3_server, "hist", f"s3://{s3_server.main_bucket}/team/net/", *common)
    assert done.returncode == 0, done.stderr
    assert "a time without a date is read on " in done.stderr
    assert "(today, UTC)" in done.stderr
    since = _flowtui(s3_server, "hist", f"s3://{s3_server.main_bucket}/team/net/", *common,
                     "--since", "2024-03-05T00:00")
    assert "read on 2024-03-05 (the day of --since)" in since.stderr


def _queries(s3_server) -> set[str]:
    raw = boto3.client("athena", region_name="us-east-1", endpoint_url=s3_server.endpoint_url)
    return set(raw.list_query_executions()["QueryExecutionIds"])


def _submitted(s3_server, before: set[str]) -> str:
    """The id of the query a command submitted (waits for it; ``before``: the ids then)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        new = _queries(s3_server) - before
        if new:
            return new.pop()
        time.sleep(0.2)
    raise AssertionError("the query was never submitted")


def _state(s3_server, query: str) -> str:
    raw = boto3.client("athena", region_name="us-east-1", endpoint_url=s3_server.endpoint_url)
    return str(raw.get_query_execution(QueryExecutionId=query)["QueryExecution"]["Status"]
               ["State"])


def test_ctrl_c_stops_the_query_on_athena(s3_server) -> None:
    _slow_queries(s3_server.endpoint_url, 100_000)
    before = _queries(s3_server)
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "flowtui", "top", f"s3://{s3_server.main_bucket}/hive/",
             "--by", "srcaddr", "--engine", "athena", "--output-location", "s3://r/q/",
             "--endpoint-url", s3_server.endpoint_url],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
            env=_env(s3_server))
        query = _submitted(s3_server, before)
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=60)
    finally:
        _slow_queries(s3_server.endpoint_url, 1)
    assert process.returncode == 130, err
    assert "cancelled" in err and "Traceback" not in err
    assert _state(s3_server, query) == "CANCELLED"


def test_a_reader_that_leaves_stops_the_query_on_athena(s3_server) -> None:
    """``flowtui top … --engine athena | less``, and less quit before the answer: the query
    is stopped on Athena (it would scan, and bill, for nobody) and the command ends quietly,
    as a local load does when its reader leaves. Without the watch it waits the query out."""
    _slow_queries(s3_server.endpoint_url, 100_000)
    before = _queries(s3_server)
    read_end, write_end = os.pipe()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "flowtui", "top", f"s3://{s3_server.main_bucket}/hive/",
             "--by", "srcaddr", "--engine", "athena", "--output-location", "s3://r/q/",
             "--endpoint-url", s3_server.endpoint_url],
            stdout=write_end, stderr=subprocess.PIPE, text=True, cwd=ROOT,
            env=_env(s3_server))
        os.close(write_end)
        query = _submitted(s3_server, before)
        os.close(read_end)  # the reader quits before any answer
        read_end = -1
        _out, err = process.communicate(timeout=60)
    finally:
        _slow_queries(s3_server.endpoint_url, 1)
        if read_end >= 0:
            os.close(read_end)
        process.kill()  # (ended already, unless the test failed)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert "stopped: the output's reader left" in err
    assert _state(s3_server, query) == "CANCELLED"


def test_sql_prints_the_query_with_partitions_from_the_prefix(s3_server) -> None:
    done = _flowtui(s3_server, "sql", f"s3://{s3_server.main_bucket}/team/net/", "--where",
                    "reject and port 22", "--since", "2024-03-05T14:00", "--until",
                    "2024-03-05T14:20", "--sort", "-bytes")
    assert done.returncode == 0, done.stderr
    sql = done.stdout
    assert "(day = '2024/03/05' AND hour = '14')" in sql
    assert "ORDER BY bytes DESC NULLS LAST" in sql


def test_sql_refuses_a_bad_filter_in_one_line() -> None:
    done = flowtui_run("sql", "--where", "dstprot = 22", cwd=ROOT, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip() == ("flowtui: unknown field 'dstprot' (did you mean 'dstport'?) "
                                   "(column 1): ‸dstprot = 22")




def test_a_filter_on_a_field_the_table_lacks_is_refused_before_sql_or_a_query(
        s3_server) -> None:
    """A default-format prefix has no tcp-flags column: ``flags S`` compiles to WHERE FALSE
    by construction. ``sql`` printed that with exit 0, and an Athena run paid for a query
    that could return nothing, read as "no SYN". One line names the missing field."""
    url = f"s3://{s3_server.main_bucket}/team/net/"
    done = _flowtui(s3_server, "sql", url, "--where", "flags S and port 22")
    assert done.returncode == 2, done.stdout
    assert done.stdout == ""
    line = done.stderr.strip()
    assert "\n" not in line and "tcp-flags" in line and "cannot match" in line, line
    before = _queries(s3_server)
    done = _flowtui(s3_server, "top", url, "--by", "srcaddr", "--where", "flags S",
                    "--since", "2024-03-05T14:00", "--until", "2024-03-05T14:30",
                    "--engine", "athena", "--output-location", "s3://r/q/")
    assert done.returncode == 2 and "tcp-flags" in done.stderr, done.stderr
    assert _queries(s3_server) == before  # no query was sent
    # a filter that can still match (not on an absent field is true) is printed as before
    done = _flowtui(s3_server, "sql", url, "--where", "not flags S")
    assert done.returncode == 0 and "SELECT" in done.stdout, done.stderr
