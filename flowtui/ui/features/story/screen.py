"""The story screen: why a record's connection failed (or worked), told over the loaded data.

``i`` on a record opens it. The verdict is on top; below, the explanation, the record beside
the highlighted sighting (its reply, or the same flow at another interface) with differing
fields marked, the timeline as a strip, and what is not loaded. The sightings are a list:
moving through it changes the comparison, Enter goes back to the table on that record.
Telling scans every loaded row (~0.5 s on a million) and may list S3, so it runs in a thread
worker (group ``story``); ``l`` loads the objects that could hold the rest, filtered to the
flow (group ``story-load``, Esc cancels), and the story is told again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial, wraps
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from flowtui.decoders import as_int, human_bytes
from flowtui.neighbours import NeighbourPlan
from flowtui.query.flow import recorder_label
from flowtui.query.story import SIGHTINGS_LIMIT, Sighting
from flowtui.s3.errors import describe
from flowtui.store import RecordStore
from flowtui.ui.actions import bindings
from flowtui.ui.commands import ScreenCommands
from flowtui.ui.features.jobs.story import (
    MissingLoaded,
    MissingProgress,
    StoryFailed,
    StoryMemory,
    StoryTold,
    load_missing,
    tell_story,
)
from flowtui.ui.features.story.render import (
    NO_ACTION_CELL,
    VERDICT_CLASS,
    comparison,
    sighting_line,
    span_label,
    strip_cells,
    strip_legend,
    verdict_line,
)
from flowtui.ui.messages import ShowConversation
from flowtui.ui.widgets.footer.line import KeysFooter
from flowtui.ui.widgets.names.story import StoryNamed, name_story, named_text
from flowtui.ui.widgets.notice import NoticeLine, NoticeScreen
from flowtui.ui.widgets.safe import literal

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client


@dataclass(frozen=True)
class Jump:
    """The screen's result: put the table's cursor on this store row."""

    store: RecordStore
    index: int


class StoryBody(VerticalScroll, inherit_bindings=False):
    """The explanation, comparison, timeline and what is missing; scrolls as one text."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("story-text")


class SightingList(OptionList, inherit_bindings=False):
    """The reply and the same flow elsewhere; the highlighted one is compared with the record."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("story-list")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(markup=False, **kwargs)


class TimelineStrip(Widget):
    """Every record of the flow on the record's interface, per minute, as two rows of cells
    (→ the record's direction, ← the reverse); slots merge when the span is wider than the
    screen. ACCEPT and REJECT are different glyphs; the stylesheet colours them too."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "timeline-strip--accept", "timeline-strip--reject", "timeline-strip--both",
        "timeline-strip--empty", "timeline-strip--status", "timeline-strip--label",
        "timeline-strip--no-action",
    }
    DEFAULT_CSS = "TimelineStrip { height: auto; }"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._told: StoryTold | None = None

    def show(self, told: StoryTold) -> None:
        self._told = told
        self.refresh(layout=True)

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        told = self._told
        if told is None or not told.story.timeline:
            return 2
        status = any(w.status for w in told.story.timeline)
        return 5 + int(status)

    def render(self) -> Group | Text:
        told = self._told
        at = "-" if told is None else literal(recorder_label(told.story.record))
        head = Text(f"timeline ({at})", style="bold", no_wrap=True, overflow="ellipsis")
        if told is None or not told.story.timeline:
            return Group(head, Text("(no record of this flow recorded there)",
                                    style="italic"))
        story = told.story
        label_width = 2
        cells, seconds, first = strip_cells(story.timeline, as_int(story.record.get("end")),
                                            max(1, self.size.width - label_width),
                                            story.window)
        head.append("  " + span_label(first, len(cells), seconds), style="")
        style = {glyph: self.get_component_rich_style(f"timeline-strip--{name}")
                 for glyph, name in (("█", "accept"), ("░", "reject"), ("▓", "both"),
                                     ("·", "empty"), (NO_ACTION_CELL, "no-action"))}
        label = self.get_component_rich_style("timeline-strip--label")
        forward, reverse = Text("→ ", style=label, no_wrap=True), \
            Text("← ", style=label, no_wrap=True)
        status = Text("  ", no_wrap=True)
        here = Text("  ", no_wrap=True)
        for c in cells:
            forward.append(c.forward, style=style.get(c.forward))
            reverse.append(c.reverse, style=style.get(c.reverse))
            status.append(c.status, style=self.get_component_rich_style(
                "timeline-strip--status"))
            here.append("^" if c.here else " ", style="bold")
        lines: list[Text] = [head, forward, reverse]
        if any(c.status.strip() for c in cells):
            lines.append(status)
        lines += [here, Text(strip_legend(cells), style="dim", no_wrap=True,
                             overflow="ellipsis")]
        return Group(*lines)


