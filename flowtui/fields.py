"""The field catalogue: every VPC and Transit Gateway flow-log field, as data.

One table drives parsing (column types), the detail panel and ``cat --explain`` (meanings
and decoders), so a field is described once. Facts follow shared/reference/flow-log-format.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

# Column types. Dictionary-encoded strings keep repeated values (accounts, ENIs, addresses,
# enums) at four bytes a row; narrow integers keep ports and protocol small.
DICT_STRING = pa.dictionary(pa.int32(), pa.string())
INT8 = pa.uint8()
INT16 = pa.uint16()
INT32 = pa.int32()
INT64 = pa.int64()


@dataclass(frozen=True)
class FieldSpec:
    """One flow-log field: where it comes from and how to read and explain it."""

    name: str
    version: int
    family: str  # "vpc", "tgw" or "both"
    arrow_type: pa.DataType
    meaning: str = ""
    dash_means: str = ""
    decoder: Callable[[object], str | None] | None = None


def _spec(name: str, version: int, family: str, arrow_type: pa.DataType = DICT_STRING) -> FieldSpec:
    return FieldSpec(name=name, version=version, family=family, arrow_type=arrow_type)


DEFAULT_FIELDS: tuple[str, ...] = (
    "version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport",
    "protocol", "packets", "bytes", "start", "end", "action", "log-status",
)

TGW_DEFAULT_FIELDS: tuple[str, ...] = (
    "version", "resource-type", "account-id", "tgw-id", "tgw-attachment-id",
    "tgw-src-vpc-account-id", "tgw-dst-vpc-account-id", "tgw-src-vpc-id", "tgw-dst-vpc-id",
    "tgw-src-subnet-id", "tgw-dst-subnet-id", "tgw-src-eni", "tgw-dst-eni", "tgw-src-az-id",
    "tgw-dst-az-id", "tgw-pair-attachment-id", "srcaddr", "dstaddr", "srcport", "dstport",
    "protocol", "packets", "bytes", "start", "end", "log-status", "type",
    "packets-lost-no-route", "packets-lost-blackhole", "packets-lost-mtu-exceeded",
    "packets-lost-ttl-expired", "tcp-flags", "region", "flow-direction",
    "pkt-src-aws-service", "pkt-dst-aws-service",
)

FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        _spec("version", 2, "both", INT8),
        _spec("account-id", 2, "both"),
        _spec("interface-id", 2, "vpc"),
        _spec("srcaddr", 2, "both"),
        _spec("dstaddr", 2, "both"),
        _spec("srcport", 2, "both", INT16),
        _spec("dstport", 2, "both", INT16),
        _spec("protocol", 2, "both", INT8),
        _spec("packets", 2, "both", INT64),
        _spec("bytes", 2, "both", INT64),
        _spec("start", 2, "both", INT64),
        _spec("end", 2, "both", INT64),
        _spec("action", 2, "vpc"),
        _spec("log-status", 2, "both"),
        _spec("vpc-id", 3, "vpc"),
        _spec("subnet-id", 3, "vpc"),
        _spec("instance-id", 3, "vpc"),
        _spec("tcp-flags", 3, "both", INT8),
        _spec("type", 3, "both"),
        _spec("pkt-srcaddr", 3, "vpc"),
        _spec("pkt-dstaddr", 3, "vpc"),
        _spec("region", 4, "both"),
        _spec("az-id", 4, "vpc"),
        _spec("sublocation-type", 4, "vpc"),
        _spec("sublocation-id", 4, "vpc"),
        _spec("pkt-src-aws-service", 5, "both"),
        _spec("pkt-dst-aws-service", 5, "both"),
        _spec("flow-direction", 5, "both"),
        _spec("traffic-path", 5, "vpc", INT8),
        _spec("resource-type", 6, "tgw"),
        _spec("tgw-id", 6, "tgw"),
        _spec("tgw-attachment-id", 6, "tgw"),
        _spec("tgw-src-vpc-account-id", 6, "tgw"),
        _spec("tgw-dst-vpc-account-id", 6, "tgw"),
        _spec("tgw-src-vpc-id", 6, "tgw"),
        _spec("tgw-dst-vpc-id", 6, "tgw"),
        _spec("tgw-src-subnet-id", 6, "tgw"),
        _spec("tgw-dst-subnet-id", 6, "tgw"),
        _spec("tgw-src-eni", 6, "tgw"),
        _spec("tgw-dst-eni", 6, "tgw"),
        _spec("tgw-src-az-id", 6, "tgw"),
        _spec("tgw-dst-az-id", 6, "tgw"),
        _spec("tgw-pair-attachment-id", 6, "tgw"),
        _spec("packets-lost-no-route", 6, "tgw", INT64),
        _spec("packets-lost-blackhole", 6, "tgw", INT64),
        _spec("packets-lost-mtu-exceeded", 6, "tgw", INT64),
        _spec("packets-lost-ttl-expired", 6, "tgw", INT64),
        _spec("ecs-cluster-arn", 7, "vpc"),
        _spec("ecs-cluster-name", 7, "vpc"),
        _spec("ecs-container-instance-arn", 7, "vpc"),
        _spec("ecs-container-instance-id", 7, "vpc"),
        _spec("ecs-container-id", 7, "vpc"),
        _spec("ecs-second-container-id", 7, "vpc"),
        _spec("ecs-service-name", 7, "vpc"),
        _spec("ecs-task-definition-arn", 7, "vpc"),
        _spec("ecs-task-arn", 7, "vpc"),
        _spec("ecs-task-id", 7, "vpc"),
        _spec("reject-reason", 8, "vpc"),
        _spec("resource-id", 9, "vpc"),
        _spec("encryption-status", 10, "vpc", INT8),
        _spec("instance-tag", 11, "vpc"),
        _spec("instance-tag-2", 11, "vpc"),
        _spec("interface-tag", 11, "vpc"),
        _spec("interface-tag-2", 11, "vpc"),
        _spec("asg-tag", 11, "vpc"),
        _spec("asg-tag-2", 11, "vpc"),
        _spec("interface-type", 11, "vpc"),
        _spec("next-hop-interface-id", 11, "vpc"),
        _spec("next-hop-subnet-id", 11, "vpc"),
        _spec("next-hop-az-id", 11, "vpc"),
        _spec("next-hop-vpc-id", 11, "vpc"),
        _spec("next-hop-interface-type", 11, "vpc"),
    )
}


def arrow_type(name: str) -> pa.DataType:
    """The column type for a field; unknown names are kept as (dictionary) strings."""
    spec = FIELDS.get(name)
    return spec.arrow_type if spec else DICT_STRING


def is_integer(name: str) -> bool:
    return pa.types.is_integer(arrow_type(name))


def canonical_name(name: str) -> str:
    """The hyphenated field name for a Parquet column (``log_status`` -> ``log-status``)."""
    hyphenated = name.strip().lower().replace("_", "-")
    return hyphenated if hyphenated in FIELDS else name.strip()


_TOKEN = re.compile(r"\$\{([^}]*)\}")


def parse_field_list(spec: str) -> list[str]:
    """Fields from a LogFormat string (``${a} ${b}``) or a plain list (``a b`` / ``a,b``)."""
    names = _TOKEN.findall(spec) if "${" in spec else re.split(r"[\s,]+", spec)
    fields = [name.strip() for name in names if name.strip()]
    if not fields:
        raise ValueError(f"no field names in {spec!r}")
    return fields
