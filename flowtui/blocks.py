"""The parse thread's side of the parser: a block of whole lines in, typed batches out.

Apart from the parser (``parser.py``), which owns the bytes, the lines and the bookkeeping on
the caller's thread: what is here runs on the parse thread, one block at a time. The fast path
hands the block to pyarrow's C++ CSV reader; a block it rejects (wrong field count, a value
that does not fit its type, bad UTF-8, a header) is read again in pieces, and the pieces that
still fail go through a slow pass in Python that finds the bad lines and keeps them aside.
A prefilter (a ``--where`` that keeps few records) types its own columns first and only the
lines it keeps are typed whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

import pyarrow as pa
import pyarrow.csv as pacsv

from flowtui import arrowcompute as pc
from flowtui.arrowcsv import (
    PARSE_EMPTY_AS_ROWS,
    PARSE_OPTIONS,
    READ_TYPE,
    arrow_copy,
    as_text,
    convert_options,
    empty_batch,
    holds_empty_text,
    holds_field_name,
    may_hold_hex,
    narrow,
    numbers_text,
    utf8_text,
    valid_utf8,
    widen_null_columns,
    with_number_text,
)
from flowtui.fields import NON_NEGATIVE, arrow_type
from flowtui.header import MAX_FIELDS, column_names, looks_like_header
from flowtui.rowlines import RowLines

MAX_BAD_LINES_KEPT = 1000
RETRY_PIECE_BYTES = 64 << 10  # a block that fails the fast path is retried in pieces this size
# One CSV block per parse block (a block is at most its parser's largest, 6 MB for cat's
# JSON lines and table writers, plus one inflate step and one long line): one chunk per
# column, so no dictionaries to unify when it is combined. Read from memory: nothing of
# this size is allocated.
_READ_BLOCK_BYTES = 9 << 20
#: Each block is typed on the parse thread that holds it, not handed to Arrow's pool: a
#: block is one CSV chunk, so the pool added a hand-off per block and no parallelism (the
#: parse threads already type two blocks at once). Measured pair by pair (farm-bench, 2
#: cores) while other work ran on the machine (13 pairs): hist --every 1m on 3M records
#: 0.92x the wall, top 0.94x, cat --format csv on 1M 0.92x, CPU equal; on a quiet machine
#: (15 pairs) hist 1.02x, top 1.04x (9 pairs): within noise. Kept for the loaded case
#: (a shared jump host) and for two threads fewer.
_ARROW_THREADS = False
#: Blocks whose numbers may fail to read as text (``numbers_as_text``) before a typer stops
#: trying, and one more per TEXT_HITS_PER_MISS that did read: a miss costs a read of the block
#: for nothing (a file of bad lines, of padded numbers), so misses stay a small share.
MAX_TEXT_MISSES = 3
TEXT_HITS_PER_MISS = 16
#: Once a prefilter keeps most lines, one block in this many is still prefiltered.
PREFILTER_PROBE = 8


@dataclass(frozen=True)
class BadLine:
    """A line that could not be read as a record, kept so the user can see it."""

    line_number: int
    reason: str
    text: str


@dataclass(frozen=True)
class BlockResult:
    batches: list[pa.RecordBatch]
    bad: list[BadLine]  # numbered from 1 at the block's first line; at most MAX_BAD_LINES_KEPT
    lines: int
    bad_count: int  # all of the block's bad lines
    #: The typer for the text after this block when a header line in it named other
    #: columns (a second object's); None: the columns did not change.
    switched: BlockTyper | None = None
    #: Each batch's ``RowLines``, numbered from 1 at the block's first line.
    row_lines: list[RowLines] = field(default_factory=list)


# Written with types, not as a class: a class's annotations are strings here (``from
# __future__ import annotations``), and NamedTuple compiles each one (~0.2 ms a field of
# every command's start).
_Options = NamedTuple("_Options", [  # noqa: UP014 - see above
    ("read", pacsv.ReadOptions),
    ("columns", list[str]),  # the columns returned, in the object's order
    ("bytes_only", bool),  # some text columns are read as bytes only (``_read_type``)
    ("narrow", pacsv.ConvertOptions | None),  # int64 columns as uint32; None: there are none
    ("wide", pacsv.ConvertOptions),  # the catalogue's types
    ("narrowed", list[int]),  # the columns ``narrow`` types as uint32 (places in the fields)
    ("text", pacsv.ConvertOptions | None),  # numbers as text (``numbers_as_text``); None: off
    ("numbers", dict[str, pa.DataType]),  # those columns, and the types their values must fit
    ("number_groups", list[tuple[pa.DataType, list[str]]]),  # the same by type (at once)
])


class Prefilter(Protocol):
    """What a parser needs of a filter to apply it before typing every column: the columns
    it reads and, for a batch holding those, which rows match (no nulls)."""

    @property
    def columns(self) -> Sequence[str]: ...

    def mask(self, batch: pa.RecordBatch) -> pa.BooleanArray: ...


class _FastPathFailed(Exception):
    """The C++ reader met a line it cannot type; the slow pass will say which."""


class BlockTyper:
    """Types blocks of whole lines with one set of columns, on the parse threads.

    ``fields`` are the object's columns; ``wanted`` (None: all) the columns typed and
    returned; ``prefilter`` the filter applied before typing every column;
    ``dictionaries=False``: text columns as plain strings (see ``FlowLogParser``);
    ``numbers_as_text`` (with ``dictionaries=False``, no prefilter): integer columns as their
    text where every value is a whole number written plainly (see ``FlowLogParser``). A typer
    never changes its columns once it types (several threads may use it at once): a header
    met inside a block types the rest of the block with a new typer (``with_fields``),
    which the block's result hands on (``BlockResult.switched``).
    """

    def __init__(self, fields: list[str] | None, wanted: Iterable[str] | None,
                 prefilter: Prefilter | None, dictionaries: bool = True,
                 numbers_as_text: bool = False) -> None:
        self.fields = fields
        self._dictionaries = dictionaries
        self._numbers_as_text = numbers_as_text and not dictionaries and prefilter is None
        self._text_misses = 0
        self._text_hits = 0
        self._wanted = None if wanted is None else frozenset(wanted)
        self._prefilter = prefilter
        self._options_cache: _Options | None = None
        self._all_text = False  # no integer column: the fast path cannot reject a header
        self._empty_lines_met = False  # read empty lines as rows until one is met (``_typed``)
        # Blocks in a row where the prefilter kept most lines, and blocks typed since without
        # it (see ``_prefiltering``); plain counters, shared by the parse threads.
        self._dense = 0
        self._unfiltered = 0

    def with_fields(self, fields: list[str] | None) -> BlockTyper:
        """A typer like this one for other columns."""
        return BlockTyper(fields, self._wanted, self._prefilter, self._dictionaries,
                          self._numbers_as_text)

    def _options(self) -> _Options:
        if self._options_cache is None:
            assert self.fields is not None
            columns = self._columns()
            fields = self.fields  # every column is typed (``_read_type``)
            self._all_text = not any(pa.types.is_integer(arrow_type(f)) for f in fields)
            types = {f: self._read_type(f) for f in fields}
            # Counters and times are typed uint32 up front (what almost every value fits),
            # so no int64 column is built only to be narrowed; a block with a value that
            # does not fit is read again with the catalogue's types.
            narrowed = {f: pa.uint32() if t == pa.int64() else t for f, t in types.items()}
            numbers = {f: t for f, t in narrowed.items() if pa.types.is_unsigned_integer(t)
                       } if self._numbers_as_text else {}
            text = {f: pa.binary() if f in numbers else t for f, t in types.items()}
            self._options_cache = _Options(
                pacsv.ReadOptions(column_names=self.fields, use_threads=_ARROW_THREADS,
                                  block_size=_READ_BLOCK_BYTES),
                columns,
                any(t == pa.binary() and f not in columns for f, t in types.items()),
                convert_options(narrowed, fields) if narrowed != types else None,
                convert_options(types, fields),
                [i for i, f in enumerate(fields) if narrowed[f] != types[f]],
                convert_options(text, fields) if numbers else None,
                numbers,
                [(kind, [f for f in numbers if numbers[f] == kind])
                 for kind in dict.fromkeys(numbers.values())],
            )
        return self._options_cache

    def _read_type(self, name: str) -> pa.DataType:
        """The type the CSV reader gives a column: text as bytes when no dictionaries are
        wanted (viewed as strings once the block's UTF-8 is checked, ``as_text``), but for
        the prefilter's columns: the filter runs again on the batch (``Keeper``), and its
        tests of text (a CIDR, a pattern) run once per distinct value of a dictionary,
        once per row of plain strings.

        Every column is typed, returned or not (``columns``), so a line is bad or good
        whatever a question reads: ``top --by srcaddr`` and ``cat`` skip the same lines and
        count the same records. A text column not returned is read as bytes, only to see
        that no value is empty (a line one field short, ``holds_empty_text``) and that the
        block is UTF-8: never made a dictionary. Measured on 1M records, ``srcaddr``,
        ``packets``, ``bytes``: +21 % CPU over typing those three alone (finding two spaces
        in the text instead: +52 %); ``top`` used to count lines ``cat`` skips."""
        kind = arrow_type(name)
        if pa.types.is_dictionary(kind) and self._wanted is not None and \
                name not in self._columns():
            return pa.binary()
        if not self._dictionaries and pa.types.is_dictionary(kind) and (
                self._prefilter is None or name not in self._prefilter.columns):
            return pa.binary()
        return kind

    def _columns(self) -> list[str]:
        """The columns typed and returned for the current fields, in the object's order."""
        assert self.fields is not None
        if self._wanted is None:
            return list(self.fields)
        return [f for f in self.fields if f in self._wanted] or self.fields[:1]

    def parse_block(self, parts: Sequence[bytes | memoryview]) -> BlockResult:
        """Runs on a parse thread: the fast path, and the slow pass where it fails.

        Bad lines are numbered from the block's start; ``_ready`` adds the offset. A header
        line met here (a second object's, in concatenated gzip members or ``cat a b``)
        switches the columns from the next line on: the result's ``switched`` types the
        rest of the object (``FlowLogParser._ready`` types again, with it, any later block
        already typed with these columns).
        """
        data = b"".join(parts) if len(parts) > 1 else bytes(parts[0])
        block = _Block(data)
        try:
            batch = self._fast(block)
            if not batch.num_rows:
                return BlockResult([], [], block.line_count(), 0)
            return BlockResult([batch], [], block.line_count(), 0,
                               row_lines=[self._consecutive(block, batch.num_rows, 1)])
        except _FastPathFailed:
            pass
        lines = block.line_count()
        batches: list[tuple[pa.RecordBatch, RowLines]] = []
        bad = _BadLines()
        typer = self
        rest: tuple[bytes, int] | None = (data, 1)
        while rest is not None:
            rest, typer = typer._parse_text(rest[0], rest[1], batches, bad)
        kept = [(b, at) for b, at in batches if b.num_rows]
        return BlockResult([b for b, _ in kept], bad.kept, lines, bad.count,
                           None if typer is self else typer, [at for _, at in kept])

    def _consecutive(self, block: _Block, rows: int, first: int) -> int | None:
        """``first`` when the block's ``rows`` are its lines, one each, from line ``first``;
        None when that is not sure. Rows as many as lines are those lines: the reader skips
        only empty lines, and a line it cannot type fails the block; but a lone CR ends a
        row inside a line, and a prefilter picks rows. Costs nothing in the usual block: its
        newlines are known from its rows (``_rows_are_lines``) and it has no CR."""
        if self._prefilter is not None or rows != block.line_count():
            return None
        data = block.data
        if block.has_cr() and data.count(b"\r") != data.count(b"\r\n"):
            return None
        return first

    def _parse_text(self, data: bytes, first_line: int,
                    batches: list[tuple[pa.RecordBatch, RowLines]],
                    bad: _BadLines) -> tuple[tuple[bytes, int] | None, BlockTyper]:
        """Type ``data`` piece by piece; at a header line, return the text after it (and
        its first line number) and the typer of the header's columns, to read it with.
        Each batch goes with the line numbers of its rows."""
        for piece, piece_line, piece_start in _pieces(data, first_line, RETRY_PIECE_BYTES):
            block = _Block(piece)
            try:
                batch = self._fast(block)
                batches.append((batch, self._consecutive(block, batch.num_rows, piece_line)))
                continue
            except _FastPathFailed:
                pass
            good, header, numbers = self._slow(piece, piece_line, bad)
            if good:
                batch = self._fast(good, checked=True)
                at: RowLines = None
                if batch.num_rows == len(numbers) and self._prefilter is None:
                    at = pa.array(numbers, pa.uint32())
                batches.append((batch, at))
            if header is not None:
                names, offset, next_line = header
                return (data[piece_start + offset :], next_line), self.with_fields(names)
        return None, self

    def _fast(self, block: bytes | _Block, *, checked: bool = False) -> pa.RecordBatch:
        """Type a block with Arrow's CSV reader. ``checked``: lines the slow pass passed."""
        if isinstance(block, bytes):
            block = _Block(block)
        data = block.data
        options = self._options()
        if b"\x00" in data:
            raise _FastPathFailed  # no value holds a NUL: the slow pass reports that line
        if not checked and may_hold_hex(data):
            # Arrow reads 0x1bb as the integer 443; the slow pass says it is not one. Only
            # a block holding "0x" goes the slow way (a text value may hold it).
            raise _FastPathFailed
        if self._prefilter is not None and self._prefiltering():
            picked = self._picked(block, options)
            if picked is not None:
                if not picked:
                    return empty_batch(options.columns)
                block = _Block(picked)
                data = picked
        source = block.reader()
        table = self._numbers_text(source, options)
        texted = table is not None
        if table is not None and _rows_are_lines(data, table, len(self.fields or ())):
            block.newlines = table.num_rows
        if table is None:
            table, rows_are_lines = self._typed(source, options)
            if table is None:
                return empty_batch(options.columns)
            if rows_are_lines and not block.has_cr():  # a lone CR ends a row inside a line
                block.newlines = table.num_rows
        if not table.num_rows:
            return empty_batch(options.columns)
        if holds_empty_text(table):
            raise _FastPathFailed  # a line a field short: the slow pass reports it
        if options.bytes_only and not utf8_text(data):
            raise _FastPathFailed  # in a column not returned: the slow pass reports it
        if not self._dictionaries:
            if not utf8_text(data):
                raise _FastPathFailed  # the slow pass reports the line
            table = as_text(table)
        elif not valid_utf8(table):
            raise _FastPathFailed  # the slow pass reports the line
        if self._all_text and holds_field_name(table):
            raise _FastPathFailed  # perhaps a header line: the slow pass decides
        if table.num_columns != len(options.columns):
            table = table.select(options.columns)
        batch = narrow(table.combine_chunks().to_batches()[0])
        return with_number_text(batch, options.numbers) if texted else batch

    def _typed(self, source: pa.BufferReader, options: _Options, as_rows: bool | None = None
               ) -> tuple[pa.Table | None, bool]:
        """The block typed: counters as uint32 first, else with the catalogue's types. None
        for a block with no rows; raises ``_FastPathFailed`` for a block that does not type.

        Also whether the table's rows are the block's lines, so its newlines need no count
        (``bytes.count`` over every block was 8 % of a jsonl cat's instructions). Arrow's
        reader skips empty lines, so in general they are not; but read with empty lines as
        rows (``PARSE_EMPTY_AS_ROWS``), a block that types holds none, given a typed integer
        column (an empty line's "" is no integer). A block that fails so is read again the
        usual way; when that reads, empty lines were the cause, and the blocks after it are
        read the usual way and counted (a file with blank lines pays one read more, not one
        per block).
        """
        if as_rows is None:
            as_rows = not self._all_text and not self._empty_lines_met
        parse = PARSE_EMPTY_AS_ROWS if as_rows else PARSE_OPTIONS
        if options.narrow is not None:
            try:
                table = pacsv.read_csv(source, options.read, parse, options.narrow)
                return widen_null_columns(table, options.narrowed), as_rows
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                source.seek(0)  # a value over uint32 (or a bad line): the catalogue's types
        try:
            table = pacsv.read_csv(source, options.read, parse, options.wide)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            if "Empty CSV file" in str(exc):
                return None, False
            if not as_rows:
                raise _FastPathFailed from exc
            source.seek(0)
            typed = self._typed(source, options, as_rows=False)
            self._empty_lines_met = True  # a plain flag, shared by the parse threads
            return typed
        if _holds_negative(table):
            raise _FastPathFailed  # "-3" packets: the slow pass reports the line
        return table, as_rows

    def _numbers_text(self, source: pa.BufferReader, options: _Options) -> pa.Table | None:
        """The block read with its integer columns as text, if every value of them is a
        whole number written plainly (``numbers_text``); else None (``source`` rewound), and
        the block is typed the usual way, which finds what is wrong with it."""
        if options.text is None or \
                self._text_misses >= MAX_TEXT_MISSES + self._text_hits // TEXT_HITS_PER_MISS:
            return None
        try:
            table = pacsv.read_csv(source, options.read, PARSE_OPTIONS, options.text)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            table = None
        if table is not None and not table.num_rows:
            return table  # only empty lines: typed, they give no rows either
        if table is not None and numbers_text(
                [(kind, [table.column(name) for name in names])
                 for kind, names in options.number_groups]):
            self._text_hits += 1
            return table
        source.seek(0)
        self._text_misses += 1
        return None

    def _prefiltering(self) -> bool:
        """Whether to apply the prefilter to the next block: not after two blocks in a row
        where it kept most lines (``--where accept``, a CIDR holding most addresses), but
        for one block in every ``PREFILTER_PROBE`` after that, in case the data changes.
        Reading the filter's columns tokenises the whole block, so a prefilter that drops
        little types each block twice (``cat --where 'srcaddr in 10.5.0.0/16'`` took 1.27x
        the CPU of plain ``cat``); without it, the block is typed once and the loader's
        filter (``Keeper``) keeps the same records."""
        if self._dense < 2:
            return True
        self._unfiltered += 1
        if self._unfiltered >= PREFILTER_PROBE:
            self._unfiltered = 0
            return True
        return False

    def _picked(self, block: _Block, options: _Options) -> bytes | None:
        """The lines of ``data`` the prefilter keeps, or None to type them all.

        The filter's columns are typed alone (a fraction of the cost of every column), and
        the kept lines are cut out of the text with Arrow kernels. None whenever anything is
        unusual — the filter's columns fail to type (the whole block goes the usual way, to
        the slow pass if need be), a filter over text columns meets what may be a header,
        the kept lines are not one to one with the rows — and when most lines are kept.
        Both reads and the cut share the block's one copy in Arrow's memory (``_Block``),
        and the cut counts the block's lines on the way.
        """
        assert self._prefilter is not None and self.fields is not None
        wanted = set(self._prefilter.columns)
        columns = [f for f in options.columns if f in wanted]
        if not columns:
            return None
        types = {f: READ_TYPE.get(f) or arrow_type(f) for f in columns}
        try:
            table = pacsv.read_csv(block.reader(), options.read, PARSE_OPTIONS,
                                   convert_options(types, columns))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        if not table.num_rows or not valid_utf8(table):
            return None
        if not any(pa.types.is_integer(t) for t in types.values()) and \
                holds_field_name(table):
            return None
        keep = self._prefilter.mask(narrow(table.combine_chunks().to_batches()[0]))
        kept = pc.sum(pc.cast(keep, pa.uint32())).as_py() or 0
        if kept * 2 > table.num_rows:
            self._dense += 1
            return None  # most lines kept: typing them all once is cheaper
        self._dense = 0
        if not kept and b"\r" not in block.data:
            return b""  # no line kept (and no lone CR that could end a row in a line)
        lines = block.lines()
        if len(lines) != table.num_rows:  # blank or CR-only lines: not worth the care
            return None
        if not kept:
            return b""
        text = pc.binary_join(pa.ListArray.from_arrays([0, kept], pc.filter(lines, keep)), b"\n")
        joined: bytes = text[0].as_py()
        return joined + b"\n"

    def _slow(self, data: bytes, first_line: int, bad: _BadLines
              ) -> tuple[bytes, tuple[list[str], int, int] | None, list[int]]:
        """Check each line in Python; return the good ones, keep the bad ones aside.

        Stops at a header line: then also returns its names, the offset just after it in
        ``data`` and the next line's number. Last, the good lines' line numbers.
        """
        assert self.fields is not None
        checks = [_value_check(name) for name in self.fields]  # returned or not (_read_type)
        width = len(self.fields)
        good: list[bytes] = []
        numbers: list[int] = []
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
            if looks_like_header(tokens):
                if len(tokens) <= MAX_FIELDS:
                    header = (column_names(t.decode("ascii") for t in tokens), start,
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
                numbers.append(line_number)
        return (b"\n".join(good) + b"\n" if good else b""), header, numbers


class _Block:
    """A block's text, with its one copy in memory Arrow owns (``arrow_owned``) made when
    first asked for and shared by every read of it, and its count of newlines."""

    __slots__ = ("data", "_buffer", "_newlines", "_cr")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._buffer: pa.Buffer | None = None
        self._newlines: int | None = None
        self._cr: bool | None = None

    def has_cr(self) -> bool:
        """Whether the block holds a CR (looked for once: the typing and the line numbers
        both ask)."""
        if self._cr is None:
            self._cr = b"\r" in self.data
        return self._cr

    def reader(self) -> pa.BufferReader:
        if self._buffer is None:
            self._buffer = arrow_copy(self.data)
        return pa.BufferReader(self._buffer)

    def line_count(self) -> int:
        if self._newlines is None:
            self._newlines = self.data.count(b"\n")
        return self._newlines

    @property
    def newlines(self) -> int | None:
        return self._newlines

    @newlines.setter
    def newlines(self, count: int) -> None:
        """The count, known another way (``_rows_are_lines``)."""
        self._newlines = count

    def lines(self) -> pa.Array:
        """The block's non-empty lines, without their newlines (a binary array), cut from
        the Arrow copy; the newlines are counted on the way."""
        if self._buffer is None:
            self.reader()
        assert self._buffer is not None
        offsets = pa.array([0, len(self._buffer)], pa.int32()).buffers()[1]
        whole = pa.Array.from_buffers(pa.binary(), 1, [None, offsets, self._buffer])
        pieces = pc.list_flatten(pc.split_pattern(whole, b"\n"))
        self._newlines = len(pieces) - 1
        lengths = pc.binary_length(pieces)
        last = len(pieces) - 1
        if last and lengths[last].as_py() == 0 and pc.min(lengths.slice(0, last)).as_py():
            return pieces.slice(0, last)  # the usual block: no empty line but after the end
        return pc.filter(pieces, pc.greater(lengths, 0))


def _rows_are_lines(data: bytes, table: pa.Table, columns: int) -> bool:
    """Whether each of the block's lines is one of ``table``'s rows, so its newlines need
    no count (a pass over the block, 4-6 % of a csv cat's CPU), told from sizes alone.

    ``table`` holds every column as the bytes the reader cut, "-" as a null: each row is
    its values' bytes, a byte per null, a space between values and a newline. The block is
    that sum exactly unless it holds empty lines (the reader skips them: a byte each
    uncounted); a lone CR, which ends a row inside a line, is looked for. Any other table
    (typed columns, some of the line's ``columns`` left out) is counted.
    """
    if table.num_columns != columns or b"\r" in data:
        return False
    size: int = table.num_rows * columns  # the spaces between values, and the newline
    for column in table.columns:
        if column.type not in (pa.binary(), pa.string()):
            return False
        for chunk in column.chunks:
            offsets = memoryview(chunk.buffers()[1]).cast("i")  # int32, as binary's are
            size += offsets[chunk.offset + len(chunk)] - offsets[chunk.offset] \
                + chunk.null_count
    return size == len(data)


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
            self.kept.append(BadLine(line_number, reason, line_text(raw)))


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


def line_text(raw: bytes) -> str:
    return raw[:500].rstrip(b"\r\n").decode("utf-8", "backslashreplace")


def _holds_negative(table: pa.Table) -> bool:
    """A count or a time below zero in ``table`` (read with the catalogue's signed types)."""
    for name in NON_NEGATIVE.intersection(table.column_names):
        column = table.column(name)
        if pa.types.is_signed_integer(column.type):
            low = pc.min(column).as_py()
            if low is not None and low < 0:
                return True
    return False


def _value_check(name: str) -> Callable[[bytes], str | None]:
    """A checker of one column's tokens: why a token is not a value of it, or None."""
    kind = arrow_type(name)
    if pa.types.is_integer(kind):
        if pa.types.is_unsigned_integer(kind) or name in NON_NEGATIVE:
            low = 0
        else:
            low = -(1 << (kind.bit_width - 1))
        high = (1 << (kind.bit_width - (0 if pa.types.is_unsigned_integer(kind) else 1))) - 1

        def check_int(token: bytes) -> str | None:
            if token == b"-":
                return None
            text = token.decode("latin-1")
            if not (text.isdigit() or (text[:1] == "-" and text[1:].isdigit())) or \
                    not text.isascii():
                return f"{text[:40]!r} is not an integer"
            value = int(text)
            if value < 0 and low == 0 and name in NON_NEGATIVE:
                kind = "a time in Unix seconds" if name in ("start", "end") else "a count"
                return f"{value} is negative: {name} is {kind}, never below 0"
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
