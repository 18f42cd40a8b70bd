"""Explain one record: every field with its raw text, its meaning, and what follows from it.

Pure core code: the detail panel, ``cat --explain`` and the tests all use it. A flow-log
record is easy to misread (``-`` is not 0, tcp-flags 0 is not "not TCP", srcaddr may be a NAT
gateway, SKIPDATA hides lost flows), so the explanation carries derived facts and warnings
beside the decoded values. Facts follow shared/reference/flow-log-format.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial

from flowtui.decoders import (
    ACK,
    MILLISECONDS_THRESHOLD,
    PORT_PROTOCOLS,
    SYN,
    WELL_KNOWN_PORTS,
    as_int,
    counted,
    decode_port,
    display_value,
    protocol_name,
)
from flowtui.fields import (
    FIELDS,
    NO_VALUE,
    canonical_name,
    dash_meaning,
    detect_family,
    record_family,
)

__all__ = ["ExplainRow", "Explanation", "display_value", "explain"]

TCP = 6
_PORT_FIELDS = ("srcport", "dstport")
_UNKNOWN_FIELD = "not a catalogued flow-log field; shown as is"
_NO_VALUE = f"no value: {NO_VALUE}"
_AZ_ID_FIELDS = ("az-id", "tgw-src-az-id", "tgw-dst-az-id", "next-hop-az-id")
# An AZ name is a Region name plus a letter (us-east-1a) or a zone suffix (us-west-2-lax-1a);
# an AZ ID starts with the Region's short code instead (use1-az4, usw2-lax1-az1).
_AZ_NAME = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d+(?:[a-z]|-[a-z0-9-]+)")
_FAMILY_NAMES = {
    "vpc": "VPC flow-log record",
    "tgw": "Transit Gateway flow-log record",
    "unknown": "flow-log record (its columns don't say whether VPC or Transit Gateway)",
}


@dataclass(frozen=True)
class ExplainRow:
    field: str
    raw: str  # literally what the file said; "-" for None
    decoded: str
    meaning: str


@dataclass
class Explanation:
    rows: list[ExplainRow] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    family: str = "unknown"  # "vpc", "tgw" or "unknown"


def explain(record: Mapping[str, object]) -> Explanation:
    """Rows in the record's column order, then derived facts and warnings."""
    values = {canonical_name(name): value for name, value in record.items()}
    family = _family(values)
    result = Explanation(family=family)
    protocol = values.get("protocol")
    status = values.get("log-status")
    result.rows = [_row(name, value, family, protocol, status)
                   for name, value in record.items()]
    result.facts.append(("record", _FAMILY_NAMES[family]))
    _status(values, family, result)
    _times(values, result)
    _volume(values, result)
    _sides(values, family, result)
    _addresses(values, result)
    _tcp(values, result)
    _ports(values, result)
    _tgw_drops(values, result)
    _consistency(values, result)
    _zones(values, result)
    return result


# --------------------------------------------------------------------------- rows


def _raw(value: object) -> str:
    return "-" if value is None else str(value)


def _row(name: str, value: object, family: str, protocol: object = None,
         status: object = None) -> ExplainRow:
    """One field's row; ``protocol`` (the record's) says what a port of 0 means, its
    ``status`` (log-status) what a '-' on a NODATA or SKIPDATA row is."""
    spec = FIELDS.get(canonical_name(name))
    raw = _raw(value)
    decoder = None
    if spec is None:
        meaning = _UNKNOWN_FIELD
    else:
        meaning = spec.meaning_in(family)
        decoder = spec.decoder_in(family)
        if spec.name in _PORT_FIELDS:
            decoder = partial(decode_port, protocol=protocol)
    if raw == "":
        decoded = "empty value (not '-'; nothing to decode)"
    elif spec is None:
        decoded = raw
    elif value is None:
        dash = dash_meaning(spec.name, family, status)
        decoded = f"no value: {dash}" if dash else _NO_VALUE
    elif decoder is None:
        decoded = raw
    else:
        try:
            decoded = decoder(value) or raw
        except Exception:  # a decoder bug must never hide the value itself
            decoded = raw
    return ExplainRow(name, raw, decoded, meaning)


def _family(values: Mapping[str, object]) -> str:
    """The record's own values decide (``record_family``): a row read from a store holding
    VPC and Transit Gateway objects has the other format's columns too, all None, which
    would make its columns say "unknown" and its words the VPC guide's. Only when no value
    decides do the columns."""
    family = record_family(values)
    return family if family != "unknown" else detect_family(values)


# --------------------------------------------------------------------------- facts


def _seconds(value: object) -> tuple[float, bool] | None:
    number = as_int(value)
    if number is None or number < 0:
        return None
    millis = number > MILLISECONDS_THRESHOLD
    return (number / 1000 if millis else float(number)), millis


def _duration_text(seconds: float) -> str:
    whole = f"{seconds:g} s"
    if seconds < 60:
        return whole
    minutes, rest = divmod(seconds, 60)
    tail = f" {rest:g} s" if rest else ""
    return f"{whole} ({int(minutes)} min{tail})"


