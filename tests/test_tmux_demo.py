"""`flowtui demo` in a real terminal (tmux, 120x40), driven by keys as a person would.

This is the one test that runs the whole product the README's first command runs: the
embedded S3 server, the seeding, the app, the keyboard and the screen. It waits for text to
appear on the captured screen (with a deadline), never for a fixed time.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Terminal:
    def __init__(self, session: str) -> None:
        self.session = session

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", *args], capture_output=True, text=True,
                              check=False).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-t", self.session, "-p")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.session, *keys)

    def wait_for(self, pattern: str, timeout: float = 45.0) -> str:
        """The screen once ``pattern`` (a regular expression) shows on it."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if re.search(pattern, screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{pattern!r} did not appear on screen:\n{screen}")

    def wait_gone(self, pattern: str, timeout: float = 45.0) -> str:
        """The screen once ``pattern`` no longer shows on it."""
        deadline = time.monotonic() + timeout
        screen = self.screen()
        while re.search(pattern, screen):
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} stayed on screen:\n{screen}")
            time.sleep(0.1)
            screen = self.screen()
        return screen

    def alive(self) -> bool:
        return "flowtui-alive" in self.tmux("list-panes", "-t", self.session, "-F",
                                            "#{?pane_dead,dead,flowtui-alive}")


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    session = f"flowtui-test-{os.getpid()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    command = f"cd {ROOT} && {sys.executable} -m flowtui demo --big-records 20000"
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, check=False)
    state = tmp_path / "state"  # filter history goes here, not to the user's state dir
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                    "-e", f"XDG_STATE_HOME={state}", command], check=True, env=env)
    subprocess.run(["tmux", "set-option", "-t", session, "remain-on-exit", "on"],
                   check=False, capture_output=True)
    term = Terminal(session)
    try:
        yield term
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True,
                       check=False)


def test_demo_browse_load_a_day_and_read_a_record(terminal: Terminal) -> None:
    # (the demo prints its endpoint and a flowtui-demo-logs path before the app starts:
    # wait for the app's bucket list itself)
    terminal.wait_for(r"S3 buckets[\s\S]*flowtui-demo-logs")
    terminal.keys("Home", "Enter")
    # Folders are labelled by what they are: account, service, region, year, month, day.
    for label in ("AWSLogs/", "account 111122223333", "service vpcflowlogs",
                  "region us-east-1", r"year \d{4}", r"\d\d/ \d{4}-\d\d\s"):
        terminal.wait_for(label)
        terminal.keys("Home", "Enter")
    terminal.wait_for(r"\d\d/ \d{4}-\d\d-\d\d")
    terminal.keys("Home", "Enter")  # Enter on the first day folder loads its objects
    screen = terminal.wait_for(r"row 1/[\d,]+")
    # the table header leads with the 5-tuple and the action; the version folds into the
    # table's title (the same in every row)
    assert "srcaddr" in screen and "dstport" in screen and "action" in screen
    assert "Records · v2" in screen
    terminal.wait_for(r"row 1 of [\d,]+ ")  # the detail panel follows the cursor
    terminal.keys("Tab")
    terminal.keys("j", "j")
    terminal.wait_for(r"row 3/[\d,]+")
    terminal.wait_for(r"row 3 of [\d,]+ ")
    # "question" is no tmux key name: tmux would type q-u-e-… and the q would quit
    terminal.keys("-l", "?")
    terminal.wait_for("flowtui keys")  # the help screen's title, not the footer's "? Help"
    terminal.keys("Escape")
    # (a key right after Esc would reach the app as alt+key: wait for the help to close)
    terminal.wait_gone("flowtui keys")
    # "REJECTs on port 22", by keys: / opens the filter bar, Enter applies it
    terminal.keys("/")
    terminal.wait_for("Enter applies")
    terminal.keys("-l", "reject and port 22")
    terminal.keys("Enter")
    screen = terminal.wait_for(r"[\d,]+ of [\d,]+ match")
    assert "filter reject › port 22" in screen
    # every row shown carries the REJECT marker; the record under the cursor is on port 22
    markers = re.findall(r"││(.) (?:\d+\.){3}\d+ ", screen)  # the marker, then srcaddr
    assert markers and set(markers) == {"R"}, screen
    # the cursor may stay on its record
    screen = terminal.wait_for(r"row [\d,]+ of [\d,]+ in view ")
    assert re.search(r"(src|dst)port\s+22\b", screen), screen
    terminal.keys("q")
    deadline = time.monotonic() + 30
    while terminal.alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not terminal.alive(), terminal.screen()
    assert "Traceback" not in terminal.screen()
    # on exit the demo says where its S3 was and how the CLI reaches a running demo
    # (the same lines as at its start and in ? while it runs)
    after = terminal.screen()
    assert re.search(r"its S3 at http://127\.0\.0\.1:\d+ with it", after), after
    assert re.search(r"^  export AWS_ENDPOINT_URL_S3=http://127\.0\.0\.1:\d+ ", after, re.M)
    assert re.search(r"^  flowtui cat s3://flowtui-demo-logs/AWSLogs/111122223333/", after, re.M)


def test_a_closed_terminal_ends_the_demo_and_removes_its_files(tmp_path: Path) -> None:
    """A terminal closed under the demo (SIGHUP: a window closed, an SSH session dropped,
    tmux kill-session) ended the process by the signal from inside the app, so the demo's
    own cleanup never ran: its names folder (ip-ranges.json, the names cache) stayed in
    the temporary directory. The signal now unwinds the demo first, then ends the process."""
    session = f"flowtui-hup-{os.getpid()}"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    command = (f"cd {ROOT} && exec {sys.executable} -m flowtui demo --big-records 2000 "
               "--live-every 0")
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, check=False)
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                    "-e", f"XDG_STATE_HOME={tmp_path / 'state'}", "-e", f"TMPDIR={scratch}",
                    command], check=True, env=env)
    try:
        Terminal(session).wait_for(r"S3 buckets[\s\S]*flowtui-demo-logs")
        assert list(scratch.glob("flowtui-demo-names-*"))  # the demo's names folder
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True,
                       check=False)
    deadline = time.monotonic() + 30
    while list(scratch.glob("flowtui-demo-names-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not list(scratch.glob("flowtui-demo-names-*"))
