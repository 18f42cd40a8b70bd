"""Every key of flowtui in one table: the bindings, the palette, the footer and `?` come from it.

One key used to touch four files (a Binding on a widget, an ``action_*`` forwarder on the app,
a Protocol method and a palette Command) and the faces drifted: the palette said Story was
``(s)`` long after the key became ``i``. Here each action is one row, as in harlequin's
``HARLEQUIN_ACTIONS``: its binding id (the ``[keymap]`` name, stable), default keys, the
pane whose ``BINDINGS`` hold it (``scope``), what runs (``run``, on the scope's node or on
the feature named by ``target``), its text, and where it shows. Each bindable class takes
``BINDINGS = bindings("its scope")``; the palette (``commands.py``) and the help
(``help.py``) read the rows with the keys a keymap gave them.

A ``target`` is a path of attributes from the app (``"filters"``, ``"main_screen"``, or
``"app"`` itself) and ``run`` a call on it with literal arguments (``"quick(True)"``): the
key becomes the app's ``do(id)`` action, so the feature that owns the work does it and the
app forwards nothing by hand. ``when`` and ``footer_while`` are such paths too, read by
the app's ``check_action``.

A leaf of ``flowtui.ui`` (Textual only): every pane imports it.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from textual.app import App
from textual.binding import Binding, BindingType

from flowtui.query.topkeys import TOP_KEYS


@dataclass(frozen=True)
class Action:
    #: The binding id: what ``[keymap]`` names and ``?`` shows ("table.sort").
    id: str
    #: Default keys, Textual's comma list ("up,k"); "" for a palette-only action.
    keys: str
    #: The bindable class whose ``BINDINGS`` hold it (a key of ``SCOPES``).
    scope: str
    #: What runs: a Textual action of the scope's node ("cursor_up", "scroll('up')",
    #: "app.focus_next"), or with ``target`` a call on the feature ("quick(True)").
    run: str
    #: Footer and `?` text.
    description: str
    #: The feature that runs it: attributes from the app ("filters", "main_screen", "app").
    target: str = ""
    #: In the footer.
    footer: bool = False
    #: The palette's name for it ("" = not in the palette) and the line under the name.
    palette: str = ""
    palette_help: str = ""
    #: For a palette-only action: the binding whose key the palette names beside it.
    key_of: str = ""
    #: A path from the app to a bool: False turns the key off (and out of the footer).
    when: str = ""
    #: A path from the app to a bool: the footer shows the key only while it is true; a
    #: hidden twin answers the same key otherwise (p and x say "not following").
    footer_while: str = ""
    priority: bool = False
    system: bool = False

    @property
    def action(self) -> str:
        """The Textual action string of its binding (and of the palette's command)."""
        if not self.target:
            return self.run
        return f"do('{self.id}')" if self.scope == "app" else f"app.do('{self.id}')"


@dataclass(frozen=True)
class Scope:
    #: The bindable class (for the test that no class binds outside the table).
    cls: str
    #: A path from the app to the node, for the app's palette commands run there ("" = the
    #: app). A screen without one lists its own palette rows (``ScreenCommands``).
    node: str | None = None


#: The bindable classes, by scope name.
SCOPES: dict[str, Scope] = {
    "app": Scope("FlowtuiApp", ""),
    "screen": Scope("MainScreen", "main_screen"),
    "browser": Scope("EntryList", "browser.entry_list"),
    "table": Scope("RecordTable", "main_screen.table"),
    "detail": Scope("ExplainList"),
    "top": Scope("TopPane"),
    "histogram": Scope("TimeHistogram"),
    "columns-list": Scope("ColumnList"),
    "columns": Scope("ColumnChooser"),
    "story": Scope("StoryScreen"),
    "story-list": Scope("SightingList"),
    "story-text": Scope("StoryBody"),
    "conversation": Scope("ConversationScreen"),
    "conversation-text": Scope("ConversationBody"),
    "prompt": Scope("PromptBar"),
    "help": Scope("HelpScreen"),
    "confirm": Scope("ConfirmScreen"),
    "large-folder": Scope("LoadOrQueryScreen"),
    "athena-table": Scope("AthenaTableScreen"),
    "athena-flow-log": Scope("FlowLogScreen"),
    "athena-sql": Scope("SqlScreen"),
    "bad-lines": Scope("BadLinesScreen"),
}

#: The `?` screen's sections, in order: a title (``{id}`` is that binding's key now) and
#: the scopes it lists.
HELP_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Everywhere", ("app",)),
    ("Panes", ("screen",)),
    ("Browser (left)", ("browser",)),
    ("Record table", ("table",)),
    ("Detail panel", ("detail",)),
    ("Top-N pane ({screen.top})", ("top",)),
    ("Time histogram ({screen.histogram})", ("histogram",)),
    ("Column chooser ({screen.columns})", ("columns", "columns-list")),
    ("Story ({app.story} on a record)", ("story",)),
    ("Story: reply and elsewhere", ("story-list",)),
    ("Story: text", ("story-text",)),
    ("Conversation ({story.conversation} in a story)", ("conversation",)),
    ("Conversation: table", ("conversation-text",)),
    ("Prompt (filter, go to time, export)", ("prompt",)),
    ("Large folder question", ("large-folder", "confirm")),
    ("Athena table name", ("athena-table",)),
    ("Athena flow log (several formats in a folder)", ("athena-flow-log",)),
    ("Athena SQL ({app.athena-sql})", ("athena-sql",)),
    ("Bad lines ({app.bad-lines})", ("bad-lines",)),
    ("This help", ("help",)),
)

