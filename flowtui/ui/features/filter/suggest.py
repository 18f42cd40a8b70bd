"""Completion in the filter bar: field names, keywords, and values seen in the loaded data.

The word being typed is completed from what fits where it stands: after ``field =`` the values
that field holds in the store (most frequent first), after ``host`` the addresses, after
``port`` the ports, elsewhere field names and the language's keywords.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

import pyarrow as pa
import pyarrow.compute as pc
from textual.suggester import Suggester

from flowtui.fields import FIELDS
from flowtui.query.expr import resolve_field
from flowtui.query.words import OPERATOR_WORDS, is_address, refused_by_equals
from flowtui.store import RecordStore

KEYWORDS = ("and", "or", "not", "host", "port", "net", "src", "dst", "proto", "in", "during",
            "flags", "tcp", "udp", "icmp", "accept", "reject", "nodata", "skipdata",
            "ingress", "egress")
_WORD = re.compile(r"[^\s()!,=<>~&|'\"]*$")
_AFTER_OP = re.compile(r"(\S+?)\s*(==|!=|<=|>=|=|<|>|!~|~)\s*$"
                       r"|(\S+)\s+(?i:(" + "|".join(OPERATOR_WORDS) + r"))\s+$")
_AFTER_KIND = re.compile(r"(?i:\b(host|ip|port))\s+$")
SAMPLE_BATCHES = 32
"""Values are counted in the newest batches only: enough to know what is there, cheap."""
MAX_VALUES = 2000


class DataValues:
    """Distinct values per field in a store, most frequent first, counted once per change."""

    def __init__(self, store: Callable[[], RecordStore | None]) -> None:
        self._store = store
        self._cache: dict[str, tuple[int, list[str]]] = {}

    def columns(self) -> list[str]:
        store = self._store()
        return store.columns if store is not None else []

    def __call__(self, field: str) -> list[str]:
        store = self._store()
        if store is None:
            return []
        cached = self._cache.get(field)
        if cached is not None and cached[0] == store.generation:
            return cached[1]
        counts: Counter[str] = Counter()
        for batch in store.batches()[-SAMPLE_BATCHES:]:
            index = batch.schema.get_field_index(field)
            if index < 0:
                continue
            column = batch.column(index)
            if pa.types.is_dictionary(column.type):
                column = column.dictionary_decode()
            counted = pc.value_counts(column.drop_null())
            for value, count in zip(counted.field("values").to_pylist(),
                                    counted.field("counts").to_pylist(), strict=True):
                counts[str(value)] += count
        values = [value for value, _ in counts.most_common(MAX_VALUES)]
        self._cache[field] = (store.generation, values)
        return values


class FilterSuggester(Suggester):
    def __init__(self, values: DataValues) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.values = values

    async def get_suggestion(self, value: str) -> str | None:
        return complete(value, self.values.columns(), self.values)

    def tab(self, value: str) -> tuple[str, list[str]]:
        return tab(value, self.values.columns(), self.values)


def complete(text: str, columns: Sequence[str], values: Callable[[str], list[str]]
             ) -> str | None:
    """``text`` with its last word completed by the first that fits (the grey suggestion
    after the cursor), or None when nothing fits."""
    before, prefix, fits = matches(text, columns, values)
    for candidate in fits:
        if len(candidate) > len(prefix):
            return before + prefix + candidate[len(prefix):]
    return None


def tab(text: str, columns: Sequence[str], values: Callable[[str], list[str]]
        ) -> tuple[str, list[str]]:
    """What Tab does, as a shell does: the last word completed as far as every candidate
    agrees (whole when one fits), and the candidates when several still fit."""
    before, prefix, fits = matches(text, columns, values)
    if not fits:
        return text, []
    lowered = [c.lower() for c in fits]
    common = len(prefix)
    shortest = min(len(c) for c in fits)
    while common < shortest and all(c[common] == lowered[0][common] for c in lowered):
        common += 1
    completed = before + prefix + fits[0][len(prefix):common]
    return completed, (fits if len(fits) > 1 else [])


_BARE = re.compile(r"[^\s()!,=<>~&|'\"*?\[]+")


def _reads_as_itself(field: str, value: str) -> bool:
    """Whether ``field = value``, typed as it stands, keeps the records holding ``value``.
    Damaged or hostile data holds values it would not: ``eni-[bold]x`` reads as a glob,
    ``action = [red]ACC`` is refused, a space or a quote ends the word. Such a value is
    not offered (the quick filter, ``=`` on the cell, writes it exactly)."""
    return (value.isprintable() and _BARE.fullmatch(value) is not None
            and not refused_by_equals(field, value))


def matches(text: str, columns: Sequence[str], values: Callable[[str], list[str]]
            ) -> tuple[str, str, list[str]]:
    """(text before the last word, the word, what can stand there starting with it, in
    the order offered: most frequent value first, else fields then keywords)."""
    word = _WORD.search(text)
    assert word is not None
    prefix = word.group()
    before = text[:word.start()]
    if not prefix:
        return before, prefix, []
    candidates: Sequence[str]
    after_op = _AFTER_OP.search(before)
    after_kind = _AFTER_KIND.search(before)
    if after_op is not None:  # ``field =`` or nfdump's ``field eq``
        name, op = after_op.group(1) or after_op.group(3), after_op.group(2) or after_op.group(4)
        field = resolve_field(name, columns)
        candidates = values(field) if field is not None else []
        if field is not None and OPERATOR_WORDS.get(op.lower(), op) in ("=", "==", "!="):
            candidates = [v for v in candidates if _reads_as_itself(field, v)]
    elif after_kind is not None:
        kind = after_kind.group(1).lower()
        names = ("srcport", "dstport") if kind == "port" else ("srcaddr", "dstaddr")
        # host takes an address only: a damaged address column's text would be refused
        candidates = list(dict.fromkeys(v for name in names for v in values(name)
                                        if kind == "port" or is_address(v)))
    else:
        candidates = list(dict.fromkeys([*columns, *FIELDS, *KEYWORDS]))
    lowered = prefix.lower()
    return before, prefix, [c for c in candidates if c.lower().startswith(lowered)]
