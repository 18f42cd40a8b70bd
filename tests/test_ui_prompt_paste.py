"""A paste into a prompt keeps every line of it.

Textual's ``Input`` keeps only the first line of a paste (``splitlines()[0]``): a filter
copied from a runbook over two lines, ``host 10.0.0.5`` / ``and port 22``, became
``host 10.0.0.5`` without a word, and Enter applied a wider filter than the one pasted (a
silent wrong answer). A filter, a time and a path are one line: the prompt joins the lines
with a space (in the filter language a line break is whitespace) and drops the trailing
break a copied line ends with; nothing is submitted by the paste itself.
"""

from __future__ import annotations

from pathlib import Path

from textual import events

from flowtui.ui.app import FlowtuiApp
from tests.ui_helpers import press, wait_for

HEADER = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol "
          "packets bytes start end action log-status")


def _log(tmp_path: Path) -> Path:
    lines = [f"2 123456789012 eni-1 {src} 10.0.0.1 40000 {port} 6 1 40 1700000000 "
             f"1700000010 ACCEPT OK"
             for src, port in [("10.0.0.5", 22), ("10.0.0.5", 443), ("10.0.0.6", 22)]]
    log = tmp_path / "three.log"
    log.write_text(HEADER + "\n" + "\n".join(lines) + "\n")
    return log


async def test_a_pasted_filter_over_two_lines_is_the_whole_filter(tmp_path: Path) -> None:
    app = FlowtuiApp(str(_log(tmp_path)), names=None)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: app.table.row_count == 3, what="the records")
        app.table.focus()
        await press(pilot, "slash")
        box = app.main_screen.prompt.input
        app.post_message(events.Paste("host 10.0.0.5\nand port 22\n"))
        await wait_for(pilot, lambda: box.value != "", what="the paste")
        await pilot.pause()
        assert box.value == "host 10.0.0.5 and port 22"
        assert app.main_screen.prompt.is_open  # the paste's line break submitted nothing
        await press(pilot, "enter")
        await wait_for(pilot, lambda: app.table.row_count == 1, what="the one record")


async def test_a_filter_pasted_onto_the_table_keeps_its_second_line(tmp_path: Path) -> None:
    """The runbook's ``/`` opens the bar (ui/paste.py); the rest, line breaks and all, is
    the filter."""
    app = FlowtuiApp(str(_log(tmp_path)), names=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.table.row_count == 3, what="the records")
        app.table.focus()
        await pilot.pause()
        app.post_message(events.Paste("/port 22\r\nand src host 10.0.0.6"))
        box = app.main_screen.prompt.input
        await wait_for(pilot, lambda: box.value != "", what="the paste")
        await pilot.pause()
        assert box.value == "port 22 and src host 10.0.0.6"
        await press(pilot, "enter")
        await wait_for(pilot, lambda: app.table.row_count == 1, what="the one record")
