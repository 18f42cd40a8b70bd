"""The everyday questions, by keys, against the demo's own data (issue 17).

The demo's main flow log records a fixed incident every day at 14:00-14:15 UTC (synth's
constants), so the README's key sequences answer the same questions whatever time the demo
starts. Here the demo is seeded into the test's moto server (under other bucket names, so
``test_demo``'s buckets are left alone) for a fixed "now", its day folder of yesterday is
loaded from the browser with Enter, and the README's keys are pressed as written.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from flowtui import demo, demo_ec2
from flowtui.synth import incident
from flowtui.ui.app import FlowtuiApp
from flowtui.ui.widgets.browser.sources import entry_location
from tests.conftest import _raw_client
from tests.ui_helpers import press, record_notes, screen_text, wait_for

NOW = datetime(2024, 3, 5, 20, 0, tzinfo=UTC)
REGION = "AWSLogs/111122223333/vpcflowlogs/us-east-1/"
DAY = f"{REGION}2024/03/04/"  # yesterday's folder: its incident is always over
BUCKET = "flowtui-everyday-logs"


@pytest.fixture(scope="module")
def demo_bucket(s3_server: Any) -> Iterator[str]:
    """The demo's flow logs; not its EC2 network (two thirds of the seeding's CPU): the app
    here runs without names (``names=None``, as ``--no-names``), so EC2 is never asked."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(demo, "CENTRAL_BUCKET", BUCKET)
        patch.setattr(demo, "HIVE_BUCKET", "flowtui-everyday-hive")
        patch.setattr(demo_ec2, "seed", lambda *_a, **_k: {})
        demo.seed(_raw_client(s3_server.endpoint_url), now=NOW, big_records=2000)
    yield BUCKET


async def open_day(pilot: Any, app: FlowtuiApp) -> None:
    """The browser on the month folder, the day folder highlighted, Enter: loaded."""
    browser = app.browser
    target = f"s3://{BUCKET}/{DAY}"
    await wait_for(pilot, lambda: any(entry_location(e) == target for e in browser.entries),
                   what="the day folder listed")
    await press(pilot, "home")
    for _ in range(len(browser.entries)):
        entry = browser.highlighted_entry()
        if entry is not None and entry_location(entry) == target:
            break
        await press(pilot, "down")
    await press(pilot, "enter")
    await wait_for(pilot, lambda: app.job is not None and not app.job.status.running
                   and app.job.worker is not None and app.job.worker.is_finished,
                   timeout=30, what="the day folder loaded")
    app.table.refresh_now()
    await pilot.pause()


def make_app(s3_client: Any) -> FlowtuiApp:
    return FlowtuiApp(f"s3://{BUCKET}/{REGION}2024/03/", client=s3_client)


def rows(app: FlowtuiApp) -> list[dict[str, object]]:
    source = app.table.store
    assert source is not None
    return source.rows(0, len(source))


def _counted(app: FlowtuiApp, key: str, over: list[dict[str, object]]) -> bool:
    """The top-N pane shows its counts by ``key`` over the records ``over`` (its total of
    the metric is theirs: it counted this view, not the one before the last Enter)."""
    data = app.main_screen.top.data
    if data is None or data.key.name != key:
        return False
    if data.metric == "records":
        return data.total == len(over)
    return data.total == sum(int(r[data.metric] or 0) for r in over)  # type: ignore[call-overload]


