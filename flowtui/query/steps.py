"""A filter as a list of steps: what a breadcrumb shows and a quick filter adds to.

The TUI keeps one filter text, which the user can read and edit in the filter bar. Its
top-level ``and`` terms are the steps of the breadcrumb (``reject › port 22``): a quick filter
from the cursor appends one, Backspace pops the last. Splitting is done on the parse tree
(the same grammar as ``expr.py``), so a parenthesised ``or`` or a quoted ``and`` stays whole.
A quick filter is written as text the user could have typed, and reads back as exactly the
comparison it stands for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from flowtui.fields import ADDRESS_FIELDS, is_integer
from flowtui.query.expr import parse
from flowtui.query.words import is_address, refused_by_equals

if TYPE_CHECKING:  # lark is loaded when a filter is first split or joined (see expr.py)
    from lark import Lark, Token, Tree

_BARE = re.compile(r"^[^\s()!,'\"=<>~&|]+$")
_KEYWORDS = frozenset({
    "or", "and", "not", "in", "proto", "flags", "during", "src", "dst", "pkt-src", "pkt-dst",
    "host", "ip", "net", "port", "tcp", "udp", "icmp", "icmpv6", "accept", "reject",
    "nodata", "skipdata", "ingress", "egress",
})
#: Address fields a quick filter matches in both directions (``host X``).
_HOST_FIELDS = frozenset({"srcaddr", "dstaddr"})


@cache
def _grammar() -> Lark:
    from lark import Lark

    text = (Path(__file__).with_name("filter.lark")).read_text(encoding="utf-8")
    return Lark(text, parser="lalr", maybe_placeholders=True, propagate_positions=True)


def split_steps(text: str) -> list[str]:
    """The top-level ``and`` terms of a valid filter, as text; one step when the top is an
    ``or`` (or a single term); none for an empty filter. Raises ``FilterError`` when ``text``
    does not parse."""
    if not text.strip():
        return []
    from lark import Tree

    parse(text)  # the one clear error, with its position
    tree = _grammar().parse(text)
    if isinstance(tree, Tree) and tree.data == "and_expr":
        return [_wrapped(text, child) for child in tree.children if isinstance(child, Tree)]
    return [text.strip()]


def _wrapped(text: str, node: Tree[Token]) -> str:
    part = text[node.meta.start_pos:node.meta.end_pos].strip()
    # A parenthesised term's span leaves out its parentheses: an ``or`` needs them back.
    if node.data in ("or_expr", "and_expr"):
        return f"({part})"
    return part


def join_steps(steps: Sequence[str]) -> str:
    """Steps as one filter: each ``or`` step in parentheses, joined with ``and``."""
    from lark import Tree

    parts = []
    for step in steps:
        step = step.strip()
        if not step:
            continue
        tree = _grammar().parse(step)
        if isinstance(tree, Tree) and tree.data == "or_expr":
            step = f"({step})"
        parts.append(step)
    return " and ".join(parts)


class NoQuickFilter(ValueError):
    """A value a quick filter cannot stand for (missing, or unquotable); one line."""


def quick_step(field: str, value: object, *, keep: bool) -> str:
    """The filter text that keeps (or drops) rows whose ``field`` is ``value``.

    Addresses match in both directions (``host 10.0.0.5``), as lnav and Wireshark users
    expect; every other field is an exact comparison. Raises ``NoQuickFilter``."""
    if value is None or value == "":
        raise NoQuickFilter(f"no {field} value here to filter on")
    if field in _HOST_FIELDS and is_address(str(value)):
        term = f"host {_value_text(str(value), keyword_safe=False)}"
    elif is_integer(field) and isinstance(value, int):
        term = f"{field} = {value}"
    elif refused_by_equals(field, str(value)) or (
            any(c in str(value) for c in "*?[") and field not in ADDRESS_FIELDS):
        # ``=`` would read these as a glob, or refuse a value AWS never writes (damaged
        # data has it anyway): an anchored regular expression is exact.
        pattern = _value_text("^" + re.escape(str(value)) + "$", force_quotes=True)
        term = f"{field} ~ {pattern}"
    else:
        term = f"{field} = {_value_text(str(value))}"
    # ``not`` is the exact complement: rows without the field stay (``!=`` would drop them).
    return term if keep else f"not {term}"


def _value_text(text: str, force_quotes: bool = False, keyword_safe: bool = True) -> str:
    """``text`` as a filter value: bare when it reads back as itself (after an operator the
    parser takes keywords as values, ``action = reject``), else quoted."""
    if not text.isprintable():
        raise NoQuickFilter("the value holds control characters: type a filter instead (/)")
    if not force_quotes and _BARE.match(text) and (keyword_safe
                                                   or text.lower() not in _KEYWORDS):
        return text
    for quote in ('"', "'"):
        if quote not in text:
            return f"{quote}{text}{quote}"
    if "\\" in text:
        raise NoQuickFilter("the value holds both quotes and a backslash: type a filter "
                            "instead (/)")
    return '"' + text.replace('"', '\\"') + '"'


__all__ = ["NoQuickFilter", "join_steps", "quick_step", "split_steps"]
