"""Times as a person reads them, shared by the CLI's status lines and the app's status bar."""

from __future__ import annotations

from datetime import timedelta


def ago(age: timedelta, suffix: str = "old") -> str:
    """How stale a file is, in the unit a person reads at a glance ("4m old"; with
    ``suffix="ago"`` for an event: "delivered 12s ago")."""
    seconds = int(age.total_seconds())
    if seconds < 0:
        return "in the future (clock skew?)"
    if seconds < 120:
        return f"{seconds}s {suffix}"
    if seconds < 7200:
        return f"{seconds // 60}m {suffix}"
    if seconds < 172800:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m {suffix}"
    return f"{seconds // 86400}d {suffix}"


def span(length: timedelta) -> str:
    """A fixed length of time, as settings are said ("1 hour", "90 minutes")."""
    minutes = int(length.total_seconds()) // 60
    if minutes % 60 == 0 and minutes:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
