"""What to load: the command-line target, and every object under a folder to load.

Both may call S3 (is the key an object? what is under the day folder?), so they run in
thread workers of group ``listing`` and come back as ``TargetResolved`` and ``FolderListed``;
a big folder asks before loading.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import App
from textual.message import Message
from textual.worker import get_current_worker

from flowtui.decoders import human_bytes
from flowtui.events import ObjectRef
from flowtui.loader import resolve
from flowtui.s3.errors import describe
from flowtui.s3.listing import Entry
from flowtui.s3.select import select_objects
from flowtui.s3.url import SCHEME, S3Url, S3UrlError, meant_as_s3_url
from flowtui.ui.features.feature import Feature
from flowtui.ui.features.jobs.athena import AthenaQueries
from flowtui.ui.features.jobs.load import Loads
from flowtui.ui.widgets.athena.dialogs import LoadOrQueryScreen
from flowtui.ui.widgets.browser.pane import BrowserPane
from flowtui.ui.widgets.browser.sources import Location, entry_location, folder_kind
from flowtui.ui.widgets.dialogs import ConfirmScreen
from flowtui.ui.widgets.safe import literal

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client

CONFIRM_OBJECTS = 50
"""Loading more objects than this from one folder asks first."""
CONFIRM_BYTES = 256 * 1024 * 1024
"""...and so does loading more bytes than this."""
MAX_FOLDER_OBJECTS = 20000
"""A day folder of one busy flow log holds a few thousand objects; beyond this, narrow down."""


@dataclass
class FolderListed(Message, bubble=False):
    """Every object under a day/hour folder, ready to be confirmed and loaded."""

    entry: Entry
    refs: list[ObjectRef]
    total_bytes: int
    append: bool
    error: str | None = None


@dataclass
class TargetResolved(Message, bubble=False):
    """What the command-line target turned out to be: an object or a folder."""

    location: Location
    highlight: str | None
    ref: ObjectRef | None


class Listings(Feature):
    """Opens the target and lists folders for the app; loads go to ``loads``, and a large
    S3 folder may be queried on ``athena`` instead (the third answer)."""

    def __init__(self, app: App[Any], browser: BrowserPane, client: Callable[[], S3Client],
                 loads: Loads, athena: AthenaQueries | None = None) -> None:
        super().__init__()
        self._app = app
        self._browser = browser
        self._client = client
        self._loads = loads
        self._athena = athena

    def on_mount(self) -> None:
        self.hear(BrowserPane.LoadRequested, self._load_requested)

    def _load_requested(self, message: BrowserPane.LoadRequested) -> None:
        if self._athena is not None:
            self._athena.let_go()
        self.load_entry(message.entry, message.append)

    # ------------------------------------------------------------- target

    def open_target(self, target: str | None) -> None:
        if not target:
            self._browser.open(Location("buckets"))
            return
        if target == SCHEME:  # no bucket yet: the bucket list
            self._browser.open(Location("buckets"))
            return
        if meant_as_s3_url(target):
            try:
                url = S3Url.parse(target)
            except S3UrlError as exc:
                self._app.notify(str(exc), severity="error", markup=False)
                self._browser.open(Location("buckets"))
                return
            if url.is_prefix:
                self._browser.open(Location("s3", url.bucket, url.key))
            else:
                self._app.run_worker(partial(self._resolve_s3, url.bucket, url.key),
                                     thread=True, group="listing", exit_on_error=False,
                                     name="resolve target")
            return
        path = Path(target).expanduser()
        if path.is_dir():
            self._browser.open(Location("local", prefix=str(path.resolve())))
        elif path.is_file():
            full = str(path.resolve())
            self._browser.open(Location("local", prefix=str(path.resolve().parent)),
                               highlight=full)
            self._loads.start([ObjectRef(full, path.stat().st_size)], path.name)
        else:
            self._app.notify(f"No such file or directory: {literal(target)}",
                             severity="error", markup=False)
            self._browser.open(Location("local", prefix=os.getcwd()))

    def _resolve_s3(self, bucket: str, key: str) -> None:
        """Thread worker: is ``key`` an object (load it) or a prefix (browse it)?"""
        app, post = self._app, self.post_message
        where = S3Url(bucket, key)
        folder = Location("s3", bucket, where.folder().key)
        try:
            head = self._client().head_object(Bucket=bucket, Key=key)
        except Exception as exc:
            code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
            if code in ("404", "NoSuchKey", "NotFound"):
                post(TargetResolved(Location("s3", bucket, key + "/"), None, None))
            else:
                post(TargetResolved(folder, None, None))
                app.call_from_thread(app.notify, describe(exc), title="Cannot open target",
                                     severity="error", markup=False)
            return
        ref = ObjectRef.s3(where, head.get("ContentLength"), head.get("ETag"))
        post(TargetResolved(folder, ref.location, ref))

    @on(TargetResolved)
    def target_resolved(self, message: TargetResolved) -> None:
        self._browser.open(message.location, highlight=message.highlight)
        if message.ref is not None:
            self._loads.start([message.ref], message.ref.location.rpartition("/")[2])

    # ------------------------------------------------------------- folders

    def load_entry(self, entry: Entry, append: bool) -> None:
        """Enter on an object loads it; on a day/hour folder, lists it first."""
        if entry.kind == "object":
            self._loads.start([entry_ref(entry)], literal(entry.name), append=append)
            return
        kind = folder_kind(entry)
        label = entry.label or entry.key
        self._app.notify(f"Listing {literal(label)}…", markup=False, timeout=2)
        self._app.run_worker(partial(self._list_folder, entry, append), thread=True,
                             group="listing", exit_on_error=False, name=f"list {kind} folder")

    def _list_folder(self, entry: Entry, append: bool) -> None:
        """Thread worker: every object under a day/hour folder (bounded by the core)."""
        worker = get_current_worker()
        try:
            if entry.bucket:
                entries = select_objects(self._client(), entry.bucket, entry.key,
                                         limit=MAX_FOLDER_OBJECTS)
                logs = [e for e in entries if e.info is not None] or entries
                refs = [entry_ref(e) for e in logs]
            else:
                refs = resolve([entry.key], limit=MAX_FOLDER_OBJECTS)
        except Exception as exc:
            if not worker.is_cancelled:
                self.post_message(FolderListed(entry, [], 0, append, describe(exc)))
            return
        if worker.is_cancelled:
            return
        total = sum(ref.size or 0 for ref in refs)
        self.post_message(FolderListed(entry, refs, total, append))

    @on(FolderListed)
    def folder_listed(self, message: FolderListed) -> None:
        app = self._app
        label = literal(message.entry.label or message.entry.name)
        if message.error:
            app.notify(f"{label}: {literal(message.error)}", title="Cannot load folder",
                       severity="error", markup=False)
            return
        if not message.refs:
            app.notify(f"{label}: no objects to load", severity="warning", markup=False)
            return
        folder = entry_location(message.entry)

        def go(confirmed: bool | None = True) -> None:
            if confirmed:
                self._loads.start(message.refs, label, append=message.append, folder=folder)

        count, size = len(message.refs), message.total_bytes
        if count > CONFIRM_OBJECTS or size > CONFIRM_BYTES:
            question = Text.assemble("Load ", (f"{count:,} objects", "bold"), " (",
                                     (human_bytes(size), "bold"), ") from ", label, "?")
            athena = self._athena
            if athena is not None and message.entry.bucket:
                entry = message.entry
                app.push_screen(LoadOrQueryScreen(question, lambda: athena.offer(entry)), go)
            else:
                app.push_screen(ConfirmScreen(question), go)
        else:
            go()


def entry_ref(entry: Entry) -> ObjectRef:
    """What the loader needs; the ETag pins the read to the version that was listed."""
    return ObjectRef(entry_location(entry), entry.size, entry.etag)
