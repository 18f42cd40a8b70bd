"""``flowtui sql``: the SQL a question becomes, to read, paste into Athena, or run in DuckDB.

With ``s3://bucket/prefix`` the columns and the partition predicates come from that prefix
(as ``flowtui athena ddl`` describes it); without, the table is taken to have every VPC field
and the window filters on ``start``/``end`` only.
"""

from __future__ import annotations

import argparse

from flowtui.cli.args import (
    add_flow_log_option,
    add_s3_options,
    add_where_argument,
    named_twice,
    say,
    whole_number,
)
from flowtui.s3.url import is_s3_url


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", nargs="?", metavar="s3://bucket/prefix",
                        help="the table's location: its columns and key layout decide the "
                             "columns and partition predicates")
    add_where_argument(parser)
    parser.add_argument("--since", metavar="TIME", help="records overlapping from TIME")
    parser.add_argument("--until", metavar="TIME", help="records overlapping until TIME")
    parser.add_argument("--sort", metavar="FIELD[,-FIELD…]", help="ORDER BY ('-' descending)")
    parser.add_argument("--limit", type=whole_number(1), metavar="N", help="LIMIT N")
    parser.add_argument("--top", metavar="FIELD[,FIELD…]", help="group by these fields")
    parser.add_argument("--metric", choices=("records", "packets", "bytes"), default="bytes")
    parser.add_argument("-n", type=whole_number(1), default=20, metavar="N",
                        help="groups for --top (default: 20)")
    parser.add_argument("--hist", metavar="WIDTH", help="a time histogram, buckets of WIDTH")
    parser.add_argument("--dialect", choices=("athena", "duckdb"), default="athena")
    parser.add_argument("--database", help="the table's database (default: default)")
    parser.add_argument("--table",
                        help="the table (database.table names both; default: vpc_flow_logs, "
                             "with --flow-log's ids in it when given)")
    add_flow_log_option(parser)
    add_s3_options(parser)


def run(args: argparse.Namespace) -> int:
    from flowtui.athena.table import default_table_name, flow_log_ids, path_filter
    from flowtui.cli import athena_queries
    from flowtui.fields import ALL_VPC_FIELDS
    from flowtui.query.aggregate import parse_every
    from flowtui.query.query import FilterError, Query, UnknownField, field_name
    from flowtui.query.sql import histogram_sql, select_sql, table_name, top_sql

    try:
        flow_logs = flow_log_ids(args.flow_log)
        table = table_name(args.database, default_table_name(flow_logs, args.table))
        query = Query.build(args.where, args.sort)
        by = [field_name(n) for n in args.top.split(",") if n.strip()] if args.top else []
        if named_twice(by) is not None:
            raise ValueError(f"--top: {named_twice(by)} is named twice")
        every = parse_every(args.hist) if args.hist else None
        where = athena_queries.window_expr(args, query.where)
    except (FilterError, UnknownField, ValueError) as exc:
        say(str(exc))
        return 2
    columns: list[str] = list(ALL_VPC_FIELDS)
    also: list[str] = []
    if args.url:
        if not is_s3_url(args.url):
            say("the table's location is an s3://bucket/prefix")
            return 2
        args.paths = [args.url]
        args.workgroup = args.output_location = None
        prepared = athena_queries.plan(args, where)
        if isinstance(prepared, int):
            return prepared
        columns, also = athena_queries.columns(prepared.table), prepared.also
    elif flow_logs:  # no prefix to check the format against: the objects are kept all the same
        also = [path_filter(flow_logs) or ""]
    if by:
        sql = top_sql(table, columns, by=by, metric=args.metric, n=args.n, where=where,
                      dialect=args.dialect, also=also)
    elif every is not None:
        sql = histogram_sql(table, columns, every=every, where=where, dialect=args.dialect,
                            also=also)
    else:
        # Without the prefix the table's columns are unknown: SELECT * reads a default-format
        # table as well as a 54-column one (naming every VPC field fails on the former).
        sql = select_sql(table, columns, dialect=args.dialect, where=where,
                         select=None if args.url else ["*"],
                         order_by=[(k.field, k.descending) for k in query.sort],
                         limit=args.limit, also=also)
    print(sql + ";")
    return 0
