"""The dependency pins hold what the code was written against."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

from packaging.requirements import Requirement  # packaging comes with pytest
from packaging.version import Version

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def _requirement(name: str) -> Requirement:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    return next(r for r in map(Requirement, project["dependencies"]) if r.name == name)


def test_textual_is_pinned_to_the_installed_major_version() -> None:
    """Textual breaks its API between majors (bindings, widgets); a fresh install must not
    pick up the next one untested."""
    spec = _requirement("textual").specifier
    installed = Version(version("textual"))
    assert installed in spec
    assert Version(f"{installed.major + 1}.0") not in spec
    assert Version(f"{installed.major}.0") not in spec  # the floor is what was tested
