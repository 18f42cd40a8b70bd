"""A user's own names for networks: a CSV file of ``cidr,name`` lines.

For what no AWS inventory knows: on-premises ranges, partners, VPN peers, a scanner's
address. The narrowest network holding an address names it (``10.0.0.0/8,corp`` and
``10.20.0.0/16,vpn-paris``: 10.20.1.1 is vpn-paris). A bare address is a /32 (or /128).
Blank lines and lines starting with ``#`` are skipped, and a first line ``cidr,name`` is a
header. A line that can't be read stops the load with one line naming it.
"""

from __future__ import annotations

import csv
import ipaddress
from pathlib import Path

from flowtui.names.prefixes import PrefixTable


class NamesFileError(ValueError):
    """The names file can't be used; ``str()`` is one line naming the file and the line."""


def read_names_file(path: str | Path) -> PrefixTable:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise NamesFileError(f"names file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise NamesFileError(f"names file {path}: not UTF-8 text") from None
    return parse_names(text, str(path))


def parse_names(text: str, where: str = "names file") -> PrefixTable:
    table = PrefixTable()
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [c.strip() for c in row]
        if not cells or not any(cells) or cells[0].startswith("#"):
            continue
        if number == 1 and [c.lower() for c in cells[:2]] == ["cidr", "name"]:
            continue
        if len(cells) < 2 or not cells[1]:
            raise NamesFileError(f"{where} line {number}: expected cidr,name, got "
                                 f"{','.join(cells)[:60]!r}")
        try:
            network = ipaddress.ip_network(cells[0], strict=False)
        except ValueError:
            raise NamesFileError(f"{where} line {number}: not an address or CIDR: "
                                 f"{cells[0][:60]!r}") from None
        table.add(str(network), ",".join(cells[1:]).strip())
    return table


__all__ = ["NamesFileError", "parse_names", "read_names_file"]
