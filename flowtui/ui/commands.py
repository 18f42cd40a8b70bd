"""The app's own commands in the ctrl+p palette: every action, findable by name.

A command names the binding whose key it shows (by binding id), never the key itself: the
text said Story was ``(s)`` long after the key became ``i``. The key comes from the
binding (or from the keymap, which rebinds by id).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.keys import format_key


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    run: Callable[[], object]
    #: The id of the binding whose key the help names, e.g. "app.story".
    binding: str | None = None


def binding_keys(keymap: dict[str, str] | None = None) -> dict[str, str]:
    """Binding id -> the key shown for it (its first key, as the footer writes it)."""
    from flowtui.ui.app import FlowtuiApp
    from flowtui.ui.screen import MainScreen
    from flowtui.ui.widgets.browser.pane import EntryList
    from flowtui.ui.widgets.records.table import RecordTable

    bindings: list[BindingType] = [*FlowtuiApp.BINDINGS, *MainScreen.BINDINGS,
                                   *RecordTable.BINDINGS, *EntryList.BINDINGS]
    keys: dict[str, str] = {}
    for binding in bindings:
        if isinstance(binding, Binding) and binding.id and binding.id not in keys:
            keys[binding.id] = binding.key
    keys.update(keymap or {})
    return {id_: format_key(key.split(",")[0].strip()) for id_, key in keys.items()}


def with_key(command: Command, keys: dict[str, str]) -> Command:
    key = keys.get(command.binding) if command.binding else None
    if key is None:
        return command
    return Command(command.name, f"{command.help} ({key})", command.run, command.binding)


@runtime_checkable
class Actions(Protocol):
    """The app's actions the palette offers (FlowtuiApp has them all)."""

    def action_load_highlighted(self) -> None: ...
    def action_append_highlighted(self) -> None: ...
    def action_cancel_load(self) -> None: ...
    def action_toggle_decoded(self) -> None: ...
    def action_toggle_detail(self) -> None: ...
    def action_toggle_browser(self) -> None: ...
    def action_copy_record(self) -> None: ...
    def action_first_row(self) -> None: ...
    def action_last_row(self) -> None: ...
    def action_bucket_list(self) -> None: ...
    def action_refresh_listing(self) -> None: ...
    def action_browse_today(self) -> None: ...
    def action_browse_path(self) -> None: ...
    def action_show_bad_lines(self) -> None: ...
    def action_story(self) -> None: ...
    def action_athena_sql(self) -> None: ...
    def action_cycle_names(self) -> None: ...
    def action_refresh_names(self) -> None: ...
    def action_help(self) -> None: ...
    def action_toggle_top(self) -> None: ...
    def action_toggle_histogram(self) -> None: ...
    def action_choose_columns(self) -> None: ...
    def action_clear_filter(self) -> None: ...
    def action_filter(self) -> None: ...
    def action_pop_filter(self) -> None: ...
    def action_keep_value(self) -> None: ...
    def action_exclude_value(self) -> None: ...
    def action_sort_column(self) -> None: ...
    def action_go_to_time(self) -> None: ...
    def action_export(self) -> None: ...
    def action_copy_view(self) -> None: ...
    async def action_quit(self) -> None: ...
    def set_theme(self, name: str) -> None: ...


