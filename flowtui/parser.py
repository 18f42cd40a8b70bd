"""Incremental flow-log text parser: bytes in (any chunk size), typed Arrow batches out.

Why this shape: S3 bodies arrive in chunks, users want the first rows before the object is
read to the end, and a million records must not become a million Python objects. So the
parser decompresses as bytes arrive, cuts the text at line ends, and hands blocks of whole
lines to pyarrow's C++ CSV reader, which types the columns. Lines the fast path rejects
(wrong field count, a value that does not fit its type, bad UTF-8) are found again in a
slow pass over just that part of the block, kept aside with their line numbers, and never
shift or drop their neighbours. Block boundaries depend only on the text, never on how the
bytes were chunked, so the result is the same whatever the chunking.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from flowtui.fields import DEFAULT_FIELDS, FIELDS, arrow_type, canonical_name
from flowtui.inflate import DEFAULT as DEFAULT_INFLATE
from flowtui.inflate import Inflate

GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
MAX_LINE_BYTES = 1 << 20  # no flow-log record comes near this; a longer line is not one
MAX_BAD_LINES_KEPT = 1000
FIRST_BLOCK_BYTES = 64 << 10  # small first block: the first rows appear at once
MAX_BLOCK_BYTES = 2 << 20
INFLATE_STEP = 1 << 20  # text out of one inflate call: what is in flight, whatever the ratio
INFLATE_INPUT = 256 << 10  # compressed bytes given to one inflate call (about 1 MB of text)
MAX_BLOCKS_IN_FLIGHT = 3  # blocks queued for the parse thread before the feeder waits
RETRY_PIECE_BYTES = 64 << 10  # a block that fails the fast path is retried in pieces this size
SNIFF_BYTES = 4096
# One CSV block per parse block (a block is at most MAX_BLOCK_BYTES plus one inflate step and
# one long line): one chunk per column, so no dictionaries to unify when it is combined.
_READ_BLOCK_BYTES = 5 << 20
# The catalogue's ~80 fields and room for duplicates and names it does not know yet; a header
# wider than this is not a flow log, and the table must never lay out thousands of columns.
MAX_FIELDS = 256

_UINT32_MAX = (1 << 32) - 1
_OTHER_FORMATS = (
    (b"\x28\xb5\x2f\xfd", "zstd-compressed (zstd -d it first)"),
    (b"BZh", "bzip2-compressed (bunzip2 it first)"),
    (b"\xfd7zXZ\x00", "xz-compressed (unxz it first)"),
    (b"PK\x03\x04", "a zip archive (unzip it first)"),
)
_NAME = re.compile(rb"[A-Za-z][A-Za-z0-9_-]*")
_BLANK = re.compile(rb"[ \t\r\n\x0b\x0c]*")  # what bytes.strip() removes


@dataclass(frozen=True)
class BadLine:
    """A line that could not be read as a record, kept so the user can see it."""

    line_number: int
    reason: str
    text: str


@dataclass(frozen=True)
class _BlockResult:
    batches: list[pa.RecordBatch]
    bad: list[BadLine]  # numbered from 1 at the block's first line; at most MAX_BAD_LINES_KEPT
    lines: int
    bad_count: int  # all of the block's bad lines


class _Options(NamedTuple):
    read: pacsv.ReadOptions
    columns: list[str]  # the columns typed and returned, in the object's order
    narrow: pacsv.ConvertOptions | None  # int64 columns as uint32; None: there are none
    wide: pacsv.ConvertOptions  # the catalogue's types
    narrowed: list[int]  # the columns ``narrow`` types as uint32 (places in ``columns``)


class Prefilter(Protocol):
    """What a parser needs of a filter to apply it before typing every column: the columns
    it reads and, for a batch holding those, which rows match (no nulls)."""

    @property
    def columns(self) -> Sequence[str]: ...

    def mask(self, batch: pa.RecordBatch) -> pa.BooleanArray: ...


class _FastPathFailed(Exception):
    """The C++ reader met a line it cannot type; the slow pass will say which."""


class FlowLogParser:
    """Feed it bytes as they arrive; it returns record batches as lines complete.

    ``fields`` gives the columns of a headerless object (from ``--fields`` or a LogFormat).
    Without it, the first line is the header, or, if the first line is already a record, the
    default 14-field format is assumed. ``inflate`` picks the gzip backend (tests compare
    zlib-ng with the standard library's zlib; both give the same text).

    ``columns`` (None: all) are the only columns typed and returned, for a question that
    reads a few (``hist`` reads ``start``, ``packets``, ``bytes`` and ``action``): the others
    are still split, so a line with the wrong number of fields is still a bad line, but
    never converted (typing and dictionary building are most of a parse). A value that does
    not fit its column's type makes a line bad only when that column is read. Columns the
    object does not have are left out, as they are without ``columns``; an object with none
    of them gives batches of its first column, so its records are still counted.

    ``prefilter`` (a ``--where`` that keeps few records) is applied to each block before it
    is typed: its columns are typed first, and only the lines it keeps are typed whole
    (see ``_picked``). Batches then hold only matching records (``records`` counts those).
    A value that does not fit its type in a line the filter drops may go unreported.

    ``dictionaries=False`` gives text columns as plain strings, not dictionaries: for a
    reader that renders every row once and keeps nothing (``cat``'s writers), building a
    dictionary per block is a third of typing for nothing. The checks stay: the reader still
    splits every line and types every integer; UTF-8 is checked on the whole block at once
    (an ASCII block needs no more), so a bad line is as bad as with dictionaries.
    """

    def __init__(self, fields: Sequence[str] | None = None, *, name: str = "",
                 pipelined: bool = True, cancel: threading.Event | None = None,
                 inflate: Inflate | None = None, columns: Iterable[str] | None = None,
                 prefilter: Prefilter | None = None, dictionaries: bool = True) -> None:
        self.name = name
        self._dictionaries = dictionaries
        self._prefilter = prefilter
        self._wanted = None if columns is None else frozenset(columns)
        self._inflate_with = inflate or DEFAULT_INFLATE
        self._cancel = cancel
        self.fields: list[str] | None = _column_names(fields) if fields else None
        self.records = 0
        self.bad_count = 0
        self.bad_lines: list[BadLine] = []
        self.error: str | None = None
        self._carry = b""  # input too short to act on yet (sniffing, a split gzip magic)
        self._sniffed = False
        self._gzip = False
        self._inflater: Any = None
        self._partial = bytearray()  # text after the last newline seen
        self._skipping_long_line = False
        self._lines_seen = 0  # physical lines taken so far (header and blank lines included)
        self._header_seen = False
        self._block: list[bytes] = []
        self._block_bytes = 0
        self._block_target = FIRST_BLOCK_BYTES
        self._stopped = False
        self._executor = ThreadPoolExecutor(1, "flowtui-parse") if pipelined else None
        self._inflight: list[Future[_BlockResult]] = []
        self._settled: list[pa.RecordBatch] = []
        self._options_cache: _Options | None = None
        self._all_text = False  # no integer column: the fast path cannot reject a header

    # ----------------------------------------------------------------- public interface

    def feed(self, chunk: bytes, *, wait: bool = True) -> list[pa.RecordBatch]:
        """Batches for every whole line in the bytes fed so far (``stream``, as a list)."""
        return list(self.stream(chunk, wait=wait))

    def stream(self, chunk: bytes, *, wait: bool = True) -> Iterator[pa.RecordBatch]:
        """Batches for every whole line in the bytes fed so far, as they are typed.

        A chunk is inflated a bounded step at a time and its batches come out while the
        rest of it is still compressed, so a chunk that inflates a thousandfold holds a few
        blocks, never the whole text. ``cancel`` (given to the constructor) is checked
        between steps: a cancelled parse stops within one step.

        ``wait=False`` is for callers that already hold the next chunk (a local file): the
        blocks still being typed come back from the next call, so inflating the next chunk
        overlaps typing this one (about twice the throughput on two cores). Callers whose
        next bytes may be slow (a network stream, a pipe) keep the default, so no row waits
        for bytes that may not come soon.
        """
        if self._stopped or not chunk:
            yield from self._ready(wait=wait)
            return
        if self._carry:
            chunk, self._carry = self._carry + chunk, b""
        if not self._sniffed:
            # The same first bytes decide, however the source chunks them: a local file
            # reads 4 bytes first, S3 a megabyte, a pipe what the writer wrote.
            if len(chunk) < SNIFF_BYTES and not chunk.startswith(GZIP_MAGIC):
                self._carry = chunk
                return
            self._sniff(chunk)
            if self._stopped:
                return
        # The parse thread types one block while the next is inflated; then (by default)
        # wait, so every whole line fed so far comes back now, not after the next chunk
        # (which may be seconds away on a slow link or a tail).
        texts = self._inflate(chunk) if self._gzip else _steps(chunk)
        for text in texts:
            if self._cancelled():
                return
            self._take_text(text)
            yield from self._ready()
            if self._stopped:
                break
        self._flush_block()
        yield from self._ready(wait=wait)

    def finish(self) -> list[pa.RecordBatch]:
        """Flush what is buffered; an unterminated last line still counts as a line."""
        if self._carry and not self._stopped:
            head, self._carry = self._carry, b""
            if not self._sniffed:
                self._sniff(head)
            if not self._stopped:
                for text in self._inflate(head) if self._gzip else _steps(head):
                    self._take_text(text)
        truncated = (self._gzip and not self._stopped and self._inflater is not None
                     and not self._inflater.eof)
        if truncated:
            self._set_error("the gzip stream ends early (truncated object); "
                            "the records before the cut were kept")
        if self._partial and not self._skipping_long_line:
            line = bytes(self._partial)
            self._partial.clear()
            if truncated:
                self._settle()
                self._lines_seen += 1
                self._bad(self._lines_seen, "cut off by the end of a truncated object", line)
            else:
                self._add_lines(line + b"\n")
        self._flush_block()
        batches = self._ready(wait=True)
        self.bad_lines.sort(key=lambda bad: bad.line_number)
        self.close()
        return batches

    def close(self) -> None:
        """Stop the parse thread; idempotent, and safe to call from a cancelled load."""
        self._stopped = True
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> FlowLogParser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- bytes to text

    def _sniff(self, head: bytes) -> None:
        """One rule for every source: gzip by its magic, else text judged on its first
        SNIFF_BYTES; a stray NUL or bad byte is a bad line, noise is not a flow log."""
        self._sniffed = True
        if head.startswith(GZIP_MAGIC):
            self._gzip = True
            self._inflater = self._inflate_with.gzip_inflater()
            return
        if head.startswith(PARQUET_MAGIC):
            self._stop("this is a Parquet object, not gzip text; read it as Parquet")
            return
        for magic, kind in _OTHER_FORMATS:
            if head.startswith(magic):
                self._stop(f"not a flow-log object: {kind}; flow logs are gzip or plain text")
                return
        if not _mostly_text(head[:SNIFF_BYTES]):
            self._stop("not a flow-log object: neither gzip nor text")

    def _inflate(self, data: bytes) -> Iterator[bytes]:
        """Decompress at most INFLATE_STEP bytes of text at a time, continuing across gzip
        members (concatenated gzip is valid gzip).

        The input goes in INFLATE_INPUT pieces: an inflater copies the input it has not taken
        yet (``unconsumed_tail``) after every call, which for a large chunk would be the
        whole rest of the chunk, again and again.
        """
        view = memoryview(data)
        offset = 0
        while offset < len(data):
            inflater = self._inflater
            assert inflater is not None
            if inflater.eof:
                if not data.startswith(GZIP_MAGIC, offset):
                    rest = data[offset:]
                    if len(rest) < len(GZIP_MAGIC) and GZIP_MAGIC.startswith(rest):
                        self._carry = rest  # the next member's magic is split across chunks
                    elif rest.strip(b"\x00"):
                        self._set_error("bytes after the end of the gzip stream were ignored")
                        self._stopped = True
                    return  # else zero padding after the last member
                inflater = self._inflater = self._inflate_with.gzip_inflater()
            pending: bytes | memoryview = view[offset : offset + INFLATE_INPUT]
            offset += len(pending)
            while True:
                before = inflater.copy()  # the text of a failing call is otherwise lost
                try:
                    text = inflater.decompress(pending, INFLATE_STEP)
                except self._inflate_with.error as exc:
                    if salvaged := _inflate_until_error(before, bytes(pending),
                                                        self._inflate_with.error):
                        yield salvaged
                    self._set_error(f"the gzip data is corrupt ({exc}); "
                                    "the records before it were kept")
                    self._stopped = True
                    return
                if inflater.eof:
                    offset -= len(inflater.unused_data)  # the next member starts there
                    pending = b""
                else:
                    pending = inflater.unconsumed_tail
                if text:
                    yield text
                if self._stopped:
                    return
                if inflater.eof or (not pending and len(text) < INFLATE_STEP):
                    break  # this piece is taken and no output is held back: the next one
                # A full step may leave output held inside zlib: ask again, even with no input.

    # ----------------------------------------------------------------- text to lines

    def _take_text(self, text: bytes) -> None:
        if self._skipping_long_line:
            end = text.find(b"\n")
            if end < 0:
                return
            self._skipping_long_line = False
            text = text[end + 1 :]
        cut = text.rfind(b"\n")
        if cut < 0:
            self._partial += text
            self._check_long_line()
            return
        if self._partial:
            first_end = text.find(b"\n")
            self._partial += text[: first_end + 1]
            line = bytes(self._partial)
            self._partial.clear()
            text = text[first_end + 1 :]
            cut -= first_end + 1
            if len(line) > MAX_LINE_BYTES:
                self._settle()
                self._lines_seen += 1
                self._bad(self._lines_seen, f"line longer than {MAX_LINE_BYTES} bytes", line)
            else:
                self._add_lines(line)
        if cut >= 0:
            self._add_lines(text[: cut + 1])
        self._partial += text[cut + 1 :]
        self._check_long_line()

    def _check_long_line(self) -> None:
        if len(self._partial) > MAX_LINE_BYTES:
            self._settle()
            self._lines_seen += 1
            self._bad(self._lines_seen, f"line longer than {MAX_LINE_BYTES} bytes "
                      "(skipped to the next line end)", bytes(self._partial[:500]))
            self._partial.clear()
            self._skipping_long_line = True

    def _add_lines(self, lines: bytes) -> None:
        """Take whole lines (each ending in a newline) into the current block."""
        if not self._header_seen:
            lines = self._take_header(lines)
            if not lines or self._stopped:
                return
        self._block.append(lines)
        self._block_bytes += len(lines)
        if self._block_bytes >= self._block_target:
            self._flush_block()

    def _take_header(self, lines: bytes) -> bytes:
        """Read the header from the first non-blank line, or decide there is none."""
        # One pass over any run of blank lines: a flood of them costs linear time.
        found = _BLANK.match(lines)  # matches the empty string too
        blank = found.end() if found is not None else 0
        start = lines.rfind(b"\n", 0, blank) + 1  # the first non-blank line starts here
        self._lines_seen += lines.count(b"\n", 0, start)
        if start == len(lines):
            return b""
        lines = lines[start:] if start else lines
        end = lines.find(b"\n")
        first = lines[:end].strip()
        self._header_seen = True
        tokens = first.split()
        if len(tokens) > MAX_FIELDS and _looks_like_header(tokens[:MAX_FIELDS]):
            self._stop(f"not a flow-log object: the header has {len(tokens)} fields "
                       f"(a flow log has at most {MAX_FIELDS})")
            return b""
        if _looks_like_header(tokens):
            self._lines_seen += 1
            names = _column_names(t.decode("ascii") for t in tokens)
            if self.fields is not None and names != self.fields:
                self._set_error("the header names other fields than were given; "
                                "the header's were used")
            self.fields = names
            return lines[end + 1 :]
        if self.fields is None:
            if not first[:1].isdigit():
                self._stop("not a flow-log object: the first line is neither a header of "
                           "field names nor a record")
                return b""
            self.fields = list(DEFAULT_FIELDS)
        return lines

    # ----------------------------------------------------------------- lines to batches

    def _flush_block(self) -> None:
        """Hand the block to the parse thread; line numbers are settled when it returns."""
        if not self._block or self.fields is None:
            self._block.clear()
            self._block_bytes = 0
            return
        parts = self._block
        self._block = []
        self._block_bytes = 0
        self._block_target = min(self._block_target * 2, MAX_BLOCK_BYTES)
        if self._executor is not None:
            self._inflight.append(self._executor.submit(self._parse_block, parts))
            if len(self._inflight) > MAX_BLOCKS_IN_FLIGHT:
                self._settled = self._ready(wait=True, limit=1)  # keeps what was settled
        else:
            done: Future[_BlockResult] = Future()
            done.set_result(self._parse_block(parts))
            self._inflight.append(done)

    def _ready(self, wait: bool = False, limit: int | None = None) -> list[pa.RecordBatch]:
        """Results of finished blocks, in order; bookkeeping stays on the caller's thread."""
        out, self._settled = self._settled, []
        taken = 0
        while self._inflight and (wait or self._inflight[0].done()):
            if limit is not None and taken == limit:
                break
            taken += 1
            result = self._inflight.pop(0).result()
            out.extend(result.batches)
            for line in result.bad:
                self._bad(self._lines_seen + line.line_number, line.reason, line.text.encode())
            self.bad_count += result.bad_count - len(result.bad)
            self._lines_seen += result.lines
            self.records += sum(batch.num_rows for batch in result.batches)
        return out

    def _settle(self) -> None:
        """Finish all blocks before the current line, so its line number is known."""
        self._flush_block()
        self._settled = self._ready(wait=True)

    def _options(self) -> _Options:
        if self._options_cache is None:
            assert self.fields is not None
            columns = self._columns()
            self._all_text = not any(pa.types.is_integer(arrow_type(f)) for f in columns)
            types = {f: self._read_type(f) for f in columns}
            # Counters and times are typed uint32 up front (what almost every value fits),
            # so no int64 column is built only to be narrowed; a block with a value that
            # does not fit is read again with the catalogue's types.
            narrow = {f: pa.uint32() if t == pa.int64() else t for f, t in types.items()}
            self._options_cache = _Options(
                pacsv.ReadOptions(column_names=self.fields, use_threads=True,
                                  block_size=_READ_BLOCK_BYTES),
                columns,
                _convert_options(narrow, columns) if narrow != types else None,
                _convert_options(types, columns),
                [i for i, f in enumerate(columns) if narrow[f] != types[f]],
            )
        return self._options_cache

    def _read_type(self, name: str) -> pa.DataType:
        """The type the CSV reader gives a column: text as bytes when no dictionaries are
        wanted (viewed as strings once the block's UTF-8 is checked, ``_as_text``)."""
        kind = arrow_type(name)
        if not self._dictionaries and pa.types.is_dictionary(kind):
            return pa.binary()
        return kind

    def _columns(self) -> list[str]:
        """The columns typed and returned for the current fields, in the object's order."""
        assert self.fields is not None
        if self._wanted is None:
            return list(self.fields)
        return [f for f in self.fields if f in self._wanted] or self.fields[:1]

    def _parse_block(self, parts: list[bytes]) -> _BlockResult:
        """Runs on the parse thread: the fast path, and the slow pass where it fails.

        Bad lines are numbered from the block's start; ``_ready`` adds the offset. A header
        line met here (a second object's, in concatenated gzip members or ``cat a b``)
        switches the columns from the next line on; the parse thread takes the blocks in
        order, so every later block is read with the new columns.
        """
        data = b"".join(parts) if len(parts) > 1 else parts[0]
        lines = data.count(b"\n")
        try:
            batch = self._fast(data)
            return _BlockResult([batch] if batch.num_rows else [], [], lines, 0)
        except _FastPathFailed:
            pass
        batches: list[pa.RecordBatch] = []
        bad = _BadLines()
        rest: tuple[bytes, int] | None = (data, 1)
        while rest is not None:
            rest = self._parse_text(rest[0], rest[1], batches, bad)
        return _BlockResult([b for b in batches if b.num_rows], bad.kept, lines, bad.count)

    def _parse_text(self, data: bytes, first_line: int, batches: list[pa.RecordBatch],
                    bad: _BadLines) -> tuple[bytes, int] | None:
        """Type ``data`` piece by piece; at a header line, switch the columns and return
        the text after it (and its first line number) to be read with them."""
        for piece, piece_line, piece_start in _pieces(data, first_line, RETRY_PIECE_BYTES):
            try:
                batches.append(self._fast(piece))
                continue
            except _FastPathFailed:
                pass
            good, header = self._slow(piece, piece_line, bad)
            if good:
                batches.append(self._fast(good, checked=True))
            if header is not None:
                names, offset, next_line = header
                self._use_columns(names)
                return data[piece_start + offset :], next_line
        return None

    def _use_columns(self, names: list[str]) -> None:
        self.fields = names
        self._options_cache = None

    def _fast(self, data: bytes, *, checked: bool = False) -> pa.RecordBatch:
        """Type a block with Arrow's CSV reader. ``checked``: lines the slow pass passed."""
        options = self._options()
        if b"\x00" in data:
            raise _FastPathFailed  # no value holds a NUL: the slow pass reports that line
        if not checked and _may_hold_hex(data):
            # Arrow reads 0x1bb as the integer 443; the slow pass says it is not one. Only
            # a block holding "0x" goes the slow way (a text value may hold it).
            raise _FastPathFailed
        if self._prefilter is not None:
            picked = self._picked(data, options)
            if picked is not None:
                if not picked:
                    return _empty_batch(options.columns)
                data = picked
        source = _arrow_owned(data)
        table = None
        if options.narrow is not None:
            try:
                table = pacsv.read_csv(source, options.read, _PARSE_OPTIONS, options.narrow)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                source.seek(0)  # a value over uint32 (or a bad line): the catalogue's types
        if table is None:
            try:
                table = pacsv.read_csv(source, options.read, _PARSE_OPTIONS, options.wide)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                if "Empty CSV file" in str(exc):
                    return _empty_batch(options.columns)
                raise _FastPathFailed from exc
        elif options.narrowed:
            table = _widen_null_columns(table, options.narrowed)
        if not table.num_rows:
            return _empty_batch(options.columns)
        if not self._dictionaries:
            if not _utf8_text(data):
                raise _FastPathFailed  # the slow pass reports the line
            table = _as_text(table)
        elif not _valid_utf8(table):
            raise _FastPathFailed  # the slow pass reports the line
        if self._all_text and _holds_field_name(table):
            raise _FastPathFailed  # perhaps a header line: the slow pass decides
        return _narrow(table.combine_chunks().to_batches()[0])

    def _picked(self, data: bytes, options: _Options) -> bytes | None:
        """The lines of ``data`` the prefilter keeps, or None to type them all.

        The filter's columns are typed alone (a fraction of the cost of every column), and
        the kept lines are cut out of the text with Arrow kernels. None whenever anything is
        unusual — the filter's columns fail to type (the whole block goes the usual way, to
        the slow pass if need be), a filter over text columns meets what may be a header,
        the kept lines are not one to one with the rows — and when most lines are kept.
        """
        assert self._prefilter is not None and self.fields is not None
        wanted = set(self._prefilter.columns)
        columns = [f for f in options.columns if f in wanted]
        if not columns:
            return None
        types = {f: _READ_TYPE.get(f) or arrow_type(f) for f in columns}
        try:
            table = pacsv.read_csv(_arrow_owned(data), options.read, _PARSE_OPTIONS,
                                   _convert_options(types, columns))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        if not table.num_rows or not _valid_utf8(table):
            return None
        if not any(pa.types.is_integer(t) for t in types.values()) and \
                _holds_field_name(table):
            return None
        keep = self._prefilter.mask(_narrow(table.combine_chunks().to_batches()[0]))
        kept = pc.sum(keep.cast(pa.uint32())).as_py() or 0
        if kept * 2 > table.num_rows:
            return None  # most lines kept: typing them all once is cheaper
        lines = pc.list_flatten(pc.split_pattern(pa.array([data], pa.binary()), b"\n"))
        lines = lines.filter(pc.greater(pc.binary_length(lines), 0))
        if len(lines) != table.num_rows:  # blank or CR-only lines: not worth the care
            return None
        if not kept:
            return b""
        text = pc.binary_join(pa.ListArray.from_arrays([0, kept], lines.filter(keep)), b"\n")
        return text[0].as_py() + b"\n"

    def _slow(self, data: bytes, first_line: int, bad: _BadLines
              ) -> tuple[bytes, tuple[list[str], int, int] | None]:
        """Check each line in Python; return the good ones, keep the bad ones aside.

        Stops at a header line: then also returns its names, the offset just after it in
        ``data`` and the next line's number.
        """
        assert self.fields is not None
        read = set(self._columns())
        checks = [_value_check(name) if name in read else _unchecked for name in self.fields]
        width = len(self.fields)
        good: list[bytes] = []
        header = None
        start = 0
        line_number = first_line - 1
        while start < len(data):
            end = data.find(b"\n", start)
            end = len(data) if end < 0 else end
            raw = data[start:end]
            start = end + 1
            line_number += 1
            tokens = raw.split()
            if not tokens:
                continue
            problem = None
            if _looks_like_header(tokens):
                if len(tokens) <= MAX_FIELDS:
                    header = (_column_names(t.decode("ascii") for t in tokens), start,
                              line_number + 1)
                    break
                problem = f"a header line with {len(tokens)} fields (at most {MAX_FIELDS})"
            elif b"\x00" in raw:
                problem = "a NUL byte in the line"
            elif len(tokens) != width:
                problem = f"expected {width} fields, found {len(tokens)}"
            else:
                for name, check, token in zip(self.fields, checks, tokens, strict=True):
                    if (issue := check(token)) is not None:
                        problem = f"{name}: {issue}"
                        break
            if problem:
                bad.add(line_number, problem, raw)
            else:
                good.append(b" ".join(tokens))
        return (b"\n".join(good) + b"\n" if good else b""), header

    # ----------------------------------------------------------------- bookkeeping

    def _bad(self, line_number: int, reason: str, raw: bytes) -> None:
        self.bad_count += 1
        if len(self.bad_lines) < MAX_BAD_LINES_KEPT:
            self.bad_lines.append(BadLine(line_number, reason, _line_text(raw)))

    def _cancelled(self) -> bool:
        if self._cancel is not None and self._cancel.is_set():
            self._stopped = True
            return True
        return False

    def report_bad(self, line_number: int, reason: str, text: str) -> None:
        """A bad record found by another reader of the object (the Parquet reader)."""
        self._bad(line_number, reason, text.encode())

    def report_error(self, message: str) -> None:
        """An object-level problem found by another reader of the object."""
        self._set_error(message)

    def _set_error(self, message: str) -> None:
        if self.error is None:
            self.error = message

    def _stop(self, message: str) -> None:
        self._set_error(message)
        self._stopped = True


# --------------------------------------------------------------------- helpers


class _BadLines:
    """A block's bad lines: the first MAX_BAD_LINES_KEPT kept, all of them counted (a block
    of junk holds a million bad lines, which must not become a million objects)."""

    __slots__ = ("kept", "count")

    def __init__(self) -> None:
        self.kept: list[BadLine] = []
        self.count = 0

    def add(self, line_number: int, reason: str, raw: bytes) -> None:
        self.count += 1
        if len(self.kept) < MAX_BAD_LINES_KEPT:
            self.kept.append(BadLine(line_number, reason, _line_text(raw)))


def _inflate_until_error(inflater: Any, data: bytes, error: type[Exception]) -> bytes:
    """The text of the longest prefix of ``data`` that inflates without error (a bad CRC
    fails the call that reaches the trailer, taking the whole member's text with it)."""
    good, bad = 0, len(data)
    while bad - good > 1:
        middle = (good + bad) // 2
        try:
            inflater.copy().decompress(data[:middle], INFLATE_STEP)
            good = middle
        except error:
            bad = middle
    return inflater.decompress(data[:good], INFLATE_STEP) if good else b""


def _steps(text: bytes) -> Iterator[bytes]:
    """Uncompressed input in INFLATE_STEP pieces, as the inflater hands out gzip text."""
    if len(text) <= INFLATE_STEP:
        yield text
        return
    view = memoryview(text)
    for start in range(0, len(text), INFLATE_STEP):
        yield bytes(view[start : start + INFLATE_STEP])


# No Python callable here (no invalid_row_handler): a row with the wrong field count makes
# read_csv raise, which is all the fast path needs to know, and a Python object held by the
# reader could be released on one of Arrow's threads (see ``_arrow_owned``).
_PARSE_OPTIONS = pacsv.ParseOptions(delimiter=" ", quote_char=False, double_quote=False,
                                    escape_char=False)


def _arrow_owned(data: bytes) -> pa.BufferReader:
    """The block copied into memory Arrow owns, for the threaded CSV reader.

    The threaded reader is disposed of on one of Arrow's pool threads, a moment after
    ``read_csv`` returns. Handed a Python object (``io.BytesIO``, or bytes wrapped by
    ``py_buffer``), that thread must take the GIL to release it; when that moment falls in
    interpreter shutdown, Python ends the thread with ``pthread_exit`` inside a C++
    destructor and the process aborts ("terminate called without an active exception",
    exit 134) after a complete output. Memory Arrow owns needs no GIL to free; the copy
    costs about 0.1 ms per MB.
    """
    buffer = pa.allocate_buffer(len(data))
    memoryview(buffer).cast("B")[:] = data
    return pa.BufferReader(buffer)


def parse_bytes(data: bytes, fields: Sequence[str] | None = None,
                chunk_size: int = 1 << 20) -> tuple[list[pa.RecordBatch], FlowLogParser]:
    """Parse a whole object held in memory (tests, small local files)."""
    parser = FlowLogParser(fields)
    batches: list[pa.RecordBatch] = []
    for start in range(0, len(data), chunk_size):
        batches.extend(parser.feed(data[start : start + chunk_size]))
    batches.extend(parser.finish())
    return batches, parser


def _narrow(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Store each column in the fewest bytes that hold its values exactly.

    int64 counters and times become uint32 when every value fits (millisecond times and
    huge counters keep int64, so nothing is clipped); dictionary indices shrink to one or
    two bytes when the batch has few distinct values (actions, statuses, accounts, ENIs).
    """
    new_columns = []
    changed = False
    for column in batch.columns:
        narrowed = _narrow_column(column)
        changed = changed or narrowed is not column
        new_columns.append(narrowed)
    if not changed:
        return batch
    return pa.RecordBatch.from_arrays(new_columns, names=batch.schema.names)


def _narrow_column(column: pa.Array) -> pa.Array:
    if column.type == pa.int64() and column.null_count < len(column):
        bounds = pc.min_max(column)
        low, high = bounds["min"].as_py(), bounds["max"].as_py()
        if low is not None and low >= 0 and high <= _UINT32_MAX:
            return column.cast(pa.uint32())
    elif pa.types.is_dictionary(column.type) and column.type.index_type == pa.int32():
        size = len(column.dictionary)
        index_type = pa.int8() if size <= 127 else pa.int16() if size <= 32767 else None
        if index_type is not None:
            return column.cast(pa.dictionary(index_type, column.type.value_type))
    return column


def _convert_options(types: dict[str, pa.DataType], columns: list[str]
                     ) -> pacsv.ConvertOptions:
    # No UTF-8 check per value: ``_valid_utf8`` checks each dictionary's distinct values
    # instead (a few hundred per block instead of a million cells; the check was nearly half
    # of the reader's time).
    return pacsv.ConvertOptions(column_types=types, null_values=["-"], strings_can_be_null=True,
                                quoted_strings_can_be_null=False, check_utf8=False,
                                include_columns=columns)


def _valid_utf8(table: pa.Table) -> bool:
    """Whether every text value is UTF-8 (the reader was told not to check)."""
    for column in table.columns:
        kind = column.type
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            continue
        for chunk in column.chunks:
            values = chunk.dictionary if pa.types.is_dictionary(chunk.type) else chunk
            try:
                values.validate(full=True)
            except pa.ArrowInvalid:
                return False
    return True


def _may_hold_hex(data: bytes) -> bool:
    """Whether ``data`` holds "0x" or "0X". A one-byte search runs at memory speed; a
    two-byte one stops at every "0" of a block of numbers (ten times slower)."""
    return (b"x" in data and b"0x" in data) or (b"X" in data and b"0X" in data)


def _utf8_text(data: bytes) -> bool:
    """Whether a whole block is UTF-8, so every value cut from it is (values are split at
    ASCII spaces and newlines, which no multi-byte character contains)."""
    if data.isascii():  # the usual case, checked at memory speed
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _as_text(table: pa.Table) -> pa.Table:
    """Binary columns as strings, without a copy (the caller checked the UTF-8)."""
    for index, column in enumerate(table.columns):
        if column.type == pa.binary():
            table = table.set_column(index, table.field(index).with_type(pa.string()),
                                     column.cast(pa.string(), safe=False))
    return table


def _widen_null_columns(table: pa.Table, narrowed: list[int]) -> pa.Table:
    """An all-null counter read as uint32 goes back to int64, as ``_narrow`` leaves it, so a
    batch's schema does not depend on which read typed it."""
    for index in narrowed:
        column = table.column(index)
        if column.null_count == len(column):
            table = table.set_column(index, table.field(index).with_type(pa.int64()),
                                     column.cast(pa.int64()))
    return table


def _empty_batch(fields: Sequence[str]) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([pa.array([], type=arrow_type(f)) for f in fields],
                                      names=list(fields))


def _pieces(data: bytes, first_line: int, size: int) -> list[tuple[bytes, int, int]]:
    """``data`` cut at line ends into pieces of about ``size``: (piece, first line, offset)."""
    pieces = []
    start = 0
    line = first_line
    while start < len(data):
        end = data.find(b"\n", start + size)
        end = len(data) if end < 0 else end + 1
        piece = data[start:end]
        pieces.append((piece, line, start))
        line += piece.count(b"\n")
        start = end
    return pieces


def _looks_like_header(tokens: Sequence[bytes]) -> bool:
    """A header is name-like tokens, at least one a known field; records never are."""
    if not tokens or not all(_NAME.fullmatch(token) for token in tokens):
        return False
    return any(canonical_name(token.decode("ascii")) in FIELDS for token in tokens)


_FIELD_SPELLINGS = pa.array(sorted({spelling for name in FIELDS
                                     for spelling in (name, name.replace("-", "_"))}))


def _holds_field_name(table: pa.Table) -> bool:
    """Whether any cell of an all-text table is a field name (a header line typed as a
    record: with no integer column to fail on, the fast path would take it silently)."""
    for column in table.columns:
        for chunk in column.chunks:
            values = chunk.dictionary if pa.types.is_dictionary(chunk.type) else chunk
            if pc.any(pc.is_in(pc.utf8_lower(values), value_set=_FIELD_SPELLINGS)).as_py():
                return True
    return False


def _column_names(names: Iterable[str]) -> list[str]:
    """Catalogue spellings (``tcp_flags`` -> ``tcp-flags``), duplicates numbered."""
    return _dedupe([canonical_name(name) for name in names])


def _line_text(raw: bytes) -> str:
    return raw[:500].rstrip(b"\r\n").decode("utf-8", "backslashreplace")


def _dedupe(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if count == 0 else f"{name}#{count + 1}")
    return out


def _mostly_text(sample: bytes) -> bool:
    """Text with a stray bad byte is still text (that line is reported); noise is not."""
    decoded = sample.decode("utf-8", "replace")
    controls = sum(1 for c in decoded if c < " " and c not in "\t\r\n")  # NUL included
    return decoded.count("\ufffd") + controls <= max(4, len(sample) // 50)


# The prefilter's columns, typed as the narrow read types them (int64 counters as uint32;
# a value over it fails that read, and the block is typed the usual way).
_READ_TYPE = {name: pa.uint32() for name, spec in FIELDS.items()
              if spec.arrow_type == pa.int64()}


def _unchecked(token: bytes) -> str | None:
    """A column the question does not read: any value will do (the fast path skips it)."""
    return None


def _value_check(name: str):  # noqa: ANN202 - returns a small checker closure
    kind = arrow_type(name)
    if pa.types.is_integer(kind):
        if pa.types.is_unsigned_integer(kind):
            low, high = 0, (1 << kind.bit_width) - 1
        else:
            low, high = -(1 << (kind.bit_width - 1)), (1 << (kind.bit_width - 1)) - 1

        def check_int(token: bytes) -> str | None:
            if token == b"-":
                return None
            text = token.decode("latin-1")
            if not (text.isdigit() or (text[:1] == "-" and text[1:].isdigit())) or \
                    not text.isascii():
                return f"{text[:40]!r} is not an integer"
            value = int(text)
            if not low <= value <= high:
                return f"{value} is out of range {low}..{high}"
            return None

        return check_int

    def check_text(token: bytes) -> str | None:
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:
            return "invalid UTF-8"
        return None

    return check_text