async def test_who_sends_most_bytes_then_rejects_on_port_22(demo_bucket: str,
                                                            s3_client: Any) -> None:
    """README: T 2 Enter (the top destination by bytes: the web server), T 1. Then back to
    the folder as loaded (T: the records; Esc: the filter cleared) and T 6 j Enter
    (REJECTs), T 4 Enter (the top REJECTed port, 22), T 1 (by source): the incident's SSH
    guessers lead. Two tests before, each loading the day in an app of its own."""
    app = make_app(s3_client)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_day(pilot, app)
        top = app.main_screen.top
        await press(pilot, "T", "2")
        await wait_for(pilot, lambda: _counted(app, "dst", rows(app)),
                       what="bytes by destination")
        await press(pilot, "enter", "T", "1")
        await wait_for(pilot, lambda: top.data is not None and top.data.key.name == "src",
                       what="sources to the top destination")
        assert app.shown.query.where_text == f"dstaddr = {incident.WEB.ip}"
        assert top.data.rows[0].values == (incident.HEAVY_UPLOADER,)
        assert incident.HEAVY_UPLOADER in "\n".join(screen_text(pilot))
        await press(pilot, "T")  # the records again
        assert app.focused is app.table and not app.main_screen.top_shown
        await press(pilot, "escape")  # the filter cleared
        await wait_for(pilot, lambda: not app.shown.query.where_text
                       and app.table.row_count == len(app.shown.records or ()),
                       what="the filter cleared")
        expected = [r for r in rows(app) if r["action"] == "REJECT" and r["dstport"] == 22]
        top = app.main_screen.top
        rejects = [r for r in rows(app) if r["action"] == "REJECT"]
        # A person reads the pane before the next key: j and Enter act on the rows it shows
        # (keys typed before the counting ends act on the pane as it is then).
        await press(pilot, "T", "6")
        await wait_for(pilot, lambda: _counted(app, "action", rows(app)),
                       what="records by action")
        await press(pilot, "j", "enter", "T", "4")
        await wait_for(pilot, lambda: _counted(app, "dstport", rejects),
                       what="REJECTs by destination port")
        await press(pilot, "enter", "T", "1")
        await wait_for(pilot, lambda: _counted(app, "src", expected),
                       what="sources of REJECTs on 22")
        assert app.shown.query.where_text == "action = REJECT and dstport = 22"
        by_source: dict[object, int] = {}
        for r in expected:
            by_source[r["srcaddr"]] = by_source.get(r["srcaddr"], 0) + int(r["bytes"] or 0)
        ranked = sorted(by_source, key=lambda a: (-by_source[a], str(a)))
        assert [r.values[0] for r in top.data.rows] == ranked
        assert set(ranked[:2]) == set(incident.SSH_GUESSERS)
        screen = "\n".join(screen_text(pilot))
        assert incident.SSH_GUESSERS[0] in screen and incident.SSH_GUESSERS[1] in screen


async def test_around_1405_in_eight_keys(demo_bucket: str, s3_client: Any) -> None:
    """README: @ 14:05 Enter puts the table at the first record of 14:05 on the folder's day
    (not today's); H opens the histogram there; + narrows its buckets around it."""
    app = make_app(s3_client)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_day(pilot, app)
        await press(pilot, "at", *"14:05", "enter")
        moment = int(datetime(2024, 3, 4, 14, 5, tzinfo=UTC).timestamp())
        await wait_for(pilot, lambda: not app.sorts.running and app.table.cursor_row > 0,
                       timeout=20, what="go to 14:05")
        source = app.table.store
        assert source is not None
        assert source.row(app.table.cursor_row)["start"] >= moment
        assert source.row(app.table.cursor_row - 1)["start"] < moment
        histogram = app.main_screen.histogram
        await press(pilot, "H")
        await wait_for(pilot, lambda: histogram.data is not None and histogram.data.times,
                       what="histogram counted")
        data = histogram.data
        at = data.times[histogram.cursor]
        assert at <= moment < at + data.width  # the strip opens at the table cursor's time
        await press(pilot, "plus")
        await wait_for(pilot, lambda: histogram.data is not None
                       and histogram.data.width < data.width, what="narrower buckets")
        narrow = histogram.data
        at = narrow.times[histogram.cursor]
        assert at <= moment < at + data.width  # around the cursor
        axis = "\n".join(screen_text(pilot))
        assert f"/{narrow.width // 60}m" in axis or f"/{narrow.width}s" in axis


async def test_histogram_jump_zoom_scale_and_esc(demo_bucket: str, s3_client: Any) -> None:
    """Issue 17 item 8: in the strip, @ jumps to a time (on the data's day), - and + change
    the bucket width around the cursor, s switches to a labelled log scale under which a
    quiet bucket next to a huge one still shows a bar, and Esc (no range) hides the strip."""
    app = make_app(s3_client)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_day(pilot, app)
        histogram = app.main_screen.histogram
        await press(pilot, "H")
        await wait_for(pilot, lambda: histogram.data is not None and histogram.data.times,
                       what="histogram counted")
        assert app.focused is histogram
        await press(pilot, "at")
        assert app.main_screen.prompt.is_open
        await press(pilot, *"14:07")
        assert "2024-03-04 14:07:00" in app.main_screen.prompt.message  # the folder's day
        await press(pilot, "enter")
        moment = int(datetime(2024, 3, 4, 14, 7, tzinfo=UTC).timestamp())
        data = histogram.data
        assert app.focused is histogram
        at = data.times[histogram.cursor]
        assert at <= moment < at + data.width
        for key in ("plus", "plus", "plus"):
            width = histogram.data.width
            await press(pilot, key)
            await wait_for(pilot, lambda w=width: histogram.data.width < w, what="narrower")
            at = histogram.data.times[histogram.cursor]
            assert at <= moment < at + histogram.data.width  # still around 14:07
        narrow = histogram.data.width
        await press(pilot, "minus")
        await wait_for(pilot, lambda: histogram.data.width > narrow, what="wider")
        # the scale: labelled, and log keeps small buckets visible
        first = "\n".join(screen_text(pilot))
        assert " lin" in first
        await press(pilot, "s")
        await pilot.pause()
        assert histogram.scale == "log" and " log" in "\n".join(screen_text(pilot))
        # Esc with a range clears it; Esc again hides the strip and the table has focus
        await press(pilot, "v", "right", "escape")
        assert histogram.range_start is None and app.main_screen.histogram_shown
        await press(pilot, "escape")
        await wait_for(pilot, lambda: not app.main_screen.histogram_shown, what="hidden")
        assert app.focused is app.table and not histogram.display


