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
lookback. Folders are chosen from the clock: those
whose period overlaps ``[now - late_window, now + early]``, so at midnight (or the hour) the
tail moves on to the new folder and keeps listing the previous one for late files.

The first complete listing is the starting point: what exists then is not loaded (except the
newest ``backfill`` files per flow log); everything that appears afterwards is, once. Keys are
marked seen before they are loaded, so nothing is ever loaded twice, even after a failure.

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
from typing import Any

from flowtui import layout
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
from flowtui.s3.errors import S3AccessError, describe
from flowtui.s3.inflight import Scope
from flowtui.s3.listing import Entry, PrefixPager
from flowtui.s3.select import parse_s3_url, region_roots
from flowtui.store import RecordStore

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

#: Keys asked for by the first request in a folder: it usually only shows which flow log
#: comes first. Every key in a response is XML that botocore parses in Python: an idle poll
#: asks for little more than it expects to see.
_PROBE_KEYS = 1
_MAX_KEYS = 1000


# --- events: in flowtui.events (PollDone, PollFailed, Paused, Resumed, TailStopped) ----------


# --- state ----------------------------------------------------------------------------------


@dataclass
class _Group:
    """One flow-log id in one folder: the newest stamp seen and the keys seen since
    ``newest - lookback`` (older keys sort before the cursor and are never listed again)."""

    prefix: str  # folder + "<account>_vpcflowlogs_<region>_<flow-log-id>_"
    flow_log_id: str
    newest: datetime | None = None
    last: str | None = None  # the greatest key seen: newest stamp, greatest hash
    seen: dict[str, datetime] = field(default_factory=dict)

    def start_after(self, lookback: timedelta, sweep: bool) -> str | None:
        if self.newest is None:
            return None
        if not sweep:
            return self.last
        return self.prefix + f"{self.newest - lookback:%Y%m%dT%H%MZ}"

    def add(self, key: str, stamp: datetime, lookback: timedelta) -> None:
        self.seen[key] = stamp
        if self.last is None or key > self.last:
            self.last = key
        if self.newest is None or stamp > self.newest:
            self.newest = stamp
            bound = stamp - lookback
            self.seen = {k: t for k, t in self.seen.items() if t >= bound}


@dataclass
class _Folder:
    groups: dict[str, _Group] = field(default_factory=dict)


@dataclass(frozen=True)
class _Found:
    entry: Entry
    group: str
    flow_log_id: str
    stamp: datetime


@dataclass(frozen=True)
class _Watch:
    folder: str  # ends with "/" (or "" for a bucket root)
    filter: str  # keys must start with this (the tailed prefix, when it is inside folder)
    hours: str  # "none" | "range" | "latest": which hour subfolders to follow


def _utc_now() -> datetime:
    return datetime.now(tz=UTC)


