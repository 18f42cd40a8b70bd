"""Listing buckets and one folder level at a time, a page per request.

Log buckets hold millions of keys. A browser that lists a whole prefix before showing anything
is unusable there, so a folder is listed one level deep (Delimiter "/") and one page at a
time: the caller shows the first page and asks for the next one when the user scrolls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from flowtui.layout import KeyInfo, describe_prefix, parse_key
from flowtui.s3.errors import NOT_S3, ListingCut, ListingLoop, is_web_page
from flowtui.s3.url import S3Url

if TYPE_CHECKING:
    from typing import Unpack

    from types_boto3_s3 import S3Client
    from types_boto3_s3.type_defs import (
        ListObjectsV2OutputTypeDef,
        ListObjectsV2RequestTypeDef,
        ObjectTypeDef,
    )


class Lister(Protocol):
    """What a listing needs of a client: the S3 client is one, and so is a wrapper that
    counts the calls (the tail's)."""

    def list_objects_v2(self, **kwargs: Unpack[ListObjectsV2RequestTypeDef]
                        ) -> ListObjectsV2OutputTypeDef: ...


@dataclass(frozen=True)
class Entry:
    """One row of the browser: a bucket, a folder (common prefix) or an object."""

    kind: str  # "bucket" | "prefix" | "object"
    bucket: str
    key: str = ""  # the full key or prefix ("" for a bucket)
    size: int | None = None
    last_modified: datetime | None = None
    info: KeyInfo | None = field(default=None, compare=False)
    etag: str | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        """The last path component, as a browser shows it (folders keep their "/")."""
        if self.kind == "bucket":
            return self.bucket
        if self.kind == "prefix" or self.key.endswith("/"):
            # (an object may end in "/" too, listed inside the folder of its own name)
            return self.key.rstrip("/").rpartition("/")[2] + "/"
        return self.key.rpartition("/")[2]

    @property
    def label(self) -> str | None:
        """What a flow-log folder means ("region eu-west-1", "2024-03-05"), if it is one."""
        return describe_prefix(self.key) if self.kind == "prefix" else None

    @property
    def url(self) -> str:
        return str(S3Url(self.bucket, self.key))


def list_buckets(client: S3Client) -> list[Entry]:
    """All buckets the credentials can see (one ListBuckets call)."""
    response = client.list_buckets()
    return [
        Entry(kind="bucket", bucket=b["Name"], last_modified=b.get("CreationDate"))
        for b in response.get("Buckets", [])
    ]


def object_entry(bucket: str, item: ObjectTypeDef) -> Entry:
    key = item["Key"]
    return Entry(
        kind="object",
        bucket=bucket,
        key=key,
        size=item.get("Size"),
        last_modified=item.get("LastModified"),
        info=parse_key(key),
        etag=item.get("ETag"),
    )


class PrefixPager:
    """One folder level of a bucket, fetched a page (one ListObjectsV2 call) at a time.

    ``next_page()`` sends exactly one request and returns its folders and objects merged in
    key order; ``has_more`` says whether another page exists. Not thread-safe: one pager per
    listing, used from one worker at a time. A server that never lets a listing end (a
    continuation token it sent before, a page that adds no key past the last one) is met
    with ``ListingLoop`` rather than followed forever.
    """

    def __init__(self, client: Lister, bucket: str, prefix: str = "", *, page_size: int = 1000,
                 delimiter: str = "/", start_after: str | None = None) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.page_size = page_size
        self.delimiter = delimiter
        self.start_after = start_after
        self.pages = 0
        self._token: str | None = None
        self._tokens: set[str] = set()  # every token sent: one coming back means a loop
        self._last_key: str | None = None
        self._done = False

    @property
    def has_more(self) -> bool:
        return not self._done

    def next_page(self) -> list[Entry]:
        if self._done:
            return []
        params: ListObjectsV2RequestTypeDef = {
            "Bucket": self.bucket,
            "Prefix": self.prefix,
            "MaxKeys": self.page_size,
        }
        if self.delimiter:
            params["Delimiter"] = self.delimiter
        if self._token:
            params["ContinuationToken"] = self._token
        elif self.start_after:
            params["StartAfter"] = self.start_after
        response = self.client.list_objects_v2(**params)
        self.pages += 1
        if "IsTruncated" not in response:
            # S3 always sends it ("false if all of the results were returned"); botocore
            # parses an empty 200 body as a page with no keys and no flag, and so a web page
            # that is well-formed XML (a proxy's or a captive portal's).
            self._done = True
            headers = response.get("ResponseMetadata", {}).get("HTTPHeaders")
            if is_web_page(headers):
                raise ListingCut(f"{S3Url(self.bucket, self.prefix)}: {NOT_S3}")
            raise ListingCut(
                f"{S3Url(self.bucket, self.prefix)}: listing page {self.pages} came back "
                "without its end-of-listing flag (IsTruncated): an empty or cut-off answer, "
                "not the end of the folder; stopped rather than list part of it")
        if self._token:
            self._tokens.add(self._token)
        self._token = response.get("NextContinuationToken")
        self._done = not (response.get("IsTruncated") and self._token)
        entries = [
            Entry(kind="prefix", bucket=self.bucket, key=p["Prefix"])
            for p in response.get("CommonPrefixes", []) or []
        ]
        contents = response.get("Contents", []) or []
        entries.extend(object_entry(self.bucket, item) for item in contents)
        entries.sort(key=lambda e: e.key)
        if not self._done:
            self._check_progress(entries)
        if entries:
            self._last_key = entries[-1].key
        return entries

    def _check_progress(self, entries: list[Entry]) -> None:
        """S3 lists in key order, so each page of a listing that goes on starts past the
        last key seen, and every continuation token is new."""
        if self._token in self._tokens:
            why = "the server sent a continuation token it had sent before"
        elif not entries or (self._last_key is not None and entries[-1].key <= self._last_key):
            why = "a page added no key"
        else:
            return
        self._done = True
        raise ListingLoop(
            f"{S3Url(self.bucket, self.prefix)}: the listing does not move on ({why}); "
            f"stopped after {self.pages} pages: the endpoint, or a proxy in front of it, is "
            "misbehaving")

    def __iter__(self) -> Iterator[list[Entry]]:
        """Pages until the listing ends (for bounded folders: a day, an hour)."""
        while self.has_more:
            yield self.next_page()


def list_all(client: Lister, bucket: str, prefix: str, *, delimiter: str = "/",
             limit: int | None = None, on_page: Callable[[int], None] | None = None
             ) -> list[Entry]:
    """Every entry of one folder level (or, with ``delimiter=""``, every key under a prefix),
    for the bounded folders a time window selects. Stops after ``limit`` entries + 1 so a
    caller can tell "too many" without listing them all."""
    pager = PrefixPager(client, bucket, prefix, delimiter=delimiter)
    out: list[Entry] = []
    for page in pager:
        out.extend(page)
        if on_page is not None:
            on_page(len(out))
        if limit is not None and len(out) > limit:
            break
    return out
