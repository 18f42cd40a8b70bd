"""The flowtui application: browser on the left, record table in the middle, detail beside.

The app owns the loads: it starts a loader in a thread worker (group ``load``), turns the
loader's events into messages, and routes them to the table (new rows), the browser (each
object's state) and the status line (progress). Everything from S3 arrives through
messages, so the event loop never blocks on the network. A live tail (``t`` in the browser,
or ``flowtui tail``) runs the core's TailEngine in a worker of group ``tail`` the same way.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial, wraps
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer
from textual.worker import Worker, get_current_worker

from flowtui.loader import (
    BatchLoaded,
    Loader,
    LoadFinished,
    LoadProgress,
    ObjectDone,
    ObjectFailed,
    ObjectRef,
    ObjectStarted,
    resolve,
)
from flowtui.memory import release_freed_memory
from flowtui.parser import BadLine
from flowtui.s3.errors import describe
from flowtui.s3.listing import Entry
from flowtui.s3.select import select_objects
from flowtui.store import RecordStore
from flowtui.tail import TailStopped
from flowtui.ui.browser.pane import BrowserPane, LoadState, make_client_getter
from flowtui.ui.browser.sources import Location, entry_location, folder_kind
from flowtui.ui.commands import FlowtuiCommands
from flowtui.ui.detail.panel import DetailPanel, record_json
from flowtui.ui.dialogs import BadLinesScreen, ConfirmScreen
from flowtui.ui.help import HelpScreen
from flowtui.ui.records.status import LoadStatus, RecordStatus, human_bytes
from flowtui.ui.records.table import RecordTable
from flowtui.ui.safe import literal
from flowtui.ui.tailing import (
    TailCrashed,
    TailEvent,
    TailJob,
    TailOptions,
    make_engine,
    tail_text,
    track,
)

CONFIRM_OBJECTS = 50
"""Loading more objects than this from one folder asks first."""
CONFIRM_BYTES = 256 * 1024 * 1024
"""...and so does loading more bytes than this."""
MAX_FOLDER_OBJECTS = 20000
"""A day folder of one busy flow log holds a few thousand objects; beyond this, narrow down."""
MAX_BAD_LINES_KEPT = 1000
NARROW_WIDTH = 150
"""Below this width the detail panel moves under the table."""
TINY_WIDTH = 100
DETAIL_INTERVAL = 0.08
"""Seconds between detail-panel updates while the cursor moves (explaining takes a few ms,
laying the panel out a few more)."""
"""Below this width the browser gives way to the table while records are shown."""


@dataclass
class LoadJob:
    """One load: the objects, the store they fill, and how to stop it."""

    id: int
    label: str
    refs: list[ObjectRef]
    store: RecordStore
    cancel: threading.Event = field(default_factory=threading.Event)
    folder: str | None = None
    worker: Worker[Any] | None = None
    bad_lines: list[tuple[str, BadLine]] = field(default_factory=list)
    status: LoadStatus = field(default_factory=LoadStatus)


class MainScreen(Screen[None]):
    """The one main screen; its focus keys carry ids so a keymap can move them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "app.focus_next", "Next pane", show=False, id="screen.focus-next"),
        Binding("shift+tab", "app.focus_previous", "Previous pane", show=False,
                id="screen.focus-previous"),
        Binding("ctrl+c,super+c", "screen.copy_text", "Copy selected text", show=False,
                id="screen.copy-text"),
    ]

    def __init__(self, browser: BrowserPane) -> None:
        super().__init__()
        self._browser = browser

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield self._browser
            with Container(id="work"):
                yield RecordTable(id="table")
                yield DetailPanel(id="detail")
        yield RecordStatus(id="status")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#browser").border_title = "Browser"
        self.query_one("#table").border_title = "Records"
        self.query_one("#detail").border_title = "Detail"
        app = self.app
        if isinstance(app, FlowtuiApp):
            app.main_screen_ready()

    def on_unmount(self) -> None:
        """However the app ends (quit, a crash, a test's teardown), the tail stops."""
        app = self.app
        if isinstance(app, FlowtuiApp):
            app.closing = True
            if app.tail is not None and app.tail.engine is not None:
                app.tail.engine.stop(timeout=0)

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

    CSS_PATH = "app.tcss"
    TITLE = "flowtui"
    COMMANDS = App.COMMANDS | {FlowtuiCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit-now"),
        Binding("ctrl+c", "help_quit", show=False, system=True, id="app.help-quit"),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("ctrl+p", "command_palette", "Commands", priority=True, id="app.palette"),
        Binding("escape", "back", "Back/cancel", id="app.back"),
        Binding("r", "toggle_decoded", "Raw/decoded", id="app.toggle-decoded"),
        Binding("d", "toggle_detail", "Detail", id="app.toggle-detail"),
        Binding("b", "toggle_browser", "Browser", show=False, id="app.toggle-browser"),
        Binding("c", "copy_record", "Copy JSON", id="app.copy-record"),
        Binding("e", "show_bad_lines", "Bad lines", show=False, id="app.bad-lines"),
        Binding("p", "tail_pause", "Pause/resume tail", show=False, id="app.tail-pause"),
        Binding("x", "tail_stop", "Stop following", show=False, id="app.tail-stop"),
    ]

    @dataclass
    class LoadEvent(Message):
        """A loader event from a worker thread, tagged with the load it belongs to."""

        job_id: int
        event: object

    @dataclass
    class LoadCrashed(Message):
        job_id: int
        reason: str

    @dataclass
    class FolderListed(Message):
        """Every object under a day/hour folder, ready to be confirmed and loaded."""

        entry: Entry
        refs: list[ObjectRef]
        total_bytes: int
        append: bool
        error: str | None = None

    @dataclass
    class TargetResolved(Message):
        """What the command-line target turned out to be: an object or a folder."""

        location: Location
        highlight: str | None
        ref: ObjectRef | None

    def __init__(self, target: str | None = None, *, client: Any = None,
                 client_factory: Callable[[], Any] | None = None, theme: str | None = None,
                 concurrency: int = 4, follow: str | None = None,
                 tail_options: TailOptions | None = None) -> None:
        no_color = "NO_COLOR" in os.environ
        # NO_COLOR: the terminal's own colours and Textual's no-colour filter, so only bold,
        # reverse and the row markers carry meaning (never a hue).
        super().__init__(ansi_color=True if no_color else None)
        if no_color and theme is None:
            theme = "ansi-dark"
        self._no_color = no_color
        if client is not None:
            self._client = make_client_getter(lambda: client)
        else:
            self._client = make_client_getter(client_factory or _default_client)
        self._target = target
        self._concurrency = concurrency
        self._states: dict[str, LoadState] = {}
        self._painted: dict[str, float] = {}
        self._detail_row = 0
        self._detail_at = 0.0
        self._detail_timer: Timer | None = None
        self._job: LoadJob | None = None
        self._job_ids = 0
        self._initial_theme = theme
        self._follow = follow
        self.tail_options = tail_options or TailOptions()
        self._tail: TailJob | None = None
        self._tail_ids = 0
        self._tail_timer: Timer | None = None
        self.closing = False  # the main screen is gone: late worker messages are dropped
        self.browser = BrowserPane(self._client, self._states, id="browser")
        self.main_screen = MainScreen(self.browser)

    # --------------------------------------------------------------- setup

    @property
    def table(self) -> RecordTable:
        return self.main_screen.query_one(RecordTable)

    @property
    def detail(self) -> DetailPanel:
        return self.main_screen.query_one(DetailPanel)

    @property
    def status(self) -> RecordStatus:
        return self.main_screen.query_one(RecordStatus)

    @property
    def job(self) -> LoadJob | None:
        return self._job

    @property
    def tail(self) -> TailJob | None:
        return self._tail

    def get_default_screen(self) -> Screen[None]:
        return self.main_screen

    def main_screen_ready(self) -> None:
        """Called once the main screen's widgets exist: open the target."""
        self.set_class(self._no_color, "-no-color")
        if self._initial_theme:
            self.set_theme(self._initial_theme)
        self.table.set_store(RecordStore())
        self.browser.entry_list.focus()
        if self._follow:
            bucket, _, prefix = self._follow[5:].partition("/")
            folder = prefix if not prefix or prefix.endswith("/") else \
                prefix.rpartition("/")[0] + "/" if "/" in prefix else ""
            self.browser.open(Location("s3", bucket, folder))
            self.start_tail(self._follow)
            self.table.focus()
            return
        self._open_target(self._target)

    def set_theme(self, name: str) -> None:
        if name in self.available_themes:
            self.theme = name
        else:
            self.notify(f"Unknown theme {literal(name)}", severity="warning", markup=False)

    def _open_target(self, target: str | None) -> None:
        if not target:
            self.browser.open(Location("buckets"))
            return
        if target.startswith("s3://"):
            bucket, _, key = target[5:].partition("/")
            if not bucket:
                self.browser.open(Location("buckets"))
            elif not key or key.endswith("/"):
                self.browser.open(Location("s3", bucket, key))
            else:
                self.run_worker(partial(self._resolve_s3, bucket, key), thread=True,
                                group="listing", exit_on_error=False, name="resolve target")
            return
        path = Path(target).expanduser()
        if path.is_dir():
            self.browser.open(Location("local", prefix=str(path.resolve())))
        elif path.is_file():
            full = str(path.resolve())
            self.browser.open(Location("local", prefix=str(path.resolve().parent)),
                              highlight=full)
            self.start_load([ObjectRef(full, path.stat().st_size)], path.name)
        else:
            self.notify(f"No such file or directory: {literal(target)}", severity="error",
                        markup=False)
            self.browser.open(Location("local", prefix=os.getcwd()))

    def _resolve_s3(self, bucket: str, key: str) -> None:
        """Thread worker: is ``key`` an object (load it) or a prefix (browse it)?"""
        parent = key.rpartition("/")[0]
        folder = Location("s3", bucket, parent + "/" if parent else "")
        try:
            head = self._client().head_object(Bucket=bucket, Key=key)
        except Exception as exc:
            code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
            if code in ("404", "NoSuchKey", "NotFound"):
                self.post_message(self.TargetResolved(Location("s3", bucket, key + "/"),
                                                      None, None))
            else:
                self.post_message(self.TargetResolved(folder, None, None))
                self.call_from_thread(self.notify, describe(exc), title="Cannot open target",
                                      severity="error", markup=False)
            return
        url = f"s3://{bucket}/{key}"
        ref = ObjectRef(url, head.get("ContentLength"), head.get("ETag"))
        self.post_message(self.TargetResolved(folder, url, ref))

    def on_flowtui_app_target_resolved(self, message: TargetResolved) -> None:
        self.browser.open(message.location, highlight=message.highlight)
        if message.ref is not None:
            self.start_load([message.ref], message.ref.location.rpartition("/")[2])

    # --------------------------------------------------------------- loads

    def on_browser_pane_load_requested(self, message: BrowserPane.LoadRequested) -> None:
        entry = message.entry
        if entry.kind == "object":
            self.start_load([_ref(entry)], literal(entry.name), append=message.append)
            return
        kind = folder_kind(entry)
        label = entry.label or entry.key
        self.notify(f"Listing {literal(label)}…", markup=False, timeout=2)
        self.run_worker(partial(self._list_folder, entry, message.append), thread=True,
                        group="listing", exit_on_error=False, name=f"list {kind} folder")

    def _list_folder(self, entry: Entry, append: bool) -> None:
        """Thread worker: every object under a day/hour folder (bounded by the core)."""
        worker = get_current_worker()
        try:
            if entry.bucket:
                entries = select_objects(self._client(), entry.bucket, entry.key,
                                         limit=MAX_FOLDER_OBJECTS)
                logs = [e for e in entries if e.info is not None] or entries
                refs = [_ref(e) for e in logs]
            else:
                refs = resolve([entry.key], limit=MAX_FOLDER_OBJECTS)
        except Exception as exc:
            if not worker.is_cancelled:
                self.post_message(self.FolderListed(entry, [], 0, append, describe(exc)))
            return
        if worker.is_cancelled:
            return
        total = sum(ref.size or 0 for ref in refs)
        self.post_message(self.FolderListed(entry, refs, total, append))

    def on_flowtui_app_folder_listed(self, message: FolderListed) -> None:
        label = literal(message.entry.label or message.entry.name)
        if message.error:
            self.notify(f"{label}: {literal(message.error)}", title="Cannot load folder",
                        severity="error", markup=False)
            return
        if not message.refs:
            self.notify(f"{label}: no objects to load", severity="warning", markup=False)
            return
        folder = entry_location(message.entry)

        def go(confirmed: bool | None = True) -> None:
            if confirmed:
                self.start_load(message.refs, label, append=message.append, folder=folder)

        count, size = len(message.refs), message.total_bytes
        if count > CONFIRM_OBJECTS or size > CONFIRM_BYTES:
            question = Text.assemble("Load ", (f"{count:,} objects", "bold"), " (",
                                     (human_bytes(size), "bold"), ") from ", label, "?")
            self.push_screen(ConfirmScreen(question), go)
        else:
            go()

    def start_load(self, refs: list[ObjectRef], label: str, *, append: bool = False,
                   folder: str | None = None) -> LoadJob:
        """Load ``refs`` into a fresh store (or the current one with ``append``)."""
        previous = self._job
        self.cancel_load(quiet=True)
        store = self.table.store if append and isinstance(self.table.store, RecordStore) \
            else RecordStore()
        self._job_ids += 1
        job = LoadJob(self._job_ids, label, refs, store, folder=folder)
        if append and previous is not None:
            job.bad_lines = list(previous.bad_lines)
        self._job = job
        if store is not self.table.store:
            self.table.set_store(store)
        for ref in refs:
            self._set_state(ref.location, LoadState("loading"))
        if folder:
            self._set_state(folder, LoadState("loading"))
        self.table.placeholder = f"Loading {label}… (Esc cancels)"
        job.status = LoadStatus(label=label, objects_total=len(refs), running=True)
        self.status.load = job.status
        job.worker = self.run_worker(partial(self._run_load, job), thread=True, group="load",
                                     exit_on_error=False, name=f"load {label}")
        if self.main_screen.has_class("-tiny") and self.browser.has_focus_within:
            self.table.focus()  # the browser makes room (MainScreen.on_descendant_focus)
        return job

    def _run_load(self, job: LoadJob) -> None:
        """Thread worker: run the loader; its events come back as messages."""
        worker = get_current_worker()

        def on_event(event: object) -> None:
            if worker.is_cancelled:
                job.cancel.set()
            self.post_message(self.LoadEvent(job.id, event))

        try:
            needs_s3 = any(ref.location.startswith("s3://") for ref in job.refs)
            client = self._client() if needs_s3 else None
            loader = Loader(job.store, client=client, concurrency=self._concurrency)
            loader.run(job.refs, on_event, job.cancel)
        except Exception as exc:
            self.post_message(self.LoadCrashed(job.id, describe(exc)))
        finally:
            release_freed_memory()  # the load's temporary blocks, back to the system

    def exit(self, result: None = None, return_code: int = 0,
             message: Any = None) -> None:
        """Stop a running load first, so leaving never waits for S3."""
        job = self._job
        if job is not None:
            job.cancel.set()
        self.stop_tail(quiet=True)
        super().exit(result, return_code, message)

    def cancel_load(self, quiet: bool = False) -> bool:
        """Stop the load in progress; True if there was one."""
        job = self._job
        if job is None or not job.status.running:
            return False
        job.cancel.set()
        if job.worker is not None:
            job.worker.cancel()
        job.status = _replace(job.status, running=False, cancelled=True)
        self.status.load = job.status
        for ref in job.refs:
            state = self._states.get(ref.location)
            if state is not None and state.status == "loading":
                self._set_state(ref.location, LoadState("cancelled", state.records,
                                                        state.bad_lines))
        if job.folder:
            self._set_state(job.folder, LoadState("cancelled", len(job.store)))
        if not quiet:
            self.notify(f"Load cancelled after {len(job.store):,} records", markup=False)
        return True

    @_quiet_when_closing
    def on_flowtui_app_load_event(self, message: LoadEvent) -> None:
        job = self._job
        if job is None or message.job_id != job.id:
            return
        event = message.event
        if isinstance(event, BatchLoaded):
            if job.store is self.table.store:
                self.table.data_changed()
            location = event.ref.location
            state = self._states.get(location)
            if state is not None and state.status == "loading":
                self._states[location] = LoadState("loading", state.records
                                                   + event.batch.num_rows)
                now = time.monotonic()
                if now - self._painted.get(location, 0.0) > 0.25:  # count, at most 4/s
                    self._painted[location] = now
                    self.browser.refresh_state(location)
        elif isinstance(event, ObjectStarted):
            self._set_state(event.ref.location, LoadState("loading"))
        elif isinstance(event, ObjectDone):
            bad = list(event.bad_lines)
            room = MAX_BAD_LINES_KEPT - len(job.bad_lines)
            job.bad_lines.extend((event.ref.location, b) for b in bad[:max(0, room)])
            self._set_state(event.ref.location, LoadState(
                "done", event.records, max(event.bad_count, len(bad)), event.error))
            if event.error:
                self.notify(f"{literal(_name(event.ref))}: {literal(event.error)}",
                            title="Problem in object", severity="warning", markup=False)
        elif isinstance(event, ObjectFailed):
            self._set_state(event.ref.location, LoadState("failed", error=event.reason))
            self.notify(f"{literal(_name(event.ref))}: {literal(event.reason)}",
                        title="Load failed", severity="error", markup=False)
        elif isinstance(event, LoadProgress):
            if job.status.running:
                job.status = _progress(job.status, event, running=True)
                self.status.load = job.status
        elif isinstance(event, LoadFinished):
            cancelled = event.cancelled or job.status.cancelled
            job.status = _progress(job.status, event.progress, running=False,
                                   cancelled=cancelled)
            self.status.load = job.status
            if job.store is self.table.store:
                self.table.refresh_now()
                if not len(job.store):
                    self.table.placeholder = _empty_reason(job, event.progress, cancelled)
            if job.folder:
                self._set_state(job.folder, LoadState(
                    "cancelled" if cancelled else "done", event.progress.records,
                    event.progress.bad_lines,
                    f"{event.progress.errors} failed" if event.progress.errors else None))

    def on_flowtui_app_load_crashed(self, message: LoadCrashed) -> None:
        job = self._job
        if job is None or message.job_id != job.id:
            return
        job.status = _replace(job.status, running=False)
        self.status.load = job.status
        for ref in job.refs:
            state = self._states.get(ref.location)
            if state is not None and state.status == "loading":
                self._set_state(ref.location, LoadState("failed", error=message.reason))
        if not len(job.store):
            self.table.placeholder = f"Load failed: {message.reason}"
        self.notify(literal(message.reason), title="Load failed", severity="error",
                    markup=False)

    def _set_state(self, location: str, state: LoadState) -> None:
        self._states[location] = state
        self.browser.refresh_state(location)

    # ------------------------------------------------------- table / detail

    # ------------------------------------------------------------- tail

    def on_browser_pane_tail_requested(self, message: BrowserPane.TailRequested) -> None:
        entry = message.entry
        self.start_tail(f"s3://{entry.bucket}/{entry.key}", entry_location(entry))

    def start_tail(self, url: str, marker: str | None = None) -> TailJob:
        """Follow ``url`` live in a fresh store (one tail at a time; a load is cancelled)."""
        self.cancel_load(quiet=True)
        self.stop_tail(quiet=True)
        self._tail_ids += 1
        store = RecordStore()
        job = TailJob(self._tail_ids, url, marker or url, store)
        self._tail = job
        self._job = None
        self.table.set_store(store)
        self.table.follow = True
        self.table.placeholder = (f"Following {url}: new records appear here as files "
                                  "arrive (p pauses, x or Esc stops).")
        self.status.load = LoadStatus(label=url)
        self.browser.followed.add(job.browser_location)
        self.browser.refresh_state(job.browser_location)
        job.worker = self.run_worker(partial(self._run_tail, job), thread=True, group="tail",
                                     exit_on_error=False, name=f"tail {url}")
        if self._tail_timer is None:
            self._tail_timer = self.set_interval(1.0, self._show_tail)
        self._show_tail()
        return job

    def _run_tail(self, job: TailJob) -> None:
        """Thread worker: the engine's poll loop until stop_tail()."""
        # Named while it polls (a pool thread: the name goes back when the tail ends).
        thread = threading.current_thread()
        name, thread.name = thread.name, "flowtui-tail"
        try:
            self._tail_loop(job)
        finally:
            thread.name = name

    def _tail_loop(self, job: TailJob) -> None:
        worker = get_current_worker()

        def on_event(event: object) -> None:
            self.post_message(TailEvent(job.id, event))

        try:
            engine = make_engine(job, self.tail_options, self._client(), on_event)
        except Exception as exc:
            self.post_message(TailCrashed(job.id, describe(exc)))
            return
        job.engine = engine
        if job.stopped or worker.is_cancelled:
            return
        try:
            engine.run()
        except Exception as exc:  # the engine reports S3 trouble itself; this is the rest
            self.post_message(TailCrashed(job.id, describe(exc)))

    def stop_tail(self, quiet: bool = False) -> bool:
        """Stop following; the rows stay. True if a tail was running."""
        job = self._tail
        if job is None or job.stopped:
            return False
        job.stopped = True
        if job.engine is not None:
            job.engine.stop(timeout=0)
        if job.worker is not None:
            job.worker.cancel()
        self.table.follow = False
        self.table.new_rows = 0
        self.browser.followed.discard(job.browser_location)
        if self.is_running:
            self.browser.refresh_state(job.browser_location)
            self._show_tail()
            if not quiet:
                self.notify(f"Stopped following {literal(job.url)}", markup=False, timeout=3)
        return True

    def on_tail_event(self, message: TailEvent) -> None:
        job = self._tail
        if job is None or message.tail_id != job.id or self.closing:
            return
        event = message.event
        if isinstance(event, BatchLoaded):
            store = job.store
            store.append(event.batch, event.ref.location)
            keep = self.tail_options.keep
            if keep is not None and len(store) > keep:
                store.drop_oldest(len(store) - keep)
            if store is self.table.store:
                self.table.data_changed()
            return
        if isinstance(event, ObjectDone) and event.error or isinstance(event, ObjectFailed):
            reason = event.error if isinstance(event, ObjectDone) else event.reason
            job.objects_failed += 1
            job.last_problem = str(reason)  # the notification names the object
            self.notify(f"{literal(_name(event.ref))}: {literal(str(reason))}",
                        title="Tail: object failed", severity="warning", markup=False)
        elif isinstance(event, TailStopped):
            job.stopped = True
        else:
            track(job, event)
        self._show_tail()

    def on_tail_crashed(self, message: TailCrashed) -> None:
        job = self._tail
        if job is None or message.tail_id != job.id or self.closing:
            return
        self.stop_tail(quiet=True)
        self.notify(literal(message.reason), title="Tail stopped", severity="error",
                    markup=False)

    def _show_tail(self) -> None:
        job = self._tail
        if self.closing:
            return
        if job is None:
            self.status.tail = ""
            return
        clock = job.engine.clock if job.engine is not None else None
        now = clock() if clock is not None else datetime.now(tz=UTC)
        self.status.tail = tail_text(job, now)
        if job.stopped and self._tail_timer is not None:
            self._tail_timer.stop()
            self._tail_timer = None

    def action_tail_pause(self) -> None:
        job = self._tail
        if job is None or job.stopped or job.engine is None:
            self.notify("Not following anything (t on a folder in the browser follows it)",
                        markup=False, timeout=3)
            return
        if job.engine.paused:
            job.engine.resume()
        else:
            job.engine.pause()

    def action_tail_stop(self) -> None:
        if not self.stop_tail():
            self.notify("Not following anything", markup=False, timeout=2)

    @_quiet_when_closing
    def on_record_table_cursor_moved(self, message: RecordTable.CursorMoved) -> None:
        table = message.table
        self.status.position = message.row
        self.status.total = table.row_count
        self.status.new_rows = table.new_rows
        self._detail_soon(message.row)

    def _detail_soon(self, row: int) -> None:
        """Explain the cursor's record, at most every DETAIL_INTERVAL while keys repeat:
        the table keeps up with the keys and the panel catches up with the last row."""
        self._detail_row = row
        now = time.monotonic()
        if now - self._detail_at >= DETAIL_INTERVAL:
            self._detail_at = now
            self._show_detail(row)
        elif self._detail_timer is None:
            self._detail_timer = self.set_timer(DETAIL_INTERVAL, self._detail_catch_up)

    @_quiet_when_closing
    def _detail_catch_up(self) -> None:
        self._detail_timer = None
        if self.closing:
            return
        self._detail_at = time.monotonic()
        self._show_detail(self._detail_row)

    @_quiet_when_closing
    def on_record_table_rows_changed(self, message: RecordTable.RowsChanged) -> None:
        self.status.total = message.count
        self.status.new_rows = self.table.new_rows

    def _show_detail(self, row: int) -> None:
        detail = self.detail
        store = self.table.store
        if not detail.display:
            return
        if store is None or row >= len(store) or not isinstance(store, RecordStore):
            detail.show_nothing()
            return
        detail.show_record(row, store.row(row), store.source(row))

    def current_record(self) -> dict[str, object] | None:
        store = self.table.store
        row = self.table.cursor_row
        if not isinstance(store, RecordStore) or row >= len(store):
            return None
        return store.row(row)

    # ------------------------------------------------------------- actions

    def action_back(self) -> None:
        """Esc: cancel a load first; otherwise back out of where the focus is."""
        if self.cancel_load():
            return
        focused = self.focused
        in_browser = focused is not None and self.browser in focused.ancestors
        if not in_browser and self.stop_tail():
            return
        if focused is self.table:
            self.browser.display = True
            self.browser.entry_list.focus()
        elif focused is not None and self.detail in focused.ancestors:
            self.table.focus()
        elif focused is not None and self.browser in focused.ancestors:
            self.browser.go_up()

    def action_cancel_load(self) -> None:
        if not self.cancel_load():
            self.notify("No load in progress", markup=False, timeout=2)

    def action_help(self) -> None:
        screen = self.main_screen
        sections = [
            ("Everywhere", self),
            ("Panes", screen),
            ("Browser (left)", self.browser.entry_list),
            ("Record table", self.table),
            ("Detail panel", self.detail.list),
        ]
        self.push_screen(HelpScreen(sections))

    def action_toggle_decoded(self) -> None:
        self.table.decoded = not self.table.decoded
        self.status.decoded = self.table.decoded

    def action_toggle_detail(self) -> None:
        detail = self.detail
        detail.display = not detail.display
        if detail.display:
            self._show_detail(self.table.cursor_row)
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
        record = self.current_record()
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

    def action_show_bad_lines(self) -> None:
        job = self._job
        total = job.status.bad_lines if job is not None else 0
        self.push_screen(BadLinesScreen(job.bad_lines if job else [], total))


