"""The story of a record: its reply, the same flow at other interfaces, a timeline, a verdict.

"Why did this connection fail (or work)?" is answered by reading a record next to its reverse
tuple and its other sightings, and knowing a few facts about the format (reference §3.1, §3.6,
§3.9, §4, §9): security groups are stateful and NACLs are not, so an ACCEPT one way and a
REJECT the other way on one interface points at a NACL; packets after a close are REJECTed
too; ``reject-reason`` BPA names Block Public Access; ``pkt-*addr`` carries the original
endpoints through a NAT gateway or another middlebox; some traffic is never logged at all.

The records of a tuple are found with one filter-language expression evaluated by the Arrow
predicate on every store batch (``related_expr``); only those few rows become Python objects.
The loader that fetches the neighbouring objects of an S3 record uses the same expression to
keep only what a story needs (``flowtui.neighbours``). No Textual here: the CLI and the TUI
both call ``tell`` and ``conversation``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc

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
from flowtui.query.arrow import compile_arrow
from flowtui.query.expr import And, Compare, Const, Expr, InSet, Or
from flowtui.store import RecordStore, StoreSnapshot, records

#: The verdict codes, stable: JSON output and tests use them.
VERDICTS = ("nacl-blocks-reply", "blocked-by-bpa", "rejected", "rejected-after-close",
            "no-reply-seen", "ok", "incomplete")
#: The longest aggregation interval (§0): a reply can lie this far from its request.
DEFAULT_INTERVAL = 600
#: ``start``/``end`` can lag the real packet by up to this much (§0).
CAPTURE_LAG = 60
#: Timeline slots (seconds): records are grouped by the slot their ``end`` falls in.
TIMELINE_SLOT = 60
#: At most this many records of the flow become sightings (Python objects): the ones nearest
#: to R in time. A flow seen a million times took 21 s and 1.35 GB whole; the story's
#: verdict reads only the records around R, and ``Story.found`` says how many there were.
SIGHTINGS_LIMIT = 5000


class StoryCancelled(Exception):
    """The telling was cancelled between two steps (the screen closed, the app quit)."""
FIN, SYN, RST, ACK = 1, 2, 4, 16
TCP = 6
STATUS_ROWS = ("NODATA", "SKIPDATA")

Record = dict[str, object]


# ----------------------------------------------------------------------------- the flow


@dataclass(frozen=True)
class Flow:
    """One direction of traffic as a record names it: protocol, ports, and its address
    pairs — the apparent one (``srcaddr``/``dstaddr``) and, when present, the original
    endpoints (``pkt-srcaddr``/``pkt-dstaddr``, §4)."""

    protocol: int | None
    srcport: int | None
    dstport: int | None
    pairs: frozenset[tuple[str, str]]

    @classmethod
    def of(cls, record: Mapping[str, object]) -> Flow:
        pairs = set()
        for src, dst in (("srcaddr", "dstaddr"), ("pkt-srcaddr", "pkt-dstaddr")):
            a, b = record.get(src), record.get(dst)
            if a is not None and b is not None:
                pairs.add((str(a), str(b)))
        return cls(as_int(record.get("protocol")), as_int(record.get("srcport")),
                   as_int(record.get("dstport")), frozenset(pairs))

    @property
    def reverse(self) -> Flow:
        return Flow(self.protocol, self.dstport, self.srcport,
                    frozenset((b, a) for a, b in self.pairs))

    def same(self, other: Flow) -> bool:
        """The same direction of the same flow: protocol and ports equal, and an address pair
        in common (so a NAT ENI's record, whose ``pkt-*`` pair is the instance's, counts)."""
        return (self.protocol == other.protocol and self.srcport == other.srcport
                and self.dstport == other.dstport and bool(self.pairs & other.pairs))

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(sorted({a for a, _ in self.pairs}))

    @property
    def destinations(self) -> tuple[str, ...]:
        return tuple(sorted({b for _, b in self.pairs}))


def _equals(name: str, value: int | str | None) -> Expr:
    return Const(True) if value is None else Compare(name, "=", value)


def _one_way(flow: Flow) -> Expr:
    """A loose Arrow-side test for one direction; ``Flow.same`` makes it exact afterwards."""
    sources, destinations = flow.sources, flow.destinations
    return And((
        _equals("srcport", flow.srcport), _equals("dstport", flow.dstport),
        Or((InSet("srcaddr", sources), InSet("pkt-srcaddr", sources))),
        Or((InSet("dstaddr", destinations), InSet("pkt-dstaddr", destinations))),
    ))


def related_expr(record: Mapping[str, object]) -> Expr:
    """Every record that may belong to ``record``'s flow, either direction, any interface,
    any time: the expression the store is searched with, and the filter a neighbour load
    keeps. Its matches are then checked exactly (``Flow.same``)."""
    flow = Flow.of(record)
    if not flow.pairs:
        return Const(False)
    return And((_equals("protocol", flow.protocol),
                Or((_one_way(flow), _one_way(flow.reverse)))))


def status_expr(interface: object) -> Expr:
    """NODATA/SKIPDATA rows of one interface (they say where records may be missing)."""
    test: Expr = InSet("log-status", STATUS_ROWS)
    if interface is not None:
        test = And((Compare("interface-id", "=", str(interface)), test))
    return test


def story_expr(record: Mapping[str, object]) -> Expr:
    """What a story of ``record`` reads: its flow's records and its interface's status rows."""
    return Or((related_expr(record), status_expr(record.get("interface-id"))))


# ------------------------------------------------------------------------------ results


@dataclass(frozen=True)
class Sighting:
    """A record of the flow found in the store: ``direction`` is "forward" (R's own
    direction) or "reverse"; ``store_index`` lets a front end jump to it."""

    record: Record
    direction: str
    same_interface: bool
    store_index: int
    source: str

    def to_json(self) -> dict[str, object]:
        return {"direction": self.direction, "same_interface": self.same_interface,
                "source": self.source, "record": _jsonable(self.record)}


@dataclass(frozen=True)
class Tally:
    """One direction within one timeline slot: ``flags`` is the OR of ``tcp-flags`` (None when
    no record carried them)."""

    records: int = 0
    packets: int = 0
    bytes: int = 0
    flags: int | None = None
    accept: int = 0
    reject: int = 0

    def add(self, record: Mapping[str, object]) -> Tally:
        flags = as_int(record.get("tcp-flags"))
        action = record.get("action")
        return Tally(self.records + 1, self.packets + (as_int(record.get("packets")) or 0),
                     self.bytes + (as_int(record.get("bytes")) or 0),
                     self.flags if flags is None else (self.flags or 0) | flags,
                     self.accept + (action == "ACCEPT"), self.reject + (action == "REJECT"))

    def to_json(self) -> dict[str, object]:
        return {"records": self.records, "packets": self.packets, "bytes": self.bytes,
                "tcp-flags": self.flags, "flags": tcp_flag_names(self.flags or 0),
                "accept": self.accept, "reject": self.reject}


@dataclass(frozen=True)
class Window:
    """A timeline slot ``[start, end)`` (epoch seconds) on R's interface."""

    start: int
    end: int
    forward: Tally
    reverse: Tally
    status: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "forward": self.forward.to_json(),
                "reverse": self.reverse.to_json(), "status": list(self.status)}


