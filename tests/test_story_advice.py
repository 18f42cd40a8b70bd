"""What a story advises (issue 18 items 3-7 and its doubtful story items), read against AWS's
own words: the VPC user guide's flow log record examples (the ping through a NACL that denies
outbound ICMP, the NAT gateway path), its security group and network ACL pages, and the TCP
flag examples. Each test names the documented fact it holds the text to."""

from __future__ import annotations

from pathlib import Path

from tests.cli_fork import flowtui_run
from tests.test_story import (
    ACCOUNT,
    DEFAULT,
    ENI,
    NAT_ENI,
    NAT_PATH,
    SYN_ALONE,
    T0,
    V5,
    V8,
    store_of,
    story_of,
    v5,
)

ROOT = Path(__file__).resolve().parent.parent

#: AWS's ping example (VPC user guide, "Flow log record examples", security group and network
#: ACL rules): the ping from 203.0.113.12 to the instance 172.31.16.139 is ACCEPTed; the
#: response ping is REJECTed because the network ACL does not allow outbound ICMP.
AWS_PING = [
    "2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 "
    "1432917142 ACCEPT OK",
    "2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 "
    "1432917142 REJECT OK",
]


def test_awss_ping_example_names_the_outbound_nacl_rule_for_icmp_not_ports() -> None:
    """AWS: "network ACLs are stateless, therefore responses to allowed traffic are subject to
    network ACL rules"; the example's REJECT is "the response ping that the network ACL
    denied". NACL rules for ICMP are by type and code (echo reply is type 0), not ports."""
    for index in (0, 1):
        story = story_of(store_of(DEFAULT, AWS_PING), index)
        assert story.verdict == "nacl-blocks-reply"
        text = story.explanation
        assert "outbound rules of the network ACL" in text
        assert "type 0 (echo reply)" in text and "not ports" in text
        assert "ephemeral" not in text and "port 0" not in text and ":0 " not in text
        assert "icmp 172.31.16.139 → 203.0.113.12 action REJECT" in text


