"""zlib-ng (the default inflater) and the standard library's zlib (the fallback when the wheel
is missing) give the parser the same records, bad lines and errors for the same bytes."""

from __future__ import annotations

import functools
import gzip
import random
import tracemalloc

import pyarrow as pa
import pytest

from flowtui import inflate
from flowtui.fields import DEFAULT_FIELDS
from flowtui.parser import FlowLogParser
from flowtui.store import RecordStore
from flowtui.synth import generate_lines

HEADER = " ".join(DEFAULT_FIELDS)


def _body(count: int, seed: int) -> bytes:
    return "\n".join([HEADER, *generate_lines(count, seed=seed)]).encode() + b"\n"


@functools.cache
def _cases(small: bool = False) -> dict[str, bytes]:
    """Every shape the inflater meets: member boundaries, truncation at each place, a bad
    CRC, corrupt deflate data, padding and garbage after the end. ``small`` is the same
    shapes with 1/50 of the records (a NODATA line among them, for the all-null block):
    byte-sized chunks walk the same parser states over them as over the full size (every
    line-to-line step of parser.py and inflate.py that 7-byte chunks of the full-size
    cases take, measured with a line tracer when this was written)."""
    n = (lambda count: max(count // 50, 5)) if small else (lambda count: count)
    one = gzip.compress(_body(n(3000), 1), compresslevel=6)
    second = gzip.compress("\n".join(generate_lines(n(2000), seed=2)).encode() + b"\n")
    members = one + second + gzip.compress(b"") + gzip.compress(_body(n(500), 3))
    bad_crc = bytearray(one)
    bad_crc[-8] ^= 0xFF
    corrupt = bytearray(one)
    corrupt[len(one) // 2] ^= 0x55
    return {
        "one member": one,
        "several members, one with its own header": members,
        "truncated in the middle": one[: len(one) // 2],
        "truncated in the trailer": one[:-3],
        "truncated inside the second member": members[: len(one) + 40],
        "bad crc": bytes(bad_crc),
        "corrupt deflate data": bytes(corrupt),
        "zero padding after the end": one + b"\x00" * 100,
        "garbage after the end": one + b"not gzip",
        "a bad line inside": gzip.compress(_body(n(100), 4) + b"2 bad line\n" + _body(n(50), 5)),
    }


def _parse(data: bytes, backend: inflate.Inflate, chunk: int) -> tuple:
    parser = FlowLogParser(inflate=backend)
    store = RecordStore()
    for start in range(0, len(data), chunk):
        for batch in parser.feed(data[start : start + chunk], wait=False):
            store.append(batch)
    for batch in parser.finish():
        store.append(batch)
    return (store.rows(0, len(store)), parser.bad_lines, parser.bad_count, parser.error,
            parser.fields)


def test_the_default_inflater_is_zlib_ng_when_installed() -> None:
    pytest.importorskip("zlib_ng")
    assert inflate.DEFAULT.name == "zlib-ng"


@pytest.mark.parametrize("name", list(_cases()))
@pytest.mark.parametrize("chunk", [4096, 1 << 20])
def test_zlib_ng_and_zlib_give_the_same_result(name: str, chunk: int) -> None:
    data = _cases()[name]
    fast = _parse(data, inflate.DEFAULT, chunk)
    plain = _parse(data, inflate.ZLIB, chunk)
    assert fast == plain
    assert fast[0], "every case keeps some records"


@pytest.mark.parametrize("name", list(_cases(small=True)))
@pytest.mark.parametrize("chunk", [1, 7])
def test_byte_sized_chunks_give_the_same_result_with_either_inflater(name: str,
                                                                      chunk: int) -> None:
    """Chunks of 1 byte cut the stream at every place (a gzip header, a trailer, the next
    member's magic split across chunks, the first byte alone before sniffing); chunks of 7
    also end one member and start the next inside one chunk. The records are few, so each
    chunk costs little; the shapes are those of the full-size cases."""
    data = _cases(small=True)[name]
    fast = _parse(data, inflate.DEFAULT, chunk)
    plain = _parse(data, inflate.ZLIB, chunk)
    assert fast == plain
    assert fast[0], "every case keeps some records"
    assert fast == _parse(data, inflate.DEFAULT, 1 << 20), "chunking changes nothing"


def test_random_splits_give_the_same_result_with_either_inflater() -> None:
    data = _cases()["several members, one with its own header"]
    rng = random.Random(12)
    for _ in range(5):
        cuts = sorted(rng.sample(range(1, len(data)), 30))
        results = []
        for backend in (inflate.DEFAULT, inflate.ZLIB):
            parser = FlowLogParser(inflate=backend)
            store = RecordStore()
            for start, end in zip([0, *cuts], [*cuts, len(data)], strict=True):
                for batch in parser.feed(data[start:end]):
                    store.append(batch)
            for batch in parser.finish():
                store.append(batch)
            results.append((store.rows(0, len(store)), parser.bad_count, parser.error))
        assert results[0] == results[1]
        assert len(results[0][0]) == 5500


def test_three_times_the_memory_bound_of_text_holds_a_few_blocks_at_a_time() -> None:
    # 48 MB of records fed as plain text in 1 MB chunks and as one gzip chunk: the parser
    # holds a few blocks of text (2 MB each) at a time, never the text it was fed before.
    # The peak does not grow with the input (5 MB for text, 14 MB for gzip, the same at 40
    # and 100 MB when this was written), so three times the bound proves what 100 MB did.
    body = _body(20_000, 6)
    repeat = (48 << 20) // len(body) + 1
    lines = "\n".join(generate_lines(20_000, seed=6)).encode() + b"\n"
    whole_gzip = gzip.compress(_body(0, 6) + lines * repeat, compresslevel=1)
    for feed in ("text", "gzip"):
        parser = FlowLogParser()
        seen = 0
        tracemalloc.start()
        try:
            if feed == "text":
                parser.feed(_body(0, 6))
                for _ in range(repeat):
                    for start in range(0, len(lines), 1 << 20):
                        chunk = lines[start : start + (1 << 20)]
                        seen += sum(b.num_rows for b in parser.feed(chunk))
            else:
                seen += sum(b.num_rows for b in parser.feed(whole_gzip))
            seen += sum(b.num_rows for b in parser.finish())
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert seen == 20_000 * repeat and parser.bad_count == 0, feed
        # The input's own 1 MB chunk (text) or whole gzip, plus at most ~4 blocks of 2-3 MB.
        assert peak < 16 << 20, f"{feed}: {peak / 1e6:.0f} MB held at once"
    # Give the pages back: tests that fork later (the corpus's, which reads the child's peak
    # from wait4) would otherwise inherit this process's resident size in their figure.
    del whole_gzip, lines
    pa.default_memory_pool().release_unused()