# --------------------------------------------------------------- navigation

#: The moves of a list or a text, one definition for every pane: move -> (keys, text).
_MOVES: dict[str, tuple[str, str]] = {
    "up": ("up,k", "Up"),
    "down": ("down,j", "Down"),
    "left": ("left,h", "Left"),
    "right": ("right,l", "Right"),
    "first": ("home,g", "First"),
    "last": ("end,G", "Last"),
    "page-up": ("pageup", "Page up"),
    "page-down": ("pagedown", "Page down"),
}
#: An OptionList's own actions for the moves (browser, detail, story list).
_LIST = {"up": "cursor_up", "down": "cursor_down", "first": "first", "last": "last",
         "page-up": "page_up", "page-down": "page_down"}
#: A scrolled text's actions and words (story text, conversation, help, bad lines).
_TEXT = {"up": "scroll_up", "down": "scroll_down", "left": "scroll_left",
         "right": "scroll_right", "page-up": "page_up", "page-down": "page_down",
         "first": "scroll_home", "last": "scroll_end"}
_TEXT_WORDS = {"up": "Scroll up", "down": "Scroll down", "left": "Scroll left",
               "right": "Scroll right", "first": "Top", "last": "Bottom"}
_TEXT_IDS = {"first": "top", "last": "bottom"}


def moves(scope: str, prefix: str, runs: Mapping[str, str], *,
          words: Mapping[str, str] | None = None, ids: Mapping[str, str] | None = None,
          more_keys: Mapping[str, str] | None = None) -> list[Action]:
    """The navigation rows of one pane, in the order of ``runs`` (move -> its action):
    keys and words from ``_MOVES`` unless ``words``/``more_keys`` say otherwise."""
    rows = []
    for move, run in runs.items():
        keys, word = _MOVES[move]
        if more_keys and move in more_keys:
            keys = f"{keys},{more_keys[move]}"
        ident = f"{prefix}.{(ids or {}).get(move, move)}"
        rows.append(Action(ident, keys, scope, run, (words or {}).get(move, word)))
    return rows


def _text_moves(scope: str, prefix: str, order: Iterable[str],
                runs: Mapping[str, str] = _TEXT, page_space: bool = True) -> list[Action]:
    """A scrolled text's moves (the story, the conversation, the help, the bad lines)."""
    return moves(scope, prefix, {move: runs[move] for move in order}, words=_TEXT_WORDS,
                 ids=_TEXT_IDS, more_keys={"page-down": "space"} if page_space else None)


_LIST_ORDER = ("up", "down", "first", "last", "page-up", "page-down")


def _list_moves(scope: str) -> list[Action]:
    """An OptionList's moves (the browser, the detail panel, the story's sightings)."""
    return moves(scope, scope, {move: _LIST[move] for move in _LIST_ORDER})


