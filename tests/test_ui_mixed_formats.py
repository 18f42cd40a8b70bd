"""A folder may hold objects of two flow logs with different formats (two flow logs on one
bucket prefix is an ordinary setup). The store's columns are their union; the detail panel
explains one record, and ``c`` copies one, so they speak of that record's own fields only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowtui import synth
from flowtui.ui.app import FlowtuiApp
from tests.ui_helpers import detail_caught_up, press, screen_text, wait_for

pytestmark = pytest.mark.asyncio

DEFAULT = list(synth.DEFAULT_FIELDS)
CUSTOM = [*DEFAULT, "flow-direction", "reject-reason"]
LINE = ("2 111122223333 eni-0a1b2c3d4e5f67890 10.0.1.5 10.0.2.9 40000 443 6 3 180 "
        "1796619906 1796619913 ACCEPT OK")


async def test_detail_of_a_default_format_record_beside_a_custom_format_object(
        tmp_path: Path) -> None:
    month = tmp_path / "AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/12"
    folder = month / "07"
    folder.mkdir(parents=True)
    stem = "111122223333_vpcflowlogs_us-east-1_fl-0{}_20261207T0505Z_{}.log.gz"
    (folder / stem.format("a1b2c3d4e5f678901", "aaaa1111")).write_bytes(
        synth.make_text_object([LINE], DEFAULT))
    (folder / stem.format("b1b2c3d4e5f678901", "bbbb2222")).write_bytes(synth.make_text_object(
        [LINE.replace("10.0.1.5", "10.0.1.6") + " ingress -"], CUSTOM))
    app = FlowtuiApp(str(month))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: [e.key for e in app.browser.entries] == [str(folder)],
                       what="the day folder listed")
        await press(pilot, "enter")  # a day folder: loads its objects
        await wait_for(pilot, lambda: app.table.row_count == 2, timeout=30, what="2 records")
        app.table.focus()
        source = app.table.store
        assert source is not None
        row = next(i for i in range(2) if "fl-0a1b2c3d4e5f678901" in source.source(i))
        while app.table.cursor_row != row:
            await press(pilot, "down" if app.table.cursor_row < row else "up")
        await detail_caught_up(pilot)
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
