"""Stop and quit while S3 hangs: a server that accepts connections and never answers.

Every client here has a read timeout far above the bounds asserted, so a stop that waited
for botocore (5 attempts × the read timeout) fails the test instead of passing slowly.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from flowtui.loader import Loader, LoadFinished, ObjectRef
from flowtui.s3 import inflight
from flowtui.s3.listing import PrefixPager
from flowtui.s3.reader import Cancelled
from flowtui.s3.session import make_client
from flowtui.tail import PollFailed, TailEngine, TailStopped
from flowtui.ui.app import FlowtuiApp
from tests.tail_helpers import WAIT, Recorder
from tests.ui_helpers import wait_for

READ_TIMEOUT = 60.0  # what a stop must not wait for
BOUND = 5.0  # seconds; "at once" on a loaded machine (well under one read timeout)


def hanging_client(fault_proxy: Any) -> Any:
    return make_client(endpoint_url=fault_proxy.url, read_timeout=READ_TIMEOUT)


def in_thread(call: Any) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            call()
        except BaseException as exc:  # noqa: BLE001 - the test looks at it
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, errors


@pytest.mark.parametrize("how", ["scope", "client"])
def test_a_listing_waiting_for_an_answer_is_cut_at_once(fault_proxy: Any, how: str) -> None:
    fault_proxy.hang()
    client = hanging_client(fault_proxy)
    scope = inflight.Scope()

    def listing() -> None:
        with scope.active():
            PrefixPager(client, "flowlogs-main", "AWSLogs/").next_page()

    thread, errors = in_thread(listing)
    assert fault_proxy.stalled.wait(10)
    started = time.monotonic()
    scope.cut() if how == "scope" else inflight.close(client)
    thread.join(BOUND)
    assert not thread.is_alive(), "the listing still waits for the server"
    assert time.monotonic() - started < BOUND
    assert len(errors) == 1 and isinstance(errors[0], Cancelled)
    assert fault_proxy.operations() == ["ListObjectsV2"]  # cut, and not sent again


def test_a_cut_scope_leaves_other_requests_alone(s3_server: Any, fault_proxy: Any) -> None:
    client = hanging_client(fault_proxy)
    scope = inflight.Scope()
    scope.cut()
    with scope.active(), pytest.raises(Cancelled):
        PrefixPager(client, s3_server.main_bucket, "").next_page()
    assert PrefixPager(client, s3_server.main_bucket, "").next_page()  # outside: answered
    assert fault_proxy.operations() == ["ListObjectsV2"]


def test_cancelling_a_load_whose_download_gets_no_answer_returns_at_once(
        s3_server: Any, fault_proxy: Any) -> None:
    obj = s3_server.find("big")
    fault_proxy.hang(match=lambda r: r.operation == "GetObject")
    cancel = threading.Event()
    events: list[object] = []
    loader = Loader(None, client=hanging_client(fault_proxy), concurrency=2)
    thread, errors = in_thread(lambda: loader.run([ObjectRef(obj.url)], events.append, cancel))
    assert fault_proxy.stalled.wait(10)
    started = time.monotonic()
    cancel.set()
    thread.join(BOUND)
    assert not thread.is_alive()
    assert time.monotonic() - started < BOUND
    assert not errors
    assert isinstance(events[-1], LoadFinished) and events[-1].cancelled
    assert [t for t in threading.enumerate() if t.name.startswith("flowtui-load")] == []


def test_stopping_a_tail_whose_poll_gets_no_answer_is_quick(fault_proxy: Any) -> None:
    fault_proxy.hang()
    recorder = Recorder()
    engine = TailEngine("s3://flowlogs-main/AWSLogs/111111111111/vpcflowlogs/us-east-1/",
                        client=hanging_client(fault_proxy), on_event=recorder)
    engine.start()
    assert fault_proxy.stalled.wait(10)
    started = time.monotonic()
    assert engine.stop(timeout=BOUND)
    assert time.monotonic() - started < BOUND
    recorder.wait_for(lambda e: isinstance(e, TailStopped))
    assert recorder.of(PollFailed) == []  # a stop is not a failed poll


# --- the app ----------------------------------------------------------------------------


async def quit_and_time_the_threads(pilot: Any, key: str) -> float:
    """Press ``key`` and measure until the app is gone *and* its worker threads have ended
    (what ``asyncio.run`` waits for before the process can exit)."""
    started = time.monotonic()
    await pilot.press(key)
    await wait_for(pilot, lambda: not pilot.app.is_running, timeout=BOUND, what="the app to exit")
    loop = asyncio.get_running_loop()
    await asyncio.wait_for(loop.shutdown_default_executor(), timeout=READ_TIMEOUT * 6)
    return time.monotonic() - started


@pytest.mark.parametrize("key", ["q", "ctrl+q"])
async def test_quit_while_the_bucket_list_hangs(fault_proxy: Any, key: str) -> None:
    fault_proxy.hang()
    app = FlowtuiApp(client=hanging_client(fault_proxy))
    async with app.run_test() as pilot:
        await wait_for(pilot, fault_proxy.stalled.is_set, what="the listing to hang")
        took = await quit_and_time_the_threads(pilot, key)
    assert took < BOUND, f"{key} took {took:.1f}s to end the app"


async def test_escape_then_quit_while_a_download_gets_no_answer(
        s3_server: Any, fault_proxy: Any) -> None:
    obj = s3_server.find("big")
    fault_proxy.hang(match=lambda r: r.operation == "GetObject")
    app = FlowtuiApp(obj.url, client=hanging_client(fault_proxy))
    async with app.run_test() as pilot:
        await wait_for(pilot, fault_proxy.stalled.is_set, what="the download to hang")
        started = time.monotonic()
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.job is not None and app.job.status.cancelled,
                       timeout=BOUND, what="the load to be cancelled")
        assert time.monotonic() - started < BOUND
        took = await quit_and_time_the_threads(pilot, "q")
    assert took < BOUND, f"q took {took:.1f}s to end the app"


async def test_quit_while_a_followed_prefix_hangs(fault_proxy: Any) -> None:
    fault_proxy.hang()
    app = FlowtuiApp(client=hanging_client(fault_proxy),
                     follow="s3://flowlogs-main/AWSLogs/111111111111/vpcflowlogs/us-east-1/")
    async with app.run_test() as pilot:
        await wait_for(pilot, fault_proxy.stalled.is_set, what="the poll to hang")
        took = await quit_and_time_the_threads(pilot, "q")
    assert took < BOUND, f"q took {took:.1f}s to end the app"


# --- the commands -------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "flowtui", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)


def stop_and_time(process: subprocess.Popen[str], sig: signal.Signals) -> tuple[int, float, str]:
    started = time.monotonic()
    process.send_signal(sig)
    try:
        _, err = process.communicate(timeout=READ_TIMEOUT * 6)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return process.returncode, time.monotonic() - started, err


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 0)])
def test_tail_stops_at_once_on_a_signal_while_its_poll_hangs(
        fault_proxy: Any, sig: signal.Signals, code: int) -> None:
    fault_proxy.hang()
    process = start("tail", "s3://flowlogs-main/AWSLogs/111111111111/vpcflowlogs/us-east-1/",
                    "--no-tui", "--endpoint-url", fault_proxy.url)
    assert fault_proxy.stalled.wait(WAIT)
    returncode, took, err = stop_and_time(process, sig)
    assert (returncode, err) == (code, "")
    assert took < BOUND, f"the tail took {took:.1f}s to stop"


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, -signal.SIGTERM)])
@pytest.mark.parametrize("hang", ["GetObject", "ListObjectsV2"])
def test_cat_stops_at_once_on_a_signal_while_s3_hangs(
        s3_server: Any, fault_proxy: Any, sig: signal.Signals, code: int, hang: str) -> None:
    fault_proxy.hang(match=lambda r: r.operation == hang)
    process = start("cat", f"s3://{s3_server.main_bucket}/broken/", "--endpoint-url",
                    fault_proxy.url)
    assert fault_proxy.stalled.wait(WAIT)
    returncode, took, err = stop_and_time(process, sig)
    assert returncode == code
    assert "Traceback" not in err
    assert took < BOUND, f"cat took {took:.1f}s to stop"
