"""One answer to "what is that?": names for interface ids and addresses from three sources.

Precedence, as a user expects it: the user's names file first (they wrote it on purpose),
then the EC2 inventory (the interface that holds an address, any of its private IPv4 or IPv6
addresses or its public IPv4), then AWS's published IP ranges. Within the names file and the
IP ranges, the narrowest network wins.

``Names.column`` names a whole Arrow column as ``query/arrow.py`` evaluates a filter: on the
dictionary's distinct values once per batch (a few thousand addresses at most), mapped to
rows through the indices, so naming a million records costs a dictionary lookup per distinct
value and one integer ``take``. The table, the detail panel, top-N, the story, the filter and
the CLI all read this one object.

Where a record is (``Names.where``). Private IPv4 addresses repeat across VPCs, accounts and
regions, so an address alone does not say which interface held it. A record says where it
was recorded through its ``interface-id``: interface ids are unique, so when the inventory
has the record's interface, the record is of an account and region that was read and of
that interface's VPC (a v3+ ``vpc-id`` adds nothing: an interface never changes VPC).
An address gets a name from the inventory on a record only then, and:

- a private IPv4 address only from a holder in the record's VPC (the same address in
  another VPC of the inventory is no evidence: that VPC may not be the one routed to, and a
  peered or Transit Gateway VPC of an account not read may use it too); of two VPCs using
  it, the record's VPC picks the one meant;
- a public IPv4 address (an association: Elastic IP or auto-assigned) or an IPv6 address
  from its holder wherever it is (EC2 gives such an address to one interface at a time).

A record whose interface the inventory lacks (deleted since, or of an account or region
not read: the default v2 format has no VPC or region to place it by) gets no name from the
inventory: its addresses may be held now by something else, and an unknown thing must not
read as another thing's name. The names file and AWS's IP ranges are not per VPC (the
user's networks; public ranges) and name on every record. ``ANYWHERE`` asks as before
placement (a lookup with no record at hand: a search, a hint): any holder, "A or B".
"""

from __future__ import annotations

import ipaddress
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from flowtui import arrowcompute as pc
from flowtui.fields import ADDRESS_FIELDS
from flowtui.names.interfaces import InterfaceIndex, InterfaceInfo
from flowtui.names.inventory import Inventory, describe_age
from flowtui.names.prefixes import PrefixTable, parse_address

#: The columns that get a ``FIELD.name`` beside them.
NAMED_FIELDS = ("interface-id", "srcaddr", "dstaddr")
SUFFIX = ".name"
_EMPTY = pa.array([], pa.string())
#: ``where`` for a question with no record: any holder of the address (see the docstring).
ANYWHERE = "*"
#: Between a ``where`` and an address in the keys ``with_names`` names (neither holds it).
_SEP = "|"


@dataclass(frozen=True)
class AddressName:
    """An address's name and where it came from (for the detail panel)."""

    name: str
    source: str  # "names file", "inventory", "AWS IP ranges"
    detail: str  # the network that matched, or the interface id


