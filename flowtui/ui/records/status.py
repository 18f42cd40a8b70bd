"""The status line under the table: where the cursor is, how much is loaded, what went wrong."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.geometry import Region
from textual.reactive import reactive
from textual.widgets import Static

from flowtui.decoders import counted
from flowtui.ui.safe import literal


def human_bytes(size: int | float | None) -> str:
    """Sizes as people read them: 1.2 MB (powers of 1024, one decimal)."""
    if size is None:
        return "?"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"  # pragma: no cover - loop always returns


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
    #: Where names come from and how old they are ("names: 42 interfaces read 3 min ago").
    names: reactive[str] = reactive("", repaint=False)

    _drawn: Text | None = None

    def on_mount(self) -> None:
        for name in ("position", "total", "load", "decoded", "tail", "new_rows",
                     "store_total", "note", "athena", "entry_name", "names"):
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
        line = Text(no_wrap=True, overflow="ellipsis")
        if self.total:
            line.append(f"row {self.position + 1:,}/{self.total:,}", style="bold")
        else:
            line.append("no records", style="bold")
        if self.store_total:
            line.append(f"  {self.total:,} of {self.store_total:,} match", style="bold")
        if self.entry_name:
            line.append("  ")
            line.append(literal(self.entry_name), style="bold")
        if self.note:
            line.append("  ")
            line.append(literal(self.note), style="italic")
        if self.new_rows:
            line.append(f"  {counted(self.new_rows, 'new rows')} (End follows)",
                        style="bold reverse")
        if self.tail:
            line.append("  ")
            line.append(literal(self.tail))
        load = self.load
        if load.bad_lines:
            line.append(f"  {counted(load.bad_lines, 'bad lines')}", style="bold")
        if load.errors:
            line.append(f"  {load.errors:,} failed", style="bold")
        if load.running:
            line.append("  loading ")
            line.append(f"{load.objects_done}/{load.objects_total} objects")
            line.append(f" {human_bytes(load.bytes_read)}")
            line.append("  Esc cancels", style="italic")
        elif load.cancelled:
            line.append("  load cancelled", style="italic")
        elif load.objects_total:
            line.append(f"  {load.objects_done}/{load.objects_total} objects")
        if self.athena:
            line.append("  ")
            line.append(literal(self.athena), style="bold")
        line.append("  decoded" if self.decoded else "  raw", style="dim")
        if self.names:
            line.append("  ")
            line.append(literal(self.names), style="dim")
        if load.label:
            line.append("  ")
            line.append(literal(load.label), style="dim")
        return line
