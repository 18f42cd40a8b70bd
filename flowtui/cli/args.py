"""Argument types and option groups shared by the commands and the app's command line.

One definition each, so a flag means the same and is checked the same way in every command.
Light at import (argparse only): a type that needs Arrow imports it when it is used.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from flowtui.textsafe import printable

# The writers of flowtui.output, named here so that --help does not load Arrow to list them.
FORMATS = ("table", "csv", "jsonl")
#: The app's colour themes, as ``flowtui.config.THEMES`` (not imported for ``--help``).
THEMES = ("textual-dark", "textual-light", "ansi-dark", "ansi-light")


class CommandParser(argparse.ArgumentParser):
    """argparse, but a mistake on the command line is one line on stderr and exit 2, like
    every other flowtui error: argparse's own usage block buries the line that matters."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("flowtui").strip()
        where = f"{command}: " if command else ""
        say(f"{where}{message} (see {self.prog} --help)")
        raise SystemExit(2)

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
        parsed = super().parse_args(args, namespace)
        settle_window(parsed)
        return parsed


#: Options whose value may start with "-" (``--sort -bytes``, ``--since -2h``): argparse would
#: take such a value for an option, so ``--sort -bytes`` is rewritten as ``--sort=-bytes``.
DASH_VALUE_OPTIONS = ("--sort", "--where", "--since", "--until", "--by")


def join_dash_values(argv: Sequence[str], options: Sequence[str] = DASH_VALUE_OPTIONS
                     ) -> list[str]:
    out: list[str] = []
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            out.extend(args[i:])
            break
        if arg in options and i + 1 < len(args) and args[i + 1].startswith("-") \
                and args[i + 1] not in ("-", "--") and not args[i + 1].startswith("--"):
            out.append(f"{arg}={args[i + 1]}")
            i += 2
            continue
        out.append(arg)
        i += 1
    return out


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


class ClockTime(str):
    """A ``--since``/``--until`` of a clock time alone (``14:05``): its day is settled once
    every option is read (``settle_window``)."""


def utc_time(text: str) -> Any:
    """A ``--since``/``--until`` time (UTC; 2024-03-05T14:00, epoch seconds, an age), or a
    ``ClockTime`` for ``settle_window``."""
    from flowtui.query.times import is_clock, parse_time  # loads Arrow: only when given

    try:
        when = parse_time(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return ClockTime(text) if is_clock(text) else when


def settle_window(args: argparse.Namespace) -> None:
    """A clock time in ``--until`` is on the day of ``--since`` (``--since 2024-03-05T14:00
    --until 14:05`` is five minutes, not a day and five minutes), and one in ``--since`` (or
    in ``--until`` alone) on the day of the day folder the paths name, else today: as
    ``during A..B`` and a clock time in ``--where`` are read."""
    since, until = getattr(args, "since", None), getattr(args, "until", None)
    if not any(isinstance(v, str) and _is_clock(v) for v in (since, until)):
        return
    from datetime import UTC, datetime

    from flowtui.cli.filtering import folder_day
    from flowtui.query.times import parse_time

    def midnight(day: Any) -> datetime | None:
        return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)

    folder = midnight(folder_day(getattr(args, "paths", None) or []))
    if isinstance(since, str) and _is_clock(since):
        since = args.since = parse_time(since, folder)
    if isinstance(until, str) and _is_clock(until):
        base = since if isinstance(since, datetime) else None
        if isinstance(since, str):  # sql's own --since, read later: its day, if it has one
            try:
                base = parse_time(since)
            except ValueError:
                base = None
        args.until = parse_time(until, midnight(base.date()) if base else folder)


def window_text(args: argparse.Namespace) -> str:
    """`` between 2026-12-06 14:00:00 UTC and now`` for ``--since``/``--until``; "" without.

    To the second, as the window is applied (whole seconds: ``window_mask``): a bound shown
    to the minute hid the seconds of ``--since 1709648971`` or ``--since 2h``, and a record
    a few seconds outside ``--until 14:05`` looked inside it."""
    since, until = getattr(args, "since", None), getattr(args, "until", None)
    if since is None and until is None:
        return ""
    end = f"{until:%Y-%m-%d %H:%M:%S} UTC" if until is not None else "now"
    return f" between {since:%Y-%m-%d %H:%M:%S} UTC and {end}" if since is not None \
        else f" up to {end}"


def _is_clock(text: str) -> bool:
    from flowtui.query.times import is_clock

    return is_clock(text)


