"""AWS's published IP address ranges (``ip-ranges.json``): a public address → service, region.

AWS publishes the ranges it uses, each with a service (``EC2``, ``S3``, ``CLOUDFRONT`` …; every
range is also listed under ``AMAZON``) and a region. An address inside one is named after the
narrowest range and its services other than ``AMAZON``: ``AWS S3 us-east-1``,
``AWS EC2/ROUTE53_HEALTHCHECKS us-east-1``. Such a name says which published range holds the
address, not who holds it: an ``EC2`` range holds any AWS customer's instances. The file comes from
``--ip-ranges FILE`` (or the config), else it is downloaded once from AWS's public URL and
kept in the cache folder with its ``createDate``; without a network that is said once and
names come from the other sources.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowtui.names.inventory import cache_dir
from flowtui.names.prefixes import PrefixTable

URL = "https://ip-ranges.amazonaws.com/ip-ranges.json"


class IPRangesError(ValueError):
    """The ranges file can't be used; one line."""


@dataclass
class IPRanges:
    table: PrefixTable
    create_date: str  # as AWS wrote it, "2026-12-01-19-03-12"
    source: str  # the file it was read from


def parse_ip_ranges(data: Any, source: str = "ip-ranges.json") -> IPRanges:
    if not isinstance(data, dict) or "prefixes" not in data:
        raise IPRangesError(f"{source}: not AWS's ip-ranges.json (no 'prefixes')")
    # network → its services and regions. A prefix is listed once per subset it is in
    # ("every subset is also in the AMAZON subset": VPC User Guide, Syntax for AWS IP address
    # range JSON), and a range may serve more than one service ("Route 53 health checks may
    # use an EC2 IP address range": AWS IP address ranges): every service is said, in one
    # order, so the name does not depend on the file's order
    seen: dict[str, tuple[dict[str, None], dict[str, None]]] = {}
    for items, key in ((data.get("prefixes") or [], "ip_prefix"),
                       (data.get("ipv6_prefixes") or [], "ipv6_prefix")):
        for item in items:
            network = item.get(key)
            if not network:
                continue
            services, regions = seen.setdefault(str(network), ({}, {}))
            services[str(item.get("service") or "AMAZON")] = None
            region = str(item.get("region") or "")
            if region:
                regions[region] = None
    table = PrefixTable()
    for network, (services, regions) in seen.items():
        named = sorted(s for s in services if s != "AMAZON") or ["AMAZON"]
        try:
            table.add(network, f"AWS {'/'.join(named)} {'/'.join(sorted(regions))}".strip())
        except ValueError:
            continue
    return IPRanges(table, str(data.get("createDate") or ""), source)


def read_ip_ranges(path: str | Path) -> IPRanges:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise IPRangesError(f"IP ranges file {path}: {exc.strerror or exc}") from None
    except ValueError:
        raise IPRangesError(f"IP ranges file {path}: not JSON") from None
    return parse_ip_ranges(data, str(path))


def cached_path() -> Path:
    return cache_dir() / "ip-ranges.json"


def download(timeout: float = 10.0) -> IPRanges:
    """Fetch AWS's file once and keep it in the cache (written whole, then renamed)."""
    import urllib.request

    with urllib.request.urlopen(URL, timeout=timeout) as answer:  # noqa: S310 - fixed https URL
        body = answer.read()
    ranges = parse_ip_ranges(json.loads(body), URL)
    path = cached_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".partial")
    temporary.write_bytes(body)
    os.replace(temporary, path)
    ranges.source = str(path)
    return ranges


def load_ip_ranges(path: str | None, *, allow_download: bool = True, refresh: bool = False
                   ) -> tuple[IPRanges | None, list[str]]:
    """The ranges from ``path`` (else ``$FLOWTUI_IP_RANGES``, set by the demo), else the
    cached download, else a download (when allowed). Returns (ranges or None, notes)."""
    path = path or os.environ.get("FLOWTUI_IP_RANGES") or None
    if path:
        try:
            return read_ip_ranges(path), []
        except IPRangesError as exc:
            return None, [str(exc)]
    cached = cached_path()
    if cached.exists() and not refresh:
        try:
            return read_ip_ranges(cached), []
        except IPRangesError:
            pass
    if not allow_download:
        return None, []
    try:
        return download(), []
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc.__class__.__name__
        note = (f"AWS IP ranges: can't download {URL} ({reason}); public addresses are "
                "not named (give --ip-ranges FILE)")
        if cached.exists():
            try:
                return read_ip_ranges(cached), [note.split(";")[0] + "; using the cached copy"]
            except IPRangesError:
                pass
        return None, [note]


__all__ = ["IPRanges", "IPRangesError", "URL", "load_ip_ranges", "parse_ip_ranges",
           "read_ip_ranges"]
