"""The ctrl+p palette: every action of the table by name, and the config file's saved ones.

The palette's commands are the action table's rows that have a palette name
(``ui/actions.py``): a command runs the row's action where its key would (on the app, the
main screen, the table or the browser's list) and names the row's key as it is now, after
any ``[keymap]``: the text said Story was ``(s)`` long after the key became ``i``. Saved
filters and bookmarks come from the config file. One provider class serves both lists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol, runtime_checkable

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider

from flowtui.config import Settings
from flowtui.ui.actions import SCOPES, Action, first_key, key_display, palette_actions, resolve
from flowtui.ui.features.browser.path import PathPrompt
from flowtui.ui.features.filter.control import Filters
from flowtui.ui.widgets.safe import literal, text


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    run: Callable[[], object]


def help_with_key(action: Action, keymap: Mapping[str, str] | None,
                  display: Callable[[str], str]) -> str:
    """The line under the command's name: its text and its key now, as the footer and the
    help write it (``{key}`` places it)."""
    first = first_key(action, keymap)
    key = display(first) if first else ""
    if "{key}" in action.palette_help:
        return action.palette_help.replace("{key}", key)
    return f"{action.palette_help} ({key})" if key else action.palette_help


def app_commands(app: App[Any]) -> list[Command]:
    """The palette's commands, in the table's order; each runs as its key would."""
    keymap: Mapping[str, str] = getattr(app, "keymap", {})
    display = partial(key_display, app)
    commands = []
    for action in palette_actions():
        node = SCOPES[action.scope].node
        where = app if node is None else resolve(app, node)
        commands.append(Command(action.palette, help_with_key(action, keymap, display),
                                partial(app.call_later, app.run_action, action.action, where)))
    return commands


class CommandList(Provider):
    """Fuzzy search over a list of commands (the subclass says which)."""

    def _commands(self) -> list[Command]:
        raise NotImplementedError

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(text(command.name), command.run, help=literal(command.help))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(score, matcher.highlight(command.name), command.run,
                          help=literal(command.help))


class FlowtuiCommands(CommandList):
    """The action table's commands."""

    def _commands(self) -> list[Command]:
        return app_commands(self.app)


@runtime_checkable
class Saved(Protocol):
    """What the saved commands reach in the app (FlowtuiApp has it; no import of the app)."""

    settings: Settings
    filters: Filters
    paths: PathPrompt


class SavedCommands(CommandList):
    """The config file's saved filters and bookmarks."""

    def _commands(self) -> list[Command]:
        app = self.app
        if not isinstance(app, Saved):
            return []
        found = [Command(f"Saved filter: {name}", expr, partial(app.filters.apply, expr))
                 for name, expr in app.settings.filters.items()]
        found += [Command(f"Bookmark: {name}", url, partial(app.paths.go, url))
                  for name, url in app.settings.bookmarks.items()]
        return found
