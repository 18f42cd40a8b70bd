"""What top-N can rank by, and the filter text a drill-down writes for a row.

The pane and its key bindings (ui/actions.py) read one list; the drill-down text is the
filter language, so it lives beside the filter, below any widget.

A drill-down writes what a user could have typed in the filter bar (``srcaddr = 10.0.0.5``,
``srcaddr = 10.0.0.5 and dstaddr = 10.0.1.9``), so the filter stays readable and editable.
Talkers keep their direction: "top sources" drills into ``srcaddr``, never ``host``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from flowtui.explain import display_value
from flowtui.query.words import refused_by_equals


@dataclass(frozen=True)
class TopKey:
    name: str  # what the tab says
    fields: tuple[str, ...]


TOP_KEYS: tuple[TopKey, ...] = (
    TopKey("src", ("srcaddr",)),
    TopKey("dst", ("dstaddr",)),
    TopKey("pair", ("srcaddr", "dstaddr")),
    TopKey("dstport", ("dstport",)),
    TopKey("protocol", ("protocol",)),
    TopKey("action", ("action",)),
    TopKey("interface", ("interface-id",)),
)
TOP_METRICS = ("records", "packets", "bytes")

_BARE = re.compile(r"^[^\s()!,'\"=<>~&|*?\[]+$")


class NoDrill(ValueError):
    """A row whose value cannot be written as a filter (missing, control characters)."""


def value_text(value: object) -> str:
    """``value`` as the filter language reads it back exactly: bare, else quoted."""
    text = str(value)
    if not text.isprintable():
        raise NoDrill("the value holds control characters: type a filter instead")
    if _BARE.match(text) and text.lower() not in ("and", "or", "not"):
        return text
    if any(c in text for c in "*?["):
        # after ``=`` these would read as a glob: an anchored regular expression is exact
        raise NoDrill("the value holds glob characters: type a filter instead")
    for quote in ('"', "'"):
        if quote not in text:
            return f"{quote}{text}{quote}"
    raise NoDrill("the value holds both quotes: type a filter instead")


def _term(name: str, value: object) -> str:
    """``name = value``; an anchored pattern for a value ``=`` refuses or would read as a
    glob (damaged data: a word where an address belongs, ``action`` ``[red]ACC``)."""
    text = str(value)
    if not (refused_by_equals(name, text) or any(c in text for c in "*?[")):
        return f"{name} = {value_text(value)}"
    if not text.isprintable():
        raise NoDrill("the value holds control characters: type a filter instead")
    pattern = "^" + re.escape(text) + "$"
    for quote in ("'", '"'):
        if quote not in pattern:
            return f"{name} ~ {quote}{pattern}{quote}"
    raise NoDrill("the value holds both quotes: type a filter instead")


def drill_text(fields: Sequence[str], values: Sequence[object], *, keep: bool = True) -> str:
    """The filter that keeps (or, with ``keep=False``, drops) the rows of one top-N row."""
    terms = []
    for name, value in zip(fields, values, strict=True):
        if value is None:
            raise NoDrill(f"no {name} in this row to filter on")
        terms.append(_term(name, value))
    text = " and ".join(terms)
    if keep:
        return text
    return f"not ({text})" if len(terms) > 1 else f"not {text}"


def key_label(name: str, value: object) -> str:
    """A key value as the pane shows it: protocols and ports with their names (``6 TCP``)."""
    if value is None:
        return "-"
    if name in ("protocol", "dstport"):
        decoded = display_value(name, value, True)
        if decoded and decoded != str(value):
            return decoded if decoded.startswith(str(value)) else f"{value} {decoded}"
    return str(value)
