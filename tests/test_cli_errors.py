"""A mistake on the command line is one line and exit 2 in every command (issue 20 item 8):
argparse's usage block is not printed, the line names the command and where help is."""

from __future__ import annotations

import pytest

from flowtui.cli import main


@pytest.mark.parametrize(("argv", "says"), [
    (["cat", "samples", "--limit", "x"], "flowtui: cat: argument --limit: not a whole number"),
    (["cat", "samples", "--since", "800000d"], "outside the times a record can have"),
    (["top", "samples", "-n", "1" + "0" * 30], "flowtui: top: argument -n"),
    (["hist", "samples", "--every", "9" * 5000], "flowtui: hist: "),
    (["sql", "--bogus"], "flowtui: sql: unrecognized arguments: --bogus"),
    (["athena", "ddl"], "flowtui: athena ddl: the following arguments are required"),
    (["story", "samples"], "flowtui: story needs --where EXPR"),
    (["config", "--nope"], "flowtui: config: unrecognized arguments: --nope"),
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
