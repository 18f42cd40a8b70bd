"""An Athena table for a flow-log prefix: columns, key layout, partition projection.

Athena (serverless Trino) is where a question too big for one machine goes. It needs a table
whose columns match the objects and whose partitions match the key layout, so that a time
window becomes partition predicates and Athena reads only those days (or hours). Partition
projection computes the partitions from the table's properties instead of a crawler: days (and
Hive years) are ``date`` projections whose range ends at ``NOW``, which Athena reads at query
time, so the table keeps working on every new day and year without maintenance. Accounts and
regions are ``enum`` projections of those found under the prefix: a new account or region
needs the statement made again (the DDL says so on those partition columns).

Facts (shared/reference/flow-log-format.md §5-§6 and AWS's Athena guide for flow logs): text
objects are space-separated with one header line; ``-`` marks a missing value (declared as the
SerDe's null format here, so missing means NULL in SQL as it does in flowtui); column types
follow AWS's own DDL (``protocol``, ``packets``, ``bytes``, ``start``, ``end`` bigint; ports,
``version``, ``tcp_flags``, ``traffic_path`` int); names use ``_`` for ``-``. Date folders are
``yyyy/MM/dd`` (default) or ``year=/month=/day=`` (Hive), optionally with an hour folder.

Several flow logs may deliver into one location, each with its own format (reference §5.2),
and Athena reads every object under a table's location with the table's one format ("Specify
a table location in Amazon S3": it cannot ignore files in the prefix), so a table over a
mixed location is made for the flow logs the user names, and every query flowtui sends keeps
only their objects by the ``"$path"`` column (the object's S3 path, a hidden column of
Athena's Hive tables) and the flow-log id AWS writes in each object's name (§6.2).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from flowtui import layout
from flowtui.fields import DEFAULT_FIELDS, FIELDS, canonical_name
from flowtui.s3.errors import safe_text
from flowtui.s3.listing import Entry, list_all
from flowtui.s3.select import region_roots
from flowtui.s3.url import S3Url

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client

#: AWS's DDL types where they differ from what the field's width alone would give.
_AWS_TYPES = {"protocol": "bigint", "packets": "bigint", "bytes": "bigint", "start": "bigint",
              "end": "bigint"}
HEADER_BYTES = 64 << 10


class TableError(ValueError):
    """The prefix can't be described as one table; the message says what to give instead."""


@dataclass(frozen=True)
class Column:
    name: str  # as Athena names it: log_status
    type: str  # int, bigint, string

    @property
    def field(self) -> str:
        """The flowtui field this column holds (``log-status``)."""
        return canonical_name(self.name)


@dataclass(frozen=True)
class FlowLogTable:
    """What a CREATE TABLE needs to know about one flow-log destination."""

    bucket: str
    prefix: str  # the user's destination prefix: everything before AWSLogs/
    hive: bool
    hourly: bool
    fmt: str  # "text" or "parquet"
    service: str  # the service folder as spelled: vpcflowlogs, aws-service=…, service=…
    accounts: tuple[str, ...]
    regions: tuple[str, ...]
    first_day: date
    columns: tuple[Column, ...]
    #: The flow logs whose objects the table reads (chosen with ``--flow-log``): queries keep
    #: only their objects (``path_filter``). Empty: every object under the location.
    flow_logs: tuple[str, ...] = ()
    #: Flow logs seen under the location that write another format than ``columns``.
    others: tuple[str, ...] = ()

    @property
    def location(self) -> str:
        return str(S3Url(self.bucket, self.prefix + layout.AWSLOGS))

    @property
    def partitions(self) -> tuple[str, ...]:
        dates = ("year", "month", "day") if self.hive else ("day",)
        # Not "region": v5 formats have a region column, and a partition may not share a name.
        return ("aws_account", "aws_region") + dates + (("hour",) if self.hourly else ())

    def template(self) -> str:
        """``storage.location.template``: where one partition's objects are."""
        if self.hive:
            path = (f"aws-account-id=${{aws_account}}/{self.service}/aws-region=${{aws_region}}/"
                    "year=${year}/month=${month}/day=${day}/")
            if self.hourly:
                path += "hour=${hour}/"
        else:
            path = f"${{aws_account}}/{self.service}/${{aws_region}}/${{day}}/"
            if self.hourly:
                path += "${hour}/"
        return self.location + path

    def folder(self, account: str, region: str, day: date, hour: int | None = None) -> str:
        """The template filled in for one partition (what Athena would read)."""
        values = {"aws_account": account, "aws_region": region, "day": f"{day:%Y/%m/%d}",
                  "year": f"{day:%Y}", "month": f"{day:%m}",
                  "hour": f"{hour:02d}" if hour is not None else ""}
        if self.hive:
            values["day"] = f"{day:%d}"
        text = self.template()
        for name, value in values.items():
            text = text.replace("${" + name + "}", value)
        return text