def _while_shown(handler: Callable[..., None]) -> Callable[..., None]:
    """Work that arrives for a story screen that is gone (closed, or the app quitting as it
    opened: ``q`` then ``i``) is dropped, never a ``NoMatches`` traceback."""

    @wraps(handler)
    def guarded(self: StoryScreen, *args: Any, **kwargs: Any) -> None:
        if not self.is_attached or self.app.return_code is not None:
            return
        try:
            handler(self, *args, **kwargs)
        except NoMatches:
            if self.is_attached and self.is_running and self.app.return_code is None:
                raise

    return guarded


class StoryScreen(NoticeScreen, Screen[Jump | None]):
    """The story of store row ``index``; dismissed with a ``Jump`` or None."""

    COMMANDS = Screen.COMMANDS | {ScreenCommands}
    BINDINGS: ClassVar[list[BindingType]] = bindings("story")

    #: The latest story (None while the first telling runs).
    told: reactive[StoryTold | None] = reactive(None, init=False)
    #: One line under the story: what runs, what went wrong, what ``l`` would load.
    status: reactive[str] = reactive("")
    #: A neighbour load is running (Esc cancels it rather than closing).
    loading_missing: reactive[bool] = reactive(False)

    def __init__(self, store: RecordStore, index: int, *,
                 client: Callable[[], S3Client] | None, memory: StoryMemory,
                 on_rows_added: Callable[[], None] | None = None,
                 names: Any = None) -> None:
        super().__init__()
        #: The app's ``Names`` (None: none loaded): who spoke, and the rule behind a REJECT.
        self.names = names
        self.store = store
        self.index = index
        self._client = client
        self._memory = memory
        self._on_rows_added = on_rows_added
        self._sightings: list[Sighting] = []
        self._cancel = threading.Event()

    def compose(self) -> ComposeResult:
        yield Static(Text("Telling the story…", style="italic"), id="story-verdict")
        with StoryBody(id="story-body"):
            yield Static(id="story-explanation")
            yield Static(id="story-names")
            yield Static(id="story-compare")
            yield TimelineStrip(id="story-timeline")
            yield Static(id="story-missing")
        yield SightingList(id="story-sightings")
        yield NoticeLine(id="story-notice")
        yield Static(id="story-status")
        yield KeysFooter()

    @_while_shown
    def on_mount(self) -> None:
        self.query_one("#story-sightings").border_title = "reply and elsewhere"
        self.query_one(StoryBody).focus()
        self.tell()

    # ------------------------------------------------------------------ work

    def tell(self) -> None:
        """(Re)tell the story in a thread worker; the result arrives as ``StoryTold``."""
        self.status = "Telling the story (every loaded row is searched)…"
        store, index, client, memory = self.store, self.index, self._client, self._memory

        def work() -> None:
            worker = get_current_worker()  # Esc, a new telling or quitting cancels it
            tell_story(store, index, client=client, memory=memory, post=self.post_message,
                       cancelled=lambda: worker.is_cancelled)

        self.run_worker(partial(self._guarded, work), thread=True, group="story",
                        exclusive=True, exit_on_error=False, name="story")

    def _guarded(self, work: Callable[[], None]) -> None:
        try:
            work()
        except Exception as exc:  # a bug or an S3 error we did not foresee: one line
            self.post_message(StoryFailed(describe(exc)))

    @on(StoryTold)
    def _told(self, message: StoryTold) -> None:
        self.told = message
        names = self.names
        if names is not None:  # the rule is evaluated off the UI thread (a big inventory)
            self.run_worker(partial(name_story, message.story, names, self.post_message),
                            thread=True, group="names", exclusive=True, exit_on_error=False,
                            name="story names")

    @on(StoryNamed)
    def _named(self, message: StoryNamed) -> None:
        told = self.told
        if told is None or message.story is not told.story:
            return  # a story told before
        shown = self.query_one("#story-names", Static)
        said = named_text(message.extra)
        shown.update(said)
        shown.display = bool(said)

    @on(StoryFailed)
    def _failed(self, message: StoryFailed) -> None:
        self.loading_missing = False
        self.status = message.reason

    @on(MissingProgress)
    def _progress(self, message: MissingProgress) -> None:
        p = message.progress
        if self.loading_missing:
            self.status = (f"loading {p.objects_done}/{p.objects_total} objects "
                           f"{human_bytes(p.bytes_read)}, {message.kept:,} records of this "
                           "flow kept · Esc cancels")

    @on(MissingLoaded)
    def _loaded(self, message: MissingLoaded) -> None:
        self.loading_missing = False
        result = message.result
        if result.records and self._on_rows_added is not None:
            self._on_rows_added()
        if result.failed:
            first = literal(result.failed[0])
            more = f" (and {len(result.failed) - 1} more)" if len(result.failed) > 1 else ""
            self.notify(f"{first}{more}", title="Not all loaded", severity="warning",
                        markup=False)
        self.tell()
        word = "cancelled" if message.cancelled else "loaded"
        self.status = (f"{word}: {len(result.loaded)} object(s), {result.records:,} records "
                       "of this flow kept; telling the story again…")

    # --------------------------------------------------------------- showing

    @_while_shown
    def watch_told(self, told: StoryTold | None) -> None:
        if told is None:
            return
        story = told.story
        verdict = self.query_one("#story-verdict", Static)
        verdict.update(verdict_line(story))
        for name in set(VERDICT_CLASS.values()):
            verdict.remove_class(name)
        verdict.add_class(VERDICT_CLASS.get(story.verdict, "-unsure"))
        self.query_one("#story-explanation", Static).update(
            Text(literal(story.explanation)))
        self.query_one(TimelineStrip).show(told)
        self.query_one("#story-missing", Static).update(self._missing_text(told))
        self._sightings = story.reply + story.elsewhere
        listing = self.query_one(SightingList)
        listing.set_options(Option(sighting_line(s), id=str(i))
                            for i, s in enumerate(self._sightings))
        listing.border_title = (f"reply ({len(story.reply)}) and elsewhere "
                                f"({len(story.elsewhere)}): Enter goes to it")
        listing.display = bool(self._sightings)
        if self._sightings:
            listing.highlighted = 0
        self._compare(0 if self._sightings else None)
        self.status = self._plan_text(told) + (
            " · Enter on a sighting goes to it" if self._sightings else "")

    @_while_shown
    def watch_status(self, status: str) -> None:
        self.query_one("#story-status", Static).update(Text(literal(status), no_wrap=True,
                                                            overflow="ellipsis"))

    @_while_shown
    def _compare(self, at: int | None) -> None:
        told = self.told
        if told is None:
            return
        other = self._sightings[at] if at is not None and at < len(self._sightings) else None
        if other is None or at is None:
            title = "no reply seen"
        elif other.direction == "reverse":
            title = f"reply {at + 1}/{len(told.story.reply)}" + (
                "" if other.same_interface else " (other interface)")
        else:
            title = "same flow, other interface"
        self.query_one("#story-compare", Static).update(
            comparison(self.store.columns, told.story.record, other, title))

    def _missing_text(self, told: StoryTold) -> Text:
        story = told.story
        out = Text()
        if story.sampled:
            out.append(f"sampled: the {SIGHTINGS_LIMIT:,} records of this flow nearest to it "
                       f"in time, of {story.found:,} loaded\n", style="dim")
        if not story.missing:
            out.append("missing: nothing (the record's window is loaded)", style="dim")
            return out
        out.append(f"missing ({len(story.missing)})\n", style="bold")
        for line in story.missing:
            out.append("  " + literal(line) + "\n")
        return out

    @staticmethod
    def _plan_text(told: StoryTold) -> str:
        plan = told.plan
        if told.note:
            return told.note
        if plan is None:
            return "not from S3: the story uses what is loaded · Tab: text or sightings"
        if not plan.to_load:
            return "every object around this record is loaded"
        size = human_bytes(plan.size) if plan.size is not None else "size unknown"
        return (f"{len(plan.to_load)} object(s) around it not loaded ({size}) · l loads "
                "this flow's records")

    @on(OptionList.OptionHighlighted, "#story-sightings")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._compare(event.option_index)

    @on(OptionList.OptionSelected, "#story-sightings")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        told = self.told
        if told is None or event.option_index >= len(self._sightings):
            return
        index = self._sightings[event.option_index].store_index - (
            self.store.dropped - told.dropped)
        if index < 0:
            self.notify("That record is no longer loaded (the tail trimmed it)",
                        severity="warning", markup=False)
            return
        self._leave(Jump(self.store, index))

    # --------------------------------------------------------------- actions

    @property
    def plan(self) -> NeighbourPlan | None:
        return self.told.plan if self.told is not None else None

    def action_load_missing(self) -> None:
        plan = self.plan
        if self.loading_missing:
            self.notify("Already loading (Esc cancels)", markup=False, timeout=2)
            return
        if self._client is None or plan is None or not plan.to_load:
            self.notify("Nothing to load: every object around this record is loaded, or it "
                        "did not come from S3", markup=False, timeout=3)
            return
        self._cancel = threading.Event()
        self.loading_missing = True
        self.status = f"loading {len(plan.to_load)} object(s)… · Esc cancels"
        cancel, client = self._cancel, self._client

        def work() -> None:
            worker = get_current_worker()
            load_missing(plan, self.store, client=client, memory=self._memory, cancel=cancel,
                         is_cancelled=lambda: worker.is_cancelled, post=self.post_message)

        self.run_worker(partial(self._guarded, work), thread=True, group="story-load",
                        exclusive=True, exit_on_error=False, name="story load")

    def action_conversation(self) -> None:
        told = self.told
        record = told.story.record if told is not None else None
        a = record.get("srcaddr") if record is not None else None
        b = record.get("dstaddr") if record is not None else None
        if a is None or b is None:
            self.notify("This record names no two addresses", severity="warning",
                        markup=False)
            return
        self.post_message(ShowConversation(str(a), str(b)))

    def action_close(self) -> None:
        """Esc: cancel a running load first; otherwise back to the records."""
        if self.loading_missing:
            self._cancel.set()  # the loader stops; MissingLoaded says what it kept
            self.status = "cancelling the load…"
            return
        self._leave(None)

    def _leave(self, result: Jump | None) -> None:
        self._cancel.set()
        self.dismiss(result)
