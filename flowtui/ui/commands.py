"""The ctrl+p palette: every action of the table by name, with its key as it is now.

The palette's commands are the action table's rows that have a palette name
(``ui/actions.py``): a command runs the row's action where its key would (on the app, the
main screen, the table, the browser's list, or the screen the palette is opened over) and
names the row's key after any ``[keymap]``: the text said Story was ``(s)`` long after the
key became ``i``. ``CommandList`` is the one provider body (the config file's saved
filters and bookmarks use it too, in ``features/settings.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from flowtui.ui.actions import SCOPES, Action, first_key, key_display, palette_actions, resolve
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


def _commands(app: App[Any], rows: list[Action],
              node: Callable[[Action], DOMNode]) -> list[Command]:
    """A command per row, named with its key now, run on ``node(row)`` as its key would."""
    keymap: Mapping[str, str] = getattr(app, "keymap", {})
    display = partial(key_display, app)
    return [Command(action.palette, help_with_key(action, keymap, display),
                    partial(app.call_later, app.run_action, action.action, node(action)))
            for action in rows]


def app_commands(app: App[Any]) -> list[Command]:
    """The app's palette commands, in the table's order (the rows whose pane the app
    reaches: the app, the main screen, the table, the browser's list)."""
    rows = [a for a in palette_actions() if SCOPES[a.scope].node is not None]
    return _commands(app, rows, lambda action: resolve(app, SCOPES[action.scope].node or ""))


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


class ScreenCommands(CommandList):
    """The palette rows of the screen it is opened over (the story's ``l``, ``v``, Esc),
    run on that screen."""

    def _commands(self) -> list[Command]:
        screen = self.screen
        scope = next((name for name, scope in SCOPES.items()
                      if scope.cls == type(screen).__name__), None)
        return _commands(self.app, [a for a in palette_actions() if a.scope == scope],
                         lambda _action: screen)
