"""The two ends of a flow: ports (well-known, ephemeral, §8) and addresses (§4, §9).

Apart from the other decoders because an endpoint is judged by ranges, not by a vocabulary:
a port by the service and ephemeral ranges, an address by the special and reserved networks
(and the AWS addresses whose traffic is never logged).
"""

from __future__ import annotations

import ipaddress

from flowtui.decoders.values import as_int, not_a_number

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

#: IP protocols whose header carries ports: TCP, UDP, SCTP, UDP-Lite (IANA numbers).
PORT_PROTOCOLS = frozenset({6, 17, 132, 136})
_ICMP = frozenset({1, 58})

#: AWS, VPC guide, "Ephemeral ports" (network ACLs): "Many Linux kernels (including the Amazon
#: Linux kernel) use ports 32768-61000" and "Windows Server 2008 and later versions use ports
#: 49152-65535". Both ends inclusive. (Today's upstream kernel default,
#: net.ipv4.ip_local_port_range, is 32768-60999: inside AWS's range, one port shorter.)
LINUX_EPHEMERAL = range(32768, 61001)
WINDOWS_EPHEMERAL = range(49152, 65536)
_LINUX_WORDS = ("the Linux range AWS documents, 32768-61000 (many Linux kernels, the Amazon "
                "Linux kernel among them; the upstream kernel default is 32768-60999)")


def port_service(value: object) -> str | None:
    number = as_int(value)
    return WELL_KNOWN_PORTS.get(number) if number is not None else None


def _zero_port(protocol: object) -> str:
    """Port 0 is "no port" only where the protocol has none (AWS's ICMP records show 0 0);
    for TCP and UDP it is a real port number, one IANA reserves, so a record naming it is
    unusual traffic, not an empty field."""
    number = as_int(protocol)
    if number in PORT_PROTOCOLS:
        return "port 0: reserved (IANA) and not used by normal traffic"
    if number in _ICMP:
        return "0: no port (ICMP has none; AWS's ICMP records show ports 0 0)"
    if number is not None:
        return "0: this protocol's header carries no ports"
    return ("0: no port for ICMP (AWS's ICMP records show 0 0); on TCP or UDP, port 0 is "
            "reserved (IANA) and unusual")


def decode_port(value: object, protocol: object = None) -> str | None:
    """What a port says; ``protocol`` (the record's, when known) decides what 0 means."""
    number = as_int(value)
    if number is None:
        return not_a_number(value)
    if not 0 <= number <= 65535:
        return f"{number} is outside the port range 0-65535; shown as is"
    if number == 0:
        return _zero_port(protocol)
    if number in WELL_KNOWN_PORTS:
        return f"{WELL_KNOWN_PORTS[number]} (well-known service port)"
    if number < 1024:
        return "well-known (system) port range 0-1023; no service name in our table"
    linux, windows = number in LINUX_EPHEMERAL, number in WINDOWS_EPHEMERAL
    if linux and windows:
        return "ephemeral (client) port in both the Linux and Windows ranges"
    if linux:
        return f"ephemeral (client) port in {_LINUX_WORDS}"
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
