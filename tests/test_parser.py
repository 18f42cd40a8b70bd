"""The incremental parser: what a user sees in the table depends on every rule here."""

from __future__ import annotations

import gzip
import io
import random
import tracemalloc

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowtui import parser as parser_mod
from flowtui.fields import DEFAULT_FIELDS
from flowtui.parquet import iter_parquet_batches, looks_like_parquet
from flowtui.parser import MAX_LINE_BYTES, FlowLogParser, parse_bytes
from flowtui.store import RecordStore

HEADER = " ".join(DEFAULT_FIELDS)
V2_SSH = ("2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 "
          "1418530010 1418530070 ACCEPT OK")
NODATA = "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA"
SKIPDATA = "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA"
V5_FIELDS = ("version srcaddr dstaddr srcport dstport protocol start end type packets bytes "
             "account-id vpc-id subnet-id instance-id interface-id region az-id sublocation-type "
             "sublocation-id action tcp-flags pkt-srcaddr pkt-dstaddr pkt-src-aws-service "
             "pkt-dst-aws-service traffic-path flow-direction log-status")
V5_S3 = ("5 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 IPv4 7 471 123456789012 "
         "vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b "
         "eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 3 10.0.0.71 52.95.128.179 "
         "- S3 8 egress OK")


def text(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def parse(data: bytes, fields=None, chunk: int = 1 << 20):
    batches, parser = parse_bytes(data, fields, chunk)
    store = RecordStore()
    for batch in batches:
        store.append(batch)
    return store, parser


def rows(data: bytes, fields=None, chunk: int = 1 << 20) -> list[dict]:
    store, _ = parse(data, fields, chunk)
    return store.rows(0, len(store))


def test_aws_v2_example_parses_to_documented_values() -> None:
    (record,) = rows(gzip.compress(text(HEADER, V2_SSH)))
    assert record == {
        "version": 2, "account-id": "123456789010", "interface-id": "eni-1235b8ca123456789",
        "srcaddr": "172.31.16.139", "dstaddr": "172.31.16.21", "srcport": 20641,
        "dstport": 22, "protocol": 6, "packets": 20, "bytes": 4249, "start": 1418530010,
        "end": 1418530070, "action": "ACCEPT", "log-status": "OK",
    }


def test_aws_v5_custom_format_in_its_own_order() -> None:
    (record,) = rows(text(V5_FIELDS, V5_S3))
    assert list(record) == V5_FIELDS.split()
    assert record["pkt-dst-aws-service"] == "S3"
    assert record["pkt-src-aws-service"] is None
    assert record["traffic-path"] == 8
    assert record["tcp-flags"] == 3
    assert record["sublocation-type"] is None and record["sublocation-id"] is None
    assert record["flow-direction"] == "egress"
    assert record["account-id"] == "123456789012"


def test_dash_is_null_never_zero_in_nodata_and_skipdata_rows() -> None:
    nodata, skipdata = rows(text(HEADER, NODATA, SKIPDATA))
    for record in (nodata, skipdata):
        for field in ("srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets",
                      "bytes", "action"):
            assert record[field] is None, field
        assert record["start"] == 1431280876
    assert [nodata["log-status"], skipdata["log-status"]] == ["NODATA", "SKIPDATA"]


def test_zero_stays_zero() -> None:
    icmp = "2 123456789010 eni-1 10.0.0.1 10.0.0.2 0 0 1 4 336 1418530010 1418530070 ACCEPT OK"
    (record,) = rows(text(HEADER, icmp))
    assert (record["srcport"], record["dstport"], record["protocol"]) == (0, 0, 1)


def test_account_id_keeps_leading_zeros_and_unknown() -> None:
    lines = [V2_SSH.replace("123456789010", "012345678901"), NODATA.replace("123456789010",
                                                                            "unknown")]
    assert [r["account-id"] for r in rows(text(HEADER, *lines))] == ["012345678901", "unknown"]


def test_shuffled_custom_format_maps_every_column() -> None:
    names = list(DEFAULT_FIELDS)
    values = V2_SSH.split()
    order = list(range(len(names)))
    random.Random(7).shuffle(order)
    header = " ".join(names[i] for i in order)
    line = " ".join(values[i] for i in order)
    (shuffled,) = rows(text(header, line))
    (plain,) = rows(text(HEADER, V2_SSH))
    assert shuffled == plain
    assert list(shuffled) == [names[i] for i in order]


def test_v11_header_with_unknown_field_kept_as_text() -> None:
    header = "version srcaddr interface-type next-hop-az-id some-future-field"
    (record,) = rows(text(header, "11 10.0.0.5 nat_gateway use1-az4 weird%20value"))
    assert record == {"version": 11, "srcaddr": "10.0.0.5", "interface-type": "nat_gateway",
                      "next-hop-az-id": "use1-az4", "some-future-field": "weird%20value"}


def test_tgw_header() -> None:
    from flowtui.fields import TGW_DEFAULT_FIELDS

    values = ["6", "TransitGateway", "123456789012", "tgw-0123", "tgw-attach-1", "111111111111",
              "222222222222", "vpc-1", "vpc-2", "subnet-1", "subnet-2", "eni-1", "eni-2",
              "use1-az1", "use1-az2", "tgw-attach-2", "10.0.1.5", "10.0.2.9", "49152", "443",
              "6", "12", "3400", "1700000000", "1700000059", "OK", "IPv4", "0", "0", "0", "0",
              "18", "us-east-1", "egress", "-", "-"]
    (record,) = rows(text(" ".join(TGW_DEFAULT_FIELDS), " ".join(values)))
    assert record["resource-type"] == "TransitGateway"
    assert record["packets-lost-no-route"] == 0
    assert record["tcp-flags"] == 18
    assert record["pkt-src-aws-service"] is None


def test_headerless_input_uses_default_format() -> None:
    (record,) = rows(text(V2_SSH))
    assert record["dstport"] == 22 and record["log-status"] == "OK"


def test_headerless_input_with_given_fields_as_log_format() -> None:
    from flowtui.fields import parse_field_list

    fields = parse_field_list("${srcaddr} ${dstaddr} ${action}")
    assert rows(text("10.0.0.1 10.0.0.2 REJECT"), fields) == [
        {"srcaddr": "10.0.0.1", "dstaddr": "10.0.0.2", "action": "REJECT"}]


def test_double_spaces_and_crlf_and_tabs_are_separators() -> None:
    lines = [V2_SSH.replace(" 20641 ", "  20641 "), V2_SSH.replace(" ", "\t", 3), " " + V2_SSH]
    data = ("\r\n".join([HEADER, *lines]) + "\r\n").encode()
    store, parser = parse(data)
    assert parser.bad_count == 0
    assert store.rows(0, 3) == rows(text(HEADER, V2_SSH, V2_SSH, V2_SSH))


FOUR = ["interface-id", "srcaddr", "dstaddr", "action"]


@pytest.mark.parametrize(("fields", "good", "short"), [
    (DEFAULT_FIELDS, V2_SSH, V2_SSH.replace(" eni-1235b8ca123456789 ", "  ")),  # interface-id
    (DEFAULT_FIELDS, V2_SSH, V2_SSH.rsplit(" ", 1)[0] + " "),  # log-status, its space kept
    (FOUR, "eni-1 10.0.0.1 10.0.0.2 ACCEPT", "eni-1  10.0.0.2 ACCEPT"),  # no integer column
])
def test_a_line_a_text_field_short_is_a_bad_line_not_an_empty_value(
        fields: list[str], good: str, short: str) -> None:
    """AWS: "Each record is a string with fields separated by spaces", and a field that
    does not apply or could not be computed is written "-" (flow-log-records.html), never
    left out. A run of spaces is one separator (the test above), so ``2 123  10.0.0.1 …``
    is a line one field short. Read on single spaces it also has every field, with an
    empty text value where one was left out: a file whose other lines typed at once gave
    that record with interface-id "" (`top --by interface-id` counted it under an empty
    name), or skipped it when a neighbour sent its block the slow way. It is reported,
    wherever it falls."""
    store, parser = parse(text(" ".join(fields), good, short, good), fields)
    assert len(store) == 2
    assert [(b.line_number, b.reason) for b in parser.bad_lines] == [
        (3, f"expected {len(fields)} fields, found {len(fields) - 1}")]


def test_bad_lines_are_counted_and_neighbours_kept() -> None:
    good = [V2_SSH.replace("20641", str(30000 + i)) for i in range(6)]
    lines = [HEADER, good[0], "2 too few fields", good[1], V2_SSH.replace("20641", "abc"),
             good[2], V2_SSH.replace(" 6 ", " 300 "), good[3], V2_SSH + " extra", good[4],
             NODATA, good[5]]
    store, parser = parse(gzip.compress(text(*lines)))
    assert [r["srcport"] for r in store.rows(0, len(store)) if r["srcport"]] == \
        [30000 + i for i in range(6)]
    assert len(store) == 7
    assert parser.bad_count == 4
    assert [(b.line_number, b.reason) for b in parser.bad_lines] == [
        (3, "expected 14 fields, found 4"),
        (5, "srcport: 'abc' is not an integer"),
        (7, "protocol: 300 is out of range 0..255"),
        (9, "expected 14 fields, found 15"),
    ]
    assert parser.bad_lines[0].text == "2 too few fields"
    assert parser.error is None


def test_a_lone_cr_does_not_shift_the_line_numbers_of_later_blocks() -> None:
    """Bad lines are numbered by the file's lines, not by the CSV reader's rows: a lone CR
    ends a row inside a line (one line, two records here), so a block's rows are not its
    lines (a shortcut that takes them for its lines, to save the count, shifts every later
    number by one)."""
    filler = [V2_SSH] * 1500  # past the first blocks (64 KB, then 128 KB)
    lines = [HEADER, V2_SSH + "\r" + V2_SSH, *filler, "2 too few fields", V2_SSH]
    store, parser = parse(text(*lines), chunk=16 << 10)  # blocks of about 64 KB, 128 KB
    assert [(b.line_number, b.reason) for b in parser.bad_lines] == [
        (len(lines) - 1, "expected 14 fields, found 4")]
    assert len(store) == 2 + len(filler) + 1


@pytest.mark.parametrize("fields", [["srcaddr"], ["srcaddr", "dstaddr", "action"]])
def test_empty_lines_of_an_all_text_format_are_not_records(fields: list[str]) -> None:
    """An empty line is skipped. With no integer column nothing would reject it if the CSV
    reader were told to keep empty lines (it pads one to a row of empty strings): it
    would become a record of empty values."""
    record = " ".join(["10.0.0.1", "10.0.0.2", "ACCEPT"][: len(fields)])
    store, parser = parse(text(record, "", record, "", "", record), fields)
    assert len(store) == 3
    assert store.rows(0, 1)[0]["srcaddr"] == "10.0.0.1"
    assert parser.bad_count == 0


def test_a_negative_count_or_time_is_a_bad_line() -> None:
    """AWS documents packets and bytes as counts and start/end as Unix seconds: "-20"
    packets is not a record. Arrow's reader takes it as -20 (the narrow uint32 read fails and
    the wide int64 read accepts it); the block goes the slow way and the line is reported,
    its neighbours kept."""
    good = [V2_SSH.replace("20641", str(30000 + i)) for i in range(3)]
    lines = [HEADER, good[0], V2_SSH.replace(" 20 4249 ", " -20 4249 "), good[1],
             V2_SSH.replace("1418530010", "-1418530010"), good[2]]
    store, parser = parse(gzip.compress(text(*lines)))
    assert [r["srcport"] for r in store.rows(0, len(store))] == [30000, 30001, 30002]
    assert [(b.line_number, b.reason) for b in parser.bad_lines] == [
        (3, "packets: -20 is negative: packets is a count, never below 0"),
        (5, "start: -1418530010 is negative: start is a time in Unix seconds, never below 0"),
    ]


def test_invalid_utf8_in_a_string_field_is_a_bad_line_shown_literally() -> None:
    broken = V2_SSH.encode().replace(b"ACCEPT", b"ACC\xffPT")
    data = text(HEADER, V2_SSH).replace(b"\n", b"\n" + broken + b"\n", 1)
    store, parser = parse(data)
    assert len(store) == 1
    assert parser.bad_count == 1
    assert parser.bad_lines[0].line_number == 2
    assert "invalid UTF-8" in parser.bad_lines[0].reason
    assert "ACC\\xffPT" in parser.bad_lines[0].text


def test_truncated_gzip_keeps_records_before_the_cut() -> None:
    lines = [V2_SSH.replace("20641", str(10000 + i)) for i in range(20000)]
    data = gzip.compress(text(HEADER, *lines))
    store, parser = parse(data[: len(data) // 2])
    assert parser.error is not None and "truncated" in parser.error
    ports = [r["srcport"] for r in store.rows(0, len(store))]
    assert 1000 < len(ports) < 20000
    assert ports == list(range(10000, 10000 + len(ports)))  # nothing shifted or repeated


def test_concatenated_gzip_members_are_one_object() -> None:
    data = gzip.compress(text(HEADER, V2_SSH)) + gzip.compress(text(V2_SSH))
    store, parser = parse(data, chunk=1)
    assert len(store) == 2 and parser.error is None


def test_non_gzip_garbage_is_refused_with_a_message() -> None:
    garbage = bytes(random.Random(1).randrange(256) for _ in range(5000))
    store, parser = parse(b"\x00\x01" + garbage)
    assert len(store) == 0
    assert parser.error and "not a flow-log object" in parser.error


def test_text_that_is_not_a_flow_log_is_refused() -> None:
    store, parser = parse(b"<html><body>Access Denied</body></html>\n")
    assert len(store) == 0 and parser.error and "not a flow-log object" in parser.error


def test_parquet_bytes_fed_to_the_text_parser_say_so() -> None:
    _, parser = parse(b"PAR1" + b"\x00" * 100)
    assert parser.error and "Parquet" in parser.error


@pytest.mark.parametrize("data", [b"", gzip.compress(b""), text(HEADER),
                                  gzip.compress(text(HEADER))],
                         ids=["empty", "empty-gzip", "header-only", "header-only-gzip"])
def test_empty_and_header_only_objects_have_no_records_and_no_error(data: bytes) -> None:
    store, parser = parse(data)
    assert len(store) == 0 and parser.error is None and parser.bad_count == 0


def test_header_only_object_still_reports_its_fields() -> None:
    _, parser = parse(gzip.compress(text(V5_FIELDS)))
    assert parser.fields == V5_FIELDS.split()


def test_ten_megabyte_line_is_reported_with_bounded_memory() -> None:
    parser = FlowLogParser()
    tracemalloc.start()
    batches = parser.feed(text(HEADER, V2_SSH))
    chunk = b"x" * (1 << 20)
    for _ in range(10):
        batches += parser.feed(chunk)
    batches += parser.feed(b"\n" + text(V2_SSH))
    batches += parser.finish()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert sum(b.num_rows for b in batches) == 2
    assert parser.bad_count == 1
    assert parser.bad_lines[0].line_number == 3
    assert "longer than" in parser.bad_lines[0].reason
    assert peak < 6 * MAX_LINE_BYTES


def test_an_unterminated_last_line_is_a_record() -> None:
    assert len(rows(text(HEADER, V2_SSH) + V2_SSH.encode())) == 2


def test_batches_arrive_before_the_end_of_a_large_object() -> None:
    lines = [V2_SSH] * 50000
    data = gzip.compress(text(HEADER, *lines))
    parser = FlowLogParser(pipelined=False)
    first_rows_at = None
    seen = 0
    for offset in range(0, len(data), 4096):
        seen += sum(b.num_rows for b in parser.feed(data[offset : offset + 4096]))
        if seen and first_rows_at is None:
            first_rows_at = offset
    seen += sum(b.num_rows for b in parser.finish())
    assert seen == 50000
    assert first_rows_at is not None and first_rows_at < len(data) // 4


SAMPLE_LINES = [V2_SSH, NODATA, SKIPDATA, "2 bad", V2_SSH.replace(" 22 ", "  22 "),
                V2_SSH.replace("20641", "x"), V2_SSH.replace("ACCEPT", "REJECT"), ""]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(picks=st.lists(st.integers(0, len(SAMPLE_LINES) - 1), min_size=0, max_size=60),
       cuts=st.lists(st.integers(1, 400), min_size=1, max_size=40),
       compress=st.booleans(), crlf=st.booleans(), wait=st.booleans())
def test_result_is_identical_whatever_the_chunk_boundaries(picks, cuts, compress, crlf,
                                                           wait) -> None:
    body = text(HEADER, *[SAMPLE_LINES[i] for i in picks])
    if crlf:
        body = body.replace(b"\n", b"\r\n")
    data = gzip.compress(body) if compress else body
    whole_store, whole = parse(data)
    parser = FlowLogParser()
    store = RecordStore()
    position, step = 0, 0
    while position < len(data):
        size = cuts[step % len(cuts)]
        for batch in parser.feed(data[position : position + size], wait=wait):
            store.append(batch)
        position += size
        step += 1
    for batch in parser.finish():
        store.append(batch)
    assert store.rows(0, len(store)) == whole_store.rows(0, len(whole_store))
    assert parser.bad_lines == whole.bad_lines
    assert (parser.bad_count, parser.error) == (whole.bad_count, whole.error)


def test_parquet_object_gives_the_same_store_as_text() -> None:
    lines = [V2_SSH, NODATA, V2_SSH.replace("ACCEPT", "REJECT").replace("20641", "443")]
    text_store, _ = parse(gzip.compress(text(HEADER, *lines)))
    records = text_store.rows(0, len(text_store))
    snake = {name: name.replace("-", "_") for name in DEFAULT_FIELDS}
    parquet_types = {"version": pa.int32(), "srcport": pa.int32(), "dstport": pa.int32(),
                     "protocol": pa.int32(), "packets": pa.int64(), "bytes": pa.int64(),
                     "start": pa.int64(), "end": pa.int64()}
    table = pa.table({snake[name]: pa.array([r[name] for r in records],
                                            type=parquet_types.get(name, pa.string()))
                      for name in DEFAULT_FIELDS})
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="gzip")
    assert looks_like_parquet(buffer.getvalue()[:4])
    assert looks_like_parquet("x/1_vpcflowlogs_r_fl-1_20240305T1415Z_3c9a1f2e.log.parquet")
    buffer.seek(0)
    parquet_store = RecordStore()
    for batch in iter_parquet_batches(buffer):
        parquet_store.append(batch)
    assert parquet_store.rows(0, len(parquet_store)) == records


def _columns_parse(data: bytes, columns, chunk: int) -> tuple[list[pa.RecordBatch], FlowLogParser]:
    parser = FlowLogParser(columns=columns)
    batches: list[pa.RecordBatch] = []
    for start in range(0, len(data), chunk):
        batches.extend(parser.feed(data[start : start + chunk]))
    batches.extend(parser.finish())
    return batches, parser


@pytest.mark.parametrize("chunk", [7, 4096, 1 << 20])
def test_columns_reads_only_those_with_the_same_values(chunk: int) -> None:
    """``hist`` asks for start, packets, bytes and action: it gets exactly those columns,
    in the object's order, with the values a full parse gives, whatever the chunking.

    (Every feed ends a block, so 7-byte chunks make a block of each: 300 records are 264
    feeds, each line cut across several, in 0.3 s; 3,000 were 2,362 feeds, 3.3 s.)"""
    records = 300 if chunk == 7 else 3000
    lines = [HEADER] + [V2_SSH.replace("20641", str(1000 + i)).replace(" 20 ", f" {i} ")
                        for i in range(records)] + [NODATA, SKIPDATA]
    data = gzip.compress(text(*lines))
    wanted = ["action", "start", "bytes", "packets", "not-in-this-object"]
    batches, parser = _columns_parse(data, wanted, chunk)
    assert {tuple(b.schema.names) for b in batches} == {("packets", "bytes", "start", "action")}
    full, _ = parse_bytes(data)
    got = [row for b in batches for row in b.to_pylist()]
    assert got == [row for b in full
                   for row in b.select(["packets", "bytes", "start", "action"]).to_pylist()]
    assert parser.records == records + 2 and parser.bad_count == 0


def test_columns_bad_lines_are_those_of_every_column() -> None:
    """A line is bad whatever columns are read, as reading them all finds it (``cat`` and
    ``top --by srcaddr`` skip the same lines): a wrong field count, a value that does not
    fit its type in a column not read (srcport here), an empty value (two spaces) in one;
    line numbers and neighbours stay right. Before, a column not read was never checked."""
    lines = [HEADER, V2_SSH, "2 too few fields", V2_SSH.replace("20641", "abc"),
             V2_SSH.replace(" 4249 ", " lots "), V2_SSH.replace(" ACCEPT ", "  "), V2_SSH]
    batches, parser = _columns_parse(gzip.compress(text(*lines)), ["bytes"], 1 << 20)
    assert [v for b in batches for v in b.column("bytes").to_pylist()] == [4249, 4249]
    assert [(b.line_number, b.reason) for b in parser.bad_lines] == [
        (3, "expected 14 fields, found 4"), (4, "srcport: 'abc' is not an integer"),
        (5, "bytes: 'lots' is not an integer"), (6, "expected 14 fields, found 13")]
    whole, everything = _columns_parse(gzip.compress(text(*lines)), None, 1 << 20)
    assert [(b.line_number, b.reason) for b in everything.bad_lines] == [
        (b.line_number, b.reason) for b in parser.bad_lines]
    assert everything.records == parser.records == 2


def test_columns_none_of_which_the_object_has_still_count_records() -> None:
    batches, parser = _columns_parse(gzip.compress(text(HEADER, V2_SSH, NODATA)),
                                     ["tcp-flags"], 1 << 20)
    assert sum(b.num_rows for b in batches) == 2 and parser.records == 2


@pytest.mark.parametrize("where", ["action = REJECT", "dstport = 22 and bytes > 100",
                                   "srcaddr = 172.31.16.139"])
@pytest.mark.parametrize("chunk", [97, 1 << 20])
def test_prefilter_keeps_what_the_filter_keeps_after_a_full_parse(where: str, chunk: int
                                                                  ) -> None:
    """``cat --where`` types only the lines its filter keeps: the records are those a full
    parse and the filter give, through CRLF, blank lines, a counter over 2^32, a second
    object (another header, other columns) and a bad line."""
    from flowtui.cli.filtering import Prefilter
    from flowtui.query.query import Query

    query = Query.build(where)
    reject = V2_SSH.replace("ACCEPT", "REJECT")
    first = [HEADER] + [reject if i % 7 == 0 else V2_SSH.replace(" 22 ", f" {i % 50} ")
                        for i in range(4000)]
    first[100] = first[100].replace(" 4249 ", " 9999999999 ")  # wider than uint32
    first[200] = ""
    first[300] += "\r"
    first[400] = "2 too few fields"
    second = [V5_FIELDS, V5_S3, V5_S3.replace("ACCEPT", "REJECT")]
    data = gzip.compress(text(*first)) + gzip.compress(text(*second))
    predicate = query.predicate()
    batches, parser = _columns_parse(data, None, chunk)
    want = [row for b in batches for row in predicate.filter(b).to_pylist()]
    got_parser = FlowLogParser(prefilter=Prefilter.of(query))
    got: list[dict] = []
    for start in range(0, len(data), chunk):
        got += [row for b in got_parser.feed(data[start : start + chunk])
                for row in predicate.filter(b).to_pylist()]
    got += [row for b in got_parser.finish() for row in predicate.filter(b).to_pylist()]
    assert len(want) > 5 and got == want
    assert [b.line_number for b in got_parser.bad_lines] == \
        [b.line_number for b in parser.bad_lines] == [401]


@pytest.mark.parametrize("where", [
    "reject and dst port 22", "port 22 or port 3389", "src net 172.31.0.0/16 and bytes > 1k",
    "not tcp", "ip", "host 172.31.16.139", "interface-id = eni-1235b8ca*", "srcaddr ~ '^172'",
    "action = ACCEPT and not dstport in (22, 80)", "start > 1418530000 or end < 100",
    "log-status = NODATA", "packets >= 20 and protocol = 6"])
def test_a_filter_reads_only_the_columns_it_names(where: str) -> None:
    """cat --where and top/hist type only the filter's fields (``fields_used``) before it
    decides: its answer on just those columns is its answer on every column. A filter form
    that read a column it does not name would drop records silently; this fails first."""
    from flowtui.cli.filtering import Prefilter
    from flowtui.query.query import Query

    query = Query.build(where)
    lines = [HEADER, V2_SSH, NODATA, SKIPDATA, V2_SSH.replace("ACCEPT", "REJECT"),
             V2_SSH.replace(" 6 ", " 17 ").replace("172.31.16.139", "10.1.2.3")]
    batches, _ = parse_bytes(text(*lines))
    prefilter = Prefilter.of(query)
    assert prefilter is not None
    for batch in batches:
        names = [n for n in batch.schema.names if n in prefilter.columns]
        assert query.predicate().mask(batch).to_pylist() == \
            prefilter.mask(batch.select(names)).to_pylist()


@pytest.mark.parametrize("wait", [True, False])
def test_a_header_met_mid_object_types_every_later_block_with_its_columns(
        wait: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks are typed two at a time, so the blocks after one holding a second header
    (concatenated gzip members of two formats) were handed on with the first format's
    columns before that header was seen: they must come out as a parse one block at a time
    gives them — the second format's columns and values, nothing dropped or shifted.

    Blocks and inflate steps a 256th of their size (8 KiB, not 2 MiB and 1 MiB), so a few
    hundred lines cross as many block boundaries as 80,000 did (~20 blocks after the
    header); the input is fed in 4 KiB chunks, not 1 MiB."""
    monkeypatch.setattr(parser_mod, "FIRST_BLOCK_BYTES", 1 << 10)
    monkeypatch.setattr(parser_mod, "MAX_BLOCK_BYTES", 8 << 10)
    monkeypatch.setattr(parser_mod, "INFLATE_STEP", 4 << 10)
    monkeypatch.setattr(parser_mod, "INFLATE_INPUT", 1 << 10)
    first = [HEADER] + [V2_SSH.replace("20641", str(1000 + i % 60000)) for i in range(400)]
    second = [V5_FIELDS] + [V5_S3.replace("34210", str(1000 + i % 60000))
                            for i in range(1200)]
    data = gzip.compress(text(*first)) + gzip.compress(text(*second))
    chunk = 4 << 10

    def parsed(pipelined: bool) -> tuple[list[tuple[tuple[str, ...], list]], int]:
        parser = FlowLogParser(pipelined=pipelined)
        batches = []
        for start in range(0, len(data), chunk):
            batches += parser.feed(data[start : start + chunk], wait=wait)
        batches += parser.finish()
        assert parser.bad_count == 0 and parser.error is None
        return [(tuple(b.schema.names), b.to_pylist()) for b in batches], parser.records

    got, records = parsed(pipelined=True)
    assert records == 1600
    assert len(got) >= 20  # (as many blocks as before: the boundaries are what is tested)
    assert [row for _, rows_ in got for row in rows_] == \
        [row for _, rows_ in parsed(pipelined=False)[0] for row in rows_]
    assert {names for names, rows_ in got if rows_[0]["version"] == 5} == \
        {tuple(V5_FIELDS.split())}
