"""Decoders: turn one flow-log value into words a network engineer can act on.

Every decoder takes a value as the store holds it (int or str; never None, the caller handles
``-``) and returns a sentence, or None when there is nothing to add. Values outside the
documented sets are described as such and never refused: AWS keeps adding codes, and a tool
that hides an unexpected value hides exactly what the user came to look at.

The facts follow shared/reference/flow-log-format.md (sections noted as §n).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import unquote

# --------------------------------------------------------------------------- helpers


def as_int(value: object) -> int | None:
    """An int from a typed or textual value; None when it isn't one (shown as is instead)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("+-").isascii() and text.lstrip("+-").isdigit():
            return int(text)
    return None


def _not_a_number(value: object) -> str:
    return f"{value!r} is not a number; shown as is"


def _undocumented(value: object) -> str:
    return f"{value} (not a documented value; shown as is)"


def _enum(table: dict[str, str]) -> Callable[[object], str | None]:
    """A decoder for a closed-looking set that still accepts values AWS adds later."""

    def decode(value: object) -> str | None:
        text = str(value)
        if text in table:
            return table[text]
        return _undocumented(text)

    return decode


# --------------------------------------------------------------------------- protocol (§8)

# IANA "Assigned Internet Protocol Numbers": number -> (keyword, protocol). Entries the
# registry leaves without a keyword carry an empty keyword and are shown by number.
PROTOCOLS: dict[int, tuple[str, str]] = {
    0: ("HOPOPT", "IPv6 Hop-by-Hop Option"),
    1: ("ICMP", "Internet Control Message"),
    2: ("IGMP", "Internet Group Management"),
    3: ("GGP", "Gateway-to-Gateway"),
    4: ("IPv4", "IPv4 encapsulation (IP-in-IP)"),
    5: ("ST", "Stream"),
    6: ("TCP", "Transmission Control"),
    7: ("CBT", "Core Based Trees"),
    8: ("EGP", "Exterior Gateway Protocol"),
    9: ("IGP", "any private interior gateway (e.g. Cisco IGRP)"),
    10: ("BBN-RCC-MON", "BBN RCC Monitoring"),
    11: ("NVP-II", "Network Voice Protocol"),
    12: ("PUP", "PARC Universal Packet"),
    13: ("ARGUS", "ARGUS (deprecated)"),
    14: ("EMCON", "EMCON"),
    15: ("XNET", "Cross Net Debugger"),
    16: ("CHAOS", "Chaos"),
    17: ("UDP", "User Datagram"),
    18: ("MUX", "Multiplexing"),
    19: ("DCN-MEAS", "DCN Measurement Subsystems"),
    20: ("HMP", "Host Monitoring"),
    21: ("PRM", "Packet Radio Measurement"),
    22: ("XNS-IDP", "XEROX NS IDP"),
    23: ("TRUNK-1", "Trunk-1"),
    24: ("TRUNK-2", "Trunk-2"),
    25: ("LEAF-1", "Leaf-1"),
    26: ("LEAF-2", "Leaf-2"),
    27: ("RDP", "Reliable Data Protocol"),
    28: ("IRTP", "Internet Reliable Transaction"),
    29: ("ISO-TP4", "ISO Transport Protocol Class 4"),
    30: ("NETBLT", "Bulk Data Transfer Protocol"),
    31: ("MFE-NSP", "MFE Network Services Protocol"),
    32: ("MERIT-INP", "MERIT Internodal Protocol"),
    33: ("DCCP", "Datagram Congestion Control Protocol"),
    34: ("3PC", "Third Party Connect Protocol"),
    35: ("IDPR", "Inter-Domain Policy Routing Protocol"),
    36: ("XTP", "XTP"),
    37: ("DDP", "Datagram Delivery Protocol"),
    38: ("IDPR-CMTP", "IDPR Control Message Transport Protocol"),
    39: ("TP++", "TP++ Transport Protocol"),
    40: ("IL", "IL Transport Protocol"),
    41: ("IPv6", "IPv6 encapsulation (6in4)"),
    42: ("SDRP", "Source Demand Routing Protocol"),
    43: ("IPv6-Route", "Routing Header for IPv6"),
    44: ("IPv6-Frag", "Fragment Header for IPv6"),
    45: ("IDRP", "Inter-Domain Routing Protocol"),
    46: ("RSVP", "Reservation Protocol"),
    47: ("GRE", "Generic Routing Encapsulation"),
    48: ("DSR", "Dynamic Source Routing Protocol"),
    49: ("BNA", "BNA"),
    50: ("ESP", "Encapsulating Security Payload (IPsec)"),
    51: ("AH", "Authentication Header (IPsec)"),
    52: ("I-NLSP", "Integrated Net Layer Security (TUBA)"),
    53: ("SWIPE", "IP with Encryption (deprecated)"),
    54: ("NARP", "NBMA Address Resolution Protocol"),
    55: ("Min-IPv4", "Minimal IPv4 Encapsulation"),
    56: ("TLSP", "Transport Layer Security Protocol (Kryptonet key management)"),
    57: ("SKIP", "SKIP"),
    58: ("IPv6-ICMP", "ICMP for IPv6 (ICMPv6)"),
    59: ("IPv6-NoNxt", "No Next Header for IPv6"),
    60: ("IPv6-Opts", "Destination Options for IPv6"),
    61: ("", "any host internal protocol"),
    62: ("CFTP", "CFTP"),
    63: ("", "any local network"),
    64: ("SAT-EXPAK", "SATNET and Backroom EXPAK"),
    65: ("KRYPTOLAN", "Kryptolan"),
    66: ("RVD", "MIT Remote Virtual Disk Protocol"),
    67: ("IPPC", "Internet Pluribus Packet Core"),
    68: ("", "any distributed file system"),
    69: ("SAT-MON", "SATNET Monitoring"),
    70: ("VISA", "VISA Protocol"),
    71: ("IPCV", "Internet Packet Core Utility"),
    72: ("CPNX", "Computer Protocol Network Executive"),
    73: ("CPHB", "Computer Protocol Heart Beat"),
    74: ("WSN", "Wang Span Network"),
    75: ("PVP", "Packet Video Protocol"),
    76: ("BR-SAT-MON", "Backroom SATNET Monitoring"),
    77: ("SUN-ND", "SUN ND PROTOCOL-Temporary"),
    78: ("WB-MON", "WIDEBAND Monitoring"),
    79: ("WB-EXPAK", "WIDEBAND EXPAK"),
    80: ("ISO-IP", "ISO Internet Protocol"),
    81: ("VMTP", "VMTP"),
    82: ("SECURE-VMTP", "SECURE-VMTP"),
    83: ("VINES", "VINES"),
    84: ("TTP", "Transaction Transport Protocol (also IPTM, Internet Protocol Traffic Manager)"),
    85: ("NSFNET-IGP", "NSFNET-IGP"),
    86: ("DGP", "Dissimilar Gateway Protocol"),
    87: ("TCF", "TCF"),
    88: ("EIGRP", "Enhanced Interior Gateway Routing Protocol"),
    89: ("OSPFIGP", "OSPF (Open Shortest Path First)"),
    90: ("Sprite-RPC", "Sprite RPC Protocol"),
    91: ("LARP", "Locus Address Resolution Protocol"),
    92: ("MTP", "Multicast Transport Protocol"),
    93: ("AX.25", "AX.25 Frames"),
    94: ("IPIP", "IP-within-IP Encapsulation Protocol"),
    95: ("MICP", "Mobile Internetworking Control Protocol (deprecated)"),
    96: ("SCC-SP", "Semaphore Communications Sec. Pro."),
    97: ("ETHERIP", "Ethernet-within-IP Encapsulation"),
    98: ("ENCAP", "Encapsulation Header"),
    99: ("", "any private encryption scheme"),
    100: ("GMTP", "GMTP"),
    101: ("IFMP", "Ipsilon Flow Management Protocol"),
    102: ("PNNI", "PNNI over IP"),
    103: ("PIM", "Protocol Independent Multicast"),
    104: ("ARIS", "ARIS"),
    105: ("SCPS", "SCPS"),
    106: ("QNX", "QNX"),
    107: ("A/N", "Active Networks"),
    108: ("IPComp", "IP Payload Compression Protocol"),
    109: ("SNP", "Sitara Networks Protocol"),
    110: ("Compaq-Peer", "Compaq Peer Protocol"),
    111: ("IPX-in-IP", "IPX in IP"),
    112: ("VRRP", "Virtual Router Redundancy Protocol"),
    113: ("PGM", "PGM Reliable Transport Protocol"),
    114: ("", "any 0-hop protocol"),
    115: ("L2TP", "Layer Two Tunneling Protocol v3"),
    116: ("DDX", "D-II Data Exchange"),
    117: ("IATP", "Interactive Agent Transfer Protocol"),
    118: ("STP", "Schedule Transfer Protocol"),
    119: ("SRP", "SpectraLink Radio Protocol"),
    120: ("UTI", "UTI"),
    121: ("SMP", "Simple Message Protocol"),
    122: ("SM", "Simple Multicast Protocol (deprecated)"),
    123: ("PTP", "Performance Transparency Protocol"),
    124: ("ISIS over IPv4", "IS-IS over IPv4"),
    125: ("FIRE", "FIRE"),
    126: ("CRTP", "Combat Radio Transport Protocol"),
    127: ("CRUDP", "Combat Radio User Datagram"),
    128: ("SSCOPMCE", "SSCOPMCE"),
    129: ("IPLT", "IPLT"),
    130: ("SPS", "Secure Packet Shield"),
    131: ("PIPE", "Private IP Encapsulation within IP"),
    132: ("SCTP", "Stream Control Transmission Protocol"),
    133: ("FC", "Fibre Channel"),
    134: ("RSVP-E2E-IGNORE", "RSVP-E2E-IGNORE"),
    135: ("Mobility Header", "Mobility Header (IPv6)"),
    136: ("UDPLite", "Lightweight User Datagram Protocol"),
    137: ("MPLS-in-IP", "MPLS in IP"),
    138: ("manet", "MANET Protocols"),
    139: ("HIP", "Host Identity Protocol"),
    140: ("Shim6", "Shim6 Protocol"),
    141: ("WESP", "Wrapped Encapsulating Security Payload"),
    142: ("ROHC", "Robust Header Compression"),
    143: ("Ethernet", "Ethernet (SRv6)"),
    144: ("AGGFRAG", "AGGFRAG encapsulation payload for ESP"),
    145: ("NSH", "Network Service Header"),
    146: ("Homa", "Homa transport protocol"),
    147: ("BIT-EMU", "Bit-stream Emulation"),
    253: ("", "use for experimentation and testing (RFC 3692)"),
    254: ("", "use for experimentation and testing (RFC 3692)"),
    255: ("Reserved", "reserved"),
}

