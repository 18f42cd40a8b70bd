"""Every command, in one table: its name, its line in ``flowtui --help``, its own ``--help``
text and the module that sets up its arguments and runs it.

``flowtui --help``, ``flowtui COMMAND --help``, the "did you mean" hint and the dispatch in
``cli.main`` are all read from ``COMMANDS``, so adding a command is one row here and one
module with two functions:

- ``add_arguments(parser)``: the command's options on the parser this table makes (its
  ``prog`` and description come from the row);
- ``run(args) -> int``: the command, given the parsed arguments; the exit code.

A command's module is imported only when that command runs: ``--help`` answers without
loading Arrow, boto3 or Textual (tests/test_cli_startup.py).
"""

# No ``from __future__ import annotations``: NamedTuple compiles a class's string
# annotations, a cost of every command's start; these all evaluate at once.
import argparse
import importlib
from collections.abc import Sequence
from typing import NamedTuple, Protocol, cast

from flowtui.cli.args import CommandParser, join_dash_values


class CommandModule(Protocol):
    """What a command's module defines."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


class Command(NamedTuple):  # not a dataclass: ``--help`` would pay for importing them
    name: str
    summary: str  # its line in ``flowtui --help``
    description: str  # the paragraph under ``usage:`` in ``flowtui NAME --help``
    module: str  # see CommandModule
    #: The command handles SIGTERM/SIGHUP itself (the tail's engine, the app's terminal);
    #: the others end by the signal after removing a half-written --output file.
    own_signals: bool = False

    def parser(self) -> argparse.ArgumentParser:
        parser = CommandParser(prog=f"flowtui {self.name}", description=self.description)
        self._module().add_arguments(parser)
        return parser

    def main(self, argv: Sequence[str]) -> int:
        # A value that starts with "-" (--sort -bytes, --since -2h) is read as a value.
        args = self.parser().parse_args(join_dash_values(argv))
        return self._module().run(args)

    def _module(self) -> CommandModule:
        return cast(CommandModule, importlib.import_module(self.module))


COMMANDS: tuple[Command, ...] = (
    Command("cat", "print records from files, folders or s3:// prefixes (--where, --sort, "
                   "--format)",
            "Print flow-log records from S3 objects and prefixes, or from local files and "
            "folders (recursively), in key/time order.",
            "flowtui.cli.cat"),
    Command("tail", "follow an s3:// prefix as new flow-log files arrive",
            "Follow an S3 prefix (a region or day folder, or anything above or below) and "
            "print flow-log records as new files arrive. Status lines go to stderr. Ctrl-C "
            "stops. A file delivered late is read if it is stamped within 1 hour (the "
            "lookback) of its flow log's newest file; one later than that is not (a status "
            "line says so when a listing shows it; flowtui cat reads it).",
            "flowtui.cli.tail", own_signals=True),
    Command("top", "the largest groups by records, packets or bytes (--by srcaddr …)",
            "Group flow-log records by fields and print the largest groups: the --by fields "
            "plus records, packets and bytes, sorted by --metric.",
            "flowtui.cli.top"),
    Command("hist", "records, packets and bytes per time bucket, ACCEPT and REJECT apart",
            "A time histogram of flow-log records by start time: per bucket the records, "
            "packets, bytes, and how many were ACCEPT and REJECT.",
            "flowtui.cli.hist"),
    Command("story", "why a connection failed or worked: reply, other sightings, verdict",
            "Tell the story of flow-log records: the reply, the same flow at other "
            "interfaces, a timeline, and a verdict (nacl-blocks-reply, blocked-by-bpa, "
            "rejected, rejected-after-close, no-reply-seen, ok, incomplete).",
            "flowtui.cli.story"),
    Command("sql", "print the SQL (Athena/Trino) for a filter, top-N or histogram",
            "Print the SQL for a filter (and a sort, top-N or histogram) in the Athena "
            "(Trino) or DuckDB dialect. Nothing is run.",
            "flowtui.cli.sql"),
    Command("athena", "Athena tables for flow-log prefixes (athena ddl)",
            "Amazon Athena tables for flow-log prefixes (queries: --engine athena).",
            "flowtui.cli.athena"),
    Command("demo", "a local S3 (moto) with generated flow logs, and the app on it",
            "Start a local S3-compatible server (moto) on 127.0.0.1, fill it with generated "
            "flow logs, and open flowtui on it. Nothing leaves this machine.",
            "flowtui.cli.demo", own_signals=True),
    Command("config", "the settings file: its path, the settings in effect, an example",
            "Show the settings file's path and the settings in effect ($FLOWTUI_CONFIG "
            "names another file).",
            "flowtui.cli.config"),
)
NAMES = tuple(command.name for command in COMMANDS)


def find(name: str) -> Command | None:
    return next((command for command in COMMANDS if command.name == name), None)


def epilog() -> str:
    """The commands part of ``flowtui --help``: one line each."""
    width = max(map(len, NAMES))
    lines = ["commands (flowtui COMMAND --help for each):"]
    lines += [f"  {c.name:<{width}}  {c.summary}" for c in COMMANDS]
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

    if (not word or word.startswith("-") or "/" in word or "." in word or word in NAMES
            or os.path.exists(word)):
        return None
    close = difflib.get_close_matches(word.lower(), NAMES, n=1, cutoff=0.6)
    if not close:
        return None
    return f"unknown command {word!r} (did you mean {close[0]}?); see flowtui --help"
