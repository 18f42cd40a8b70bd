"""Writers for ``flowtui cat``: aligned table, CSV, JSON lines, and field-by-field explain.

Each takes record batches as they arrive and writes them at once, so the first rows reach
the terminal (or ``| head``) before an object is read to the end.

Why column by column: a million records made into Python strings take seconds, several
times longer than reading them. So each column becomes its text with Arrow kernels, one
more kernel joins the columns into lines (for CSV, Arrow's CSV writer), and the bytes of the
result are written as they are. A dictionary column (accounts, ENIs, addresses, actions) is
rendered once per distinct value, with its padding and separators, then taken into rows;
ports, protocols and other small integers likewise through a cached table of their text,
and wider integers whose values lie close together (a batch's times, packet counts) through
a table of the batch's range. Only string values are checked for control and bidi
characters (integers cannot hold them): first a column's bytes at once (printable ASCII
needs no escaping anywhere), else with a regex kernel, on a dictionary's values rather than
its rows; the few values that hold one are escaped in Python, as ``printable`` does for the
TUI. ``cat --format csv`` gets text columns as plain strings, not dictionaries (see
``FlowLogParser``): Arrow's CSV writer renders each row once anyway. ``--decoded`` and ``--explain``
stay in Python: they are for reading a few records, not for bulk.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from flowtui.store import records
from flowtui.textsafe import BIDI, UNSAFE, UNSAFE_KEEPING_NEWLINES, printable

NULL = "-"
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
        self._binary: BinaryIO | None = getattr(out, "buffer", None)

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
        if self._binary is None:  # a text-only stream (tests): decode, same characters
            self.out.write(bytes(data).decode("utf-8"))
            return
        self.out.flush()  # anything written as text goes first
        self._binary.write(data)

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


# --------------------------------------------------------------------- columns to text


@dataclass(frozen=True)
class _Style:
    """How one output format renders a column's values as text."""

    null: str  # the text of a missing value
    unsafe: str  # RE2 class of characters that send a string value through ``escape``
    escape: Callable[[str], str]  # the whole rendering of such a value, in Python
    plain: Callable[[pa.Array], pa.Array]  # the rendering of the other string values
    others: Callable[[pa.Array], pa.Array]  # neither integer nor string: values to text
    # Printable ASCII that still goes through ``escape`` (JSON's quote and backslash).
    also_unsafe: tuple[str, ...] = ()
    # What the line's join puts around a string value that needs no escaping (JSON's quotes),
    # instead of a pass over the column that adds them.
    quote: str = ""


@dataclass(frozen=True)
class _Cells:
    """A column's text: ``values`` (no nulls) picked by ``indices``, or one per row.

    ``key`` names values shared by every batch (the text of every small integer), so that
    their decorated forms are made once, not once per batch.
    """

    values: pa.Array
    indices: pa.Array | None = None
    key: tuple[object, ...] | None = None
    around: str = ""  # the text before and after each value (``values`` has no nulls then)

    def rows(self, count: int | None = None) -> pa.Array:
        """The text of every row (or of the first ``count``)."""
        if self.indices is None:
            values = self.values if count is None else self.values.slice(0, count)
            if self.around:
                values = pc.binary_join_element_wise(self.around, values, self.around, "")
            return values
        indices = self.indices if count is None else self.indices.slice(0, count)
        return self.values.take(indices)

    def parts(self, prefix: str, suffix: str, width: int = 0) -> list[pa.Array | str]:
        """Each row padded to ``width`` characters, between ``prefix`` and ``suffix``, as
        arguments for one join: a shared table is decorated once (cached across batches
        when it is the same table), one value per row is decorated by the join itself."""
        if self.indices is None:
            values = pc.utf8_rpad(self.values, width) if width else self.values
            return [part for part in (prefix + self.around, values, self.around + suffix)
                    if not isinstance(part, str) or part]
        key = None if self.key is None else (*self.key, prefix, suffix, width)
        values = _decorated_cache.get(key) if key is not None else None
        if values is None:
            values = pc.utf8_rpad(self.values, width) if width else self.values
            if prefix or suffix:
                values = pc.binary_join_element_wise(prefix, values, suffix, "")
            if key is not None:
                if len(_decorated_cache) >= MAX_CACHED_TABLES:
                    _decorated_cache.clear()
                _decorated_cache[key] = values
        return [values.take(self.indices)]


