"""How ``linebytes`` and ``columntext`` spend a JSON lines writer's time: what they are
measured by (cachegrind on 1M records, see the commits) is pinned here, the bytes by
``tests/test_output_bulk.py``."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from flowtui import columntext, linebytes
from flowtui.linebytes import MAX_ROWS
from tests.test_output_bulk import written_bytes


def _batch(rows: int) -> pa.RecordBatch:
    rng = random.Random(3)
    addresses = [f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}"
                 for _ in range(rows // 2)]
    return pa.RecordBatch.from_arrays([
        pa.array([rng.choice(addresses + [None]) for _ in range(rows)]).dictionary_encode(),
        pa.array([rng.randint(0, 65535) for _ in range(rows)], pa.uint16()),
        pa.array([rng.randint(0, 2**32 - 1) for _ in range(rows)], pa.uint32()),
    ], names=["srcaddr", "dstport", "bytes"])


def test_the_line_order_takes_run_on_indices_without_a_validity_bitmap(monkeypatch) -> None:
    """A take through (or of) integers that carry a validity bitmap, even one with every
    bit set, ran at a fifth of its speed (0.39 G of the writer's 3 G instructions on 1M
    records): ``pa.concat_arrays`` gives one to parts that have none."""
    seen: list[bool] = []
    take = linebytes.pc.take

    def watching(data, indices, **options):  # type: ignore[no-untyped-def]
        if data.type in (pa.int32(), pa.binary(16)):  # the line order's, not a table's
            seen.append(indices.buffers()[0] is None and data.buffers()[0] is None)
        return take(data, indices, **options)

    monkeypatch.setattr(linebytes.pc, "take", watching)
    written_bytes("jsonl", [_batch(MAX_ROWS + 100)])
    assert seen and all(seen)


def test_a_batch_s_dictionary_of_plain_strings_is_quoted_and_decorated_in_one_join(
        monkeypatch) -> None:
    """A batch's addresses (thousands of distinct values each batch) are put between their
    key's text and quotes in one pass, not one for the quotes and one for the key."""
    joined: list[int] = []
    join = columntext.pc.binary_join_element_wise

    def counting(*args, **options):  # type: ignore[no-untyped-def]
        joined.extend(len(arg) for arg in args if isinstance(arg, pa.Array))
        return join(*args, **options)

    monkeypatch.setattr(columntext.pc, "binary_join_element_wise", counting)
    batch = _batch(4000)
    written_bytes("jsonl", [batch])
    distinct = len(batch.column(0).dictionary)
    assert distinct > columntext.MAX_CACHED_DICTIONARY  # a batch's own, not kept
    assert sum(joined) < 2 * distinct


def _flow_log(path, lines: int) -> None:  # type: ignore[no-untyped-def]
    import gzip

    from flowtui.fields import DEFAULT_FIELDS
    rng = random.Random(5)
    body = [" ".join(DEFAULT_FIELDS)]
    for number in range(lines):
        body.append(f"2 123456789012 eni-{rng.randint(0, 99):04x} 10.0.{rng.randint(0, 255)}.1 "
                    f"10.1.0.{rng.randint(0, 255)} {rng.randint(0, 65535)} 443 6 "
                    f"{rng.randint(1, 99)} {rng.randint(40, 99999)} {1709649000 + number // 100} "
                    f"{1709649030 + number // 100} ACCEPT OK")
    path.write_bytes(gzip.compress(("\n".join(body) + "\n").encode()))


@pytest.mark.parametrize("fmt", ["jsonl", "table"])
def test_cat_s_json_lines_and_table_writers_get_batches_of_blocks_larger_than_a_parse_s(
        tmp_path, monkeypatch, capsys, fmt: str) -> None:
    """Each batch costs these writers its dictionaries' text and a copy of the tables of
    every port's text, whatever its rows: a local ``cat`` reads them blocks of up to
    ``WRITER_BLOCK_BYTES`` (jsonl on 1M records: 9.76 G instructions with the parser's
    2 MB blocks, 9.08 G with 6 MB)."""
    from flowtui import output, parser
    from flowtui.cli import cat
    from flowtui.cli.main import main

    path = tmp_path / "flows.log.gz"
    _flow_log(path, 90_000)  # ~9 MB of text
    rows: list[int] = []
    write = output.RecordWriter.write_rendered

    def counting(self, parts, count):  # type: ignore[no-untyped-def]
        rows.append(count)
        return write(self, parts, count)

    monkeypatch.setattr(output.RecordWriter, "write_rendered", counting)
    assert main(["cat", str(path), "--format", fmt]) == 0
    assert sum(rows) == 90_000 and len(capsys.readouterr().out.splitlines()) >= 90_000
    per_line = 100  # bytes of text a line, about
    assert max(rows) * per_line > parser.MAX_BLOCK_BYTES
    assert max(rows) * per_line <= cat.WRITER_BLOCK_BYTES + (1 << 20)
