"""The story in names: who spoke to whom, and which rule refused the REJECT.

Kept beside the story (``flowtui.query.story``), not in it: the story is told from the
records alone; this adds what the names and today's inventory say about the same record, for
``flowtui story`` (text and ``--format json``) and the story screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flowtui.names.rules import which_rule
from flowtui.query.rejectreason import NOT_RULED_OUT

#: Verdicts whose story has a rejected record a rule can be looked for.
RULE_VERDICTS = ("rejected", "nacl-blocks-reply")


def who(record: Mapping[str, Any], names: Any) -> str:
    """``web-1 (i-0abc, sg-web) → db-1 tcp 5432``: the interface's label on its own side."""
    info = names.interface(str(record.get("interface-id"))) if record.get("interface-id") \
        else None
    own = set(info.addresses) if info is not None else set()
    where = names.where(record)

    def side(address: Any) -> str:
        if address is None:
            return "-"
        if info is not None and str(address) in own:
            return str(info.label())
        return str(names.label("srcaddr", address, where))

    number = record.get("protocol")
    protocol = {6: "tcp", 17: "udp", 1: "icmp", 58: "icmpv6"}.get(
        number if isinstance(number, int) else -1, "")
    port = record.get("dstport") if protocol in ("tcp", "udp") else None
    tail = " ".join(str(p) for p in (protocol, port) if p not in ("", None))
    arrow = f"{side(record.get('srcaddr'))} → {side(record.get('dstaddr'))}"
    return f"{arrow} {tail}".rstrip()


def conversation_names(talk: Any, names: Any) -> dict[str, str | None]:
    """The names of a conversation's two addresses (None: nobody knows it), for its title
    (``A 10.0.1.5 (web-1) ⇄ B 10.0.2.9 (db-1)``) and its JSON. A side is named only when
    every interface that recorded the conversation names it alike (``Names.where``): a
    record of a deleted interface, or of another VPC using the same address, leaves it
    unnamed rather than named after whoever holds the address in the inventory."""
    wheres = {names.where({"interface-id": i}) for i in talk.recorders}

    def side(address: str) -> str | None:
        found = {names.name("srcaddr", address, where) for where in wheres}
        return found.pop() if len(found) == 1 else None

    return {"a": side(talk.a), "b": side(talk.b)}


def side_text(address: str, name: str | None) -> str:
    """``10.0.1.5 (web-1)``, or the address alone when it has no name."""
    return f"{address} ({name})" if name else address


def rejected_record(story: Any) -> Mapping[str, Any] | None:
    """The record of the story that was REJECTed (the story's own, else its reply's on the
    same interface), for the verdicts a rule can explain."""
    if story.verdict not in RULE_VERDICTS:
        return None
    record: Mapping[str, Any] = story.record
    if record.get("action") == "REJECT":
        return record
    for sighting in story.reply:
        if sighting.same_interface and sighting.record.get("action") == "REJECT":
            return sighting.record  # type: ignore[no-any-return]
    return None


def annotate(story: Any, names: Any) -> dict[str, Any]:
    """``{"names": {field: name}, "who": …, "rule": {...} | None}`` for a story."""
    record = story.record
    where = names.where(record)
    named = {field: names.name(field, record.get(field), where)
             for field in ("interface-id", "srcaddr", "dstaddr")}
    rejected = rejected_record(story)
    # nacl-blocks-reply: the REJECTed record is the reply to traffic the same interface
    # ACCEPTed, which its security groups let through and so let back (stateful)
    rule = which_rule(rejected, names, reply=story.verdict == "nacl-blocks-reply") \
        if rejected is not None else None
    if story.verdict == "blocked-by-bpa" and story.said is not None:
        rule = bpa_rule(story.said)
    elif (rule is not None and story.verdict == "rejected"
          and story.block_public_access == "not-ruled-out"):
        # a security group or NACL that refuses it today is not all that can have: the
        # inventory does not read the Block Public Access mode. (nacl-blocks-reply: the
        # other direction of the flow passed this interface, and its advice says "likely".)
        rule = dict(rule, text=f"{rule['text']}; {NOT_RULED_OUT} (the inventory does not "
                               "read the account's Block Public Access mode)")
    return {"names": named, "who": who(record, names), "rule": rule}


def bpa_rule(said: Any) -> dict[str, Any]:
    """The rule line of a blocked-by-bpa story: the record's reject-reason names the
    block, so today's security groups and network ACL are not what refused it."""
    whose = "its own record" if said.by == "own" and said.about == "this" else (
        "its reply's record" if said.by == "own" else said.where())
    return {"kind": "block-public-access", "id": "", "text":
            f"VPC Block Public Access refused it (reject-reason BPA in {whose}), not a "
            "security group or a network ACL"}


def lines(extra: Mapping[str, Any]) -> list[str]:
    """The annotation as text lines for ``flowtui story``."""
    out = [f"who      {extra['who']}"]
    rule = extra.get("rule")
    if rule:
        out.append(f"rule     {rule['text']}")
    return out


__all__ = ["RULE_VERDICTS", "annotate", "lines", "rejected_record", "who"]
