"""A small EC2 world in moto (server mode, on the session's loopback server) for the names
tests: a VPC with IPv6, two subnets, security groups with rules, a network ACL with DENY
entries on the app subnet, instances with and without Name tags, a NAT gateway, an interface
VPC endpoint and a Lambda interface.

moto creates the NAT gateway's and the endpoint's interfaces as plain ``interface`` with no
description; AWS gives them InterfaceType ``nat_gateway`` / ``vpc_endpoint``, RequesterManaged
true and descriptions "Interface for NAT Gateway nat-…" / "VPC Endpoint Interface vpce-…"
(EC2 user guide, "Requester-managed network interfaces"). ``seed`` sets those fields on
moto's objects so the HTTP answers look like AWS's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from flowtui.names.resolve import Names

REGION = "ap-northeast-3"  # a region no other test uses: moto's state is shared in-process


@dataclass
class World:
    endpoint_url: str
    region: str
    account: str
    vpc: str = ""
    subnet_app: str = ""
    subnet_db: str = ""
    acl: str = ""
    sg_web: str = ""
    sg_db: str = ""
    web: dict[str, Any] = field(default_factory=dict)  # instance id, eni, ip, ipv6
    db: dict[str, Any] = field(default_factory=dict)
    plain: dict[str, Any] = field(default_factory=dict)  # an instance without a Name tag
    nat: dict[str, Any] = field(default_factory=dict)  # nat id, eni, ip
    endpoint: dict[str, Any] = field(default_factory=dict)  # vpce id, eni, ip
    lambda_eni: dict[str, Any] = field(default_factory=dict)

    def client(self) -> Any:
        return raw_ec2(self.endpoint_url, self.region)


def raw_ec2(endpoint_url: str, region: str = REGION) -> Any:
    """A plain boto3 EC2 client (not flowtui's read-only one) for arranging tests."""
    return boto3.client("ec2", endpoint_url=endpoint_url, region_name=region)


def _instance(ec2: Any, subnet: str, groups: list[str], ip: str, name: str | None
              ) -> dict[str, Any]:
    tags = [{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}] if name \
        else []
    made = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1,
                             InstanceType="t3.micro", SubnetId=subnet, SecurityGroupIds=groups,
                             PrivateIpAddress=ip, TagSpecifications=tags)["Instances"][0]
    eni = made["NetworkInterfaces"][0]["NetworkInterfaceId"]
    return {"id": made["InstanceId"], "eni": eni, "ip": ip}


def twin_vpc(endpoint_url: str, region: str, ip: str, name: str) -> dict[str, str]:
    """A VPC in ``region`` using the world's CIDR 10.20.0.0/16, with an instance named
    ``name`` at ``ip`` in 10.20.1.0/24: an address two VPCs hold. Its vpc, eni and id."""
    ec2 = raw_ec2(endpoint_url, region)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    made = ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.micro",
        SubnetId=subnet, PrivateIpAddress=ip, TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}],
    )["Instances"][0]
    return {"vpc": vpc, "eni": made["NetworkInterfaces"][0]["NetworkInterfaceId"],
            "id": made["InstanceId"]}


def names_of(endpoint_url: str, region: str) -> Names:
    """The ``Names`` of what flowtui's read-only client reads of ``region`` on the server."""
    from flowtui.names.inventory import fetch, make_ec2_client
    from flowtui.names.resolve import Names

    return Names(inventories=[fetch(make_ec2_client(region=region, endpoint_url=endpoint_url),
                                    region)])


_SEEDED: dict[tuple[str, str], World] = {}


def seed(endpoint_url: str, region: str = REGION) -> World:
    """The world on the server at ``endpoint_url``, made once per server and region (test
    modules share the session's moto server; a second copy would duplicate its addresses)."""
    if (endpoint_url, region) not in _SEEDED:
        _SEEDED[(endpoint_url, region)] = _seed(endpoint_url, region)
    return _SEEDED[(endpoint_url, region)]


