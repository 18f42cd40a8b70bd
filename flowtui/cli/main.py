"""The ``flowtui`` entry point: a command from the registry (``cat``, ``top`` …), else the app.

Messages for the user are one line on stderr, prefixed ``flowtui:``; a traceback never
reaches them. Exit codes: 0 done, 1 some objects failed or had bad lines reported as
errors, 2 nothing could be read or answered (bad path, bad arguments, a listing
or an Athena query that failed).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import NoReturn

from flowtui.cli import collector, registry
from flowtui.cli.args import say
from flowtui.memory import prefer_compact_memory

# Arrow, the parser, boto3 and Textual are imported by the command that needs them, not
# here: ``--help`` answers without loading them, and ``cat`` of a local file never loads
# boto3 or Textual (tests/test_cli_startup.py holds both).


def entry() -> NoReturn:
    """The process's own run (the ``flowtui`` script, ``python -m flowtui``): ``main``, then
    the end of the process (``end_process``)."""
    code = main()
    end_process(code if _command_ran else None, code)


def end_process(code: int | None, fallback: int) -> NoReturn:
    """End the process with ``code`` once the command is done, without the interpreter's
    teardown; ``None`` (or anything left to wait for): Python's own exit with ``fallback``.

    Why: after the last record is written, Python's exit still frees every module, object
    and Arrow's memory one by one: 25-35 ms of a command's wall time (``cat`` of one record
    or of a million; measured from the command's return to the parent's wait), as long as
    the whole start of a small command. None of it is seen by the user: what can be seen
    is done first, in the order Python's exit does it — threads that are not daemons are
    waited for (with one alive, the exit is Python's own), ``atexit`` functions run, stdout
    and stderr are flushed (a flush that fails leaves the exit to Python, which reports it
    as it always did). Files a command writes are closed by the command itself
    (``outfile``, ``results.output``).
    """
    if code is None or any(not thread.daemon for thread in threading.enumerate()
                           if thread is not threading.main_thread()):
        raise SystemExit(fallback)
    import atexit

    atexit._run_exitfuncs()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        raise SystemExit(fallback) from None
    os._exit(code)


#: Whether ``main`` ran a command from the registry to its end (the app, an unknown command
#: and an error leave the process's end to Python: ``entry``).
_command_ran = False


def main(argv: Sequence[str] | None = None) -> int:
    global _command_ran
    args = list(sys.argv[1:] if argv is None else argv)
    command = registry.find(args[0]) if args else None
    if argv is None and command is not None and not command.own_signals:
        collector.hold()  # the process's own start (a caller's process keeps its own)
    from flowtui.outfile import WRITE_ERRORS, EndedBySignal, OutputError, end_by_signal

    prefer_compact_memory()
    try:
        if command is not None:
            if not command.own_signals:
                _end_on_signals()
            try:
                code = command.main(args[1:])
            finally:
                collector.release()
            _command_ran = True
            return code
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
    except EndedBySignal as ended:  # the app quit on SIGHUP/SIGTERM; cleanups ran
        end_by_signal(ended.signum)
        return 128 + ended.signum  # (not reached: the signal ends the process)
    except KeyboardInterrupt:
        return 130
    except OutputError as exc:
        say(str(exc))
        return exc.code
    except OSError as exc:
        if exc.errno not in WRITE_ERRORS:
            raise
        # stdout could not be written (a full disk: ``> /dev/full``): one line, not a traceback;
        # what was written so far stays, and the exit code says it is not all.
        say(f"can't write the output: {exc.strerror or exc}")
        _silence_stdout()
        return 1


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
