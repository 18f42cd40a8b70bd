"""``flowtui --help`` names every command, and a mistyped command is an error, not a folder.

Issue 17 item 6: ``flowtui --help`` listed no subcommand, and ``flowtui tial`` opened the
app on a folder named ``tial``. Each case runs the real entry point in a fresh interpreter.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flowtui.cli import main
from flowtui.cli.registry import COMMANDS, NAMES, Command

ROOT = Path(__file__).resolve().parent.parent


def flowtui(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowtui", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120, stdin=subprocess.DEVNULL,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_help_lists_every_command_with_one_line_each() -> None:
    result = flowtui("--help")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    for name in NAMES:
        listed = [line for line in lines if line.split()[:1] == [name]]
        assert len(listed) == 1, (name, result.stdout)
        assert len(listed[0].split()) > 2  # a description follows the name
    assert "existing path wins" in result.stdout


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command.name)
def test_every_command_in_the_help_answers_its_own_help(
        command: Command, capsys: pytest.CaptureFixture[str]) -> None:
    """The list is the commands main() dispatches (issue 19 item 4: one registry): each
    answers ``flowtui NAME --help`` with its usage and the description the list holds."""
    with pytest.raises(SystemExit) as exit_:
        main([command.name, "--help"])
    assert exit_.value.code == 0
    shown = capsys.readouterr().out
    assert shown.startswith(f"usage: flowtui {command.name} ")
    assert " ".join(command.description.split()) in " ".join(shown.split())


def test_a_word_close_to_a_command_says_did_you_mean_and_exits_2(tmp_path: Path) -> None:
    result = flowtui("tial", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == ("flowtui: unknown command 'tial' (did you mean tail?); "
                                     "see flowtui --help")
    assert flowtui("hsit", cwd=tmp_path).stderr.startswith(
        "flowtui: unknown command 'hsit' (did you mean hist?)")


def test_an_existing_folder_named_like_a_command_still_opens(tmp_path: Path) -> None:
    (tmp_path / "tial").mkdir()
    result = flowtui("tial", cwd=tmp_path)
    # Not refused as a command: it reached the app's launcher (which needs a terminal).
    assert "did you mean" not in result.stderr
    assert "the interface needs a terminal" in result.stderr


def test_the_theme_flags_offer_the_themes_the_settings_file_takes() -> None:
    """``--theme`` (app, demo) lists the themes without importing the settings module, so
    ``--help`` stays quick; the two lists must not drift apart."""
    from flowtui import config
    from flowtui.cli.args import THEMES

    assert THEMES == config.THEMES


def test_the_where_help_says_what_1m_is(capsys: pytest.CaptureFixture[str]) -> None:
    """The app shows sizes in KiB/MiB (powers of 1024) and the filter's ``1M`` is 1,000,000
    (``1MiB`` 1,048,576): the help says which, so a size read off the screen is typed right."""
    with pytest.raises(SystemExit):
        main(["cat", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "1M = 1,000,000; 1MiB = 1,048,576" in shown


def test_the_tail_help_says_how_far_it_looks_back(capsys: pytest.CaptureFixture[str]) -> None:
    """A tail re-lists a flow log only from its newest file less the lookback: a file AWS
    delivers later than that is never read. ``flowtui tail --help`` says how long that is
    (the engine's own value), so a user knows when to reach for ``flowtui cat``."""
    from flowtui.tail import LOOKBACK
    from flowtui.timefmt import span

    with pytest.raises(SystemExit):
        main(["tail", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert f"within {span(LOOKBACK)} (the lookback)" in shown, shown
    assert "flowtui cat reads it" in shown
