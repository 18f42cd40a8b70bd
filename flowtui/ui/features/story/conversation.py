"""The conversation screen: every flow between two addresses, grouped by protocol and port.

Opened by a ``ShowConversation(a, b)`` message (the story screen's ``v``; any pane that
knows a pair of addresses, such as a top-N of pairs, can post it). Grouping reads every
loaded row (~0.5 s on a million), so it runs in a thread worker of group ``conversation``.
"""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from flowtui.names.resolve import Names
from flowtui.names.story import conversation_names
from flowtui.s3.errors import describe
from flowtui.store import RecordStore
from flowtui.ui.actions import bindings
from flowtui.ui.features.jobs.story import ConversationTold, StoryFailed, tell_conversation
from flowtui.ui.features.story.render import conversation_table, conversation_title
from flowtui.ui.widgets.footer.line import KeysFooter
from flowtui.ui.widgets.notice import NoticeLine, NoticeScreen
from flowtui.ui.widgets.safe import literal


class ConversationBody(VerticalScroll, inherit_bindings=False):
    """The groups; wide tables scroll sideways on a small terminal."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("conversation-text")


class ConversationScreen(NoticeScreen, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = bindings("conversation")

    def __init__(self, store: RecordStore, a: str, b: str, names: Names | None = None) -> None:
        super().__init__()
        self.store = store
        self.a = a
        self.b = b
        self.names = names
        #: Who the two sides are (the app's names, when loaded): said in the title once the
        #: records say which interfaces recorded them (``conversation_names``).
        self.named: dict[str, str | None] | None = None

    def compose(self) -> ComposeResult:
        title = Text(f"conversation A {literal(self.a)} ⇄ B {literal(self.b)}: grouping…",
                     style="italic", no_wrap=True, overflow="ellipsis")
        yield Static(title, id="conversation-title")
        with ConversationBody(id="conversation-body"):
            yield Static(id="conversation-table")
            yield Static(id="conversation-note")
        yield Static(Text("A→B: records from A to B (srcaddr or pkt-srcaddr A); port: the "
                          "lower of the two; acc/rej: ACCEPT/REJECT counts; last: on "
                          "first's day unless dated", style="dim"),
                     id="conversation-legend")
        yield NoticeLine(id="conversation-notice")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(ConversationBody).focus()
        self.run_worker(partial(self._work), thread=True, group="conversation",
                        exclusive=True, exit_on_error=False, name="conversation")

    def _work(self) -> None:
        try:
            tell_conversation(self.store, self.a, self.b, self.post_message)
        except Exception as exc:  # one line, never a traceback
            self.post_message(StoryFailed(describe(exc)))

    @on(ConversationTold)
    def _told(self, message: ConversationTold) -> None:
        if self.names is not None:
            self.named = conversation_names(message.talk, self.names)
        self.query_one("#conversation-title", Static).update(
            conversation_title(message.talk, self.named))
        self.query_one("#conversation-table", Static).update(conversation_table(message.talk))
        # the sums leave out records that recorded no packets or bytes: said once, as top does
        note = self.query_one("#conversation-note", Static)
        note.update(Text(literal(message.talk.note or ""), style="italic"))
        note.display = message.talk.note is not None

    @on(StoryFailed)
    def _failed(self, message: StoryFailed) -> None:
        self.query_one("#conversation-title", Static).update(
            Text(f"conversation failed: {literal(message.reason)}", no_wrap=True))
