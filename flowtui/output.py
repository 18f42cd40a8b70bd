"""Writers for ``flowtui cat``: aligned table, CSV, JSON lines, and field-by-field explain.

Each takes record batches as they arrive and writes them at once, so the first rows reach
the terminal (or ``| head``) before an object is read to the end.

Why column by column: a million records made into Python strings take seconds, several
times longer than reading them. So each column becomes its text with Arrow kernels
(``columntext.py``: dictionaries rendered once per value, small integers and close-together
ones through tables of their text, strings checked for escaping over a column's bytes at
once), one more kernel joins the columns into lines (for CSV, Arrow's CSV writer; for JSON
lines, two takes and a copy of string views: ``linebytes.py``), and the bytes of the result
are written as they are. ``cat --format csv`` gets text columns as
plain strings, not dictionaries (see ``FlowLogParser``): Arrow's CSV writer renders each
row once anyway; and whole numbers as the text they were read as, where that is the text
their value prints (``_write_number_text``). ``--decoded`` and ``--explain`` stay in
Python: they are for reading a few records, not for bulk.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import IO, BinaryIO

import pyarrow as pa
import pyarrow.csv as pacsv

from flowtui import arrowcompute as pc
from flowtui.arrowcsv import number_text_types
from flowtui.columntext import (
    BINARY_TYPES,
    STRING_TYPES,
    Cells,
    TextStyle,
    column_cells,
    digit_cells,
    join_lines,
    plain_ascii,
    python_text,
    rendered,
)
from flowtui.header import union
from flowtui.linebytes import line_bytes
from flowtui.rowlines import RowLines, line_at
from flowtui.store import records
from flowtui.textsafe import BIDI, UNSAFE, UNSAFE_KEEPING_NEWLINES, printable

NULL = "-"
#: What ``RecordWriter.render`` appends a batch's bytes to.
Parts = list[bytes | memoryview]
WIDTH_SAMPLE = 200  # rows of the first batch of each column set that set the table's widths
# Whitespace by Python's str.isspace() that printable() leaves alone: what str.rstrip() would
# still strip from the end of a table line (tests/test_output.py holds the list to Python's).
TRAILING_SPACE = "(^$|[ \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$)"


class RecordWriter:
    """Base: counts rows and stops at ``limit``; subclasses format one batch."""

    def __init__(self, out: IO[str], limit: int | None = None, decoded: bool = False) -> None:
        self.out = out
        self.limit = limit
        self.decoded = decoded
        self.written = 0
        #: Where the rows of the batch being written are in their object (``rowlines``).
        self._lines: RowLines = None
        self._binary: BinaryIO | None = getattr(out, "buffer", None)
        self._rendering = threading.local()

    @property
    def done(self) -> bool:
        return self.limit is not None and self.written >= self.limit

    def write_batch(self, batch: pa.RecordBatch, source: str, lines: RowLines = None) -> None:
        """``lines``: where the rows are in ``source``'s text (``rowlines``; None: not
        known), for a writer that names records by their line (``ExplainWriter``)."""
        if self.done or batch.num_rows == 0:
            return
        if self.limit is not None:
            batch = batch.slice(0, self.limit - self.written)
        self._lines = lines
        self._write(batch, source)
        self.written += batch.num_rows
        self.out.flush()

    def write_gathered(self, batch: pa.RecordBatch, absent: Mapping[str, pa.Array]) -> None:
        """``batch`` of rows gathered from several formats into one schema (a sorted view;
        ``absent``: see ``RecordView.iter_gathered``). One set of columns (a table, CSV)
        shows a field a row's format lacks as its null; JSON lines leave it out."""
        self.write_batch(batch, "")

    @property
    def renders(self) -> bool:
        """Whether ``render`` makes this writer's text: then a ``BackgroundWriter`` may make
        the text of several batches at once, on several threads, and write it in order."""
        return False

    def render(self, batch: pa.RecordBatch, source: str,
               into: Parts | None = None) -> Parts:
        """The bytes ``_write`` writes for a batch (a header first when its columns are
        new), kept instead of written: appended to ``into`` (a new list by default) as they
        are made. Batches are rendered in order where the columns change (the header, the
        table's widths); between such batches, in any order or several at once (on several
        threads: what is kept is the calling thread's)."""
        parts: Parts = [] if into is None else into
        self._rendering.parts = parts
        try:
            self._write(batch, source)
        finally:
            self._rendering.parts = None
        return parts

    def write_rendered(self, parts: Iterable[bytes | memoryview], rows: int) -> None:
        """Write what ``render`` made of a batch of ``rows`` rows (what is left of it)."""
        for part in parts:
            self.write_part(part)
        self.written += rows
        self.out.flush()

    def write_part(self, data: bytes | memoryview) -> None:
        """Write bytes now, also while rendering (a part of a batch whose turn it is)."""
        if self._binary is None:  # a text-only stream (tests): decode, same characters
            self.out.write(bytes(data).decode("utf-8"))
            return
        self.out.flush()  # anything written as text goes first
        self._binary.write(data)

    def _write(self, batch: pa.RecordBatch, source: str) -> None:
        raise NotImplementedError

    def _write_text(self, text: str) -> None:
        self._write_bytes(text.encode("utf-8"))

    def _write_lines(self, lines: pa.Array) -> None:
        """The bytes of a string array whose values are whole lines, without a copy."""
        if not len(lines):
            return
        _validity, offsets, data = lines.buffers()
        offset = memoryview(offsets).cast("i")  # int32 offsets of a string array
        start, end = offset[lines.offset], offset[lines.offset + len(lines)]
        self._write_bytes(memoryview(data)[start:end])

    def _write_bytes(self, data: bytes | memoryview) -> None:
        parts = getattr(self._rendering, "parts", None)
        if parts is not None:  # ``render``: kept, written later
            parts.append(data)
            return
        self.write_part(data)

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


