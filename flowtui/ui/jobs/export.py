"""Export: the shown view (its filter, its order, its columns) written to a file in a thread
worker (group ``export``), with progress on the status line and the rows written at the end.

CSV and JSON lines go through the CLI's writers (``flowtui.output``), so a file from the app
reads like ``flowtui cat --format csv`` output. Parquet wants one schema where a store may
hold several (columns narrowed differently per batch, formats with other fields): each batch
is conformed to the union first. A file is written under a temporary name and renamed at the
end, so a cancelled or failed export leaves nothing half-written behind.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from textual.app import App
from textual.message import Message
from textual.worker import Worker, get_current_worker

from flowtui.output import CsvWriter, JsonlWriter
from flowtui.s3.errors import describe

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
           ".parquet": "parquet", ".pq": "parquet"}


def format_of(path: str) -> str | None:
    return FORMATS.get(Path(path).suffix.lower())


@dataclass
class ExportProgress(Message):
    job_id: int
    rows: int
    total: int


@dataclass
class ExportDone(Message):
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


def run_export(job: ExportJob, post: Callable[[Message], object],
               cancelled: Callable[[], bool]) -> None:
    """Thread worker body: write, reporting progress at most ten times a second."""
    partial_path = f"{job.path}.partial"
    written = 0
    shown = 0.0
    try:
        batches = job.batches()
        schema = unified_schema(batches, job.columns)
        with _sink(job.fmt, partial_path, schema) as write:
            for batch in conformed(batches, schema):
                if cancelled():
                    raise _Cancelled
                write(batch)
                written += batch.num_rows
                now = time.monotonic()
                if now - shown > 0.1:
                    shown = now
                    post(ExportProgress(job.id, written, job.total))
        os.replace(partial_path, job.path)
    except _Cancelled:
        _remove(partial_path)
        post(ExportDone(job.id, job.path, written, cancelled=True))
        return
    except Exception as exc:  # a full disk, a directory gone: one line, the file removed
        _remove(partial_path)
        post(ExportDone(job.id, job.path, written, error=describe(exc)))
        return
    post(ExportDone(job.id, job.path, written))


class _Cancelled(Exception):
    pass


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


class _sink:  # noqa: N801 - a context manager used like a function
    """``with _sink(fmt, path, schema) as write:`` — one batch per call."""

    def __init__(self, fmt: str, path: str, schema: pa.Schema) -> None:
        self.fmt, self.path, self.schema = fmt, path, schema
        self._close: Callable[[], None] = lambda: None

    def __enter__(self) -> Callable[[pa.RecordBatch], None]:
        if self.fmt == "parquet":
            writer = pq.ParquetWriter(self.path, self.schema, compression="zstd")
            self._close = writer.close
            return writer.write_batch
        out = open(self.path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        text = CsvWriter(out) if self.fmt == "csv" else JsonlWriter(out)

        def close() -> None:
            if self.fmt == "csv" and not text.written:  # no rows: the header still says
                out.write(",".join(_csv_name(name) for name in self.schema.names) + "\n")
            out.close()

        self._close = close
        return partial(text.write_batch, source="")

    def __exit__(self, *exc: object) -> None:
        self._close()


def unified_schema(batches: Sequence[pa.RecordBatch], columns: Sequence[str]) -> pa.Schema:
    """One type per column over every batch: dictionaries as text, integers widened."""
    types: dict[str, list[pa.DataType]] = {}
    for batch in batches:
        for field in batch.schema:
            types.setdefault(field.name, []).append(field.type)
    fields = []
    for name in columns:
        seen = [t.value_type if pa.types.is_dictionary(t) else t for t in types.get(name, [])]
        if not seen:
            chosen: pa.DataType = pa.string()
        elif all(t == seen[0] for t in seen):
            chosen = seen[0]
        elif all(pa.types.is_integer(t) for t in seen):
            chosen = pa.int64()
        else:
            chosen = pa.string()
        fields.append(pa.field(name, chosen))
    return pa.schema(fields)


def conformed(batches: Sequence[pa.RecordBatch], schema: pa.Schema
              ) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        arrays = []
        for field in schema:
            index = batch.schema.get_field_index(field.name)
            if index < 0:
                arrays.append(pa.nulls(batch.num_rows, field.type))
                continue
            column = batch.column(index)
            if pa.types.is_dictionary(column.type):
                column = column.dictionary_decode()
            if column.type != field.type:
                column = column.cast(field.type)
            arrays.append(column)
        yield pa.RecordBatch.from_arrays(arrays, schema=schema)


class ExportRunner:
    """Starts export workers and hands back what they report (one export at a time)."""

    def __init__(self, app: App[Any]) -> None:
        self._app = app
        self._ids = 0
        self.job: ExportJob | None = None

    def start(self, path: str, fmt: str, batches: Callable[[], list[pa.RecordBatch]],
              columns: Sequence[str], total: int) -> ExportJob:
        self._ids += 1
        job = ExportJob(self._ids, path, fmt, batches, tuple(columns), total)
        self.job = job
        job.worker = self._app.run_worker(partial(self._run, job), thread=True,
                                          group="export", exclusive=True,
                                          exit_on_error=False, name=f"export {path}")
        return job

    def _run(self, job: ExportJob) -> None:
        worker = get_current_worker()
        run_export(job, self._app.post_message, lambda: worker.is_cancelled)


def _csv_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"' if any(c in name for c in ',"\n') else name
