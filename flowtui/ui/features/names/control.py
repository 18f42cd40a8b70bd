"""Names in the app: loaded once per (account, region) of the records, in a thread worker.

Reading the EC2 inventory (and maybe downloading AWS's IP ranges) blocks for seconds, so it
runs in a thread worker of group ``names`` that checks for cancellation; its answer comes
back as a ``NamesLoaded`` message and every pane reads the one ``Names`` it carries. The
account and region come from the S3 keys (``AWSLogs/<account>/vpcflowlogs/<region>/``); for
local files, from the records' ``account-id`` and the app's region. A source that can't be
read (no ``ec2:Describe*`` permission, EC2 unreachable, offline) is one line; the rest works.

A filter with name terms typed before the names arrive is held and applied when they do
(the filter bar says so in one line), and a filter with name terms is resolved again when
the names change (a refresh), so it never filters with stale names silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from textual import on
from textual.app import App
from textual.message import Message
from textual.worker import Worker, get_current_worker

from flowtui.names.resolve import Names, NamesOptions, load_names, scopes_from_paths
from flowtui.ui.features.feature import Feature, quiet_when_closing
from flowtui.ui.screen import MainScreen
from flowtui.ui.widgets.names.lines import inventory_age
from flowtui.ui.widgets.safe import literal

Scope = tuple[str, str]


@dataclass
class NamesLoaded(Message, bubble=False):
    """The names for ``scopes`` (every scope asked for so far), from the worker."""

    generation: int
    names: Names
    scopes: tuple[Scope, ...]
    refreshed: bool


@dataclass
class NamesScopes(Message, bubble=False):
    """The (account, region) pairs of records just loaded, worked out in a worker."""

    scopes: tuple[Scope, ...]


@dataclass
class NamesFailed(Message, bubble=False):
    """A names source the user gave could not be read at all (a broken names file)."""

    generation: int
    reason: str


def account_ids(batches: Iterable[pa.RecordBatch]) -> set[str]:
    """The distinct ``account-id`` values of the records (local files name no account in
    their path). Dictionary-encoded columns cost their dictionary only."""
    found: set[str] = set()
    for batch in batches:
        if "account-id" not in batch.schema.names:
            continue
        column = batch.column("account-id")
        if pa.types.is_dictionary(column.type):
            values = column.dictionary.to_pylist()
        else:
            values = pc.unique(column).to_pylist()
        found.update(str(v) for v in values if v not in (None, "", "-"))
    return found


def scopes_of(locations: Sequence[str], batches: Callable[[], Iterable[pa.RecordBatch]],
              region: str | None) -> tuple[Scope, ...]:
    """(account, region) pairs for records loaded from ``locations``: S3 keys in the
    ``AWSLogs`` layout say both; other keys and local files take their records'
    ``account-id`` and the app's region."""
    s3 = [loc for loc in locations if "/AWSLogs/" in loc or loc.startswith("AWSLogs/")]
    found = dict.fromkeys(scopes_from_paths(s3, None)) if s3 else {}
    if len(s3) < len(locations) and region:
        accounts = account_ids(batches())
        for account in sorted(accounts) or [""]:
            found.setdefault((account, region), None)
    return tuple(found)


@dataclass
class NamesChanged(Message):
    """New names (or a read started): the panes that name things show them again. It
    bubbles up to the app, where the features that name things hear it."""

    names: Names | None
    #: Names are being read (again): a filter waiting for them waits on.
    reading: bool


