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

from flowtui.names.interfaces import InterfaceIndex, InterfaceInfo
from flowtui.names.inventory import Inventory, describe_age
from flowtui.names.prefixes import PrefixTable

#: The columns that get a ``FIELD.name`` beside them.
NAMED_FIELDS = ("interface-id", "srcaddr", "dstaddr")
ADDRESS_FIELDS = frozenset({"srcaddr", "dstaddr", "pkt-srcaddr", "pkt-dstaddr"})
SUFFIX = ".name"


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
                self.interfaces.by_address.setdefault(address, info)
        self._addresses: dict[str, AddressName | None] = {}
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
        try:
            key = str(ipaddress.ip_address(ip))
        except ValueError:
            return None
        if self.names_file is not None:
            hit = self.names_file.lookup(key)
            if hit is not None:
                return AddressName(hit[0], "names file", hit[1])
        info = self.interfaces.by_address.get(key)
        if info is not None:
            return AddressName(info.name, "inventory", info.id)
        if self.ip_ranges is not None:
            hit = self.ip_ranges.lookup(key)
            if hit is not None:
                return AddressName(hit[0], "AWS IP ranges", hit[1])
        return None

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
        unnamed. Computed on the dictionary's values once, mapped to rows by index."""
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
        if not pa.types.is_dictionary(array.type):
            if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
                array = pc.cast(array, pa.string())
            array = pc.dictionary_encode(array)
        values = array.dictionary.to_pylist()
        names: list[str] = []
        slot: dict[str, int] = {}
        mapping: list[int | None] = []
        for value in values:
            named = self.name(field_name, value)
            if named is None:
                mapping.append(None)
                continue
            index = slot.get(named)
            if index is None:
                index = slot[named] = len(names)
                names.append(named)
            mapping.append(index)
        indices = pc.take(pa.array(mapping, pa.int32()), array.indices)
        return pa.DictionaryArray.from_arrays(indices, pa.array(names, pa.string()))

    def with_names(self, batch: pa.RecordBatch, fields: Iterable[str] = NAMED_FIELDS
                   ) -> pa.RecordBatch:
        """``batch`` with ``FIELD.name`` right after each of ``fields`` it has."""
        arrays: list[pa.Array] = []
        labels: list[str] = []
        wanted = set(fields)
        for name, column in zip(batch.schema.names, batch.columns, strict=True):
            arrays.append(column)
            labels.append(name)
            if name in wanted and name + SUFFIX not in batch.schema.names:
                arrays.append(self.column(name, column))
                labels.append(name + SUFFIX)
        return pa.RecordBatch.from_arrays(arrays, names=labels)

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


__all__ = ["ADDRESS_FIELDS", "AddressName", "NAMED_FIELDS", "Names", "NamesOptions",
           "SUFFIX", "load_names", "scopes_from_paths"]