# --------------------------------------------------------------------- the formats


def _identity(values: pa.Array) -> pa.Array:
    return values


_TABLE: TextStyle = TextStyle(null=NULL, unsafe=UNSAFE, escape=printable, plain=_identity,
                others=lambda column: pc.fill_null(rendered(python_text(column), _TABLE),
                                                   NULL))


class TableWriter(RecordWriter):
    """Columns padded to the widths of the first batch of each format; wider values widen."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._names: list[str] | None = None
        self._widths: list[int] = []

    @property
    def renders(self) -> bool:
        return not self.decoded

    def _write(self, batch: pa.RecordBatch, source: str) -> None:
        if self.decoded:
            self._write_rows(batch)
            return
        names = batch.schema.names
        columns = [column_cells(column, _TABLE) for column in batch.columns]
        if names != self._names:
            self._names = names
            self._widths = [max(len(printable(name)), _widest(cells.rows(WIDTH_SAMPLE)))
                            for name, cells in zip(names, columns, strict=True)]
            self._write_text(self._line([printable(name) for name in names]) + "\n")
        # Padded, two spaces between columns; the last one unpadded, so lines end with text.
        widths = [*self._widths[:-1], 0]
        texts = ["", *["  "] * (len(columns) - 1), "\n"]
        trailing = _trailing(columns[-1])
        start = 0
        for lines in line_bytes(columns, texts, widths):
            if trailing is not None:
                lines = _rstripped(lines, trailing.slice(start, len(lines)))
            self._write_lines(lines)
            start += len(lines)

    def _write_rows(self, batch: pa.RecordBatch) -> None:
        rows = self._cells(batch)
        names = batch.schema.names
        if names != self._names:
            self._names = names
            self._widths = [len(printable(name)) for name in names]
            for row in rows[:WIDTH_SAMPLE]:
                self._widths = [max(w, len(cell)) for w, cell in zip(self._widths, row,
                                                                     strict=True)]
            self._write_text(self._line([printable(name) for name in names]) + "\n")
        self._write_text("".join(self._line(row) + "\n" for row in rows))

    def _line(self, cells: list[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, self._widths,
                                                                  strict=True)).rstrip()


def _widest(text: pa.Array) -> int:
    if not len(text):
        return 0
    return pc.max(pc.utf8_length(text)).as_py() or 0


def _trailing(last: Cells) -> pa.Array | None:
    """Which rows' last cell is empty or ends in whitespace (None: no row's)."""
    trailing = pc.match_substring_regex(last.values, TRAILING_SPACE)
    if not pc.any(trailing).as_py():
        return None
    return Cells(trailing, last.indices).rows()


def _rstripped(lines: pa.Array, trailing: pa.Array) -> pa.Array:
    """Lines whose last cell is empty or ends in whitespace (``trailing``) lose it, as
    ``str.rstrip``."""
    if not pc.any(trailing).as_py():
        return lines
    fixed = [line[:-1].rstrip() + "\n" for line in pc.filter(lines, trailing).to_pylist()]
    return pc.replace_with_mask(lines, trailing, pa.array(fixed, pa.string()))


def _csv_quoted(value: str) -> str:
    return '"' + printable(value, keep_newlines=True).replace('"', '""') + '"'


def _csv_text(column: pa.Array, style: TextStyle) -> pa.Array:
    """A column as Arrow's CSV writer gets it: string values escaped as ``style`` says (a
    dictionary's values once), anything else as it is; untouched when nothing in it needs
    escaping."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        dictionary = _csv_text(column.dictionary, style)
        if dictionary is column.dictionary:
            return column
        return pa.DictionaryArray.from_arrays(column.indices, dictionary)
    if kind not in STRING_TYPES and kind not in BINARY_TYPES:
        return column
    text = column if kind == pa.string() else pc.cast(column, pa.string())
    if plain_ascii(text) or not pc.any(pc.match_substring_regex(text, style.unsafe)).as_py():
        return column
    return rendered(text, style)


