"""``cat s3://…/day/``: the first records come out while the folder is still being listed.

A day folder holds a few hundred keys, and a listing page takes longer the more keys it
holds; so the first page asks for one key, and that object is read while the rest of the
folder is listed. What is printed, and in what order, is what the whole listing gave before:
"List results are always returned in UTF-8 binary order" (Amazon S3 User Guide, Listing
object keys, https://docs.aws.amazon.com/AmazonS3/latest/dev/ListingKeysUsingAPIs.html), and
a continued listing goes on after the last key of the page before (ListObjectsV2,
ContinuationToken), so the first key of the first page is the first object of the folder.

Real processes against moto on 127.0.0.1 through the fault proxy, which holds the second
page of the listing (the request with a ``continuation-token``) until the test releases it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from flowtui.fields import DEFAULT_FIELDS
from flowtui.synth import generate_lines, make_text_object
from tests.faultproxy import Request

ROOT = Path(__file__).resolve().parent.parent
DAY = "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/03/05/"
WAIT = 120.0  # seconds: a bound for a loaded machine, never a pause


def key(i: int) -> str:
    return (f"{DAY}123456789012_vpcflowlogs_us-east-1_fl-0123456789abcdef0_"
            f"20240305T{i:02d}00Z_{i:08x}.log.gz")


def is_second_page(request: Request) -> bool:
    """The listing's second request: it goes on with the first page's continuation token."""
    return request.operation == "ListObjectsV2" and "continuation-token" in request.query


class HeldPage:
    """The proxy holds the second page's request until ``release`` (then forwards it, and
    relays moto's answer whole); ``held`` is set once it holds one."""

    def __init__(self, proxy: Any) -> None:
        self.held = threading.Event()
        self._gate = threading.Event()
        proxy.latency(self._delay, match=is_second_page)

    def _delay(self, _request: Request) -> float:
        self.held.set()
        self._gate.wait(WAIT)
        return 0.0

    def release(self) -> None:
        self._gate.set()


#: JSON lines: one record a line, the first line a record. (A CSV of a folder waits for
#: the listing's end before its first line, its header, which names the fields of every
#: flow log in the folder: test_csv_one_header.)
FORMAT = "jsonl"


def fill(bucket: str, raw: Any, tmp_path: Path, count: int = 4) -> Path:
    """``count`` objects in a day folder, and the same files in a local folder (the output
    ``cat`` of the local copy prints is what the S3 one must print)."""
    local = tmp_path / "copy"
    for i in range(count):
        body = make_text_object(list(generate_lines(40 + i, seed=i, span=3600)), DEFAULT_FIELDS)
        raw.put_object(Bucket=bucket, Key=key(i), Body=body)
        path = local / key(i)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    return local


def start_cat(url: str, endpoint: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "flowtui", "cat", url, "--endpoint-url",
                             endpoint, "--format", FORMAT, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)


def first_line(process: subprocess.Popen[str]) -> tuple[threading.Event, list[str]]:
    """The process's first line of output, read on a thread: set once it came."""
    came = threading.Event()
    line: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        line.append(process.stdout.readline())
        came.set()

    threading.Thread(target=read, daemon=True).start()
    return came, line


def local_cat(path: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "flowtui", "cat", str(path), "--format", FORMAT],
                          capture_output=True, text=True, cwd=ROOT, timeout=WAIT)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_first_record_is_printed_while_the_second_page_is_still_listed(
        scratch_bucket: tuple[str, Any], fault_proxy: Any, tmp_path: Path) -> None:
    bucket, raw = scratch_bucket
    local = fill(bucket, raw, tmp_path)
    expected = local_cat(local)
    page = HeldPage(fault_proxy)
    process = start_cat(f"s3://{bucket}/{DAY}", fault_proxy.url)
    try:
        came, line = first_line(process)
        assert came.wait(WAIT), "no record before the listing ended"
        # The second page is held until release, so the listing can't have ended: the line
        # came first. It may come even before that page is asked for (a busy machine);
        # either way the listing goes on to it.
        assert page.held.wait(WAIT), "the second page was never asked for"
        assert process.poll() is None
        # the first record of the first object in key order
        assert line[0] == expected.splitlines(keepends=True)[0]
    finally:
        page.release()
    assert process.stdout is not None and process.stderr is not None
    out, err = process.stdout.read(), process.stderr.read()  # (the first line's reader's
    process.wait(WAIT)  # buffer is the stdout object's: communicate() would not see it)
    assert (process.returncode, err) == (0, "")
    assert line[0] + out == expected  # every record, in key order, as before
    assert fault_proxy.operations().count("GetObject") == 4


