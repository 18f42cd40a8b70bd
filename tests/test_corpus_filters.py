"""The hostile filters of tests/corpus/filters.py (issue 20 items 1 and 8): each is one
``FilterError`` with a place, ``--where`` turns each into one line and exit 2, the app's filter
bar shows the error and goes on, and the other hostile CLI values (times, counts, table
names) are one line too, never a traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from flowtui.cli import main
from flowtui.query.expr import FilterError, parse
from flowtui.ui.app import FlowtuiApp
from tests.cli_fork import flowtui_run
from tests.corpus.filters import DIGITS_5000, FILTER_CASES, FilterCase
from tests.corpus.generate import GOOD, HEADER, lines
from tests.ui_helpers import wait_for

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def log_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("filters") / "good.log"
    path.write_bytes(lines(HEADER, *GOOD))
    return path


@pytest.mark.parametrize("case", FILTER_CASES, ids=[c.name for c in FILTER_CASES])
def test_a_hostile_filter_is_one_filter_error_with_a_place(case: FilterCase) -> None:
    started = time.thread_time()
    with pytest.raises(FilterError) as caught:
        parse(case.text)
    # checked on every keystroke in the app: 100,000 parentheses took the parser 8 s. This
    # thread's CPU time, not the wall clock: the bound holds on a loaded machine too.
    assert time.thread_time() - started < 2.0, case.name
    error = caught.value
    assert 0 <= error.position <= len(case.text)
    assert case.message in str(error)
    assert "\n" not in str(error) and len(str(error)) < 400  # one readable line


@pytest.mark.parametrize("case", FILTER_CASES, ids=[c.name for c in FILTER_CASES])
def test_where_turns_a_hostile_filter_into_one_line_and_exit_2(
        case: FilterCase, log_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cat", str(log_file), "--where", case.text]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1 and captured.err.startswith("flowtui: ")
    assert case.message in captured.err


@pytest.mark.parametrize("args", [
    ["--since", "800000d"], ["--until", "0001-01-01T00:00+01:00"], ["--since", DIGITS_5000],
    ["--until", "9999-12-31T23:59-01:00"],
])
def test_a_window_past_the_calendar_is_an_error_not_a_traceback(args: list[str],
                                                                log_file: Path) -> None:
    for command in (["cat", str(log_file)], ["sql"]):
        done = flowtui_run(*command, *args, cwd=ROOT, timeout=120)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        assert "outside the times a record can have" in done.stderr.splitlines()[-1]


@pytest.mark.parametrize("argv", [
    ["top", "{file}", "--by", "srcaddr", "-n", str(10**30)],
    ["top", "{file}", "--by", "srcaddr", "-n", DIGITS_5000],
    ["cat", "{file}", "--limit", DIGITS_5000],
    ["hist", "{file}", "--every", DIGITS_5000],
    ["sql", "--limit", str(10**30)],
])
def test_a_count_past_int64_is_an_argument_error(argv: list[str], log_file: Path) -> None:
    args = [a.replace("{file}", str(log_file)) for a in argv]
    done = flowtui_run(*args, cwd=ROOT, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    [line] = done.stderr.splitlines()  # one line, not argparse's usage block
    assert line.startswith("flowtui: ") and ": argument " in line and len(line) < 200


@pytest.mark.parametrize(("table", "message"), [
    ("", "the table name is empty"), ("db.", "the table name is empty"),
    (".tbl", "the database name is empty"), ("a.b.c", "holds a '.'"),
    ("a\x1bb", "control characters"),
])
def test_sql_refuses_a_table_name_athena_cannot_have(
        table: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Athena's naming rules: a database or table name is 1 to 255 bytes ("Name databases,
    tables, and columns", Athena user guide)."""
    assert main(["sql", "--table", table]) == 2
    err = capsys.readouterr().err
    assert err.startswith("flowtui: ") and len(err.splitlines()) == 1 and message in err


def test_sql_with_200_nested_ors_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "--where", "(tcp or " * 200 + "udp" + ")" * 200]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "nests more than" in err


async def test_the_filter_bar_shows_a_hostile_filter_and_the_app_goes_on(log_file: Path
                                                                         ) -> None:
    app = FlowtuiApp(str(log_file))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: app.job is not None and not app.job.status.running
                       and app.job.worker is not None and app.job.worker.is_finished,
                       timeout=60, what="the file loaded")
        total = app.table.row_count
        assert total == len(GOOD)
        app.table.focus()
        await pilot.press("slash")
        prompt = app.main_screen.prompt
        # typed key by key: every prefix is checked as it is typed (800000d overflowed)
        await pilot.press(*"start > 800000d")
        assert "outside the times a record can have" in prompt.message
        await pilot.press("enter")
        assert prompt.is_open and app.table.row_count == total
        # pasted: 500 nots (the transformer's recursion), refused on Enter too
        prompt.input.value = "not " * 500 + "tcp"
        await wait_for(pilot, lambda: "nests more than" in prompt.message,
                       what="the nesting error")
        await pilot.press("enter")
        assert prompt.is_open and app.table.row_count == total
        # flags 256 failed only on Enter, in Arrow; now it is refused while typed
        prompt.input.value = ""
        await pilot.press(*"flags 256")
        assert "cannot occur" in prompt.message
        await pilot.press("enter")
        assert app.is_running and prompt.is_open and app.table.row_count == total
        # and the bar still applies a good filter
        prompt.input.value = ""
        await pilot.press(*"dst port 443", "enter")
        await wait_for(pilot, lambda: not prompt.is_open, what="the filter applied")
        assert app.table.row_count == total  # every GOOD record goes to port 443
        await pilot.press("q")
    assert not app.is_running
