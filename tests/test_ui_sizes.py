"""Sizes on screen are in powers of 1024 and say so (KiB, MiB): the browser's size column,
against objects of known sizes on the moto server (the status line's are in
test_ui_status_line).

"MB" for 1,048,576-byte units was a wrong label: the filter language's ``1M`` is 1,000,000,
so a size read off the screen and typed into a filter meant something else."""

from __future__ import annotations

from typing import Any

import pytest

from flowtui.ui.app import FlowtuiApp
from tests.ui_helpers import screen_text, wait_for

pytestmark = pytest.mark.asyncio

FOLDER = "AWSLogs/111111111111/vpcflowlogs/us-east-1/2024/03/05/"
#: (minute of the object's key, its size in bytes, the size the browser shows)
SIZES = [(0, 1023, "1023 B"), (5, 1536, "1.5 KiB"), (10, 1_047_961, "1023 KiB"),
         (15, 1_572_864, "1.5 MiB")]


def _key(minute: int) -> str:
    return (f"{FOLDER}111111111111_vpcflowlogs_us-east-1_fl-0aaa1111bbbb2222c_"
            f"20240305T14{minute:02d}Z_ab12cd{minute:02d}.log.gz")


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_the_browser_says_kib_and_mib_in_one_column(
        s3_server: Any, s3_client: Any, scratch_bucket: tuple[str, Any],
        size: tuple[int, int]) -> None:
    bucket, raw = scratch_bucket
    for minute, length, _ in SIZES:  # listed, not loaded: any bytes do
        raw.put_object(Bucket=bucket, Key=_key(minute), Body=b"x" * length)
    app = FlowtuiApp(f"s3://{bucket}/{FOLDER}", client=s3_client)
    async with app.run_test(size=size) as pilot:
        browser = app.browser
        await wait_for(pilot, lambda: len(browser.entries) == len(SIZES)
                       and not browser.fetching, what="the day folder listed")
        rows = {line[1:6]: line for line in screen_text(pilot) if line[1:3] == "14"}
        starts = set()
        for minute, _, shown in SIZES:
            row = rows[f"14:{minute:02d}"]
            # "14:05  1.5 KiB fl-0aaa…": the size right-aligned in 8 cells after the time
            assert row[6:16] == f" {shown:>8} ", row
            starts.add(row.index("fl-0aaa"))
        assert starts == {16}, "the flow-log ids start in one column"
        if size[0] >= 150:  # with room, the whole id shows after the widest size
            assert all("fl-0aaa1111bbbb2222c" in row for row in rows.values()), rows
        assert not any(unit in line for line in screen_text(pilot)
                       for unit in (" KB", " MB", " GB"))

