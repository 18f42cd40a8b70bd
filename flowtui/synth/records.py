"""The record templates of the synthetic flow logs: one format string per record kind.

Apart from the world and its conversations because every kind of record (VPC, Transit
Gateway, NODATA/SKIPDATA rows, the demo's incident) is compiled the same way: a record dict
for a field list becomes one format string, and each emitted line fills in only the
per-record numbers through the placeholders below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flowtui.fields import FIELDS

DASH = "-"

# Placeholders filled per line: packets, bytes, start, end, ephemeral port.
PACKETS, BYTES, START, END, EPHEMERAL = "{0}", "{1}", "{2}", "{3}", "{4}"

# Flow fields that are '-' on NODATA/SKIPDATA rows (reference §5.5); ENI metadata stays.
_NODATA_DASHED = (
    "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes", "action",
    "tcp-flags", "type", "pkt-srcaddr", "pkt-dstaddr", "pkt-src-aws-service",
    "pkt-dst-aws-service", "flow-direction", "traffic-path", "reject-reason",
    "encryption-status", "next-hop-interface-id", "next-hop-subnet-id", "next-hop-az-id",
    "next-hop-vpc-id", "next-hop-interface-type", "packets-lost-no-route",
    "packets-lost-blackhole", "packets-lost-mtu-exceeded", "packets-lost-ttl-expired",
)

# TCP flag pairs (request side, reply side) by connection phase within the interval
# (reference §3.6): a whole short connection ORs to 3/19; opening 2/18; ACK-only 0/0;
# closing 1/1; client reset after the handshake 6/18.
TCP_PHASES = ((3, 19), (3, 19), (2, 18), (0, 0), (0, 0), (0, 0), (1, 1), (6, 18))


@dataclass
class Conv:
    """One compiled conversation: request (and reply) format strings and size profile."""

    req: str
    reply: str | None
    pmax: float  # request packets are log-uniform in 1..pmax
    bpp: int  # request bytes per packet
    ratio: float  # reply packets per request packet
    rbpp: int  # reply bytes per packet
    eph_lo: int = 32768
    eph_span: int = 28232


class Compiler:
    """Turns record dicts into format strings for one field list."""

    def __init__(self, fields: Sequence[str], version: int) -> None:
        self.fields = tuple(fields)
        self.version = str(version)

    def __call__(self, values: dict[str, str]) -> str:
        vals = dict(values)
        vals["version"] = self.version
        out = []
        for name in self.fields:
            v = vals.get(name, DASH)
            if v not in (PACKETS, BYTES, START, END, EPHEMERAL):
                v = v.replace("{", "{{").replace("}", "}}")
            out.append(v)
        return " ".join(out)


def nodata(eni_meta: dict[str, str], status: str, compile_: Compiler) -> str:
    rec = dict(eni_meta)
    rec.update({name: DASH for name in _NODATA_DASHED})
    rec.update({"start": START, "end": END, "log-status": status})
    return compile_(rec)


def format_version(fields: Sequence[str]) -> int:
    return max((FIELDS[f].version for f in fields if f in FIELDS), default=2)
