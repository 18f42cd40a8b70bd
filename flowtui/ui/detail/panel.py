"""The detail panel: what each field of the record under the cursor says, then what follows.

One option per field (name, raw value, decoded value, meaning, wrapped) so the user can move
to a field and copy its value; derived facts and warnings come after. Everything shown is
built as ``Text`` from literal strings, so a value like ``[red]x[/red]`` stays itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from flowtui.explain import Explanation, explain
from flowtui.ui.safe import literal, text


@dataclass(frozen=True)
class CopyTarget:
    """What `y` copies from the highlighted line."""

    label: str
    value: str


def record_json(record: Mapping[str, object]) -> str:
    """The record as one JSON object with typed values (null for '-')."""
    return json.dumps(dict(record), ensure_ascii=False, default=str)


class ExplainList(OptionList, inherit_bindings=False):
    """Scrollable, wrapped lines of the explanation; the highlight picks what `y` copies."""


    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, id="detail.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="detail.down"),
        Binding("home,g", "first", "First", show=False, id="detail.first"),
        Binding("end,G", "last", "Last", show=False, id="detail.last"),
        Binding("pageup", "page_up", "Page up", show=False, id="detail.page-up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="detail.page-down"),
        Binding("enter", "select", "Select", show=False, id="detail.select"),
        Binding("y", "copy_value", "Copy value", id="detail.copy-value"),
        Binding("Y", "copy_decoded", "Copy decoded", show=False, id="detail.copy-decoded"),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(markup=False, **kwargs)  # type: ignore[arg-type]
        self.targets: list[CopyTarget | None] = []
        self.decoded_targets: list[CopyTarget | None] = []

    def action_copy_value(self) -> None:
        self._copy(self.targets)

    def action_copy_decoded(self) -> None:
        self._copy(self.decoded_targets)

    def _copy(self, targets: list[CopyTarget | None]) -> None:
        index = self.highlighted
        target = targets[index] if index is not None and index < len(targets) else None
        if target is None:
            self.app.notify("Nothing to copy on this line", severity="warning", markup=False)
            return
        self.app.copy_to_clipboard(target.value)
        shown = literal(target.value)
        shown = shown if len(shown) <= 60 else shown[:59] + "…"
        self.app.notify(f"Copied {literal(target.label)}: {shown}", markup=False)


def _field_prompt(field: str, raw: str, decoded: str, meaning: str, width: int) -> Table:
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(width=width, no_wrap=True)
    grid.add_column(ratio=1)
    value = Text(literal(raw), style="bold")
    if decoded and decoded != raw:
        value.append("  ")
        value.append(literal(decoded), style="italic")
    grid.add_row(text(field, "bold"), value)
    if meaning:
        grid.add_row("", text(meaning, "dim"))
    return grid


class DetailPanel(Vertical):
    """Follows the record table's cursor; can be hidden to give the table the room."""

    DEFAULT_CSS = """
    DetailPanel > #detail-title { height: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static(Text("No record selected"), id="detail-title")
        yield ExplainList(id="detail-list")

    @property
    def list(self) -> ExplainList:
        return self.query_one(ExplainList)

    def show_nothing(self, message: str = "No record selected") -> None:
        self.query_one("#detail-title", Static).update(Text(message))
        self.list.clear_options()
        self.list.targets = []
        self.list.decoded_targets = []

    def show_record(self, index: int, record: Mapping[str, object], source: str = "") -> None:
        title = Text.assemble(("record ", "bold"), f"{index + 1:,}")
        if source:
            title.append("  ")
            title.append(literal(source), style="dim")
        self.query_one("#detail-title", Static).update(title)
        try:
            explanation = explain(record)
        except Exception as exc:  # a catalogue bug must not take the UI down
            explanation = Explanation(rows=[], facts=[], warnings=[f"cannot explain: {exc}"])
        self._fill(explanation)

    def _fill(self, explanation: Explanation) -> None:
        options: list[Option] = []
        targets: list[CopyTarget | None] = []
        decoded_targets: list[CopyTarget | None] = []
        width = max((len(r.field) for r in explanation.rows), default=8)
        width = min(width, 24)
        for row in explanation.rows:
            options.append(Option(_field_prompt(row.field, row.raw, row.decoded, row.meaning,
                                                width)))
            targets.append(CopyTarget(row.field, row.raw))
            decoded_targets.append(CopyTarget(f"{row.field} (decoded)", row.decoded or row.raw))
        if explanation.facts:
            options.append(Option(Text("Facts", style="bold underline"), disabled=True))
            targets.append(None)
            decoded_targets.append(None)
            for name, value in explanation.facts:
                options.append(Option(_field_prompt(name, value, "", "", width)))
                targets.append(CopyTarget(name, value))
                decoded_targets.append(CopyTarget(name, value))
        if explanation.warnings:
            options.append(Option(Text("Warnings", style="bold underline"), disabled=True))
            targets.append(None)
            decoded_targets.append(None)
            for warning in explanation.warnings:
                line = Text.assemble(("! ", "bold"), literal(warning))
                options.append(Option(Group(line), id=None))
                targets.append(CopyTarget("warning", warning))
                decoded_targets.append(CopyTarget("warning", warning))
        ol = self.list
        keep = ol.highlighted
        ol.set_options(options)
        ol.targets = targets
        ol.decoded_targets = decoded_targets
        if options:
            ol.highlighted = keep if keep is not None and keep < len(options) else 0
