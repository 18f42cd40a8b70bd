"""Which rule refused a record, audited against AWS's documented semantics: a small EC2 world
of its own (moto in server mode on 127.0.0.1, region sa-east-1, which no other test uses)
with a VPC's default security group, an IPv6 block and a custom network ACL with both
default ``*`` rules, and records of its interfaces through ``which_rule`` and the story.

Each test quotes the AWS sentence it holds the answer to. Sources (as the search tool gave
them):
- VPC User Guide, "Network ACL rules" (docs.aws.amazon.com/vpc/latest/userguide/
  nacl-rules.html): "Rules are evaluated starting with the lowest numbered rule. As soon as a
  rule matches traffic, it's applied regardless of any higher-numbered rule that might
  contradict it." "If you specify ICMP as the protocol, you can specify any or all of the
  ICMP types and codes."
- VPC User Guide, "Default network ACL" (default-network-acl.html, its Japanese edition in
  the docs corpus): each network ACL includes rules whose rule number is an asterisk (*),
  which deny a packet that matches no other numbered rule; the IPv6 one (::/0) is there when
  the VPC has an IPv6 CIDR block. AWS CLI reference, describe-network-acls example: the
  IPv4 * rule reads ``"RuleNumber": 32767`` and the IPv6 one ``"Ipv6CidrBlock": "::/0",
  "RuleNumber": 32768``.
- VPC User Guide, "Network ACLs" (vpc-network-acls.html): "Network ACLs are stateless, which
  means that responses to allowed inbound traffic are subject to the rules for outbound
  traffic (and vice versa)."
- VPC User Guide, "Default security groups for your VPCs" (default-security-group.html):
  inbound "Allows inbound traffic from all resources that are assigned to this security
  group. The source is the ID of this security group."; outbound 0.0.0.0/0 and "::/0 All All
  Allows all outbound IPv6 traffic."
- Security groups are stateful: "if you send a request from your instance, the response
  traffic for that request is allowed to flow in regardless of inbound security group rules"
  (EC2 User Guide, "Security group rules"); "Any outbound traffic being sent in response to
  an inbound connection will still be allowed. This is because security groups are
  stateful." — they pass replies, not new requests.
- Flow log record examples (flow-log-records.html, as kept at kyhau.github.io/aws-notebook):
  ICMP records carry ports 0 0, so the ICMP type is not in the record.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pytest

from flowtui.names.resolve import Names
from flowtui.names.rules import which_rule
from flowtui.names.story import annotate
from tests.ec2_world import names_of
from tests.test_names_rules import _record, _text
from tests.test_story import ENI, T0, V5, store_of, story_of, v5

REGION = "sa-east-1"
ACCOUNT = "123456789012"  # moto's default account


@dataclass
class Audit:
    vpc: str = ""
    subnet_a: str = ""
    acl: str = ""
    sg_default: str = ""
    sg_v6: str = ""
    sg_other: str = ""
    m1: dict[str, str] = field(default_factory=dict)  # subnet a, default + v6 groups
    m2: dict[str, str] = field(default_factory=dict)  # subnet b, default group
    out: dict[str, str] = field(default_factory=dict)  # subnet b, another group


def _instance(ec2: Any, subnet: str, groups: list[str], ip: str) -> dict[str, str]:
    made = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1,
                             InstanceType="t3.micro", SubnetId=subnet, SecurityGroupIds=groups,
                             PrivateIpAddress=ip)["Instances"][0]
    return {"id": made["InstanceId"], "eni": made["NetworkInterfaces"][0]["NetworkInterfaceId"],
            "ip": ip}


@pytest.fixture(scope="module")
def audit(s3_server: Any) -> Audit:
    import boto3
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ec2.models import ec2_backends

    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=s3_server.endpoint_url,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    w = Audit()
    w.vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16", AmazonProvidedIpv6CidrBlock=True
                           )["Vpc"]["VpcId"]
    v6 = ec2.describe_vpcs(VpcIds=[w.vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0][
        "Ipv6CidrBlock"]
    w.subnet_a = ec2.create_subnet(VpcId=w.vpc, CidrBlock="10.40.1.0/24",
                                   Ipv6CidrBlock=v6.replace("::/56", "::/64"))["Subnet"][
        "SubnetId"]
    subnet_b = ec2.create_subnet(VpcId=w.vpc, CidrBlock="10.40.2.0/24")["Subnet"]["SubnetId"]

    # the VPC's default security group, with AWS's default inbound rule (its own id)
    w.sg_default = ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [w.vpc]}, {"Name": "group-name", "Values": ["default"]}
    ])["SecurityGroups"][0]["GroupId"]
    rules = ec2.describe_security_groups(GroupIds=[w.sg_default])["SecurityGroups"][0]
    if not any(p.get("UserIdGroupPairs") for p in rules["IpPermissions"]):
        ec2.authorize_security_group_ingress(GroupId=w.sg_default, IpPermissions=[
            {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": w.sg_default}]}])
    w.sg_v6 = ec2.create_security_group(GroupName="v6-https", Description="https over IPv6",
                                        VpcId=w.vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=w.sg_v6, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    w.sg_other = ec2.create_security_group(GroupName="other", Description="one ICMP code",
                                           VpcId=w.vpc)["GroupId"]
    # ICMP type 3 (destination unreachable) code 4 (fragmentation needed) only
    ec2.authorize_security_group_ingress(GroupId=w.sg_other, IpPermissions=[
        {"IpProtocol": "icmp", "FromPort": 3, "ToPort": 4,
         "IpRanges": [{"CidrIp": "10.40.0.0/16"}]}])

    # subnet a's network ACL: in, echo requests, tcp to ephemeral ports, https over IPv6;
    # out, all IPv4; and both * rules as DescribeNetworkAcls numbers them
    w.acl = ec2.create_network_acl(VpcId=w.vpc)["NetworkAcl"]["NetworkAclId"]
    for number, egress, protocol, ports, cidr in (
            (100, False, "1", None, "0.0.0.0/0"),
            (110, False, "6", (1024, 65535), "0.0.0.0/0"),
            (120, False, "6", (443, 443), "::/0"),
            (100, True, "-1", None, "0.0.0.0/0")):
        kw: dict[str, Any] = {"NetworkAclId": w.acl, "RuleNumber": number, "Egress": egress,
                              "Protocol": protocol, "RuleAction": "allow"}
        kw["Ipv6CidrBlock" if ":" in cidr else "CidrBlock"] = cidr
        if ports:
            kw["PortRange"] = {"From": ports[0], "To": ports[1]}
        if protocol == "1":
            kw["IcmpTypeCode"] = {"Type": 8, "Code": -1}
        ec2.create_network_acl_entry(**kw)
    for egress in (False, True):
        ec2.create_network_acl_entry(NetworkAclId=w.acl, RuleNumber=32767, Egress=egress,
                                     Protocol="-1", RuleAction="deny", CidrBlock="0.0.0.0/0")
        ec2.create_network_acl_entry(NetworkAclId=w.acl, RuleNumber=32768, Egress=egress,
                                     Protocol="-1", RuleAction="deny", Ipv6CidrBlock="::/0")
    # moto 5.2.6 drops IcmpTypeCode (it reads "Icmp.Type"): set it as AWS has it
    backend = ec2_backends[DEFAULT_ACCOUNT_ID][REGION]
    echo = next(e for e in backend.network_acls[w.acl].network_acl_entries
                if e.rule_number == 100 and not e.egress)
    echo.icmp_type, echo.icmp_code = 8, -1
    assoc = next(a for n in ec2.describe_network_acls(Filters=[
        {"Name": "association.subnet-id", "Values": [w.subnet_a]}])["NetworkAcls"]
        for a in n["Associations"] if a["SubnetId"] == w.subnet_a)
    ec2.replace_network_acl_association(AssociationId=assoc["NetworkAclAssociationId"],
                                        NetworkAclId=w.acl)

    w.m1 = _instance(ec2, w.subnet_a, [w.sg_default, w.sg_v6], "10.40.1.10")
    w.m1["ipv6"] = ec2.assign_ipv6_addresses(NetworkInterfaceId=w.m1["eni"],
                                             Ipv6AddressCount=1)["AssignedIpv6Addresses"][0]
    w.m2 = _instance(ec2, subnet_b, [w.sg_default], "10.40.2.20")
    w.out = _instance(ec2, subnet_b, [w.sg_other], "10.40.2.30")
    return w


@pytest.fixture(scope="module")
def names(audit: Audit, s3_server: Any) -> Names:
    return names_of(s3_server.endpoint_url, REGION)


def _groups(w: Audit, names: Names) -> str:
    """m1's groups as the answer names them, in the order EC2 lists them on its interface."""
    label = {w.sg_default: f"default ({w.sg_default})", w.sg_v6: f"v6-https ({w.sg_v6})"}
    info = names.interface(w.m1["eni"])
    assert info is not None
    return " or ".join(label[g] for g in info.security_groups)


