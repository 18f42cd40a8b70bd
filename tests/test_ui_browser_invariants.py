"""The invariant machine of ``test_ui_invariants.py`` with an S3 browser beside the table:
random walks through the bucket's folders (moves, up, into, a typed path), with listings
that come at once or are held by the fault proxy until a later step, and keys typed while
they are held. After every step, besides the table's invariants: the path header names the
place shown, and the browser's highlighted entry is in that place's listing (none while
nothing of it is listed yet), so a key can never act on an entry of a place left behind
(``tests/ui_invariants.check_browser``, which the table's machine checks as well)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from flowtui.ui.app import FlowtuiApp
from tests.test_ui_invariants import SETTLE, ScreenMachine, machine_settings
from tests.ui_invariants import status_line

PLACES = ("AWSLogs/111111111111/vpcflowlogs/us-east-1/2024/",
          "AWSLogs/111111111111/vpcflowlogs/us-east-1/2024/03/", "team/net/", "")

INTO = st.sampled_from(["l", "h", "right", "left"])
TYPED = st.lists(st.sampled_from(["j", "k", "l", "g", "G", "right", "enter", "a", "t"]),
                 min_size=1, max_size=4)


def _lists(request: Any) -> bool:
    return bool(request.operation in ("ListObjectsV2", "ListBuckets"))


def said_keys_not_used(line: str) -> None:
    """The status line says keys were not used ("2 keys not used: j k"): whole, or on a
    narrow terminal cut with … after its start (the status cuts a part that does not fit,
    5b6cbd7: "1 key not use…" at 44 columns)."""
    assert " not used: " in line or (line.rstrip().endswith("…") and " key" in line), line


class BrowserMachine(ScreenMachine):
    """S3 through the fault proxy; ``holds`` are the listings kept waiting for now."""

    proxy: Any
    client: Any
    bucket: str

    def make_app(self) -> FlowtuiApp:
        self.holds: list[Any] = []
        return FlowtuiApp(str(self.first), client=self.client)

    def teardown(self) -> None:
        for hold in self.holds:
            hold.opened.set()
        super().teardown()

    async def _focus_browser(self) -> None:
        self.app.browser.show()
        await self.settle()

    @rule(place=st.sampled_from(PLACES))
    def go_to_place(self, place: str) -> None:
        """``:`` and a typed s3:// place, from the browser."""
        self.run(self._focus_browser())
        self.write("colon", "ctrl+u", *f"s3://{self.bucket}/{place}", "enter")
        self.run(self._focus_table())

    @rule(keys=st.lists(st.sampled_from(["j", "k", "h", "l", "g", "G", "right", "left"]),
                        min_size=1, max_size=5), together=st.booleans())
    def browse(self, keys: list[str], together: bool) -> None:
        self.run(self._focus_browser())
        browser = self.app.browser
        place, waiting = browser.location, browser.fetching and not browser.entries
        (self.write if together else self.press)(*keys)
        if waiting and not {"h", "left"} & set(keys) and not browser.entries:
            # keys typed before the place was listed: none acted, and the status line says
            assert browser.location == place
            said_keys_not_used(status_line(self.pilot, self.app))
        self.run(self._focus_table())

    @initialize(place=st.sampled_from(PLACES[:2]), into=INTO, keys=TYPED)
    def start_in_the_bucket(self, place: str, into: str, keys: list[str]) -> None:
        """Every example browses S3 from its first step, typing ahead once at least."""
        self.go_to_place(place)
        self.type_ahead(into, keys)

    @precondition(lambda self: not self.holds)
    @rule(into=INTO, keys=TYPED)
    def type_ahead(self, into: str, keys: list[str]) -> None:
        """Into a folder or up a level, then keys in one write before its listing comes:
        none of them acts (the place stays, nothing loads), the status line says so."""
        self.holds.append(self.proxy.hold(times=1, match=_lists))
        self.run(self._focus_browser())
        browser = self.app.browser
        self.press(into)
        if browser.fetching and not browser.entries:
            place, job = browser.location, self.app.job
            self.write(*keys)
            assert browser.location == place and self.app.job is job
            assert browser.entry_list.highlighted is None  # not even the "loading…" row
            said_keys_not_used(status_line(self.pilot, self.app))
        self.listing_arrives()
        self.run(self._focus_table())

    @precondition(lambda self: not self.holds)
    @rule()
    def slow_listing(self) -> None:
        """The next listing waits (for a later ``listing_arrives``)."""
        self.holds.append(self.proxy.hold(times=1, match=_lists))

    @precondition(lambda self: bool(self.holds))
    @rule()
    def listing_arrives(self) -> None:
        for hold in self.holds:
            hold.opened.set()
        self.holds.clear()

        async def go() -> None:
            deadline = time.monotonic() + SETTLE
            while self.app.browser.fetching:
                assert time.monotonic() < deadline, "the listing never came"
                await self.pilot.pause(0.02)
            await self.settle()
        self.run(go())


def test_the_browser_tells_the_truth(machine_folder: Path, s3_server: Any, fault_proxy: Any,
                                     proxy_client: Any) -> None:
    BrowserMachine.folder = machine_folder
    BrowserMachine.proxy, BrowserMachine.client = fault_proxy, proxy_client
    BrowserMachine.bucket = s3_server.main_bucket
    run = BrowserMachine.TestCase()
    run.settings = machine_settings(steps=12)
    run.runTest()


@pytest.fixture
def machine_folder(tmp_path: Path) -> Path:
    return tmp_path
