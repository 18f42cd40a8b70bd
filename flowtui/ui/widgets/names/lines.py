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
    from, and for a record older than the inventory that its names are the inventory's
    (``OWNERS_NOW``); empty when nothing in the record has a name."""
    out: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    inventory_named = False
    where = names.where(record)
    withheld = False
    for field in DETAIL_FIELDS:
        value = record.get(field)
        if value is None or value == "-":
            continue
        if field == "interface-id":
            info = names.interface(str(value))
            if info is not None:
                out.append((field, interface_text(info)))
                inventory_named = True
            continue
        if field in ADDRESS_FIELDS and (field[4:] if field.startswith("pkt-") else field,
                                        str(value)) in seen:
            continue  # pkt-srcaddr equal to srcaddr: said once
        seen.add((field, str(value)))
        found = names.address_name(str(value), where)
        if found is not None:
            out.append((field, f"{found.name} · {found.source} ({found.detail})"))
            inventory_named = inventory_named or found.source == "inventory"
        held = names.address_name(str(value))
        if held is not None and held.source == "inventory" and (
                found is None or found.source != "inventory"):
            withheld = True  # the inventory has a holder, not one this record is placed by
    if withheld:
        out.append(("not named", NOT_PLACED if where is None else OTHER_VPC))
    if out:
        out.append(("names from", source_text(names)))
        if inventory_named and _older_than_inventory(names, record.get("start")):
            out.append(("names are", OWNERS_NOW))
    return out


#: Why an address the inventory holds is not named on this record (``Names.where``).
NOT_PLACED = ("this record's interface is not in the EC2 inventory (deleted since, or of an "
              "account or region not read): an inventory holder of its addresses now is "
              "not evidence of who held them then")
OTHER_VPC = ("an address here is held in another VPC of the EC2 inventory, not this record's "
             "interface's: private addresses repeat across VPCs")
#: The inventory says who holds an address or interface when it was read. A record older
#: than that may have been someone else's: a released public IPv4 address goes back to
#: Amazon's pool (EC2 User Guide, Elastic IP addresses), a private one to the subnet's next
#: instance. The story says the same of the rules ("today's configuration").
OWNERS_NOW = "as the inventory was read, not at the record's time (addresses change hands)"
#: A record this much older than the inventory's reading gets ``OWNERS_NOW`` (a live tail's
#: records, minutes old, do not).
OLDER_BY = 3600


def _older_than_inventory(names: Names, start: Any) -> bool:
    if not isinstance(start, int) or not names.inventories:
        return False
    read = min(inventory.fetched_at for inventory in names.inventories)
    return start < read - OLDER_BY


def source_text(names: Names) -> str:
    parts: list[str] = []
    if names.names_file is not None:
        parts.append("names file")
    if names.inventories:
        parts.append(f"EC2 inventory {inventory_age(names)} (R reads it again)")
    if names.ip_ranges is not None:
        parts.append(f"AWS IP ranges {names.ip_ranges_date}".rstrip())
    return ", ".join(parts) or "-"


__all__ = ["DETAIL_FIELDS", "NOT_PLACED", "OTHER_VPC", "OWNERS_NOW", "detail_lines",
           "interface_text", "source_text"]
