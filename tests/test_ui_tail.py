"""The live tail in the app, driven with keys (Pilot) against the moto server.

The engine polls only when the test says so (a long interval and ``poll_now``) and reads the
test's clock, so what each poll can see is decided here; tests wait on the app's state.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from flowtui.tail import PollDone, TailOptions
from flowtui.ui.app import FlowtuiApp
from flowtui.ui.help import HelpScreen
from flowtui.ui.widgets.browser.pane import FOLLOW_MARK
from tests.tail_helpers import Bucket, Clock, lines_ports
from tests.ui_helpers import press, screen_text, wait_for

ACCOUNT = "AWSLogs/123456789012/vpcflowlogs/"
REGION = ACCOUNT + "us-east-1/"
T = datetime(2024, 3, 5, 14, 20, tzinfo=UTC)
M = timedelta(minutes=1)


def options(**kw: Any) -> TailOptions:
    kw.setdefault("interval", 3600)
    kw.setdefault("backfill", 0)  # these tests start from an empty table
    return TailOptions(engine_args={"clock": Clock(T), "sweep_every": 0}, **kw)


def tail_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("flowtui-tail")]


async def started(pilot: Any, app: FlowtuiApp) -> None:
    """The first poll (the starting point) is done."""
    await wait_for(pilot, lambda: app.tail is not None and isinstance(app.tail.last, PollDone),
                   what="the tail's first poll")


async def poll(pilot: Any, app: FlowtuiApp, rows: int | None = None) -> None:
    """One more poll, and (optionally) the table showing ``rows`` rows."""
    job = app.tail
    assert job is not None and job.engine is not None and job.last is not None
    before = job.last.poll
    job.engine.poll_now()
    await wait_for(pilot, lambda: job.last is not None and job.last.poll > before,
                   what="the next poll")
    if rows is not None:
        await wait_for(pilot, lambda: app.table.row_count == rows, what=f"{rows} rows")


def text(pilot: Any) -> str:
    return "\n".join(screen_text(pilot))


async def test_follow_a_prefix_from_the_browser(s3_server: Any, s3_client: Any,
                                                raw_s3: Any) -> None:
    bucket = Bucket(raw_s3, "ui-tail-follow")
    bucket.put(T - 15 * M)  # there before: the starting point, not shown
    app = FlowtuiApp(bucket.url(ACCOUNT), client=s3_client, tail_options=options())
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_for(pilot, lambda: any(e.key == REGION for e in app.browser.entries),
                       what="region folder listed")
        await press(pilot, "home", "t")
        await started(pilot, app)
        assert app.workers._workers and any(w.group == "tail" for w in app.workers)
        screen = text(pilot)
        assert FOLLOW_MARK + "us-east-1/" in screen
        assert "following · " in screen
        assert " · s3://ui-tail-follow/…9012/vpcflowlogs/us-east-1/" in screen
        assert "newest 2024-03-05 14:05 UTC, delivered" in screen and "next poll in" in screen
        assert app.table.row_count == 0

        # a new object appears; the cursor (on the last row) follows it
        first = bucket.put(T - 10 * M, n=20)
        await poll(pilot, app, rows=20)
        assert app.table.cursor_row == 19
        assert [r["srcport"] for r in app.table.store.rows(0, 20)] == lines_ports(first)
        assert "newest 2024-03-05 14:10 UTC, delivered" in text(pilot)
        await press(pilot, "tab")
        assert app.focused is app.table
        bucket.put(T - 9 * M, n=20)
        await poll(pilot, app, rows=40)
        assert app.table.cursor_row == 39 and app.table.new_rows == 0

        # elsewhere, the cursor keeps its place and the status line counts what came
        await press(pilot, "k", "k")
        assert app.table.cursor_row == 37
        bucket.put(T - 8 * M, n=20)
        await poll(pilot, app, rows=60)
        assert app.table.cursor_row == 37
        await wait_for(pilot, lambda: "20 new rows" in text(pilot), what="'20 new rows'")
        await press(pilot, "G")  # back to the end: following again
        assert app.table.cursor_row == 59
        await wait_for(pilot, lambda: "new rows" not in text(pilot), what="count cleared")

        # p holds new rows back; p again delivers them
        await press(pilot, "p")
        await wait_for(pilot, lambda: app.tail.paused, what="paused")
        held = bucket.put(T - 7 * M, n=20)
        await poll(pilot, app)
        await wait_for(pilot, lambda: app.tail.held == 20, what="20 rows held")
        assert app.table.row_count == 60 and len(app.table.store) == 60
        assert "20 rows held" in text(pilot)
        await press(pilot, "p")
        await wait_for(pilot, lambda: app.table.row_count == 80, what="held rows shown")
        assert not app.tail.paused and app.table.cursor_row == 79
        assert [r["srcport"] for r in app.table.store.rows(60, 80)] == lines_ports(held)

        threads = tail_threads()
        assert len(threads) == 1
        await press(pilot, "q")
    # the engine's loop has ended: its (pool) thread no longer runs the tail
    deadline = time.monotonic() + 10
    while tail_threads() and time.monotonic() < deadline:
        threads[0].join(0.05)
    assert tail_threads() == []
    assert app.tail is not None and app.tail.engine is not None and app.tail.engine.stopped


async def test_keep_bounds_the_table_and_the_cursor_follows_the_drop(
        s3_server: Any, s3_client: Any, raw_s3: Any) -> None:
    bucket = Bucket(raw_s3, "ui-tail-keep")
    app = FlowtuiApp(client=s3_client, follow=bucket.url(REGION),
                     tail_options=options(keep=30))
    async with app.run_test(size=(220, 24)) as pilot:
        await started(pilot, app)
        assert app.focused is app.table
        puts = [bucket.put(T - (15 - i) * M, n=20) for i in range(2)]
        await poll(pilot, app, rows=30)
        store = app.table.store
        assert store.dropped == 10
        ports = [p for put in puts for p in lines_ports(put)][-30:]
        assert [r["srcport"] for r in store.rows(0, 30)] == ports
        assert app.table.cursor_row == 29  # followed, and scrolled down to it
        await wait_for(pilot, lambda: _drawn_ports(pilot, app, 20)[-1] == str(ports[-1])
                       and int(app.table.scroll_y) > 0, what="the last row on screen")

        # put the cursor on row 25 (record 35 of all), then 20 more arrive: 20 go
        await press(pilot, "k", "k", "k", "k")
        assert app.table.cursor_row == 25
        record = store.row(25)
        bucket.put(T - 13 * M, n=20)
        await poll(pilot, app)
        await wait_for(pilot, lambda: store.dropped == 30 and app.table.cursor_row != 25,
                       what="the table to follow the drop")
        assert len(store) == 30 and app.table.row_count == 30
        assert app.table.cursor_row == 5 and store.row(5) == record  # the same record
        await wait_for(pilot, lambda: "20 new rows" in text(pilot), what="'20 new rows'")
        # what is drawn is the store's rows now, not the cached strips of the old indexes
        await wait_for(pilot, lambda: _drawn_ports(pilot, app) == _store_ports(app),
                       what="the drawn rows to match the store")

        # the cursor's record itself dropped: the cursor goes to the oldest row left
        bucket.put(T - 12 * M, n=20)
        await poll(pilot, app)
        await wait_for(pilot, lambda: store.dropped == 50, what="20 more dropped")
        await wait_for(pilot, lambda: app.table.cursor_row == 0, what="cursor on row 0")
        await wait_for(pilot, lambda: _drawn_ports(pilot, app) == _store_ports(app),
                       what="the drawn rows to match the store")


def _store_ports(app: FlowtuiApp) -> list[str]:
    top = int(app.table.scroll_y)
    rows = app.table.store.rows(top, top + 5)
    return ["-" if r["srcport"] is None else str(r["srcport"]) for r in rows]


def _drawn_ports(pilot: Any, app: FlowtuiApp, count: int = 5) -> list[str]:
    """The srcport cell of the first ``count`` data rows drawn in the table."""
    lines = screen_text(pilot)
    header = next(i for i, line in enumerate(lines) if "srcport" in line and "srcaddr" in line)
    start = lines[header].index("srcport")
    end = start + len("srcport")
    cells = [line[start:end].strip() for line in lines[header + 1: header + 1 + count]]
    return [c for c in cells if c == "-" or c.isdigit()]


async def test_a_bad_object_is_reported_and_the_tail_goes_on(
        s3_server: Any, s3_client: Any, raw_s3: Any) -> None:
    bucket = Bucket(raw_s3, "ui-tail-bad")
    app = FlowtuiApp(client=s3_client, follow=bucket.url(REGION), tail_options=options())
    async with app.run_test(size=(200, 40)) as pilot:
        await started(pilot, app)
        bucket.put(T - 10 * M, body=b"\x00\x01 not a flow log\n")
        await poll(pilot, app)
        await wait_for(pilot, lambda: app.tail.objects_failed == 1, what="failure reported")
        screen = text(pilot)
        assert "1 object(s) failed, last: not a flow-log object" in screen
        assert "Traceback" not in screen
        good = bucket.put(T - 5 * M, n=20)
        await poll(pilot, app, rows=20)
        assert [r["srcport"] for r in app.table.store.rows(0, 20)] == lines_ports(good)
        assert not app.tail.stopped


async def test_a_listing_error_is_one_line_and_x_stops_following(
        s3_server: Any, s3_client: Any) -> None:
    app = FlowtuiApp(client=s3_client, follow=f"s3://ui-tail-no-such-bucket/{REGION}",
                     tail_options=options(interval=0.05))
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_for(pilot, lambda: "poll failed" in text(pilot), what="poll failure shown")
        line = next(x for x in screen_text(pilot) if "poll failed" in x)
        assert "NoSuchBucket" in line and "retry in" in line
        await press(pilot, "x")
        await wait_for(pilot, lambda: tail_threads() == [], what="tail thread gone")
        assert app.tail.stopped
        assert "stopped following" in text(pilot)


async def test_help_lists_the_tail_keys(s3_server: Any, s3_client: Any) -> None:
    app = FlowtuiApp(None, client=s3_client)
    async with app.run_test(size=(120, 60)) as pilot:
        await press(pilot, "question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        screen = text(pilot)
        for ident in ("browser.tail", "app.tail-pause", "app.tail-stop"):
            assert ident in screen
        assert "Follow (live tail)" in screen and "Pause/resume tail" in screen


def test_flowtui_tail_on_a_terminal_opens_the_live_view(monkeypatch: Any) -> None:
    import sys

    from flowtui.cli import main
    from flowtui.ui import run as run_module

    calls: list[dict[str, Any]] = []

    def fake_run(target: Any, **kw: Any) -> int:
        calls.append(kw)
        return 0

    monkeypatch.setattr(run_module, "run", fake_run)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    assert main(["tail", "s3://b/AWSLogs/", "--interval", "2", "--keep", "500",
                 "--backfill", "3", "--endpoint-url", "http://127.0.0.1:1"]) == 0
    (kw,) = calls
    assert kw["follow"] == "s3://b/AWSLogs/" and kw["endpoint_url"] == "http://127.0.0.1:1"
    opts = kw["tail_options"]
    assert (opts.interval, opts.keep, opts.backfill) == (2.0, 500, 3)


async def test_p_and_x_are_in_the_footer_only_while_a_tail_runs(
        s3_server: Any, s3_client: Any, raw_s3: Any) -> None:
    """The footer offers p and x while something is followed (at 160 columns, not cut off);
    before and after, the keys are not offered but still answer (nothing is followed)."""
    bucket = Bucket(raw_s3, "ui-tail-footer")
    bucket.put(T - 15 * M)
    app = FlowtuiApp(None, client=s3_client, tail_options=options())

    def footer() -> str:
        return screen_text(pilot)[-1]

    def noted(message: str) -> bool:
        return any(n.message.startswith(message) for n in app._notifications)

    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: "Commands" in footer(), what="the footer drawn")
        assert "Pause/resume tail" not in footer() and "Stop following" not in footer()
        await press(pilot, "p")
        await wait_for(pilot, lambda: noted("Not following anything"), what="p answers")
        app.clear_notifications()
        app.tails.start(bucket.url(REGION))
        await started(pilot, app)
        app.table.focus()  # the rows' keys (/ s) lead the footer, as while reading them
        # one look for both: the footer is recomposed when the keys change, and a second
        # look can fall between its old keys going and the new ones drawn (blank, at load 19)
        await wait_for(pilot, lambda: "Pause/resume tail" in (f := footer())
                       and "Stop following" in f, what="p and x in the footer")
        await press(pilot, "p")
        await wait_for(pilot, lambda: app.tail.paused, what="p pauses the tail")
        await press(pilot, "x")
        await wait_for(pilot, lambda: "Stop following" not in footer(), what="x leaves")
        assert "Pause/resume tail" not in footer() and app.tail.stopped
        await press(pilot, "x")
        await wait_for(pilot, lambda: noted("Not following anything"), what="x answers")
