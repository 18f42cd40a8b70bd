"""The filter as the user edits it: the bar, quick filters from the cursor, the breadcrumb.

There is one filter text. The bar edits it whole; a quick filter appends a step to it (so
the user sees what the key did, and can refine it in the bar); Backspace in the table pops
the last step; Esc in the table clears it. Whatever changes it, the screen shows the same
records through the new query and the breadcrumb and status line say so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import App

from flowtui.query.absent import absent_hint
from flowtui.query.expr import FilterError, parse
from flowtui.query.name_terms import has_names
from flowtui.query.steps import NoQuickFilter, join_steps, quick_step, split_steps
from flowtui.ui.features.feature import Feature, quiet_when_closing
from flowtui.ui.features.filter.suggest import DataValues, FilterSuggester
from flowtui.ui.features.names.control import NamesChanged
from flowtui.ui.screen import MainScreen
from flowtui.ui.shown import Shown
from flowtui.ui.widgets.histogram.strip import TimeHistogram
from flowtui.ui.widgets.prompt.bar import Check, PromptBar, PromptSpec
from flowtui.ui.widgets.prompt.history import History
from flowtui.ui.widgets.records.table import RecordTable
from flowtui.ui.widgets.refday import DataDay
from flowtui.ui.widgets.safe import literal
from flowtui.ui.widgets.top.pane import TopPane

KIND = "filter"
HINT = "Enter applies · Esc closes · ↑↓ history · Tab completes · e.g. reject and port 22"


class Filters(Feature):
    """The one filter: the bar (``/``), quick filters, drill-downs, the breadcrumb."""

    def __init__(self, app: App[Any], screen: MainScreen, shown: Shown, *,
                 on_view: Callable[[], None]) -> None:
        super().__init__()
        self._app = app
        self._screen = screen
        self._shown = shown
        self._on_view = on_view  # a new view to show (the sort sorts it)
        self.history = History("filter")
        self.values = DataValues(lambda: shown.records)
        #: The app's names (``ui/names/control.NamesControl``): ``name``/``sg`` terms resolve
        #: through it; a filter typed before they arrive waits for them.
        self.names: Any = None
        self.waiting: str | None = None
        self.day = DataDay(lambda: shown.records)  # what a time without a date means

    @property
    def text(self) -> str:
        return self._shown.query.where_text

    @property
    def active(self) -> bool:
        return self._shown.query.filters

    def columns(self) -> list[str]:
        records = self._shown.records
        return records.columns if records is not None else []

    def open(self) -> None:
        self._screen.prompt.border_title = "Filter"
        suggester = FilterSuggester(self.values)
        self._screen.prompt.open(PromptSpec(
            KIND, "/", self.text, check=self.check, history=self.history,
            suggester=suggester, complete=suggester.tab,
            placeholder="reject and port 22 · host 10.0.0.5 · dstport in (22, 3389)",
            owner=self))

    @on(PromptBar.Submitted)
    def _prompt_submitted(self, message: PromptBar.Submitted) -> None:
        self._screen.table.focus()
        self.apply(message.value)

    @on(PromptBar.Closed)
    def _prompt_closed(self, message: PromptBar.Closed) -> None:
        self._screen.table.focus()

    def on_mount(self) -> None:
        self.hear(TopPane.DrillDown, self._drill_down)
        self.hear(TimeHistogram.RangeChosen, self._time_range)
        self.hear(RecordTable.RowsChanged, self._rows_changed)
        self.hear(NamesChanged, self._names_changed)

    def _names_changed(self, message: NamesChanged) -> None:
        if message.names is not None and not message.reading:
            self.names_arrived()

    def _drill_down(self, message: TopPane.DrillDown) -> None:
        if self.add_step(message.text):
            self._screen.top_shown = False

    def _time_range(self, message: TimeHistogram.RangeChosen) -> None:
        if self.add_step(message.text):
            self._screen.table.focus()

    @quiet_when_closing
    def _rows_changed(self, message: RecordTable.RowsChanged) -> None:
        self.show()

    def check(self, text: str) -> Check:
        day = self.day()
        try:
            expr = parse(text, self.columns(), day=day)
        except FilterError as exc:
            return Check(False, exc.reason, exc.position)
        if has_names(expr) and self.names is not None:
            reason = self.names.not_ready()
            if reason is not None and self.names.reading:
                return Check(True, f"{reason}: Enter applies it when they arrive")
            if reason is not None:
                return Check(False, reason)
        if day.used:
            return Check(True, f"a time without a date is on {day.describe()} · {HINT}")
        return Check(True, HINT)

    def _names(self) -> Any:
        return self.names.names if self.names is not None else None

    def names_arrived(self) -> None:
        """Names loaded or read again: a filter that waited for them applies now, and one
        that names things is resolved again (the names behind it may have changed)."""
        text, self.waiting = self.waiting, None
        if text is not None:
            self.apply(text, note="Names loaded: filter applied")
            return
        if self.active and self.text and has_names(_parsed(self.text, self.columns())):
            self.apply(self.text)

    def apply(self, text: str, *, note: str | None = None) -> bool:
        """Show the records through filter ``text``; False (and a one-line note) if it
        does not read."""
        self.waiting = None  # a later filter replaces one that waited for names
        if self.names is not None and has_names(_parsed(text, self.columns())):
            reason = self.names.not_ready()
            if reason is not None and self.names.reading:
                self.waiting = text
                self._app.notify(literal(f"{reason}: the filter applies when they arrive"),
                                 title="Filter", markup=False, timeout=5)
                return True
            if reason is not None:
                self._app.notify(literal(reason), title="Filter", severity="error",
                                 markup=False)
                return False
        day = self.day()
        try:
            query = self._shown.query.with_where(text, self.columns(), day=day,
                                                 names=self._names())
        except FilterError as exc:
            self._app.notify(literal(str(exc)), title="Filter", severity="error",
                             markup=False)
            return False
        view = self._shown.show_query(query)
        self._on_view()
        self.show()
        if note:
            self._app.notify(literal(note), markup=False, timeout=3)
        if view is not None and not len(view) and len(view.store):
            read = (f"; a time without a date was read on {day.describe()}" if day.used
                    else "")
            missing = absent_hint(query.where, view.store.columns)
            read = f": {missing}{read}" if missing else read
            self._app.notify(literal(f"No record matches{read} (Backspace undoes the last "
                                     "step)"), markup=False, timeout=6 if read else 3)
        return True

    def quick(self, keep: bool) -> None:
        """Keep (or drop) the rows whose column under the cursor holds its value."""
        cell = self._screen.table.current_cell()
        if cell is None:
            self._app.notify("No record under the cursor", severity="warning", markup=False)
            return
        column, value = cell
        try:
            step = quick_step(column, value, keep=keep)
        except NoQuickFilter as exc:
            self._app.notify(literal(str(exc)), severity="warning", markup=False)
            return
        self.add_step(step)

    def add_step(self, step: str) -> bool:
        """And ``step`` to the filter as the breadcrumb's last step (quick filters, the
        top-N pane's drill-down, the histogram's range)."""
        return self.apply(join_steps([*split_steps(self.text), step]))

    def pop(self) -> None:
        steps = split_steps(self.text)
        if not steps:
            self._app.notify("No filter to undo", markup=False, timeout=2)
            return
        self.apply(join_steps(steps[:-1]), note=f"Removed: {steps[-1]}")

    def clear(self) -> bool:
        """Esc in the table: drop the whole filter (it stays in the bar's history)."""
        if not self.active:
            return False
        text = self.text
        self.history.add(text)
        self.apply("", note=f"Filter cleared: {text} (/ then ↑ brings it back)")
        return True

    def clear_key(self) -> None:
        """The palette's Clear filter: clear, or say there is none."""
        if not self.clear():
            self._app.notify("No filter to clear", markup=False, timeout=2)

    def show(self) -> None:
        """The breadcrumb and the status line, after the query or the counts changed."""
        screen = self._screen
        screen.crumbs.steps = tuple(split_steps(self.text)) if self.active else ()
        view = self._shown.view
        screen.status.store_total = view.total if view is not None and self.active else 0


def _parsed(text: str, columns: list[str]) -> Any:
    """``text`` parsed, or a plain true when it does not read (``with_where`` says why)."""
    from flowtui.query.expr import Const

    try:
        return parse(text, columns)
    except FilterError:
        return Const(True)
