"""Argument types and option groups shared by ``cat``, ``tail``, ``demo`` and the app.

One definition each, so a flag means the same and is checked the same way in every command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import NoReturn

from flowtui.textsafe import printable

# The writers of flowtui.output, named here so that --help does not load Arrow to list them.
FORMATS = ("table", "csv", "jsonl")


class CommandParser(argparse.ArgumentParser):
    """argparse, but a mistake on the command line is one line on stderr and exit 2, like
    every other flowtui error: argparse's own usage block buries the line that matters."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("flowtui").strip()
        where = f"{command}: " if command else ""
        say(f"{where}{message} (see {self.prog} --help)")
        raise SystemExit(2)


def say(message: str) -> None:
    """One line for the user on stderr; data in it is shown literally, credentials never."""
    from flowtui.redact import redact

    print(f"flowtui: {printable(redact(message))}", file=sys.stderr, flush=True)


def stdout_closed() -> bool:
    """Started with stdout closed (``>&-``): there is nowhere to write records, so the
    command says so in one line instead of failing on its first write."""
    if sys.stdout is not None:
        return False
    say("stdout is closed: nothing to write the records to")
    return True


def whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number in ``low..high``. Without ``high`` the bound is the
    largest int64 (what Arrow's slices and Athena's LIMIT take): ``-n 10**30`` is an error."""

    def parse(text: str) -> int:
        shown = text if len(text) <= 40 else text[:40] + "…"
        if len(text.strip()) > 40:
            raise argparse.ArgumentTypeError(f"not a whole number this side of 2^63: {shown!r}")
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {shown!r}") from None
        if value < low or value > (2**63 - 1 if high is None else high):
            bound = f"between {low} and {high}" if high is not None else (
                f"at least {low} and below 2^63")
            raise argparse.ArgumentTypeError(f"must be {bound}")
        return value

    return parse


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0.1 <= value <= 86400:
        raise argparse.ArgumentTypeError("must be between 0.1 and 86400 seconds")
    return value


def field_list(text: str) -> list[str]:
    from flowtui.fields import parse_field_list  # the field catalogue loads Arrow's types

    try:
        return parse_field_list(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_output_options(parser: argparse.ArgumentParser,
                       formats: tuple[str, ...] = FORMATS) -> None:
    """How records are printed: the same for ``cat`` and ``tail``."""
    parser.add_argument("--format", choices=formats, default="table",
                        help="output format (default: table)")
    parser.add_argument("--explain", action="store_true",
                        help="print each record field by field, with meanings and warnings")
    parser.add_argument("--decoded", action="store_true",
                        help="decoded values (UTC times, protocol names, …) instead of raw")
    parser.add_argument("--limit", type=whole_number(1), metavar="N",
                        help="stop after N records")
    parser.add_argument("--fields", type=field_list, metavar="FORMAT",
                        help="columns of headerless files: a LogFormat ('${a} ${b}') or a "
                             "list ('a b' / 'a,b')")


def add_s3_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """Where S3 is and who we are there: the standard chain unless told otherwise."""
    parser.add_argument("--profile", help="AWS profile (default: AWS_PROFILE / default chain)")
    parser.add_argument("--region", help="AWS region of the bucket")
    parser.add_argument("--endpoint-url", metavar="URL",
                        help="S3-compatible endpoint (path-style addressing)")
    parser.add_argument("--no-sign-request", action="store_true",
                        help="send unsigned requests (public buckets, no credentials)")


def add_athena_app_options(parser: argparse.ArgumentParser) -> None:
    """Where the app's "query on Athena" runs (a large folder offers it); asked if absent."""
    group = parser.add_argument_group("Athena (a large folder offers 'query on Athena')")
    group.add_argument("--athena-database", metavar="DB",
                       help="Athena database of the flow-log table (default: default)")
    group.add_argument("--athena-table", metavar="TABLE",
                       help="the flow-log table (see flowtui athena ddl; asked if not given)")
    group.add_argument("--athena-workgroup", metavar="W",
                       help="Athena workgroup (default: primary)")
    group.add_argument("--athena-output-location", metavar="S3_URL",
                       help="where Athena writes results, unless the workgroup sets it")
