"""What the detail panel and the story say about names: one line per named field.

``interface-id  web-1 (i-0abc, subnet-0def, sg-web)``; ``srcaddr  db-1 · inventory
(eni-0123)``; ``dstaddr  S3 us-east-1 · AWS IP ranges (52.216.0.0/15)``, and the age of the
inventory the names come from, so a user knows how far to trust them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flowtui.fields import ADDRESS_FIELDS
from flowtui.names.interfaces import InterfaceInfo
from flowtui.names.inventory import describe_age
from flowtui.names.resolve import Names


def inventory_age(names: Names) -> str:
    """``read 3 min ago`` for the oldest inventory, "" without one."""
    if not names.inventories:
        return ""
    oldest = max(inv.age() for inv in names.inventories)
    return f"read {describe_age(oldest)} ago"


#: The fields named in the panel, in the record's own order.
DETAIL_FIELDS = ("interface-id", "srcaddr", "dstaddr", "pkt-srcaddr", "pkt-dstaddr")


def interface_text(info: InterfaceInfo) -> str:
    """``web-1 (i-0abc, subnet-0def, sg-web)``: the name, then what it is and where."""
    parts: list[str] = []
    if info.instance_id and info.instance_id != info.name:
        parts.append(info.instance_id)
    if info.subnet_id:
        parts.append(info.subnet_id)
    parts.extend(info.group_names or info.security_groups)
    return f"{info.name} ({', '.join(parts)})" if parts else info.name


def detail_lines(names: Names, record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, what it is) for each named field of ``record``, then where the names come
    from; empty when nothing in the record has a name."""
    out: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for field in DETAIL_FIELDS:
        value = record.get(field)
        if value is None or value == "-":
            continue
        if field == "interface-id":
            info = names.interface(str(value))
            if info is not None:
                out.append((field, interface_text(info)))
            continue
        if field in ADDRESS_FIELDS and (field[4:] if field.startswith("pkt-") else field,
                                        str(value)) in seen:
            continue  # pkt-srcaddr equal to srcaddr: said once
        seen.add((field, str(value)))
        found = names.address_name(str(value))
        if found is not None:
            out.append((field, f"{found.name} · {found.source} ({found.detail})"))
    if out:
        out.append(("names from", source_text(names)))
    return out


def source_text(names: Names) -> str:
    parts: list[str] = []
    if names.names_file is not None:
        parts.append("names file")
    if names.inventories:
        parts.append(f"EC2 inventory {inventory_age(names)} (R reads it again)")
    if names.ip_ranges is not None:
        parts.append(f"AWS IP ranges {names.ip_ranges_date}".rstrip())
    return ", ".join(parts) or "-"


__all__ = ["DETAIL_FIELDS", "detail_lines", "interface_text", "source_text"]
