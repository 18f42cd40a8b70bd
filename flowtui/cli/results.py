"""Where a command's matching records go when it does not print them as they load: a sink
that keeps them (or only their groups), the ``--output`` file or stdout, a progress line on
a terminal, and small result tables written through the record writers.

Kept light at import: Arrow and the store are imported when a command runs.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any


class Sink:
    """A writer-like sink (``write_batch``, ``done``) for a command that answers after the
    load instead of printing as it goes. Each batch goes ``into`` a ``RecordStore``
    (``cat --sort``: the matches, to sort) or group states (``GroupStates``,
    ``HistogramStates``: ``top`` and ``hist`` hold the groups, not the records), with the
    account and region of the object's key added as ``account-id`` / ``region`` columns when
    the command asks for them and the records lack them."""

    def __init__(self, into: Any, key_fields: Sequence[str] = (),
                 progress: Progress | None = None) -> None:
        self.into = into
        self.key_fields = [f for f in key_fields if f in ("account-id", "region")]
        self.progress = progress
        self.kept = 0
        self.done = False
        #: Every column a batch brought: a ``--by`` field none had is one the records'
        #: format does not log (``top`` refuses to group every record as '-' by it).
        self.columns: set[str] = set()

    def write_batch(self, batch: Any, source: str, lines: Any = None, *,
                    family: str = "unknown") -> None:
        """``family`` is the batch's format family ("vpc", "tgw", "unknown"; ``loading``
        tells it): group states' note on unrecorded sums names the causes of '-' by it."""
        if not self.columns.issuperset(batch.schema.names):
            self.columns.update(batch.schema.names)
        if self.key_fields:
            batch = with_key_columns(batch, source, self.key_fields)
            # from the object's key: known only when the key names them
            self.columns.update(name for name in self.key_fields if name not in self.columns
                                and batch.column(name).null_count < batch.num_rows)
        if hasattr(self.into, "append"):  # a store keeps each batch's source (and lines)
            self.into.append(batch, source, lines)
        else:
            self.into.add(batch, family)
        self.kept += batch.num_rows
        if self.progress is not None:
            self.progress.show(f"loaded {self.kept:,} matching records")


    def lacking_sums(self) -> str | None:
        """The note for sums of records whose format logs no packets or bytes at all, or
        None: their '-' is not NODATA/SKIPDATA or Block Public Access (the note
        ``unrecorded_note`` gives for '-' a record logged)."""
        from flowtui.query.absent import lacking_words

        lacking = [name for name in ("packets", "bytes") if name not in self.columns]
        if not self.kept or not lacking:
            return None
        return lacking_words(lacking, "the sums of {it} are '-'")


def with_key_columns(batch: Any, source: str, names: Sequence[str]) -> Any:
    import pyarrow as pa

    from flowtui import layout

    missing = [n for n in names if n not in batch.schema.names]
    if not missing:
        return batch
    info = layout.parse_key(source) or layout.parse_key(os.path.basename(source))
    for name in missing:
        value = None if info is None else (info.account if name == "account-id"
                                           else info.region)
        column = pa.DictionaryArray.from_arrays(
            pa.repeat(pa.scalar(0 if value is not None else None, pa.int8()), batch.num_rows),
            pa.array([value if value is not None else ""], pa.string()))
        batch = batch.append_column(name, column)
    return batch


@contextmanager
def output(path: str | None, *, binary: bool = False) -> Iterator[IO[Any]]:
    """``--output FILE`` (written whole or not at all, safely: ``flowtui.outfile``), else
    stdout."""
    if path is None or path == "-":
        yield sys.stdout.buffer if binary else sys.stdout
        return
    from flowtui.outfile import open_output

    with open_output(path, binary=binary) as handle:
        yield handle


class Progress:
    """One self-overwriting line on stderr, only when stderr is a terminal."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._last = 0.0
        self._shown = False

    def show(self, text: str, *, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        sys.stderr.write(f"\r\x1b[K{text}")
        sys.stderr.flush()
        self._shown = True

    def clear(self) -> None:
        if self.enabled and self._shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self._shown = False


def write_table(table: Any, fmt: str, out: IO[str]) -> None:
    """A small result table through the record writers (table, csv, jsonl)."""
    from flowtui.output import make_writer

    writer = make_writer(fmt, out)
    for batch in table.to_batches():
        writer.write_batch(batch, "")
    if table.num_rows == 0 and fmt == "table":
        out.write("  ".join(table.schema.names) + "\n")
