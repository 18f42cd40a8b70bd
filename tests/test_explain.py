"""explain() on AWS's documented examples, NODATA/SKIPDATA, TGW records and odd input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from flowtui.explain import Explanation, explain
from flowtui.fields import DEFAULT_FIELDS, FIELDS, TGW_DEFAULT_FIELDS, is_integer

V5_FORMAT = (
    "version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id "
    "vpc-id subnet-id instance-id interface-id region az-id sublocation-type sublocation-id "
    "action tcp-flags pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service "
    "traffic-path flow-direction log-status"
)


def record(fields: str | tuple[str, ...], line: str) -> dict[str, object]:
    """A record as the store returns it: ints for integer fields, None for '-'."""
    names = fields.split() if isinstance(fields, str) else list(fields)
    values = line.split()
    assert len(names) == len(values)
    return {
        name: None if value == "-" else int(value) if is_integer(name) else value
        for name, value in zip(names, values, strict=True)
    }


def decoded(result: Explanation) -> dict[str, str]:
    return {row.field: row.decoded for row in result.rows}


def facts(result: Explanation) -> dict[str, str]:
    return dict(result.facts)


# --------------------------------------------------------------------------- §5.6 examples

V2_LINE = (
    "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 "
    "1418530010 1418530070 ACCEPT OK"
)


def test_v2_accepted_ssh() -> None:
    result = explain(record(DEFAULT_FIELDS, V2_LINE))
    assert [row.field for row in result.rows] == list(DEFAULT_FIELDS)
    assert [row.raw for row in result.rows] == V2_LINE.split()
    values = decoded(result)
    assert values["protocol"].startswith("TCP")
    assert values["dstport"].startswith("SSH")
    assert values["srcaddr"] == "IPv4, private (RFC 1918)"
    assert values["start"] == "2014-12-14T04:06:50Z (UTC)"
    assert values["end"] == "2014-12-14T04:07:50Z (UTC)"
    assert values["action"].startswith("accepted")
    assert values["account-id"] == "AWS account 123456789010"
    derived = facts(result)
    assert derived["record"] == "VPC flow-log record"
    assert derived["duration"].startswith("60 s")
    assert derived["bytes/packet"] == "212.4"  # 4249 / 20
    assert derived["rate"].startswith("566.5 bit/s")  # 4249 * 8 / 60
    assert "SSH" in derived["likely service"]
    assert result.warnings == []
    assert result.family == "vpc"


V5_LINE = (
    "5 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 IPv4 7 471 123456789012 "
    "vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b "
    "eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 3 10.0.0.71 52.95.128.179 - "
    "S3 8 egress OK"
)


def test_v5_egress_to_s3() -> None:
    result = explain(record(V5_FORMAT, V5_LINE))
    assert [row.field for row in result.rows] == V5_FORMAT.split()
    assert [row.raw for row in result.rows] == V5_LINE.split()
    values = decoded(result)
    assert values["tcp-flags"].startswith("SYN + FIN")
    assert "interval" in values["tcp-flags"]
    assert "internet gateway" in values["traffic-path"]
    assert "Amazon S3" in values["pkt-dst-aws-service"]
    assert values["pkt-src-aws-service"].startswith("no value")
    assert values["sublocation-type"] == "no value: the interface is not in a sublocation"
    assert values["dstaddr"] == "IPv4, public"
    assert values["flow-direction"].startswith("egress")
    derived = facts(result)
    assert derived["duration"].startswith("57 s")
    assert derived["recording side"].startswith("eni-1235b8ca123456789 sent this traffic")
    assert "no address rewriting" in derived["endpoints"]
    assert "intermediate hop" not in derived
    assert "10.0.0.71" in derived["initiator"]
    assert result.warnings == []


# --------------------------------------------------------------------------- §5.5 NODATA/SKIPDATA

NODATA = "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA"
SKIPDATA = "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA"


def test_nodata_row() -> None:
    result = explain(record(DEFAULT_FIELDS, NODATA))
    assert [row.raw for row in result.rows] == NODATA.split()
    values = decoded(result)
    assert values["srcaddr"].startswith("no value: NODATA row (no traffic in the interval)")
    assert values["action"].startswith("no value: NODATA row (no traffic in the interval)")
    assert "no traffic" in values["log-status"]
    assert any(w.startswith("NODATA") and "not denied" in w for w in result.warnings)
    assert not any("SKIPDATA" in w for w in result.warnings)
    derived = facts(result)
    assert derived["duration"].startswith("58 s")
    assert "rate" not in derived and "bytes/packet" not in derived


def test_skipdata_row_warns_totals_are_lower_bounds() -> None:
    result = explain(record(DEFAULT_FIELDS, SKIPDATA))
    assert len(result.warnings) == 1
    assert "lower bounds" in result.warnings[0]
    assert "lost" in result.warnings[0]


def test_unknown_account_on_nodata_row() -> None:
    """AWS (flow-log-records, account-id): "If the network interface is created by an AWS
    service, for example when creating a VPC endpoint or Network Load Balancer, the record
    might display unknown for this field." The decoded value said "unknown: an AWS service
    created the interface", a certainty the guide does not give (it says what such an
    interface might show, not that unknown means one)."""
    result = explain(record(DEFAULT_FIELDS, NODATA.replace("123456789010", "unknown")))
    words = decoded(result)["account-id"]
    assert "AWS service created" in words and " may " in words, words


# --------------------------------------------------------------------------- address rewriting

NAT_FORMAT = "instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr"


def test_instance_to_nat_gateway_shows_final_destination() -> None:
    result = explain(record(NAT_FORMAT, "- eni-1235b8ca123456789 10.0.1.5 10.0.0.220 10.0.1.5 "
                                        "203.0.113.5"))
    hops = [text for label, text in result.facts if label == "intermediate hop"]
    assert len(hops) == 1
    assert "dstaddr 10.0.0.220" in hops[0] and "pkt-dstaddr 203.0.113.5" in hops[0]
    assert decoded(result)["instance-id"].startswith("no value: requester-managed")


def test_nat_gateway_reply_shows_original_source() -> None:
    result = explain(record(NAT_FORMAT, "- eni-1235b8ca123456789 10.0.0.220 10.0.1.5 "
                                        "203.0.113.5 10.0.1.5"))
    hops = [text for label, text in result.facts if label == "intermediate hop"]
    assert len(hops) == 1
    assert "srcaddr 10.0.0.220" in hops[0] and "pkt-srcaddr 203.0.113.5" in hops[0]


def test_ingress_names_the_destination_as_recording_side() -> None:
    result = explain({"interface-id": "eni-1", "srcaddr": "198.51.100.7",
                      "dstaddr": "10.0.0.5", "flow-direction": "ingress"})
    assert facts(result)["recording side"] == (
        "eni-1 received this traffic: it is the destination side (dstaddr 10.0.0.5)"
    )


def test_regional_nat_gateway_resource() -> None:
    result = explain({"interface-id": None, "resource-id": "nat-0abc", "srcaddr": "10.0.0.5"})
    assert facts(result)["recorded on"] == "regional NAT gateway nat-0abc"


# --------------------------------------------------------------------------- Transit Gateway

TGW_LINE = (
    "6 TransitGateway 123456789012 tgw-0123456789abcdef0 tgw-attach-0a1b2c3d4e5f67890 "
    "123456789012 210987654321 vpc-0aaa1111bbbb2222c vpc-0ddd3333eeee4444f "
    "subnet-0aaa1111bbbb2222c subnet-0ddd3333eeee4444f eni-0aaa1111bbbb2222c "
    "eni-0ddd3333eeee4444f use1-az1 use1-az2 tgw-attach-0f9e8d7c6b5a43210 10.0.1.10 "
    "10.1.2.20 49152 443 6 10 1500 1700000000 1700000060 OK IPv4 0 3 0 0 2 us-east-1 "
    "ingress - -"
)


def test_tgw_record() -> None:
    result = explain(record(TGW_DEFAULT_FIELDS, TGW_LINE))
    assert result.family == "tgw"
    assert facts(result)["record"] == "Transit Gateway flow-log record"
    assert [row.raw for row in result.rows] == TGW_LINE.split()
    meanings = {row.field: row.meaning for row in result.rows}
    assert "owns the transit gateway" in meanings["account-id"]
    assert "computed from srcaddr" in meanings["pkt-src-aws-service"]
    # §7: a TGW record has no interface-id (its attachments are named instead), so no
    # meaning may speak of "this interface" as a VPC record's does.
    assert not [f for f, m in meanings.items() if "this interface" in m or "one interface" in m]
    values = decoded(result)
    assert "transit gateway" in values["resource-type"]
    assert values["packets-lost-blackhole"] == "3 packets dropped (blackhole route)"
    assert "transit gateway attachment tgw-attach-0a1b2c3d4e5f67890" in \
        facts(result)["recording side"]
    assert result.warnings == [
        "the transit gateway dropped packets of this flow: blackhole 3"
    ]


def test_vpc_meaning_used_for_shared_fields_in_vpc_records() -> None:
    result = explain(record(DEFAULT_FIELDS, V2_LINE))
    meaning = next(row.meaning for row in result.rows if row.field == "account-id")
    assert meaning == FIELDS["account-id"].meaning


def test_resource_type_value_settles_the_family() -> None:
    result = explain({"version": 6, "resource-type": "TransitGateway", "srcaddr": "10.0.0.1"})
    assert result.family == "tgw"
    assert explain({"srcaddr": "10.0.0.1"}).family == "unknown"


# --------------------------------------------------------------------------- warnings


def test_end_before_start() -> None:
    result = explain({"start": 1418530070, "end": 1418530010, "bytes": 100})
    assert any("end is before start by 60 s" in w for w in result.warnings)
    assert "duration" not in facts(result) and "rate" not in facts(result)


def test_zero_duration_is_not_an_error() -> None:
    result = explain({"start": 1418530010, "end": 1418530010, "bytes": 100, "packets": 1})
    assert result.warnings == []
    assert facts(result)["duration"].startswith("0 s")
    assert facts(result)["rate"].startswith("not computable")


def test_millisecond_timestamps() -> None:
    result = explain({"start": 1502323000000, "end": 1502323060000, "bytes": 750})
    assert sum("milliseconds" in w for w in result.warnings) == 2
    assert facts(result)["duration"].startswith("60 s")  # not 60000 s
    assert facts(result)["rate"].startswith("100.0 bit/s")


def test_tcp_flags_on_udp() -> None:
    result = explain({"protocol": 17, "tcp-flags": 2})
    assert result.warnings == [
        "tcp-flags is 2 on a UDP record: TCP flags mean nothing for this protocol"
    ]
    assert "initiator" not in facts(result)
    assert explain({"protocol": 17, "tcp-flags": 0}).warnings == []


def test_tcp_flags_zero_on_tcp_is_no_warning_and_no_initiator() -> None:
    result = explain({"protocol": 6, "tcp-flags": 0})
    assert result.warnings == []
    assert "initiator" not in facts(result)


def test_a_rejected_syn_opened_nothing() -> None:
    """A record of SYN only (tcp-flags 2) with action REJECT: its packets were refused, so
    "the source opened the TCP connection" told an analyst a connection that never was."""
    syn = {"srcaddr": "198.51.100.23", "dstaddr": "10.0.1.20", "protocol": 6, "tcp-flags": 2,
           "srcport": 50088, "dstport": 22}
    said = facts(explain({**syn, "action": "REJECT"}))["initiator"]
    assert "opened" not in said and "tried to open" in said and "REJECTed" in said
    assert "198.51.100.23) opened" in facts(explain({**syn, "action": "ACCEPT"}))["initiator"]
    reply = {**syn, "srcaddr": "10.0.1.20", "dstaddr": "198.51.100.23", "tcp-flags": 18,
             "srcport": 22, "dstport": 50088, "action": "REJECT"}
    assert "did not complete" in facts(explain(reply))["initiator"]


def test_syn_ack_names_the_server_reply() -> None:
    result = explain({"srcaddr": "10.0.0.5", "dstaddr": "10.0.0.9", "protocol": 6,
                      "tcp-flags": 18, "srcport": 443, "dstport": 51000})
    assert "destination (10.0.0.9) opened" in facts(result)["initiator"]
    assert "reply" in facts(result)["likely service"]


def test_traffic_path_on_ingress() -> None:
    result = explain({"flow-direction": "ingress", "traffic-path": 1})
    assert any("egress only" in w for w in result.warnings)
    assert explain({"flow-direction": "ingress", "traffic-path": None}).warnings == []


def test_action_on_nodata_row_is_flagged() -> None:
    result = explain({"action": "REJECT", "log-status": "NODATA"})
    assert any("does not look like AWS output" in w for w in result.warnings)


def test_version_lower_than_its_columns() -> None:
    result = explain({"version": 3, "srcaddr": "10.0.0.1", "ecs-task-id": "abc"})
    assert any("version is 3" in w and "version-7" in w for w in result.warnings)
    assert not any("version" in w for w in explain({"version": 7, "ecs-task-id": "x"}).warnings)


def test_bpa_reject_without_bytes() -> None:
    result = explain({"action": "REJECT", "reject-reason": "BPA", "bytes": None})
    assert "Block Public Access" in decoded(result)["reject-reason"]
    assert "no byte count" in facts(result)["bytes"]


# --------------------------------------------------------------------------- unknowns are kept


def test_unknown_field_and_unknown_values_kept() -> None:
    result = explain({"version": 12, "my-new-field": "hello world", "action": "MAYBE",
                      "log-status": "PARTIAL", "pkt-dst-aws-service": "NEW_SERVICE"})
    rows = {row.field: row for row in result.rows}
    assert list(rows) == ["version", "my-new-field", "action", "log-status",
                          "pkt-dst-aws-service"]
    assert rows["my-new-field"].raw == "hello world"
    assert rows["my-new-field"].decoded == "hello world"
    assert "not a catalogued" in rows["my-new-field"].meaning
    assert "MAYBE" in rows["action"].decoded
    assert "PARTIAL" in rows["log-status"].decoded
    assert "NEW_SERVICE" in rows["pkt-dst-aws-service"].decoded


def test_dash_and_zero_stay_apart() -> None:
    rows = {row.field: row for row in explain({"srcport": 0, "dstport": None}).rows}
    assert rows["srcport"].raw == "0" and "ICMP" in rows["srcport"].decoded
    assert rows["dstport"].raw == "-" and rows["dstport"].decoded.startswith("no value")


def test_parquet_column_names_are_explained() -> None:
    result = explain({"log_status": "SKIPDATA", "account_id": "123456789012"})
    assert [row.field for row in result.rows] == ["log_status", "account_id"]
    assert result.rows[0].meaning == FIELDS["log-status"].meaning
    assert any("SKIPDATA" in w for w in result.warnings)


def test_text_in_an_integer_field_is_kept() -> None:
    result = explain({"srcport": "abc", "start": "soon", "end": 1418530010})
    rows = {row.field: row for row in result.rows}
    assert rows["srcport"].raw == "abc" and "'abc'" in rows["srcport"].decoded
    assert "'soon'" in rows["start"].decoded
    assert "duration" not in facts(result)


values = st.one_of(
    st.none(), st.integers(min_value=-(2**63), max_value=2**63 - 1), st.text(max_size=20),
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(FIELDS) + ["extra", "log_status"]), values))
def test_explain_never_raises_and_keeps_every_value(rec: dict[str, object]) -> None:
    result = explain(rec)
    assert [row.field for row in result.rows] == list(rec)
    for row, value in zip(result.rows, rec.values(), strict=True):
        assert row.raw == ("-" if value is None else str(value))
        assert row.decoded


def test_v11_cross_az_next_hop_and_tags() -> None:
    result = explain({"version": 11, "az-id": "use1-az1", "next-hop-az-id": "use1-az2",
                      "instance-tag": "team%3Dnet%20ops", "next-hop-interface-type":
                      "network_load_balancer"})
    assert "use1-az2" in facts(result)["cross-AZ"]
    values = decoded(result)
    assert values["instance-tag"] == "'team=net ops' (percent-decoded)"
    assert "Network Load Balancer" in values["next-hop-interface-type"]
    assert "cross-AZ" not in facts(explain({"az-id": "use1-az1", "next-hop-az-id": "use1-az1"}))


def test_store_rows_explain_like_the_file_says() -> None:
    """Through the real parser and store: raw cells are the file's text, '-' stays '-'."""
    import gzip

    from flowtui.parser import FlowLogParser
    from flowtui.store import RecordStore

    parser, store = FlowLogParser(), RecordStore()
    text = f"{V5_FORMAT}\n{V5_LINE}\n"
    for batch in parser.feed(gzip.compress(text.encode())) + parser.finish():
        store.append(batch)
    parser.close()
    result = explain(store.row(0))
    assert [row.raw for row in result.rows] == V5_LINE.split()
    assert decoded(result)["pkt-dst-aws-service"].startswith("Amazon S3")
    assert result.warnings == []


