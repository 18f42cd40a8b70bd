"""The verdict of a story: which of a few known causes the gathered evidence points at.

Apart from the gathering (``story.py``): a verdict is a rule over evidence already found, and
each rule is one small function that answers with its explanation or stays silent. The rules
are data, tried in order per action of the record: the first that speaks decides. Each
explanation cites the fields it read and what would confirm it; the facts are the format's
(reference §3.1 stateful security groups and stateless NACLs, §3.2 NODATA/SKIPDATA, §3.6 TCP
flags, §3.9 Block Public Access, §4 ``pkt-*addr``, §9 traffic never logged).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

from flowtui.decoders import as_int, tcp_flag_names
from flowtui.query.advice import (
    TRAFFIC_TYPE,
    UNSEEN,
    answers,
    has_ports,
    opens,
    overlap,
    protocol_name,
    reply_reason,
    rule_set,
    what_to_allow,
)
from flowtui.query.flow import Record, Sighting, recorded_at
from flowtui.query.rejectreason import BPA, Said, may_be_internet, own_value, siblings
from flowtui.query.sides import direction_of, request_and_reply
from flowtui.store import RecordStore

#: The verdict codes, stable: JSON output and tests use them.
VERDICTS = ("nacl-blocks-reply", "blocked-by-bpa", "rejected", "rejected-after-close",
            "no-reply-seen", "ok", "incomplete")
FIN, RST = 1, 4
TCP = 6


@dataclass(frozen=True)
class Case:
    """What a verdict reads: R, its flow's sightings (``forward``/``reverse``, each in time
    order), the ``reply`` and ``elsewhere`` sightings inside R's window, R's interface's
    status rows, and what is known not to be loaded. ``in_window`` says whether a record lies
    in R's time window."""

    store: RecordStore
    record: Record
    index: int
    forward: Sequence[Sighting]
    reverse: Sequence[Sighting]
    reply: Sequence[Sighting]
    elsewhere: Sequence[Sighting]
    status: Sequence[Record]
    missing: Sequence[str]
    in_window: Callable[[Mapping[str, object]], bool]

    @cached_property
    def same_forward(self) -> list[Sighting]:
        """Other records of R's direction on R's interface, in its window."""
        return [s for s in self.forward if s.same_interface and self.in_window(s.record)
                and s.store_index != self.index]

    @cached_property
    def same_reverse(self) -> list[Sighting]:
        """The replies seen on R's interface."""
        return [s for s in self.reply if s.same_interface]

    def back(self, action: str) -> list[Sighting]:
        """The replies on R's interface with ``action``."""
        return [s for s in self.same_reverse if s.record.get("action") == action]

    def replies(self, action: str) -> list[Sighting]:
        """The replies on any interface with ``action``."""
        return [s for s in self.reply if s.record.get("action") == action]

    def closers(self, rejected: Mapping[str, object], exclude: int) -> list[Record]:
        """Records of the tuple on R's interface, before ``rejected``, carrying FIN or RST.
        None when ``rejected`` carries SYN without ACK: that is a new connection attempt
        of the same tuple (a port reused), not a packet arriving after the close."""
        if as_int(self.record.get("protocol")) != TCP or opens(rejected):
            return []
        start = as_int(rejected.get("start"))
        out = []
        for s in [*self.forward, *self.reverse]:
            if s.store_index == exclude or not s.same_interface or not self.in_window(s.record):
                continue
            flags = as_int(s.record.get("tcp-flags")) or 0
            began = as_int(s.record.get("start"))
            if flags & (FIN | RST) and (start is None or began is None or began <= start):
                out.append(s.record)
        return out

    @cached_property
    def rejected(self) -> list[tuple[str, int, Record, Sequence[Sighting]]]:
        """The REJECTed records a verdict explains, with the sightings of their direction:
        R ("this") when REJECTed, then its REJECTed replies on R's interface ("reply")."""
        out: list[tuple[str, int, Record, Sequence[Sighting]]] = []
        if self.record.get("action") == "REJECT":
            out.append(("this", self.index, self.record, self.forward))
        out += [("reply", s.store_index, s.record, self.reverse) for s in self.same_reverse
                if s.record.get("action") == "REJECT"]
        return out

    @cached_property
    def reject_reasons(self) -> list[Said | None]:
        """What ``reject-reason`` says of each REJECTed record (``rejected``, in its order):
        its own field when its format has one (it speaks for itself), else the same flow's
        record on the same interface in another flow log, at an overlapping time, whose
        format has it (BPA first); None when nothing says it."""
        out: list[Said | None] = []
        fields_of = self.store.fields_of
        for about, index, record, same_way in self.rejected:
            own = own_value(fields_of(index), record)
            if own is not None:
                out.append(Said(about, "own", own, index, self.store.source(index), record))
                continue
            found = siblings(record, index, same_way, fields_of)
            sighting, value = found[0] if found else (None, "")
            out.append(None if sighting is None else Said(
                about, "other-flow-log", value, sighting.store_index, sighting.source,
                sighting.record))
        return out

    @cached_property
    def bpa_said(self) -> Said | None:
        """The first record that says VPC Block Public Access refused the flow."""
        return next((said for said in self.reject_reasons
                     if said is not None and said.value == BPA), None)

    @cached_property
    def block_public_access(self) -> str | None:
        """"refused" (a record says BPA), "ruled-out" (every REJECTed record's reject-reason
        is '-', another reason, or all their addresses are private-use, which the Internet
        does not route), "not-ruled-out" (nothing says), or None (nothing was REJECTed)."""
        if self.bpa_said is not None:
            return "refused"
        if not self.rejected:
            return None
        unsaid = [entry[2] for entry, said in zip(self.rejected, self.reject_reasons,
                                                  strict=True) if said is None]
        if not any(may_be_internet(r) for r in unsaid):
            return "ruled-out"
        return "not-ruled-out"

    def status_in_window(self, status: str) -> list[Record]:
        return [row for row in self.status
                if self.in_window(row) and row.get("log-status") == status]


