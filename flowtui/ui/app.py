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
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import BindingType, Keymap
from textual.screen import Screen

from flowtui.config import Settings
from flowtui.names.resolve import NamesOptions
from flowtui.s3 import inflight
from flowtui.store import RecordStore
from flowtui.tail import TailOptions
from flowtui.ui import actions
from flowtui.ui.actions import bindings
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
from flowtui.ui.help import HelpScreen
from flowtui.ui.keygate import KeyGate
from flowtui.ui.paste import REFUSED, as_keys, takes_text
from flowtui.ui.screen import MainScreen
from flowtui.ui.shown import Shown
from flowtui.ui.terminal_output import CompactOutputApp
from flowtui.ui.widgets.browser.pane import BrowserPane, LoadState, make_client_getter
from flowtui.ui.widgets.detail.panel import DetailPanel
from flowtui.ui.widgets.notice import NoticeApp
from flowtui.ui.widgets.records.status import RecordStatus
from flowtui.ui.widgets.records.table import RecordTable
from flowtui.ui.widgets.safe import literal

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client


class FlowtuiApp(CompactOutputApp, ClipboardApp, NoticeApp):
    """``flowtui [s3://bucket/prefix-or-key | PATH]``."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [
        "app.tcss", "widgets/top/top.tcss", "widgets/histogram/histogram.tcss",
        "widgets/records/columns.tcss",
        "widgets/names/names.tcss", "widgets/footer/footer.tcss"]
    TITLE = "flowtui"
    COMMANDS = App.COMMANDS | {FlowtuiCommands, SavedCommands}
    BINDINGS: ClassVar[list[BindingType]] = bindings("app")

    #: A note ``?`` shows above the keys (the demo's endpoint and CLI line).
    help_note: str = ""
    #: Binding id -> keys, as the config file's ``[keymap]`` (or ``set_keymap``) gave them.
    keymap: dict[str, str] = {}  # (replaced whole by set_keymap, never changed in place)

    def __init__(self, target: str | None = None, *, client: S3Client | None = None,
                 client_factory: Callable[[], S3Client] | None = None, theme: str | None = None,
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
        if theme is not None and theme in self.available_themes:
            # Before the first style: set once the screen was up, a theme (--theme, the
            # config's, TERM=xterm's ansi-dark, NO_COLOR's) parsed the CSS again, restyled
            # every widget and painted the screen a second time (~60 ms of a start).
            self.theme = theme
            theme = None  # an unknown name is said once the screen is up
        self._no_color = no_color
        self._clients: list[S3Client] = []  # closed on exit: quitting never waits for S3
        factory = (lambda: client) if client is not None else (client_factory or _default_client)

        def made() -> S3Client:
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
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded and (
                self.return_code is not None or not self.screen_stack
                or not self.key_gate.admit(event)):
            return  # held for later, or typed as the app closes (exit() set a return code)
        if isinstance(event, events.Paste) and not event.is_forwarded and not takes_text(
                self.focused):
            self._paste_onto_pane(event.text)  # see ui/paste.py
            return
        await super().on_event(event)

    def _paste_onto_pane(self, text: str) -> None:
        replay = as_keys(text, self.keymap)
        if replay is None:
            self.notify(REFUSED, severity="warning", markup=False)
            return
        for event in replay:  # through the gate again, in order, after this one
            self.post_message(event)

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
        self.settings = apply_settings(self, self.main_screen, self.settings,
                                       self._settings_error)
        self.paths.bookmarks = self.settings.bookmarks  # none when the file was not used
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

    def action_help(self) -> None:
        self.push_screen(HelpScreen(note=self.help_note))


def _default_client() -> S3Client:
    from flowtui.s3.session import make_client

    return make_client()
