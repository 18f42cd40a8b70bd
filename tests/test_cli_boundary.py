"""The command line is one package above the rest (issue 19 item 4).

Every command lives in ``flowtui/cli/``; the core (``athena/``, ``s3/``, ``query/``,
``names/`` and the modules beside them) returns values and raises errors, and the CLI turns
them into one line on stderr and an exit code. So the same core serves the app, where a
``print`` or an ``argparse`` exit would corrupt the screen or end the program. Before the
package, ``s3/cat.py`` and ``athena/cli.py`` parsed arguments and printed, and
``ui/launch.py`` imported ``cli.py``, which imported it back.
"""

from __future__ import annotations

import ast
from pathlib import Path

from test_boundary import _imports

PACKAGE = Path(__file__).resolve().parent.parent / "flowtui"
#: Names a core module may not touch: the user's streams and the process's exit.
CLI_ONLY = {("sys", "stdout"), ("sys", "stderr"), ("sys", "exit")}


def _modules(*, ui: bool) -> list[Path]:
    """The core's modules (``ui`` False) or the app's (``ui`` True); never the CLI's."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if parts[0] == "cli" or parts == ("__main__.py",):
            continue
        if (parts[0] == "ui") == ui:
            found.append(path)
    assert found
    return found


def _cli_code(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [f"imports {name}" for name in sorted(_imports(path))
             if name == "argparse" or name.startswith("flowtui.cli")]
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "print":
            found.append(f"line {node.lineno}: print()")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and (node.value.id, node.attr) in CLI_ONLY:
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_the_core_holds_no_cli_code() -> None:
    offenders = {str(p.relative_to(PACKAGE)): _cli_code(p) for p in _modules(ui=False)}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_app_never_imports_the_command_line() -> None:
    """The CLI opens the app (``cli/launch.py``, ``cli/tail.py``), never the other way."""
    offenders = {str(p.relative_to(PACKAGE)): sorted(
        n for n in _imports(p) if n.startswith("flowtui.cli")) for p in _modules(ui=True)}
    assert {name: found for name, found in offenders.items() if found} == {}
