"""Everything that passed between two addresses, grouped by protocol and port.

Apart from the story of one record (``story.py``): a conversation reads no single record and
gives no verdict; it sums every record between A and B, both directions, with Arrow's
group-by. The story screen and ``flowtui story --conversation`` show it beside a story.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from flowtui.decoders import human_bytes
from flowtui.fields import detect_family
from flowtui.query.arrow import compile_arrow
from flowtui.query.expr import And, Compare, Expr, InNet, Or
from flowtui.query.flow import RECORDERS
from flowtui.query.sums import check_sums, unrecorded, unrecorded_note
from flowtui.store import RecordStore


@dataclass(frozen=True)
class Side:
    """One direction of a conversation group. Packets and bytes are None when none of its
    records recorded them ('-': NODATA/SKIPDATA, Block Public Access records), not 0; a
    direction without records has 0 of everything."""

    records: int = 0
    packets: int | None = 0
    bytes: int | None = 0
    accept: int = 0
    reject: int = 0

    def packets_text(self) -> str:
        return "-" if self.packets is None else str(self.packets)

    def bytes_text(self) -> str:
        return "-" if self.bytes is None else human_bytes(self.bytes)

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
    #: Said once when some records recorded no packets or bytes and the sums are of the
    #: others (top's and hist's note, ``sums.unrecorded_note``); None when all did.
    note: str | None = None
    #: The interfaces (or attachments) that recorded it: where its records are, for names.
    recorders: frozenset[str] = frozenset()

    def to_json(self) -> dict[str, object]:
        return {"a": self.a, "b": self.b, "groups": [row.to_json() for row in self.rows],
                "note": self.note}


def _from(side: str, address: str) -> Expr:
    return Or((_is(f"{side}addr", address), _is(f"pkt-{side}addr", address)))


def _is(field: str, address: str) -> Expr:
    """``field`` holds ``address`` however either is spelled: an IPv6 address as a /128
    network (``2001:DB8::7`` is the 2001:db8::7 AWS may write in full), as ``host`` does."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return Compare(field, "=", address)
    if parsed.version == 6:
        return InNet(field, (f"{parsed}/128",))
    return Compare(field, "=", str(parsed))


def conversation(store: RecordStore, a: str, b: str) -> Conversation:
    """Every record between ``a`` and ``b`` (apparent or original addresses, §4), both
    directions, grouped by protocol and port with Arrow's group-by. A flow seen at several
    interfaces (instance, NAT gateway) is counted at each (§11.9): ``interfaces`` says so.
    ``SumTooLarge`` (aggregate.py) when packets or bytes add up past 64 bits: Arrow's sum
    would wrap without a word (two records of 2^63-1 bytes summed to -2)."""
    a_to_b = And((_from("src", a), _from("dst", b)))
    b_to_a = And((_from("src", b), _from("dst", a)))
    keep, forward = compile_arrow(Or((a_to_b, b_to_a))), compile_arrow(a_to_b)
    tables, kept = [], []
    for batch in store.batches():
        batch = keep.filter(batch)
        if batch.num_rows:
            kept.append(batch)
            tables.append(_conversation_columns(batch, forward.mask(batch)))
    check_sums(kept)
    if not tables:
        return Conversation(a, b)
    # Block Public Access is a VPC feature: not a cause to name for Transit Gateway records
    # (each batch is one object's, with its columns: a store may hold both families).
    note = unrecorded_note(unrecorded(kept), sum(batch.num_rows for batch in kept),
                           families={detect_family(batch.schema.names) for batch in kept
                                     if any(unrecorded([batch]).values())})
    table = pa.concat_tables(tables)
    grouped = table.group_by(["protocol", "port", "forward"], use_threads=False).aggregate([
        ("protocol", "count"), ("packets", "sum"), ("bytes", "sum"), ("accept", "sum"),
        ("reject", "sum"), ("start", "min"), ("end", "max"), ("interface", "list"),
    ]).to_pylist()
    merged: dict[tuple[int | None, int | None], _Pair] = {}
    for row in grouped:
        entry = merged.setdefault((row["protocol"], row["port"]), _Pair())
        entry.sides[bool(row["forward"])] = Side(
            row["protocol_count"], row["packets_sum"], row["bytes_sum"],
            row["accept_sum"] or 0, row["reject_sum"] or 0)
        entry.first = _least(entry.first, row["start_min"])
        entry.last = _most(entry.last, row["end_max"])
        entry.interfaces.update(i for i in row["interface_list"] if i is not None)
    rows = [ConversationRow(protocol, port, e.sides.get(True, Side()),
                            e.sides.get(False, Side()), e.first, e.last, len(e.interfaces))
            for (protocol, port), e in merged.items()]
    rows.sort(key=lambda r: (-r.records, r.protocol or 0, r.port or 0))
    return Conversation(a, b, rows, note,
                        frozenset(i for e in merged.values() for i in e.interfaces))


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
        # where each record was recorded (flow.RECORDERS): a Transit Gateway's records have
        # no interface-id but an attachment, and "ifaces 0" read as seen nowhere
        "interface": pc.coalesce(*(column(name, pa.string()) for name in RECORDERS)),
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




__all__ = ["Conversation", "ConversationRow", "Side", "conversation"]
