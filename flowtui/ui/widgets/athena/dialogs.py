"""The dialogs of an Athena query: load or query a large folder, which table, the SQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from flowtui.ui.actions import bindings
from flowtui.ui.widgets.dialogs import ConfirmScreen
from flowtui.ui.widgets.footer.line import KeysFooter
from flowtui.ui.widgets.safe import literal


class LoadOrQueryScreen(ConfirmScreen):
    """The large-folder question with a third answer: run the query on Athena instead.

    The screen's result stays the yes/no of a load (so a "no" loads nothing); ``a`` answers
    no and hands the folder to ``on_athena``."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("large-folder")

    def __init__(self, question: Text, on_athena: Callable[[], None]) -> None:
        super().__init__(question)
        self._on_athena = on_athena

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self._question, id="confirm-question")
            yield Static(Text.assemble(("y", "bold"), "/Enter: load   ", ("a", "bold"),
                                       ": query on Athena (with the table's filter)   ",
                                       ("n", "bold"), "/Esc: cancel"), id="confirm-keys")
        yield KeysFooter()

    def action_athena(self) -> None:
        self.dismiss(False)
        self._on_athena()


@dataclass(frozen=True)
class TableName:
    database: str
    table: str


class AthenaTableScreen(ModalScreen[TableName | None]):
    """Which Athena table holds the folder's flow logs (``flowtui athena ddl`` makes one)."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("athena-table")

    def __init__(self, database: str = "default", table: str = "vpc_flow_logs") -> None:
        super().__init__()
        self._database = database
        self._table = table

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(Text("Athena table for this folder (see flowtui athena ddl)",
                              style="bold"))
            yield Input(self._database, placeholder="database", id="athena-database")
            yield Input(self._table, placeholder="table", id="athena-table")
            yield Static(Text.assemble(("Enter", "bold"), ": run the query   ",
                                       ("Esc", "bold"), ": cancel"), id="confirm-keys")
        yield KeysFooter()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        database = self.query_one("#athena-database", Input).value.strip()
        table = self.query_one("#athena-table", Input).value.strip()
        if not database or not table:
            self.notify("Give a database and a table", severity="warning", markup=False)
            return
        self.dismiss(TableName(database, table))

    def action_cancel(self) -> None:
        self.dismiss(None)


class FlowLogList(OptionList, can_focus=False):
    """The flow logs found; never focused, so every key typed stays in the id field."""


class FlowLogScreen(ModalScreen[str | None]):
    """Which flow log the query is for, where one table can't read them all (flow logs of
    several formats write in the folder, or the one named is not there): the flow logs
    found with their formats, picked with the arrows and Enter or by typing the id, which
    must be one of them. The result is the id (None: Esc)."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("athena-flow-log")

    def __init__(self, reason: str, found: list[tuple[str, str]],
                 table_for: Callable[[str], str]) -> None:
        super().__init__()
        self._reason = reason
        self._found = found  # (id, its format in a few words), by id
        self._ids = [flow_log for flow_log, _what in found]
        self._table_for = table_for  # the table a choice queries ("default.vpc_flow_logs_…")

    def compose(self) -> ComposeResult:
        width = max(len(flow_log) for flow_log in self._ids)
        with Vertical(id="confirm-box"):
            yield Static(Text("Which flow log is the Athena query for?", style="bold"))
            yield Static(Text(literal(self._reason)), id="flow-log-reason")
            yield FlowLogList(*(Option(Text(f"{flow_log:<{width}}  {literal(what)}"),
                                       id=flow_log) for flow_log, what in self._found),
                              id="flow-log-list")
            yield Input(placeholder="flow-log id (fl-…), or ↑/↓", id="flow-log-id")
            yield Static("", id="flow-log-table")
            yield Static("", id="flow-log-error")
            yield Static(Text.assemble(("↑/↓", "bold"), ": choose   ", ("Enter", "bold"),
                                       ": query with it   ", ("Esc", "bold"), ": cancel"),
                         id="confirm-keys")
        yield KeysFooter()

    def on_mount(self) -> None:
        self._list.highlighted = 0
        self._show_table()
        self.query_one("#flow-log-id", Input).focus()

    @property
    def _list(self) -> FlowLogList:
        return self.query_one("#flow-log-list", FlowLogList)

    @property
    def highlighted(self) -> str:
        """The flow log the arrows are on."""
        return self._ids[self._list.highlighted or 0]

    def _show_table(self) -> None:
        """The table Enter would query, while the field is empty or on its way to the
        highlighted id (nothing once it can't be that)."""
        typed = self.query_one("#flow-log-id", Input).value.strip()
        shown = self.highlighted.startswith(typed)
        self.query_one("#flow-log-table", Static).update(
            Text(literal(f"table: {self._table_for(self.highlighted)}") if shown else ""))

    def action_move(self, step: int) -> None:
        """Up/Down: the next flow log, its id in the field (what Enter sends)."""
        at = ((self._list.highlighted or 0) + step) % len(self._ids)
        self._list.highlighted = at
        field = self.query_one("#flow-log-id", Input)
        with field.prevent(Input.Changed):
            field.value = self._ids[at]
        field.cursor_position = len(field.value)
        self._show_table()

    @on(Input.Changed, "#flow-log-id")
    def _typed(self, event: Input.Changed) -> None:
        """Typing moves the arrow to the first flow log that starts so (Enter still wants
        the whole id); an earlier refusal goes."""
        self.query_one("#flow-log-error", Static).update("")
        text = event.value.strip()
        match = next((n for n, flow_log in enumerate(self._ids) if flow_log.startswith(text)),
                     None)
        if text and match is not None:
            self._list.highlighted = match
        self._show_table()

    @on(Input.Submitted, "#flow-log-id")
    def _submitted(self, event: Input.Submitted) -> None:
        from flowtui.athena.table import TableError, pick_flow_log

        try:
            chosen = pick_flow_log(event.value or self.highlighted, self._ids)
        except TableError as exc:
            self.query_one("#flow-log-error", Static).update(Text(literal(str(exc))))
            return
        self.dismiss(chosen)

    @on(OptionList.OptionSelected, "#flow-log-list")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._ids[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)


class SqlScreen(ModalScreen[None]):
    """The SQL the table's records came from, literally."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("athena-sql")

    def __init__(self, title: str, sql: str) -> None:
        super().__init__()
        self._title = title
        self._sql = sql

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="badlines-body"):
            yield Static(Text(literal(self._title), style="bold"))
            yield Static(Text(literal(self._sql)), id="athena-sql")
            yield Static(Text("Esc closes", style="italic"))
        yield KeysFooter()
