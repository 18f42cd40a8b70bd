"""Which rule refused a record, where a security group can't have been the one.

A small EC2 world of its own (moto, region ca-central-1, which no other test uses), made
to hold what the shared world (tests/ec2_world.py) lacks: an interface whose security group
allows little out, an Elastic IP on a member of a referenced group, a NAT gateway's
interface (no security group) and network ACLs that refuse replies.

AWS facts the tests rest on (pages the search tool gave; AWS's own where it gave one):
- Security groups are stateful: "if you send a request from your instance, the response
  traffic for that request is allowed to flow in regardless of inbound security group rules.
  Responses to allowed inbound traffic are allowed to flow out, regardless of outbound
  rules" (VPC User Guide, "Security groups for your VPC", as quoted from
  http://docs.aws.amazon.com/AmazonVPC/latest/UserGuide/VPC_SecurityGroups.html at
  https://ash79.gitbooks.io/aws-architecture-certification/content/security-group-basics.html);
  AWS's comparison table: security group "Is stateful: Return traffic is automatically
  allowed, regardless of any rules"; network ACL "Is stateless: Return traffic must be
  explicitly allowed by rules" (quoted at https://github.com/mehmetyagci/
  AWS-Certified-Cloud-Practitioner-Notes/blob/master/sections/vpc.md).
- A rule naming a security group: "Incoming traffic is allowed based on the private IP
  addresses of the instances that are associated with the source security group (and not
  the public IP or Elastic IP addresses)" (VPC User Guide, "Security group rules", section
  "Security group referencing": https://docs.aws.amazon.com/fr_fr/vpc/latest/userguide/
  security-group-rules.md; the sentence quoted at https://sobrelinux.info/questions/629980/
  and https://runebook.dev/en/aws/ec2/ReferencedSecurityGroup).
- "An outbound rule permits instances to send traffic to the specified IPv4 or IPv6 address
  ranges, the IP address ranges specified by a prefix list, or the instances that are
  associated with a source security group" (EC2 API Reference, AuthorizeSecurityGroupEgress,
  https://docs.amazonaws.cn/AWSEC2/latest/APIReference/API_AuthorizeSecurityGroupEgress.html):
  a prefix list's addresses are its entries, which flowtui does not read.
- A NAT gateway takes no security group ("Security Groups: Cannot associate SGs", NAT
  gateway vs NAT instance, https://techzenflow.com/?p=3209; "No security groups to manage",
  https://saa-c03.shahtech.info/Networking,%20VPC/NAT): its traffic meets the network ACL of
  its subnet only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from flowtui.names.resolve import Names
from flowtui.names.rules import which_rule
from tests.ec2_world import names_of
from tests.test_names_rules import _record, _text

REGION = "ca-central-1"


@dataclass
class Small:
    acl: str = ""
    nat_acl: str = ""
    prefix_list: str = ""
    sg_front: str = ""
    sg_back: str = ""
    front: dict[str, str] = field(default_factory=dict)
    back: dict[str, str] = field(default_factory=dict)
    nat: dict[str, str] = field(default_factory=dict)


def _entry(ec2: Any, acl: str, number: int, egress: bool, protocol: str, action: str,
           ports: tuple[int, int] | None = None) -> None:
    kw: dict[str, Any] = {"NetworkAclId": acl, "RuleNumber": number, "Protocol": protocol,
                          "RuleAction": action, "Egress": egress, "CidrBlock": "0.0.0.0/0"}
    if ports:
        kw["PortRange"] = {"From": ports[0], "To": ports[1]}
    ec2.create_network_acl_entry(**kw)


def _use_acl(ec2: Any, acl: str, subnet: str) -> None:
    assoc = next(a for n in ec2.describe_network_acls(Filters=[
        {"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"]
        for a in n["Associations"] if a["SubnetId"] == subnet)
    ec2.replace_network_acl_association(AssociationId=assoc["NetworkAclAssociationId"],
                                        NetworkAclId=acl)


@pytest.fixture(scope="module")
def small(s3_server: Any) -> Small:
    import boto3

    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=s3_server.endpoint_url,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    w = Small()
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24")["Subnet"]["SubnetId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.9.0/24")["Subnet"]["SubnetId"]
    w.sg_front = ec2.create_security_group(GroupName="front", Description="front",
                                           VpcId=vpc)["GroupId"]
    w.sg_back = ec2.create_security_group(GroupName="back", Description="back",
                                          VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=w.sg_front, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    # front may only open connections to 443: its replies to clients match no egress rule
    ec2.revoke_security_group_egress(GroupId=w.sg_front, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ec2.authorize_security_group_egress(GroupId=w.sg_front, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    w.prefix_list = ec2.create_managed_prefix_list(
        PrefixListName="partners", AddressFamily="IPv4", MaxEntries=5,
        Entries=[{"Cidr": "192.0.2.0/24"}])["PrefixList"]["PrefixListId"]
    ec2.authorize_security_group_egress(GroupId=w.sg_front, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
         "PrefixListIds": [{"PrefixListId": w.prefix_list}]}])
    ec2.authorize_security_group_ingress(GroupId=w.sg_back, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
         "UserIdGroupPairs": [{"GroupId": w.sg_front}]}])
    # the instances' subnet: everything in; out only tcp 443 (no rule for replies to
    # clients' ephemeral ports, so the * rule refuses them)
    w.acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    _entry(ec2, w.acl, 100, False, "-1", "allow")
    _entry(ec2, w.acl, 100, True, "6", "allow", (443, 443))
    _use_acl(ec2, w.acl, subnet)
    # the NAT gateway's subnet: everything in and out but smtp out
    w.nat_acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    _entry(ec2, w.nat_acl, 100, False, "-1", "allow")
    _entry(ec2, w.nat_acl, 90, True, "6", "deny", (25, 25))
    _entry(ec2, w.nat_acl, 100, True, "-1", "allow")
    _use_acl(ec2, w.nat_acl, public)

    for name, group, ip in (("front", w.sg_front, "10.30.1.10"), ("back", w.sg_back,
                                                                  "10.30.1.20")):
        instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1,
                                     SubnetId=subnet, SecurityGroupIds=[group],
                                     PrivateIpAddress=ip, TagSpecifications=[
                                         {"ResourceType": "instance",
                                          "Tags": [{"Key": "Name", "Value": name}]}]
                                     )["Instances"][0]
        eni = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
        getattr(w, name).update(id=instance["InstanceId"], eni=eni, ip=ip)
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=w.front["id"])
    w.front["public"] = eip["PublicIp"]

    nat = ec2.create_nat_gateway(SubnetId=public)["NatGateway"]
    eni = nat["NatGatewayAddresses"][0]["NetworkInterfaceId"]
    w.nat = {"eni": eni, "ip": nat["NatGatewayAddresses"][0]["PrivateIp"]}
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ec2.models import ec2_backends

    nat_eni = ec2_backends[DEFAULT_ACCOUNT_ID][REGION].enis[eni]
    nat_eni._group_set = []  # as AWS has it: a NAT gateway's interface has no group
    nat_eni.description = f"Interface for NAT Gateway {nat['NatGatewayId']}"
    return w


@pytest.fixture(scope="module")
def names(small: Small, s3_server: Any) -> Names:
    return names_of(s3_server.endpoint_url, REGION)


def test_an_interface_without_a_security_group_is_refused_by_its_nacl(small: Small,
                                                                      names: Names) -> None:
    """A NAT gateway's interface has no security group: a REJECT there is its subnet's NACL
    (outbound rule 90 denies tcp 25), never "no rule of (none) allows" it, which is what
    was said before (kind security-group, id "")."""
    rule = which_rule(_record(small.nat["eni"], small.nat["ip"], "203.0.113.5", 41000, 25),
                      names)
    assert rule is not None
    assert (rule["kind"], rule["id"], rule["rule-number"]) == ("network-acl", small.nat_acl,
                                                               90)
    assert _text(rule) == f"NACL {small.nat_acl} outbound rule 90 denies tcp 25 to 0.0.0.0/0"
    allowed = which_rule(_record(small.nat["eni"], small.nat["ip"], "203.0.113.5", 41000,
                                 443), names)
    assert allowed is not None and allowed["kind"] == "none"
    assert "no security group (NAT gateway " in _text(allowed)


def test_a_group_reference_does_not_match_a_members_public_address(small: Small,
                                                                   names: Names) -> None:
    """sg-back allows 8080 from members of sg-front. From front's private address that is
    allowed; from front's Elastic IP (front reached back through the Internet) it is not,
    and the answer says why. Before, a member's public address counted as a member's, and
    the REJECT was called allowed by today's rules (kind none)."""
    private = which_rule(_record(small.back["eni"], small.front["ip"], small.back["ip"],
                                 40000, 8080), names)
    assert private is not None and private["kind"] == "none"
    public = small.front["public"]
    rule = which_rule(_record(small.back["eni"], public, small.back["ip"], 40000, 8080),
                      names)
    assert rule is not None and (rule["kind"], rule["id"]) == ("security-group",
                                                               small.sg_back)
    assert _text(rule) == (
        f"no rule of back ({small.sg_back}) allows tcp 8080 from {public} (it allows tcp 8080 from "
        f"{small.sg_front}); {public} is the public address of front, a member of "
        f"{small.sg_front}: a rule naming a security group matches its members' private "
        "addresses only, not their public or Elastic IP addresses")