# ------------------------------------------------------------------------- the rules
# Each answers with its verdict's explanation, or None when the evidence is not its case.


def _blocked_by_bpa(case: Case) -> str | None:
    return _explain_bpa(case.bpa_said) if case.bpa_said is not None else None


#: The Transit Gateway's drop counters (reference §7), in the order AWS lists them.
PACKETS_LOST = ("packets-lost-no-route", "packets-lost-blackhole",
                "packets-lost-mtu-exceeded", "packets-lost-ttl-expired")


def _tgw_drops(record: Mapping[str, object]) -> str:
    """What the gateway's drop counters say. A counter that is '-' or not in the format was
    not recorded, which is not 0: "dropped none" is said only when all four are 0."""
    counts = {name: as_int(record.get(name)) for name in PACKETS_LOST}
    lost = [f"{n} {name.removeprefix('packets-lost-')}" for name, n in counts.items() if n]
    unknown = [name for name, n in counts.items() if n is None]
    if not lost and not unknown:
        return "The gateway dropped none of its packets (packets-lost-* are 0)."
    if len(unknown) == len(PACKETS_LOST):
        return ("Whether the gateway dropped packets of it is not known: packets-lost-* are "
                "not recorded ('-' or not in this flow log's format).")
    zeros = [name for name, n in counts.items() if n == 0]
    said = (f"The gateway dropped packets of it: {', '.join(lost)} (packets-lost-*)." if lost
            else f"{' and '.join(zeros)} {'is' if len(zeros) == 1 else 'are'} 0.")
    if not unknown:
        return said
    reasons = "that reason" if len(unknown) == 1 else "those reasons"
    return (f"{said} Not recorded ('-' or not in this flow log's format): "
            f"{', '.join(unknown)}, so whether the gateway dropped packets of it for {reasons} "
            "is not known.")


def _rejected_after_close(case: Case) -> str | None:
    closers = case.closers(case.record, case.index)
    return _explain_after_close(case.record, closers) if closers else None


def _reply_accepted_here(case: Case) -> str | None:
    accepted = case.back("ACCEPT")
    if not accepted or not _is_reply(accepted[0].record, case.record):
        return None
    return _explain_nacl(case, accepted[0].record, case.record)


