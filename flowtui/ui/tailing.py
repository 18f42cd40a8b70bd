"""The live tail in the app: one TailEngine in a thread worker, its events as messages.

The engine is the core's (``flowtui.tail``); here is what the UI keeps about it: the job
(engine, store, worker), the options ``flowtui tail`` passes through, and the one line the
status bar shows (newest file, how stale, next poll, pause, errors and back-off).
The engine is given no store: the app appends each delivered batch on the UI thread (and
drops the oldest beyond ``keep`` there), so the table never reads a store that shifts under it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual.message import Message
from textual.worker import Worker

from flowtui.store import RecordStore
from flowtui.tail import (
    STALE_AFTER,
    Paused,
    PollDone,
    PollFailed,
    Resumed,
    TailEngine,
    TailOptions,
)
from flowtui.timefmt import ago


@dataclass
class TailEvent(Message):
    """An engine event from the tail worker, tagged with the tail it belongs to."""

    tail_id: int
    event: object


@dataclass
class TailCrashed(Message):
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


def short_url(url: str, width: int = 48) -> str:
    """The bucket and the end of the prefix (the end says the most: region, day)."""
    if len(url) <= width:
        return url
    head = url[: url.index("/", 5) + 1] if "/" in url[5:] else url
    room = max(8, width - len(head) - 1)
    return head + "…" + url[-room:]


def tail_text(job: TailJob, now: datetime) -> str:
    """One status-bar line for a tail at ``now`` (the engine's clock); the most urgent
    first, since a narrow terminal cuts the end."""
    if job.stopped:
        return f"stopped following {short_url(job.url)}"
    parts = [("paused" if job.paused else "following") + f" {short_url(job.url)}"]
    if job.paused and job.held:
        parts[0] += f" ({job.held:,} rows held, p resumes)"
    elif job.paused:
        parts[0] += " (p resumes)"
    last = job.last
    if isinstance(last, PollFailed):
        wait = max(0, int((last.next_poll - now).total_seconds() + 0.5))
        parts.append(f"poll failed ({last.failures}x): {last.reason}; retry in {wait}s")
    elif last is None:
        parts.append("first poll…")
    else:
        if last.newest is not None:
            age = now - last.newest  # grows between polls
            stale = " STALE" if age > STALE_AFTER else ""
            parts.append(f"newest {last.newest:%Y-%m-%d %H:%M} UTC, {ago(age)}{stale}")
        else:
            parts.append("no flow-log files yet")
        wait = max(0, int((last.next_poll - now).total_seconds() + 0.5))
        parts.append(f"next poll in {wait}s")
    if job.last_problem:
        parts.insert(1, f"{job.objects_failed} object(s) failed, last: {job.last_problem}")
    return " · ".join(parts)


def track(job: TailJob, event: object) -> None:
    """Keep what the status line needs from an engine event."""
    if isinstance(event, PollDone | PollFailed):
        job.last = event
        if isinstance(event, PollDone):
            job.held = event.held
    elif isinstance(event, Paused):
        job.paused, job.held = True, event.held
    elif isinstance(event, Resumed):
        job.paused, job.held = False, 0


def make_engine(job: TailJob, options: TailOptions, client: Any,
                on_event: Callable[[object], None]) -> TailEngine:
    return TailEngine(job.url, client=client, on_event=on_event, store=None,
                      interval=options.interval, keep=options.keep,
                      backfill=options.backfill, fields=options.fields,
                      **options.engine_args)
