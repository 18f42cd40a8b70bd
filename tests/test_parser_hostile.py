"""Hostile input to the text parser: floods, bombs and odd headers cost linear time and
bounded memory, and never swap or drop a good record (issue 13)."""

from __future__ import annotations

import gzip
import threading
import time
import tracemalloc
import zlib

from flowtui.fields import DEFAULT_FIELDS
from flowtui.parser import FlowLogParser, parse_bytes

HEADER = " ".join(DEFAULT_FIELDS)
V2_SSH = ("2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 "
          "1418530010 1418530070 ACCEPT OK")


def text(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def gzip_of(parts: list[bytes], repeat: int = 1) -> bytes:
    """One gzip member of ``parts``, the middle one repeated (a bomb costs no memory here)."""
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    head, middle, tail = parts
    out = [packer.compress(head)]
    out += [packer.compress(middle) for _ in range(repeat)]
    out += [packer.compress(tail), packer.flush()]
    return b"".join(out)


def records(batches) -> int:
    return sum(batch.num_rows for batch in batches)


# --- item 2: a flood of blank lines before the header costs linear time ---------------------


def test_two_million_blank_lines_before_the_header_are_skipped_in_linear_time() -> None:
    # Before: the header search re-sliced the rest of the text per blank line, ~6 min here.
    data = gzip_of([b"", b"\n" * (1 << 20), text(HEADER, V2_SSH)], repeat=2)
    started = time.process_time()
    batches, parser = parse_bytes(data)
    assert time.process_time() - started < 20
    assert records(batches) == 1 and parser.bad_count == 0 and parser.error is None


def test_whitespace_and_crlf_lines_before_the_header_are_skipped_in_linear_time() -> None:
    data = gzip_of([b"", b" \t\r\n" * (1 << 18), text(HEADER, V2_SSH)], repeat=4)
    started = time.process_time()
    batches, parser = parse_bytes(data)
    assert time.process_time() - started < 20
    assert records(batches) == 1 and parser.error is None
    assert parser.fields == list(DEFAULT_FIELDS)


def test_cancel_stops_a_parse_in_the_middle_of_one_large_chunk() -> None:
    # One 200 KB chunk inflating to 512 MB of records: cancel must not wait for all of it.
    bomb = gzip_of([text(HEADER), text(*[V2_SSH] * 4000), b""], repeat=1000)
    cancel = threading.Event()
    parser = FlowLogParser(cancel=cancel)
    seen = 0
    stopped_at = None
    for batch in parser.stream(bomb):
        seen += batch.num_rows
        if seen and not cancel.is_set():
            cancel.set()
            stopped_at = time.monotonic()
    assert stopped_at is not None and time.monotonic() - stopped_at < 10
    assert seen < 4_000_000 // 10
    parser.close()


# --- item 3: a gzip bomb keeps a few blocks in flight, whatever its ratio --------------------


def test_a_bomb_fed_as_one_chunk_holds_a_few_megabytes_of_text_at_a_time() -> None:
    # 64 KB of gzip inflating to 64 MB of blank lines after a header, in one feed.
    bomb = gzip_of([text(HEADER, V2_SSH), b"\n" * (1 << 20), text(V2_SSH)], repeat=64)
    assert len(bomb) < 128 << 10
    parser = FlowLogParser()
    tracemalloc.start()
    try:
        count = records(parser.feed(bomb)) + records(parser.finish())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 2 and parser.bad_count == 0
    assert peak < 16 << 20, f"{peak / 1e6:.0f} MB held at once"


def test_bomb_of_records_streams_batches_as_it_inflates() -> None:
    # The batches of a large chunk come out while it inflates, not all at its end.
    bomb = gzip_of([text(HEADER), text(*[V2_SSH] * 4000), b""], repeat=250)
    parser = FlowLogParser()
    stream = parser.stream(bomb)
    first = next(stream)
    assert first.num_rows > 0
    assert parser.records < 1_000_000 // 2
    assert records([first]) + records(stream) + records(parser.finish()) == 1_000_000


def test_gzip_of_many_members_still_reads_every_record() -> None:
    member = gzip.compress(text(V2_SSH) * 1000)
    data = gzip.compress(text(HEADER)) + member * 50
    batches, parser = parse_bytes(data, chunk_size=4096)
    assert records(batches) == 50_000 and parser.error is None


def test_cancelling_a_load_stops_a_local_bomb_within_a_step(tmp_path) -> None:
    # A 120 KB file inflating to 310 MB of records: before, the loader's first chunk was
    # inflated and typed whole (seconds of CPU, a gigabyte held) before cancel was seen.
    from flowtui.loader import BatchLoaded, Loader, LoadFinished, ObjectRef
    from flowtui.store import RecordStore

    path = tmp_path / "bomb.log.gz"
    path.write_bytes(gzip_of([text(HEADER), text(*[V2_SSH] * 4000), b""], repeat=600))
    cancel = threading.Event()
    events: list[object] = []

    def on_event(event: object) -> None:
        events.append(event)
        if isinstance(event, BatchLoaded):
            cancel.set()

    store = RecordStore()
    started = time.process_time()
    Loader(store).run([ObjectRef(str(path), path.stat().st_size)], on_event, cancel)
    assert time.process_time() - started < 1.5  # CPU of every thread: ~0.05 s (2.2 s before)
    assert isinstance(events[-1], LoadFinished) and events[-1].cancelled
    assert len(store) < 2_400_000 // 10


# --- item 4: a header too wide to be a flow log is refused in one line ------------------------


def test_a_ten_thousand_column_header_is_refused_in_one_line() -> None:
    names = " ".join(f"field{n}" for n in range(10_000))
    batches, parser = parse_bytes(gzip.compress(text(f"version {names}", "2 1 2")))
    assert records(batches) == 0
    assert parser.error == ("not a flow-log object: the header has 10001 fields "
                            "(a flow log has at most 256)")
    assert parser.fields is None


def test_a_header_of_every_known_field_is_still_read() -> None:
    from flowtui.fields import FIELDS

    batches, parser = parse_bytes(text(" ".join(FIELDS)))
    assert parser.error is None and parser.fields == list(FIELDS)


# --- item 5: a second header inside one object starts a new column set -----------------------

SWAPPED = ("version account-id interface-id srcaddr dstaddr dstport srcport protocol packets "
           "bytes start end action log-status")


def test_concatenated_gzip_members_with_their_own_headers_keep_each_ones_columns() -> None:
    first = gzip.compress(text(HEADER, V2_SSH))
    # The second object lists dstport before srcport: same count, same types.
    second = gzip.compress(text(SWAPPED, V2_SSH))
    batches, parser = parse_bytes(first + second, chunk_size=7)
    rows = [row for batch in batches for row in batch.to_pylist()]
    assert [(r["srcport"], r["dstport"]) for r in rows] == [(20641, 22), (22, 20641)]
    assert parser.bad_count == 0 and parser.error is None


def test_a_second_header_with_other_fields_reads_the_records_after_it() -> None:
    # `cat a b | flowtui cat -`: a v5 object after a v2 one.
    data = text(HEADER, V2_SSH, "version srcaddr dstaddr tcp-flags flow-direction",
                "5 10.0.0.1 10.0.0.2 3 egress", "5 10.0.0.3 10.0.0.4 19 ingress")
    batches, parser = parse_bytes(data)
    rows = [row for batch in batches for row in batch.to_pylist()]
    assert len(rows) == 3 and parser.bad_count == 0
    assert rows[0]["dstport"] == 22
    assert rows[2] == {"version": 5, "srcaddr": "10.0.0.3", "dstaddr": "10.0.0.4",
                       "tcp-flags": 19, "flow-direction": "ingress"}


def test_a_second_header_in_an_all_text_format_is_not_taken_as_a_record() -> None:
    # No integer column to fail on: the fast path alone would swap the columns silently.
    data = text("srcaddr dstaddr", "10.0.0.1 10.0.0.2", "dstaddr srcaddr", "10.0.0.3 10.0.0.4")
    batches, parser = parse_bytes(data)
    rows = [row for batch in batches for row in batch.to_pylist()]
    assert rows == [{"srcaddr": "10.0.0.1", "dstaddr": "10.0.0.2"},
                    {"dstaddr": "10.0.0.3", "srcaddr": "10.0.0.4"}]
    assert parser.bad_count == 0


def test_bad_lines_after_a_second_header_keep_their_line_numbers() -> None:
    data = text(HEADER, V2_SSH, "2 bad", SWAPPED, V2_SSH, "2 worse", V2_SSH)
    batches, parser = parse_bytes(data)
    assert records(batches) == 3
    assert [(b.line_number, b.text) for b in parser.bad_lines] == [(3, "2 bad"), (6, "2 worse")]


# --- item 7: snake_case names are the catalogue's fields ------------------------------------


def test_snake_case_fields_given_are_typed_as_the_catalogue_says() -> None:
    batches, parser = parse_bytes(text("5 3 8 egress"),
                                  ["version", "tcp_flags", "traffic_path", "flow_direction"])
    assert parser.fields == ["version", "tcp-flags", "traffic-path", "flow-direction"]
    assert batches[0].to_pylist() == [{"version": 5, "tcp-flags": 3, "traffic-path": 8,
                                       "flow-direction": "egress"}]


def test_snake_case_header_names_are_the_catalogue_s_fields() -> None:
    batches, parser = parse_bytes(text("version tcp_flags Log_Status custom_thing",
                                       "5 3 OK x"))
    assert parser.fields == ["version", "tcp-flags", "log-status", "custom_thing"]
    assert batches[0].to_pylist()[0]["tcp-flags"] == 3


# --- item 8: one sniffing rule, whatever the source and its chunking --------------------------


def _with_a_nul_line() -> bytes:
    lines = [V2_SSH] * 100
    lines[3] = V2_SSH.replace("ACCEPT", "ACC\x00EPT")
    return text(HEADER, *lines)


def test_a_nul_byte_in_the_first_4_kib_is_one_bad_line_from_s3_and_from_a_file(
        s3_server, raw_s3, s3_client, tmp_path) -> None:
    from flowtui.loader import Loader, ObjectDone, ObjectRef
    from flowtui.store import RecordStore

    body = _with_a_nul_line()
    raw_s3.put_object(Bucket=s3_server.main_bucket, Key="hostile/nul.log", Body=body)
    local = tmp_path / "nul.log"
    local.write_bytes(body)
    for ref in (ObjectRef(f"s3://{s3_server.main_bucket}/hostile/nul.log"),
                ObjectRef(str(local), len(body))):
        events: list[object] = []
        store = RecordStore()
        Loader(store, client=s3_client).run([ref], events.append, threading.Event())
        (done,) = [e for e in events if isinstance(e, ObjectDone)]
        assert (len(store), done.error, done.bad_count) == (99, None, 1), ref
        assert done.bad_lines[0].line_number == 5


def test_the_sniffing_verdict_does_not_depend_on_the_chunking() -> None:
    body = _with_a_nul_line()
    for chunk in (1, 4, 100, 4096, 1 << 20):
        batches, parser = parse_bytes(body, chunk_size=chunk)
        assert (records(batches), parser.bad_count, parser.error) == (99, 1, None), chunk


def test_other_compressions_are_named_in_the_one_line() -> None:
    import bz2
    import lzma

    for data, word in ((bz2.compress(text(HEADER, V2_SSH)), "bzip2"),
                       (lzma.compress(text(HEADER, V2_SSH)), "xz"),
                       (b"\x28\xb5\x2f\xfd" + bytes(range(200)), "zstd")):
        batches, parser = parse_bytes(data)
        assert records(batches) == 0
        assert parser.error is not None and word in parser.error
        assert parser.error.startswith("not a flow-log object")


# --- item 6: one bad Parquet cell loses its row, not the file ---------------------------------


def test_a_parquet_integer_column_holding_none_as_text_keeps_the_good_rows(tmp_path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from flowtui.parquet import iter_parquet_batches

    # As pandas writes an object column of ports where one value is None-as-text.
    table = pa.table({"version": pa.array([2, 2, 2, 2], pa.int64()),
                      "srcport": pa.array(["22", "None", "443", "-"]),
                      "dstport": pa.array(["1", "2", "3", "4"]),
                      "tags": pa.array([[1], [2], [3], [4]])})
    path = tmp_path / "pandas.parquet"
    pq.write_table(table, path)
    parser = FlowLogParser()
    rows = [row for batch in iter_parquet_batches(str(path), report=parser)
            for row in batch.to_pylist()]
    assert rows == [{"version": 2, "srcport": 22, "dstport": 1},
                    {"version": 2, "srcport": 443, "dstport": 3},
                    {"version": 2, "srcport": None, "dstport": 4}]
    assert parser.bad_count == 1
    (bad,) = parser.bad_lines
    assert bad.line_number == 2 and bad.reason.startswith("srcport: 'None' is not")
    assert parser.error is not None and "'tags'" in parser.error


def test_a_parquet_port_with_a_plus_sign_loses_its_row_not_the_file(tmp_path) -> None:
    """``+22`` looks like digits but Arrow's cast refuses the sign: it is one bad cell (as the
    text parser has it), not "Failed to parse string" for the whole object."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from flowtui.parquet import iter_parquet_batches

    table = pa.table({"version": pa.array([2, 2, 2], pa.int64()),
                      "dstport": pa.array(["22", "+22", "80"])})
    path = tmp_path / "plus.parquet"
    pq.write_table(table, path)
    parser = FlowLogParser()
    rows = [row for batch in iter_parquet_batches(str(path), report=parser)
            for row in batch.to_pylist()]
    assert rows == [{"version": 2, "dstport": 22}, {"version": 2, "dstport": 80}]
    (bad,) = parser.bad_lines
    assert bad.line_number == 2 and bad.reason.startswith("dstport: '+22' is not")


def test_a_bad_crc_keeps_every_record_of_the_member() -> None:
    whole = bytearray(gzip.compress(text(HEADER, *[V2_SSH] * 100)))
    whole[-8] ^= 0xFF  # the CRC: only the call that reaches the trailer fails
    for chunk in (7, 1 << 20):
        batches, parser = parse_bytes(bytes(whole), chunk_size=chunk)
        assert records(batches) == 100, chunk
        assert parser.error is not None and "corrupt" in parser.error


def test_a_text_file_saved_with_a_byte_order_mark_is_read() -> None:
    """A flow log saved by a Windows editor (Notepad, PowerShell's UTF-8) starts with the
    UTF-8 byte-order mark EF BB BF: it was "not a flow-log object: the first line is neither
    a header of field names nor a record". The mark is no part of the header."""
    for data in (b"\xef\xbb\xbf" + text(HEADER, V2_SSH), b"\xef\xbb\xbf" + text(V2_SSH)):
        batches, parser = parse_bytes(data, chunk_size=2)
        assert parser.error is None and parser.bad_count == 0, parser.error
        assert [b.to_pylist() for b in batches][0][0]["version"] == 2
        assert parser.fields == list(DEFAULT_FIELDS)


def test_lines_of_a_custom_format_without_their_header_say_so() -> None:
    """``zcat custom.log.gz | grep REJECT | flowtui top -``: grep drops the header, the lines
    are read with the default 14 fields, and every one was bad ("version: '10.0.1.5' is not
    an integer"), ending in "no records loaded": nothing said that the columns were guessed.
    A headerless object none of whose lines fits the default format now says so, with the
    way out (--fields); one whose lines fit is read as before."""
    custom = V2_SSH.split()
    reordered = " ".join(custom[3:] + custom[:3])  # srcaddr … log-status version account eni
    batches, parser = parse_bytes(text(reordered, reordered))
    assert records(batches) == 0 and parser.bad_count == 2
    assert parser.error is not None and "no header line" in parser.error
    assert "--fields" in parser.error
    batches, parser = parse_bytes(text(V2_SSH, reordered))  # one fits: not the columns' fault
    assert records(batches) == 1 and parser.error is None