_CSV_ESCAPE = TextStyle(null="", unsafe=UNSAFE_KEEPING_NEWLINES,
                     escape=lambda value: printable(value, keep_newlines=True),
                     plain=_identity, others=_identity)
_CSV_ESCAPE_ALL = TextStyle(null="", unsafe=UNSAFE, escape=printable, plain=_identity,
                         others=_identity)
# Arrow's CSV writer works in slices of ``batch_size`` rows (1,024 by default); one slice per
# batch takes about 30 % less CPU (bench/bench_cli.py).
_CSV_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="needed",
                                  batch_size=1 << 16)


class CsvWriter(RecordWriter):
    """RFC 4180 CSV; null is an empty cell. A header starts each new set of columns.

    Arrow's CSV writer with ``quoting_style="needed"``: strings (and the header) always
    quoted, numbers never. Control characters escaped, tab and newline kept (quoted, they
    are data, not structure), unless ``keep_newlines`` is false: text for a clipboard, where
    the only newline is the one that ends a row (``ui/features/export``).

    ``columns``: every column the output will hold (``objectfields``: the union of the
    fields of every object of a folder of several formats), asked for with the first
    batch's columns and object before it is written; each batch is written in them, a
    field its format lacks an empty cell, so one header names every row. A batch with a
    column outside them widens them under a second header (said: ``more_headers``).
    """

    def __init__(self, *args: object, keep_newlines: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._escape = _CSV_ESCAPE if keep_newlines else _CSV_ESCAPE_ALL
        self._names: list[str] | None = None
        #: Where a header line after the first began (the object whose columns differ): a
        #: CSV reader takes it for a row, so the command says so (``cli.cat``).
        self.more_headers: list[str] = []
        #: Asked once, of the first batch's columns and object: the columns every batch is
        #: written in (None: each batch's own).
        self.columns: Callable[[list[str], str], Sequence[str] | None] | None = None
        self._every: list[str] | None = None

    @property
    def renders(self) -> bool:
        return not self.decoded

    def _in_every_column(self, batch: pa.RecordBatch, source: str) -> pa.RecordBatch:
        """``batch`` in the columns asked for (``columns``), widened by its own when it
        has one outside them. Runs alone when ``batch``'s columns differ from the batch
        before (``render``), so ``_every`` changes under no other batch."""
        if self.columns is not None:
            asked, self.columns = self.columns, None
            found = asked(batch.schema.names, source)
            self._every = list(found) if found else None
        if self._every is None:
            return batch
        names = batch.schema.names
        if not set(names) <= set(self._every):
            self._every = union([self._every, names])
        if names == self._every:
            return batch
        fields = [batch.schema.field(name) if name in names else pa.field(name, pa.string())
                  for name in self._every]
        return pa.RecordBatch.from_arrays(
            [batch.column(name) if name in names else pa.nulls(batch.num_rows, pa.string())
             for name in self._every], schema=pa.schema(fields))

    def _write(self, batch: pa.RecordBatch, source: str) -> None:
        batch = self._in_every_column(batch, source)
        header = batch.schema.names != self._names
        if header and self._names is not None:
            self.more_headers.append(source)
        self._names = batch.schema.names
        if self.decoded:
            import csv
            import io

            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            if header:
                writer.writerow(self._names)
            writer.writerows(self._cells(batch))
            self._write_text(text.getvalue())
            return
        if header:
            self._write_text(",".join(_csv_quoted(name) for name in self._names) + "\n")
        numbers = number_text_types(batch.schema)  # digits only: nothing to escape
        escaped = pa.RecordBatch.from_arrays(
            [column if index in numbers else _csv_text(column, self._escape)
             for index, column in enumerate(batch.columns)], names=self._names)
        sink = pa.BufferOutputStream()
        if numbers:
            _write_number_text(escaped, numbers, sink)
        else:
            pacsv.write_csv(escaped, sink, _CSV_OPTIONS)
        self._write_bytes(memoryview(sink.getvalue()))


def _write_number_text(batch: pa.RecordBatch, numbers: dict[int, pa.DataType],
                       sink: pa.NativeFile) -> None:
    """A batch whose numbers are text (``FlowLogParser(numbers_as_text=True)``) as CSV.

    Arrow's CSV writer quotes a column or not by the schema it is made with, and turns each
    value into text: made with the numbers' types, it writes their text as it stands and
    unquoted, which is what it prints for the typed values (``arrowcsv.number_text``), with
    no number turned into text (that was half of this writer's time). Should a pyarrow
    refuse a batch that differs from its schema, the numbers are typed first: same bytes.
    """
    schema = pa.schema([pa.field(field.name, numbers[index]) if index in numbers else field
                        for index, field in enumerate(batch.schema)])
    if _writes_text_as_typed():
        with pacsv.CSVWriter(sink, schema, write_options=_CSV_OPTIONS) as writer:
            writer.write_batch(batch)
        return
    typed = [pc.cast(column, numbers[index]) if index in numbers else column
             for index, column in enumerate(batch.columns)]
    pacsv.write_csv(pa.RecordBatch.from_arrays(typed, schema=schema), sink, _CSV_OPTIONS)


@functools.cache
def _writes_text_as_typed() -> bool:
    """Whether Arrow's CSV writer, made for a number column, writes a text column given in
    its place as it stands (see ``_write_number_text``); asked once, of this pyarrow."""
    batch = pa.RecordBatch.from_arrays([pa.array(["7", None], pa.string()),
                                        pa.array(["a", "b"], pa.string())], names=["n", "s"])
    schema = pa.schema([("n", pa.uint8()), ("s", pa.string())])
    sink = pa.BufferOutputStream()
    try:
        with pacsv.CSVWriter(sink, schema, write_options=_CSV_OPTIONS) as writer:
            writer.write_batch(batch)
    except (pa.ArrowException, TypeError, ValueError):
        return False
    return bytes(sink.getvalue()) == b'7,"a"\n,"b"\n'


_NEEDS_JSON_ESCAPE = '["\\\\\\x00-\\x1f\\x7f-\\x9f\u2028\u2029' + BIDI + "]"
# What json.dumps leaves raw that a terminal would act on.
_JSON_UNSAFE = re.compile("[\\x7f-\\x9f\u2028\u2029" + BIDI + "]")


def _json_plain(values: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise('"', values, '"', "")


def _json_string(value: str) -> str:
    """JSON text that is also terminal-safe: C1 controls, DEL and bidi controls escaped."""
    encoded = json.dumps(value, ensure_ascii=False)
    if encoded.isprintable():
        return encoded
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", encoded)


def _json_others(column: pa.Array) -> pa.Array:
    """Floats bare, as numbers; anything else as the JSON string of its text."""
    if pa.types.is_floating(column.type):
        return pc.fill_null(pc.cast(column, pa.string()), "null")
    return pc.fill_null(rendered(pc.cast(column, pa.string()), _JSON), "null")


_JSON = TextStyle(null="null", unsafe=_NEEDS_JSON_ESCAPE, escape=_json_string, plain=_json_plain,
               others=_json_others, also_unsafe=('"', "\\"), quote='"')


class _GatheredJson(RecordWriter):
    """JSON lines of rows gathered from several formats (``write_gathered``): a field a
    row's format lacks is left out of its object, its key with its value."""

    _absent: Mapping[str, pa.Array] = {}

    def write_gathered(self, batch: pa.RecordBatch, absent: Mapping[str, pa.Array]) -> None:
        """``absent[name]`` is True for the rows whose format lacks ``name``: left out of
        their objects."""
        self._absent = absent
        try:
            self.write_batch(batch, "")
        finally:
            self._absent = {}

    def _absent_rows(self, batch: pa.RecordBatch) -> dict[str, pa.Array]:
        """Of the batch being written (``write_batch`` may have cut it to ``limit``)."""
        return {name: rows.slice(0, batch.num_rows) for name, rows in self._absent.items()
                if name in batch.schema.names}

    @staticmethod
    def _opened(lines: pa.Array, batch: pa.RecordBatch, absent: Mapping[str, pa.Array]
                ) -> pa.Array:
        """"{, " where the first field a row has follows a lacked one: "{"."""
        if batch.num_columns > 0 and batch.schema.names[0] in absent:
            return pc.replace_substring_regex(lines, pattern="^\\{, ", replacement="{")
        return lines


class JsonlWriter(_GatheredJson):
    """One JSON object per record; keys are the header's field names, null for ``-``; a
    field the record's format does not log is left out (``write_gathered``)."""

    @property
    def renders(self) -> bool:
        return True

    def _write(self, batch: pa.RecordBatch, source: str) -> None:
        absent = self._absent_rows(batch)
        cells: list[Cells] = []
        gaps: list[str] = []
        for index, (name, column) in enumerate(zip(batch.schema.names, batch.columns,
                                                   strict=True)):
            key = _json_string(name) + ": "
            if name in absent:  # the key goes with the value, or neither
                text = column_cells(column, _JSON).rows()
                cells.append(Cells(pc.if_else(absent[name], "", pc.binary_join_element_wise(
                    ", " + key, text, ""))))
                gaps.append("{" if index == 0 else "")
                continue
            text = ("{" if index == 0 else ", ") + key
            split = digit_cells(column, _JSON)
            if split is None:
                cells.append(column_cells(column, _JSON))
                gaps.append(text)
            else:
                cells += split
                gaps += [text, ""]
        for lines in line_bytes(cells, [*gaps, "}\n"]):
            self._write_lines(self._opened(lines, batch, absent))


class ExplainWriter(RecordWriter):
    """Each record field by field: raw value, decoded value, meaning; then facts, warnings."""

    def _write(self, batch: pa.RecordBatch, source: str) -> None:
        from flowtui.explain import explain

        for offset, record in enumerate(records(batch)):
            number = self.written + 1
            self.written += 1
            explanation = explain(record)
            line = line_at(self._lines, offset)
            # the record's line in its object when known: "record N" counts this output
            place = printable(source) if line is None else f"line {line} of {printable(source)}"
            lines = [f"── record {number} · {place} " + "─" * 20]
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


def make_writer(fmt: str, out: IO[str], *, limit: int | None = None, decoded: bool = False,
                explain: bool = False) -> RecordWriter:
    if explain:
        return ExplainWriter(out, limit, decoded)
    if fmt == "jsonl" and decoded:
        return DecodedJsonlWriter(out, limit, decoded)
    writer: type[RecordWriter] = {"table": TableWriter, "csv": CsvWriter,
                                  "jsonl": JsonlWriter}[fmt]
    return writer(out, limit, decoded)


class DecodedJsonlWriter(_GatheredJson):
    """JSON lines with decoded values beside the raw ones (``--format jsonl --decoded``).

    Every field keeps its raw value under its own name; a field the catalogue can decode adds
    ``FIELD.decoded``: ``start``/``end`` as ISO 8601 UTC (``2024-03-05T14:00:00Z``),
    ``protocol`` as its name (``TCP``), ``tcp-flags`` as a list of flag names
    (``["SYN", "ACK"]``), ports as their service name (or null), and the other fields as the
    catalogue's one-line meaning (``action``: ``accepted: security groups …``). Null stays
    null. Decoding runs once per distinct value of a column, not per record.
    """

    def _write(self, batch: pa.RecordBatch, source: str) -> None:
        from flowtui.fields import detect_family

        # A Transit Gateway file's shared fields read by its own guide, as in the panel.
        family = detect_family(batch.schema.names)
        absent = self._absent_rows(batch)
        parts: list[pa.Array | str] = []
        for index, (name, column) in enumerate(zip(batch.schema.names, batch.columns,
                                                   strict=True)):
            own: list[pa.Array | str] = []
            if _decodes(name):
                own += [", " + _json_string(f"{name}.decoded") + ": ",
                        _decoded_text(name, column, family)]
            if name in absent:  # the keys go with the value, or neither
                text = join_lines([", " + _json_string(name) + ": ",
                                   column_cells(column, _JSON).rows(), *own])
                parts += ["{" if index == 0 else "", pc.if_else(absent[name], "", text)]
                continue
            prefix = ("{" if index == 0 else ", ") + _json_string(name) + ": "
            parts += column_cells(column, _JSON).parts(prefix, "") + own
        self._write_lines(self._opened(join_lines([*parts, "}\n"]), batch, absent))


def decoded_value(name: str, value: object, family: str = "unknown") -> object:
    """The decoded form of one raw value (see ``DecodedJsonlWriter``); None when none.
    ``family`` ``"tgw"``: a field with a Transit Gateway reading uses it."""
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
    decoder = None if spec is None or spec.decoder is None else spec.decoder_in(family)
    return None if decoder is None else decoder(value)


def _decodes(name: str) -> bool:
    from flowtui.fields import FIELDS

    spec = FIELDS.get(name)
    return name in ("start", "end", "protocol", "tcp-flags", "srcport", "dstport") or (
        spec is not None and spec.decoder is not None)


def _decoded_text(name: str, column: pa.Array, family: str) -> pa.Array:
    """The JSON text of each row's decoded value, decoded once per distinct value."""
    encoded = column if pa.types.is_dictionary(column.type) else pc.dictionary_encode(column)
    texts = []
    for value in encoded.dictionary.to_pylist():
        decoded = decoded_value(name, value, family)
        text = (json.dumps(decoded, ensure_ascii=False) if isinstance(decoded, list)
                else "null" if decoded is None else _json_string(str(decoded)))
        texts.append(text)
    return pc.fill_null(pc.take(pa.array(texts, pa.string()), encoded.indices), "null")
