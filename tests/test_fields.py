"""The field catalogue agrees with the reference's field tables (§2, §7)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from flowtui.fields import (
    ALL_VPC_FIELDS,
    DEFAULT_FIELDS,
    FIELDS,
    TGW_DEFAULT_FIELDS,
    arrow_type,
    canonical_name,
    detect_family,
    is_integer,
    parse_field_list,
)

# Reference §2.10, as printed there.
REFERENCE_ALL_FIELDS = """
version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status
vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr
region az-id sublocation-type sublocation-id
pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path
ecs-cluster-arn ecs-cluster-name ecs-container-instance-arn ecs-container-instance-id ecs-container-id ecs-second-container-id ecs-service-name ecs-task-definition-arn ecs-task-arn ecs-task-id
reject-reason
resource-id
encryption-status
instance-tag instance-tag-2 interface-tag interface-tag-2 asg-tag asg-tag-2 interface-type next-hop-interface-id next-hop-subnet-id next-hop-az-id next-hop-vpc-id next-hop-interface-type
""".split()  # noqa: E501


def test_all_vpc_fields_is_the_aws_table_order() -> None:
    assert list(ALL_VPC_FIELDS) == REFERENCE_ALL_FIELDS
    assert len(ALL_VPC_FIELDS) == len(set(ALL_VPC_FIELDS)) == 54
    assert ALL_VPC_FIELDS[:14] == DEFAULT_FIELDS


@pytest.mark.parametrize(
    ("version", "cumulative"), [(2, 14), (5, 29), (7, 39), (8, 40), (9, 41), (10, 42), (11, 54)]
)
def test_vpc_field_versions_give_the_documented_counts(version: int, cumulative: int) -> None:
    assert sum(1 for name in ALL_VPC_FIELDS if FIELDS[name].version <= version) == cumulative


def test_no_vpc_field_has_version_6() -> None:
    assert [name for name in ALL_VPC_FIELDS if FIELDS[name].version == 6] == []


def test_catalogue_is_exactly_vpc_plus_tgw_fields() -> None:
    assert set(FIELDS) == set(ALL_VPC_FIELDS) | set(TGW_DEFAULT_FIELDS)
    for name in ALL_VPC_FIELDS:
        assert FIELDS[name].family in ("vpc", "both"), name
    for name in TGW_DEFAULT_FIELDS:
        assert FIELDS[name].family in ("tgw", "both"), name


def test_tgw_default_format() -> None:
    assert len(TGW_DEFAULT_FIELDS) == 36
    assert TGW_DEFAULT_FIELDS[:2] == ("version", "resource-type")
    tgw_only = [n for n in TGW_DEFAULT_FIELDS if FIELDS[n].family == "tgw"]
    assert all(FIELDS[n].version == 6 for n in tgw_only)
    assert len(tgw_only) == 18
    # TGW records have no action, interface-id, instance-id, vpc-id or subnet-id.
    assert not {"action", "interface-id", "instance-id", "vpc-id", "subnet-id"} & set(
        TGW_DEFAULT_FIELDS
    )


def test_every_field_is_described() -> None:
    for spec in FIELDS.values():
        assert spec.meaning.strip(), spec.name
        assert spec.dash_means.strip(), spec.name
        assert 2 <= spec.version <= 11, spec.name
        assert spec.family in ("vpc", "tgw", "both"), spec.name


def test_log_status_is_never_described_as_the_reason() -> None:
    meaning = FIELDS["log-status"].meaning
    assert "logging status" in meaning and "never the reason" in meaning


def test_integer_fields() -> None:
    integers = {name for name in FIELDS if is_integer(name)}
    assert integers == {
        "version", "srcport", "dstport", "protocol", "packets", "bytes", "start", "end",
        "tcp-flags", "traffic-path", "encryption-status", "packets-lost-no-route",
        "packets-lost-blackhole", "packets-lost-mtu-exceeded", "packets-lost-ttl-expired",
    }


def test_ids_and_enums_stay_text() -> None:
    # account-id as a number loses leading zeros and can't hold "unknown".
    for name in ("account-id", "interface-id", "action", "log-status", "tgw-src-vpc-account-id"):
        assert not is_integer(name)
        assert pa.types.is_dictionary(arrow_type(name))


def test_column_types_hold_the_ranges() -> None:
    assert arrow_type("srcport") == pa.uint16()  # 0-65535
    assert arrow_type("protocol") == pa.uint8()  # 0-255
    for name in ("packets", "bytes", "start", "end"):
        assert arrow_type(name) == pa.int64(), name
    assert arrow_type("not-a-field") == FIELDS["srcaddr"].arrow_type


@pytest.mark.parametrize(
    ("columns", "family"),
    [
        (DEFAULT_FIELDS, "vpc"),
        (TGW_DEFAULT_FIELDS, "tgw"),
        (ALL_VPC_FIELDS, "vpc"),
        (["version", "resource-type"], "tgw"),
        (["srcaddr", "packets-lost-mtu-exceeded"], "tgw"),
        (["version", "vpc-id", "srcaddr"], "vpc"),
        (["srcaddr", "dstaddr", "ecs-task-id"], "vpc"),
        (["account_id", "interface_id", "log_status"], "vpc"),  # Parquet column names
        (["tgw_id", "srcaddr"], "tgw"),
        (["version", "srcaddr", "dstaddr", "bytes", "tcp-flags", "region"], "unknown"),
        (["tgw-id", "interface-id"], "unknown"),  # not a format AWS writes
        (["my-own-column"], "unknown"),
        ([], "unknown"),
    ],
)
def test_detect_family(columns, family: str) -> None:
    assert detect_family(columns) == family


def test_canonical_name() -> None:
    assert canonical_name("log_status") == "log-status"
    assert canonical_name("pkt_src_aws_service") == "pkt-src-aws-service"
    assert canonical_name("instance_tag_2") == "instance-tag-2"
    assert canonical_name("My_Column") == "My_Column"  # unknown names kept as they are


def test_parse_field_list() -> None:
    assert parse_field_list("${version} ${srcaddr}") == ["version", "srcaddr"]
    assert parse_field_list("version srcaddr") == ["version", "srcaddr"]
    assert parse_field_list("version,srcaddr") == ["version", "srcaddr"]
    with pytest.raises(ValueError):
        parse_field_list("  ")


def test_field_lists_take_snake_case_names_as_the_catalogue_s() -> None:
    from flowtui.fields import parse_field_list

    assert parse_field_list("version,tcp_flags,traffic_path,my_tag") == [
        "version", "tcp-flags", "traffic-path", "my_tag"]
    assert parse_field_list("${version} ${pkt_src_aws_service}") == [
        "version", "pkt-src-aws-service"]


def test_traffic_path_2_names_both_of_its_paths() -> None:
    """traffic-path 2: "Through an internet gateway or a gateway VPC endpoint" (VPC user
    guide, flow log records, available fields; reference §3.5): the short form keeps both."""
    from flowtui.fields import FIELDS

    assert "2 internet gateway or gateway endpoint" in FIELDS["traffic-path"].meaning