def _allows(w: Audit, names: Names) -> str:
    """What m1's groups allow in, in the same order."""
    info = names.interface(w.m1["eni"])
    assert info is not None
    said = {w.sg_default: f"all traffic from {w.sg_default}", w.sg_v6: "tcp 443 from ::/0"}
    return "; ".join(said[g] for g in info.security_groups)


def _stories(lines: list[str]) -> list[Any]:
    store = store_of(V5, lines)
    return [story_of(store, i) for i in range(len(lines))]


# --- security groups: the default group, IPv6 ranges ---------------------------------------


def test_the_default_group_allows_its_members_and_no_one_else(audit: Audit,
                                                             names: Names) -> None:
    """"Allows inbound traffic from all resources that are assigned to this security group.
    The source is the ID of this security group" (default security group): from m2, a member
    in another subnet, the group allows tcp 9000 (and NACL rule 110 the ephemeral port), so
    today's rules allow it; from an instance of another group, no rule of m1's groups does."""
    w = audit
    member = which_rule(_record(w.m1["eni"], w.m2["ip"], w.m1["ip"], 40000, 9000), names)
    assert member is not None and member["kind"] == "none"
    assert f"default ({w.sg_default}) allows all traffic from {w.sg_default}" in _text(member)
    stranger = which_rule(_record(w.m1["eni"], w.out["ip"], w.m1["ip"], 40000, 9000), names)
    assert stranger is not None and stranger["kind"] == "security-group"
    assert _text(stranger).startswith(
        f"no rule of {_groups(w, names)} allows tcp 9000 from {w.out['ip']}")