def named_twice(fields: Sequence[str]) -> str | None:
    """The first field a ``--by``/``--top`` list names again (``srcaddr,srcaddr``): a group
    key given twice is no question (and the grouping had no answer for it: a traceback)."""
    return next((f for i, f in enumerate(fields) if f in fields[:i]), None)


def field_list(text: str) -> list[str]:
    from flowtui.fields import parse_field_list  # the field catalogue loads Arrow's types

    try:
        fields = parse_field_list(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    # Typed by a user, a name near one of AWS's is a typo, not a field flowtui does not know
    # yet (those are kept): read as a column of its own, the real field was "absent".
    from flowtui.fields import FIELDS
    from flowtui.query.words import nearest_field

    for name in fields:
        near = None if name in FIELDS else nearest_field(name, FIELDS, cutoff=0.8)
        if near is not None:
            raise argparse.ArgumentTypeError(f"unknown field {name!r} (did you mean {near!r}?)")
    twice = named_twice(fields)
    if twice is not None:
        raise argparse.ArgumentTypeError(f"{twice} is named twice")
    return fields


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
    add_flow_log_option(group, "--athena-flow-log",
                        "the flow log the app's Athena queries are for, where flow logs of "
                        "several formats write (default: the config's [athena] flow_log; "
                        "else the app asks which)")
    group.add_argument("--athena-workgroup", metavar="W",
                       help="Athena workgroup (default: primary)")
    group.add_argument("--athena-output-location", metavar="S3_URL",
                       help="where Athena writes results, unless the workgroup sets it")


def add_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="file, folder, s3://bucket/key-or-prefix, or - for standard input")


def add_source_arguments(parser: argparse.ArgumentParser) -> None:
    """Paths, ``--where``, headerless ``--fields``, S3 options and the time window."""
    add_paths(parser)
    add_where_argument(parser)
    parser.add_argument("--fields", type=field_list, metavar="FORMAT",
                        help="columns of headerless files: a LogFormat ('${a} ${b}') or a "
                             "list ('a b' / 'a,b')")
    parser.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")
    add_window_options(parser)


def add_where_argument(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument("--where", metavar="EXPR",
                        help="keep only records matching EXPR while loading, e.g. "
                             "'reject and dst port 22' or 'bytes > 1M and net 10.0.0.0/8' (1M = "
                             "1,000,000; 1MiB = 1,048,576)")


def add_window_options(parser: argparse.ArgumentParser) -> None:
    """The time window and S3 options of every command that loads records."""
    group = parser.add_argument_group("S3 and time window")
    group.add_argument("--since", type=utc_time, metavar="TIME",
                       help="records that end at or after TIME (UTC; 2024-03-05T14:00, "
                            "epoch seconds, an age such as 2h, or 14:00 on the day of the "
                            "day folder, else today)")
    group.add_argument("--until", type=utc_time, metavar="TIME",
                       help="records that start at or before TIME (default: now; 14:05 is "
                            "on the day of --since)")
    add_s3_options(group)
    group.add_argument("--concurrency", type=whole_number(1, 64), default=None, metavar="N",
                       help="objects fetched at once (default: chosen from the objects' "
                            "number and size: up to 32 small ones, about one per core for "
                            "large ones)")


def add_athena_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """Where queries run: the same flags for ``ddl --apply`` and ``--engine athena``."""
    parser.add_argument("--database", default="default", help="Athena database (default: default)")
    parser.add_argument("--table",
                        help="table name (default: vpc_flow_logs, with --flow-log's ids in it "
                             "when given)")
    add_flow_log_option(parser)
    parser.add_argument("--workgroup", help="Athena workgroup (default: primary)")
    parser.add_argument("--output-location", metavar="S3_URL",
                        help="where Athena writes results, unless the workgroup sets it")
    parser.add_argument("--athena-endpoint-url", metavar="URL", help=argparse.SUPPRESS)


def add_flow_log_option(parser: argparse.ArgumentParser | argparse._ArgumentGroup,
                        name: str = "--flow-log", text: str | None = None) -> None:
    """The flow log(s) an Athena table is for, where several formats share a location."""
    parser.add_argument(name, action="append", metavar="FL_ID",
                        help=text or "the flow log(s) the table is for (repeat or "
                             "comma-separate, one format), needed where flow logs of several "
                             "formats write: its queries then read only those flow logs' "
                             "objects")


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """``--engine athena`` and where its queries run."""
    group = parser.add_argument_group("Athena (--engine athena)")
    group.add_argument("--engine", choices=("local", "athena"), default="local",
                       help="load and answer here (default), or run the query on Amazon "
                            "Athena over the table for the prefix (see flowtui athena ddl)")
    add_athena_options(group)
