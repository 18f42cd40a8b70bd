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
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from flowtui.layout import day_prefix, describe_prefix, parse_key, region_root
from flowtui.s3.listing import Entry, PrefixPager, list_buckets
from flowtui.s3.url import SCHEME, S3Url, is_bucket_name, is_s3_url

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client


class Pager(Protocol):
    @property
    def has_more(self) -> bool: ...

    def next_page(self) -> list[Entry]: ...


ClientGetter = Callable[[], "S3Client"]


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
            return str(S3Url(self.bucket, self.prefix))
        return self.prefix

    def parent(self) -> Location | None:
        if self.kind == "buckets":
            return None
        if self.kind == "s3":
            if not self.prefix:
                return Location("buckets")
            # One slash off, not all: "a//" (an empty key part, which S3 allows) is a
            # folder of "a/", and stripping every slash jumped to the bucket root.
            here = self.prefix[:-1] if self.prefix.endswith("/") else self.prefix
            head = here.rpartition("/")[0]
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
        return str(S3Url(entry.bucket))
    if not entry.bucket:
        return entry.key
    return str(S3Url(entry.bucket, entry.key))


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


_DATE_LABEL = re.compile(r"^(?:year \d{4}|\d{4}-\d{2}(?:-\d{2})?|hour \d{2})$")


def is_date_folder(entry: Entry) -> bool:
    """A year, month, day or hour folder of a flow-log tree: the newest is the one wanted."""
    return entry.kind == "prefix" and bool(_DATE_LABEL.match(describe_prefix(entry.key) or ""))


def newest_date_folder(entries: list[Entry]) -> int | None:
    """Index of the last date folder (they list oldest first), or None without any."""
    for i in range(len(entries) - 1, -1, -1):
        if is_date_folder(entries[i]):
            return i
    return None


class NoPlace(ValueError):
    """Why a place cannot be shown; ``position`` is where in the typed text it goes wrong."""

    def __init__(self, reason: str, position: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.position = position


def typed_location(text: str, here: Location | None) -> Location:
    """``s3://bucket/prefix`` or a prefix in the bucket shown; a prefix is a folder, so a
    missing final "/" is added. Raises NoPlace with the reason."""
    text = text.strip()
    if not text:
        raise NoPlace("type s3://bucket/prefix, or a prefix in the bucket shown", 0)
    if is_s3_url(text):
        bucket, _, prefix = text[len(SCHEME):].partition("/")
        if not is_bucket_name(bucket):
            raise NoPlace(f"not a bucket name: {bucket!r}" if bucket else "no bucket after s3://",
                          5)
    elif here is None or here.kind != "s3":
        raise NoPlace("no bucket shown: type s3://bucket/prefix", 0)
    else:
        bucket, prefix = here.bucket, text.lstrip("/")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return Location("s3", bucket, prefix)


def url_folder(url: str) -> Location:
    """The folder an ``s3://`` URL names, or the one its object or key prefix lies in."""
    where = S3Url.parse(url).folder()
    return Location("s3", where.bucket, where.key)


def today_location(here: Location | None, today: date) -> Location:
    """The day folder of ``today`` under the region folder ``here`` lies in (either spelling).
    Raises NoPlace saying why not."""
    if here is None or here.kind == "buckets":
        raise NoPlace("n needs a region folder (…/AWSLogs/<account>/vpcflowlogs/<region>/)")
    local = here.kind == "local"
    prefix = here.prefix.rstrip("/") + "/" if local else here.prefix
    root = region_root(prefix)
    if root is None:
        raise NoPlace("n works at or under a region folder "
                      "(…/AWSLogs/<account>/vpcflowlogs/<region>/)")
    target = day_prefix(root, today)
    if local:
        return Location("local", prefix=target.rstrip("/"))
    return Location("s3", here.bucket, target)


class _BucketPager:
    """The bucket list is one call; it still looks like a pager to the browser."""

    def __init__(self, client: S3Client) -> None:
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
