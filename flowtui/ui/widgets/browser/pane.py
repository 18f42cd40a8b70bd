"""The browser pane: buckets, then folders, then flow-log objects, one page at a time.

Log buckets hold millions of keys, so a folder shows its first page at once and the next
page is fetched when the user reaches the end of the list. Flow-log folders carry what they
are ("region eu-west-1", "2024-03-05"), objects their time, size and flow-log id, and every
object or folder that was loaded shows how that went.

Keys typed before a place is listed (over a slow link, into a slow bucket) have no entry to
act on: the list shows only its "loading…" row, which no key can pick. A key that moves the
cursor or opens/loads/follows an entry is then not used, and the status line says how many
were not, rather than moving onto the loading row and being lost there without a word.
Such keys are not replayed on the list when it comes: Enter would load an entry the user
never saw chosen. Keys that act on the place, not on an entry (up a level, today, go to
path, refresh), still act: the path header names that place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from flowtui.decoders import counted, human_bytes
from flowtui.s3.errors import describe
from flowtui.s3.inflight import Scope
from flowtui.s3.listing import Entry
from flowtui.s3.url import S3Url
from flowtui.ui.actions import bindings
from flowtui.ui.widgets.browser.sources import (
    ClientGetter,
    Location,
    NoPlace,
    Pager,
    entry_location,
    folder_kind,
    newest_date_folder,
    today_location,
)
from flowtui.ui.widgets.safe import literal

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client

MORE_ID = "__more__"


@dataclass(frozen=True)
class LoadState:
    """How loading one object (or folder) went, for the browser and the status line."""

    status: str  # "loading" | "done" | "failed" | "cancelled"
    records: int = 0
    bad_lines: int = 0
    error: str | None = None

    def describe(self) -> Text:
        """One or two lines: the count, then any error on a line of its own."""
        if self.status == "loading":
            line = Text("loading…", style="italic")
            if self.records:
                line.append(f" {self.records:,} records")
            return line
        if self.status == "failed":
            return Text.assemble(("failed: ", "bold"), literal(self.error or "unknown error"))
        line = Text(f"{self.records:,} records")
        if self.bad_lines:
            plural = "s" if self.bad_lines != 1 else ""
            line.append(f", {self.bad_lines:,} bad line{plural}", style="bold")
        if self.status == "cancelled":
            line.append(" (cancelled)", style="italic")
        if self.error:
            line.append("\n  ! ", style="bold")
            line.append(literal(self.error), style="bold")
        return line


FOLLOW_MARK = "● "
"""Before a folder (or bucket) that a live tail follows."""


SIZE_WIDTH = 8
"""Cells of an object's size: ``human_bytes`` is at most 8 (``1023 KiB``), so the flow-log
ids after it start in one column."""


def size_text(size: int | None) -> str:
    """An object's size in IEC units (``11.1 KiB``, ``4.7 MiB``); ``?`` when S3 gave none."""
    return "?" if size is None else human_bytes(size)


def entry_prompt(entry: Entry, state: LoadState | None, followed: bool = False) -> Text:
    """One entry as the browser shows it; every piece of data goes in literally."""
    if entry.kind == "bucket":
        line = Text(literal(entry.bucket), style="bold")
    elif entry.kind == "prefix" and is_hive_folder(entry):
        # "aws-account-id=123456789012/" says no more than its label, in twice the columns;
        # the status line gives the full name when the cursor is on it.
        line = Text(literal(entry.label or entry.name), style="bold")
    elif entry.kind == "prefix":
        line = Text(literal(entry.name), style="bold")
        label = entry.label
        if label:
            line.append(" ")
            line.append(literal(label), style="italic")
    else:
        info = entry.info
        if info is not None:
            # In date folders the date is in the path; a bare file shows it too.
            stamp = "%H:%M" if info.layout != "file" else "%m-%d %H:%M"
            line = Text(info.time.strftime(stamp), style="bold")
            line.append(f" {size_text(entry.size):>{SIZE_WIDTH}} ")
            line.append(literal(info.flow_log_id))
            if info.fmt == "parquet":
                line.append(" parquet", style="italic")
        else:
            line = Text(literal(entry.name))
            line.append(f" {size_text(entry.size)}", style="dim")
    line.no_wrap = True
    line.overflow = "ellipsis"
    if followed:
        line = Text.assemble((FOLLOW_MARK, "bold"), line, no_wrap=True, overflow="ellipsis")
    if state is not None:
        line.append("\n  ")
        line.append_text(state.describe())
    return line