@dataclass
class Names:
    """Names from the sources that could be read, and one line for each that could not."""

    names_file: PrefixTable | None = None
    inventories: list[Inventory] = field(default_factory=list)
    ip_ranges: PrefixTable | None = None
    ip_ranges_date: str = ""
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.interfaces = InterfaceIndex()
        for inventory in self.inventories:
            index = InterfaceIndex.build(inventory)
            self.interfaces.by_id.update(index.by_id)
            for address, info in index.by_address.items():
                for holder in index.shared.get(address, [info]):
                    self.interfaces.add(address, holder)
        self._addresses: dict[tuple[str | None, str], AddressName | None] = {}
        # column(): per field, the values named so far and their names (Arrow arrays, so a
        # batch's dictionary is looked up in C++: only values never seen reach Python)
        self._known: dict[str, tuple[pa.Array, pa.Array]] = {}
        self._lock = threading.Lock()
        self._placed: list[tuple[str, str, str]] | None = None

    # ------------------------------------------------------------------------ single values

    @property
    def empty(self) -> bool:
        return not (self.names_file or self.interfaces.by_id or self.ip_ranges)

    def interface(self, eni: str) -> InterfaceInfo | None:
        """The interface ``eni`` (``eni-0abc``), named; None when the inventory lacks it."""
        return self.interfaces.by_id.get(eni)

    def where(self, record: Mapping[str, Any]) -> str | None:
        """The VPC ``record`` is placed in for naming its addresses (the module docstring):
        its interface's, when the inventory has that interface; None when it can't be
        placed."""
        info = self.interface(str(record.get("interface-id")))
        return (info.vpc_id or None) if info is not None else None

    def address(self, ip: str, where: str | None = ANYWHERE) -> str | None:
        found = self.address_name(ip, where)
        return found.name if found else None

    def address_name(self, ip: str, where: str | None = ANYWHERE) -> AddressName | None:
        """The name of an address with its source, by precedence, on a record placed in
        VPC ``where`` (None: a record that can't be placed; ``ANYWHERE``: no record at
        hand); None when unnamed."""
        cached = self._addresses.get((where, ip), False)
        if cached is not False:
            return cached  # type: ignore[return-value]
        found = self._resolve(ip, where)
        with self._lock:
            if len(self._addresses) > 1 << 18:
                self._addresses.clear()
            self._addresses[(where, ip)] = found
        return found

    def _resolve(self, ip: str, where: str | None) -> AddressName | None:
        parsed = parse_address(ip)
        if parsed is None:
            return None
        if self.names_file is not None:
            hit = self.names_file.lookup_number(*parsed)
            if hit is not None:
                return AddressName(hit[0], "names file", hit[1])
        # keys are canonical text: dotted IPv4 as flow logs write it, IPv6 compressed
        key = ip if parsed[0] == 4 else str(ipaddress.IPv6Address(parsed[1]))
        held = self.inventory_name(key, where)
        if held is not None:
            return held
        if self.ip_ranges is not None:
            hit = self.ip_ranges.lookup_number(*parsed)
            if hit is not None:
                return AddressName(hit[0], "AWS IP ranges", hit[1])
        return None

    def inventory_name(self, key: str, where: str | None) -> AddressName | None:
        """The inventory's name of the address ``key`` (canonical text) on a record placed
        in ``where``, None when it has none there."""
        holders = self.holders(key, where)
        if len(holders) > 1:  # two VPCs (or regions) use the address: either may be meant
            shown = list(dict.fromkeys(h.name for h in holders))
            return AddressName(" or ".join(shown), "inventory",
                               f"held by {len(holders)} interfaces in different VPCs: "
                               + ", ".join(f"{h.id} {h.vpc_id}".rstrip() for h in holders))
        if holders:
            return AddressName(holders[0].name, "inventory", holders[0].id)
        return None

    def placed_names(self) -> list[tuple[str, str, str]]:
        """(VPC, address, name) for every name the inventory gives an address on a record
        placed in that VPC (``ANYWHERE``: on any placed record): what a name filter
        tests, with the record's interface in that VPC (``interfaces_in``). Made once."""
        if self._placed is None:
            vpcs = sorted({info.vpc_id for info in self.interfaces.by_id.values()})
            out: list[tuple[str, str, str]] = []
            for key in self.interfaces.by_address:
                every = self.holders(key, ANYWHERE)
                scoped = {h.vpc_id for h in every if vpc_scoped(h, key)}
                if not scoped:
                    wheres = [ANYWHERE]
                elif all(vpc_scoped(h, key) for h in every):
                    wheres = sorted(scoped)
                else:  # public for one holder, private for another: each VPC its own
                    wheres = vpcs
                for where in wheres:
                    found = self.inventory_name(key, where)
                    if found is not None:
                        out.append((where, key, found.name))
            self._placed = out
        return self._placed

    def interfaces_in(self, where: str) -> list[str]:
        """The inventory's interface ids in VPC ``where`` (``ANYWHERE``: all): the records
        placed there."""
        return sorted(i for i, info in self.interfaces.by_id.items()
                      if where == ANYWHERE or info.vpc_id == where)

    def holders(self, key: str, where: str | None = ANYWHERE) -> list[InterfaceInfo]:
        """The inventory's interfaces that name the address ``key`` (canonical text) on a
        record placed in ``where``: the rule of the module docstring."""
        if where is None:
            return []
        found = self.interfaces.shared.get(key)
        if not found:
            info = self.interfaces.by_address.get(key)
            found = [info] if info is not None else []
        if where == ANYWHERE:
            return found
        return [h for h in found if h.vpc_id == where or not vpc_scoped(h, key)]

    def _address_only(self, key: str) -> str | None:
        """The name of ``where|address`` without keeping the source (the columns' miss
        path)."""
        where, _, ip = key.partition(_SEP)
        found = self._resolve(ip, where or None)
        return found.name if found is not None else None

    def name(self, field_name: str, value: Any, where: str | None = ANYWHERE) -> str | None:
        """The name for one value of ``interface-id`` or an address field, on a record
        placed in ``where`` (``Names.where``)."""
        if value is None:
            return None
        if field_name == "interface-id":
            info = self.interface(str(value))
            return info.name if info else None
        if field_name in ADDRESS_FIELDS:
            return self.address(str(value), where)
        return None

    def every_name(self, field_name: str, value: Any) -> set[str]:
        """Every name ``value`` has on some record (each VPC of the inventory, and a record
        that can't be placed): what a ranking by name may file it under (``@`` in top-N)."""
        places = {info.vpc_id for info in self.interfaces.by_id.values()}
        found = {self.name(field_name, value, where) for where in (None, *places)}
        return {name for name in found if name is not None}

    def label(self, field_name: str, value: Any, where: str | None = ANYWHERE) -> str:
        """``web-1 (i-0abc, sg-web)`` for an interface, ``db-1`` for an address, the value
        itself when unnamed: what the story says."""
        if value is None:
            return "-"
        if field_name == "interface-id":
            info = self.interface(str(value))
            return info.label() if info else str(value)
        named = self.name(field_name, value, where)
        return named if named else str(value)

    # ------------------------------------------------------------------------------ columns

    def column(self, field_name: str, array: pa.Array | pa.ChunkedArray) -> pa.Array:
        """Names for a column of ``field_name`` values: dictionary-encoded strings, null where
        unnamed. Looked up on the dictionary's values (in Arrow: only values never seen
        before reach Python), mapped to rows by index. Addresses are named ``ANYWHERE``:
        for records, ``with_names`` places each."""
        if field_name in ADDRESS_FIELDS:
            array = pc.binary_join_element_wise(ANYWHERE, _strings(array), _SEP)
        encoded = _dictionary(array)
        return _rows(self._per_value(field_name, encoded.dictionary), encoded)

    def with_names(self, batch: pa.RecordBatch, fields: Iterable[str] = NAMED_FIELDS
                   ) -> pa.RecordBatch:
        """``batch`` with ``FIELD.name`` right after each of ``fields`` it has. The address
        columns are looked up together (one hash of the known addresses per batch)."""
        present = batch.schema.names
        wanted = [f for f in fields if f in present and f + SUFFIX not in present]
        # each named column as a dictionary once (a CSV cat reads text as plain strings)
        as_dictionary = {f: _dictionary(batch.column(f)) for f in wanted}
        named: dict[str, pa.Array] = {}
        addresses = [f for f in wanted if f in ADDRESS_FIELDS]
        if addresses:
            # each address with the VPC its record is placed in (module docstring): names
            # are looked up per distinct (VPC, address) pair, found on integer codes
            codes, wheres = self._where_codes(batch, as_dictionary.get("interface-id"))
            encoded = [as_dictionary[f] for f in addresses]
            if len(wheres) * sum(len(e.dictionary) for e in encoded) > 1 << 18:
                if codes is None:
                    codes = pa.repeat(pa.scalar(0, pa.int64()), batch.num_rows)
                for field_name, one in zip(addresses, encoded, strict=True):
                    named[field_name] = self._sparse(codes, wheres, one)
                encoded, addresses = [], []
            if codes is None:  # one place: its addresses, kept by place (no pair keys)
                per_key = self._per_value("address", pa.concat_arrays(
                    [e.dictionary for e in encoded] or [_EMPTY]), where=wheres[0])
            else:
                keys = pa.concat_arrays([_pair_keys(wheres, e.dictionary) for e in encoded]
                                        or [_EMPTY])
                per_key = self._per_value("address", keys)  # both columns in one lookup
            offset = 0
            for field_name, one in zip(addresses, encoded, strict=True):
                size = len(wheres) * len(one.dictionary)
                named[field_name] = _placed_rows(per_key.slice(offset, size), codes, one)
                offset += size
        for field_name in wanted:
            if field_name not in named:
                named[field_name] = self.column(field_name, as_dictionary[field_name])
        arrays: list[pa.Array] = []
        labels: list[str] = []
        for name, column in zip(present, batch.columns, strict=True):
            arrays.append(column)
            labels.append(name)
            if name in named:
                arrays.append(named[name])
                labels.append(name + SUFFIX)
        return pa.RecordBatch.from_arrays(arrays, names=labels)

    def _where_codes(self, batch: pa.RecordBatch, ids: pa.DictionaryArray | None = None
                     ) -> tuple[pa.Array | None, list[str]]:
        """Per row, a code of the VPC its record is placed in (int64), and the VPC of each
        code ("" for a record that can't be placed: no interface-id column, or an
        interface the inventory lacks). Only the places the batch has get a code. Codes
        None: every row is of the one place (a VPC's flow log, the usual batch), so no
        per-row code is made or added (naming 1M records took three times as long)."""
        if "interface-id" not in batch.schema.names or not self.interfaces.by_id:
            return None, [""]
        if ids is None:  # (``with_names`` hands it the column's dictionary it made)
            ids = _dictionary(batch.column("interface-id"))
        code: dict[str, int] = {}
        per_id = []
        for value in ids.dictionary.to_pylist():
            info = self.interface(str(value))
            per_id.append(code.setdefault(info.vpc_id if info is not None else "", len(code)))
        if len(code) <= 1 and not ids.indices.null_count:
            return None, list(code) or [""]
        codes = pc.take(pa.array(per_id, pa.int64()), ids.indices)
        if codes.null_count:
            codes = pc.fill_null(codes, code.setdefault("", len(code)))
        return codes, list(code) or [""]

    def _sparse(self, codes: pa.Array, wheres: list[str], encoded: pa.DictionaryArray
                ) -> pa.DictionaryArray:
        """``_placed_rows`` for a batch of many places and addresses: only the (place,
        address) pairs its rows have are named (a hash per row instead of every pair)."""
        size = max(len(encoded.dictionary), 1)
        pairs = pc.add(pc.multiply(codes, size), pc.cast(encoded.indices, pa.int64()))
        distinct = pc.drop_null(pc.unique(pairs))
        place = pc.divide(distinct, size)
        keys = pc.binary_join_element_wise(
            pc.take(pa.array(wheres, pa.string()), place),
            pc.take(encoded.dictionary, pc.subtract(distinct, pc.multiply(place, size))),
            _SEP)
        names = pc.dictionary_encode(self._per_value("address", keys))
        return pa.DictionaryArray.from_arrays(
            pc.take(names.indices, pc.index_in(pairs, value_set=distinct)), names.dictionary)

    def _per_value(self, field_name: str, values: pa.Array, where: str | None = None
                   ) -> pa.Array:
        """The name of each of ``values`` (strings), null where unnamed. For addresses the
        values are ``where|address`` keys (``with_names``), or addresses of records all
        placed in ``where`` ("": records that can't be placed), kept apart by place."""
        kind = "address" if field_name in ADDRESS_FIELDS else field_name
        if where is not None:
            kind = f"address{_SEP}{where}"
        known_values, known_names = self._known.get(kind, (_EMPTY, _EMPTY))
        positions = pc.index_in(values, value_set=known_values)
        if positions.null_count > values.null_count:  # values never named before
            unseen = pc.unique(pc.filter(values, pc.and_(pc.is_null(positions),
                                                         pc.is_valid(values))))
            one: Callable[[str], str | None]
            if where is not None:
                def one(value: str) -> str | None:
                    found = self._resolve(value, where or None)
                    return found.name if found is not None else None
            elif kind == "address":
                one = self._address_only
            else:
                def one(value: str) -> str | None:
                    return self.name(field_name, value)
            named = pa.array([one(value) for value in unseen.to_pylist()], pa.string())
            with self._lock:  # the loader names batches in several threads
                known_values, known_names = self._known.get(kind, (_EMPTY, _EMPTY))
                if len(known_values) > 1 << 18:
                    known_values, known_names = _EMPTY, _EMPTY
                known_values = pa.concat_arrays([known_values, unseen])
                known_names = pa.concat_arrays([known_names, named])
                self._known[kind] = (known_values, known_names)
            positions = pc.index_in(values, value_set=known_values)
        return pc.take(known_names, positions)

    # ---------------------------------------------------------------------- what is loaded

    def describe(self) -> str:
        """One line: which sources gave names (for a status line or stderr)."""
        parts: list[str] = []
        if self.names_file is not None:
            parts.append(f"names file ({len(self.names_file)} networks)")
        for inventory in self.inventories:
            owners = ", ".join(sorted(inventory.accounts)) or "?"
            parts.append(f"EC2 inventory of {owners} in {inventory.region} "
                         f"({len(inventory.interfaces)} interfaces, read "
                         f"{describe_age(inventory.age())} ago)")
        if self.ip_ranges is not None:
            parts.append(f"AWS IP ranges of {self.ip_ranges_date or 'unknown date'}")
        return "names from " + "; ".join(parts) if parts else "no names"

    def known_names(self) -> list[str]:
        """Every name a filter could match (for hints)."""
        seen: dict[str, None] = {}
        for info in self.interfaces.by_id.values():
            seen.setdefault(info.name, None)
        if self.names_file is not None:
            for _network, name in self.names_file.entries():
                seen.setdefault(name, None)
        return list(seen)


