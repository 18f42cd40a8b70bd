"""Which objects a load needs: one key, a small folder, or a prefix cut by a time window.

A log bucket holds years of five-minute files, so "load this prefix since 14:00" must not list
everything under it. The window picks the day folders (and, for hourly layouts, the hour
folders) that can hold matching files, and only those are listed. Above the region level the
few structural folders (AWSLogs/, accounts, service, regions) are listed one level at a time
to find where the date folders start.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from flowtui import layout
from flowtui.s3.errors import TooManyObjects
from flowtui.s3.listing import Entry, Lister, PrefixPager, list_all
from flowtui.s3.url import S3Url, S3UrlError

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client

#: How many objects a load without a time window may list before asking for a narrower one.
MAX_OBJECTS = 20_000
#: Folder levels searched above ``AWSLogs/`` for a destination prefix of unknown depth.
MAX_PREFIX_DEPTH = 3
#: Structural listings allowed while looking for region folders.
MAX_DISCOVERY_REQUESTS = 200
#: Keys asked for in the first page of a folder listed page by page (``object_pages``): one
#: key answers at once (S3 and moto take longer the more keys a page holds), so the first
#: object's GET starts while the rest of the folder is still being listed.
FIRST_PAGE_KEYS = 1
#: Keys asked for in every later page: the most S3 returns.
PAGE_KEYS = 1000


class SelectError(Exception):
    """The objects behind a URL cannot be had; the message is one line for the user."""


def objects_at(client: S3Client, location: str, since: datetime | None = None,
               until: datetime | None = None, *, limit: int = MAX_OBJECTS) -> list[Entry]:
    """``select_objects`` for one ``s3://`` URL, any failure as one line (``SelectError``).

    Needs boto3 but not Arrow, so a command can list while Arrow is imported on a thread.
    """
    from flowtui.s3.errors import describe

    try:
        url = S3Url.parse(location)
    except S3UrlError as exc:
        raise SelectError(str(exc)) from None
    try:
        return select_objects(client, url.bucket, url.key, since, until, limit=limit)
    except Exception as exc:  # one line for the user, whatever went wrong
        raise SelectError(describe(exc, bucket=url.bucket, key=url.key or None)) from exc


def object_pages(client: S3Client, location: str, since: datetime | None = None,
                 until: datetime | None = None, *, limit: int = MAX_OBJECTS,
                 first_page: int = FIRST_PAGE_KEYS) -> Iterator[list[Entry]]:
    """``objects_at``, a page at a time: a folder listed flat (no window) yields the objects
    of each page as it comes, the first page ``first_page`` keys long; an object, or the
    folders a window picks, in one list. The same objects in the same (key) order as
    ``objects_at``, and its errors, raised where they happen: a folder found to hold
    more than ``limit`` objects fails after its first pages were yielded."""
    from flowtui.s3.errors import describe

    try:
        url = S3Url.parse(location)
    except S3UrlError as exc:
        raise SelectError(str(exc)) from None
    try:
        key = url.key
        if since is not None or until is not None or (key and not key.endswith("/")):
            yield select_objects(client, url.bucket, key, since, until, limit=limit)
            return
        # ``select_objects`` for a folder without a window (a key ending in "/" or none).
        yield from _flat_pages(client, url.bucket, key, limit, first_page)
    except Exception as exc:  # one line for the user, whatever went wrong
        raise SelectError(describe(exc, bucket=url.bucket, key=url.key or None)) from exc


def _head(client: S3Client, bucket: str, key: str) -> Entry | None:
    """The object at exactly ``key``, or None when there is none (it is then a prefix)."""
    try:
        head = client.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if status in (404, 403) or code in ("404", "403", "NoSuchKey", "NotFound"):
            # 403: without s3:ListBucket a missing key looks forbidden; try it as a prefix
            # and let the listing say what is wrong.
            return None
        if code == "400":
            _explain_bad_request(client, bucket, key, exc)
        raise
    return Entry(kind="object", bucket=bucket, key=key, size=head.get("ContentLength"),
                 last_modified=head.get("LastModified"), info=layout.parse_key(key),
                 etag=head.get("ETag"))


def _explain_bad_request(client: S3Client, bucket: str, key: str, exc: ClientError) -> None:
    """A HEAD's error has no body, so a bare 400 hides why (expired or invalid credentials,
    most often). A one-byte GET of the same key carries the error code: raise that."""
    try:
        client.get_object(Bucket=bucket, Key=key, Range="bytes=0-0")["Body"].close()
    except ClientError as detail:
        if str(detail.response.get("Error", {}).get("Code", "")) not in ("", "400"):
            raise detail from exc


def select_objects(
    client: S3Client,
    bucket: str,
    key: str,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    limit: int = MAX_OBJECTS,
    on_listing: Callable[[int], None] | None = None,
) -> list[Entry]:
    """The objects to load for ``s3://bucket/key``, in key order.

    A key naming an object is that object. A prefix with a window (``since`` and/or
    ``until``, UTC) lists only the date/hour folders that can hold records overlapping it
    and keeps files whose stamp fits (widened: files hold records up to 10 min older than
    their stamp). A prefix without a window is listed flat, at most ``limit`` objects, and is
    refused above the day level of a flow-log tree, where it would mean months of files.
    """
    if key and not key.endswith("/"):
        entry = _head(client, bucket, key)
        if entry is not None:
            return [entry]
        key += "/"
    if since is None and until is None:
        return _select_flat(client, bucket, key, limit, on_listing)
    if since is None:
        raise TooManyObjects(f"{S3Url(bucket, key)}: give a start time (--since) for a window")
    if until is None:
        until = datetime.now(tz=since.tzinfo)
    roots = region_roots(client, bucket, key)
    found: list[Entry] = []
    for root in roots:
        found.extend(_select_in_root(client, bucket, key, root, since, until))
        if len(found) > limit:
            raise TooManyObjects(
                f"{S3Url(bucket, key)}: more than {limit} objects in that window: narrow the "
                "window or the prefix")
    found.sort(key=lambda e: e.key)
    return found


def _select_flat(client: S3Client, bucket: str, key: str, limit: int,
                 on_listing: Callable[[int], None] | None) -> list[Entry]:
    _refuse_above_day(bucket, key)
    entries = list_all(client, bucket, key, delimiter="", limit=limit, on_page=on_listing)
    if len(entries) > limit:
        raise _too_many(bucket, key, limit)
    return [e for e in entries if _is_object(e)]


def _flat_pages(client: S3Client, bucket: str, key: str, limit: int, first_page: int
                ) -> Iterator[list[Entry]]:
    """``_select_flat`` a page at a time (the first page ``first_page`` keys long)."""
    _refuse_above_day(bucket, key)
    pager = PrefixPager(client, bucket, key, delimiter="", page_size=first_page)
    seen = 0
    while pager.has_more:
        page = pager.next_page()
        pager.page_size = PAGE_KEYS
        seen += len(page)
        if seen > limit:
            raise _too_many(bucket, key, limit)
        yield [e for e in page if _is_object(e)]


def _refuse_above_day(bucket: str, key: str) -> None:
    in_tree = layout.find_awslogs(key) is not None
    if in_tree and not _is_day_or_deeper(key, layout.region_root(key)):
        raise TooManyObjects(
            f"{S3Url(bucket, key)} spans many days of flow logs: give a time window "
            "(--since/--until) or pick a day folder")


def _too_many(bucket: str, key: str, limit: int) -> TooManyObjects:
    return TooManyObjects(
        f"{S3Url(bucket, key)} holds more than {limit} objects: narrow the prefix or give a "
        "time window (--since/--until)")


def _is_object(e: Entry) -> bool:
    # A key ending in "/" is mostly the console's empty folder marker; one with bytes in it
    # is an object like any other (a folder of the same name may sit beside it).
    return e.kind == "object" and bool(e.size or not e.key.endswith("/"))


def _is_day_or_deeper(key: str, root: layout.RegionRoot | None) -> bool:
    if root is None:
        return False
    rest = key[len(root.prefix):].strip("/").split("/")
    return len(rest) >= 3 and layout.parse_day_prefix("/".join(rest[:3]) + "/") is not None


def region_roots(client: Lister, bucket: str, key: str) -> list[layout.RegionRoot]:
    root = layout.region_root(key)
    if root is not None:
        return [root]
    roots: list[layout.RegionRoot] = []
    budget = [MAX_DISCOVERY_REQUESTS]
    frontier = [(key, 0)]
    while frontier:
        prefix, depth = frontier.pop(0)
        for child in _children(client, bucket, prefix, budget):
            found = layout.region_root(child)
            start = layout.find_awslogs(child)
            if found is not None and found.prefix == child:
                if layout.is_region_folder(child.rstrip("/").rpartition("/")[2]):
                    roots.append(found)
            elif start is not None:
                inner = child[start + len(layout.AWSLOGS):].rstrip("/").split("/")
                inner = [p for p in inner if p]
                if _structural(inner):
                    frontier.append((child, depth + 1))
            elif depth < MAX_PREFIX_DEPTH:
                frontier.append((child, depth + 1))
    return sorted(roots, key=lambda r: r.prefix)


def _structural(inner: list[str]) -> bool:
    """Folders between ``AWSLogs/`` and a region: (none), account, account/service."""
    if not inner:
        return True
    if not layout.is_account_folder(inner[0]):
        return False
    return len(inner) == 1 or (len(inner) == 2 and layout.is_service_folder(inner[1]))


def _children(client: Lister, bucket: str, prefix: str, budget: list[int]) -> list[str]:
    pager = PrefixPager(client, bucket, prefix)
    out: list[str] = []
    while pager.has_more:
        if budget[0] <= 0:
            raise TooManyObjects(
                f"{S3Url(bucket, prefix)}: could not find the flow-log folders (AWSLogs/) "
                "within a few levels: give the prefix that holds AWSLogs/")
        budget[0] -= 1
        out.extend(e.key for e in pager.next_page() if e.kind == "prefix")
    return out


def _related(a: str, b: str) -> bool:
    """One prefix contains the other."""
    return a.startswith(b) or b.startswith(a)


def _select_in_root(client: S3Client, bucket: str, key: str, root: layout.RegionRoot,
                    since: datetime, until: datetime) -> list[Entry]:
    found: list[Entry] = []

    def keep(entries: list[Entry]) -> None:
        for e in entries:
            if e.kind != "object" or not e.key.startswith(key):
                continue
            if e.info is not None and layout.stamp_in_window(e.info.time, since, until):
                found.append(e)

    for day in layout.day_prefixes(root, since, until):
        if not _related(day, key):
            continue
        if len(key) > len(day):  # the prefix is an hour folder (or a partial name) inside
            keep(list_all(client, bucket, key, delimiter=""))
            continue
        date = layout.parse_day_prefix(day)
        assert date is not None
        entries = list_all(client, bucket, day)
        keep(entries)
        for folder in (e for e in entries if e.kind == "prefix"):
            hour = layout.parse_hour_folder(folder.key)
            if hour is not None and layout.hour_in_window(date, hour, since, until):
                keep(list_all(client, bucket, folder.key))
    return found
