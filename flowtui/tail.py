"""Live tail of an S3 prefix: poll, list only what is new, load it, say how fresh it is.

AWS delivers a file per flow log about every 5 minutes, usually ~10 minutes after capture,
sometimes later, and several flow logs (each with its own id and format) can write into one
prefix. Keys sort by account, region, flow-log id, then time, so a StartAfter cursor is
time-ordered only within one flow-log id: the engine keeps one cursor per flow-log id per
date (or hour) folder. Each poll walks a folder in key order and jumps, for every flow-log id
it knows, straight past the newest key it has seen: a poll costs one tiny listing per flow-log
id (a listing response is XML that botocore parses in Python, so size matters). About once a
minute a *sweep* jumps to ``newest stamp - lookback`` instead, and also looks at the start of
the folder for new flow logs: a file delivered out of order (an older stamp, or a second file
for the same 5 minutes with a smaller hash) is found then, as long as it is within the
lookback (``LOOKBACK``, 1 hour). One delivered later than that is never read; when a listing
happens to show one (the first file of a flow log in a folder), ``PollDone.missed`` says so.
Folders are chosen from the clock: those whose period overlaps ``[now - late_window, now +
early]``, so at midnight (or the hour) the tail moves on to the new folder and keeps listing
the previous one for late files.

The first complete listing is the starting point: what exists then is not loaded (except the
newest ``backfill`` files per flow log); everything that appears afterwards is, once. Keys are
marked seen before they are loaded, so nothing is ever loaded twice, even after a failure.

The listing side of a poll (which folders, what is new in them, the cursors) is
``tailscan.py``; this module runs the polls, loads what is new, pauses and delivers.

Everything is reported as events through ``on_event`` (the engine thread and the loader's
threads call it, one call at a time): loader events for records (``BatchLoaded``,
``ObjectDone``, ``ObjectFailed``) and the tail's own (``PollDone``, ``PollFailed``,
``Paused``, ``Resumed``, ``TailStopped``). No Textual here: the UI posts these as messages.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from flowtui.events import (
    BatchLoaded,
    LoadEvent,
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
from flowtui.loader import Loader
from flowtui.rowlines import slice_lines
from flowtui.s3.errors import S3AccessError, describe
from flowtui.s3.inflight import Scope
from flowtui.s3.url import S3Url
from flowtui.store import RecordStore
from flowtui.tailscan import Found, PrefixScan, normalise_prefix
from flowtui.timefmt import span

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client

DEFAULT_INTERVAL = 30.0
#: Keep listing a folder this long after its day/hour ended: AWS delivers ~10 min after
#: capture, "best effort", sometimes much later.
LATE_WINDOW = timedelta(hours=2)
#: Start listing the next folder this long before it begins (clock skew around midnight).
EARLY_WINDOW = timedelta(minutes=10)
#: Re-list this far behind the newest stamp of each flow log: files that arrive out of order,
#: or a second file for the same 5 minutes, are still found.
LOOKBACK = timedelta(hours=1)
MAX_BACKOFF = 300.0
#: How often the region folders under a prefix above them are looked for again (new
#: accounts/regions that start delivering).
REDISCOVER_EVERY = 600.0
#: Seconds between sweeps (see the module docstring); polls in between list only keys after
#: the newest seen per flow log.
SWEEP_EVERY = 60.0
#: A newest file older than this is worth a warning (AWS's normal delay is ~10 minutes).
STALE_AFTER = timedelta(minutes=20)

DEFAULT_KEEP = 1_000_000
"""Rows a live view keeps while following (oldest dropped first); ``flowtui tail --keep``."""


@dataclass(frozen=True)
class TailOptions:
    """What the app's tail (``t``, ``flowtui tail``) passes to the engine; ``engine_args``
    is for tests (clock...). ``backfill`` is 1 here: a table that stays empty until the
    next file lands (up to 5 minutes) looks broken, so the newest file of each flow log
    shows at once."""

    interval: float = DEFAULT_INTERVAL
    keep: int | None = DEFAULT_KEEP
    backfill: int = 1
    fields: list[str] | None = None
    engine_args: dict[str, Any] = field(default_factory=dict)


def _utc_now() -> datetime:
    return datetime.now(tz=UTC)


def missed_note(event: PollDone) -> str | None:
    """What a poll says of files it met that the tail will never read (stderr and the
    app's status line), None when there were none."""
    if not event.missed or event.missed_oldest is None or event.lookback is None:
        return None
    files = f"{event.missed} file{'s' if event.missed != 1 else ''}"
    return (f"{files} stamped from {event.missed_oldest:%Y-%m-%d %H:%M} UTC "
            f"{'was' if event.missed == 1 else 'were'} delivered more than "
            f"{span(event.lookback)} behind {'its' if event.missed == 1 else 'their'} flow "
            f"log's newest file: not read (a tail looks back {span(event.lookback)}; "
            "flowtui cat reads them)")


class TailEngine:
    """Follows ``s3://bucket/prefix``; see the module docstring.

    ``run()`` blocks until ``stop()`` (call it from a worker thread); ``start()`` runs it in
    a thread of its own. ``pause()`` holds delivered rows back (polling and loading go on,
    at most ``keep`` rows are held); ``resume()`` delivers them. ``poll_now()`` cuts the
    wait short. ``clock`` gives the UTC wall time used to pick folders and measure
    staleness (tests move it across midnight); the wait between polls is real time.
    """

    def __init__(
        self,
        url: str,
        *,
        client: S3Client,
        on_event: Callable[[TailEvent], None],
        store: RecordStore | None = None,
        interval: float = DEFAULT_INTERVAL,
        keep: int | None = None,
        backfill: int = 0,
        fields: Sequence[str] | None = None,
        concurrency: int = 4,
        clock: Callable[[], datetime] = _utc_now,
        late_window: timedelta = LATE_WINDOW,
        early_window: timedelta = EARLY_WINDOW,
        lookback: timedelta = LOOKBACK,
        max_backoff: float = MAX_BACKOFF,
        rediscover_every: float = REDISCOVER_EVERY,
        sweep_every: float = SWEEP_EVERY,
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        if keep is not None and keep < 1:
            raise ValueError("keep must be at least 1")
        where = S3Url.parse(url)
        self.bucket, self.prefix = where.bucket, normalise_prefix(where.key)
        self.url = str(where.with_key(self.prefix))
        self.client = client
        self.store = store
        self.interval = interval
        self.keep = keep
        self.backfill = max(0, backfill)
        self.fields = list(fields) if fields else None
        self.concurrency = concurrency
        self.clock = clock
        self.max_backoff = max_backoff
        self.sweep_every = sweep_every
        self._swept_at: float | None = None
        self._sweep_requested = False
        self._on_event = on_event

        self._stop = threading.Event()
        self._scope = Scope()  # the poll's requests, cut by stop()
        self._wake = threading.Event()
        self._lock = threading.RLock()  # one event at a time; pause/resume vs delivery
        self._thread: threading.Thread | None = None
        self._paused = False
        self._held: deque[BatchLoaded] = deque()
        self._held_rows = 0
        self._held_dropped = 0
        self.lookback = lookback
        self._listing = PrefixScan(client, self.bucket, self.prefix, lookback=lookback,
                                   late_window=late_window, early_window=early_window,
                                   rediscover_every=rediscover_every, stop=self._stop,
                                   describe=self._describe)
        self.polls = 0
        self.objects = 0
        self.records = 0
        self.failures = 0

    # --- control (any thread) ------------------------------------------------------------

    def start(self) -> None:
        """Run the tail in a thread named ``flowtui-tail``."""
        if self._thread is not None:
            raise RuntimeError("the tail is already running")
        self._thread = threading.Thread(target=self.run, name="flowtui-tail", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 10.0) -> bool:
        """Ask the tail to end (a load in progress is cut) and wait for its thread.
        Returns whether it has ended."""
        self._stop.set()
        self._wake.set()
        self._scope.cut()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            return not thread.is_alive()
        return True

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def poll_now(self, sweep: bool = False) -> None:
        """Poll without waiting for the interval; ``sweep`` also looks back for late files
        and new flow logs (a "refresh" key)."""
        if sweep:
            self._sweep_requested = True
        self._wake.set()

    def set_interval(self, seconds: float) -> None:
        if seconds <= 0:
            raise ValueError("interval must be positive")
        self.interval = seconds
        self._wake.set()

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def held(self) -> int:
        """Records waiting for ``resume()``."""
        return self._held_rows

    def pause(self) -> None:
        with self._lock:
            if self._paused:
                return
            self._paused = True
            self._emit(Paused(self._held_rows))

    def resume(self) -> None:
        with self._lock:
            if not self._paused:
                return
            delivered = 0
            while self._held:
                event = self._held.popleft()
                self._deliver(event)
                delivered += event.batch.num_rows
            dropped = self._held_dropped
            self._held_rows = self._held_dropped = 0
            self._paused = False
            self._emit(Resumed(delivered, dropped))

    # --- the loop --------------------------------------------------------------------------

    def run(self) -> None:
        """Poll until ``stop()``. Never raises for S3 trouble: it becomes ``PollFailed``."""
        try:
            with self._scope.active():
                self._loop()
        finally:
            self._emit(TailStopped(self.polls, self.objects, self.records))

    def _loop(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            self._wake.clear()
            delay = self._poll()
            if self._stop.is_set():
                break
            remaining = delay - (time.monotonic() - started)
            if remaining > 0:
                self._wake.wait(remaining)

    def _poll(self) -> float:
        """One poll; returns the delay until the next one."""
        self.polls += 1
        poll = self.polls
        now = self.clock()
        sweep = (self._sweep_requested or self._swept_at is None
                 or time.monotonic() - self._swept_at >= self.sweep_every)
        self._sweep_requested = False
        was_baseline = self._listing.baseline_open
        newest_before = self._listing.newest_by_group()
        listing = self._listing.scan(now, sweep)
        errors, found = listing.errors, listing.found
        if not errors and sweep:
            self._swept_at = time.monotonic()
        found.extend(self._listing.backfill(listing.baseline, self.backfill))
        found.sort(key=lambda f: (f.stamp, f.entry.key))
        records_before = self.records
        if found and not self._stop.is_set():
            self._load(found)
        if self._stop.is_set():
            return 0.0
        if errors:
            self.failures += 1
            backoff: float = self.interval * 2 ** self.failures
            delay = min(backoff, max(self.interval, self.max_backoff))
            reason = errors[0] + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")
            event: PollDone | PollFailed = PollFailed(
                poll, reason, self.failures, delay, now + timedelta(seconds=delay))
        else:
            self.failures = 0
            delay = self.interval
            newest, newest_key = self._listing.newest or (None, None)
            age = now - newest if newest is not None else None
            late = sorted(f.stamp for f in found  # before its own flow log's newest
                          if f.stamp < newest_before.get(f.group, f.stamp))
            missed = sorted(f.stamp for f in listing.missed)
            event = PollDone(
                poll=poll, new_objects=len(found), records=self.records - records_before,
                newest=newest, newest_key=newest_key, age=age,
                stale=age is not None and age > STALE_AFTER,
                next_poll=now + timedelta(seconds=delay), next_in=delay,
                flow_logs=self._listing.flow_logs, folders=tuple(listing.listed),
                requests=listing.requests, held=self._held_rows, baseline=was_baseline,
                sweep=sweep, delivered=self._listing.newest_delivered, late=len(late),
                late_oldest=late[0] if late else None, missed=len(missed),
                missed_oldest=missed[0] if missed else None, lookback=self.lookback)
        self._emit(event)
        return delay

    # --- loading and delivery ---------------------------------------------------------------

    def _load(self, found: list[Found]) -> None:
        refs = [ObjectRef.s3(S3Url(self.bucket, f.entry.key), f.entry.size, f.entry.etag)
                for f in found]
        self.objects += len(refs)
        loader = Loader(None, client=self.client, concurrency=self.concurrency,
                        fields=self.fields)
        loader.run(refs, self._on_load_event, self._stop)

    def _on_load_event(self, event: LoadEvent) -> None:
        match event:
            case BatchLoaded():
                with self._lock:
                    self.records += event.batch.num_rows
                    if self._paused:
                        self._hold(event)
                    else:
                        self._deliver(event)
            case ObjectDone() | ObjectFailed():
                self._emit(event)
            case _:  # progress is the tail's own business (PollDone)
                pass

    def _hold(self, event: BatchLoaded) -> None:
        """While paused: keep the batch back, the newest ``keep`` rows at most."""
        self._held.append(event)
        self._held_rows += event.batch.num_rows
        if self.keep is None:
            return
        while self._held_rows > self.keep and self._held:
            extra = self._held_rows - self.keep
            oldest = self._held[0]
            if oldest.batch.num_rows <= extra:
                self._held.popleft()
                cut = oldest.batch.num_rows
            else:
                self._held[0] = BatchLoaded(oldest.ref, oldest.batch.slice(extra),
                                            slice_lines(oldest.lines, extra), oldest.family)
                cut = extra
            self._held_rows -= cut
            self._held_dropped += cut

    def _deliver(self, event: BatchLoaded) -> None:
        """With the lock held: into the store (trimmed to ``keep``), then the event."""
        if self.store is not None:
            self.store.append(event.batch, event.ref.location, event.lines)
            if self.keep is not None and len(self.store) > self.keep:
                self.store.drop_oldest(len(self.store) - self.keep)
        self._emit(event)

    def _emit(self, event: TailEvent) -> None:
        with self._lock:
            self._on_event(event)

    def _describe(self, exc: BaseException, key: str) -> str:
        if isinstance(exc, S3AccessError):
            return str(exc)
        return describe(exc, bucket=self.bucket, key=key or None,
                        region=self.client.meta.region_name)
