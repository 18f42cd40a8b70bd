"""The command line: every command in one registry (``registry.py``), one module each.

``flowtui = "flowtui.cli.main:entry"`` (pyproject.toml) and ``python -m flowtui`` enter here.
The core packages know no argparse, no exit codes and print nothing for the user: what a
command says on stderr, and the code it ends with, are this package's.
"""

from flowtui.cli.main import main

__all__ = ["main"]
