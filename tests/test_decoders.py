"""Decoders say what a value means, per the reference, and never swallow a value."""

from __future__ import annotations

import pytest

from flowtui import decoders as d
from flowtui.fields import FIELDS

# --------------------------------------------------------------------------- protocol


@pytest.mark.parametrize(
    ("number", "keyword"),
    [
        (0, "HOPOPT"), (1, "ICMP"), (2, "IGMP"), (4, "IPv4"), (6, "TCP"), (17, "UDP"),
        (41, "IPv6"), (47, "GRE"), (50, "ESP"), (51, "AH"), (58, "IPv6-ICMP"),
        (89, "OSPFIGP"), (112, "VRRP"), (132, "SCTP"), (255, "Reserved"),
    ],
)
def test_protocol_keywords_follow_iana(number: int, keyword: str) -> None:
    assert d.protocol_name(number) == keyword
    assert d.decode_protocol(number).startswith(keyword + " (")


def test_protocol_table_covers_every_number() -> None:
    for number in range(256):
        text = d.decode_protocol(number)
        assert text, number
        name = d.protocol_name(number)
        assert name == str(number) or number in d.PROTOCOLS
    # Everything up to the last assignment is in the table; then a gap until 253.
    assert set(range(0, 148)) <= set(d.PROTOCOLS)
    assert not set(range(148, 253)) & set(d.PROTOCOLS)
    keywords = [kw for kw, _ in d.PROTOCOLS.values() if kw]
    assert len(keywords) == len(set(keywords)), "a keyword names two numbers"


@pytest.mark.parametrize("number", [148, 200, 252])
def test_unassigned_protocol_shows_the_number(number: int) -> None:
    assert d.protocol_name(number) == str(number)
    assert d.decode_protocol(number) == f"{number} (unassigned IP protocol number)"


def test_protocol_without_keyword_shows_number_and_description() -> None:
    assert d.protocol_name(61) == "61"
    assert d.decode_protocol(61) == "61 (any host internal protocol)"
    assert "experimentation" in d.decode_protocol(253)


def test_protocol_out_of_range_or_text_is_kept() -> None:
    assert "300" in d.decode_protocol(300)
    assert "'tcp'" in d.decode_protocol("tcp")
    assert d.protocol_name("tcp") == "tcp"


# --------------------------------------------------------------------------- tcp-flags


def test_tcp_flags_zero_is_not_not_tcp() -> None:
    text = d.decode_tcp_flags(0)
    assert "no supported flag" in text
    assert "not TCP" in text  # the sentence warns against that reading
    assert d.display_tcp_flags(0) == "0"


@pytest.mark.parametrize(
    ("value", "starts"),
    [
        (1, "FIN"),
        (2, "SYN"),
        (4, "RST"),
        (18, "SYN-ACK"),
        (3, "SYN + FIN"),
        (19, "SYN-ACK + FIN"),
        (22, "SYN-ACK + RST"),
        (8, "PSH"),
        (16, "ACK"),
        (32, "URG"),
    ],
)
def test_tcp_flags_documented_values(value: int, starts: str) -> None:
    assert d.decode_tcp_flags(value).startswith(starts)


def test_tcp_flag_combinations_are_called_interval_ors() -> None:
    assert "interval" in d.decode_tcp_flags(3)
    assert "interval" in d.decode_tcp_flags(19)
    assert "interval" not in d.decode_tcp_flags(18)  # SYN-ACK is one packet's flags
    assert "started the connection" in d.decode_tcp_flags(2)
    assert "server" in d.decode_tcp_flags(18)


def test_every_six_bit_value_decodes_to_exactly_its_bits() -> None:
    bits = {name: bit for bit, name in d.TCP_FLAG_BITS}
    for value in range(64):
        names = d.tcp_flag_names(value)
        assert sum(bits[name] for name in names) == value
        assert len(names) == bin(value).count("1")
        assert d.decode_tcp_flags(value)


def test_tcp_flag_display_is_comma_list() -> None:
    assert d.display_tcp_flags(18) == "SYN,ACK"
    assert d.display_tcp_flags(3) == "SYN,FIN"
    assert d.display_tcp_flags(19) == "SYN,ACK,FIN"
    assert d.display_tcp_flags(63) == "SYN,ACK,FIN,RST,PSH,URG"


def test_tcp_flags_undocumented_bits_are_kept() -> None:
    assert d.tcp_flag_names(64 + 2) == ["SYN", "0x40"]
    assert "undocumented" in d.decode_tcp_flags(66)


