"""Top-N by name: ``web-1`` rather than each of its addresses, and a drill-down that says so.

The names are a column the names core adds to each batch (``Names.with_names``: computed on
the dictionary, once per distinct value), grouped like any other column; addresses without a
name group together as "(no name)". Enter on a named row filters with ``srcaddr.name = web-1``
— the filter the bar reads back and resolves through the same names — so the rows it keeps
are exactly the rows that were counted.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from flowtui.names.resolve import NAMED_FIELDS, SUFFIX, Names
from flowtui.query.topkeys import NoDrill, TopKey, value_text


def nameable(key: TopKey) -> bool:
    """Keys whose fields all have names (src, dst, pair, interface)."""
    return all(field in NAMED_FIELDS for field in key.fields)


def by_name(key: TopKey) -> TopKey:
    return TopKey(key.name, tuple(field + SUFFIX for field in key.fields))


def named_batches(batches: Sequence[pa.RecordBatch], fields: Sequence[str], names: Names
                  ) -> list[pa.RecordBatch]:
    return [names.with_names(batch, fields) for batch in batches]


def named_drill_text(fields: Sequence[str], values: Sequence[object], *,
                     keep: bool = True) -> str:
    """``srcaddr.name = web-1`` (and ``dstaddr.name = db-1`` for a pair); ``not (…)`` to
    exclude. A row of unnamed addresses can't be written as a name: rank by address."""
    terms = []
    for field, value in zip(fields, values, strict=True):
        if value is None:
            raise NoDrill(f"these {field.removesuffix(SUFFIX)} values have no name: n ranks "
                          "by address, where Enter filters on one")
        terms.append(f"{field} = {value_text(value)}")
    text = " and ".join(terms)
    if keep:
        return text
    return f"not ({text})"


__all__ = ["by_name", "nameable", "named_batches", "named_drill_text"]
