"""Export: the shown view (its filter, its order, its columns) written to a file in a thread
worker (group ``export``), with progress on the status line and the rows written at the end.

The CLI's writers do the writing (``flowtui.output`` for CSV and JSON lines, ``flowtui.export``
for Parquet), so a file from the app reads like ``flowtui cat --output`` writes it: one schema
for batches that came with several, under a temporary name renamed at the end, so a
cancelled or failed export leaves nothing half-written behind.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any, TypeVar

import pyarrow as pa
from textual.app import App
from textual.message import Message
from textual.worker import Worker, get_current_worker

from flowtui.export import conform, own_columns, unified_schema, write_parquet
from flowtui.names.columns import absent_names, named_fields
from flowtui.names.resolve import Names
from flowtui.outfile import OutputError, open_output
from flowtui.output import CsvWriter, JsonlWriter
from flowtui.query.view import Absent
from flowtui.s3.errors import describe
from flowtui.textsafe import printable

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
           ".parquet": "parquet", ".pq": "parquet"}


_T = TypeVar("_T")


def format_of(path: str) -> str | None:
    return FORMATS.get(Path(path).suffix.lower())


@dataclass
class ExportProgress(Message, bubble=False):
    job_id: int
    rows: int
    total: int


@dataclass
class ExportDone(Message, bubble=False):
    """The export's end: ``error`` is one line for the user that names the file."""

    job_id: int
    path: str
    rows: int
    error: str | None = None
    cancelled: bool = False


@dataclass
class ExportJob:
    id: int
    path: str
    fmt: str
    batches: Callable[[], list[pa.RecordBatch]]  # the view's rows in order, read in the worker
    columns: tuple[str, ...]
    total: int
    worker: Worker[Any] | None = None
    #: The same rows with which of them lack which field (JSON lines leave it out; see
    #: ``RecordView.iter_gathered``); None: each batch has its own format's columns.
    gathered: Callable[[], Iterable[tuple[pa.RecordBatch, Absent]]] | None = None
    #: The names the table shows (None: none show): each ``FIELD.name`` of ``columns`` is
    #: made from the batches' records (``names/columns.py``).
    names: Names | None = None


def run_export(job: ExportJob, post: Callable[[Message], object],
               cancelled: Callable[[], bool]) -> None:
    """Thread worker body: write, reporting progress at most ten times a second."""
    written = 0
    shown = 0.0

    def progress(rows: int) -> None:
        nonlocal written, shown
        written = rows
        now = time.monotonic()
        if now - shown > 0.1:
            shown = now
            post(ExportProgress(job.id, rows, job.total))

    def checked(batches: Iterable[_T]) -> Iterator[_T]:
        for batch in batches:
            if cancelled():
                raise _Cancelled
            yield batch

    names, fields = job.names, named_fields(job.columns)

    def named(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in checked(batches):
            yield batch if names is None or not fields else names.with_names(batch, fields)

    try:
        if job.fmt == "jsonl":
            gathered = (job.gathered() if job.gathered is not None
                        else ((batch, {}) for batch in job.batches()))
            if names is not None and fields:
                gathered = ((names.with_names(batch, fields), absent_names(absent, fields))
                            for batch, absent in gathered)
            _write_jsonl(job, checked(gathered), progress)
        elif job.fmt == "parquet":
            batches = job.batches()
            write_parquet(named(batches), job.path, batches, columns=job.columns,
                          progress=progress)
        else:
            batches = job.batches()
            with open_output(job.path) as out:
                write_csv(out, batches, job.columns, names, each=checked, progress=progress)
    except _Cancelled:
        post(ExportDone(job.id, job.path, written, cancelled=True))
        return
    except OutputError as exc:  # a folder, a full disk: one line naming the file
        post(ExportDone(job.id, job.path, written, error=str(exc)))
        return
    except Exception as exc:  # one line naming the file, which is removed
        post(ExportDone(job.id, job.path, written,
                        error=f"{printable(job.path)}: {describe(exc)}"))
        return
    post(ExportDone(job.id, job.path, written))


class _Cancelled(Exception):
    pass


def write_csv(out: IO[str], batches: Sequence[pa.RecordBatch], columns: Sequence[str],
              names: Names | None, *, keep_newlines: bool = True,
              each: Callable[[Iterable[pa.RecordBatch]], Iterable[pa.RecordBatch]] = iter,
              progress: Callable[[int], None] = lambda _rows: None) -> int:
    """``batches`` as the CSV ``w`` writes (and ``C`` copies, ``keep_newlines`` false: see
    ``CsvWriter``): the CLI's writer, ``columns`` in their order with one header for every
    row (a field a record's format lacks is an empty cell, as a ``-`` is), each
    ``FIELD.name`` among them valued by ``names``. Returns the rows written."""
    fields = named_fields(columns)
    schema = unified_schema(batches, columns)
    writer = CsvWriter(out, keep_newlines=keep_newlines)
    for batch in each(batches):
        if names is not None and fields:
            batch = names.with_names(batch, fields)
        writer.write_batch(conform(batch, schema), "")
        progress(writer.written)
    if not writer.written:  # no rows: the header still says
        out.write(",".join(_csv_name(name) for name in schema.names) + "\n")
    return writer.written


def _write_jsonl(job: ExportJob, gathered: Iterable[tuple[pa.RecordBatch, Absent]],
                 progress: Callable[[int], None]) -> None:
    """JSON lines as ``flowtui cat --format jsonl`` writes them: the view's columns, less
    any a record's format lacks; null only for a ``-`` logged."""
    with open_output(job.path) as out:
        writer = JsonlWriter(out)
        for batch, absent in gathered:
            writer.write_gathered(own_columns(batch, job.columns or batch.schema.names),
                                  absent)
            progress(writer.written)


def _csv_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"' if any(c in name for c in ',"\n') else name


class ExportRunner:
    """Starts export workers and hands back what they report (one export at a time)."""

    def __init__(self, app: App[Any], post: Callable[[Message], object]) -> None:
        self._app = app
        self._post = post  # to the owner of the export (its feature)
        self._ids = 0
        self.job: ExportJob | None = None

    def start(self, path: str, fmt: str, batches: Callable[[], list[pa.RecordBatch]],
              columns: Sequence[str], total: int,
              gathered: Callable[[], Iterable[tuple[pa.RecordBatch, Absent]]] | None = None,
              names: Names | None = None) -> ExportJob:
        self._ids += 1
        job = ExportJob(self._ids, path, fmt, batches, tuple(columns), total,
                        gathered=gathered, names=names)
        self.job = job
        job.worker = self._app.run_worker(partial(self._run, job), thread=True,
                                          group="export", exclusive=True,
                                          exit_on_error=False, name=f"export {path}")
        return job

    def _run(self, job: ExportJob) -> None:
        worker = get_current_worker()
        run_export(job, self._post, lambda: worker.is_cancelled)