def _name_facts(key: str) -> tuple[str, str, datetime] | None:
    """(group prefix, flow-log id, stamp) for a flow-log key, from its file name."""
    name = key.rpartition("/")[2]
    parts = layout.parse_file_name(name)
    if parts is None:
        return None
    try:
        stamp = datetime.strptime(parts["stamp"], "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    group = (key[: len(key) - len(name)]
             + f"{parts['account']}_vpcflowlogs_{parts['region']}_{parts['flow_log_id']}_")
    return group, parts["flow_log_id"], stamp


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
        client: Any,
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
        self.bucket, key = parse_s3_url(url)
        self.prefix = _normalise(key)
        self.url = f"s3://{self.bucket}/{self.prefix}"
        self.client = client
        self.store = store
        self.interval = interval
        self.keep = keep
        self.backfill = max(0, backfill)
        self.fields = list(fields) if fields else None
        self.concurrency = concurrency
        self.clock = clock
        self.late_window = late_window
        self.early_window = early_window
        self.lookback = lookback
        self.max_backoff = max_backoff
        self.rediscover_every = rediscover_every
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
        self._folders: dict[str, _Folder] = {}
        self._roots: list[layout.RegionRoot] | None = None
        self._roots_at = 0.0
        self._baseline_open = True  # until a poll completes without errors
        self._newest: tuple[datetime, str] | None = None
        self._newest_delivered: datetime | None = None  # the newest file's LastModified
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
        requests = [0]
        sweep = (self._sweep_requested or self._swept_at is None
                 or time.monotonic() - self._swept_at >= self.sweep_every)
        self._sweep_requested = False
        errors: list[str] = []
        found: list[_Found] = []
        baseline: list[_Found] = []
        listed: list[str] = []
        try:
            watches = self._plan(now, requests)
        except Exception as exc:  # one line, whatever went wrong
            errors.append(self._describe(exc, self.prefix))
            watches = []
        for watch in watches:
            if self._stop.is_set():
                break
            self._follow(watch, now, requests, found, baseline, listed, errors, sweep)
        was_baseline = self._baseline_open
        if not errors:
            if sweep:
                self._swept_at = time.monotonic()
            self._baseline_open = False
            keep = set(listed)
            for folder in [f for f in self._folders if f not in keep]:
                del self._folders[folder]  # out of range: its cursors are not needed again
        found.extend(self._backfill(baseline))
        found.sort(key=lambda f: (f.stamp, f.entry.key))
        records_before = self.records
        if found and not self._stop.is_set():
            self._load(found)
        if self._stop.is_set():
            return 0.0
        if errors:
            self.failures += 1
            delay = min(self.interval * 2 ** self.failures, max(self.interval, self.max_backoff))
            reason = errors[0] + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")
            event: PollDone | PollFailed = PollFailed(
                poll, reason, self.failures, delay, now + timedelta(seconds=delay))
        else:
            self.failures = 0
            delay = self.interval
            newest, newest_key = self._newest if self._newest else (None, None)
            age = now - newest if newest is not None else None
            event = PollDone(
                poll=poll, new_objects=len(found), records=self.records - records_before,
                newest=newest, newest_key=newest_key, age=age,
                stale=age is not None and age > STALE_AFTER,
                next_poll=now + timedelta(seconds=delay), next_in=delay,
                flow_logs=len({g.flow_log_id for f in self._folders.values()
                               for g in f.groups.values()}),
                folders=tuple(listed), requests=requests[0], held=self._held_rows,
                baseline=was_baseline, sweep=sweep, delivered=self._newest_delivered)
        self._emit(event)
        return delay

    # --- which folders --------------------------------------------------------------------

    def _plan(self, now: datetime, requests: list[int]) -> list[_Watch]:
        """The folders to list this poll, from the prefix and the clock."""
        roots = self._region_roots(requests)
        if not roots:  # not a flow-log tree: list the prefix's own folder
            folder = self.prefix.rpartition("/")[0] + "/" if "/" in self.prefix else ""
            return [_Watch(folder, self.prefix, "none")]
        lo, hi = now - self.late_window, now + self.early_window
        watches = []
        for root in roots:
            fixed = _fixed_folder(root, self.prefix)
            if fixed is not None:
                watches.append(fixed)
                continue
            day = lo.date()
            while day <= hi.date():
                folder = layout.day_prefix(root, day)
                if folder.startswith(self.prefix):
                    watches.append(_Watch(folder, "", "range"))
                day += timedelta(days=1)
        return watches

    def _region_roots(self, requests: list[int]) -> list[layout.RegionRoot]:
        root = layout.region_root(self.prefix)
        if root is not None:
            return [root]
        if layout.find_awslogs(self.prefix) is None and layout.parse_file_name(
                self.prefix.rpartition("/")[2]) is not None:
            return []
        stale = time.monotonic() - self._roots_at > self.rediscover_every
        if self._roots is None or stale:
            counter = _CountingClient(self.client)
            roots = region_roots(counter, self.bucket, self.prefix)
            requests[0] += counter.calls
            self._roots, self._roots_at = roots, time.monotonic()
        return self._roots

    def _follow(self, watch: _Watch, now: datetime, requests: list[int], found: list[_Found],
                baseline: list[_Found], listed: list[str], errors: list[str],
                sweep: bool) -> None:
        """List one folder (and the hour folders under it that the watch wants)."""
        try:
            subfolders = self._scan(watch.folder, watch.filter, requests, found, baseline,
                                    sweep)
        except Exception as exc:
            errors.append(self._describe(exc, watch.folder))
            return
        listed.append(watch.folder)
        hours = [s for s in subfolders if layout.parse_hour_folder(s) is not None
                 and (s.startswith(watch.filter) or watch.filter.startswith(s))]
        if watch.hours == "none" or not hours:
            return
        day = layout.parse_day_prefix(watch.folder)
        chosen = []
        if day is not None:
            lo, hi = now - self.late_window, now + self.early_window
            for sub in hours:
                hour = layout.parse_hour_folder(sub)
                assert hour is not None
                start = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
                if start + timedelta(hours=1) > lo and start <= hi:
                    chosen.append(sub)
        if not chosen and watch.hours == "latest":
            chosen = hours[-2:]  # a past day the user named: its last hours get late files
        for sub in chosen:
            if self._stop.is_set():
                return
            self._follow(_Watch(sub, watch.filter if len(watch.filter) > len(sub) else "",
                                "none"), now, requests, found, baseline, listed, errors, sweep)

    # --- listing one folder ----------------------------------------------------------------

    def _scan(self, folder: str, flt: str, requests: list[int], found: list[_Found],
              baseline: list[_Found], sweep: bool) -> list[str]:
        """Walk ``folder`` in key order, jumping over what each known flow log has already
        shown; new keys go to ``found`` (or ``baseline`` on the first listing). Returns the
        subfolders met on the way."""
        state = self._folders.get(folder)
        first = state is None
        if state is None:
            state = _Folder()
        taking_baseline = first and self._baseline_open
        subfolders: list[str] = []
        new: list[_Found] = []
        # Keys starting with the filter sort after the filter less its last character.
        start_after = flt[:-1] if flt else None
        if not sweep and state.groups:  # new flow logs sorting first wait for a sweep
            resume = state.groups[min(state.groups)].start_after(self.lookback, False)
            start_after = resume if resume is not None else start_after
        pager = PrefixPager(self.client, self.bucket, folder, page_size=_PROBE_KEYS,
                            start_after=start_after)
        done = False
        while pager.has_more and not done and not self._stop.is_set():
            entries = pager.next_page()
            requests[0] += 1
            jump: str | None = None
            jump_group: _Group | None = None
            for e in entries:
                if flt and not e.key.startswith(flt):
                    if e.key > flt and not flt.startswith(e.key):
                        done = True  # past everything the filter can match
                        break
                    continue
                if e.kind == "prefix":
                    subfolders.append(e.key)
                    continue
                facts = _name_facts(e.key)
                if facts is None:
                    continue  # not a flow-log object (README, _SUCCESS marker, ...)
                group_prefix, flid, stamp = facts
                group = state.groups.get(group_prefix)
                if group is None:
                    group = state.groups[group_prefix] = _Group(group_prefix, flid)
                after = group.start_after(self.lookback, sweep)
                if after is not None and e.key <= after:
                    jump, jump_group = after, group
                    break
                if e.key in group.seen:
                    continue
                new.append(_Found(e, group_prefix, flid, stamp))
            if jump is not None and jump_group is not None:
                # the keys already seen in the window, one new, and the next flow log's first
                expect = (len(jump_group.seen) if sweep else 0) + 2
                pager = PrefixPager(self.client, self.bucket, folder,
                                    page_size=min(_MAX_KEYS, expect), start_after=jump)
            else:
                pager.page_size = min(_MAX_KEYS, pager.page_size * 4)
        if self._stop.is_set():
            return subfolders
        # Commit only after the whole folder was listed: a listing cut by an error leaves
        # the cursors as they were, and the next poll finds the same keys again.
        self._folders[folder] = state
        for f in new:
            state.groups[f.group].add(f.entry.key, f.stamp, self.lookback)
            if self._newest is None or (f.stamp, f.entry.key) > self._newest:
                self._newest = (f.stamp, f.entry.key)
                self._newest_delivered = f.entry.last_modified
        (baseline if taking_baseline else found).extend(new)
        return subfolders

    def _backfill(self, baseline: list[_Found]) -> list[_Found]:
        """The newest ``backfill`` files per flow log among those the starting point saw."""
        if not self.backfill or not baseline:
            return []
        by_log: dict[tuple[str, str], list[_Found]] = {}
        for f in baseline:
            facts = f.group.rpartition("/")[2]  # account_vpcflowlogs_region_flid_
            by_log.setdefault((facts, f.flow_log_id), []).append(f)
        out: list[_Found] = []
        for items in by_log.values():
            items.sort(key=lambda f: (f.stamp, f.entry.key))
            out.extend(items[-self.backfill:])
        return out

    # --- loading and delivery ---------------------------------------------------------------

    def _load(self, found: list[_Found]) -> None:
        refs = [ObjectRef(f"s3://{self.bucket}/{f.entry.key}", f.entry.size, f.entry.etag)
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
                self._held[0] = BatchLoaded(oldest.ref, oldest.batch.slice(extra))
                cut = extra
            self._held_rows -= cut
            self._held_dropped += cut

    def _deliver(self, event: BatchLoaded) -> None:
        """With the lock held: into the store (trimmed to ``keep``), then the event."""
        if self.store is not None:
            self.store.append(event.batch, event.ref.location)
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
                        region=getattr(getattr(self.client, "meta", None), "region_name", None))


