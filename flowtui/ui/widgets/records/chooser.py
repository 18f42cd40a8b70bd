"""The column chooser: show, hide, order and pin the table's columns.

It edits a copy of the table's ``ColumnChoices`` and hands it back on Enter (Esc leaves the
table as it was), so a half-made arrangement never reaches the table. Folded columns are
listed with their one value: showing one unfolds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from flowtui.explain import display_value
from flowtui.ui.actions import bindings
from flowtui.ui.widgets.footer.line import KeysFooter
from flowtui.ui.widgets.records.columns import ColumnChoices, ColumnLayout
from flowtui.ui.widgets.safe import literal

HINT = ("Space show/hide · K/J or shift+↑/↓ move · p pin up to here · D defaults · "
        "Enter apply · Esc cancel")


class ColumnList(OptionList, inherit_bindings=False):
    """The chooser's list: j/k move as in the table, and the cursor stops at either end
    (it wrapped from the last column to the first without a word)."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("columns-list")

    def action_step(self, step: int) -> None:
        if not self.option_count:
            return
        at = self.highlighted if self.highlighted is not None else 0
        self.highlighted = max(0, min(self.option_count - 1, at + step))


class ColumnChooser(ModalScreen[ColumnChoices | None]):
    """Every column with its state; the answer is the new choices (None: cancelled)."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("columns")

    def __init__(self, layout: ColumnLayout, columns: Sequence[str]) -> None:
        super().__init__()
        self._layout = layout
        self._columns = list(columns)
        self.choices = layout.choices

    def compose(self) -> ComposeResult:
        with Vertical(id="columns-box"):
            yield Static(Text("Columns", style="bold"), id="columns-title")
            yield ColumnList(*self._options(), id="columns-list")
            yield Static(Text(HINT), id="columns-hint")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    @property
    def _preview(self) -> ColumnLayout:
        return self._layout.with_choices(self.choices)

    def arranged(self) -> list[str]:
        return self._preview.arranged(self._columns)

    def line(self, column: str) -> Text:
        """``[x] srcaddr  pinned`` / ``[ ] version  folded: 2`` — state in words and
        brackets, never in colour alone."""
        preview = self._preview
        visible = preview.visible(self._columns)
        pinned = visible[:preview.pinned(visible)] if self.choices.pinned else []
        line = Text()
        if column in self.choices.hidden:
            line.append("[ ] ")
            note = "hidden"
        elif preview.is_folded(column):
            line.append("[-] ")
            value = preview.constants.values.get(column)
            note = ("folded: every row empty" if value is None else
                    f"folded: {literal(display_value(column, value, False))}")
        else:
            line.append("[x] ", style="bold")
            note = "pinned" if column in pinned else ""
        line.append(f"{literal(column):<28}")
        line.append(note, style="italic")
        return line

    def _options(self) -> list[Option]:
        return [Option(self.line(c), id=c) for c in self.arranged()]

    def _redraw(self, keep: str | None) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(self._options())
        if keep is not None:
            options.highlighted = self.arranged().index(keep)

    def _current(self) -> str | None:
        options = self.query_one(OptionList)
        index = options.highlighted
        if index is None:
            return None
        return options.get_option_at_index(index).id

    def action_toggle_column(self) -> None:
        column = self._current()
        if column is None:
            return
        folded = self._layout.is_folded(column) and column not in self.choices.hidden
        choices = self.choices.toggled(column, folded)
        if not self._preview.with_choices(choices).visible(self._columns):
            self.notify("At least one column stays shown", markup=False, timeout=2)
            return
        self.choices = choices
        self._redraw(column)

    def action_move(self, step: int) -> None:
        column = self._current()
        if column is None:
            return
        self.choices = self.choices.moved(self.arranged(), column, step)
        self._redraw(column)

    def action_pin(self) -> None:
        column = self._current()
        if column is None:
            return
        visible = self._preview.visible(self._columns)
        if column not in visible:
            self.notify("Show the column first (Space), then pin", markup=False, timeout=2)
            return
        count = visible.index(column) + 1
        pinned = 0 if self.choices.pinned == count else count
        self.choices = ColumnChoices(self.choices.order, self.choices.hidden,
                                     self.choices.unfolded, pinned)
        self._redraw(column)

    def action_defaults(self) -> None:
        self.choices = ColumnChoices()
        self._redraw(self._current())

    def action_apply(self) -> None:
        self.dismiss(self.choices)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_apply()
