"""The main screen: the browser on the left, the record table in the middle, detail beside.

It lays out the panes, moves them on small terminals, and shows the records the jobs fill;
what to load and when is the app's business. The app hears of the screen's life through the
two callbacks it passes in (ready: open the target; closed: stop what still runs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Container, Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer

from flowtui.query.query import Query
from flowtui.query.view import RecordView
from flowtui.rowsource import RowSource
from flowtui.store import RecordStore
from flowtui.ui.actions import bindings
from flowtui.ui.widgets.browser.pane import BrowserPane
from flowtui.ui.widgets.detail.panel import DetailPanel
from flowtui.ui.widgets.filter.crumbs import Crumbs
from flowtui.ui.widgets.histogram.strip import TimeHistogram
from flowtui.ui.widgets.prompt.bar import PromptBar
from flowtui.ui.widgets.records.chooser import ColumnChooser
from flowtui.ui.widgets.records.columns import ColumnChoices
from flowtui.ui.widgets.records.status import RecordStatus
from flowtui.ui.widgets.records.table import RecordTable
from flowtui.ui.widgets.top.pane import TopPane

NARROW_WIDTH = 150
"""Below this width the detail panel moves under the table."""
TINY_WIDTH = 100
"""Below this width the browser gives way to the table while records are shown."""
TALL_HEIGHT = 40
"""From this height the histogram has two lines per series (one below)."""


class MainScreen(Screen[None]):
    """The one main screen; its focus keys carry ids so a keymap can move them."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("screen")

    #: The top-N pane stands in for the record table (Enter or Esc brings the records back).
    top_shown: reactive[bool] = reactive(False, init=False)
    #: The time histogram strip over the table.
    histogram_shown: reactive[bool] = reactive(False, init=False)

    def __init__(self, browser: BrowserPane, *, on_ready: Callable[[], None],
                 on_closed: Callable[[], None]) -> None:
        super().__init__()
        self.browser = browser
        self._on_ready = on_ready
        self._on_closed = on_closed
        #: The records the table shows (it reads them through a RowSource; loads append here).
        self.records: RecordStore | None = None
        #: What the table shows of them: which rows (filter) in what order (sort). It holds
        #: across loads, so a filter set during one load applies to the next and to a tail.
        self.shown: Query = Query()
        #: The view the table reads while ``shown`` filters or sorts (None: the store itself).
        self.view: RecordView | None = None
        self._detail_before_top = True
        #: The screen's widgets are going (quit, a crash, a test's teardown): late worker
        #: messages find nothing to update and are dropped.
        self.closing = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield self.browser
            with Container(id="work"):
                with Vertical(id="records"):
                    yield PromptBar(id="prompt")
                    yield Crumbs(id="crumbs")
                    yield TimeHistogram(self._table_source, id="histogram",
                                        anchor=self._cursor_start)
                    yield RecordTable(id="table")
                    yield TopPane(self._table_source, id="top")
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

    @property
    def prompt(self) -> PromptBar:
        return self.query_one(PromptBar)

    @property
    def crumbs(self) -> Crumbs:
        return self.query_one(Crumbs)

    @property
    def top(self) -> TopPane:
        return self.query_one(TopPane)

    @property
    def histogram(self) -> TimeHistogram:
        return self.query_one(TimeHistogram)

    def _table_source(self) -> RowSource | None:
        """What the panes count: the table's rows (the current view), whatever they are."""
        return self.table.store if self.is_mounted else None

    def _cursor_start(self) -> int | None:
        """The start of the record under the table's cursor (where the histogram opens)."""
        table = self.table
        source = table.store
        if source is None or not 0 <= table.cursor_row < len(source):
            return None
        start = source.row(table.cursor_row).get("start")
        return start if isinstance(start, int) else None

    def aggregates_changed(self) -> None:
        """The table's rows changed: the shown panes count again on their own clock."""
        if self.histogram_shown:
            self.histogram.source_changed()
        if self.top_shown:
            self.top.source_changed()

    def show_records(self, store: RecordStore) -> None:
        """Show ``store`` in the table (a new load or tail): the table starts over."""
        self.records = store
        self.table.column_layout.follow(store)
        self.table.set_store(self._source(store))
        self.aggregates_changed()

    def show_query(self, query: Query, cursor_row: int | None = None) -> RecordView | None:
        """Show the same records through ``query``. The cursor stays on its record when the
        new view has it (else on the next one that matches), or goes to ``cursor_row``."""
        store = self.records
        self.shown = query
        if store is None:
            return None
        table = self.table
        old_view = self.view
        row = table.cursor_row
        held = row < table.row_count
        at = (old_view.store_index(row) if old_view is not None else row) if held else 0
        source = self._source(store)
        if cursor_row is None:
            cursor_row = _place_of(self.view, at) if held else 0
        table.replace_source(source, cursor_row)
        if self.view is not None and not len(self.view):
            table.placeholder = "No record matches the filter (Backspace undoes the last step)"
        self.aggregates_changed()
        return self.view

    def _source(self, store: RecordStore) -> RowSource:
        query = self.shown
        if not query.filters and not query.sort:
            self.view = None
            return store
        self.view = RecordView(store, query, auto_sort=False)
        return self.view

    # ------------------------------------------------------------ panes

    def watch_top_shown(self, shown: bool) -> None:
        detail = self.detail
        self.set_class(shown, "-top")
        if shown:
            self._detail_before_top = detail.display
            detail.display = False
            self.top.refresher.now()
            self.top.focus()
        else:
            detail.display = self._detail_before_top
            self.table.focus()

    def watch_histogram_shown(self, shown: bool) -> None:
        self.set_class(shown, "-histogram")
        if shown:
            self.histogram.opened()  # at the table cursor's time
            self.histogram.refresher.now()
            self.histogram.focus()
        elif self.focused is self.histogram:
            self.table.focus()

    @property
    def uncovered(self) -> bool:
        """No story or conversation covers this screen (a dialog may): the app's record
        keys act (the action table's ``when``)."""
        stack = self.app.screen_stack
        return not stack or stack[-1] is self or isinstance(stack[-1], ModalScreen)

    def action_toggle_top(self) -> None:
        self.top_shown = not self.top_shown

    def action_toggle_histogram(self) -> None:
        if self.histogram_shown and self.focused is not self.histogram:
            self.histogram.focus()  # shown but elsewhere: H goes to it first
            return
        self.histogram_shown = not self.histogram_shown

    def toggle_decoded(self) -> None:
        """``r``: raw or decoded values in the table (and the status line says which)."""
        table = self.table
        table.decoded = not table.decoded
        self.status.decoded = table.decoded

    def toggle_browser(self) -> None:
        """``b``: show or hide the browser (the focus leaves it when it goes)."""
        browser = self.browser
        if not browser.display:
            browser.show()
            return
        browser.display = False
        if self.focused is not None and browser in self.focused.ancestors:
            self.table.focus()

    def action_choose_columns(self) -> None:
        table = self.table
        store = table.store
        columns = store.columns if store is not None else []
        if not columns:
            self.notify("No columns yet: load some records first", markup=False, timeout=2)
            return

        def chosen(choices: ColumnChoices | None) -> None:
            if choices is not None:
                table.set_column_choices(choices)

        self.app.push_screen(ColumnChooser(table.column_layout, columns), chosen)

    @on(TopPane.Left)
    def _top_left(self) -> None:
        self.top_shown = False

    @on(TimeHistogram.Left)
    def _histogram_left(self) -> None:
        self.histogram_shown = False  # Esc with no range: the strip goes, the table has focus


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
        self.set_class(event.size.height >= TALL_HEIGHT, "-tall")
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


def _place_of(view: RecordView | None, store_row: int) -> int:
    """Where store row ``store_row`` is in ``view``; when it is filtered out, the first match
    after it in load order (the last row if none follows; the top of a sorted view)."""
    if view is None:
        return store_row
    found = view.index_of(store_row)
    if found is not None:
        return found
    if view.sorted:
        return 0
    low, high = 0, len(view)
    while low < high:  # an unsorted view keeps load order: store rows only go up
        middle = (low + high) // 2
        if view.store_index(middle) < store_row:
            low = middle + 1
        else:
            high = middle
    return min(low, max(0, len(view) - 1))