# Numbers worth a sentence about what they mean inside a VPC (§8).
_PROTOCOL_NOTES: dict[int, str] = {
    1: "ping and errors; AWS records show ports 0 0",
    6: "the only protocol for which tcp-flags means anything",
    17: "DNS to your own resolvers is logged; Amazon DNS is never logged",
    47: "e.g. Transit Gateway Connect, network appliances",
    50: "IPsec payload (VPN appliances)",
    58: "the IPv6 counterpart of ICMP",
}


def protocol_name(value: object) -> str:
    """The IANA keyword (``TCP``), or the number itself where the registry has no keyword."""
    number = as_int(value)
    if number is None:
        return str(value)
    keyword = PROTOCOLS.get(number, ("", ""))[0]
    return keyword or str(number)


def decode_protocol(value: object) -> str | None:
    number = as_int(value)
    if number is None:
        return _not_a_number(value)
    if not 0 <= number <= 255:
        return f"{number} is outside the IP protocol range 0-255; shown as is"
    if number not in PROTOCOLS:
        return f"{number} (unassigned IP protocol number)"
    keyword, title = PROTOCOLS[number]
    text = f"{keyword} ({title})" if keyword else f"{number} ({title})"
    note = _PROTOCOL_NOTES.get(number)
    return f"{text}; {note}" if note else text


