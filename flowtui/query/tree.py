"""The filter's expression tree: the nodes every engine evaluates.

Apart from the language (``expr.py``) because the tree is what the engines share, not how text
becomes it: Arrow (``arrow.py``), SQL (``sql.py``), the story's searches and the names filter
build and read these nodes without parsing anything. Two-valued logic everywhere: a comparison
that meets a missing value is false, and ``Not`` is its exact complement.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flowtui.query.named import Named


@dataclass(frozen=True)
class Compare:
    """``field op value``; ``value`` is an int for integer fields, else a string."""

    field: str
    op: str  # one of = != < <= > >=
    value: int | str


@dataclass(frozen=True)
class InSet:
    field: str
    values: tuple[int | str, ...]


@dataclass(frozen=True)
class InNet:
    """The field holds an address inside one of ``networks`` (normalised CIDR text)."""

    field: str
    networks: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    """A regular expression (``kind="regex"``, searched anywhere in the text, RE2/Python
    syntax) or a glob (``kind="glob"``: ``*`` and ``?``, matching the whole text)."""

    field: str
    pattern: str
    kind: str  # "regex" or "glob"


@dataclass(frozen=True)
class FlagsAll:
    """Every bit of ``mask`` is set in the OR-ed ``tcp-flags`` value."""

    field: str
    mask: int


@dataclass(frozen=True)
class Not:
    item: Expr


@dataclass(frozen=True)
class And:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Const:
    """Always true or always false (an empty filter is ``Const(True)``)."""

    value: bool


Expr = Compare | InSet | InNet | Match | FlagsAll | Not | And | Or | Const | Named
Leaf = Compare | InSet | InNet | Match | FlagsAll | Named
COMPARE_OPS = ("=", "!=", "<", "<=", ">", ">=")


def leaves(expr: Expr) -> Iterator[Leaf]:
    match expr:
        case Not(item):
            yield from leaves(item)
        case And(items) | Or(items):
            for item in items:
                yield from leaves(item)
        case Const():
            return
        case _:
            yield expr


def fields_used(expr: Expr) -> set[str]:
    return {leaf.field for leaf in leaves(expr)}
