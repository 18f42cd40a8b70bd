"""The help lists what the keys really do: every live binding of each pane, with its id."""

from __future__ import annotations

from typing import Any

import pytest

from flowtui.ui.app import FlowtuiApp
from tests.ui_helpers import declared_bindings

pytestmark = pytest.mark.asyncio


async def test_help_lists_every_binding_the_focused_pane_answers(s3_client: Any) -> None:
    """Compared with Screen.active_bindings (public), pane by pane: a key that works but is
    not in the help (say, one inherited from a Textual base class) fails here."""
    app = FlowtuiApp(None, client=s3_client)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.main_screen
        for widget in (app.browser.entry_list, app.table, app.detail.list):
            widget.focus()
            await pilot.pause()
            assert screen.focused is widget
            active = screen.active_bindings
            for node in (widget, screen, app):
                live = {(key, b.binding.id) for key, b in active.items()
                        if b.node is node and not b.binding.system}
                listed = {(b.key, b.id) for b in declared_bindings(node)}
                assert live, node
                assert live <= listed, (node, live - listed)
            # nothing shadows the focused pane: the help lists exactly what it answers
            mine = {(k, b.binding.id) for k, b in active.items() if b.node is widget}
            assert mine == {(b.key, b.id) for b in declared_bindings(widget)}
            assert all(b.id for b in declared_bindings(widget))


async def test_help_shows_the_demos_endpoint_and_cli_line(s3_client: Any) -> None:
    """Issue 17 item 7: while the demo runs, ? says where its S3 is and how to reach it
    from the CLI (the note is data: shown literally)."""
    from flowtui.demo import cli_hint
    from tests.ui_helpers import screen_text

    app = FlowtuiApp(None, client=s3_client)
    app.help_note = "\n".join(cli_hint("http://127.0.0.1:45678"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        text = "\n".join(screen_text(pilot))
        assert "demo S3 endpoint: http://127.0.0.1:45678" in text
        assert "export AWS_ENDPOINT_URL_S3=http://127.0.0.1:45678 AWS_ACCESS_KEY_ID=" in text
        rows = screen_text(pilot)  # the command is on one row: it copies whole
        assert any("flowtui cat s3://flowtui-demo-logs/AWSLogs/" in row and "--limit 20" in row
                   for row in rows)


async def test_at_80x24_the_demos_lines_to_paste_are_unwrapped_and_c_copies_them(
        s3_client: Any) -> None:
    """On a jump host's 80x24 the help wrapped the lines to paste, so a terminal selection
    copied broken commands. Each command is now on one row of its own (the help scrolls
    sideways to show the rest), and c hands exactly those lines to the clipboard (OSC 52)."""
    from flowtui.demo import cli_hint
    from tests.ui_helpers import press, screen_text, wait_for

    names_env = {"AWS_ENDPOINT_URL_EC2": "http://127.0.0.1:45678",
                 "FLOWTUI_IP_RANGES": "/tmp/flowtui-demo-names-abcdefgh/ip-ranges.json"}
    hint = cli_hint("http://127.0.0.1:45678", names_env=names_env)
    commands = [line.strip() for line in hint[2:]]
    app = FlowtuiApp(None, client=s3_client)
    app.help_note = "\n".join(hint)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "question_mark")
        await wait_for(pilot, lambda: any("export AWS_SECRET" in r for r in screen_text(pilot)),
                       what="the help")
        rows = screen_text(pilot)
        for command in commands:  # its first words start a row: nothing wraps into it
            starts = [r for r in rows if f"│   {command[:30]}" in r]
            assert len(starts) == 1, (command, rows)
        for name in ("AWS_ACCESS_KEY_ID=", "AWS_DEFAULT_REGION=", "FLOWTUI_IP_RANGES="):
            assert not any(r.split("│")[2:3] and r.split("│")[2].lstrip().startswith(name)
                           for r in rows), rows  # no command's tail on a row of its own
        assert any("c copies the lines to paste" in r for r in rows)
        await press(pilot, "c")
        assert copied == ["\n".join(commands) + "\n"]
