"""The main screen: the browser on the left, the record table in the middle, detail beside.

It lays out the panes, moves them on small terminals, and shows the records the jobs fill;
what to load and when is the app's business. The app hears of the screen's life through the
two callbacks it passes in (ready: open the target; closed: stop what still runs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal
from textual.screen import Screen
from textual.widgets import Footer

from flowtui.store import RecordStore
from flowtui.ui.browser.pane import BrowserPane
from flowtui.ui.detail.panel import DetailPanel
from flowtui.ui.records.status import RecordStatus
from flowtui.ui.records.table import RecordTable

NARROW_WIDTH = 150
"""Below this width the detail panel moves under the table."""
TINY_WIDTH = 100
"""Below this width the browser gives way to the table while records are shown."""


class MainScreen(Screen[None]):
    """The one main screen; its focus keys carry ids so a keymap can move them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "app.focus_next", "Next pane", show=False, id="screen.focus-next"),
        Binding("shift+tab", "app.focus_previous", "Previous pane", show=False,
                id="screen.focus-previous"),
        Binding("ctrl+c,super+c", "screen.copy_text", "Copy selected text", show=False,
                id="screen.copy-text"),
    ]

    def __init__(self, browser: BrowserPane, *, on_ready: Callable[[], None],
                 on_closed: Callable[[], None]) -> None:
        super().__init__()
        self.browser = browser
        self._on_ready = on_ready
        self._on_closed = on_closed
        #: The records the table shows (it reads them through a RowSource; loads append here).
        self.records: RecordStore | None = None
        #: The screen's widgets are going (quit, a crash, a test's teardown): late worker
        #: messages find nothing to update and are dropped.
        self.closing = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield self.browser
            with Container(id="work"):
                yield RecordTable(id="table")
                yield DetailPanel(id="detail")
        yield RecordStatus(id="status")
        yield Footer(show_command_palette=False)

    @property
    def table(self) -> RecordTable:
        return self.query_one(RecordTable)

    @property
    def detail(self) -> DetailPanel:
        return self.query_one(DetailPanel)

    @property
    def status(self) -> RecordStatus:
        return self.query_one(RecordStatus)

    def show_records(self, store: RecordStore) -> None:
        """Show ``store`` in the table (a new load or tail): the table starts over."""
        self.records = store
        self.table.column_layout.follow(store)
        self.table.set_store(store)

    def on_mount(self) -> None:
        self.query_one("#browser").border_title = "Browser"
        self.query_one("#table").border_title = "Records"
        self.query_one("#detail").border_title = "Detail"
        self._on_ready()

    def on_unmount(self) -> None:
        """However the app ends (quit, a crash, a test's teardown), what runs stops."""
        self.closing = True
        self._on_closed()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")
        self.set_class(event.size.width < TINY_WIDTH, "-tiny")
        if not self.has_class("-tiny"):
            self.query_one("#browser").display = True

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """On a small terminal the browser makes room while the user reads records."""
        if not self.has_class("-tiny"):
            return
        browser = self.query_one("#browser")
        in_browser = browser in event.widget.ancestors_with_self
        if not in_browser and browser.display:
            browser.display = False