def _bit_rate(bits_per_second: float) -> str:
    for unit, scale in (("Gbit/s", 1e9), ("Mbit/s", 1e6), ("kbit/s", 1e3)):
        if bits_per_second >= scale:
            return f"{bits_per_second / scale:.1f} {unit}"
    return f"{bits_per_second:.1f} bit/s"


def _status(values: Mapping[str, object], family: str, out: Explanation) -> None:
    """NODATA and SKIPDATA said of where they were recorded: a VPC record's interface; a
    Transit Gateway flow log's transit gateway or attachment (it names no interface, and has
    no action to deny with)."""
    status = values.get("log-status")
    tgw = family == "tgw"
    if status == "NODATA":
        out.warnings.append(
            "NODATA: the transit gateway or attachment the flow log is for had no traffic "
            "during this interval; this row is not a flow" if tgw else
            "NODATA: the interface had no traffic during this interval; this row is not a "
            "flow and not denied traffic"
        )
    elif status == "SKIPDATA":
        where = "this" if tgw else "this interface and"
        out.warnings.append(
            "SKIPDATA: records were lost in this interval (capacity limit or internal error); "
            f"one row can stand for many flows, so totals for {where} interval are lower "
            "bounds"
        )


def _times(values: Mapping[str, object], out: Explanation) -> None:
    start, end = _seconds(values.get("start")), _seconds(values.get("end"))
    for name, parsed in (("start", start), ("end", end)):
        if parsed and parsed[1]:
            out.warnings.append(
                f"{name} is above 2^31 and was read as milliseconds, not seconds"
            )
    if start is None or end is None:
        return
    duration = end[0] - start[0]
    if duration < 0:
        out.warnings.append(
            f"end is before start by {_duration_text(-duration)}: a data-quality problem in "
            "this record; its duration and rate are unknown"
        )
        return
    note = " (first and last packet within the same second)" if duration == 0 else ""
    out.facts.append(("duration", f"{_duration_text(duration)}, end - start{note}"))


def _volume(values: Mapping[str, object], out: Explanation) -> None:
    packets, size = as_int(values.get("packets")), as_int(values.get("bytes"))
    if packets and size is not None and packets > 0:
        out.facts.append(("bytes/packet", f"{size / packets:,.1f}"))
    start, end = _seconds(values.get("start")), _seconds(values.get("end"))
    if size is None or start is None or end is None:
        return
    duration = end[0] - start[0]
    if duration > 0:
        out.facts.append((
            "rate",
            f"{_bit_rate(size * 8 / duration)} ({counted(size, 'bytes')} over "
            f"{_duration_text(duration)}; approximate: start/end are first/last packet times "
            "within the interval)",
        ))
    elif duration == 0:
        out.facts.append(("rate", "not computable: start equals end"))


def _sides(values: Mapping[str, object], family: str, out: Explanation) -> None:
    direction = values.get("flow-direction")
    if family == "tgw":
        attachment, gateway = values.get("tgw-attachment-id"), values.get("tgw-id")
        at = (f"transit gateway attachment {attachment}" if attachment is not None
              else f"transit gateway {gateway}" if gateway is not None
              else "the transit gateway")
        if direction in ("ingress", "egress"):
            out.facts.append(("recording side", f"{direction} at {at}"))
        return
    where = values.get("interface-id") or values.get("resource-id") or "the recording interface"
    if values.get("interface-id") is None and str(values.get("resource-id", "")).startswith(
        "nat-"
    ):
        out.facts.append(("recorded on", f"regional NAT gateway {values['resource-id']}"))
    if direction == "egress":
        out.facts.append((
            "recording side",
            f"{where} sent this traffic: it is the source side (srcaddr "
            f"{_raw(values.get('srcaddr'))})",
        ))
    elif direction == "ingress":
        out.facts.append((
            "recording side",
            f"{where} received this traffic: it is the destination side (dstaddr "
            f"{_raw(values.get('dstaddr'))})",
        ))


def _addresses(values: Mapping[str, object], out: Explanation) -> None:
    pairs = (("srcaddr", "pkt-srcaddr"), ("dstaddr", "pkt-dstaddr"))
    compared = differed = 0
    for outer, inner in pairs:
        seen, original = values.get(outer), values.get(inner)
        if seen is None or original is None:
            continue
        compared += 1
        if str(seen) == str(original):
            continue
        differed += 1
        if outer == "srcaddr":
            text = (
                f"srcaddr {seen} is an intermediate hop (NAT gateway, Transit Gateway "
                f"interface, load balancer, or node IP of a pod); the original source is "
                f"pkt-srcaddr {original}"
            )
        else:
            text = (
                f"dstaddr {seen} is an intermediate hop or this interface's primary private "
                f"IP; the final destination is pkt-dstaddr {original}"
            )
        out.facts.append(("intermediate hop", text))
    if compared and not differed:
        out.facts.append((
            "endpoints",
            "srcaddr/dstaddr match pkt-srcaddr/pkt-dstaddr: no address rewriting seen here",
        ))


