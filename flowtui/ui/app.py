"""The flowtui application: composes the main screen and routes messages to their owners.

The work lives in ``ui/jobs`` (opening the target and listing folders, loads, the live tail),
each in thread workers of its own group that report back through typed messages; the panes
live in their own modules (browser, records, detail). Here the app answers a message by
handing it to the part that owns it, and keeps the keys that reach across panes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import PurePath
from typing import Any, ClassVar

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import BindingType, Keymap
from textual.css.query import NoMatches
from textual.driver import Driver
from textual.screen import Screen

from flowtui.config import Settings
from flowtui.events import BatchLoaded, LoadFinished
from flowtui.names.resolve import Names, NamesOptions
from flowtui.query.view import RecordView
from flowtui.s3 import inflight
from flowtui.store import RecordStore
from flowtui.tail import TailOptions
from flowtui.ui import actions
from flowtui.ui.actions import bindings
from flowtui.ui.commands import FlowtuiCommands
from flowtui.ui.features.browser.path import PathPrompt
from flowtui.ui.features.export.control import Exports
from flowtui.ui.features.filter.control import Filters
from flowtui.ui.features.jobs.athena import (
    AthenaDone,
    AthenaOptions,
    AthenaQueries,
    AthenaRows,
    AthenaStatus,
    AthenaSubmitted,
)
from flowtui.ui.features.jobs.export import ExportDone, ExportProgress
from flowtui.ui.features.jobs.listing import FolderListed, Listings, TargetResolved
from flowtui.ui.features.jobs.load import LoadCrashed, LoadJob, Loads, LoadUpdate
from flowtui.ui.features.jobs.sort import SortDone, Sorts
from flowtui.ui.features.jobs.story import StoryMemory
from flowtui.ui.features.jobs.tail import TailCrashed, TailJob, Tails, TailUpdate
from flowtui.ui.features.names.control import NamesControl, NamesFailed, NamesLoaded, NamesScopes
from flowtui.ui.features.records.goto import GoTo
from flowtui.ui.features.settings import SavedCommands, apply_settings
from flowtui.ui.features.story.conversation import ConversationScreen
from flowtui.ui.features.story.screen import Jump, StoryScreen
from flowtui.ui.help import HelpScreen
from flowtui.ui.keygate import KeyGate
from flowtui.ui.messages import ShowConversation
from flowtui.ui.screen import MainScreen
from flowtui.ui.terminal_output import compact_driver
from flowtui.ui.widgets.browser.pane import BrowserPane, LoadState, make_client_getter
from flowtui.ui.widgets.browser.sources import Location, entry_location
from flowtui.ui.widgets.detail.panel import DetailPanel, record_json
from flowtui.ui.widgets.detail.throttle import DetailThrottle
from flowtui.ui.widgets.histogram.strip import TimeHistogram
from flowtui.ui.widgets.names.lines import detail_lines
from flowtui.ui.widgets.prompt.bar import PromptBar, PromptSpec
from flowtui.ui.widgets.records.status import RecordStatus
from flowtui.ui.widgets.records.table import RecordTable
from flowtui.ui.widgets.safe import literal
from flowtui.ui.widgets.top.pane import TopPane


def _quiet_when_closing(handler: Callable[..., None]) -> Callable[..., None]:
    """Messages and timers still queued as the app closes find the main screen's widgets
    gone. That is the app ending, not an error: return quietly, never a traceback."""

    @wraps(handler)
    def guarded(self: FlowtuiApp, *args: Any, **kwargs: Any) -> None:
        try:
            handler(self, *args, **kwargs)
        except NoMatches:
            if self.is_running and self.main_screen.is_attached:
                raise

    return guarded


class FlowtuiApp(App[None]):
    """``flowtui [s3://bucket/prefix-or-key | PATH]``."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [
        "app.tcss", "widgets/top/top.tcss", "widgets/histogram/histogram.tcss",
        "widgets/records/columns.tcss",
        "widgets/names/names.tcss"]
    TITLE = "flowtui"
    COMMANDS = App.COMMANDS | {FlowtuiCommands, SavedCommands}
    BINDINGS: ClassVar[list[BindingType]] = bindings("app")

    #: A note ``?`` shows above the keys (the demo's endpoint and CLI line).
    help_note: str = ""
    #: Binding id -> keys, as the config file's ``[keymap]`` (or ``set_keymap``) gave them.
    keymap: dict[str, str] = {}  # (replaced whole by set_keymap, never changed in place)

    def __init__(self, target: str | None = None, *, client: Any = None,
                 client_factory: Callable[[], Any] | None = None, theme: str | None = None,
                 concurrency: int | None = None, follow: str | None = None,
                 tail_options: TailOptions | None = None,
                 athena: AthenaOptions | None = None, settings: Settings | None = None,
                 settings_error: str | None = None, names: NamesOptions | None = None,
                 region: str | None = None) -> None:
        no_color = "NO_COLOR" in os.environ
        # NO_COLOR: the terminal's own colours and Textual's no-colour filter, so only bold,
        # reverse and the row markers carry meaning (never a hue).
        super().__init__(ansi_color=True if no_color else None)
        if no_color and theme is None:
            theme = "ansi-dark"
        self._no_color = no_color
        self._osc52_told = False
        self._clients: list[Any] = []  # closed on exit: quitting never waits for S3
        factory = (lambda: client) if client is not None else (client_factory or _default_client)

        def made() -> Any:
            made_client = factory()
            self._clients.append(made_client)
            return made_client

        self._client = make_client_getter(made)
        self._target = target
        self._initial_theme = theme
        self._follow = follow
        self.settings = settings or Settings()
        self._settings_error = settings_error
        states: dict[str, LoadState] = {}
        self.browser = BrowserPane(self._client, states, id="browser")
        self.main_screen = MainScreen(self.browser, on_ready=self.main_screen_ready,
                                      on_closed=self._main_screen_closed)
        self.loads = Loads(self, self.main_screen, self._client, concurrency, states)
        self.tails = Tails(self, self.main_screen, self._client, tail_options or TailOptions())
        self.athena = AthenaQueries(self, self.main_screen, self._client, athena)
        self.listings = Listings(self, self.browser, self._client, self.loads,
                                 on_athena=self.athena.offer)
        self._detail_throttle = DetailThrottle(self, self._show_detail)
        self.story_memory = StoryMemory()
        self.sorts = Sorts(self, self.main_screen)
        self.filters = Filters(self, self.main_screen, on_view=self.sorts.view_changed)
        self.goto = GoTo(self, self.main_screen, self.sorts)
        self.exports = Exports(self, self.main_screen, self._records_label)
        self.paths = PathPrompt(self.main_screen, self.browser, self.settings.bookmarks)
        #: Names for interfaces and addresses (None options: no names, as with --no-names).
        self.names = NamesControl(self, names, region, self._names_changed)
        self.filters.names = self.names
        self._named_jobs: set[object] = set()  # loads and tails whose names were asked
        self.key_gate = KeyGate(self)

    # --------------------------------------------------------------- setup

    @property
    def table(self) -> RecordTable:
        return self.main_screen.table

    @property
    def detail(self) -> DetailPanel:
        return self.main_screen.detail

    @property
    def status(self) -> RecordStatus:
        return self.main_screen.status

    @property
    def job(self) -> LoadJob | None:
        return self.loads.job

    @property
    def tail(self) -> TailJob | None:
        return self.tails.job

    async def on_event(self, event: events.Event) -> None:
        """Keys from the terminal act one at a time, in order (see ``ui/keygate.py``)."""
        if isinstance(event, events.Key) and not event.is_forwarded and (
                self.return_code is not None or not self.screen_stack
                or not self.key_gate.admit(event)):
            return  # held for later, or typed as the app closes (exit() set a return code)
        await super().on_event(event)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """None of Textual's own (Screenshot, Maximize, Keys, Theme, Quit): the palette
        lists the app's commands only (flowtui.ui.commands has help, themes and quit)."""
        return ()

    def get_default_screen(self) -> Screen[None]:
        return self.main_screen

    def get_driver_class(self) -> type[Driver]:
        """The platform's driver, its writes compacted (ui/terminal_output.py): the same
        screen for about a third fewer bytes over SSH."""
        return compact_driver(super().get_driver_class())

    def main_screen_ready(self) -> None:
        """Called once the main screen's widgets exist: open the target."""
        self.set_class(self._no_color, "-no-color")
        if self._initial_theme:
            self.set_theme(self._initial_theme)
        self.main_screen.show_records(RecordStore())
        self.settings = apply_settings(self, self.main_screen, self.settings,
                                       self._settings_error)
        self.paths.bookmarks = self.settings.bookmarks  # none when the file was not used
        self.names.start_without_records()
        self.browser.entry_list.focus()
        if self._follow:
            bucket, _, prefix = self._follow[5:].partition("/")
            folder = prefix if not prefix or prefix.endswith("/") else \
                prefix.rpartition("/")[0] + "/" if "/" in prefix else ""
            self.browser.open(Location("s3", bucket, folder))
            self.start_tail(self._follow)
            self.table.focus()
            return
        self.listings.open_target(self._target)

    def _main_screen_closed(self) -> None:
        """However the app ends (quit, a crash, a test's teardown), the tail stops."""
        self.tails.halt()

    def set_theme(self, name: str) -> None:
        if name in self.available_themes:
            self.theme = name
        else:
            self.notify(f"Unknown theme {literal(name)}", severity="warning", markup=False)

    def exit(self, result: None = None, return_code: int = 0,
             message: Any = None) -> None:
        """Stop a running load first, so leaving never waits for S3: every request still
        waiting (a load, a listing, a tail's poll) is cut, and its worker thread ends."""
        self.loads.stop_now()
        self.athena.stop_now()
        self.names.stop()
        self.tails.stop(quiet=True)
        for made_client in self._clients:
            inflight.close(made_client)
        super().exit(result, return_code, message)

    # ------------------------------------------------------ loads and tails

    def cancel_load(self, quiet: bool = False) -> bool:
        return self.loads.cancel(quiet)

    def start_tail(self, url: str, marker: str | None = None) -> TailJob:
        """Follow ``url`` live (one tail at a time; a load is cancelled and let go)."""
        self.loads.cancel(quiet=True)
        self.loads.job = None
        self.athena.let_go()
        return self.tails.start(url, marker)

    def stop_tail(self, quiet: bool = False) -> bool:
        stopped = self.tails.stop(quiet)
        if stopped and self.main_screen.is_attached:  # "N new rows (End follows)" no more
            self.status.new_rows = self.table.new_rows
        return stopped

    def on_browser_pane_load_requested(self, message: BrowserPane.LoadRequested) -> None:
        self.athena.let_go()
        self.listings.load_entry(message.entry, message.append)

    def on_browser_pane_path_wanted(self, message: BrowserPane.PathWanted) -> None:
        self.paths.open()

    def on_browser_pane_pointed(self, message: BrowserPane.Pointed) -> None:
        self.status.entry_name = message.name

    def on_browser_pane_tail_requested(self, message: BrowserPane.TailRequested) -> None:
        entry = message.entry
        self.start_tail(f"s3://{entry.bucket}/{entry.key}", entry_location(entry))

    @on(TargetResolved)
    def _target_resolved(self, message: TargetResolved) -> None:
        self.listings.target_resolved(message)

    @on(FolderListed)
    def _folder_listed(self, message: FolderListed) -> None:
        self.listings.folder_listed(message)

    @on(LoadUpdate)
    @_quiet_when_closing
    def _load_update(self, message: LoadUpdate) -> None:
        self.loads.update(message)
        job = self.job
        if job is None or job.id != message.job_id:
            return
        event = message.event
        # names for the records' account and region: asked on the first rows (the S3 key
        # says whose) and again at the end (local files say it in their account-id)
        first = isinstance(event, BatchLoaded) and job.id not in self._named_jobs
        if first or isinstance(event, LoadFinished):
            self._named_jobs.add(job.id)
            self.names.records_loaded([ref.location for ref in job.refs], job.store.batches)

    # ----------------------------------------------------------------- names

    @on(NamesScopes)
    def _names_scopes(self, message: NamesScopes) -> None:
        self.names.scopes_found(message)

    @on(NamesLoaded)
    @_quiet_when_closing
    def _names_loaded(self, message: NamesLoaded) -> None:
        self.names.loaded(message)

    @on(NamesFailed)
    @_quiet_when_closing
    def _names_failed(self, message: NamesFailed) -> None:
        self.names.failed(message)

    def _names_changed(self, names: Names | None) -> None:
        """New names (or a load started): the status line, then every pane that names."""
        screen = self.main_screen
        if not screen.is_attached:
            return
        self.status.names = self.names.summary
        if self.table.cell_names.set_names(names):
            self.table.names_changed()
        screen.top.set_names(names)
        if names is not None and not self.names.loading:
            self.filters.names_arrived()
        self._show_detail(self.table.cursor_row)

    def cycle_names(self) -> None:
        """N: numbers, numbers and names, names (the named columns of the table)."""
        cells = self.table.cell_names
        if cells.names is None:
            reason = self.names.not_ready() or "no names are loaded"
            self.notify(literal(reason), markup=False, timeout=4)
            return
        cells.cycle()
        self.table.names_changed()
        self.notify(cells.describe(), markup=False, timeout=3)

    @on(LoadCrashed)
    def _load_crashed(self, message: LoadCrashed) -> None:
        self.loads.crashed(message)

    @on(AthenaSubmitted)
    @_quiet_when_closing
    def _athena_submitted(self, message: AthenaSubmitted) -> None:
        self.athena.submitted(message)

    @on(AthenaStatus)
    @_quiet_when_closing
    def _athena_status(self, message: AthenaStatus) -> None:
        self.athena.status(message)

    @on(AthenaRows)
    @_quiet_when_closing
    def _athena_rows(self, message: AthenaRows) -> None:
        self.athena.rows(message)

    @on(AthenaDone)
    @_quiet_when_closing
    def _athena_done(self, message: AthenaDone) -> None:
        self.athena.done(message)

    @on(TailUpdate)
    def _tail_update(self, message: TailUpdate) -> None:
        self.tails.update(message)
        tail = self.tail
        event = message.event
        if tail is not None and tail.id == message.tail_id and isinstance(
                event, BatchLoaded) and ("tail", tail.id) not in self._named_jobs:
            # the followed keys say whose records they are (AWSLogs/<account>/…/<region>/)
            self._named_jobs.add(("tail", tail.id))
            self.names.records_loaded([event.ref.location], tail.store.batches)

    @on(TailCrashed)
    def _tail_crashed(self, message: TailCrashed) -> None:
        self.tails.crashed(message)

    # ------------------------------------------------------- table / detail

    @_quiet_when_closing
    def on_record_table_cursor_moved(self, message: RecordTable.CursorMoved) -> None:
        table = message.table
        self.status.position = message.row
        self.status.total = table.row_count
        self.status.new_rows = table.new_rows
        self._detail_throttle.soon(message.row)

    @_quiet_when_closing
    def on_record_table_rows_changed(self, message: RecordTable.RowsChanged) -> None:
        self.status.total = message.count
        self.status.new_rows = self.table.new_rows
        self.main_screen.aggregates_changed()
        self.filters.show()
        self.sorts.rows_changed()

    # -------------------------------------------- top-N, histogram, columns

    @on(TopPane.FindWanted)
    def _top_find(self, message: TopPane.FindWanted) -> None:
        prompt = self.main_screen.prompt
        prompt.border_title = "Jump to, in Top-N"
        prompt.open(PromptSpec("top-find", "@", "",
                               placeholder="an address, a port: the cursor goes to the "
                                           "next row that has it (n, N)"))

    @on(TopPane.DrillDown)
    def _drill_down(self, message: TopPane.DrillDown) -> None:
        if self.add_filter_step(message.text):
            self.main_screen.top_shown = False

    @on(TimeHistogram.RangeChosen)
    def _time_range(self, message: TimeHistogram.RangeChosen) -> None:
        if self.add_filter_step(message.text):
            self.table.focus()

    def add_filter_step(self, step: str) -> bool:
        """Narrow the records with ``step`` (filter-language text), and-ed to the filter as
        one more step of the breadcrumb."""
        return self.filters.add_step(step)

    # ------------------------------------------------ filter, sort, export

    def _records_label(self) -> str:
        """What the table shows, for an export's file name: the tail's prefix or the load's."""
        tail, job = self.tail, self.job
        if tail is not None and tail.store is self.main_screen.records:
            return tail.url
        return job.label if job is not None else ""

    @on(PromptBar.Submitted)
    def _prompt_submitted(self, message: PromptBar.Submitted) -> None:
        self.table.focus()
        match message.kind:
            case "path":
                self.paths.go(message.value)
            case "filter":
                self.filters.apply(message.value)
            case "goto":
                self.goto.go(message.value)
            case "export":
                self.exports.start(message.value)
            case "top-find":  # @ in the Top-N pane
                self.main_screen.top.focus()
                self.main_screen.top.find(message.value)
            case "histogram":  # @ in the histogram strip
                self.main_screen.histogram.focus()
                self.main_screen.histogram.go(message.value)

    @on(PromptBar.Closed)
    def _prompt_closed(self, message: PromptBar.Closed) -> None:
        if message.kind == "path" and self.browser.display:
            self.browser.entry_list.focus()  # back where ":" was pressed
        elif message.kind == "histogram":
            self.main_screen.histogram.focus()  # back where "@" was pressed
        elif message.kind == "top-find":
            self.main_screen.top.focus()  # back where "@" was pressed
        else:
            self.table.focus()

    @on(SortDone)
    @_quiet_when_closing
    def _sort_done(self, message: SortDone) -> None:
        self.sorts.done(message)

    @on(ExportProgress)
    @_quiet_when_closing
    def _export_progress(self, message: ExportProgress) -> None:
        self.exports.progress(message)

    @on(ExportDone)
    @_quiet_when_closing
    def _export_done(self, message: ExportDone) -> None:
        self.exports.done(message)

    @_quiet_when_closing
    def _show_detail(self, row: int) -> None:
        if self.main_screen.closing:
            return
        detail = self.detail
        source = self.table.store
        # Updated while hidden too (the Top-N pane hides it): shown again, it must not
        # explain the record the cursor was on before.
        if source is None or row >= len(source):
            detail.show_nothing()
            return
        record = source.row(row)
        names = self.names.names
        detail.show_record(row, record, source.source(row),
                           detail_lines(names, record) if names is not None else ())

    def current_record(self) -> dict[str, object] | None:
        source = self.table.store
        row = self.table.cursor_row
        if source is None or row >= len(source):
            return None
        return source.row(row)

    # ------------------------------------------------------------- actions

    async def action_do(self, ident: str, _twin: str = "") -> None:
        """A key of the action table whose work a feature owns: ``ui/actions.py`` names
        the feature and the call (the hidden twin of p and x passes ``_twin``)."""
        await actions.perform(self, ident)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The table's ``when`` and ``footer_while`` (main-screen keys off under a story;
        p and x in the footer only while a tail runs)."""
        if action == "do":
            return actions.allowed(self, *(str(p) for p in parameters))
        return True

    def set_keymap(self, keymap: Keymap) -> None:
        """Textual's, kept in ``keymap`` too: the palette and ``?`` name the keys it gave."""
        self.keymap = dict(keymap)
        super().set_keymap(keymap)

    async def action_back(self) -> None:
        """Esc: cancel a load first; otherwise back out of where the focus is. A live tail
        goes on (``x`` stops it): Esc means back everywhere. (Async as Textual's own
        ``App.action_back`` is, which this replaces.)"""
        if self.cancel_load() or self.athena.cancel():
            return
        focused = self.focused
        if focused is self.table and self.filters.clear():
            return
        if focused is self.table:
            self.browser.display = True
            self.browser.entry_list.focus()
        elif focused is not None and self.detail in focused.ancestors:
            self.table.focus()
        elif focused is not None and self.browser in focused.ancestors:
            self.browser.go_up()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(note=self.help_note))

    def toggle_detail(self) -> None:
        detail = self.detail
        detail.display = not detail.display
        if detail.display:
            self._show_detail(self.table.cursor_row)
        elif self.focused is not None and detail in self.focused.ancestors:
            self.table.focus()

    #: Said on the first copy inside tmux: the copy travels as OSC 52, which tmux drops
    #: with ``set-clipboard external`` (and some terminals refuse), so "Copied" may be untrue.
    OSC52_NOTE = ("Copies go to the terminal as OSC 52: the terminal must allow it "
                  "(tmux: set -g set-clipboard on). w exports to a file instead.")

    def copy_to_clipboard(self, text: str) -> None:
        super().copy_to_clipboard(text)
        if os.environ.get("TMUX") and not self._osc52_told:
            self._osc52_told = True
            self.notify(self.OSC52_NOTE, title="Clipboard", severity="warning", timeout=12,
                        markup=False)

    def copy_record(self) -> None:
        record = self.current_record()
        if record is None:
            self.notify("No record under the cursor", severity="warning", markup=False)
            return
        self.copy_to_clipboard(record_json(record))
        self.notify(f"Copied record {self.table.cursor_row + 1:,} as JSON", markup=False)

    # --------------------------------------------------------------- stories

    def story(self) -> None:
        """The story of the record under the table's cursor (its own screen)."""
        if self.screen is not self.main_screen or self.return_code is not None:
            return  # (another screen, or quitting: ``q`` then ``i``)
        source = self.table.store
        row = self.table.cursor_row
        if source is None or row >= len(source):
            self.notify("No record under the cursor", severity="warning", markup=False)
            return
        if isinstance(source, RecordView):
            store, index = source.store, source.store_index(row)
        elif isinstance(source, RecordStore):
            store, index = source, row
        else:
            return
        self.push_screen(StoryScreen(store, index, client=self._client,
                                     memory=self.story_memory, names=self.names.names,
                                     on_rows_added=self._story_rows_added), self._jump)

    def _story_rows_added(self) -> None:
        """A story loaded records of its flow into the shown store: the table counts them."""
        self.table.data_changed()

    def _jump(self, result: Jump | None) -> None:
        """Back from a story: the cursor goes to the sighting chosen, if the table shows it."""
        if result is None:
            self.table.focus()
            return
        source = self.table.store
        row: int | None = None
        if isinstance(source, RecordView) and source.store is result.store:
            row = source.index_of(result.index)
            if row is None:
                self.notify("That record is hidden by the table's filter", severity="warning",
                            markup=False)
        elif source is result.store:
            self.table.refresh_now()
            row = result.index
        else:
            self.notify("The table shows other records now", severity="warning", markup=False)
        if row is not None:
            self.table.refresh_now()
            self.table.move_cursor(row)
        self.table.focus()

    @on(ShowConversation)
    def _show_conversation(self, message: ShowConversation) -> None:
        store = self.main_screen.records
        if store is None:
            return
        self.push_screen(ConversationScreen(store, message.a, message.b))

