"""The verdicts of a story that the other story tests leave out: a record without an action,
a reply REJECTed after its connection closed, and a reply REJECTed at another interface (with
and without the request seen there). Each is one rule of ``flowtui.query.verdict``; the
records are hand-written from the reference's facts (§3.1, §3.6, §4, §7) and go through the
real parser, as a file would."""

from __future__ import annotations

from flowtui.fields import TGW_DEFAULT_FIELDS
from tests.test_story import ENI, NAT_ENI, T0, V5, store_of, story_of, v5

#: The instance's request to an internet host on its own interface (egress, SYN, §3.6).
REQUEST = v5(ENI, "10.0.1.5", "203.0.113.5", 40000, 443, T0 + 10, T0 + 50, "ACCEPT", 2,
             "egress")
#: The same request arriving at the NAT gateway's interface: dstaddr is the NAT's private
#: address, pkt-dstaddr the internet host (§4, AWS's NAT gateway example).
REQUEST_AT_NAT = v5(NAT_ENI, "10.0.1.5", "10.0.0.220", 40000, 443, T0 + 10, T0 + 50, "ACCEPT",
                    2, "ingress", pkt=("10.0.1.5", "203.0.113.5"))
#: The reply leaving the NAT gateway's interface toward the instance, REJECTed there.
REPLY_REJECTED_AT_NAT = v5(NAT_ENI, "10.0.0.220", "10.0.1.5", 443, 40000, T0 + 10, T0 + 50,
                           "REJECT", 18, "egress", pkt=("203.0.113.5", "10.0.1.5"))


def test_a_transit_gateway_record_has_no_action_and_no_verdict_beyond_incomplete() -> None:
    """Transit Gateway flow-log records have no ``action`` field (reference §7, AWS's Transit
    Gateway flow logs page: no action, no interface-id): nothing says whether the traffic was
    allowed, so the story names no cause."""
    values = {"version": "6", "resource-type": "TransitGateway", "account-id": "111122223333",
              "srcaddr": "10.10.1.5", "dstaddr": "10.11.2.9", "srcport": "40000",
              "dstport": "443", "protocol": "6", "packets": "3", "bytes": "180",
              "start": str(T0 + 1), "end": str(T0 + 40), "log-status": "OK", "type": "IPv4",
              "tcp-flags": "2", "region": "us-east-1", "flow-direction": "ingress"}
    line = " ".join(values.get(name, "0" if name.startswith("packets-lost") else "-")
                    for name in TGW_DEFAULT_FIELDS)
    story = story_of(store_of(" ".join(TGW_DEFAULT_FIELDS), [line]), 0)
    assert story.verdict == "incomplete"
    assert "no action" in story.explanation and "no verdict rests on it" in story.explanation
    assert "dropped none of its packets" in story.explanation  # packets-lost-* all 0


def test_an_accepted_records_reply_rejected_only_after_the_close_is_not_a_rule_problem() -> None:
    """Packets that arrive after a connection has closed are REJECTed too (reference §3.1, the
    VPC user guide's ``action`` field). The record carries SYN+FIN (3: a whole short
    connection, §3.6); the reverse tuple's only record on the interface comes later and is
    REJECTed: a straggler, not a missing rule."""
    lines = [
        v5(ENI, "10.0.1.5", "10.0.2.9", 40100, 443, T0 + 2, T0 + 8, "ACCEPT", 3, "egress"),
        v5(ENI, "10.0.2.9", "10.0.1.5", 443, 40100, T0 + 31, T0 + 31, "REJECT", 0, "ingress",
           packets=1, size=40),
    ]
    story = story_of(store_of(V5, lines), 0)
    assert story.verdict == "rejected-after-close"
    assert "tcp-flags 3" in story.explanation and "not a rule problem" in story.explanation


def test_a_reply_rejected_at_the_nat_gateway_where_the_request_passed_is_its_nacl() -> None:
    """Security groups are stateful and network ACLs are not (reference §3.1): at the NAT
    gateway's interface the request was ACCEPTed and its reply REJECTed, so the NACL of that
    interface's subnet is the likely block, and the explanation names that interface."""
    story = story_of(store_of(V5, [REQUEST, REQUEST_AT_NAT, REPLY_REJECTED_AT_NAT]), 0)
    assert story.verdict == "nacl-blocks-reply"
    assert f"On interface-id {NAT_ENI}" in story.explanation
    assert "outbound rules" in story.explanation  # the REJECTed reply leaves that interface
    assert [(s.store_index, s.same_interface) for s in story.reply] == [(2, False)]


def test_a_reply_rejected_at_another_interface_without_the_request_is_rejected_there() -> None:
    """The reply is REJECTed at the NAT gateway's interface, whose record of the request is not
    in the data: the refusal is at that interface (a security group or NACL there, §3.1), and
    the story says to load its records to see both directions."""
    story = story_of(store_of(V5, [REQUEST, REPLY_REJECTED_AT_NAT]), 0)
    assert story.verdict == "rejected"
    assert "REJECTed at another interface" in story.explanation
    assert NAT_ENI in story.explanation and "load that interface's records" in story.explanation
