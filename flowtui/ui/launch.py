"""``flowtui [s3://bucket/prefix-or-key | PATH]``: the command line that opens the app.

Kept in the UI package so the core CLI only gains one branch and never imports Textual for
``flowtui cat``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from flowtui.cliargs import add_athena_app_options, add_s3_options
from flowtui.textsafe import printable

THEMES = ("textual-dark", "textual-light", "ansi-dark", "ansi-light")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flowtui",
        description="Browse and explain AWS VPC Flow Logs in S3. With no target, lists the "
                    "buckets of the current AWS identity.",
        epilog="Inside: ? shows every key, ctrl+p every command. Settings: flowtui config. "
               "Also: flowtui cat --help.")
    parser.add_argument("target", nargs="?", metavar="s3://bucket/prefix-or-key | PATH",
                        help="an S3 prefix to browse, an object to open, or a local file or "
                             "folder")
    add_s3_options(parser)
    add_athena_app_options(parser)
    parser.add_argument("--theme", choices=THEMES,
                        help="colours (default: FLOWTUI_THEME or textual-dark; ansi-dark "
                             "under NO_COLOR)")
    return parser


def main(argv: Sequence[str]) -> int:
    args = _parser().parse_args(list(argv))
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print("flowtui: the interface needs a terminal; for pipes use "
              "'flowtui cat TARGET'", file=sys.stderr)
        return 2
    from flowtui import config
    from flowtui.ui.app import run
    from flowtui.ui.jobs.athena import AthenaOptions

    loaded = config.load()
    if loaded.error:  # also shown in the app; said here too, where it stays after exit
        print(f"flowtui: {printable(loaded.error)}", file=sys.stderr)
    conf = loaded.settings
    profile = args.profile or conf.profile
    region = args.region or conf.region
    athena = AthenaOptions(database=args.athena_database or conf.athena_database,
                           table=args.athena_table or conf.athena_table,
                           workgroup=args.athena_workgroup or conf.athena_workgroup,
                           output_location=args.athena_output_location
                           or conf.athena_output_location,
                           profile=profile, region=region)
    try:
        return run(args.target, profile=profile, region=region,
                   endpoint_url=args.endpoint_url or conf.endpoint_url,
                   no_sign=args.no_sign_request, theme=args.theme or conf.theme,
                   athena=athena, settings=conf, settings_error=loaded.error)
    except Exception as exc:  # the app reports its own errors; this is the last resort
        print(f"flowtui: {printable(str(exc))}", file=sys.stderr)
        return 1
