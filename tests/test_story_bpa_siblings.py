"""The story of a record reads what another flow log of the same interface says of the same
flow's REJECT: a default-format (v2) record cannot say Block Public Access refused it, a v8
format with ``reject-reason`` can.

AWS facts the tests stand on (VPC User Guide):
- "Flow log records", ``action``: "REJECT — The traffic was rejected. For example, the
  traffic was not allowed by the security groups or network ACLs, or packets arrived after
  the connection was closed."
- ``reject-reason``: "Reason why traffic was rejected. Possible values: BPA. Returns a '-'
  for any other reject reason."
- "Monitor VPC BPA impact with flow logs": "When you create the flow log, make sure you use a
  custom format that includes the field reject-reason. When you view the flow logs, if
  traffic to an ENI is rejected due to VPC BPA, you'll see a reject-reason of BPA in the
  flow log entry." So a record without the field can't rule BPA out.
- EC2 API, VpcBlockPublicAccessOptions: BPA blocks resources "from reaching or being reached
  from the internet through internet gateways and egress-only internet gateways": traffic
  between private-use addresses (RFC 1918, not routed on the Internet) is not its case.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from flowtui import synth
from flowtui.parser import parse_bytes
from flowtui.query.story import Coverage, Story, tell
from flowtui.store import RecordStore
from tests.cli_fork import flowtui_run
from tests.ec2_world import RANGES, World

ACCOUNT = "111122223333"
ENI = "eni-0de30000000000030"
T0 = 1709647200  # 2024-03-05 14:00:00 UTC
DEFAULT = list(synth.DEFAULT_FIELDS)
#: The demo's second flow log's kind of format: v8 fields with reject-reason.
V8 = [*DEFAULT, "flow-direction", "reject-reason"]
STEM = ACCOUNT + "_vpcflowlogs_us-east-1_{}_20240305T1405Z_{}.log.gz"
MAIN, BPA_LOG = "fl-0a1b2c3d4e5f67890", "fl-0de3000000000a9b8"


def v2(src: str, dst: str, start: int, *, eni: str = ENI, sport: int = 48930,
       dport: int = 443, action: str = "REJECT") -> str:
    return (f"2 {ACCOUNT} {eni} {src} {dst} {sport} {dport} 6 2 - {start} {start + 6} "
            f"{action} OK")


def v8(src: str, dst: str, start: int, reason: str, *, eni: str = ENI, sport: int = 48930,
       dport: int = 443) -> str:
    return (f"8 {ACCOUNT} {eni} {src} {dst} {sport} {dport} 6 2 - {start} {start + 6} "
            f"REJECT OK ingress {reason}")


def store_of(*objects: tuple[str, list[str], list[str]]) -> RecordStore:
    """One store holding each (flow-log id, fields, lines) as its own object, as a day
    folder with two flow logs loads."""
    store = RecordStore()
    for number, (flow_log, fields, lines) in enumerate(objects):
        batches, parser = parse_bytes((" ".join(fields) + "\n" + "\n".join(lines) + "\n")
                                      .encode())
        assert parser.bad_count == 0, parser.bad_lines
        for batch in batches:
            store.append(batch, f"s3://logs/AWSLogs/{STEM.format(flow_log, f'{number:08}')}")
    return store


def story_of(store: RecordStore, index: int = 0) -> Story:
    return tell(store, index, coverage=Coverage(((T0 - 7200, T0 + 7200),)))


def test_a_v2_reject_is_block_public_access_when_the_v8_log_of_its_interface_says_bpa(
        ) -> None:
    """The demo's case: 192.0.2.99 → 10.0.1.30:443 in both flow logs; the v2 record alone
    said "a security group or a network ACL refuses it"."""
    store = store_of((MAIN, DEFAULT, [v2("192.0.2.99", "10.0.1.30", T0)]),
                     (BPA_LOG, V8, [v8("192.0.2.99", "10.0.1.30", T0, "BPA")]))
    story = story_of(store, 0)
    assert story.verdict == "blocked-by-bpa"
    text = story.explanation
    assert "VPC Block Public Access refused it, not a security group or a network ACL" in text
    assert f"in flow log {BPA_LOG}" in text and "reject-reason BPA" in text
    assert "refuses it" not in text  # no security group / NACL claim
    said = story.to_json()["verdict_from"]
    assert said == {"record": "this", "by": "other-flow-log", "field": "reject-reason",
                    "value": "BPA", "store_index": 1, "source": store.source(1),
                    "flow_log": BPA_LOG}
    assert story.to_json()["block_public_access"] == "refused"
    # the v8 record speaks for itself, as before
    own = story_of(store, 1)
    assert own.verdict == "blocked-by-bpa"
    assert own.to_json()["verdict_from"]["by"] == "own"  # type: ignore[index]


def test_a_v2_reject_alone_does_not_rule_block_public_access_out() -> None:
    """No record of the flow carries reject-reason and the source may be on the Internet:
    the verdict names a security group or NACL without excluding BPA."""
    story = story_of(store_of((MAIN, DEFAULT, [v2("192.0.2.99", "10.0.1.30", T0)])))
    assert story.verdict == "rejected"
    text = story.explanation
    assert "A security group or a network ACL refuses it (or VPC Block Public Access" in text
    assert "Block Public Access is not ruled out" in text
    assert story.block_public_access == "not-ruled-out"
    assert story.to_json()["verdict_from"] == {
        "record": "this", "by": "own", "field": "action", "value": "REJECT",
        "store_index": 0, "source": story.source, "flow_log": MAIN}


@pytest.mark.parametrize(("objects", "why"), [
    # private-use addresses on both sides: never through an internet gateway
    (((MAIN, DEFAULT, [v2("10.0.2.9", "10.0.1.30", T0)]),), "private"),
    # the v8 log records the same REJECT with reject-reason '-': any other reason
    (((MAIN, DEFAULT, [v2("192.0.2.99", "10.0.1.30", T0)]),
      (BPA_LOG, V8, [v8("192.0.2.99", "10.0.1.30", T0 + 2, "-")])), "sibling says '-'"),
    # the record's own format has reject-reason and says '-': it speaks for itself
    (((BPA_LOG, V8, [v8("192.0.2.99", "10.0.1.30", T0, "-")]),
      (MAIN, DEFAULT, [v2("192.0.2.99", "10.0.1.30", T0)])), "own '-'"),
], ids=["private", "sibling-dash", "own-dash"])
def test_block_public_access_ruled_out(objects: tuple[tuple[str, list[str], list[str]], ...],
                                       why: str) -> None:
    story = story_of(store_of(*objects), 0)
    assert story.verdict == "rejected", why
    assert story.block_public_access == "ruled-out", why
    assert "Block Public Access" not in story.explanation, why


def test_a_bpa_record_of_another_time_or_interface_says_nothing_of_this_one() -> None:
    """Only the same flow on the same interface at an overlapping time is the same traffic."""
    store = store_of(
        (MAIN, DEFAULT, [v2("192.0.2.99", "10.0.1.30", T0)]),
        (BPA_LOG, V8, [v8("192.0.2.99", "10.0.1.30", T0 + 300, "BPA"),
                       v8("192.0.2.99", "10.0.1.30", T0, "BPA", eni="eni-0de30000000000099")]))
    story = story_of(store, 0)
    assert story.verdict == "rejected"
    assert story.block_public_access == "not-ruled-out"


# --- the CLI with --names: the rule line -----------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def _folder(tmp: Path, w: World, *, with_v8: bool) -> Path:
    """The ssh REJECT of tests/ec2_world (198.51.100.7 → web-1:22) in a default-format flow
    log, and, ``with_v8``, in a v8 flow log of the same interface saying BPA."""
    folder = tmp / f"AWSLogs/{w.account}/vpcflowlogs/{w.region}/2024/03/05"
    folder.mkdir(parents=True)
    line = v2("198.51.100.7", w.web["ip"], T0 + 60, eni=w.web["eni"], sport=51000, dport=22)
    stem = f"{w.account}_vpcflowlogs_{w.region}_{{}}_20240305T1405Z_{{}}.log.gz"
    (folder / stem.format(MAIN, "00000000")).write_bytes(
        synth.make_text_object([line.replace(ACCOUNT, w.account, 1)], DEFAULT))
    if with_v8:
        bpa = v8("198.51.100.7", w.web["ip"], T0 + 60, "BPA", eni=w.web["eni"], sport=51000,
                 dport=22)
        (folder / stem.format(BPA_LOG, "00000001")).write_bytes(
            synth.make_text_object([bpa.replace(ACCOUNT, w.account, 1)], V8))
    (tmp / "ip-ranges.json").write_text(json.dumps(RANGES))
    return folder


def _story(w: World, tmp: Path, folder: Path) -> dict[str, object]:
    env = dict(os.environ, AWS_ENDPOINT_URL_EC2=w.endpoint_url,
               XDG_CACHE_HOME=str(tmp / "cache"))
    done: subprocess.CompletedProcess[str] = flowtui_run(
        "story", str(folder), "--where", f"reject and interface-id = {w.web['eni']}",
        "--limit", "2", "--format", "json", "--names", "--ip-ranges",
        str(tmp / "ip-ranges.json"), "--region", w.region, cwd=ROOT, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    stories = [json.loads(line) for line in done.stdout.splitlines()]
    return next(s for s in stories if MAIN in s["source"])


def test_the_rule_line_says_bpa_when_the_other_flow_log_does(
        ec2_world: World, tmp_path: Path) -> None:
    """Today's NACL denies this ssh (tests/ec2_world: inbound rule 90), but the v8 record
    says BPA refused it: the rule line names BPA and the flow log that said so."""
    w = ec2_world
    story = _story(w, tmp_path, _folder(tmp_path, w, with_v8=True))
    assert story["verdict"] == "blocked-by-bpa"
    rule = story["rule"]
    assert isinstance(rule, dict) and rule["kind"] == "block-public-access"
    assert rule["text"].startswith("VPC Block Public Access refused it (reject-reason BPA in "
                                   f"flow log {BPA_LOG}")
    assert "not a security group or a network ACL" in rule["text"]
    assert story["verdict_from"]["flow_log"] == BPA_LOG  # type: ignore[index]


def test_the_rule_line_does_not_rule_bpa_out_without_reject_reason(
        ec2_world: World, tmp_path: Path) -> None:
    """Only the default-format record: the NACL rule is named, and that BPA is not ruled
    out (the inventory does not read the account's BPA mode) is said too."""
    w = ec2_world
    story = _story(w, tmp_path, _folder(tmp_path, w, with_v8=False))
    assert story["verdict"] == "rejected"
    rule = story["rule"]
    assert isinstance(rule, dict) and rule["kind"] == "network-acl"
    assert rule["text"].startswith(f"NACL {w.acl} inbound rule 90 denies tcp 22")
    assert rule["text"].endswith("this flow log does not record reject-reason, so VPC Block "
                                 "Public Access is not ruled out (the inventory does not read "
                                 "the account's Block Public Access mode)")


# --- the app's story screen (i) --------------------------------------------------------------

async def test_the_story_screen_of_the_v2_record_says_bpa_and_which_flow_log_said_it(
        tmp_path: Path) -> None:
    """``i`` on the default-format record of the demo's BPA flow: the verdict and the
    explanation are the v8 flow log's, named."""
    from flowtui.ui.app import FlowtuiApp
    from flowtui.ui.features.story.screen import StoryScreen
    from tests.test_ui_mixed_formats import _day_folder, _load_and_go_to
    from tests.ui_helpers import press, screen_text, wait_for

    month, folder = _day_folder(
        tmp_path, ("a1b2c3d4e5f67890", DEFAULT, v2("192.0.2.99", "10.0.1.30", T0)),
        ("de3000000000a9b8", V8, v8("192.0.2.99", "10.0.1.30", T0, "BPA")))
    app = FlowtuiApp(str(month))
    async with app.run_test(size=(160, 48)) as pilot:
        await _load_and_go_to(pilot, app, folder, 2, "a1b2c3d4e5f67890")
        await press(pilot, "i")
        await wait_for(pilot, lambda: isinstance(app.screen, StoryScreen)
                       and app.screen.told is not None, what="the story")
        screen = app.screen
        assert isinstance(screen, StoryScreen) and screen.told is not None
        assert MAIN in screen.told.story.source  # the story of the v2 record
        flat = " ".join(" ".join(screen_text(pilot)).replace("│", " ").split())
        assert "verdict blocked-by-bpa VPC Block Public Access refused it" in flat
        assert f"in flow log {BPA_LOG} (object" in flat
        assert "not a security group or a network ACL" in flat