# --------------------------------------------------------------------------- tcp-flags (§3.6)

# In the order people say them ("SYN-ACK", "SYN+FIN"), not bit order.
TCP_FLAG_BITS: tuple[tuple[int, str], ...] = (
    (2, "SYN"),
    (16, "ACK"),
    (1, "FIN"),
    (4, "RST"),
    (8, "PSH"),
    (32, "URG"),
)
SYN, ACK, FIN = 2, 16, 1


def tcp_flag_names(value: object) -> list[str]:
    """The names of the set bits; bits above URG as hex (never dropped)."""
    number = as_int(value)
    if number is None or number < 0:
        return []
    names = [name for bit, name in TCP_FLAG_BITS if number & bit]
    extra = number & ~0x3F
    if extra:
        names.append(f"0x{extra:X}")
    return names


def decode_tcp_flags(value: object) -> str | None:
    number = as_int(value)
    if number is None:
        return _not_a_number(value)
    if number < 0:
        return f"{number} is not a valid flag bitmask; shown as is"
    if number == 0:
        return (
            "no supported flag (FIN, SYN, RST, SYN-ACK) seen in the interval; "
            "0 does NOT mean 'not TCP' (ACK- or PSH-only traffic shows 0)"
        )
    parts: list[str] = []
    if number & SYN and number & ACK:
        parts.append("SYN-ACK")
        rest = number & ~(SYN | ACK)
    else:
        rest = number
    parts += tcp_flag_names(rest)
    text = " + ".join(parts)
    notes: list[str] = []
    if len(parts) > 1:
        notes.append("flags OR-ed over the interval, not one packet")
    if number & SYN and not number & ACK:
        notes.append("SYN: this record's source started the connection")
    elif number & SYN and number & ACK:
        notes.append("SYN-ACK: this record's source is the server replying")
    if number & ~0x3F:
        notes.append("bits above URG are undocumented")
    return f"{text} ({'; '.join(notes)})" if notes else text


