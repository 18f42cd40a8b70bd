"""Rough edges of the live tail in the app (issue 9 §4), driven with keys against moto:
Esc means back and ``x`` stops; ``t`` backfills at once and keeps the old rows until then;
the age on the status line is the newest file's delivery time (S3 LastModified)."""

from __future__ import annotations

from typing import Any

from flowtui.ui.app import FlowtuiApp
from tests.tail_helpers import Bucket
from tests.test_ui_tail import REGION, M, T, options, started, tail_threads, text
from tests.ui_helpers import wait_for


async def test_esc_goes_back_and_leaves_the_tail_running_x_stops_it(
        s3_server: Any, s3_client: Any, raw_s3: Any) -> None:
    bucket = Bucket(raw_s3, "ui-tail-esc")
    app = FlowtuiApp(client=s3_client, follow=bucket.url(REGION),
                     tail_options=options(backfill=0))
    async with app.run_test(size=(200, 40)) as pilot:
        await started(pilot, app)
        job = app.tail
        assert job is not None and app.focused is app.table
        assert "Following s3://ui-tail-esc/" in text(pilot)

        await pilot.press("escape")  # back to the browser; the tail goes on
        await wait_for(pilot, lambda: app.focused is not app.table, what="focus to leave")
        assert app.browser in app.focused.ancestors
        assert not job.stopped and job.engine is not None and not job.engine.stopped
        assert len(tail_threads()) == 1
        screen = text(pilot)
        assert "Following s3://ui-tail-esc/" in screen and "following s3://" in screen

        # the tail still delivers after Esc
        bucket.put(T - 5 * M, n=7)
        job.engine.poll_now()
        await wait_for(pilot, lambda: app.table.row_count == 7, what="7 new rows")

        await pilot.press("tab")
        await wait_for(pilot, lambda: app.focused is app.table, what="table focused")
        await pilot.press("escape")  # from the table again: back, not stop
        await wait_for(pilot, lambda: app.focused is not app.table, what="focus to leave")
        assert not job.stopped

        await pilot.press("x")  # the tail's own key stops it, from anywhere
        await wait_for(pilot, lambda: job.stopped and tail_threads() == [],
                       what="tail stopped")
        assert app.table.row_count == 7  # what arrived stays


async def test_after_x_neither_placeholder_nor_status_line_says_following(
        s3_server: Any, s3_client: Any, raw_s3: Any) -> None:
    bucket = Bucket(raw_s3, "ui-tail-stopped")
    app = FlowtuiApp(client=s3_client, follow=bucket.url(REGION),
                     tail_options=options(backfill=0))
    async with app.run_test(size=(200, 40)) as pilot:
        await started(pilot, app)
        assert app.table.row_count == 0 and "Following s3://ui-tail-stopped/" in text(pilot)
        await pilot.press("x")
        await wait_for(pilot, lambda: app.tail.stopped, what="tail stopped")
        await wait_for(pilot, lambda: "is stopped" in text(pilot), what="placeholder redrawn")
        screen = text(pilot)
        assert "Following" not in screen
        assert "The tail of s3://ui-tail-stopped/" in screen and "is stopped" in screen
        status = app.main_screen.status.tail
        assert status.startswith("stopped following") and "next poll" not in status
