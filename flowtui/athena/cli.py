"""``flowtui athena ddl``: the table definition for a prefix, printed or (asked) applied.

Nothing is sent to Athena unless ``--apply`` is given and confirmed (``--yes`` confirms
without a terminal). S3 is only listed and read, as everywhere in flowtui.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from flowtui.cliargs import CommandParser, add_s3_options, say


def add_athena_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """Where queries run: the same flags for ``ddl --apply`` and ``--engine athena``."""
    parser.add_argument("--database", default="default", help="Athena database (default: default)")
    parser.add_argument("--table", default="vpc_flow_logs",
                        help="table name (default: vpc_flow_logs)")
    parser.add_argument("--workgroup", help="Athena workgroup (default: primary)")
    parser.add_argument("--output-location", metavar="S3_URL",
                        help="where Athena writes results, unless the workgroup sets it")
    parser.add_argument("--athena-endpoint-url", metavar="URL", help=argparse.SUPPRESS)


def _parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="flowtui athena",
        description="Amazon Athena tables for flow-log prefixes (queries: --engine athena).")
    commands = parser.add_subparsers(dest="command", required=True)
    ddl = commands.add_parser(
        "ddl", help="print CREATE EXTERNAL TABLE (partition projection) for a prefix",
        description="Print a CREATE EXTERNAL TABLE for the flow logs under a prefix: columns "
                    "from the newest object, partitions (with projection) from the key layout. "
                    "Nothing is sent to Athena without --apply.")
    ddl.add_argument("url", metavar="s3://bucket/prefix")
    add_athena_options(ddl)
    ddl.add_argument("--apply", action="store_true",
                     help="run the statement on Athena (asks first)")
    ddl.add_argument("--yes", action="store_true", help="with --apply: do not ask")
    add_s3_options(ddl)
    return parser


def main(argv: Sequence[str]) -> int:
    args = _parser().parse_args(list(argv))
    return _ddl(args)


def _ddl(args: argparse.Namespace) -> int:
    from flowtui.athena.table import TableError, check_name, create_table, describe_prefix
    from flowtui.s3.errors import describe
    from flowtui.s3.select import parse_s3_url
    from flowtui.s3.session import make_client

    try:
        bucket, prefix = parse_s3_url(args.url)
    except ValueError as exc:
        say(str(exc))
        return 2
    try:
        check_name("--database", args.database)
        check_name("--table", args.table)
        client = make_client(args.profile, args.region, args.endpoint_url, args.no_sign_request)
        table = describe_prefix(client, bucket, prefix)
        statement = create_table(table, database=args.database, name=args.table)
    except TableError as exc:
        say(str(exc))
        return 2
    except Exception as exc:  # S3 errors: one line, never a traceback
        say(describe(exc, bucket=bucket, key=prefix))
        return 1
    if table.other_formats:
        say(f"flow log(s) {', '.join(table.other_formats)} under this prefix write another "
            "format than the one this table reads; query them with a table of their own")
    print(statement + ";")
    if not args.apply:
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            say("--apply without a terminal needs --yes")
            return 2
        answer = input(f"Create table {args.database}.{args.table} on Athena? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            say("not applied")
            return 1
    return _apply(statement, args)


def _apply(statement: str, args: argparse.Namespace) -> int:
    from flowtui.athena.engine import (
        AthenaTarget,
        QueryFailed,
        make_athena_client,
        run_query,
    )

    client = make_athena_client(args.profile, args.region, args.athena_endpoint_url)
    target = AthenaTarget(database=args.database, workgroup=args.workgroup,
                          output_location=args.output_location)
    try:
        for _ in run_query(client, statement, target,
                           on_status=lambda s: print(s.line(), file=sys.stderr)):
            pass
    except QueryFailed as exc:
        say(str(exc))
        return 1
    say(f"table {args.database}.{args.table} created")
    return 0


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """``--engine athena`` and where its queries run."""
    group = parser.add_argument_group("Athena (--engine athena)")
    group.add_argument("--engine", choices=("local", "athena"), default="local",
                       help="load and answer here (default), or run the query on Amazon "
                            "Athena over the table for the prefix (see flowtui athena ddl)")
    add_athena_options(group)
