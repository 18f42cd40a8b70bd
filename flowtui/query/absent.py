"""Why a filter matched nothing, when the reason is the records' format.

A flow log holds only the fields its format names (AWS: a custom format picks its fields; the
default format is version 2's fourteen). The filter language knows every field, and a leaf
about a field the records lack is false (expr.py's two-valued logic), so ``flags syn`` on
default-format records matches nothing, by construction. That answer is true but mute: the
user sees "no record matches" and may conclude no SYN reached the host. The words here name
the missing fields, so an empty answer says that the question could not be asked of these
records.
"""

from __future__ import annotations

from collections.abc import Iterable

from flowtui.fields import FIELDS
from flowtui.query.expr import Expr, fields_used
from flowtui.query.tree import And, Const, Not, Or


def absent_fields(where: Expr | None, present: Iterable[str]) -> list[str]:
    """The fields ``where`` tests that are none of ``present`` (the records' columns), in
    the order of the field table; empty when the filter only names fields the records have."""
    if where is None:
        return []
    have = set(present)
    if not have:  # nothing loaded: nothing known about the format
        return []
    order = {name: index for index, name in enumerate(FIELDS)}
    missing = fields_used(where) - have
    return sorted(missing, key=lambda name: (order.get(name, len(order)), name))


def cannot_match(where: Expr | None, present: Iterable[str]) -> bool:
    """True when ``where`` is false for every record whose format has the ``present`` columns
    alone: a leaf on a field they lack is false (two-valued logic), and nothing else in the
    tree makes up for it (``flags syn and port 22``, not ``not flags syn``). Known before a
    record is read, so a query on them (SQL: ``WHERE FALSE AND …``) need not be sent."""
    if where is None:
        return False
    return _known(where, set(present)) is False


def _known(expr: Expr, have: set[str]) -> bool | None:
    """The value of ``expr`` for every record with columns ``have``, or None if it varies."""
    match expr:
        case Const(value):
            return value
        case Not(item):
            known = _known(item, have)
            return None if known is None else not known
        case And(items):
            values = [_known(item, have) for item in items]
            if False in values:
                return False
            return True if all(v is True for v in values) else None
        case Or(items):
            values = [_known(item, have) for item in items]
            if True in values:
                return True
            return False if all(v is False for v in values) else None
        case _:
            return False if expr.field not in have else None


def absent_hint(where: Expr | None, present: Iterable[str]) -> str:
    """A clause for a "no record matches" line, or "" when every field tested is there:
    ``"these records have no tcp-flags field (their flow-log format does not log it)"``."""
    return lacking_words(absent_fields(where, present))


def lacking_words(missing: list[str], then: str = "a filter on {it} cannot match") -> str:
    """The words for fields the records' format does not log, and ``then`` (``{it}``: it or
    them), or "" for none: also why ``top --by`` such a field is refused."""
    if not missing:
        return ""
    names = ", ".join(missing)
    noun = "field" if len(missing) == 1 else "fields"
    pronoun = "it" if len(missing) == 1 else "them"
    return (f"these records have no {names} {noun} (their flow-log format does not log "
            f"{pronoun}; {then.format(it=pronoun)})")


__all__ = ["absent_fields", "absent_hint", "cannot_match", "lacking_words"]