@dataclass(frozen=True)
class Coverage:
    """What is known to be loaded: time spans (epoch seconds, inclusive) and the objects
    known to hold records of the story's window but not loaded (or that failed)."""

    spans: tuple[tuple[int, int], ...] = ()
    missing: tuple[str, ...] = ()

    def gaps(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """The parts of ``[lo, hi]`` no span covers."""
        out: list[tuple[int, int]] = []
        position = lo
        for start, end in sorted(self.spans):
            if end < position:
                continue
            if start > hi:
                break
            if start > position:
                out.append((position, start - 1))
            position = max(position, end + 1)
            if position > hi:
                return out
        if position <= hi:
            out.append((position, hi))
        return out

    def merged(self, other: Coverage) -> Coverage:
        return Coverage(self.spans + other.spans, self.missing + other.missing)


@dataclass(frozen=True)
class Story:
    record: Record
    store_index: int
    source: str
    verdict: str
    explanation: str
    reply: list[Sighting]
    elsewhere: list[Sighting]
    timeline: list[Window]
    missing: list[str]
    window: tuple[int, int] | None  # R's time ± (aggregation interval + capture lag)
    #: Records of the flow in the store; more than the sightings when they were sampled
    #: (the ``SIGHTINGS_LIMIT`` nearest to R in time were kept).
    found: int = 0

    @property
    def sampled(self) -> bool:
        return self.found > SIGHTINGS_LIMIT

    def to_json(self) -> dict[str, object]:
        return {
            "record": _jsonable(self.record), "source": self.source, "verdict": self.verdict,
            "explanation": self.explanation, "reply": [s.to_json() for s in self.reply],
            "elsewhere": [s.to_json() for s in self.elsewhere],
            "timeline": [w.to_json() for w in self.timeline], "missing": list(self.missing),
            "found": self.found, "sampled": self.sampled,
        }


# ---------------------------------------------------------------------------- telling


def extent(store: RecordStore) -> Coverage:
    """The loaded time as the store's records span it (first ``start`` to last ``end``)."""
    low: int | None = None
    high: int | None = None
    for batch in store.batches():
        names = batch.schema.names
        if "start" not in names or "end" not in names:
            continue
        first = pc.min(batch.column("start")).as_py()
        last = pc.max(batch.column("end")).as_py()
        if first is not None:
            low = first if low is None else min(low, first)
        if last is not None:
            high = last if high is None else max(high, last)
    if low is None or high is None:
        return Coverage()
    return Coverage(((int(low), int(high)),))


def find(store: RecordStore | StoreSnapshot, expr: Expr) -> Iterator[tuple[int, Record]]:
    """``(store index, record)`` of every row ``expr`` keeps, in store order. Rows become
    Python objects only after the Arrow predicate kept them."""
    snapshot = store.snapshot() if isinstance(store, RecordStore) else store
    predicate = compile_arrow(expr)
    for number, batch in enumerate(snapshot.batches):
        kept = predicate.indices(batch)
        if not len(kept):
            continue
        missing = [name for name in snapshot.columns if name not in batch.schema.names]
        for offset, record in zip(kept.to_pylist(), records(batch.take(kept)), strict=True):
            for name in missing:
                record[name] = None
            yield snapshot.starts[number] + offset, record


def find_near(store: RecordStore | StoreSnapshot, expr: Expr, around: int | None, *,
              limit: int = SIGHTINGS_LIMIT, cancelled: Callable[[], bool] | None = None
              ) -> tuple[list[tuple[int, Record]], int]:
    """``find``, bounded: the (at most ``limit``) rows ``expr`` keeps that are nearest in
    ``start`` to ``around`` (the first ones without it), in store order, and how many rows it
    keeps in all. ``cancelled`` is asked between batches (``StoryCancelled``)."""
    snapshot = store.snapshot() if isinstance(store, RecordStore) else store
    predicate = compile_arrow(expr)
    hits: list[tuple[int, pa.Array]] = []
    total = 0
    for number, batch in enumerate(snapshot.batches):
        if cancelled is not None and cancelled():
            raise StoryCancelled
        kept = predicate.indices(batch)
        if len(kept):
            hits.append((number, kept))
            total += len(kept)
    if total > limit:
        far = 1 << 62
        distances = []
        for number, kept in hits:
            batch = snapshot.batches[number]
            if around is None or "start" not in batch.schema.names:
                distances.append(pa.array(range(far - len(kept), far), pa.int64()))
                continue
            start = pc.take(batch.column("start"), kept).cast(pa.int64())
            distances.append(pc.abs(pc.subtract(start, around)).fill_null(far))
        everything = pa.chunked_array(distances, pa.int64()).combine_chunks()
        nearest = pc.sort_indices(everything)[:limit].cast(pa.int64())
        cut, position = [], 0
        for number, kept in hits:
            inside = pc.and_(pc.greater_equal(nearest, position),
                             pc.less(nearest, position + len(kept)))
            mine = pc.subtract(pc.filter(nearest, inside), position)
            position += len(kept)
            if len(mine):
                in_order = pc.take(mine, pc.sort_indices(mine))
                cut.append((number, pc.take(kept, in_order)))
        hits = cut
    found: list[tuple[int, Record]] = []
    for number, kept in hits:
        if cancelled is not None and cancelled():
            raise StoryCancelled
        batch = snapshot.batches[number]
        missing = [name for name in snapshot.columns if name not in batch.schema.names]
        for offset, record in zip(kept.to_pylist(), records(batch.take(kept)), strict=True):
            for name in missing:
                record[name] = None
            found.append((snapshot.starts[number] + offset, record))
    return found, total


def tell(store: RecordStore, index: int, *, coverage: Coverage | None = None,
         interval: int = DEFAULT_INTERVAL, cancelled: Callable[[], bool] | None = None
         ) -> Story:
    """The story of store row ``index``.

    ``coverage`` says what is known to be loaded; the store's own time extent is always
    added. ``interval`` is the longest aggregation interval to allow for (600 s unless the
    flow log is known to use 60 s).
    """
    record = store.row(index)
    source = store.source(index)
    known = extent(store).merged(coverage or Coverage())
    return _Teller(store, index, record, source, known, interval, cancelled).tell()


class _Teller:
    def __init__(self, store: RecordStore, index: int, record: Record, source: str,
                 coverage: Coverage, interval: int,
                 cancelled: Callable[[], bool] | None = None) -> None:
        self.store = store
        self.cancelled = cancelled
        self.found = 0
        self.index = index
        self.record = record
        self.source = source
        self.coverage = coverage
        self.flow = Flow.of(record)
        self.interface = record.get("interface-id")
        start, end = as_int(record.get("start")), as_int(record.get("end"))
        slack = interval + CAPTURE_LAG
        self.window = (start - slack, end + slack) if start is not None and end is not None \
            else None
        self.forward: list[Sighting] = []
        self.reverse: list[Sighting] = []
        self.status: list[Record] = []

    # --- gathering

    def gather(self) -> None:
        snapshot = self.store.snapshot()
        flow, back = self.flow, self.flow.reverse
        near, self.found = find_near(snapshot, story_expr(self.record),
                                     as_int(self.record.get("start")),
                                     cancelled=self.cancelled)
        for at, found in near:
            if found.get("log-status") in STATUS_ROWS and found.get("srcaddr") is None:
                if found.get("interface-id") == self.interface:
                    self.status.append(found)
                continue
            other = Flow.of(found)
            direction = ("forward" if flow.same(other) else
                         "reverse" if back.same(other) else None)
            if direction is None:
                continue
            sighting = Sighting(found, direction, found.get("interface-id") == self.interface,
                                at, self.store.source(at))
            (self.forward if direction == "forward" else self.reverse).append(sighting)
        self.forward.sort(key=_when)
        self.reverse.sort(key=_when)
        self.status.sort(key=lambda r: (as_int(r.get("start")) or 0))

    def in_window(self, record: Mapping[str, object]) -> bool:
        if self.window is None:
            return True
        start, end = as_int(record.get("start")), as_int(record.get("end"))
        lo, hi = self.window
        return (start is None or start <= hi) and (end is None or end >= lo)

    # --- the parts

    def tell(self) -> Story:
        if not self.flow.pairs:
            return self._status_story()
        self.gather()
        reply = [s for s in self.reverse if self.in_window(s.record)]
        reply.sort(key=lambda s: (not s.same_interface, _when(s)))
        elsewhere = [s for s in self.forward
                     if not s.same_interface and self.in_window(s.record)]
        missing = self._missing()
        verdict, explanation = self._diagnose(reply, elsewhere, missing)
        return Story(self.record, self.index, self.source, verdict, explanation, reply,
                     elsewhere, self._timeline(), missing, self.window, self.found)

    def _status_story(self) -> Story:
        status = self.record.get("log-status")
        if status == "SKIPDATA":
            text = (f"This is a SKIPDATA row (log-status SKIPDATA) for interface-id "
                    f"{self.interface} from {_time(self.record.get('start'))} to "
                    f"{_time(self.record.get('end'))}: records were skipped in this interval "
                    "(capacity limits or an internal error), and one such row can stand for "
                    "many lost flows (§3.2), so totals for this interface and interval are "
                    "lower bounds. There is no flow to tell; a later interval of the same "
                    "interface, or another interface on the path, may show the traffic.")
        elif status == "NODATA":
            text = (f"This is a NODATA row (log-status NODATA) for interface-id "
                    f"{self.interface} from {_time(self.record.get('start'))} to "
                    f"{_time(self.record.get('end'))}: the interface had no traffic in or out "
                    "during the interval (§3.2), so there is no flow to tell. Traffic expected "
                    "then did not reach this interface, or was of a kind never logged (§9).")
        else:
            text = ("This record names no addresses (srcaddr/dstaddr are '-'), so it has no "
                    "flow whose reply could be looked for.")
        return Story(self.record, self.index, self.source, "incomplete", text, [], [], [],
                     list(self.coverage.missing), self.window)

    def _missing(self) -> list[str]:
        if self.coverage.missing or self.window is None:
            return list(self.coverage.missing)
        return [f"records from {_time(lo)} to {_time(hi)} (not loaded)"
                for lo, hi in self.coverage.gaps(*self.window)]

    def _timeline(self) -> list[Window]:
        slots: dict[int, tuple[Tally, Tally, list[str]]] = {}

        def slot(record: Mapping[str, object]) -> int | None:
            end = as_int(record.get("end"))
            return None if end is None else end - end % TIMELINE_SLOT

        for sighting in sorted(self.forward + self.reverse, key=_when):
            if not sighting.same_interface:
                continue
            at = slot(sighting.record)
            if at is None:
                continue
            fwd, rev, notes = slots.get(at, (Tally(), Tally(), []))
            if sighting.direction == "forward":
                fwd = fwd.add(sighting.record)
            else:
                rev = rev.add(sighting.record)
            slots[at] = (fwd, rev, notes)
        if slots:
            first, last = min(slots), max(slots) + TIMELINE_SLOT
            for row in self.status:
                at = slot(row)
                if at is not None and (first <= at < last or self.in_window(row)):
                    fwd, rev, notes = slots.get(at, (Tally(), Tally(), []))
                    notes.append(str(row.get("log-status")))
                    slots[at] = (fwd, rev, notes)
        return [Window(at, at + TIMELINE_SLOT, fwd, rev, tuple(notes))
                for at, (fwd, rev, notes) in sorted(slots.items())]

    # --- the verdict

    def _closers(self, rejected: Mapping[str, object], exclude: int) -> list[Record]:
        """Records of the tuple on R's interface, before ``rejected``, carrying FIN or RST.
        None when ``rejected`` carries SYN without ACK: that is a new connection attempt
        of the same tuple (a port reused), not a packet arriving after the close."""
        if as_int(self.record.get("protocol")) != TCP or opens(rejected):
            return []
        start = as_int(rejected.get("start"))
        out = []
        for s in self.forward + self.reverse:
            if s.store_index == exclude or not s.same_interface or not self.in_window(s.record):
                continue
            flags = as_int(s.record.get("tcp-flags")) or 0
            began = as_int(s.record.get("start"))
            if flags & (FIN | RST) and (start is None or began is None or began <= start):
                out.append(s.record)
        return out

    def _diagnose(self, reply: list[Sighting], elsewhere: list[Sighting],
                  missing: list[str]) -> tuple[str, str]:
        r = self.record
        action = r.get("action")
        same_fwd = [s for s in self.forward if s.same_interface and self.in_window(s.record)
                    and s.store_index != self.index]
        same_rev = [s for s in reply if s.same_interface]
        bpa = [x for x in [r] + [s.record for s in same_rev] if x.get("reject-reason") == "BPA"]
        if bpa:
            return "blocked-by-bpa", self._explain_bpa(bpa[0])
        if action == "REJECT":
            closers = self._closers(r, self.index)
            if closers:
                return "rejected-after-close", self._explain_after_close(r, closers)
            accepted_back = [s for s in same_rev if s.record.get("action") == "ACCEPT"]
            if accepted_back:
                return "nacl-blocks-reply", self._explain_nacl(accepted_back[0].record, r)
            return "rejected", self._explain_rejected(same_fwd, reply)
        if action != "ACCEPT":
            return "incomplete", (f"The record has no action (action '-', log-status "
                                  f"{r.get('log-status')}), so nothing can be said of it.")
        accepted_back = [s for s in same_rev if s.record.get("action") == "ACCEPT"]
        rejected_back = [s for s in same_rev if s.record.get("action") == "REJECT"]
        if accepted_back:
            return "ok", self._explain_ok(accepted_back[0], rejected_back)
        if rejected_back:
            closers = [c for s in rejected_back for c in self._closers(s.record, s.store_index)]
            if all(self._closers(s.record, s.store_index) for s in rejected_back):
                return "rejected-after-close", self._explain_after_close(
                    rejected_back[0].record, closers)
            return "nacl-blocks-reply", self._explain_nacl(r, rejected_back[0].record)
        other_ok = [s for s in reply if s.record.get("action") == "ACCEPT"]
        if other_ok:
            return "ok", self._explain_ok(other_ok[0], [])
        other_rejected = [s for s in reply if s.record.get("action") == "REJECT"]
        for s in other_rejected:
            pair = [f for f in elsewhere if f.record.get("interface-id") ==
                    s.record.get("interface-id") and f.record.get("action") == "ACCEPT"]
            if pair:
                return "nacl-blocks-reply", self._explain_nacl(pair[0].record, s.record)
        if other_rejected:
            return "rejected", self._explain_reply_rejected_elsewhere(other_rejected[0].record)
        # Only SKIPDATA (and what is not loaded) can hide a reply: NODATA says the interface
        # carried no traffic at all then, replies included (§3.2), which is evidence too.
        in_window = [row for row in self.status if self.in_window(row)]
        skipped = [row for row in in_window if row.get("log-status") == "SKIPDATA"]
        if skipped or missing:
            return "incomplete", self._explain_incomplete(skipped, missing)
        quiet = [row for row in in_window if row.get("log-status") == "NODATA"]
        return "no-reply-seen", self._explain_no_reply(elsewhere, quiet)

    # --- explanations (each cites the fields it used and what would confirm it)

    def _explain_bpa(self, blocked: Mapping[str, object]) -> str:
        which = "This record" if blocked is self.record else "Its reply"
        return (f"{which} ({_brief(blocked)}) has reject-reason BPA: VPC Block Public Access "
                "refused it, not a security group or a network ACL (§3.9). BPA blocks traffic "
                "through internet gateways and egress-only internet gateways for the whole "
                "account and region unless the VPC or subnet is excluded; its records carry no "
                "bytes (§9). To confirm, look at the Block Public Access mode (bidirectional "
                "or ingress-only) and its exclusions for the VPC and subnet of interface-id "
                f"{blocked.get('interface-id')}.")

    def _explain_after_close(self, rejected: Mapping[str, object],
                             closers: Sequence[Mapping[str, object]]) -> str:
        closer = closers[-1]
        names = "+".join(tcp_flag_names(closer.get("tcp-flags"))) or "?"
        return (f"The REJECT ({_brief(rejected)}) comes after a record of the same connection "
                f"that carries tcp-flags {closer.get('tcp-flags')} ({names}) on the same "
                f"interface ({_brief(closer)}): the connection was closing or closed, and "
                "packets that arrive after a connection has closed are REJECTed (§3.1). This "
                "is not a rule problem. It would be confirmed by the REJECTed records being "
                "few packets right after the FIN/RST and by no new SYN of this tuple being "
                "REJECTed later; REJECTs that go on or grow point at a rule instead.")

    def _explain_nacl(self, accepted: Mapping[str, object],
                      rejected: Mapping[str, object]) -> str:
        request, reply = self._request_and_reply(accepted, rejected)
        interface = rejected.get("interface-id")
        direction, how = self._direction(rejected)
        is_reply = rejected is reply
        port = as_int(request.get("srcport")) if is_reply else as_int(request.get("dstport"))
        allow = what_to_allow(rejected, reply=is_reply, port=port)
        leaves = {"egress": "leaves", "ingress": "enters"}.get(direction or "", "crosses")
        return (f"On interface-id {interface} one direction was ACCEPTed ({_brief(accepted)}) "
                f"and the reverse tuple REJECTed ({_brief(rejected)}), "
                f"{overlap(accepted, rejected)}. Security groups are stateful, so a reply to "
                "traffic they allowed is allowed by them too; a network ACL is stateless, and "
                f"is the likely block (§3.1). Check the {rule_set(direction)} rules of the "
                f"network ACL of that interface's subnet (the rejected traffic {leaves} the "
                f"interface: {how}) for {allow}. It would be confirmed by that NACL having no "
                "allow rule covering it before a deny, and by the REJECTs stopping once such "
                "a rule is added.")

    def _request_and_reply(self, a: Mapping[str, object], b: Mapping[str, object]
                           ) -> tuple[Mapping[str, object], Mapping[str, object]]:
        """Which of two opposite records is the request: the SYN side (§3.6), else the side
        whose destination port is the lower (the service's)."""
        if opens(a) or answers(b):
            return a, b
        if opens(b) or answers(a):
            return b, a
        a_port, b_port = as_int(a.get("dstport")), as_int(b.get("dstport"))
        if a_port is not None and b_port is not None and b_port < a_port:
            return b, a
        return a, b

    def _direction(self, record: Mapping[str, object]) -> tuple[str | None, str]:
        """ingress/egress of ``record`` at its interface, and how that is known."""
        direction = record.get("flow-direction")
        if direction in ("ingress", "egress"):
            return str(direction), f"flow-direction {direction}"
        found = self._direction_by_address(record)
        if found == "egress":
            return found, "the interface's own address is its srcaddr"
        if found == "ingress":
            return found, "the interface's own address is its dstaddr"
        # The ENI's side of srcaddr/dstaddr is always its private IPv4 address (§4).
        src, dst = _private(record.get("srcaddr")), _private(record.get("dstaddr"))
        if src and not dst:
            return "egress", "its srcaddr is the private address, the interface's side"
        if dst and not src:
            return "ingress", "its dstaddr is the private address, the interface's side"
        return None, "flow-direction would say which"

    def _direction_by_address(self, rejected: Mapping[str, object]) -> str | None:
        """An ENI's own private address is in every record it logs (§4): the side of the
        rejected record found in all the interface's records is the local one."""
        interface = rejected.get("interface-id")
        src, dst = rejected.get("srcaddr"), rejected.get("dstaddr")
        if interface is None or src is None or dst is None:
            return None
        on = Compare("interface-id", "=", str(interface))
        flows = And((on, Compare("srcaddr", "!=", "")))
        total = _count(self.store, flows)

        def with_address(address: object) -> int:
            return _count(self.store, And((on, Or((Compare("srcaddr", "=", str(address)),
                                                   Compare("dstaddr", "=", str(address)))))))

        has_src, has_dst = with_address(src), with_address(dst)
        if has_src == total and has_dst < total:
            return "egress"
        if has_dst == total and has_src < total:
            return "ingress"
        return None

    def _explain_rejected(self, same_fwd: Sequence[Sighting], reply: Sequence[Sighting]) -> str:
        r = self.record
        direction, how = self._direction(r)
        rules = rule_set(direction)
        earlier = [s for s in same_fwd if s.record.get("action") == "ACCEPT"]
        note = (f" {len(earlier)} other record(s) of this direction were ACCEPTed nearby, with "
                "no FIN/RST seen: a rule may have changed, or the close was not logged."
                if earlier else "")
        why_reply = reply_reason(r)
        if why_reply is not None:
            return (f"The record was REJECTed ({_brief(r)}) and it is a reply: {why_reply}. "
                    "Security groups pass the replies to requests they allowed, so the usual "
                    "cause is the subnet's network ACL of interface-id "
                    f"{r.get('interface-id')}: check its {rules} rules ({how}) for "
                    f"{what_to_allow(r, reply=True, port=as_int(r.get('dstport')))}. The "
                    "request itself was not seen on this interface: if this flow log records "
                    f"REJECT traffic only, its ACCEPTed request would not show ({TRAFFIC_TYPE})."
                    f"{note}")
        target = (f"{protocol_name(r)} port {r.get('dstport')}" if has_ports(r) else
                  what_to_allow(r, reply=False, port=None))
        return (f"The record was REJECTed ({_brief(r)}) and nothing of this tuple was ACCEPTed "
                "on this interface in the loaded data (action, both directions). A security "
                "group or a network ACL refuses it; flow logs alone can't say which (§3.1)."
                f"{note} The traffic {'leaves' if direction == 'egress' else 'enters'} the "
                f"interface ({how}): check the {rules} rules of the security group of "
                f"interface-id {r.get('interface-id')} for {target} "
                f"{'to' if direction == 'egress' else 'from'} "
                f"{r.get('dstaddr') if direction == 'egress' else r.get('srcaddr')}, then the "
                f"{rules} rules of its subnet's network ACL. It would be confirmed by finding "
                "the rule: if the security group allows it, the NACL is the block (or the "
                f"other way round). The ACCEPTs of this tuple would not show if this flow log "
                f"records REJECT traffic only ({TRAFFIC_TYPE}).")

    def _explain_reply_rejected_elsewhere(self, rejected: Mapping[str, object]) -> str:
        return (f"The record was ACCEPTed ({_brief(self.record)}), and its reverse tuple was "
                f"REJECTed at another interface ({_brief(rejected)}, interface-id "
                f"{rejected.get('interface-id')}) where the request itself was not seen. "
                "A security group or network ACL there refuses the reply (§3.1); load that "
                "interface's records around the same time to see both directions, and check "
                "its security group and subnet NACL for the reply's "
                f"{'ports' if has_ports(rejected) else protocol_name(rejected)}.")

    def _explain_ok(self, reply: Sighting, rejected: Sequence[Sighting]) -> str:
        note = (f" {len(rejected)} reverse record(s) were REJECTed in the same windows too; "
                "if they follow a FIN or RST they are the after-close REJECTs of §3.1."
                if rejected else "")
        if reply.same_interface:
            found = (f"The record ({_brief(self.record)}) and its reply "
                     f"({_brief(reply.record)}) were both ACCEPTed on this interface (action), "
                     "so its security groups and network ACL are not the cause: they let the "
                     "traffic through both ways.")
        else:  # seen at another hop (a NAT gateway): this interface's side is not in the data
            found = (f"The record ({_brief(self.record)}) was ACCEPTed here and its reply "
                     f"({_brief(reply.record)}) at interface-id "
                     f"{reply.record.get('interface-id')} (action): the rules there let the "
                     f"reply through. Its arrival at interface-id {self.interface} is not in "
                     "the loaded data; that interface's flow log around this time would show "
                     "it.")
        return (f"{found}{note} {UNSEEN}. The reply's packets and bytes show how much came "
                "back. REJECTs of this flow would not show if the flow log records ACCEPT "
                f"traffic only ({TRAFFIC_TYPE}).")

    def _explain_incomplete(self, status: Sequence[Mapping[str, object]],
                            missing: Sequence[str]) -> str:
        parts = []
        for row in status:
            parts.append(f"interface-id {row.get('interface-id')} reported log-status "
                         f"{row.get('log-status')} from {_time(row.get('start'))} to "
                         f"{_time(row.get('end'))} (records were skipped there, and the reply "
                         "may be among them, §3.2)")
        if missing:
            parts.append("the records around this one that could hold the reply are not all "
                         f"loaded ({len(missing)} missing: see missing)")
        settle = ("loading what is missing" if missing else "") + (
            " or " if missing and status else "") + (
            "records of this interface from intervals without SKIPDATA" if status else "")
        return (f"The record was ACCEPTed ({_brief(self.record)}) and no reverse record was "
                f"seen, but the data can't settle it: {'; '.join(parts)}. Confirming needs "
                f"{settle}: they would show whether a reply exists.")

    def _explain_no_reply(self, elsewhere: Sequence[Sighting],
                          quiet: Sequence[Mapping[str, object]]) -> str:
        r = self.record
        tcp = ""
        if as_int(r.get("protocol")) == TCP and opens(r):
            tcp = (f" It carries tcp-flags {r.get('tcp-flags')} (SYN, §3.6) and no SYN-ACK "
                   "(18) was seen coming back: the connection was not answered here.")
        path = (f" The same flow was also seen at {len(elsewhere)} other interface(s) "
                "(see elsewhere), none with a reply." if elsewhere else "")
        nodata = ""
        if quiet:
            spans = ", ".join(f"{_time(q.get('start'))} to {_time(q.get('end'))}"
                              for q in quiet[:3])
            nodata = (f" The interface reported log-status NODATA ({spans}): no traffic at "
                      "all crossed it then, so no reply came back through it (§3.2).")
        return (f"The record was ACCEPTed ({_brief(r)}) and no record of the reverse tuple "
                "(dstaddr/srcaddr and ports swapped, same protocol) exists in the loaded data "
                f"around it, on any interface.{tcp}{path}{nodata} The peer did not answer, or "
                "the reply was not logged: it took another interface whose flow log is not "
                "loaded, it is traffic that is never logged (§9), or it was REJECTed and this "
                f"flow log records ACCEPT traffic only ({TRAFFIC_TYPE}). It would be confirmed "
                "by the peer's own interface showing the request arrive and nothing leave.")


_PRIVATE = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"))


def _private(value: object) -> bool:
    """An RFC 1918 (or shared 100.64/10) IPv4 address: what a VPC interface's own is."""
    try:
        address = ipaddress.ip_address(str(value))
    except ValueError:
        return False
    return address.version == 4 and any(address in net for net in _PRIVATE)


def _count(store: RecordStore, expr: Expr) -> int:
    predicate = compile_arrow(expr)
    return sum(int(pc.sum(predicate.mask(b)).as_py() or 0) for b in store.batches())


def _when(s: Sighting) -> tuple[int, int]:
    return (as_int(s.record.get("start")) or 0, as_int(s.record.get("end")) or 0)


def _time(value: object) -> str:
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
        text += f" at {_time(record.get('start'))}"
    return text


def _jsonable(record: Mapping[str, object]) -> dict[str, object]:
    return {k: v if v is None or isinstance(v, (int, float, str, bool)) else str(v)
            for k, v in record.items()}


# ------------------------------------------------------------------------- conversation


@dataclass(frozen=True)
class Side:
    """One direction of a conversation group."""

    records: int = 0
    packets: int = 0
    bytes: int = 0
    accept: int = 0
    reject: int = 0

    def to_json(self) -> dict[str, object]:
        return {"records": self.records, "packets": self.packets, "bytes": self.bytes,
                "accept": self.accept, "reject": self.reject}


@dataclass(frozen=True)
class ConversationRow:
    """The flows of one protocol and port between A and B; ``port`` is the lower of the two
    ports (the service's, as a rule: clients use ephemeral ports)."""

    protocol: int | None
    port: int | None
    a_to_b: Side
    b_to_a: Side
    first: int | None
    last: int | None
    interfaces: int

    @property
    def records(self) -> int:
        return self.a_to_b.records + self.b_to_a.records

    def to_json(self) -> dict[str, object]:
        return {"protocol": self.protocol, "port": self.port, "a_to_b": self.a_to_b.to_json(),
                "b_to_a": self.b_to_a.to_json(), "first": self.first, "last": self.last,
                "interfaces": self.interfaces}


@dataclass(frozen=True)
class Conversation:
    a: str
    b: str
    rows: list[ConversationRow] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"a": self.a, "b": self.b, "groups": [row.to_json() for row in self.rows]}


