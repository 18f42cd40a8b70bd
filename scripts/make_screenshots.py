"""Regenerate the README screenshots: ``python scripts/make_screenshots.py``.

Runs the real app headless (``App.run_test``) against the demo's loopback S3 (moto on
127.0.0.1, seeded with a fixed clock so keys and records are the same every run), drives
it with keys as a person would, and writes SVGs into ``screenshots/``. Every step waits for
the app's state (a listing, a finished load, the detail panel catching up), never a fixed
time, so a slow machine gives the same pictures, only later. The one picture that cannot
be identical from run to run is ``loading.svg``: it catches a load in flight, and how far
the load got depends on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout, without installing
    sys.path.insert(0, str(ROOT))

from textual import events  # noqa: E402
from textual.pilot import Pilot  # noqa: E402

from flowtui.demo import ACCOUNT_A, CENTRAL_BUCKET, seed, start_server  # noqa: E402
from flowtui.query.story import tell  # noqa: E402
from flowtui.store import RecordStore  # noqa: E402
from flowtui.ui.app import FlowtuiApp  # noqa: E402
from flowtui.ui.features.story.screen import StoryScreen  # noqa: E402
from flowtui.ui.help import HelpScreen  # noqa: E402
from flowtui.ui.widgets.browser.sources import entry_location  # noqa: E402

NOW = datetime(2024, 3, 5, 14, 27, tzinfo=UTC)
"""The demo's clock: the newest files land at 14:15 on 2024-03-05, the big one at 14:10."""
DAY = f"AWSLogs/{ACCOUNT_A}/vpcflowlogs/us-east-1/2024/03/05/"
INCIDENT_DAY = f"AWSLogs/{ACCOUNT_A}/vpcflowlogs/us-east-1/2024/03/04/"
"""The day before the clock's: the demo writes its daily incident (14:00-14:15) there."""
SMALL = "_20240305T1405Z_"
"""The 600-record object of 14:05 shown in the main views."""
DECODED_COLUMNS_RIGHT = 4
"""Column-right presses before decoded.svg, so ports, protocol, bytes and times show."""
OUT = ROOT / "screenshots"


async def wait_for(pilot: Pilot[Any], condition: Callable[[], object], what: str,
                   timeout: float = 60.0, quick: bool = False) -> None:
    """Let the app run until ``condition()`` holds. ``quick`` looks every few milliseconds
    without waiting for the app to go idle (which, during a load, is when it has ended)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"make_screenshots: timed out waiting for {what}")
        if quick:
            await asyncio.sleep(0.002)
        else:
            await pilot.pause()


def save(app: FlowtuiApp, name: str) -> None:
    OUT.mkdir(exist_ok=True)
    svg = app.export_screenshot(title="flowtui")
    (OUT / name).write_text(svg, encoding="utf-8")
    print(f"  wrote screenshots/{name}")


async def highlight(pilot: Pilot[Any], app: FlowtuiApp, match: Callable[[str], bool]) -> None:
    """Move the browser's highlight with the keyboard to the first entry ``match`` accepts."""
    browser = app.browser
    await wait_for(pilot, lambda: any(match(entry_location(e)) for e in browser.entries)
                   and not browser.loading, "the day folder's listing")
    browser.entry_list.focus()
    await pilot.press("home")
    for _ in range(len(browser.entries)):
        entry = browser.highlighted_entry()
        if entry is not None and match(entry_location(entry)):
            return
        await pilot.press("down")
    raise SystemExit("make_screenshots: the object is not in the listing")


def finished(app: FlowtuiApp) -> bool:
    job = app.job
    return (job is not None and not job.status.running and job.worker is not None
            and job.worker.is_finished and app.table.row_count > 0)


async def open_small_object(pilot: Pilot[Any], app: FlowtuiApp) -> None:
    """Enter on the 14:05 object, then into the table and down to its first REJECT row
    (so the picture shows the R marker on the cursor row and a refusal explained)."""
    await highlight(pilot, app, lambda loc: SMALL in loc)
    await pilot.press("enter")
    await wait_for(pilot, lambda: finished(app), "the object to load")
    if app.focused is not app.table:  # a narrow screen moves the focus there by itself
        await pilot.press("tab")
    await wait_for(pilot, lambda: app.focused is app.table, "focus on the table")
    store = app.table.store
    assert isinstance(store, RecordStore)
    while store.row(app.table.cursor_row).get("action") != "REJECT":
        row = app.table.cursor_row
        if row + 1 >= len(store):
            raise SystemExit("make_screenshots: no REJECT record in the object")
        await pilot.press("down")
        await wait_for(pilot, partial(lambda r: app.table.cursor_row > r, row),
                       "the cursor to move")
    await detail_caught_up(pilot, app)


async def detail_caught_up(pilot: Pilot[Any], app: FlowtuiApp) -> None:
    await wait_for(pilot, lambda: app.detail.record_index == app.table.cursor_row,
                   "the detail panel to show the cursor's record")
    await pilot.pause()


