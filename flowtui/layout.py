"""Where flow-log objects live in S3 and what their keys say.

AWS writes flow logs under ``<prefix>/AWSLogs/...`` in one of four layouts (default, hourly,
Hive-compatible, Hive + hourly), and the file name repeats account, region, flow-log id and a
UTC timestamp. Reading those facts from the key lets the browser label folders and lets a time
window pick the few date/hour folders worth listing instead of walking a bucket. Facts follow
shared/reference/flow-log-format.md §6.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

AWSLOGS = "AWSLogs/"
SERVICE = "vpcflowlogs"

#: A file stamped T holds records whose ``end`` lies in [T, T + 5 min) (§6.4).
FILE_SPAN = timedelta(minutes=5)
#: A record can start up to one aggregation interval (600 s) plus capture lag before its end,
#: so records overlapping a window can sit in files stamped up to this long after it.
RECORD_SPAN = timedelta(minutes=10)

_FILE_RE = re.compile(
    r"^(?P<account>[^_/]+)_vpcflowlogs_(?P<region>[^_/]+)_(?P<flow_log_id>fl-[^_/]+)_"
    r"(?P<stamp>\d{8}T\d{4}Z)_(?P<hash>[^_/]+?)\.log\.(?P<ext>gz|parquet)$"
)
_ACCOUNT_RE = re.compile(r"^(?:aws-account-id=)?(?P<account>\d{12}|[^=/]+)$")
_REGION_RE = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d+$")


@dataclass(frozen=True)
class KeyInfo:
    """What a flow-log object's key tells before it is read."""

    account: str
    region: str
    flow_log_id: str
    time: datetime  # UTC, the file-name stamp: records' ``end`` is in [time, time + 5 min)
    fmt: str  # "text" or "parquet"
    layout: str  # "default", "hourly", "hive", "hive-hourly", or "file" (name only)
    prefix: str = ""  # everything before "AWSLogs/" (the user's destination prefix)


def parse_file_name(name: str) -> dict[str, str] | None:
    """The parts of an AWS flow-log file name, or None when the name is not one."""
    m = _FILE_RE.match(name)
    return m.groupdict() if m else None


