"""The `?` screen: every key binding of the app's panes, with the ids a keymap uses."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static

from flowtui.ui.widgets.records.table import MARKER_LEGEND


def declared_bindings(node: DOMNode | type[DOMNode]) -> list[Binding]:
    """The bindings ``node``'s class (or ``node``, a class) declares, one per key, in
    declaration order. A class serves for a screen not open yet (the story's).

    Read from the public ``BINDINGS`` of the class: each of flowtui's bindable classes
    declares all its keys (with ids, for keymaps), replacing its Textual base's. Keys are
    the declared defaults; a keymap set at run time is not reflected."""
    kind = node if isinstance(node, type) else type(node)
    return [b for b in Binding.make_bindings(kind.BINDINGS) if not b.system]


def _bindings_of(node: DOMNode | type[DOMNode], app: App[Any]) -> list[tuple[str, str, str]]:
    """(keys, description, id) for each binding of ``node``, keys grouped per action and id."""
    grouped: dict[tuple[str, str], tuple[Binding, list[str]]] = {}
    for binding in declared_bindings(node):
        display = binding.key_display or app.get_key_display(binding)
        action = binding.action.partition("(")[0]  # one action bound twice (p shown and not)
        _, keys = grouped.setdefault((action, binding.id or ""), (binding, []))
        if display not in keys:
            keys.append(display)
    return [(", ".join(keys), first.description or first.action.replace("_", " "),
             first.id or "") for first, keys in grouped.values()]


def bindings_table(sections: Iterable[tuple[str, DOMNode | type[DOMNode]]], app: App[Any]
                   ) -> Group:
    parts: list[RenderableType] = []
    for title, node in sections:
        table = Table(title=title, title_justify="left", title_style="bold", show_header=False,
                      box=None, padding=(0, 1), expand=False)
        table.add_column("keys", style="bold", no_wrap=True, min_width=16)
        table.add_column("what")
        table.add_column("id", style="dim")
        for keys, description, ident in _bindings_of(node, app):
            table.add_row(Text(keys), Text(description), Text(ident))
        parts.append(table)
        parts.append(Text(""))
    return Group(*parts)


def legend() -> Group:
    table = Table(title="Row markers (first column)", title_justify="left", title_style="bold",
                  show_header=False, box=None, padding=(0, 1))
    table.add_column(style="bold", min_width=16)
    table.add_column()
    for marker, meaning in MARKER_LEGEND:
        table.add_row(Text(marker), Text(meaning))
    return Group(table)


class HelpScreen(ModalScreen[None]):
    """Scrollable list of every binding; Esc, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close help", id="help.close"),
        Binding("up,k", "scroll('up')", "Scroll up", show=False, id="help.up"),
        Binding("down,j", "scroll('down')", "Scroll down", show=False, id="help.down"),
        Binding("pageup", "scroll('page_up')", "Page up", show=False, id="help.page-up"),
        Binding("pagedown,space", "scroll('page_down')", "Page down", show=False,
                id="help.page-down"),
        Binding("home,g", "scroll('home')", "Top", show=False, id="help.top"),
        Binding("end,G", "scroll('end')", "Bottom", show=False, id="help.bottom"),
    ]

    def __init__(self, sections: list[tuple[str, DOMNode | type[DOMNode]]], *,
                 note: str = "") -> None:
        super().__init__()
        self._sections = sections
        self._note = note  # e.g. the demo's endpoint and a line for the CLI

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(Text("flowtui keys", style="bold"), id="help-title")
            if self._note:
                yield Static(Text(self._note), id="help-note")
            yield Static(bindings_table(self._sections, self.app), id="help-bindings")
            yield Static(legend(), id="help-legend")
            yield Static(Text("ctrl+p opens the command palette with every action by name. "
                              "Esc, q or ? closes this screen.", style="italic"))

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        {"up": body.scroll_up, "down": body.scroll_down, "page_up": body.scroll_page_up,
         "page_down": body.scroll_page_down, "home": body.scroll_home,
         "end": body.scroll_end}[direction](animate=False)