# ---------------------------------------------------------------- AZ IDs (§2.3, §3.8, §7)

def _v5(**changes: str) -> dict[str, object]:
    """The §5.6 v5 example with some fields replaced (as text, '-' for none)."""
    values = dict(zip(V5_FORMAT.split(), V5_LINE.split(), strict=True)) | changes
    return record(V5_FORMAT, " ".join(values.values()))


def test_az_id_beside_a_sublocation_is_warned() -> None:
    """§3.8: when sublocation-type is set, az-id is '-'."""
    result = explain(_v5(**{"sublocation-type": "localzone",
                            "sublocation-id": "apse2-per1-az1"}))
    assert any("az-id is apse2-az3" in w and "sublocation" in w and "'-'" in w
               for w in result.warnings), result.warnings
    only_id = explain(_v5(**{"sublocation-id": "op-0123456789abcdef0"}))
    assert any("az-id is apse2-az3" in w for w in only_id.warnings), only_id.warnings
    # what AWS writes for sublocation traffic: no warning
    consistent = explain(_v5(**{"az-id": "-", "sublocation-type": "outpost",
                                "sublocation-id": "op-0123456789abcdef0"}))
    assert consistent.warnings == []


def test_az_names_where_az_ids_belong_are_warned() -> None:
    """§2.3 and §11.19: az-id holds an AZ ID (use1-az4), never an AZ name (us-east-1a)."""
    result = explain(_v5(**{"az-id": "ap-southeast-2a"}))
    assert len(result.warnings) == 1
    warning = result.warnings[0]
    assert "az-id is ap-southeast-2a" in warning and "AZ name" in warning, warning
    local_zone = explain(_v5(**{"az-id": "us-west-2-lax-1a"}))
    assert any("AZ name" in w for w in local_zone.warnings)
    next_hop = explain({"version": 11, "az-id": "use1-az1", "next-hop-az-id": "us-east-1b"})
    assert any("next-hop-az-id is us-east-1b" in w for w in next_hop.warnings)
    # AZ IDs, Local Zone IDs included, pass
    for az_id in ("apse2-az3", "use1-az4", "usw2-lax1-az1", "usgw1-az1"):
        assert explain(_v5(**{"az-id": az_id})).warnings == [], az_id