def _tcp(values: Mapping[str, object], out: Explanation) -> None:
    flags, protocol = as_int(values.get("tcp-flags")), as_int(values.get("protocol"))
    if flags is None:
        return
    if protocol is not None and protocol != TCP:
        if flags:
            out.warnings.append(
                f"tcp-flags is {flags} on a {protocol_name(protocol)} record: TCP flags mean "
                "nothing for this protocol"
            )
        return
    if _family(values) == "tgw":
        # The SYN / SYN-ACK initiator rule is the VPC guide's (its TCP flag examples); the
        # Transit Gateway guide documents the flags but no such rule, so none is drawn here.
        return
    # A REJECTed SYN opened nothing: "opened" would read as a connection that was made.
    rejected = values.get("action") == "REJECT"
    if flags & SYN and not flags & ACK:
        out.facts.append((
            "initiator",
            f"the source ({_raw(values.get('srcaddr'))}) "
            + ("tried to open the TCP connection (SYN seen), and these packets were REJECTed"
               if rejected else "opened the TCP connection (SYN seen)"),
        ))
    elif flags & SYN and flags & ACK:
        out.facts.append((
            "initiator",
            f"the destination ({_raw(values.get('dstaddr'))}) opened the TCP connection; this "
            "record is the server's reply (SYN-ACK seen)"
            + (", REJECTed: the handshake did not complete here" if rejected else ""),
        ))


def _ports(values: Mapping[str, object], out: Explanation) -> None:
    if as_int(values.get("protocol")) not in PORT_PROTOCOLS:
        return
    src, dst = as_int(values.get("srcport")), as_int(values.get("dstport"))
    src_name, dst_name = WELL_KNOWN_PORTS.get(src or -1), WELL_KNOWN_PORTS.get(dst or -1)
    if dst_name and not src_name:
        out.facts.append(("likely service", f"{dst_name} on the destination (port {dst})"))
    elif src_name and not dst_name:
        out.facts.append((
            "likely service",
            f"{src_name} on the source (port {src}): probably a reply record",
        ))


def _tgw_drops(values: Mapping[str, object], out: Explanation) -> None:
    reasons = ("no-route", "blackhole", "mtu-exceeded", "ttl-expired")
    lost = {reason: as_int(values.get(f"packets-lost-{reason}")) or 0 for reason in reasons}
    if any(count > 0 for count in lost.values()):
        detail = ", ".join(f"{r} {n:,}" for r, n in lost.items() if n > 0)
        out.warnings.append(f"the transit gateway dropped packets of this flow: {detail}")


def _consistency(values: Mapping[str, object], out: Explanation) -> None:
    direction, path = values.get("flow-direction"), values.get("traffic-path")
    if direction == "ingress" and path is not None:
        out.warnings.append(
            f"traffic-path is {path} on an ingress record; AWS documents it for egress only"
        )
    if values.get("log-status") in ("NODATA", "SKIPDATA") and values.get("action") is not None:
        out.warnings.append(
            f"action is {values['action']} on a {values['log-status']} row, where AWS writes "
            "'-': this record does not look like AWS output"
        )
    here, there = values.get("az-id"), values.get("next-hop-az-id")
    if here is not None and there is not None and here != there:
        out.facts.append((
            "cross-AZ",
            f"the next hop is in {there}, this interface in {here}: traffic crosses "
            "Availability Zones (inter-AZ data transfer)",
        ))
    if values.get("reject-reason") == "BPA" and values.get("bytes") is None:
        out.facts.append(("bytes", "Block Public Access records carry no byte count"))
    version = as_int(values.get("version"))
    highest = max(
        (FIELDS[name].version for name in values if name in FIELDS), default=None
    )
    if version is not None and highest is not None and version < highest:
        out.warnings.append(
            f"version is {version} but the columns include version-{highest} fields; AWS "
            "writes the highest field version, so this data may be synthetic or altered"
        )


def _zones(values: Mapping[str, object], out: Explanation) -> None:
    """AZ IDs are not AZ names, and sublocation traffic has none (reference §2.3, §3.8, §7)."""
    for name in _AZ_ID_FIELDS:
        value = values.get(name)
        if isinstance(value, str) and _AZ_NAME.fullmatch(value):
            out.warnings.append(
                f"{name} is {value}, an AZ name where AWS writes an AZ ID (like use1-az4); "
                "AZ names map to different zones in different accounts, so this record "
                "does not look like AWS output"
            )
    here = values.get("az-id")
    place = [str(values[n]) for n in ("sublocation-type", "sublocation-id")
             if values.get(n) is not None]
    if here is not None and place:
        out.warnings.append(
            f"az-id is {here} on traffic from a sublocation ({' '.join(place)}), where AWS "
            "writes '-' in az-id: this record does not look like AWS output"
        )
