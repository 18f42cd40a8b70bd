"""``--since``/``--until`` on standard input (``-``) keep what they keep on a file.

Before ``cat`` had one loading path, ``cat - --since T`` said "-: no such file or folder",
while ``cat - --where … --since T`` and ``top - --since T`` ignored the window without a word
and answered with every record: a silent wrong answer. Each case runs the real entry point.
"""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import pytest

from flowtui.fields import DEFAULT_FIELDS
from tests.cli_fork import flowtui_run

ROOT = Path(__file__).resolve().parent.parent
HEADER = " ".join(DEFAULT_FIELDS)
# 04:06:50-04:07:50 UTC on 2014-12-14, port 22; and 06:53:30-06:54:30, port 443.
EARLY = ("2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 "
         "1418530010 1418530070 ACCEPT OK")
LATE = ("2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20642 443 6 9 900 "
        "1418540010 1418540070 ACCEPT OK")


def flowtui(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return flowtui_run(*args, cwd=ROOT, timeout=120, input=stdin, text=False)


@pytest.mark.parametrize("command", [
    ["cat", "--format", "csv"],
    ["cat", "--format", "csv", "--where", "protocol = 6"],
    ["top", "--by", "dstport", "--format", "csv"],
], ids=["cat", "cat --where", "top"])
def test_the_window_keeps_the_same_records_from_stdin_as_from_a_file(
        command: list[str], tmp_path: Path) -> None:
    data = gzip.compress(f"{HEADER}\n{EARLY}\n{LATE}\n".encode())
    path = tmp_path / "a.log.gz"
    path.write_bytes(data)
    window = ["--since", "2014-12-14T05:00"]
    from_file = flowtui(command[0], str(path), *command[1:], *window)
    from_stdin = flowtui(command[0], "-", *command[1:], *window, stdin=data)
    assert from_file.returncode == 0, from_file.stderr
    assert from_stdin.returncode == 0, from_stdin.stderr
    assert b"443" in from_stdin.stdout and b"20641" not in from_stdin.stdout
    assert b",22," not in from_stdin.stdout
    assert from_stdin.stdout == from_file.stdout


def test_a_reversed_window_on_stdin_is_one_line() -> None:
    result = flowtui("top", "-", "--by", "dstport", "--since", "2014-12-14T05:00",
                     "--until", "2014-12-14T04:00", stdin=b"")
    assert result.returncode == 2
    assert result.stderr.decode() == "flowtui: --until is before --since\n"


def test_story_reads_standard_input_as_it_reads_a_file(tmp_path: Path) -> None:
    """``zcat f.log.gz | grep eni-… | flowtui story - --where …`` tells the story ``flowtui
    story f.log.gz --where …`` tells (it said "-: no such file or folder"); the window holds."""
    data = gzip.compress(f"{HEADER}\n{EARLY}\n{LATE}\n".encode())
    path = tmp_path / "a.log.gz"
    path.write_bytes(data)
    command = ["--where", "dstport = 443", "--format", "json"]
    from_file = flowtui("story", str(path), *command)
    from_stdin = flowtui("story", "-", *command, stdin=data)
    assert from_stdin.returncode == 0, from_stdin.stderr
    told, expected = json.loads(from_stdin.stdout), json.loads(from_file.stdout)
    assert told["record"]["dstport"] == 443 and told["source"] == "-"
    # the verdict names the object it was read from too: "-" as the record's own source
    assert told["verdict_from"]["source"] == "-"
    told["verdict_from"]["source"] = str(path)
    assert told | {"source": str(path)} == expected
    windowed = flowtui("story", "-", "--where", "dstport = 443", "--until", "2014-12-14T05:00",
                       stdin=data)
    assert windowed.returncode == 1 and b"no record matches" in windowed.stderr
