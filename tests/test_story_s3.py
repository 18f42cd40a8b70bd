"""A story across S3 objects (moto over HTTP): the reply sits in the next file of the flow log
and the same flow in another flow log of the account and region; the objects around the
record are found from the key layout and loaded filtered to the flow. Plus ``flowtui story``
run as a user runs it, for text and JSON."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from flowtui.cli.story import _window_line
from flowtui.loader import Loader, resolve
from flowtui.neighbours import Loaded, load_neighbours, plan_neighbours
from flowtui.query.story import VERDICTS, Tally, Window, tell
from flowtui.store import RecordStore
from tests.cli_fork import flowtui_run
from tests.conftest import S3Server, _raw_client, text_object
from tests.test_story import ACCOUNT, ENI, NAT_ENI, T0, V5, v5

ROOT = Path(__file__).resolve().parent.parent
BUCKET = "story-around"
FIELDS = V5.split()
DAY = "AWSLogs/111122223333/vpcflowlogs/us-east-1/2024/03/05/"
R_START, R_END = T0 + 190, T0 + 290  # 14:03:10-14:04:50: file 14:00 (end in [14:00, 14:05))


def key(flow_log: str, stamp: str, suffix: str) -> str:
    return f"{DAY}{ACCOUNT}_vpcflowlogs_us-east-1_{flow_log}_20240305T{stamp}Z_{suffix}.log.gz"


REQUEST = v5(ENI, "10.0.1.5", "203.0.113.5", 40000, 443, R_START, R_END, "ACCEPT", 2, "egress")
REPLY = v5(ENI, "203.0.113.5", "10.0.1.5", 443, 40000, R_START + 50, R_END + 40, "ACCEPT", 18,
           "ingress")
AT_NAT = v5(NAT_ENI, "10.0.1.5", "10.0.0.220", 40000, 443, R_START, R_END, "ACCEPT", 2,
            "ingress", pkt=("10.0.1.5", "203.0.113.5"))
LATE_LOOKALIKE = v5(ENI, "203.0.113.5", "10.0.1.5", 443, 40000, T0 + 7200, T0 + 7250, "ACCEPT",
                    18, "ingress")


def filler(start: int, count: int) -> list[str]:
    return [v5(ENI, "10.0.1.5", f"10.0.9.{i}", 41000 + i, 5432, start, start + 30, "ACCEPT", 0,
               "egress") for i in range(count)]


OBJECTS = {
    key("fl-0aaa", "1400", "a0000001"): [REQUEST, *filler(T0 + 200, 20)],
    key("fl-0aaa", "1405", "a0000002"): [*filler(T0 + 400, 20), REPLY],
    key("fl-0nat", "1405", "b0000001"): [AT_NAT],
    key("fl-0aaa", "1600", "a0000003"): [LATE_LOOKALIKE],  # hours later: never needed
}
FIRST = f"s3://{BUCKET}/" + key("fl-0aaa", "1400", "a0000001")


@pytest.fixture(scope="module")
def around(s3_server: S3Server) -> S3Server:
    seeder = _raw_client(s3_server.endpoint_url)  # flowtui's own client only reads
    seeder.create_bucket(Bucket=BUCKET)
    for name, lines in OBJECTS.items():
        seeder.put_object(Bucket=BUCKET, Key=name, Body=text_object(lines, FIELDS))
    return s3_server


def load(client: Any, url: str) -> RecordStore:
    store = RecordStore()
    Loader(store, client=client).run(resolve([url], client=client), lambda e: None,
                                     threading.Event())
    return store


def test_the_reply_in_the_next_object_is_found_by_loading_what_is_missing(around: S3Server
                                                                           ) -> None:
    client = around.client()
    store = load(client, FIRST)
    index = next(i for i in range(len(store)) if store.row(i)["srcport"] == 40000)
    loaded = Loaded(full={FIRST})
    plan = plan_neighbours(client, store.source(index), store.row(index), loaded)
    assert plan is not None
    # the same flow log's next file and the other flow log's file; not the one hours later
    names = sorted(ref.location.rsplit("/", 1)[1] for ref, _ in plan.to_load)
    assert names == [key("fl-0aaa", "1405", "a0000002").rsplit("/", 1)[1],
                     key("fl-0nat", "1405", "b0000001").rsplit("/", 1)[1]]
    assert plan.size is not None and plan.size > 0

    before = tell(store, index, coverage=plan.coverage())
    assert before.verdict == "incomplete"
    assert sorted(before.missing) == sorted(ref.location for ref, _ in plan.to_load)

    rows_before = len(store)
    result = load_neighbours(plan, store, loaded, client=client)
    assert result.failed == [] and len(result.loaded) == 2
    # filtered while loading: the reply and the NAT sighting, none of the 20 filler records
    assert len(store) - rows_before == result.records == 2

    after = tell(store, index, coverage=result.coverage(plan))
    assert after.verdict == "ok" and after.missing == []
    assert [s.source for s in after.reply] == [f"s3://{BUCKET}/" +
                                              key("fl-0aaa", "1405", "a0000002")]
    assert [s.record["interface-id"] for s in after.elsewhere] == [NAT_ENI]

    again = plan_neighbours(client, store.source(index), store.row(index), loaded)
    assert again is not None and again.to_load == []  # nothing is loaded twice


def flowtui(around: S3Server, *args: str) -> subprocess.CompletedProcess[str]:
    return flowtui_run("story", *args, "--endpoint-url", around.endpoint_url, cwd=ROOT,
                       timeout=120)


def test_cli_json_without_around_says_what_is_missing_and_with_around_tells_it(
        around: S3Server) -> None:
    where = "src port 40000 and dst port 443"
    without = flowtui(around, FIRST, "--where", where, "--format", "json")
    assert without.returncode == 0, without.stderr
    story = json.loads(without.stdout)
    assert set(story) >= {"record", "verdict", "explanation", "reply", "elsewhere", "timeline",
                          "missing"}
    assert story["verdict"] == "incomplete" and len(story["missing"]) == 2
    assert story["record"]["srcport"] == 40000 and story["record"]["tcp-flags"] == 2

    with_around = flowtui(around, FIRST, "--where", where, "--format", "json", "--around")
    assert with_around.returncode == 0, with_around.stderr
    story = json.loads(with_around.stdout)
    assert story["verdict"] == "ok" and story["missing"] == []
    assert story["reply"][0]["record"]["tcp-flags"] == 18
    assert story["elsewhere"][0]["record"]["pkt-dstaddr"] == "203.0.113.5"
    assert story["verdict"] in VERDICTS


def test_cli_text_puts_the_verdict_first_then_reply_elsewhere_timeline(around: S3Server
                                                                       ) -> None:
    result = flowtui(around, FIRST, "--where", "src port 40000", "--around")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.splitlines()[1] == "verdict  ok"
    order = [out.index(title) for title in ("verdict", "\nreply (1)", "\nelsewhere (1)",
                                             "\ntimeline", "\nmissing (0)")]
    assert order == sorted(order)


def test_cli_timeline_sizes_say_their_unit_once() -> None:
    """The text timeline's bytes: ``2.0 KiB``, not ``2.0K B`` (a size and a stray unit)."""
    line = _window_line(Window(T0, T0 + 60, Tally(records=1, packets=3, bytes=2048, accept=1),
                               Tally(records=1, packets=1, bytes=60, accept=1)))
    assert "→ 3 pkts 2.0 KiB - ACCEPT×1" in line, line
    assert "← 1 pkts 60 B - ACCEPT×1" in line, line