MAX_CACHED_TABLES = 256
MAX_SPAN = 1 << 16  # the widest range of values _span_cells makes a table of
LOOKUP_MIN_SHARE = 4  # a lookup table is made for a column of 1/16 of its size or more
_STRINGS = (pa.string(), pa.large_string())
_BINARY = (pa.binary(), pa.large_binary())
_LOOKUP_TYPES = (pa.uint8(), pa.uint16(), pa.int8(), pa.int16())
_lookup_cache: dict[tuple[object, ...], pa.Array] = {}
_decorated_cache: dict[tuple[object, ...], pa.Array] = {}


def _column_cells(column: pa.Array, style: _Style) -> _Cells:
    kind = column.type
    if pa.types.is_dictionary(kind):
        values = _column_cells(column.dictionary, style).rows()
        return _Cells(pa.concat_arrays([values, pa.array([style.null], pa.string())]),
                      _filled_indices(column.indices, len(values)))
    key = (kind, style.null)
    table = _lookup_cache.get(key)
    # Ports, protocols, versions: a table of every value's text, made once for the first
    # batch long enough to pay for it (a small first batch, the first rows of a load,
    # is not kept waiting while 65,536 texts are made and padded).
    if kind in _LOOKUP_TYPES and (table is not None
                                  or len(column) << LOOKUP_MIN_SHARE >= 1 << kind.bit_width):
        low = -(1 << (kind.bit_width - 1)) if pa.types.is_signed_integer(kind) else 0
        if table is None:
            every = pa.array(range(low, low + (1 << kind.bit_width)), kind)
            table = _lookup_cache[key] = pa.concat_arrays(
                [every.cast(pa.string()), pa.array([style.null], pa.string())])
        indices = column if not low else pc.subtract(column.cast(pa.int32()), low)
        return _Cells(table, _filled_indices(indices, len(table) - 1), key)
    if pa.types.is_integer(kind):
        return _span_cells(column, style) or _Cells(pc.fill_null(column.cast(pa.string()),
                                                                 style.null))
    if kind in _STRINGS:
        if style.quote and not column.null_count and _plain_ascii(column, style.also_unsafe):
            return _Cells(column, around=style.quote)  # the join quotes: no pass here
        rendered = _rendered(column, style)
        return _Cells(pc.fill_null(rendered, style.null) if rendered.null_count else rendered)
    return _Cells(style.others(column))