def _request_accepted_back(case: Case) -> str | None:
    """R is a REJECTed request whose reverse tuple was ACCEPTed here."""
    accepted = case.back("ACCEPT")
    return _explain_request_rejected(case, accepted[0].record, case.record) if accepted \
        else None


def _is_reply(accepted: Mapping[str, object], rejected: Mapping[str, object]) -> bool:
    """Whether the REJECTed one of two opposite records is the reply: only then does a
    security group's state (it allowed the request) clear it. A REJECTed request (its SYN,
    the service's port) is judged by the rules as any new traffic is."""
    return request_and_reply(accepted, rejected)[1] is rejected


def _refused(case: Case) -> str | None:
    return _explain_rejected(case)


def _no_action(case: Case) -> str | None:
    record = case.record
    if str(record.get("resource-type") or "").startswith("TransitGateway"):
        return ("A Transit Gateway flow log records no action: nothing in its format says "
                "whether a security group or network ACL passed this traffic, so no verdict "
                "rests on it (read the VPC flow logs of the interfaces at either end). "
                + _tgw_drops(record))
    return (f"The record has no action (action '-', log-status "
            f"{record.get('log-status')}), so nothing can be said of it.")


def _answered_here(case: Case) -> str | None:
    accepted = case.back("ACCEPT")
    return _explain_ok(case, accepted[0], case.back("REJECT")) if accepted else None


def _reply_rejected_after_close(case: Case) -> str | None:
    rejected = case.back("REJECT")
    closers = [case.closers(s.record, s.store_index) for s in rejected]
    if not rejected or not all(closers):
        return None
    return _explain_after_close(rejected[0].record, [c for each in closers for c in each])


def _reply_rejected_here(case: Case) -> str | None:
    rejected = case.back("REJECT")
    if not rejected or not _is_reply(case.record, rejected[0].record):
        return None
    return _explain_nacl(case, case.record, rejected[0].record)


def _request_rejected_back(case: Case) -> str | None:
    """R is ACCEPTed and reads as the reply of a request REJECTed here."""
    rejected = case.back("REJECT")
    return _explain_request_rejected(case, case.record, rejected[0].record) if rejected \
        else None


def _answered_elsewhere(case: Case) -> str | None:
    accepted = case.replies("ACCEPT")
    return _explain_ok(case, accepted[0], []) if accepted else None


def _reply_rejected_where_request_passed(case: Case) -> str | None:
    for s in case.replies("REJECT"):
        at = recorded_at(s.record)
        pair = [f for f in case.elsewhere if at is not None and recorded_at(f.record) == at
                and f.record.get("action") == "ACCEPT"]
        if pair and _is_reply(pair[0].record, s.record):
            return _explain_nacl(case, pair[0].record, s.record)
    return None


def _reply_rejected_elsewhere(case: Case) -> str | None:
    rejected = case.replies("REJECT")
    return _explain_reply_rejected_elsewhere(case, rejected[0].record) if rejected else None


def _reply_may_be_hidden(case: Case) -> str | None:
    # Only SKIPDATA (and what is not loaded) can hide a reply: NODATA says the interface
    # carried no traffic at all then, replies included (§3.2), which is evidence too.
    skipped = case.status_in_window("SKIPDATA")
    if skipped or case.missing:
        return _explain_incomplete(case, skipped, case.missing)
    return None


def _unanswered(case: Case) -> str | None:
    return _explain_no_reply(case, case.elsewhere, case.status_in_window("NODATA"))


Rule = tuple[str, Callable[[Case], str | None]]