# --- finding out ------------------------------------------------------------------------------

class FlowLogsFound(TableError):
    """A refusal that knows the flow logs seen there, so an app can offer them as choices."""

    def __init__(self, message: str, url: str,
                 groups: list[tuple[tuple[str, ...], str]]) -> None:
        self.url = url
        self.groups = groups  # (flow-log ids, what their format is), one per format
        super().__init__(message)

    @property
    def found(self) -> list[tuple[str, str]]:
        """Each flow log seen and its format in a few words, by id."""
        return sorted((flow_log, what) for ids, what in self.groups for flow_log in ids)


class MixedFormats(FlowLogsFound):
    """Flow logs of more than one format write under the prefix and none was chosen: one
    table reads one format, so the user names the flow log(s) it is for."""

    def __init__(self, url: str, groups: list[tuple[tuple[str, ...], str]]) -> None:
        self.url, self.groups = url, groups
        super().__init__(self.hint("--flow-log"), url, groups)

    def hint(self, option: str, how: str | None = None) -> str:
        """The one-line refusal, naming ``option`` as the way to choose (or ``how``)."""
        listed = "; ".join(f"{', '.join(ids)}: {what}" for ids, what in self.groups)
        how = how or (f"give {option} fl-… (the table and flowtui's queries then read "
                      "that flow log's objects only)")
        return (f"{self.url}: flow logs of {len(self.groups)} formats write here ({listed}); "
                "Athena reads every object under a table's location in the table's one "
                f"format: {how}")


class UnknownFlowLog(FlowLogsFound):
    """The flow log named is not among those seen under the prefix."""


def pick_flow_log(text: str, found: Sequence[str]) -> str:
    """The flow-log id a user typed, if it is one of ``found``; else a one-line
    ``TableError`` (not an id, or not one seen here, with those that are)."""
    chosen = text.strip()
    if not _FLOW_LOG_ID.fullmatch(chosen):
        raise TableError(safe_text(f"{chosen!r}: not a flow-log id (fl- and lower-case hex); "
                                   f"one of {', '.join(found)}"))
    if chosen not in found:
        raise TableError(f"{chosen}: not a flow log of this folder ({', '.join(found)})")
    return chosen


_FLOW_LOG_ID = re.compile(r"fl-[0-9a-z]+")


def flow_log_ids(values: Sequence[str] | None, option: str = "--flow-log") -> tuple[str, ...]:
    """``--flow-log`` values (repeated or comma-separated) as sorted ids; a ``TableError``
    for text that is not a flow-log id (it goes into SQL and a table name)."""
    ids = {v.strip() for value in values or () for v in value.split(",") if v.strip()}
    for flow_log in ids:
        if not _FLOW_LOG_ID.fullmatch(flow_log):
            raise TableError(safe_text(f"{option} {flow_log!r}: not a flow-log id "
                                       "(fl- and lower-case hex, as in the object names)"))
    return tuple(sorted(ids))


