"""A filter pasted into a real terminal (tmux, one write): the bar gets every key.

``/reject`` and Enter are sent as one write to the pane (``send-keys -l`` puts the whole
string on the pty at once), against the app opened on the repository's sample files: the
filter is applied and nothing else ran (``r`` would show "decoded", ``e`` the bad-lines
dialog, ``c`` a copy notice). ``/quick`` typed the same way leaves the app running with
"quick" typed into the bar. Waits for text on the captured screen, never for a fixed time.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_tmux_demo import ROOT, Terminal

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

SAMPLE = next((ROOT / "samples").rglob("*fl-0a1b2c3d4e5f67890*.log.gz"))


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    session = f"flowtui-paste-{os.getpid()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    command = f"cd {ROOT} && {sys.executable} -m flowtui {SAMPLE}"
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, check=False)
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "48",
                    "-e", f"XDG_STATE_HOME={tmp_path / 'state'}", command], check=True,
                   env=env)
    subprocess.run(["tmux", "set-option", "-t", session, "remain-on-exit", "on"],
                   check=False, capture_output=True)
    try:
        yield Terminal(session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True,
                       check=False)


def test_a_pasted_filter_is_the_filter_and_nothing_else(terminal: Terminal) -> None:
    screen = terminal.wait_for(r"row 1/400")
    assert " raw " in screen
    terminal.keys("-l", "/reject\r")  # one write: the keys and Enter together
    screen = terminal.wait_for(r"[\d,]+ of 400 match")
    assert "filter reject" in screen
    # r did not toggle: the status line still says raw (the footer names "r Raw/decoded"
    # whenever the table has the focus, so the whole screen holds "decoded" anyway)
    status = next(line for line in screen.splitlines() if re.search(r"of 400 match", line))
    assert " raw " in status and "decoded" not in status, status
    assert "Bad lines" not in screen and "Copied" not in screen  # e, c did nothing
    markers = re.findall(r"││(.) (?:\d+\.){3}\d+ ", screen)
    assert markers and set(markers) == {"R"}, screen
    terminal.keys("-l", "/quick")  # the bar opens with the filter shown: "rejectquick"
    screen = terminal.wait_for(r"/ \S*quick")
    assert terminal.alive(), screen
    terminal.keys("Escape")
    screen = terminal.wait_gone(r"/ \S*quick")
    assert terminal.alive() and "filter reject" in screen, screen


def test_a_bracketed_paste_onto_the_table_opens_the_prompt_it_starts_with(
        terminal: Terminal) -> None:
    """A terminal pastes as a bracketed paste (the app asks for it: ESC[?2004h), which
    Textual hands to the focused widget as one Paste event, not as keys. The table takes no
    text, so ``/reject`` pasted from a runbook was dropped without a word. Its first
    character is a prompt key: the prompt opens with the rest in it. Text that starts with
    no prompt key is refused with a message, not typed as keys (``quit…`` must not quit)."""
    terminal.wait_for(r"row 1/400")
    buffer = f"flowtui-paste-{os.getpid()}"
    terminal.tmux("set-buffer", "-b", buffer, "/reject")
    terminal.tmux("paste-buffer", "-p", "-d", "-b", buffer, "-t", terminal.session)
    screen = terminal.wait_for(r"/ reject")
    terminal.keys("Enter")
    screen = terminal.wait_for(r"[\d,]+ of 400 match")
    assert "filter reject" in screen
    terminal.tmux("set-buffer", "-b", buffer, "quit")
    terminal.tmux("paste-buffer", "-p", "-d", "-b", buffer, "-t", terminal.session)
    screen = terminal.wait_for(r"Pasted text")
    assert terminal.alive(), screen
