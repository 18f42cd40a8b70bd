"""The hostile corpus (issue 13): every case made at test time from a few lines of code,
so bombs and floods cost no repository space and every expectation sits next to its bytes.

    python tests/corpus/generate.py DIR   # writes the files, to try them by hand
"""

from __future__ import annotations

import bz2
import gzip
import io
import random
import struct
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

FIELDS = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
          "bytes start end action log-status").split()
HEADER = " ".join(FIELDS)
SWAPPED = HEADER.replace("srcport dstport", "dstport srcport")


def record(n: int, action: str = "ACCEPT") -> str:
    return (f"2 123456789010 eni-1235b8ca123456789 10.0.{n // 250}.{n % 250} 10.1.0.1 "
            f"{1024 + n} 443 6 {n + 1} {100 * n + 40} 1418530010 1418530070 {action} OK")


GOOD = [record(n) for n in range(100)]


def lines(*items: str) -> bytes:
    return ("\n".join(items) + "\n").encode()


def inject(raw_line: bytes, at: int = 50) -> bytes:
    """The good records with ``raw_line`` put among them."""
    body = [line.encode() for line in [HEADER, *GOOD]]
    body.insert(at, raw_line)
    return b"\n".join(body) + b"\n"


def gzip_repeat(head: bytes, middle: bytes, times: int, tail: bytes) -> bytes:
    """One gzip member of ``head + middle * times + tail``, with ``middle`` deflated once:
    after a full flush deflate starts afresh (no window, byte-aligned), so the bytes of
    ``middle`` compressed after one are the same at every repetition. (Deflating 200 MiB
    of newlines each run took a second of the corpus tests' set-up.)"""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate: the gzip frame is ours
    body = [packer.compress(head), packer.flush(zlib.Z_FULL_FLUSH)]
    block = packer.compress(middle) + packer.flush(zlib.Z_FULL_FLUSH)
    body += [block] * times
    body += [packer.compress(tail), packer.flush()]
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(middle, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(middle) * times + len(tail)
    # RFC 1952: magic, deflate, no flags, no mtime, max compression, unknown OS; then the
    # CRC-32 and the length mod 2**32 of the uncompressed data.
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + b"".join(body)
            + struct.pack("<II", crc, size & 0xFFFFFFFF))


def parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def good_table() -> dict[str, pa.Array]:
    rows = [line.split() for line in GOOD]
    columns = {}
    for i, name in enumerate(FIELDS):
        values = [row[i] for row in rows]
        if name in ("version", "srcport", "dstport", "protocol", "packets", "bytes", "start",
                    "end"):
            columns[name.replace("-", "_")] = pa.array([int(v) for v in values], pa.int64())
        else:
            columns[name.replace("-", "_")] = pa.array(values)
    return columns