def _seed(endpoint_url: str, region: str) -> World:
    ec2 = raw_ec2(endpoint_url, region)
    world = World(endpoint_url, region, "123456789012")  # moto's default account
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]
    world.vpc = vpc["VpcId"]
    ec2.create_tags(Resources=[world.vpc], Tags=[{"Key": "Name", "Value": "prod"}])
    v6 = ec2.describe_vpcs(VpcIds=[world.vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0][
        "Ipv6CidrBlock"]
    world.subnet_app = ec2.create_subnet(VpcId=world.vpc, CidrBlock="10.20.1.0/24",
                                         Ipv6CidrBlock=v6.replace("::/56", "::/64")
                                         )["Subnet"]["SubnetId"]
    world.subnet_db = ec2.create_subnet(VpcId=world.vpc, CidrBlock="10.20.2.0/24"
                                        )["Subnet"]["SubnetId"]

    # security groups
    world.sg_web = ec2.create_security_group(GroupName="web", Description="web tier",
                                             VpcId=world.vpc)["GroupId"]
    world.sg_db = ec2.create_security_group(GroupName="db", Description="db tier",
                                            VpcId=world.vpc)["GroupId"]
    ec2.create_tags(Resources=[world.sg_web], Tags=[{"Key": "Name", "Value": "sg-web"}])
    ec2.authorize_security_group_ingress(GroupId=world.sg_web, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
         "IpRanges": [{"CidrIp": "10.20.0.0/16"}]},
        {"IpProtocol": "tcp", "FromPort": 8000, "ToPort": 8999,
         "IpRanges": [{"CidrIp": "10.20.0.0/16"}]},
        {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1,
         "IpRanges": [{"CidrIp": "10.20.0.0/16"}]},
    ])
    ec2.authorize_security_group_ingress(GroupId=world.sg_db, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
         "UserIdGroupPairs": [{"GroupId": world.sg_web}]},
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
         "IpRanges": [{"CidrIp": "10.0.0.0/16"}]},
    ])
    # db may only talk to the outside on 443 (the default all-traffic egress rule removed)
    ec2.revoke_security_group_egress(GroupId=world.sg_db, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
         "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    ec2.authorize_security_group_egress(GroupId=world.sg_db, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])

    # a network ACL on the app subnet: DENY entries before the allow-all
    world.acl = ec2.create_network_acl(VpcId=world.vpc)["NetworkAcl"]["NetworkAclId"]
    entries = [
        (80, False, "1", "deny", "203.0.113.0/24", None, {"Type": 8, "Code": -1}),
        (90, False, "6", "deny", "198.51.100.0/24", {"From": 22, "To": 22}, None),
        (100, False, "-1", "allow", "0.0.0.0/0", None, None),
        (110, False, "6", "deny", "0.0.0.0/0", {"From": 1000, "To": 2000}, None),
        (50, True, "17", "deny", "0.0.0.0/0", {"From": 53, "To": 53}, None),
        (60, True, "6", "deny", "192.0.2.0/24", {"From": 1024, "To": 65535}, None),
        (100, True, "-1", "allow", "0.0.0.0/0", None, None),
    ]
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ec2.models import ec2_backends

    backend = ec2_backends[DEFAULT_ACCOUNT_ID][region]
    for number, egress, protocol, action, cidr, ports, icmp in entries:
        kw: dict[str, Any] = {"NetworkAclId": world.acl, "RuleNumber": number,
                              "Protocol": protocol, "RuleAction": action, "Egress": egress,
                              "CidrBlock": cidr}
        if ports:
            kw["PortRange"] = ports
        if icmp:
            kw["IcmpTypeCode"] = icmp
        ec2.create_network_acl_entry(**kw)
        if icmp:  # moto 5.2.6 reads IcmpTypeCode as "Icmp.Type" and drops it: set it as AWS has it
            entry = next(e for e in backend.network_acls[world.acl].network_acl_entries
                         if e.rule_number == number and e.egress == egress)
            entry.icmp_type, entry.icmp_code = icmp["Type"], icmp["Code"]
    assoc = next(a for acl in ec2.describe_network_acls(Filters=[
        {"Name": "association.subnet-id", "Values": [world.subnet_app]}])["NetworkAcls"]
        for a in acl["Associations"] if a["SubnetId"] == world.subnet_app)
    ec2.replace_network_acl_association(AssociationId=assoc["NetworkAclAssociationId"],
                                        NetworkAclId=world.acl)

    # instances
    world.web = _instance(ec2, world.subnet_app, [world.sg_web], "10.20.1.10", "web-1")
    v6addr = ec2.assign_ipv6_addresses(NetworkInterfaceId=world.web["eni"],
                                       Ipv6AddressCount=1)["AssignedIpv6Addresses"][0]
    world.web["ipv6"] = v6addr
    world.db = _instance(ec2, world.subnet_db, [world.sg_db], "10.20.2.20", "db-1")
    world.plain = _instance(ec2, world.subnet_db, [world.sg_db], "10.20.2.30", None)
    for n in range(3):  # more reservations than a page of 5, for the paging test
        _instance(ec2, world.subnet_db, [world.sg_db], f"10.20.2.{50 + n}", f"worker-{n}")

    # managed interfaces, made to look as AWS describes them
    nat = ec2.create_nat_gateway(SubnetId=world.subnet_app)["NatGateway"]
    nat_eni = nat["NatGatewayAddresses"][0]["NetworkInterfaceId"]
    world.nat = {"id": nat["NatGatewayId"], "eni": nat_eni,
                 "ip": nat["NatGatewayAddresses"][0]["PrivateIp"]}
    _as_aws(backend.enis[nat_eni], "nat_gateway",
            f"Interface for NAT Gateway {nat['NatGatewayId']}", "")
    backend.enis[nat_eni]._group_set = []  # AWS lets no security group be associated with it
    endpoint = ec2.create_vpc_endpoint(VpcId=world.vpc, VpcEndpointType="Interface",
                                       ServiceName=f"com.amazonaws.{region}.s3",
                                       SubnetIds=[world.subnet_app])["VpcEndpoint"]
    vpce_eni = endpoint["NetworkInterfaceIds"][0]
    world.endpoint = {"id": endpoint["VpcEndpointId"], "eni": vpce_eni,
                      "ip": backend.enis[vpce_eni].private_ip_address}
    _as_aws(backend.enis[vpce_eni], "vpc_endpoint",
            f"VPC Endpoint Interface {endpoint['VpcEndpointId']}", "")
    lam = ec2.create_network_interface(
        SubnetId=world.subnet_db, PrivateIpAddress="10.20.2.40", Groups=[world.sg_db],
        Description="AWS Lambda VPC ENI-orders-3f1c2d4e-aaaa-bbbb-cccc-0123456789ab"
    )["NetworkInterface"]
    world.lambda_eni = {"eni": lam["NetworkInterfaceId"], "ip": "10.20.2.40"}
    _as_aws(backend.enis[lam["NetworkInterfaceId"]], "lambda", None, "")
    return world


def _as_aws(eni: Any, interface_type: str, description: str | None, _requester: str) -> None:
    eni.interface_type = interface_type
    if description is not None:
        eni.description = description
    eni.requester_managed = True


class _Refusing:
    """An EC2 endpoint on loopback that answers every call with one EC2 error (EC2's own XML
    shape, which botocore's EC2 parser reads: Response/Errors/Error)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        import http.server
        import threading

        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
                f"<Code>{code}</Code><Message>{message}</Message></Error></Errors>"
                f"<RequestID>refused</RequestID></Response>").encode()
        calls: list[str] = []
        self.calls = calls

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("content-length", "0"))
                form = self.rfile.read(length).decode()
                calls.append(next((p.split("=", 1)[1] for p in form.split("&")
                                   if p.startswith("Action=")), "?"))
                self.send_response(status)
                self.send_header("content-type", "text/xml")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def refusing_ec2(code: str = "UnauthorizedOperation",
                 message: str = "You are not authorized to perform this operation.",
                 status: int = 403) -> _Refusing:
    return _Refusing(status, code, message)


# --- records about this world, shared by the CLI and the app's tests ---------------------

HEADER = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
          "bytes start end action log-status flow-direction")
T0 = 1709647200
RANGES = {"createDate": "2026-11-30-12-00-00", "prefixes": [
    {"ip_prefix": "52.94.8.0/24", "region": "us-east-1", "service": "S3"}], "ipv6_prefixes": []}


def flow_lines(w: World) -> list[str]:
    """Five records: web-1 to db-1 seen on both, ssh refused by the NACL, the NAT gateway
    towards S3 (named by the IP ranges), an interface nobody knows."""
    return [
        # web-1 talks to db-1 (both sides' records)
        f"5 {w.account} {w.web['eni']} {w.web['ip']} {w.db['ip']} 40000 5432 6 5 500 "
        f"{T0} {T0 + 30} ACCEPT OK egress",
        f"5 {w.account} {w.db['eni']} {w.web['ip']} {w.db['ip']} 40000 5432 6 5 500 "
        f"{T0} {T0 + 30} ACCEPT OK ingress",
        # ssh from a partner range to web-1, refused by the NACL's inbound rule 90
        f"5 {w.account} {w.web['eni']} 198.51.100.7 {w.web['ip']} 51000 22 6 2 120 "
        f"{T0 + 60} {T0 + 90} REJECT OK ingress",
        # the NAT gateway towards S3 (AWS IP ranges)
        f"5 {w.account} {w.nat['eni']} {w.nat['ip']} 52.94.8.8 41000 443 6 9 9000 "
        f"{T0} {T0 + 30} ACCEPT OK egress",
        # an interface and addresses nobody knows
        f"5 {w.account} eni-0fff000000000000f 10.99.0.1 10.99.0.2 1 2 17 1 60 "
        f"{T0} {T0 + 30} ACCEPT OK egress",
    ]
