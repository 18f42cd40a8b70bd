"""The demo's EC2: an inventory in the demo's moto, so names and "which rule" work offline.

The demo's daily incident (``flowtui.synth.incident``: WEB, BASTION and APP on fixed interfaces and
addresses, ssh guessers, a scanner, replies refused by a network ACL) happens on hosts this
module creates in moto's EC2: instances with Name tags on those very interfaces, their
security groups, and the public subnet's network ACL whose outbound rule refuses WEB's
replies to the NACL clients' ephemeral ports — what the records show REJECTed. A NAT gateway
and an S3 endpoint interface stand beside them, as AWS describes such interfaces.

AWS's IP ranges come from a small file written here (the demo never downloads anything),
covering the AWS addresses the generated traffic uses; the names cache goes to a folder of
the demo's own, so a demo never leaves names in the user's cache.
"""

from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowtui.synth import incident
from flowtui.synth.world import AWS_RANGES

if TYPE_CHECKING:
    from types_boto3_ec2.type_defs import IpPermissionTypeDef

REGION = "us-east-1"
VPC_CIDR = "10.0.0.0/16"
PUBLIC_SUBNET = "10.0.1.0/24"
PRIVATE_SUBNET = "10.0.2.0/24"
#: The NACL clients' network: WEB's replies to their ephemeral ports are denied outbound.
NACL_CLIENT_NET = "198.51.100.0/28"
#: The outbound NACL rule that refuses them (rule 90, before the allow-all at 100).
NACL_RULE = 90


_SEEDED: dict[tuple[str, str], dict[str, str]] = {}


@dataclass(frozen=True)
class DemoHost:
    """An incident host as the demo's EC2 knows it."""

    name: str
    ip: str
    eni: str
    instance: str
    group: str  # the security group's name


def incident_hosts() -> tuple[DemoHost, ...]:
    """The incident's hosts, as ``flowtui.synth.incident`` names them."""
    return tuple(DemoHost(f"{h.role}-1", h.ip, h.eni, h.instance, h.role)
                 for h in incident.INCIDENT_HOSTS)


