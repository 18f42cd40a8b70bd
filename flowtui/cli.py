"""Command line: ``flowtui cat`` and friends on the core; the TUI when no command is given.

Messages for the user are one line on stderr, prefixed ``flowtui:``; a traceback never
reaches them. Exit codes: 0 done, 1 some objects failed or had bad lines reported as
errors, 2 nothing could be read (bad path, bad arguments).
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence

import pyarrow as pa

from flowtui.fields import parse_field_list
from flowtui.localfiles import LocalPathError, find_objects, read_batches
from flowtui.memory import prefer_compact_memory
from flowtui.output import FORMATS, make_writer
from flowtui.parser import FlowLogParser
from flowtui.s3 import cat as s3cat
from flowtui.textsafe import printable

COMMANDS = ("cat", "tail")
MAX_BAD_LINES_SHOWN = 20


def _cat_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flowtui cat",
        description="Print flow-log records from local files or folders (recursively, in "
                    "key/time order).")
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="file, folder or s3://bucket/key-or-prefix")
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="output format (default: table)")
    parser.add_argument("--explain", action="store_true",
                        help="print each record field by field, with meanings and warnings")
    parser.add_argument("--decoded", action="store_true",
                        help="decoded values (UTC times, protocol names, …) instead of raw")
    parser.add_argument("--limit", type=_positive_int, metavar="N",
                        help="stop after N records")
    parser.add_argument("--fields", type=_field_list, metavar="FORMAT",
                        help="columns of headerless files: a LogFormat ('${a} ${b}') or a "
                             "list ('a b' / 'a,b')")
    s3cat.add_arguments(parser)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _field_list(text: str) -> list[str]:
    try:
        return parse_field_list(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _say(message: str) -> None:
    print(f"flowtui: {printable(message)}", file=sys.stderr)


def run_cat(args: argparse.Namespace) -> int:
    if s3cat.wants_loader(args):
        writer = make_writer(args.format, sys.stdout, limit=args.limit, decoded=args.decoded,
                             explain=args.explain)
        return s3cat.run(args, writer, _say)
    try:
        paths = find_objects(args.paths)
    except LocalPathError as exc:
        _say(str(exc))
        return 2
    writer = make_writer(args.format, sys.stdout, limit=args.limit, decoded=args.decoded,
                         explain=args.explain)
    bad_total = 0
    failed = 0
    for path in paths:
        if writer.done:
            break
        parser = FlowLogParser(args.fields, name=str(path))
        try:
            for batch in read_batches(path, parser):
                writer.write_batch(batch, str(path))
                if writer.done:
                    break
        except (LocalPathError, pa.ArrowException) as exc:
            _say(f"{path}: {exc}")
            failed += 1
            continue
        finally:
            parser.close()
        if parser.error:
            _say(f"{path}: {parser.error}")
            failed += 1
        for bad in parser.bad_lines[:MAX_BAD_LINES_SHOWN]:
            _say(f"{path}:{bad.line_number}: {bad.reason}: {bad.text[:120]}")
        if parser.bad_count > MAX_BAD_LINES_SHOWN:
            _say(f"{path}: … and {parser.bad_count - MAX_BAD_LINES_SHOWN} more bad lines")
        bad_total += parser.bad_count
    if bad_total:
        _say(f"{bad_total} bad line{'s' if bad_total != 1 else ''} skipped")
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    prefer_compact_memory()
    try:
        if args and args[0] == "cat":
            return run_cat(_cat_parser().parse_args(args[1:]))
        if args and args[0] == "tail":
            from flowtui.tailcmd import main as run_tail

            return run_tail(args[1:])
        if args and args[0] == "demo":
            from flowtui.ui.demo_launch import main as run_demo

            return run_demo(args[1:])
        from flowtui.ui.launch import main as run_tui

        return run_tui(args)
    except BrokenPipeError:
        # The reader went away (``| head``): end quietly, without a second error at exit.
        _silence_stdout()
        return 0
    except KeyboardInterrupt:
        return 130


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
