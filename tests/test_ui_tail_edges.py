"""Rough edges of the live tail in the app (issue 9 §4), driven with keys against moto:
Esc means back and ``x`` stops; ``t`` backfills at once and keeps the old rows until then;
the age on the status line is the newest file's delivery time (S3 LastModified)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from flowtui.store import RecordStore
from flowtui.tail import PollDone, PollFailed, TailOptions
from flowtui.ui.app import FlowtuiApp
from flowtui.ui.features.jobs.tail import TailJob, short_url, tail_text
from tests.tail_helpers import Bucket, Clock, lines_ports
from tests.test_ui_tail import (
    ACCOUNT,
    REGION,
    M,
    T,
    options,
    started,
    tail_threads,
    text,
)
from tests.ui_helpers import press, wait_for


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

        await press(pilot, "escape")  # back to the browser; the tail goes on
        await wait_for(pilot, lambda: app.focused is not app.table, what="focus to leave")
        assert app.browser in app.focused.ancestors
        assert not job.stopped and job.engine is not None and not job.engine.stopped
        assert len(tail_threads()) == 1
        screen = text(pilot)
        assert "Following s3://ui-tail-esc/" in screen and "following · " in screen

        # the tail still delivers after Esc
        bucket.put(T - 5 * M, n=7)
        job.engine.poll_now()
        await wait_for(pilot, lambda: app.table.row_count == 7, what="7 new rows")

        await press(pilot, "tab")
        await wait_for(pilot, lambda: app.focused is app.table, what="table focused")
        await press(pilot, "escape")  # from the table again: back, not stop
        await wait_for(pilot, lambda: app.focused is not app.table, what="focus to leave")
        assert not job.stopped

        await press(pilot, "x")  # the tail's own key stops it, from anywhere
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
        await press(pilot, "x")
        await wait_for(pilot, lambda: app.tail.stopped, what="tail stopped")
        await wait_for(pilot, lambda: "is stopped" in text(pilot), what="placeholder redrawn")
        screen = text(pilot)
        assert "Following" not in screen
        assert "The tail of s3://ui-tail-stopped/" in screen and "is stopped" in screen
        status = app.main_screen.status.tail
        assert status.startswith("stopped following") and "next poll" not in status


FL_A = "fl-0aaa1111bbbb2222c"
FL_B = "fl-0bbb2222cccc3333d"


async def test_t_shows_the_newest_file_of_each_flow_log_at_once(
        s3_server: Any, s3_client: Any, raw_s3: Any) -> None:
    bucket = Bucket(raw_s3, "ui-tail-backfill")
    bucket.put(T - 20 * M, flow_log_id=FL_A, n=5)  # older: not shown
    newest_a = bucket.put(T - 10 * M, flow_log_id=FL_A, n=11)
    newest_b = bucket.put(T - 15 * M, flow_log_id=FL_B, n=13)
    # the app's default options (no backfill given); a poll an hour away: only the first
    tail_options = TailOptions(interval=3600, engine_args={"clock": Clock(T), "sweep_every": 0})
    app = FlowtuiApp(bucket.url(ACCOUNT), client=s3_client, tail_options=tail_options)
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_for(pilot, lambda: any(e.key == REGION for e in app.browser.entries),
                       what="region folder listed")
        await press(pilot, "home", "t")
        await started(pilot, app)
        await wait_for(pilot, lambda: app.table.row_count == 24, what="24 backfilled rows")
        assert app.tail.last.poll == 1  # no second poll was needed
        rows = app.table.store.rows(0, 24)
        assert [r["srcport"] for r in rows] == lines_ports(newest_b) + lines_ports(newest_a)
        assert app.table.cursor_row == 23  # following: on the last row
        assert "newest 2024-03-05 14:10 UTC" in text(pilot)


async def test_the_rows_shown_before_stay_until_the_tail_has_its_own(
        s3_server: Any, s3_client: Any, raw_s3: Any) -> None:
    old = Bucket(raw_s3, "ui-tail-before")
    loaded = old.put(T - 30 * M, n=9)
    later = "ui-tail-later"  # no such bucket yet: the tail's first polls fail
    app = FlowtuiApp(old.url(loaded.key), client=s3_client,
                     tail_options=options(backfill=1))
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_for(pilot, lambda: app.table.row_count == 9, what="the loaded object")
        before = app.table.store
        app.tails.start(f"s3://{later}/{REGION}")
        job = app.tail
        await wait_for(pilot, lambda: isinstance(job.last, PollFailed), what="a failed poll")
        assert app.table.row_count == 9 and app.table.store is before
        assert [r["srcport"] for r in before.rows(0, 9)] == lines_ports(loaded)
        assert "poll failed" in text(pilot) and "NoSuchBucket" in text(pilot)

        bucket = Bucket(raw_s3, later)
        newest = bucket.put(T - 10 * M, n=6)
        job.engine.poll_now()
        await wait_for(pilot, lambda: isinstance(job.last, PollDone), what="a good poll")
        await wait_for(pilot, lambda: app.table.row_count == 6, what="the tail's rows")
        assert [r["srcport"] for r in app.table.store.rows(0, 6)] == lines_ports(newest)
        assert app.shown.records is job.store


def test_flowtui_tail_backfills_one_file_in_the_live_view_by_default(monkeypatch: Any) -> None:
    import sys

    from flowtui.cli import main
    from flowtui.ui import run as run_module

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(run_module, "run", lambda target, **kw: calls.append(kw) or 0)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    assert main(["tail", "s3://b/AWSLogs/", "--endpoint-url", "http://127.0.0.1:1"]) == 0
    assert main(["tail", "s3://b/AWSLogs/", "--backfill", "0",
                 "--endpoint-url", "http://127.0.0.1:1"]) == 0
    assert [kw["tail_options"].backfill for kw in calls] == [1, 0]


async def test_the_age_is_since_delivery_not_since_the_capture_window(
        s3_server: Any, s3_client: Any, raw_s3: Any) -> None:
    """AWS names a file after the start of its 5-minute capture window and delivers it
    ~10 minutes later: a file that has just landed reads "delivered Ns ago", not "10m old"."""
    bucket = Bucket(raw_s3, "ui-tail-delivered")
    # the real clock here: S3's LastModified is the (moto) server's wall time
    now = datetime.now(tz=UTC)
    window = (now - 10 * M).replace(second=0, microsecond=0)
    app = FlowtuiApp(client=s3_client, follow=bucket.url(REGION),
                     tail_options=TailOptions(interval=3600, backfill=0,
                                              engine_args={"sweep_every": 0}))
    async with app.run_test(size=(200, 40)) as pilot:
        await started(pilot, app)
        job = app.tail
        bucket.put(window, n=4)
        job.engine.poll_now()
        await wait_for(pilot, lambda: app.table.row_count == 4, what="the new file")
        await wait_for(pilot, lambda: job.last.newest == window, what="the poll's end")
        status = app.main_screen.status.tail
        head = f"newest {window:%Y-%m-%d %H:%M} UTC, delivered "
        assert head in status, status
        match = re.search(r"delivered (\d+)s ago", status)
        assert match is not None and int(match.group(1)) < 60, status
        assert "m old" not in status and "STALE" not in status
        assert job.last.delivered is not None and job.last.delivered > window + 5 * M


async def test_a_load_that_takes_the_table_stops_the_tail_and_its_status_line(
        s3_server: Any, s3_client: Any, raw_s3: Any) -> None:
    """The table shows one source. Enter on an object while a tail runs shows that object:
    the tail stops and the status line no longer says 'following' (it went on polling out
    of sight, and the line told of a tail over rows that were the object's)."""
    bucket = Bucket(raw_s3, "ui-tail-then-load")
    other = bucket.put(T - 30 * M, n=5, prefix="other/")
    app = FlowtuiApp(client=s3_client, follow=bucket.url(REGION),
                     tail_options=options(backfill=0))
    async with app.run_test(size=(200, 40)) as pilot:
        await started(pilot, app)
        job = app.tail
        assert job is not None
        await press(pilot, "escape")  # to the browser
        await wait_for(pilot, lambda: app.browser.has_focus_within, what="browser focused")
        prompt = app.main_screen.prompt
        await press(pilot, "colon")
        await wait_for(pilot, lambda: prompt.is_open, what="path prompt")
        prompt.input.value = ""
        folder = other.key.rpartition("/")[0] + "/"
        await press(pilot, *f"s3://{bucket.name}/{folder}", "enter")
        await wait_for(pilot, lambda: [e.key for e in app.browser.entries] == [other.key]
                       and not app.browser.fetching, what="the object listed")
        app.browser.entry_list.focus()
        await press(pilot, "enter")
        await wait_for(pilot, lambda: app.table.row_count == 5, what="the object's rows")
        await wait_for(pilot, lambda: job.stopped and tail_threads() == [],
                       what="the tail stopped")
        await wait_for(pilot, lambda: app.main_screen.status.tail == "",
                       what="no tail on the status line")
        assert "following" not in text(pilot).lower()


async def test_at_80_columns_the_status_line_shows_how_fresh_the_tail_is(
        s3_server: Any, s3_client: Any, raw_s3: Any) -> None:
    """An 80x24 terminal over SSH: the status line is cut from its end. It read 'row 20/20
    following s3://…/us-east-1/ ·' and nothing more, so a tail whose newest file was half an
    hour old (STALE) looked as healthy as a fresh one. The state, STALE and the newest
    file's time now come before the prefix (which the browser's ● and the table's
    placeholder also name). AWS publishes a file per flow log every 5 minutes, about 10
    minutes after capture (reference/flow-log-format.md §6); 30 minutes is stale."""
    bucket = Bucket(raw_s3, "ui-tail-narrow")
    now = datetime.now(tz=UTC)
    window = (now - 30 * M).replace(second=0, microsecond=0)
    bucket.put(window, n=20)
    app = FlowtuiApp(client=s3_client, follow=bucket.url(REGION),
                     tail_options=TailOptions(interval=3600, backfill=1,
                                              engine_args={"sweep_every": 0}))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, app)
        await wait_for(pilot, lambda: app.table.row_count == 20, what="the newest file")
        await wait_for(pilot, lambda: app.tail.last.newest == window, what="the poll's end")
        await pilot.pause()
        line = next(row for row in text(pilot).splitlines() if row.startswith(" row "))
        assert f"following · STALE: newest {window:%Y-%m-%d %H:%M} UTC" in line, line
        # the prefix is still on the line, last (a wider terminal shows it)
        assert app.main_screen.status.tail.endswith(" · " + short_url(bucket.url(REGION)))