# --------------------------------------------------------------------------- enums


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (1, "same VPC"),
        (2, "internet gateway or a gateway VPC endpoint"),
        (3, "virtual private gateway"),
        (4, "peering connection in the same Region"),
        (5, "peering connection to another Region"),
        (6, "local gateway (see docs"),
        (7, "gateway VPC endpoint"),
        (8, "internet gateway; Nitro"),
    ],
)
def test_traffic_path_values(value: int, words: str) -> None:
    assert words in d.decode_traffic_path(value)


def test_traffic_path_unknown_value_shown() -> None:
    assert d.decode_traffic_path(9).startswith("9 (not a documented value")


def test_action_values() -> None:
    assert d.decode_action("ACCEPT").startswith("accepted")
    reject = d.decode_action("REJECT")
    assert reject.startswith("rejected") and "after the connection closed" in reject
    assert "MAYBE" in d.decode_action("MAYBE")


def test_log_status_is_logging_status_not_reason() -> None:
    assert "not the reason" in d.decode_log_status("OK")
    assert "no traffic" in d.decode_log_status("NODATA")
    skip = d.decode_log_status("SKIPDATA")
    assert "skipped" in skip and "many lost flows" in skip
    assert "PARTIAL" in d.decode_log_status("PARTIAL")


@pytest.mark.parametrize(
    ("decoder", "value", "words"),
    [
        (d.decode_type, "IPv4", "IPv4"),
        (d.decode_type, "IPv6", "IPv6"),
        (d.decode_type, "EFA", "Elastic Fabric Adapter"),
        (d.decode_flow_direction, "ingress", "into the interface"),
        (d.decode_flow_direction, "egress", "out of the interface"),
        (d.decode_sublocation_type, "wavelength", "Wavelength Zone"),
        (d.decode_sublocation_type, "outpost", "Outposts"),
        (d.decode_sublocation_type, "localzone", "Local Zone"),
        (d.decode_reject_reason, "BPA", "Block Public Access"),
        (d.decode_reject_reason, "EC", "unconfirmed"),
        (d.decode_resource_type, "TransitGateway", "transit gateway"),
        (d.decode_resource_type, "TransitGatewayAttachment", "attachment"),
        (d.decode_encryption_status, 0, "not encrypted"),
        (d.decode_encryption_status, 1, "Nitro"),
        (d.decode_encryption_status, 2, "application"),
        (d.decode_encryption_status, 3, "both"),
        (d.decode_interface_type, "nat_gateway", "NAT gateway"),
        (d.decode_interface_type, "regional_nat_gateway", "regional NAT gateway"),
        (d.decode_interface_type, "network_load_balancer", "Network Load Balancer"),
        (d.decode_interface_type, "transit_gateway", "transit gateway"),
        (d.decode_interface_type, "vpc_endpoint", "VPC endpoint"),
        (d.decode_account_id, "unknown", "AWS service created"),
        (d.decode_account_id, "012345678901", "012345678901"),
    ],
)
def test_enum_values(decoder, value, words) -> None:
    assert words in decoder(value)


@pytest.mark.parametrize(
    "decoder",
    [
        d.decode_type, d.decode_flow_direction, d.decode_sublocation_type,
        d.decode_reject_reason, d.decode_resource_type, d.decode_interface_type,
        d.decode_aws_service,
    ],
)
def test_open_sets_keep_unknown_values(decoder) -> None:
    assert "NEW_VALUE_2027" in decoder("NEW_VALUE_2027")


def test_encryption_status_unknown_number_kept() -> None:
    assert d.decode_encryption_status(7).startswith("7 (not a documented value")


def test_every_documented_aws_service_is_described() -> None:
    documented = (
        "AMAZON AMAZON_APPFLOW AMAZON_CONNECT API_GATEWAY AURORA_DSQL CHIME_MEETINGS "
        "CHIME_VOICECONNECTOR CLOUD9 CLOUDFRONT CLOUDFRONT_ORIGIN_FACING CODEBUILD DYNAMODB "
        "EBS EC2 EC2_INSTANCE_CONNECT GLOBALACCELERATOR IVS_LOW_LATENCY IVS_REALTIME "
        "KINESIS_VIDEO_STREAMS MEDIA_PACKAGE_V2 ROUTE53 ROUTE53_HEALTHCHECKS "
        "ROUTE53_HEALTHCHECKS_PUBLISHING ROUTE53_RESOLVER S3 WORKSPACES_GATEWAYS"
    ).split()
    assert set(documented) == set(d.AWS_SERVICES)
    for code in documented:
        assert "not in our list" not in d.decode_aws_service(code)
    assert "Amazon S3" in d.decode_aws_service("S3")
    assert "not in our list" in d.decode_aws_service("IVS_FUTURE")


