"""``flowtui tail s3://…``: follow a prefix and print new records as they arrive.

Records go to stdout through the ``cat`` writers; what the tail is doing (each poll, how
stale the newest file is, errors and back-off) goes to stderr, one line each, so a pipe gets
only records. Ctrl-C or SIGTERM end it cleanly: the poll or load in progress is cut and no
thread is left behind. On a terminal (without --no-tui) the app opens instead and drives the
same engine live.
"""

from __future__ import annotations

import argparse
import signal
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flowtui.cli.args import (
    add_output_options,
    add_s3_options,
    say,
    seconds,
    stdout_closed,
    whole_number,
)
from flowtui.cli.readergone import when_reader_leaves
from flowtui.events import BatchLoaded, ObjectDone, ObjectFailed, PollDone, PollFailed, TailEvent
from flowtui.output import make_writer
from flowtui.s3.errors import describe
from flowtui.s3.url import S3Url, S3UrlError, is_s3_url
from flowtui.tail import (
    DEFAULT_INTERVAL,
    DEFAULT_KEEP,
    TailEngine,
    TailOptions,
    missed_note,
)
from flowtui.tailscan import folders_ended
from flowtui.textsafe import printable
from flowtui.timefmt import ago

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client

MAX_BAD_LINES_SHOWN = 5
EXIT_INTERRUPTED = 130


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", metavar="s3://bucket/prefix")
    parser.add_argument("--interval", type=seconds, default=DEFAULT_INTERVAL, metavar="SECONDS",
                        help=f"seconds between polls (default: {DEFAULT_INTERVAL:g})")
    parser.add_argument("--backfill", type=whole_number(0), default=None, metavar="N",
                        help="also show the newest N files per flow log that exist at the "
                             "start (default: 1 in the live view, 0 when printing: only "
                             "new ones)")
    parser.add_argument("--keep", type=whole_number(1), default=DEFAULT_KEEP, metavar="N",
                        help="records the live view keeps, oldest dropped first "
                             f"(default: {DEFAULT_KEEP:,})")
    parser.add_argument("--no-tui", action="store_true",
                        help="print records instead of the live view (always so when stdout "
                             "is not a terminal)")
    add_output_options(parser)
    parser.add_argument("--quiet", "-q", action="store_true",
                        help="status lines only for errors, not for every poll")
    group = parser.add_argument_group("S3")
    add_s3_options(group)


def _clock(t: datetime) -> str:
    return f"{t:%Y-%m-%d %H:%M} UTC"


def status_line(event: PollDone | PollFailed) -> str:
    """One line for stderr (and the UI's status bar): what a poll found and when the next is."""
    if isinstance(event, PollFailed):
        return (f"poll {event.poll} failed: {event.reason}; retrying in {event.retry_in:g}s "
                f"({event.failures} in a row)")
    if event.baseline:
        logs = f"{event.flow_logs} flow log{'s' if event.flow_logs != 1 else ''}"
        head = f"following {logs} in {len(event.folders)} folder" + (
            "s" if len(event.folders) != 1 else "")
    elif event.new_objects:
        head = (f"poll {event.poll}: {event.new_objects} new file"
                f"{'s' if event.new_objects != 1 else ''}, {event.records:,} records")
        if event.late and event.late_oldest is not None:  # printed after newer records
            head += (f" ({event.late} delivered late, stamped from "
                     f"{_clock(event.late_oldest)}: "
                     f"{'their records come' if event.late != 1 else 'its records come'} "
                     "after newer ones)")
    else:
        head = f"poll {event.poll}: no new files"
    if event.held:
        head += f" ({event.held:,} held while paused)"
    if event.newest is not None and event.age is not None:
        if event.delivered is not None:  # since delivery (LastModified), as the app says
            now = event.newest + event.age
            fresh = (f"newest file {_clock(event.newest)}, "
                     f"delivered {ago(now - event.delivered, 'ago')}")
        else:
            fresh = f"newest file {_clock(event.newest)}, {ago(event.age)}"
        if event.stale:
            ended = folders_ended(event.folders, event.newest + event.age)
            fresh += (f" (stale: the followed {ended[1]} folder ended at {_clock(ended[0])}, "
                      f"only late files land in it now; follow its region folder for the "
                      f"next {ended[1]}s)" if ended is not None
                      else " (stale: AWS usually delivers within ~10 min)")
    else:
        fresh = "no flow-log files yet"
    missed = missed_note(event)
    return f"{head}; {fresh}; next poll in {event.next_in:g}s" + (f"; {missed}" if missed
                                                                  else "")