def test_az_names_in_tgw_az_id_fields_are_warned() -> None:
    """§7: tgw-src-az-id / tgw-dst-az-id are AZ IDs like the TGW default example's."""
    fields = list(TGW_DEFAULT_FIELDS)
    values = TGW_LINE.split()
    values[fields.index("tgw-src-az-id")] = "us-east-1a"
    values[fields.index("tgw-dst-az-id")] = "us-east-1c"
    values[fields.index("packets-lost-blackhole")] = "0"
    result = explain(record(TGW_DEFAULT_FIELDS, " ".join(values)))
    assert result.family == "tgw"
    assert [w.split(",")[0] for w in result.warnings] == [
        "tgw-src-az-id is us-east-1a", "tgw-dst-az-id is us-east-1c"], result.warnings
    values[fields.index("tgw-src-az-id")] = "-"  # sublocation traffic
    values[fields.index("tgw-dst-az-id")] = "use1-az2"
    assert explain(record(TGW_DEFAULT_FIELDS, " ".join(values))).warnings == []


def test_a_transit_gateway_record_gets_no_initiator_from_its_flags() -> None:
    """The initiator rule (2 = the side that opened, 18 = the server's reply) comes from the
    VPC user guide's TCP flag examples; the Transit Gateway flow-log guide lists the flags
    without it (reference §3.6, §7), so a TGW record's SYN-ACK names no initiator."""
    tgw = {"resource-type": "TransitGatewayAttachment", "tgw-id": "tgw-0123",
           "srcaddr": "10.0.0.5", "dstaddr": "10.1.0.9", "protocol": 6, "tcp-flags": 18}
    assert "initiator" not in facts(explain(tgw))
    vpc = {k: v for k, v in tgw.items() if not k.startswith(("tgw", "resource"))}
    assert "initiator" in facts(explain(vpc))


