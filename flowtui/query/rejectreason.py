"""What a story knows of ``reject-reason``: BPA said, another cause said, or nobody said.

A REJECT has more than one cause. AWS's flow-log record table (``action``): "REJECT — The
traffic was rejected. For example, the traffic was not allowed by the security groups or
network ACLs, or packets arrived after the connection was closed"; (``reject-reason``, v8):
"Reason why traffic was rejected. Possible values: BPA. Returns a '-' for any other reject
reason". Only a format with ``reject-reason`` can say VPC Block Public Access refused a
record; the default format (v2) has no such field, so its REJECT cannot rule BPA out.

Several flow logs can write for one interface, each in its own format (reference §5.2): a
default-format log and a custom v8 log with ``reject-reason`` record the same flow. A
story reads what the same flow's record in another flow log on the same interface says,
at an overlapping time, when the record's own format cannot say it.

BPA blocks traffic "from reaching or being reached from the internet through internet
gateways and egress-only internet gateways" (EC2 API, VpcBlockPublicAccessOptions). Traffic
whose addresses are all private-use (RFC 1918, RFC 6598 shared space, link-local, loopback,
IPv6 unique-local and link-local) is not routed on the Internet, so BPA is not its cause.
flowtui's inventory does not read the account's BPA mode (its six Describe calls), so
nothing else rules BPA out.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from flowtui.decoders import as_int
from flowtui.layout import parse_file_name
from flowtui.query.flow import Sighting

FIELD = "reject-reason"
BPA = "BPA"
#: Addresses the Internet does not route: traffic between them never crossed an internet
#: gateway, where Block Public Access acts.
_NOT_INTERNET = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16",
    "127.0.0.0/8", "fc00::/7", "fe80::/10", "::1/128"))
#: Said where a REJECT is explained while BPA is not ruled out (the rule line and verdict).
NOT_RULED_OUT = ("this flow log does not record reject-reason, so VPC Block Public Access is "
                 "not ruled out")


@dataclass(frozen=True)
class Said:
    """Which record's ``reject-reason`` a story's REJECT is read by. ``about`` is the
    REJECTed record it speaks for: "this" (the story's own record) or "reply" (its reply on
    the same interface); ``by`` is "own" (that record's own field) or "other-flow-log" (the
    same flow's record on the same interface in another flow log, whose format has the
    field, at an overlapping time). ``value`` is "BPA" or "-" (any other reject reason)."""

    about: str
    by: str
    value: str
    store_index: int
    source: str
    record: Mapping[str, object]

    @property
    def flow_log(self) -> str | None:
        return flow_log_of(self.source)

    def where(self) -> str:
        """``flow log fl-0de3… (object 1111…_fl-0de3…_20241105T1405Z_feca7460.log.gz)``: the
        object's name, not its whole path (``to_json`` has that)."""
        name = self.source.rstrip("/").rsplit("/", 1)[-1]
        return (f"flow log {self.flow_log} (object {name})" if self.flow_log
                else f"object {name}")

    def to_json(self) -> dict[str, object]:
        return {"record": self.about, "by": self.by, "field": FIELD, "value": self.value,
                "store_index": self.store_index, "source": self.source,
                "flow_log": self.flow_log}


def flow_log_of(source: str) -> str | None:
    """The flow-log id (``fl-…``) in an object's name, when the name is AWS's."""
    parts = parse_file_name(source.rstrip("/").rsplit("/", 1)[-1])
    return parts["flow_log_id"] if parts else None


def own_value(fields: Sequence[str], record: Mapping[str, object]) -> str | None:
    """The record's ``reject-reason`` as its own format gives it: "BPA", "-" (any other
    reason, or an ACCEPT), or None when its format has no such field (a store row reads
    None there either way: ``fields`` is its object's own columns)."""
    if FIELD not in fields:
        return None
    value = record.get(FIELD)
    return "-" if value is None or value == "-" else str(value)


def overlaps(a: Mapping[str, object], b: Mapping[str, object]) -> bool:
    """Whether two records' ``start``..``end`` spans share a second (unknown: no)."""
    a0, a1, b0, b1 = (as_int(r.get(k)) for r in (a, b) for k in ("start", "end"))
    if a0 is None or a1 is None or b0 is None or b1 is None:
        return False
    return a0 <= b1 and b0 <= a1


def siblings(record: Mapping[str, object], index: int, same_way: Sequence[Sighting],
             fields_of: Callable[[int], Sequence[str]]) -> list[tuple[Sighting, str]]:
    """The records of ``record``'s flow and direction on its interface, REJECTed at an
    overlapping time, whose format records ``reject-reason``, with the value each gives;
    BPA first."""
    out: list[tuple[Sighting, str]] = []
    for s in same_way:
        if (s.store_index == index or not s.same_interface
                or s.record.get("action") != "REJECT" or not overlaps(record, s.record)):
            continue
        value = own_value(fields_of(s.store_index), s.record)
        if value is not None:
            out.append((s, value))
    out.sort(key=lambda pair: pair[1] != BPA)
    return out


def may_be_internet(record: Mapping[str, object]) -> bool:
    """Whether any address of the record may be an Internet one (BPA can then be the
    cause): not every one of them is private-use."""
    for name in ("srcaddr", "dstaddr", "pkt-srcaddr", "pkt-dstaddr"):
        value = record.get(name)
        if value is None or value == "-":
            continue
        try:
            address = ipaddress.ip_address(str(value))
        except ValueError:
            return True
        if not any(address.version == n.version and address in n for n in _NOT_INTERNET):
            return True
    return False


__all__ = ["BPA", "FIELD", "NOT_RULED_OUT", "Said", "flow_log_of", "may_be_internet",
           "overlaps", "own_value", "siblings"]
