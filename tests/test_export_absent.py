"""A field a record's format does not log is left out of its JSON object; a field it logs
as ``-`` is ``null``. The two differ: AWS writes ``-`` when "a field is not applicable or
could not be computed for a specific record" (VPC user guide, "Flow log records"), and a
default-format record (the version 2 fields only, same page: "If you create a flow log
using the default format, the log records include the version 2 fields") says nothing of
``flow-direction`` or ``reject-reason`` at all. In a folder where a default and a custom
format both write, the app's export (``w``) wrote ``"reject-reason": null`` for the default
record — a BPA-free claim the record never made — where ``flowtui cat --format jsonl``
leaves the key out; ``cat --columns`` did the same as the app.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowtui import synth
from flowtui.cli import main
from flowtui.ui.app import FlowtuiApp
from tests.ui_helpers import press, wait_for

DEFAULT = list(synth.DEFAULT_FIELDS)
CUSTOM = [*DEFAULT, "flow-direction", "reject-reason"]
LINE = ("2 111122223333 eni-0a1b2c3d4e5f67890 10.0.1.5 10.0.2.9 40000 443 6 3 180 "
        "1796619906 1796619913 ACCEPT OK")
STEM = "111122223333_vpcflowlogs_us-east-1_fl-0{}_20261207T0505Z_{:08}.log.gz"


@pytest.fixture
def two_formats(tmp_path: Path) -> Path:
    """A day folder: a default-format object (180 bytes), then a custom one (90 bytes) whose
    reject-reason is '-'."""
    folder = tmp_path / "AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/12/07"
    folder.mkdir(parents=True)
    for number, (flow_log, fields, line) in enumerate((
            ("a1b2c3d4e5f678901", DEFAULT, LINE),
            ("b1b2c3d4e5f678901", CUSTOM,
             LINE.replace("10.0.1.5", "10.0.1.6").replace(" 180 ", " 90 ") + " ingress -"))):
        (folder / STEM.format(flow_log, number)).write_bytes(
            synth.make_text_object([line], fields))
    return folder


def _cat(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    main(argv)
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_cat_leaves_a_field_out_of_a_record_whose_format_lacks_it(
        two_formats: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = _cat(["cat", str(two_formats), "--format", "jsonl"], capsys)
    assert [r["srcaddr"] for r in plain] == ["10.0.1.5", "10.0.1.6"]
    assert "reject-reason" not in plain[0] and "flow-direction" not in plain[0]
    assert plain[1]["reject-reason"] is None and plain[1]["flow-direction"] == "ingress"
    # --columns chooses fields; it adds none a record's format lacks
    chosen = _cat(["cat", str(two_formats), "--format", "jsonl",
                   "--columns", "srcaddr,reject-reason"], capsys)
    assert chosen == [{"srcaddr": "10.0.1.5"}, {"srcaddr": "10.0.1.6", "reject-reason": None}]
    # sorted, the rows are gathered from both formats into one schema: still left out
    assert _cat(["cat", str(two_formats), "--format", "jsonl", "--sort", "bytes"],
                capsys) == plain[::-1]
    # a lacked field first: the object still starts as JSON does
    assert _cat(["cat", str(two_formats), "--format", "jsonl", "--sort", "-bytes",
                 "--columns", "flow-direction,srcaddr"], capsys) == [
        {"srcaddr": "10.0.1.5"}, {"flow-direction": "ingress", "srcaddr": "10.0.1.6"}]


@pytest.mark.asyncio
@pytest.mark.parametrize("sort", [[], ["s"]], ids=["load order", "sorted"])
async def test_the_apps_export_writes_what_cat_writes(
        two_formats: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        sort: list[str]) -> None:
    """In load order, and sorted by bytes (``s`` on the bytes column: 90 before 180)."""
    target = tmp_path / "out.jsonl"
    app = FlowtuiApp(str(two_formats.parent))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: [e.key for e in app.browser.entries] == [str(two_formats)],
                       what="the day folder listed")
        await press(pilot, "enter")  # a day folder: loads its objects
        await wait_for(pilot, lambda: app.table.row_count == 2, timeout=30, what="2 records")
        app.table.focus()
        if sort:
            while app.table.columns[app.table.cursor_column] != "bytes":
                await press(pilot, "l")
            await press(pilot, *sort)
            await wait_for(pilot, lambda: not app.sorts.running and app.table.store is not None
                           and app.table.store.row(0)["bytes"] == 90, what="sorted by bytes")
        await press(pilot, "w")
        app.main_screen.prompt.input.value = str(target)
        await press(pilot, "enter")
        await wait_for(pilot, lambda: any(n.title == "Exported" for n in app._notifications),
                       timeout=20, what="export written")
    exported = [json.loads(line) for line in target.read_text().splitlines()]
    default = next(r for r in exported if r["srcaddr"] == "10.0.1.5")
    assert "reject-reason" not in default and "flow-direction" not in default
    assert exported == _cat(["cat", str(two_formats), "--format", "jsonl",
                             *(["--sort", "bytes"] if sort else [])], capsys)


def test_decoded_json_lines_leave_a_lacked_field_out_when_sorted(
        two_formats: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--decoded --sort``: the rows are gathered from both formats into one schema; the
    default record still has no ``reject-reason`` and no ``reject-reason.decoded`` (it
    never logged one), as unsorted ``--decoded`` writes it; the custom record's ``-`` is
    null in both."""
    decoded = _cat(["cat", str(two_formats), "--format", "jsonl", "--decoded"], capsys)
    default = next(r for r in decoded if r["srcaddr"] == "10.0.1.5")
    assert not any(k.startswith(("reject-reason", "flow-direction")) for k in default)
    assert _cat(["cat", str(two_formats), "--format", "jsonl", "--decoded", "--sort",
                 "bytes"], capsys) == decoded[::-1]
    # a lacked field first: the object still starts as JSON does
    assert _cat(["cat", str(two_formats), "--format", "jsonl", "--decoded", "--sort",
                 "-bytes", "--columns", "flow-direction,srcaddr"], capsys) == [
        {k: r[k] for k in ("flow-direction", "flow-direction.decoded", "srcaddr",
                           "srcaddr.decoded") if k in r} for r in decoded]