def truncated() -> bytes:
    whole = gzip.compress(lines(HEADER, *GOOD))
    return whole[: len(whole) * 2 // 3]


def bad_crc() -> bytes:
    whole = bytearray(gzip.compress(lines(HEADER, *GOOD)))
    whole[-8] ^= 0xFF
    return bytes(whole)


def wrong_types() -> bytes:
    columns = good_table()
    ports = [str(v) for v in columns["srcport"].to_pylist()]
    ports[10] = "None"  # as pandas writes an object column holding a None
    columns["srcport"] = pa.array(ports)
    return parquet(pa.table(columns))


def nested() -> bytes:
    columns = good_table()
    columns["tags"] = pa.array([[n, n + 1] for n in range(100)])
    columns["meta"] = pa.array([{"a": n} for n in range(100)])
    return parquet(pa.table(columns))


def corrupt_footer() -> bytes:
    whole = bytearray(parquet(pa.table(good_table())))
    whole[-40:-8] = b"\xff" * 32
    return bytes(whole)


#: A Parquet column name that would close a backquoted identifier in ``athena ddl`` and
#: rewrite the statement (issue 20.2).
INJECTED_COLUMN = "x` string) LOCATION 's3://attacker/' TBLPROPERTIES ('a'='b') --"


def backquote_column() -> bytes:
    columns = good_table()
    columns[INJECTED_COLUMN] = pa.array(["v"] * 100)
    return parquet(pa.table(columns))


def million_bad_cells() -> bytes:
    """A million rows whose srcport is the text 'None' (pandas' object column): each is a
    bad row, found in a few vectorised steps, not a million bisections (issue 20.10)."""
    rows = 1_000_000
    columns = {k: pa.concat_arrays([v] * (rows // 100)) for k, v in good_table().items()}
    columns["srcport"] = pa.array(["None"] * rows)
    return parquet(pa.table(columns))


def parquet_bomb(rows: int, *, dictionary: bool) -> bytes:
    """``rows`` copies of a 1 MiB value in the action column, in one row group: held once
    in a dictionary (3,000 rows: 6 KB that decode to 3 GB) or plain (each page decoded
    whole: a column chunk past the size a flow log can have). Issue 20.6."""
    columns = {k: pa.concat_arrays([v] * (rows // 100 + 1)).slice(0, rows)
               for k, v in good_table().items()}
    huge = pa.array(["A" * (1 << 20)])
    if dictionary:
        columns["action"] = pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), huge)
    else:
        # (pa.repeat: the same array as a list of 272 str of 1 MiB, in a tenth of the time)
        columns["action"] = pa.repeat(pa.scalar("A" * (1 << 20)), rows)
    sink = io.BytesIO()
    # (no statistics for the plain one: min/max over 272 values of 1 MiB took seconds to
    # write, and the refusal reads the column chunk's sizes, not its statistics)
    pq.write_table(pa.table(columns), sink, compression="zstd", use_dictionary=dictionary,
                   dictionary_pagesize_limit=4 << 20, row_group_size=rows,
                   write_statistics=dictionary)
    return sink.getvalue()


def escapes() -> bytes:
    hostile = ["\x1b]52;c;ZWNobyBoaQ==\x07", "\x1b]8;;http://x.test/\x1b\\link\x1b]8;;\x1b\\",
               "\x1b]0;owned\x07", "\x1b[2J", "[bold red]markup[/]", "\x9b31m", "\x07\x08\x7f",
               "\u202egnp.exe"]
    body = [HEADER, *GOOD[:50]]
    for n, value in enumerate(hostile):
        body.append(record(n, action=value.replace(" ", "_")))
    return lines(*body, *GOOD[50:])


@dataclass(frozen=True)
class Case:
    """One hostile object and what ``flowtui cat`` must make of it."""

    name: str
    make: Callable[[], bytes]
    exit_code: int
    records: int
    message: str | None = None  # a piece of the one line on stderr
    bad_lines: int = 0
    max_rss_mb: int | None = None  # peak resident memory allowed (the memory cases)
    max_seconds: float = 60.0  # CPU seconds (user + system) the process may use


CASES: list[Case] = [
    Case("truncated.log.gz", truncated, 1, -1, "ends early (truncated object)", -1),
    Case("bad-crc.log.gz", bad_crc, 1, 100, "gzip data is corrupt"),
    Case("trailing-garbage.log.gz", lambda: gzip.compress(lines(HEADER, *GOOD)) + b"junk" * 9,
         1, 100, "bytes after the end of the gzip stream"),
    Case("two-members-two-headers.log.gz",
         lambda: gzip.compress(lines(HEADER, *GOOD[:50])) + gzip.compress(
             lines(SWAPPED, *[" ".join(GOOD[n].split()[:5] + [GOOD[n].split()[6],
                                                             GOOD[n].split()[5]]
                                       + GOOD[n].split()[7:]) for n in range(50, 100)])),
         0, 100),
    Case("zstd.log.zst", lambda: b"\x28\xb5\x2f\xfd" + random.Random(1).randbytes(300), 1, 0,
         "zstd-compressed"),
    Case("bzip2.log.bz2", lambda: bz2.compress(lines(HEADER, *GOOD)), 1, 0, "bzip2-compressed"),
    Case("random.bin", lambda: random.Random(2).randbytes(64 << 10), 1, 0,
         "neither gzip nor text"),
    Case("corrupt-footer.parquet", corrupt_footer, 1, 0, "not a readable Parquet file"),
    Case("nested.parquet", nested, 1, 100, "is not a flow-log field type"),
    Case("backquote-column.parquet", backquote_column, 0, 100),
    Case("bomb-dictionary-3gb.parquet", lambda: parquet_bomb(3000, dictionary=True), 0, 0,
         "row longer than 1048576 bytes", 3000, max_rss_mb=300, max_seconds=45),
    Case("bomb-plain-272mb.parquet", lambda: parquet_bomb(272, dictionary=False), 1, 0,
         "decompression bomb", max_rss_mb=200, max_seconds=45),
    Case("million-bad-cells.parquet", million_bad_cells, 0, 0, "srcport: 'None' is not",
         1_000_000, max_seconds=40),
    # Detected by the first bytes, not the name (issue 20.15).
    Case("gzip-text-named.log.parquet", lambda: gzip.compress(lines(HEADER, *GOOD)), 0, 100),
    Case("parquet-named.log.gz", lambda: parquet(pa.table(good_table())), 0, 100),
    Case("no-rows.parquet", lambda: parquet(pa.table(good_table()).slice(0, 0)), 0, 0),
    Case("wrong-types.parquet", wrong_types, 0, 99, "srcport: 'None' is not", 1),
    Case("beyond-2-64.log",
         lambda: inject(record(1).replace(" 140 ", " 18446744073709551616 ").encode()),
         0, 100, "out of range", 1),
    Case("negative-port.log", lambda: inject(record(1).replace(" 1025 ", " -1025 ").encode()),
         0, 100, "out of range", 1),
    Case("version-99.log", lambda: lines(HEADER, *[g.replace("2 ", "99 ", 1) for g in GOOD]),
         0, 100),
    Case("mixed-crlf.log", lambda: b"".join(
        line.encode() + (b"\r\n" if n % 2 else b"\n") for n, line in enumerate([HEADER, *GOOD])),
        0, 100),
    Case("invalid-utf8.log", lambda: inject(record(7).encode().replace(b"ACCEPT", b"AC\xffCEPT")),
         0, 100, "invalid UTF-8", 1),
    Case("nul.log", lambda: inject(record(7).encode().replace(b"ACCEPT", b"AC\x00CEPT")),
         0, 100, "NUL byte", 1),
    Case("controls-and-escapes.log", escapes, 0, 108),
    Case("ten-thousand-columns.log",
         lambda: lines("version " + " ".join(f"f{n}" for n in range(10_000)), "2 3 4"),
         1, 0, "header has 10001 fields"),
    Case("blank-flood.log.gz",
         lambda: gzip_repeat(b"", b"\n" * (1 << 20), 2, lines(HEADER, *GOOD)), 0, 100,
         max_seconds=30),
    Case("whitespace-junk-flood.log.gz",
         lambda: gzip_repeat(lines(HEADER), b" \t\r\n#\n" * (1 << 16), 8, lines(*GOOD)),
         0, 100, "bad lines skipped", 1 << 19, max_seconds=45),
    Case("bomb-200mb.log.gz",
         lambda: gzip_repeat(lines(HEADER, *GOOD[:50]), b"\n" * (1 << 20), 200,
                             lines(*GOOD[50:])),
         0, 100, max_rss_mb=300, max_seconds=45),
]


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        (out / case.name).write_bytes(case.make())


if __name__ == "__main__":
    main()
