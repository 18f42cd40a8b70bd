"""The field catalogue: every VPC and Transit Gateway flow-log field, as data.

One table drives parsing (column types), the detail panel and ``cat --explain`` (meanings
and decoders), so a field is described once. Facts follow shared/reference/flow-log-format.md.
Where that reference marks a claim unconfirmed, the meaning here says so, so the panel never
sounds surer than AWS's documentation is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import pyarrow as pa

from flowtui import decoders as d

# Column types. Dictionary-encoded strings keep repeated values (accounts, ENIs, addresses,
# enums) at four bytes a row; narrow integers keep ports and protocol small.
DICT_STRING = pa.dictionary(pa.int32(), pa.string())
INT8 = pa.uint8()
INT16 = pa.uint16()
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
    # Where a shared field means something different in a Transit Gateway record.
    tgw_meaning: str = ""
    # Where its values read differently there too (tcp-flags 0: the TGW guide's own rule).
    tgw_decoder: Callable[[object], str | None] | None = None
    # Where its '-' has fewer causes there (bytes: Block Public Access is a VPC feature).
    tgw_dash_means: str = ""

    def meaning_in(self, family: str) -> str:
        """The meaning in a record of ``family`` ("tgw": the Transit Gateway text, if any)."""
        return self.tgw_meaning if family == "tgw" and self.tgw_meaning else self.meaning

    def decoder_in(self, family: str) -> Callable[[object], str | None] | None:
        """The decoder for a record of ``family`` (as ``meaning_in``)."""
        return self.tgw_decoder if family == "tgw" and self.tgw_decoder else self.decoder

    def dash_means_in(self, family: str) -> str:
        """What '-' means in a record of ``family`` (as ``meaning_in``)."""
        return self.tgw_dash_means if family == "tgw" and self.tgw_dash_means \
            else self.dash_means


def _spec(
    name: str,
    version: int,
    family: str,
    arrow_type: pa.DataType = DICT_STRING,
    meaning: str = "",
    dash_means: str = "",
    decoder: Callable[[object], str | None] | None = None,
    tgw_meaning: str = "",
    tgw_decoder: Callable[[object], str | None] | None = None,
    tgw_dash_means: str = "",
) -> FieldSpec:
    return FieldSpec(
        name=name, version=version, family=family, arrow_type=arrow_type, meaning=meaning,
        dash_means=dash_means, decoder=decoder, tgw_meaning=tgw_meaning,
        tgw_decoder=tgw_decoder, tgw_dash_means=tgw_dash_means,
    )


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

# The order of AWS's VPC fields table (reference §2.10): what "all fields" means.
ALL_VPC_FIELDS: tuple[str, ...] = DEFAULT_FIELDS + (
    "vpc-id", "subnet-id", "instance-id", "tcp-flags", "type", "pkt-srcaddr", "pkt-dstaddr",
    "region", "az-id", "sublocation-type", "sublocation-id",
    "pkt-src-aws-service", "pkt-dst-aws-service", "flow-direction", "traffic-path",
    "ecs-cluster-arn", "ecs-cluster-name", "ecs-container-instance-arn",
    "ecs-container-instance-id", "ecs-container-id", "ecs-second-container-id",
    "ecs-service-name", "ecs-task-definition-arn", "ecs-task-arn", "ecs-task-id",
    "reject-reason",
    "resource-id",
    "encryption-status",
    "instance-tag", "instance-tag-2", "interface-tag", "interface-tag-2", "asg-tag",
    "asg-tag-2", "interface-type", "next-hop-interface-id", "next-hop-subnet-id",
    "next-hop-az-id", "next-hop-vpc-id", "next-hop-interface-type",
)

_FLOW_DASH = "NODATA or SKIPDATA row (no flow to describe)"
NO_VALUE = "not applicable or could not be computed"  # AWS's general rule for '-'
_AWS_SERVICE_DASH = _FLOW_DASH + "; otherwise the address is not in a published AWS range"
_TGW_ATTACHMENT_DASH = "not applicable to this attachment type, or could not be resolved"
_ECS = "Filled only for traffic of a running ECS task (needs ecs:List* permissions)."
_TAG = (
    "Keys are chosen when the flow log is created; special characters are percent-encoded "
    "(unconfirmed). May be missing or wrong in the first hour (unconfirmed)."
)
_TAG_DASH = "tag key missing on the resource, not configured, or permissions missing (unconfirmed)"
_tag = d.decode_tag
_NEXT_HOP = (
    "Next-hop metadata: for egress the receiving ENI, for ingress the sending ENI (unconfirmed)."
)
_NEXT_HOP_DASH = "no next-hop ENI: internet gateway, cross-Region and some ingress flows"

FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        # ---- version 2: the default format
        _spec("version", 2, "both", INT8,
              "Flow-log format version: the highest version among the fields in the format "
              "(2 for the default format). It is not a schema ID and says nothing about which "
              "columns are present or their order.",
              "not seen in AWS data", d.decode_version,
              tgw_meaning="Flow-log format version: the highest version among the fields in "
                          "the format (6 for the Transit Gateway default format, which holds "
                          "every version 2-6 field). It is not a schema ID and says nothing "
                          "about which columns are present or their order."),
        _spec("account-id", 2, "both", DICT_STRING,
              "AWS account that owns the source interface the traffic was recorded on. Kept as "
              "text: 12 digits with leading zeros, or the literal 'unknown' when an AWS service "
              "created the interface.",
              "not seen in AWS data", d.decode_account_id,
              tgw_meaning="AWS account that owns the transit gateway.",
              tgw_decoder=d.decode_tgw_account_id),
        _spec("interface-id", 2, "vpc", DICT_STRING,
              "The network interface (ENI) the traffic was recorded on.",
              "traffic of a regional NAT gateway: the gateway ID is in resource-id instead "
              "(secondary sources)"),
        _spec("srcaddr", 2, "both", DICT_STRING,
              "Source address. Ingress: the sender. Egress: this interface's private IPv4 or "
              "its IPv6 address, never a public IPv4 or Elastic IP. Behind NAT, load balancers "
              "and pods it can be an intermediate hop; pkt-srcaddr has the original source.",
              _FLOW_DASH, d.decode_address,
              tgw_meaning="Source IP address (IPv4 or IPv6) of the traffic the transit gateway "
                          "carried. A TGW record names no interface: tgw-attachment-id and "
                          "tgw-pair-attachment-id are the attachments it passed."),
        _spec("dstaddr", 2, "both", DICT_STRING,
              "Destination address. Egress: the destination. Ingress: this interface's private "
              "IPv4 or IPv6; it can be the interface's primary private IP rather than the real "
              "destination (secondary IPs, middleboxes); pkt-dstaddr has the final one.",
              _FLOW_DASH, d.decode_address,
              tgw_meaning="Destination IP address (IPv4 or IPv6) of the traffic the transit "
                          "gateway carried. A TGW record names no interface: "
                          "tgw-attachment-id and tgw-pair-attachment-id are the attachments "
                          "it passed."),
        _spec("srcport", 2, "both", INT16,
              "Layer-4 source port in this record's direction (for a reply record the service "
              "port is here). 0 for ICMP.", _FLOW_DASH, d.decode_port),
        _spec("dstport", 2, "both", INT16,
              "Layer-4 destination port in this record's direction. 0 for ICMP.",
              _FLOW_DASH, d.decode_port),
        _spec("protocol", 2, "both", INT8,
              "IANA IP protocol number of the traffic (6 TCP, 17 UDP, 1 ICMP, ...).",
              _FLOW_DASH, d.decode_protocol),
        _spec("packets", 2, "both", INT64,
              "Packets of this flow in this interval, on this interface, in this direction "
              "only; not a connection total.", _FLOW_DASH, d.decode_count("packets"),
              tgw_meaning="Packets of this flow in this interval at this transit gateway "
                          "attachment, in this direction only; not a connection total."),
        _spec("bytes", 2, "both", INT64,
              "Bytes of this flow in this interval, one direction, one interface; not a "
              "connection total.",
              _FLOW_DASH + "; also Block Public Access records, which carry no bytes",
              d.decode_bytes,
              tgw_meaning="Bytes of this flow in this interval at this transit gateway "
                          "attachment, one direction; not a connection total.",
              # VPC Block Public Access blocks traffic through a VPC's internet gateways
              # (EC2 API, ModifyVpcBlockPublicAccessOptions): no cause of a TGW record's '-'.
              tgw_dash_means=_FLOW_DASH),
        _spec("start", 2, "both", INT64,
              "When the first packet of the flow was seen within the aggregation interval "
              "(epoch seconds, UTC). It can lag the real packet by up to 60 s and is not the "
              "start of the connection.", "not seen in AWS data", d.decode_time),
        _spec("end", 2, "both", INT64,
              "When the last packet of the flow was seen within the aggregation interval "
              "(epoch seconds, UTC), with the same up-to-60 s lag. S3 files are bounded by "
              "end.", "not seen in AWS data", d.decode_time),
        _spec("action", 2, "vpc", DICT_STRING,
              "ACCEPT or REJECT: whether security groups and network ACLs allowed the "
              "traffic. Packets arriving after a connection closed are REJECT too.",
              "NODATA or SKIPDATA row: there is no traffic to judge", d.decode_action),
        _spec("log-status", 2, "both", DICT_STRING,
              "The logging status of this record: OK, NODATA or SKIPDATA. It is never the "
              "reason for the action (that is reject-reason).",
              "not seen in AWS data", d.decode_log_status,
              tgw_meaning="The logging status of this record: OK, NODATA or SKIPDATA.",
              tgw_decoder=d.decode_tgw_log_status),
        # ---- version 3
        _spec("vpc-id", 3, "vpc", DICT_STRING,
              "VPC that contains the recording interface.", "could not be resolved (unconfirmed)"),
        _spec("subnet-id", 3, "vpc", DICT_STRING,
              "Subnet that contains the recording interface.",
              "could not be resolved (unconfirmed)"),
        _spec("instance-id", 3, "vpc", DICT_STRING,
              "Instance attached to the recording interface, if you own that instance.",
              "requester-managed interface (NAT gateway, Transit Gateway attachment, other "
              "service interfaces) or an instance you don't own"),
        _spec("tcp-flags", 3, "both", INT8,
              "OR of the supported TCP flags seen during the interval: FIN 1, SYN 2, RST 4, "
              "SYN-ACK 18 (PSH 8, ACK 16, URG 32 in older text). ACK or PSH alone are not "
              "logged, so 0 means no supported flag seen, not 'not TCP'.",
              _FLOW_DASH + "; otherwise a flag combination that was invalid and could not "
              "be computed",
              d.decode_tcp_flags,
              tgw_meaning="OR of the TCP flags seen during the interval: FIN 1, SYN 2, RST 4, "
              "PSH 8, ACK 16, URG 32; SYN-ACK is 18. ACK-only traffic shows 0, not 16.",
              tgw_decoder=d.decode_tgw_tcp_flags),
        _spec("type", 3, "both", DICT_STRING,
              "Traffic type: IPv4, IPv6 or EFA (Elastic Fabric Adapter).",
              "unknown (unconfirmed)", d.decode_type),
        _spec("pkt-srcaddr", 3, "vpc", DICT_STRING,
              "Packet-level original source address. When it differs from srcaddr, srcaddr "
              "is an intermediate hop (NAT gateway, Transit Gateway interface, pod versus "
              "node IP).", _FLOW_DASH, d.decode_address),
        _spec("pkt-dstaddr", 3, "vpc", DICT_STRING,
              "Packet-level final destination address. When it differs from dstaddr, "
              "dstaddr is an intermediate hop or this interface's primary IP.",
              _FLOW_DASH, d.decode_address),
        # ---- version 4
        _spec("region", 4, "both", DICT_STRING,
              "Region of the recording interface.", "unknown (unconfirmed)",
              tgw_meaning="Region of the transit gateway."),
        _spec("az-id", 4, "vpc", DICT_STRING,
              "Availability Zone ID (e.g. use1-az4) of the recording interface. An AZ ID, not "
              "an AZ name: names map to different IDs in different accounts.",
              "traffic from a sublocation (Local Zone, Wavelength Zone, Outpost)"),
        _spec("sublocation-type", 4, "vpc", DICT_STRING,
              "Kind of sublocation of the interface: wavelength, outpost or localzone.",
              "the interface is not in a sublocation", d.decode_sublocation_type),
        _spec("sublocation-id", 4, "vpc", DICT_STRING,
              "ID of the sublocation (Wavelength Zone, Outpost or Local Zone).",
              "the interface is not in a sublocation"),
        # ---- version 5
        _spec("pkt-src-aws-service", 5, "both", DICT_STRING,
              "AWS IP-range name (S3, EC2, AMAZON, ...) that pkt-srcaddr belongs to, when it is "
              "an AWS service address. An open set; overlapping ranges report one name.",
              _AWS_SERVICE_DASH, d.decode_aws_service,
              tgw_meaning="AWS IP-range name that srcaddr belongs to (computed from srcaddr in "
              "Transit Gateway logs). An open set."),
        _spec("pkt-dst-aws-service", 5, "both", DICT_STRING,
              "AWS IP-range name that pkt-dstaddr belongs to, when it is an AWS service "
              "address. An open set; overlapping ranges report one name.",
              _AWS_SERVICE_DASH, d.decode_aws_service,
              tgw_meaning="AWS IP-range name that dstaddr belongs to. An open set."),
        _spec("flow-direction", 5, "both", DICT_STRING,
              "ingress or egress, relative to the interface where the traffic was recorded.",
              "unknown (unconfirmed)", d.decode_flow_direction,
              # The TGW guide's row says "the interface where traffic is captured", the VPC
              # guide's words; a TGW record is recorded for an attachment, not an interface.
              tgw_meaning="ingress or egress: the direction of the flow with respect to where "
                          "the transit gateway recorded it, the attachment in "
                          "tgw-attachment-id (\"the transit gateway attachment for which "
                          "traffic is being recorded\"); tgw-pair-attachment-id is the "
                          "flow's other, egress or ingress, attachment. Which way ingress "
                          "points there is not documented.",
              tgw_decoder=d.decode_tgw_flow_direction),
        _spec("traffic-path", 5, "vpc", INT8,
              "Egress only: the path the traffic takes to its destination (1 same VPC, "
              "2 internet gateway or gateway endpoint, 3 virtual private gateway, 4/5 peering, "
              "6 local gateway, 7 gateway endpoint, 8 internet gateway).",
              "ingress record (not supported), or no listed path applies",
              d.decode_traffic_path),
        # ---- version 6: Transit Gateway
        _spec("resource-type", 6, "tgw", DICT_STRING,
              "Type of resource the flow log is for: TransitGateway (older text also "
              "TransitGatewayAttachment).", "not seen in AWS data", d.decode_resource_type),
        _spec("tgw-id", 6, "tgw", DICT_STRING,
              "ID of the transit gateway the traffic was recorded on.", "not seen in AWS data"),
        _spec("tgw-attachment-id", 6, "tgw", DICT_STRING,
              "ID of the transit gateway attachment the traffic was recorded on.",
              "not seen in AWS data"),
        _spec("tgw-src-vpc-account-id", 6, "tgw", DICT_STRING,
              "Account of the source VPC.", _TGW_ATTACHMENT_DASH, d.decode_tgw_account_id),
        _spec("tgw-dst-vpc-account-id", 6, "tgw", DICT_STRING,
              "Account of the destination VPC.", _TGW_ATTACHMENT_DASH, d.decode_tgw_account_id),
        _spec("tgw-src-vpc-id", 6, "tgw", DICT_STRING,
              "ID of the source VPC.", _TGW_ATTACHMENT_DASH),
        _spec("tgw-dst-vpc-id", 6, "tgw", DICT_STRING,
              "ID of the destination VPC.", _TGW_ATTACHMENT_DASH),
        _spec("tgw-src-subnet-id", 6, "tgw", DICT_STRING,
              "ID of the source subnet.", _TGW_ATTACHMENT_DASH),
        _spec("tgw-dst-subnet-id", 6, "tgw", DICT_STRING,
              "ID of the destination subnet.", _TGW_ATTACHMENT_DASH),
        _spec("tgw-src-eni", 6, "tgw", DICT_STRING,
              "Source transit gateway attachment ENI.", _TGW_ATTACHMENT_DASH),
        _spec("tgw-dst-eni", 6, "tgw", DICT_STRING,
              "Destination transit gateway attachment ENI.", _TGW_ATTACHMENT_DASH),
        _spec("tgw-src-az-id", 6, "tgw", DICT_STRING,
              "Availability Zone ID of the source side.",
              "sublocation traffic, or not applicable to this attachment type"),
        _spec("tgw-dst-az-id", 6, "tgw", DICT_STRING,
              "Availability Zone ID of the destination side.", _TGW_ATTACHMENT_DASH),
        _spec("tgw-pair-attachment-id", 6, "tgw", DICT_STRING,
              "The other attachment of the flow: the egress or the ingress attachment, "
              "depending on the direction.", _TGW_ATTACHMENT_DASH),
        _spec("packets-lost-no-route", 6, "tgw", INT64,
              "Packets dropped because no route matched.", _FLOW_DASH,
              d.decode_count("packets dropped (no route)")),
        _spec("packets-lost-blackhole", 6, "tgw", INT64,
              "Packets dropped by a blackhole route.", _FLOW_DASH,
              d.decode_count("packets dropped (blackhole route)")),
        _spec("packets-lost-mtu-exceeded", 6, "tgw", INT64,
              "Packets dropped because they exceeded the MTU.", _FLOW_DASH,
              d.decode_count("packets dropped (MTU exceeded)")),
        _spec("packets-lost-ttl-expired", 6, "tgw", INT64,
              "Packets dropped because their TTL expired.", _FLOW_DASH,
              d.decode_count("packets dropped (TTL expired)")),
        # ---- version 7: ECS
        _spec("ecs-cluster-arn", 7, "vpc", DICT_STRING,
              "ARN of the ECS cluster running the task. " + _ECS, "not ECS traffic"),
        _spec("ecs-cluster-name", 7, "vpc", DICT_STRING,
              "Name of the ECS cluster running the task. " + _ECS, "not ECS traffic"),
        _spec("ecs-container-instance-arn", 7, "vpc", DICT_STRING,
              "ARN of the EC2 container instance running the task. " + _ECS,
              "Fargate task, or not ECS traffic"),
        _spec("ecs-container-instance-id", 7, "vpc", DICT_STRING,
              "ID of the EC2 container instance running the task. " + _ECS,
              "Fargate task, or not ECS traffic"),
        _spec("ecs-container-id", 7, "vpc", DICT_STRING,
              "Docker runtime ID of the task's first container. " + _ECS, "not ECS traffic"),
        _spec("ecs-second-container-id", 7, "vpc", DICT_STRING,
              "Docker runtime ID of the task's second container. " + _ECS,
              "the task has one container, or not ECS traffic"),
        _spec("ecs-service-name", 7, "vpc", DICT_STRING,
              "ECS service that started the task. " + _ECS,
              "task not started by a service, or not ECS traffic"),
        _spec("ecs-task-definition-arn", 7, "vpc", DICT_STRING,
              "ARN of the task definition. " + _ECS, "not ECS traffic"),
        _spec("ecs-task-arn", 7, "vpc", DICT_STRING,
              "ARN of the ECS task. " + _ECS, "not ECS traffic"),
        _spec("ecs-task-id", 7, "vpc", DICT_STRING,
              "ID of the ECS task. " + _ECS, "not ECS traffic"),
        # ---- versions 8-10
        _spec("reject-reason", 8, "vpc", DICT_STRING,
              "Why the traffic was rejected. Documented value: BPA (VPC Block Public "
              "Access). EC (Encryption Controls) is reported by secondary sources only.",
              "not rejected by Block Public Access (any other reject cause, or ACCEPT)",
              d.decode_reject_reason),
        _spec("resource-id", 9, "vpc", DICT_STRING,
              "ID of the resource that handled the flow when there is no interface to name; "
              "the known case is a regional NAT gateway (nat-...) (secondary sources).",
              "the flow has an interface (see interface-id) (unconfirmed)"),
        _spec("encryption-status", 10, "vpc", INT8,
              "Encryption in transit under VPC Encryption Controls: 0 none, 1 Nitro, "
              "2 application, 3 both.", "unknown, or Encryption Controls is off",
              d.decode_encryption_status),
        # ---- version 11: tags, interface type, next hop
        _spec("instance-tag", 11, "vpc", DICT_STRING,
              "Value of the first chosen EC2 instance tag key. " + _TAG, _TAG_DASH, _tag),
        _spec("instance-tag-2", 11, "vpc", DICT_STRING,
              "Value of the second chosen EC2 instance tag key. " + _TAG, _TAG_DASH, _tag),
        _spec("interface-tag", 11, "vpc", DICT_STRING,
              "Value of the first chosen ENI tag key. " + _TAG, _TAG_DASH, _tag),
        _spec("interface-tag-2", 11, "vpc", DICT_STRING,
              "Value of the second chosen ENI tag key. " + _TAG, _TAG_DASH, _tag),
        _spec("asg-tag", 11, "vpc", DICT_STRING,
              "Value of the first chosen Auto Scaling group tag key. " + _TAG, _TAG_DASH, _tag),
        _spec("asg-tag-2", 11, "vpc", DICT_STRING,
              "Value of the second chosen Auto Scaling group tag key. " + _TAG, _TAG_DASH, _tag),
        _spec("interface-type", 11, "vpc", DICT_STRING,
              "Type of the recording interface (nat_gateway, vpc_endpoint, ...; an open set, "
              "values unconfirmed).", "unknown (unconfirmed)", d.decode_interface_type),
        _spec("next-hop-interface-id", 11, "vpc", DICT_STRING,
              "ENI ID of the next hop. " + _NEXT_HOP, _NEXT_HOP_DASH),
        _spec("next-hop-subnet-id", 11, "vpc", DICT_STRING,
              "Subnet of the next-hop ENI. " + _NEXT_HOP, _NEXT_HOP_DASH),
        _spec("next-hop-az-id", 11, "vpc", DICT_STRING,
              "AZ ID of the next-hop ENI; compare with az-id to spot cross-AZ traffic. "
              + _NEXT_HOP, _NEXT_HOP_DASH),
        _spec("next-hop-vpc-id", 11, "vpc", DICT_STRING,
              "VPC of the next-hop ENI. " + _NEXT_HOP, _NEXT_HOP_DASH),
        _spec("next-hop-interface-type", 11, "vpc", DICT_STRING,
              "Type of the next-hop ENI (regional_nat_gateway, network_load_balancer, ...; an "
              "open set). " + _NEXT_HOP, _NEXT_HOP_DASH, d.decode_interface_type),
    )
}

#: The integer columns that can never be below zero: every signed (int64) field is a count
#: (packets, bytes, the Transit Gateway's packets-lost-*) or a time in Unix seconds (start,
#: end); AWS documents each as a number of packets or bytes or as seconds since the epoch. A
#: negative value is a bad line, not a record (Arrow's reader would take "-3" as -3).
NON_NEGATIVE: frozenset[str] = frozenset(
    name for name, s in FIELDS.items() if s.arrow_type == INT64)
TGW_FIELDS: frozenset[str] = frozenset(name for name, s in FIELDS.items() if s.family == "tgw")
VPC_ONLY_FIELDS: frozenset[str] = frozenset(
    name for name, s in FIELDS.items() if s.family == "vpc"
)

#: The fields that hold an IP address: compared as addresses and networks by the filter, named
#: by the names layer (one set, so the two cannot disagree about ``pkt-srcaddr``).
ADDRESS_FIELDS = frozenset({"srcaddr", "dstaddr", "pkt-srcaddr", "pkt-dstaddr"})


def arrow_type(name: str) -> pa.DataType:
    """The column type for a field; unknown names are kept as (dictionary) strings."""
    spec = FIELDS.get(name)
    return spec.arrow_type if spec else DICT_STRING


def is_integer(name: str) -> bool:
    return bool(pa.types.is_integer(arrow_type(name)))


def canonical_name(name: str) -> str:
    """The catalogue's spelling of a known field, whoever wrote it: Parquet, Athena and
    Vector write ``log_status``, some tools ``Log-Status``. Unknown names stay as given."""
    hyphenated = name.strip().lower().replace("_", "-")
    return hyphenated if hyphenated in FIELDS else name.strip()


def detect_family(columns: Iterable[str]) -> str:
    """``"vpc"``, ``"tgw"`` or ``"unknown"`` from a column list (reference §7).

    The S3 key can't tell the two apart, so the columns decide: Transit Gateway-only fields
    mean TGW, VPC-only fields mean VPC. Columns shared by both (``srcaddr``, ``bytes``...)
    decide nothing, and a list with both kinds is not a format AWS writes: "unknown".
    """
    names = {canonical_name(column) for column in columns}
    tgw = bool(names & TGW_FIELDS)
    vpc = bool(names & VPC_ONLY_FIELDS)
    if tgw and not vpc:
        return "tgw"
    if vpc and not tgw:
        return "vpc"
    return "unknown"


def record_family(record: Mapping[str, object]) -> str:
    """``"vpc"``, ``"tgw"`` or ``"unknown"`` for one record: its ``resource-type`` value
    (``TransitGateway…``) first, then the columns it has values in (``detect_family``)."""
    resource_type = record.get("resource-type")
    if isinstance(resource_type, str) and resource_type.startswith("TransitGateway"):
        return "tgw"
    return detect_family(name for name, value in record.items() if value is not None)


#: Fields that describe a flow: on a NODATA or SKIPDATA row there is none, so their '-' is the
#: row's (reference §3.1, §3.2, §5.5: "The row has '-' in srcaddr…bytes and action"; the later
#: per-flow fields likewise have no flow to describe there).
FLOW_FIELDS: frozenset[str] = frozenset({
    "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes", "action",
    "tcp-flags", "type", "pkt-srcaddr", "pkt-dstaddr", "pkt-src-aws-service",
    "pkt-dst-aws-service", "flow-direction", "traffic-path", "reject-reason",
    "encryption-status", "packets-lost-no-route", "packets-lost-blackhole",
    "packets-lost-mtu-exceeded", "packets-lost-ttl-expired",
})
#: What a NODATA or SKIPDATA row is (reference §3.2), said where a '-' on it is explained.
STATUS_ROW_DASH: dict[str, str] = {
    "NODATA": "NODATA row (no traffic in the interval)",
    "SKIPDATA": "SKIPDATA row (records were skipped in the interval: capacity limit or "
                "internal error)",
}


def dash_meaning(name: str, family: str = "unknown", log_status: object = None) -> str:
    """What a '-' in field ``name`` means, said of its record: on a log-status OK row only
    the causes a real flow can have; on a NODATA or SKIPDATA row a
    flow field's '-' is the row's (no traffic, records skipped), not an "unknown" value; a
    field whose '-' otherwise reads "unknown" names the row and says no more than AWS does.
    Elsewhere it is the catalogue's words (a Transit Gateway record's where they differ)."""
    spec = FIELDS.get(canonical_name(name))
    if spec is None:
        return ""
    base = spec.dash_means_in(family)
    if log_status == "OK" and base.startswith(_FLOW_DASH):
        # A row with a flow: the NODATA/SKIPDATA reason is not this '-''s, only what follows
        # it ("; also …", "; otherwise …"), else AWS's general "not applicable or could
        # not be computed" (a BPA record's bytes '-' is not a NODATA row).
        _, _, rest = base[len(_FLOW_DASH):].partition("; ")
        for word in ("also ", "otherwise "):
            rest = rest.removeprefix(word)
        return rest or NO_VALUE
    row = STATUS_ROW_DASH.get(log_status) if isinstance(log_status, str) else None
    if row is None:
        return base
    if spec.name in FLOW_FIELDS:
        return f"{row}, so no flow to describe"
    if base.startswith("unknown"):
        return f"{row}; why {spec.name} is '-' on such a row is not documented"
    return base


_TOKEN = re.compile(r"\$\{([^}]*)\}")


def parse_field_list(spec: str) -> list[str]:
    """Fields from a LogFormat string (``${a} ${b}``) or a plain list (``a b`` / ``a,b``)."""
    names = _TOKEN.findall(spec) if "${" in spec else re.split(r"[\s,]+", spec)
    fields = [canonical_name(name) for name in names if name.strip()]
    if not fields:
        raise ValueError(f"no field names in {spec!r}")
    return fields
