"""The fields of every object a command will read, from each object's header line, before
its first record: what a CSV's one header line must name (``cat --format csv``).

Why: a CSV has one header. Several flow logs may write into one folder, each with its own
format (a custom format is "any subset and any order" of the fields: see the format
reference, §1 and §5.2), so the objects of a folder may name other columns. Written as they
came, the columns changed in the middle of the output under a second header line, which a
CSV reader takes for a row (DuckDB's ``read_csv`` read only part of such a file, and said
nothing). Reading each object's header first gives the union of their fields, written
once; a record's format that does not log a field leaves its cell empty, as ``--sort``
and the app's export write it (``export.conform``).

How little it reads: a local file's first bytes; of an S3 object, one ranged GET of its
first ``HEAD_BYTES`` (list/head/get only), inflated only as far as its first line, several
objects at once (``WORKERS``), and only the first object of each flow log
(``one_per_flow_log``). A Parquet object's schema (from its footer). An object whose
header cannot be read (bad gzip, not a flow log, a failed GET) is said on stderr by the
caller and left out of the union: should its records come after all, the writer starts a
second header and says so, as before.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from flowtui.header import BOM, NotAFlowLog, column_names, first_line_fields, union
from flowtui.sniff import GZIP_MAGIC, PARQUET_MAGIC, refusal

#: Bytes read from an object's start: a header line is at most ``MAX_FIELDS`` names (a
#: v11 header of every field is ~700 bytes), and gzip's first block inflates to far more.
HEAD_BYTES = 16 << 10
#: S3 GETs at once (a day folder is ~300 objects; each GET is small, its time is latency).
WORKERS = 16


class HeadError(Exception):
    """Why an object's header line could not be read (one line for the user)."""


def fields_of_head(head: bytes, fields: Sequence[str] | None = None, *,
                   whole: bool = False) -> list[str] | None:
    """The columns the parser will give an object whose first bytes are ``head``: its
    header's names, or for a headerless object ``fields`` (``--fields``) else the default
    format's. ``whole``: ``head`` is the whole object. None: a Parquet object (its schema
    says). An empty object names none. Raises ``HeadError``."""
    if head.startswith(PARQUET_MAGIC):
        return None
    if head.startswith(GZIP_MAGIC):
        text = _inflated(head)
    else:
        refused = refusal(head)
        if refused is not None:
            raise HeadError(refused)
        text = head
    # A byte-order mark and blank lines before the header, as the parser skips them.
    stripped = text.removeprefix(BOM).lstrip()
    if not stripped:
        return []
    end = stripped.find(b"\n")
    if end < 0 and not whole:
        raise HeadError(f"the first line does not end within the first {HEAD_BYTES:,} "
                        "bytes: not a flow-log header")
    try:
        return first_line_fields((stripped if end < 0 else stripped[:end]).strip(),
                                 column_names(fields) if fields else None)[0]
    except NotAFlowLog as exc:
        raise HeadError(str(exc)) from None


def _inflated(head: bytes) -> bytes:
    """The first ``HEAD_BYTES`` that gzip ``head`` inflates to (its first line is in them)."""
    try:
        return zlib.decompressobj(wbits=31).decompress(head, HEAD_BYTES)
    except zlib.error as exc:
        raise HeadError(f"not readable gzip: {exc}") from exc


def local_fields(path: Path, fields: Sequence[str] | None = None) -> list[str]:
    """The columns of a local file (see ``fields_of_head``); raises ``HeadError``."""
    try:
        with open(path, "rb") as f:
            head = f.read(HEAD_BYTES)
            whole = len(head) < HEAD_BYTES
    except OSError as exc:
        raise HeadError(exc.strerror or str(exc)) from exc
    found = fields_of_head(head, fields, whole=whole)
    return found if found is not None else _parquet_fields(str(path))


def s3_fields(client: Any, location: str, fields: Sequence[str] | None = None,
              size: int | None = None) -> list[str]:
    """The columns of an S3 object: one ranged GET of its first ``HEAD_BYTES`` (a Parquet
    object: its footer, by ranged GETs). Raises ``HeadError``."""
    from flowtui.s3.errors import describe
    from flowtui.s3.url import S3Url

    url = S3Url.parse(location)
    try:
        reply = client.get_object(Bucket=url.bucket, Key=url.key,
                                  Range=f"bytes=0-{HEAD_BYTES - 1}")
        body = reply["Body"]
        try:
            head = body.read()
        finally:
            body.close()
    except Exception as exc:  # noqa: BLE001 - an S3 or network failure: one line
        raise HeadError(describe(exc)) from exc
    whole = len(head) < HEAD_BYTES or (size is not None and size <= HEAD_BYTES)
    found = fields_of_head(head, fields, whole=whole)
    if found is not None:
        return found
    from flowtui.s3.reader import RangeFile

    return _parquet_fields(RangeFile(client, url.bucket, url.key, size=size))


def _parquet_fields(source: Any) -> list[str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from flowtui.fields import canonical_name

    try:
        names = pq.ParquetFile(source).schema_arrow.names
    except (pa.ArrowException, OSError) as exc:
        raise HeadError(f"not a readable Parquet file: {str(exc).strip()}") from exc
    return [canonical_name(name) for name in names]


def one_per_flow_log(objects: Sequence[Any], name: Callable[[Any], str]) -> list[Any]:
    """The first of ``objects`` (in load order) of each flow log their file names name
    (``layout.parse_file_name``: account, region, ``fl-`` id, text or Parquet), and every
    object whose name is not a flow-log file name. Why one is enough: a flow log's format
    can't be changed after it is made (format reference §5.2: a new format is a new flow
    log, a new ``fl-`` id), so a day folder of one flow log costs one GET, not ~300."""
    from flowtui.layout import parse_file_name

    seen: set[tuple[str, ...]] = set()
    kept = []
    for item in objects:
        parts = parse_file_name(name(item).rpartition("/")[2])
        if parts is not None:
            flow_log = (parts["account"], parts["region"], parts["flow_log_id"], parts["ext"])
            if flow_log in seen:
                continue
            seen.add(flow_log)
        kept.append(item)
    return kept


def union_of_objects(objects: Sequence[Any], read: Callable[[Any], list[str]],
                     said: Callable[[Any, str], None], *, first: Sequence[str] = (),
                     workers: int = WORKERS) -> list[str]:
    """The union of ``first`` and ``read(o)`` over ``objects`` (``header.union``: in the
    order first named, objects in their load order), read ``workers`` at once; each object
    whose header cannot be read is told to ``said`` (in order) and left out."""

    def one(item: Any) -> list[str] | str:
        try:
            return read(item)
        except HeadError as exc:
            return str(exc)

    if workers > 1 and len(objects) > 1:
        with ThreadPoolExecutor(min(workers, len(objects)),
                                thread_name_prefix="flowtui-heads") as pool:
            found: Iterable[list[str] | str] = list(pool.map(one, objects))
    else:
        found = [one(item) for item in objects]
    names: list[Sequence[str]] = [first]
    for item, result in zip(objects, found, strict=True):
        if isinstance(result, str):
            said(item, result)
        else:
            names.append(result)
    return union(names)
