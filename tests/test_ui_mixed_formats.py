"""A folder may hold objects of two flow logs with different formats (two flow logs on one
bucket prefix is an ordinary setup). The store's columns are their union; the detail panel
explains one record, and ``c`` copies one, so they speak of that record's own fields only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.pilot import Pilot

from flowtui import synth
from flowtui.ui.app import FlowtuiApp
from tests.ui_helpers import detail_caught_up, press, screen_text, wait_for

pytestmark = pytest.mark.asyncio

DEFAULT = list(synth.DEFAULT_FIELDS)
CUSTOM = [*DEFAULT, "flow-direction", "reject-reason"]
LINE = ("2 111122223333 eni-0a1b2c3d4e5f67890 10.0.1.5 10.0.2.9 40000 443 6 3 180 "
        "1796619906 1796619913 ACCEPT OK")


STEM = "111122223333_vpcflowlogs_us-east-1_fl-0{}_20261207T0505Z_{}.log.gz"


def _day_folder(tmp_path: Path, *objects: tuple[str, list[str], str]) -> tuple[Path, Path]:
    """(month, day folder) holding one object per (flow-log id tail, fields, line)."""
    month = tmp_path / "AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/12"
    folder = month / "07"
    folder.mkdir(parents=True)
    for number, (flow_log, fields, line) in enumerate(objects):
        (folder / STEM.format(flow_log, f"{number:08}")).write_bytes(
            synth.make_text_object([line], fields))
    return month, folder


async def _load_and_go_to(pilot: Pilot, app: FlowtuiApp, folder: Path, rows: int,
                          flow_log: str) -> None:
    """Load the day folder's objects; put the cursor on the record of flow log ``flow_log``
    and wait for the detail panel to explain it."""
    if not app.table.row_count:
        await wait_for(pilot, lambda: [e.key for e in app.browser.entries] == [str(folder)],
                       what="the day folder listed")
        await press(pilot, "enter")  # a day folder: loads its objects
        await wait_for(pilot, lambda: app.table.row_count == rows, timeout=30,
                       what=f"{rows} records")
        app.table.focus()
    source = app.table.store
    assert source is not None
    row = next(i for i in range(rows) if f"fl-0{flow_log}" in source.source(i))
    while app.table.cursor_row != row:
        await press(pilot, "down" if app.table.cursor_row < row else "up")
    await detail_caught_up(pilot)


async def test_detail_of_a_default_format_record_beside_a_custom_format_object(
        tmp_path: Path) -> None:
    month, folder = _day_folder(
        tmp_path, ("a1b2c3d4e5f678901", DEFAULT, LINE),
        ("b1b2c3d4e5f678901", CUSTOM, LINE.replace("10.0.1.5", "10.0.1.6") + " ingress -"))
    app = FlowtuiApp(str(month))
    async with app.run_test(size=(160, 48)) as pilot:
        await _load_and_go_to(pilot, app, folder, 2, "a1b2c3d4e5f678901")
        labels = [t.label for t in app.detail.list.targets if t is not None]
        text = "\n".join(screen_text(pilot))
        # this record's format has no reject-reason: nothing says BPA did not reject it
        assert "reject-reason" not in labels and "flow-direction" not in labels
        assert "Block Public Access" not in text
        # nor is an AWS default-format record called synthetic or altered
        assert "synthetic or altered" not in text and "warning (below)" not in text
        assert "srcaddr" in labels
        # c copies the same record: its JSON has no null reject-reason ('-') it never had
        await press(pilot, "c")
        copied = json.loads(app.clipboard)
        assert copied["srcaddr"] == "10.0.1.5"
        assert "reject-reason" not in copied and "flow-direction" not in copied


T0 = 1796619906
VPC = [*DEFAULT, "vpc-id", "flow-direction"]
VPC_LINE = (f"5 111122223333 eni-0a1b2c3d4e5f67890 10.0.1.5 10.0.2.9 40000 443 6 3 180 "
            f"{T0} {T0 + 7} ACCEPT OK vpc-0a1b ingress")
#: A custom Transit Gateway format without resource-type: its tgw-* fields say what it is
#: (Transit Gateway guide, "Transit Gateway Flow Log records": a custom format may name any
#: of the available fields; reference §7: the columns decide, the S3 key cannot).
TGW = ["version", "account-id", "tgw-id", "tgw-attachment-id", "srcaddr", "dstaddr", "srcport",
       "dstport", "protocol", "packets", "bytes", "start", "end", "log-status",
       "flow-direction"]
TGW_LINE = (f"6 111122223333 tgw-0a1b tgw-attach-a 10.11.2.171 172.20.8.92 48517 443 6 3 "
            f"180 {T0} {T0 + 20} OK ingress")


async def test_detail_of_vpc_and_transit_gateway_records_in_one_folder(
        tmp_path: Path) -> None:
    """Each record is read by its own family: a TGW record beside VPC objects is not given
    the VPC guide's words ("into the interface"), nor the VPC record the TGW's."""
    month, folder = _day_folder(tmp_path, ("a1b2c3d4e5f678901", VPC, VPC_LINE),
                                ("b1b2c3d4e5f678901", TGW, TGW_LINE))
    app = FlowtuiApp(str(month))
    async with app.run_test(size=(160, 48)) as pilot:
        for flow_log, words in (("b1b2c3d4e5f678901", "Transit Gateway flow-log re"),
                                ("a1b2c3d4e5f678901", "VPC flow-log re")):
            await _load_and_go_to(pilot, app, folder, 2, flow_log)
            text = " ".join(" ".join(screen_text(pilot)).replace("│", " ").split())
            assert f"record {words}" in text, text
