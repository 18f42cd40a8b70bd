"""The flowtui application: composes the main screen of its widgets and features.

The widgets (``ui/widgets``) draw and post messages; the features (``ui/features``) own the
work — loads, the live tail, Athena, sorts, filters, exports, names, stories — each in
thread workers of its own group that post back to it, and each answering its own messages.
What the table shows is ``ui/shown.py``'s. Here the app builds them, opens the target,
and keeps the keys that reach across panes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import PurePath
from typing import Any, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import Screen

from flowtui.config import Settings
from flowtui.names.resolve import NamesOptions
from flowtui.s3 import inflight
from flowtui.store import RecordStore
from flowtui.tail import TailOptions
from flowtui.ui.clipboard import ClipboardApp
from flowtui.ui.commands import FlowtuiCommands
from flowtui.ui.features.browser.path import PathPrompt
from flowtui.ui.features.export.control import Exports
from flowtui.ui.features.filter.control import Filters
from flowtui.ui.features.jobs.athena import (
    AthenaOptions,
    AthenaQueries,
)
from flowtui.ui.features.jobs.listing import Listings
from flowtui.ui.features.jobs.load import LoadJob, Loads
from flowtui.ui.features.jobs.sort import Sorts
from flowtui.ui.features.jobs.tail import TailJob, Tails
from flowtui.ui.features.names.control import NamesControl
from flowtui.ui.features.records.goto import GoTo
from flowtui.ui.features.settings import SavedCommands, apply_settings
from flowtui.ui.features.story.control import Stories
from flowtui.ui.features.story.conversation import ConversationBody, ConversationScreen
from flowtui.ui.features.story.screen import SightingList, StoryBody, StoryScreen
from flowtui.ui.help import HelpScreen
from flowtui.ui.keygate import KeyGate
from flowtui.ui.screen import MainScreen
from flowtui.ui.shown import Shown
from flowtui.ui.widgets.athena.dialogs import LoadOrQueryScreen
from flowtui.ui.widgets.browser.pane import BrowserPane, LoadState, make_client_getter
from flowtui.ui.widgets.browser.sources import Location
from flowtui.ui.widgets.detail.panel import DetailPanel, record_json
from flowtui.ui.widgets.dialogs import BadLinesScreen
from flowtui.ui.widgets.records.chooser import ColumnChooser
from flowtui.ui.widgets.records.status import RecordStatus
from flowtui.ui.widgets.records.table import RecordTable
from flowtui.ui.widgets.safe import literal


class FlowtuiApp(ClipboardApp):
    """``flowtui [s3://bucket/prefix-or-key | PATH]``."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [
        "app.tcss", "widgets/top/top.tcss", "widgets/histogram/histogram.tcss",
        "widgets/records/columns.tcss",
        "widgets/names/names.tcss"]
    TITLE = "flowtui"
    COMMANDS = App.COMMANDS | {FlowtuiCommands, SavedCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit-now"),
        Binding("ctrl+c", "help_quit", show=False, system=True, id="app.help-quit"),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("ctrl+p", "command_palette", "Commands", priority=True, id="app.palette"),
        # p and x twice: in the footer only while a tail runs (``check_action``; early, so
        # they fit at 160 columns), and the same keys, hidden, saying "not following"
        # otherwise (one keymap id moves both).
        Binding("p", "tail_pause", "Pause/resume tail", id="app.tail-pause"),
        Binding("x", "tail_stop", "Stop following", id="app.tail-stop"),
        Binding("p", "tail_pause('idle')", "Pause/resume tail", show=False,
                id="app.tail-pause"),
        Binding("x", "tail_stop('idle')", "Stop following", show=False, id="app.tail-stop"),
        Binding("escape", "back", "Back/cancel", id="app.back"),
        Binding("r", "toggle_decoded", "Raw/decoded", id="app.toggle-decoded"),
        Binding("d", "toggle_detail", "Detail", id="app.toggle-detail"),
        Binding("b", "toggle_browser", "Browser", show=False, id="app.toggle-browser"),
        Binding("c", "copy_record", "Copy JSON", id="app.copy-record"),
        Binding("i", "story", "Story", id="app.story"),
        Binding("e", "show_bad_lines", "Bad lines", show=False, id="app.bad-lines"),
        Binding("slash", "filter", "Filter", show=False, id="app.filter"),
        Binding("at", "go_to_time", "Go to time", show=False, id="app.go-to-time"),
        Binding("w", "export", "Export", id="app.export"),
        Binding("C", "copy_view", "Copy rows as CSV", show=False, id="app.copy-view"),
        Binding("A", "athena_sql", "Athena SQL", show=False, id="app.athena-sql"),
        Binding("N", "cycle_names", "Numbers/names", show=False, id="app.names-column"),
        Binding("R", "refresh_names", "Read names again", show=False, id="app.refresh-names"),
    ]

    #: A note ``?`` shows above the keys (the demo's endpoint and CLI line).
    help_note: str = ""

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
        self._clients: list[Any] = []  # closed on exit: quitting never waits for S3
        factory = (lambda: client) if client is not None else (client_factory or _default_client)

        def made() -> Any:
            made_client = factory()
            self._clients.append(made_client)
            return made_client

        s3 = self._client = make_client_getter(made)  # one S3 client per thread
        self._target = target
        self._initial_theme = theme
        self._follow = follow
        self.settings = settings or Settings()
        self._settings_error = settings_error
        states: dict[str, LoadState] = {}  # what the browser marks of each object
        self.browser = BrowserPane(s3, states, id="browser")
        screen = self.main_screen = MainScreen(self.browser, on_ready=self.main_screen_ready,
                                               on_closed=self._main_screen_closed)
        shown = self.shown = Shown(screen)
        #: Names for interfaces and addresses (None options: no names, as with --no-names).
        self.names = NamesControl(self, screen, names, region)
        self.loads = Loads(self, screen, shown, s3, concurrency, states,
                           on_records=self.names.records_loaded)
        self.athena = AthenaQueries(self, screen, shown, s3, athena)
        self.tails = Tails(self, screen, shown, s3, tail_options or TailOptions(),
                           on_records=self.names.records_loaded, loads=self.loads,
                           athena=self.athena)
        self.listings = Listings(self, self.browser, s3, self.loads, self.athena)
        self.sorts = Sorts(self, screen, shown)
        self.filters = Filters(self, screen, shown, on_view=self.sorts.view_changed)
        self.filters.names = self.names
        self.goto = GoTo(self, screen, shown, self.sorts)
        self.exports = Exports(self, screen, shown, self.loads, self.tails)
        self.paths = PathPrompt(screen, self.browser, self.settings.bookmarks)
        self.stories = Stories(self, screen, shown, s3, lambda: self.names.names)
        screen.features = [self.names, self.loads, self.athena, self.tails, self.listings,
                           self.sorts, self.filters, self.goto, self.exports, self.paths,
                           self.stories]
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

    def main_screen_ready(self) -> None:
        """Called once the main screen's widgets exist: open the target."""
        self.set_class(self._no_color, "-no-color")
        if self._initial_theme:
            self.set_theme(self._initial_theme)
        self.shown.show_records(RecordStore())
        apply_settings(self, self.settings, self._settings_error)
        self.names.start_without_records()
        self.browser.entry_list.focus()
        if self._follow:
            self.tails.follow(self._follow)
        else:
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

    def action_cycle_names(self) -> None:
        """N: numbers, numbers and names, names (the named columns of the table)."""
        cells = self.table.cell_names
        if cells.names is None:
            reason = self.names.not_ready() or "no names are loaded"
            self.notify(literal(reason), markup=False, timeout=4)
            return
        cells.cycle()
        self.table.names_changed()
        self.notify(cells.describe(), markup=False, timeout=3)

    def action_refresh_names(self) -> None:
        """R: read the EC2 inventory again (the cache ignored)."""
        if not self.names.read_again():
            self.notify("No names: the app was started with --no-names", markup=False,
                        timeout=3)

    def action_athena_sql(self) -> None:
        self.athena.show_sql()

    def action_tail_pause(self, _idle: str = "") -> None:
        if not self.tails.toggle_pause():
            self.notify("Not following anything (t on a folder in the browser follows it)",
                        markup=False, timeout=3)

    def action_tail_stop(self, _idle: str = "") -> None:
        if not self.tails.stop_following():
            self.notify("Not following anything", markup=False, timeout=2)

    def action_toggle_top(self) -> None:
        screen = self.main_screen
        screen.top_shown = not screen.top_shown

    def action_toggle_histogram(self) -> None:
        screen = self.main_screen
        if screen.histogram_shown and self.focused is not screen.histogram:
            screen.histogram.focus()  # shown but elsewhere: H goes to it first
            return
        screen.histogram_shown = not screen.histogram_shown

    def action_choose_columns(self) -> None:
        self.main_screen.choose_columns()

    def action_filter(self) -> None:
        self.filters.open()

    def action_clear_filter(self) -> None:
        if not self.filters.clear():
            self.notify("No filter to clear", markup=False, timeout=2)

    def action_pop_filter(self) -> None:
        self.filters.pop()

    def action_keep_value(self) -> None:
        self.filters.quick(keep=True)

    def action_exclude_value(self) -> None:
        self.filters.quick(keep=False)

    def action_sort_column(self) -> None:
        self.sorts.cycle()

    def action_go_to_time(self) -> None:
        self.goto.open()

    def action_export(self) -> None:
        self.exports.open()

    def action_copy_view(self) -> None:
        self.exports.copy_csv()

    # ------------------------------------------------------------- actions

    async def action_back(self) -> None:
        """Esc: cancel a load first; otherwise back out of where the focus is. A live tail
        goes on (``x`` stops it): Esc means back everywhere. (Async as Textual's own
        ``App.action_back`` is, which this replaces.)"""
        if self.loads.cancel() or self.athena.cancel():
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

    def action_cancel_load(self) -> None:
        if not self.loads.cancel():
            self.notify("No load in progress", markup=False, timeout=2)

    def action_help(self) -> None:
        screen = self.main_screen
        sections: list[tuple[str, DOMNode | type[DOMNode]]] = [
            ("Everywhere", self),
            ("Panes", screen),
            ("Browser (left)", self.browser.entry_list),
            ("Record table", self.table),
            ("Detail panel", self.detail.list),
            ("Top-N pane (T)", screen.top),
            ("Time histogram (H)", screen.histogram),
            ("Column chooser (o)", ColumnChooser(self.table.column_layout, [])),
            ("Story (i on a record)", StoryScreen),
            ("Story: reply and elsewhere", SightingList),
            ("Story: text", StoryBody),
            ("Conversation (v in a story)", ConversationScreen),
            ("Conversation: table", ConversationBody),
            ("Prompt (filter, go to time, export)", screen.prompt),
            ("Large folder question", LoadOrQueryScreen),
        ]
        self.push_screen(HelpScreen(sections, note=self.help_note))

    def action_toggle_decoded(self) -> None:
        self.table.decoded = not self.table.decoded
        self.status.decoded = self.table.decoded

    def action_toggle_detail(self) -> None:
        detail = self.detail
        detail.display = not detail.display
        if detail.display:
            self.main_screen.show_detail(self.table.cursor_row)
        elif self.focused is not None and detail in self.focused.ancestors:
            self.table.focus()

    def action_toggle_browser(self) -> None:
        browser = self.browser
        browser.display = not browser.display
        if browser.display:
            browser.entry_list.focus()
        elif self.focused is not None and browser in self.focused.ancestors:
            self.table.focus()

    def action_copy_record(self) -> None:
        record = self.main_screen.current_record()
        if record is None:
            self.notify("No record under the cursor", severity="warning", markup=False)
            return
        self.copy_to_clipboard(record_json(record))
        self.notify(f"Copied record {self.table.cursor_row + 1:,} as JSON", markup=False)

    def action_first_row(self) -> None:
        self.table.action_first()

    def action_last_row(self) -> None:
        self.table.action_last()

    def action_load_highlighted(self) -> None:
        self.browser.enter_highlighted(load_folders=True)

    def action_append_highlighted(self) -> None:
        self.browser.enter_highlighted(load_folders=True, append=True)

    def action_bucket_list(self) -> None:
        self.browser.display = True
        self.browser.open(Location("buckets"))
        self.browser.entry_list.focus()

    def action_refresh_listing(self) -> None:
        self.browser.reload()

    def action_browse_today(self) -> None:
        self.browser.display = True
        self.browser.entry_list.focus()
        self.browser.go_today()

    def action_browse_path(self) -> None:
        self.paths.open()

    # --------------------------------------------------------------- stories

    #: App keys that act on the main screen's records: off (and out of the footer) while a
    #: story or a conversation covers it.
    MAIN_SCREEN_ACTIONS: ClassVar[frozenset[str]] = frozenset({
        "toggle_decoded", "toggle_detail", "toggle_browser", "copy_record", "story",
        "show_bad_lines", "tail_pause", "tail_stop", "cycle_names"})

    #: Shown in the footer only while a tail runs; their hidden twins (with a parameter)
    #: answer the keys otherwise.
    TAIL_ACTIONS: ClassVar[frozenset[str]] = frozenset({"tail_pause", "tail_stop"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        stack = self.screen_stack
        if action in self.MAIN_SCREEN_ACTIONS and stack and isinstance(
                stack[-1], (StoryScreen, ConversationScreen)):
            return False
        if action in self.TAIL_ACTIONS and not parameters:  # the footer's p and x
            job = self.tails.job
            return job is not None and not job.stopped
        return True

    def action_story(self) -> None:
        """The story of the record under the table's cursor (its own screen)."""
        self.stories.tell()

    def action_show_bad_lines(self) -> None:
        job = self.job
        total = job.status.bad_lines if job is not None else 0
        self.push_screen(BadLinesScreen(job.bad_lines if job else [], total))



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