def default_table_name(flow_logs: Sequence[str], given: str | None = None) -> str:
    """The table ``given`` (``--table``, even empty: that is refused as such), else
    ``vpc_flow_logs``, with the flow-log ids in it when the table is for some flow logs only:
    a query for another flow log then names a table that does not exist (an error) rather
    than one of another format (wrong columns)."""
    if given is not None:
        return given
    return "_".join(["vpc_flow_logs", *(f.replace("-", "_") for f in flow_logs)])


def path_filter(flow_logs: Sequence[str]) -> str | None:
    """The predicate that keeps the rows of ``flow_logs``' objects only (None: all). AWS names
    each object ``<account>_vpcflowlogs_<region>_<flow-log-id>_<time>_<hash>.log.gz`` below
    ``AWSLogs/`` (reference §6.1-6.2; ``AWSLogs`` can't be the user's prefix), so the id
    between underscores after ``/AWSLogs/`` is the object's flow log; ``_`` is LIKE's
    one-character wildcard, hence the escape."""
    if not flow_logs:
        return None
    terms = [f"\"$path\" LIKE '%/AWSLogs/%\\_{f}\\_%' ESCAPE '\\'" for f in flow_logs]
    return "(" + " OR ".join(terms) + ")"


#: A window of at most this many days has its day folders' flow logs checked too.
CHECKED_DAYS = 2


def describe_prefix(client: S3Client, bucket: str, prefix: str,
                    flow_logs: Sequence[str] = (), *, folders: Sequence[str] = (),
                    window: tuple[datetime | None, datetime | None] = (None, None)
                    ) -> FlowLogTable:
    """Look at a prefix (a few listings and a ranged GET per flow log) and describe its
    table: for ``flow_logs`` only if given; a ``MixedFormats`` refusal when flow logs of two
    formats write there and none is named. The flow logs are those of the newest folders,
    and of the folders the question reads when they are few: ``folders`` (the app's day or
    hour folder) and a window's day folders (up to ``CHECKED_DAYS``), since a flow log of
    another format may have written there only (deleted since: formats can't change)."""
    roots = region_roots(client, bucket, prefix)
    if not roots:
        raise TableError(f"{S3Url(bucket, prefix)}: no flow-log folders (AWSLogs/<account>/"
                         "vpcflowlogs/<region>/) under this prefix")
    destinations = {root.prefix[: layout.find_awslogs(root.prefix)] for root in roots}
    if len(destinations) > 1 or len({root.hive for root in roots}) > 1:
        raise TableError(f"{S3Url(bucket, prefix)}: holds several flow-log destinations "
                         f"({', '.join(sorted(destinations)) or '(bucket root)'}); give one of "
                         "them, since one table has one location and one layout")
    accounts, regions, services = set(), set(), set()
    for root in roots:
        account, service, region = _root_parts(root)
        accounts.add(account)
        regions.add(region)
        services.add(service)
    if len(services) > 1:
        raise TableError(f"{S3Url(bucket, prefix)}: the service folder is spelled in two ways "
                         f"({', '.join(sorted(services))}); give a prefix below one of them")
    first_day = min(_edge_day(client, bucket, root, newest=False) for root in roots)
    newest = max((_newest_object(client, bucket, root) for root in roots),
                 key=lambda e: (e.info.time if e.info else datetime.min.replace(tzinfo=UTC),
                                e.key))
    info = newest.info
    assert info is not None
    formats = _formats(client, bucket, roots, [*folders, *_window_days(roots, *window)])
    fmt, columns = _chosen(S3Url(bucket, prefix), formats, flow_logs)
    others = sorted(f for f, found in formats.items() if found != (fmt, columns))
    return FlowLogTable(
        bucket=bucket, prefix=destinations.pop(), hive=roots[0].hive,
        hourly=info.layout in ("hourly", "hive-hourly"), fmt=fmt,
        service=services.pop(), accounts=tuple(sorted(accounts)),
        regions=tuple(sorted(regions)), first_day=first_day, columns=columns,
        flow_logs=tuple(flow_logs), others=tuple(others))