def test_the_story_cli_on_awss_ping_reads_without_ports(tmp_path: Path) -> None:
    path = tmp_path / "ping.log"
    path.write_text(DEFAULT + "\n" + "\n".join(AWS_PING) + "\n")
    done = flowtui_run("story", str(path), "--where", "icmp and reject", cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "verdict  nacl-blocks-reply" in done.stdout
    assert "172.31.16.139 → 203.0.113.12 (icmp)" in done.stdout
    assert ":0 →" not in done.stdout


def test_an_egress_reject_points_at_the_outbound_rules() -> None:
    """Issue 18 item 3. Security group rules are inbound (traffic entering the interface) and
    outbound (leaving it), and so are network ACL rules (VPC user guide, security group rules;
    network ACL rules): an egress REJECT is judged by the outbound ones."""
    line = v5(ENI, "10.0.1.5", "203.0.113.9", 40000, 443, T0 + 10, T0 + 50, "REJECT", 2,
              "egress")
    text = story_of(store_of(V5, [line]), 0).explanation
    assert "outbound rules of the security group" in text
    assert "outbound rules of its subnet's network ACL" in text
    assert "tcp port 443 to 203.0.113.9" in text
    assert "inbound" not in text
    ingress = v5(ENI, "203.0.113.9", "10.0.1.5", 51515, 22, T0 + 1, T0 + 40, "REJECT", 2,
                 "ingress")
    text = story_of(store_of(V5, [ingress]), 0).explanation
    assert "inbound rules of the security group" in text and "from 203.0.113.9" in text


def test_a_reject_of_no_known_direction_names_both_rule_sets() -> None:
    """AWS documents a record's direction as its flow-direction field (v5) and the
    interface's side as its own private address in srcaddr or dstaddr (flow log record
    fields); neither holds for a default-format record between two private addresses seen
    alone. The advice said "The traffic enters the interface" and named the inbound rules,
    the wrong ones for an outbound REJECT: it now says the side can't be told and gives
    both."""
    line = ("2 123456789012 eni-1 10.0.1.5 10.0.2.9 40000 5432 6 3 180 "
            f"{T0} {T0 + 60} REJECT OK")
    text = story_of(store_of(DEFAULT, [line]), 0).explanation
    assert "enters the interface" not in text and "leaves the interface" not in text
    assert "can't be told" in text
    assert "inbound rules of the security group" in text and "from 10.0.1.5" in text
    assert "outbound rules for tcp port 5432 to 10.0.2.9" in text


def test_a_rejected_syn_ack_is_a_reply_and_points_at_the_nacl() -> None:
    """Issue 18 item 4. "18 (SYN-ACK) marks the server's reply" (VPC user guide, TCP flag
    sequence example); security groups allow responses to allowed traffic, so a REJECTed reply
    is the stateless network ACL's doing, on the client's ephemeral port; or the request was
    not logged because the flow log captures REJECT traffic only (a flow log's traffic type
    is ACCEPT, REJECT or ALL: EC2 CreateFlowLogs TrafficType)."""
    line = v5(ENI, "10.0.1.5", "198.51.100.7", 443, 50123, T0 + 5, T0 + 58, "REJECT", 18,
              "egress")
    story = story_of(store_of(V5, [line]), 0)
    assert story.verdict == "rejected"
    text = story.explanation
    assert "it is a reply" in text and "SYN-ACK" in text
    assert "network ACL" in text and "outbound rules" in text
    assert "destination port 50123, the client's ephemeral port" in text
    assert "REJECT traffic only" in text and "TrafficType" in text
    assert "security group of interface-id" not in text  # not sent to the SG's rules


def test_a_rejected_dns_answer_is_a_reply_on_the_ephemeral_port() -> None:
    """A UDP record from service port 53 to an ephemeral port is the answer to a query: the
    same NACL advice as for a SYN-ACK, in udp terms (no tcp-flags quoted for UDP)."""
    line = v5(ENI, "10.0.2.53", "10.0.1.5", 53, 41234, T0 + 5, T0 + 5, "REJECT", 0, "ingress",
              proto=17, packets=1, size=120)
    text = story_of(store_of(V5, [line]), 0).explanation
    assert "from service port 53 to ephemeral port 41234" in text
    assert "inbound rules" in text and "udp destination port 41234" in text
    assert "tcp-flags" not in text


def test_records_minutes_apart_are_not_called_overlapping() -> None:
    """Issue 18 item 6: say what was found. Capture windows are [start, end]; these two are
    eight minutes apart, so the text gives the gap instead of claiming an overlap."""
    lines = [
        v5(ENI, "198.51.100.7", "10.0.1.5", 50123, 443, T0, T0 + 30, "ACCEPT", 2, "ingress"),
        v5(ENI, "10.0.1.5", "198.51.100.7", 443, 50123, T0 + 510, T0 + 540, "REJECT", 18,
           "egress"),
    ]
    text = story_of(store_of(V5, lines), 0).explanation
    assert "overlapping" not in text
    assert "8 min 00 s apart" in text
    close = [lines[0], v5(ENI, "10.0.1.5", "198.51.100.7", 443, 50123, T0 + 20, T0 + 50,
                          "REJECT", 18, "egress")]
    assert "in overlapping capture windows" in story_of(store_of(V5, close), 0).explanation


def test_a_new_syn_after_a_fin_is_a_new_attempt_not_a_late_packet() -> None:
    """Issue 18 item 7. "Packets that arrive after the connection has closed" are REJECTed
    (reference §3.1), but a REJECT carrying SYN without ACK is a client opening a connection
    again (the TCP flag examples: 2 is the initiator's SYN); it is refused by a rule."""
    lines = [
        v5(ENI, "10.0.1.5", "10.0.2.9", 40100, 443, T0 + 2, T0 + 8, "ACCEPT", 3, "egress"),
        v5(ENI, "10.0.2.9", "10.0.1.5", 443, 40100, T0 + 2, T0 + 8, "ACCEPT", 19, "ingress"),
        v5(ENI, "10.0.1.5", "10.0.2.9", 40100, 443, T0 + 40, T0 + 45, "REJECT", 2, "egress"),
    ]
    story = story_of(store_of(V5, lines), 2)
    assert story.verdict != "rejected-after-close"
    assert "after a record of the same connection" not in story.explanation
    assert "not a rule problem" not in story.explanation


def test_ok_says_this_interfaces_rules_are_not_the_cause_and_no_more() -> None:
    """The doubtful "ok" item: flow logs see one interface; host firewalls, MTU, routing and
    other hops are invisible to them, so the claim is about this interface's SG and NACL."""
    lines = [
        v5(ENI, "10.0.1.5", "10.0.2.9", 40200, 5432, T0 + 1, T0 + 50, "ACCEPT", 2, "egress"),
        v5(ENI, "10.0.2.9", "10.0.1.5", 5432, 40200, T0 + 1, T0 + 50, "ACCEPT", 18, "ingress"),
    ]
    story = story_of(store_of(V5, lines), 0)
    assert story.verdict == "ok"
    text = story.explanation
    assert "its security groups and network ACL are not the cause" in text
    assert "above the network layer" not in text
    assert "host firewall" in text and "ACCEPT traffic only" in text


def test_ok_through_a_nat_gateway_says_where_the_reply_was_seen() -> None:
    """AWS's NAT gateway example: the reply is logged at the NAT gateway's interface; the
    instance interface's own record of it is another flow log's (or not loaded), so the story
    claims nothing about the instance interface's rules."""
    story = story_of(store_of(V5, NAT_PATH), 0)
    assert story.verdict == "ok"
    text = story.explanation
    assert f"at interface-id {NAT_ENI} (action): the rules there let the reply through" in text
    assert f"Its arrival at interface-id {ENI} is not in the loaded data" in text
    assert "are not the cause" not in text


def test_no_reply_seen_names_a_flow_log_that_captures_accepts_only() -> None:
    """A flow log captures ACCEPT, REJECT or ALL traffic (EC2 CreateFlowLogs TrafficType), and
    the records don't say which: a REJECTed reply is invisible to an ACCEPT-only flow log."""
    text = story_of(store_of(V5, [SYN_ALONE]), 0).explanation
    assert "ACCEPT traffic only" in text and "describe-flow-logs" in text


def test_bpa_covers_egress_only_internet_gateways_too() -> None:
    """VPC Block Public Access blocks traffic through internet gateways and egress-only
    internet gateways (VPC user guide, "Block public access to VPCs and subnets")."""
    line = (f"8 {ACCOUNT} {ENI} 203.0.113.50 10.0.1.5 44321 22 6 1 - {T0 + 3} {T0 + 3} "
            "REJECT OK 2 ingress 203.0.113.50 10.0.1.5 BPA")
    text = story_of(store_of(V8, [line]), 0).explanation
    assert "egress-only internet gateways" in text