def _story(small: Small, lines: list[str]) -> list[Any]:
    """The stories told of each of ``lines`` (records of front's interface)."""
    from flowtui.parser import parse_bytes
    from flowtui.query.story import Coverage, tell
    from flowtui.store import RecordStore

    header = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol "
              "packets bytes start end action log-status tcp-flags flow-direction")
    batches, _ = parse_bytes((header + "\n" + "\n".join(lines) + "\n").encode())
    store = RecordStore()
    for batch in batches:
        store.append(batch, "local.log")
    return [tell(store, i, coverage=Coverage(((T0 - 7200, T0 + 7200),)))
            for i in range(len(lines))]


T0 = 1709647200


def test_a_refused_reply_is_the_nacls_not_the_stateful_group(small: Small,
                                                              names: Names) -> None:
    """A client's HTTPS to front is ACCEPTed in; front's reply to the client's ephemeral port
    is REJECTed out. sg-front has no egress rule for it, but security groups are stateful:
    the reply of allowed traffic leaves whatever the outbound rules say. The NACL (stateless,
    out only tcp 443) refuses it with its * rule. Before, the story named the group ("no rule
    of sg-… allows tcp 50000 to …"), whose rules cannot refuse a reply."""
    from flowtui.names.story import annotate

    f = small.front
    lines = [f"5 123456789012 {f['eni']} 198.51.100.7 {f['ip']} 50000 443 6 3 180 "
             f"{T0} {T0 + 50} ACCEPT OK 2 ingress",
             f"5 123456789012 {f['eni']} {f['ip']} 198.51.100.7 443 50000 6 3 180 "
             f"{T0} {T0 + 50} REJECT OK 18 egress"]
    for story in _story(small, lines):
        assert story.verdict == "nacl-blocks-reply"
        rule = annotate(story, names)["rule"]
        assert (rule["kind"], rule["id"], rule["rule-number"]) == ("network-acl", small.acl,
                                                                   32767)
        assert _text(rule) == (f"NACL {small.acl} outbound: no numbered rule matches tcp "
                               "50000 to 198.51.100.7, so the default rule * denies it")