def test_log_scale_keeps_a_small_bucket_visible_beside_a_huge_one() -> None:
    """Linear: a bucket of 3 beside one of 100,000 draws nothing above the floor eighth;
    log: it reaches a visible height."""
    from flowtui.ui.widgets.histogram.bars import column_rows
    from flowtui.ui.widgets.histogram.strip import _log

    values = [100_000, 3, 0]
    linear = column_rows(values, max(values), 2)
    logged = column_rows([_log(v) for v in values], _log(max(values)), 2)
    assert linear[1][1] == "▁" and linear[0][1] == " "  # the floor: one eighth
    assert logged[1][1] in "▂▃▄▅▆▇█" and logged[1][2] == " "


async def test_a_bare_time_in_the_filter_bar_is_on_the_folders_day(demo_bucket: str,
                                                                   s3_client: Any) -> None:
    """Issue 17 item 5: on a folder of another day, during 14:00..14:10 matched 0 rows with
    no hint (it meant today). Now it means the day of the loaded records, the bar says so,
    and when nothing matches the note names the day taken."""
    app = make_app(s3_client)
    notes = record_notes(app)  # the toast can be gone before a loaded machine reads it
    async with app.run_test(size=(160, 48)) as pilot:
        await open_day(pilot, app)
        low = int(datetime(2024, 3, 4, 14, 0, tzinfo=UTC).timestamp())
        high = int(datetime(2024, 3, 4, 14, 10, tzinfo=UTC).timestamp())
        expected = sum(1 for r in rows(app) if isinstance(r["start"], int)
                       and r["start"] <= high and r["end"] >= low)  # type: ignore[operator]
        assert expected > 1000
        await press(pilot, "slash", *"during 14:00..14:10")
        assert "2024-03-04 (the day most of the loaded records start on)" in \
            app.main_screen.prompt.message
        await press(pilot, "enter")
        await wait_for(pilot, lambda: app.table.row_count == expected, what="filtered")
        await press(pilot, "slash", "ctrl+u", *"during 03:00..03:01", "enter")
        await wait_for(pilot, lambda: app.table.row_count == 0, what="nothing matches")
        assert any("a time without a date was read on 2024-03-04" in n for n in notes), notes


async def test_sort_by_bytes_one_eni_and_export(demo_bucket: str, s3_client: Any,
                                                tmp_path: Any, monkeypatch: Any) -> None:
    """README, from the folder just loaded: Tab $ h h h h h h s s (bytes, largest first);
    T 7 Enter (the busiest interface only, still by bytes); w Enter (the view to a file)."""
    monkeypatch.chdir(tmp_path)
    app = make_app(s3_client)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_day(pilot, app)
        await press(pilot, "tab", "dollar_sign", *"hhhhhh")
        assert app.focused is app.table and app.table.current_column == "bytes"
        await press(pilot, "s", "s")
        await wait_for(pilot, lambda: not app.sorts.running and app.shown.view is not None
                       and not app.shown.view.stale, what="sorted")
        shown = [r["bytes"] for r in rows(app)]
        assert shown == sorted(shown, key=lambda b: -1 if b is None else b, reverse=True)
        assert shown[0] == max(b for b in shown if b is not None)
        top = app.main_screen.top
        await press(pilot, "T", "7")
        await wait_for(pilot, lambda: top.data is not None and top.data.key.name == "interface",
                       what="top interfaces")
        busiest = top.data.rows[0].values[0]
        await press(pilot, "enter")
        await wait_for(pilot, lambda: app.shown.query.filters
                       and app.shown.view is not None
                       and not app.shown.view.stale, what="one ENI")
        assert app.shown.query.where_text == f"interface-id = {busiest}"
        assert {r["interface-id"] for r in rows(app)} == {busiest}
        shown = [r["bytes"] for r in rows(app)]
        assert shown == sorted(shown, key=lambda b: -1 if b is None else b, reverse=True)
        await press(pilot, "w", "enter")
        await wait_for(pilot, lambda: any(p.suffix == ".csv" for p in tmp_path.iterdir()),
                       timeout=20, what="exported")
        written = next(p for p in tmp_path.iterdir() if p.suffix == ".csv")
        await wait_for(pilot, lambda: len(written.read_text().splitlines()) == len(shown) + 1,
                       timeout=20, what="every row written")