def test_the_ipv6_star_rule_is_said_as_the_default_rule(audit: Audit, names: Names) -> None:
    """The IPv6 * rule is RuleNumber 32768 in DescribeNetworkAcls (AWS CLI example) and "*" in
    the VPC guide. tcp 8443 over IPv6 matches no numbered rule (110 is IPv4, 120 is port 443)
    and meets it. Before, the answer read "inbound rule 32768 denies all traffic from ::/0",
    a number no console shows and no rule a user wrote. tcp 443 over IPv6 passes rule 120
    and v6-https's ::/0 rule: today's rules allow it."""
    w = audit
    rule = which_rule(_record(w.m1["eni"], "2001:db8::1", w.m1["ipv6"], 40000, 8443), names)
    assert rule is not None and (rule["kind"], rule["rule-number"]) == ("network-acl", 32768)
    assert _text(rule) == (f"NACL {w.acl} inbound: no numbered rule matches tcp 8443 from "
                           "2001:db8::1, so the default rule * denies it; if the NACL let it "
                           f"through, no rule of {_groups(w, names)} allows tcp 8443 from "
                           f"2001:db8::1 (it allows {_allows(w, names)})")
    https = which_rule(_record(w.m1["eni"], "2001:db8::1", w.m1["ipv6"], 40000, 443), names)
    assert https is not None and https["kind"] == "none"
    assert f"v6-https ({w.sg_v6}) allows tcp 443 from ::/0" in _text(https)


# --- network ACL: an ICMP rule of one type ------------------------------------------------


def test_an_icmp_allow_rule_of_one_type_is_not_passed_over(audit: Audit,
                                                          names: Names) -> None:
    """Rule 100 allows ICMP type 8 (echo request) in; "If you specify ICMP as the protocol,
    you can specify any or all of the ICMP types and codes", and ICMP records carry ports 0,
    no type. Before, rule 100 was passed over and the answer was certain: "no numbered rule
    matches icmp from 203.0.113.9, so the default rule * denies it" — false for a ping. Now
    both cases are said: echo requests pass the NACL and meet the groups, which allow none
    from there; other types meet the * rule."""
    w = audit
    rule = which_rule(_record(w.m1["eni"], "203.0.113.9", w.m1["ip"], 0, 0, protocol=1), names)
    assert rule is not None and (rule["kind"], rule["rule-number"]) == ("network-acl", 32767)
    assert _text(rule) == (
        f"NACL {w.acl} inbound rule 100 allows icmp type 8 from 0.0.0.0/0 (if the packets "
        "were of that ICMP type: flow logs don't record it); if of another type, NACL "
        f"{w.acl} inbound: no numbered rule matches icmp from 203.0.113.9, so the default "
        f"rule * denies it; where the NACL lets it through, no rule of {_groups(w, names)} allows "
        f"icmp from 203.0.113.9 (it allows {_allows(w, names)})")


