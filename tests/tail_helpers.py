"""Helpers for the tail tests: an event recorder to wait on, a settable clock, object puts."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flowtui import synth
from flowtui.loader import BatchLoaded, ObjectDone, ObjectFailed
from flowtui.tail import PollDone, PollFailed

WAIT = 10.0  # seconds; generous for a loaded CI box, never reached when things work


class Recorder:
    """Collects engine events; tests wait on them instead of sleeping."""

    def __init__(self) -> None:
        self.events: list[object] = []
        self._cond = threading.Condition()

    def __call__(self, event: object) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def wait_for(self, predicate: Callable[[object], bool], *, after: int = 0,
                 timeout: float = WAIT) -> Any:
        """The first event at index >= ``after`` that matches (waiting for it)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event in self.events[after:]:
                    if predicate(event):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    kinds = [type(e).__name__ for e in self.events[-10:]]
                    raise AssertionError(f"event not seen within {timeout}s; last: {kinds}")
                self._cond.wait(left)

    def mark(self) -> int:
        with self._cond:
            return len(self.events)

    def next_poll(self, after: int | None = None, *, polls: int = 1) -> PollDone:
        """Wait until ``polls`` whole polls have *started and finished* after ``after``:
        the first poll ending after the mark may have listed before it, so one more."""
        start = self.mark() if after is None else after
        seen = 0
        index = start
        while True:
            event = self.wait_for(lambda e: isinstance(e, PollDone | PollFailed), after=index)
            with self._cond:
                index = self.events.index(event, index) + 1
            if isinstance(event, PollDone):
                seen += 1
                if seen > polls:
                    return event

    def of(self, kind: type) -> list[Any]:
        with self._cond:
            return [e for e in self.events if isinstance(e, kind)]

    def done_keys(self) -> list[str]:
        return [e.ref.location.rpartition("/")[2] for e in self.of(ObjectDone)]

    def failed(self) -> list[ObjectFailed]:
        return self.of(ObjectFailed)

    def batches(self) -> list[BatchLoaded]:
        return self.of(BatchLoaded)


class Clock:
    """The engine's wall clock, set by the test (folder choice and staleness)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True)
class Put:
    key: str
    lines: tuple[str, ...]
    fields: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.key.rpartition("/")[2]


class Bucket:
    """A bucket of the test's own on the shared moto server, with flow-log puts."""

    def __init__(self, raw: Any, name: str) -> None:
        self.raw = raw
        self.name = name
        self._seed = 0
        raw.create_bucket(Bucket=name)

    def put(self, when: datetime, *, flow_log_id: str = "fl-0aaa1111bbbb2222c", n: int = 20,
            fields: Sequence[str] = synth.DEFAULT_FIELDS, layout: str = "default",
            prefix: str = "", hash: str | None = None, body: bytes | None = None,
            account: str = "123456789012", region: str = "us-east-1") -> Put:
        self._seed += 1
        lines = tuple(synth.generate_lines(n, seed=self._seed, fields=fields,
                                           start=int(when.timestamp()), account=account,
                                           region=region))
        key = synth.object_key(layout=layout, prefix=prefix, account=account, region=region,
                               flow_log_id=flow_log_id, when=when, hash=hash)
        data = body if body is not None else synth.make_text_object(lines, fields)
        self.raw.put_object(Bucket=self.name, Key=key, Body=data)
        return Put(key, lines, tuple(fields))

    def url(self, prefix: str) -> str:
        return f"s3://{self.name}/{prefix}"


def srcports(rows: Sequence[dict[str, object]]) -> list[object]:
    return [r.get("srcport") for r in rows]


def lines_ports(put: Put) -> list[int | None]:
    """The srcport of each line of a put, as the store returns it."""
    column = put.fields.index("srcport")
    out: list[int | None] = []
    for line in put.lines:
        value = line.split()[column]
        out.append(None if value == "-" else int(value))
    return out
