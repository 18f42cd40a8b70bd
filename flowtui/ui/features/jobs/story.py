"""The story's slow parts, for thread workers: telling (a scan of every loaded row, ~0.5 s
on a million), listing the S3 objects around a record, and loading what is missing.

Each function blocks and reports through ``post`` with the typed messages below; the screen
that started the worker handles them on the UI thread. Nothing here touches a widget.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual.message import Message

from flowtui.events import BatchLoaded, LoadEvent, LoadProgress
from flowtui.neighbours import (
    Loaded,
    NeighbourLoad,
    NeighbourPlan,
    load_neighbours,
    plan_neighbours,
)
from flowtui.query.story import (
    Conversation,
    Coverage,
    Story,
    StoryCancelled,
    conversation,
    tell,
)
from flowtui.s3.errors import describe
from flowtui.store import RecordStore


@dataclass
class StoryTold(Message):
    """The story of the screen's record; ``plan`` is what could still be loaded for it
    (None when the record is not from S3), ``dropped`` the store's ``dropped`` when told
    (a tail that trims the store shifts every row index down by the difference)."""

    story: Story
    plan: NeighbourPlan | None
    dropped: int
    note: str = ""  # one line when listing the objects around it failed


@dataclass
class StoryFailed(Message):
    reason: str


@dataclass
class MissingProgress(Message):
    """A neighbour load's progress; ``kept`` counts the rows the flow filter let through."""

    progress: LoadProgress
    kept: int


@dataclass
class MissingLoaded(Message):
    result: NeighbourLoad
    cancelled: bool


@dataclass
class ConversationTold(Message):
    talk: Conversation


@dataclass
class StoryMemory:
    """What each store already holds of the objects a story may load: the story loads keep
    only a flow's rows (``Loaded.partial``); any other source in the store was read whole by
    a load or a tail. Per store, forgotten with it."""

    _partial: weakref.WeakKeyDictionary[RecordStore, dict[str, list[Any]]] = field(
        default_factory=weakref.WeakKeyDictionary)

    def loaded(self, store: RecordStore) -> Loaded:
        partial = self._partial.setdefault(store, {})
        whole = set()
        for start in store.snapshot().starts:
            try:
                whole.add(store.source(start))
            except IndexError:  # a tail trimmed the store meanwhile
                continue
        return Loaded(full=whole - set(partial), partial=partial)


Post = Callable[[Message], object]


def tell_story(store: RecordStore, index: int, *, client: Callable[[], Any] | None,
               memory: StoryMemory, post: Post,
               cancelled: Callable[[], bool] = lambda: False) -> None:
    """List the objects around the record (S3 only), then tell its story with that coverage.
    ``cancelled`` is asked between steps: a cancelled telling ends quietly, at once."""
    dropped = store.dropped
    try:
        source = store.source(index)
        record = store.row(index)
    except IndexError:
        post(StoryFailed("The record is no longer loaded."))
        return
    plan: NeighbourPlan | None = None
    note = ""
    if client is not None and source.startswith("s3://"):
        try:
            plan = plan_neighbours(client(), source, record, memory.loaded(store))
        except Exception as exc:  # S3 errors, too many objects: the story goes on without
            note = f"Listing the objects around it failed: {describe(exc)}"
    coverage: Coverage | None = plan.coverage() if plan is not None else None
    if cancelled():
        return
    try:
        story = tell(store, index, coverage=coverage, cancelled=cancelled)
    except StoryCancelled:
        return
    except IndexError:
        post(StoryFailed("The record is no longer loaded."))
        return
    post(StoryTold(story, plan, dropped, note))


def load_missing(plan: NeighbourPlan, store: RecordStore, *, client: Callable[[], Any],
                 memory: StoryMemory, cancel: threading.Event, is_cancelled: Callable[[], bool],
                 post: Post) -> None:
    """Load the plan's objects filtered to the flow into ``store``; progress as messages."""
    kept = 0

    def on_event(event: LoadEvent) -> None:
        nonlocal kept
        if is_cancelled():
            cancel.set()
        match event:
            case BatchLoaded(_, batch):
                kept += batch.num_rows
            case LoadProgress():
                post(MissingProgress(event, kept))
            case _:
                pass

    result = load_neighbours(plan, store, memory.loaded(store), client=client(),
                             cancel=cancel, on_event=on_event)
    post(MissingLoaded(result, cancel.is_set()))


def tell_conversation(store: RecordStore, a: str, b: str, post: Post) -> None:
    post(ConversationTold(conversation(store, a, b)))