# --- stateful groups: what is a reply and what is a request -------------------------------


def test_a_syn_ack_from_a_service_port_above_1023_is_said_to_be_a_reply(
        audit: Audit, names: Names) -> None:
    """A REJECTed SYN-ACK from 10.40.2.30:5432 to m1:40000 is the reply to a connection m1
    opened: "the response traffic for that request is allowed to flow in regardless of
    inbound security group rules". The story says it is a reply (the NACL is the usual
    cause); before, the rule line only said "no rule of default or v6-https allows tcp 40000
    from 10.40.2.30", as if the groups had refused it, because its hint looked only at
    source ports below 1024."""
    w = audit
    line = (f"5 {ACCOUNT} {w.m1['eni']} {w.out['ip']} {w.m1['ip']} 5432 40000 6 1 60 "
            f"{T0} {T0 + 30} REJECT OK 18 ingress {w.out['ip']} {w.m1['ip']}")
    story = _stories([line])[0]
    assert story.verdict == "rejected" and "it is a reply" in story.explanation
    rule = annotate(story, names)["rule"]
    assert rule["kind"] == "security-group"
    assert _text(rule).endswith(
        "; if this was the reply to a connection the interface opened, security groups allow "
        f"it (they are stateful) and today NACL {w.acl} inbound rule 110 allows tcp "
        f"1024-65535 from 0.0.0.0/0 (tcp 40000 from {w.out['ip']}): the configuration changed "
        "since the record, or something the flow log can't see refused it")


def test_a_rejected_request_whose_reverse_was_accepted_is_not_cleared_by_state(
        audit: Audit, names: Names) -> None:
    """A client's SYN to m1:8080 REJECTed in, and m1:8080 → the client ACCEPTed out (SYN-ACK,
    an earlier connection of the tuple). Security groups pass replies to requests they
    allowed, not new requests, so the SYN is judged by the inbound rules: no rule of m1's
    groups allows tcp 8080 from 198.51.100.7. Before, both records' story was
    nacl-blocks-reply ("a network ACL is stateless, and is the likely block") and the rule
    line said the groups allow it as a reply and NACL rule 110 allows it: "today's rules
    allow what this record shows rejected" — the group that refuses it went unnamed."""
    w = audit
    client = "198.51.100.7"
    lines = [f"5 {ACCOUNT} {w.m1['eni']} {client} {w.m1['ip']} 50000 8080 6 1 60 "
             f"{T0} {T0 + 30} REJECT OK 2 ingress {client} {w.m1['ip']}",
             f"5 {ACCOUNT} {w.m1['eni']} {w.m1['ip']} {client} 8080 50000 6 1 60 "
             f"{T0} {T0 + 30} ACCEPT OK 18 egress {w.m1['ip']} {client}"]
    for story in _stories(lines):
        assert story.verdict == "rejected", story.explanation
        assert "flow logs alone can't say which" in story.explanation
        assert "inbound rules of the security group" in story.explanation
        assert "outbound" not in story.explanation
        rule = annotate(story, names)["rule"]
        assert (rule["kind"], rule["direction"]) == ("security-group", "inbound")
        assert _text(rule).startswith(
            f"no rule of {_groups(w, names)} allows tcp 8080 from {client}")


def test_an_outbound_rejected_request_points_at_the_outbound_rules() -> None:
    """The same on the way out: m1's SYN to 203.0.113.9:443 REJECTed (egress), the reverse
    ACCEPTed in. Security group and network ACL rules are inbound and outbound; an egress
    REJECT is judged by the outbound ones."""
    lines = [v5(ENI, "10.0.1.5", "203.0.113.9", 40000, 443, T0, T0 + 30, "REJECT", 2, "egress"),
             v5(ENI, "203.0.113.9", "10.0.1.5", 443, 40000, T0, T0 + 30, "ACCEPT", 18,
                "ingress")]
    for story in _stories(lines):
        assert story.verdict == "rejected"
        assert "outbound rules of the security group" in story.explanation
        assert "outbound rules of its subnet's network ACL" in story.explanation
        assert "inbound" not in story.explanation


# --- what the inventory lacks ---------------------------------------------------------------


