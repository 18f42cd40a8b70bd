"""Which columns the record table shows, in what order, pinned how, and what folds into its title.

AWS's default format leads with version, account-id and interface-id: at 160 columns they
took the width and the ports, protocol and action were off-screen. So the 5-tuple, the action
and the times lead, and a column whose value is the same in every loaded row says it once in
the table's title ("Records · v2 · 123456789012 · eni-0abc…") instead of on every row.
The user's own choices (shown, hidden, order, pinned) come from the column chooser and hold
across loads; what folds is found again for each store.

Folding follows the store, not the view: "the same in every loaded row" is a fact about the
data, and following append-only batches lets each batch be looked at once, by Arrow.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import pyarrow as pa
import pyarrow.compute as pc
from rich.text import Text

from flowtui.explain import display_value
from flowtui.fields import is_integer
from flowtui.store import StoreSnapshot
from flowtui.ui.widgets.safe import literal

LEAD: tuple[str, ...] = (
    "srcaddr", "srcport", "dstaddr", "dstport", "protocol", "action", "start", "end",
    "packets", "bytes",
)
"""The columns that come first by default, in this order; they never fold (a REJECT-only
view still shows its action on every row, where the eye looks for it)."""

TITLE = "Records"
TITLE_VALUE_WIDTH = 24
"""A folded value longer than this is cut in the title (the detail panel shows it whole)."""

_VARIED = object()


class Snapshots(Protocol):
    """What folding reads: the store's batches as of one instant."""

    def snapshot(self) -> StoreSnapshot: ...


@dataclass(frozen=True)
class ColumnChoices:
    """What the user chose in the column chooser; empty means the defaults."""

    order: tuple[str, ...] = ()
    hidden: frozenset[str] = frozenset()
    #: Shown even while their value is the same in every row (not folded).
    unfolded: frozenset[str] = frozenset()
    #: The first this many shown columns stay put when the table scrolls sideways.
    pinned: int = 0

    def toggled(self, column: str, folded: bool) -> ColumnChoices:
        """Space in the chooser: a shown column hides; a hidden or folded one shows."""
        if column in self.hidden:
            return replace(self, hidden=self.hidden - {column})
        if folded:
            return replace(self, unfolded=self.unfolded ^ {column})
        return replace(self, hidden=self.hidden | {column},
                       unfolded=self.unfolded - {column})

    def moved(self, arranged: Sequence[str], column: str, step: int) -> ColumnChoices:
        order = list(arranged)
        at = order.index(column)
        to = max(0, min(len(order) - 1, at + step))
        order.insert(to, order.pop(at))
        return replace(self, order=tuple(order))


@dataclass
class Constants:
    """Per column, its one value across every row seen so far, or that it varies.

    Fed the store's batches as they arrive; a batch without a column counts as None there
    (the store's rows read it so)."""

    values: dict[str, object] = field(default_factory=dict)
    varied: set[str] = field(default_factory=set)
    seen: int = 0  # rows ever appended that were looked at (the store's dropped + length)
    resets: int = -1

    def observe(self, snapshot: StoreSnapshot, skip: Iterable[str] = ()) -> bool:
        """Look at the rows appended since the last call; True when any column's state moved."""
        changed = False
        if snapshot.resets != self.resets:
            self.values, self.varied, self.seen = {}, set(), 0
            self.resets = snapshot.resets
            changed = True
        ever = snapshot.dropped + snapshot.length
        new = ever - self.seen
        if new <= 0:
            return changed
        looked = self.seen > 0  # rows were looked at before these
        self.seen = ever
        skipped = set(skip)
        for batch in _last_rows(snapshot.batches, new):
            for name in snapshot.columns:
                if name in skipped or name in self.varied:
                    continue
                one = _single_value(batch, name)
                if name not in self.values and looked:
                    # a column new to the store: the rows before did not have it (None)
                    self.values[name] = None
                if one is _VARIED or (name in self.values and self.values[name] != one):
                    self.varied.add(name)
                    self.values.pop(name, None)
                    changed = True
                elif name not in self.values:
                    self.values[name] = one
                    changed = True
            looked = True
        return changed


