"""Which side is which: a record's direction at its interface, and which of two is the request.

Apart from the verdicts (``verdict.py``) because it is evidence, not advice: a record without
``flow-direction`` (a version 2 format) is placed by the addresses its interface logs (§4), and
that asks the store, as the verdicts never do otherwise.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

import pyarrow.compute as pc

from flowtui.decoders import as_int
from flowtui.query.advice import answers, opens
from flowtui.query.arrow import compile_arrow
from flowtui.query.expr import And, Compare, Expr, Or
from flowtui.store import RecordStore


def request_and_reply(a: Mapping[str, object], b: Mapping[str, object]
                      ) -> tuple[Mapping[str, object], Mapping[str, object]]:
    """Which of two opposite records is the request: the SYN side (§3.6), else the side
    whose destination port is the lower (the service's)."""
    if opens(a) or answers(b):
        return a, b
    if opens(b) or answers(a):
        return b, a
    a_port, b_port = as_int(a.get("dstport")), as_int(b.get("dstport"))
    if a_port is not None and b_port is not None and b_port < a_port:
        return b, a
    return a, b


def direction_of(store: RecordStore, record: Mapping[str, object]) -> tuple[str | None, str]:
    """ingress/egress of ``record`` at its interface, and how that is known."""
    direction = record.get("flow-direction")
    if direction in ("ingress", "egress"):
        return str(direction), f"flow-direction {direction}"
    found = _direction_by_address(store, record)
    if found == "egress":
        return found, "the interface's own address is its srcaddr"
    if found == "ingress":
        return found, "the interface's own address is its dstaddr"
    # The ENI's side of srcaddr/dstaddr is always its private IPv4 address (§4).
    src, dst = _private(record.get("srcaddr")), _private(record.get("dstaddr"))
    if src and not dst:
        return "egress", "its srcaddr is the private address, the interface's side"
    if dst and not src:
        return "ingress", "its dstaddr is the private address, the interface's side"
    return None, "flow-direction would say which"


def _direction_by_address(store: RecordStore, rejected: Mapping[str, object]) -> str | None:
    """An ENI's own private address is in every record it logs (§4): the side of the
    rejected record found in all the interface's records is the local one."""
    interface = rejected.get("interface-id")
    src, dst = rejected.get("srcaddr"), rejected.get("dstaddr")
    if interface is None or src is None or dst is None:
        return None
    on = Compare("interface-id", "=", str(interface))
    flows = And((on, Compare("srcaddr", "!=", "")))
    total = _count(store, flows)

    def with_address(address: object) -> int:
        return _count(store, And((on, Or((Compare("srcaddr", "=", str(address)),
                                          Compare("dstaddr", "=", str(address)))))))

    has_src, has_dst = with_address(src), with_address(dst)
    if has_src == total and has_dst < total:
        return "egress"
    if has_dst == total and has_src < total:
        return "ingress"
    return None


_PRIVATE = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"))


def _private(value: object) -> bool:
    """An RFC 1918 (or shared 100.64/10) IPv4 address: what a VPC interface's own is."""
    try:
        address = ipaddress.ip_address(str(value))
    except ValueError:
        return False
    return address.version == 4 and any(address in net for net in _PRIVATE)


def _count(store: RecordStore, expr: Expr) -> int:
    predicate = compile_arrow(expr)
    return sum(int(pc.sum(predicate.mask(b)).as_py() or 0) for b in store.batches())
