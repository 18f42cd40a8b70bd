"""Who an interface is: an instance's Name tag and id, or the AWS service that owns it.

An interface attached to an instance is named by the instance (its ``Name`` tag, else its
id). AWS services create requester-managed interfaces in a VPC on a user's behalf; EC2 says
whose they are through the interface's type, its description (written by the service that
created it, e.g. "VPC Endpoint Interface vpce-0…", "Interface for NAT Gateway nat-0…") and
its requester id. Those three are read here into an owner ("NAT gateway nat-0abc"). An
interface with a ``Name`` tag of its own keeps it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flowtui.names.inventory import Inventory


@dataclass(frozen=True)
class InterfaceInfo:
    """One network interface, named."""

    id: str
    name: str  # what a column shows: "web-1", "i-0abc", "NAT gateway nat-0abc"
    kind: str  # "instance", "nat-gateway", "load-balancer", "lambda", ... or "interface"
    instance_id: str = ""
    subnet_id: str = ""
    vpc_id: str = ""
    owner_id: str = ""
    security_groups: tuple[str, ...] = ()  # ids
    group_names: tuple[str, ...] = ()  # names, same order
    addresses: tuple[str, ...] = ()  # private v4 and v6, public v4
    #: The public IPv4 addresses among ``addresses`` (an Elastic IP, an auto-assigned one):
    #: a security-group reference matches a member's private addresses, not these.
    public_addresses: tuple[str, ...] = ()
    description: str = ""

    def label(self) -> str:
        """``web-1 (i-0abc, sg-web)``: the name, then what identifies it, for the story."""
        parts: list[str] = []
        if self.instance_id and self.instance_id != self.name:
            parts.append(self.instance_id)
        parts.extend(self.group_names or self.security_groups)
        return f"{self.name} ({', '.join(parts)})" if parts else self.name


#: (test on type/description/requester) → kind, and how the owner's id is found.
_MANAGED: list[tuple[str, str, re.Pattern[str] | None, str]] = [
    # type, kind, description pattern (group 1 is the owner), label
    ("nat_gateway", "nat-gateway", re.compile(r"NAT Gateway\s+(nat-[0-9a-f]+)"), "NAT gateway"),
    ("natGateway", "nat-gateway", re.compile(r"NAT Gateway\s+(nat-[0-9a-f]+)"), "NAT gateway"),
    ("vpc_endpoint", "vpc-endpoint", re.compile(r"(vpce-[0-9a-f]+)"), "VPC endpoint"),
    ("gateway_load_balancer_endpoint", "vpc-endpoint", re.compile(r"(vpce-[0-9a-f]+)"),
     "GWLB endpoint"),
    ("lambda", "lambda", re.compile(r"AWS Lambda VPC ENI-(.+?)(?:-[0-9a-f]{8}-[0-9a-f-]{27})?$"),
     "Lambda"),
    ("network_load_balancer", "load-balancer", re.compile(r"ELB (\S+)"), "ELB"),
    ("load_balancer", "load-balancer", re.compile(r"ELB (\S+)"), "ELB"),
    ("gateway_load_balancer", "load-balancer", re.compile(r"ELB (\S+)"), "ELB"),
    ("transit_gateway", "transit-gateway",
     re.compile(r"(tgw-attach-[0-9a-f]+)"), "TGW attachment"),
    ("api_gateway_managed", "api-gateway", None, "API Gateway"),
    ("global_accelerator_managed", "global-accelerator", None, "Global Accelerator"),
    ("quicksight", "quicksight", None, "QuickSight"),
]
#: Descriptions that say who owns an interface whatever its type (many are plain "interface").
_DESCRIPTIONS: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"^Interface for NAT Gateway (nat-[0-9a-f]+)"), "nat-gateway", "NAT gateway"),
    (re.compile(r"^VPC Endpoint Interface:? ?(vpce-[0-9a-f]+)"), "vpc-endpoint", "VPC endpoint"),
    (re.compile(r"^ELB (\S+)"), "load-balancer", "ELB"),
    (re.compile(r"^AWS Lambda VPC ENI-(.+?)(?:-[0-9a-f]{8}-[0-9a-f-]{27})?$"), "lambda",
     "Lambda"),
    (re.compile(r"^EFS mount target for (fs-[0-9a-f]+)"), "efs", "EFS"),
    (re.compile(r"^RDSNetworkInterface"), "rds", "RDS"),
    (re.compile(r"Transit Gateway Attachment (tgw-attach-[0-9a-f]+)"), "transit-gateway",
     "TGW attachment"),
    (re.compile(r"^(?:AWS created network interface for directory|AWS Directory Service)"
                r".*?(d-[0-9a-f]+)"), "directory", "Directory Service"),
    (re.compile(r"^Amazon EKS (\S+)"), "eks", "EKS"),
    (re.compile(r"^ElastiCache (\S+)"), "elasticache", "ElastiCache"),
    (re.compile(r"^Route 53 Resolver: (rslvr-\S+)"), "route53-resolver", "Route 53 Resolver"),
]
#: Requester ids AWS services use (the interface's RequesterId).
_REQUESTERS = {"amazon-elb": ("load-balancer", "ELB"), "amazon-rds": ("rds", "RDS"),
               "amazon-elasticache": ("elasticache", "ElastiCache"),
               "amazon-redshift": ("redshift", "Redshift")}


def _tag(tags: Iterable[dict[str, Any]] | None, key: str = "Name") -> str:
    for tag in tags or ():
        if tag.get("Key") == key and tag.get("Value"):
            return str(tag["Value"])
    return ""


def managed_owner(interface: dict[str, Any]) -> tuple[str, str] | None:
    """(kind, name) of the AWS service behind a requester-managed interface, or None."""
    kind_type = str(interface.get("InterfaceType") or "")
    description = str(interface.get("Description") or "")
    for pattern, kind, label in _DESCRIPTIONS:
        m = pattern.search(description)
        if m:
            return kind, f"{label} {m.group(1)}" if m.groups() else label
    for type_name, kind, type_pattern, label in _MANAGED:
        if kind_type == type_name:
            m = type_pattern.search(description) if type_pattern is not None else None
            return kind, f"{label} {m.group(1)}" if m else label
    requester = str(interface.get("RequesterId") or "")
    if requester in _REQUESTERS:
        kind, label = _REQUESTERS[requester]
        return kind, label
    if interface.get("RequesterManaged"):
        return "managed", description or "AWS-managed interface"
    return None


def instance_names(inventory: Inventory) -> dict[str, str]:
    """Instance id → its Name tag (the id itself when it has none)."""
    names: dict[str, str] = {}
    for reservation in inventory.reservations:
        for instance in reservation.get("Instances", []):
            iid = str(instance.get("InstanceId", ""))
            if iid:
                names[iid] = _tag(instance.get("Tags")) or iid
    return names


def group_names(inventory: Inventory) -> dict[str, str]:
    """Security group id → its Name tag, else its group name."""
    return {str(g["GroupId"]): _tag(g.get("Tags")) or str(g.get("GroupName") or g["GroupId"])
            for g in inventory.security_groups if g.get("GroupId")}


def describe_interface(interface: dict[str, Any], instances: dict[str, str],
                       groups: dict[str, str]) -> InterfaceInfo:
    eni = str(interface.get("NetworkInterfaceId", ""))
    attachment = interface.get("Attachment") or {}
    instance_id = str(attachment.get("InstanceId") or "")
    own_name = _tag(interface.get("TagSet"))
    owner = managed_owner(interface)
    if instance_id:
        name, kind = instances.get(instance_id, instance_id), "instance"
    elif owner is not None:
        kind, name = owner
    else:
        kind, name = "interface", ""
    if own_name and kind != "instance":
        name = own_name
    sg_ids = tuple(str(g.get("GroupId")) for g in interface.get("Groups") or []
                   if g.get("GroupId"))
    return InterfaceInfo(
        id=eni, name=name or eni, kind=kind, instance_id=instance_id,
        subnet_id=str(interface.get("SubnetId") or ""),
        vpc_id=str(interface.get("VpcId") or ""),
        owner_id=str(interface.get("OwnerId") or ""),
        security_groups=sg_ids,
        group_names=tuple(groups.get(g, g) for g in sg_ids),
        addresses=tuple(_addresses(interface)),
        public_addresses=tuple(_public_addresses(interface)),
        description=str(interface.get("Description") or ""))


def _addresses(interface: dict[str, Any]) -> Iterator[str]:
    seen: set[str] = set()

    def once(value: Any) -> Iterator[str]:
        if value and str(value) not in seen:
            seen.add(str(value))
            yield str(value)

    yield from once(interface.get("PrivateIpAddress"))
    for item in interface.get("PrivateIpAddresses") or []:
        yield from once(item.get("PrivateIpAddress"))
        yield from once((item.get("Association") or {}).get("PublicIp"))
    for item in interface.get("Ipv6Addresses") or []:
        yield from once(item.get("Ipv6Address"))
    yield from once((interface.get("Association") or {}).get("PublicIp"))


def _public_addresses(interface: dict[str, Any]) -> Iterator[str]:
    for item in interface.get("PrivateIpAddresses") or []:
        public = (item.get("Association") or {}).get("PublicIp")
        if public:
            yield str(public)
    public = (interface.get("Association") or {}).get("PublicIp")
    if public:
        yield str(public)


@dataclass
class InterfaceIndex:
    """Every interface of an inventory, by id and by address."""

    by_id: dict[str, InterfaceInfo] = field(default_factory=dict)
    by_address: dict[str, InterfaceInfo] = field(default_factory=dict)
    #: Addresses held by more than one interface (``by_address`` keeps the first): VPCs
    #: whose CIDRs overlap, every region's default VPC (172.31.0.0/16) when inventories
    #: of several regions are merged. Their holder can't be told from the address alone.
    shared: dict[str, list[InterfaceInfo]] = field(default_factory=dict)

    def add(self, key: str, info: InterfaceInfo) -> None:
        """``info`` holds the address ``key`` (canonical text)."""
        first = self.by_address.setdefault(key, info)
        if first.id == info.id:
            return
        holders = self.shared.setdefault(key, [first])
        if all(h.id != info.id for h in holders):
            holders.append(info)

    @classmethod
    def build(cls, inventory: Inventory) -> InterfaceIndex:
        import ipaddress

        index = cls()
        instances = instance_names(inventory)
        groups = group_names(inventory)
        for raw in inventory.interfaces:
            info = describe_interface(raw, instances, groups)
            index.by_id[info.id] = info
            for address in info.addresses:
                try:
                    key = str(ipaddress.ip_address(address))
                except ValueError:
                    continue
                index.add(key, info)
        return index


__all__ = ["InterfaceIndex", "InterfaceInfo", "describe_interface", "group_names",
           "instance_names", "managed_owner"]
