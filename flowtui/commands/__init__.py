"""Commands beyond ``cat`` and ``tail``, one module each, found through one registry.

``cli.main`` looks a command up here and imports its module only when it runs, so adding a
command touches this table and its own module, and ``flowtui --help`` stays quick.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence

#: command → module with ``main(argv) -> int``
REGISTRY: dict[str, str] = {
    "top": "flowtui.commands.top",
    "hist": "flowtui.commands.hist",
    "story": "flowtui.storycmd",
    "athena": "flowtui.athena.cli",
    "sql": "flowtui.athena.sqlcmd",
    "config": "flowtui.commands.config",
}


def find_command(name: str) -> Callable[[Sequence[str]], int] | None:
    module = REGISTRY.get(name)
    if module is None:
        return None
    return importlib.import_module(module).main  # type: ignore[no-any-return]
