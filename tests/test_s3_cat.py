"""``flowtui cat s3://…``: records on stdout, one-line problems on stderr, exit codes."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from flowtui.cli import main
from flowtui.query.times import parse_time
from tests.conftest import scratch
from tests.corpus.generate import GOOD, HEADER, lines

DAY_PREFIX = "AWSLogs/111111111111/vpcflowlogs/us-east-1/2024/03/05/"


def cat(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, str]], str]:
    code = main(["cat", "--format", "jsonl", *args])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_cat_a_day_folder(s3_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, rows, err = cat(capsys, f"s3://{s3_server.main_bucket}/{DAY_PREFIX}",
                          "--endpoint-url", s3_server.endpoint_url)
    objects = s3_server.under(s3_server.main_bucket, DAY_PREFIX)
    assert (code, err) == (0, "")
    assert len(rows) == sum(len(o.lines) for o in objects)


@pytest.mark.parametrize("window", [[], ["--since", "2024-03-05T00:00"]])
def test_an_object_named_by_two_paths_is_read_once(s3_server: Any, window: list[str],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """``cat s3://b/day/ s3://b/day/`` (a path twice, or a prefix and an object under it, as
    shell history and globs make them) printed every record twice, so ``top`` and ``hist``
    summed them twice: a count no flow log holds. An object is read once, in the order of
    the first path that names it; both the streamed listing (no window) and the windowed
    selection."""
    day = f"s3://{s3_server.main_bucket}/{DAY_PREFIX}"
    objects = s3_server.under(s3_server.main_bucket, DAY_PREFIX)
    one = objects[0].url
    code, rows, err = cat(capsys, day, one, day, "--endpoint-url", s3_server.endpoint_url,
                          *window)
    assert (code, err) == (0, "")
    assert len(rows) == sum(len(o.lines) for o in objects)


def test_a_local_file_named_by_two_paths_is_read_once(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    folder = tmp_path / "day"
    folder.mkdir()
    (folder / "a.log").write_bytes(lines(HEADER, *GOOD[:5]))
    (folder / "b.log").write_bytes(lines(HEADER, *GOOD[5:8]))
    code, rows, err = cat(capsys, str(folder), str(folder / "a.log"), str(tmp_path / "day/./"))
    assert (code, err, len(rows)) == (0, "", 8)


def test_cat_with_a_window_and_a_limit(s3_server: Any, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    before = set(threading.enumerate())
    code, rows, err = cat(capsys, f"s3://{s3_server.main_bucket}/", "--endpoint-url",
                          s3_server.endpoint_url, "--since", "2024-03-05T14:02",
                          "--until", "2024-03-05T14:04Z", "--limit", "25")
    assert (code, err, len(rows)) == (0, "", 25)
    t0 = int(datetime(2024, 3, 5, 14, 2, tzinfo=UTC).timestamp())
    assert all(int(r["end"]) >= t0 for r in rows)
    assert not [t for t in set(threading.enumerate()) - before if t.name.startswith("flowtui")]


def test_cat_reports_a_bad_object_and_prints_the_rest(
    s3_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, rows, err = cat(capsys, f"s3://{s3_server.main_bucket}/broken/AWSLogs/555555555555/"
                          "vpcflowlogs/us-east-1/2024/03/05/", "--endpoint-url",
                          s3_server.endpoint_url)
    corrupt = s3_server.find("corrupt")
    assert code == 1
    lines = err.splitlines()
    assert lines[0].startswith(f"flowtui: {corrupt.url}: the gzip stream ends early")
    assert "cut off by the end of a truncated object" in lines[1]
    assert lines[-1] == "flowtui: 1 bad line skipped"
    assert len(rows) >= len(s3_server.find("broken-neighbour").lines)


def test_cat_unknown_bucket_is_one_line(s3_server: Any, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    code, rows, err = cat(capsys, "s3://no-such-bucket-here/AWSLogs/1/vpcflowlogs/us-east-1/"
                          "2024/03/05/", "--endpoint-url", s3_server.endpoint_url)
    assert (code, rows) == (2, [])
    assert err == ("flowtui: Bucket 'no-such-bucket-here' does not exist (NoSuchBucket): "
                   "check the name\n")


def test_bad_time_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["cat", "s3://b/", "--since", "yesterday-ish"])
    assert exit_.value.code == 2
    assert "not a time: 'yesterday-ish'" in capsys.readouterr().err


def test_parse_time_forms() -> None:
    now = datetime(2024, 3, 5, 12, tzinfo=UTC)
    assert parse_time("2024-03-05T14:00", now) == datetime(2024, 3, 5, 14, tzinfo=UTC)
    assert parse_time("2024-03-05 16:00+02:00", now) == datetime(2024, 3, 5, 14, tzinfo=UTC)
    assert parse_time("2024-03-05", now) == datetime(2024, 3, 5, tzinfo=UTC)
    assert parse_time("2h", now) == parse_time("-2h", now) == now - timedelta(hours=2)
    assert parse_time("1709647200", now) == datetime(2024, 3, 5, 14, tzinfo=UTC)


def test_an_empty_window_says_so(s3_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, rows, err = cat(capsys, f"s3://{s3_server.main_bucket}/hive/", "--endpoint-url",
                          s3_server.endpoint_url, "--since", "2023-01-01T00:00",
                          "--until", "2023-01-01T01:00")
    assert (code, rows) == (0, [])
    assert err == (f"flowtui: no flow-log objects in s3://{s3_server.main_bucket}/hive/ between "
                   "2023-01-01 00:00:00 UTC and 2023-01-01 01:00:00 UTC\n")


# --- closed pipes, as a user's shell makes them -------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
BOUND = 20.0  # seconds; the stalled download below would hold a process for minutes


def _ended(process: subprocess.Popen[bytes]) -> bytes:
    """The stderr of ``process`` once it ends (killed if it is still running after BOUND)."""
    try:
        return process.communicate(timeout=BOUND)[1]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_head_ends_an_s3_cat_quietly_and_cancels_the_downloads(
        s3_server: Any, fault_proxy: Any) -> None:
    big = s3_server.find("big")
    # The download stalls after its first records: only a cancelled download lets cat end.
    fault_proxy.stall_after(200_000, match=lambda r: r.key == big.key)
    process = subprocess.Popen(
        [sys.executable, "-m", "flowtui", "cat", f"s3://{big.bucket}/big/", "--endpoint-url",
         fault_proxy.url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert process.stdout is not None
    first = process.stdout.readline()
    process.stdout.close()  # as `| head -1` does when it has its line
    stderr = _ended(process)
    assert first.split()[:2] == [b"version", b"account-id"]
    assert (process.returncode, stderr.decode()) == (0, "")


def test_head_ends_an_s3_cat_while_it_waits_on_the_network(
        s3_server: Any, fault_proxy: Any) -> None:
    """The first object's records fit in the pipe and the second object never answers: no
    write can fail with EPIPE, so cat must notice by itself that the pipe lost its reader
    (as GNU ``tail -f`` does) and end at once, cancelling the request, instead of waiting
    on the network (30 s of read timeout, then retries)."""
    with scratch(s3_server) as (bucket, raw):
        for name, records in (("a", GOOD[:10]), ("b", GOOD[10:20])):
            raw.put_object(Bucket=bucket, Key=f"p/{name}.log.gz",
                           Body=gzip.compress(lines(HEADER, *records)))
        fault_proxy.hang(match=lambda r: r.key == "p/b.log.gz")
        process = subprocess.Popen(
            [sys.executable, "-m", "flowtui", "cat", f"s3://{bucket}/p/", "--endpoint-url",
             fault_proxy.url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
        assert process.stdout is not None
        header, record = process.stdout.readline(), process.stdout.readline()
        process.stdout.close()  # as `| head -2` does, with the first object's records written
        stderr = _ended(process)
    assert header.split()[:2] == [b"version", b"account-id"] and record.split()[0] == b"2"
    assert (process.returncode, stderr.decode()) == (0, "")


def test_cat_with_stdout_closed_says_so_in_one_line(s3_server: Any) -> None:
    obj = s3_server.under(s3_server.main_bucket, DAY_PREFIX)[0]
    result = subprocess.run(
        ["sh", "-c", f'exec "{sys.executable}" -m flowtui cat "{obj.url}" --endpoint-url '
         f'{s3_server.endpoint_url} >&-'], capture_output=True, text=True, cwd=ROOT,
        timeout=BOUND)
    assert result.returncode == 2
    assert result.stderr == "flowtui: stdout is closed: nothing to write the records to\n"
