"""The documented vocabularies of a record (§3): actions, statuses, paths, services, tags.

Apart from the numbers and endpoints because each of these fields has a set of values AWS
documents, and a value outside it is described as such, never refused: AWS keeps adding codes.
"""

from __future__ import annotations

from urllib.parse import unquote

from flowtui.decoders.values import as_int, enum_decoder, not_a_number, undocumented

# --------------------------------------------------------------------------- enums (§3)

TRAFFIC_PATHS: dict[int, tuple[str, str]] = {
    1: ("same VPC", "through another resource in the same VPC (including service ENIs in it)"),
    2: ("IGW or gw endpoint", "through an internet gateway or a gateway VPC endpoint "
        "(not distinguished)"),
    3: ("VGW", "through a virtual private gateway (VPN / Direct Connect side)"),
    4: ("peering", "through a VPC peering connection in the same Region"),
    5: ("peering x-region", "through a VPC peering connection to another Region"),
    6: ("local gateway", "through a local gateway (see docs: which gateway is not pinned "
        "down, and AWS says Outposts local-gateway flows show the same-VPC value 1 instead)"),
    7: ("gw endpoint", "through a gateway VPC endpoint (S3 or DynamoDB); Nitro instances only"),
    8: ("IGW", "through an internet gateway; Nitro instances only"),
}


def decode_traffic_path(value: object) -> str | None:
    number = as_int(value)
    if number is None:
        return not_a_number(value)
    if number in TRAFFIC_PATHS:
        return f"egress {TRAFFIC_PATHS[number][1]}"
    return undocumented(number)


decode_action = enum_decoder({
    "ACCEPT": "accepted: security groups and network ACLs allowed the traffic",
    "REJECT": (
        "rejected: usually a security group or network ACL, but packets arriving after the "
        "connection closed are REJECT too (see reject-reason for Block Public Access)"
    ),
})

_LOG_SKIPDATA = (
    "logging status SKIPDATA: records were skipped in this interval (capacity limit or "
    "internal error); one row can stand for many lost flows"
)
_LOG_OK = "logging status OK: data is logged normally"

decode_log_status = enum_decoder({
    "OK": _LOG_OK + " (this is not the reason for the action)",
    "NODATA": "logging status NODATA: no traffic in or out of the interface during the interval",
    "SKIPDATA": _LOG_SKIPDATA,
})
# Transit Gateway records have no action (nor reject-reason) to tell it apart from (§7),
# and no interface: a TGW flow log is created on a transit gateway or an attachment (its
# guide's NODATA row, "to or from the network interface", is the VPC guide's wording).
decode_tgw_log_status = enum_decoder({
    "OK": _LOG_OK,
    "NODATA": "logging status NODATA: no network traffic during the interval at the transit "
              "gateway or attachment the flow log is for",
    "SKIPDATA": _LOG_SKIPDATA,
})

decode_type = enum_decoder({
    "IPv4": "IPv4 traffic",
    "IPv6": "IPv6 traffic",
    "EFA": "Elastic Fabric Adapter traffic (OS-bypass HPC/ML interconnect)",
})

decode_flow_direction = enum_decoder({
    "ingress": "ingress: into the interface where the traffic was recorded",
    "egress": "egress: out of the interface where the traffic was recorded",
})

# The Transit Gateway guide gives flow-direction as ingress | egress "with respect to the
# interface where traffic is captured" (the VPC guide's words): a TGW record names no
# interface; tgw-attachment-id is "the transit gateway attachment for which traffic is being
# recorded". Which way ingress points at it (into the transit gateway, or out to the VPC)
# the guide does not say, so neither is claimed.
_TGW_WHERE = "with respect to where the transit gateway recorded it (tgw-attachment-id)"
decode_tgw_flow_direction = enum_decoder({
    "ingress": f"ingress, {_TGW_WHERE}",
    "egress": f"egress, {_TGW_WHERE}",
})

decode_sublocation_type = enum_decoder({
    "wavelength": "Wavelength Zone",
    "outpost": "AWS Outposts",
    "localzone": "Local Zone",
})

decode_reject_reason = enum_decoder({
    "BPA": "blocked by VPC Block Public Access (BPA records carry no bytes)",
    "EC": "rejected by VPC Encryption Controls in enforce mode (unconfirmed in AWS docs)",
})

ENCRYPTION_STATUS: dict[int, tuple[str, str]] = {
    0: ("none", "not encrypted"),
    1: ("Nitro", "Nitro (hardware) encrypted under VPC Encryption Controls"),
    2: ("app", "application-layer encrypted"),
    3: ("Nitro+app", "both Nitro and application-layer encrypted"),
}


