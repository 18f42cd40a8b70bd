"""Which rule refused a record: today's network ACL and security groups from the EC2 world
(tests/ec2_world.py) evaluated against rejected records.

AWS facts the evaluation rests on:
- Network ACLs: "Each network ACL has a set of numbered ingress rules and a separate set of
  numbered egress rules. When determining whether a packet should be allowed in or out of a
  subnet associated with the network ACL, AWS processes the entries in the network ACL
  according to the rule numbers, in ascending order" (EC2 API Reference, NetworkAclEntry);
  "As soon as a rule matches traffic, it's applied regardless of any higher-numbered rule that
  might contradict it" (VPC User Guide, network ACL rules); every network ACL has a rule whose
  number is an asterisk (*) that denies a packet matching no numbered rule (VPC User Guide,
  "Default network ACL"); a port range applies to TCP and UDP only ("If you specify ... a
  protocol number other than 6 (TCP), 17 (UDP), or 1 (ICMP), traffic on all ports is allowed"
  — CreateNetworkAclEntry).
- Security groups: "You can specify allow rules, but not deny rules"; "When you associate
  multiple security groups with a resource, the rules from each security group are
  aggregated" (VPC User Guide, "Security group rules"); "Security groups are stateful—if you
  send a request from your instance, the response traffic for that request is allowed to flow
  in regardless of inbound security group rules" (EC2 User Guide, "Security group rules"); for
  ICMP a rule gives the ICMP type and code, -1 meaning all (AuthorizeSecurityGroupEgress).
- Flow logs record ICMP with ports 0 (reference §2, the AWS ping example): the ICMP type is
  not in the record, so a rule for one ICMP type can only be said to apply "if".
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from flowtui.names.inventory import fetch, make_ec2_client
from flowtui.names.resolve import Names
from flowtui.names.rules import which_rule
from tests.ec2_world import World

TODAY = re.compile(r" — today's configuration \(read \d+(?:s| min) ago\), not necessarily the "
                   r"one at the record's time(?:$|; )")  # then what the record can't rule out


@pytest.fixture(scope="module")
def names(ec2_world: World) -> Names:
    inventory = fetch(make_ec2_client(region=ec2_world.region,
                                      endpoint_url=ec2_world.endpoint_url), ec2_world.region)
    return Names(inventories=[inventory])


def _record(eni: str, src: str, dst: str, sport: int, dport: int, protocol: int = 6,
            direction: str | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {"interface-id": eni, "srcaddr": src, "dstaddr": dst,
                              "srcport": sport, "dstport": dport, "protocol": protocol,
                              "action": "REJECT"}
    if direction:
        record["flow-direction"] = direction
    return record


def _text(rule: dict[str, Any] | None) -> str:
    assert rule is not None
    text = str(rule["text"])
    found = TODAY.search(text)
    assert found is not None, text  # every answer says it is today's configuration
    return text[:found.start()]


@pytest.mark.parametrize("direction", ["ingress", None])
def test_nacl_inbound_deny_rule_is_named(ec2_world: World, names: Names,
                                         direction: str | None) -> None:
    """Inbound: the subnet's NACL rule 90 denies tcp 22 from 198.51.100.0/24. Without
    flow-direction the direction comes from which side is the interface's own address.
    sg-web, next on the path, allows ssh from the VPC only: it refuses it too, and that is
    said (opening rule 90 alone would not let it through)."""
    rule = which_rule(_record(ec2_world.web["eni"], "198.51.100.7", ec2_world.web["ip"],
                              40000, 22, direction=direction), names)
    assert rule is not None
    assert {k: rule[k] for k in ("kind", "id", "rule-number", "direction")} == {
        "kind": "network-acl", "id": ec2_world.acl, "rule-number": 90, "direction": "inbound"}
    assert _text(rule) == (
        f"NACL {ec2_world.acl} inbound rule 90 denies tcp 22 from 198.51.100.0/24; if the NACL "
        f"let it through, no rule of sg-web ({ec2_world.sg_web}) allows tcp 22 from "
        "198.51.100.7 (it allows tcp 443 from 0.0.0.0/0; tcp 22 from 10.20.0.0/16; tcp "
        "8000-8999 from 10.20.0.0/16; …)")


def test_nacl_outbound_rule_for_udp(ec2_world: World, names: Names) -> None:
    """Outbound: the groups allow everything out, then NACL rule 50 denies udp 53."""
    rule = which_rule(_record(ec2_world.web["eni"], ec2_world.web["ip"], "8.8.8.8", 50000, 53,
                              protocol=17), names)
    assert rule is not None and (rule["rule-number"], rule["direction"]) == (50, "outbound")
    assert _text(rule) == f"NACL {ec2_world.acl} outbound rule 50 denies udp 53 to 0.0.0.0/0"


def test_nacl_port_range_blocks_a_reply(ec2_world: World, names: Names) -> None:
    """The reply of web-1's HTTPS to a client in 192.0.2.0/24 goes to the client's ephemeral
    port: outbound rule 60 denies tcp 1024-65535 there (the nacl-blocks-reply case)."""
    rule = which_rule(_record(ec2_world.web["eni"], ec2_world.web["ip"], "192.0.2.5", 443,
                              50123, direction="egress"), names)
    assert _text(rule) == (f"NACL {ec2_world.acl} outbound rule 60 denies tcp 1024-65535 to "
                           "192.0.2.0/24")


def test_rule_order_first_match_wins(ec2_world: World, names: Names) -> None:
    """Inbound tcp 1500: rule 100 (allow all) comes before rule 110 (deny 1000-2000), so the
    NACL allows it, and the security group is what refuses it."""
    rule = which_rule(_record(ec2_world.web["eni"], "203.0.113.9", ec2_world.web["ip"], 40000,
                              1500), names)
    assert rule is not None
    assert (rule["kind"], rule["id"], rule["direction"]) == (
        "security-group", ec2_world.sg_web, "inbound")
    assert "rule-number" not in rule
    assert _text(rule) == (
        f"no rule of sg-web ({ec2_world.sg_web}) allows tcp 1500 from 203.0.113.9 (it allows "
        "tcp 443 from 0.0.0.0/0; tcp 22 from 10.20.0.0/16; tcp 8000-8999 from 10.20.0.0/16; …)")


def test_sg_port_range_allows_and_the_record_is_said_to_disagree(ec2_world: World,
                                                                 names: Names) -> None:
    """tcp 8443 from inside the VPC is allowed by sg-web's 8000-8999 and by the NACL: today's
    rules allow what the record shows rejected, and the answer says so."""
    rule = which_rule(_record(ec2_world.web["eni"], ec2_world.db["ip"], ec2_world.web["ip"],
                              40000, 8443), names)
    assert rule is not None and rule["kind"] == "none"
    text = _text(rule)
    assert text.startswith("today's rules allow what this record shows rejected: NACL "
                           f"{ec2_world.acl} (NACL {ec2_world.acl} inbound rule 100 allows "
                           "all traffic from 0.0.0.0/0 (tcp 8443 from 10.20.2.20)) and "
                           f"sg-web ({ec2_world.sg_web}) allows tcp 8000-8999 from 10.20.0.0/16")
    assert text.endswith("The configuration changed since the record, or something the flow "
                         "log can't see refused it (a connection past its tracking, a closed "
                         "connection)")


def test_icmp_type_rules_are_said_with_if(ec2_world: World, names: Names) -> None:
    """ICMP records carry no type: NACL rule 80 (deny icmp type 8) applies 'if' the packets
    were echo requests; other types go on to rule 100 (allow all) and then to sg-web, which
    allows none from there; and sg-web allows icmp type 8 only, said the same way."""
    nacl = which_rule(_record(ec2_world.web["eni"], "203.0.113.9", ec2_world.web["ip"], 0, 0,
                              protocol=1), names)
    assert nacl is not None and nacl["rule-number"] == 80
    assert _text(nacl) == (f"NACL {ec2_world.acl} inbound rule 80 denies icmp type 8 from "
                           "203.0.113.0/24 (if the packets were of that ICMP type: flow logs "
                           f"don't record it); if of another type, NACL {ec2_world.acl} "
                           "inbound rule 100 allows all traffic from 0.0.0.0/0 (icmp from "
                           "203.0.113.9); where the NACL lets it through, no rule of sg-web "
                           f"({ec2_world.sg_web}) allows icmp from 203.0.113.9 (it allows tcp "
                           "443 from 0.0.0.0/0; tcp 22 from 10.20.0.0/16; tcp 8000-8999 from "
                           "10.20.0.0/16; …)")
    group = which_rule(_record(ec2_world.web["eni"], ec2_world.db["ip"], ec2_world.web["ip"],
                               0, 0, protocol=1), names)
    assert group is not None and group["kind"] == "security-group"
    assert _text(group).endswith(f"; sg-web ({ec2_world.sg_web}) allows icmp type 8 from "
                                 "10.20.0.0/16, if the packets were of that ICMP type "
                                 "(flow logs don't record it)")


def test_the_default_star_rule(ec2_world: World, names: Names) -> None:
    """IPv6 inbound: the NACL has no IPv6 entry, so the * rule denies it; past it, sg-web's
    443 rule is for 0.0.0.0/0 only, IPv4, so the group would refuse it too."""
    rule = which_rule(_record(ec2_world.web["eni"], "2001:db8::1", ec2_world.web["ipv6"],
                              40000, 443), names)
    assert rule is not None and rule["rule-number"] == 32767
    assert _text(rule) == (f"NACL {ec2_world.acl} inbound: no numbered rule matches tcp 443 "
                           "from 2001:db8::1, so the default rule * denies it; if the NACL let "
                           f"it through, no rule of sg-web ({ec2_world.sg_web}) allows tcp 443 "
                           "from 2001:db8::1 (it allows tcp 443 from 0.0.0.0/0; tcp 22 from "
                           "10.20.0.0/16; tcp 8000-8999 from 10.20.0.0/16; …)")


def test_security_group_reference_and_cidr(ec2_world: World, names: Names) -> None:
    """sg-db allows 5432 from members of sg-web (web-1) and from 10.0.0.0/16; the untagged
    instance in sg-db is neither."""
    allowed = which_rule(_record(ec2_world.db["eni"], ec2_world.web["ip"], ec2_world.db["ip"],
                                 40000, 5432), names)
    assert allowed is not None and allowed["kind"] == "none"
    refused = which_rule(_record(ec2_world.db["eni"], ec2_world.plain["ip"], ec2_world.db["ip"],
                                 40000, 5432), names)
    assert refused is not None and (refused["kind"], refused["id"]) == (
        "security-group", ec2_world.sg_db)
    assert _text(refused) == (f"no rule of db ({ec2_world.sg_db}) allows tcp 5432 from "
                              f"{ec2_world.plain['ip']} (it allows tcp 5432 from "
                              f"10.0.0.0/16, {ec2_world.sg_web})")


def test_security_group_egress(ec2_world: World, names: Names) -> None:
    rule = which_rule(_record(ec2_world.db["eni"], ec2_world.db["ip"], "1.2.3.4", 40000, 80),
                      names)
    assert rule is not None and (rule["kind"], rule["direction"]) == (
        "security-group", "outbound")
    assert _text(rule) == (f"no rule of db ({ec2_world.sg_db}) allows tcp 80 to 1.2.3.4 (it allows "
                           "tcp 443 to 0.0.0.0/0)")


def test_a_reply_to_an_outbound_connection_points_at_the_nacl(ec2_world: World,
                                                              names: Names) -> None:
    """Inbound from a service port to an ephemeral port looks like a reply: groups would
    allow it (stateful), and the subnet's NACL allows it today (rule 100), so neither is the
    answer. Before, the answer said "a NACL is the place to look", pointing at a NACL it had
    itself found allowing the record."""
    rule = which_rule(_record(ec2_world.web["eni"], "203.0.113.9", ec2_world.web["ip"], 443,
                              50123), names)
    assert _text(rule).endswith(
        "; if this was the reply to a connection the interface opened, security groups allow "
        f"it (they are stateful) and today NACL {ec2_world.acl} inbound rule 100 allows all "
        "traffic from 0.0.0.0/0 (tcp 50123 from 203.0.113.9): the configuration changed "
        "since the record, or something the flow log can't see refused it")


def test_unknown_interface_or_direction_gives_no_rule(ec2_world: World, names: Names) -> None:
    assert which_rule(_record("eni-0000000000000000", "1.1.1.1", "2.2.2.2", 1, 2), names) is None
    assert which_rule(_record(ec2_world.web["eni"], "1.1.1.1", "2.2.2.2", 1, 2), names) is None
    assert which_rule(_record(ec2_world.web["eni"], "1.1.1.1", "2.2.2.2", 1, 2), Names()) is None


def test_the_story_of_a_refused_reply_names_the_nacl_rule(ec2_world: World,
                                                          names: Names) -> None:
    """nacl-blocks-reply: the request ACCEPTed in, the reply REJECTed out on the same
    interface; the rule is looked up for the REJECTed reply (outbound rule 60), whichever
    record the story is told of."""
    from flowtui.names.story import annotate
    from flowtui.parser import parse_bytes
    from flowtui.query.story import Coverage, tell
    from flowtui.store import RecordStore

    w = ec2_world
    header = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol "
              "packets bytes start end action log-status tcp-flags flow-direction")
    t0 = 1709647200
    lines = [f"5 {w.account} {w.web['eni']} 192.0.2.5 {w.web['ip']} 50123 443 6 3 180 "
             f"{t0} {t0 + 50} ACCEPT OK 2 ingress",
             f"5 {w.account} {w.web['eni']} {w.web['ip']} 192.0.2.5 443 50123 6 3 180 "
             f"{t0} {t0 + 50} REJECT OK 18 egress"]
    batches, _ = parse_bytes((header + "\n" + "\n".join(lines) + "\n").encode())
    store = RecordStore()
    for batch in batches:
        store.append(batch, "local.log")
    for index in (0, 1):
        story = tell(store, index, coverage=Coverage(((t0 - 7200, t0 + 7200),)))
        assert story.verdict == "nacl-blocks-reply"
        extra = annotate(story, names)
        assert extra["rule"]["rule-number"] == 60
        assert _text(extra["rule"]) == (f"NACL {w.acl} outbound rule 60 denies tcp "
                                        "1024-65535 to 192.0.2.0/24")
    assert extra["who"] == f"web-1 ({w.web['id']}, sg-web) → 192.0.2.5 tcp 50123"


def test_traffic_within_the_subnet_is_not_the_nacls(ec2_world: World, names: Names) -> None:
    """A NACL decides "whether a packet should be allowed in or out of a subnet associated
    with the network ACL" (EC2 API Reference, NetworkAclEntry): between two addresses of the
    same subnet nothing enters or leaves it, so the subnet's NACL is not evaluated: the
    security group is the answer, and where it allows, the NACL is not blamed either."""
    rule = which_rule(_record(ec2_world.web["eni"], "10.20.1.77", ec2_world.web["ip"], 40000,
                              1500), names)
    assert rule is not None and (rule["kind"], rule["id"]) == ("security-group",
                                                               ec2_world.sg_web)
    allowed = which_rule(_record(ec2_world.web["eni"], "10.20.1.77", ec2_world.web["ip"],
                                 40000, 22), names)
    assert allowed is not None and allowed["kind"] == "none"
    assert _text(allowed).startswith(
        f"today's rules allow what this record shows rejected: no NACL (both ends are in "
        f"subnet {ec2_world.subnet_app}: a NACL filters what enters or leaves a subnet)")
