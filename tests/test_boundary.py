"""The core never imports Textual: the CLI and tests must run it without a terminal UI."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "flowtui"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_modules_do_not_import_textual() -> None:
    core = [p for p in PACKAGE.rglob("*.py") if "ui" not in p.relative_to(PACKAGE).parts]
    assert core, "no core modules found"
    offenders = {
        str(p.relative_to(PACKAGE)): sorted(n for n in _imports(p) if n.split(".")[0] == "textual")
        for p in core
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_core_imports_without_textual_loaded() -> None:
    import subprocess
    import sys

    code = (
        "import sys, pkgutil, importlib, flowtui\n"
        "for m in pkgutil.walk_packages(flowtui.__path__, 'flowtui.'):\n"
        "    if '.ui' in m.name or m.name.endswith('__main__'):\n"
        "        continue\n"
        "    importlib.import_module(m.name)\n"
        "assert not [k for k in sys.modules if k.split('.')[0] == 'textual']\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=PACKAGE.parent)
    assert result.returncode == 0, result.stderr


#: Documented, public names that start with an underscore.
PUBLIC_UNDERSCORED = {"os._exit"}


def test_ui_reads_no_private_attribute_of_another_object() -> None:
    """Textual's private attributes change without notice (the brief: read none). Only
    ``self._x`` and ``cls._x`` are allowed in the UI."""
    offenders = []
    for path in sorted((PACKAGE / "ui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                    and not node.attr.startswith("__")
                    and not (isinstance(node.value, ast.Name)
                             and node.value.id in ("self", "cls"))
                    and ast.unparse(node) not in PUBLIC_UNDERSCORED):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} "
                                 f"{ast.unparse(node)}")
    assert offenders == []


def _ui_imports(path: Path) -> set[str]:
    """The ``flowtui.ui`` modules ``path`` imports, anywhere in it (type-checking only too)."""
    return {name for name in _imports(path) if name.startswith("flowtui.ui")}


def test_ui_imports_run_downward() -> None:
    """ui/ stands in floors: widgets (what the screen is built of) import no feature, no
    screen and no app; the screen and what the table shows import no feature; features
    import no app. An import running back up ties a widget to the work above it, so a
    change to one feature touches the widgets (issue 19)."""
    ui = PACKAGE / "ui"
    above_widgets = ("flowtui.ui.features", "flowtui.ui.screen", "flowtui.ui.shown",
                     "flowtui.ui.app", "flowtui.ui.run", "flowtui.ui.launch")
    above_screen = ("flowtui.ui.features", "flowtui.ui.app", "flowtui.ui.run")
    offenders: list[str] = []
    for path in sorted(ui.rglob("*.py")):
        rel = path.relative_to(ui)
        if rel.parts[0] == "widgets" or str(rel) in ("messages.py", "clipboard.py"):
            banned = above_widgets
        elif str(rel) in ("screen.py", "shown.py"):
            banned = above_screen
        elif rel.parts[0] == "features":
            banned = ("flowtui.ui.app", "flowtui.ui.run", "flowtui.ui.launch")
        else:
            continue
        offenders += [f"{rel} -> {name}" for name in sorted(_ui_imports(path))
                      if name.startswith(banned)]
    assert offenders == []
