"""``flowtui athena ddl``: the table definition for a prefix, printed or (asked) applied.

Nothing is sent to Athena unless ``--apply`` is given and confirmed (``--yes`` confirms
without a terminal). S3 is only listed and read, as everywhere in flowtui.
"""

from __future__ import annotations

import argparse
import sys

from flowtui.cli.args import add_athena_options, add_s3_options, say
from flowtui.s3.url import S3Url, S3UrlError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="command", required=True)
    ddl = commands.add_parser(
        "ddl", help="print CREATE EXTERNAL TABLE (partition projection) for a prefix",
        description="Print a CREATE EXTERNAL TABLE for the flow logs under a prefix: columns "
                    "from the newest object, partitions (with projection) from the key layout. "
                    "Where flow logs of several formats write, --flow-log names the one the "
                    "table is for. Nothing is sent to Athena without --apply.")
    ddl.add_argument("url", metavar="s3://bucket/prefix")
    add_athena_options(ddl)
    ddl.add_argument("--apply", action="store_true",
                     help="run the statement on Athena (asks first)")
    ddl.add_argument("--yes", action="store_true", help="with --apply: do not ask")
    add_s3_options(ddl)


def run(args: argparse.Namespace) -> int:
    return _ddl(args)  # the one subcommand today


def _ddl(args: argparse.Namespace) -> int:
    from flowtui.athena.table import (
        TableError,
        check_name,
        create_table,
        default_table_name,
        describe_prefix,
        flow_log_ids,
        restriction_note,
    )
    from flowtui.s3.errors import describe
    from flowtui.s3.session import make_client

    try:
        url = S3Url.parse(args.url)
    except S3UrlError as exc:
        say(str(exc))
        return 2
    bucket, prefix = url.bucket, url.key
    try:
        flow_logs = flow_log_ids(args.flow_log)
        args.table = default_table_name(flow_logs, args.table)
        check_name("--database", args.database)
        check_name("--table", args.table)
        client = make_client(args.profile, args.region, args.endpoint_url, args.no_sign_request)
        table = describe_prefix(client, bucket, prefix, flow_logs)
        statement = create_table(table, database=args.database, name=args.table)
    except TableError as exc:
        say(str(exc))
        return 2
    except Exception as exc:  # S3 errors: one line, never a traceback
        say(describe(exc, bucket=bucket, key=prefix))
        return 1
    if table.flow_logs:
        say(f"{args.database}.{args.table}: {restriction_note(table)}")
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
    """Run the statement as ``--engine athena`` runs its queries (``athena_queries.run``:
    the same status line, ``flowtui: athena succeeded · …``, and Ctrl-C stops it on
    Athena). A statement Athena did not run left nothing done: exit 2, one line with why
    and what to do (the statement is on stdout, to fix or to run in Athena's editor)."""
    from flowtui.athena.engine import AthenaTarget, QueryFailed
    from flowtui.cli import athena_queries

    name = f"{args.database}.{args.table}"
    target = AthenaTarget(database=args.database, workgroup=args.workgroup,
                          output_location=args.output_location)

    def apply() -> int:
        try:
            for _ in athena_queries.run(args, statement, target):
                pass
        except QueryFailed as exc:
            say(f"{exc}: table {name} was not created (fix that and run again, or run the "
                "statement above in Athena's query editor)")
            return 2
        say(f"table {name} created")
        return 0

    return athena_queries.guarded(apply)
