"""Snapshots of the main views at the sizes users have (80x24 over SSH, big monitors).

Regenerate after an intended change with ``pytest tests/test_ui_snapshots.py
--snapshot-update`` and look at the SVGs before committing them.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from flowtui.ui.app import FlowtuiApp
from tests.ui_helpers import DAY_PREFIX, detail_caught_up, press, wait_for


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


def test_folder_labels_80x24(snap_compare: Any, s3_server: Any, s3_client: Any) -> None:
    app = FlowtuiApp(f"s3://{s3_server.main_bucket}/{FOLDERS}", client=s3_client)

    async def ready(pilot: Pilot) -> None:
        await wait_for(pilot, lambda: len(app.browser.entries) >= 2, what="regions")

    assert snap_compare(app, terminal_size=(80, 24), run_before=ready)


def test_object_loaded_160x48(snap_compare: Any, s3_server: Any, s3_client: Any) -> None:
    app = FlowtuiApp(_object(s3_server).url, client=s3_client)

    async def ready(pilot: Pilot) -> None:
        await _loaded(pilot)
        app.table.focus()
        await press(pilot, "j", "j", "j")
        await detail_caught_up(pilot)

    assert snap_compare(app, terminal_size=(160, 48), run_before=ready)


def test_object_loaded_80x24(snap_compare: Any, s3_server: Any, s3_client: Any) -> None:
    app = FlowtuiApp(_object(s3_server).url, client=s3_client)

    async def ready(pilot: Pilot) -> None:
        await _loaded(pilot)
        app.table.focus()
        await press(pilot, "j")
        await detail_caught_up(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=ready)


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


def test_help_screen(snap_compare: Any, s3_server: Any, s3_client: Any) -> None:
    app = FlowtuiApp(f"s3://{s3_server.main_bucket}/{FOLDERS}", client=s3_client)

    async def ready(pilot: Pilot) -> None:
        await wait_for(pilot, lambda: len(app.browser.entries) >= 2, what="regions")
        await press(pilot, "question_mark")

    assert snap_compare(app, terminal_size=(120, 50), run_before=ready)


async def _top_by_destination(pilot: Pilot) -> None:
    app = pilot.app
    assert isinstance(app, FlowtuiApp)
    await _loaded(pilot)
    app.table.focus()
    top = app.main_screen.top
    await press(pilot, "T", "2")
    await wait_for(pilot, lambda: top.data is not None and top.data.key.name == "dst",
                   what="top destinations")
    await press(pilot, "down")  # on the rows counted (a key before them acts on none)


def test_top_pane_80x24(snap_compare: Any, s3_server: Any, s3_client: Any) -> None:
    app = FlowtuiApp(_object(s3_server).url, client=s3_client)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_top_by_destination)


def test_top_pane_160x48(snap_compare: Any, s3_server: Any, s3_client: Any) -> None:
    app = FlowtuiApp(_object(s3_server).url, client=s3_client)
    assert snap_compare(app, terminal_size=(160, 48), run_before=_top_by_destination)


async def _histogram_with_a_range(pilot: Pilot) -> None:
    app = pilot.app
    assert isinstance(app, FlowtuiApp)
    await _loaded(pilot)
    app.table.focus()
    histogram = app.main_screen.histogram
    await press(pilot, "H")
    await wait_for(pilot, lambda: histogram.data is not None and bool(histogram.data.times),
                   what="histogram counted")
    await press(pilot, "home", "right", "right", "right", "]", "]", "]", "]")


def test_histogram_80x24(snap_compare: Any, s3_server: Any, s3_client: Any) -> None:
    app = FlowtuiApp(_object(s3_server).url, client=s3_client)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_histogram_with_a_range)


def test_histogram_160x48(snap_compare: Any, s3_server: Any, s3_client: Any) -> None:
    app = FlowtuiApp(_object(s3_server).url, client=s3_client)
    assert snap_compare(app, terminal_size=(160, 48), run_before=_histogram_with_a_range)


def _story_bucket(scratch_bucket: tuple[str, Any]) -> str:
    """The request, its reply in the next object, the NAT gateway's sighting (test_story_s3)."""
    from tests.conftest import text_object
    from tests.test_ui_story import FIELDS, OBJECTS

    name, raw = scratch_bucket
    for key, lines in OBJECTS.items():
        raw.put_object(Bucket=name, Key=key, Body=text_object(lines, FIELDS))
    return name


