"""Writers for ``flowtui cat``: aligned table, CSV, JSON lines, and field-by-field explain.

Each takes record batches as they arrive and writes them at once, so the first rows reach
the terminal (or ``| head``) before an object is read to the end.
"""

from __future__ import annotations

import json
from typing import TextIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from flowtui.store import records
from flowtui.textsafe import printable

NULL = "-"


class RecordWriter:
    """Base: counts rows and stops at ``limit``; subclasses format one batch."""

    def __init__(self, out: TextIO, limit: int | None = None, decoded: bool = False) -> None:
        self.out = out
        self.limit = limit
        self.decoded = decoded
        self.written = 0

    @property
    def done(self) -> bool:
        return self.limit is not None and self.written >= self.limit

    def write_batch(self, batch: pa.RecordBatch, source: str) -> None:
        if self.done or batch.num_rows == 0:
            return
        if self.limit is not None:
            batch = batch.slice(0, self.limit - self.written)
        self._write(batch, source)
        self.written += batch.num_rows
        self.out.flush()

    def _write(self, batch: pa.RecordBatch, source: str) -> None:
        raise NotImplementedError

    def _cells(self, batch: pa.RecordBatch) -> list[list[str]]:
        """Rows of literal cell text (``-`` for null), or decoded text when asked."""
        names = batch.schema.names
        rows = []
        if self.decoded:
            from flowtui.explain import display_value

            for record in records(batch):
                rows.append([printable(display_value(name, record[name], True))
                             for name in names])
            return rows
        for record in records(batch):
            rows.append([NULL if value is None else printable(str(value))
                         for value in record.values()])
        return rows


class TableWriter(RecordWriter):
    """Columns padded to the widths of the first batch of each format; wider values widen."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._names: list[str] | None = None
        self._widths: list[int] = []

    def _write(self, batch: pa.RecordBatch, source: str) -> None:
        rows = self._cells(batch)
        names = batch.schema.names
        if names != self._names:
            self._names = names
            self._widths = [len(name) for name in names]
            for row in rows[:200]:
                self._widths = [max(w, len(cell)) for w, cell in zip(self._widths, row,
                                                                     strict=True)]
            self.out.write(self._line(names) + "\n")
        self.out.write("".join(self._line(row) + "\n" for row in rows))

    def _line(self, cells: list[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, self._widths,
                                                                  strict=True)).rstrip()


class CsvWriter(RecordWriter):
    """RFC 4180 CSV; null is an empty cell. A header starts each new set of columns."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._names: list[str] | None = None

    def _write(self, batch: pa.RecordBatch, source: str) -> None:
        header = batch.schema.names != self._names
        self._names = batch.schema.names
        if self.decoded:
            import csv

            writer = csv.writer(self.out, lineterminator="\n")
            if header:
                writer.writerow(self._names)
            writer.writerows(self._cells(batch))
            return
        sink = pa.BufferOutputStream()
        pacsv.write_csv(batch, sink, pacsv.WriteOptions(include_header=header,
                                                        quoting_style="needed"))
        self.out.write(printable(sink.getvalue().to_pybytes().decode("utf-8"),
                                 keep_newlines=True))


class JsonlWriter(RecordWriter):
    """One JSON object per record; keys are the header's field names, null for ``-``.

    Built column by column with Arrow kernels (a million records in about a second, where
    ``json.dumps`` per record takes ~20 s); only string columns holding characters that
    need escaping go through ``json.dumps``.
    """

    def _write(self, batch: pa.RecordBatch, source: str) -> None:
        parts = [_json_member(name, column)
                 for name, column in zip(batch.schema.names, batch.columns, strict=True)]
        lines = pc.binary_join_element_wise("{", *_interleave(parts, ", "), "}\n", "")
        self.out.write("".join(lines.to_pylist()))


_NEEDS_JSON_ESCAPE = r'["\\\x00-\x1f\x7f-\x9f\x{2028}\x{2029}]'


def _json_member(name: str, column: pa.Array) -> pa.Array:
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        text = column.cast(pa.string())
    else:
        column = column.cast(pa.string())
        if pc.any(pc.match_substring_regex(column, _NEEDS_JSON_ESCAPE)).as_py():
            text = pa.array([None if value is None else _json_string(value)
                             for value in column.to_pylist()], pa.string())
        else:
            text = pc.binary_join_element_wise('"', column, '"', "")
    text = pc.fill_null(text, "null")
    return pc.binary_join_element_wise(json.dumps(name) + ": ", text, "")


def _json_string(value: str) -> str:
    """JSON text that is also terminal-safe: C1 controls and DEL escaped too."""
    encoded = json.dumps(value, ensure_ascii=False)
    return "".join(f"\\u{ord(c):04x}" if "\x7f" <= c <= "\x9f" or c in "\u2028\u2029" else c
                   for c in encoded) if not encoded.isprintable() else encoded


