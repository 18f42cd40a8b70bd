"""The question both front ends ask: which records (filter), in what order (sort), which columns.

The CLI builds a ``Query`` from ``--where``/``--sort``, the TUI from its filter bar and sort
keys; a ``RecordView`` answers it over the store, the SQL compiler hands it to DuckDB or Athena.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from flowtui.fields import FIELDS
from flowtui.query.arrow import ArrowPredicate, compile_arrow
from flowtui.query.expr import (
    Const,
    Expr,
    FilterError,
    Named,
    leaves,
    nearest_field,
    parse,
    resolve_field,
)
from flowtui.query.times import ReferenceDay


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool = False

    def __str__(self) -> str:
        return ("-" if self.descending else "") + self.field


@dataclass(frozen=True)
class Query:
    where: Expr = field(default_factory=lambda: Const(True))
    where_text: str = ""
    sort: tuple[SortKey, ...] = ()
    columns: tuple[str, ...] | None = None

    @classmethod
    def build(cls, where: str | None = None, sort: str | Sequence[str] | None = None, *,
              columns: Iterable[str] = (), now: datetime | None = None,
              day: ReferenceDay | None = None, names: object = None) -> Query:
        """From what a user typed; raises ``FilterError`` (or ``UnknownField``) with one line.
        ``columns``: the data's own column names, for header fields outside the catalogue;
        ``day``: the day a time without a date means (times.ReferenceDay); ``names``: a
        ``flowtui.names.resolve.Names`` for ``name``/``sg``/``FIELD.name`` terms."""
        known = tuple(columns)
        expr = with_names(parse(where or "", known, now=now, day=day), where or "", names)
        return cls(where=expr, where_text=(where or "").strip(),
                   sort=parse_sort(sort, known) if sort else ())

    @property
    def filters(self) -> bool:
        return not (isinstance(self.where, Const) and self.where.value)

    def predicate(self) -> ArrowPredicate:
        return compile_arrow(self.where)

    def with_sort(self, sort: Sequence[SortKey]) -> Query:
        return replace(self, sort=tuple(sort))

    def with_where(self, text: str, columns: Iterable[str] = (),
                   now: datetime | None = None, day: ReferenceDay | None = None,
                   names: object = None) -> Query:
        return replace(self, where=with_names(parse(text, tuple(columns), now=now, day=day),
                                              text, names),
                       where_text=text.strip())


def with_names(expr: Expr, text: str, names: object) -> Expr:
    """``expr`` with its name terms resolved against ``names``; a ``FilterError`` when there
    are name terms and no names, or a name nothing has."""
    from flowtui.query.name_terms import NameFilterError, has_names, resolve

    if not has_names(expr):
        return expr
    if names is None:
        position = min(leaf.position for leaf in leaves(expr) if isinstance(leaf, Named))
        raise FilterError(text, position, "name, sg and FIELD.name need names (--names, or "
                                          "the names source in the app)")
    try:
        return resolve(expr, names)
    except NameFilterError as exc:
        raise FilterError(text, exc.position, exc.reason) from None


class UnknownField(ValueError):
    """A field name that is neither in the catalogue nor in the data, with the nearest one."""

    def __init__(self, name: str, known: Iterable[str] = (), *, why: str = "") -> None:
        hint = nearest_field(name, list(FIELDS) + list(known))
        self.name = name
        self.hint = hint
        # ``why``: what the user can do instead of a nearest name (FIELD.name: add --names)
        said = f" ({why})" if why else f" (did you mean {hint!r}?)" if hint else ""
        super().__init__(f"unknown field {name!r}{said}")


def field_name(name: str, known: Iterable[str] = ()) -> str:
    """The canonical spelling of a field a user named (``--by``, ``--sort``); raises
    ``UnknownField`` with the nearest name."""
    resolved = resolve_field(name.strip(), tuple(known))
    if resolved is None:
        raise UnknownField(name.strip(), known)
    return resolved


def parse_sort(spec: str | Sequence[str], known: Iterable[str] = ()) -> tuple[SortKey, ...]:
    """``bytes,-start`` or ``["-bytes", "start"]``: a leading ``-`` sorts descending."""
    parts = spec.split(",") if isinstance(spec, str) else [p for s in spec for p in s.split(",")]
    keys: list[SortKey] = []
    for part in parts:
        text = part.strip()
        if not text:
            continue
        descending = text.startswith("-")
        name = text.lstrip("+-").strip()
        keys.append(SortKey(field_name(name, known), descending))
    return tuple(keys)


__all__ = ["FilterError", "Query", "SortKey", "UnknownField", "field_name", "parse_sort"]