#: Tried first whatever R's action: BPA names its own cause.
_ALWAYS: tuple[Rule, ...] = (("blocked-by-bpa", _blocked_by_bpa),)
#: Per R's action, in order; the last rule of each always speaks.
_RULES: dict[object, tuple[Rule, ...]] = {
    "REJECT": (
        ("rejected-after-close", _rejected_after_close),
        ("nacl-blocks-reply", _reply_accepted_here),
        ("rejected", _request_accepted_back),
        ("rejected", _refused),
    ),
    "ACCEPT": (
        ("ok", _answered_here),
        ("rejected-after-close", _reply_rejected_after_close),
        ("nacl-blocks-reply", _reply_rejected_here),
        ("rejected", _request_rejected_back),
        ("ok", _answered_elsewhere),
        ("nacl-blocks-reply", _reply_rejected_where_request_passed),
        ("rejected", _reply_rejected_elsewhere),
        ("incomplete", _reply_may_be_hidden),
        ("no-reply-seen", _unanswered),
    ),
}
#: A record without an action (a NODATA/SKIPDATA row with addresses, or '-').
_NO_ACTION: tuple[Rule, ...] = (("incomplete", _no_action),)


def diagnose(case: Case) -> tuple[str, str]:
    """The verdict code (one of ``VERDICTS``) and its explanation."""
    for verdict, rule in _ALWAYS + _RULES.get(case.record.get("action"), _NO_ACTION):
        explanation = rule(case)
        if explanation is not None:
            return verdict, explanation
    raise AssertionError("the last rule of every action speaks")


def place(record: Mapping[str, object]) -> str:
    """Where ``record`` was recorded, as the advice names it: ``interface-id eni-0abc``
    (``tgw-attachment-id …``, ``resource-id …``), or what its format leaves unsaid: it
    read "interface-id None" for a custom format without interface-id."""
    at = recorded_at(record)
    if at is None:
        return "its interface (this flow log's format logs no interface-id)"
    return f"{at[0]} {at[1]}"


def explain_status_row(record: Mapping[str, object]) -> str:
    """Why a record with no flow (a NODATA or SKIPDATA row, no addresses) has no story."""
    status = record.get("log-status")
    if status == "SKIPDATA":
        text = (f"This is a SKIPDATA row (log-status SKIPDATA) for {place(record)} from "
                f"{utc_time(record.get('start'))} to "
                f"{utc_time(record.get('end'))}: records were skipped in this interval "
                "(capacity limits or an internal error), and one such row can stand for "
                "many lost flows, so totals for this interface and interval are "
                "lower bounds. There is no flow to tell; a later interval of the same "
                "interface, or another interface on the path, may show the traffic.")
    elif status == "NODATA":
        text = (f"This is a NODATA row (log-status NODATA) for {place(record)} from "
                f"{utc_time(record.get('start'))} to "
                f"{utc_time(record.get('end'))}: the interface had no traffic in or out "
                "during the interval, so there is no flow to tell. Traffic expected "
                "then did not reach this interface, or was of a kind never logged.")
    else:
        text = ("This record names no addresses (srcaddr/dstaddr are '-'), so it has no "
                "flow whose reply could be looked for.")
    return text


# ------------------------------------------------------------------ the explanations


def _explain_bpa(said: Said) -> str:
    blocked = said.record
    whose = "This record" if said.about == "this" else "Its reply"
    if said.by == "own":
        who = f"{whose} ({_brief(blocked)}) has reject-reason BPA"
    else:
        who = (f"{whose} comes from a flow log whose format has no reject-reason, the field "
               "that names a Block Public Access block; the same flow's record on the same "
               f"interface in {said.where()}, at an overlapping time ({_brief(blocked)}), "
               "has reject-reason BPA")
    return (f"{who}: VPC Block Public Access refused it, not a security group or a network "
            "ACL. BPA blocks traffic "
            "through internet gateways and egress-only internet gateways for the whole "
            "account and region unless the VPC or subnet is excluded; its records carry no "
            "bytes. To confirm, look at the Block Public Access mode (bidirectional "
            f"or ingress-only) and its exclusions for the VPC and subnet of {place(blocked)}.")


def _unless_bpa(case: Case) -> str:
    """The cause named while Block Public Access is not ruled out is not the only one."""
    return (" (or VPC Block Public Access: see the end)"
            if case.block_public_access == "not-ruled-out" else "")


