"""Loads: the loader in a thread worker (group ``load``), its events back as messages.

One load at a time. Its records go into a store that the screen shows (a fresh one, or the
shown one when adding); each event comes back on the UI thread as a ``LoadUpdate`` and
updates the table (new rows), the browser (each object's state) and the status line
(progress). Everything from S3 arrives this way, so the event loop never blocks on the
network.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import pyarrow as pa
from textual import on
from textual.app import App
from textual.message import Message
from textual.worker import Worker, get_current_worker

from flowtui.events import (
    BatchLoaded,
    LoadEvent,
    LoadFinished,
    LoadProgress,
    ObjectDone,
    ObjectFailed,
    ObjectRef,
    ObjectStarted,
)
from flowtui.loader import Loader
from flowtui.memory import release_freed_memory
from flowtui.parser import BadLine
from flowtui.s3.errors import describe
from flowtui.store import RecordStore
from flowtui.ui.features.feature import Feature, quiet_when_closing
from flowtui.ui.screen import MainScreen
from flowtui.ui.shown import Shown
from flowtui.ui.widgets.browser.pane import LoadState
from flowtui.ui.widgets.dialogs import BadLinesScreen
from flowtui.ui.widgets.records.status import LoadStatus
from flowtui.ui.widgets.safe import literal

MAX_BAD_LINES_KEPT = 1000


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


@dataclass
class LoadUpdate(Message, bubble=False):
    """A loader event from a worker thread, tagged with the load it belongs to."""

    job_id: int
    event: LoadEvent


@dataclass
class LoadCrashed(Message, bubble=False):
    job_id: int
    reason: str


#: Told of the records a job brought: where they came from, and how to read them (names
#: are asked for the accounts and regions they belong to).
RecordsCame = Callable[[list[str], Callable[[], list[pa.RecordBatch]]], None]


class Loads(Feature):
    """Starts, cancels and follows the app's load; ``states`` is what the browser marks."""

    def __init__(self, app: App[Any], screen: MainScreen, shown: Shown,
                 client: Callable[[], Any], concurrency: int | None,
                 states: dict[str, LoadState], on_records: RecordsCame) -> None:
        super().__init__()
        self._app = app
        self._screen = screen
        self._shown = shown
        self._on_records = on_records
        self._named: set[int] = set()  # loads whose names were asked
        self._client = client
        self._concurrency = concurrency
        self._states = states
        self._painted: dict[str, float] = {}
        self._job_ids = 0
        self.job: LoadJob | None = None

    def start(self, refs: list[ObjectRef], label: str, *, append: bool = False,
              folder: str | None = None) -> LoadJob:
        """Load ``refs`` into a fresh store (or the shown one with ``append``)."""
        screen = self._screen
        previous = self.job
        self.cancel(quiet=True)
        shown = self._shown
        store = shown.records if append and shown.records is not None else RecordStore()
        self._job_ids += 1
        job = LoadJob(self._job_ids, label, refs, store, folder=folder)
        if append and previous is not None:
            job.bad_lines = list(previous.bad_lines)
        self.job = job
        if not shown.holds(store):
            shown.show_records(store)
        for ref in refs:
            self._set_state(ref.location, LoadState("loading"))
        if folder:
            self._set_state(folder, LoadState("loading"))
        screen.table.placeholder = f"Loading {label}… (Esc cancels)"
        job.status = LoadStatus(label=label, objects_total=len(refs), running=True)
        screen.status.load = job.status
        job.worker = self._app.run_worker(partial(self._run, job), thread=True, group="load",
                                          exit_on_error=False, name=f"load {label}")
        if screen.has_class("-tiny") and screen.browser.has_focus_within:
            screen.table.focus()  # the browser makes room (MainScreen.on_descendant_focus)
        return job

    def _run(self, job: LoadJob) -> None:
        """Thread worker: run the loader; its events come back as messages."""
        worker = get_current_worker()
        post = self.post_message

        def on_event(event: LoadEvent) -> None:
            if worker.is_cancelled:
                job.cancel.set()
            post(LoadUpdate(job.id, event))

        try:
            needs_s3 = any(ref.location.startswith("s3://") for ref in job.refs)
            client = self._client() if needs_s3 else None
            loader = Loader(job.store, client=client, concurrency=self._concurrency)
            loader.run(job.refs, on_event, job.cancel)
        except Exception as exc:
            post(LoadCrashed(job.id, describe(exc)))
        finally:
            release_freed_memory()  # the load's temporary blocks, back to the system

    def let_go(self) -> None:
        """Other records take the table (a tail): the load stops, quietly, and is no
        longer the app's."""
        self.cancel(quiet=True)
        self.job = None

    def stop_now(self) -> None:
        """Tell the loader to stop, nothing more: the app is leaving."""
        if self.job is not None:
            self.job.cancel.set()

    def cancel(self, quiet: bool = False) -> bool:
        """Stop the load in progress; True if there was one."""
        job = self.job
        if job is None or not job.status.running:
            return False
        job.cancel.set()
        if job.worker is not None:
            job.worker.cancel()
        job.status = replace(job.status, running=False, cancelled=True)
        self._screen.status.load = job.status
        for ref in job.refs:
            state = self._states.get(ref.location)
            if state is not None and state.status == "loading":
                self._set_state(ref.location, LoadState("cancelled", state.records,
                                                        state.bad_lines))
        if job.folder:
            self._set_state(job.folder, LoadState("cancelled", len(job.store)))
        if not quiet:
            self._app.notify(f"Load cancelled after {len(job.store):,} records", markup=False)
        return True

    def cancel_key(self) -> None:
        """The palette's Cancel load: cancel, or say there is nothing to cancel."""
        if not self.cancel():
            self._app.notify("No load in progress", markup=False, timeout=2)

    def show_bad_lines(self) -> None:
        """``e``: the current load's bad lines, with where and why."""
        job = self.job
        total = job.status.bad_lines if job is not None else 0
        self._app.push_screen(BadLinesScreen(job.bad_lines if job else [], total))

    @on(LoadUpdate)
    @quiet_when_closing
    def update(self, message: LoadUpdate) -> None:
        job = self.job
        if job is None or message.job_id != job.id:
            return
        screen, notify = self._screen, self._app.notify
        event = message.event
        match event:
            case BatchLoaded():
                if self._shown.holds(job.store):
                    screen.table.data_changed()
                location = event.ref.location
                state = self._states.get(location)
                if state is not None and state.status == "loading":
                    self._states[location] = LoadState("loading", state.records
                                                       + event.batch.num_rows)
                    now = time.monotonic()
                    if now - self._painted.get(location, 0.0) > 0.25:  # count, at most 4/s
                        self._painted[location] = now
                        screen.browser.refresh_state(location)
            case ObjectStarted():
                self._set_state(event.ref.location, LoadState("loading"))
            case ObjectDone():
                bad = list(event.bad_lines)
                room = MAX_BAD_LINES_KEPT - len(job.bad_lines)
                job.bad_lines.extend((event.ref.location, b) for b in bad[:max(0, room)])
                self._set_state(event.ref.location, LoadState(
                    "done", event.records, max(event.bad_count, len(bad)), event.error))
                if event.error:
                    notify(f"{literal(object_name(event.ref))}: {literal(event.error)}",
                           title="Problem in object", severity="warning", markup=False)
            case ObjectFailed():
                self._set_state(event.ref.location, LoadState("failed", error=event.reason))
                notify(f"{literal(object_name(event.ref))}: {literal(event.reason)}",
                       title="Load failed", severity="error", markup=False)
            case LoadProgress():
                if job.status.running:
                    job.status = _progress(job.status, event, running=True)
                    screen.status.load = job.status
            case LoadFinished():
                cancelled = event.cancelled or job.status.cancelled
                job.status = _progress(job.status, event.progress, running=False,
                                       cancelled=cancelled)
                screen.status.load = job.status
                if self._shown.holds(job.store):
                    screen.table.refresh_now()
                    if not len(job.store):
                        screen.table.placeholder = _empty_reason(job, event.progress,
                                                                 cancelled)
                if job.folder:
                    self._set_state(job.folder, LoadState(
                        "cancelled" if cancelled else "done", event.progress.records,
                        event.progress.bad_lines,
                        f"{event.progress.errors} failed" if event.progress.errors else None))

        self._ask_names(job, event)

    def _ask_names(self, job: LoadJob, event: LoadEvent) -> None:
        """Names for the records' account and region: asked on the first rows (the S3 key
        says whose) and again at the end (local files say it in their account-id)."""
        first = isinstance(event, BatchLoaded) and job.id not in self._named
        if first or isinstance(event, LoadFinished):
            self._named.add(job.id)
            self._on_records([ref.location for ref in job.refs], job.store.batches)

    @on(LoadCrashed)
    def crashed(self, message: LoadCrashed) -> None:
        job = self.job
        if job is None or message.job_id != job.id:
            return
        job.status = replace(job.status, running=False)
        self._screen.status.load = job.status
        for ref in job.refs:
            state = self._states.get(ref.location)
            if state is not None and state.status == "loading":
                self._set_state(ref.location, LoadState("failed", error=message.reason))
        if not len(job.store):
            self._screen.table.placeholder = f"Load failed: {message.reason}"
        self._app.notify(literal(message.reason), title="Load failed", severity="error",
                         markup=False)

    def _set_state(self, location: str, state: LoadState) -> None:
        self._states[location] = state
        self._screen.browser.refresh_state(location)


def _empty_reason(job: LoadJob, progress: LoadProgress, cancelled: bool) -> str:
    if cancelled:
        return f"Load of {job.label} cancelled before any record arrived."
    parts = [f"No records in {job.label}"]
    if progress.errors:
        parts.append(f"{progress.errors} object(s) failed")
    if progress.bad_lines:
        parts.append(f"{progress.bad_lines:,} bad lines (e shows them)")
    return "; ".join(parts) + "."


def object_name(ref: ObjectRef) -> str:
    return ref.location.rstrip("/").rpartition("/")[2] or ref.location


def _progress(status: LoadStatus, progress: LoadProgress, *, running: bool,
              cancelled: bool = False) -> LoadStatus:
    return replace(status, objects_done=progress.objects_done,
                   objects_total=progress.objects_total, bytes_read=progress.bytes_read,
                   records=progress.records, bad_lines=progress.bad_lines,
                   errors=progress.errors, running=running, cancelled=cancelled)