def test_a_limit_reached_ends_the_command_without_waiting_for_the_listing(
        scratch_bucket: tuple[str, Any], fault_proxy: Any, tmp_path: Path) -> None:
    bucket, raw = scratch_bucket
    expected = local_cat(fill(bucket, raw, tmp_path))
    page = HeldPage(fault_proxy)
    process = start_cat(f"s3://{bucket}/{DAY}", fault_proxy.url, "--limit", "3")
    try:
        out, err = process.communicate(timeout=WAIT)
        assert page.held.is_set()  # it ended while the second page was held
    finally:
        page.release()
    assert (process.returncode, err) == (0, "")
    assert out == "".join(expected.splitlines(keepends=True)[:3])  # 3 records


def test_a_listing_that_fails_after_its_first_page_is_one_line_and_exit_2(
        scratch_bucket: tuple[str, Any], fault_proxy: Any, tmp_path: Path) -> None:
    """The same line and exit code as when the listing fails before naming any object."""
    bucket, raw = scratch_bucket
    fill(bucket, raw, tmp_path)
    said = []
    for page in (lambda r: r.operation == "ListObjectsV2", is_second_page):
        fault = fault_proxy.answer(403, "AccessDenied", "Access Denied", match=page)
        process = start_cat(f"s3://{bucket}/{DAY}", fault_proxy.url)
        _out, err = process.communicate(timeout=WAIT)
        assert (process.returncode, fault.hits) == (2, 1)
        said.append(err)
    assert said[0] == said[1]
    assert said[0].count("\n") == 1 and said[0].startswith("flowtui: Access denied")


def test_a_folder_marker_listed_first_is_skipped_as_before(
        scratch_bucket: tuple[str, Any], fault_proxy: Any, tmp_path: Path) -> None:
    """The console's empty ``DAY/`` key sorts first: the first page names no object, and
    the first object comes from the second page."""
    bucket, raw = scratch_bucket
    expected = local_cat(fill(bucket, raw, tmp_path, count=2))
    raw.put_object(Bucket=bucket, Key=DAY, Body=b"")
    done = subprocess.run([sys.executable, "-m", "flowtui", "cat", f"s3://{bucket}/{DAY}",
                           "--endpoint-url", fault_proxy.url, "--format", FORMAT],
                          capture_output=True, text=True, cwd=ROOT, timeout=WAIT)
    assert (done.returncode, done.stderr, done.stdout) == (0, "", expected)
    assert fault_proxy.operations()[:2] == ["ListObjectsV2", "ListObjectsV2"]


@pytest.mark.parametrize("module", ["flowtui.events", "flowtui.reffeed", "flowtui.s3.select",
                                    "flowtui.s3.session", "flowtui.s3.reader"])
def test_the_listing_thread_needs_no_arrow(module: str) -> None:
    """The folder is listed on a thread while Arrow is imported on another: a listing module
    that imported Arrow would wait for that import (Python's import lock) before it could
    send the next page. And the S3 client is botocore's: boto3 and s3transfer are not
    loaded (a tenth of the client's start-up)."""
    done = subprocess.run([sys.executable, "-c", f"import json, sys, {module}; print(json."
                           "dumps(sorted({m.split('.')[0] for m in sys.modules})))"],
                          capture_output=True, text=True, cwd=ROOT, timeout=WAIT)
    loaded = set(json.loads(done.stdout))
    assert not loaded & {"pyarrow", "boto3", "s3transfer", "textual"}, done.stderr


def test_the_first_object_read_ahead_fails_as_any_object_does(
        scratch_bucket: tuple[str, Any], fault_proxy: Any, tmp_path: Path) -> None:
    """The first object's GET is sent by the listing (while Arrow is imported); its failure
    is still that object's one line and exit code 1, and the others are printed."""
    bucket, raw = scratch_bucket
    local = fill(bucket, raw, tmp_path, count=3)
    (local / key(0)).unlink()
    expected = local_cat(local)
    fault_proxy.answer(403, "AccessDenied", "Access Denied",
                       match=lambda r: r.operation == "GetObject" and r.key == key(0))
    process = start_cat(f"s3://{bucket}/{DAY}", fault_proxy.url)
    out, err = process.communicate(timeout=WAIT)
    assert process.returncode == 1
    assert err.count("\n") == 1 and err.startswith("flowtui: Access denied")
    assert key(0) in err
    assert out == expected
    assert fault_proxy.operations().count("GetObject") == 3