def test_tgw_tcp_flags_zero_is_read_by_the_transit_gateway_guide() -> None:
    """A Transit Gateway record's tcp-flags 0 is explained by the Transit Gateway guide, not
    the VPC guide's rule. Transit Gateway guide, "Available fields", tcp-flags: "The bitmask
    value for the following TCP flags: FIN — 1, SYN — 2, RST — 4, PSH — 8, ACK — 16,
    SYN-ACK — 18, URG — 32" and "When a flow log entry consists of only ACK packets, the
    flag value is 0, not 16." PSH is a flag it records; only the VPC guide says "tcp-flags
    does not support logging ACK or PSH flags". The decoded cell said a TGW 0 meant "no
    supported flag (FIN, SYN, RST, SYN-ACK)" and "PSH-only traffic shows 0", under a
    meaning that lists PSH 8."""
    tgw = explain({"version": 6, "resource-type": "TransitGateway", "protocol": 6,
                   "tcp-flags": 0})
    text = decoded(tgw)["tcp-flags"]
    assert "PSH" not in text and "(FIN, SYN, RST, SYN-ACK)" not in text
    assert "only ACK packets" in text and "not 16" in text
    assert "not TCP" in text  # 0 still does not mean 'not TCP'
    # A VPC record keeps the VPC guide's sentence (ACK and PSH are not logged there).
    vpc = explain({"version": 3, "interface-id": "eni-1", "protocol": 6, "tcp-flags": 0})
    assert "ACK- or PSH-only traffic shows 0" in decoded(vpc)["tcp-flags"]


