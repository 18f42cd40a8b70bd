"""The ``flowtui`` entry point: a command from the registry (``cat``, ``top`` …), else the app.

Messages for the user are one line on stderr, prefixed ``flowtui:``; a traceback never
reaches them. Exit codes: 0 done, 1 some objects failed or had bad lines reported as
errors, 2 nothing could be read (bad path, bad arguments).
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Sequence

from flowtui.cli import collector, registry
from flowtui.cli.args import say
from flowtui.memory import prefer_compact_memory

# Arrow, the parser, boto3 and Textual are imported by the command that needs them, not
# here: ``--help`` answers without loading them, and ``cat`` of a local file never loads
# boto3 or Textual (tests/test_cli_startup.py holds both).


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = registry.find(args[0]) if args else None
    if argv is None and command is not None and not command.own_signals:
        collector.hold()  # the process's own start (a caller's process keeps its own)
    from flowtui.outfile import OutputError

    prefer_compact_memory()
    try:
        if command is not None:
            if not command.own_signals:
                _end_on_signals()
            try:
                return command.main(args[1:])
            finally:
                collector.release()
        mistake = registry.unknown_command(args[0]) if args else None
        if mistake is not None:
            say(mistake)
            return 2
        from flowtui.cli.launch import main as run_tui

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
    first (``cli.athena_queries``)."""
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