def _last_rows(batches: Sequence[pa.RecordBatch], count: int) -> list[pa.RecordBatch]:
    """The last ``count`` rows of ``batches``, as batches in order."""
    out: list[pa.RecordBatch] = []
    for batch in reversed(batches):
        if count <= 0:
            break
        take = min(count, batch.num_rows)
        out.insert(0, batch if take == batch.num_rows else batch.slice(batch.num_rows - take))
        count -= take
    return out


def _single_value(batch: pa.RecordBatch, name: str) -> object:
    """The one value column ``name`` holds in every row of ``batch`` (None for missing),
    or ``_VARIED``. Dictionary columns are judged on their indices, never decoded."""
    index = batch.schema.get_field_index(name)
    if index < 0 or batch.num_rows == 0:
        return None
    column = batch.column(index)
    nulls = column.null_count
    if nulls == len(column):
        return None
    if nulls:
        return _VARIED
    if pa.types.is_dictionary(column.type):
        used = pc.unique(column.indices)
        values = pc.unique(column.dictionary.take(used))
    else:
        bounds = pc.min_max(column)
        low, high = bounds["min"], bounds["max"]
        if low != high:
            return _VARIED
        return low.as_py()
    return values[0].as_py() if len(values) == 1 else _VARIED


class ColumnLayout:
    """The table's columns: the user's choices applied to the data's columns, minus folds."""

    def __init__(self, store: Snapshots | None = None) -> None:
        self.choices = ColumnChoices()
        self.constants = Constants()
        self._store = store
        #: Where the rows came from when not a load ("from Athena db.table"), for the title.
        self.origin = ""

    def with_choices(self, choices: ColumnChoices) -> ColumnLayout:
        """The same data under other choices (the chooser's preview)."""
        other = ColumnLayout(self._store)
        other.choices, other.constants = choices, self.constants
        return other

    def follow(self, store: Snapshots | None) -> None:
        """Fold by the rows of ``store`` from now on (a new load or tail)."""
        self._store = store
        self.constants = Constants()
        self.origin = ""

    def observe(self) -> bool:
        """Take in rows appended since the last call; True when what folds may have changed."""
        if self._store is None:
            return False
        return self.constants.observe(self._store.snapshot(), skip=LEAD)

    def arranged(self, columns: Sequence[str]) -> list[str]:
        """Every column in display order: the chooser's order, else the lead, then the rest."""
        present = list(dict.fromkeys(columns))
        lead = [c for c in self.choices.order if c in present]
        lead += [c for c in LEAD if c in present and c not in lead]
        return lead + [c for c in present if c not in lead]

    def is_folded(self, column: str) -> bool:
        return (column in self.constants.values and column not in LEAD
                and column not in self.choices.unfolded)

    def folded(self, columns: Sequence[str]) -> list[tuple[str, object]]:
        """(column, its one value) for each column folded into the title, in display order."""
        return [(c, self.constants.values[c]) for c in self.arranged(columns)
                if self.is_folded(c) and c not in self.choices.hidden]

    def visible(self, columns: Sequence[str]) -> list[str]:
        return [c for c in self.arranged(columns)
                if c not in self.choices.hidden and not self.is_folded(c)]

    def pinned(self, visible: Sequence[str]) -> int:
        return max(0, min(self.choices.pinned, len(visible) - 1))

    def title(self, columns: Sequence[str], decoded: bool) -> Text:
        """``Records · v2 · 123456789012 · eni-0abc…``: the folded values, literally."""
        parts = [f"{TITLE} {self.origin}" if self.origin else TITLE]
        for column, value in self.folded(columns):
            if value is None:
                continue  # an empty column folds away; the chooser says so
            shown = literal(display_value(column, value, decoded))
            if len(shown) > TITLE_VALUE_WIDTH:
                shown = shown[:TITLE_VALUE_WIDTH - 1] + "…"
            if column == "version":
                shown = f"v{shown}"
            elif is_integer(column):
                # a number does not say whose it is: "· 0 · 0 · 0 · 0" were four of a
                # Transit Gateway's counters, and "· 6" the version in decoded mode
                shown = f"{column} {shown}"
            parts.append(shown)
        return Text(" · ".join(parts))


__all__ = ["LEAD", "ColumnChoices", "ColumnLayout", "Constants"]
