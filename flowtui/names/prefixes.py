"""A longest-prefix-match table: address → the name of the most specific network holding it.

The names file and AWS's IP ranges both name networks; an address takes the name of the
narrowest network that contains it. Networks are kept per prefix length in dicts keyed by the
network's integer, so a lookup is one dict probe per length present (at most 33 for IPv4,
129 for IPv6, a handful in practice), not a scan of every network.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator


def parse_address(text: str) -> tuple[int, int] | None:
    """(version, integer) of an address; None if ``text`` is not one. Dotted IPv4 without
    ``ipaddress`` (the common case, a few times faster), anything else through it."""
    parts = text.split(".")
    if len(parts) == 4:
        try:
            a, b, c, d = (int(p) for p in parts)
        except ValueError:
            return None
        if 0 <= a <= 255 and 0 <= b <= 255 and 0 <= c <= 255 and 0 <= d <= 255 and all(
                p.isdigit() for p in parts):
            return 4, (a << 24) | (b << 16) | (c << 8) | d
        return None
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    return ip.version, int(ip)


class PrefixTable:
    """Networks with names; ``lookup(address)`` finds the most specific one."""

    def __init__(self, entries: Iterable[tuple[str, str]] = ()) -> None:
        # version → prefix length → network integer (shifted) → (name, network text)
        self._tables: dict[int, dict[int, dict[int, tuple[str, str]]]] = {4: {}, 6: {}}
        self._lengths: dict[int, list[int]] = {4: [], 6: []}
        for network, name in entries:
            self.add(network, name)

    def add(self, network: str, name: str, *, replace: bool = True) -> None:
        net = ipaddress.ip_network(network, strict=False)
        bits = net.max_prefixlen
        by_length = self._tables[net.version].setdefault(net.prefixlen, {})
        key = int(net.network_address) >> (bits - net.prefixlen)
        if replace or key not in by_length:
            by_length[key] = (name, str(net))
        self._lengths[net.version] = sorted(self._tables[net.version], reverse=True)

    def lookup(self, address: str) -> tuple[str, str] | None:
        """(name, network) of the narrowest network holding ``address``; None if none does
        or ``address`` is not an address."""
        parsed = parse_address(address)
        return None if parsed is None else self.lookup_number(*parsed)

    def lookup_number(self, version: int, number: int) -> tuple[str, str] | None:
        bits = 32 if version == 4 else 128
        tables = self._tables[version]
        for length in self._lengths[version]:
            found = tables[length].get(number >> (bits - length))
            if found is not None:
                return found
        return None

    def entries(self) -> Iterator[tuple[str, str]]:
        """(network, name), most specific first."""
        for version in (4, 6):
            for length in self._lengths[version]:
                for name, network in self._tables[version][length].values():
                    yield network, name

    def __len__(self) -> int:
        return sum(len(t) for v in self._tables.values() for t in v.values())
