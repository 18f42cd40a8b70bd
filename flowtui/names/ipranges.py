"""AWS's published IP address ranges (``ip-ranges.json``): a public address → service, region.

AWS publishes the ranges it uses, each with a service (``EC2``, ``S3``, ``CLOUDFRONT`` …; every
range is also listed under ``AMAZON``) and a region. An address inside one is named after the
narrowest range and its most specific service: ``AWS S3 us-east-1``. The file comes from
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
    chosen: dict[str, tuple[str, str]] = {}  # network → (service, region)
    for items, key in ((data.get("prefixes") or [], "ip_prefix"),
                       (data.get("ipv6_prefixes") or [], "ipv6_prefix")):
        for item in items:
            network = item.get(key)
            if not network:
                continue
            service = str(item.get("service") or "AMAZON")
            region = str(item.get("region") or "")
            if network not in chosen or chosen[network][0] == "AMAZON":
                chosen[network] = (service, region)
    table = PrefixTable()
    for network, (service, region) in chosen.items():
        try:
            table.add(network, f"AWS {service} {region}".strip())
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
