"""Small modal screens: confirm a large load, read the lines that did not parse."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from flowtui.blocks import BadLine
from flowtui.ui.actions import bindings
from flowtui.ui.widgets.footer.line import KeysFooter
from flowtui.ui.widgets.safe import literal


class ConfirmScreen(ModalScreen[bool]):
    """Yes/no question; the answer is the screen's result (Esc and n say no)."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("confirm")

    def __init__(self, question: Text) -> None:
        super().__init__()
        self._question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self._question, id="confirm-question")
            yield Static(Text.assemble(("y", "bold"), "/Enter: load   ", ("n", "bold"),
                                       "/Esc: cancel"), id="confirm-keys")
        yield KeysFooter()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class BadLinesScreen(ModalScreen[None]):
    """The first bad lines of the current load: where, why, and the line itself (literal)."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("bad-lines")

    def __init__(self, bad: Sequence[tuple[str, BadLine]], total: int) -> None:
        super().__init__()
        self._bad = bad
        self._total = total

    def compose(self) -> ComposeResult:
        table = Table(show_header=True, header_style="bold", box=None, padding=(0, 1),
                      expand=True)
        table.add_column("object", ratio=1, overflow="fold")
        table.add_column("line", justify="right", no_wrap=True)
        table.add_column("reason", ratio=1, overflow="fold")
        table.add_column("text", ratio=2, overflow="fold")
        for source, bad in self._bad:
            table.add_row(Text(literal(source.rpartition("/")[2] or source)),
                          Text(f"{bad.line_number:,}"), Text(literal(bad.reason)),
                          Text(literal(bad.text)))
        title = f"{self._total:,} bad lines"
        if self._total > len(self._bad):
            title += f" (first {len(self._bad):,} shown)"
        with VerticalScroll(id="badlines-body"):
            yield Static(Text(title, style="bold"))
            yield Static(table if self._bad else Text("No bad lines."))
        yield KeysFooter()

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#badlines-body", VerticalScroll)
        if direction == "up":
            body.scroll_up()
        else:
            body.scroll_down()