def test_the_apps_line_says_a_followed_day_is_over_not_stale() -> None:
    """The app's status line for the same case as the CLI's (test_tail_cli): a followed
    day folder past its midnight reads 'day ended', not STALE (which blames AWS)."""
    t = datetime(2024, 3, 6, 0, 25, tzinfo=UTC)
    day = "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/03/05/"
    job = TailJob(1, f"s3://b/{day}", f"s3://b/{day}", RecordStore())
    job.last = PollDone(poll=9, new_objects=0, records=0, newest=t - 30 * M, newest_key="k",
                        age=30 * M, stale=True, next_poll=t + timedelta(seconds=30),
                        next_in=30.0, flow_logs=1, folders=(day,), requests=1)
    line = tail_text(job, t)
    assert line.startswith("following · day ended: newest 2024-03-05 23:55 UTC, window 30m"), line
    assert "STALE" not in line
    job.last = replace(job.last, folders=(day, day.replace("/05/", "/06/")))
    assert tail_text(job, t).startswith("following · STALE: newest 2024-03-05 23:55 UTC")


def test_the_apps_line_says_files_the_lookback_passed_by() -> None:
    """The app's status line keeps saying how many files its polls met that the tail will
    never read (delivered more than the lookback behind their flow log's newest), as the
    CLI says it once on stderr (test_tail)."""
    from flowtui.ui.features.jobs.tail import track

    t = datetime(2024, 3, 5, 14, 20, tzinfo=UTC)
    region = "AWSLogs/123456789012/vpcflowlogs/us-east-1/"
    job = TailJob(1, f"s3://b/{region}", f"s3://b/{region}", RecordStore())
    poll = PollDone(poll=3, new_objects=0, records=0, newest=t, newest_key="k",
                    age=timedelta(0), stale=False, next_poll=t + timedelta(seconds=30),
                    next_in=30.0, flow_logs=1, folders=(region,), requests=2, missed=2,
                    missed_oldest=t - 70 * M, lookback=60 * M)
    track(job, poll)
    track(job, replace(poll, poll=4, missed=0, missed_oldest=None))  # said once, kept
    assert "2 files delivered more than 1 hour late not read" in tail_text(job, t)