async def wide(client: Any, big_object: str) -> None:
    app = FlowtuiApp(f"s3://{CENTRAL_BUCKET}/{DAY}", client=client)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_small_object(pilot, app)
        save(app, "main.svg")

        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
        await pilot.pause()
        save(app, "help.svg")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen, "help to close")

        await pilot.press("r")
        await wait_for(pilot, lambda: app.table.decoded and app.status.decoded,
                       "decoded values")
        for _ in range(DECODED_COLUMNS_RIGHT):
            await pilot.press("l")
        await pilot.pause()
        save(app, "decoded.svg")
        await pilot.press("r", "0")

        # The time histogram over the table, a range selected; then the top-N pane.
        histogram = app.main_screen.histogram
        await pilot.press("H")
        await wait_for(pilot, lambda: histogram.data is not None and bool(histogram.data.times),
                       "the histogram")
        await pilot.press("home", *["right"] * 8, *["right_square_bracket"] * 6)
        await pilot.pause()
        save(app, "histogram.svg")
        await pilot.press("escape", "H")  # clear the range, hide the strip
        top = app.main_screen.top
        await pilot.press("T", "2")
        await wait_for(pilot, lambda: top.data is not None and top.data.key.name == "dst",
                       "the top-N pane")
        await pilot.pause()
        save(app, "top.svg")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.focused is app.table, "the records again")

        # The filter bar: "REJECTs on port 22" applied, its breadcrumb, then a second term
        # being typed (checked as typed).
        await pilot.press("slash", *"reject and port 22", "enter")
        await wait_for(pilot, lambda: app.status.store_total > 0, "the filter applied")
        await pilot.press("slash")
        app.main_screen.prompt.input.cursor_blink = False
        await pilot.press(*" and dst")
        await pilot.pause()
        save(app, "filter.svg")
        await pilot.press("escape")  # close the bar
        await wait_for(pilot, lambda: app.focused is app.table, "the records again")
        await pilot.press("escape")  # clear the filter
        await wait_for(pilot, lambda: app.status.store_total == 0, "the filter cleared")

        # The big object: Enter in the browser, then catch the first rows while the load
        # is still running (no await between the check and the picture).
        await highlight(pilot, app, lambda loc: loc == big_object)
        # Enter, posted without Pilot's press: that waits for the app to be idle, which
        # during a load of messages may only be once the load has ended.
        app.post_message(events.Key("enter", "\r"))
        await wait_for(pilot, lambda: app.job is not None and app.job.status.running
                       and app.job.status.bytes_read > 0 and app.table.row_count > 0
                       and app.status.total > 0 and app.detail.record_index is not None,
                       "the first rows of the big object", quick=True)
        if not (app.job is not None and app.job.status.running):
            raise SystemExit("make_screenshots: the big load finished before the picture; "
                             "raise --big-records")
        save(app, "loading.svg")
        await pilot.press("escape")  # cancel; leaving would cancel too


async def story(client: Any) -> None:
    """The story of the 14:05 object's first reply refused by a network ACL: down to it,
    ``i``, then ``l`` when objects around it are not loaded."""
    app = FlowtuiApp(f"s3://{CENTRAL_BUCKET}/{DAY}", client=client)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_small_object(pilot, app)
        store = app.table.store
        assert isinstance(store, RecordStore)
        target = next((i for i in range(len(store)) if store.row(i).get("action") == "REJECT"
                       and tell(store, i).verdict == "nacl-blocks-reply"), None)
        if target is None:
            raise SystemExit("make_screenshots: no reply refused by a NACL in the object")
        await pilot.press("home")
        while app.table.cursor_row < target:
            row = app.table.cursor_row
            await pilot.press("down")
            await wait_for(pilot, partial(lambda r: app.table.cursor_row > r, row),
                           "the cursor to move")
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, StoryScreen)
                       and app.screen.told is not None, "the story")
        screen = app.screen
        assert isinstance(screen, StoryScreen)
        if screen.plan is not None and screen.plan.to_load:
            await pilot.press("l")
            await wait_for(pilot, lambda: not screen.loading_missing
                           and "telling" not in screen.status.lower()
                           and screen.plan is not None and not screen.plan.to_load,
                           "the story after loading what was missing")
        await pilot.pause()
        save(app, "story.svg")


async def names_view(client: Any) -> None:
    """Names instead of numbers: an object of the demo's incident, filtered to ``name web-*``
    (names from the demo's own EC2 inventory and IP ranges file); the table shows the
    addresses with their names and the detail panel's Names section who is who."""
    from flowtui.names.resolve import NamesOptions

    app = FlowtuiApp(f"s3://{CENTRAL_BUCKET}/{INCIDENT_DAY}", client=client,
                     names=NamesOptions(download_ip_ranges=False))
    async with app.run_test(size=(160, 48)) as pilot:
        await highlight(pilot, app, lambda loc: "T1410Z" in loc)
        await pilot.press("enter")
        await wait_for(pilot, lambda: finished(app), "the incident's object to load")
        await wait_for(pilot, lambda: app.names.names is not None and not app.names.reading,
                       "the names")
        app.filters.apply("name web-*")
        await wait_for(pilot, lambda: app.filters.text == "name web-*"
                       and app.table.row_count > 0, "the name filter")
        app.table.focus()
        await pilot.press("home")
        await detail_caught_up(pilot, app)
        save(app, "names.svg")


async def narrow(client: Any) -> None:
    app = FlowtuiApp(f"s3://{CENTRAL_BUCKET}/{DAY}", client=client)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_small_object(pilot, app)
        save(app, "narrow-80x24.svg")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big-records", type=int, default=1_000_000,
                        help="records in the demo's big object (the load shown in "
                             "loading.svg must still be running when it is taken)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    print("starting the demo S3 on 127.0.0.1 and seeding it…")
    server = start_server()
    try:
        summary = seed(server.client(), now=NOW, big_records=args.big_records)
        client = server.client()
        asyncio.run(wide(client, summary.big_object))
        asyncio.run(story(client))
        asyncio.run(narrow(client))
        asyncio.run(names_view(client))
    finally:
        server.stop()
    print(f"done in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