def decode_encryption_status(value: object) -> str | None:
    number = as_int(value)
    if number is None:
        return not_a_number(value)
    if number in ENCRYPTION_STATUS:
        text = ENCRYPTION_STATUS[number][1]
        if number in (2, 3):
            text += " (for VPC endpoints AWS assumes it for TCP/443 rather than inspecting)"
        return text
    return undocumented(number)


decode_resource_type = enum_decoder({
    "TransitGateway": "a transit gateway (this is a Transit Gateway flow-log record)",
    "TransitGatewayAttachment": "a transit gateway attachment (Transit Gateway flow-log record)",
})

# §3.7: the 2025 list. Open set: new codes keep appearing, overlapping ranges report one code.
AWS_SERVICES: dict[str, str] = {
    "AMAZON": "Amazon (generic catch-all AWS range)",
    "AMAZON_APPFLOW": "Amazon AppFlow",
    "AMAZON_CONNECT": "Amazon Connect",
    "API_GATEWAY": "Amazon API Gateway",
    "AURORA_DSQL": "Amazon Aurora DSQL",
    "CHIME_MEETINGS": "Amazon Chime meetings",
    "CHIME_VOICECONNECTOR": "Amazon Chime Voice Connector",
    "CLOUD9": "AWS Cloud9",
    "CLOUDFRONT": "Amazon CloudFront",
    "CLOUDFRONT_ORIGIN_FACING": "Amazon CloudFront (origin-facing servers)",
    "CODEBUILD": "AWS CodeBuild",
    "DYNAMODB": "Amazon DynamoDB",
    "EBS": "Amazon EBS",
    "EC2": "Amazon EC2",
    "EC2_INSTANCE_CONNECT": "EC2 Instance Connect",
    "GLOBALACCELERATOR": "AWS Global Accelerator",
    "IVS_LOW_LATENCY": "Amazon IVS low-latency streaming",
    "IVS_REALTIME": "Amazon IVS real-time streaming",
    "KINESIS_VIDEO_STREAMS": "Amazon Kinesis Video Streams",
    "MEDIA_PACKAGE_V2": "AWS Elemental MediaPackage v2",
    "ROUTE53": "Amazon Route 53",
    "ROUTE53_HEALTHCHECKS": "Route 53 health checkers",
    "ROUTE53_HEALTHCHECKS_PUBLISHING": "Route 53 health-check publishing",
    "ROUTE53_RESOLVER": "Route 53 Resolver",
    "S3": "Amazon S3",
    "WORKSPACES_GATEWAYS": "Amazon WorkSpaces gateways",
}


def decode_aws_service(value: object) -> str | None:
    text = str(value)
    name = AWS_SERVICES.get(text)
    if name:
        return f"{name}: the address is in this published AWS IP range"
    return f"{text}: an AWS IP-range code not in our list (new codes appear; shown as is)"


# §2.9, §3.11: reported values only, all unconfirmed; an open set.
INTERFACE_TYPES: dict[str, str] = {
    "nat_gateway": "NAT gateway",
    "regional_nat_gateway": "regional NAT gateway",
    "network_load_balancer": "Network Load Balancer",
    "transit_gateway": "transit gateway attachment",
    "vpc_endpoint": "VPC endpoint",
}


def decode_interface_type(value: object) -> str | None:
    text = str(value)
    if text in INTERFACE_TYPES:
        return f"{INTERFACE_TYPES[text]} (reported value; AWS's list is not confirmed)"
    return f"{text} (interface type as reported; the set is open)"


def decode_tag(value: object) -> str | None:
    """v11 tag values are percent-encoded (reportedly) so they never hold a raw space."""
    text = str(value)
    try:
        plain = unquote(text, errors="strict") if "%" in text else text
    except UnicodeDecodeError:
        return f"{text} (not valid percent-encoded UTF-8; shown as is)"
    if plain != text:
        return f"{plain!r} (percent-decoded)"
    return None


def decode_account_id(value: object) -> str | None:
    text = str(value)
    if text == "unknown":
        return ("unknown: AWS may write this for an interface an AWS service created "
                "(e.g. a VPC endpoint or NLB)")
    return _account_number(text)


def decode_tgw_account_id(value: object) -> str | None:
    """A Transit Gateway record's account: its guide documents no 'unknown' (the VPC guide's
    is about interfaces an AWS service created; a TGW record names none)."""
    text = str(value)
    if text == "unknown":
        return "unknown (the Transit Gateway guide documents no such value)"
    return _account_number(text)


def _account_number(text: str) -> str | None:
    if text.isascii() and text.isdigit() and len(text) == 12:
        return f"AWS account {text}"
    if text.isascii() and text.isdigit():
        return f"{text} (not 12 digits: leading zeros may have been lost upstream)"
    return None


def decode_version(value: object) -> str | None:
    number = as_int(value)
    if number is None:
        return not_a_number(value)
    return (
        f"format version {number}: the highest version among the format's fields; "
        "it does not say which columns are present"
    )
