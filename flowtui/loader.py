"""Loading flow-log objects (S3 or local) into the store, several at once, in key order.

Several objects are fetched concurrently because a single S3 stream rarely fills the link and
every GET waits 20-60 ms for its first byte, but records reach the store in key order (the
order of the refs), so what the user sees does not depend on which download won: the object
at the head of the order streams straight into the store, later ones buffer their batches
until their turn, up to a budget of bytes (then they wait). How many at once is chosen from
the objects (``choose_concurrency``) unless the caller says. Everything is reported as events
from the worker threads; cancelling stops every worker within a chunk (a stalled connection
is cut, and so is a request still waiting for its answer) and ``run`` returns once its
threads have ended (after a cancel, at most ``STOP_WAIT`` later: a thread still stuck in a
socket call is a daemon and delivers nothing more).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from flowtui.concurrency import choose_concurrency as choose_concurrency
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
from flowtui.parquet import iter_parquet_batches, looks_like_parquet
from flowtui.parser import FlowLogParser
from flowtui.query.times import window_filter
from flowtui.reffeed import RefFeed
from flowtui.refs import LoadError as LoadError
from flowtui.refs import resolve as resolve
from flowtui.sniff import PARQUET_MAGIC
from flowtui.store import RecordStore

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client

# The S3 modules (botocore, urllib3: a fifth of a second and ~15 MB) are imported when an
# S3 object is loaded: ``top`` or ``hist`` of a local file never needs them.

log = logging.getLogger(__name__)

LOCAL_CHUNK = 1 << 20
#: Objects smaller than this (compressed) are parsed on their worker's thread alone.
PIPELINE_MIN_BYTES = 4 << 20
#: Arrow bytes that objects not yet at the head of the key order may hold between them.
MAX_BUFFERED_BYTES = 64 << 20
#: Objects inflated and parsed at once besides the head of the key order (None: one per
#: core). Many more may be fetched at once (their requests wait on the network), but
#: parsing is CPU work: more parses than cores only hold more text and Arrow buffers at
#: once (each thread's malloc arena then keeps its high-water mark) and finish no sooner.
PARSE_TURNS: int | None = None
PROGRESS_INTERVAL = 0.1  # seconds between progress events while batches stream in
STOP_WAIT = 2.0  # seconds a cancelled run waits for its threads before it returns
#: Seconds the other workers wait for the first object's first records (or its end) before
#: they start: their requests and parsing would share the GIL with the first object's.
FIRST_RECORDS_WAIT = 0.25


Event = LoadEvent
"""The loader's events (the name the callers used before ``flowtui.events``)."""


# --- choosing what to load: flowtui.refs (re-exported for the loader's callers) ---------


def _small_s3_objects(refs: Sequence[ObjectRef]) -> bool:
    """Whether ``refs`` (those known when the load starts) are S3 objects too small to be
    parsed in a pipeline of their own (``PIPELINE_MIN_BYTES``): many small blocks."""
    sizes = [r.size for r in refs if r.is_s3 and r.size is not None]
    return bool(sizes) and sum(sizes) / len(sizes) < PIPELINE_MIN_BYTES


# --- the loader ----------------------------------------------------------------------------


def _join(threads: Sequence[threading.Thread], timeout: float | None) -> None:
    """Wait for ``threads``, all of them within ``timeout`` seconds when it is given."""
    deadline = None if timeout is None else time.monotonic() + timeout
    for t in threads:
        t.join(None if deadline is None else max(0.0, deadline - time.monotonic()))


class _Slot:
    __slots__ = ("ref", "pending", "pending_bytes", "done", "parsing")

    def __init__(self, ref: ObjectRef) -> None:
        self.ref = ref
        self.pending: list[Any] = []
        self.pending_bytes = 0
        self.done = False
        self.parsing = False  # holds one of the run's parse turns