def test_port_zero_on_tcp_is_not_called_no_port() -> None:
    """Port 0 is "no port" only where the protocol has none. AWS's ICMP example ("Flow log
    record examples", security group and network ACL rules) shows ICMP with ports 0 0:
    "2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 ...". For
    TCP and UDP, srcport and dstport are "The source port of the traffic" / "The destination
    port of the traffic" ("Available fields"), and IANA's Service Name and Transport Protocol
    Port Number Registry lists port 0 for tcp and udp as "Reserved": a TCP record to port 0
    is real, unusual traffic (scans use it), which the decoded cell called "no port"."""
    tcp = decoded(explain({"protocol": 6, "srcport": 40000, "dstport": 0}))
    assert "no port" not in tcp["dstport"]
    assert "reserved" in tcp["dstport"].lower()
    icmp = decoded(explain({"protocol": 1, "srcport": 0, "dstport": 0}))
    assert "ICMP" in icmp["dstport"]


def test_tgw_version_meaning_names_the_transit_gateway_default_format() -> None:
    """The version row of a Transit Gateway record must not say the default format is
    version 2. VPC guide, "Available fields", version: "If you use the default format, the
    version is 2." Transit Gateway guide, "Default format": "With the default format, the
    flow log records includes all version 2 to version 6 fields", so the highest version,
    and the record's version, is 6 there (the AWS-ordered TGW default line starts with 6)."""
    result = explain(record(TGW_DEFAULT_FIELDS, TGW_LINE))
    meaning = next(row.meaning for row in result.rows if row.field == "version")
    assert "2 for the default format" not in meaning
    assert "6" in meaning and "Transit Gateway" in meaning
    vpc = explain(record(DEFAULT_FIELDS, V2_LINE))
    assert "2 for the default format" in next(
        row.meaning for row in vpc.rows if row.field == "version")


