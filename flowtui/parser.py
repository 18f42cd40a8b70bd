"""Incremental flow-log text parser: bytes in (any chunk size), typed Arrow batches out.

Why this shape: S3 bodies arrive in chunks, users want the first rows before the object is
read to the end, and a million records must not become a million Python objects. So the
parser decompresses as bytes arrive, cuts the text at line ends, and hands blocks of whole
lines to pyarrow's C++ CSV reader, which types the columns. Lines the fast path rejects
(wrong field count, a value that does not fit its type, bad UTF-8) are found again in a
slow pass over just that part of the block, kept aside with their line numbers, and never
shift or drop their neighbours. Block boundaries depend only on the text, never on how the
bytes were chunked, so the result is the same whatever the chunking. This module keeps the
caller's side (bytes, text, lines, line numbers); the parse thread's is ``blocks.py``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, NamedTuple

import pyarrow as pa

from flowtui.blocks import (
    MAX_BAD_LINES_KEPT,
    BadLine,
    BlockResult,
    BlockTyper,
    Prefilter,
    line_text,
)
from flowtui.fields import detect_family
from flowtui.header import BOM, NotAFlowLog, column_names, first_line_fields
from flowtui.inflate import DEFAULT as DEFAULT_INFLATE
from flowtui.inflate import Inflate
from flowtui.rowlines import RowLines, shift_lines
from flowtui.sniff import GZIP_MAGIC, SNIFF_BYTES, refusal

MAX_LINE_BYTES = 1 << 20  # no flow-log record comes near this; a longer line is not one
FIRST_BLOCK_BYTES = 64 << 10  # small first block: the first rows appear at once
MAX_BLOCK_BYTES = 2 << 20
INFLATE_STEP = 1 << 20  # text out of one inflate call: what is in flight, whatever the ratio
INFLATE_INPUT = 256 << 10  # compressed bytes given to one inflate call (about 1 MB of text)
MAX_BLOCKS_IN_FLIGHT = 3  # blocks queued for the parse threads before the feeder waits
#: Blocks typed at once. Typing a block is a chain (Arrow's reader, then the filter, the cut
#: of the kept lines and their own read) that leaves a core idle while the next block waits
#: behind it: on 1M records (cat --where, perf per thread) one parse thread and Arrow's
#: pool spent ~0.55 s in turn against the feeding thread's 0.27 s of inflating.
PARSE_THREADS = 2
_BLANK = re.compile(rb"[ \t\r\n\x0b\x0c]*")  # what bytes.strip() removes


class FlowLogParser:
    """Feed it bytes as they arrive; it returns record batches as lines complete.

    ``fields`` gives the columns of a headerless object (from ``--fields`` or a LogFormat).
    Without it, the first line is the header, or, if the first line is already a record, the
    default 14-field format is assumed. ``inflate`` picks the gzip backend (tests compare
    zlib-ng with the standard library's zlib; both give the same text).

    ``columns`` (None: all) are the only columns returned, for a question that reads a few
    (``hist`` reads ``start``, ``packets``, ``bytes`` and ``action``): the others are still
    typed (integers) or read as bytes (text, never made dictionaries, which is most of a
    parse), so a line is bad or good whatever is read: a question skips the lines ``cat``
    skips and counts the records it counts. Columns the object does not have are left out,
    as they are without ``columns``; an object with none of them gives batches of its first
    column, so its records are still counted.

    ``prefilter`` (a ``--where`` that keeps few records) is applied to each block before it
    is typed: its columns are typed first, and only the lines it keeps are typed whole
    (see ``_picked``). Batches then hold only matching records (``records`` counts those),
    but for blocks where it keeps most lines: those are typed whole, and once that happens
    twice in a row the prefilter is mostly set aside (``_prefiltering``), so the caller
    filters again. A value that does not fit its type in a line the filter drops may go
    unreported.

    ``dictionaries=False`` gives text columns as plain strings, not dictionaries: for a
    reader that renders every row once and keeps nothing (``cat``'s CSV writer), building a
    dictionary per block is work for nothing (the prefilter's columns stay dictionaries).
    The checks stay: the reader still splits every line and types every integer; UTF-8 is
    checked on the whole block at once (an ASCII block needs no more), so a bad line is as
    bad as with dictionaries.

    ``numbers_as_text=True`` (with ``dictionaries=False``, no ``prefilter``) gives integer
    columns as their text, marked ``arrowcsv.NUMBER_TEXT``, in each block where every value
    of them is a whole number written as Arrow writes one (digits, no leading zero) and fits
    its column: for a writer that would only turn the numbers back into the same text
    (``cat --format csv``: the numbers' text was half of its writer's time). A block with
    anything else (a bad line, "007", a count over 32 bits) is typed as usual, so what is
    reported and what is printed are the same; only the columns' types differ.

    ``max_block_bytes`` (default ``MAX_BLOCK_BYTES``) bounds the blocks typed at once, and so
    the batches: a writer with costs per batch (``cat``'s JSON lines and table writers) asks
    for larger ones.

    ``line_numbers=True``: ``lines_of(batch)`` says where a batch's rows are in the object's
    text (``RowLines``), so a record can be named by its line ("line 1234 of OBJECT"), as
    its bad neighbours are. Asked of each batch as it comes (the loader does): a batch not
    asked for is held as long as the parser. The usual batch costs one int: its rows are
    consecutive lines.
    """

    def __init__(self, fields: Sequence[str] | None = None, *, name: str = "",
                 pipelined: bool = True, cancel: threading.Event | None = None,
                 inflate: Inflate | None = None, columns: Iterable[str] | None = None,
                 prefilter: Prefilter | None = None, dictionaries: bool = True,
                 numbers_as_text: bool = False, max_block_bytes: int | None = None,
                 line_numbers: bool = False) -> None:
        self.name = name
        self._max_block_bytes = max_block_bytes  # None: MAX_BLOCK_BYTES
        self._typer = BlockTyper(column_names(fields) if fields else None, columns, prefilter,
                                 dictionaries, numbers_as_text)
        self._inflate_with = inflate or DEFAULT_INFLATE
        self._cancel = cancel
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
        self._default_assumed = False  # no header and no ``fields``: the 14 default fields
        self._block: list[bytes | memoryview] = []
        self._block_bytes = 0
        self._block_target = FIRST_BLOCK_BYTES
        self._stopped = False
        self._executor = (ThreadPoolExecutor(PARSE_THREADS, "flowtui-parse") if pipelined
                          else None)
        self._inflight: list[_InFlight] = []
        self._settled: list[pa.RecordBatch] = []
        #: Each batch out, by id, to where its rows are (``lines_of``); the batch is held
        #: with it, so its id is not reused before it is asked for.
        self._row_lines: dict[int, tuple[pa.RecordBatch, RowLines]] = {}
        self._line_numbers = line_numbers

    @property
    def fields(self) -> list[str] | None:
        """The object's columns: given, from its header, or the default format; a header met
        later (a second object's) replaces them."""
        return self._typer.fields

    @fields.setter
    def fields(self, names: list[str] | None) -> None:
        self._typer = self._typer.with_fields(names)

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
        if self._default_assumed and self.bad_count and not self.records:
            # a custom format's lines without their header (``zcat | grep … | flowtui -``):
            # each bad line alone says a field's type, not that the columns were guessed
            self._set_error("no header line: the lines were read as the default 14-field "
                            "format; give their fields with --fields (a LogFormat: "
                            "'${srcaddr} ${dstaddr} …')")
        self.close()
        return batches

    def lines_of(self, batch: pa.RecordBatch) -> RowLines:
        """Where ``batch``'s rows are in the object's text (None: not known, or not a batch
        of this parser's: a Parquet object's). Asked once per batch."""
        held = self._row_lines.pop(id(batch), None)
        return held[1] if held is not None and held[0] is batch else None

    def family_of(self, batch: pa.RecordBatch) -> str:
        """"vpc", "tgw" or "unknown" for a batch of this parser's object: from its header's
        fields (the batch may hold fewer: ``columns``) and the batch's own (a Parquet
        object's, which has no header)."""
        return detect_family({*(self.fields or ()), *batch.schema.names})

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
        SNIFF_BYTES (``sniff.refusal``)."""
        self._sniffed = True
        if head.startswith(GZIP_MAGIC):
            self._gzip = True
            self._inflater = self._inflate_with.gzip_inflater()
            return
        refused = refusal(head)
        if refused is not None:
            self._stop(refused)

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
        # Cut with offsets into one view of ``text``: slicing bytes would copy each inflate
        # step twice more on its way to the parse thread, which joins the parts once.
        view = memoryview(text)
        start = 0
        if self._skipping_long_line:
            end = text.find(b"\n")
            if end < 0:
                return
            self._skipping_long_line = False
            start = end + 1
        cut = text.rfind(b"\n", start)
        if cut < 0:
            self._partial += view[start:]
            self._check_long_line()
            return
        if self._partial:
            first_end = text.find(b"\n", start)
            self._partial += view[start : first_end + 1]
            line = bytes(self._partial)
            self._partial.clear()
            start = first_end + 1
            if len(line) > MAX_LINE_BYTES:
                self._settle()
                self._lines_seen += 1
                self._bad(self._lines_seen, f"line longer than {MAX_LINE_BYTES} bytes", line)
            else:
                self._add_lines(line)
        if cut >= start:
            self._add_lines(view[start : cut + 1])
        self._partial += view[cut + 1 :]
        self._check_long_line()

    def _check_long_line(self) -> None:
        if len(self._partial) > MAX_LINE_BYTES:
            self._settle()
            self._lines_seen += 1
            self._bad(self._lines_seen, f"line longer than {MAX_LINE_BYTES} bytes "
                      "(skipped to the next line end)", bytes(self._partial[:500]))
            self._partial.clear()
            self._skipping_long_line = True

    def _add_lines(self, lines: bytes | memoryview) -> None:
        """Take whole lines (each ending in a newline) into the current block."""
        if not self._header_seen:
            lines = self._take_header(bytes(lines))
            if not lines or self._stopped:
                return
        self._block.append(lines)
        self._block_bytes += len(lines)
        if self._block_bytes >= self._block_target:
            self._flush_block()

    def _take_header(self, lines: bytes) -> bytes:
        """Read the header from the first non-blank line, or decide there is none."""
        if lines.startswith(BOM):  # a text saved by a Windows editor: no part of the header
            lines = lines[len(BOM):]
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
        try:
            names, is_header = first_line_fields(first, self.fields)
        except NotAFlowLog as exc:
            self._stop(str(exc))
            return b""
        if is_header:
            self._lines_seen += 1
            if self.fields is not None and names != self.fields:
                self._set_error("the header names other fields than were given; "
                                "the header's were used")
            self.fields = names
            return lines[end + 1 :]
        if self.fields is None:
            self.fields = names
            self._default_assumed = True
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
        self._block_target = min(self._block_target * 2,
                                 self._max_block_bytes or MAX_BLOCK_BYTES)
        typer = self._typer
        if self._executor is not None:
            future = self._executor.submit(typer.parse_block, parts)
            self._inflight.append(_InFlight(future, parts, typer))
            if len(self._inflight) > MAX_BLOCKS_IN_FLIGHT:
                self._settled = self._ready(wait=True, limit=1)  # keeps what was settled
        else:
            done: Future[BlockResult] = Future()
            done.set_result(typer.parse_block(parts))
            self._inflight.append(_InFlight(done, parts, typer))

    def _ready(self, wait: bool = False, limit: int | None = None) -> list[pa.RecordBatch]:
        """Results of finished blocks, in order; bookkeeping stays on the caller's thread."""
        out, self._settled = self._settled, []
        taken = 0
        while self._inflight and (wait or self._inflight[0].future.done()):
            if limit is not None and taken == limit:
                break
            taken += 1
            block = self._inflight.pop(0)
            result = block.future.result()
            if block.typer is not self._typer:
                # Typed with the columns before a header an earlier block met (blocks are
                # typed two at a time): typed again with the header's, here, in order.
                result = self._typer.parse_block(block.parts)
            if result.switched is not None:
                self._typer = result.switched
            out.extend(result.batches)
            if self._line_numbers:
                for batch, lines in zip(result.batches, result.row_lines, strict=False):
                    self._row_lines[id(batch)] = (batch, shift_lines(lines, self._lines_seen))
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

    # ----------------------------------------------------------------- bookkeeping

    def _bad(self, line_number: int, reason: str, raw: bytes) -> None:
        self.bad_count += 1
        if len(self.bad_lines) < MAX_BAD_LINES_KEPT:
            self.bad_lines.append(BadLine(line_number, reason, line_text(raw)))

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


#: A block handed to the parse threads: its result to come, its text (to type it again if
#: an earlier block switched the columns) and the typer it was given. Written with types,
#: not as a class: NamedTuple compiles a class's string annotations (every start pays it).
_InFlight = NamedTuple("_InFlight", [("future", Future[BlockResult]),  # noqa: UP014
                                     ("parts", list[bytes | memoryview]),
                                     ("typer", BlockTyper)])


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


def parse_bytes(data: bytes, fields: Sequence[str] | None = None,
                chunk_size: int = 1 << 20) -> tuple[list[pa.RecordBatch], FlowLogParser]:
    """Parse a whole object held in memory (tests, small local files)."""
    parser = FlowLogParser(fields)
    batches: list[pa.RecordBatch] = []
    for start in range(0, len(data), chunk_size):
        batches.extend(parser.feed(data[start : start + chunk_size]))
    batches.extend(parser.finish())
    return batches, parser