def _from(side: str, address: str) -> Expr:
    return Or((Compare(f"{side}addr", "=", address), Compare(f"pkt-{side}addr", "=", address)))


def conversation(store: RecordStore, a: str, b: str) -> Conversation:
    """Every record between ``a`` and ``b`` (apparent or original addresses, §4), both
    directions, grouped by protocol and port with Arrow's group-by. A flow seen at several
    interfaces (instance, NAT gateway) is counted at each (§11.9): ``interfaces`` says so."""
    a_to_b = And((_from("src", a), _from("dst", b)))
    b_to_a = And((_from("src", b), _from("dst", a)))
    keep, forward = compile_arrow(Or((a_to_b, b_to_a))), compile_arrow(a_to_b)
    tables = []
    for batch in store.batches():
        batch = keep.filter(batch)
        if batch.num_rows:
            tables.append(_conversation_columns(batch, forward.mask(batch)))
    if not tables:
        return Conversation(a, b)
    table = pa.concat_tables(tables)
    grouped = table.group_by(["protocol", "port", "forward"], use_threads=False).aggregate([
        ("protocol", "count"), ("packets", "sum"), ("bytes", "sum"), ("accept", "sum"),
        ("reject", "sum"), ("start", "min"), ("end", "max"), ("interface", "list"),
    ]).to_pylist()
    merged: dict[tuple[int | None, int | None], _Pair] = {}
    for row in grouped:
        entry = merged.setdefault((row["protocol"], row["port"]), _Pair())
        entry.sides[bool(row["forward"])] = Side(
            row["protocol_count"], row["packets_sum"] or 0, row["bytes_sum"] or 0,
            row["accept_sum"] or 0, row["reject_sum"] or 0)
        entry.first = _least(entry.first, row["start_min"])
        entry.last = _most(entry.last, row["end_max"])
        entry.interfaces.update(i for i in row["interface_list"] if i is not None)
    rows = [ConversationRow(protocol, port, e.sides.get(True, Side()),
                            e.sides.get(False, Side()), e.first, e.last, len(e.interfaces))
            for (protocol, port), e in merged.items()]
    rows.sort(key=lambda r: (-r.records, r.protocol or 0, r.port or 0))
    return Conversation(a, b, rows)


