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
from textual.widgets import Input, Static

from flowtui.ui.actions import bindings
from flowtui.ui.widgets.dialogs import ConfirmScreen
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