def _stamp(stamp: str) -> datetime | None:
    try:
        return datetime.strptime(stamp, "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def _folder_layout(parts: list[str], t: datetime) -> str | None:
    """Match the folders between ``AWSLogs/`` and the file name to one of the four layouts.

    The folders must agree with the file-name time (AWS derives both from one UTC time).
    """
    day = [f"{t:%Y}", f"{t:%m}", f"{t:%d}"]
    if len(parts) in (6, 7) and parts[1] == SERVICE and parts[3:6] == day:
        if len(parts) == 6:
            return "default"
        if parts[6] == f"{t:%H}":
            return "hourly"
        return None
    hive_day = [f"year={t:%Y}", f"month={t:%m}", f"day={t:%d}"]
    if (
        len(parts) in (6, 7)
        and parts[0].startswith("aws-account-id=")
        and parts[1] in (f"aws-service={SERVICE}", f"service={SERVICE}")
        and parts[2].startswith("aws-region=")
        and parts[3:6] == hive_day
    ):
        if len(parts) == 6:
            return "hive"
        if parts[6] == f"hour={t:%H}":
            return "hive-hourly"
    return None


def parse_key(key: str) -> KeyInfo | None:
    """Read account, region, flow-log id, time and format from a flow-log key.

    A bare AWS file name (a local copy) parses with layout "file". A key with ``AWSLogs/``
    somewhere in it must have folders matching one of the four layouts; anything else is not
    a flow-log object and gives None.
    """
    prefix, _, rest = key.rpartition("/")
    name = rest
    fields = parse_file_name(name)
    if fields is None:
        return None
    t = _stamp(fields["stamp"])
    if t is None:
        return None
    fmt = "parquet" if fields["ext"] == "parquet" else "text"
    layout = "file"
    user_prefix = ""
    start = find_awslogs(key)
    if start is not None:
        user_prefix = key[:start]
        folders = key[start + len(AWSLOGS) : len(key) - len(name)].strip("/").split("/")
        found = _folder_layout(folders, t)
        if found is None:
            return None
        layout = found
    return KeyInfo(
        account=fields["account"],
        region=fields["region"],
        flow_log_id=fields["flow_log_id"],
        time=t,
        fmt=fmt,
        layout=layout,
        prefix=user_prefix,
    )


def find_awslogs(key: str) -> int | None:
    """Index of the ``AWSLogs/`` folder (at the start or after a ``/``), searched for, since
    the user's prefix may have any depth, including an empty first level (``//``)."""
    i = 0
    while True:
        i = key.find(AWSLOGS, i)
        if i < 0:
            return None
        if i == 0 or key[i - 1] == "/":
            return i
        i += 1


def describe_prefix(prefix: str) -> str | None:
    """A short label for a folder in a flow-log tree: "account 123456789012", "region
    eu-west-1", "2024-03-05", "hour 14". None for folders that are not part of the layout."""
    parts = prefix.rstrip("/").split("/")
    if not parts or not parts[-1]:
        return None
    last = parts[-1]
    if last + "/" == AWSLOGS:
        return "flow logs (AWSLogs)"
    start = find_awslogs(prefix)
    if start is None:
        return None
    inner = prefix[start + len(AWSLOGS) :].rstrip("/").split("/")
    depth = len(inner)
    if inner and inner[0].startswith("aws-account-id="):
        return _describe_hive(inner)
    # default / hourly: account / vpcflowlogs / region / yyyy / MM / dd / HH
    if depth == 1:
        return f"account {inner[0]}"
    if depth == 2:
        return f"service {inner[1]}"
    if depth == 3:
        return f"region {inner[2]}"
    if depth == 4 and _digits(inner[3]):
        return f"year {inner[3]}"
    if depth == 5 and all(_digits(p) for p in inner[3:5]):
        return f"{inner[3]}-{inner[4]}"
    if depth == 6 and all(_digits(p) for p in inner[3:6]):
        return f"{inner[3]}-{inner[4]}-{inner[5]}"
    if depth == 7 and all(_digits(p) for p in inner[3:7]):
        return f"hour {inner[6]}"
    return None


def _describe_hive(inner: list[str]) -> str | None:
    values: dict[str, str] = {}
    for part in inner:
        name, eq, value = part.partition("=")
        if not eq:
            return None
        values[name] = value
    last = inner[-1].partition("=")[0]
    if last == "aws-account-id":
        return f"account {values[last]}"
    if last in ("aws-service", "service"):
        return f"service {values[last]}"
    if last == "aws-region":
        return f"region {values[last]}"
    if last == "year":
        return f"year {values['year']}"
    if last == "month":
        return f"{values.get('year', '????')}-{values['month']}"
    if last == "day":
        return f"{values.get('year', '????')}-{values.get('month', '??')}-{values['day']}"
    if last == "hour":
        return f"hour {values['hour']}"
    return None


# --- time windows -------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionRoot:
    """A ``.../AWSLogs/<account>/vpcflowlogs/<region>/`` folder (or its Hive spelling): the
    level below which folders are dates and the window decides what to list."""

    prefix: str  # ends with "/"
    hive: bool


def region_root(prefix: str) -> RegionRoot | None:
    """The region folder a prefix lies in (or is), when the prefix is that deep."""
    start = find_awslogs(prefix)
    if start is None:
        return None
    inner = prefix[start + len(AWSLOGS) :].split("/")
    if len(inner) < 4:  # account / service / region / (at least the "" after region's "/")
        return None
    account, service, region = inner[0], inner[1], inner[2]
    base = prefix[: start + len(AWSLOGS)] + "/".join(inner[:3]) + "/"
    if account.startswith("aws-account-id=") and service in (
        f"aws-service={SERVICE}",
        f"service={SERVICE}",
    ):
        return RegionRoot(base, hive=True) if region.startswith("aws-region=") else None
    if service == SERVICE:
        return RegionRoot(base, hive=False)
    return None


def widen(
    since: datetime | None, until: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """File-stamp bounds for records overlapping [since, until].

    AWS's example has the file stamped T holding records ending in [T, T+5 min); the same
    page also says a file covers "the previous 5 minutes", i.e. [T-5 min, T). Both readings
    are covered, at the cost of one extra file at each end: a record with end >= since lies
    in a file with T > since - 10 min, and one with start <= until (start is at most ~10 min
    before end) in a file with T <= until + 15 min. The loader then drops the records of
    those extra files that fall outside the window.
    """
    lo = since - 2 * FILE_SPAN if since is not None else None
    hi = until + RECORD_SPAN + FILE_SPAN if until is not None else None
    return lo, hi


def stamp_in_window(t: datetime, since: datetime | None, until: datetime | None) -> bool:
    """Whether a file stamped ``t`` can hold records overlapping [since, until]."""
    lo, hi = widen(since, until)
    return (lo is None or t > lo) and (hi is None or t <= hi)


def _days(lo: datetime, hi: datetime) -> Iterator[date]:
    d = lo.date()
    while d <= hi.date():
        yield d
        d += timedelta(days=1)


def day_prefix(root: RegionRoot, d: date) -> str:
    if root.hive:
        return f"{root.prefix}year={d:%Y}/month={d:%m}/day={d:%d}/"
    return f"{root.prefix}{d:%Y}/{d:%m}/{d:%d}/"


def day_prefixes(root: RegionRoot, since: datetime, until: datetime) -> list[str]:
    """The day folders under ``root`` whose files can hold records overlapping the window
    (already widened for file span and record duration)."""
    lo, hi = widen(since, until)
    assert lo is not None and hi is not None
    return [day_prefix(root, d) for d in _days(lo, hi)]


def hour_in_window(d: date, hour: int, since: datetime, until: datetime) -> bool:
    """Whether the hour folder ``d``/``hour`` can hold a file stamped inside the widened
    window."""
    lo, hi = widen(since, until)
    assert lo is not None and hi is not None
    start = datetime(d.year, d.month, d.day, hour, tzinfo=UTC)
    end = start + timedelta(hours=1)  # stamps in [start, end)
    return end > lo and start <= hi


def parse_day_prefix(prefix: str) -> date | None:
    """The date of a day folder (either spelling), or None."""
    parts = prefix.rstrip("/").split("/")
    if len(parts) < 3:
        return None
    y, m, d = parts[-3:]
    y, m, d = (p.partition("=")[2] if "=" in p else p for p in (y, m, d))
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def parse_hour_folder(name: str) -> int | None:
    """The hour of an hour folder name (``14`` or ``hour=14``), or None."""
    name = name.rstrip("/").rpartition("/")[2]
    value = name.partition("=")[2] if name.startswith("hour=") else name
    if len(value) == 2 and _digits(value) and int(value) < 24:
        return int(value)
    return None


def is_account_folder(name: str) -> bool:
    """``123456789012`` or ``aws-account-id=123456789012``."""
    return bool(_ACCOUNT_RE.match(name.rstrip("/")))


def is_service_folder(name: str) -> bool:
    return name.rstrip("/") in (SERVICE, f"aws-service={SERVICE}", f"service={SERVICE}")


def is_region_folder(name: str) -> bool:
    name = name.rstrip("/")
    name = name.partition("=")[2] if name.startswith("aws-region=") else name
    return bool(_REGION_RE.match(name))


def _digits(text: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts '²', which int() refuses."""
    return text.isascii() and text.isdigit()