def _bpa_unknown(case: Case) -> str:
    """Said after a REJECT's rule advice while nothing rules Block Public Access out."""
    if case.block_public_access != "not-ruled-out":
        return ""
    return (" Block Public Access is not ruled out: this flow log's format has no "
            "reject-reason, the field that names a BPA block, no record of this flow on "
            "this interface in another flow log says it, and an address of the record may be "
            "on the Internet, where BPA blocks traffic through internet gateways.")


def _explain_after_close(rejected: Mapping[str, object],
                         closers: Sequence[Mapping[str, object]]) -> str:
    closer = closers[-1]
    names = "+".join(tcp_flag_names(closer.get("tcp-flags"))) or "?"
    return (f"The REJECT ({_brief(rejected)}) comes after a record of the same connection "
            f"that carries tcp-flags {closer.get('tcp-flags')} ({names}) on the same "
            f"interface ({_brief(closer)}): the connection was closing or closed, and "
            "packets that arrive after a connection has closed are REJECTed. This "
            "is not a rule problem. It would be confirmed by the REJECTed records being "
            "few packets right after the FIN/RST and by no new SYN of this tuple being "
            "REJECTed later; REJECTs that go on or grow point at a rule instead.")


def _explain_nacl(case: Case, accepted: Mapping[str, object],
                  rejected: Mapping[str, object]) -> str:
    request, reply = request_and_reply(accepted, rejected)
    direction, how = direction_of(case.store, rejected)
    is_reply = rejected is reply
    port = as_int(request.get("srcport")) if is_reply else as_int(request.get("dstport"))
    allow = what_to_allow(rejected, reply=is_reply, port=port)
    leaves = {"egress": "leaves", "ingress": "enters"}.get(direction or "", "crosses")
    return (f"On {place(rejected)} one direction was ACCEPTed ({_brief(accepted)}) "
            f"and the reverse tuple REJECTed ({_brief(rejected)}), "
            f"{overlap(accepted, rejected)}. Security groups are stateful, so a reply to "
            "traffic they allowed is allowed by them too; a network ACL is stateless, and "
            f"is the likely block. Check the {rule_set(direction)} rules of the "
            f"network ACL of that interface's subnet (the rejected traffic {leaves} the "
            f"interface: {how}) for {allow}. It would be confirmed by that NACL having no "
            "allow rule covering it before a deny, and by the REJECTs stopping once such "
            "a rule is added.")


def _explain_request_rejected(case: Case, accepted: Mapping[str, object],
                              rejected: Mapping[str, object]) -> str:
    """The REJECTed one of two opposite records on one interface is the request: the
    stateful argument (a reply to allowed traffic passes the groups) does not clear the
    security groups of it."""
    direction, how = direction_of(case.store, rejected)
    rules = rule_set(direction)
    why = (f"it carries tcp-flags {rejected.get('tcp-flags')}, SYN without ACK" if
           opens(rejected) else f"the ACCEPTed one carries tcp-flags {accepted.get('tcp-flags')}"
           ", SYN-ACK" if answers(accepted) else "its destination port is the lower, the "
           "service's")
    target = (f"{protocol_name(rejected)} port {rejected.get('dstport')}" if has_ports(rejected)
              else what_to_allow(rejected, reply=False, port=None))
    return (f"On {place(rejected)} the reverse tuple was ACCEPTed ({_brief(accepted)}), but "
            f"the REJECTed record ({_brief(rejected)}) reads as the request ({why}), the "
            "ACCEPTed one as a reply to an earlier request of the same tuple. Security "
            "groups pass replies to requests they allowed, not new requests: a security "
            f"group or a network ACL refuses this one{_unless_bpa(case)}, and flow logs alone "
            f"can't say which. Check the {rules} rules of the security group of "
            f"{place(rejected)} ({how}) for {target}, then the {rules} rules of its subnet's "
            "network ACL. It would be confirmed by finding the rule; a rule changed between "
            f"the two records would explain why the earlier request passed.{_bpa_unknown(case)}")


