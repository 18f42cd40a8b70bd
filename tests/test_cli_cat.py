"""`flowtui cat` as a user runs it: a real process, real files, real pipes."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from flowtui.fields import DEFAULT_FIELDS
from flowtui.synth import generate_lines, make_text_object
from tests.cli_fork import flowtui_run

ROOT = Path(__file__).resolve().parent.parent
HEADER = " ".join(DEFAULT_FIELDS)
V2_SSH = ("2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 "
          "1418530010 1418530070 ACCEPT OK")
NODATA = "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA"


def flowtui(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m flowtui ARGS``, forked from a warmed-up driver (tests/cli_fork.py)."""
    return flowtui_run(*args, cwd=ROOT, timeout=120)


def write(path: Path, *lines: str, compress: bool = True) -> Path:
    body = ("\n".join(lines) + "\n").encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(body) if compress else body)
    return path


def test_jsonl_keys_are_header_names_and_dash_is_null(tmp_path: Path) -> None:
    path = write(tmp_path / "a.log.gz", HEADER, V2_SSH, NODATA)
    result = flowtui("cat", str(path), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert list(first) == list(DEFAULT_FIELDS)
    assert first["dstport"] == 22 and first["account-id"] == "123456789010"
    assert second["srcport"] is None and second["log-status"] == "NODATA"


def test_csv_round_trips_with_empty_cells_for_null(tmp_path: Path) -> None:
    path = write(tmp_path / "a.log.gz", HEADER, V2_SSH, NODATA)
    result = flowtui("cat", str(path), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["srcaddr"] == "172.31.16.139" and rows[0]["bytes"] == "4249"
    assert rows[1]["srcaddr"] == "" and rows[1]["start"] == "1431280876"


def test_table_shows_dash_for_null_and_aligns_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "a.log.gz", HEADER, V2_SSH, NODATA)
    lines = flowtui("cat", str(path)).stdout.splitlines()
    assert lines[0].split() == list(DEFAULT_FIELDS)
    assert lines[2].split()[3:10] == ["-"] * 7
    assert lines[1].index("ACCEPT") == lines[0].index("action")


def test_folder_is_read_recursively_in_key_order_with_limit(tmp_path: Path) -> None:
    write(tmp_path / "b" / "2.log.gz", HEADER, V2_SSH.replace("20641", "2"))
    write(tmp_path / "a" / "1.log.gz", HEADER, V2_SSH.replace("20641", "1"))
    write(tmp_path / "b" / "3.log", HEADER, V2_SSH.replace("20641", "3"), compress=False)
    result = flowtui("cat", str(tmp_path), "--format", "jsonl")
    assert [json.loads(line)["srcport"] for line in result.stdout.splitlines()] == [1, 2, 3]
    limited = flowtui("cat", str(tmp_path), "--format", "jsonl", "--limit", "2")
    assert len(limited.stdout.splitlines()) == 2


def test_headerless_file_with_fields_option(tmp_path: Path) -> None:
    path = write(tmp_path / "cw.log", "10.0.0.1 443 REJECT", compress=False)
    result = flowtui("cat", str(path), "--format", "jsonl", "--fields",
                     "${srcaddr} ${dstport} ${action}")
    assert json.loads(result.stdout) == {"srcaddr": "10.0.0.1", "dstport": 443,
                                         "action": "REJECT"}


def test_bad_lines_reported_on_stderr_with_count_and_neighbours_printed(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.log.gz", HEADER, V2_SSH, "2 short", V2_SSH,
                 V2_SSH.replace("20641", "http"))
    result = flowtui("cat", str(path), "--format", "jsonl")
    assert len(result.stdout.splitlines()) == 2
    assert f"{path}:3: expected 14 fields, found 2" in result.stderr
    assert f"{path}:5: srcport: 'http' is not an integer" in result.stderr
    assert "2 bad lines skipped" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_path_is_one_line_and_non_zero() -> None:
    result = flowtui("cat", "/no/such/flow-logs")
    assert result.returncode == 2
    assert result.stderr.strip() == "flowtui: /no/such/flow-logs: no such file or folder"


def test_failed_object_does_not_stop_the_others(tmp_path: Path) -> None:
    write(tmp_path / "1.log.gz", HEADER, V2_SSH)
    data = gzip.compress(("\n".join([HEADER] + [V2_SSH] * 5000) + "\n").encode())
    (tmp_path / "2.log.gz").write_bytes(data[: len(data) // 2])
    write(tmp_path / "3.log.gz", HEADER, V2_SSH)
    result = flowtui("cat", str(tmp_path), "--format", "jsonl")
    assert result.returncode == 1
    assert "2.log.gz: the gzip stream ends early" in result.stderr
    lines = result.stdout.splitlines()
    assert 2 < len(lines) < 5002 and lines[-1] == lines[0]
    assert "Traceback" not in result.stderr


def test_explain_prints_each_field_with_meaning_and_warnings(tmp_path: Path) -> None:
    skip = NODATA.replace("NODATA", "SKIPDATA")
    path = write(tmp_path / "a.log.gz", HEADER, V2_SSH, skip)
    out = flowtui("cat", str(path), "--explain").stdout
    first, second = out.split("── record 2")
    assert "dstport" in first and "SSH" in first and "TCP" in first
    assert "2014-12-14T04:06:50Z" in first  # start 1418530010 as UTC
    assert "SKIPDATA" in second and "lost" in second.lower()


def test_control_characters_in_values_never_reach_the_terminal(tmp_path: Path) -> None:
    path = write(tmp_path / "evil.log", "version interface-id action",
                 "2 eni-\x1b]0;pwned\x07 ACCEPT", compress=False)
    for fmt in ("table", "csv", "jsonl"):
        out = flowtui("cat", str(path), "--format", fmt).stdout
        assert "\x1b" not in out and "\x07" not in out, fmt


def test_first_rows_arrive_while_the_input_is_still_coming(tmp_path: Path) -> None:
    """Half an object goes in through a pipe; a row must come out before the rest is sent."""
    data = make_text_object(generate_lines(100_000, seed=3), DEFAULT_FIELDS)
    process = subprocess.Popen([sys.executable, "-m", "flowtui", "cat", "-", "--format", "jsonl"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, cwd=ROOT)
    assert process.stdin is not None and process.stdout is not None
    first_row_read = threading.Event()

    def send() -> None:
        assert process.stdin is not None
        process.stdin.write(data[: len(data) // 2])
        process.stdin.flush()
        first_row_read.wait(timeout=60)
        process.stdin.write(data[len(data) // 2 :])
        process.stdin.close()

    sender = threading.Thread(target=send)
    sender.start()
    try:
        first = json.loads(process.stdout.readline())  # returns once a row is printed
        rest_sent_already = sender.is_alive() is False
        first_row_read.set()
        rest = process.stdout.read().splitlines()
    finally:
        first_row_read.set()
        sender.join(timeout=60)
    assert not rest_sent_already
    assert list(first) == list(DEFAULT_FIELDS)
    assert process.wait(timeout=60) == 0
    assert len(rest) + 1 == 100_000


def test_head_ends_the_output_quietly(tmp_path: Path) -> None:
    path = tmp_path / "big.log.gz"
    path.write_bytes(make_text_object(generate_lines(200_000, seed=4), DEFAULT_FIELDS))
    process = subprocess.Popen([sys.executable, "-m", "flowtui", "cat", str(path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert process.stdout is not None
    head = [process.stdout.readline() for _ in range(3)]
    process.stdout.close()  # as `| head -3` does when it has its lines
    stderr = process.communicate(timeout=60)[1]
    assert head[0].decode().split() == list(DEFAULT_FIELDS)
    assert process.returncode == 0 and stderr == b""


@pytest.mark.parametrize("fmt", ["table", "csv", "jsonl"])
def test_samples_shipped_in_the_repo_print(fmt: str) -> None:
    result = flowtui("cat", "samples", "--format", fmt, "--limit", "5")
    assert result.returncode == 0 and result.stdout and not result.stderr


def test_bidi_controls_in_values_are_escaped_in_every_format(tmp_path: Path) -> None:
    """An ENI id with a right-to-left override would print reversed: 'eni-\u202etxt.exe'
    shows as 'eni-exe.txt'. Every format shows the override as an escape instead."""
    hostile = "eni-\u202etxt.exe\u2066"
    path = write(tmp_path / "bidi.log", "version interface-id action",
                 f"2 {hostile} ACCEPT", "2 eni-plain \u200fREJECT", compress=False)
    bidi = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
    for fmt in ("table", "csv", "jsonl"):
        result = flowtui("cat", str(path), "--format", fmt)
        assert result.returncode == 0, result.stderr
        assert not bidi.search(result.stdout), fmt
        assert "\\u202e" in result.stdout and "\\u200f" in result.stdout, fmt
        if fmt == "jsonl":
            first, second = (json.loads(line) for line in result.stdout.splitlines())
            assert first["interface-id"] == hostile and second["action"] == "\u200fREJECT"
        if fmt == "table":
            assert "eni-\\u202etxt.exe\\u2066" in result.stdout


def test_snake_case_fields_option_gives_typed_json(tmp_path: Path) -> None:
    path = write(tmp_path / "a.log", "5 3 8 egress", compress=False)
    result = flowtui("cat", str(path), "--format", "jsonl",
                     "--fields", "version tcp_flags traffic_path flow_direction")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"version": 5, "tcp-flags": 3, "traffic-path": 8,
                                         "flow-direction": "egress"}


def test_jsonl_decoded_reads_a_transit_gateway_file_by_the_transit_gateway_guide(
        tmp_path: Path) -> None:
    """`cat --format jsonl --decoded` of a Transit Gateway file gives the TGW readings the
    detail panel gives. Transit Gateway guide, "Available fields": its table has no action
    (log-status is "The status of the flow log: OK — Data is logging normally to the chosen
    destinations"), and tcp-flags "When a flow log entry consists of only ACK packets, the
    flag value is 0, not 16". The decoded JSON said "not the reason for the action"."""
    from flowtui.fields import TGW_DEFAULT_FIELDS

    line = ("6 TransitGateway 123456789012 tgw-0123456789abcdef0 tgw-attach-0a1b2c3d4e5f67890 "
            "123456789012 210987654321 vpc-0aaa1111bbbb2222c vpc-0ddd3333eeee4444f "
            "subnet-0aaa1111bbbb2222c subnet-0ddd3333eeee4444f eni-0aaa1111bbbb2222c "
            "eni-0ddd3333eeee4444f use1-az1 use1-az2 tgw-attach-0f9e8d7c6b5a43210 10.0.1.10 "
            "10.1.2.20 49152 443 6 10 1500 1700000000 1700000060 OK IPv4 0 3 0 0 0 us-east-1 "
            "ingress - -")
    path = write(tmp_path / "tgw.log.gz", " ".join(TGW_DEFAULT_FIELDS), line)
    result = flowtui("cat", str(path), "--format", "jsonl", "--decoded")
    assert result.returncode == 0, result.stderr
    (row,) = (json.loads(text) for text in result.stdout.splitlines())
    assert row["log-status.decoded"].startswith("logging status OK")
    assert "action" not in row["log-status.decoded"]
    vpc = write(tmp_path / "vpc.log.gz", HEADER, V2_SSH)
    (first,) = (json.loads(text) for text in flowtui(
        "cat", str(vpc), "--format", "jsonl", "--decoded").stdout.splitlines())
    assert "action" in first["log-status.decoded"]
