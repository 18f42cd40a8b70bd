"""The conversations of a synthetic flow log: who talks to whom, how, and what is refused.

Apart from the world (``world.py``) and the lines (``lines.py``): a pool of conversation
templates is compiled once per world and field list (VPC or Transit Gateway records), and
``generate_lines`` only draws from it. The facts followed are the reference's (TCP flags by
phase §3.6, NAT gateways and ``pkt-*addr`` §4, Block Public Access §3.9, traffic paths §3.5).
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass

from flowtui.synth.records import (
    BYTES,
    DASH,
    END,
    EPHEMERAL,
    PACKETS,
    START,
    TCP_PHASES,
    Compiler,
    Conv,
    format_version,
    nodata,
)
from flowtui.synth.world import (
    Eni,
    World,
    aws_ip,
    az_prefix,
    build_world,
    hex_id,
    private_ip,
    public_ip,
)

#: Conversations in a world fixed by ``world_seed`` (enough for a day of one VPC's files).
STABLE_POOL = 400


def flow(eni: Eni, direction: str, src: str, dst: str, sport: str, dport: str, proto: int,
         flags: str, action: str, *, path: str = DASH, src_svc: str = DASH,
         dst_svc: str = DASH, pkt_src: str | None = None, pkt_dst: str | None = None,
         enc: str = DASH, next_hop: dict[str, str] | None = None) -> dict[str, str]:
    rec = dict(eni.meta)
    rec.update({
        "srcaddr": src, "dstaddr": dst, "srcport": sport, "dstport": dport,
        "protocol": str(proto), "packets": PACKETS, "bytes": BYTES, "start": START, "end": END,
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


def pair(eni: Eni, local_is_client: bool, client: str, server: str, cport: str, sport: str,
         proto: int, phase: tuple[int, int], *, path: str = DASH, server_svc: str = DASH,
         enc: str = DASH, reply_action: str = "ACCEPT",
         pkt_client: str | None = None, pkt_server: str | None = None,
         next_hop: dict[str, str] | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """A request and its reply as seen on ``eni``; the reply has ports and addresses swapped."""
    tcp = proto == 6
    f_req, f_rep = (str(phase[0]), str(phase[1])) if tcp else ("0", "0")
    d_req, d_rep = ("egress", "ingress") if local_is_client else ("ingress", "egress")
    req = flow(eni, d_req, client, server, cport, sport, proto, f_req, "ACCEPT", path=path,
               dst_svc=server_svc, pkt_src=pkt_client, pkt_dst=pkt_server, enc=enc,
               next_hop=next_hop if d_req == "egress" else None)
    rep = flow(eni, d_rep, server, client, sport, cport, proto, f_rep, reply_action,
               path=path, src_svc=server_svc, pkt_src=pkt_server, pkt_dst=pkt_client,
               enc=enc, next_hop=next_hop if d_rep == "egress" else None)
    return req, rep


def enc(world: World, eni: Eni, port: int) -> str:
    if not world.encryption_controls:
        return DASH
    app = port in (443, 22, 5432, 3306)
    return str((1 if eni.encrypted else 0) | (2 if app else 0))


def _vpc_conversations(rng: random.Random, world: World, compile_: Compiler,
                       count: int, with_bpa: bool) -> tuple[list[Conv], list[Conv]]:
    """(accepted conversations, rejected ones) for a VPC flow log."""
    ok: list[Conv] = []
    bad: list[Conv] = []
    nat = world.nat
    assert nat is not None and world.vpce is not None
    kinds = ("web_in", "web_in", "aws_out", "aws_out", "internet_out", "nat", "nat",
             "east_west", "east_west", "east_west", "peering", "dns", "dns", "ntp", "icmp",
             "ipv6_out", "vpce", "nacl_reply")
    bad_kinds = ("scan", "scan", "scan", "ssh_scan", "internal_deny")
    n_bad = max(4, count // 5)
    n_ok = max(8, count - n_bad)

    def conv(req: dict[str, str], rep: dict[str, str] | None, pmax: float, bpp: int,
             ratio: float = 1.0, rbpp: int = 60, windows: bool = False) -> Conv:
        lo, span = (49152, 16384) if windows else (32768, 28232)
        return Conv(compile_(req), compile_(rep) if rep is not None else None,
                    pmax, bpp, ratio, rbpp, lo, span)

    for _ in range(n_ok):
        kind = rng.choice(kinds)
        eni = rng.choice(world.enis)
        phase = rng.choice(TCP_PHASES)
        if kind == "web_in":
            port = rng.choice((443, 443, 80, 8080))
            client = public_ip(rng)
            req, rep = pair(eni, False, client, eni.ip, EPHEMERAL, str(port), 6, phase,
                            path=rng.choice(("8", "8", "2")), enc=enc(world, eni, port))
            ok.append(conv(req, rep, 60, 90, 1.6, 1100, windows=rng.random() < 0.3))
        elif kind == "aws_out":
            svc = rng.choice(("S3", "S3", "DYNAMODB", "EC2", "AMAZON", "CLOUDFRONT"))
            server = aws_ip(rng, svc)
            path = rng.choice(("7", "2")) if svc in ("S3", "DYNAMODB") else "8"
            req, rep = pair(eni, True, eni.ip, server, EPHEMERAL, "443", 6, phase, path=path,
                            server_svc=svc, enc=enc(world, eni, 443))
            ok.append(conv(req, rep, 400, 900, 0.7, 200))
        elif kind == "internet_out":
            port = rng.choice((443, 443, 80, 22))
            req, rep = pair(eni, True, eni.ip, public_ip(rng), EPHEMERAL, str(port), 6, phase,
                            path="8", enc=enc(world, eni, port))
            ok.append(conv(req, rep, 50, 120, 1.4, 1000))
        elif kind == "nat":
            # One instance->internet connection through the NAT gateway, recorded on the
            # NAT ENI: the inside pair carries the internet host only in pkt-*addr
            # (reference §4); the outside pair agrees on both.
            host, port = public_ip(rng), rng.choice((443, 443, 80))
            inside = pair(nat, False, eni.ip, nat.ip, EPHEMERAL, str(port), 6, phase,
                          path="1", pkt_server=host, enc=enc(world, nat, port))
            outside = pair(nat, True, nat.ip, host, EPHEMERAL, str(port), 6, phase, path="8",
                           enc=enc(world, nat, port))
            ok.append(conv(*inside, 40, 110, 1.5, 1000))
            ok.append(conv(*outside, 40, 110, 1.5, 1000))
        elif kind == "east_west":
            others = [e for e in world.enis if e is not eni]
            server_eni = rng.choice(others or world.enis)
            port = rng.choice((3306, 5432, 6379, 22, 443, 8080, 9200))
            if not others:  # a world of one interface: its peer is the VPC's DNS host
                server_eni = Eni(dict(eni.meta), world.dns_server, None, "instance")
            hop = {"interface-id": server_eni.meta["interface-id"],
                   "subnet-id": server_eni.meta["subnet-id"],
                   "az-id": server_eni.meta["az-id"], "vpc-id": server_eni.meta["vpc-id"],
                   "interface-type": "interface"}
            local_is_client = rng.random() < 0.5
            rec_eni = eni if local_is_client else server_eni
            req, rep = pair(rec_eni, local_is_client, eni.ip, server_eni.ip, EPHEMERAL,
                            str(port), 6, phase, path="1", enc=enc(world, rec_eni, port),
                            next_hop=hop if local_is_client else None)
            ok.append(conv(req, rep, 200, 150, 1.2, 700))
        elif kind == "peering":
            server = f"172.{rng.randrange(16, 32)}.{rng.randrange(0, 256)}.{rng.randrange(1, 255)}"
            port = rng.choice((443, 5432, 27017))
            req, rep = pair(eni, True, eni.ip, server, EPHEMERAL, str(port), 6, phase,
                            path=rng.choice(("4", "4", "5")), enc=enc(world, eni, port))
            ok.append(conv(req, rep, 120, 300, 1.0, 500))
        elif kind == "dns":
            req, rep = pair(eni, True, eni.ip, world.dns_server, EPHEMERAL, "53", 17, phase,
                            path="1", enc=enc(world, eni, 53))
            ok.append(conv(req, rep, 6, 70, 1.0, 130))
        elif kind == "ntp":
            req, rep = pair(eni, True, eni.ip, public_ip(rng), "123", "123", 17, phase,
                            path="8", enc=enc(world, eni, 123))
            ok.append(conv(req, rep, 2, 76, 1.0, 76))
        elif kind == "icmp":
            peer = rng.choice(world.internal_hosts + [public_ip(rng)])
            local_is_client = rng.random() < 0.6
            client, server = (eni.ip, peer) if local_is_client else (peer, eni.ip)
            req, rep = pair(eni, local_is_client, client, server, "0", "0", 1, phase,
                            path="1" if peer.startswith("10.") else "8",
                            enc=enc(world, eni, 0))
            ok.append(conv(req, rep, 10, 84, 1.0, 84))
        elif kind == "ipv6_out":
            v6 = [e for e in world.enis if e.ipv6]
            if not v6:
                continue
            eni = rng.choice(v6)
            src = eni.ipv6 or ""
            dst = f"2600:1f18:{rng.randrange(0x1000, 0xffff):x}::{rng.randrange(1, 0xffff):x}"
            req, rep = pair(eni, True, src, dst, EPHEMERAL, "443", 6, phase, path="8",
                            enc=enc(world, eni, 443))
            ok.append(conv(req, rep, 80, 200, 1.3, 1100))
        elif kind == "vpce":
            vpce = world.vpce
            req, rep = pair(vpce, False, eni.ip, vpce.ip, EPHEMERAL, "443", 6, phase, path="1",
                            enc=enc(world, eni, 443))
            ok.append(conv(req, rep, 80, 300, 1.2, 800))
        elif kind == "nacl_reply":
            # Inbound allowed, reply refused by a stateless NACL (reference §3.1).
            req, rep = pair(eni, False, public_ip(rng), eni.ip, EPHEMERAL, "443", 6, (2, 18),
                            path="8", reply_action="REJECT", enc=enc(world, eni, 443))
            ok.append(conv(req, rep, 4, 60, 1.0, 60))

    for _ in range(n_bad):
        kind = rng.choice(bad_kinds)
        eni = rng.choice(world.enis)
        if kind in ("scan", "ssh_scan"):
            port = 22 if kind == "ssh_scan" else rng.choice((22, 23, 445, 3389, 1433, 5900,
                                                             8080, 6379, 9200, 25))
            rec = flow(eni, "ingress", public_ip(rng), eni.ip, EPHEMERAL, str(port), 6, "2",
                       "REJECT", enc=enc(world, eni, 0))
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
            rec = flow(eni, "ingress", src, eni.ip, EPHEMERAL, str(port), 6, "2", "REJECT",
                       enc=enc(world, eni, 0))
            bad.append(conv(rec, None, 4, 60))
    return ok, bad


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


def _tgw_conversations(rng: random.Random, account: str, region: str, compile_: Compiler,
                       count: int) -> tuple[list[Conv], list[dict[str, str]]]:
    """Conversations crossing a transit gateway, and the attachments' metadata."""
    tgw = f"tgw-{hex_id(rng, 17)}"
    azp = az_prefix(region)
    other = f"{rng.randrange(10**11, 10**12)}"
    atts = []
    for i in range(4):
        vpn = i == 3
        atts.append(_Attachment(
            id=f"tgw-attach-{hex_id(rng, 17)}",
            account=DASH if vpn else (account if i % 2 == 0 else other),
            vpc=DASH if vpn else f"vpc-{hex_id(rng, 17)}",
            subnet=DASH if vpn else f"subnet-{hex_id(rng, 17)}",
            eni=DASH if vpn else f"eni-{hex_id(rng, 17)}",
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
            "protocol": str(proto), "packets": PACKETS, "bytes": BYTES, "start": START, "end": END,
            "tcp-flags": flags if proto == 6 else "0", "flow-direction": direction,
        })
        return r

    convs: list[Conv] = []
    for _ in range(max(8, count)):
        a, b = rng.sample(atts, 2)
        client = private_ip(rng, *a.net)
        server = private_ip(rng, *b.net)
        proto, port = rng.choice(((6, "443"), (6, "443"), (6, "5432"), (6, "22"), (17, "53"),
                                  (1, "0"), (6, "3389")))
        cport = "0" if proto == 1 else EPHEMERAL
        phase = rng.choice(TCP_PHASES)
        req = rec(a, a, b, client, server, cport, port, proto, str(phase[0]), "ingress")
        if rng.random() < 0.05:  # dropped at the gateway: no reply
            req[rng.choice(("packets-lost-no-route", "packets-lost-blackhole"))] = PACKETS
            convs.append(Conv(compile_(req), None, 5, 60, 1.0, 60))
            continue
        rep = rec(b, b, a, server, client, port, cport, proto, str(phase[1]), "ingress")
        convs.append(Conv(compile_(req), compile_(rep), 150, 200, 1.2, 700))
    return convs, [{**base, "tgw-attachment-id": at.id, "tgw-src-vpc-account-id": at.account,
                    "tgw-src-vpc-id": at.vpc, "tgw-src-subnet-id": at.subnet,
                    "tgw-src-eni": at.eni, "tgw-src-az-id": at.az} for at in atts]