def test_tcp_flags_dash_on_a_nodata_row_is_not_called_an_invalid_combination() -> None:
    """A NODATA row's '-' in tcp-flags is the row's lack of traffic, not a bad flag value.
    VPC guide, "Available fields": tcp-flags "If for some reason the flag combination is
    invalid and the value cannot be calculated, the value is '-'"; log-status "NODATA — There
    was no network traffic to or from the network interface during the aggregation
    interval"; and "If a field is not applicable or could not be computed for a specific
    record, the record displays a '-' symbol". The decoded cell of a NODATA row said only
    "flag combination invalid and could not be computed"."""
    row = {"version": 3, "interface-id": "eni-1235b8ca123456789", "srcaddr": None,
           "protocol": None, "tcp-flags": None, "start": 1431280876, "end": 1431280934,
           "action": None, "log-status": "NODATA"}
    text = decoded(explain(row))["tcp-flags"]
    assert text.startswith("no value: NODATA row (no traffic in the interval)"), text
    assert "invalid" not in text
    # the documented reason is still given for an OK row's '-'
    ok = {**row, "srcaddr": "10.0.1.5", "protocol": 6, "action": "ACCEPT", "log-status": "OK"}
    assert "invalid" in decoded(explain(ok))["tcp-flags"]


def test_aws_service_dash_on_a_nodata_row_does_not_judge_a_missing_address() -> None:
    """pkt-src-aws-service is "The name of the subset of IP address ranges for the
    pkt-srcaddr field, if the source IP address is for an AWS service" (VPC guide,
    "Available fields"); a NODATA row has no address ("There was no network traffic to or
    from the network interface during the aggregation interval"), so its '-' is not "the
    address is not in a published AWS range", which is what the decoded cell said."""
    row = {"version": 5, "interface-id": "eni-1235b8ca123456789", "pkt-srcaddr": None,
           "pkt-dstaddr": None, "pkt-src-aws-service": None, "pkt-dst-aws-service": None,
           "start": 1431280876, "end": 1431280934, "log-status": "NODATA"}
    values = decoded(explain(row))
    for name in ("pkt-src-aws-service", "pkt-dst-aws-service"):
        assert values[name].startswith("no value: NODATA row (no traffic"), values[name]


