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


def absent_hint(where: Expr | None, present: Iterable[str]) -> str:
    """A clause for a "no record matches" line, or "" when every field tested is there:
    ``"these records have no tcp-flags field (their flow-log format does not log it)"``."""
    missing = absent_fields(where, present)
    if not missing:
        return ""
    names = ", ".join(missing)
    noun = "field" if len(missing) == 1 else "fields"
    pronoun = "it" if len(missing) == 1 else "them"
    return (f"these records have no {names} {noun} (their flow-log format does not log "
            f"{pronoun}; a filter on {pronoun} cannot match)")


__all__ = ["absent_fields", "absent_hint"]