def display_tcp_flags(value: object) -> str:
    """Cell text: ``SYN,ACK``; 0 stays ``0`` because it names no flag rather than no TCP."""
    number = as_int(value)
    if number is None or number <= 0:
        return str(value)
    return ",".join(tcp_flag_names(number))


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
        return _not_a_number(value)
    if number in TRAFFIC_PATHS:
        return f"egress {TRAFFIC_PATHS[number][1]}"
    return _undocumented(number)


decode_action = _enum({
    "ACCEPT": "accepted: security groups and network ACLs allowed the traffic",
    "REJECT": (
        "rejected: usually a security group or network ACL, but packets arriving after the "
        "connection closed are REJECT too (see reject-reason for Block Public Access)"
    ),
})

decode_log_status = _enum({
    "OK": "logging status OK: data is logged normally (this is not the reason for the action)",
    "NODATA": "logging status NODATA: no traffic in or out of the interface during the interval",
    "SKIPDATA": (
        "logging status SKIPDATA: records were skipped in this interval (capacity limit or "
        "internal error); one row can stand for many lost flows"
    ),
})

decode_type = _enum({
    "IPv4": "IPv4 traffic",
    "IPv6": "IPv6 traffic",
    "EFA": "Elastic Fabric Adapter traffic (OS-bypass HPC/ML interconnect)",
})

decode_flow_direction = _enum({
    "ingress": "ingress: into the interface where the traffic was recorded",
    "egress": "egress: out of the interface where the traffic was recorded",
})

decode_sublocation_type = _enum({
    "wavelength": "Wavelength Zone",
    "outpost": "AWS Outposts",
    "localzone": "Local Zone",
})

