"""The story of a record: its reply, the same flow at other interfaces, a timeline, a verdict.

"Why did this connection fail (or work)?" is answered by reading a record next to its reverse
tuple and its other sightings, and knowing a few facts about the format (reference §3.1, §3.6,
§3.9, §4, §9): security groups are stateful and NACLs are not, so an ACCEPT one way and a
REJECT the other way on one interface points at a NACL; packets after a close are REJECTed
too; ``reject-reason`` BPA names Block Public Access; ``pkt-*addr`` carries the original
endpoints through a NAT gateway or another middlebox; some traffic is never logged at all.

This module gathers the evidence and shapes the answer; the house around it: ``flow.py``
finds a flow's records (bounded, cancellable), ``verdict.py`` holds the rules that name a
cause, ``sides.py`` places a record at its interface, ``conversation.py`` sums what passed
between two addresses. No Textual here: the CLI and the TUI both call ``tell``; the names a
story's reader needs (``Sighting``, ``SIGHTINGS_LIMIT``, ``StoryCancelled``) are handed on
from here, and so is ``conversation`` while ``ui/`` still imports it from here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pyarrow.compute as pc

from flowtui.decoders import as_int, tcp_flag_names
from flowtui.fields import record_family
from flowtui.query.conversation import Conversation, conversation
from flowtui.query.flow import (
    SIGHTINGS_LIMIT,
    STATUS_ROWS,
    Flow,
    Record,
    Sighting,
    StoryCancelled,
    find_near,
    jsonable,
    recorded_at,
    story_expr,
    when,
)
from flowtui.query.rejectreason import Said, flow_log_of
from flowtui.query.sums import unrecorded_note
from flowtui.query.verdict import VERDICTS, Case, diagnose, explain_status_row, utc_time
from flowtui.store import RecordStore

#: The longest aggregation interval (§0): a reply can lie this far from its request.
DEFAULT_INTERVAL = 600
#: ``start``/``end`` can lag the real packet by up to this much (§0).
CAPTURE_LAG = 60
#: Timeline slots (seconds): records are grouped by the slot their ``end`` falls in.
TIMELINE_SLOT = 60


# ------------------------------------------------------------------------------ results


def _plus(total: int | None, value: int | None) -> int | None:
    """A sum of recorded counts: '-' (None) adds nothing, and stays None while nothing did."""
    if value is None:
        return total
    return value if total is None else total + value


@dataclass(frozen=True)
class Tally:
    """One direction within one timeline slot: ``flags`` is the OR of ``tcp-flags`` (None when
    no record carried them). ``packets`` and ``bytes`` sum the records that recorded them and
    are None when none did ('-' is not recorded, not 0: NODATA/SKIPDATA, Block Public Access
    records); ``packets_unrecorded``/``bytes_unrecorded`` count the records left out."""

    records: int = 0
    packets: int | None = None
    bytes: int | None = None
    flags: int | None = None
    accept: int = 0
    reject: int = 0
    packets_unrecorded: int = 0
    bytes_unrecorded: int = 0

    def add(self, record: Mapping[str, object]) -> Tally:
        flags = as_int(record.get("tcp-flags"))
        action = record.get("action")
        packets, size = as_int(record.get("packets")), as_int(record.get("bytes"))
        return self.merged(Tally(1, packets, size, flags, int(action == "ACCEPT"),
                                 int(action == "REJECT"), int(packets is None),
                                 int(size is None)))

    def merged(self, other: Tally) -> Tally:
        """Both tallies as one (a slot's records added, or slots merged on a narrow strip)."""
        flags = self.flags if other.flags is None else (self.flags or 0) | other.flags
        return Tally(self.records + other.records, _plus(self.packets, other.packets),
                     _plus(self.bytes, other.bytes), flags, self.accept + other.accept,
                     self.reject + other.reject,
                     self.packets_unrecorded + other.packets_unrecorded,
                     self.bytes_unrecorded + other.bytes_unrecorded)

    def unrecorded(self) -> dict[str, int]:
        """Records without packets, and without bytes, as ``sums.unrecorded`` counts them."""
        return {"packets": self.packets_unrecorded, "bytes": self.bytes_unrecorded}

    def to_json(self) -> dict[str, object]:
        return {"records": self.records, "packets": self.packets, "bytes": self.bytes,
                "tcp-flags": self.flags, "flags": tcp_flag_names(self.flags or 0),
                "accept": self.accept, "reject": self.reject, "unrecorded": self.unrecorded()}


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
    #: The record whose ``reject-reason`` decided a blocked-by-bpa verdict (R's own, its
    #: reply's, or the same flow's record in another flow log on R's interface).
    said: Said | None = None
    #: "refused", "ruled-out", "not-ruled-out" or None: ``Case.block_public_access``.
    block_public_access: str | None = None

    def verdict_from(self) -> dict[str, object]:
        """Where the verdict came from, for ``story --format json``: the record whose
        ``reject-reason`` said BPA, else the story's own record and its flow's records as
        the verdict's rules read them (``action``, tcp-flags, the reply)."""
        if self.said is not None:
            return self.said.to_json()
        return {"record": "this", "by": "own", "field": "action",
                "value": self.record.get("action"), "store_index": self.store_index,
                "source": self.source, "flow_log": flow_log_of(self.source)}

    @property
    def sampled(self) -> bool:
        return self.found > SIGHTINGS_LIMIT

    def timeline_note(self) -> str | None:
        """Said once under the timeline when some of its records recorded no packets or no
        bytes: the sums are of the others (top's and hist's note, ``sums.unrecorded_note``)."""
        total = Tally()
        for window in self.timeline:
            total = total.merged(window.forward).merged(window.reverse)
        return unrecorded_note(total.unrecorded(), total.records,
                               families=(record_family(self.record),))

    def to_json(self) -> dict[str, object]:
        return {
            "record": jsonable(self.record), "source": self.source, "verdict": self.verdict,
            "explanation": self.explanation, "reply": [s.to_json() for s in self.reply],
            "elsewhere": [s.to_json() for s in self.elsewhere],
            "timeline": [w.to_json() for w in self.timeline],
            "timeline_note": self.timeline_note(), "missing": list(self.missing),
            "found": self.found, "sampled": self.sampled,
            "verdict_from": self.verdict_from(),
            "block_public_access": self.block_public_access,
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
        self.interface = recorded_at(record)
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
                if self.interface is not None and recorded_at(found) == self.interface:
                    self.status.append(found)
                continue
            other = Flow.of(found)
            direction = ("forward" if flow.same(other) else
                         "reverse" if back.same(other) else None)
            if direction is None:
                continue
            here = self.interface is not None and recorded_at(found) == self.interface
            sighting = Sighting(found, direction, here, at, self.store.source(at))
            (self.forward if direction == "forward" else self.reverse).append(sighting)
        self.forward.sort(key=when)
        self.reverse.sort(key=when)
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
        reply.sort(key=lambda s: (not s.same_interface, when(s)))
        elsewhere = [s for s in self.forward
                     if not s.same_interface and self.in_window(s.record)]
        missing = self._missing()
        case = Case(self.store, self.record, self.index, self.forward, self.reverse, reply,
                    elsewhere, self.status, missing, self.in_window)
        verdict, explanation = diagnose(case)
        said = case.bpa_said if verdict == "blocked-by-bpa" else None
        return Story(self.record, self.index, self.source, verdict, explanation, reply,
                     elsewhere, self._timeline(), missing, self.window, self.found, said,
                     case.block_public_access)

    def _status_story(self) -> Story:
        return Story(self.record, self.index, self.source, "incomplete",
                     explain_status_row(self.record), [], [], [],
                     list(self.coverage.missing), self.window)

    def _missing(self) -> list[str]:
        if self.coverage.missing or self.window is None:
            return list(self.coverage.missing)
        return [f"records from {utc_time(lo)} to {utc_time(hi)} (not loaded)"
                for lo, hi in self.coverage.gaps(*self.window)]

    def _timeline(self) -> list[Window]:
        slots: dict[int, tuple[Tally, Tally, list[str]]] = {}

        def slot(record: Mapping[str, object]) -> int | None:
            end = as_int(record.get("end"))
            return None if end is None else end - end % TIMELINE_SLOT

        for sighting in sorted(self.forward + self.reverse, key=when):
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


__all__ = [
    "CAPTURE_LAG", "DEFAULT_INTERVAL", "SIGHTINGS_LIMIT", "VERDICTS", "Conversation",
    "Coverage", "Sighting", "Story", "StoryCancelled", "Tally", "Window", "conversation",
    "extent", "tell",
]
