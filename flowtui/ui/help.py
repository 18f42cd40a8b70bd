"""The `?` screen: every key of the action table (``ui/actions.py``), pane by pane, with
the ids a keymap uses and the keys it gave them."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from flowtui.ui.actions import ACTIONS, HELP_SECTIONS, bindings, help_title, key_display, keys_now
from flowtui.ui.widgets.footer.line import KeysFooter
from flowtui.ui.widgets.notice import NoticeLine, NoticeScreen
from flowtui.ui.widgets.records.table import MARKER_LEGEND


def help_rows(scope: str, app: App[Any]) -> list[tuple[str, str, str]]:
    """(keys, description, id) for each keyed action of ``scope``, in the table's order,
    with the keys a keymap gave it (shown as the footer shows them)."""
    keymap: Mapping[str, str] = getattr(app, "keymap", {})
    display = partial(key_display, app)
    rows = []
    for action in ACTIONS:
        if action.scope != scope or not action.keys or action.system:
            continue
        keys = [display(key.strip()) for key in keys_now(action, keymap).split(",")]
        rows.append((", ".join(dict.fromkeys(keys)),
                     action.description or action.run.replace("_", " "), action.id))
    return rows


def bindings_table(app: App[Any]) -> Group:
    """Every section of the help, from the action table."""
    keymap: Mapping[str, str] = getattr(app, "keymap", {})
    display = partial(key_display, app)
    parts: list[RenderableType] = []
    for title, scopes in HELP_SECTIONS:
        table = Table(title=help_title(title, keymap, display), title_justify="left",
                      title_style="bold", show_header=False, box=None, padding=(0, 1),
                      expand=False)
        table.add_column("keys", style="bold", no_wrap=True, min_width=16)
        table.add_column("what")
        table.add_column("id", style="dim")
        for scope in scopes:
            for keys, description, ident in help_rows(scope, app):
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


def paste_lines(note: str) -> list[str]:
    """The commands in a help note: its lines indented by two spaces (``demo.cli_hint``'s
    lines to paste, printed the same way by ``flowtui demo``), without the indent."""
    return [line[2:] for line in note.splitlines() if line.startswith("  ") and line.strip()]


class HelpScreen(NoticeScreen, ModalScreen[None]):
    """Scrollable list of every binding; Esc, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("help")

    def __init__(self, *, note: str = "") -> None:
        super().__init__()
        self._note = note  # e.g. the demo's endpoint and a line for the CLI

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(Text("flowtui keys", style="bold"), id="help-title")
            if self._note:  # unwrapped: a wrapped command copies broken (scrolls sideways)
                yield Static(Text(self._note, no_wrap=True), id="help-note")
                if paste_lines(self._note):
                    yield Static(Text("c copies the lines to paste (OSC 52); ← → scroll to "
                                      "their ends", style="italic"), id="help-copy")
            yield Static(bindings_table(self.app), id="help-bindings")
            yield Static(legend(), id="help-legend")
            yield Static(Text("ctrl+p opens the command palette with every action by name. "
                              "Esc, q or ? closes this screen.", style="italic"))
        yield NoticeLine(id="help-notice")
        yield KeysFooter()  # this screen's keys: the main screen's footer is not for here

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``c`` only when the note has lines to paste (the demo's)."""
        return bool(paste_lines(self._note)) if action == "copy_lines" else True

    def action_copy_lines(self) -> None:
        """The note's commands to the clipboard (OSC 52, as every copy here): at 80
        columns they are wider than the screen, and a terminal selection of a scrolled
        or wrapped line copies it broken."""
        lines = paste_lines(self._note)
        if lines:
            self.app.copy_to_clipboard("\n".join(lines) + "\n")
            self.notify(f"Copied the {len(lines)} lines to paste", markup=False, timeout=3)

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        {"up": body.scroll_up, "down": body.scroll_down, "page_up": body.scroll_page_up,
         "page_down": body.scroll_page_down, "home": body.scroll_home,
         "end": body.scroll_end}[direction](animate=False)