def _interleave(parts: list[pa.Array], separator: str) -> list[object]:
    out: list[object] = []
    for index, part in enumerate(parts):
        if index:
            out.append(separator)
        out.append(part)
    return out


class ExplainWriter(RecordWriter):
    """Each record field by field: raw value, decoded value, meaning; then facts, warnings."""

    def _write(self, batch: pa.RecordBatch, source: str) -> None:
        from flowtui.explain import explain

        for record in records(batch):
            number = self.written + 1
            self.written += 1
            explanation = explain(record)
            lines = [f"── record {number} · {printable(source)} " + "─" * 20]
            width = max((len(row.field) for row in explanation.rows), default=5)
            raw_width = min(max((len(row.raw) for row in explanation.rows), default=3), 40)
            for row in explanation.rows:
                lines.append(f"  {printable(row.field):<{width}}  {printable(row.raw):<{raw_width}}"
                             f"  {printable(row.decoded)}")
                if row.meaning:
                    lines.append(f"  {'':<{width}}  {'':<{raw_width}}  ↳ {row.meaning}")
            for label, value in explanation.facts:
                lines.append(f"  {label}: {printable(value)}")
            for warning in explanation.warnings:
                lines.append(f"  ! {printable(warning)}")
            self.out.write("\n".join(lines) + "\n\n")
        self.written -= batch.num_rows  # write_batch adds the batch's rows once


def make_writer(fmt: str, out: TextIO, *, limit: int | None = None, decoded: bool = False,
                explain: bool = False) -> RecordWriter:
    if explain:
        return ExplainWriter(out, limit, decoded)
    if fmt == "jsonl" and decoded:
        return DecodedJsonlWriter(out, limit, decoded)
    writer = {"table": TableWriter, "csv": CsvWriter, "jsonl": JsonlWriter}[fmt]
    return writer(out, limit, decoded)


class DecodedJsonlWriter(RecordWriter):
    """JSON lines with decoded values beside the raw ones (``--format jsonl --decoded``).

    Every field keeps its raw value under its own name; a field the catalogue can decode adds
    ``FIELD.decoded``: ``start``/``end`` as ISO 8601 UTC (``2024-03-05T14:00:00Z``),
    ``protocol`` as its name (``TCP``), ``tcp-flags`` as a list of flag names
    (``["SYN", "ACK"]``), ports as their service name (or null), and the other fields as the
    catalogue's one-line meaning (``action``: ``accepted: security groups …``). Null stays
    null. Decoding runs once per distinct value of a column, not per record.
    """

    def _write(self, batch: pa.RecordBatch, source: str) -> None:
        parts = [_decoded_members(name, column)
                 for name, column in zip(batch.schema.names, batch.columns, strict=True)]
        flat = [member for pair in parts for member in pair]
        lines = pc.binary_join_element_wise("{", *_interleave(flat, ", "), "}\n", "")
        self.out.write("".join(lines.to_pylist()))


def decoded_value(name: str, value: object) -> object:
    """The decoded form of one raw value (see ``DecodedJsonlWriter``); None when none."""
    from flowtui import decoders
    from flowtui.fields import FIELDS

    if value is None:
        return None
    if name in ("start", "end"):
        found = decoders.epoch_to_datetime(value)
        return None if found is None else found[0].strftime("%Y-%m-%dT%H:%M:%SZ")
    if name == "protocol":
        return decoders.protocol_name(value)
    if name == "tcp-flags":
        return decoders.tcp_flag_names(value)
    if name in ("srcport", "dstport"):
        return decoders.port_service(value)
    spec = FIELDS.get(name)
    if spec is None or spec.decoder is None:
        return None
    return spec.decoder(value)


def _decodes(name: str) -> bool:
    from flowtui.fields import FIELDS

    spec = FIELDS.get(name)
    return name in ("start", "end", "protocol", "tcp-flags", "srcport", "dstport") or (
        spec is not None and spec.decoder is not None)


def _decoded_members(name: str, column: pa.Array) -> list[pa.Array]:
    raw = _json_member(name, column)
    if not _decodes(name):
        return [raw]
    encoded = column if pa.types.is_dictionary(column.type) else column.dictionary_encode()
    texts = []
    for value in encoded.dictionary.to_pylist():
        decoded = decoded_value(name, value)
        text = (json.dumps(decoded, ensure_ascii=False) if isinstance(decoded, list)
                else "null" if decoded is None else _json_string(str(decoded)))
        texts.append(text)
    per_row = pc.fill_null(pc.take(pa.array(texts, pa.string()), encoded.indices), "null")
    return [raw, pc.binary_join_element_wise(json.dumps(f"{name}.decoded") + ": ", per_row, "")]
