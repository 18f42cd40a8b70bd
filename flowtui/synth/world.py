"""The world a synthetic flow log is drawn from: a VPC's interfaces, hosts and addresses.

Apart from the conversations because the demo's incident and the EC2 inventory of the demo
need the interfaces alone. A small world is drawn once from a seed; the conversations
(``conversations.py``) are drawn between its members.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from flowtui.fields import FIELDS
from flowtui.synth.records import DASH

# Published-looking AWS public ranges, per service code (first two octets, third octet range).
AWS_RANGES: dict[str, tuple[tuple[int, int, int, int], ...]] = {
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


def hex_id(rng: random.Random, n: int) -> str:
    return f"{rng.getrandbits(4 * n):0{n}x}"


def az_prefix(region: str) -> str:
    if region in _AZ_PREFIX:
        return _AZ_PREFIX[region]
    parts = region.split("-")
    return parts[0] + "".join(p[0] for p in parts[1:-1]) + parts[-1]


@dataclass
class Eni:
    """A recording interface and the metadata every record on it carries."""

    meta: dict[str, str]
    ip: str
    ipv6: str | None
    kind: str  # instance | nat | vpce | ecs
    encrypted: bool = False


@dataclass
class World:
    account: str
    region: str
    vpc_cidr: tuple[int, int]
    enis: list[Eni] = field(default_factory=list)
    nat: Eni | None = None
    vpce: Eni | None = None
    internal_hosts: list[str] = field(default_factory=list)
    dns_server: str = "10.0.2.53"
    encryption_controls: bool = False


def private_ip(rng: random.Random, a: int, b: int) -> str:
    return f"{a}.{b}.{rng.randrange(0, 16)}.{rng.randrange(4, 255)}"


def public_ip(rng: random.Random) -> str:
    return (f"{rng.choice(_PUBLIC_OCTETS)}.{rng.randrange(0, 256)}."
            f"{rng.randrange(0, 256)}.{rng.randrange(1, 255)}")


def aws_ip(rng: random.Random, service: str) -> str:
    a, b, lo, hi = rng.choice(AWS_RANGES[service])
    return f"{a}.{b}.{rng.randint(lo, hi)}.{rng.randrange(1, 255)}"


def build_world(rng: random.Random, account: str, region: str, interfaces: int) -> World:
    world = World(account=account, region=region, vpc_cidr=(10, rng.randrange(0, 8)))
    world.encryption_controls = rng.random() < 0.5
    a, b = world.vpc_cidr
    vpc = f"vpc-{hex_id(rng, 17)}"
    azp = az_prefix(region)
    subnets = [(f"subnet-{hex_id(rng, 17)}", f"{azp}-az{i + 1}") for i in range(3)]
    roles = ("web", "api", "db", "cache", "batch", "bastion")

    def meta(kind: str, idx: int) -> dict[str, str]:
        subnet, az = subnets[idx % len(subnets)]
        role = roles[idx % len(roles)]
        m = {
            "account-id": account, "interface-id": f"eni-{hex_id(rng, 17)}", "vpc-id": vpc,
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
            m["instance-id"] = f"i-{hex_id(rng, 17)}"
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
            task = hex_id(rng, 32)
            arn = f"arn:aws:ecs:{region}:{account}"
            m.update({
                "ecs-cluster-arn": f"{arn}:cluster/{role}", "ecs-cluster-name": role,
                "ecs-container-id": f"{hex_id(rng, 32)}-{rng.randrange(10**9, 10**10)}",
                "ecs-service-name": f"{role}-svc",
                "ecs-task-definition-arn": f"{arn}:task-definition/{role}:{rng.randint(1, 90)}",
                "ecs-task-arn": f"{arn}:task/{role}/{task}", "ecs-task-id": task,
            })
            if rng.random() < 0.5:
                m["ecs-second-container-id"] = f"{hex_id(rng, 32)}-{rng.randrange(10**9, 10**10)}"
        return m

    count = max(1, interfaces)
    for i in range(count):
        kind = "ecs" if i % 5 == 4 else "instance"
        ipv6 = f"2600:1f18:{rng.randrange(0x1000, 0xffff):x}:{rng.randrange(0x100, 0xfff):x}::{rng.randrange(1, 0xffff):x}" if i % 4 == 0 else None  # noqa: E501
        world.enis.append(Eni(meta(kind, i), private_ip(rng, a, b), ipv6, kind,
                              encrypted=rng.random() < 0.7))
    world.nat = Eni(meta("nat", count), private_ip(rng, a, b), None, "nat")
    world.vpce = Eni(meta("vpce", count + 1), private_ip(rng, a, b), None, "vpce")
    world.internal_hosts = [private_ip(rng, a, b) for _ in range(12)]
    world.dns_server = f"{a}.{b}.2.53"
    _distinct_addresses(world)
    return world


def _distinct_addresses(world: World) -> None:
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
