"""The filter's vocabulary: the fields and the values each can hold, and how a word is read.

Apart from the builder (``meaning.py``) and the parser (``expr.py``) because both ask it, and
so do the quick filters (``steps.py``) and the SQL engine: which field a word names (with a
suggestion when none does), which values a field can ever hold (so an impossible one is an
error, not an empty answer), services, protocols and TCP flags by name, and numbers with units.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Iterable
from functools import cache

from flowtui.decoders import PROTOCOLS, TCP_FLAG_BITS, WELL_KNOWN_PORTS
from flowtui.fields import ADDRESS_FIELDS, FIELDS, canonical_name

TIME_FIELDS = frozenset({"start", "end"})
PORT_FIELDS = frozenset({"srcport", "dstport"})
#: Value sets, so ``action = reject`` means ``REJECT`` as AWS spells it.
ENUM_VALUES: dict[str, tuple[str, ...]] = {
    "action": ("ACCEPT", "REJECT"),
    "log-status": ("OK", "NODATA", "SKIPDATA"),
    "flow-direction": ("ingress", "egress"),
    "type": ("IPv4", "IPv6", "EFA"),
    "reject-reason": ("BPA", "EC"),
    "sublocation-type": ("wavelength", "outpost", "localzone"),
    "resource-type": ("TransitGateway", "TransitGatewayAttachment"),
}
#: The fields whose every value AWS documents (reference §3.1-§3.4): any other value cannot
#: occur, so comparing with it is an error with the spellings as a hint, not an empty answer.
#: (``reject-reason``, ``sublocation-type`` and ``resource-type`` stay open: AWS adds values.)
CLOSED_ENUMS = frozenset({"action", "log-status", "flow-direction", "type"})
#: The values an integer field can hold, where narrower than its column type: a number
#: outside them cannot occur (``port 99999``), so it is an error rather than an empty answer.
#: ``traffic-path`` is 1-8 (reference §3.5); counters are never negative.
INTEGER_DOMAINS: dict[str, tuple[int, int, str]] = {
    "srcport": (0, 65535, "a port is 0-65535"),
    "dstport": (0, 65535, "a port is 0-65535"),
    "protocol": (0, 255, "a protocol number is 0-255"),
    "tcp-flags": (0, 255, "tcp-flags is a bitmask of 0-255 (FIN 1 SYN 2 RST 4 PSH 8 ACK 16 "
                          "URG 32)"),
    "traffic-path": (1, 8, "traffic-path is 1-8"),
}
#: Fields AWS writes as resource IDs, a prefix and lower-case letters and digits
#: (``eni-0abc…``, ``vpc-…``, ``i-1234567890abcdef0`` in the EC2 guide's Resource IDs) or an
#: account's 12 digits (or ``unknown``). A human reads ``ENI-0ABC`` as the same ID, so a value
#: typed for one is read in lower case (as ``action = reject`` reads REJECT), where compared
#: as typed it matched nothing by construction.
LOWER_CASE_IDS = frozenset({
    "account-id", "interface-id", "vpc-id", "subnet-id", "instance-id", "resource-id",
    "az-id", "sublocation-id", "next-hop-interface-id", "next-hop-subnet-id",
    "next-hop-vpc-id", "next-hop-az-id", "tgw-id", "tgw-attachment-id",
    "tgw-src-vpc-account-id", "tgw-dst-vpc-account-id", "tgw-src-vpc-id", "tgw-dst-vpc-id",
    "tgw-src-subnet-id", "tgw-dst-subnet-id", "tgw-src-eni", "tgw-dst-eni", "tgw-src-az-id",
    "tgw-dst-az-id", "tgw-pair-attachment-id",
})
#: nfdump's comparators (its filter scanner: eq gt lt ge le), and ne for !=, as words.
OPERATOR_WORDS = {"eq": "=", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
#: Digits a number may have: a value with more cannot fit any column (int64 has 19).
MAX_DIGITS = 24
FLAG_LETTERS = {"F": 1, "S": 2, "R": 4, "P": 8, "A": 16, "U": 32}
FLAG_NAMES = {name: bit for bit, name in TCP_FLAG_BITS}
_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*(k|m|g|t|kib|mib|gib|tib)?$", re.IGNORECASE)
_SIZE_FACTORS = {"k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12,
                 "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


#: Service names as IANA's registry and /etc/services spell them (what pcap's ``port domain``
#: reads), besides the names flowtui shows (``decoders.WELL_KNOWN_PORTS``).
_IANA_SERVICES = {
    "ftp-data": 20, "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "domain": 53,
    "bootps": 67, "bootpc": 68, "tftp": 69, "http": 80, "www": 80, "kerberos": 88,
    "pop3": 110, "sunrpc": 111, "ntp": 123, "epmap": 135, "netbios-ns": 137,
    "netbios-dgm": 138, "netbios-ssn": 139, "imap": 143, "snmp": 161, "snmptrap": 162,
    "bgp": 179, "ldap": 389, "https": 443, "microsoft-ds": 445, "kpasswd": 464,
    "submissions": 465, "isakmp": 500, "syslog": 514, "submission": 587, "ldaps": 636,
    "domain-s": 853, "rsync": 873, "ftps-data": 989, "ftps": 990, "imaps": 993,
    "pop3s": 995, "openvpn": 1194, "ms-sql-s": 1433, "l2tp": 1701, "radius": 1812,
    "radius-acct": 1813, "nfs": 2049, "mysql": 3306, "ms-wbt-server": 3389,
    "ipsec-nat-t": 4500, "sip": 5060, "mdns": 5353, "postgresql": 5432, "amqps": 5671,
    "amqp": 5672, "redis": 6379, "http-alt": 8080,
}


@cache
def services() -> dict[str, int]:
    return {name.lower(): port for port, name in WELL_KNOWN_PORTS.items()} | _IANA_SERVICES


@cache
def protocols() -> dict[str, int]:
    names = {keyword.lower(): number for number, (keyword, _title) in PROTOCOLS.items()
             if keyword}
    # What people type for IANA's IPv6-ICMP, as the bare shorthand does.
    return names | {"icmpv6": 58, "icmp6": 58}


def nearest_field(name: str, known: Iterable[str], cutoff: float = 0.6) -> str | None:
    candidates = {canonical_name(k) for k in known}
    found = difflib.get_close_matches(name.lower().replace("_", "-"), candidates, n=1,
                                      cutoff=cutoff)
    return found[0] if found else None


def resolve_field(name: str, extra: Iterable[str] = ()) -> str | None:
    """The canonical name of a catalogue field (``log_status`` → ``log-status``) or of a
    column the data has (header names outside the catalogue); None when it is neither."""
    canonical = canonical_name(name)
    if canonical in FIELDS:
        return canonical
    for column in extra:
        if column == name or column.lower() == name.lower():
            return column
    return None


def unknown_field_reason(name: str, columns: Iterable[str]) -> str:
    known = list(FIELDS) + list(columns)
    hint = nearest_field(name, known)
    if hint is None and name.lower() in services():
        return f"unknown field {name!r} (did you mean 'port {name}'?)"
    return f"unknown field {name!r}" + (f" (did you mean {hint!r}?)" if hint else "")


def is_address(text: str) -> bool:
    """Whether ``text`` is one IPv4 or IPv6 address (``host`` takes nothing else)."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def refused_by_equals(field: str, text: str) -> bool:
    """Whether ``field = text`` is refused as a value AWS never writes there (a word for an
    address, ``action = rejected``): damaged data holds such values anyway, and a filter made
    from one (a quick filter, a top-N drill-down) matches it with an anchored pattern."""
    if field in ADDRESS_FIELDS:
        return not is_address(text)
    if field in CLOSED_ENUMS:
        return text.lower() not in {v.lower() for v in ENUM_VALUES[field]}
    if field in LOWER_CASE_IDS:  # ``= ENI-X`` reads eni-x: damaged text is matched as is
        return text != text.lower()
    return False