def _empty_reason(job: LoadJob, progress: LoadProgress, cancelled: bool) -> str:
    if cancelled:
        return f"Load of {job.label} cancelled before any record arrived."
    parts = [f"No records in {job.label}"]
    if progress.errors:
        parts.append(f"{progress.errors} object(s) failed")
    if progress.bad_lines:
        parts.append(f"{progress.bad_lines:,} bad lines (e shows them)")
    return "; ".join(parts) + "."


def _ref(entry: Entry) -> ObjectRef:
    """What the loader needs; the ETag pins the read to the version that was listed."""
    return ObjectRef(entry_location(entry), entry.size, entry.etag)


def _name(ref: ObjectRef) -> str:
    return ref.location.rstrip("/").rpartition("/")[2] or ref.location


def _replace(status: LoadStatus, **changes: Any) -> LoadStatus:
    from dataclasses import replace

    return replace(status, **changes)


def _progress(status: LoadStatus, progress: LoadProgress, *, running: bool,
              cancelled: bool = False) -> LoadStatus:
    return _replace(status, objects_done=progress.objects_done,
                    objects_total=progress.objects_total, bytes_read=progress.bytes_read,
                    records=progress.records, bad_lines=progress.bad_lines,
                    errors=progress.errors, running=running, cancelled=cancelled)


def _default_client() -> Any:
    from flowtui.s3.session import make_client

    return make_client()


def run(target: str | None = None, *, profile: str | None = None, region: str | None = None,
        endpoint_url: str | None = None, no_sign: bool = False, theme: str | None = None,
        follow: str | None = None, tail_options: TailOptions | None = None) -> int:
    """Entry point for ``flowtui [target]`` (and ``flowtui tail URL`` with ``follow``)."""
    from flowtui.s3.session import make_client

    def factory() -> Any:
        return make_client(profile=profile, region=region, endpoint_url=endpoint_url,
                           no_sign=no_sign)

    theme = theme or os.environ.get("FLOWTUI_THEME") or None
    FlowtuiApp(target, client_factory=factory, theme=theme, follow=follow,
               tail_options=tail_options).run()
    return 0
