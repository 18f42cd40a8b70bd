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
"""

from __future__ import annotations

import ipaddress
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from flowtui.fields import ADDRESS_FIELDS
from flowtui.names.interfaces import InterfaceIndex, InterfaceInfo
from flowtui.names.inventory import Inventory, describe_age
from flowtui.names.prefixes import PrefixTable, parse_address

#: The columns that get a ``FIELD.name`` beside them.
NAMED_FIELDS = ("interface-id", "srcaddr", "dstaddr")
SUFFIX = ".name"
_EMPTY = pa.array([], pa.string())


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
        self._addresses: dict[str, AddressName | None] = {}
        # column(): per field, the values named so far and their names (Arrow arrays, so a
        # batch's dictionary is looked up in C++: only values never seen reach Python)
        self._known: dict[str, tuple[pa.Array, pa.Array]] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------------ single values

    @property
    def empty(self) -> bool:
        return not (self.names_file or self.interfaces.by_id or self.ip_ranges)

    def interface(self, eni: str) -> InterfaceInfo | None:
        """The interface ``eni`` (``eni-0abc``), named; None when the inventory lacks it."""
        return self.interfaces.by_id.get(eni)

    def address(self, ip: str) -> str | None:
        found = self.address_name(ip)
        return found.name if found else None

    def address_name(self, ip: str) -> AddressName | None:
        """The name of an address with its source, by precedence; None when unnamed."""
        cached = self._addresses.get(ip, False)
        if cached is not False:
            return cached  # type: ignore[return-value]
        found = self._resolve(ip)
        with self._lock:
            if len(self._addresses) > 1 << 18:
                self._addresses.clear()
            self._addresses[ip] = found
        return found

    def _resolve(self, ip: str) -> AddressName | None:
        parsed = parse_address(ip)
        if parsed is None:
            return None
        if self.names_file is not None:
            hit = self.names_file.lookup_number(*parsed)
            if hit is not None:
                return AddressName(hit[0], "names file", hit[1])
        # keys are canonical text: dotted IPv4 as flow logs write it, IPv6 compressed
        key = ip if parsed[0] == 4 else str(ipaddress.IPv6Address(parsed[1]))
        holders = self.interfaces.shared.get(key)
        if holders:  # two VPCs (or regions) use the address: either may be meant
            shown = list(dict.fromkeys(h.name for h in holders))
            return AddressName(" or ".join(shown), "inventory",
                               f"held by {len(holders)} interfaces in different VPCs: "
                               + ", ".join(f"{h.id} {h.vpc_id}".rstrip() for h in holders))
        info = self.interfaces.by_address.get(key)
        if info is not None:
            return AddressName(info.name, "inventory", info.id)
        if self.ip_ranges is not None:
            hit = self.ip_ranges.lookup_number(*parsed)
            if hit is not None:
                return AddressName(hit[0], "AWS IP ranges", hit[1])
        return None

    def _address_only(self, ip: str) -> str | None:
        """``address(ip)`` without keeping the source (the columns' miss path)."""
        found = self._resolve(ip)
        return found.name if found is not None else None

    def name(self, field_name: str, value: Any) -> str | None:
        """The name for one value of ``interface-id`` or an address field."""
        if value is None:
            return None
        if field_name == "interface-id":
            info = self.interface(str(value))
            return info.name if info else None
        if field_name in ADDRESS_FIELDS:
            return self.address(str(value))
        return None

    def label(self, field_name: str, value: Any) -> str:
        """``web-1 (i-0abc, sg-web)`` for an interface, ``db-1`` for an address, the value
        itself when unnamed: what the story says."""
        if value is None:
            return "-"
        if field_name == "interface-id":
            info = self.interface(str(value))
            return info.label() if info else str(value)
        named = self.name(field_name, value)
        return named if named else str(value)

    # ------------------------------------------------------------------------------ columns

    def column(self, field_name: str, array: pa.Array | pa.ChunkedArray) -> pa.Array:
        """Names for a column of ``field_name`` values: dictionary-encoded strings, null where
        unnamed. Looked up on the dictionary's values (in Arrow: only values never seen
        before reach Python), mapped to rows by index."""
        encoded = _dictionary(array)
        return _rows(self._per_value(field_name, encoded.dictionary), encoded)

    def with_names(self, batch: pa.RecordBatch, fields: Iterable[str] = NAMED_FIELDS
                   ) -> pa.RecordBatch:
        """``batch`` with ``FIELD.name`` right after each of ``fields`` it has. The address
        columns are looked up together (one hash of the known addresses per batch)."""
        present = batch.schema.names
        wanted = [f for f in fields if f in present and f + SUFFIX not in present]
        named: dict[str, pa.Array] = {}
        addresses = [f for f in wanted if f in ADDRESS_FIELDS]
        if addresses:
            encoded = [_dictionary(batch.column(f)) for f in addresses]
            both = pa.concat_arrays([e.dictionary for e in encoded])
            per_value = self._per_value(addresses[0], both)
            offset = 0
            for field_name, one in zip(addresses, encoded, strict=True):
                size = len(one.dictionary)
                named[field_name] = _rows(per_value.slice(offset, size), one)
                offset += size
        for field_name in wanted:
            if field_name not in named:
                named[field_name] = self.column(field_name, batch.column(field_name))
        arrays: list[pa.Array] = []
        labels: list[str] = []
        for name, column in zip(present, batch.columns, strict=True):
            arrays.append(column)
            labels.append(name)
            if name in named:
                arrays.append(named[name])
                labels.append(name + SUFFIX)
        return pa.RecordBatch.from_arrays(arrays, names=labels)

    def _per_value(self, field_name: str, values: pa.Array) -> pa.Array:
        """The name of each of ``values`` (strings), null where unnamed."""
        kind = "address" if field_name in ADDRESS_FIELDS else field_name
        known_values, known_names = self._known.get(kind, (_EMPTY, _EMPTY))
        positions = pc.index_in(values, value_set=known_values)
        if positions.null_count > values.null_count:  # values never named before
            unseen = pc.unique(pc.filter(values, pc.and_(pc.is_null(positions),
                                                         pc.is_valid(values))))
            one = self._address_only if kind == "address" else (
                lambda value: self.name(field_name, value))
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


__all__ = ["AddressName", "NAMED_FIELDS", "Names", "NamesOptions",
           "SUFFIX", "load_names", "scopes_from_paths"]