def _pair_keys(wheres: list[str], addresses: pa.Array) -> pa.Array:
    """``where|address`` for every place and every address, place by place."""
    return pa.concat_arrays([pc.binary_join_element_wise(where, addresses, _SEP)
                             for where in wheres])


def _placed_rows(per_pair: pa.Array, codes: pa.Array | None, encoded: pa.DictionaryArray
                 ) -> pa.DictionaryArray:
    """The name of each row from ``per_pair`` (``_pair_keys`` order: place by place): the
    pair of the row's place ``codes`` (None: all of one place) and its address, taken by
    position (no hash)."""
    pairs = encoded.indices if codes is None else pc.add(
        pc.multiply(codes, len(encoded.dictionary)), pc.cast(encoded.indices, pa.int64()))
    names = pc.dictionary_encode(per_pair)
    return pa.DictionaryArray.from_arrays(pc.take(names.indices, pairs), names.dictionary)


def vpc_scoped(info: InterfaceInfo, key: str) -> bool:
    """``key`` is one of ``info``'s private IPv4 addresses: names only in its VPC."""
    return ":" not in key and key not in info.public_addresses


def _strings(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``array`` as plain strings (a dictionary decoded)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array if pa.types.is_string(array.type) else pc.cast(
        pc.cast(array, array.type.value_type) if pa.types.is_dictionary(array.type)
        else array, pa.string())


def _dictionary(array: pa.Array | pa.ChunkedArray) -> pa.DictionaryArray:
    """``array`` as one dictionary array of strings."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
    if not pa.types.is_dictionary(array.type):
        if not pa.types.is_string(array.type):
            array = pc.cast(array, pa.string())
        return pc.dictionary_encode(array)
    if not pa.types.is_string(array.type.value_type):
        return pc.dictionary_encode(pc.cast(array, pa.string()))
    return array


def _rows(per_value: pa.Array, encoded: pa.DictionaryArray) -> pa.DictionaryArray:
    """Names per dictionary value → names per row, as a dictionary array (no duplicate or
    null in its dictionary: group-by and dictionary unification need that)."""
    names = pc.dictionary_encode(per_value)
    return pa.DictionaryArray.from_arrays(pc.take(names.indices, encoded.indices),
                                          names.dictionary)


@dataclass(frozen=True)
class NamesOptions:
    """Where names come from (the CLI's --names-file, --ip-ranges, --refresh-names; the
    config; the TUI's settings)."""

    names_file: str | None = None
    ip_ranges: str | None = None
    inventory: bool = True
    refresh: bool = False
    download_ip_ranges: bool = True
    profile: str | None = None
    endpoint_url: str | None = None
    #: (account, region) pairs of the records; account may be "" when unknown.
    scopes: tuple[tuple[str, str], ...] = ()


def load_names(options: NamesOptions, *, cancelled: Callable[[], bool] = lambda: False
               ) -> Names:
    """Read every configured source (blocking: EC2 and a download; call it off the UI
    thread). A source that fails becomes a note; a broken names file raises
    ``NamesFileError`` (the user wrote it: they should hear at once)."""
    from flowtui.names.inventory import load_inventory, make_ec2_client
    from flowtui.names.ipranges import load_ip_ranges
    from flowtui.names.namesfile import read_names_file

    notes: list[str] = []
    names_file = read_names_file(options.names_file) if options.names_file else None
    inventories: list[Inventory] = []
    if options.inventory:
        for account, region in options.scopes:
            def factory(region: str = region) -> Any:
                return make_ec2_client(options.profile, region, options.endpoint_url)

            loaded = load_inventory(account, region, factory, refresh=options.refresh,
                                    cancelled=cancelled)
            notes.extend(loaded.notes)
            if loaded.inventory is not None:
                inventories.append(loaded.inventory)
    ranges, range_notes = load_ip_ranges(options.ip_ranges,
                                         allow_download=options.download_ip_ranges,
                                         refresh=options.refresh)
    notes.extend(range_notes)
    return Names(names_file=names_file, inventories=inventories,
                 ip_ranges=ranges.table if ranges else None,
                 ip_ranges_date=ranges.create_date if ranges else "", notes=notes)


_AWSLOGS = re.compile(r"AWSLogs/(?:aws-account-id=)?([^/]+)/(?:aws-service=|service=)?"
                      r"vpcflowlogs/(?:aws-region=)?([a-z0-9-]+)")


def scopes_from_paths(paths: Iterable[str], default_region: str | None
                      ) -> tuple[tuple[str, str], ...]:
    """(account, region) pairs named by S3 paths (``…/AWSLogs/<account>/vpcflowlogs/<region>
    …``); the default region with an unknown account when a path says neither."""
    found: dict[tuple[str, str], None] = {}
    unknown = False
    for path in paths:
        m = _AWSLOGS.search(path)
        if m:
            found[(m.group(1), m.group(2))] = None
        else:
            unknown = True
    if (unknown or not found) and default_region:
        found.setdefault(("", default_region), None)
    return tuple(found)


__all__ = ["ANYWHERE", "AddressName", "NAMED_FIELDS", "Names", "NamesOptions",
           "SUFFIX", "load_names", "scopes_from_paths", "vpc_scoped"]
