"""``flowtui [s3://bucket/prefix-or-key | PATH]``: the command line that opens the app.

The app is imported when it opens: ``flowtui cat`` and ``--help`` never load Textual.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from flowtui.cli.args import THEMES, CommandParser, add_athena_app_options, add_s3_options, say
from flowtui.cli.names import default_region, user_path
from flowtui.cli.registry import epilog

if TYPE_CHECKING:
    from flowtui.config import Settings
    from flowtui.names.resolve import NamesOptions

def _parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="flowtui",
        usage="flowtui [TARGET] [options] | flowtui COMMAND [options] (commands below)",
        description="Browse and explain AWS VPC Flow Logs in S3. With no target, lists the "
                    "buckets of the current AWS identity.",
        epilog=epilog() + "\nSettings: flowtui config.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", nargs="?", metavar="s3://bucket/prefix-or-key | PATH",
                        help="an S3 prefix to browse, an object to open, or a local file or "
                             "folder")
    add_s3_options(parser)
    add_athena_app_options(parser)
    names = parser.add_argument_group("names (interfaces, addresses, the rule behind a REJECT)")
    names.add_argument("--names-file", metavar="FILE",
                       help="CSV of cidr,name for networks EC2 doesn't know (default: the "
                            "config's [names] names_file)")
    names.add_argument("--ip-ranges", metavar="FILE",
                       help="AWS's ip-ranges.json to read instead of downloading it once "
                            "(default: the config's [names] ip_ranges)")
    names.add_argument("--no-names", action="store_true",
                       help="no names: no EC2 inventory read, no IP ranges download")
    parser.add_argument("--theme", choices=THEMES,
                        help="colours (default: FLOWTUI_THEME or textual-dark; ansi-dark "
                             "under NO_COLOR)")
    return parser


def main(argv: Sequence[str]) -> int:
    args = _parser().parse_args(list(argv))
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        say("the interface needs a terminal; for pipes use 'flowtui cat TARGET'")
        return 2
    from flowtui import config
    from flowtui.ui.features.jobs.athena import AthenaOptions
    from flowtui.ui.run import run

    loaded = config.load()
    if loaded.error:  # also shown in the app; said here too, where it stays after exit
        say(loaded.error)
    conf = loaded.settings
    profile = args.profile or conf.profile
    region = args.region or conf.region
    from flowtui.athena.table import TableError, flow_log_ids

    try:
        flow_logs = flow_log_ids(args.athena_flow_log or (
            [conf.athena_flow_log] if conf.athena_flow_log else None), "--athena-flow-log")
    except TableError as exc:
        say(str(exc))
        return 2
    athena = AthenaOptions(database=args.athena_database or conf.athena_database,
                           table=args.athena_table or conf.athena_table,
                           workgroup=args.athena_workgroup or conf.athena_workgroup,
                           output_location=args.athena_output_location
                           or conf.athena_output_location,
                           profile=profile, region=region, flow_logs=flow_logs)
    names = names_options(args, conf, profile)
    try:
        return run(args.target, profile=profile, region=region or default_region(profile),
                   endpoint_url=args.endpoint_url or conf.endpoint_url,
                   no_sign=args.no_sign_request, theme=args.theme or conf.theme,
                   athena=athena, settings=conf, settings_error=loaded.error, names=names)
    except Exception as exc:  # the app reports its own errors; this is the last resort
        say(str(exc))
        return 1


def names_options(args: argparse.Namespace, conf: Settings, profile: str | None
                  ) -> NamesOptions | None:
    """Where the app's names come from: the flags, else the config's ``[names]``; the EC2
    inventory of the records' account and region (read-only Describe calls, cached); None
    with ``--no-names``. EC2's endpoint is ``AWS_ENDPOINT_URL_EC2`` when set (the demo's
    moto, a test's), never the S3 ``--endpoint-url`` (an S3-compatible store is not EC2)."""
    if args.no_names:
        return None
    from flowtui.names.resolve import NamesOptions

    return NamesOptions(names_file=user_path(args.names_file or conf.names_file),
                        ip_ranges=user_path(args.ip_ranges or conf.ip_ranges), profile=profile,
                        endpoint_url=os.environ.get("AWS_ENDPOINT_URL_EC2") or None)

