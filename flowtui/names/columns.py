"""The names the table shows, as columns of an exported file.

A user who sees ``10.20.1.10 web-1`` and exports expects the file to say ``web-1`` too. The
file keeps the values as logged under their own names and adds ``FIELD.name`` right after
each named field it holds: the columns ``flowtui cat --names`` writes, valued by the same
``Names.with_names`` (an address named per record, by the record's interface: the rule of
``names/resolve.py``), so the app's file and the CLI's agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pyarrow as pa

from flowtui.names.resolve import NAMED_FIELDS, SUFFIX


def named_columns(columns: Sequence[str]) -> tuple[str, ...]:
    """``columns`` with ``FIELD.name`` right after each named field among them."""
    out: list[str] = []
    for column in columns:
        out.append(column)
        if column in NAMED_FIELDS and column + SUFFIX not in columns:
            out.append(column + SUFFIX)
    return tuple(out)


def named_fields(columns: Iterable[str]) -> list[str]:
    """The fields of ``columns`` that a ``FIELD.name`` column names."""
    wanted = set(columns)
    return [f for f in NAMED_FIELDS if f + SUFFIX in wanted]


def absent_names(absent: Mapping[str, pa.Array], fields: Sequence[str]
                 ) -> dict[str, pa.Array]:
    """``absent`` (``RecordView.iter_gathered``) with a field's name absent where the field
    is: a record whose format lacks ``srcaddr`` has no ``srcaddr.name`` either (as ``cat``
    gathers it, the name made before the formats were gathered into one schema)."""
    out = dict(absent)
    for field_name in fields:
        if field_name in absent:
            out[field_name + SUFFIX] = absent[field_name]
    return out