def test_account_id_lost_leading_zeros_is_pointed_out() -> None:
    assert "leading zeros" in d.decode_account_id("12345678901")


# --------------------------------------------------------------------------- times


def test_time_is_iso_utc_with_zone() -> None:
    assert d.decode_time(1418530010) == "2014-12-14T04:06:50Z (UTC)"
    assert d.display_time(1418530010) == "2014-12-14 04:06:50"


def test_time_above_2_31_is_milliseconds_and_says_so() -> None:
    text = d.decode_time(1502323000123)
    assert text.startswith("2017-08-09T23:56:40.123Z")
    assert "milliseconds" in text
    assert d.display_time(1502323000123) == "2017-08-09 23:56:40"


def test_time_threshold_is_exactly_2_31() -> None:
    assert d.decode_time(2**31) == "2038-01-19T03:14:08Z (UTC)"
    assert "milliseconds" in d.decode_time(2**31 + 1)


def test_bad_times_are_kept() -> None:
    assert "-5" in d.decode_time(-5)
    assert "'soon'" in d.decode_time("soon")
    assert d.display_time("soon") == "soon"
    assert d.decode_time("1418530010") == "2014-12-14T04:06:50Z (UTC)"


# --------------------------------------------------------------------------- ports


@pytest.mark.parametrize(
    ("port", "service"),
    [
        (22, "SSH"), (53, "DNS"), (80, "HTTP"), (123, "NTP"), (443, "HTTPS"),
        (3306, "MySQL"), (3389, "RDP"), (5432, "PostgreSQL"), (6379, "Redis"),
        (8080, "HTTP-alt"), (2049, "NFS"),
    ],
)
def test_well_known_ports(port: int, service: str) -> None:
    assert d.decode_port(port).startswith(service + " ")
    assert d.display_value("dstport", port, decoded=True) == f"{port} {service}"


@pytest.mark.parametrize(
    ("port", "words"),
    [
        (0, "ICMP"),
        (40000, "Linux range"),
        (55000, "both the Linux and Windows"),
        (62000, "Windows range"),
        (20641, "registered port"),
        (999, "0-1023"),
        (70000, "outside the port range"),
    ],
)
def test_port_ranges(port: int, words: str) -> None:
    assert words in d.decode_port(port)


def test_linux_ephemeral_range_is_the_one_aws_documents() -> None:
    """AWS, VPC guide, "Ephemeral ports": "Many Linux kernels (including the Amazon Linux
    kernel) use ports 32768-61000"; "Windows Server 2008 and later versions use ports
    49152-65535". The decoder said "the Linux range 32768-60999" (the upstream kernel's
    default, not AWS's words) and left 61000 out of it."""
    said = d.decode_port(40000, 6)
    assert "the Linux range AWS documents, 32768-61000" in said, said
    assert "upstream kernel default is 32768-60999" in said  # which is which
    assert "both the Linux and Windows" in d.decode_port(61000, 6)
    assert "Windows range" in d.decode_port(61001, 6)
    assert "32768-61000" in d.decode_port(32768, 6)
    assert "registered port" in d.decode_port(32767, 6)


# --------------------------------------------------------------------------- addresses


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("10.1.2.3", "private (RFC 1918)"),
        ("172.31.16.139", "private (RFC 1918)"),
        ("192.168.0.1", "private (RFC 1918)"),
        ("172.32.0.1", "public"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("100.127.255.255", "carrier-grade NAT"),
        ("169.254.169.254", "instance metadata"),
        ("169.254.169.253", "Amazon DNS"),
        ("169.254.169.123", "Amazon Time Sync"),
        ("169.254.10.10", "link-local"),
        ("127.0.0.1", "loopback"),
        ("224.0.0.251", "multicast"),
        ("52.95.128.179", "public"),
        ("fd00:ec2::254", "instance metadata"),
        ("fd00:ec2::253", "Amazon DNS"),
        ("fd12:3456::1", "unique local"),
        ("fe80::1", "link-local"),
        ("ff02::1", "multicast"),
        ("::1", "loopback"),
        ("2600:1f18:abcd::1", "global unicast"),
        ("::ffff:10.0.0.1", "IPv4-mapped"),
    ],
)
def test_address_classes(address: str, words: str) -> None:
    assert words in d.address_class(address)


