"""Filter terms about names: ``name web-*``, ``srcaddr.name = db-1``, ``sg sg-0abc``.

They are parsed with the rest of the language (``filter.lark``, ``expr.py``) into ``Named``
leaves, which no engine evaluates: before a query runs, ``flowtui.query.name_terms.resolve``
turns each into the plain address and interface tests it stands for (sets of addresses and
interface ids, networks with holes), so Arrow and SQL (DuckDB, Athena) filter by name with
the same compilers and agree by construction. A query that still holds a ``Named`` leaf has
no names to resolve it with, and ``Query.build`` says so in one line.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The fields a ``FIELD.name`` term may name, and those ``name X`` looks at.
NAMEABLE = ("interface-id", "srcaddr", "dstaddr", "pkt-srcaddr", "pkt-dstaddr")
NAME_FIELDS = ("interface-id", "srcaddr", "dstaddr")
SUFFIX = ".name"


@dataclass(frozen=True)
class Named:
    """Records whose ``fields`` (any of them) are named ``pattern`` (a glob, case-insensitive;
    ``kind="name"``), or whose interface is in security group ``pattern`` (``kind="sg"``).
    ``position`` is where the term starts in the filter text, for errors."""

    fields: tuple[str, ...]
    pattern: str
    kind: str  # "name" | "sg"
    position: int = 0

    @property
    def field(self) -> str:
        return self.fields[0]


def name_field(text: str) -> str | None:
    """``srcaddr.name`` → ``srcaddr``; None when ``text`` is not a FIELD.name spelling."""
    lowered = text.lower().replace("_", "-")
    if not lowered.endswith(SUFFIX):
        return None
    return lowered[: -len(SUFFIX)]


__all__ = ["NAMEABLE", "NAME_FIELDS", "Named", "SUFFIX", "name_field"]