def test_tgw_log_status_speaks_of_no_action_or_reject_reason() -> None:
    """A Transit Gateway record has no action and no reject-reason: the Transit Gateway
    guide's "Available fields" table runs from version to pkt-dst-aws-service without either
    (its log-status is "The status of the flow log: OK — Data is logging normally to the
    chosen destinations ..."). The TGW detail said log-status "is never the reason for the
    action (that is reject-reason)" and decoded OK as "not the reason for the action"."""
    result = explain(record(TGW_DEFAULT_FIELDS, TGW_LINE))
    row = next(row for row in result.rows if row.field == "log-status")
    for text in (row.meaning, row.decoded):
        assert "action" not in text and "reject-reason" not in text, text
    assert row.decoded.startswith("logging status OK")
    vpc = explain(record(DEFAULT_FIELDS, V2_LINE))
    assert "reject-reason" in next(r.meaning for r in vpc.rows if r.field == "log-status")


def test_tgw_tcp_flags_draw_no_initiator() -> None:
    """The decoded tcp-flags of a Transit Gateway record names the bits but not who opened
    the connection, as explain's facts already do (docs/format-notes.md). The VPC guide's
    TCP flag examples give the rule ("Two SYN flags (2) were received by server from the
    client ... a SYN-ACK was sent from the server to the client (18)"), and there ACK is not
    logged on its own; the Transit Gateway guide lists "ACK — 16" as a bit of its own and
    says "TCP flags can be OR-ed during the aggregation interval", so its 18 may be a
    client's SYN and ACK. The TGW decoded cell said "this record's source is the server
    replying" (18) and "this record's source started the connection" (2)."""
    for flags in (2, 18, 19):
        tgw = explain({"version": 6, "resource-type": "TransitGateway", "protocol": 6,
                       "tcp-flags": flags})
        text = decoded(tgw)["tcp-flags"]
        assert "server" not in text and "started the connection" not in text, text
        assert "initiator" not in facts(tgw)
    assert decoded(explain({"version": 6, "resource-type": "TransitGateway",
                            "tcp-flags": 19}))["tcp-flags"].startswith("SYN-ACK + FIN")
    vpc = explain({"version": 3, "interface-id": "eni-1", "protocol": 6, "tcp-flags": 18})
    assert "server" in decoded(vpc)["tcp-flags"]


