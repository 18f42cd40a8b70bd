"""Which objects a load reads: S3 URLs, local files and folders, narrowed to a time window.

Apart from the loader (``flowtui.loader``), which reads what this chooses: choosing is a
listing (S3) or a walk (local folders) and a filter on the times in the keys; loading is
fetching, parsing and ordering. ``flowtui.loader`` re-exports both names for its callers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from flowtui import layout
from flowtui.events import ObjectRef
from flowtui.s3.url import S3Url, meant_as_s3_url

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client


T = TypeVar("T")


class LoadError(Exception):
    """Nothing could be selected for loading; the message is one line for the user."""


def resolve(
    locations: Sequence[str],
    *,
    client: S3Client | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
    listed: dict[str, list[Any]] | None = None,
) -> list[ObjectRef]:
    """The objects behind ``locations`` (S3 URLs, local files or folders), in key order per
    location. S3 prefixes with a window list only the date/hour folders the window needs;
    local folders are walked recursively and filtered by the time in file names.
    ``listed``: S3 URLs already selected (``flowtui.s3.select.objects_at``), not listed again.
    An object several locations name (a path twice, a folder and a file in it) is read once,
    where it is first named: read twice, its records were counted twice."""
    refs: list[ObjectRef] = []
    for location in locations:
        if meant_as_s3_url(location):  # "s3:/x" too: one line saying it is no URL
            from flowtui.s3.select import MAX_OBJECTS, SelectError, objects_at

            entries = (listed or {}).get(location)
            if entries is None:
                if client is None:
                    from flowtui.s3.session import make_client

                    client = make_client()
                try:
                    entries = objects_at(client, location, since, until,
                                         limit=MAX_OBJECTS if limit is None else limit)
                except SelectError as exc:
                    raise LoadError(str(exc)) from exc.__cause__
            refs.extend(ObjectRef.s3(S3Url(e.bucket, e.key), e.size, e.etag)
                        for e in entries)
        else:
            refs.extend(_local_refs(location, since, until))
    return first_of_each(refs, lambda ref: ref.location)


def first_of_each(items: Iterable[T], location: Callable[[T], str]) -> list[T]:
    """``items`` without those whose object an earlier one names: an S3 URL as it is, a
    local file by its real path (``day/a.log`` and ``day/./a.log`` are one file)."""
    seen: set[str] = set()
    kept = []
    for item in items:
        where = location(item)
        key = where if meant_as_s3_url(where) else os.path.realpath(where)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def _local_refs(location: str, since: datetime | None, until: datetime | None
                ) -> list[ObjectRef]:
    path = Path(location)
    if path.is_file():
        return [ObjectRef(str(path), path.stat().st_size)]
    if not path.is_dir():
        from flowtui.s3.errors import safe_text

        raise LoadError(safe_text(f"{location}: no such file or folder"))
    found: list[tuple[str, Path]] = []
    for root, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith("."):
                continue
            full = Path(root) / name
            found.append((full.relative_to(path).as_posix(), full))
    found.sort()
    refs = []
    for rel, full in found:
        info = layout.parse_key(rel)
        if (since or until) and info is not None and not layout.stamp_in_window(
            info.time, since, until
        ):
            continue
        refs.append(ObjectRef(str(full), full.stat().st_size))
    return refs
