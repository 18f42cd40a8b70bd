"""``name X``, ``FIELD.name = X`` and ``sg X`` turned into the plain tests they stand for.

A name belongs to values through three sources with a precedence (names file, inventory, IP
ranges) and, within the names file and the IP ranges, the narrowest network. So "the
addresses named web-*" is, exactly:

- each names-file network whose name matches, minus the narrower names-file networks inside
  it whose names don't;
- each inventory address whose interface's name matches and that no names-file network holds;
- each IP range whose name matches, minus the names-file networks and the inventory
  addresses and the narrower IP ranges inside it that are named otherwise, and dropped
  when a names-file network holds it whole.

Interfaces are named by the inventory only; ``sg X`` is the set of interfaces in the groups
whose id, group name or Name tag matches X. The result is made of ``InSet``/``InNet``/``Not``/
``And``/``Or`` leaves that ``query/arrow.py`` and ``query/sql.py`` already compile, so the two
engines agree by construction. A name that nothing has is an error with a hint, not a filter
that silently matches nothing.
"""

from __future__ import annotations

import bisect
import difflib
import ipaddress
from collections.abc import Callable, Iterator
from fnmatch import fnmatchcase
from typing import Any

from flowtui.query.expr import And, Const, Expr, InNet, InSet, Not, Or
from flowtui.query.named import Named

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class NameFilterError(ValueError):
    """A name term that can't match; ``position`` is where it is in the filter text."""

    def __init__(self, position: int, reason: str) -> None:
        super().__init__(reason)
        self.position = position
        self.reason = reason


def has_names(expr: Expr) -> bool:
    return any(isinstance(leaf, Named) for leaf in _walk(expr))


def _walk(expr: Expr) -> Iterator[Expr]:
    yield expr
    if isinstance(expr, Not):
        yield from _walk(expr.item)
    elif isinstance(expr, And | Or):
        for item in expr.items:
            yield from _walk(item)


def resolve(expr: Expr, names: Any) -> Expr:
    """``expr`` without ``Named`` leaves. Raises ``NameFilterError``."""
    resolver = _Resolver(names)
    return resolver.expr(expr)


def _matcher(pattern: str) -> Callable[[str], bool]:
    lowered = pattern.lower()
    return lambda name: fnmatchcase(name.lower(), lowered)


