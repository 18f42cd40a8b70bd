"""Loading what a record's story needs: the S3 objects around it, filtered to its flow.

A record's reply can sit in the next file of its flow log (records land in the file of their
``end``, §6.4), and the same flow at another interface in another flow log of the same account
and region (a NAT gateway's, a load balancer's). The key layout and the record's time say
exactly which objects those are: the day (and hour) folders of the region, listed for the
story's window as a time-windowed load lists them — never a recursive listing. Each object is
read in full but only the story's records are kept (its flow, both directions, and its
interface's NODATA/SKIPDATA rows): the predicate is applied to every batch before it reaches
the store, so loading the neighbours of a record costs a few rows of memory, not a few files.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flowtui import layout
from flowtui.decoders import as_int
from flowtui.events import BatchLoaded, LoadEvent, ObjectDone, ObjectFailed, ObjectRef
from flowtui.loader import Loader
from flowtui.query.arrow import compile_arrow
from flowtui.query.expr import And, Expr, Not, Or
from flowtui.query.flow import story_expr
from flowtui.query.story import CAPTURE_LAG, DEFAULT_INTERVAL, Coverage
from flowtui.s3.errors import describe
from flowtui.s3.select import select_objects
from flowtui.s3.url import S3Url, is_s3_url
from flowtui.store import RecordStore

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client


@dataclass
class Loaded:
    """What the store already holds, per object: all of it (a user's load), or only the
    records some filters kept (earlier stories). A new story loads an object again only for
    the records no earlier filter kept, so nothing is stored twice."""

    full: set[str] = field(default_factory=set)
    partial: dict[str, list[Expr]] = field(default_factory=dict)

    def still_needed(self, location: str, expr: Expr) -> Expr | None:
        """The filter to load ``location`` with for ``expr``, or None when nothing is new."""
        if location in self.full:
            return None
        earlier = self.partial.get(location, [])
        if expr in earlier:
            return None
        if not earlier:
            return expr
        return And((expr, Not(earlier[0] if len(earlier) == 1 else Or(tuple(earlier)))))

    def add(self, location: str, expr: Expr) -> None:
        self.partial.setdefault(location, []).append(expr)


@dataclass(frozen=True)
class NeighbourPlan:
    """The objects a story of ``record`` needs, and which of them are not loaded yet."""

    record: Mapping[str, object]
    window: tuple[int, int]  # epoch seconds: R's time ± (aggregation interval + capture lag)
    expr: Expr  # what is kept of each object
    needed: list[ObjectRef]
    to_load: list[tuple[ObjectRef, Expr]]

    @property
    def size(self) -> int | None:
        """Bytes to read, when the listing gave every size."""
        sizes = [ref.size for ref, _ in self.to_load]
        known = [s for s in sizes if s is not None]
        return sum(known) if len(known) == len(sizes) else None

    def coverage(self) -> Coverage:
        """What the story may assume before loading: the window is covered only when every
        object it needs is already in the store."""
        if not self.to_load:
            return Coverage((self.window,))
        return Coverage(missing=tuple(ref.location for ref, _ in self.to_load))


@dataclass(frozen=True)
class NeighbourLoad:
    loaded: list[str]
    failed: list[str]  # one line each: the object and why
    records: int  # rows the filter kept and the store received

    def coverage(self, plan: NeighbourPlan) -> Coverage:
        if self.failed:
            return Coverage(missing=tuple(self.failed))
        return Coverage((plan.window,))


def plan_neighbours(client: S3Client, source: str, record: Mapping[str, object], loaded: Loaded, *,
                    interval: int = DEFAULT_INTERVAL) -> NeighbourPlan | None:
    """The objects that could hold ``record``'s reply and other sightings: every flow log of
    the same account and region under the same destination prefix, for the story's window.
    None when the record did not come from an S3 flow-log key or has no times.

    Raises what ``select_objects`` raises (S3 errors, ``TooManyObjects``); ``describe`` turns
    them into one line.
    """
    if not is_s3_url(source):
        return None
    url = S3Url.parse(source)
    key = url.key
    info = layout.parse_key(key)
    root = layout.region_root(key)
    start, end = as_int(record.get("start")), as_int(record.get("end"))
    if info is None or root is None or start is None or end is None:
        return None
    slack = interval + CAPTURE_LAG
    window = (start - slack, end + slack)
    since, until = (datetime.fromtimestamp(t, tz=UTC) for t in window)
    entries = select_objects(client, url.bucket, root.prefix, since, until)
    needed = [ObjectRef.s3(url.with_key(e.key), e.size, e.etag) for e in entries
              if e.info is not None and e.info.account == info.account
              and e.info.region == info.region]
    expr = story_expr(record)
    to_load = []
    for ref in needed:
        keep = loaded.still_needed(ref.location, expr)
        if keep is not None:
            to_load.append((ref, keep))
    return NeighbourPlan(record, window, expr, needed, to_load)


def load_neighbours(plan: NeighbourPlan, store: RecordStore, loaded: Loaded, *, client: S3Client,
                    cancel: threading.Event | None = None, concurrency: int | None = None,
                    fields: list[str] | None = None,
                    on_event: Callable[[LoadEvent], None] | None = None) -> NeighbourLoad:
    """Read the plan's objects, keep only the story's records, append them to ``store``.

    Blocking (run it in a worker); ``on_event`` sees the loader's events (progress, failures)
    after the filtering. Objects read to the end are remembered in ``loaded``.
    """
    filters = {ref.location: compile_arrow(keep) for ref, keep in plan.to_load}
    exprs = {ref.location: keep for ref, keep in plan.to_load}
    done: list[str] = []
    failed: list[str] = []
    failed_at: set[str] = set()
    kept = 0

    def handle(event: LoadEvent) -> None:
        nonlocal kept
        match event:
            case BatchLoaded(ref, batch):
                batch = filters[ref.location].filter(batch)
                if batch.num_rows:
                    kept += batch.num_rows
                    store.append(batch, ref.location)
                event = BatchLoaded(ref, batch, family=event.family)
            case ObjectDone(ref, error=error) if error:
                failed.append(f"{ref.location}: {error}")
                failed_at.add(ref.location)
            case ObjectDone(ref):
                done.append(ref.location)
                loaded.add(ref.location, exprs[ref.location])
            case ObjectFailed(ref, reason):
                failed.append(reason)
                failed_at.add(ref.location)
            case _:
                pass
        if on_event is not None:
            on_event(event)

    if plan.to_load:
        loader = Loader(None, client=client, concurrency=concurrency, fields=fields)
        try:
            loader.run([ref for ref, _ in plan.to_load], handle, cancel or threading.Event())
        except Exception as exc:  # the loader reports per object; this is the unexpected rest
            failed.append(describe(exc))
    for ref, _ in plan.to_load:
        if ref.location not in done and ref.location not in failed_at:
            failed.append(f"{ref.location}: not loaded (cancelled)")
    return NeighbourLoad(done, failed, kept)


__all__ = ["Loaded", "NeighbourLoad", "NeighbourPlan", "load_neighbours", "plan_neighbours"]