_Format = tuple[str, tuple["Column", ...]]  # "text"/"parquet", the columns in object order


def _window_days(roots: list[layout.RegionRoot], since: datetime | None,
                 until: datetime | None) -> list[str]:
    """The day folders a closed window of at most ``CHECKED_DAYS`` days reads."""
    if since is None or until is None:
        return []
    days = [layout.day_prefixes(root, since, until) for root in roots]
    return [d for each in days for d in each] if len(days[0]) <= CHECKED_DAYS else []


def _formats(client: S3Client, bucket: str, roots: list[layout.RegionRoot],
             folders: Sequence[str]) -> dict[str, _Format]:
    """Each flow log seen in the newest folders (with the format of its newest object) and
    in ``folders`` (with the format of an object there)."""
    entries = {e.info.flow_log_id: e for e in _newest_per_flow_log(client, bucket, roots)
               if e.info is not None}
    for folder in folders:  # every key under it: a day folder's hour folders too
        for entry in list_all(client, bucket, folder, delimiter=""):
            if entry.kind == "object" and entry.info is not None:
                entries.setdefault(entry.info.flow_log_id, entry)
    return {flow_log: (entry.info.fmt, tuple(_columns(client, bucket, entry, entry.info.fmt)))
            for flow_log, entry in entries.items() if entry.info is not None}


def _chosen(url: S3Url, formats: dict[str, _Format], flow_logs: Sequence[str]) -> _Format:
    """The one format the table reads: the named flow logs' (all of one format), or the
    location's when every flow log there writes the same."""
    if flow_logs:
        unknown = [f for f in flow_logs if f not in formats]
        if unknown:
            raise UnknownFlowLog(f"{url}: no object of flow log {', '.join(unknown)} in the "
                                 f"folders looked at (flow logs there: "
                                 f"{', '.join(sorted(formats))})", str(url), _groups(formats))
        chosen = {formats[f] for f in flow_logs}
        if len(chosen) > 1:
            raise FlowLogsFound(f"--flow-log {', '.join(flow_logs)}: these flow logs write "
                                "different formats, and one table reads one; give one of them",
                                str(url), _groups(formats))
        return chosen.pop()
    distinct = set(formats.values())
    if len(distinct) > 1:
        raise MixedFormats(str(url), _groups(formats))
    return distinct.pop()


def _groups(formats: dict[str, _Format]) -> list[tuple[tuple[str, ...], str]]:
    """The flow logs by format (ids sorted), each format in a few words."""
    groups: dict[_Format, list[str]] = {}
    for flow_log, found in sorted(formats.items()):
        groups.setdefault(found, []).append(flow_log)
    return [(tuple(ids), _what(found)) for found, ids in groups.items()]


def _what(found: _Format) -> str:
    """A format in a few words: ``the default format``, ``17 fields``, ``parquet, 29 columns``."""
    fmt, columns = found
    fields = tuple(c.field for c in columns)
    if fmt == "parquet":
        return f"parquet, {len(fields)} columns"
    if fields == tuple(DEFAULT_FIELDS):
        return "the default format"
    return f"{len(fields)} fields"


def _root_parts(root: layout.RegionRoot) -> tuple[str, str, str]:
    start = layout.find_awslogs(root.prefix)
    assert start is not None
    account, service, region = root.prefix[start + len(layout.AWSLOGS):].strip("/").split("/")
    return account.removeprefix("aws-account-id="), service, region.removeprefix("aws-region=")


def _folders(client: S3Client, bucket: str, prefix: str) -> list[str]:
    return sorted(e.key for e in list_all(client, bucket, prefix) if e.kind == "prefix")


