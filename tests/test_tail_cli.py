"""``flowtui tail --no-tui`` as a user runs it: a subprocess that prints new records as they
arrive, says what each poll found on stderr, and ends cleanly on SIGTERM and Ctrl-C."""

from __future__ import annotations

import json
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import pytest

from flowtui.cli.tail import status_line
from flowtui.tail import PollDone, PollFailed
from tests.cli_fork import flowtui_run
from tests.tail_helpers import WAIT, Bucket

ROOT = Path(__file__).resolve().parent.parent
REGION = "AWSLogs/123456789012/vpcflowlogs/us-east-1/"


class Lines:
    """A pipe read line by line in a thread, so the test can wait with a timeout."""

    def __init__(self, pipe: IO[str]) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self._thread.start()

    def _read(self, pipe: IO[str]) -> None:
        for line in pipe:
            self.lines.put(line.rstrip("\n"))

    def until(self, predicate: Any, what: str) -> str:
        while True:
            try:
                line = self.lines.get(timeout=WAIT)
            except queue.Empty:
                raise AssertionError(f"no {what} within {WAIT}s; got {self.seen[-5:]}") from None
            self.seen.append(line)
            if predicate(line):
                return line

    def rest(self) -> list[str]:
        self._thread.join(WAIT)
        out = []
        while not self.lines.empty():
            out.append(self.lines.get())
        self.seen.extend(out)
        return out


def start_tail(url: str, endpoint: str, *extra: str) -> tuple[subprocess.Popen[str], Lines,
                                                                Lines]:
    process = subprocess.Popen(
        [sys.executable, "-m", "flowtui", "tail", url, "--no-tui", "--interval", "0.2",
         "--endpoint-url", endpoint, "--format", "jsonl", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert process.stdout is not None and process.stderr is not None
    return process, Lines(process.stdout), Lines(process.stderr)


def stopped_by_sigterm(process: subprocess.Popen[str]) -> None:
    """SIGTERM ends a tail with status 0; a tail that outlives the test is killed."""
    try:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=WAIT) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def record_line(text: str, fields: tuple[str, ...]) -> str:
    record = json.loads(text)
    return " ".join("-" if record[f] is None else str(record[f]) for f in fields)


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 0), (signal.SIGINT, 130)])
def test_tail_prints_new_records_and_exits_cleanly_on_a_signal(
        s3_server: Any, raw_s3: Any, sig: signal.Signals, code: int) -> None:
    bucket = Bucket(raw_s3, f"tail-cli-{sig.name.lower()}")
    now = datetime.now(tz=UTC).replace(second=0, microsecond=0)
    before = bucket.put(now - timedelta(minutes=10))
    process, out, err = start_tail(bucket.url(REGION), s3_server.endpoint_url)
    try:
        first = err.until(lambda line: "following" in line, "first poll line")
        # one flow log; in one day folder, or two within LATE_WINDOW after midnight UTC (the
        # tail also follows yesterday's, where late files still land) or EARLY_WINDOW before it
        assert re.search(r"following 1 flow log in [12] folders?;", first), first
        assert "newest file" in first
        new = bucket.put(now - timedelta(minutes=5))
        got = [out.until(lambda line: line.startswith("{"), "record")
               for _ in range(len(new.lines))]
        assert [record_line(line, new.fields) for line in got] == list(new.lines)
        err.until(lambda line: "1 new file" in line, "poll line for the new file")
        process.send_signal(sig)
        assert process.wait(timeout=WAIT) == code
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert out.rest() == []  # nothing after the new file's records: nothing loaded twice
    err.rest()
    assert not any("Traceback" in line for line in err.seen)
    assert not any(before.name in line for line in out.seen)


