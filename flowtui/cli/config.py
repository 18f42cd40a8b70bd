"""``flowtui config``: where the settings file is, whether it is used, and what is in effect.

``--example`` prints a commented example to start a file from. Exit 0 when the file is
used or absent, 2 when it has a mistake (the line says which; the app would run on its
defaults)."""

from __future__ import annotations

import argparse
import sys

from flowtui import config
from flowtui.cli.args import say
from flowtui.textsafe import printable


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--example", action="store_true",
                        help="print a commented example config.toml")


def run(args: argparse.Namespace) -> int:
    if args.example:
        sys.stdout.write(config.EXAMPLE)
        return 0
    loaded = config.load()
    problem = loaded.error
    if problem is None and loaded.settings.keymap:
        from flowtui.ui.features.settings import keymap_problem  # the ids are the app's

        problem = keymap_problem(loaded.settings.keymap, loaded.path)
    state = "not used" if problem else "used" if loaded.exists else "absent: defaults"
    print(f"# {printable(str(loaded.path))} ({state})")
    if problem:
        say(problem)
        print(config.render(config.Settings()), end="")
        return 2
    print(config.render(loaded.settings), end="")
    return 0