def _span_cells(column: pa.Array, style: _Style) -> _Cells | None:
    """Wider integers whose values lie close together (a batch's start and end times,
    packet counts) as a table of the text of every value between the least and the
    greatest, taken into rows: the table is padded and decorated once, then one take per
    column instead of a cast, a padding pass and a separator argument to the join. None
    when the values spread wider than the rows (bytes)."""
    bounds = pc.min_max(column)
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    if low is None or high - low >= min(len(column) // 2, MAX_SPAN):
        return None
    every = pa.array(range(low, high + 1), column.type).cast(pa.string())
    table = pa.concat_arrays([every, pa.array([style.null], pa.string())])
    indices = pc.subtract(column, pa.scalar(low, column.type))
    return _Cells(table, _filled_indices(indices, len(table) - 1))


def _plain_ascii(values: pa.Array, also: tuple[str, ...] = ()) -> bool:
    """Whether every value of a string array is printable ASCII (space to ``~``) holding
    none of ``also``: then no format escapes any of them. Checked over the array's bytes
    at once, one kernel call, not value by value (a row-by-row regex over a column of a
    million plain strings costs more than writing it)."""
    if values.type != pa.string():
        return False
    if not len(values):
        return True
    _validity, offsets, data = values.buffers()
    if data is None:
        return True
    offset = memoryview(offsets).cast("i")  # int32 offsets of a string array
    start, end = offset[values.offset], offset[values.offset + len(values)]
    bounds = pa.array([start, end], pa.int32()).buffers()[1]
    whole = pa.Array.from_buffers(pa.string(), 1, [None, bounds, data])
    if not pc.ascii_is_printable(whole)[0].as_py():
        return False
    if not also:
        return True
    text = memoryview(data)[start:end].tobytes()  # Python's byte search is memchr-fast
    return not any(needle.encode() in text for needle in also)


def _filled_indices(indices: pa.Array, null_index: int) -> pa.Array:
    """Indices with nulls pointing at the extra entry that holds the null text."""
    if not indices.null_count:
        return indices
    return pc.fill_null(indices.cast(pa.int32()), null_index)


def _rendered(values: pa.Array, style: _Style) -> pa.Array:
    """String values rendered by ``style`` (nulls kept): those holding a character of
    ``style.unsafe`` through its Python ``escape``, the rest with kernels."""
    if values.type != pa.string():
        values = values.cast(pa.string())
    out = style.plain(values)
    if _plain_ascii(values, style.also_unsafe):
        return out
    unsafe = pc.match_substring_regex(values, style.unsafe)
    if pc.any(unsafe).as_py():
        unsafe = pc.fill_null(unsafe, False)
        escaped = [style.escape(value) for value in values.filter(unsafe).to_pylist()]
        out = pc.replace_with_mask(out, unsafe, pa.array(escaped, pa.string()))
    return out


def _python_text(column: pa.Array) -> pa.Array:
    """Values as Python prints them (``True``, ``2024-03-05 14:00:00``), as text."""
    return pa.array([None if value is None else str(value) for value in column.to_pylist()],
                    pa.string())


def _join_lines(parts: list[pa.Array | str]) -> pa.Array:
    """One kernel call joins every column's text into lines; neighbouring constant texts
    (a separator and the next key) are merged first, as each argument costs a pass."""
    merged: list[pa.Array | str] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    return pc.binary_join_element_wise(*merged, "")


# --------------------------------------------------------------------- the formats


def _identity(values: pa.Array) -> pa.Array:
    return values


_TABLE: _Style = _Style(null=NULL, unsafe=UNSAFE, escape=printable, plain=_identity,
                others=lambda column: pc.fill_null(_rendered(_python_text(column), _TABLE),
                                                   NULL))


class TableWriter(RecordWriter):
    """Columns padded to the widths of the first batch of each format; wider values widen."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._names: list[str] | None = None
        self._widths: list[int] = []

    def _write(self, batch: pa.RecordBatch, source: str) -> None:
        if self.decoded:
            self._write_rows(batch)
            return
        names = batch.schema.names
        columns = [_column_cells(column, _TABLE) for column in batch.columns]
        if names != self._names:
            self._names = names
            self._widths = [max(len(printable(name)), _widest(cells.rows(WIDTH_SAMPLE)))
                            for name, cells in zip(names, columns, strict=True)]
            self._write_text(self._line([printable(name) for name in names]) + "\n")
        last = len(columns) - 1
        # Padded, two spaces between columns; the last one unpadded, so lines end with text.
        parts: list[pa.Array | str] = []
        for index, (cells, width) in enumerate(zip(columns, self._widths, strict=True)):
            parts += cells.parts("", "  ", width) if index < last else cells.parts("", "\n")
        self._write_lines(_rstripped(_join_lines(parts), columns[last]))

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


def _rstripped(lines: pa.Array, last: _Cells) -> pa.Array:
    """Lines whose last cell is empty or ends in whitespace lose it, as ``str.rstrip``."""
    trailing = pc.match_substring_regex(last.values, TRAILING_SPACE)
    if not pc.any(trailing).as_py():
        return lines
    rows = _Cells(trailing, last.indices).rows()
    fixed = [line[:-1].rstrip() + "\n" for line in lines.filter(rows).to_pylist()]
    return pc.replace_with_mask(lines, rows, pa.array(fixed, pa.string()))


def _csv_quoted(value: str) -> str:
    return '"' + printable(value, keep_newlines=True).replace('"', '""') + '"'


def _csv_text(column: pa.Array) -> pa.Array:
    """A column as Arrow's CSV writer gets it: string values escaped (a dictionary's values
    once), anything else as it is; untouched when nothing in it needs escaping."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        dictionary = _csv_text(column.dictionary)
        if dictionary is column.dictionary:
            return column
        return pa.DictionaryArray.from_arrays(column.indices, dictionary)
    if kind not in _STRINGS and kind not in _BINARY:
        return column
    text = column if kind == pa.string() else column.cast(pa.string())
    if _plain_ascii(text) or not pc.any(
            pc.match_substring_regex(text, UNSAFE_KEEPING_NEWLINES)).as_py():
        return column
    return _rendered(text, _CSV_ESCAPE)


_CSV_ESCAPE = _Style(null="", unsafe=UNSAFE_KEEPING_NEWLINES,
                     escape=lambda value: printable(value, keep_newlines=True),
                     plain=_identity, others=_identity)
# Arrow's CSV writer works in slices of ``batch_size`` rows (1,024 by default); one slice per
# batch takes about 30 % less CPU (bench/bench_cli.py).
_CSV_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="needed",
                                  batch_size=1 << 16)