def _edge_day(client: S3Client, bucket: str, root: layout.RegionRoot, *, newest: bool) -> date:
    """The oldest (or newest) day folder under a region folder: three small listings."""
    prefix = root.prefix
    for _level in ("year", "month", "day"):
        folders = [f for f in _folders(client, bucket, prefix) if _number(f) is not None]
        if not folders:
            raise TableError(f"{S3Url(bucket, root.prefix)}: no date folders in it")
        def number(folder: str) -> int:
            return _number(folder) or 0  # only numbered folders are left

        prefix = max(folders, key=number) if newest else min(folders, key=number)
    day = layout.parse_day_prefix(prefix)
    if day is None:
        raise TableError(f"{S3Url(bucket, prefix)}: not a date folder")
    return day


def _number(folder: str) -> int | None:
    name = folder.rstrip("/").rpartition("/")[2].partition("=")[2] or folder.rstrip(
        "/").rpartition("/")[2]
    return int(name) if name.isascii() and name.isdigit() else None


def _newest_per_flow_log(client: S3Client, bucket: str, roots: list[layout.RegionRoot]
                         ) -> list[Entry]:
    """The newest object of each flow log seen in each region's newest folder."""
    newest: dict[str, Entry] = {}
    for root in roots:
        for entry in _newest_folder(client, bucket, root):
            assert entry.info is not None
            known = newest.get(entry.info.flow_log_id)
            if known is None or (known.info and entry.info.time > known.info.time):
                newest[entry.info.flow_log_id] = entry
    return list(newest.values())


def _newest_object(client: S3Client, bucket: str, root: layout.RegionRoot) -> Entry:
    objects = _newest_folder(client, bucket, root)
    return max(objects, key=lambda e: (e.info.time if e.info else 0, e.key))


def _newest_folder(client: S3Client, bucket: str, root: layout.RegionRoot) -> list[Entry]:
    day = _edge_day(client, bucket, root, newest=True)
    prefix = layout.day_prefix(root, day)
    entries = list_all(client, bucket, prefix)
    hours = [e.key for e in entries if e.kind == "prefix"
             and layout.parse_hour_folder(e.key) is not None]
    if hours:
        entries = list_all(client, bucket, max(hours))
    objects = [e for e in entries if e.kind == "object" and e.info is not None]
    if not objects:
        raise TableError(f"{S3Url(bucket, prefix)}: no flow-log objects in the newest folder")
    return objects


def _columns(client: S3Client, bucket: str, entry: Entry, fmt: str) -> list[Column]:
    if fmt == "parquet":
        return _parquet_columns(client, bucket, entry)
    reply = client.get_object(Bucket=bucket, Key=entry.key, Range=f"bytes=0-{HEADER_BYTES - 1}")
    head = reply["Body"].read()
    text = _first_line(head)
    names = text.split()
    if not names or not all(re.fullmatch(r"[a-z][a-z0-9_-]*", n) for n in names):
        raise TableError(f"{entry.url}: the first line is not a flow-log header")
    return [Column(athena_name(n), athena_type(n)) for n in names]


def _first_line(data: bytes) -> str:
    if data[:2] == b"\x1f\x8b":
        inflater = zlib.decompressobj(wbits=31)
        text = inflater.decompress(data, HEADER_BYTES)
    else:
        text = data
    return text.split(b"\n", 1)[0].decode("utf-8", "replace").strip()


def _parquet_columns(client: S3Client, bucket: str, entry: Entry) -> list[Column]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from flowtui.s3.reader import RangeFile

    schema = pq.ParquetFile(RangeFile(client, bucket, entry.key, size=entry.size,
                                      etag=entry.etag)).schema_arrow
    columns = []
    for item in schema:
        t = item.type
        kind = ("bigint" if t in (pa.int64(), pa.uint32(), pa.uint64()) else
                "int" if pa.types.is_integer(t) else "string")
        name = athena_name(item.name)
        if not _NAME.fullmatch(name):
            raise TableError(safe_text(
                f"{entry.url}: column {item.name!r} is not a name Athena can hold (lower-case "
                "letters, digits and _ only): not a flow-log object"))
        columns.append(Column(name, _AWS_TYPES.get(
            canonical_name(item.name), kind) if kind != "string" else kind))
    return columns


