"""The status line under the table: where the cursor is, how much is loaded, what went wrong."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.geometry import Region
from textual.reactive import reactive
from textual.widgets import Static

from flowtui.decoders import human_bytes
from flowtui.ui.widgets.safe import literal

MIN_CUT = 16
"""Cells left at the end of the line for a part that does not fit whole (the label, cut)."""


@dataclass(frozen=True)
class LoadStatus:
    """A snapshot of the current load for the status line."""

    label: str = ""
    objects_done: int = 0
    objects_total: int = 0
    bytes_read: int = 0
    records: int = 0
    bad_lines: int = 0
    errors: int = 0
    running: bool = False
    cancelled: bool = False


class RecordStatus(Static):
    """One line: row position, totals, bad lines and load progress.

    Its reactives repaint nothing themselves: ``_repaint_changed`` redraws only the cells
    from the start of the line to the last one that changed, so a cursor move sends the new
    row number and not the whole line again."""

    position: reactive[int] = reactive(0, repaint=False)
    total: reactive[int] = reactive(0, repaint=False)
    load: reactive[LoadStatus] = reactive(LoadStatus, repaint=False)
    decoded: reactive[bool] = reactive(False, repaint=False)
    #: An Athena query's state (``QueryStatus.line``); "" when none ran.
    athena: reactive[str] = reactive("", repaint=False)
    #: A live tail's state (``flowtui.ui.tailing.tail_text``); "" when not following.
    tail: reactive[str] = reactive("", repaint=False)
    #: Rows that arrived below the cursor while it was away from the last row.
    new_rows: reactive[int] = reactive(0, repaint=False)
    #: Records in the store while a filter hides some ("12,345 of 1,000,000 match"); 0
    #: without a filter.
    store_total: reactive[int] = reactive(0, repaint=False)
    #: Work on the view in progress (sorting, exporting), shown until it ends.
    note: reactive[str] = reactive("", repaint=False)
    #: The full name of the browser folder under its cursor, when the list shows it cut or
    #: as a label (Hive's ``aws-account-id=…``); "" otherwise.
    entry_name: reactive[str] = reactive("", repaint=False)
    #: Keys the browser did not use because its place was not listed yet ("" when none).
    browser_note: reactive[str] = reactive("", repaint=False)
    #: Where names come from and how old they are ("names: 42 interfaces read 3 min ago").
    names: reactive[str] = reactive("", repaint=False)

    _drawn: Text | None = None

    def on_mount(self) -> None:
        for name in ("position", "total", "load", "decoded", "tail", "new_rows",
                     "store_total", "note", "athena", "entry_name", "browser_note", "names"):
            self.watch(self, name, self._repaint_changed, init=False)

    def _repaint_changed(self) -> None:
        """Refresh the line up to its last changed cell (all of it if anything moved)."""
        old, new = self._drawn, self.render()
        self._drawn = new
        if old is None or old.spans != new.spans or len(old.plain) != len(new.plain):
            self.refresh()
            return
        changed = [i for i, (a, b) in enumerate(zip(old.plain, new.plain, strict=True))
                   if a != b]
        if changed:
            end = cell_len(new.plain[:changed[-1] + 1])
            self.refresh(Region(0, 0, end + 1, 1))

    def render(self) -> Text:
        """The parts that fit the width, in their order: when they do not all fit, the least
        important go first (``parts``), so the row, the match count and the load's
        progress show at 80 columns whatever else is going on."""
        parts = self.parts()
        width = self.size.width or 10_000
        kept = sorted(range(len(parts)), key=lambda i: (parts[i][0], i))
        used = sum(cell_len(text.plain) for _, text in parts)
        dropped: list[int] = []
        while used > width and len(kept) > 1 and parts[kept[-1]][0] > 0:
            dropped.append(kept.pop())
            used -= cell_len(parts[dropped[-1]][1].plain)
        if dropped and dropped[-1] > max(kept) and width - used >= MIN_CUT:
            kept.append(dropped[-1])  # the line's last part, cut (…) rather than gone
        line = Text(no_wrap=True, overflow="ellipsis")
        for index in sorted(kept):
            line.append_text(parts[index][1])
        return line

    def parts(self) -> list[tuple[int, Text]]:
        """(rank, text) in display order; rank 0 always shows, higher ranks go first."""
        parts: list[tuple[int, Text]] = []

        def add(rank: int, text: str, style: str = "", gap: bool = True) -> None:
            parts.append((rank, Text(("  " if gap else "") + text, style=style)))

        if self.total:
            add(0, f"row {self.position + 1:,}/{self.total:,}", "bold", gap=False)
        else:
            add(0, "no records", "bold", gap=False)
        if self.store_total:
            add(0, f"{self.total:,} of {self.store_total:,} match", "bold")
        if self.entry_name:
            add(5, literal(self.entry_name), "bold")
        if self.browser_note:
            add(1, literal(self.browser_note), "bold")
        if self.note:
            add(3, literal(self.note), "italic")
        if self.new_rows:
            add(1, f"{_some(self.new_rows, 'new', 'rows')} (End follows)", "bold reverse")
        if self.tail:
            add(2, literal(self.tail))
        load = self.load
        if load.bad_lines:
            add(2, _some(load.bad_lines, "bad", "lines"), "bold")
        if load.errors:
            add(1, f"{load.errors:,} failed", "bold")
        if load.running:
            add(0, f"loading {load.objects_done}/{load.objects_total} objects")
            add(4, " " + human_bytes(load.bytes_read), gap=False)
            add(4, "Esc cancels", "italic")
        elif load.cancelled:
            add(1, "load cancelled", "italic")
        elif load.objects_total:
            add(4, f"{load.objects_done}/{load.objects_total} objects")
        if self.athena:
            add(2, literal(self.athena), "bold")
        add(6, "decoded" if self.decoded else "raw", "dim")
        if self.names:
            add(6, literal(self.names), "dim")
        if load.label:
            add(7, literal(load.label), "dim")
        return parts


def _some(number: int, adjective: str, noun: str) -> str:
    """``1 bad line``, ``2 bad lines`` (``decoders.counted`` makes its first word singular:
    here the noun, given in the plural, comes second)."""
    return f"{number:,} {adjective} {noun.removesuffix('s') if number == 1 else noun}"