def seed(endpoint_url: str, *, region: str = REGION) -> dict[str, str]:
    """Create the demo's network in moto's EC2 (in this process). Returns ids by role."""
    import boto3
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.ec2.models import ec2_backends

    ec2 = boto3.client("ec2", endpoint_url=endpoint_url, region_name=region)
    account = os.environ.get("MOTO_ACCOUNT_ID") or DEFAULT_ACCOUNT_ID
    if (account, region) in _SEEDED:  # moto's state is the process's: seeded once
        return dict(_SEEDED[(account, region)])
    backend = ec2_backends[account][region]
    ids: dict[str, str] = {}
    vpc = ec2.create_vpc(CidrBlock=VPC_CIDR)["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "demo-prod"}])
    public = ec2.create_subnet(VpcId=vpc, CidrBlock=PUBLIC_SUBNET)["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock=PRIVATE_SUBNET)["Subnet"]["SubnetId"]
    ids.update(vpc=vpc, public=public, private=private)

    rules: dict[str, list[IpPermissionTypeDef]] = {
        "web": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                 "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        "bastion": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                     "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}],
        "app": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                 "IpRanges": [{"CidrIp": VPC_CIDR}]}],
    }
    groups: dict[str, str] = {}
    for name, permissions in rules.items():
        group = ec2.create_security_group(GroupName=name, Description=f"demo {name} tier",
                                          VpcId=vpc)["GroupId"]
        ec2.create_tags(Resources=[group], Tags=[{"Key": "Name", "Value": f"sg-{name}"}])
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=permissions)
        groups[name] = ids[f"sg-{name}"] = group

    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_tags(Resources=[acl], Tags=[{"Key": "Name", "Value": "public-acl"}])
    for number, egress, protocol, action, cidr, ports in (
            (100, False, "-1", "allow", "0.0.0.0/0", None),
            (NACL_RULE, True, "6", "deny", NACL_CLIENT_NET, {"From": 1024, "To": 65535}),
            (100, True, "-1", "allow", "0.0.0.0/0", None)):
        entry: dict[str, Any] = {"NetworkAclId": acl, "RuleNumber": number,
                                 "Protocol": protocol, "RuleAction": action, "Egress": egress,
                                 "CidrBlock": cidr}
        if ports:
            entry["PortRange"] = ports
        ec2.create_network_acl_entry(**entry)
    association = next(a for found in ec2.describe_network_acls(Filters=[
        {"Name": "association.subnet-id", "Values": [public]}])["NetworkAcls"]
        for a in found["Associations"] if a["SubnetId"] == public)
    ec2.replace_network_acl_association(
        AssociationId=association["NetworkAclAssociationId"], NetworkAclId=acl)
    ids["acl"] = acl

    for host in incident_hosts():
        made = ec2.run_instances(
            ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.micro",
            SubnetId=public, PrivateIpAddress=host.ip, SecurityGroupIds=[groups[host.group]],
        )["Instances"][0]
        # The records name fixed interface and instance ids: give moto's objects those ids
        # (then tag them: moto keeps tags by id).
        _rename(backend, made["InstanceId"], host.instance,
                made["NetworkInterfaces"][0]["NetworkInterfaceId"], host.eni)
        ec2.create_tags(Resources=[host.instance], Tags=[{"Key": "Name", "Value": host.name}])
        ids[host.name] = host.eni

    nat = ec2.create_nat_gateway(SubnetId=public)["NatGateway"]
    nat_eni = backend.enis[nat["NatGatewayAddresses"][0]["NetworkInterfaceId"]]
    # moto leaves these plain; AWS describes the NAT gateway's interface so, with no
    # security group (moto gives it the VPC's default group; AWS lets none be associated)
    nat_eni.interface_type, nat_eni.requester_managed = "nat_gateway", True
    nat_eni._group_set = []
    nat_eni.description = f"Interface for NAT Gateway {nat['NatGatewayId']}"
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc, VpcEndpointType="Interface", ServiceName=f"com.amazonaws.{region}.s3",
        SubnetIds=[private])["VpcEndpoint"]
    vpce_eni = backend.enis[endpoint["NetworkInterfaceIds"][0]]
    vpce_eni.interface_type, vpce_eni.requester_managed = "vpc_endpoint", True
    vpce_eni.description = f"VPC Endpoint Interface {endpoint['VpcEndpointId']}"
    ids.update(nat=nat["NatGatewayId"], endpoint=endpoint["VpcEndpointId"])
    _SEEDED[(account, region)] = dict(ids)
    return ids


def _rename(backend: Any, instance_id: str, new_instance: str, eni_id: str, new_eni: str
            ) -> None:
    eni = backend.enis.pop(eni_id)
    eni.id = new_eni
    backend.enis[new_eni] = eni
    for reservation in backend.reservations.values():
        for instance in reservation.instances:
            if instance.id == instance_id:
                instance.id = new_instance


def ip_ranges_document() -> dict[str, Any]:
    """An ip-ranges.json for the AWS addresses synth draws (S3, EC2, DynamoDB, …)."""
    prefixes: list[dict[str, str]] = []
    for service, blocks in AWS_RANGES.items():
        for a, b, low, high in blocks:
            first = ipaddress.ip_address(f"{a}.{b}.{low}.0")
            last = ipaddress.ip_address(f"{a}.{b}.{high}.255")
            for net in ipaddress.summarize_address_range(first, last):
                for name in dict.fromkeys(("AMAZON", service)):
                    prefixes.append({"ip_prefix": str(net), "region": REGION,
                                     "service": name, "network_border_group": REGION})
    return {"syncToken": "0", "createDate": "2026-01-01-00-00-00", "prefixes": prefixes,
            "ipv6_prefixes": []}


def prepare(endpoint_url: str, folder: Path) -> dict[str, str]:
    """Everything the demo's names need, as environment variables for this process: the
    EC2 endpoint (moto), the IP ranges file and a cache folder of the demo's own."""
    folder.mkdir(parents=True, exist_ok=True)
    ranges = folder / "ip-ranges.json"
    ranges.write_text(json.dumps(ip_ranges_document()), encoding="utf-8")
    return {"AWS_ENDPOINT_URL_EC2": endpoint_url, "FLOWTUI_IP_RANGES": str(ranges),
            "FLOWTUI_NAMES_CACHE": str(folder / "cache")}


__all__ = ["NACL_CLIENT_NET", "NACL_RULE", "DemoHost", "incident_hosts", "ip_ranges_document",
           "prepare", "seed"]
