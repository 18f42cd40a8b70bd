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