def test_tail_ends_when_its_reader_goes_while_the_prefix_is_quiet(
        s3_server: Any, raw_s3: Any) -> None:
    """``flowtui tail … | head -n 5`` on a prefix where nothing new lands: no write can fail
    with EPIPE, so the tail must notice by itself that the pipe lost its reader (GNU
    ``tail -f`` does since coreutils 8.28) and end quietly, not poll for hours."""
    bucket = Bucket(raw_s3, "tail-cli-reader-gone")
    now = datetime.now(tz=UTC).replace(second=0, microsecond=0)
    bucket.put(now - timedelta(minutes=10))
    process = subprocess.Popen(
        [sys.executable, "-m", "flowtui", "tail", bucket.url(REGION), "--no-tui",
         "--interval", "0.2", "--endpoint-url", s3_server.endpoint_url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert process.stdout is not None and process.stderr is not None
    err = Lines(process.stderr)
    try:
        err.until(lambda line: "following" in line, "first poll line")
        process.stdout.close()  # the reader goes; nothing new is ever written
        assert process.wait(timeout=WAIT) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    err.rest()
    assert not any("Traceback" in line or "Broken pipe" in line for line in err.seen)


def test_tail_of_a_missing_bucket_says_why_and_keeps_trying(s3_server: Any) -> None:
    process, out, err = start_tail(f"s3://tail-cli-missing/{REGION}", s3_server.endpoint_url)
    try:
        line = err.until(lambda line: "failed" in line, "failure line")
        assert "NoSuchBucket" in line and "retrying in" in line
        err.until(lambda line: "2 in a row" in line, "second failure")
    finally:
        stopped_by_sigterm(process)


def test_tail_refuses_a_local_path() -> None:
    result = flowtui_run("tail", "/tmp", "--no-tui", cwd=ROOT, timeout=WAIT)
    assert result.returncode == 2
    assert result.stderr.strip() == "flowtui: tail follows an S3 prefix: give s3://bucket/prefix"


def test_status_lines_say_freshness_and_the_next_poll() -> None:
    t = datetime(2024, 3, 5, 14, 20, tzinfo=UTC)
    base = dict(poll=7, new_objects=2, records=1234, newest=t - timedelta(minutes=30),
                newest_key="k", age=timedelta(minutes=30), stale=True,
                next_poll=t + timedelta(seconds=30), next_in=30.0, flow_logs=2,
                folders=("a/",), requests=3)
    assert status_line(PollDone(**base)) == (
        "poll 7: 2 new files, 1,234 records; newest file 2024-03-05 13:50 UTC, 30m old "
        "(stale: AWS usually delivers within ~10 min); next poll in 30s")
    base.update(new_objects=0, newest=None, age=None, stale=False)
    assert status_line(PollDone(**base)) == (
        "poll 7: no new files; no flow-log files yet; next poll in 30s")
    failed = PollFailed(8, "Access denied: s3:ListBucket on arn:aws:s3:::b is not allowed", 2,
                        120.0, t)
    assert status_line(failed) == (
        "poll 8 failed: Access denied: s3:ListBucket on arn:aws:s3:::b is not allowed; "
        "retrying in 120s (2 in a row)")


def test_the_status_line_ages_the_newest_file_from_its_delivery() -> None:
    t = datetime(2024, 3, 5, 14, 20, tzinfo=UTC)
    event = PollDone(poll=3, new_objects=1, records=10, newest=t - timedelta(minutes=10),
                     newest_key="k", age=timedelta(minutes=10), stale=False,
                     next_poll=t + timedelta(seconds=30), next_in=30.0, flow_logs=1,
                     folders=("a/",), requests=1, delivered=t - timedelta(seconds=12))
    assert status_line(event) == (
        "poll 3: 1 new file, 10 records; newest file 2024-03-05 14:10 UTC, delivered 12s ago; "
        "next poll in 30s")


def test_a_day_folder_whose_day_is_over_says_so_not_that_aws_is_late() -> None:
    """A tail of a day folder stays on it (new days' files go to new folders). Past its
    midnight the newest file only ages, and the line said 'stale: AWS usually delivers within
    ~10 min', which blames a delivery that is on time, one folder further. AWS names a file
    by its 5-minute window and files it under that window's day (reference/flow-log-format.md
    §6), so after the day ends only late files land in the folder."""
    t = datetime(2024, 3, 6, 0, 25, tzinfo=UTC)
    day = "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/03/05/"
    event = PollDone(poll=9, new_objects=0, records=0, newest=t - timedelta(minutes=30),
                     newest_key="k", age=timedelta(minutes=30), stale=True,
                     next_poll=t + timedelta(seconds=30), next_in=30.0, flow_logs=1,
                     folders=(day,), requests=1)
    assert status_line(event) == (
        "poll 9: no new files; newest file 2024-03-05 23:55 UTC, 30m old (stale: the "
        "followed day folder ended at 2024-03-06 00:00 UTC, only late files land in it now; "
        "follow its region folder for the next days); next poll in 30s")
    # today's folder (listed by a region tail's clock) is not over: AWS is late
    today = "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/03/06/"
    assert "(stale: AWS usually delivers within ~10 min)" in status_line(
        replace(event, folders=(day, today)))


def test_a_new_flow_log_of_another_format_mid_tail_is_said_on_stderr_in_csv(
        s3_server: Any, raw_s3: Any) -> None:
    """Several flow logs, each with its own format, can write into one prefix (reference
    §6). When one of another format appears mid-tail, the CSV on stdout starts a second
    header line, which a CSV reader takes for a row of data; ``cat`` says so since the
    audit2 fix, the tail said nothing. It says it when it happens (a tail has no end)."""
    from flowtui.synth import DEFAULT_FIELDS

    bucket = Bucket(raw_s3, "tail-cli-csv-formats")
    now = datetime.now(tz=UTC).replace(second=0, microsecond=0)
    bucket.put(now - timedelta(minutes=10), n=3)
    process, out, err = start_tail(bucket.url(REGION), s3_server.endpoint_url,
                                   "--format", "csv", "--backfill", "1")
    try:
        err.until(lambda line: "following" in line, "first poll line")
        out.until(lambda line: line.startswith('"version"'), "the first header line")
        other = bucket.put(now - timedelta(minutes=5), n=3, flow_log_id="fl-0bbb2222cccc3333d",
                           fields=[*DEFAULT_FIELDS, "flow-direction"])
        out.until(lambda line: "flow-direction" in line, "the second header line")
        deadline = time.monotonic() + WAIT  # poll lines keep coming: until() alone waits on

        def note(line: str) -> bool:
            assert time.monotonic() < deadline, "no note about the second header line"
            return "header" in line

        said = err.until(note, "the note on stderr")
        assert said == (f"flowtui: s3://{bucket.name}/{other.key}: the CSV's columns change "
                        "here (an object of another format): a second header line, which a "
                        "CSV reader takes for a row; --format jsonl gives each record its "
                        "own fields"), said
    finally:
        stopped_by_sigterm(process)
    err.rest()
    assert sum("header line" in line for line in err.seen) == 1
