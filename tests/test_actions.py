"""The four faces of a key agree: bindings, palette, footer and `?` help all come from the
action table (ui/actions.py), with the keys a keymap gave them (issue 19 item 2).

The drift this guards against: the palette said Story was ``(s)`` long after the key became
``i``; a key bound by hand in a widget was in no palette and no help.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest
from rich.console import Console
from textual.actions import parse
from textual.binding import Binding
from textual.widgets import Static

from flowtui.query.topkeys import TOP_KEYS
from flowtui.ui import actions
from flowtui.ui.actions import ACTIONS, BY_ID, SCOPES, Action, bindings, keys_now
from flowtui.ui.app import FlowtuiApp
from flowtui.ui.commands import FlowtuiCommands, ScreenCommands
from flowtui.ui.help import HelpScreen
from flowtui.ui.widgets.footer.line import KeysFooter
from tests.ui_helpers import record_notes, wait_for


def _bindable_classes() -> dict[str, type]:
    """Every class of flowtui.ui that declares BINDINGS (all are imported by the app)."""
    found: dict[str, type] = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith("flowtui.ui") or module is None:
            continue
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == name and \
                    "BINDINGS" in vars(value):
                found[value.__name__] = value
    return found


def _row(b: Binding) -> tuple[object, ...]:
    return (b.key, b.action, b.description, b.show, b.priority, b.system, b.id)


def test_no_binding_exists_outside_the_table() -> None:
    """Each class that binds keys is a scope of the table and binds exactly its rows: a
    Binding written by hand in a widget fails here."""
    classes = _bindable_classes()
    assert set(classes) == {scope.cls for scope in SCOPES.values()}
    for scope_name, scope in SCOPES.items():
        declared = [_row(b) for b in Binding.make_bindings(vars(classes[scope.cls])["BINDINGS"])]
        assert declared == [_row(b) for b in Binding.make_bindings(bindings(scope_name))]
        for action in ACTIONS:  # each row's every key, under its id
            if action.scope == scope_name and action.keys:
                assert {(key, action.id) for key in action.keys.split(",")} <= \
                    {(row[0], row[6]) for row in declared}


def test_the_table_is_well_formed() -> None:
    assert len(BY_ID) == len(ACTIONS)  # one row per id
    for action in ACTIONS:
        assert action.scope in SCOPES, action.id
        assert action.keys or action.palette, f"{action.id}: no key and not in the palette"
        if action.palette:  # the palette runs it where its key would: the app reaches
            # its pane, or its screen lists its own rows
            cls = _bindable_classes()[SCOPES[action.scope].cls]
            assert SCOPES[action.scope].node is not None or \
                ScreenCommands in getattr(cls, "COMMANDS", ()), action.id
        if action.key_of:
            assert BY_ID[action.key_of].keys, action.id
    # the Top-N ranking keys follow its list
    assert [a.id for a in ACTIONS if a.run.startswith("pick(")] == \
        [f"top.by-{key.name}" for key in TOP_KEYS]


@pytest.mark.asyncio
async def test_every_action_runs_something_real(s3_client: Any) -> None:
    """A row's target and call exist on a running app, and a row without a target names
    an action its scope's class has: a typo fails here, not on a user's key."""
    classes = _bindable_classes()
    app = FlowtuiApp(None, client=s3_client)
    async with app.run_test(size=(120, 40)):
        for action in ACTIONS:
            if action.target:
                name, _args, _kwargs = actions._call(action.run)  # noqa: SLF001
                assert callable(getattr(actions.resolve(app, action.target), name)), action.id
                for path in (action.when, action.footer_while):
                    if path:
                        assert isinstance(actions.resolve(app, path), bool), action.id
                continue
            namespace, name, _params = parse(action.run)
            owner = {"app": FlowtuiApp, "screen": classes["MainScreen"]}.get(
                namespace, classes[SCOPES[action.scope].cls])
            assert callable(getattr(owner, f"action_{name}", None)), action.id


def _footer(app: FlowtuiApp) -> set[tuple[str, str]]:
    return {(key.key_display, key.description) for key in app.screen.query_one(KeysFooter).items}


def _expected_footer(app: FlowtuiApp, chain: list[str]) -> set[tuple[str, str]]:
    """Flagged rows of the focused chain (nearest first) that act now, under their first
    key, unless a nearer pane binds that key."""
    taken: set[str] = set()
    expected = set()
    for scope in chain:
        rows = [a for a in ACTIONS if a.scope == scope and a.keys]
        for action in rows:
            keys = [k.strip() for k in keys_now(action, app.keymap).split(",")]
            acts = not action.target or actions.allowed(app, action.id)
            if action.footer and acts and keys[0] not in taken:
                expected.add((actions.key_display(app, keys[0]), action.description))
        taken |= {k.strip() for a in rows for k in keys_now(a, app.keymap).split(",")}
    return expected


def _palette(app: FlowtuiApp) -> dict[str, str]:
    return {c.name: c.help for c in FlowtuiCommands(app.screen)._commands()}  # noqa: SLF001


def _palette_key(app: FlowtuiApp, action: Action) -> str:
    source = BY_ID[action.key_of] if action.key_of else action
    return actions.key_display(app, keys_now(source, app.keymap).split(",")[0])


async def _help_lines(pilot: Any, app: FlowtuiApp) -> list[str]:
    await app.run_action("help")
    await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
    body = app.screen.query_one("#help-bindings", Static)
    console = Console(width=220, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(body.content)
    lines = console.export_text().splitlines()
    await pilot.press("escape")
    await wait_for(pilot, lambda: app.screen is app.main_screen, what="help closed")
    return lines


async def _faces_agree(pilot: Any, app: FlowtuiApp) -> None:
    # the footer, pane by pane of the main screen
    screen = app.main_screen
    for widget, scope in ((app.table, "table"), (app.browser.entry_list, "browser"),
                          (app.detail.list, "detail")):
        widget.focus()
        await pilot.pause()
        chain = [scope, "screen", "app"]
        await wait_for(pilot, lambda: _footer(app) == _expected_footer(app, chain),  # noqa: B023
                       what=f"footer with {scope} focused")
    assert screen.focused is app.detail.list
    # the palette: each of its rows by name, with the key it has now
    palette = _palette(app)
    for action in ACTIONS:
        if action.palette and SCOPES[action.scope].node is not None:  # the app's rows
            key = _palette_key(app, action) if (action.keys or action.key_of) else ""
            assert action.palette in palette, action.id
            assert not key or f"({key}" in palette[action.palette], (action.id, key)
    # the help: every keyed row, its keys, its words and its id on one line
    lines = await _help_lines(pilot, app)
    for action in ACTIONS:
        if not action.keys or action.system:
            continue
        keys = ", ".join(dict.fromkeys(actions.key_display(app, k.strip()) for k in
                                       keys_now(action, app.keymap).split(",")))
        words = action.description
        pattern = rf"^\s*{re.escape(keys)}\s+{re.escape(words)}\s+{re.escape(action.id)}\s*$"
        assert any(re.match(pattern, line) for line in lines), (action.id, keys, words)


@pytest.mark.asyncio
async def test_bindings_palette_footer_and_help_agree_and_follow_a_keymap(
        s3_client: Any) -> None:
    app = FlowtuiApp(None, client=s3_client)
    async with app.run_test(size=(200, 50)) as pilot:
        await _faces_agree(pilot, app)
        palette = _palette(app)
        assert palette["Story of the record"].endswith("(i)")  # never (s) again
        assert palette["Sort by this column"].endswith("(s)")
        # a keymap moves a key on every face: shown, palette-named, in help
        app.set_keymap({"app.story": "f2", "table.sort": "S", "screen.top": "f3",
                        "browser.today": "f4", "app.back": "f6"})
        await pilot.pause()
        await _faces_agree(pilot, app)
        palette = _palette(app)
        assert palette["Story of the record"].endswith("(f2)")
        assert palette["Sort by this column"].endswith("(S)")
        assert "(f4 in the browser)" in palette["Go to today's folder"]
        assert palette["Cancel load"].endswith("(f6)")
        assert ("f2", "Story") in _footer(app)
        lines = await _help_lines(pilot, app)
        assert any(line.startswith("Top-N pane (f3)") for line in lines)


@pytest.mark.asyncio
async def test_p_and_x_show_only_while_a_tail_runs_and_answer_always(s3_client: Any) -> None:
    """One row, two bindings: the footer's (only while following) and a hidden twin that
    says "not following" otherwise; both under the one id a keymap moves."""
    app = FlowtuiApp(None, client=s3_client)
    notes = record_notes(app)  # (a toast can be gone before a loaded machine looks)
    async with app.run_test(size=(200, 50)) as pilot:
        app.table.focus()
        await pilot.pause()
        shown = {description for _key, description in _footer(app)}
        assert "Pause/resume tail" not in shown and "Stop following" not in shown
        assert [b.id for b in Binding.make_bindings(bindings("app"))].count("app.tail-stop") == 2
        await pilot.press("x")
        await wait_for(pilot, lambda: any("Not following anything" in note for note in notes),
                       what="the twin answers x")


def test_within_a_pane_each_key_does_one_thing() -> None:
    """Two rows of one scope with the same key: the help lists both, the key runs one. The
    Top-N pane had ``n`` as 'By name/address' and as 'Next found row' (after ``@``): ``n``
    switched the ranking to addresses instead of going to the next match, while ``N`` went
    to the previous one."""
    seen: dict[tuple[str, str], str] = {}
    clashes = []
    for action in ACTIONS:
        for key in filter(None, action.keys.split(",")):
            other = seen.setdefault((action.scope, key), action.id)
            if other != action.id:
                clashes.append((action.scope, key, other, action.id))
    assert clashes == []


@pytest.mark.asyncio
async def test_a_dialog_shows_its_own_keys_not_the_main_screens(tmp_path: Any) -> None:
    """Under a dialog (a modal screen) the bottom line was the main screen's footer: `/
    Filter`, `T Top-N`, `w Export`, none of which act there, and never the dialog's own
    keys the action table flags for the footer (`esc Close help`, `y Yes`, `␣ Show/hide`).
    Each dialog now draws its own footer from the table."""
    from rich.text import Text

    from flowtui.ui.widgets.dialogs import ConfirmScreen
    from flowtui.ui.widgets.records.chooser import ColumnChooser
    from tests.ui_helpers import loaded, press, screen_text

    path = tmp_path / "one.log"
    path.write_text("version srcaddr dstaddr action\n2 10.0.0.1 10.0.0.2 ACCEPT\n")
    app = FlowtuiApp(str(path))
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot, 1)
        app.table.focus()
        opened = (("help", HelpScreen, ["help"]), ("o", ColumnChooser, ["columns-list", "columns"]),
                  ("e", None, ["bad-lines"]), ("confirm", ConfirmScreen, ["confirm"]))
        for key, kind, chain in opened:
            if key == "help":
                await app.run_action("help")
            elif key == "confirm":
                app.push_screen(ConfirmScreen(Text("load?")))
            else:
                await press(pilot, key)
            await wait_for(pilot, lambda: app.screen is not app.main_screen, what=key)  # noqa: B023
            assert kind is None or isinstance(app.screen, kind)
            await wait_for(pilot, lambda: _footer(app) == _expected_footer(app, chain),  # noqa: B023
                           what=f"the footer of {chain[0]}")
            bottom = screen_text(pilot)[-1]
            assert "Top-N" not in bottom and "Filter" not in bottom, (key, bottom)
            await press(pilot, "escape")
            await wait_for(pilot, lambda: app.screen is app.main_screen, what="closed")
            app.table.focus()
