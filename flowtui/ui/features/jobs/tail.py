"""The live tail in the app: one TailEngine in a thread worker (group ``tail``), its events
as messages.

The engine is the core's (``flowtui.tail``); here is what the UI keeps about it: the job
(engine, store, worker) and the one line the status bar shows (newest file, how stale, next
poll, pause, errors and back-off). The engine is given no store: each delivered batch is
appended on the UI thread (and the oldest beyond ``keep`` dropped there), so the table never
reads a store that shifts under it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import App
from textual.css.query import NoMatches
from textual.message import Message
from textual.timer import Timer
from textual.worker import Worker, get_current_worker

from flowtui.events import (
    BatchLoaded,
    ObjectDone,
    ObjectFailed,
    ObjectRef,
    Paused,
    PollDone,
    PollFailed,
    Resumed,
    TailEvent,
    TailStopped,
)
from flowtui.s3.errors import describe
from flowtui.s3.url import S3Url, is_s3_url
from flowtui.store import RecordStore
from flowtui.tail import STALE_AFTER, TailEngine, TailOptions
from flowtui.tailscan import folders_ended
from flowtui.timefmt import ago, span
from flowtui.ui.features.feature import Feature
from flowtui.ui.features.jobs.athena import AthenaQueries
from flowtui.ui.features.jobs.load import Loads, RecordsCame, object_name
from flowtui.ui.screen import MainScreen
from flowtui.ui.shown import Shown
from flowtui.ui.widgets.browser.pane import BrowserPane
from flowtui.ui.widgets.browser.sources import entry_location, url_folder
from flowtui.ui.widgets.records.status import LoadStatus
from flowtui.ui.widgets.safe import literal

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client


@dataclass
class TailUpdate(Message, bubble=False):
    """An engine event from the tail worker, tagged with the tail it belongs to."""

    tail_id: int
    event: TailEvent


@dataclass
class TailCrashed(Message, bubble=False):
    tail_id: int
    reason: str


@dataclass
class TailJob:
    """One followed prefix."""

    id: int
    url: str  # s3://bucket/prefix as given
    browser_location: str  # the browser entry that shows the ● marker
    store: RecordStore
    engine: TailEngine | None = None
    worker: Worker[Any] | None = None
    last: PollDone | PollFailed | None = None
    paused: bool = False
    held: int = 0
    stopped: bool = False
    objects_failed: int = 0
    last_problem: str | None = None
    #: The table shows this tail's store (until then it keeps what it showed before).
    shown: bool = False
    #: The store the table showed when the tail started: swapped out only if still shown.
    replaces: RecordStore | None = None
    #: Files the polls met that this tail will never read (delivered more than the lookback
    #: behind their flow log's newest), and the poll that last said so.
    missed: int = 0
    missed_by: PollDone | None = None


def short_url(url: str, width: int = 48) -> str:
    """The bucket and the end of the prefix (the end says the most: region, day)."""
    if len(url) <= width:
        return url
    head = str(S3Url(S3Url.parse(url).bucket)) if is_s3_url(url) else url
    room = max(8, width - len(head) - 1)
    return head + "…" + url[-room:]


def tail_text(job: TailJob, now: datetime) -> str:
    """One status-bar line for a tail at ``now`` (the engine's clock): its state, then what
    a follower watches for (a failure, STALE and the newest file's time), the next poll, and
    the followed prefix last. A narrow terminal cuts the line's end: at 80 columns the
    prefix first left no room for the rest, and a STALE tail read as a healthy one (the
    browser's ● and the table's placeholder name the prefix too)."""
    if job.stopped:
        return f"stopped following {short_url(job.url)}"
    head = "paused" if job.paused else "following"
    if job.paused and job.held:
        head += f" ({job.held:,} rows held, p resumes)"
    elif job.paused:
        head += " (p resumes)"
    parts = [head]
    if job.last_problem:
        parts.append(f"{job.objects_failed} object(s) failed, last: {job.last_problem}")
    if job.missed and job.missed_by is not None and job.missed_by.lookback is not None:
        parts.append(f"{job.missed} file{'s' if job.missed != 1 else ''} delivered more than "
                     f"{span(job.missed_by.lookback)} late not read (the tail's lookback)")
    last = job.last
    if isinstance(last, PollFailed):
        wait = max(0, int((last.next_poll - now).total_seconds() + 0.5))
        parts.append(f"poll failed ({last.failures}x): {last.reason}; retry in {wait}s")
    elif last is None:
        parts.append("first poll…")
    else:
        if last.newest is not None:
            # The age is since delivery (S3 LastModified), which is what "a file just
            # arrived" means; the key's stamp (the capture window's start) is always some
            # minutes older, and only decides STALE. Both grow between polls.
            stale = ""
            if now - last.newest > STALE_AFTER:  # (or the followed folder's day is over)
                ended = folders_ended(last.folders, now)
                stale = f"{ended[1]} ended: " if ended is not None else "STALE: "
            age = (f"delivered {ago(now - last.delivered, 'ago')}"
                   if last.delivered is not None else f"window {ago(now - last.newest)}")
            parts.append(f"{stale}newest {last.newest:%Y-%m-%d %H:%M} UTC, {age}")
        else:
            parts.append("no flow-log files yet")
        wait = max(0, int((last.next_poll - now).total_seconds() + 0.5))
        parts.append(f"next poll in {wait}s")
    parts.append(short_url(job.url))
    return " · ".join(parts)


def track(job: TailJob, event: TailEvent) -> None:
    """Keep what the status line needs from an engine event."""
    match event:
        case PollDone():
            job.last = event
            job.held = event.held
            if event.missed:
                job.missed += event.missed
                job.missed_by = event
        case PollFailed():
            job.last = event
        case Paused():
            job.paused, job.held = True, event.held
        case Resumed():
            job.paused, job.held = False, 0
        case _:
            pass


def make_engine(job: TailJob, options: TailOptions, client: S3Client,
                on_event: Callable[[TailEvent], None]) -> TailEngine:
    return TailEngine(job.url, client=client, on_event=on_event, store=None,
                      interval=options.interval, keep=options.keep,
                      backfill=options.backfill, fields=options.fields,
                      **options.engine_args)


class Tails(Feature):
    """Starts, stops and follows the app's tail (one at a time); a load or an Athena query
    is let go first (the table shows one source)."""

    def __init__(self, app: App[Any], screen: MainScreen, shown: Shown,
                 client: Callable[[], S3Client], options: TailOptions, *,
                 on_records: RecordsCame, loads: Loads, athena: AthenaQueries) -> None:
        super().__init__()
        self._app = app
        self._screen = screen
        self._shown = shown
        self._on_records = on_records
        self._loads = loads
        self._athena = athena
        self._named: set[int] = set()  # tails whose names were asked
        self._client = client
        self.options = options
        self._tail_ids = 0
        self._timer: Timer | None = None
        self.job: TailJob | None = None

    def on_mount(self) -> None:
        self.hear(BrowserPane.TailRequested, self._tail_requested)
        self._shown.on_records.append(self._table_taken)

    def _table_taken(self, store: RecordStore) -> None:
        """Other records took the table (a load, an Athena query): the tail lets go, as a
        load does when a tail starts. Left running it polled out of sight, and the status
        line said 'following' over the other rows; stopped, it said 'stopped following'."""
        job = self.job
        if job is None or store is job.store:
            return
        self.stop(quiet=True)
        self.job = None
        self.show()

    def follow(self, url: str) -> None:
        """``flowtui tail URL``: the browser shows the folder followed, the table its rows."""
        self._screen.browser.open(url_folder(url))
        self.start(url)
        self._screen.table.focus()

    def _tail_requested(self, message: BrowserPane.TailRequested) -> None:
        entry = message.entry
        self.start(str(S3Url(entry.bucket, entry.key)), entry_location(entry))

    def start(self, url: str, marker: str | None = None) -> TailJob:
        """Follow ``url`` live in a fresh store (a running tail stops first, and a load or
        an Athena query is let go)."""
        self._loads.let_go()
        self._athena.let_go()
        screen = self._screen
        self.stop(quiet=True)
        self._tail_ids += 1
        store = RecordStore()
        job = TailJob(self._tail_ids, url, marker or url, store, replaces=self._shown.records)
        self.job = job
        self._app.refresh_bindings()  # p and x into the footer
        if job.replaces is None or not len(job.replaces):
            self._reveal(job)
        screen.browser.followed.add(job.browser_location)
        screen.browser.refresh_state(job.browser_location)
        job.worker = self._app.run_worker(partial(self._run, job), thread=True, group="tail",
                                          exit_on_error=False, name=f"tail {url}")
        if self._timer is None:
            self._timer = self._app.set_interval(1.0, self.show)
        self.show()
        return job

    def _reveal(self, job: TailJob) -> None:
        """Show the tail's store: at once over an empty table, else when the first poll
        has rows (the newest file of each flow log) or has ended, so the rows loaded
        before stay readable while it lists. A load that took the table meanwhile keeps it."""
        job.shown = True
        screen = self._screen
        if self._shown.records is not job.replaces:
            return
        job.replaces = None
        self._shown.show_records(job.store)
        screen.table.follow = True
        screen.table.placeholder = (f"Following {job.url}: new records appear here as files "
                                    "arrive (p pauses, x stops).")
        screen.status.load = LoadStatus(label=job.url)

    def _run(self, job: TailJob) -> None:
        """Thread worker: the engine's poll loop until stop()."""
        # Named while it polls (a pool thread: the name goes back when the tail ends).
        thread = threading.current_thread()
        name, thread.name = thread.name, "flowtui-tail"
        try:
            self._loop(job)
        finally:
            thread.name = name

    def _loop(self, job: TailJob) -> None:
        worker = get_current_worker()
        post = self.post_message

        def on_event(event: TailEvent) -> None:
            post(TailUpdate(job.id, event))

        try:
            engine = make_engine(job, self.options, self._client(), on_event)
        except Exception as exc:
            post(TailCrashed(job.id, describe(exc)))
            return
        job.engine = engine
        if job.stopped or worker.is_cancelled:
            return
        try:
            engine.run()
        except Exception as exc:  # the engine reports S3 trouble itself; this is the rest
            post(TailCrashed(job.id, describe(exc)))

    def halt(self) -> None:
        """Stop the engine at once, nothing more: the screen is going."""
        if self.job is not None and self.job.engine is not None:
            self.job.engine.stop(timeout=0)

    def stop(self, quiet: bool = False) -> bool:
        """Stop following; the rows stay. True if a tail was running."""
        job = self.job
        if job is None or job.stopped:
            return False
        job.stopped = True
        self._app.refresh_bindings()  # p and x out of the footer
        if job.engine is not None:
            job.engine.stop(timeout=0)
        if job.worker is not None:
            job.worker.cancel()
        screen = self._screen
        screen.table.follow = False
        screen.table.new_rows = 0
        screen.status.new_rows = 0  # "N new rows (End follows)" no more
        if self._shown.holds(job.store):
            screen.table.placeholder = (f"The tail of {job.url} is stopped: no new records "
                                        "arrive here (t on a folder follows again).")
        screen.browser.followed.discard(job.browser_location)
        if self._app.is_running:
            screen.browser.refresh_state(job.browser_location)
            self.show()
            if not quiet:
                self._app.notify(f"Stopped following {literal(job.url)}", markup=False,
                                 timeout=3)
        return True

    @on(TailUpdate)
    def _updated(self, message: TailUpdate) -> None:
        self.update(message)
        job, event = self.job, message.event
        if job is not None and job.id == message.tail_id and isinstance(
                event, BatchLoaded) and job.id not in self._named:
            # the followed keys say whose records they are (AWSLogs/<account>/…/<region>/)
            self._named.add(job.id)
            self._on_records([event.ref.location], job.store.batches)

    def update(self, message: TailUpdate) -> None:
        job = self.job
        screen = self._screen
        if job is None or message.tail_id != job.id or screen.closing:
            return
        event = message.event
        if not job.shown and isinstance(event, BatchLoaded | PollDone):
            self._reveal(job)
        match event:
            case BatchLoaded():
                store = job.store
                store.append(event.batch, event.ref.location, event.lines)
                keep = self.options.keep
                if keep is not None and len(store) > keep:
                    store.drop_oldest(len(store) - keep)
                if self._shown.holds(store):
                    screen.table.data_changed()
                return
            case ObjectFailed():
                self._object_failed(job, event.ref, event.reason)
            case ObjectDone() if event.error:
                self._object_failed(job, event.ref, event.error)
            case TailStopped():
                job.stopped = True
                self._app.refresh_bindings()  # p and x out of the footer
            case _:
                track(job, event)
        self.show()

    def _object_failed(self, job: TailJob, ref: ObjectRef, reason: str) -> None:
        job.objects_failed += 1
        job.last_problem = str(reason)  # the notification names the object
        self._app.notify(f"{literal(object_name(ref))}: {literal(str(reason))}",
                         title="Tail: object failed", severity="warning", markup=False)

    @on(TailCrashed)
    def crashed(self, message: TailCrashed) -> None:
        job = self.job
        if job is None or message.tail_id != job.id or self._screen.closing:
            return
        self.stop(quiet=True)
        self._app.notify(literal(message.reason), title="Tail stopped", severity="error",
                         markup=False)

    def show(self) -> None:
        """The tail's status line, again (every second while following: ages grow)."""
        job = self.job
        if self._screen.closing:
            return
        try:
            status = self._screen.status
        except NoMatches:  # the timer ticked as the screen's widgets went: the app ends
            return
        if job is None:
            status.tail = ""
            return
        clock = job.engine.clock if job.engine is not None else None
        now = clock() if clock is not None else datetime.now(tz=UTC)
        status.tail = tail_text(job, now)
        if job.stopped and self._timer is not None:
            self._timer.stop()
            self._timer = None

    @property
    def following(self) -> bool:
        """A tail runs (p and x are in the footer)."""
        return self.job is not None and not self.job.stopped

    def pause_key(self) -> None:
        """``p``: pause or resume, or say nothing is followed."""
        if not self.toggle_pause():
            self._app.notify("Not following anything (t on a folder in the browser follows "
                             "it)", markup=False, timeout=3)

    def stop_key(self) -> None:
        """``x``: stop following, or say nothing is followed."""
        if not self.stop():
            self._app.notify("Not following anything", markup=False, timeout=2)

    def toggle_pause(self) -> bool:
        """Pause or resume; False if nothing is being followed."""
        job = self.job
        if job is None or job.stopped or job.engine is None:
            return False
        if job.engine.paused:
            job.engine.resume()
        else:
            job.engine.pause()
        return True