Pool = tuple[list[Conv], list[Conv], list[str], list[str]]


def pool(rng: random.Random, fields: tuple[str, ...], is_tgw: bool, account: str,
         region: str, interfaces: int, pool_size: int) -> Pool:
    """(accepted conversations, rejected ones, NODATA rows, SKIPDATA rows) of a world."""
    compile_ = Compiler(fields, format_version(fields))
    if is_tgw:
        ok, attachments = _tgw_conversations(rng, account, region, compile_, pool_size)
        idle = [nodata(m, "NODATA", compile_) for m in attachments]
        skipped = [nodata(m, "SKIPDATA", compile_) for m in attachments]
        return ok, [], idle, skipped
    world = build_world(rng, account, region, interfaces)
    ok, bad = _vpc_conversations(rng, world, compile_, pool_size,
                                 with_bpa="reject-reason" in fields)
    metas = [e.meta for e in world.enis] + [world.nat.meta, world.vpce.meta]  # type: ignore[union-attr]
    idle = [nodata(m, "NODATA", compile_) for m in metas]
    skipped = [nodata(m, "SKIPDATA", compile_) for m in metas]
    return ok, bad, idle, skipped


@functools.lru_cache(maxsize=16)
def stable_pool(world_seed: str, fields: tuple[str, ...], is_tgw: bool, account: str,
                region: str, interfaces: int) -> Pool:
    """One flow log's world, built once: every file of it draws from the same pool."""
    return pool(random.Random(f"flowtui-world:{world_seed}"), fields, is_tgw, account,
                region, interfaces, STABLE_POOL)