#: What a database, table or column name may hold here. Athena's rule (docs: "Name databases,
#: tables, and columns") is lower-case UTF-8 of 1-255 bytes; flow-log fields and the names a
#: user picks fit the narrower set, and a name outside it (a backquote, a quote, a newline)
#: could end the quoted identifier and rewrite the statement, so it is refused, not escaped.
_NAME = re.compile(r"[a-z0-9_]{1,255}")


def check_name(kind: str, name: str) -> str:
    """``name`` if it is a safe Athena identifier, else a ``TableError`` saying so."""
    if not _NAME.fullmatch(name):
        raise TableError(safe_text(f"{kind} {name!r}: use lower-case letters, digits and _ "
                                   "only (Athena's names)"))
    return name


def athena_name(field: str) -> str:
    return field.strip().lower().replace("-", "_")


def athena_type(field: str) -> str:
    name = canonical_name(field)
    if name in _AWS_TYPES:
        return _AWS_TYPES[name]
    spec = FIELDS.get(name)
    if spec is None:
        return "string"
    import pyarrow as pa

    if pa.types.is_integer(spec.arrow_type):
        return "bigint" if spec.arrow_type.bit_width == 64 else "int"
    return "string"


# --- the statement ---------------------------------------------------------------------------

def create_table(table: FlowLogTable, *, database: str = "default",
                 name: str = "vpc_flow_logs", today: date | None = None) -> str:
    """``CREATE EXTERNAL TABLE`` with partition projection for ``table``. ``today`` is kept
    for callers; no range ends at it (every time range ends at NOW, read at query time)."""
    check_name("--database", database)
    check_name("--table", name)
    for column in table.columns:
        check_name("column", column.name)
    columns = ",\n".join(f"  `{c.name}` {c.type}" for c in table.columns)
    partitions = ", ".join(f"`{p}` string" + _PARTITION_COMMENTS.get(p, "")
                           for p in table.partitions)
    if table.fmt == "parquet":
        storage = "STORED AS PARQUET"
        header: list[tuple[str, str]] = []
    else:
        storage = ("ROW FORMAT DELIMITED\n  FIELDS TERMINATED BY ' '\n"
                   "  NULL DEFINED AS '-'\nSTORED AS TEXTFILE")
        header = [("skip.header.line.count", "1")]
    projection = _projection(table, today or date.today())
    properties = header + [("projection.enabled", "true")] + projection + [
        ("storage.location.template", table.template())]
    props = ",\n".join(f"  '{k}' = '{_quote(v)}'" for k, v in properties)
    comment = ""
    if table.flow_logs:  # where a reader of the table's DDL (SHOW CREATE TABLE) looks
        comment = f"COMMENT '{_quote(restriction_note(table))}'\n"
    return (f"CREATE EXTERNAL TABLE IF NOT EXISTS `{database}`.`{name}` (\n{columns}\n)\n"
            f"{comment}PARTITIONED BY ({partitions})\n{storage}\n"
            f"LOCATION '{_quote(table.location)}'\nTBLPROPERTIES (\n{props}\n)")


def restriction_note(table: FlowLogTable) -> str:
    """What a table made for some flow logs only asks of every query, in one sentence."""
    verb = "writes" if len(table.others) == 1 else "write"
    others = (f"; {', '.join(table.others)} there {verb} another format" if table.others
              else "")
    return (f"flow log {', '.join(table.flow_logs)} only: Athena reads every object under "
            f"the location{others}, so every query must keep WHERE {path_filter(table.flow_logs)} "
            "(flowtui's queries with --flow-log do)")


#: The enum partitions are fixed lists: say so where a reader of the table's DDL looks.
_PARTITION_COMMENTS = {
    "aws_account": " COMMENT 'a fixed list: for a new account make this table again'",
    "aws_region": " COMMENT 'a fixed list: for a new region make this table again'",
}


