"""A filter on a field the records' format does not log says so (no silent wrong answer).

AWS: "If you create a flow log using the default format, the log records include the version 2
fields, in the order shown in the Available fields table" (tcp-flags, flow-direction,
pkt-srcaddr … are version 3 and later, and are logged only when a custom format names them) —
https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html. So ``flags syn`` on
default-format records matches nothing by construction, and "no record matches" alone would
read as "no SYN reached the host". Every place that says nothing matched names the missing
field: cat (streamed, prefiltered, sorted with a top-k), top, hist, story, and the app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flowtui import synth
from flowtui.cli import main
from flowtui.query.absent import absent_fields, absent_hint
from flowtui.query.query import Query
from flowtui.ui.app import FlowtuiApp
from tests.ui_helpers import wait_for

DEFAULT = list(synth.DEFAULT_FIELDS)


@pytest.fixture(scope="module")
def default_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("absent") / "default.log"
    path.write_text("\n".join(synth.generate_lines(600, seed=31)) + "\n")
    return path


def test_the_fields_a_filter_names_that_the_records_lack() -> None:
    where = Query.build("flags syn and port 22 or flow-direction = ingress").where
    assert absent_fields(where, DEFAULT) == ["tcp-flags", "flow-direction"]
    assert absent_fields(Query.build("port 22 and reject").where, DEFAULT) == []
    assert absent_fields(where, []) == []  # nothing loaded: nothing known of the format
    assert "no tcp-flags field" in absent_hint(Query.build("flags syn").where, DEFAULT)
    assert absent_hint(Query.build("host 10.0.0.1").where, DEFAULT) == ""


@pytest.mark.parametrize("argv", [
    ["cat", "{f}", "--where", "flags syn"],
    ["cat", "{f}", "--where", "tcp-flags = 2 and port 22", "--format", "csv"],  # prefiltered
    ["cat", "{f}", "--where", "tcp-flags = 2 and port 22", "--sort", "-bytes", "--limit", "3"],
    ["top", "{f}", "--by", "srcaddr", "--where", "flow-direction = egress"],
    ["hist", "{f}", "--every", "1m", "--where", "flags syn"],
    ["story", "{f}", "--where", "flags syn"],
])
def test_each_command_names_the_missing_field(argv: list[str], default_log: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    main([a.replace("{f}", str(default_log)) for a in argv])
    captured = capsys.readouterr()
    assert "eni-" not in captured.out and "123456789012" not in captured.out  # no record
    err = captured.err.strip()
    assert err.count("\n") == 0, err
    assert "no record matches" in err
    field = "flow-direction" if "flow-direction" in " ".join(argv) else "tcp-flags"
    assert f"these records have no {field} field" in err, err


def test_a_filter_that_matches_nothing_for_another_reason_says_only_that(
        default_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["cat", str(default_log), "--where", "port 22 and packets > 4000000000"])
    err = capsys.readouterr().err
    assert "no record matches" in err and "these records have no" not in err


async def test_the_app_says_which_field_the_records_lack(default_log: Path) -> None:
    app = FlowtuiApp(str(default_log))
    said: list[str] = []
    notify = app.notify

    def spy(message: str, *args: Any, **kwargs: Any) -> None:
        said.append(str(message))
        notify(message, *args, **kwargs)

    app.notify = spy  # type: ignore[method-assign]
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.table.row_count == 600, timeout=30,
                       what="600 records loaded")
        app.table.focus()
        await pilot.press("slash", *"flags syn", "enter")
        await wait_for(pilot, lambda: any("No record matches" in s for s in said),
                       timeout=10, what="the no-match toast")
        toast = next(s for s in said if "No record matches" in s)
        assert "these records have no tcp-flags field" in toast
        assert "these records have no tcp-flags field" in app.table.placeholder


@pytest.mark.parametrize("by", ["tcp-flags", "srcaddr,flow-direction", "region"])
def test_top_by_a_field_the_records_lack_is_refused(by: str, default_log: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """``top --by tcp-flags`` of default-format records printed one group, ``-``, holding
    every record: read as "no record had TCP flags" (AWS's ``-``: not applicable to that
    record), when the format never logs the field. It is one line naming it, exit 2. So is
    ``region`` when neither the records nor the object's name (``default.log``) carry it."""
    code = main(["top", str(default_log), "--by", by])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    err = captured.err.strip()
    assert err.count("\n") == 0, err
    field = by.split(",")[-1]
    assert f"these records have no {field} field" in err, err
    assert f"--by {field}" in err, err


def test_top_by_a_field_some_records_have_still_groups(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """Objects of two formats, one logging tcp-flags: the other's records are the '-' group
    (as the README says of a mixed folder), and the answer is printed."""
    (tmp_path / "a.log").write_text("\n".join(synth.generate_lines(50, seed=3)) + "\n")
    fields = [*synth.DEFAULT_FIELDS, "tcp-flags"]
    (tmp_path / "b.log").write_text(
        "\n".join([" ".join(fields), *synth.generate_lines(50, seed=4, fields=fields)]) + "\n")
    assert main(["top", str(tmp_path), "--by", "tcp-flags", "--metric", "records"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[0] == "tcp-flags" and len(out) > 2
    assert sum(int(line.split()[1]) for line in out[1:]) == 100


@pytest.mark.parametrize("command", [["top", "--by", "action"],
                                     ["hist", "--every", "1m", "--metric", "bytes"]])
def test_sums_of_a_format_without_bytes_say_so(command: list[str], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A custom format without ``bytes``: every sum of bytes is '-', and the note blamed
    "NODATA/SKIPDATA, Block Public Access" (AWS's causes of a '-' a record logs) for
    records that are none of those; it names the field the format does not log."""
    path = tmp_path / "nobytes.log"
    path.write_text("interface-id srcaddr dstaddr action start end packets\n"
                    "eni-1 10.0.0.1 10.0.0.2 ACCEPT 1709647200 1709647230 3\n"
                    "eni-1 10.0.0.2 10.0.0.1 REJECT 1709647200 1709647230 1\n")
    assert main([command[0], str(path), *command[1:]]) == 0
    err = capsys.readouterr().err
    assert "these records have no bytes field" in err, err
    assert "NODATA" not in err and "Block Public Access" not in err, err
