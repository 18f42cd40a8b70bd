"""The config file's settings applied to the app: keymap, mode, columns, and its saved
filters and bookmarks in the palette.

The core reads and checks the file (``flowtui.config``); only the UI knows its binding ids,
so the keymap is checked here against the action table's (``ui/actions.py``). An unknown id makes
the whole config unused, as any other mistake in the file does (one line, then defaults).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from textual.app import App

from flowtui.config import Settings, default_path, error_at
from flowtui.fields import FIELDS
from flowtui.ui.actions import bound_ids
from flowtui.ui.commands import Command, CommandList
from flowtui.ui.features.browser.path import PathPrompt
from flowtui.ui.features.filter.control import Filters
from flowtui.ui.screen import MainScreen
from flowtui.ui.widgets.records.columns import ColumnChoices
from flowtui.ui.widgets.safe import literal


def binding_ids() -> set[str]:
    """Every binding id (the action table's)."""
    return bound_ids()


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


def apply_settings(app: App[Any], screen: MainScreen, settings: Settings,
                   error: str | None) -> Settings:
    """Once the main screen exists: the keymap, the starting mode and columns; a bad config
    file's one line as an error toast. Returns the settings in force: the defaults when the
    keymap names an unknown id (the app runs on its defaults)."""
    problem = keymap_problem(settings.keymap, default_path()) if settings.keymap else None
    if problem is not None:
        error = problem
        settings = Settings()
    if error:
        app.notify(literal(error), title="Config file not used", severity="error", timeout=20,
                   markup=False)
    if settings.keymap:
        app.set_keymap(dict(settings.keymap))
    if settings.mode == "decoded":
        screen.table.decoded = True
        screen.status.decoded = True
    choices = column_choices(settings)
    if choices is not None:
        screen.table.set_column_choices(choices)
    return settings


@runtime_checkable
class Saved(Protocol):
    """What the saved commands reach in the app (FlowtuiApp has it; no import of the app)."""

    settings: Settings
    filters: Filters
    paths: PathPrompt


class SavedCommands(CommandList):
    """The config file's saved filters and bookmarks in the ctrl+p palette."""

    def _commands(self) -> list[Command]:
        app = self.app
        if not isinstance(app, Saved):
            return []
        found = [Command(f"Saved filter: {name}", expr, partial(app.filters.apply, expr))
                 for name, expr in app.settings.filters.items()]
        found += [Command(f"Bookmark: {name}", url, partial(app.paths.go, url))
                  for name, url in app.settings.bookmarks.items()]
        return found
