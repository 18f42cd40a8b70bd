"""A longest-prefix-match table: address → the name of the most specific network holding it.

The names file and AWS's IP ranges both name networks; an address takes the name of the
narrowest network that contains it. Networks are kept per prefix length in dicts keyed by the
network's integer, so a lookup is one dict probe per length present (at most 33 for IPv4,
129 for IPv6, a handful in practice), not a scan of every network.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator


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
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return None
        number, bits = int(ip), ip.max_prefixlen
        tables = self._tables[ip.version]
        for length in self._lengths[ip.version]:
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