def _projection(table: FlowLogTable, today: date) -> list[tuple[str, str]]:
    # Ranges end at NOW (Athena's date projection reads it at query time: "Supported types
    # for partition projection", Athena user guide); an integer year range would be fixed,
    # and the table would read nothing from 1 January on.
    del today
    out = [("projection.aws_account.type", "enum"),
           ("projection.aws_account.values", ",".join(table.accounts)),
           ("projection.aws_region.type", "enum"),
           ("projection.aws_region.values", ",".join(table.regions))]
    if table.hive:
        out += [("projection.year.type", "date"), ("projection.year.format", "yyyy"),
                ("projection.year.range", f"{table.first_day:%Y},NOW"),
                ("projection.year.interval", "1"), ("projection.year.interval.unit", "YEARS"),
                ("projection.month.type", "integer"), ("projection.month.range", "1,12"),
                ("projection.month.digits", "2"),
                ("projection.day.type", "integer"), ("projection.day.range", "1,31"),
                ("projection.day.digits", "2")]
    else:
        out += [("projection.day.type", "date"),
                ("projection.day.format", "yyyy/MM/dd"),
                ("projection.day.range", f"{table.first_day:%Y/%m/%d},NOW"),
                ("projection.day.interval", "1"),
                ("projection.day.interval.unit", "DAYS")]
    if table.hourly:
        out += [("projection.hour.type", "integer"), ("projection.hour.range", "0,23"),
                ("projection.hour.digits", "2")]
    return out


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")


# --- partitions of a time window -------------------------------------------------------------

def partition_filter(table: FlowLogTable, since: datetime | None,
                     until: datetime | None) -> str | None:
    """A Trino predicate on the partition columns that keeps only the days (and hours) whose
    objects can hold records overlapping [since, until] (widened as the loader widens it);
    None without a window."""
    if since is None and until is None:
        return None
    lo, hi = layout.widen(since, until)
    lo = lo or datetime.combine(table.first_day, datetime.min.time(), UTC)
    hi = hi or datetime.now(tz=UTC) + timedelta(hours=1)
    days: list[date] = []
    # No folder is older than the first day (the projection's range starts there): a
    # --since years back names only the days that can exist.
    d = max(lo.date(), table.first_day)
    while d <= hi.date():
        days.append(d)
        d += timedelta(days=1)
    if not days:
        # a window wholly before the first day (or ending before it starts) holds no
        # record: "day IN ()" is not SQL; FALSE reads no partition and no row
        return "FALSE"
    if len(days) > 400:
        raise TableError("the window spans more than 400 days: narrow it with --since/--until")
    if table.hive:
        terms = [f"(year = '{d:%Y}' AND month = '{d:%m}' AND day = '{d:%d}')" for d in days]
        day_term = "(" + " OR ".join(terms) + ")"
    else:
        day_term = "day IN (" + ", ".join(f"'{d:%Y/%m/%d}'" for d in days) + ")"
    if table.hourly and len(days) <= 2:
        hours = []
        for d in days:
            for hour in range(24):
                if layout.hour_in_window(d, hour, since or lo, until or hi):
                    hours.append((d, hour))
        if hours:
            if table.hive:
                parts = [f"(year = '{d:%Y}' AND month = '{d:%m}' AND day = '{d:%d}' AND "
                         f"hour = '{h:02d}')" for d, h in hours]
            else:
                parts = [f"(day = '{d:%Y/%m/%d}' AND hour = '{h:02d}')" for d, h in hours]
            return "(" + " OR ".join(parts) + ")"
    return day_term


__all__ = ["Column", "FlowLogTable", "FlowLogsFound", "MixedFormats", "TableError",
           "UnknownFlowLog", "athena_name", "athena_type", "create_table",
           "default_table_name", "describe_prefix", "flow_log_ids", "partition_filter",
           "path_filter", "pick_flow_log"]
