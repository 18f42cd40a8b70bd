"""Realistic synthetic flow logs, deterministic by seed, for the demo, tests and benchmarks.

Speed matters (a million records in a few seconds), so records are not built field by field.
A small "world" (ENIs, peers, services) is drawn once; from it a pool of conversation
templates is compiled into one format string per direction for the requested field list,
and each emitted line only fills in the per-record numbers (packets, bytes, start, end and
the ephemeral port). The facts followed are in shared/reference/flow-log-format.md.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flowtui.fields import DEFAULT_FIELDS, FIELDS, TGW_DEFAULT_FIELDS

__all__ = [
    "ALL_VPC_FIELDS",
    "DEFAULT_FIELDS",
    "LAYOUTS",
    "TGW_DEFAULT_FIELDS",
    "V5_EXAMPLE_FIELDS",
    "generate_lines",
    "make_parquet_object",
    "make_text_object",
    "object_key",
    "parquet_name",
    "with_bad_lines",
]

# Every VPC field, in the AWS table order (reference §2.10): a v11 "all fields" format.
ALL_VPC_FIELDS: tuple[str, ...] = tuple(
    name for name, spec in FIELDS.items() if spec.family in ("vpc", "both")
)

# The custom format of AWS's v5 example (reference §5.6).
V5_EXAMPLE_FIELDS: tuple[str, ...] = tuple(
    "version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id "
    "vpc-id subnet-id instance-id interface-id region az-id sublocation-type sublocation-id "
    "action tcp-flags pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service "
    "traffic-path flow-direction log-status".split()
)

#: Conversations in a world fixed by ``world_seed`` (enough for a day of one VPC's files).
STABLE_POOL = 400
DEFAULT_START = 1709647200  # 2024-03-05T14:00:00Z
DASH = "-"

# Placeholders filled per line: packets, bytes, start, end, ephemeral port.
_P, _B, _S, _E, _EPH = "{0}", "{1}", "{2}", "{3}", "{4}"

# Flow fields that are '-' on NODATA/SKIPDATA rows (reference §5.5); ENI metadata stays.
_NODATA_DASHED = (
    "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes", "action",
    "tcp-flags", "type", "pkt-srcaddr", "pkt-dstaddr", "pkt-src-aws-service",
    "pkt-dst-aws-service", "flow-direction", "traffic-path", "reject-reason",
    "encryption-status", "next-hop-interface-id", "next-hop-subnet-id", "next-hop-az-id",
    "next-hop-vpc-id", "next-hop-interface-type", "packets-lost-no-route",
    "packets-lost-blackhole", "packets-lost-mtu-exceeded", "packets-lost-ttl-expired",
)

# Published-looking AWS public ranges, per service code (first two octets, third octet range).
_AWS_RANGES: dict[str, tuple[tuple[int, int, int, int], ...]] = {
    "S3": ((52, 216, 0, 255), (3, 5, 0, 31), (52, 217, 0, 255)),
    "DYNAMODB": ((52, 94, 0, 3), (3, 218, 180, 183)),
    "EC2": ((54, 144, 0, 255), (3, 80, 0, 255), (18, 204, 0, 255)),
    "AMAZON": ((52, 95, 0, 255), (54, 239, 0, 255)),
    "CLOUDFRONT": ((13, 224, 0, 255), (99, 84, 0, 255)),
    "ROUTE53_HEALTHCHECKS": ((54, 243, 31, 31),),
}
# First octets of ordinary (non-AWS, non-reserved) internet hosts.
_PUBLIC_OCTETS = (23, 31, 45, 62, 77, 81, 89, 91, 101, 103, 118, 125, 151, 176, 185, 188,
                  193, 195, 203, 212, 217)

_AZ_PREFIX = {
    "us-east-1": "use1", "us-east-2": "use2", "us-west-1": "usw1", "us-west-2": "usw2",
    "eu-west-1": "euw1", "eu-west-2": "euw2", "eu-central-1": "euc1", "eu-north-1": "eun1",
    "ap-southeast-1": "apse1", "ap-southeast-2": "apse2", "ap-northeast-1": "apne1",
    "ap-south-1": "aps1", "ca-central-1": "cac1", "sa-east-1": "sae1",
}

# TCP flag pairs (request side, reply side) by connection phase within the interval
# (reference §3.6): a whole short connection ORs to 3/19; opening 2/18; ACK-only 0/0;
# closing 1/1; client reset after the handshake 6/18.
_TCP_PHASES = ((3, 19), (3, 19), (2, 18), (0, 0), (0, 0), (0, 0), (1, 1), (6, 18))


def _hex(rng: random.Random, n: int) -> str:
    return f"{rng.getrandbits(4 * n):0{n}x}"


def _az_prefix(region: str) -> str:
    if region in _AZ_PREFIX:
        return _AZ_PREFIX[region]
    parts = region.split("-")
    return parts[0] + "".join(p[0] for p in parts[1:-1]) + parts[-1]


@dataclass
class _Eni:
    """A recording interface and the metadata every record on it carries."""

    meta: dict[str, str]
    ip: str
    ipv6: str | None
    kind: str  # instance | nat | vpce | ecs
    encrypted: bool = False


@dataclass
class _World:
    account: str
    region: str
    vpc_cidr: tuple[int, int]
    enis: list[_Eni] = field(default_factory=list)
    nat: _Eni | None = None
    vpce: _Eni | None = None
    internal_hosts: list[str] = field(default_factory=list)
    dns_server: str = "10.0.2.53"
    encryption_controls: bool = False


def _private_ip(rng: random.Random, a: int, b: int) -> str:
    return f"{a}.{b}.{rng.randrange(0, 16)}.{rng.randrange(4, 255)}"


def _public_ip(rng: random.Random) -> str:
    return (f"{rng.choice(_PUBLIC_OCTETS)}.{rng.randrange(0, 256)}."
            f"{rng.randrange(0, 256)}.{rng.randrange(1, 255)}")


def _aws_ip(rng: random.Random, service: str) -> str:
    a, b, lo, hi = rng.choice(_AWS_RANGES[service])
    return f"{a}.{b}.{rng.randint(lo, hi)}.{rng.randrange(1, 255)}"


def _build_world(rng: random.Random, account: str, region: str, interfaces: int) -> _World:
    world = _World(account=account, region=region, vpc_cidr=(10, rng.randrange(0, 8)))
    world.encryption_controls = rng.random() < 0.5
    a, b = world.vpc_cidr
    vpc = f"vpc-{_hex(rng, 17)}"
    azp = _az_prefix(region)
    subnets = [(f"subnet-{_hex(rng, 17)}", f"{azp}-az{i + 1}") for i in range(3)]
    roles = ("web", "api", "db", "cache", "batch", "bastion")

    def meta(kind: str, idx: int) -> dict[str, str]:
        subnet, az = subnets[idx % len(subnets)]
        role = roles[idx % len(roles)]
        m = {
            "account-id": account, "interface-id": f"eni-{_hex(rng, 17)}", "vpc-id": vpc,
            "subnet-id": subnet, "instance-id": DASH, "region": region, "az-id": az,
            "sublocation-type": DASH, "sublocation-id": DASH, "resource-id": DASH,
            "interface-type": "interface",
        }
        for name in ("instance-tag", "instance-tag-2", "interface-tag", "interface-tag-2",
                     "asg-tag", "asg-tag-2"):
            m[name] = DASH
        for name in FIELDS:
            if name.startswith("ecs-"):
                m[name] = DASH
        if kind == "instance":
            m["instance-id"] = f"i-{_hex(rng, 17)}"
            m["instance-tag"] = f"{role}-{idx + 1}"
            m["instance-tag-2"] = "prod" if idx % 3 else "staging"
            m["interface-tag"] = f"{role}%20primary"  # tag values are percent-encoded
            if role in ("web", "api", "batch"):
                m["asg-tag"] = f"{role}-asg"
        elif kind == "nat":
            m["interface-type"] = "nat_gateway"
            m["interface-tag"] = "nat-egress"
        elif kind == "vpce":
            m["account-id"] = "unknown"  # AWS-created ENIs may report 'unknown' (ref §2.1)
            m["interface-type"] = "vpc_endpoint"
        elif kind == "ecs":
            task = _hex(rng, 32)
            arn = f"arn:aws:ecs:{region}:{account}"
            m.update({
                "ecs-cluster-arn": f"{arn}:cluster/{role}", "ecs-cluster-name": role,
                "ecs-container-id": f"{_hex(rng, 32)}-{rng.randrange(10**9, 10**10)}",
                "ecs-service-name": f"{role}-svc",
                "ecs-task-definition-arn": f"{arn}:task-definition/{role}:{rng.randint(1, 90)}",
                "ecs-task-arn": f"{arn}:task/{role}/{task}", "ecs-task-id": task,
            })
            if rng.random() < 0.5:
                m["ecs-second-container-id"] = f"{_hex(rng, 32)}-{rng.randrange(10**9, 10**10)}"
        return m

    count = max(1, interfaces)
    for i in range(count):
        kind = "ecs" if i % 5 == 4 else "instance"
        ipv6 = f"2600:1f18:{rng.randrange(0x1000, 0xffff):x}:{rng.randrange(0x100, 0xfff):x}::{rng.randrange(1, 0xffff):x}" if i % 4 == 0 else None  # noqa: E501
        world.enis.append(_Eni(meta(kind, i), _private_ip(rng, a, b), ipv6, kind,
                               encrypted=rng.random() < 0.7))
    world.nat = _Eni(meta("nat", count), _private_ip(rng, a, b), None, "nat")
    world.vpce = _Eni(meta("vpce", count + 1), _private_ip(rng, a, b), None, "vpce")
    world.internal_hosts = [_private_ip(rng, a, b) for _ in range(12)]
    world.dns_server = f"{a}.{b}.2.53"
    _distinct_addresses(world)
    return world


def _distinct_addresses(world: _World) -> None:
    """Give every interface and host of ``world`` its own address: two drawn alike would
    make a host talk to itself. Later ones move up (no random draw, so worlds without a
    clash stay exactly as drawn)."""
    taken = {world.dns_server}

    def free(ip: str) -> str:
        a, b, c, d = (int(x) for x in ip.split("."))
        while ip in taken:
            d = d + 1 if d < 254 else 4
            c = c if d != 4 else (c + 1) % 16
            ip = f"{a}.{b}.{c}.{d}"
        taken.add(ip)
        return ip

    for eni in [*world.enis, world.nat, world.vpce]:
        if eni is not None:
            eni.ip = free(eni.ip)
    world.internal_hosts = [free(ip) for ip in world.internal_hosts]


@dataclass
class _Conv:
    """One compiled conversation: request (and reply) format strings and size profile."""

    req: str
    reply: str | None
    pmax: float  # request packets are log-uniform in 1..pmax
    bpp: int  # request bytes per packet
    ratio: float  # reply packets per request packet
    rbpp: int  # reply bytes per packet
    eph_lo: int = 32768
    eph_span: int = 28232


class _Compiler:
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
            if v not in (_P, _B, _S, _E, _EPH):
                v = v.replace("{", "{{").replace("}", "}}")
            out.append(v)
        return " ".join(out)


def _flow(eni: _Eni, direction: str, src: str, dst: str, sport: str, dport: str, proto: int,
          flags: str, action: str, *, path: str = DASH, src_svc: str = DASH,
          dst_svc: str = DASH, pkt_src: str | None = None, pkt_dst: str | None = None,
          enc: str = DASH, next_hop: dict[str, str] | None = None) -> dict[str, str]:
    rec = dict(eni.meta)
    rec.update({
        "srcaddr": src, "dstaddr": dst, "srcport": sport, "dstport": dport,
        "protocol": str(proto), "packets": _P, "bytes": _B, "start": _S, "end": _E,
        "action": action, "log-status": "OK", "tcp-flags": flags,
        "type": "IPv6" if ":" in src else "IPv4",
        "pkt-srcaddr": pkt_src or src, "pkt-dstaddr": pkt_dst or dst,
        "pkt-src-aws-service": src_svc, "pkt-dst-aws-service": dst_svc,
        "flow-direction": direction,
        "traffic-path": path if direction == "egress" else DASH,
        "reject-reason": DASH, "encryption-status": enc,
    })
    nh = next_hop or {}
    for key in ("interface-id", "subnet-id", "az-id", "vpc-id", "interface-type"):
        rec[f"next-hop-{key}"] = nh.get(key, DASH)
    return rec


def _pair(eni: _Eni, local_is_client: bool, client: str, server: str, cport: str, sport: str,
          proto: int, phase: tuple[int, int], *, path: str = DASH, server_svc: str = DASH,
          enc: str = DASH, reply_action: str = "ACCEPT",
          pkt_client: str | None = None, pkt_server: str | None = None,
          next_hop: dict[str, str] | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """A request and its reply as seen on ``eni``; the reply has ports and addresses swapped."""
    tcp = proto == 6
    f_req, f_rep = (str(phase[0]), str(phase[1])) if tcp else ("0", "0")
    d_req, d_rep = ("egress", "ingress") if local_is_client else ("ingress", "egress")
    req = _flow(eni, d_req, client, server, cport, sport, proto, f_req, "ACCEPT", path=path,
                dst_svc=server_svc, pkt_src=pkt_client, pkt_dst=pkt_server, enc=enc,
                next_hop=next_hop if d_req == "egress" else None)
    rep = _flow(eni, d_rep, server, client, sport, cport, proto, f_rep, reply_action,
                path=path, src_svc=server_svc, pkt_src=pkt_server, pkt_dst=pkt_client,
                enc=enc, next_hop=next_hop if d_rep == "egress" else None)
    return req, rep


def _enc(world: _World, eni: _Eni, port: int) -> str:
    if not world.encryption_controls:
        return DASH
    app = port in (443, 22, 5432, 3306)
    return str((1 if eni.encrypted else 0) | (2 if app else 0))


def _vpc_conversations(rng: random.Random, world: _World, compile_: _Compiler,
                       count: int, with_bpa: bool) -> tuple[list[_Conv], list[_Conv]]:
    """(accepted conversations, rejected ones) for a VPC flow log."""
    ok: list[_Conv] = []
    bad: list[_Conv] = []
    nat = world.nat
    assert nat is not None and world.vpce is not None
    kinds = ("web_in", "web_in", "aws_out", "aws_out", "internet_out", "nat", "nat",
             "east_west", "east_west", "east_west", "peering", "dns", "dns", "ntp", "icmp",
             "ipv6_out", "vpce", "nacl_reply")
    bad_kinds = ("scan", "scan", "scan", "ssh_scan", "internal_deny")
    n_bad = max(4, count // 5)
    n_ok = max(8, count - n_bad)

    def conv(req: dict[str, str], rep: dict[str, str] | None, pmax: float, bpp: int,
             ratio: float = 1.0, rbpp: int = 60, windows: bool = False) -> _Conv:
        lo, span = (49152, 16384) if windows else (32768, 28232)
        return _Conv(compile_(req), compile_(rep) if rep is not None else None,
                     pmax, bpp, ratio, rbpp, lo, span)

    for _ in range(n_ok):
        kind = rng.choice(kinds)
        eni = rng.choice(world.enis)
        phase = rng.choice(_TCP_PHASES)
        if kind == "web_in":
            port = rng.choice((443, 443, 80, 8080))
            client = _public_ip(rng)
            req, rep = _pair(eni, False, client, eni.ip, _EPH, str(port), 6, phase,
                             path=rng.choice(("8", "8", "2")), enc=_enc(world, eni, port))
            ok.append(conv(req, rep, 60, 90, 1.6, 1100, windows=rng.random() < 0.3))
        elif kind == "aws_out":
            svc = rng.choice(("S3", "S3", "DYNAMODB", "EC2", "AMAZON", "CLOUDFRONT"))
            server = _aws_ip(rng, svc)
            path = rng.choice(("7", "2")) if svc in ("S3", "DYNAMODB") else "8"
            req, rep = _pair(eni, True, eni.ip, server, _EPH, "443", 6, phase, path=path,
                             server_svc=svc, enc=_enc(world, eni, 443))
            ok.append(conv(req, rep, 400, 900, 0.7, 200))
        elif kind == "internet_out":
            port = rng.choice((443, 443, 80, 22))
            req, rep = _pair(eni, True, eni.ip, _public_ip(rng), _EPH, str(port), 6, phase,
                             path="8", enc=_enc(world, eni, port))
            ok.append(conv(req, rep, 50, 120, 1.4, 1000))
        elif kind == "nat":
            # One instance->internet connection through the NAT gateway, recorded on the
            # NAT ENI: the inside pair carries the internet host only in pkt-*addr
            # (reference §4); the outside pair agrees on both.
            host, port = _public_ip(rng), rng.choice((443, 443, 80))
            inside = _pair(nat, False, eni.ip, nat.ip, _EPH, str(port), 6, phase,
                           path="1", pkt_server=host, enc=_enc(world, nat, port))
            outside = _pair(nat, True, nat.ip, host, _EPH, str(port), 6, phase, path="8",
                            enc=_enc(world, nat, port))
            ok.append(conv(*inside, 40, 110, 1.5, 1000))
            ok.append(conv(*outside, 40, 110, 1.5, 1000))
        elif kind == "east_west":
            others = [e for e in world.enis if e is not eni]
            server_eni = rng.choice(others or world.enis)
            port = rng.choice((3306, 5432, 6379, 22, 443, 8080, 9200))
            if not others:  # a world of one interface: its peer is the VPC's DNS host
                server_eni = _Eni(dict(eni.meta), world.dns_server, None, "instance")
            hop = {"interface-id": server_eni.meta["interface-id"],
                   "subnet-id": server_eni.meta["subnet-id"],
                   "az-id": server_eni.meta["az-id"], "vpc-id": server_eni.meta["vpc-id"],
                   "interface-type": "interface"}
            local_is_client = rng.random() < 0.5
            rec_eni = eni if local_is_client else server_eni
            req, rep = _pair(rec_eni, local_is_client, eni.ip, server_eni.ip, _EPH, str(port), 6,
                             phase, path="1", enc=_enc(world, rec_eni, port),
                             next_hop=hop if local_is_client else None)
            ok.append(conv(req, rep, 200, 150, 1.2, 700))
        elif kind == "peering":
            server = f"172.{rng.randrange(16, 32)}.{rng.randrange(0, 256)}.{rng.randrange(1, 255)}"
            port = rng.choice((443, 5432, 27017))
            req, rep = _pair(eni, True, eni.ip, server, _EPH, str(port), 6, phase,
                             path=rng.choice(("4", "4", "5")), enc=_enc(world, eni, port))
            ok.append(conv(req, rep, 120, 300, 1.0, 500))
        elif kind == "dns":
            req, rep = _pair(eni, True, eni.ip, world.dns_server, _EPH, "53", 17, phase,
                             path="1", enc=_enc(world, eni, 53))
            ok.append(conv(req, rep, 6, 70, 1.0, 130))
        elif kind == "ntp":
            req, rep = _pair(eni, True, eni.ip, _public_ip(rng), "123", "123", 17, phase,
                             path="8", enc=_enc(world, eni, 123))
            ok.append(conv(req, rep, 2, 76, 1.0, 76))
        elif kind == "icmp":
            peer = rng.choice(world.internal_hosts + [_public_ip(rng)])
            local_is_client = rng.random() < 0.6
            client, server = (eni.ip, peer) if local_is_client else (peer, eni.ip)
            req, rep = _pair(eni, local_is_client, client, server, "0", "0", 1, phase,
                             path="1" if peer.startswith("10.") else "8",
                             enc=_enc(world, eni, 0))
            ok.append(conv(req, rep, 10, 84, 1.0, 84))
        elif kind == "ipv6_out":
            v6 = [e for e in world.enis if e.ipv6]
            if not v6:
                continue
            eni = rng.choice(v6)
            src = eni.ipv6 or ""
            dst = f"2600:1f18:{rng.randrange(0x1000, 0xffff):x}::{rng.randrange(1, 0xffff):x}"
            req, rep = _pair(eni, True, src, dst, _EPH, "443", 6, phase, path="8",
                             enc=_enc(world, eni, 443))
            ok.append(conv(req, rep, 80, 200, 1.3, 1100))
        elif kind == "vpce":
            vpce = world.vpce
            req, rep = _pair(vpce, False, eni.ip, vpce.ip, _EPH, "443", 6, phase, path="1",
                             enc=_enc(world, eni, 443))
            ok.append(conv(req, rep, 80, 300, 1.2, 800))
        elif kind == "nacl_reply":
            # Inbound allowed, reply refused by a stateless NACL (reference §3.1).
            req, rep = _pair(eni, False, _public_ip(rng), eni.ip, _EPH, "443", 6, (2, 18),
                             path="8", reply_action="REJECT", enc=_enc(world, eni, 443))
            ok.append(conv(req, rep, 4, 60, 1.0, 60))

    for _ in range(n_bad):
        kind = rng.choice(bad_kinds)
        eni = rng.choice(world.enis)
        if kind in ("scan", "ssh_scan"):
            port = 22 if kind == "ssh_scan" else rng.choice((22, 23, 445, 3389, 1433, 5900,
                                                            8080, 6379, 9200, 25))
            rec = _flow(eni, "ingress", _public_ip(rng), eni.ip, _EPH, str(port), 6, "2",
                        "REJECT", enc=_enc(world, eni, 0))
            if with_bpa and rng.random() < 0.15:
                rec["reject-reason"] = "BPA"
                rec["bytes"] = DASH  # BPA records carry no bytes (reference §2.1)
            bad.append(conv(rec, None, 3, 44, windows=rng.random() < 0.5))
        else:
            src_eni = rng.choice(world.enis)
            port = rng.choice((3306, 5432, 22, 3389))
            # another host of the VPC refused by this one (never the host itself)
            src = src_eni.ip if src_eni is not eni else world.internal_hosts[
                world.enis.index(eni) % len(world.internal_hosts)]
            rec = _flow(eni, "ingress", src, eni.ip, _EPH, str(port), 6, "2", "REJECT",
                        enc=_enc(world, eni, 0))
            bad.append(conv(rec, None, 4, 60))
    return ok, bad


def _nodata(eni_meta: dict[str, str], status: str, compile_: _Compiler) -> str:
    rec = dict(eni_meta)
    rec.update({name: DASH for name in _NODATA_DASHED})
    rec.update({"start": _S, "end": _E, "log-status": status})
    return compile_(rec)


@dataclass(frozen=True)
class _Attachment:
    """A TGW attachment of the synthetic world ('-' fields for the VPN one)."""

    id: str
    account: str
    vpc: str
    subnet: str
    eni: str
    az: str
    net: tuple[int, int]  # first two octets of its addresses


def _tgw_conversations(rng: random.Random, account: str, region: str, compile_: _Compiler,
                       count: int) -> tuple[list[_Conv], list[dict[str, str]]]:
    """Conversations crossing a transit gateway, and the attachments' metadata."""
    tgw = f"tgw-{_hex(rng, 17)}"
    azp = _az_prefix(region)
    other = f"{rng.randrange(10**11, 10**12)}"
    atts = []
    for i in range(4):
        vpn = i == 3
        atts.append(_Attachment(
            id=f"tgw-attach-{_hex(rng, 17)}",
            account=DASH if vpn else (account if i % 2 == 0 else other),
            vpc=DASH if vpn else f"vpc-{_hex(rng, 17)}",
            subnet=DASH if vpn else f"subnet-{_hex(rng, 17)}",
            eni=DASH if vpn else f"eni-{_hex(rng, 17)}",
            az=DASH if vpn else f"{azp}-az{i % 3 + 1}",
            net=(172, 20) if vpn else (10, 10 + i),
        ))
    base = {"resource-type": "TransitGateway", "account-id": account, "tgw-id": tgw,
            "region": region, "type": "IPv4", "log-status": "OK",
            "pkt-src-aws-service": DASH, "pkt-dst-aws-service": DASH,
            "packets-lost-no-route": "0", "packets-lost-blackhole": "0",
            "packets-lost-mtu-exceeded": "0", "packets-lost-ttl-expired": "0"}

    def rec(at: _Attachment, src_at: _Attachment, dst_at: _Attachment, src: str, dst: str,
            sport: str, dport: str, proto: int, flags: str,
            direction: str) -> dict[str, str]:
        r = dict(base)
        r.update({
            "tgw-attachment-id": at.id,
            "tgw-pair-attachment-id": (dst_at if at is src_at else src_at).id,
            "tgw-src-vpc-account-id": src_at.account,
            "tgw-dst-vpc-account-id": dst_at.account,
            "tgw-src-vpc-id": src_at.vpc, "tgw-dst-vpc-id": dst_at.vpc,
            "tgw-src-subnet-id": src_at.subnet, "tgw-dst-subnet-id": dst_at.subnet,
            "tgw-src-eni": src_at.eni, "tgw-dst-eni": dst_at.eni,
            "tgw-src-az-id": src_at.az, "tgw-dst-az-id": dst_at.az,
            "srcaddr": src, "dstaddr": dst, "srcport": sport, "dstport": dport,
            "protocol": str(proto), "packets": _P, "bytes": _B, "start": _S, "end": _E,
            "tcp-flags": flags if proto == 6 else "0", "flow-direction": direction,
        })
        return r

    convs: list[_Conv] = []
    for _ in range(max(8, count)):
        a, b = rng.sample(atts, 2)
        client = _private_ip(rng, *a.net)
        server = _private_ip(rng, *b.net)
        proto, port = rng.choice(((6, "443"), (6, "443"), (6, "5432"), (6, "22"), (17, "53"),
                                  (1, "0"), (6, "3389")))
        cport = "0" if proto == 1 else _EPH
        phase = rng.choice(_TCP_PHASES)
        req = rec(a, a, b, client, server, cport, port, proto, str(phase[0]), "ingress")
        if rng.random() < 0.05:  # dropped at the gateway: no reply
            req[rng.choice(("packets-lost-no-route", "packets-lost-blackhole"))] = _P
            convs.append(_Conv(compile_(req), None, 5, 60, 1.0, 60))
            continue
        rep = rec(b, b, a, server, client, port, cport, proto, str(phase[1]), "ingress")
        convs.append(_Conv(compile_(req), compile_(rep), 150, 200, 1.2, 700))
    return convs, [{**base, "tgw-attachment-id": at.id, "tgw-src-vpc-account-id": at.account,
                    "tgw-src-vpc-id": at.vpc, "tgw-src-subnet-id": at.subnet,
                    "tgw-src-eni": at.eni, "tgw-src-az-id": at.az} for at in atts]