def _explain_rejected(case: Case) -> str:
    r = case.record
    direction, how = direction_of(case.store, r)
    rules = rule_set(direction)
    earlier = [s for s in case.same_forward if s.record.get("action") == "ACCEPT"]
    note = (f" {len(earlier)} other record(s) of this direction were ACCEPTed nearby, with "
            "no FIN/RST seen: a rule may have changed, or the close was not logged."
            if earlier else "")
    why_reply = reply_reason(r)
    if why_reply is not None:
        return (f"The record was REJECTed ({_brief(r)}) and it is a reply: {why_reply}. "
                "Security groups pass the replies to requests they allowed, so the usual "
                f"cause is the subnet's network ACL of {place(r)}: check its {rules} rules "
                f"({how}) for "
                f"{what_to_allow(r, reply=True, port=as_int(r.get('dstport')))}. The "
                "request itself was not seen on this interface: if this flow log records "
                f"REJECT traffic only, its ACCEPTed request would not show ({TRAFFIC_TYPE})."
                f"{note}{_bpa_unknown(case)}")
    target = (f"{protocol_name(r)} port {r.get('dstport')}" if has_ports(r) else
              what_to_allow(r, reply=False, port=None))
    if direction is None:
        # Neither flow-direction nor the interface's own address tells the side: saying
        # "enters" would send the reader to the inbound rules of an outbound REJECT.
        where = (f"Which way it crossed the interface can't be told ({how}): if it entered, "
                 f"check the inbound rules of the security group of {place(r)} for {target} "
                 f"from {r.get('srcaddr')}; if it left, the outbound rules for {target} to "
                 f"{r.get('dstaddr')}; then the same rules of its subnet's network ACL.")
    else:
        where = (f"The traffic {'leaves' if direction == 'egress' else 'enters'} the "
                 f"interface ({how}): check the {rules} rules of the security group of "
                 f"{place(r)} for {target} "
                 f"{'to' if direction == 'egress' else 'from'} "
                 f"{r.get('dstaddr') if direction == 'egress' else r.get('srcaddr')}, then "
                 f"the {rules} rules of its subnet's network ACL.")
    return (f"The record was REJECTed ({_brief(r)}) and nothing of this tuple was ACCEPTed "
            "on this interface in the loaded data (action, both directions). A security "
            f"group or a network ACL refuses it{_unless_bpa(case)}; flow logs alone can't say "
            "which."
            f"{note} {where} It would be confirmed by finding "
            "the rule: if the security group allows it, the NACL is the block (or the "
            f"other way round). The ACCEPTs of this tuple would not show if this flow log "
            f"records REJECT traffic only ({TRAFFIC_TYPE}).{_bpa_unknown(case)}")


def _explain_reply_rejected_elsewhere(case: Case, rejected: Mapping[str, object]) -> str:
    direction, how = direction_of(case.store, rejected)
    return (f"The record was ACCEPTed ({_brief(case.record)}), and its reverse tuple was "
            f"REJECTed at another interface ({_brief(rejected)}, {place(rejected)}) where "
            "the request itself was not seen. "
            "A security group or network ACL there refuses the reply; load that "
            "interface's records around the same time to see both directions, and check "
            f"the {rule_set(direction)} rules of its security group and of its subnet's "
            f"network ACL ({how}) for the reply's "
            f"{'ports' if has_ports(rejected) else protocol_name(rejected)}.")


def _explain_ok(case: Case, reply: Sighting, rejected: Sequence[Sighting]) -> str:
    note = (f" {len(rejected)} reverse record(s) were REJECTed in the same windows too; "
            "if they follow a FIN or RST they are the after-close REJECTs."
            if rejected else "")
    if reply.same_interface:
        found = (f"The record ({_brief(case.record)}) and its reply "
                 f"({_brief(reply.record)}) were both ACCEPTed on this interface (action), "
                 "so its security groups and network ACL are not the cause: they let the "
                 "traffic through both ways.")
    else:  # seen at another hop (a NAT gateway): this interface's side is not in the data
        found = (f"The record ({_brief(case.record)}) was ACCEPTed here and its reply "
                 f"({_brief(reply.record)}) at {place(reply.record)} (action): the rules "
                 f"there let the reply through. Its arrival at {place(case.record)} is not in "
                 "the loaded data; that interface's flow log around this time would show "
                 "it.")
    return (f"{found}{note} {UNSEEN}. The reply's packets and bytes show how much came "
            "back. REJECTs of this flow would not show if the flow log records ACCEPT "
            f"traffic only ({TRAFFIC_TYPE}).")


