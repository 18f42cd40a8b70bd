"""One browsed day or hour folder, asked of Athena instead of loaded here.

The TUI offers this when a folder is too large to load: the same filter the table applies
becomes the SQL's WHERE, and the folder becomes partition predicates (account, region, day,
hour), so Athena reads that folder's objects and nothing else, as a local load would. In a
folder where flow logs of several formats write, the table is for the flow logs the user
named (``--athena-flow-log``, or picked in the app) and the query keeps their objects
only (``path_filter``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from flowtui import layout
from flowtui.athena.table import (
    FlowLogTable,
    TableError,
    _root_parts,
    describe_prefix,
    path_filter,
)
from flowtui.query.expr import Expr
from flowtui.s3.url import S3Url

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client

#: Rows a folder query brings back at most (the store holds them in memory, as a load's).
ROW_LIMIT = 1_000_000


@dataclass(frozen=True)
class FolderQuery:
    sql: str
    table: FlowLogTable
    name: str  # database.table


def folder_partitions(table: FlowLogTable, key: str) -> str:
    """The partition predicate that selects exactly the folder ``key`` (a day or hour
    folder under one region root), spelled as ``partition_filter`` spells days."""
    root = layout.region_root(key)
    day = layout.parse_day_prefix(_day_part(key, root))
    if root is None or day is None:
        raise TableError(f"{key}: not a day or hour folder of a flow log")
    account, _, region = _root_parts(root)
    hour = layout.parse_hour_folder(key) if key.rstrip("/") != _day_part(key, root).rstrip(
        "/") else None
    terms = [f"aws_account = '{_quote(account)}'", f"aws_region = '{_quote(region)}'"]
    terms += _day_terms(table, day)
    if hour is not None and table.hourly:
        terms.append(f"hour = '{hour:02d}'")
    return "(" + " AND ".join(terms) + ")"


def _day_part(key: str, root: layout.RegionRoot | None) -> str:
    """The day folder of ``key`` (itself, or its parent for an hour folder)."""
    if root is None:
        return key
    inner = key[len(root.prefix):].strip("/").split("/")
    return root.prefix + "/".join(inner[:3]) + "/"


def _day_terms(table: FlowLogTable, day: date) -> list[str]:
    if table.hive:
        return [f"year = '{day:%Y}'", f"month = '{day:%m}'", f"day = '{day:%d}'"]
    return [f"day = '{day:%Y/%m/%d}'"]


def _quote(text: str) -> str:
    return text.replace("'", "''")


def folder_query(client: S3Client, bucket: str, key: str, where: Expr, *, database: str,
                 table_name: str, limit: int = ROW_LIMIT,
                 flow_logs: Sequence[str] = ()) -> FolderQuery:
    """Describe the folder's table (S3 lists and a ranged GET per flow log) and write its
    query: the filter, the folder's partitions (and flow logs), in start order, at most
    ``limit`` rows. Raises ``TableError`` for a folder that is not a flow log's, and
    ``MixedFormats`` for one of several formats without ``flow_logs``."""
    from flowtui.query.sql import select_sql
    from flowtui.query.sql import table_name as qualified

    try:  # ``db.tbl`` names its own database: never default.db.tbl (a catalog to Athena)
        reference = qualified(database, table_name)
    except ValueError as exc:
        raise TableError(str(exc)) from None
    root = layout.region_root(key)
    if root is None:
        raise TableError(f"{S3Url(bucket, key)}: not under a flow log's region folder")
    table = describe_prefix(client, bucket, root.prefix, flow_logs, folders=[key])
    name = ".".join(reference)
    columns = [c.field for c in table.columns]
    also = [term for term in (folder_partitions(table, key), path_filter(table.flow_logs))
            if term]
    sql = select_sql(reference, columns, dialect="athena", where=where,
                     order_by=[("start", False)] if "start" in columns else [],
                     limit=limit, also=also)
    return FolderQuery(sql=sql, table=table, name=name)