_TEXT_ORDER = ("up", "down", "page-up", "page-down", "first", "last")
_SCROLL = {move: f"scroll('{run}')" for move, run in (
    ("up", "up"), ("down", "down"), ("page-up", "page_up"), ("page-down", "page_down"),
    ("first", "home"), ("last", "end"))}

# --------------------------------------------------------------- the table

#: Covered by a story or a conversation, the main screen's record keys are off.
_UNCOVERED = "main_screen.uncovered"

A = Action
ACTIONS: tuple[Action, ...] = (
    # ---- everywhere (FlowtuiApp)
    A("app.quit", "q", "app", "quit", "Quit", footer=True, palette="Quit",
      palette_help="Leave flowtui"),
    A("app.quit-now", "ctrl+q", "app", "quit", "Quit", priority=True),
    A("app.help-quit", "ctrl+c", "app", "help_quit", "", system=True),
    A("app.help", "question_mark,f1", "app", "help", "Help", footer=True,
      palette="Help: keys", palette_help="Every key binding"),
    A("app.palette", "ctrl+p", "app", "command_palette", "Commands", footer=True,
      priority=True),
    # early, so they fit in the footer at 160 columns while a tail runs
    A("app.tail-pause", "p", "app", "pause_key", "Pause/resume tail", target="tails",
      footer=True, when=_UNCOVERED, footer_while="tails.following"),
    A("app.tail-stop", "x", "app", "stop_key", "Stop following", target="tails",
      footer=True, when=_UNCOVERED, footer_while="tails.following"),
    A("app.back", "escape", "app", "back", "Back/cancel", footer=True),
    A("app.toggle-decoded", "r", "app", "toggle_decoded", "Raw/decoded",
      target="main_screen", footer=True, when=_UNCOVERED, palette="Toggle raw/decoded values",
      palette_help="Switch the table between raw and decoded"),
    A("app.toggle-detail", "d", "app", "toggle_detail", "Detail", target="main_screen",
      footer=True, when=_UNCOVERED, palette="Toggle detail panel",
      palette_help="Show or hide the record explanation"),
    A("app.toggle-browser", "b", "app", "toggle_browser", "Browser", target="main_screen",
      when=_UNCOVERED, palette="Toggle browser", palette_help="Show or hide the S3 browser"),
    A("app.copy-record", "c", "app", "copy_record", "Copy JSON", target="main_screen",
      footer=True, when=_UNCOVERED, palette="Copy record as JSON",
      palette_help="Copy the cursor's record with OSC 52"),
    A("app.story", "i", "app", "tell", "Story", target="stories", footer=True, when=_UNCOVERED,
      palette="Story of the record",
      palette_help="Its reply, the same flow elsewhere, a timeline and a verdict"),
    A("app.bad-lines", "e", "app", "show_bad_lines", "Bad lines", target="loads",
      when=_UNCOVERED, palette="Show bad lines",
      palette_help="Lines that could not be parsed, with reasons"),
    # the prompt keys too: their bar is on the main screen, out of sight under a story
    A("app.filter", "slash", "app", "open", "Filter", target="filters", when=_UNCOVERED,
      palette="Filter records", palette_help="Type a filter such as 'reject and port 22'"),
    A("app.go-to-time", "at", "app", "open", "Go to time", target="goto", when=_UNCOVERED,
      palette="Go to time", palette_help="Jump to the first record at or after 14:05"),
    A("app.export", "w", "app", "open", "Export", target="exports", footer=True,
      when=_UNCOVERED, palette="Export view to a file",
      palette_help="CSV, JSON lines or Parquet: filter, sort, columns as shown"),
    A("app.copy-view", "C", "app", "copy_csv", "Copy rows as CSV", target="exports",
      palette="Copy rows as CSV", palette_help="The first rows of the view, through OSC 52"),
    A("app.athena-sql", "A", "app", "show_sql", "Athena SQL", target="athena",
      palette="Athena SQL", palette_help="The SQL of the Athena query the table shows"),
    A("app.names-column", "N", "app", "cycle_names", "Numbers/names", target="names",
      when=_UNCOVERED, palette="Names: numbers / numbers and names / names",
      palette_help="How the table shows interface-id, srcaddr and dstaddr"),
    A("app.refresh-names", "R", "app", "refresh_key", "Read names again", target="names",
      palette="Read names again",
      palette_help="The EC2 inventory and IP ranges, not the cached copy"),
    # palette only: no key of their own
    A("app.load-highlighted", "", "app", "enter_highlighted(load_folders=True)", "",
      target="browser", palette="Load highlighted object or folder",
      palette_help="Folders load too ({key} in the browser opens them)", key_of="browser.open"),
    A("app.cancel-load", "", "app", "cancel_key", "", target="loads",
      palette="Cancel load", palette_help="Stop the load in progress ({key})",
      key_of="app.back"),
    A("app.clear-filter", "", "app", "clear_key", "", target="filters",
      palette="Clear filter", palette_help="Show every record again ({key} in the table)",
      key_of="app.back"),
    A("app.bucket-list", "", "app", "show_buckets", "", target="browser",
      palette="Go to bucket list", palette_help="Browse all buckets of the current identity"),
    A("app.browse-today", "", "app", "show_today", "", target="browser",
      palette="Go to today's folder",
      palette_help="Today's UTC day folder under the region folder shown ({key} in the "
      "browser)",
      key_of="browser.today"),
    *[A(f"app.theme-{name}", "", "app", f"set_theme('{name}')", "", target="app",
        palette=f"Theme: {name}", palette_help=text) for name, text in (
        ("ansi-dark", "Use the terminal's own colours (dark background)"),
        ("ansi-light", "Use the terminal's own colours (light background)"),
        ("textual-dark", "Full-colour dark theme"),
        ("textual-light", "Full-colour light theme"))],
    # ---- the main screen's panes (MainScreen)
    A("screen.focus-next", "tab", "screen", "app.focus_next", "Next pane"),
    A("screen.focus-previous", "shift+tab", "screen", "app.focus_previous", "Previous pane"),
    A("screen.copy-text", "ctrl+c,super+c", "screen", "screen.copy_text",
      "Copy selected text"),
    A("screen.top", "T", "screen", "toggle_top", "Top-N", footer=True, palette="Top-N pane",
      palette_help="Top talkers, ports, protocols, actions, interfaces"),
    A("screen.histogram", "H", "screen", "toggle_histogram", "Histogram", footer=True,
      palette="Time histogram",
      palette_help="Records or bytes per time bucket over the table"),
    A("screen.columns", "o", "screen", "choose_columns", "Columns", footer=True,
      palette="Columns…", palette_help="Show, hide, order and pin the table's columns"),
    # ---- browser (EntryList)
    *_list_moves("browser"),
    A("browser.open", "enter", "browser", "select", "Open/load", footer=True),
    A("browser.enter", "right,l", "browser", "enter_folder", "Enter folder"),
    A("browser.parent", "left,h,backspace", "browser", "parent", "Up a level"),
    A("browser.append", "a", "browser", "append", "Add to table",
      palette="Add highlighted object to the table",
      palette_help="Load without clearing the table"),
    A("browser.tail", "t", "browser", "tail", "Follow (live tail)"),
    A("browser.refresh", "ctrl+r,f5", "browser", "reload", "Refresh listing",
      palette="Refresh listing", palette_help="List the browser's folder again"),
    A("browser.today", "n", "browser", "today", "Today (UTC)"),
    A("browser.go-to-path", "colon", "browser", "type_path", "Go to path",
      palette="Go to path",
      palette_help="List s3://bucket/prefix or a prefix of the bucket shown ({key} in the "
      "browser)"),
    # ---- record table (RecordTable): the filter and sort keys act on the cursor's cell
    *moves("table", "table", {"up": "cursor_up", "down": "cursor_down",
                              "left": "column_left", "right": "column_right"},
           words={"left": "Column left", "right": "Column right"}),
    A("table.keep-value", "equals_sign,plus", "table", "quick(True)", "Keep only this value",
      target="filters", palette="Keep only this value",
      palette_help="Filter to the value under the table's cursor"),
    A("table.exclude-value", "exclamation_mark,minus", "table", "quick(False)",
      "Exclude this value", target="filters", palette="Exclude this value",
      palette_help="Filter out the value under the table's cursor"),
    A("table.pop-filter", "backspace", "table", "pop", "Undo last filter step",
      target="filters", palette="Undo last filter step",
      palette_help="Drop the breadcrumb's last step"),
    A("table.filter", "slash", "table", "open", "Filter", target="filters", footer=True),
    A("table.copy-cell", "y", "table", "copy_cell", "Copy cell"),
    A("table.sort", "s", "table", "cycle", "Sort", target="sorts", footer=True,
      palette="Sort by this column", palette_help="Ascending, descending, off"),
    *moves("table", "table", {"page-up": "page_up", "page-down": "page_down",
                              "first": "first", "last": "last"},
           words={"first": "First row", "last": "Last row"},
           more_keys={"page-up": "ctrl+b", "page-down": "ctrl+f,space"}),
    A("table.leftmost", "ctrl+pageup,0", "table", "leftmost", "First column"),
    A("table.rightmost", "ctrl+pagedown,dollar_sign", "table", "rightmost", "Last column"),
    # ---- detail panel (ExplainList)
    *_list_moves("detail"),
    A("detail.select", "enter", "detail", "select", "Select"),
    A("detail.copy-value", "y", "detail", "copy_value", "Copy value", footer=True),
    A("detail.copy-decoded", "Y", "detail", "copy_decoded", "Copy decoded"),
    A("detail.toggle-meanings", "m", "detail", "toggle_meanings", "Meanings", footer=True),
    # ---- top-N pane (TopPane)
    *moves("top", "top", {"up": "cursor(-1)", "down": "cursor(1)", "page-up": "page(-1)",
                          "page-down": "page(1)", "first": "edge(-1)", "last": "edge(1)"},
           more_keys={"page-down": "space"}),
    A("top.key-previous", "left,h", "top", "key(-1)", "Previous key", footer=True),
    A("top.key-next", "right,l", "top", "key(1)", "Next key", footer=True),
    *[A(f"top.by-{name}", str(i + 1), "top", f"pick({i})", f"By {name}")
      for i, name in enumerate(key.name for key in TOP_KEYS)],
    A("top.metric", "m", "top", "metric", "Records/packets/bytes", footer=True),
    # a (names or addresses): n and N are the search's, below (both on n, n ran this one)
    A("top.by-name", "a", "top", "by_name", "By name/address", footer=True),
    A("top.drill", "enter", "top", "drill(True)", "Filter to row", footer=True),
    A("top.exclude", "exclamation_mark", "top", "drill(False)", "Exclude row", footer=True),
    A("top.conversation", "v", "top", "conversation", "Conversation", footer=True),
    A("top.back", "escape", "top", "leave", "Back to records", footer=True),
    # @ jumps, as it does in the table (to a time) and the histogram; / stays the filter
    # (the ranking follows it). n N as VisiData's search: next, previous. In ? only: the
    # footer is full here.
    A("top.find", "at", "top", "find_wanted", "Jump to an address or port (n next, N previous)"),
    A("top.find-next", "n", "top", "find(1)", "Next found row"),
    A("top.find-previous", "N", "top", "find(-1)", "Previous found row"),
    # ---- time histogram (TimeHistogram)
    *moves("histogram", "histogram", {"left": "move(-1)", "right": "move(1)",
                                      "first": "edge(-1)", "last": "edge(1)"},
           words={"left": "Earlier", "right": "Later", "first": "First bucket",
                  "last": "Last bucket"}),
    A("histogram.select-left", "shift+left,left_square_bracket", "histogram", "extend(-1)",
      "Select earlier"),
    A("histogram.select-right", "shift+right,right_square_bracket", "histogram", "extend(1)",
      "Select later"),
    A("histogram.mark", "v,space", "histogram", "mark", "Start/clear a range", footer=True),
    A("histogram.filter", "enter", "histogram", "filter", "Filter to range", footer=True),
    A("histogram.metric", "m", "histogram", "metric", "Records/bytes", footer=True),
    A("histogram.jump", "at", "histogram", "jump", "Go to time", footer=True),
    A("histogram.zoom-in", "plus", "histogram", "zoom(-1)", "Narrower buckets", footer=True),
    A("histogram.zoom-out", "minus", "histogram", "zoom(1)", "Wider buckets", footer=True),
    A("histogram.zoom-fit", "z", "histogram", "zoom(0)", "Buckets that fit"),
    A("histogram.scale", "s", "histogram", "scale", "Linear/log scale", footer=True),
    A("histogram.back", "escape", "histogram", "leave", "Clear range, then hide", footer=True),
    # ---- column chooser (ColumnList in ColumnChooser)
    *moves("columns-list", "columns", {"down": "step(1)", "up": "step(-1)", "first": "first",
                                       "last": "last", "page-down": "page_down",
                                       "page-up": "page_up"}),
    A("columns.toggle", "space,x", "columns", "toggle_column", "Show/hide", footer=True),
    A("columns.move-up", "K,shift+up", "columns", "move(-1)", "Move up", footer=True),
    A("columns.move-down", "J,shift+down", "columns", "move(1)", "Move down", footer=True),
    A("columns.pin", "p", "columns", "pin", "Pin up to here", footer=True),
    A("columns.defaults", "D", "columns", "defaults", "Defaults"),
    A("columns.apply", "enter", "columns", "apply", "Apply", footer=True),
    A("columns.cancel", "escape,q", "columns", "cancel", "Cancel", footer=True),
    # ---- story (StoryScreen, SightingList, StoryBody)
    A("story.close", "escape", "story", "close", "Back/cancel", footer=True,
      palette="Story: close", palette_help="Back to the records"),
    A("story.load-missing", "l", "story", "load_missing", "Load missing", footer=True,
      palette="Story: load what is missing",
      palette_help="Load the objects around this record, filtered to its flow"),
    A("story.conversation", "v", "story", "conversation", "Conversation", footer=True,
      palette="Story: conversation of its two addresses",
      palette_help="Every flow between srcaddr and dstaddr, by protocol and port"),
    A("story.focus-next", "tab", "story", "app.focus_next", "Next part"),
    A("story.focus-previous", "shift+tab", "story", "app.focus_previous", "Previous part"),
    A("story.copy-text", "ctrl+c,super+c", "story", "screen.copy_text", "Copy selected text"),
    *_list_moves("story-list"),
    A("story-list.jump", "enter", "story-list", "select", "Go to record", footer=True),
    *_text_moves("story-text", "story-text", _TEXT_ORDER),
    # ---- conversation (ConversationScreen, ConversationBody)
    A("conversation.close", "escape", "conversation", "dismiss", "Back", footer=True),
    A("conversation.focus-next", "tab", "conversation", "app.focus_next", "Next part"),
    A("conversation.focus-previous", "shift+tab", "conversation", "app.focus_previous",
      "Previous part"),
    A("conversation.copy-text", "ctrl+c,super+c", "conversation", "screen.copy_text",
      "Copy selected text"),
    *_text_moves("conversation-text", "conversation",
                 ("up", "down", "left", "right", "page-up", "page-down", "first", "last")),
    # ---- prompt bar (PromptBar)
    A("prompt.close", "escape", "prompt", "close", "Close", footer=True),
    A("prompt.older", "up", "prompt", "history(-1)", "Older entry"),
    A("prompt.newer", "down", "prompt", "history(1)", "Newer entry"),
    A("prompt.complete", "tab", "prompt", "complete", "Complete"),
    # ---- dialogs
    A("help.close", "escape,q,question_mark,f1", "help", "dismiss", "Close help",
      footer=True),
    A("help.copy-lines", "c", "help", "copy_lines", "Copy the demo's lines to paste"),
    *_text_moves("help", "help", _TEXT_ORDER, _SCROLL),
    A("confirm.yes", "y,enter", "confirm", "answer(True)", "Yes", footer=True),
    A("confirm.no", "n,escape,q", "confirm", "answer(False)", "No", footer=True),
    A("confirm.athena", "a", "large-folder", "athena", "Query on Athena", footer=True),
    A("athena-table.cancel", "escape", "athena-table", "cancel", "Cancel", footer=True),
    A("athena-flow-log.up", "up", "athena-flow-log", "move(-1)", "Previous flow log"),
    A("athena-flow-log.down", "down", "athena-flow-log", "move(1)", "Next flow log"),
    A("athena-flow-log.cancel", "escape", "athena-flow-log", "cancel", "Cancel",
      footer=True),
    A("athena-sql.close", "escape,q,A", "athena-sql", "dismiss", "Close", footer=True),
    A("badlines.close", "escape,q", "bad-lines", "dismiss", "Close", footer=True),
    *_text_moves("bad-lines", "badlines", ("up", "down"), _SCROLL),
)
del A