def test_public_is_not_said_of_private_space() -> None:
    assert "public" not in d.address_class("10.0.0.1")
    assert d.address_class("100.63.255.255") == "public"


def test_non_address_is_kept() -> None:
    assert d.address_class("eni-123") is None
    assert "'eni-123'" in d.decode_address("eni-123")
    assert d.decode_address("2600:1f18::1").startswith("IPv6")


# --------------------------------------------------------------------------- cell text


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0, "0 B"), (1, "1 B"), (1023, "1023 B"),
        (1024, "1.0 KiB"), (1229, "1.2 KiB"),
        (102_348, "99.9 KiB"), (102_349, "100 KiB"),  # 99.95 KiB rounds to 100: no decimal
        (1_047_961, "1023 KiB"),  # the widest text, 8 cells
        (1_048_575, "1.0 MiB"),  # 1023.999 KiB would round to "1024 KiB": the next unit
        (1_048_576, "1.0 MiB"), (3_565_158, "3.4 MiB"), (6_012_954_214, "5.6 GiB"),
        (2**40, "1.0 TiB"), (2**63 - 1, "8.0 EiB"),  # int64's largest, the bytes column's
        (10**30, "827181 YiB"),  # beyond the last unit: still YiB, never an error
        (-2048, "-2.0 KiB"),
    ],
)
def test_human_bytes_is_powers_of_1024_labelled_iec(number: int, text: str) -> None:
    """Sizes are computed in powers of 1024, so they say KiB/MiB/GiB (IEC 80000-13): "MB"
    would claim 1,000,000-byte units, the filter language's ``1M``."""
    assert d.human_bytes(number) == text
    assert len(text) <= 8 or number >= 2**70


def test_every_size_below_a_pib_fits_eight_cells() -> None:
    """The browser's size column is 8 cells wide: no size text is wider (ties included)."""
    for unit in range(5):
        for value in range(1000, 1025):
            for step in (-1, 0, 1, 511, 512, 513):
                number = value * 1024**unit + step
                assert len(d.human_bytes(number)) <= 8, number


def test_display_value_raw_and_decoded() -> None:
    assert d.display_value("bytes", None, decoded=True) == "-"
    assert d.display_value("bytes", None, decoded=False) == "-"
    assert d.display_value("bytes", 0, decoded=True) == "0 B"  # 0 is not '-'
    assert d.display_value("bytes", 3565158, decoded=False) == "3565158"
    assert d.display_value("bytes", 3565158, decoded=True) == "3.4 MiB"
    assert d.display_value("packets", 123456, decoded=True) == "123456"
    assert d.display_value("start", 1418530010, decoded=True) == "2014-12-14 04:06:50"
    assert d.display_value("protocol", 6, decoded=True) == "TCP"
    assert d.display_value("protocol", 200, decoded=True) == "200"
    assert d.display_value("tcp-flags", 18, decoded=True) == "SYN,ACK"
    assert d.display_value("traffic-path", 8, decoded=True) == "IGW"
    assert d.display_value("action", "REJECT", decoded=True) == "REJECT"
    assert d.display_value("no-such-field", "x y", decoded=True) == "x y"
    assert d.display_value("bytes", "garbage", decoded=True) == "garbage"


# --------------------------------------------------------------------------- the catalogue


def test_every_decoder_keeps_an_unexpected_value_visible() -> None:
    for spec in FIELDS.values():
        if spec.decoder is None:
            continue
        text = spec.decoder("zz-unexpected")
        assert text is None or "zz-unexpected" in text, spec.name


def test_fields_with_a_vocabulary_have_decoders() -> None:
    with_vocabulary = {
        "version", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes",
        "start", "end", "action", "log-status", "tcp-flags", "type", "pkt-srcaddr",
        "pkt-dstaddr", "sublocation-type", "pkt-src-aws-service", "pkt-dst-aws-service",
        "flow-direction", "traffic-path", "resource-type", "reject-reason",
        "encryption-status", "interface-type", "next-hop-interface-type", "account-id",
    }
    assert {name for name in with_vocabulary if FIELDS[name].decoder is None} == set()


def test_tag_values_are_percent_decoded() -> None:
    assert d.decode_tag("web%20server") == "'web server' (percent-decoded)"
    assert d.decode_tag("%E2%9C%93") == "'✓' (percent-decoded)"
    assert d.decode_tag("plain") is None  # nothing to add: the raw value says it
    assert "%FF" in d.decode_tag("%FF")
    assert FIELDS["asg-tag-2"].decoder is d.decode_tag