_Pool = tuple[list[_Conv], list[_Conv], list[str], list[str]]


def _pool(rng: random.Random, fields: tuple[str, ...], is_tgw: bool, account: str,
          region: str, interfaces: int, pool_size: int) -> _Pool:
    """(accepted conversations, rejected ones, NODATA rows, SKIPDATA rows) of a world."""
    compile_ = _Compiler(fields, _format_version(fields))
    if is_tgw:
        ok, attachments = _tgw_conversations(rng, account, region, compile_, pool_size)
        idle = [_nodata(m, "NODATA", compile_) for m in attachments]
        skipped = [_nodata(m, "SKIPDATA", compile_) for m in attachments]
        return ok, [], idle, skipped
    world = _build_world(rng, account, region, interfaces)
    ok, bad = _vpc_conversations(rng, world, compile_, pool_size,
                                 with_bpa="reject-reason" in fields)
    metas = [e.meta for e in world.enis] + [world.nat.meta, world.vpce.meta]  # type: ignore[union-attr]
    idle = [_nodata(m, "NODATA", compile_) for m in metas]
    skipped = [_nodata(m, "SKIPDATA", compile_) for m in metas]
    return ok, bad, idle, skipped


@functools.lru_cache(maxsize=16)
def _stable_pool(world_seed: str, fields: tuple[str, ...], is_tgw: bool, account: str,
                 region: str, interfaces: int) -> _Pool:
    """One flow log's world, built once: every file of it draws from the same pool."""
    return _pool(random.Random(f"flowtui-world:{world_seed}"), fields, is_tgw, account,
                 region, interfaces, STABLE_POOL)


