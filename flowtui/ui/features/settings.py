"""The config file's settings applied to the app: keymap, mode, columns.

The core reads and checks the file (``flowtui.config``); only the app knows its binding ids,
so the keymap is checked here against every id a flowtui class declares. An unknown id makes
the whole config unused, as any other mistake in the file does (one line, then defaults).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from flowtui.config import Settings, default_path, error_at
from flowtui.fields import FIELDS
from flowtui.ui.widgets.records.columns import ColumnChoices
from flowtui.ui.widgets.safe import literal, text

if TYPE_CHECKING:
    from flowtui.ui.app import FlowtuiApp


def binding_ids() -> set[str]:
    """Every binding id declared by a class of ``flowtui.ui`` (imported by the app)."""
    import flowtui.ui.app  # noqa: F401  (every pane, screen and dialog is imported from here)

    ids: set[str] = set()
    for name, module in list(sys.modules.items()):
        if not name.startswith("flowtui.ui") or module is None:
            continue
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == name and \
                    "BINDINGS" in vars(value):
                for binding in Binding.make_bindings(vars(value)["BINDINGS"]):
                    if binding.id:
                        ids.add(binding.id)
    return ids


def keymap_problem(keymap: Mapping[str, str], path: Path,
                   known: Iterable[str] | None = None) -> str | None:
    """Why ``keymap`` can't be used (an unknown id, with the nearest), as the config's one
    line with the file and line, or None."""
    import difflib

    ids = set(binding_ids() if known is None else known)
    for ident in keymap:
        if ident not in ids:
            close = difflib.get_close_matches(ident, sorted(ids), n=1)
            hint = f" (did you mean {close[0]}?)" if close else " (see ? for the ids)"
            return error_at(path, "keymap", ident, f"no key binding has this id{hint}")
    return None


def column_choices(settings: Settings) -> ColumnChoices | None:
    """``[display] columns``: these first, in this order; the others hidden (o shows them)."""
    if not settings.columns:
        return None
    return ColumnChoices(order=tuple(settings.columns),
                         hidden=frozenset(FIELDS) - set(settings.columns))


def apply_settings(app: FlowtuiApp, settings: Settings, error: str | None) -> None:
    """Once the main screen exists: the keymap, the starting mode and columns; a bad config
    file's one line as an error toast (the app runs on its defaults)."""
    problem = keymap_problem(settings.keymap, default_path()) if settings.keymap else None
    if problem is not None:
        error = problem
        settings = Settings()
        app.settings = settings
        app.paths.bookmarks = {}
    if error:
        app.notify(literal(error), title="Config file not used", severity="error", timeout=20,
                   markup=False)
    if settings.keymap:
        app.set_keymap(dict(settings.keymap))
    if settings.mode == "decoded":
        app.table.decoded = True
        app.status.decoded = True
    choices = column_choices(settings)
    if choices is not None:
        app.table.set_column_choices(choices)


class SavedCommands(Provider):
    """The config file's saved filters and bookmarks in the ctrl+p palette."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        from flowtui.ui.app import FlowtuiApp

        app = self.app
        if not isinstance(app, FlowtuiApp):
            return []
        found: list[tuple[str, str, Callable[[], object]]] = []
        for name, expr in app.settings.filters.items():
            found.append((f"Saved filter: {name}", expr, partial(app.filters.apply, expr)))
        for name, url in app.settings.bookmarks.items():
            found.append((f"Bookmark: {name}", url, partial(app.paths.go, url)))
        return found

    async def discover(self) -> Hits:
        for name, help_text, run in self._commands():
            yield DiscoveryHit(text(name), run, help=literal(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=literal(help_text))
