"""Snapshots of the main views at the sizes users have (80x24 over SSH, big monitors).

Regenerate after an intended change with ``pytest tests/test_ui_snapshots.py
--snapshot-update`` and look at the SVGs before committing them.

A view shown at two sizes is one app resized (the terminal of a user who widens it), not
two apps started at each size: the pictures are the same (they were the same files before
the tests were merged), at half the app starts and loads.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_textual_snapshot import SVGImageExtension
from syrupy import SnapshotAssertion
from textual.pilot import Pilot

from flowtui.ui.app import FlowtuiApp
from tests.ui_helpers import DAY_PREFIX, detail_caught_up, press, wait_for

Shot = Callable[[Pilot, str], Awaitable[bool]]


@pytest.fixture
def shot(snapshot: SnapshotAssertion, tmp_path: Path) -> Shot:
    """``await shot(pilot, NAME)``: the running app's screen now, compared with
    ``__snapshots__/test_ui_snapshots/TEST[NAME].svg`` (several per test, unlike
    ``snap_compare``, which starts an app for each). Waits as ``snap_compare``'s screenshot
    does; a picture that differs is kept in the test's tmp_path to look at."""
    svgs = snapshot.use_extension(SVGImageExtension)

    async def compare(pilot: Pilot, name: str) -> bool:
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        svg = pilot.app.export_screenshot(title=pilot.app.title, simplify=True)
        if svgs(name=name) == svg:
            return True
        (tmp_path / f"{name}.svg").write_text(svg)
        print(f"the screen differs from the snapshot {name}: {tmp_path / name}.svg")
        return False

    return compare


async def _loaded(pilot: Pilot) -> None:
    app = pilot.app
    assert isinstance(app, FlowtuiApp)
    await wait_for(pilot, lambda: app.job is not None and not app.job.status.running
                   and app.job.worker is not None and app.job.worker.is_finished,
                   what="load finished")
    await wait_for(pilot, lambda: len(app.browser.entries) > 0 and not app.browser.fetching,
                   what="listing")


def _object(s3_server: Any, note: str = "") -> Any:
    return next(o for o in s3_server.under(s3_server.main_bucket, DAY_PREFIX)
                if o.note == note)


# Other tests add buckets to the shared server, so the views start below a bucket.
FOLDERS = "AWSLogs/111111111111/vpcflowlogs/"


async def test_folder_labels_then_help(shot: Shot, s3_server: Any, s3_client: Any) -> None:
    """The region folders at 80x24; widened to 120x50, ``?``: the help screen."""
    app = FlowtuiApp(f"s3://{s3_server.main_bucket}/{FOLDERS}", client=s3_client)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: len(app.browser.entries) >= 2, what="regions")
        assert await shot(pilot, "folders-80x24")
        await pilot.resize_terminal(120, 50)
        await press(pilot, "question_mark")
        assert await shot(pilot, "help-120x50")


async def test_object_loaded(shot: Shot, s3_server: Any, s3_client: Any) -> None:
    """An object loaded, the cursor on its second row at 80x24; on its fourth at 160x48."""
    app = FlowtuiApp(_object(s3_server).url, client=s3_client)
    async with app.run_test(size=(80, 24)) as pilot:
        await _loaded(pilot)
        app.table.focus()
        await press(pilot, "j")
        await detail_caught_up(pilot)
        assert await shot(pilot, "80x24")
        await press(pilot, "j", "j")
        await detail_caught_up(pilot)
        await pilot.resize_terminal(160, 48)
        assert await shot(pilot, "160x48")


def test_decoded_with_nodata_rows_200x60(snap_compare: Any, s3_server: Any,
                                         s3_client: Any) -> None:
    # 100 records; the 97th is NODATA (its row shows the N marker)
    app = FlowtuiApp(s3_server.find("broken-neighbour").url, client=s3_client)

    async def ready(pilot: Pilot) -> None:
        await _loaded(pilot)
        app.table.focus()
        await press(pilot, "r", "G", "k", "k", "k")
        await detail_caught_up(pilot)

    assert snap_compare(app, terminal_size=(200, 60), run_before=ready)


