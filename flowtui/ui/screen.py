"""The main screen: the browser on the left, the record table in the middle, detail beside.

It lays out the panes and moves them on small terminals; what the table shows is
``ui/shown.py``'s, what to load and when the features'. The app hears of the screen's life
through the two callbacks it passes in (ready: open the target; closed: stop what still runs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Container, Horizontal, Vertical
from textual.geometry import Size
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.widget import Widget

from flowtui.names.resolve import Names
from flowtui.rowsource import RowSource, record_place
from flowtui.ui.actions import bindings
from flowtui.ui.widgets.browser.pane import BrowserPane
from flowtui.ui.widgets.detail.panel import DetailPanel, record_json
from flowtui.ui.widgets.detail.throttle import DetailThrottle
from flowtui.ui.widgets.filter.crumbs import Crumbs
from flowtui.ui.widgets.footer.line import KeysFooter
from flowtui.ui.widgets.histogram.strip import TimeHistogram
from flowtui.ui.widgets.names.lines import detail_lines
from flowtui.ui.widgets.prompt.bar import PromptBar
from flowtui.ui.widgets.records.chooser import ColumnChooser
from flowtui.ui.widgets.records.columns import ColumnChoices
from flowtui.ui.widgets.records.status import RecordStatus
from flowtui.ui.widgets.records.table import RecordTable
from flowtui.ui.widgets.safe import literal
from flowtui.ui.widgets.top.pane import TopPane

NARROW_WIDTH = 150
"""Below this width the detail panel moves under the table."""
TINY_WIDTH = 100
"""Below this width the browser gives way to the table while records are shown."""
TALL_HEIGHT = 40
"""From this height the histogram has two lines per series (one below)."""


def own_record(source: RowSource, row: int) -> dict[str, object] | None:
    """Row ``row`` with its own object's columns only (None if gone). The table reads every
    row with every column of the store (None where its object has none, like a logged '-'),
    but what speaks of one record (the detail panel, c's JSON) must not give it another
    format's fields: a default-format record is not 'not rejected by BPA'."""
    try:
        record = source.row(row)
        own = set(source.store.fields_of(source.store_index(row)))
    except IndexError:
        return None
    return {name: value for name, value in record.items() if name in own}


def _record_key(source: RowSource, row: int) -> tuple[int, int, int, int] | None:
    """Which record row ``row`` is, whatever rows came or went around it: its store, the
    store's and the view's orders, and its place among all rows ever appended."""
    store = source.store
    try:
        at = source.store_index(row)
    except IndexError:
        return None
    return id(store), store.order_generation, source.order_generation, at + store.dropped


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
        #: What the app's features are: hidden widgets mounted here (``features/feature.py``).
        self.features: list[Widget] = []
        #: The names the panes show (None: none loaded, or ``--no-names``).
        self.names: Names | None = None
        #: The detail panel follows the cursor at most so often (a held key stays fast).
        self.detail_throttle = DetailThrottle(self, self.show_detail)
        self._explained: tuple[int, int, int, int] | None = None  # _record_key of the panel's
        self._detail_before_top = True
        #: The screen's widgets are going (quit, a crash, a test's teardown): late worker
        #: messages find nothing to update and are dropped.
        self.closing = False

    def compose(self) -> ComposeResult:
        # The size classes before the panes mount, so they are styled once: set on the
        # first Resize (after the first paint), -tall restyled the whole screen and painted
        # it again (~30 ms of the app's ~250 ms start, bench/bench_app_start.py).
        self._fit(self.app.size)
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
        yield KeysFooter()
        yield from self.features

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

    def current_record(self) -> dict[str, object] | None:
        """The record under the table's cursor (None: no rows)."""
        table = self.table
        source = table.store
        if source is None or not 0 <= table.cursor_row < len(source):
            return None
        return own_record(source, table.cursor_row)

    # ------------------------------------------------- the table's cursor

    @on(RecordTable.CursorMoved)
    def _cursor_moved(self, message: RecordTable.CursorMoved) -> None:
        if self.closing:
            return
        status = self.status
        status.position = message.row
        status.total = message.table.row_count
        status.new_rows = message.table.new_rows
        self.detail_throttle.soon(message.row)

    @on(RecordTable.RowsChanged)
    def _rows_changed(self, message: RecordTable.RowsChanged) -> None:
        if self.closing:
            return
        self.status.total = message.count
        self.status.new_rows = self.table.new_rows
        self._retitle_detail()
        self.aggregates_changed()

    def _retitle_detail(self) -> None:
        """Rows came or went under a resting cursor (a tail, a load): the panel's title
        counts them as the status line does (it kept saying "row 1 of 240" at 280 rows).
        A cursor that moved is the throttle's: it explains the new record soon."""
        detail, source, row = self.detail, self.table.store, self.table.cursor_row
        if (source is None or detail.record_index != row or row >= len(source)
                or self.detail_throttle.pending):
            return
        if _record_key(source, row) == self._explained:
            detail.retitle(record_place(source, row))
        else:  # another record at that row (rows went before it): explain it
            self.detail_throttle.soon(row)

    @on(BrowserPane.Pointed)
    def _pointed(self, message: BrowserPane.Pointed) -> None:
        self.status.entry_name = message.name

    @on(BrowserPane.KeysUnused)
    def _keys_unused(self, message: BrowserPane.KeysUnused) -> None:
        self.status.browser_note = message.text

    def show_detail(self, row: int) -> None:
        """Explain record ``row`` in the detail panel (updated while hidden too: the top-N
        pane hides it, and shown again it must not explain the record the cursor was on
        before)."""
        if self.closing:
            return
        detail = self.detail
        source = self.table.store
        if source is None or row >= len(source):
            detail.show_nothing()
            return
        record = own_record(source, row)
        if record is None:  # trimmed by a tail since
            detail.show_nothing()
            return
        self._explained = _record_key(source, row)
        names = self.names
        detail.show_record(row, record, source.source(row),
                           detail_lines(names, record) if names is not None else (),
                           place=record_place(source, row))

    def toggle_detail(self) -> None:
        """``d``: the detail panel in or out (out: the focus leaves it for the table)."""
        detail = self.detail
        detail.display = not detail.display
        if detail.display:
            self.show_detail(self.table.cursor_row)
        elif self.focused is not None and detail in self.focused.ancestors:
            self.table.focus()

    def copy_record(self) -> None:
        """``c``: the record under the cursor as JSON, to the clipboard."""
        record = self.current_record()
        if record is None:
            self.notify("No record under the cursor", severity="warning", markup=False)
            return
        self.app.copy_to_clipboard(record_json(record))
        source = self.table.store
        place = (record_place(source, self.table.cursor_row, full_name=True)
                 if source is not None else "the record")
        self.notify(f"Copied {literal(place)} as JSON", markup=False)

    def set_names(self, names: Names | None) -> None:
        """New names (or none): every pane that names things shows them."""
        self.names = names
        table = self.table
        if table.cell_names.set_names(names):
            table.names_changed()
        self.top.set_names(names)
        self.show_detail(table.cursor_row)

    def aggregates_changed(self) -> None:
        """The table's rows changed: the shown panes count again on their own clock."""
        if self.histogram_shown:
            self.histogram.source_changed()
        if self.top_shown:
            self.top.source_changed()

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
        self._fit(event.size)
        browser = self.query_one("#browser")
        if not self.has_class("-tiny"):
            browser.display = True
        elif self.focused is not None and browser not in self.focused.ancestors_with_self:
            # made small while the records have the focus: the browser gives way as a
            # focus move would make it (it kept 30 of 80 columns, the Top-N pane's bytes
            # and share off the screen)
            browser.display = False

    def _fit(self, size: Size) -> None:
        """The classes that lay the panes out for ``size`` (one restyle, only if one changes)."""
        self.update_classes({"-narrow": size.width < NARROW_WIDTH,
                             "-tiny": size.width < TINY_WIDTH,
                             "-tall": size.height >= TALL_HEIGHT})

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """On a small terminal the browser makes room while the user reads records."""
        if not self.has_class("-tiny"):
            return
        browser = self.query_one("#browser")
        in_browser = browser in event.widget.ancestors_with_self
        if not in_browser and browser.display:
            browser.display = False
