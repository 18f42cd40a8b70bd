"""A flow's two directions, and how its records are found in a store.

Apart from the story (``story.py``) because two more readers need it without a verdict: the
neighbour loader keeps only what ``story_expr`` matches (``flowtui.neighbours``), and a
search for one flow's records must stay bounded whoever asks. The records of a tuple are
found with one filter-language expression evaluated by the Arrow predicate on every store
batch; only those few rows become Python objects (``Sighting``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from flowtui.decoders import as_int
from flowtui.query.arrow import compile_arrow
from flowtui.query.expr import And, Compare, Const, Expr, InSet, Or
from flowtui.store import RecordStore, StoreSnapshot, records

#: At most this many records of the flow become sightings (Python objects): the ones nearest
#: to R in time. A flow seen a million times took 21 s and 1.35 GB whole; the story's
#: verdict reads only the records around R, and ``Story.found`` says how many there were.
SIGHTINGS_LIMIT = 5000
STATUS_ROWS = ("NODATA", "SKIPDATA")

Record = dict[str, object]


class StoryCancelled(Exception):
    """The telling was cancelled between two steps (the screen closed, the app quit)."""


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


#: Where a record was recorded, by format: a VPC flow log's interface; for a regional NAT
#: gateway (v9) interface-id is '-' and resource-id names it; a Transit Gateway flow log's
#: attachment (its records have no interface-id).
RECORDERS = ("interface-id", "resource-id", "tgw-attachment-id")


def recorded_at(record: Mapping[str, object]) -> tuple[str, str] | None:
    """(field, value) of where ``record`` was recorded, or None when its format says not.
    Two records with no interface-id were not recorded at one place: a Transit Gateway's
    attachments all lack it, so comparing interface-ids made every attachment "R's
    interface" and every NODATA row of the log evidence about R's."""
    for field in RECORDERS:
        value = record.get(field)
        if value is not None and value != "-":
            return field, str(value)
    return None


def recorder_label(record: Mapping[str, object]) -> str:
    """Where ``record`` was recorded, for a timeline's title, the same words in the CLI's
    story and the app's: ``interface eni-0abc``, ``tgw-attachment-id tgw-attach-0abc``, or
    ``no recorder named`` (a format without interface-id, tgw-attachment-id or
    resource-id)."""
    at = recorded_at(record)
    if at is None:
        return "no recorder named"
    return f"interface {at[1]}" if at[0] == "interface-id" else f"{at[0]} {at[1]}"


def status_expr(record: Mapping[str, object]) -> Expr:
    """NODATA/SKIPDATA rows of where ``record`` was recorded (they say where records may be
    missing); none when that place is unknown."""
    at = recorded_at(record)
    if at is None:
        return Const(False)
    return And((Compare(at[0], "=", at[1]), InSet("log-status", STATUS_ROWS)))


def story_expr(record: Mapping[str, object]) -> Expr:
    """What a story of ``record`` reads: its flow's records and its interface's status rows."""
    return Or((related_expr(record), status_expr(record)))


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
                "source": self.source, "record": jsonable(self.record)}




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
        hits = _nearest(snapshot, hits, around, limit)
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


def _nearest(snapshot: StoreSnapshot, hits: list[tuple[int, pa.Array]], around: int | None,
             limit: int) -> list[tuple[int, pa.Array]]:
    """Of ``hits`` (per batch: the indices kept), the ``limit`` nearest in ``start`` to
    ``around`` (the first ones where there is no time to go by), per batch in store order."""
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
    return cut


def when(s: Sighting) -> tuple[int, int]:
    """A sighting's place in time: its ``start``, then its ``end`` (missing ones first)."""
    return (as_int(s.record.get("start")) or 0, as_int(s.record.get("end")) or 0)


def jsonable(record: Mapping[str, object]) -> dict[str, object]:
    """A record as JSON holds it: numbers, text and booleans kept, anything else as text."""
    return {k: v if v is None or isinstance(v, (int, float, str, bool)) else str(v)
            for k, v in record.items()}