def _format_version(fields: Sequence[str]) -> int:
    return max((FIELDS[f].version for f in fields if f in FIELDS), default=2)


def generate_lines(
    n: int,
    *,
    seed: int = 0,
    fields: Sequence[str] = DEFAULT_FIELDS,
    start: int = DEFAULT_START,
    span: int = 300,
    interfaces: int = 12,
    account: str = "123456789012",
    region: str = "us-east-1",
    reject_rate: float = 0.15,
    nodata_rate: float = 0.004,
    skipdata_rate: float = 0.001,
    world_seed: int | str | None = None,
) -> Iterator[str]:
    """Yield ``n`` flow-log records (no header, no newline) in the given field order.

    ``world_seed`` fixes the world (interfaces, addresses, the conversations between them)
    apart from ``seed``, which then only varies the traffic: the files of one flow log show
    the same interfaces and hosts, as a real VPC's do. Without it both come from ``seed``.

    Records belong to one capture window ``[start, start + span)``: every ``start``/``end``
    lies inside it, ``end - start`` is 0..60 s. A field list with any Transit Gateway field
    gives TGW records (no action, no ENI); otherwise VPC records. ``version`` is the highest
    version among the fields, as AWS writes it. Same arguments, same lines.
    """
    if n <= 0:
        return
    fields = tuple(fields)
    rng = random.Random(f"flowtui-synth:{seed}")
    is_tgw = any(FIELDS[f].family == "tgw" for f in fields if f in FIELDS)
    if world_seed is None:
        ok, bad, idle, skipped = _pool(rng, fields, is_tgw, account, region, interfaces,
                                       max(16, min(n // 12, 6000)))
    else:
        ok, bad, idle, skipped = _stable_pool(str(world_seed), fields, is_tgw, account,
                                              region, interfaces)

    # Rejected conversations give one record, accepted ones two; choose the conversation
    # share that makes ``reject_rate`` of the records REJECT.
    q_bad = 2 * reject_rate / (1 + reject_rate) if bad else 0.0
    q_nodata = nodata_rate
    q_skip = nodata_rate + skipdata_rate
    last = max(0, span - 1)
    window_end = start + last
    n_ok, n_bad, n_idle = len(ok), len(bad), len(idle)
    rand = rng.random
    emitted = 0
    while emitted < n:
        r = rand()
        if r < q_skip:
            t = start + int(rand() * min(last, 30))
            e = min(t + 55 + int(rand() * 6), window_end)
            yield (idle if r < q_nodata else skipped)[int(rand() * n_idle)].format(0, 0, t, e, 0)
            emitted += 1
            continue
        if rand() < q_bad:
            c = bad[int(rand() * n_bad)]
        else:
            c = ok[int(rand() * n_ok)]
        s = start + int(rand() * span)
        e = s + int(rand() * rand() * 61)
        if e > window_end:
            e = window_end
        eph = c.eph_lo + int(rand() * c.eph_span)
        p = int(c.pmax ** rand()) or 1
        yield c.req.format(p, p * c.bpp + int(rand() * p * 40), s, e, eph)
        emitted += 1
        if c.reply is not None and emitted < n:
            p2 = int(p * c.ratio) or 1
            yield c.reply.format(p2, p2 * c.rbpp + int(rand() * p2 * 40), s, e, eph)
            emitted += 1


_BAD_KINDS = ("short", "port", "long", "blank", "double-space")


def with_bad_lines(lines: Iterable[str], fields: Sequence[str], *, every: int = 50,
                   seed: int = 0) -> Iterator[str]:
    """Pass ``lines`` through, spoiling one line in ``every``: a dropped field, a
    non-integer port, an extra value, a blank line, or a double space (which is *valid*:
    readers must split on whitespace runs, reference §5.4)."""
    rng = random.Random(f"flowtui-bad:{seed}")
    port_col = next((i for i, f in enumerate(fields) if f in ("srcport", "dstport")), None)
    for i, line in enumerate(lines):
        if i % every != every - 1:
            yield line
            continue
        kind = _BAD_KINDS[(i // every) % len(_BAD_KINDS)]
        parts = line.split(" ")
        if kind == "short" and len(parts) > 1:
            del parts[rng.randrange(len(parts))]
            yield " ".join(parts)
        elif kind == "port" and port_col is not None:
            parts[port_col] = rng.choice(("abc", "http", "4x3", "-1"))
            yield " ".join(parts)
        elif kind == "long":
            yield line + " extra"
        elif kind == "blank":
            yield ""
        else:
            yield line.replace(" ", "  ", 1)


def make_text_object(lines: Iterable[str], fields: Sequence[str], *, compress: bool = True,
                     compresslevel: int = 6) -> bytes:
    """A text flow-log object as AWS writes it: header of field names, records; gzip."""
    body = " ".join(fields) + "\n" + "".join(line + "\n" for line in lines)
    data = body.encode("utf-8")
    return gzip.compress(data, compresslevel=compresslevel, mtime=0) if compress else data


_PARQUET_INT32 = {"version", "srcport", "dstport", "protocol", "tcp-flags", "traffic-path",
                  "encryption-status"}
_PARQUET_INT64 = {"packets", "bytes", "start", "end", "packets-lost-no-route",
                  "packets-lost-blackhole", "packets-lost-mtu-exceeded",
                  "packets-lost-ttl-expired"}


def parquet_name(field_name: str) -> str:
    """The Parquet column name AWS uses for a field (snake_case)."""
    return field_name.replace("-", "_")


def make_parquet_object(lines: Iterable[str], fields: Sequence[str], *,
                        compression: str = "gzip") -> bytes:
    """A Parquet flow-log object: snake_case columns, INT_32/INT_64/STRING as in reference
    §2, nulls where the text has '-'. Lines must have exactly ``len(fields)`` values."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    names = [parquet_name(f) for f in fields]
    types = {
        parquet_name(f): pa.int32() if f in _PARQUET_INT32
        else pa.int64() if f in _PARQUET_INT64 else pa.string()
        for f in fields
    }
    text = "".join(line + "\n" for line in lines).encode("utf-8")
    if text:
        table = pacsv.read_csv(
            io.BytesIO(text),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=" ", quote_char=False,
                                              double_quote=False, escape_char=False),
            convert_options=pacsv.ConvertOptions(column_types=types, null_values=[DASH],
                                                 strings_can_be_null=True,
                                                 quoted_strings_can_be_null=False),
        )
    else:
        table = pa.table({name: pa.array([], type=types[name]) for name in names})
    out = io.BytesIO()
    pq.write_table(table, out, compression=compression)
    return out.getvalue()


LAYOUTS: tuple[str, ...] = ("default", "hourly", "hive", "hive-hourly")


def object_key(
    *,
    layout: str = "default",
    prefix: str = "",
    account: str = "123456789012",
    region: str = "us-east-1",
    flow_log_id: str = "fl-0a1b2c3d4e5f67890",
    when: datetime,
    fmt: str = "text",
    hash: str | None = None,
) -> str:
    """An S3 key in one of the four delivery layouts (reference §6.1, §6.2).

    ``when`` is the file's UTC time (naive datetimes are taken as UTC); the file name is
    stamped to the minute. Without ``hash`` a stable 8-hex suffix is derived from the rest.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
    if fmt not in ("text", "parquet"):
        raise ValueError(f"unknown format {fmt!r}; expected 'text' or 'parquet'")
    t = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    y, mo, d, h = f"{t:%Y}", f"{t:%m}", f"{t:%d}", f"{t:%H}"
    if layout.startswith("hive"):
        folder = (f"AWSLogs/aws-account-id={account}/aws-service=vpcflowlogs/"
                  f"aws-region={region}/year={y}/month={mo}/day={d}/")
        if layout == "hive-hourly":
            folder += f"hour={h}/"
    else:
        folder = f"AWSLogs/{account}/vpcflowlogs/{region}/{y}/{mo}/{d}/"
        if layout == "hourly":
            folder += f"{h}/"
    stem = f"{account}_vpcflowlogs_{region}_{flow_log_id}_{t:%Y%m%dT%H%MZ}"
    if hash is None:
        hash = hashlib.sha1(f"{prefix}|{folder}|{stem}|{fmt}".encode()).hexdigest()[:8]
    ext = ".log.parquet" if fmt == "parquet" else ".log.gz"
    lead = prefix if not prefix or prefix.endswith("/") else prefix + "/"
    return f"{lead}{folder}{stem}_{hash}{ext}"


# ------------------------------------------------------------- the demo's daily incident
#
# Every day from 14:00 to 14:15 UTC the demo's main flow log records one incident on fixed
# hosts, so the README's examples find it whatever time the demo is started (the demo
# writes it for yesterday, and for today once 14:15 has passed). Every name and address of
# it is a constant here, for reuse (an EC2 inventory of the demo describes these hosts):
#
#   14:00-14:15  HEAVY_UPLOADER and WEB_CLIENTS send to WEB on 443 (ACCEPT, both ways);
#                HEAVY_UPLOADER sends the most bytes to WEB.
#   14:00-14:15  SSH_GUESSERS try BASTION on 22 again and again (REJECT).
#   14:02-14:09  NACL_CLIENTS reach WEB on 443 (ACCEPT), and WEB's replies to their ephemeral
#                ports are REJECTed on the way out: a network ACL without an outbound rule for
#                1024-65535 (reference §3.1: NACLs are stateless, security groups are not).
#   14:05-14:06  SCANNER sweeps SCANNED_PORTS on WEB and BASTION (one REJECTed SYN each).
#   14:07-14:08  BPA_SOURCE reaches APP on 443 and is refused by VPC Block Public Access:
#                REJECT with no bytes (reference §2.1); a flow log with ``reject-reason``
#                (BPA_FIELDS) says ``BPA`` (§2.6).
#
# Documentation address ranges (RFC 5737) stand for the internet hosts.

INCIDENT_HOUR, INCIDENT_MINUTE = 14, 0  # the incident starts at 14:00 UTC, lasts 15 minutes
INCIDENT_SECONDS = 15 * 60
INCIDENT_VPC = "vpc-0de30000000000001"
INCIDENT_SUBNET = "subnet-0de30000000000001"
INCIDENT_AZ = "use1-az1"


@dataclass(frozen=True)
class IncidentHost:
    """One instance of the incident: its role, private address, ENI and instance id."""

    role: str
    ip: str
    eni: str
    instance: str


WEB = IncidentHost("web", "10.0.1.10", "eni-0de30000000000010", "i-0de30000000000010")
BASTION = IncidentHost("bastion", "10.0.1.20", "eni-0de30000000000020", "i-0de30000000000020")
APP = IncidentHost("app", "10.0.1.30", "eni-0de30000000000030", "i-0de30000000000030")
INCIDENT_HOSTS = (WEB, BASTION, APP)
SCANNER = "203.0.113.66"
SCANNED_PORTS = (21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 389, 443, 445, 465, 587,
                 993, 995, 1433, 1521, 2049, 2375, 3306, 3389, 5432, 5900, 6379, 8080, 8443,
                 9200, 11211, 27017)
SSH_GUESSERS = ("198.51.100.23", "192.0.2.44")
NACL_CLIENTS = ("198.51.100.7", "198.51.100.8")
HEAVY_UPLOADER = "198.51.100.200"
WEB_CLIENTS = ("198.51.100.31", "198.51.100.32", "192.0.2.15", "192.0.2.16")
BPA_SOURCE = "192.0.2.99"
#: A custom v8 format with ``reject-reason``: the demo's second flow log (on APP's ENI).
BPA_FIELDS: tuple[str, ...] = tuple(
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
    "start end action log-status flow-direction reject-reason".split())


def incident_start(day: date) -> int:
    """Epoch seconds of the incident's start on ``day`` (UTC)."""
    return int(datetime(day.year, day.month, day.day, INCIDENT_HOUR, INCIDENT_MINUTE,
                        tzinfo=UTC).timestamp())


def _incident_eni(host: IncidentHost, account: str, region: str) -> _Eni:
    meta = {"account-id": account, "interface-id": host.eni, "vpc-id": INCIDENT_VPC,
            "subnet-id": INCIDENT_SUBNET, "instance-id": host.instance, "region": region,
            "az-id": INCIDENT_AZ, "interface-type": "interface",
            "instance-tag": f"{host.role}-1"}
    return _Eni(meta, host.ip, None, "instance")


def incident_records(day: date, *, fields: Sequence[str] = DEFAULT_FIELDS,
                     account: str = "111122223333", region: str = "us-east-1",
                     only: Sequence[str] | None = None) -> list[tuple[int, int, str]]:
    """The incident of ``day`` as (start, end, line) in start order, in ``fields``' format.
    ``only`` keeps the records of those interface ids. Same day, same records."""
    rng = random.Random(f"flowtui-incident:{day.isoformat()}")
    compile_ = _Compiler(tuple(fields), _format_version(fields))
    web, bastion, app = (_incident_eni(h, account, region) for h in INCIDENT_HOSTS)
    t0 = incident_start(day)
    out: list[tuple[int, int, str, str]] = []  # start, end, interface, line

    def emit(eni: _Eni, rec: dict[str, str], start: int, packets: int, size: int,
             eph: int) -> None:
        end = min(start + rng.randrange(2, 40), t0 + INCIDENT_SECONDS - 1)
        values = (packets, size if rec["bytes"] == _B else DASH, start, end, eph)
        out.append((start, end, eni.meta["interface-id"], compile_(rec).format(*values)))

    def conversation(client: str, packets: int, size: int, start: int, *,
                     reply_action: str = "ACCEPT", phase: tuple[int, int] = (3, 19),
                     reply_packets: int | None = None, reply_size: int | None = None) -> None:
        eph = rng.randrange(32768, 60999)
        req, rep = _pair(web, False, client, WEB.ip, _EPH, "443", 6, phase, path="8",
                         reply_action=reply_action)
        emit(web, req, start, packets, size, eph)
        back = reply_packets if reply_packets is not None else max(1, packets * 3 // 2)
        emit(web, rep, start, back, reply_size if reply_size is not None else back * 1100, eph)

    for minute in range(15):
        at = t0 + minute * 60
        conversation(HEAVY_UPLOADER, 9000, 9000 * 1400, at + rng.randrange(0, 20),
                     reply_packets=4500, reply_size=4500 * 52)  # an upload: ACKs come back
        for client in WEB_CLIENTS:
            p = rng.randrange(10, 200)
            conversation(client, p, p * rng.randrange(200, 900), at + rng.randrange(0, 50))
        for guesser in SSH_GUESSERS:
            for second in (5, 35):
                rec = _flow(bastion, "ingress", guesser, BASTION.ip, _EPH, "22", 6, "2",
                            "REJECT")
                p = rng.randrange(2, 6)
                emit(bastion, rec, at + second + rng.randrange(0, 10), p, p * 60,
                     rng.randrange(32768, 60999))
        if 2 <= minute < 9:
            for client in NACL_CLIENTS:
                for second in (0, 20, 40):
                    conversation(client, 2, 120, at + second + rng.randrange(0, 10),
                                 reply_action="REJECT", phase=(2, 18), reply_packets=2,
                                 reply_size=120)  # SYN-ACKs, sent again, never let out
        if minute == 5:
            for host, eni in ((WEB, web), (BASTION, bastion)):
                for i, port in enumerate(SCANNED_PORTS):
                    rec = _flow(eni, "ingress", SCANNER, host.ip, _EPH, str(port), 6, "2",
                                "REJECT")
                    emit(eni, rec, at + i, 1, 44, 40000 + i)
        if minute == 7:
            for second in range(0, 60, 10):
                rec = _flow(app, "ingress", BPA_SOURCE, APP.ip, _EPH, "443", 6, "2", "REJECT")
                rec["reject-reason"] = "BPA"
                rec["bytes"] = DASH  # BPA records carry no bytes (reference §2.1)
                emit(app, rec, at + second, 2, 0, rng.randrange(32768, 60999))
    out.sort(key=lambda item: item[0])
    return [(start, end, line) for start, end, eni, line in out if only is None or eni in only]
