"""What IP carries: protocol numbers (IANA's registry, §8) and TCP flags (§3.6).

Apart from the other decoders because it is mostly data: the registry's 150 rows, read by the
protocol decoder, the cell text and the filter language's protocol names.
"""

from __future__ import annotations

from flowtui.decoders.values import as_int, not_a_number

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
        return not_a_number(value)
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
        return not_a_number(value)
    if number < 0:
        return f"{number} is not a valid flag bitmask; shown as is"
    if number == 0:
        return (
            "no supported flag (FIN, SYN, RST, SYN-ACK) seen in the interval; "
            "0 does NOT mean 'not TCP' (ACK- or PSH-only traffic shows 0)"
        )
    return _flag_text(number, initiator=True)


def _flag_text(number: int, initiator: bool) -> str:
    """The set flags of a positive bitmask, SYN-ACK named as AWS names 18; ``initiator``
    adds who opened the connection, the VPC guide's reading of 2 and 18."""
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
    if initiator and number & SYN and not number & ACK:
        notes.append("SYN: this record's source started the connection")
    elif initiator and number & SYN and number & ACK:
        notes.append("SYN-ACK: this record's source is the server replying")
    if number & ~0x3F:
        notes.append("bits above URG are undocumented")
    return f"{text} ({'; '.join(notes)})" if notes else text


def decode_tgw_tcp_flags(value: object) -> str | None:
    """A Transit Gateway record's tcp-flags: the same bits, read by its own guide.

    The Transit Gateway guide lists PSH 8, ACK 16 and URG 32 among the flags it records and
    says only that ACK-only traffic shows 0, not 16; the VPC guide's "ACK and PSH are not
    logged" is not its rule (§3.6, §7). With ACK a bit of its own, OR-ed over the interval,
    18 may be a client's SYN and ACK: no initiator is drawn (as explain draws none)."""
    number = as_int(value)
    if number == 0:
        return (
            "no flag recorded in the interval: a flow of only ACK packets shows 0, not 16 "
            "(Transit Gateway guide); 0 does NOT mean 'not TCP'"
        )
    if number is None or number < 0:
        return decode_tcp_flags(value)
    return _flag_text(number, initiator=False)


def display_tcp_flags(value: object) -> str:
    """Cell text: ``SYN,ACK``; 0 stays ``0`` because it names no flag rather than no TCP."""
    number = as_int(value)
    if number is None or number <= 0:
        return str(value)
    return ",".join(tcp_flag_names(number))