def test_a_subnet_whose_nacl_is_not_in_the_inventory_is_not_said_to_allow(
        audit: Audit, names: Names) -> None:
    """Every subnet has a network ACL ("Each subnet in your VPC must be associated with a
    network ACL", VPC User Guide). When DescribeNetworkAcls did not return subnet a's, the
    groups allow m2 → m1 tcp 9000, and before the answer was "today's rules allow what this
    record shows rejected: no NACL in the inventory and …", blaming neither. Now the NACL is
    said to be unknown, and the groups' verdict is given beside it."""
    w = audit
    inventory = names.inventories[0]
    blind = Names(inventories=[dataclasses.replace(inventory, network_acls=[
        a for a in inventory.network_acls if a.get("NetworkAclId") != w.acl])])
    rule = which_rule(_record(w.m1["eni"], w.m2["ip"], w.m1["ip"], 40000, 9000), blind)
    assert rule is not None and (rule["kind"], rule["id"]) == ("unknown", "")
    assert _text(rule) == (
        f"the network ACL of subnet {w.subnet_a} is not in the inventory (DescribeNetworkAcls "
        f"did not return it), so whether it refused tcp 9000 from {w.m2['ip']} can't be told; "
        f"default ({w.sg_default}) allows all traffic from {w.sg_default} (tcp 9000 from "
        f"{w.m2['ip']})")


def test_a_reply_rejected_at_another_interface_points_at_its_outbound_rules() -> None:
    """web's SYN to db:5432 ACCEPTed out of web's interface; db's SYN-ACK REJECTed on the way
    out of db's, where the request was not seen. The advice named "its security group and
    subnet NACL" without saying which rules; the refused traffic leaves db's interface, so
    its outbound rules are the ones (security group and network ACL rules are inbound and
    outbound, VPC User Guide)."""
    db_eni = "eni-0a1b2c3d4e5f600db"
    lines = [v5(ENI, "10.0.1.5", "10.0.2.9", 40000, 5432, T0, T0 + 30, "ACCEPT", 2, "egress"),
             v5(db_eni, "10.0.2.9", "10.0.1.5", 5432, 40000, T0, T0 + 30, "REJECT", 18,
                "egress")]
    story = _stories(lines)[0]
    assert story.verdict == "rejected"
    assert (f"interface-id {db_eni}) where the request itself was not seen"
            in story.explanation)
    assert ("check the outbound rules of its security group and of its subnet's network ACL "
            "(flow-direction egress) for the reply's ports") in story.explanation
    assert "inbound" not in story.explanation


def test_an_icmp_rule_of_one_code_is_said_with_its_code(audit: Audit, names: Names) -> None:
    """A security group's ICMP rule gives "the ICMP type and code" in FromPort and ToPort, -1
    meaning all (AuthorizeSecurityGroupIngress). "other" allows type 3 code 4 only
    (fragmentation needed); the answer read "allows icmp type 3", which a reader takes for
    every destination-unreachable code. Within subnet b no NACL is between."""
    w = audit
    rule = which_rule(_record(w.out["eni"], w.m2["ip"], w.out["ip"], 0, 0, protocol=1), names)
    assert rule is not None and rule["kind"] == "security-group"
    assert _text(rule) == (
        f"no rule of other ({w.sg_other}) allows icmp from {w.m2['ip']}; other ({w.sg_other}) "
        "allows icmp type 3 code 4 from 10.40.0.0/16, if the packets were of that ICMP type "
        "(flow logs don't record it)")


def test_a_reply_refused_by_the_nacl_on_the_way_in_is_not_said_twice(audit: Audit,
                                                                     names: Names) -> None:
    """From 2001:db8::1:443 to m1's ephemeral port over IPv6: the * rule (32768) refuses it
    on the way in, before the groups; m1's groups allow none of it either, unless it is a
    reply ("the response traffic for that request is allowed to flow in regardless of inbound
    security group rules"). The reply note ended by naming the * rule again ("… security
    groups allow it (they are stateful) and NACL …: no numbered rule matches …"), after the
    answer had begun with it: it now stops at the groups."""
    w = audit
    rule = which_rule(_record(w.m1["eni"], "2001:db8::1", w.m1["ipv6"], 443, 50000), names)
    text = _text(rule)
    assert text.startswith(f"NACL {w.acl} inbound: no numbered rule matches tcp 50000 from "
                           "2001:db8::1, so the default rule * denies it; if the NACL let it "
                           f"through, no rule of {_groups(w, names)} allows tcp 50000")
    assert text.endswith("; if this was the reply to a connection the interface opened, "
                         "security groups allow it (they are stateful)")
    assert text.count("no numbered rule matches") == 1, text
