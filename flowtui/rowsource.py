"""The one thing the record table and the detail panel read rows through.

The table shows a ``RowSource``: today the ``RecordStore`` itself, next a view over it
(filter and sort). Either way the UI asks only these questions, so it never needs to know
which one it holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import pyarrow as pa

if TYPE_CHECKING:
    from flowtui.store import RecordStore


class RowSource(Protocol):
    """Rows by position, read on the UI thread while a load may be appending."""

    #: Bumped on every change (rows appended, dropped, cleared, reordered).
    generation: int
    #: Rows dropped from the front since creation: row ``i`` now was row ``i + dropped``
    #: then, so the table can keep the cursor on the same record while a tail trims.
    dropped: int
    @property
    def order_generation(self) -> int:
        """Bumped when rows already read may now be elsewhere (a sort, a clear): a reader
        that caches rows by index starts over."""
        ...

    @property
    def columns(self) -> list[str]:
        """Every column any row may have, in the order to show them."""
        ...

    def __len__(self) -> int: ...

    def rows(self, start: int, stop: int) -> list[dict[str, object]]:
        """Rows ``start`` to ``stop`` (exclusive), each keyed by every column."""
        ...

    def row(self, index: int) -> dict[str, object]:
        """One row; ``IndexError`` outside the source."""
        ...

    def batches(self) -> list[pa.RecordBatch]:
        """Every row as Arrow record batches, for aggregates (top-N, histogram) computed in
        a worker thread; the order of rows within them does not matter to those."""
        ...

    def source(self, index: int) -> str:
        """Where the row came from (the object's location), for the detail panel."""
        ...

    @property
    def store(self) -> RecordStore:
        """The store the rows live in (a store is its own)."""
        ...

    def store_index(self, index: int) -> int:
        """The store row behind row ``index`` (a story tells a store row)."""
        ...

    def index_of(self, store_index: int) -> int | None:
        """Where store row ``store_index`` is here; None when this source leaves it out."""
        ...


def record_place(source: RowSource, row: int, full_name: bool = False) -> str:
    """How the detail panel, the copy message and the story name row ``row`` of ``source``:
    ``row 12 of 340 in view · line 1234 of flows.log.gz`` — the row of what the table shows
    (``in view`` when a filter or a sort made it), and the record's line in its object when
    the store knows it; ``row 12 of 340`` plainly when it does not (Parquet, Athena).

    It said ``record 12``, the row of the view, which a user took for the record's place
    in its file. ``full_name``: the object's whole location (a copied message is pasted
    into a ticket), else its last part (one line of a panel). Line numbers have no
    thousands separator: they are typed into an editor."""
    count = len(source)
    text = f"row {row + 1:,} of {count:,}"
    store = source.store
    if store is not source and not getattr(source, "passthrough", False):
        text += " in view"
    try:
        at = source.store_index(row)
        line = store.line_of(at)
        location = store.source(at)
    except IndexError:
        return text
    if line is None:
        return text
    name = location if full_name else (location.rpartition("/")[2] or location)
    return f"{text} · line {line} of {name}" if name else f"{text} · line {line}"
