"""The breadcrumb over the table: the filter's steps and the sort, so the user always sees
why the table shows what it shows (and that Backspace takes the last step back)."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from flowtui.ui.widgets.safe import literal


class Crumbs(Static):
    """One line; hidden while there is neither a filter nor a sort."""

    steps: reactive[tuple[str, ...]] = reactive(())
    sort: reactive[str] = reactive("")

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        if self.steps:
            line.append("filter ", style="bold")
            for number, step in enumerate(self.steps):
                if number:
                    line.append(" › ", style="dim")
                line.append(literal(step))
            line.append("  (⌫ undoes the last, / edits)", style="dim italic")
        if self.sort:
            if self.steps:
                line.append("  ")
            line.append("sort ", style="bold")
            line.append(literal(self.sort))
        return line

    def watch_steps(self) -> None:
        self.display = bool(self.steps or self.sort)

    def watch_sort(self) -> None:
        self.display = bool(self.steps or self.sort)
