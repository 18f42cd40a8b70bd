"""Which objects a load needs: one key, a small folder, or a prefix cut by a time window.

A log bucket holds years of five-minute files, so "load this prefix since 14:00" must not list
everything under it. The window picks the day folders (and, for hourly layouts, the hour
folders) that can hold matching files, and only those are listed. Above the region level the
few structural folders (AWSLogs/, accounts, service, regions) are listed one level at a time
to find where the date folders start.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from flowtui import layout
from flowtui.s3.errors import TooManyObjects
from flowtui.s3.listing import Entry, PrefixPager, list_all

#: How many objects a load without a time window may list before asking for a narrower one.
MAX_OBJECTS = 20_000
#: Folder levels searched above ``AWSLogs/`` for a destination prefix of unknown depth.
MAX_PREFIX_DEPTH = 3
#: Structural listings allowed while looking for region folders.
MAX_DISCOVERY_REQUESTS = 200


class SelectError(Exception):
    """The objects behind a URL cannot be had; the message is one line for the user."""


def objects_at(client: Any, location: str, since: datetime | None = None,
               until: datetime | None = None, *, limit: int = MAX_OBJECTS) -> list[Entry]:
    """``select_objects`` for one ``s3://`` URL, any failure as one line (``SelectError``).

    Needs boto3 but not Arrow, so a command can list while Arrow is imported on a thread.
    """
    from flowtui.s3.errors import describe

    try:
        bucket, key = parse_s3_url(location)
    except ValueError as exc:
        raise SelectError(str(exc)) from None
    try:
        return select_objects(client, bucket, key, since, until, limit=limit)
    except Exception as exc:  # one line for the user, whatever went wrong
        raise SelectError(describe(exc, bucket=bucket, key=key or None)) from exc


def parse_s3_url(url: str) -> tuple[str, str]:
    """``s3://bucket/key`` -> (bucket, key). The key may be empty (the bucket root)."""
    if not url.startswith("s3://"):
        raise ValueError(f"not an s3:// URL: {url}")
    bucket, _, key = url[5:].partition("/")
    if not bucket:
        raise ValueError(f"no bucket in {url}")
    return bucket, key


def _head(client: Any, bucket: str, key: str) -> Entry | None:
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


def _explain_bad_request(client: Any, bucket: str, key: str, exc: ClientError) -> None:
    """A HEAD's error has no body, so a bare 400 hides why (expired or invalid credentials,
    most often). A one-byte GET of the same key carries the error code: raise that."""
    try:
        client.get_object(Bucket=bucket, Key=key, Range="bytes=0-0")["Body"].close()
    except ClientError as detail:
        if str(detail.response.get("Error", {}).get("Code", "")) not in ("", "400"):
            raise detail from exc


def select_objects(
    client: Any,
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
        raise TooManyObjects(f"s3://{bucket}/{key}: give a start time (--since) for a window")
    if until is None:
        until = datetime.now(tz=since.tzinfo)
    roots = region_roots(client, bucket, key)
    found: list[Entry] = []
    for root in roots:
        found.extend(_select_in_root(client, bucket, key, root, since, until))
        if len(found) > limit:
            raise TooManyObjects(
                f"s3://{bucket}/{key}: more than {limit} objects in that window: narrow the "
                "window or the prefix")
    found.sort(key=lambda e: e.key)
    return found


def _select_flat(client: Any, bucket: str, key: str, limit: int,
                 on_listing: Callable[[int], None] | None) -> list[Entry]:
    in_tree = layout.find_awslogs(key) is not None
    if in_tree and not _is_day_or_deeper(key, layout.region_root(key)):
        raise TooManyObjects(
            f"s3://{bucket}/{key} spans many days of flow logs: give a time window "
            "(--since/--until) or pick a day folder")
    entries = list_all(client, bucket, key, delimiter="", limit=limit, on_page=on_listing)
    if len(entries) > limit:
        raise TooManyObjects(
            f"s3://{bucket}/{key} holds more than {limit} objects: narrow the prefix or give a "
            "time window (--since/--until)")
    # A key ending in "/" is mostly the console's empty folder marker; one with bytes in it
    # is an object like any other (a folder of the same name may sit beside it).
    return [e for e in entries if e.kind == "object" and (e.size or not e.key.endswith("/"))]


def _is_day_or_deeper(key: str, root: layout.RegionRoot | None) -> bool:
    if root is None:
        return False
    rest = key[len(root.prefix):].strip("/").split("/")
    return len(rest) >= 3 and layout.parse_day_prefix("/".join(rest[:3]) + "/") is not None


def region_roots(client: Any, bucket: str, key: str) -> list[layout.RegionRoot]:
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


def _children(client: Any, bucket: str, prefix: str, budget: list[int]) -> list[str]:
    pager = PrefixPager(client, bucket, prefix)
    out: list[str] = []
    while pager.has_more:
        if budget[0] <= 0:
            raise TooManyObjects(
                f"s3://{bucket}/{prefix}: could not find the flow-log folders (AWSLogs/) "
                "within a few levels: give the prefix that holds AWSLogs/")
        budget[0] -= 1
        out.extend(e.key for e in pager.next_page() if e.kind == "prefix")
    return out


def _related(a: str, b: str) -> bool:
    """One prefix contains the other."""
    return a.startswith(b) or b.startswith(a)


def _select_in_root(client: Any, bucket: str, key: str, root: layout.RegionRoot,
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