class _CountingClient:
    """Counts the list calls region discovery makes (for ``PollDone.requests``)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls = 0

    def list_objects_v2(self, **kw: Any) -> Any:
        self.calls += 1
        return self._client.list_objects_v2(**kw)


def _normalise(key: str) -> str:
    """A prefix naming a folder without its "/" gets one; a partial file name stays as is."""
    if not key or key.endswith("/"):
        return key
    last = key.rpartition("/")[2]
    if "_vpcflowlogs_" in last or layout.parse_file_name(last) is not None:
        return key
    return key + "/"


def _fixed_folder(root: layout.RegionRoot, prefix: str) -> _Watch | None:
    """When the prefix names a day folder or something inside one, that folder is fixed
    (no clock): a day folder follows its hour folders in range (or its last ones)."""
    if not prefix.startswith(root.prefix):
        return None
    rest = prefix[len(root.prefix):].split("/")
    if len(rest) < 4:  # year / month / day / (after the day's "/")
        return None
    day = root.prefix + "/".join(rest[:3]) + "/"
    if layout.parse_day_prefix(day) is None:
        return None
    inside = rest[3:]
    if len(inside) >= 2 and layout.parse_hour_folder(inside[0]) is not None:
        hour = day + inside[0] + "/"
        return _Watch(hour, prefix if len(prefix) > len(hour) else "", "none")
    return _Watch(day, prefix if len(prefix) > len(day) else "", "latest")
