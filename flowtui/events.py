"""The events the core reports and the UI turns into messages: one set of types for both.

A loader reports ``LoadEvent``s; a tail engine reports ``TailEvent``s (the loader's record
events it passes on, and its own poll, pause and stop events). The CLI matches on them to
print, the app to update its panes; neither ever receives a bare ``object``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flowtui.s3.url import S3Url, is_s3_url

if TYPE_CHECKING:  # annotations only: an object's ref is made before Arrow is imported
    import pyarrow as pa

    from flowtui.blocks import BadLine

# --- what the loader reports ------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectRef:
    """One object to load: ``s3://bucket/key`` or a local path."""

    location: str
    size: int | None = None
    etag: str | None = field(default=None, compare=False)  # pins an S3 read to one version

    @classmethod
    def s3(cls, url: S3Url, size: int | None = None, etag: str | None = None) -> ObjectRef:
        """The object at ``url`` (its location is ``str(url)``)."""
        return cls(str(url), size, etag)

    @property
    def is_s3(self) -> bool:
        return is_s3_url(self.location)

    @property
    def url(self) -> S3Url:
        """The S3 location; raises S3UrlError for a local path (check ``is_s3`` first)."""
        return S3Url.parse(self.location)


@dataclass(frozen=True)
class ObjectStarted:
    ref: ObjectRef


@dataclass(frozen=True)
class BatchLoaded:
    ref: ObjectRef
    batch: pa.RecordBatch
    #: Where the rows are in the object's text (``blocks.RowLines``: the first row's line
    #: number, their line numbers, or None when not known).
    lines: int | pa.Array | None = None
    #: The object's format family, "vpc", "tgw" or "unknown" (``fields.detect_family`` of
    #: its header or Parquet columns): the batch may hold only the columns asked for, which
    #: need not tell (``top`` reads the grouped and summed ones).
    family: str = "unknown"


@dataclass(frozen=True)
class ObjectDone:
    """The object was read to its end. ``error`` is an object-level problem the parser met
    (truncated gzip, not a flow log); the records before it were kept."""

    ref: ObjectRef
    records: int
    bad_lines: list[BadLine]
    error: str | None = None
    bad_count: int = 0  # all bad lines; ``bad_lines`` keeps the first 1000


@dataclass(frozen=True)
class ObjectFailed:
    """The object could not be read (or stopped being readable); ``reason`` is one line."""

    ref: ObjectRef
    reason: str


@dataclass(frozen=True)
class LoadProgress:
    objects_done: int
    objects_total: int
    bytes_read: int
    records: int
    bad_lines: int
    errors: int
    bytes_total: int | None = None  # when every object's size is known


@dataclass(frozen=True)
class LoadFinished:
    progress: LoadProgress
    cancelled: bool


LoadEvent = ObjectStarted | BatchLoaded | ObjectDone | ObjectFailed | LoadProgress | LoadFinished
"""What ``Loader.run`` reports, from its worker threads."""


# --- what the tail engine reports -------------------------------------------------------------


@dataclass(frozen=True)
class PollDone:
    """A poll finished: what it found and how fresh the data is."""

    poll: int
    new_objects: int  # objects found new in this poll (loaded, or failed and reported)
    records: int  # records delivered (or held, when paused) from them
    newest: datetime | None  # UTC stamp of the newest flow-log file known under the prefix
    newest_key: str | None
    age: timedelta | None  # now - newest: how stale the newest file is
    stale: bool  # age beyond STALE_AFTER
    next_poll: datetime  # engine clock time when the next poll is due
    next_in: float  # seconds until then
    flow_logs: int  # flow-log ids seen in the watched folders
    folders: tuple[str, ...]  # the folders listed in this poll
    requests: int  # list requests this poll took
    held: int = 0  # records held back while paused
    baseline: bool = False  # this poll only took the starting point
    sweep: bool = False  # this poll looked back for late files and new flow logs
    #: S3 LastModified of ``newest_key``: when AWS delivered it (the stamp in the key is the
    #: start of its capture window, ~5-15 minutes earlier), so "just arrived" reads as such.
    delivered: datetime | None = None
    #: New files stamped before the newest file of their own flow log known before this poll
    #: (delivered late or out of order: their records come after newer ones), and the
    #: oldest stamp among them. Another flow log's files, on time, are not late.
    late: int = 0
    late_oldest: datetime | None = None
    #: Files this poll's listing met that the tail will never read: delivered after its
    #: flow log's newest had moved more than the lookback past their stamp (each said once;
    #: only those a listing shows, see ``tailscan.PrefixScan._passed_by``), and the oldest
    #: stamp among them.
    missed: int = 0
    missed_oldest: datetime | None = None
    lookback: timedelta | None = None


@dataclass(frozen=True)
class PollFailed:
    """A poll could not list (all or part of) the prefix; the tail backs off and retries."""

    poll: int
    reason: str  # one line, from s3.errors.describe
    failures: int  # consecutive failed polls
    retry_in: float  # seconds until the next try
    next_poll: datetime


@dataclass(frozen=True)
class Paused:
    held: int


@dataclass(frozen=True)
class Resumed:
    delivered: int  # held records delivered now
    dropped: int  # held records dropped while paused (more than ``keep``)


@dataclass(frozen=True)
class TailStopped:
    polls: int
    objects: int
    records: int


TailEvent = BatchLoaded | ObjectDone | ObjectFailed | PollDone | PollFailed | Paused | Resumed \
    | TailStopped
"""What a ``TailEngine`` reports: new records and failed objects, and how the polling goes."""