class _Resolver:
    def __init__(self, names: Any) -> None:
        self.names = names
        self._file: list[tuple[Network, str]] | None = None
        self._ranges: list[tuple[tuple[int, int, int], Network, str]] | None = None

    def expr(self, expr: Expr) -> Expr:
        match expr:
            case Named():
                return self.named(expr)
            case Not(item):
                return Not(self.expr(item))
            case And(items):
                return And(tuple(self.expr(i) for i in items))
            case Or(items):
                return Or(tuple(self.expr(i) for i in items))
        return expr

    def named(self, term: Named) -> Expr:
        if term.kind == "sg":
            return self.group(term)
        match = _matcher(term.pattern)
        parts: list[Expr] = []
        for field in term.fields:
            if field == "interface-id":
                ids = sorted(i for i, info in self.names.interfaces.by_id.items()
                             if match(info.name))
                if ids:
                    parts.append(InSet(field, tuple(ids)))
            else:
                parts.extend(self.addresses(field, match))
        if not parts:
            raise NameFilterError(term.position, self._nothing_named(term))
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def group(self, term: Named) -> Expr:
        match = _matcher(term.pattern)
        groups: set[str] = set()
        for inventory in self.names.inventories:
            for group in inventory.security_groups:
                tags = [t.get("Value", "") for t in group.get("Tags") or []
                        if t.get("Key") == "Name"]
                spellings = [str(group.get("GroupId", "")), str(group.get("GroupName", ""))]
                if any(match(s) for s in spellings + tags if s):
                    groups.add(str(group.get("GroupId")))
        ids = sorted(i for i, info in self.names.interfaces.by_id.items()
                     if groups & set(info.security_groups))
        if not ids:
            reason = (f"no security group of the EC2 inventory is {term.pattern!r} (by id, "
                      "group name or Name tag)" if not groups else
                      f"no interface of the EC2 inventory is in {', '.join(sorted(groups))}")
            raise NameFilterError(term.position, f"sg {term.pattern!r}: {reason}"
                                  + self._inventory_hint())
        return InSet("interface-id", tuple(ids))

    # --- addresses

    def addresses(self, field: str, match: Callable[[str], bool]) -> list[Expr]:
        parts: list[Expr] = []
        file_nets = self.file_networks()
        plain: list[str] = []
        for net, name in file_nets:
            if not match(name):
                continue
            holes = [other for other, other_name in file_nets if other != net
                     and other.version == net.version and other.subnet_of(net)  # type: ignore[arg-type]
                     and not match(other_name)]
            if holes:
                parts.append(And((InNet(field, (str(net),)),
                                  Not(InNet(field, tuple(str(h) for h in holes))))))
            else:
                plain.append(str(net))
        # an inventory name holds on a record whose interface is in the VPC it is said in
        # (Names.where): the address and the record's interface-id, tested together
        held = self.placed_sets(
            lambda address, name: match(name) and not _inside_any(address, file_nets))
        parts.extend(self.placed(field, held))
        for net, others, named_otherwise in self.ranges(match, file_nets):
            outside: list[Expr] = [*([_any_of(field, others)] if others else []),
                                   *self.placed(field, named_otherwise)]
            if outside:
                parts.append(And((InNet(field, (str(net),)), Not(
                    outside[0] if len(outside) == 1 else Or(tuple(outside))))))
            else:
                plain.append(str(net))
        if plain:
            parts.insert(0, InNet(field, tuple(plain)))
        return parts

    def placed_sets(self, keep: Callable[[str, str], bool]) -> dict[str, list[str]]:
        """VPC → the inventory's addresses whose name there passes ``keep(address, name)``."""
        out: dict[str, list[str]] = {}
        for where, address, name in self.names.placed_names():
            if keep(address, name):
                out.setdefault(where, []).append(address)
        return out

    def placed(self, field: str, sets: dict[str, list[str]]) -> list[Expr]:
        """``field`` among each VPC's addresses on records whose interface is in it."""
        return [And((InSet(field, tuple(sorted(addresses))),
                     InSet("interface-id", tuple(self.names.interfaces_in(where)))))
                for where, addresses in sorted(sets.items())]

    def file_networks(self) -> list[tuple[Network, str]]:
        if self._file is None:
            table = self.names.names_file
            self._file = [] if table is None else [
                (ipaddress.ip_network(n), name) for n, name in table.entries()]
        return self._file

    def ranges(self, match: Callable[[str], bool], file_nets: list[tuple[Network, str]]
               ) -> Iterator[tuple[Network, list[str], dict[str, list[str]]]]:
        """Matching IP ranges with the networks inside them named otherwise, and the
        inventory's addresses inside them named otherwise where placed (``placed``)."""
        table = self.names.ip_ranges
        if table is None:
            return
        if self._ranges is None:
            self._ranges = sorted(
                ((net.version, int(net.network_address), net.prefixlen), net, name)
                for net, name in ((ipaddress.ip_network(n), name) for n, name in table.entries()))
        keys = [k for k, _, _ in self._ranges]
        for _key, net, name in self._ranges:
            if not match(name):
                continue
            if any(other.version == net.version and net.subnet_of(other)  # type: ignore[arg-type]
                   for other, _ in file_nets):
                continue  # a names-file network holds it whole: those names win
            holes = [str(o) for o, _ in file_nets
                     if o.version == net.version and o.subnet_of(net)]  # type: ignore[arg-type]
            def otherwise(address: str, name: str, net: Network = net) -> bool:
                return not match(name) and _inside(address, net)

            named_otherwise = self.placed_sets(otherwise)
            low = bisect.bisect_left(keys, (net.version, int(net.network_address), 0))
            high = bisect.bisect_right(keys, (net.version, int(net.broadcast_address), 999))
            holes += [str(o) for _, o, o_name in self._ranges[low:high]
                      if o.prefixlen > net.prefixlen and not match(o_name)]
            yield net, holes, named_otherwise

    # --- hints

    def _nothing_named(self, term: Named) -> str:
        where = "interface or address" if len(term.fields) > 1 else (
            "interface" if term.fields == ("interface-id",) else "address")
        known = self.names.known_names()
        close = difflib.get_close_matches(term.pattern, known, n=3, cutoff=0.5)
        hint = f" (names like: {', '.join(close)})" if close else (
            f" (known names: {', '.join(known[:5])}{', …' if len(known) > 5 else ''})"
            if known else self._inventory_hint() or " (no names are loaded)")
        return f"no {where} is named {term.pattern!r}{hint}"

    def _inventory_hint(self) -> str:
        return "" if self.names.inventories else " (the EC2 inventory could not be read)"


def _inside(address: str, net: Network) -> bool:
    ip = ipaddress.ip_address(address)
    return ip.version == net.version and ip in net


def _inside_any(address: str, nets: list[tuple[Network, str]]) -> bool:
    return any(_inside(address, net) for net, _ in nets)


def _any_of(field: str, holes: list[str]) -> Expr:
    nets = tuple(h for h in holes if "/" in h)
    hosts = tuple(h for h in holes if "/" not in h)
    parts: list[Expr] = []
    if nets:
        parts.append(InNet(field, nets))
    if hosts:
        parts.append(InSet(field, hosts))
    if not parts:
        return Const(False)
    return parts[0] if len(parts) == 1 else Or(tuple(parts))


__all__ = ["NameFilterError", "has_names", "resolve"]
