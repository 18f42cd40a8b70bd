"""Command line: ``flowtui cat`` and friends on the core; the TUI when no command is given.

Messages for the user are one line on stderr, prefixed ``flowtui:``; a traceback never
reaches them. Exit codes: 0 done, 1 some objects failed or had bad lines reported as
errors, 2 nothing could be read (bad path, bad arguments).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from flowtui.cliargs import CommandParser, add_output_options, say, stdout_closed
from flowtui.commands import catquery, find_command
from flowtui.memory import prefer_compact_memory
from flowtui.s3 import cat as s3cat

# Arrow, the parser, boto3 and Textual are imported by the command that needs them, not
# here: ``--help`` answers without loading them, and ``cat`` of a local file never loads
# boto3 or Textual (tests/test_cli_startup.py holds both).

#: Every command, with the one line ``flowtui --help`` says about it.
COMMAND_HELP: dict[str, str] = {
    "cat": "print records from files, folders or s3:// prefixes (--where, --sort, --format)",
    "tail": "follow an s3:// prefix as new flow-log files arrive",
    "top": "the largest groups by records, packets or bytes (--by srcaddr …)",
    "hist": "records, packets and bytes per time bucket, ACCEPT and REJECT apart",
    "story": "why a connection failed or worked: reply, other sightings, verdict",
    "sql": "print the SQL (Athena/Trino) for a filter, top-N or histogram",
    "athena": "Athena tables for flow-log prefixes (athena ddl)",
    "demo": "a local S3 (moto) with generated flow logs, and the app on it",
    "config": "the settings file: its path, the settings in effect, an example",
}
COMMANDS = tuple(COMMAND_HELP)
#: Commands main() runs itself, outside ``flowtui.commands.REGISTRY``.
REGISTRY_EXTRA = ("cat", "tail", "demo")
MAX_BAD_LINES_SHOWN = 20


def commands_epilog() -> str:
    """The commands part of ``flowtui --help``: one line each."""
    width = max(map(len, COMMANDS))
    lines = ["commands (flowtui COMMAND --help for each):"]
    lines += [f"  {name:<{width}}  {text}" for name, text in COMMAND_HELP.items()]
    lines += ["",
              "A first word close to a command (tial) is an error, unless a file or folder "
              "of that name exists:",
              "an existing path wins and opens. A folder named exactly like a command opens "
              "as ./NAME.",
              "Inside the app: ? shows every key, ctrl+p every command."]
    return "\n".join(lines)


def unknown_command(word: str) -> str | None:
    """"did you mean tail?" for a first word that is close to a command but is neither a
    command, an option, an s3:// URL nor an existing path (an existing path wins)."""
    import difflib
    import os

    if (not word or word.startswith("-") or "/" in word or "." in word or word in COMMANDS
            or os.path.exists(word)):
        return None
    close = difflib.get_close_matches(word.lower(), COMMANDS, n=1, cutoff=0.6)
    if not close:
        return None
    return f"unknown command {word!r} (did you mean {close[0]}?); see flowtui --help"


def _cat_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="flowtui cat",
        description="Print flow-log records from S3 objects and prefixes, or from local files "
                    "and folders (recursively), in key/time order.")
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="file, folder or s3://bucket/key-or-prefix")
    add_output_options(parser, formats=catquery.CAT_FORMATS)
    s3cat.add_arguments(parser)
    catquery.add_arguments(parser)
    return parser


def run_cat(args: argparse.Namespace) -> int:
    if args.output in (None, "-") and stdout_closed():
        return 2
    if catquery.wanted(args):
        return catquery.run(args)

    def cat_writer() -> Any:
        from flowtui.output import make_writer

        return make_writer(args.format, sys.stdout, limit=args.limit, decoded=args.decoded,
                           explain=args.explain)

    if s3cat.wants_loader(args):
        # The loader's threads write as batches arrive, and stop at once on a closed pipe.
        # The writer is made once the objects are listed (Arrow loads during the listing).
        return s3cat.run(args, None, say, make_writer=cat_writer)
    from flowtui.localfiles import LocalPathError, find_objects
    from flowtui.output import BackgroundWriter

    writer = cat_writer()
    try:
        paths = find_objects(args.paths)
    except LocalPathError as exc:
        say(str(exc))
        return 2
    if args.limit is not None:
        return _cat_local(args, paths, writer)
    # Text is made and written on a thread of its own while the next chunk inflates.
    with BackgroundWriter(writer) as background:
        return _cat_local(args, paths, background)


def _cat_local(args: argparse.Namespace, paths: list[Any], writer: Any) -> int:
    import pyarrow as pa

    from flowtui.localfiles import LocalPathError, read_batches
    from flowtui.parser import FlowLogParser

    drain = getattr(writer, "drain", lambda: None)  # rows before the messages about them
    bad_total = 0
    failed = 0
    for path in paths:
        if writer.done:
            break
        # CSV takes text columns as plain strings: Arrow's CSV writer renders each row once,
        # so a dictionary per block would be built for nothing. The table and jsonl writers
        # render a dictionary's values once each, which costs less than the dictionary.
        parser = FlowLogParser(args.fields, name=str(path),
                               dictionaries=args.format != "csv")
        try:
            for batch in read_batches(path, parser):
                writer.write_batch(batch, str(path))
                if writer.done:
                    break
        except (LocalPathError, pa.ArrowException) as exc:
            drain()
            say(f"{path}: {exc}")
            failed += 1
            continue
        finally:
            parser.close()
        drain()
        if parser.error:
            say(f"{path}: {parser.error}")
            failed += 1
        for bad in parser.bad_lines[:MAX_BAD_LINES_SHOWN]:
            say(f"{path}:{bad.line_number}: {bad.reason}: {bad.text[:120]}")
        if parser.bad_count > MAX_BAD_LINES_SHOWN:
            say(f"{path}: … and {parser.bad_count - MAX_BAD_LINES_SHOWN} more bad lines")
        bad_total += parser.bad_count
    if bad_total:
        say(f"{bad_total} bad line{'s' if bad_total != 1 else ''} skipped")
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    from flowtui.outfile import OutputError

    args = list(sys.argv[1:] if argv is None else argv)
    prefer_compact_memory()
    try:
        if args and args[0] == "cat":
            _end_on_signals()
            return run_cat(_cat_parser().parse_args(catquery.join_dash_values(args[1:])))
        command = find_command(args[0]) if args else None
        if command is not None:
            _end_on_signals()
            return command(args[1:])
        if args and args[0] == "tail":
            from flowtui.tailcmd import main as run_tail

            return run_tail(args[1:])
        if args and args[0] == "demo":
            from flowtui.ui.demo_launch import main as run_demo

            return run_demo(args[1:])
        mistake = unknown_command(args[0]) if args else None
        if mistake is not None:
            say(mistake)
            return 2
        from flowtui.ui.launch import main as run_tui

        return run_tui(args)
    except BrokenPipeError:
        # The reader went away (``| head``): end quietly, without a second error at exit.
        _silence_stdout()
        return 0
    except KeyboardInterrupt:
        return 130
    except OutputError as exc:
        say(str(exc))
        return exc.code


def _end_on_signals() -> None:
    """SIGTERM and SIGHUP still end a command by the signal (its exit status says so), but
    first remove a half-written --output file; during an Athena query, the query is stopped
    first (``athena.queries``)."""
    from flowtui.outfile import end_by_signal

    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, lambda number, _frame: end_by_signal(number))


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