class CsvWriter(RecordWriter):
    """RFC 4180 CSV; null is an empty cell. A header starts each new set of columns.

    Arrow's CSV writer with ``quoting_style="needed"``: strings (and the header) always
    quoted, numbers never. Control characters escaped, tab and newline kept (quoted, they
    are data, not structure).
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._names: list[str] | None = None

    def _write(self, batch: pa.RecordBatch, source: str) -> None:
        header = batch.schema.names != self._names
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
        escaped = pa.RecordBatch.from_arrays([_csv_text(column) for column in batch.columns],
                                             names=self._names)
        sink = pa.BufferOutputStream()
        pacsv.write_csv(escaped, sink, _CSV_OPTIONS)
        self._write_bytes(memoryview(sink.getvalue()))


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
        return pc.fill_null(column.cast(pa.string()), "null")
    return pc.fill_null(_rendered(column.cast(pa.string()), _JSON), "null")


_JSON = _Style(null="null", unsafe=_NEEDS_JSON_ESCAPE, escape=_json_string, plain=_json_plain,
               others=_json_others, also_unsafe=('"', "\\"), quote='"')


class JsonlWriter(RecordWriter):
    """One JSON object per record; keys are the header's field names, null for ``-``."""

    def _write(self, batch: pa.RecordBatch, source: str) -> None:
        last = batch.num_columns - 1
        parts: list[pa.Array | str] = []
        for index, (name, column) in enumerate(zip(batch.schema.names, batch.columns,
                                                   strict=True)):
            prefix = ("{" if index == 0 else ", ") + _json_string(name) + ": "
            parts += _column_cells(column, _JSON).parts(prefix, "}\n" if index == last else "")
        self._write_lines(_join_lines(parts))


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


def make_writer(fmt: str, out: IO[str], *, limit: int | None = None, decoded: bool = False,
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
        parts: list[pa.Array | str] = []
        for index, (name, column) in enumerate(zip(batch.schema.names, batch.columns,
                                                   strict=True)):
            prefix = ("{" if index == 0 else ", ") + _json_string(name) + ": "
            parts += _column_cells(column, _JSON).parts(prefix, "")
            if _decodes(name):
                parts += [", " + _json_string(f"{name}.decoded") + ": ",
                          _decoded_text(name, column)]
        self._write_lines(_join_lines([*parts, "}\n"]))


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


def _decoded_text(name: str, column: pa.Array) -> pa.Array:
    """The JSON text of each row's decoded value, decoded once per distinct value."""
    encoded = column if pa.types.is_dictionary(column.type) else column.dictionary_encode()
    texts = []
    for value in encoded.dictionary.to_pylist():
        decoded = decoded_value(name, value)
        text = (json.dumps(decoded, ensure_ascii=False) if isinstance(decoded, list)
                else "null" if decoded is None else _json_string(str(decoded)))
        texts.append(text)
    return pc.fill_null(pc.take(pa.array(texts, pa.string()), encoded.indices), "null")


class BackgroundWriter:
    """A writer that formats and writes on a thread of its own, behind a bounded queue.

    Why: turning a batch into text (Arrow kernels that release the GIL) and writing it
    otherwise waits for the thread that inflates the next chunk, and the other way round; on
    two cores they overlap. At most ``depth`` batches wait (bounded memory). What the thread
    raises (a reader that went away: ``BrokenPipeError``) is raised again by the next
    ``write_batch``, ``drain`` or ``close``, in the caller's thread; batches after it are
    dropped. ``done`` and ``written`` are the wrapped writer's, so a ``--limit`` may stop
    the caller a batch or two late (the writer itself never writes past it).
    """

    def __init__(self, writer: RecordWriter, depth: int = 4) -> None:
        import queue
        import threading

        self.writer = writer
        self._queue: queue.Queue[tuple[pa.RecordBatch, str] | None] = queue.Queue(depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="flowtui-write", daemon=True)
        self._thread.start()

    @property
    def done(self) -> bool:
        return self.writer.done

    @property
    def written(self) -> int:
        return self.writer.written

    def write_batch(self, batch: pa.RecordBatch, source: str) -> None:
        self._raise()
        self._queue.put((batch, source))

    def drain(self) -> None:
        """Wait until every batch given so far is written (before a message on stderr)."""
        self._queue.join()
        self._raise()

    def close(self) -> None:
        """Write what is queued and end the thread; idempotent."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        self._raise()

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is None:
            self.close()
            return
        # Leaving on an error (Ctrl-C, a closed pipe): what is queued is dropped and nothing
        # is waited for (the thread may be blocked writing to a reader that stopped reading;
        # it is a daemon), so the caller's error goes through at once.
        self._error = self._error or _Abandoned()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                if self._error is None:
                    self.writer.write_batch(*item)
            except BaseException as exc:  # raised again in the caller's thread
                self._error = exc
            finally:
                self._queue.task_done()


class _Abandoned(Exception):
    """The caller left on an error of its own: what is still queued is not written."""
