"""A mistake on the command line is one line and exit 2 in every command (issue 20 item 8):
argparse's usage block is not printed, the line names the command and where help is."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flowtui.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("argv", "says"), [
    (["cat", "samples", "--limit", "x"], "flowtui: cat: argument --limit: not a whole number"),
    (["cat", "samples", "--since", "800000d"], "outside the times a record can have"),
    (["top", "samples", "-n", "1" + "0" * 30], "flowtui: top: argument -n"),
    (["hist", "samples", "--every", "9" * 5000], "flowtui: hist: "),
    (["sql", "--bogus"], "flowtui: sql: unrecognized arguments: --bogus"),
    (["athena", "ddl"], "flowtui: athena ddl: the following arguments are required"),
    (["story", "samples"], "flowtui: story needs --where EXPR"),
    (["config", "--nope"], "flowtui: config: unrecognized arguments: --nope"),
    # --fields a user types: a near miss of AWS's names read a column of that name and
    # answered "no srcaddr" (or printed it under the typo); a name twice, the same
    (["cat", "-", "--fields", "${srcadr} ${dstaddr}"], "unknown field 'srcadr' (did you mean "
                                                      "'srcaddr'?)"),
    (["top", "-", "--by", "srcaddr", "--fields", "srcaddr,dstaddr,srcaddr"],
     "srcaddr is named twice"),
])
def test_a_command_line_mistake_is_one_line(argv: list[str], says: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code  # type: ignore[assignment]
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("flowtui: "), err
    assert says in err
    assert "usage:" not in err and "Traceback" not in err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
@pytest.mark.parametrize("argv", [
    ["cat", "samples", "--format", "csv"],
    ["cat", "samples", "--format", "jsonl"],  # written on a writer thread
    ["cat", "samples"],
    ["top", "samples", "--by", "srcaddr"],
    ["sql", "--where", "port 22"],
])
def test_output_on_a_full_disk_is_one_line(argv: list[str]) -> None:
    """stdout to a file on a full disk (``/dev/full`` answers every write with ENOSPC):
    one line that says so and exit 1, not a traceback (it was one in every command)."""
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "flowtui", *argv], stdout=full,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 1, done.stderr
    assert done.stderr == "flowtui: can't write the output: No space left on device\n"