async def test_top_pane(shot: Shot, s3_server: Any, s3_client: Any) -> None:
    """Top destinations, the cursor on the second, at 80x24 and 160x48."""
    app = FlowtuiApp(_object(s3_server).url, client=s3_client)
    async with app.run_test(size=(80, 24)) as pilot:
        await _loaded(pilot)
        app.table.focus()
        top = app.main_screen.top
        await press(pilot, "T", "2")
        await wait_for(pilot, lambda: top.data is not None and top.data.key.name == "dst",
                       what="top destinations")
        await press(pilot, "down")  # on the rows counted (a key before them acts on none)
        assert await shot(pilot, "80x24")
        await pilot.resize_terminal(160, 48)
        assert await shot(pilot, "160x48")


async def test_histogram(shot: Shot, s3_server: Any, s3_client: Any) -> None:
    """The histogram strip with a range chosen, at 80x24 and 160x48."""
    app = FlowtuiApp(_object(s3_server).url, client=s3_client)
    async with app.run_test(size=(80, 24)) as pilot:
        await _loaded(pilot)
        app.table.focus()
        histogram = app.main_screen.histogram
        await press(pilot, "H")
        await wait_for(pilot, lambda: histogram.data is not None
                       and bool(histogram.data.times), what="histogram counted")
        await press(pilot, "home", "right", "right", "right", "]", "]", "]", "]")
        assert await shot(pilot, "80x24")
        await pilot.resize_terminal(160, 48)
        assert await shot(pilot, "160x48")


def _story_bucket(scratch_bucket: tuple[str, Any]) -> str:
    """The request, its reply in the next object, the NAT gateway's sighting (test_story_s3)."""
    from tests.conftest import text_object
    from tests.test_ui_story import FIELDS, OBJECTS

    name, raw = scratch_bucket
    for key, lines in OBJECTS.items():
        raw.put_object(Bucket=name, Key=key, Body=text_object(lines, FIELDS))
    return name


async def test_story_then_after_loading(shot: Shot, scratch_bucket: Any,
                                        s3_client: Any) -> None:
    """The story of the request at 80x24 (its reply not loaded); widened to 160x48, ``l``
    loads what is missing: the story told again."""
    from tests.test_ui_story import FIRST, open_story

    app = FlowtuiApp(f"s3://{_story_bucket(scratch_bucket)}/{FIRST}", client=s3_client)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_story(pilot, app, 21)
        await pilot.pause()
        assert await shot(pilot, "80x24")
        await pilot.resize_terminal(160, 48)
        await press(pilot, "l")
        await wait_for(pilot, lambda: screen.told is not None
                       and screen.told.story.verdict == "ok" and not screen.loading_missing,
                       timeout=30, what="the story after loading")
        await pilot.pause()
        assert await shot(pilot, "after-loading-160x48")


async def _typed(pilot: Pilot, *keys: str) -> None:
    await press(pilot, *keys)
    await detail_caught_up(pilot)


async def test_filter_bar_with_an_error_then_applied(shot: Shot, s3_server: Any,
                                                     s3_client: Any) -> None:
    """A filter typed with an error at 80x24; the text replaced by a good one, widened to
    160x48, applied, the view sorted and the bar opened to refine it: the breadcrumb."""
    app = FlowtuiApp(_object(s3_server).url, client=s3_client)
    async with app.run_test(size=(80, 24)) as pilot:
        await _loaded(pilot)
        app.table.focus()
        await press(pilot, "slash")
        app.main_screen.prompt.input.cursor_blink = False
        await _typed(pilot, *"reject and prot 22")
        assert await shot(pilot, "error-80x24")
        await _typed(pilot, "ctrl+u", *"port 443")
        await pilot.resize_terminal(160, 48)
        await press(pilot, "enter")
        await wait_for(pilot, lambda: app.shown.query.where_text == "port 443",
                       what="the filter applied")
        await press(pilot, "l", "l", "l", "l", "l", "l", "l", "l", "l", "s", "s")
        await wait_for(pilot, lambda: not app.sorts.running and not app.status.note,
                       what="sorted")
        await press(pilot, "slash")
        app.main_screen.prompt.input.cursor_blink = False
        await _typed(pilot, *" and reject and dst")
        assert await shot(pilot, "applied-with-breadcrumb-160x48")