decode_reject_reason = _enum({
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
        return _not_a_number(value)
    if number in ENCRYPTION_STATUS:
        text = ENCRYPTION_STATUS[number][1]
        if number in (2, 3):
            text += " (for VPC endpoints AWS assumes it for TCP/443 rather than inspecting)"
        return text
    return _undocumented(number)


decode_resource_type = _enum({
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
        return "unknown: an AWS service created the interface (e.g. a VPC endpoint or NLB)"
    if text.isascii() and text.isdigit() and len(text) == 12:
        return f"AWS account {text}"
    if text.isascii() and text.isdigit():
        return f"{text} (not 12 digits: leading zeros may have been lost upstream)"
    return None


def decode_version(value: object) -> str | None:
    number = as_int(value)
    if number is None:
        return _not_a_number(value)
    return (
        f"format version {number}: the highest version among the format's fields; "
        "it does not say which columns are present"
    )


def counted(number: int, unit: str) -> str:
    """``1 packet``, ``2 packets``: the unit is given in the plural; its first word loses
    the ``s`` for exactly one (``1 packet dropped (no route)``)."""
    if number == 1:
        word, space, rest = unit.partition(" ")
        unit = word.removesuffix("s") + space + rest
    return f"{number:,} {unit}"


def decode_count(unit: str) -> Callable[[object], str | None]:
    def decode(value: object) -> str | None:
        number = as_int(value)
        if number is None:
            return _not_a_number(value)
        return counted(number, unit)

    return decode


def decode_bytes(value: object) -> str | None:
    number = as_int(value)
    if number is None:
        return _not_a_number(value)
    text = counted(number, "bytes")
    return text if abs(number) < 1024 else f"{text} ({binary_size(number)})"


def binary_size(number: int) -> str:
    """A size in words, its unit spelled out: ``6.9 KiB``, ``3.4 MiB`` (where a table cell
    has room only for :func:`human_bytes`' ``6.9K``)."""
    short = human_bytes(number)
    return f"{short} B" if abs(number) < 1024 else f"{short[:-1]} {short[-1]}iB"


def human_bytes(number: int) -> str:
    """Binary multiples with one decimal (``1.2K``, ``3.4M``, ``5.6G``), as ``ls -h`` does."""
    if abs(number) < 1024:
        return str(number)
    amount = float(number)
    for unit in "KMGTPE":
        amount /= 1024
        if abs(round(amount, 1)) < 1024 or unit == "E":
            return f"{amount:.1f}{unit}"
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------- times (§0, §11.8)

MILLISECONDS_THRESHOLD = 2**31


def epoch_to_datetime(value: object) -> tuple[datetime, bool] | None:
    """The UTC time of an epoch value and whether it was read as milliseconds.

    Flow logs use seconds, but millisecond values have been seen in the wild; anything above
    2^31 (a seconds value after 2038) is taken as milliseconds.
    """
    number = as_int(value)
    if number is None or number < 0:
        return None
    millis = number > MILLISECONDS_THRESHOLD
    try:
        moment = datetime.fromtimestamp(number / 1000 if millis else number, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment, millis


def decode_time(value: object) -> str | None:
    parsed = epoch_to_datetime(value)
    if parsed is None:
        if as_int(value) is None:
            return _not_a_number(value)
        return f"{value} is not a valid epoch time; shown as is"
    moment, millis = parsed
    if millis:
        stamp = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return f"{stamp} (UTC; the value was in milliseconds, read as such)"
    return f"{moment.isoformat(timespec='seconds').replace('+00:00', 'Z')} (UTC)"


def display_time(value: object) -> str:
    parsed = epoch_to_datetime(value)
    if parsed is None:
        return str(value)
    return parsed[0].strftime("%Y-%m-%d %H:%M:%S")


# --------------------------------------------------------------------------- ports (§8)

WELL_KNOWN_PORTS: dict[int, str] = {
    20: "FTP-data", 21: "FTP", 22: "SSH", 23: "Telnet", 25: "SMTP", 53: "DNS",
    67: "DHCP-server", 68: "DHCP-client", 69: "TFTP", 80: "HTTP", 88: "Kerberos",
    110: "POP3", 111: "RPC-portmap", 123: "NTP", 135: "MS-RPC", 137: "NetBIOS-NS",
    138: "NetBIOS-DGM", 139: "NetBIOS-SSN", 143: "IMAP", 161: "SNMP", 162: "SNMP-trap",
    179: "BGP", 389: "LDAP", 443: "HTTPS", 445: "SMB", 464: "Kerberos-pw", 465: "SMTPS",
    500: "IKE", 514: "Syslog", 587: "SMTP-submission", 636: "LDAPS", 853: "DNS-over-TLS",
    873: "rsync", 989: "FTPS-data", 990: "FTPS", 993: "IMAPS", 995: "POP3S",
    1194: "OpenVPN", 1433: "MSSQL", 1521: "Oracle", 1701: "L2TP", 1812: "RADIUS",
    1813: "RADIUS-acct", 2049: "NFS", 2375: "Docker", 2376: "Docker-TLS", 2379: "etcd",
    2380: "etcd-peer", 3268: "LDAP-GC", 3306: "MySQL", 3389: "RDP", 4500: "IPsec-NAT-T",
    4789: "VXLAN", 5060: "SIP", 5353: "mDNS", 5432: "PostgreSQL", 5439: "Redshift",
    5671: "AMQPS", 5672: "AMQP", 5985: "WinRM", 5986: "WinRM-HTTPS", 6081: "GENEVE",
    6379: "Redis", 6443: "Kubernetes-API", 8080: "HTTP-alt", 8443: "HTTPS-alt",
    9092: "Kafka", 9094: "Kafka-TLS", 9200: "Elasticsearch", 9418: "git",
    10250: "kubelet", 11211: "Memcached", 27017: "MongoDB",
}

LINUX_EPHEMERAL = range(32768, 61000)
WINDOWS_EPHEMERAL = range(49152, 65536)


def port_service(value: object) -> str | None:
    number = as_int(value)
    return WELL_KNOWN_PORTS.get(number) if number is not None else None


def decode_port(value: object) -> str | None:
    number = as_int(value)
    if number is None:
        return _not_a_number(value)
    if not 0 <= number <= 65535:
        return f"{number} is outside the port range 0-65535; shown as is"
    if number == 0:
        return "0: no port (ICMP and other port-less protocols show 0)"
    if number in WELL_KNOWN_PORTS:
        return f"{WELL_KNOWN_PORTS[number]} (well-known service port)"
    if number < 1024:
        return "well-known (system) port range 0-1023; no service name in our table"
    linux, windows = number in LINUX_EPHEMERAL, number in WINDOWS_EPHEMERAL
    if linux and windows:
        return "ephemeral (client) port in both the Linux and Windows ranges"
    if linux:
        return "ephemeral (client) port in the Linux range 32768-60999"
    if windows:
        return "ephemeral (client) port in the Windows range 49152-65535"
    return "registered port 1024-32767 (ephemeral only under AWS NACL guidance 1024-65535)"


# --------------------------------------------------------------------------- addresses (§4, §9)

_SPECIAL_ADDRESSES: dict[ipaddress.IPv4Address | ipaddress.IPv6Address, str] = {
    ipaddress.ip_address("169.254.169.254"): "instance metadata service (IMDS); never logged",
    ipaddress.ip_address("169.254.169.253"): "Amazon DNS resolver; never logged",
    ipaddress.ip_address("169.254.169.123"): "Amazon Time Sync Service; never logged",
    ipaddress.ip_address("fd00:ec2::254"): "instance metadata service (IMDS, IPv6); never logged",
    ipaddress.ip_address("fd00:ec2::253"): "Amazon DNS resolver (IPv6); never logged",
    ipaddress.ip_address("fd00:ec2::123"): "Amazon Time Sync Service (IPv6); never logged",
}

_IPV4_CLASSES: tuple[tuple[ipaddress.IPv4Network, str], ...] = tuple(
    (ipaddress.IPv4Network(net), label)
    for net, label in (
        ("0.0.0.0/8", "'this network' (unspecified)"),
        ("10.0.0.0/8", "private (RFC 1918)"),
        ("100.64.0.0/10", "carrier-grade NAT shared space (RFC 6598)"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private (RFC 1918)"),
        ("192.0.2.0/24", "documentation (TEST-NET-1)"),
        ("192.168.0.0/16", "private (RFC 1918)"),
        ("198.18.0.0/15", "benchmarking (RFC 2544)"),
        ("198.51.100.0/24", "documentation (TEST-NET-2)"),
        ("203.0.113.0/24", "documentation (TEST-NET-3)"),
        ("224.0.0.0/4", "multicast"),
        ("255.255.255.255/32", "limited broadcast"),
        ("240.0.0.0/4", "reserved (class E)"),
    )
)

_IPV6_CLASSES: tuple[tuple[ipaddress.IPv6Network, str], ...] = tuple(
    (ipaddress.IPv6Network(net), label)
    for net, label in (
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("fe80::/10", "link-local"),
        ("fc00::/7", "unique local (ULA, private)"),
        ("ff00::/8", "multicast"),
        ("2001:db8::/32", "documentation"),
        ("64:ff9b::/96", "NAT64 well-known prefix"),
    )
)


def address_class(value: object) -> str | None:
    """What kind of address this is, or None when the value is not an IP address."""
    try:
        address = ipaddress.ip_address(str(value).strip())
    except ValueError:
        return None
    if address in _SPECIAL_ADDRESSES:
        return _SPECIAL_ADDRESSES[address]
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        inner = address_class(address.ipv4_mapped)
        return f"IPv4-mapped IPv6 of {address.ipv4_mapped}: {inner}"
    classes = _IPV4_CLASSES if isinstance(address, ipaddress.IPv4Address) else _IPV6_CLASSES
    for network, label in classes:
        if address in network:
            return label
    if isinstance(address, ipaddress.IPv6Address):
        return "global unicast (public)" if address.is_global else "reserved or special IPv6"
    return "public" if address.is_global else "reserved or special IPv4"


def decode_address(value: object) -> str | None:
    kind = address_class(value)
    if kind is None:
        return f"{value!r} is not an IP address; shown as is"
    version = "IPv6" if ":" in str(value) else "IPv4"
    return f"{version}, {kind}"


# --------------------------------------------------------------------------- cell text


def _display_bytes(value: object) -> str:
    number = as_int(value)
    return human_bytes(number) if number is not None else str(value)


def _display_protocol(value: object) -> str:
    return protocol_name(value)


def _display_port(value: object) -> str:
    service = port_service(value)
    return f"{value} {service}" if service else str(value)


def _display_table(table: dict[int, tuple[str, str]]) -> Callable[[object], str]:
    def show(value: object) -> str:
        number = as_int(value)
        return table[number][0] if number in table else str(value)

    return show


_DISPLAY: dict[str, Callable[[object], str]] = {
    "start": display_time,
    "end": display_time,
    "bytes": _display_bytes,
    "protocol": _display_protocol,
    "tcp-flags": display_tcp_flags,
    "srcport": _display_port,
    "dstport": _display_port,
    "traffic-path": _display_table(TRAFFIC_PATHS),
    "encryption-status": _display_table(ENCRYPTION_STATUS),
}


def display_value(field: str, value: object, decoded: bool) -> str:
    """The short cell text for a table or CSV: raw (``-`` for None) or decoded.

    Decoded cells stay short and sortable by eye (``2024-03-05 14:15:02``, ``TCP``, ``1.2M``,
    ``SYN,ACK``); the detail panel carries the sentences. Times are UTC.
    """
    if value is None:
        return "-"
    if decoded:
        show = _DISPLAY.get(field)
        if show is not None:
            return show(value)
    return str(value)
