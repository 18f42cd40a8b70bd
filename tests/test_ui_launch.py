"""``flowtui [target]`` opens the app; without a terminal it says what to use instead."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _flowtui(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowtui", *args], capture_output=True,
                          text=True, cwd=ROOT, stdin=subprocess.DEVNULL, timeout=60)


def test_help_names_the_target_forms() -> None:
    result = _flowtui("--help")
    assert result.returncode == 0
    assert "s3://bucket/prefix-or-key | PATH" in result.stdout
    assert "--endpoint-url" in result.stdout


def test_without_a_terminal_it_points_to_cat() -> None:
    result = _flowtui("s3://some-bucket/")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "flowtui: the interface needs a terminal; for pipes use 'flowtui cat TARGET'")
    assert "Traceback" not in result.stderr