class NamesControl(Feature):
    """Owns the app's ``Names``: which scopes were asked for, the worker, what to say."""

    #: Seconds between two looks at the inventory's age for the status line, which said the
    #: age at load time for as long as the app ran ("read 34s ago" an hour later).
    AGE_EVERY = 20.0

    def __init__(self, app: App[Any], screen: MainScreen, options: NamesOptions | None,
                 region: str | None) -> None:
        super().__init__()
        self._app = app
        self._screen = screen
        #: None: ``--no-names``.
        self.options = options
        self._region = region
        self.names: Names | None = None
        self.scopes: tuple[Scope, ...] = ()
        self._wanted: dict[Scope, None] = {}
        self._generation = 0
        self._worker: Worker[Any] | None = None
        self.reading = False
        #: One line for the status line: what the names are (or why there are none).
        self.summary = ""
        #: The summary is ``status_text`` of the names (not a failure): its age may move on.
        self._aging = False
        self._told: set[str] = set()

    @property
    def enabled(self) -> bool:
        return self.options is not None

    def on_mount(self) -> None:
        if self.options is not None:
            self.set_interval(self.AGE_EVERY, self._age_said_again)

    @quiet_when_closing
    def _age_said_again(self) -> None:
        """The status line's "read N min ago" as it is now; written only when its words
        change (once a minute past the first, an hour past the first hour)."""
        if not self._aging or self.reading or self.names is None:
            return
        summary = status_text(self.names)
        if summary != self.summary and self._screen.is_attached:
            self.summary = summary
            self._screen.status.names = summary

    # ------------------------------------------------------------------ asking

    def records_loaded(self, locations: Sequence[str],
                       batches: Callable[[], Iterable[pa.RecordBatch]]) -> None:
        """Records arrived from ``locations``: their scopes are worked out in a worker
        (reading ``account-id`` scans the records) and come back as ``NamesScopes``."""
        if self.options is None:
            return
        find = partial(scopes_of, list(locations), batches, self._region)
        app, post = self._app, self.post_message

        def run() -> None:
            worker = get_current_worker()
            try:
                found = find()
            except Exception:  # a store being replaced under us: the next load asks again
                return
            if not worker.is_cancelled:
                post(NamesScopes(found))

        app.run_worker(run, thread=True, group="names", exit_on_error=False,
                       name="names: scopes")

    @on(NamesScopes)
    def scopes_found(self, message: NamesScopes) -> None:
        new = [s for s in message.scopes if s not in self._wanted]
        if not new and (self.names is not None or self.reading):
            return
        self._wanted.update(dict.fromkeys(new))
        self._start(refresh=False)

    def start_without_records(self) -> None:
        """Names from the names file and the IP ranges, before any record says whose."""
        if self.options is None or self.names is not None or self.reading:
            return
        if self.options.names_file or self.options.ip_ranges:
            self._start(refresh=False)

    def read_again(self) -> bool:
        """Read EC2 (and the IP ranges) again, ignoring the cache. False with --no-names."""
        if self.options is None:
            return False
        self._start(refresh=True)
        return True

    def cycle_names(self) -> None:
        """``N``: numbers, numbers and names, names (the named columns of the table)."""
        table = self._screen.table
        cells = table.cell_names
        if cells.names is None:
            reason = self.not_ready() or "no names are loaded"
            self._app.notify(literal(reason), markup=False, timeout=4)
            return
        cells.cycle()
        table.names_changed()
        self._app.notify(cells.describe(), markup=False, timeout=3)

    def refresh_key(self) -> None:
        """``R``: read the EC2 inventory again (the cache ignored), or say names are off."""
        if not self.read_again():
            self._app.notify("No names: the app was started with --no-names", markup=False,
                             timeout=3)

    def _start(self, *, refresh: bool) -> None:
        assert self.options is not None
        if self._worker is not None:
            self._worker.cancel()
        self._generation += 1
        generation = self._generation
        options = replace(self.options, scopes=tuple(self._wanted), refresh=refresh)
        self.reading = True
        self.summary = "names: reading EC2 again…" if refresh else "names: loading…"
        self._changed(self.names)
        app, post = self._app, self.post_message

        def run() -> None:
            worker = get_current_worker()
            try:
                names = load_names(options, cancelled=lambda: worker.is_cancelled)
            except Exception as exc:  # a broken names file: the user should hear at once
                if not worker.is_cancelled:
                    post(NamesFailed(generation, literal(str(exc))))
                return
            if not worker.is_cancelled:
                post(NamesLoaded(generation, names, options.scopes, refresh))

        self._worker = app.run_worker(run, thread=True, group="names", exit_on_error=False,
                                      name="names")

    # ----------------------------------------------------------------- answers

    @on(NamesLoaded)
    @quiet_when_closing
    def loaded(self, message: NamesLoaded) -> None:
        if message.generation != self._generation:
            return  # an older question
        self.reading = False
        self.names = message.names
        self.scopes = message.scopes
        self.summary = status_text(message.names)
        self._aging = bool(message.names.inventories)
        for note in message.names.notes:
            if note not in self._told:  # each problem once, not on every load
                self._told.add(note)
                self._app.notify(literal(note), title="Names", severity="warning",
                                 timeout=12, markup=False)
        if message.refreshed:
            self._app.notify(literal(message.names.describe()), title="Names read again",
                             markup=False, timeout=6)
        self._changed(message.names)

    @on(NamesFailed)
    @quiet_when_closing
    def failed(self, message: NamesFailed) -> None:
        if message.generation != self._generation:
            return
        self.reading = False
        self.summary = "names: " + message.reason
        self._aging = False
        if message.reason not in self._told:  # once, not on every load
            self._told.add(message.reason)
            self._app.notify(message.reason, title="Names", severity="error", timeout=12,
                             markup=False)
        self._changed(self.names)

    def _changed(self, names: Names | None) -> None:
        """New names (or a read started): the status line and the screen's panes now;
        the features that name things hear ``NamesChanged``."""
        screen = self._screen
        if not screen.is_attached:
            return
        screen.status.names = self.summary
        screen.set_names(names)
        self.post_message(NamesChanged(names, self.reading))

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    # -------------------------------------------------------------- for filters

    def not_ready(self) -> str | None:
        """Why name terms can't be resolved now (None when they can)."""
        if self.options is None:
            return "names are off (--no-names): name, sg and FIELD.name can't be resolved"
        if self.reading:  # even with names: those of the records just loaded are coming
            return "names are still loading (EC2 inventory, IP ranges)"
        if self.names is None:
            return ("no names yet: load records first (names come from their account's EC2 "
                    "inventory), or set [names] names_file in the config")
        return None


def status_text(names: Names | None) -> str:
    """The status line's names part: how many interfaces, how old; or that there are none."""
    if names is None:
        return ""
    parts: list[str] = []
    count = len(names.interfaces.by_id)
    if names.inventories:
        parts.append(f"{count:,} interfaces {inventory_age(names)}")
    elif any(note.startswith("EC2") or "EC2" in note for note in names.notes):
        parts.append("no EC2 inventory")
    if names.names_file is not None:
        parts.append("names file")
    if names.ip_ranges is not None:
        parts.append("IP ranges")
    return "names: " + ", ".join(parts) if parts else "no names"


__all__ = ["NamesChanged", "NamesControl", "NamesFailed", "NamesLoaded", "NamesScopes",
           "account_ids", "inventory_age", "scopes_of", "status_text"]