async def _story(pilot: Pilot, *, load_missing: bool) -> None:
    from flowtui.ui.features.story.screen import StoryScreen

    app = pilot.app
    assert isinstance(app, FlowtuiApp)
    await wait_for(pilot, lambda: app.job is not None and not app.job.status.running
                   and app.table.row_count == 21, what="the object")
    app.table.focus()
    await press(pilot, "home", "i")
    await wait_for(pilot, lambda: isinstance(app.screen, StoryScreen)
                   and app.screen.told is not None, what="the story")
    screen = app.screen
    assert isinstance(screen, StoryScreen)
    if load_missing:
        await press(pilot, "l")
        await wait_for(pilot, lambda: screen.told is not None
                       and screen.told.story.verdict == "ok" and not screen.loading_missing,
                       timeout=30, what="the story after loading")
    await pilot.pause()


def test_story_80x24(snap_compare: Any, scratch_bucket: Any, s3_client: Any) -> None:
    from tests.test_ui_story import FIRST

    app = FlowtuiApp(f"s3://{_story_bucket(scratch_bucket)}/{FIRST}", client=s3_client)

    async def ready(pilot: Pilot) -> None:
        await _story(pilot, load_missing=False)

    assert snap_compare(app, terminal_size=(80, 24), run_before=ready)


def test_story_after_loading_160x48(snap_compare: Any, scratch_bucket: Any,
                                    s3_client: Any) -> None:
    from tests.test_ui_story import FIRST

    app = FlowtuiApp(f"s3://{_story_bucket(scratch_bucket)}/{FIRST}", client=s3_client)

    async def ready(pilot: Pilot) -> None:
        await _story(pilot, load_missing=True)

    assert snap_compare(app, terminal_size=(160, 48), run_before=ready)


def _filter_typed(app: FlowtuiApp, typed: str) -> Any:
    async def ready(pilot: Pilot) -> None:
        await _loaded(pilot)
        app.table.focus()
        await press(pilot, "slash")
        app.main_screen.prompt.input.cursor_blink = False
        await press(pilot, *typed)
        await detail_caught_up(pilot)

    return ready


def test_filter_bar_with_an_error_80x24(snap_compare: Any, s3_server: Any,
                                        s3_client: Any) -> None:
    app = FlowtuiApp(_object(s3_server).url, client=s3_client)
    assert snap_compare(app, terminal_size=(80, 24),
                        run_before=_filter_typed(app, "reject and prot 22"))


def test_filter_applied_with_breadcrumb_160x48(snap_compare: Any, s3_server: Any,
                                               s3_client: Any) -> None:
    app = FlowtuiApp(_object(s3_server).url, client=s3_client)

    async def ready(pilot: Pilot) -> None:
        await _filter_typed(app, "port 443")(pilot)
        await press(pilot, "enter")
        await wait_for(pilot, lambda: app.shown.query.where_text == "port 443",
                       what="the filter applied")
        await press(pilot, "l", "l", "l", "l", "l", "l", "l", "l", "l", "s", "s")
        await wait_for(pilot, lambda: not app.sorts.running and not app.status.note,
                       what="sorted")
        await press(pilot, "slash")
        app.main_screen.prompt.input.cursor_blink = False
        await press(pilot, *" and reject and dst")
        await detail_caught_up(pilot)

    assert snap_compare(app, terminal_size=(160, 48), run_before=ready)
