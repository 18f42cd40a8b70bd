"""Bars in Unicode block characters: eight heights per cell, one byte-cheap glyph per bucket.

A bar chart drawn this way costs three bytes a cell and no colour: ACCEPT and REJECT are told
apart by their own labelled rows, the cursor by reverse video and a ▲, a selection by a
heavy rule under it, so the histogram reads the same under NO_COLOR and over a slow link.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from flowtui.decoders import human_bytes

UP = " ▁▂▃▄▅▆▇█"
"""Bottom-anchored eighths: a bar grows up from its row's floor."""
ACROSS = " ▏▎▍▌▋▊▉█"
"""Left-anchored eighths: a share bar grows to the right."""


def column_rows(values: Sequence[int], peak: int, rows: int) -> list[str]:
    """``values`` as ``rows`` lines of bars (top line first), scaled so ``peak`` fills them.
    Any value above zero shows at least an eighth: a lone REJECT is never invisible."""
    levels = rows * 8
    heights = [0 if not v or peak <= 0 else max(1, min(levels, round(v * levels / peak)))
               for v in values]
    lines = []
    for row in range(rows):
        floor = (rows - 1 - row) * 8
        lines.append("".join(UP[max(0, min(8, h - floor))] for h in heights))
    return lines


def share_bar(share: float, width: int) -> str:
    """``share`` (0..1) of ``width`` cells, in eighths, padded with spaces."""
    eighths = max(0, min(width * 8, round(share * width * 8)))
    if share > 0 and eighths == 0:
        eighths = 1
    full, part = divmod(eighths, 8)
    text = "█" * full + (ACROSS[part] if part else "")
    return text + " " * (width - len(text))


def count_text(value: int) -> str:
    """Counts short enough for a label: 950, 12.3k, 4.5M, 1.2G."""
    for limit, unit in ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")):
        if value >= limit:
            return f"{value / limit:.1f}{unit}"
    return str(value)


def amount_text(value: int, metric: str) -> str:
    """A label's amount: records short (``12.3k``), bytes in IEC units (``4.7 MiB``) as every
    other size on screen; ``73.4MB`` here was powers of 1000 beside the top-N's MiB."""
    return human_bytes(value) if metric == "bytes" else count_text(value)


def width_text(seconds: int) -> str:
    """A bucket width or a span as short as a label: 30s, 5m, 1h, 1d, 90m."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s" if seconds < 60 else f"{seconds // 60}m"


def bucket_label(start: int, width: int) -> str:
    """A bucket's start as the axis shows it: the date for day buckets, seconds only when
    the buckets are shorter than a minute (UTC, as flow logs are)."""
    moment = datetime.fromtimestamp(start, tz=UTC)
    if width >= 86400:
        return moment.strftime("%m-%d")
    if width >= 60:
        return moment.strftime("%H:%M")
    return moment.strftime("%H:%M:%S")


def during_text(first: int, last: int) -> str:
    """The filter for buckets ``first``..``last`` (their starts and the end of the last):
    ``during 2024-03-05T14:05:00..14:09:59``, the date written once when it is one day."""
    low = datetime.fromtimestamp(first, tz=UTC)
    high = datetime.fromtimestamp(last, tz=UTC)
    end = high.strftime("%H:%M:%S") if high.date() == low.date() else \
        high.strftime("%Y-%m-%dT%H:%M:%S")
    return f"during {low.strftime('%Y-%m-%dT%H:%M:%S')}..{end}"
