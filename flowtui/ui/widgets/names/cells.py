"""The table's named columns: ``10.0.3.7 web-1`` or ``web-1``, and a header that says so.

Three modes, cycled by a key: the numbers alone, numbers with names, names alone (an
unnamed value still shows itself: a blank would hide the address). While names show, the
header of ``interface-id``, ``srcaddr`` and ``dstaddr`` says what its cells hold:
``srcaddr·name`` (the address and its name), ``name|srcaddr`` (the name, else the address),
so a cell is always the value its header names; quick filters and sorting still use the
value itself.

Naming costs nothing per cursor move: the table formats a row once and keeps it (its LRU
of formatted rows), and a value's name is looked up once here and remembered, so only the
rows a scroll brings on screen are named, each distinct value once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flowtui.names.resolve import NAMED_FIELDS, Names
from flowtui.ui.widgets.safe import literal

MODES = ("numbers", "numbers+names", "names")
#: What the header adds to a named column's name while numbers and names show.
MARK = "·name"
#: What the header puts before it while names alone show (the name, else the value).
NAMES_ONLY = "name|"
#: Distinct values remembered before the memo starts over (a tail runs for days).
MEMO_LIMIT = 1 << 16


class CellNames:
    """How the table shows the named fields; ``cell`` turns a formatted value into what is
    drawn. Mode "numbers" (or no names) draws the value as it is."""

    def __init__(self) -> None:
        self.names: Names | None = None
        self.mode = "numbers"
        #: The user chose a mode (the key): loading names no longer changes it.
        self.chosen = False
        self._memo: dict[tuple[str, str, str | None], str | None] = {}

    @property
    def active(self) -> bool:
        return self.names is not None and self.mode != "numbers"

    def set_names(self, names: Names | None) -> bool:
        """New names (or none); True when what the table draws may change. Names that
        name something turn the column on, unless the user chose otherwise."""
        if names is self.names:
            return False
        self.names = names
        self._memo.clear()
        if not self.chosen:
            self.mode = "numbers+names" if names is not None and not names.empty else \
                "numbers"
        return True

    def cycle(self) -> str:
        self.chosen = True
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]
        return self.mode

    def named(self, column: str) -> bool:
        return self.active and column in NAMED_FIELDS

    def header(self, column: str, label: str) -> str:
        """``srcaddr·name`` while the column shows numbers and names, ``name|srcaddr``
        while it shows names alone (a cell is the name, or the address without one)."""
        if not self.named(column):
            return label
        return NAMES_ONLY + label if self.mode == "names" else label + MARK

    def name_of(self, column: str, value: Any, where: str | None = None) -> str | None:
        """The name of ``value`` on a record placed in ``where`` (``Names.where``: an
        address is named by the inventory only on a record whose interface it knows)."""
        if value is None or self.names is None:
            return None
        key = (column, str(value), where)
        try:
            return self._memo[key]
        except KeyError:
            pass
        found = self.names.name(column, value, where)
        if len(self._memo) >= MEMO_LIMIT:
            self._memo.clear()
        self._memo[key] = literal(found) if found is not None else None
        return self._memo[key]

    def where(self, record: Mapping[str, Any]) -> str | None:
        """The VPC ``record`` is placed in for names (``Names.where``)."""
        return self.names.where(record) if self.names is not None else None

    def cell(self, column: str, value: Any, shown: str, where: str | None = None) -> str:
        """What the table draws for ``value`` (``shown`` is its formatted text) of a record
        placed in ``where``."""
        if not self.named(column):
            return shown
        name = self.name_of(column, value, where)
        if name is None:
            return shown
        return name if self.mode == "names" else f"{shown} {name}"

    def describe(self) -> str:
        """For the key's toast."""
        return {"numbers": "Names column off: numbers only",
                "numbers+names": "Numbers and names (interface-id, srcaddr, dstaddr)",
                "names": "Names only (the number where there is no name)"}[self.mode]


__all__ = ["CellNames", "MARK", "MODES", "NAMES_ONLY"]
