"""Keys typed before a folder is listed act on no list: the browser shows only its
"loading…" row then, and a key that would move the cursor or open, load or follow an entry
is not used, and the status line says so (a user over a slow SSH link into a slow bucket
types ahead: ``Enter j Enter``). Before, ``j`` put the cursor on the loading row and Enter
or ``l`` there did nothing, without a word: the user could not tell typed-ahead keys were
lost. The list, once it comes, opens where it would have without them (the newest day, or
the folder just left), and Enter loaded nothing the user never saw chosen.

The listing is held by the fault proxy until the keys were handled, then answered in full."""

from __future__ import annotations

from typing import Any

import pytest

from flowtui.ui.app import FlowtuiApp
from tests.ui_helpers import press, wait_for
from tests.ui_invariants import status_line

pytestmark = pytest.mark.asyncio

REGION = "AWSLogs/111111111111/vpcflowlogs/us-east-1/"


def _lists(request: Any) -> bool:
    return bool(request.operation == "ListObjectsV2")


@pytest.mark.parametrize(("first", "shown", "lands_on"), [
    ("enter", "2024/03/", "2024/03/06/"),  # into a month: it opens on its newest day
    ("h", "2024/", "2024/03/"),  # up a level: on the folder just left
])
async def test_keys_before_the_listing_act_on_nothing(
        s3_server: Any, fault_proxy: Any, proxy_client: Any, first: str, shown: str,
        lands_on: str) -> None:
    start = "2024/" if first == "enter" else "2024/03/"
    app = FlowtuiApp(f"s3://{s3_server.main_bucket}/{REGION}{start}", client=proxy_client)
    async with app.run_test(size=(80, 24)) as pilot:
        browser = app.browser
        await wait_for(pilot, lambda: browser.entries and not browser.fetching, timeout=30,
                       what="the first listing")
        fault_proxy.hold(match=_lists)
        try:
            await press(pilot, first)
            assert browser.location is not None and browser.location.prefix == REGION + shown
            assert browser.fetching and not browser.entries
            await press(pilot, "j", "enter", "l")  # one write, before the listing came
            said = "3 keys not used: typed before the list came"
            assert said in status_line(pilot, app)
        finally:
            fault_proxy.release()
        await wait_for(pilot, lambda: browser.entries and not browser.fetching, timeout=30,
                       what="the held listing")
        entry = browser.highlighted_entry()
        assert entry is not None and entry.key == REGION + lands_on  # not moved by 'j'
        assert browser.location.prefix == REGION + shown  # 'l' opened nothing
        assert app.table.row_count == 0 and app.job is None  # 'enter' loaded nothing
        assert "not used" in status_line(pilot, app)  # still said once the list is there
        await press(pilot, "k")  # a key that acts: the note has said its piece
        assert "not used" not in status_line(pilot, app)