BY_ID: dict[str, Action] = {action.id: action for action in ACTIONS}


def bindings(scope: str) -> list[BindingType]:
    """The ``BINDINGS`` of the class of ``scope``, in the table's order. An action with
    ``footer_while`` is bound twice under its one id: shown (only while the condition
    holds) and hidden with a parameter (the key always answers)."""
    found: list[BindingType] = []
    for action in ACTIONS:
        if action.scope != scope or not action.keys:
            continue
        found.append(Binding(action.keys, action.action, action.description,
                             show=action.footer, priority=action.priority,
                             system=action.system, id=action.id))
        if action.footer_while:
            twin = action.action.replace("')", "', 'idle')")
            found.append(Binding(action.keys, twin, action.description, show=False,
                                 priority=action.priority, id=action.id))
    return found


def bound_ids() -> set[str]:
    """Every binding id (what ``[keymap]`` may name)."""
    return {action.id for action in ACTIONS if action.keys}


def keys_now(action: Action, keymap: Mapping[str, str] | None) -> str:
    """The action's keys, as a keymap gave them (Textual's comma list)."""
    return (keymap or {}).get(action.id, action.keys)


def first_key(action: Action, keymap: Mapping[str, str] | None) -> str:
    """The key the palette names for ``action``: its first (the one the footer shows) or,
    for a palette action without keys, its ``key_of``'s; "" if none."""
    source = BY_ID[action.key_of] if not action.keys and action.key_of else action
    return keys_now(source, keymap).split(",")[0].strip()