def theme_for_colours(color_system: str | None) -> str | None:
    """The theme for a terminal of so many colours (None: Textual's default).

    With 16 colours (TERM=xterm) the truecolour theme comes out as a forced black background
    and a focus border as red as the REJECT rows; the terminal's own colours look right."""
    return "ansi-dark" if color_system in ("standard", "windows") else None


def _default_client() -> Any:
    from flowtui.s3.session import make_client

    return make_client()


def run(target: str | None = None, *, profile: str | None = None, region: str | None = None,
        endpoint_url: str | None = None, no_sign: bool = False, theme: str | None = None,
        follow: str | None = None, tail_options: TailOptions | None = None,
        athena: AthenaOptions | None = None, settings: Settings | None = None,
        settings_error: str | None = None, names: NamesOptions | None = None,
        help_note: str = "") -> int:
    """Entry point for ``flowtui [target]`` (and ``flowtui tail URL`` with ``follow``)."""
    from flowtui.s3.session import make_client

    def factory() -> Any:
        return make_client(profile=profile, region=region, endpoint_url=endpoint_url,
                           no_sign=no_sign)

    theme = theme or os.environ.get("FLOWTUI_THEME") or None
    if theme is None:
        from rich.console import Console

        theme = theme_for_colours(Console().color_system)
    app = FlowtuiApp(target, client_factory=factory, theme=theme, follow=follow,
                     tail_options=tail_options, athena=athena, settings=settings,
                     settings_error=settings_error, names=names, region=region)
    app.help_note = help_note  # the demo's endpoint, shown by ?
    from flowtui.ui.signals import exit_on_signals

    with exit_on_signals(app) as received:
        app.run()
    if received:  # the terminal is restored: now end as the signal says (issue 20.11)
        from flowtui.outfile import end_by_signal

        end_by_signal(received[0])
    return 0
