"""The one-line prompt over the table: filter, go to time, export path.

Each use gives a ``PromptSpec``: what to check as the user types (an error shows under the
input with a caret at its position, and Enter applies nothing until the text is valid), its
history (↑/↓) and its completions (Tab or →). The bar only collects text; what the text
means is the business of whoever opened it, told through ``Submitted``/``Closed``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.geometry import Region
from textual.message import Message
from textual.message_pump import MessagePump
from textual.suggester import Suggester
from textual.widgets import Input, Static

from flowtui.ui.actions import bindings
from flowtui.ui.widgets.prompt.history import History
from flowtui.ui.widgets.safe import literal

MAX_LISTED = 50
"""Candidates a Tab lists at most (the line ends in … where the width does)."""


@dataclass(frozen=True)
class Check:
    """What the typed text is worth: valid (with a hint of what Enter will do) or not
    (the reason, and where in the text it goes wrong)."""

    ok: bool
    message: str = ""
    position: int | None = None


@dataclass
class PromptSpec:
    kind: str  # "filter", "goto", "export": names the use in messages
    label: str
    value: str = ""
    check: Callable[[str], Check] = field(default=lambda text: Check(True))
    history: History | None = None
    suggester: Suggester | None = None
    placeholder: str = ""
    #: Tab: the text completed as far as the candidates agree, and the candidates when
    #: several fit (shown on the hint line); None: Tab takes the grey suggestion.
    complete: Callable[[str], tuple[str, list[str]]] | None = None
    #: Who hears ``Submitted`` and ``Closed`` (the feature or pane that opened the bar);
    #: None: they bubble up from the bar.
    owner: MessagePump | None = None


def one_line(text: str) -> str:
    """A paste as the one line a prompt takes: its line breaks become spaces (a filter, a
    time, a path are one line; in the filter language a break is whitespace), the break a
    copied line ends with goes."""
    return " ".join(text.rstrip("\r\n").splitlines())


class PromptInput(Input):
    """The prompt's input. Textual's ``Input`` keeps only the first line of a paste, so a
    filter pasted over two lines lost its second half without a word and Enter applied a
    wider filter than the one pasted; here every line is kept, on one line."""

    def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # not Input's own handler, which keeps the first line
        event.stop()
        line = one_line(event.text)
        if not line:
            return
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(line)
        else:
            self.replace(line, *selection)

    def on_resize(self) -> None:
        """Narrower (a resize, the panes beside the bar back): Input keeps its old scroll,
        and the cursor and the end of the text went out of view; they stay in it."""
        self.scroll_to_region(Region(self._cursor_offset, 0, width=1, height=1), force=True,
                              animate=False)


class PromptBar(Vertical):
    """Hidden until ``open``; Esc closes it, Enter submits valid text."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("prompt")

    @dataclass
    class Submitted(Message):
        bar: PromptBar
        kind: str
        value: str

        @property
        def control(self) -> PromptBar:
            return self.bar

    @dataclass
    class Closed(Message):
        """Esc: nothing applied."""

        bar: PromptBar
        kind: str

        @property
        def control(self) -> PromptBar:
            return self.bar

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.spec: PromptSpec | None = None
        self._check = Check(True)
        self._listing: tuple[str, list[str]] = ("", [])  # (text, candidates) of the last Tab

    def compose(self) -> ComposeResult:
        with Horizontal(id="prompt-row"):
            yield Static("", id="prompt-label")
            yield PromptInput(id="prompt-input", select_on_focus=False)
        yield Static("", id="prompt-message")

    @property
    def input(self) -> Input:
        return self.query_one("#prompt-input", Input)

    @property
    def is_open(self) -> bool:
        return self.spec is not None and self.display

    @property
    def message(self) -> str:
        """The line under the input, as shown (tests, and the tmux demo's screen)."""
        return str(self.query_one("#prompt-message", Static).render())

    def open(self, spec: PromptSpec) -> None:
        self.spec = spec
        self._listing = ("", [])
        self.query_one("#prompt-label", Static).update(Text(spec.label, style="bold"))
        box = self.input
        box.suggester = spec.suggester
        box.placeholder = spec.placeholder
        if spec.history is not None:
            spec.history.start(spec.value)
        self.display = True
        box.value = spec.value
        box.cursor_position = len(spec.value)
        self._show(spec.check(spec.value))
        box.focus()

    def close(self) -> None:
        spec = self.spec
        self.display = False
        self.spec = None
        if spec is not None:
            (spec.owner or self).post_message(self.Closed(self, spec.kind))

    def action_close(self) -> None:
        self.close()

    def on_resize(self) -> None:
        """The caret under an error is placed by the layout: again after a new one (it was
        drawn where the old one put it, past the text or under another word)."""
        if self.spec is not None:
            self.call_after_refresh(lambda: self._show(self._check))

    def action_history(self, step: int) -> None:
        spec = self.spec
        if spec is None or spec.history is None:
            return
        box = self.input
        box.value = (spec.history.older(box.value) if step < 0
                     else spec.history.newer(box.value))
        box.cursor_position = len(box.value)

    def action_complete(self) -> None:
        """Tab completes as a shell does (as far as the candidates agree, and lists them on
        the hint line when several fit); without a completer it takes the grey suggestion."""
        box = self.input
        spec = self.spec
        if spec is None or spec.complete is None:
            box.cursor_position = len(box.value)
            box.action_cursor_right()
            return
        text, fits = spec.complete(box.value)
        self._listing = (text, fits)
        box.value = text
        box.cursor_position = len(text)
        self._show(spec.check(text))

    @on(Input.Changed, "#prompt-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.spec is not None:
            self._show(self.spec.check(event.value))

    @on(Input.Submitted, "#prompt-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        spec = self.spec
        if spec is None:
            return
        check = spec.check(event.value)
        self._show(check)
        if not check.ok:
            self.app.bell()
            return
        if spec.history is not None:
            spec.history.add(event.value)
        self.display = False
        self.spec = None
        (spec.owner or self).post_message(self.Submitted(self, spec.kind, event.value))

    def _show(self, check: Check) -> None:
        self._check = check
        line = Text(no_wrap=True, overflow="ellipsis")
        if not check.ok and check.position is not None:
            box = self.input
            message = self.query_one("#prompt-message", Static)
            if box.content_region.width and message.content_region.width:
                offset = box.content_region.x - message.content_region.x
            else:  # not laid out yet: the label, its margin, and the input's padding
                offset = cell_len(self.spec.label if self.spec else "") + 1
            column = max(0, offset + check.position - int(box.scroll_x))
            reason = literal(check.message)
            width = cell_len(reason)
            room = message.content_region.width
            if room and column + 2 + width > room and width + 1 <= column:
                # no room after the caret: the reason ends before it (it was cut to
                # "^ unknown fie…" under an error near the right edge)
                line.append(" " * (column - width - 1) + reason + " ^", style="bold")
                check = Check(check.ok, "", check.position)
            else:
                line.append(" " * column + "^ ", style="bold")
        shown, fits = self._listing
        if fits and shown == self.input.value:  # until the text changes
            line = Text(f"{len(fits)} fit: ", no_wrap=True, overflow="ellipsis")
            line.append("  ".join(literal(f) for f in fits[:MAX_LISTED]), style="bold")
        elif check.message:
            line.append(literal(check.message), style="" if check.ok else "bold")
        self.set_class(not check.ok, "-error")
        # one line high whatever it says (app.tcss): no layout of the screen per key typed
        self.query_one("#prompt-message", Static).update(line, layout=False)
