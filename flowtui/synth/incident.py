"""The demo's daily incident: fixed hosts, fixed times, the stories the README tells.

Apart from the random traffic (``lines.py``) because it is not random: every name and address
is a constant here, for the demo, its EC2 inventory and the tests to agree on.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flowtui.fields import DEFAULT_FIELDS
from flowtui.synth.conversations import flow, pair
from flowtui.synth.records import BYTES, DASH, EPHEMERAL, Compiler, format_version
from flowtui.synth.world import Eni

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


def _incident_eni(host: IncidentHost, account: str, region: str) -> Eni:
    meta = {"account-id": account, "interface-id": host.eni, "vpc-id": INCIDENT_VPC,
            "subnet-id": INCIDENT_SUBNET, "instance-id": host.instance, "region": region,
            "az-id": INCIDENT_AZ, "interface-type": "interface",
            "instance-tag": f"{host.role}-1"}
    return Eni(meta, host.ip, None, "instance")


def incident_records(day: date, *, fields: Sequence[str] = DEFAULT_FIELDS,
                     account: str = "111122223333", region: str = "us-east-1",
                     only: Sequence[str] | None = None) -> list[tuple[int, int, str]]:
    """The incident of ``day`` as (start, end, line) in start order, in ``fields``' format.
    ``only`` keeps the records of those interface ids. Same day, same records."""
    rng = random.Random(f"flowtui-incident:{day.isoformat()}")
    compile_ = Compiler(tuple(fields), format_version(fields))
    web, bastion, app = (_incident_eni(h, account, region) for h in INCIDENT_HOSTS)
    t0 = incident_start(day)
    out: list[tuple[int, int, str, str]] = []  # start, end, interface, line

    def emit(eni: Eni, rec: dict[str, str], start: int, packets: int, size: int,
             eph: int) -> None:
        end = min(start + rng.randrange(2, 40), t0 + INCIDENT_SECONDS - 1)
        values = (packets, size if rec["bytes"] == BYTES else DASH, start, end, eph)
        out.append((start, end, eni.meta["interface-id"], compile_(rec).format(*values)))

    def conversation(client: str, packets: int, size: int, start: int, *,
                     reply_action: str = "ACCEPT", phase: tuple[int, int] = (3, 19),
                     reply_packets: int | None = None, reply_size: int | None = None) -> None:
        eph = rng.randrange(32768, 60999)
        req, rep = pair(web, False, client, WEB.ip, EPHEMERAL, "443", 6, phase, path="8",
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
                rec = flow(bastion, "ingress", guesser, BASTION.ip, EPHEMERAL, "22", 6, "2",
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
                    rec = flow(eni, "ingress", SCANNER, host.ip, EPHEMERAL, str(port), 6, "2",
                               "REJECT")
                    emit(eni, rec, at + i, 1, 44, 40000 + i)
        if minute == 7:
            for second in range(0, 60, 10):
                rec = flow(app, "ingress", BPA_SOURCE, APP.ip, EPHEMERAL, "443", 6, "2", "REJECT")
                rec["reject-reason"] = "BPA"
                rec["bytes"] = DASH  # BPA records carry no bytes (reference §2.1)
                emit(app, rec, at + second, 2, 0, rng.randrange(32768, 60999))
    out.sort(key=lambda item: item[0])
    return [(start, end, line) for start, end, eni, line in out if only is None or eni in only]