def test_an_outbound_record_that_looks_like_a_reply_points_at_the_nacl(
        small: Small, names: Names) -> None:
    """Asked of the REJECTed record alone (no story to say it is a reply): the group is
    first on the way out and allows nothing to port 50000, but from service port 443 to an
    ephemeral port it looks like a reply, which the group would let out; the answer says so
    and names the NACL rule that refuses it, as the inbound case already did for a NACL."""
    rule = which_rule(_record(small.front["eni"], small.front["ip"], "198.51.100.7", 443,
                              50000, direction="egress"), names)
    assert rule is not None and rule["kind"] == "security-group"
    assert _text(rule).endswith(
        "; if this was the reply to a connection the interface accepted, security groups "
        f"allow it (they are stateful) and NACL {small.acl} outbound: no numbered rule "
        "matches tcp 50000 to 198.51.100.7, so the default rule * denies it")


def test_a_prefix_list_rule_is_not_read_so_no_rule_is_said_to_refuse(small: Small,
                                                                     names: Names) -> None:
    """sg-front allows tcp 5432 out to a managed prefix list (192.0.2.0/24), whose entries
    flowtui does not read (a call it does not make). Before, a REJECT of tcp 5432 to
    192.0.2.9 was "no rule of sg-front allows" it, which the prefix list may contradict,
    and the NACL after the group on the way out (its * rule refuses tcp 5432) went unsaid."""
    rule = which_rule(_record(small.front["eni"], small.front["ip"], "192.0.2.9", 40000,
                              5432), names)
    assert rule is not None and rule["kind"] == "security-group"
    assert _text(rule) == (
        f"no rule of front ({small.sg_front}) that flowtui can read allows tcp 5432 to "
        f"192.0.2.9 (it allows tcp 443 to 0.0.0.0/0); could not be evaluated: "
        f"{small.sg_front}: prefix list {small.prefix_list} (its entries are not read); "
        "if that rule allows it, NACL "
        f"{small.acl} outbound: no numbered rule matches tcp 5432 to 192.0.2.9, so the "
        "default rule * denies it")


def test_the_nacl_is_named_once(small: Small, names: Names) -> None:
    """From service port 443 to 192.0.2.9:5432: it looks like a reply and the prefix-list
    rule can't be read; both notes lead to the same NACL * rule, said once, not twice."""
    rule = which_rule(_record(small.front["eni"], small.front["ip"], "192.0.2.9", 443, 5432),
                      names)
    text = _text(rule)
    assert text.count(f"NACL {small.acl} outbound: no numbered rule matches") == 1, text