def is_hive_folder(entry: Entry) -> bool:
    """A ``name=value`` folder the layout has a label for (Hive-compatible partitions)."""
    return entry.kind == "prefix" and "=" in entry.name and bool(entry.label)


class Crumb(Widget):
    """Where the browser is; long paths lose their start, since the end says the most."""

    path: reactive[str] = reactive("")

    def render(self) -> Text:
        shown = literal(self.path)
        width = self.size.width
        if width and cell_len(shown) > width:
            shown = "…" + shown[-(width - 1):]
        return Text(shown, no_wrap=True)


def _once_listed(action: Callable[[OptionList], None]) -> Callable[[EntryList], None]:
    """An OptionList action that acts only when the place shown has entries to act on."""

    def act(entry_list: EntryList) -> None:
        if entry_list.listed():
            action(entry_list)

    act.__doc__ = action.__doc__
    return act


class EntryList(OptionList, inherit_bindings=False):
    """The list itself; asks for the next page when the user nears its end."""


    BINDINGS: ClassVar[list[BindingType]] = bindings("browser")

    @dataclass
    class NearEnd(Message):
        """The user scrolled or moved to the last entries: time to fetch the next page."""

        entry_list: EntryList

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(markup=False, **kwargs)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if self.max_scroll_y and new >= self.max_scroll_y - 1:
            self.post_message(self.NearEnd(self))

    def watch_highlighted(self, highlighted: int | None) -> None:
        super().watch_highlighted(highlighted)
        if highlighted is not None and highlighted >= self.option_count - 3:
            self.post_message(self.NearEnd(self))
        pane = self._pane()
        if pane is not None and self.has_focus:
            pane.point()

    def on_focus(self) -> None:
        pane = self._pane()
        if pane is not None:
            pane.point()

    def on_blur(self) -> None:
        pane = self._pane()
        if pane is not None:
            pane.post_message(BrowserPane.Pointed(pane, ""))

    # The moves and Enter wait for the place to be listed (``BrowserPane.listed_for_key``).

    def listed(self) -> bool:
        """Whether a key may act on the entries: the place shown is listed."""
        pane = self._pane()
        return pane is None or pane.listed_for_key()

    action_cursor_up = _once_listed(OptionList.action_cursor_up)
    action_cursor_down = _once_listed(OptionList.action_cursor_down)
    action_first = _once_listed(OptionList.action_first)
    action_last = _once_listed(OptionList.action_last)
    action_page_up = _once_listed(OptionList.action_page_up)
    action_page_down = _once_listed(OptionList.action_page_down)
    action_select = _once_listed(OptionList.action_select)

    def action_today(self) -> None:
        pane = self._pane()
        if pane is not None:
            pane.go_today()

    def action_type_path(self) -> None:
        pane = self._pane()
        if pane is not None:
            pane.post_message(BrowserPane.PathWanted(pane))

    def action_enter_folder(self) -> None:
        pane = self._pane()
        if pane is not None and pane.listed_for_key():
            pane.enter_highlighted(load_folders=False)

    def action_parent(self) -> None:
        pane = self._pane()
        if pane is not None:
            pane.go_up()

    def action_append(self) -> None:
        pane = self._pane()
        if pane is not None and pane.listed_for_key():
            pane.enter_highlighted(load_folders=True, append=True)

    def action_tail(self) -> None:
        pane = self._pane()
        if pane is not None and pane.listed_for_key():
            pane.tail_highlighted()

    def action_reload(self) -> None:
        pane = self._pane()
        if pane is not None:
            pane.reload()

    def _pane(self) -> BrowserPane | None:
        for node in self.ancestors:
            if isinstance(node, BrowserPane):
                return node
        return None