def run(args: argparse.Namespace) -> int:
    if not is_s3_url(args.url):
        say("tail follows an S3 prefix: give s3://bucket/prefix")
        return 2
    try:
        S3Url.parse(args.url)
    except S3UrlError as exc:
        say(str(exc))
        return 2
    if stdout_closed():
        return 2
    if not args.no_tui and sys.stdout.isatty() and sys.stdin.isatty():
        return _live_view(args)
    from flowtui.s3.session import make_client

    try:
        client = make_client(profile=args.profile, region=args.region,
                             endpoint_url=args.endpoint_url, no_sign=args.no_sign_request)
    except Exception as exc:  # bad profile and the like: one line
        say(describe(exc, profile=args.profile))
        return 2
    writer = make_writer(args.format, sys.stdout, limit=args.limit, decoded=args.decoded,
                         explain=args.explain)
    return follow(args, client, writer)


def _live_view(args: argparse.Namespace) -> int:
    """On a terminal: the app, following the prefix (imported here: the core stays
    Textual-free, and pipes never load the UI)."""
    from flowtui.ui.run import run

    backfill = {} if args.backfill is None else {"backfill": args.backfill}
    options = TailOptions(interval=args.interval, keep=args.keep, fields=args.fields,
                          **backfill)
    try:
        return run(None, profile=args.profile, region=args.region,
                   endpoint_url=args.endpoint_url, no_sign=args.no_sign_request,
                   follow=args.url, tail_options=options)
    except Exception as exc:  # the app reports its own errors; this is the last resort
        say(str(exc))
        return 1


def follow(args: argparse.Namespace, client: S3Client, writer: Any) -> int:
    """Run the tail in this thread until a signal, ``--limit`` or a closed pipe."""
    broken_pipe = False
    headers_said = 0
    engine: TailEngine

    def on_event(event: TailEvent) -> None:
        nonlocal broken_pipe
        match event:
            case BatchLoaded():
                if broken_pipe or writer.done:
                    return
                try:
                    writer.write_batch(event.batch, event.ref.location, event.lines)
                except BrokenPipeError:
                    broken_pipe = True
                    engine.stop(timeout=0)
                    return
                said_new_headers()
                if writer.done:
                    engine.stop(timeout=0)
            case ObjectFailed():
                say(event.reason)
            case ObjectDone():
                where = event.ref.location
                if event.error:
                    say(f"{where}: {event.error}")
                for bad in event.bad_lines[:MAX_BAD_LINES_SHOWN]:
                    say(f"{where}:{bad.line_number}: {bad.reason}: {bad.text[:120]}")
                if event.bad_count > MAX_BAD_LINES_SHOWN:
                    say(f"{where}: … and {event.bad_count - MAX_BAD_LINES_SHOWN} more bad lines")
            case PollFailed():
                say(status_line(event))
            case PollDone() if not args.quiet:
                say(status_line(event))
            case PollDone() if event.missed:  # --quiet: still said, once
                say(missed_note(event) or "")
            case _:  # pause, resume and stop are this command's own doing
                pass

    def said_new_headers() -> None:
        """A CSV whose columns changed (a flow log of another format writes into the
        prefix) has a second header line, which a CSV reader takes for a row: said when it
        happens, as ``cat`` says it at its end (a tail has none)."""
        nonlocal headers_said
        more = getattr(writer, "more_headers", None) or []
        for where in more[headers_said:]:
            say(f"{printable(where)}: the CSV's columns change here (an object of another "
                "format): a second header line, which a CSV reader takes for a row; "
                "--format jsonl gives each record its own fields")
        headers_said = len(more)

    try:
        engine = TailEngine(args.url, client=client, on_event=on_event,
                            interval=args.interval, backfill=args.backfill or 0,
                            fields=args.fields)
    except ValueError as exc:
        say(str(exc))
        return 2
    interrupted = False

    def on_signal(signum: int, _frame: Any) -> None:
        nonlocal interrupted
        interrupted = interrupted or signum == signal.SIGINT
        engine.stop(timeout=0)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    def reader_gone() -> None:  # ``| head``: a quiet prefix may write nothing for hours
        nonlocal broken_pipe
        broken_pipe = True
        engine.stop(timeout=0)

    try:
        with when_reader_leaves(reader_gone):
            engine.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if broken_pipe:
        raise BrokenPipeError  # cli.main ends quietly
    return EXIT_INTERRUPTED if interrupted else 0
