"""Command line: ``flowtui cat`` and friends on the core, the TUI when no command is given."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    return 0
