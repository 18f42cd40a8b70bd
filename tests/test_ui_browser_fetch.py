"""The browser's own "fetching a page" state is not Textual's ``loading`` reactive."""

from __future__ import annotations

from typing import Any

import pytest

from flowtui.ui.app import FlowtuiApp
from tests.ui_helpers import DAY_PREFIX, wait_for

pytestmark = pytest.mark.asyncio


async def test_a_listing_in_flight_leaves_textual_loading_alone(
        s3_server: Any, fault_proxy: Any, proxy_client: Any) -> None:
    """Widget.loading is Textual's reactive: set, it covers the pane with a loading
    indicator, shows the wait pointer over it and keeps clicks out. A read-only property
    of the same name shadowed it (the wait pointer came with every page, and assigning
    ``loading`` raised); the fetch state is ``fetching`` now."""
    fault_proxy.stall_after(0, match=lambda r: r.operation == "ListObjectsV2")
    app = FlowtuiApp(f"s3://{s3_server.main_bucket}/{DAY_PREFIX}", client=proxy_client)
    async with app.run_test(size=(120, 40)) as pilot:
        browser = app.browser
        try:
            await wait_for(pilot, lambda: browser.fetching, what="listing in flight")
            assert browser.loading is False
            browser.loading = True  # Textual's own reactive still works on the pane
            await pilot.pause()
            assert browser.loading is True
            browser.loading = False
        finally:
            fault_proxy.release()
        await wait_for(pilot, lambda: not browser.fetching, timeout=30,
                       what="the stalled listing to end")