def _explain_incomplete(case: Case, status: Sequence[Mapping[str, object]],
                        missing: Sequence[str]) -> str:
    parts = []
    for row in status:
        parts.append(f"{place(row)} reported log-status "
                     f"{row.get('log-status')} from {utc_time(row.get('start'))} to "
                     f"{utc_time(row.get('end'))} (records were skipped there, and the reply "
                     "may be among them)")
    if missing:
        parts.append("the records around this one that could hold the reply are not all "
                     f"loaded ({len(missing)} missing: see missing)")
    settle = ("loading what is missing" if missing else "") + (
        " or " if missing and status else "") + (
        "records of this interface from intervals without SKIPDATA" if status else "")
    return (f"The record was ACCEPTed ({_brief(case.record)}) and no reverse record was "
            f"seen, but the data can't settle it: {'; '.join(parts)}. Confirming needs "
            f"{settle}: they would show whether a reply exists.")


def _explain_no_reply(case: Case, elsewhere: Sequence[Sighting],
                      quiet: Sequence[Mapping[str, object]]) -> str:
    r = case.record
    tcp = ""
    if as_int(r.get("protocol")) == TCP and opens(r):
        tcp = (f" It carries tcp-flags {r.get('tcp-flags')} (SYN) and no SYN-ACK "
               "(18) was seen coming back: the connection was not answered here.")
    path = (f" The same flow was also seen at {len(elsewhere)} other interface(s) "
            "(see elsewhere), none with a reply." if elsewhere else "")
    nodata = ""
    if quiet:
        spans = ", ".join(f"{utc_time(q.get('start'))} to {utc_time(q.get('end'))}"
                          for q in quiet[:3])
        nodata = (f" The interface reported log-status NODATA ({spans}): no traffic at "
                  "all crossed it then, so no reply came back through it.")
    return (f"The record was ACCEPTed ({_brief(r)}) and no record of the reverse tuple "
            "(dstaddr/srcaddr and ports swapped, same protocol) exists in the loaded data "
            f"around it, on any interface.{tcp}{path}{nodata} The peer did not answer, or "
            "the reply was not logged: it took another interface whose flow log is not "
            "loaded, it is traffic that is never logged, or it was REJECTed and this "
            f"flow log records ACCEPT traffic only ({TRAFFIC_TYPE}). It would be confirmed "
            "by the peer's own interface showing the request arrive and nothing leave.")


def utc_time(value: object) -> str:
    """Epoch seconds as a verdict cites them: ``2024-05-01 12:00:00 UTC`` ("?" when missing)."""
    number = as_int(value)
    if number is None:
        return "?"
    return datetime.fromtimestamp(number, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _brief(record: Mapping[str, object]) -> str:
    """``10.0.1.5:40000 → 203.0.113.5:443 action ACCEPT tcp-flags 2`` as cited in a verdict;
    ``icmp 203.0.113.12 → 172.31.16.139 action ACCEPT`` for a protocol without ports (its
    records show port 0, which is no port)."""
    if has_ports(record):
        text = (f"{record.get('srcaddr')}:{record.get('srcport')} → "
                f"{record.get('dstaddr')}:{record.get('dstport')}")
    else:
        text = (f"{protocol_name(record)} {record.get('srcaddr')} → {record.get('dstaddr')}")
    text += f" action {record.get('action')}"
    psrc, pdst = record.get("pkt-srcaddr"), record.get("pkt-dstaddr")
    if (psrc, pdst) != (record.get("srcaddr"), record.get("dstaddr")) and psrc and pdst:
        text += f" (pkt-srcaddr {psrc}, pkt-dstaddr {pdst})"
    if record.get("tcp-flags") is not None and as_int(record.get("protocol")) == TCP:
        text += f" tcp-flags {record.get('tcp-flags')}"
    if record.get("start") is not None:
        text += f" at {utc_time(record.get('start'))}"
    return text
