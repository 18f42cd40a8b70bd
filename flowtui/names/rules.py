"""Which rule refused a record: the subnet's network ACL or the interface's security groups.

Evaluated from today's inventory, as AWS documents the two:

- A network ACL has numbered inbound and outbound rules, processed in ascending order; the
  first rule that matches decides, and the last rule, ``*``, denies what no numbered rule
  matched. It is stateless: a reply is checked like any packet. Its port range is the
  traffic's destination port, in both directions.
- Security groups are stateful allow lists: a packet is allowed if any rule of any group of
  the interface allows it (ingress rules for what enters, egress for what leaves), and the
  reply to allowed traffic is allowed whatever the rules. A rule's source is a CIDR, a
  prefix list or another security group (meaning the private addresses of the interfaces in
  that group).

Order on the path: inbound traffic meets the subnet's NACL before the interface's groups;
outbound traffic meets the groups first. The record's direction comes from ``flow-direction``
when the format has it, else from which side holds the interface's own address.

What a flow log doesn't carry can't be decided: the ICMP type and code (ICMP records show
ports 0), the contents of a prefix list (reading it needs a call flowtui does not make), an
address outside the inventory behind a security-group reference, a subnet's network ACL that
DescribeNetworkAcls did not return. Those are said, not guessed.
The answer always says it is today's configuration, not necessarily the record's.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flowtui.names.interfaces import InterfaceInfo
from flowtui.names.inventory import Inventory, describe_age
from flowtui.query.advice import reply_reason

_PROTOCOL_NAMES = {"-1": "all", "1": "icmp", "6": "tcp", "17": "udp", "58": "icmpv6"}
_NAME_NUMBERS = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58}
_PORTED = (6, 17)
_ICMP = (1, 58)
#: The ``*`` rules as DescribeNetworkAcls numbers them: 32767 for IPv4 (0.0.0.0/0) and 32768
#: for IPv6 (::/0), the second in a VPC with an IPv6 block (AWS CLI, describe-network-acls).
_STAR = (32767, 32768)


@dataclass(frozen=True)
class Packet:
    """The record as the rules see it."""

    interface: InterfaceInfo
    direction: str  # "inbound" | "outbound"
    remote: str
    local: str
    protocol: int | None
    port: int | None  # destination port
    remote_port: int | None
    local_port: int | None = None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _address(value: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(str(value))
    except ValueError:
        return None


def packet_of(record: Mapping[str, Any], interface: InterfaceInfo) -> Packet | None:
    src, dst = record.get("srcaddr"), record.get("dstaddr")
    if src is None or dst is None:
        return None
    flow = record.get("flow-direction")
    own = {str(_address(a)) for a in interface.addresses}
    if flow == "ingress":
        direction = "inbound"
    elif flow == "egress":
        direction = "outbound"
    elif str(_address(dst)) in own:
        direction = "inbound"
    elif str(_address(src)) in own:
        direction = "outbound"
    else:
        return None
    inbound = direction == "inbound"
    return Packet(interface, direction, remote=str(src if inbound else dst),
                  local=str(dst if inbound else src), protocol=_int(record.get("protocol")),
                  port=_int(record.get("dstport")),
                  remote_port=_int(record.get("srcport" if inbound else "dstport")),
                  local_port=_int(record.get("dstport" if inbound else "srcport")))


def _icmp_text(icmp_type: Any, code: Any) -> str:
    """`` type 3 code 4`` / `` type 8`` / ``""`` for an ICMP rule: a NACL entry's
    IcmpTypeCode, a security group rule's FromPort (type) and ToPort (code); -1 is all. A
    rule for one code is no rule for the whole type."""
    if _int(icmp_type) in (None, -1):
        return ""
    return f" type {icmp_type}" + (f" code {code}" if _int(code) not in (None, -1) else "")


def _protocol_text(number: int | None) -> str:
    if number is None:
        return "?"
    return _PROTOCOL_NAMES.get(str(number), f"protocol {number}")


def _what(packet: Packet) -> str:
    """``tcp 22 from 198.51.100.7`` / ``udp 53 to 8.8.8.8`` / ``icmp from …``."""
    side = "from" if packet.direction == "inbound" else "to"
    proto = _protocol_text(packet.protocol)
    port = f" {packet.port}" if packet.protocol in _PORTED and packet.port is not None else ""
    return f"{proto}{port} {side} {packet.remote}"


# -------------------------------------------------------------------------------- NACLs


def nacl_of(inventory: Inventory, subnet: str) -> dict[str, Any] | None:
    for acl in inventory.network_acls:
        if any(a.get("SubnetId") == subnet for a in acl.get("Associations") or []):
            return acl
    return None


def _protocol_matches(rule_protocol: Any, packet: Packet) -> bool:
    text = str(rule_protocol)
    if text == "-1":
        return True
    number = _NAME_NUMBERS.get(text.lower()) if not text.lstrip("-").isdigit() else int(text)
    return number == packet.protocol


def _in_cidr(cidr: Any, address: str) -> bool:
    if not cidr:
        return False
    ip = _address(address)
    try:
        net = ipaddress.ip_network(str(cidr), strict=False)
    except ValueError:
        return False
    return ip is not None and ip.version == net.version and ip in net


def _nacl_entry_match(entry: Mapping[str, Any], packet: Packet) -> str:
    """"yes", "no" or "maybe" (an ICMP entry of one type: the record has no ICMP type)."""
    if not _protocol_matches(entry.get("Protocol"), packet):
        return "no"
    if not (_in_cidr(entry.get("CidrBlock"), packet.remote)
            or _in_cidr(entry.get("Ipv6CidrBlock"), packet.remote)):
        return "no"
    if packet.protocol in _PORTED and str(entry.get("Protocol")) != "-1":
        ports = entry.get("PortRange") or {}
        low, high = _int(ports.get("From")), _int(ports.get("To"))
        if low is not None and high is not None:
            if packet.port is None or not low <= packet.port <= high:
                return "no"
    if packet.protocol in _ICMP and str(entry.get("Protocol")) != "-1":
        icmp = entry.get("IcmpTypeCode") or {}
        if _int(icmp.get("Type")) not in (None, -1):
            return "maybe"
    return "yes"


def _entry_text(acl_id: str, entry: Mapping[str, Any], packet: Packet) -> str:
    number = entry.get("RuleNumber")
    verb = "denies" if entry.get("RuleAction") == "deny" else "allows"
    protocol = str(entry.get("Protocol"))
    proto = "all traffic" if protocol == "-1" else _protocol_text(_int(protocol))
    ports = entry.get("PortRange") or {}
    if ports and proto in ("tcp", "udp"):
        low, high = ports.get("From"), ports.get("To")
        proto += f" {low}" if low == high else f" {low}-{high}"
    icmp = entry.get("IcmpTypeCode") or {}
    if proto.startswith("icmp"):
        proto += _icmp_text(icmp.get("Type"), icmp.get("Code"))
    side = "from" if packet.direction == "inbound" else "to"
    cidr = entry.get("CidrBlock") or entry.get("Ipv6CidrBlock")
    label = "*" if _int(number) in _STAR else number
    return f"NACL {acl_id} {packet.direction} rule {label} {verb} {proto} {side} {cidr}"


def evaluate_nacl(acl: Mapping[str, Any], packet: Packet) -> dict[str, Any]:
    """The entry that decides ``packet`` (AWS: ascending rule number, first match).

    An entry for one ICMP type matches only "if" the packets were of that type (the record
    has no type): it is said so, and the first entry that matches whatever the type decides
    the other types. Passing over it silently said "no numbered rule matches" of a ping that
    an allow rule for echo requests lets in."""
    acl_id = str(acl.get("NetworkAclId"))
    egress = packet.direction == "outbound"
    entries = sorted((e for e in acl.get("Entries") or [] if bool(e.get("Egress")) == egress),
                     key=lambda e: _int(e.get("RuleNumber")) or 0)
    typed: list[tuple[int | None, bool, str]] = []  # (number, denies, text) for one ICMP type
    number: int | None = 32767
    deny, text = True, _star_text(acl_id, packet)
    for entry in entries:
        match = _nacl_entry_match(entry, packet)
        if match == "no":
            continue
        found = _int(entry.get("RuleNumber"))
        denies = entry.get("RuleAction") == "deny"
        if match == "maybe":
            typed.append((found, denies, _entry_text(acl_id, entry, packet)))
            continue
        number, deny = found, denies
        if found in _STAR:
            text = _star_text(acl_id, packet)
        else:
            text = _entry_text(acl_id, entry, packet)
            if not deny:
                text += f" ({_what(packet)})"
        break
    # AWS always has the * rule; an inventory without it still denies what nothing matched
    base = {"kind": "network-acl", "id": acl_id, "direction": packet.direction}
    if not typed:
        return base | {"rule-number": number, "text": text, "denies": deny}
    those = "that ICMP type" if len(typed) == 1 else "those ICMP types"
    said = "; ".join(t for _, _, t in typed)
    any_deny = deny or any(d for _, d, _ in typed)
    first_deny = next((n for n, d, _ in typed if d), number)
    return base | {
        "rule-number": first_deny if any_deny else typed[0][0], "denies": any_deny,
        "uncertain": any(d != deny for _, d, _ in typed),
        "passed": "where the NACL lets it through",
        "text": f"{said} (if the packets were of {those}: flow logs don't record it); if of "
                f"another type, {text}"}


def _star_text(acl_id: str, packet: Packet) -> str:
    return (f"NACL {acl_id} {packet.direction}: no numbered rule matches {_what(packet)}, so "
            "the default rule * denies it")


# ------------------------------------------------------------------------ security groups


def _sg_permission_allows(permission: Mapping[str, Any], packet: Packet,
                          members: Mapping[str, set[str]]) -> tuple[str, str]:
    """("yes"|"no"|"maybe"|"unknown", why) for one IpPermission."""
    protocol = str(permission.get("IpProtocol", "-1"))
    if protocol != "-1" and not _protocol_matches(protocol, packet):
        return "no", ""
    low, high = _int(permission.get("FromPort")), _int(permission.get("ToPort"))
    icmp_specific = False
    if protocol != "-1" and packet.protocol in _PORTED and low is not None and high is not None:
        if packet.port is None or not low <= packet.port <= high:
            return "no", ""
    if protocol != "-1" and packet.protocol in _ICMP and low not in (None, -1):
        icmp_specific = True
    sources = False
    unknown = ""
    for item in permission.get("IpRanges") or []:
        sources = sources or _in_cidr(item.get("CidrIp"), packet.remote)
    for item in permission.get("Ipv6Ranges") or []:
        sources = sources or _in_cidr(item.get("CidrIpv6"), packet.remote)
    for item in permission.get("UserIdGroupPairs") or []:
        group = str(item.get("GroupId"))
        if group in members:
            sources = sources or packet.remote in members[group]
        else:
            unknown = f"group {group} (not in the inventory)"
    for item in permission.get("PrefixListIds") or []:
        unknown = f"prefix list {item.get('PrefixListId')} (its entries are not read)"
    if sources:
        return ("maybe", "") if icmp_specific else ("yes", "")
    if unknown:
        return "unknown", unknown
    return "no", ""


def _permission_text(permission: Mapping[str, Any], direction: str) -> str:
    protocol = str(permission.get("IpProtocol", "-1"))
    low, high = permission.get("FromPort"), permission.get("ToPort")
    if protocol == "-1":
        what = "all traffic"
    elif protocol in ("icmp", "icmpv6", "1", "58"):
        what = _PROTOCOL_NAMES.get(protocol, protocol) + _icmp_text(low, high)
    else:
        name = _PROTOCOL_NAMES.get(protocol, protocol)
        what = f"{name} {low}" if low == high else f"{name} {low}-{high}"
        if name in ("tcp", "udp") and (low, high) == (0, 65535):
            what = f"all {name}"
    sources = [str(i.get("CidrIp")) for i in permission.get("IpRanges") or []]
    sources += [str(i.get("CidrIpv6")) for i in permission.get("Ipv6Ranges") or []]
    sources += [str(i.get("GroupId")) for i in permission.get("UserIdGroupPairs") or []]
    sources += [str(i.get("PrefixListId")) for i in permission.get("PrefixListIds") or []]
    side = "from" if direction == "inbound" else "to"
    return f"{what} {side} {', '.join(sources) or 'nowhere'}"


def group_label(interface: InterfaceInfo, group_id: str) -> str:
    """A security group as the user knows it: its name, then its id (``sg-bastion
    (sg-0abc…)``); the id alone when the inventory gives no other name."""
    names = dict(zip(interface.security_groups, interface.group_names, strict=False))
    name = names.get(group_id, "")
    return f"{name} ({group_id})" if name and name != group_id else group_id


def evaluate_groups(inventory: Inventory, packet: Packet, members: Mapping[str, set[str]]
                    ) -> dict[str, Any]:
    groups = {str(g.get("GroupId")): g for g in inventory.security_groups}
    ids = list(packet.interface.security_groups)
    key = "IpPermissions" if packet.direction == "inbound" else "IpPermissionsEgress"
    maybe: list[str] = []
    unknown: list[str] = []
    allowed_by: list[str] = []
    others: list[str] = []
    for group_id in ids:
        group = groups.get(group_id)
        if group is None:
            unknown.append(f"{group_id} (not in the inventory)")
            continue
        for permission in group.get(key) or []:
            verdict, why = _sg_permission_allows(permission, packet, members)
            text = _permission_text(permission, packet.direction)
            if verdict == "yes":
                allowed_by.append(f"{group_label(packet.interface, group_id)} allows {text}")
            elif verdict == "maybe":
                maybe.append(f"{group_label(packet.interface, group_id)} allows {text}")
            elif verdict == "unknown":
                unknown.append(f"{group_id}: {why}")
            else:
                others.append(text)
    names = " or ".join(group_label(packet.interface, g) for g in ids) or "(none)"
    base = {"kind": "security-group", "id": ids[0] if len(ids) == 1 else ",".join(ids),
            "direction": packet.direction}
    if allowed_by:
        return base | {"denies": False, "text": f"{allowed_by[0]} ({_what(packet)})"}
    # with a rule that can't be read (a prefix list, a group not in the inventory), "no
    # rule allows" would be a guess: say which rules it is true of
    readable = " that flowtui can read" if unknown else ""
    text = f"no rule of {names}{readable} allows {_what(packet)}"
    if others:
        shown = others[:3]
        text += f" (it allows {'; '.join(shown)}{'; …' if len(others) > 3 else ''})"
    if maybe:
        text += (f"; {maybe[0]}, if the packets were of that ICMP type (flow logs don't "
                 "record it)")
    if unknown:
        text += f"; could not be evaluated: {'; '.join(unknown[:2])}"
    return base | {"denies": True, "uncertain": bool(unknown), "text": text}


# ------------------------------------------------------------------------------- answer


def _members(inventory: Inventory, interfaces: Sequence[InterfaceInfo]) -> dict[str, set[str]]:
    """Security group id → private addresses of the interfaces in it: what a group
    reference matches (AWS: "based on the private IP addresses of the instances that are
    associated with the source security group (and not the public IP or Elastic IP
    addresses)", VPC User Guide, "Security group referencing")."""
    out: dict[str, set[str]] = {str(g.get("GroupId")): set() for g in inventory.security_groups}
    for info in interfaces:
        public = set(info.public_addresses)
        for group in info.security_groups:
            out.setdefault(group, set()).update(str(_address(a)) for a in info.addresses
                                                if a not in public)
    return out


def which_rule(record: Mapping[str, Any], names: Any, *, reply: bool = False
               ) -> dict[str, Any] | None:
    """For a rejected ``record``: the rule that refused it, as ``{"kind", "id",
    "rule-number" (NACL), "direction", "text"}``; None when the interface is not in the
    inventory or the record's direction can't be told. ``names`` is a ``Names``.

    ``reply``: the record is known to be the reply to traffic this interface let through
    (the story's nacl-blocks-reply). Security groups are stateful, so they allow it whatever
    their rules say: only the NACL can have refused it."""
    eni = record.get("interface-id")
    info = names.interface(str(eni)) if eni else None
    if info is None:
        return None
    inventory = next((inv for inv in names.inventories if any(
        i.get("NetworkInterfaceId") == info.id for i in inv.interfaces)), None)
    if inventory is None:
        return None
    packet = packet_of(record, info)
    if packet is None:
        return None
    today = (f" — today's configuration (read {describe_age(inventory.age())} ago), not "
             "necessarily the one at the record's time")
    acl = nacl_of(inventory, info.subnet_id)
    within = _same_subnet(inventory, info.subnet_id, packet.remote)
    nacl = evaluate_nacl(acl, packet) if acl is not None and not within else None
    if acl is None and not within:
        # Every subnet has a network ACL: one missing from the inventory is unknown, not
        # absent, and "today's rules allow" would be a guess.
        nacl = {"kind": "unknown", "id": "", "direction": packet.direction, "denies": True,
                "uncertain": True, "passed": "if it lets it through",
                "text": f"the network ACL of subnet {info.subnet_id} is not in the inventory "
                        "(DescribeNetworkAcls did not return it), so whether it refused "
                        f"{_what(packet)} can't be told"}
    # An interface without a group (a NAT gateway's, a transit gateway attachment's: AWS
    # lets no group be associated with them) is filtered by its subnet's NACL alone.
    groups = evaluate_groups(inventory, packet, _members(inventory, list(
        names.interfaces.by_id.values()))) if info.security_groups else None
    if groups is not None and reply:
        labels = ", ".join(group_label(info, g) for g in info.security_groups)
        groups = {"denies": False, "text": f"{labels} allows it as "
                  "the reply to traffic it allowed (security groups are stateful)"}
    if groups is not None and groups["denies"]:
        groups["text"] += _public_member_note(inventory, packet, names)
        if reply_reason(record) is not None:  # as the story's verdict reads a reply
            groups["text"] += _reply_hint(packet, nacl)
    path = [nacl, groups] if packet.direction == "inbound" else [groups, nacl]
    for at, step in enumerate(path):
        if step is not None and step["denies"]:
            after = [s for s in path[at + 1:] if s is not None and s["denies"]]
            if step.get("uncertain") and after and after[0]["text"] not in step["text"]:
                # if the step that can't be settled lets it through (the rule flowtui can't
                # read allows it, the packets were of another ICMP type), the next one on
                # the path is what refused it
                step["text"] += f"; {step.get('passed', 'if that rule allows it')}, " \
                                f"{after[0]['text']}"
            elif step["kind"] == "unknown" and groups is not None:
                step["text"] += f"; {groups['text']}"
            elif after and after[0]["text"] not in step["text"]:
                # both refuse it: changing the first alone would not let it through
                first = "the NACL" if step["kind"] == "network-acl" else "the groups"
                step["text"] += f"; if {first} let it through, {after[0]['text']}"
            return _public(step, today)
    # Every rule on the path allows it today. ``nacl`` is None only within one subnet: a
    # NACL missing from the inventory is the "unknown" step above, which denies, so the loop
    # has returned it.
    acl_text = (f"no NACL (both ends are in subnet {info.subnet_id}: a NACL filters what "
                "enters or leaves a subnet)" if nacl is None else f"NACL {nacl['id']}")
    groups_text = groups["text"] if groups is not None else (
        f"no security group ({info.name} has none, so only a NACL filters its traffic)")
    text = (f"today's rules allow what this record shows rejected: {acl_text} "
            f"{'(' + nacl['text'] + ')' if nacl else ''} and {groups_text}. The "
            "configuration changed since the record, or something the flow log can't see "
            "refused it (a connection past its tracking, a closed connection)")
    return {"kind": "none", "id": "", "direction": packet.direction,
            "text": " ".join(text.split()) + today}


def _reply_hint(packet: Packet, nacl: Mapping[str, Any] | None) -> str:
    """What refused the record if it was a reply, which the groups let through (stateful):
    the NACL's own verdict on it (on the way out it comes after the groups), not a pointer
    to a NACL that today's rules show allowing it. On the way in a refusing NACL is named
    before the groups already: saying it again here read as a circle."""
    opened = "opened" if packet.direction == "inbound" else "accepted"
    hint = (f"; if this was the reply to a connection the interface {opened}, security "
            "groups allow it (they are stateful)")
    if nacl is None:  # no NACL between: both ends are in the subnet (a missing one is a step)
        return f"{hint} and no NACL is between (both ends are in its subnet)"
    if nacl["denies"] and packet.direction == "inbound":
        return hint
    if nacl["denies"]:
        return f"{hint} and {nacl['text']}"
    return (f"{hint} and today {nacl['text']}: the configuration changed since the record, "
            "or something the flow log can't see refused it")


def _public_member_note(inventory: Inventory, packet: Packet, names: Any) -> str:
    """Why a rule naming a group did not match: the remote address is the public one of a
    member of that group (traffic that went out to the Internet and back)."""
    holder = names.interfaces.by_address.get(str(_address(packet.remote)))
    if holder is None or packet.remote not in holder.public_addresses:
        return ""
    key = "IpPermissions" if packet.direction == "inbound" else "IpPermissionsEgress"
    named = {str(pair.get("GroupId")) for g in inventory.security_groups
             if str(g.get("GroupId")) in packet.interface.security_groups
             for permission in g.get(key) or []
             for pair in permission.get("UserIdGroupPairs") or []}
    shared = [g for g in holder.security_groups if g in named]
    if not shared:
        return ""
    return (f"; {packet.remote} is the public address of {holder.name}, a member of "
            f"{shared[0]}: a rule naming a security group matches its members' private "
            "addresses only, not their public or Elastic IP addresses")


def _same_subnet(inventory: Inventory, subnet_id: str, remote: str) -> bool:
    """Whether ``remote`` lies in the interface's own subnet: such traffic never enters or
    leaves the subnet, so its network ACL does not see it."""
    for subnet in inventory.subnets:
        if subnet.get("SubnetId") != subnet_id:
            continue
        cidrs = [subnet.get("CidrBlock")] + [a.get("Ipv6CidrBlock") for a in
                                             subnet.get("Ipv6CidrBlockAssociationSet") or []]
        return any(_in_cidr(c, remote) for c in cidrs if c)
    return False


def _public(step: dict[str, Any], today: str) -> dict[str, Any]:
    out = {k: v for k, v in step.items() if k not in ("denies", "uncertain", "passed")}
    if out["kind"] != "network-acl":
        out.pop("rule-number", None)
    out["text"] = out["text"] + today
    return out


__all__ = ["Packet", "evaluate_groups", "evaluate_nacl", "nacl_of", "packet_of", "which_rule"]