def test_cli_bad_expression_is_one_line_and_exit_2(around: S3Server) -> None:
    result = flowtui(around, FIRST, "--where", "port ((")
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("flowtui: --where:")


def test_cli_no_match_says_so(around: S3Server) -> None:
    result = flowtui(around, FIRST, "--where", "port 9")
    assert result.returncode == 1 and "no record matches" in result.stderr


def test_cli_text_shows_data_literally(tmp_path: Path) -> None:
    evil = "eni-\x1b[31mred"
    line = v5(evil, "10.0.1.5", "203.0.113.5", 40000, 443, T0, T0 + 30, "ACCEPT", 2, "egress")
    path = tmp_path / "evil.log"
    path.write_text(V5 + "\n" + line + "\n")
    result = flowtui_run("story", str(path), "--where", "tcp", cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "eni-\\x1b[31mred" in result.stdout


def test_cli_conversation_text_and_json(tmp_path: Path) -> None:
    lines = [REQUEST, REPLY, *filler(T0, 3)]
    path = tmp_path / "talk.log"
    path.write_text(V5 + "\n" + "\n".join(lines) + "\n")
    base = [sys.executable, "-m", "flowtui", "story", str(path), "--conversation", "10.0.1.5",
            "203.0.113.5"]
    text = subprocess.run(base, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert text.returncode == 0, text.stderr
    assert "tcp" in text.stdout and "443" in text.stdout
    as_json = subprocess.run([*base, "--format", "json"], capture_output=True, text=True,
                             cwd=ROOT, timeout=120)
    talk = json.loads(as_json.stdout)
    assert [(g["protocol"], g["port"], g["a_to_b"]["records"], g["b_to_a"]["records"])
            for g in talk["groups"]] == [(6, 443, 1, 1)]
    bad = subprocess.run([*base[:-2], "10.0.1.5", "not-an-address"], capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    assert bad.returncode == 2 and "not an IP address" in bad.stderr