class Loader:
    """Loads objects into ``store`` (if given) and reports events.

    ``concurrency`` objects are fetched at once (``None``: chosen per run from the objects'
    number and sizes, see ``choose_concurrency``; ``chosen`` says what it was); at most
    ``2 * concurrency`` are in flight or waiting for their turn, and the batches of objects
    waiting for their turn hold at most ``max_buffered`` bytes between them (a worker whose
    next batch would pass it waits; the head of the order never does). ``since`` /
    ``until`` drop records outside a UTC window; ``predicate`` (a batch → its matching rows,
    e.g. ``ArrowPredicate.filter``) drops the rest in the worker threads, before a batch is
    queued or stored, so memory holds only matches. ``columns`` (None: all) are the only
    columns read (see ``FlowLogParser``; Parquet objects give all theirs): a question that
    needs a few columns types only those. ``prefilter`` (see ``FlowLogParser``) lets the
    parser drop records before it types them all; ``predicate`` still decides.
    ``dictionaries=False``: text columns as plain strings (see ``FlowLogParser``).
    ``on_event`` is called from worker threads,
    one call at a time and in order (the delivery lock is held): keep it quick, e.g. post a
    message to the UI. ``run`` also takes a ``RefFeed``, whose refs may still be arriving
    (a folder being listed): they load in the order they arrive, as given ones do. The
    first object is read alone until its first records are out (``FIRST_RECORDS_WAIT`` at
    most), so the first rows do not wait behind every other object's request and parse.
    """

    def __init__(self, store: RecordStore | None, *, client: S3Client | None = None,
                 concurrency: int | None = None, fields: Sequence[str] | None = None,
                 since: datetime | None = None, until: datetime | None = None,
                 chunk_size: int | None = None,
                 predicate: Callable[[pa.RecordBatch], pa.RecordBatch] | None = None,
                 max_buffered: int = MAX_BUFFERED_BYTES,
                 columns: Sequence[str] | None = None, prefilter: Any = None,
                 dictionaries: bool = True, parse_turns: int | None = PARSE_TURNS) -> None:
        if concurrency is not None and concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if parse_turns is not None and parse_turns < 1:
            raise ValueError("parse_turns must be at least 1")
        self.parse_turns = parse_turns or max(2, os.cpu_count() or 2)
        self.store = store
        self.client = client
        self.concurrency = concurrency
        self.chosen = concurrency or 1
        self.max_buffered = max_buffered
        #: Bytes held now by objects waiting for their turn, the most held during the run,
        #: and how often a worker waited for room (for tests and benchmarks).
        self.buffered_bytes = 0
        self.peak_buffered_bytes = 0
        self.waits_for_room = 0
        #: S3 objects being parsed now, besides the head's, and the most at once (tests).
        self.parsing = 0
        self.peak_parsing = 0
        self.fields = list(fields) if fields else None
        self.since = since
        self.until = until
        self.chunk_size = chunk_size
        self.predicate = predicate
        self.columns = None if columns is None else list(columns)
        self.prefilter = prefilter
        self.dictionaries = dictionaries

    # The state of one run lives on the instance while it runs: one run at a time.
    def run(self, refs: Sequence[ObjectRef] | RefFeed, on_event: Callable[[LoadEvent], None],
            cancel: threading.Event) -> LoadProgress:
        """Load ``refs`` (blocking; call it from a worker thread). Returns the final
        progress after ``LoadFinished`` has been sent and every thread has ended."""
        feed = refs if isinstance(refs, RefFeed) else RefFeed.of(refs)
        with feed.lock:
            refs = list(feed.refs)
            more = not feed.complete
        self.chosen = self.concurrency or choose_concurrency(refs, more=more)
        self.buffered_bytes = self.peak_buffered_bytes = self.waits_for_room = 0
        self.parsing = self.peak_parsing = 0
        self._feed = feed
        self._refs = feed.refs  # grows while the feed is open; read with the lock held
        self._slots: list[_Slot] = []  # one per object taken, in order
        self._on_event = on_event
        self._cancel = cancel
        self._lock = feed.lock  # the feed's: a ref added wakes the workers waiting for one
        self._head = 0
        self._next = 0
        self._done = 0
        self._bytes = 0
        self._records = 0
        self._bad = 0
        self._errors = 0
        self._last_progress = 0.0
        self._active: set[Any] = set()  # streams to abort on cancel
        self._scope: Any = _NoRequests()
        if any(r.is_s3 for r in refs):
            from flowtui.s3.inflight import Scope

            self._scope = Scope()  # the workers' requests, cut on cancel
        if _small_s3_objects(refs):
            from flowtui.memory import loading_small_objects

            loading_small_objects()
        if any(r.is_s3 for r in refs) and self.client is None:
            from flowtui.s3.session import make_client, pool_size

            self.client = make_client(max_pool_connections=pool_size(self.chosen))
        finished = threading.Event()
        remaining = [self.chosen if more else min(self.chosen, len(refs))]
        self._first_out = threading.Event()

        def work() -> None:
            try:
                with self._scope.active():
                    self._work()
            finally:
                self._first_out.set()  # a worker that ends lets the others start
                with self._lock:
                    remaining[0] -= 1
                    if remaining[0] == 0:
                        finished.set()

        threads = [threading.Thread(target=work, name=f"flowtui-load-{i}", daemon=True)
                   for i in range(remaining[0])]
        if not threads:
            finished.set()
        started = threads[:1]
        for t in started:
            t.start()
        aborted_at: float | None = None
        try:
            if len(threads) > 1:
                # First records first: one worker takes the first object, the others start
                # once its first records are delivered (or it ended, or a moment passed).
                self._first_out.wait(FIRST_RECORDS_WAIT)
                for t in threads[1:]:
                    t.start()
                    started.append(t)
            while not finished.wait(0.05):
                if cancel.is_set():
                    if aborted_at is None:
                        aborted_at = time.monotonic()
                        self._abort_all()
                    elif time.monotonic() - aborted_at > STOP_WAIT:
                        break
        except BaseException:  # Ctrl-C in the calling thread: stop the workers, then re-raise
            cancel.set()
            self._abort_all()
            _join(started, STOP_WAIT)
            raise
        _join(started, None if finished.is_set() else 0.0)
        cancelled = cancel.is_set()
        progress = self._progress()
        on_event(LoadFinished(progress, cancelled))
        return progress

    def _progress(self) -> LoadProgress:
        sizes = [r.size for r in self._refs]
        total = sum(sizes) if all(s is not None for s in sizes) else None  # type: ignore[arg-type]
        return LoadProgress(self._done, len(self._refs), self._bytes, self._records, self._bad,
                            self._errors, total)

    def _abort_all(self) -> None:
        self._scope.cut()
        with self._lock:
            active = list(self._active)
            self._lock.notify_all()
        for stream in active:
            stream.abort()

    # --- ordering ---------------------------------------------------------------------------

    def _work(self) -> None:
        window = 2 * self.chosen
        while True:
            with self._lock:
                while not self._cancel.is_set() and (
                        (self._next >= len(self._refs) and not self._feed.complete)
                        or (self._next < len(self._refs)
                            and (self._next >= self._head + window
                                 or self.buffered_bytes >= self.max_buffered))):
                    self._lock.wait(0.1)
                if self._cancel.is_set() or self._next >= len(self._refs):
                    return
                index = self._next
                self._next += 1
                self._slots.append(_Slot(self._refs[index]))
            self._load(index)

    def _emit(self, index: int, event: LoadEvent) -> None:
        size = event.batch.nbytes if isinstance(event, BatchLoaded) else 0
        with self._lock:
            if index != self._head and size and self._full(size):
                self.waits_for_room += 1
                while index != self._head and self._full(size) and not self._cancel.is_set():
                    self._lock.wait(0.1)
            if self._cancel.is_set():
                return
            if index == self._head:
                self._deliver(event)
            else:
                self._hold(self._slots[index], event, size)

    def _full(self, size: int) -> bool:
        """With the lock held: would ``size`` more bytes pass the budget? (Something must be
        buffered already: a batch larger than the whole budget still goes through alone.)"""
        return self.buffered_bytes > 0 and self.buffered_bytes + size > self.max_buffered

    def _hold(self, slot: _Slot, event: LoadEvent, size: int) -> None:
        slot.pending.append(event)
        slot.pending_bytes += size
        self.buffered_bytes += size
        self.peak_buffered_bytes = max(self.peak_buffered_bytes, self.buffered_bytes)

    def _finish(self, index: int, event: LoadEvent) -> None:
        with self._lock:
            if self._cancel.is_set():
                return
            slot = self._slots[index]
            if index == self._head:
                self._deliver(event)
            else:
                self._hold(slot, event, 0)
            slot.done = True
            while self._head < len(self._slots) and self._slots[self._head].done:
                self._head += 1
                if self._head < len(self._slots):
                    nxt = self._slots[self._head]
                    for pending in nxt.pending:
                        self._deliver(pending)
                    nxt.pending.clear()
                    self.buffered_bytes -= nxt.pending_bytes
                    nxt.pending_bytes = 0
            self._lock.notify_all()

    def _take_turn(self, index: int) -> None:
        """Wait for a parse turn for the object at ``index`` (with its first bytes in hand):
        the head of the order never waits, and takes none."""
        with self._lock:
            slot = self._slots[index]
            while (index != self._head and self.parsing >= self.parse_turns
                   and not self._cancel.is_set()):
                self._lock.wait(0.1)
            if index != self._head and not slot.parsing:
                slot.parsing = True
                self.parsing += 1
                self.peak_parsing = max(self.peak_parsing, self.parsing)

    def _end_turn(self, index: int) -> None:
        with self._lock:
            slot = self._slots[index]
            if slot.parsing:
                slot.parsing = False
                self.parsing -= 1
                self._lock.notify_all()

    def _deliver(self, event: LoadEvent) -> None:
        """With the lock held: the event is next in key order."""
        if isinstance(event, (BatchLoaded, ObjectDone, ObjectFailed)):
            self._first_out.set()
        if isinstance(event, BatchLoaded):
            if self.store is not None:
                self.store.append(event.batch, event.ref.location, event.lines)
            self._records += event.batch.num_rows
            self._on_event(event)
            now = time.monotonic()
            if now - self._last_progress >= PROGRESS_INTERVAL:
                self._last_progress = now
                self._on_event(self._progress())
            return
        if isinstance(event, (ObjectDone, ObjectFailed)):
            self._done += 1
            if isinstance(event, ObjectDone):
                self._bad += event.bad_count
                if event.error:
                    self._errors += 1
            else:
                self._errors += 1
            self._on_event(event)
            self._last_progress = time.monotonic()
            self._on_event(self._progress())
            return
        self._on_event(event)

    # --- one object -------------------------------------------------------------------------

    def _count(self, n: int) -> None:
        with self._lock:
            self._bytes += n

    def _load(self, index: int) -> None:
        ref = self._refs[index]
        self._emit(index, ObjectStarted(ref))
        # A parse thread per object pays off only when the object has many blocks to type
        # while the next is inflated; small objects are one or two blocks, and the loader's
        # own workers already overlap them.
        pipelined = ref.size is None or ref.size >= PIPELINE_MIN_BYTES
        parser = FlowLogParser(self.fields, name=ref.location, cancel=self._cancel,
                               pipelined=pipelined, columns=self.columns,
                               prefilter=self.prefilter, dictionaries=self.dictionaries,
                               line_numbers=True)
        delivered = 0
        try:
            for batch in self._batches(index, ref, parser):
                lines = parser.lines_of(batch)
                rows = batch.num_rows
                if self.since is not None or self.until is not None:
                    batch = window_filter(batch, self.since, self.until)
                if self.predicate is not None and batch.num_rows:
                    batch = self.predicate(batch)
                if batch.num_rows:
                    delivered += batch.num_rows
                    # rows filtered out: which lines those left are is not kept
                    self._emit(index, BatchLoaded(ref, batch,
                                                  lines if batch.num_rows == rows else None,
                                                  parser.family_of(batch)))
        except Exception as exc:  # any failure is this object's, reported in one line
            if self._cancel.is_set() or _cancelled(exc):
                return
            from flowtui.s3.errors import safe_text

            log.debug("loading %s failed", safe_text(ref.location), exc_info=True)
            self._finish(index, ObjectFailed(ref, self._reason(ref, exc, delivered)))
            return
        finally:
            parser.close()
            self._end_turn(index)
        if self._cancel.is_set():
            return
        self._finish(index, ObjectDone(ref, delivered, list(parser.bad_lines), parser.error,
                                       parser.bad_count))

    def _reason(self, ref: ObjectRef, exc: BaseException, delivered: int) -> str:
        from flowtui.s3.errors import describe, safe_text

        if ref.is_s3:
            url = ref.url
            reason = describe(exc, bucket=url.bucket, key=url.key,
                              region=self.client.meta.region_name if self.client else None)
        elif isinstance(exc, OSError):
            reason = safe_text(f"{ref.location}: {exc.strerror or exc}")
        else:
            reason = safe_text(f"{ref.location}: {exc}")
        if delivered:
            reason += f" (after {delivered} records)"
        return reason

    def _s3(self) -> S3Client:
        """The client ``run`` made (or was given) before any S3 object is read."""
        if self.client is None:
            raise RuntimeError("an S3 object is read before the loader has a client")
        return self.client

    def _batches(self, index: int, ref: ObjectRef, parser: FlowLogParser
                 ) -> Iterator[pa.RecordBatch]:
        if ref.is_s3:
            bucket, key = ref.url.bucket, ref.url.key
            # By the first bytes, not the name (issue 20.15): a name that says Parquet is
            # checked with the reader's first block; any other object is peeked at as it
            # streams (``_s3_text``).
            if looks_like_parquet(key):
                from flowtui.s3.reader import RangeFile

                f = RangeFile(self._s3(), bucket, key, size=ref.size, etag=ref.etag,
                              cancel=self._cancel)
                if looks_like_parquet(f.read(len(PARQUET_MAGIC))):
                    f.seek(0)
                    yield from self._s3_parquet(ref, bucket, key, parser, f)
                    return
            yield from self._s3_text(index, ref, bucket, key, parser)
        else:
            yield from self._local(ref, parser)

    def _tracked(self, stream: Any) -> Any:
        with self._lock:
            self._active.add(stream)
        if self._cancel.is_set():
            stream.abort()
        return stream

    def _untrack(self, stream: Any) -> None:
        with self._lock:
            self._active.discard(stream)

    def _s3_text(self, index: int, ref: ObjectRef, bucket: str, key: str,
                 parser: FlowLogParser) -> Iterator[pa.RecordBatch]:
        from flowtui.s3.reader import CHUNK_SIZE, ObjectStream

        # Pinned to the ETag of the first response, not the listing's: an object replaced
        # between listing and reading is simply read as it now is.
        ahead = self._feed.take_read_ahead(ref.location)  # the listing's, for the first
        stream = self._tracked(ahead.stream if ahead is not None else ObjectStream(
            self._s3(), bucket, key, chunk_size=self.chunk_size or CHUNK_SIZE,
            cancel=self._cancel))
        parquet = False
        try:
            first = True
            for chunk in ahead if ahead is not None else stream:
                if first and looks_like_parquet(chunk):  # Parquet whatever its name says
                    parquet = True
                    stream.abort()
                    break
                if first:  # its answer is here: parse it when a turn is free
                    self._take_turn(index)
                first = False
                self._count(len(chunk))
                yield from parser.stream(chunk)
            if not parquet:
                yield from parser.finish()
        finally:
            self._untrack(stream)
        if parquet:
            yield from self._s3_parquet(ref, bucket, key, parser)

    def _s3_parquet(self, ref: ObjectRef, bucket: str, key: str, parser: FlowLogParser,
                    f: Any = None) -> Iterator[pa.RecordBatch]:
        from flowtui.s3.reader import Cancelled, RangeFile

        if f is None:  # else the RangeFile that read the first bytes (``_batches``)
            f = RangeFile(self._s3(), bucket, key, size=ref.size, etag=ref.etag,
                          cancel=self._cancel)
        self._tracked(f)
        seen = 0
        try:
            for batch in iter_parquet_batches(f, report=parser):
                self._count(f.bytes_fetched - seen)
                seen = f.bytes_fetched
                if self._cancel.is_set():
                    raise Cancelled()
                yield batch
            self._count(f.bytes_fetched - seen)
        finally:
            self._untrack(f)

    def _local(self, ref: ObjectRef, parser: FlowLogParser) -> Iterator[pa.RecordBatch]:
        with open(ref.location, "rb") as handle:
            head = handle.read(4)
            if looks_like_parquet(head):  # by content, whatever the name says
                for batch in iter_parquet_batches(ref.location, report=parser):
                    if self._cancel.is_set():
                        raise _Stopped()
                    yield batch
                self._count(ref.size or 0)
                return
            self._count(len(head))
            # A local file has its next chunk at hand: the parser's blocks still being typed
            # come back with the next chunk, so inflating overlaps typing (see ``stream``).
            yield from parser.stream(head, wait=False)
            while chunk := handle.read(LOCAL_CHUNK):
                if self._cancel.is_set():
                    raise _Stopped()
                self._count(len(chunk))
                yield from parser.stream(chunk, wait=False)
            yield from parser.finish()


class _Stopped(Exception):
    """A local object's load stopped by a cancel."""


class _NoRequests:
    """The request scope of a run with no S3 object: nothing to cut."""

    @staticmethod
    def active() -> Any:
        import contextlib

        return contextlib.nullcontext()

    def cut(self) -> None:
        pass


def _cancelled(exc: BaseException) -> bool:
    """Whether ``exc`` says the load was cancelled (a cut request, a closed client, a stop)."""
    if isinstance(exc, _Stopped):
        return True
    inflight = sys.modules.get("flowtui.s3.inflight")  # not imported: no request was made
    return inflight is not None and isinstance(exc, inflight.Cancelled)