def _conversation_columns(batch: pa.RecordBatch, forward: pa.Array) -> pa.Table:
    names = batch.schema.names

    def column(name: str, kind: pa.DataType) -> pa.Array:
        if name not in names:
            return pa.nulls(batch.num_rows, kind)
        values = batch.column(name)
        if pa.types.is_dictionary(values.type):
            values = values.cast(values.type.value_type)
        return values.cast(kind)

    src, dst = column("srcport", pa.int64()), column("dstport", pa.int64())
    port = pc.if_else(pc.is_null(src), dst, pc.if_else(pc.is_null(dst), src,
                                                       pc.min_element_wise(src, dst)))
    action = column("action", pa.string())
    return pa.table({
        "protocol": column("protocol", pa.int64()), "port": port, "forward": forward,
        "packets": column("packets", pa.int64()), "bytes": column("bytes", pa.int64()),
        "accept": pc.cast(pc.fill_null(pc.equal(action, "ACCEPT"), False), pa.int64()),
        "reject": pc.cast(pc.fill_null(pc.equal(action, "REJECT"), False), pa.int64()),
        "start": column("start", pa.int64()), "end": column("end", pa.int64()),
        "interface": column("interface-id", pa.string()),
    })


@dataclass
class _Pair:
    """One protocol and port of a conversation while its two directions are merged."""

    sides: dict[bool, Side] = field(default_factory=dict)
    first: int | None = None
    last: int | None = None
    interfaces: set[str] = field(default_factory=set)


def _least(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def _most(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


__all__ = [
    "DEFAULT_INTERVAL", "VERDICTS", "Conversation", "ConversationRow", "Coverage", "Flow",
    "Side", "Sighting", "Story", "Tally", "Window", "conversation", "extent", "find",
    "related_expr", "status_expr", "story_expr", "tell",
]
