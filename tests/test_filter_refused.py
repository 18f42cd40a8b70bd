"""A filter that parses but Arrow refuses is one line and exit 2 before anything is loaded
(issue 20.9): the README promises it; before, each object failed with the same error, blamed
on the object (50 files: 50 lines, exit 1)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli_fork import flowtui_run

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = next((ROOT / "samples").rglob("*.log.gz"))


@pytest.fixture(scope="module")
def fifty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fifty")
    for n in range(50):
        shutil.copy(SAMPLE, folder / f"{n:02d}-{SAMPLE.name}")
    return folder


@pytest.mark.parametrize("command", ["cat", "top", "hist"])
@pytest.mark.parametrize("where", ["flags 256", "srcaddr ~ '(?=x)'", "action ~ '(a)\\1'"])
def test_a_filter_the_engine_refuses_is_one_line_before_loading(fifty: Path, command: str,
                                                                where: str) -> None:
    extra = ["--by", "srcaddr"] if command == "top" else []
    done = flowtui_run(command, str(fifty), "--where", where, *extra, cwd=ROOT, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("flowtui: "), done.stderr
    assert SAMPLE.name not in done.stderr  # not blamed on an object
    assert done.stdout == ""


def test_a_filter_that_runs_still_loads(fifty: Path) -> None:
    done = flowtui_run("cat", str(fifty), "--where", "tcp and bytes > 100", "--limit", "3",
                       "--format", "jsonl", cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 3