def app_commands(app: Actions) -> list[Command]:
    """The palette's commands; each one is also reachable from a key (see `?`)."""
    return [
        Command("Load highlighted object or folder", "Same as Enter in the browser",
                app.action_load_highlighted),
        Command("Add highlighted object to the table", "Load without clearing the table",
                app.action_append_highlighted),
        Command("Cancel load", "Stop the load in progress (Esc)", app.action_cancel_load),
        Command("Toggle raw/decoded values", "Switch the table between raw and decoded",
                app.action_toggle_decoded, binding="app.toggle-decoded"),
        Command("Toggle detail panel", "Show or hide the record explanation",
                app.action_toggle_detail, binding="app.toggle-detail"),
        Command("Toggle browser", "Show or hide the S3 browser", app.action_toggle_browser,
                binding="app.toggle-browser"),
        Command("Copy record as JSON", "Copy the cursor's record with OSC 52",
                app.action_copy_record, binding="app.copy-record"),
        Command("First row", "Move the cursor to the first record", app.action_first_row,
                binding="table.first"),
        Command("Last row", "Move the cursor to the last record", app.action_last_row,
                binding="table.last"),
        Command("Top-N pane", "Top talkers, ports, protocols, actions, interfaces",
                app.action_toggle_top, binding="screen.top"),
        Command("Time histogram", "Records or bytes per time bucket over the table",
                app.action_toggle_histogram, binding="screen.histogram"),
        Command("Columns…", "Show, hide, order and pin the table's columns",
                app.action_choose_columns, binding="screen.columns"),
        Command("Go to bucket list", "Browse all buckets of the current identity",
                app.action_bucket_list),
        Command("Go to today's folder", "Today's UTC day folder under the region folder "
                "shown (n in the browser)", app.action_browse_today),
        Command("Go to path", "List s3://bucket/prefix or a prefix of the bucket shown "
                "(: in the browser)", app.action_browse_path),
        Command("Refresh listing", "List the browser's folder again",
                app.action_refresh_listing, binding="browser.refresh"),
        Command("Story of the record", "Its reply, the same flow elsewhere, a timeline and a "
                "verdict", app.action_story, binding="app.story"),
        Command("Show bad lines", "Lines that could not be parsed, with reasons",
                app.action_show_bad_lines),
        Command("Filter records", "Type a filter such as 'reject and port 22'",
                app.action_filter, binding="app.filter"),
        Command("Keep only this value", "Filter to the value under the table's cursor",
                app.action_keep_value, binding="table.keep-value"),
        Command("Exclude this value", "Filter out the value under the table's cursor",
                app.action_exclude_value, binding="table.exclude-value"),
        Command("Undo last filter step", "Drop the breadcrumb's last step",
                app.action_pop_filter, binding="table.pop-filter"),
        Command("Clear filter", "Show every record again (Esc in the table)",
                app.action_clear_filter),
        Command("Sort by this column", "Ascending, descending, off",
                app.action_sort_column, binding="table.sort"),
        Command("Go to time", "Jump to the first record at or after 14:05",
                app.action_go_to_time, binding="app.go-to-time"),
        Command("Export view to a file", "CSV, JSON lines or Parquet: filter, sort, "
                "columns as shown", app.action_export, binding="app.export"),
        Command("Copy rows as CSV", "The first rows of the view, through OSC 52",
                app.action_copy_view, binding="app.copy-view"),
        Command("Athena SQL", "The SQL of the Athena query the table shows",
                app.action_athena_sql, binding="app.athena-sql"),
        Command("Names: numbers / numbers and names / names", "How the table shows "
                "interface-id, srcaddr and dstaddr", app.action_cycle_names,
                binding="app.names-column"),
        Command("Read names again", "The EC2 inventory and IP ranges, not the cached copy",
                app.action_refresh_names, binding="app.refresh-names"),
        Command("Theme: ansi-dark", "Use the terminal's own colours (dark background)",
                lambda: app.set_theme("ansi-dark")),
        Command("Theme: ansi-light", "Use the terminal's own colours (light background)",
                lambda: app.set_theme("ansi-light")),
        Command("Theme: textual-dark", "Full-colour dark theme",
                lambda: app.set_theme("textual-dark")),
        Command("Theme: textual-light", "Full-colour light theme",
                lambda: app.set_theme("textual-light")),
        Command("Help: keys", "Every key binding", app.action_help, binding="app.help"),
        Command("Quit", "Leave flowtui", app.action_quit, binding="app.quit"),
    ]


class FlowtuiCommands(Provider):
    """Fuzzy search over ``app_commands``."""

    def _commands(self) -> list[Command]:
        app = self.app
        if not isinstance(app, Actions):
            return []
        keys = binding_keys(getattr(app, "_keymap", None))
        return [with_key(command, keys) for command in app_commands(app)]

    @staticmethod
    def binding_keys() -> dict[str, str]:
        return binding_keys()

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(command.name, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(score, matcher.highlight(command.name), command.run, help=command.help)
