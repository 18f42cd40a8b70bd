"""Where the browser is, and how to fetch the next page of what is there.

A location is the bucket list, a folder of a bucket, or a local directory. Each one gives a
pager (``next_page()``, ``has_more``) so the browser treats them alike: show the first page,
ask for more when the user reaches the end. Pagers run in thread workers; they block.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from flowtui.layout import describe_prefix, parse_key
from flowtui.s3.listing import Entry, PrefixPager, list_buckets


class Pager(Protocol):
    @property
    def has_more(self) -> bool: ...

    def next_page(self) -> list[Entry]: ...


ClientGetter = Callable[[], Any]


@dataclass(frozen=True)
class Location:
    """A place the browser can show: ``kind`` is "buckets", "s3" or "local"."""

    kind: str
    bucket: str = ""
    prefix: str = ""  # an S3 prefix ending in "/" (or ""), or a local directory path

    @property
    def title(self) -> str:
        if self.kind == "buckets":
            return "S3 buckets"
        if self.kind == "s3":
            return f"s3://{self.bucket}/{self.prefix}"
        return self.prefix

    def parent(self) -> Location | None:
        if self.kind == "buckets":
            return None
        if self.kind == "s3":
            if not self.prefix:
                return Location("buckets")
            head = self.prefix.rstrip("/").rpartition("/")[0]
            return Location("s3", self.bucket, head + "/" if head else "")
        parent = str(Path(self.prefix).parent)
        return None if parent == self.prefix else Location("local", prefix=parent)

    def child(self, entry: Entry) -> Location:
        if entry.kind == "bucket":
            return Location("s3", entry.bucket, "")
        if self.kind == "local":
            return Location("local", prefix=entry.key)
        return Location("s3", entry.bucket, entry.key)

    def pager(self, client: ClientGetter) -> Pager:
        if self.kind == "buckets":
            return _BucketPager(client())
        if self.kind == "s3":
            return PrefixPager(client(), self.bucket, self.prefix)
        return LocalPager(self.prefix)


def entry_location(entry: Entry) -> str:
    """The location string the loader takes: ``s3://bucket/key`` or a local path."""
    if entry.kind == "bucket":
        return f"s3://{entry.bucket}/"
    if not entry.bucket:
        return entry.key
    return f"s3://{entry.bucket}/{entry.key}"


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HOUR = re.compile(r"^hour \d{2}$")


def folder_kind(entry: Entry) -> str | None:
    """"day" or "hour" for the flow-log folders whose objects Enter loads, else None."""
    if entry.kind != "prefix":
        return None
    label = describe_prefix(entry.key) or ""
    if _DAY.match(label):
        return "day"
    if _HOUR.match(label):
        return "hour"
    return None


class _BucketPager:
    """The bucket list is one call; it still looks like a pager to the browser."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.has_more = True

    def next_page(self) -> list[Entry]:
        self.has_more = False
        return list_buckets(self.client)


class LocalPager:
    """A local directory, folders first, a page at a time (directories of logs can be big)."""

    def __init__(self, path: str, page_size: int = 1000) -> None:
        self.path = path
        self.page_size = page_size
        self._entries: list[Entry] | None = None
        self._offset = 0

    @property
    def has_more(self) -> bool:
        return self._entries is None or self._offset < len(self._entries)

    def next_page(self) -> list[Entry]:
        if self._entries is None:
            self._entries = _scan(self.path)
        page = self._entries[self._offset:self._offset + self.page_size]
        self._offset += len(page)
        return page


def _scan(path: str) -> list[Entry]:
    folders: list[Entry] = []
    files: list[Entry] = []
    with os.scandir(path) as it:
        for item in it:
            full = os.path.join(path, item.name)
            try:
                if item.is_dir():
                    folders.append(Entry(kind="prefix", bucket="", key=full))
                elif item.is_file():
                    st = item.stat()
                    files.append(Entry(kind="object", bucket="", key=full, size=st.st_size,
                                       last_modified=datetime.fromtimestamp(st.st_mtime, UTC),
                                       info=parse_key(full)))
            except OSError:
                continue
    folders.sort(key=lambda e: e.key)
    files.sort(key=lambda e: e.key)
    return folders + files
