"""What a story advises, apart from how its evidence is gathered (``story.py``).

A network engineer reading a verdict needs the rule to look at, said as the rule is written:
which of a security group's or network ACL's rule sets (inbound or outbound, from the traffic's
direction at the interface), and what the rule must allow for the protocol at hand. The facts,
from AWS's VPC user guide (flow log records and their examples, security groups, network ACLs):

- security groups are stateful: a reply to traffic they allowed is allowed, whatever their
  rules say; network ACLs are stateless and judge replies by their own rules;
- network ACL rules for ICMP and ICMPv6 match a type and code, not ports (ping: echo request
  type 8 and echo reply type 0; ICMPv6 128 and 129); only TCP, UDP (and SCTP) records have
  ports;
- a flow log records ALL, ACCEPT or REJECT traffic (its traffic type, fixed when it is
  created); the records don't say which, ``aws ec2 describe-flow-logs`` does;
- the initiator of a TCP connection is the side whose record carries SYN (2); the side whose
  record carries SYN-ACK (18) is the server replying (the VPC guide's TCP flag examples).
"""

from __future__ import annotations

from collections.abc import Mapping

from flowtui.decoders import WELL_KNOWN_PORTS, as_int

FIN, SYN, RST, ACK = 1, 2, 4, 16
#: Protocols whose records carry ports (the rest show 0, and a NACL rule names no port).
PORT_PROTOCOLS = {6: "tcp", 17: "udp", 132: "sctp"}
#: ICMP flavours: name, echo request type, echo reply type.
ICMP_TYPES = {1: ("ICMP", 8, 0), 58: ("ICMPv6", 128, 129)}
#: Ephemeral (client) ports: AWS's NACL guidance covers every client with 1024-65535.
EPHEMERAL_HINT = "1024-65535"

TRAFFIC_TYPE = ("a flow log records ALL, ACCEPT or REJECT traffic, and the records don't say "
                "which: aws ec2 describe-flow-logs shows its TrafficType")


def protocol_name(record: Mapping[str, object]) -> str:
    number = as_int(record.get("protocol"))
    if number in ICMP_TYPES:
        return ICMP_TYPES[number][0].lower()
    return PORT_PROTOCOLS.get(number or -1, f"protocol {number}")


def has_ports(record: Mapping[str, object]) -> bool:
    return as_int(record.get("protocol")) in PORT_PROTOCOLS


def opens(record: Mapping[str, object]) -> bool:
    """The record carries SYN without ACK: a connection being opened (a new attempt)."""
    flags = as_int(record.get("tcp-flags")) or 0
    return bool(flags & SYN) and not flags & ACK


def answers(record: Mapping[str, object]) -> bool:
    """The record carries SYN-ACK (18): the server's reply to a SYN."""
    flags = as_int(record.get("tcp-flags")) or 0
    return bool(flags & SYN) and bool(flags & ACK)


def reply_reason(record: Mapping[str, object]) -> str | None:
    """Why ``record`` reads as a reply, or None: it carries SYN-ACK, or it goes from a
    service port (below 1024, or a known service) to an ephemeral one (1024 and up)."""
    if as_int(record.get("protocol")) == 6 and answers(record):
        return f"it carries tcp-flags {record.get('tcp-flags')} (SYN-ACK)"
    if not has_ports(record) or opens(record):
        return None
    src, dst = as_int(record.get("srcport")), as_int(record.get("dstport"))
    if src is None or dst is None:
        return None
    service = src < 1024 or src in WELL_KNOWN_PORTS
    if service and dst >= 1024 and dst not in WELL_KNOWN_PORTS:
        return f"it goes from service port {src} to ephemeral port {dst}"
    return None


def rule_set(direction: str | None) -> str:
    """The rules that judge traffic going ``direction`` at the interface."""
    return {"ingress": "inbound", "egress": "outbound"}.get(direction or "",
                                                            "inbound or outbound")


def what_to_allow(record: Mapping[str, object], *, reply: bool, port: int | None) -> str:
    """What a network ACL rule must allow for ``record``'s traffic, in the rule's own terms."""
    number = as_int(record.get("protocol"))
    if number in ICMP_TYPES:
        name, request, answer = ICMP_TYPES[number]
        wanted = (f"type {answer} (echo reply) for a ping's reply" if reply else
                  f"type {request} (echo request) for a ping")
        return (f"{name}: network ACL rules match {name} by type and code, not ports; allow "
                f"{wanted}, or all {name}")
    if number not in PORT_PROTOCOLS:
        return (f"protocol {number}, which has no ports: the rule names the protocol "
                "(or all traffic)")
    name = PORT_PROTOCOLS[number]
    if reply:
        return (f"{name} destination port {port}, the client's ephemeral port (allow the "
                f"clients' ephemeral range, {EPHEMERAL_HINT}, to cover every client)")
    return f"{name} destination port {port}"


def overlap(a: Mapping[str, object], b: Mapping[str, object]) -> str:
    """How two records' capture windows ([start, end]) lie: overlapping, or the gap."""
    a0, a1 = as_int(a.get("start")), as_int(a.get("end"))
    b0, b1 = as_int(b.get("start")), as_int(b.get("end"))
    if None in (a0, a1, b0, b1):
        return "(their times are not both known)"
    assert a0 is not None and a1 is not None and b0 is not None and b1 is not None
    if a0 <= b1 and b0 <= a1:
        return "in overlapping capture windows (start/end)"
    gap = b0 - a1 if b0 > a1 else a0 - b1
    return f"{_duration(gap)} apart (start/end: their capture windows do not overlap)"


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds / 3600:.1f} h"


UNSEEN = ("Flow logs can't see what is left: a host firewall, the application, TLS, MTU, and "
          "the routes and hops beyond the interface")


__all__ = [
    "EPHEMERAL_HINT", "ICMP_TYPES", "PORT_PROTOCOLS", "TRAFFIC_TYPE", "UNSEEN", "answers",
    "has_ports", "opens", "overlap", "protocol_name", "reply_reason",
    "rule_set", "what_to_allow",
]