def address_hint(text: str, word: str) -> str:
    if any(c in text for c in "*?["):
        return f" (a glob needs a field: srcaddr = {text}; a network: net 10.0.0.0/24)"
    if re.fullmatch(r"[\d.]+", text):
        return " (an IPv4 address is four numbers 0-255: 10.0.0.5)"
    if word.endswith("=") and text == "-":  # how a flow log writes a missing value
        return f" ('-' is a missing value: not {word[:-1]}~ '' keeps the records without one)"
    if word.endswith("="):  # a field: text AWS never writes there is matched by a pattern
        return (f" (for example {word} 10.0.0.5, {word} 10.0.0.0/24; damaged text: "
                f"{word[:-1]}~ '^{re.escape(text)}$')")
    return f" (for example {word} 10.0.0.5 or {word} 2001:db8::5)"


def abbreviated_network(text: str) -> str:
    """pcap's short IPv4 networks: ``172.16/16`` is ``172.16.0.0/16``, and ``net 10`` or
    ``net 192.168.1`` (no mask) are the /8 or /24 their octets name."""
    m = re.fullmatch(r"(\d{1,3}(?:\.\d{1,3}){0,2})(/\d{1,2})?", text.strip())
    if not m:
        return text
    octets = m.group(1).split(".")
    mask = m.group(2) or f"/{8 * len(octets)}"
    return ".".join(octets + ["0"] * (4 - len(octets))) + mask


COUNTERS = frozenset({"packets", "bytes", "start", "end", "packets-lost-no-route",
                       "packets-lost-blackhole", "packets-lost-mtu-exceeded",
                       "packets-lost-ttl-expired"})


def number_hint(text: str) -> str:
    """What ``1MB`` or ``2gb`` should have been: both spellings with their exact values, since
    the app shows sizes in IEC units (``4.7 MiB``) and ``1M`` here is a million."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt])i?b\s*", text, re.IGNORECASE)
    if not m:
        return ""
    number, unit = m.group(1), m.group(2).lower()
    decimal = f"{number}{'k' if unit == 'k' else unit.upper()}"
    binary = f"{number}{unit.upper()}iB"
    values = integer(decimal), integer(binary)
    if None in values:  # 1.0001kb: no whole number of bytes either way; say the units
        decimal, binary = decimal.replace(number, "1", 1), binary.replace(number, "1", 1)
        values = integer(decimal), integer(binary)
    return f" ({decimal} = {values[0]:,}; {binary} = {values[1]:,})"


def integer(text: str) -> int | None:
    """``1500``, ``10k`` (×1000), ``2M`` (2,000,000), ``1.5G``, ``64KiB`` (×1024) …; None if
    not one."""
    m = _SIZE.match(text.strip())
    if not m:
        return None
    number, unit = m.group(1), (m.group(2) or "").lower()
    if len(number) > MAX_DIGITS:
        return 2**64  # beyond every column: refused by the range check with its reason
    factor = _SIZE_FACTORS.get(unit, 1)
    value = float(number) * factor if "." in number else int(number) * factor
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value)