def key_display(app: App[Any], key: str) -> str:
    """``key`` as the footer shows it ("^p", "⏎"): the palette and the help write it so."""
    return app.get_key_display(Binding(key, ""))


def help_title(title: str, keymap: Mapping[str, str] | None,
               display: Callable[[str], str]) -> str:
    """A help section's title with ``{binding id}`` replaced by that binding's key now."""
    return re.sub(r"\{([\w.-]+)\}",
                  lambda m: display(first_key(BY_ID[m.group(1)], keymap)), title)


def palette_actions() -> list[Action]:
    return [action for action in ACTIONS if action.palette]


# --------------------------------------------------------------- running them

def resolve(app: object, path: str) -> Any:
    """The object at ``path`` (attributes from the app; "app" and "" are the app)."""
    return app if path in ("", "app") else attrgetter(path)(app)


def _call(run: str) -> tuple[str, list[Any], dict[str, Any]]:
    """``"name(1, keep=True)"`` -> the name and its literal arguments."""
    node = ast.parse(run, mode="eval").body
    if isinstance(node, ast.Name):
        return node.id, [], {}
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise ValueError(f"not a call: {run}")
    return (node.func.id, [ast.literal_eval(arg) for arg in node.args],
            {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords if kw.arg})


async def perform(app: object, ident: str) -> None:
    """Run the action ``ident`` on its target (the app's ``do`` action)."""
    action = BY_ID[ident]
    name, args, kwargs = _call(action.run)
    result = getattr(resolve(app, action.target), name)(*args, **kwargs)
    if inspect.isawaitable(result):
        await result


def allowed(app: object, ident: str, twin: str = "") -> bool:
    """Whether ``ident``'s key acts now (and shows in the footer): its ``when``, and its
    ``footer_while`` for the shown binding (not its twin)."""
    action = BY_ID[ident]
    if action.when and not resolve(app, action.when):
        return False
    if action.footer_while and not twin:
        return bool(resolve(app, action.footer_while))
    return True
