"""Throwaway venvs for the lock: what scripts/update-lock and scripts/check-latest share.

Both build a venv in a temporary folder, install the project with its ``test`` and ``demo``
extras (the newest releases pip finds, bounded only by the constraints given), run the suite
in it, and compare what got installed with ``requirements/lock.txt``. Standard library only:
they run before any project venv exists.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "lock.txt"
HOLDS = ROOT / "requirements" / "holds.txt"
EXTRAS = ".[test,demo]"


def canonical(name: str) -> str:
    """PEP 503's name: ``PyYAML`` and ``pyyaml``, ``typing_extensions`` and
    ``typing-extensions`` are one package."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Pins:
    """``name==version`` lines (by canonical name, keeping pip's spelling) and the comment
    lines above the first of them."""

    header: list[str] = field(default_factory=list)
    versions: dict[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> Pins:
        pins = cls()
        for line in text.splitlines():
            stripped = line.strip()
            if not pins.versions and (stripped.startswith("#") or not stripped):
                pins.header.append(line)
                continue
            name, sep, version = stripped.partition("==")
            if sep and not name.startswith(("#", "-")):
                pins.versions[canonical(name)] = (name.strip(), version.strip())
        while pins.header and not pins.header[-1].strip():
            pins.header.pop()
        return pins

    def render(self) -> str:
        lines = list(self.header)
        lines += [f"{name}=={version}" for name, version in
                  sorted(self.versions.values(), key=lambda nv: nv[0].lower())]
        return "\n".join(lines) + "\n"


def differences(lock: Pins, now: Pins) -> list[str]:
    """One line per package whose version differs from the lock: ``botocore 1.44.13 ->
    1.44.18``; ``+ name version`` for one the lock lacks, ``- name version`` for one gone."""
    lines = []
    for key in sorted(set(lock.versions) | set(now.versions)):
        old, new = lock.versions.get(key), now.versions.get(key)
        if old and new and old[1] != new[1]:
            lines.append(f"{new[0]} {old[1]} -> {new[1]}")
        elif new and not old:
            lines.append(f"+ {new[0]} {new[1]} (not in the lock)")
        elif old and not new:
            lines.append(f"- {old[0]} {old[1]} (no longer installed)")
    return lines


@dataclass
class Outcome:
    returncode: int
    passed: int
    broken: list[tuple[str, str]]  # (test id, first line of the failure)


class Venv:
    """A venv in a temporary folder, removed on exit."""

    def __init__(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="flowtui-venv-")
        self.path = Path(self._tmp.name)
        self.python = self.path / "bin" / "python"

    def __enter__(self) -> Venv:
        say(f"creating a throwaway venv in {self.path}")
        subprocess.run([sys.executable, "-m", "venv", str(self.path)], check=True)
        return self

    def __exit__(self, *_: object) -> None:
        self._tmp.cleanup()

    def install(self, constraints: Sequence[Path] = ()) -> None:
        """The project with its test and demo extras: the newest releases pip finds, within
        ``constraints`` only."""
        cmd = [str(self.python), "-m", "pip", "install", "-q"]
        for path in constraints:
            cmd += ["-c", str(path)]
        cmd += ["-e", EXTRAS]
        names = ", ".join(p.relative_to(ROOT).as_posix() for p in constraints) or "none"
        say(f"installing -e '{EXTRAS}' (constraints: {names})")
        subprocess.run(cmd, check=True, cwd=ROOT)

    def freeze(self) -> Pins:
        out = subprocess.run([str(self.python), "-m", "pip", "freeze", "--exclude-editable"],
                             check=True, cwd=ROOT, capture_output=True, text=True).stdout
        return Pins.parse(out)

    def run_suite(self, args: Sequence[str] = ()) -> Outcome:
        """pytest in the venv from the project's root; what broke, read from its JUnit
        report (the test ids are rebuilt as ``tests/test_x.py::name``)."""
        report = self.path / "report.xml"
        cmd = [str(self.python), "-m", "pytest", "-q", f"--junitxml={report}", *args]
        say("running: " + " ".join(["pytest", "-q", *args]))
        returncode = subprocess.run(cmd, cwd=ROOT).returncode
        passed, broken = 0, []
        if report.exists():
            for case in ET.parse(report).iter("testcase"):
                problem = case.find("failure")
                if problem is None:
                    problem = case.find("error")
                if problem is None:
                    if case.find("skipped") is None:
                        passed += 1
                    continue
                message = (problem.get("message") or problem.text or "").strip()
                first = message.splitlines()[0] if message else ""
                broken.append((_test_id(case.get("classname", ""), case.get("name", "")),
                               first[:160]))
        return Outcome(returncode, passed, broken)


def _test_id(classname: str, name: str) -> str:
    """``tests.test_x.TestY`` + ``test_z`` → ``tests/test_x.py::TestY::test_z``."""
    parts = classname.split(".")
    for cut in range(len(parts), 0, -1):
        path = Path(*parts[:cut]).with_suffix(".py")
        if (ROOT / path).exists():
            return "::".join([path.as_posix(), *parts[cut:], name])
    return f"{classname}::{name}"


def report(outcome: Outcome, diffs: list[str], *, against: str) -> None:
    """What broke and under which versions, as lines a person reads."""
    if outcome.broken:
        say(f"{len(outcome.broken)} broke, {outcome.passed} passed:")
        for test, message in outcome.broken:
            print(f"  {test}" + (f"  ({message})" if message else ""))
    elif outcome.returncode == 0:
        say(f"all {outcome.passed} passed")
    else:
        say(f"pytest exited {outcome.returncode} (no test failed: a collection or usage "
            "error, see above)")
    if diffs:
        say(f"under these versions (differing from {against}):")
        for line in diffs:
            print(f"  {line}")
    else:
        say(f"with the same versions as {against}")


def say(message: str) -> None:
    print(f"{Path(sys.argv[0]).name}: {message}", flush=True)