class BrowserPane(Vertical):
    """Left pane; posts ``LoadRequested`` when the user picks objects or a day/hour folder."""

    @dataclass
    class LoadRequested(Message):
        """Load an object, or every object under a folder (``entry.kind == "prefix"``)."""

        pane: BrowserPane
        entry: Entry
        append: bool = False

    @dataclass
    class TailRequested(Message):
        """Follow a prefix (or bucket) live: new objects appear in the table."""

        pane: BrowserPane
        entry: Entry

    @dataclass
    class Pointed(Message):
        """The cursor is on a folder whose full name the list does not show ("" if none)."""

        pane: BrowserPane
        name: str

    @dataclass
    class KeysUnused(Message):
        """Keys typed before the place shown was listed were not used: ``text`` says so on
        the status line ("" once a key acts on the list again, or another place opens)."""

        pane: BrowserPane
        text: str

    @dataclass
    class PathWanted(Message):
        """``:``: the user wants to type a place to list."""

        pane: BrowserPane

    @dataclass
    class PageLoaded(Message):
        token: int
        entries: list[Entry]
        has_more: bool
        pager: Pager

    @dataclass
    class ListingFailed(Message):
        token: int
        reason: str

    def __init__(self, client: ClientGetter, states: Mapping[str, LoadState],
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._client = client
        self._states = states
        self.location: Location | None = None
        self._pager: Pager | None = None
        self._token = 0
        self._listing = Scope()  # the shown location's listing requests
        self._fetching = False
        self._entries: list[Entry] = []
        self._index: dict[str, int] = {}
        self._want: str | None = None  # an entry to highlight once it is listed
        self._remember: dict[Location, str] = {}
        self._unused = 0  # keys not used since the place shown was opened (see listed_for_key)
        #: Locations a live tail follows (marked with FOLLOW_MARK).
        self.followed: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Crumb(id="browser-crumb")
        yield EntryList(id="browser-list")

    @property
    def entry_list(self) -> EntryList:
        return self.query_one(EntryList)

    @property
    def entries(self) -> list[Entry]:
        return list(self._entries)

    @property
    def fetching(self) -> bool:
        """A page is being listed (not ``loading``: that is Textual's indicator reactive)."""
        return self._fetching

    @property
    def awaiting(self) -> bool:
        """The place shown is being listed and none of it is listed yet: no entry to act on."""
        return self._fetching and not self._entries

    def listed_for_key(self) -> bool:
        """For a key that moves the cursor or acts on an entry: True when it may act; False
        while the place is not listed yet, the key counted as not used and the status line
        told (a key that acts afterwards clears it)."""
        if self.awaiting:
            # short enough for 80 columns; the path header names the place
            self._unused += 1
            self.post_message(self.KeysUnused(
                self, f"{counted(self._unused, 'keys')} not used: typed before the list came"))
            return False
        self._forget_unused()
        return True

    def _forget_unused(self) -> None:
        if self._unused:
            self._unused = 0
            self.post_message(self.KeysUnused(self, ""))

    # ---------------------------------------------------------- navigation

    def open(self, location: Location, highlight: str | None = None) -> None:
        """Show ``location`` from its first page; ``highlight`` (a location string) is
        selected as soon as it appears."""
        if self.location is not None:
            current = self.entry_list.highlighted_option
            if current is not None and current.id and current.id != MORE_ID:
                self._remember[self.location] = current.id
        self.location = location
        self._want = highlight or self._remember.get(location)
        self._entries = []
        self._index = {}
        self._token += 1
        self._listing.cut()  # the old location's request, if one is still waiting
        self._listing = Scope()
        self._pager = None
        self._fetching = False
        self._forget_unused()
        self.query_one(Crumb).path = location.title
        self.entry_list.clear_options()
        self._fetch_more()

    def reload(self) -> None:
        if self.location is not None:
            self.open(self.location)

    def go_up(self) -> bool:
        """Up one level; False when already at the top."""
        if self.location is None:
            return False
        parent = self.location.parent()
        if parent is None:
            return False
        here = self.location
        # the folder just left, not the parent's remembered cursor: they differ when the
        # folder was reached by ':' or 'n', and Enter would load another day
        self.open(parent, highlight=(
            str(S3Url(here.bucket)) if parent.kind == "buckets"
            else str(S3Url(here.bucket, here.prefix)) if here.kind == "s3" else here.prefix))
        return True

    def go_to(self, location: Location) -> None:
        """List a place the user typed."""
        self.open(location)
        self.entry_list.focus()

    def show(self) -> None:
        """Shown (``b`` or a small terminal may hide it), the focus in its list."""
        self.display = True
        self.entry_list.focus()

    def show_buckets(self) -> None:
        """The palette's Go to bucket list."""
        self.show()
        self.open(Location("buckets"))

    def show_today(self) -> None:
        """The palette's Go to today's folder: as ``n`` in the list, from anywhere."""
        self.show()
        self.go_today()

    def go_today(self, today: datetime | None = None) -> None:
        """``n``: today's UTC day folder under the region folder shown (or one it holds)."""
        now = today or datetime.now(UTC)
        try:
            target = today_location(self.location, now.date())
        except NoPlace as exc:
            self.app.notify(exc.reason, severity="warning", markup=False)
            return
        hour = f"{'hour=' if 'day=' in target.prefix else ''}{now:%H}"  # when hourly
        want = (str(S3Url(target.bucket, f"{target.prefix}{hour}/")) if target.kind == "s3"
                else f"{target.prefix}/{hour}")
        self.open(target, highlight=want)

    def point(self) -> None:
        """Tell the status line the full name of a folder the list shows cut or as a label."""
        entry = self.highlighted_entry()
        name = ""
        if entry is not None and entry.kind == "prefix":
            shown = entry_prompt(entry, None)
            width = self.entry_list.scrollable_content_region.width
            if is_hive_folder(entry) or (width and shown.cell_len > width):
                name = entry.name
        self.post_message(self.Pointed(self, name))

    def highlighted_entry(self) -> Entry | None:
        index = self.entry_list.highlighted
        if index is None or index >= len(self._entries):
            return None
        return self._entries[index]

    def enter_highlighted(self, *, load_folders: bool, append: bool = False) -> None:
        index = self.entry_list.highlighted
        if index is None:
            return
        if index >= len(self._entries):
            self._fetch_more()
            return
        entry = self._entries[index]
        if entry.kind == "object":
            self.post_message(self.LoadRequested(self, entry, append))
        elif load_folders and folder_kind(entry) is not None:
            self.post_message(self.LoadRequested(self, entry, append))
        elif self.location is not None:
            self.open(self.location.child(entry))

    def tail_highlighted(self) -> None:
        """``t``: follow the highlighted S3 folder, or the folder shown when on an object."""
        entry = self.highlighted_entry()
        if entry is None or not entry.bucket:
            self.app.notify("t follows an S3 folder: highlight a bucket or prefix",
                            severity="warning", markup=False)
            return
        if entry.kind == "object" and self.location is not None:
            entry = Entry("prefix", entry.bucket, self.location.prefix)
        self.post_message(self.TailRequested(self, entry))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.enter_highlighted(load_folders=True)

    def on_entry_list_near_end(self, event: EntryList.NearEnd) -> None:
        event.stop()
        self._fetch_more()

    # -------------------------------------------------------------- paging

    def _fetch_more(self) -> None:
        if self._fetching or self.location is None:
            return
        if self._pager is not None and not self._pager.has_more:
            return
        self._fetching = True
        self._show_more_option("loading…", pickable=False)  # nothing to move to or pick
        self.run_worker(partial(self._fetch_page, self._token, self.location, self._pager,
                                self._listing), thread=True, group="listing", exit_on_error=False,
                        name=f"list {self.location.title}")

    def _fetch_page(self, token: int, location: Location, pager: Pager | None,
                    scope: Scope) -> None:
        """Thread worker: one listing request; the result goes back as a message."""
        worker = get_current_worker()
        try:
            with scope.active():
                if pager is None:
                    pager = location.pager(self._client)
                entries = pager.next_page()
                has_more = pager.has_more
        except Exception as exc:  # every failure becomes one line in the UI
            reason = describe(exc)
            if not worker.is_cancelled:
                self.post_message(self.ListingFailed(token, reason))
            return
        if not worker.is_cancelled:
            self.post_message(self.PageLoaded(token, entries, has_more, pager))

    def on_browser_pane_page_loaded(self, message: PageLoaded) -> None:
        message.stop()
        if message.token != self._token:
            return
        self._fetching = False
        self._pager = message.pager
        ol = self.entry_list
        self._remove_more_option()
        start = len(self._entries)
        self._entries.extend(message.entries)
        options = []
        for i, entry in enumerate(message.entries, start):
            location = entry_location(entry)
            self._index[location] = i
            options.append(Option(entry_prompt(entry, self._states.get(location),
                                               location in self.followed), id=location))
        ol.add_options(options)
        if message.has_more:
            self._show_more_option("more… (Enter or scroll down)")
        elif not self._entries:
            ol.add_option(Option(Text("(empty)", style="italic"), id=MORE_ID, disabled=True))
        if self._want is not None and self._want in self._index:
            ol.highlighted = self._index[self._want]
            self._want = None
        elif ol.highlighted is None and self._entries:
            # Date folders list oldest first; the newest is the one wanted.
            newest = newest_date_folder(self._entries)
            ol.highlighted = newest if newest is not None else 0
        if self._want is not None and message.has_more and len(self._entries) < 20000:
            self._fetch_more()  # keep paging until the entry to highlight shows up

    def on_browser_pane_listing_failed(self, message: ListingFailed) -> None:
        message.stop()
        if message.token != self._token:
            return
        self._fetching = False
        self._remove_more_option()
        self.entry_list.add_option(
            Option(Text.assemble(("listing failed: ", "bold"), literal(message.reason)),
                   id=MORE_ID))
        self.app.notify(literal(message.reason), title="Listing failed", severity="error",
                        markup=False)

    def _show_more_option(self, label: str, pickable: bool = True) -> None:
        self._remove_more_option()
        self.entry_list.add_option(Option(Text(label, style="italic"), id=MORE_ID,
                                          disabled=not pickable))

    def _remove_more_option(self) -> None:
        ol = self.entry_list
        if ol.option_count and ol.get_option_at_index(ol.option_count - 1).id == MORE_ID:
            highlighted = ol.highlighted
            ol.remove_option_at_index(ol.option_count - 1)
            if highlighted is not None and highlighted >= ol.option_count and ol.option_count:
                ol.highlighted = ol.option_count - 1

    # -------------------------------------------------------------- states

    def refresh_state(self, location: str) -> None:
        """Redraw the entry for ``location`` after its load state changed."""
        index = self._index.get(location)
        if index is None:
            return
        entry = self._entries[index]
        self.entry_list.replace_option_prompt_at_index(
            index, entry_prompt(entry, self._states.get(location), location in self.followed))


def make_client_getter(factory: Callable[[], S3Client]) -> ClientGetter:
    """A thread-safe, create-once client getter (creating a boto3 client is slow)."""
    import threading

    lock = threading.Lock()
    box: list[S3Client] = []

    def get() -> S3Client:
        with lock:
            if not box:
                box.append(factory())
            return box[0]

    return get