def test_dash_on_an_ok_row_is_not_called_a_nodata_or_skipdata_row() -> None:
    """A '-' on a row whose log-status is OK is no NODATA or SKIPDATA row. VPC guide,
    "Available fields": log-status "OK — Data is logging normally"; "If a field is not
    applicable or could not be computed for a specific record, the record displays a '-'
    symbol"; flow log limitations: Block Public Access records carry no bytes (reference
    §2.1, §9). The demo's BPA record (192.0.2.99 → 10.0.1.30:443, reject-reason BPA, bytes
    '-', log-status OK) read in the detail panel and cat --explain "bytes - no value:
    NODATA or SKIPDATA row (no flow to describe); also Block Public Access records", and the
    panel's narrow column showed only "no value: NODATA or SKIPDAT…": a claim about the
    record that its own log-status contradicts."""
    header = DEFAULT_FIELDS + ("tcp-flags", "pkt-dst-aws-service", "reject-reason")
    row = dict(zip(header, [8, "111122223333", "eni-0de30000000000030", "192.0.2.99",
                            "10.0.1.30", 48930, 443, 6, 2, None, 1796566020, 1796566026,
                            "REJECT", "OK", None, None, "BPA"], strict=True))
    values = decoded(explain(row))
    for name in ("bytes", "tcp-flags", "pkt-dst-aws-service"):
        assert "NODATA" not in values[name] and "SKIPDATA" not in values[name], values[name]
    assert values["bytes"] == "no value: Block Public Access records, which carry no bytes"
    assert values["tcp-flags"] == ("no value: a flag combination that was invalid and could "
                                   "not be computed")
    assert values["pkt-dst-aws-service"] == ("no value: the address is not in a published "
                                             "AWS range")
    # a flow field with no reason of its own for '-' on a flow row: AWS's general rule
    row["srcport"] = None
    assert decoded(explain(row))["srcport"] == ("no value: not applicable or could not be "
                                                "computed")
    # a NODATA row, and a record that does not say its log-status, keep the whole text
    del row["log-status"]
    assert decoded(explain(row))["bytes"].startswith("no value: NODATA or SKIPDATA row")
