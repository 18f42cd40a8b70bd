"""The tail engine against a moto server: new objects once and in order, several flow logs
and formats in one prefix, day/hour rollover with late files, failures, pause, keep, stop.

Each test uses a bucket of its own and a short poll interval, and waits on the engine's
events (never a fixed sleep). The engine's clock is set by the test, so folders roll over
on demand.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from flowtui import synth
from flowtui.loader import ObjectDone
from flowtui.store import RecordStore
from flowtui.tail import Paused, PollDone, PollFailed, Resumed, TailEngine, TailStopped
from tests.conftest import CUSTOM_FIELDS
from tests.tail_helpers import Bucket, Clock, Put, Recorder

REGION = "AWSLogs/123456789012/vpcflowlogs/us-east-1/"
HIVE_REGION = ("AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/"
               "aws-region=us-east-1/")
T = datetime(2024, 3, 5, 14, 20, tzinfo=UTC)
M = timedelta(minutes=1)
FL_A = "fl-0aaa1111bbbb2222c"
FL_B = "fl-0bbb3333cccc4444d"


def as_lines(rows: Sequence[dict[str, object]], fields: Sequence[str]) -> list[str]:
    """Store rows back in the text form of a file with ``fields`` (exact comparison)."""
    return [" ".join("-" if r[f] is None else str(r[f]) for f in fields) for r in rows]


def all_lines(store: RecordStore, fields: Sequence[str] = synth.DEFAULT_FIELDS) -> list[str]:
    return as_lines(store.rows(0, len(store)), fields)


def expected(*puts: Put) -> list[str]:
    return [line for p in puts for line in p.lines]


def tail_threads() -> list[str]:
    return [t.name for t in threading.enumerate()
            if t.name.startswith(("flowtui-tail", "flowtui-load"))]


@pytest.fixture()
def tail(s3_server: Any) -> Iterator[Callable[..., tuple[TailEngine, Recorder]]]:
    """Start engines (short interval, the test's clock); stop them all, and check that no
    thread of theirs is left."""
    engines: list[TailEngine] = []

    def start(url: str, **kw: Any) -> tuple[TailEngine, Recorder]:
        recorder = Recorder()
        kw.setdefault("interval", 0.05)
        kw.setdefault("clock", Clock(T))
        kw.setdefault("sweep_every", 0)  # every poll looks back (tests that need not say so)
        engine = TailEngine(url, client=s3_server.client(), on_event=recorder, **kw)
        engines.append(engine)
        engine.start()
        return engine, recorder

    yield start
    for engine in engines:
        assert engine.stop(), "the tail thread did not end"
    assert tail_threads() == []


def baseline(recorder: Recorder) -> PollDone:
    return recorder.wait_for(lambda e: isinstance(e, PollDone) and e.baseline)


def wait_done(recorder: Recorder, count: int) -> None:
    recorder.wait_for(lambda e: len(recorder.of(ObjectDone)) + len(recorder.failed()) >= count
                      and isinstance(e, PollDone))


def test_new_objects_arrive_in_order_exactly_once(tail: Any, raw_s3: Any) -> None:
    bucket = Bucket(raw_s3, "tail-order")
    old = bucket.put(T - 15 * M)  # there before the tail starts: the starting point
    store = RecordStore()
    # polls only when told, so the test decides what each poll can see
    engine, rec = tail(bucket.url(REGION), store=store, interval=3600, sweep_every=3600)
    first = baseline(rec)
    assert first.new_objects == 0 and first.newest == T - 15 * M and first.flow_logs == 1
    assert first.next_in == 3600 and first.next_poll == T + timedelta(hours=1)
    assert len(store) == 0

    def poll(sweep: bool = False) -> PollDone:
        mark = rec.mark()
        engine.poll_now(sweep=sweep)
        return rec.wait_for(lambda e: isinstance(e, PollDone), after=mark)

    b = bucket.put(T - 10 * M, hash="bbbbbbbb")
    c = bucket.put(T - 10 * M, hash="00000001")  # same 5 minutes, sorts before b
    d = bucket.put(T - 5 * M, hash="dddddddd")
    found = poll()
    assert (found.new_objects, found.records, found.sweep) == (3, 60, False)
    assert rec.done_keys() == [c.name, b.name, d.name]  # by stamp, then key
    assert found.newest == T - 5 * M and found.newest_key == d.key
    assert found.age == 5 * M and not found.stale
    assert found.folders == (REGION + "2024/03/05/",)

    # out of order: older than the newest file seen, delivered late; a plain poll lists
    # only what sorts after the newest key, a sweep looks back an hour
    e = bucket.put(T - 25 * M)
    f = bucket.put(T - 5 * M, hash="00000002")  # a second file for d's 5 minutes
    quiet = poll()
    assert quiet.new_objects == 0 and quiet.requests == 1
    swept = poll(sweep=True)
    assert swept.sweep and swept.new_objects == 2
    for _ in range(2):
        assert poll().new_objects == 0
        assert poll(sweep=True).new_objects == 0

    assert rec.done_keys() == [c.name, b.name, d.name, e.name, f.name]
    assert all_lines(store) == expected(c, b, d, e, f)
    assert old.name not in rec.done_keys()


def test_two_flow_logs_with_their_own_formats_in_one_prefix(tail: Any, raw_s3: Any) -> None:
    bucket = Bucket(raw_s3, "tail-formats")
    bucket.put(T - 10 * M, flow_log_id=FL_A, prefix="team/net")
    store = RecordStore()
    # the bucket root: the region folders below are found by the engine
    engine, rec = tail(bucket.url(""), store=store, sweep_every=3600)
    baseline(rec)
    # a new flow log, found by plain polls in the gap after the one known
    a = bucket.put(T - 5 * M, flow_log_id=FL_A, prefix="team/net")
    b = bucket.put(T - 5 * M, flow_log_id=FL_B, fields=CUSTOM_FIELDS, prefix="team/net")
    wait_done(rec, 2)
    poll = rec.next_poll()

    assert poll.flow_logs == 2
    assert rec.done_keys() == [a.name, b.name]  # same stamp: key order (fl-0aaa < fl-0bbb)
    assert set(CUSTOM_FIELDS) | set(synth.DEFAULT_FIELDS) == set(store.columns)
    rows_a = [store.row(i) for i in range(len(store)) if store.source(i).endswith(a.name)]
    rows_b = [store.row(i) for i in range(len(store)) if store.source(i).endswith(b.name)]
    assert as_lines(rows_a, synth.DEFAULT_FIELDS) == list(a.lines)
    assert as_lines(rows_b, CUSTOM_FIELDS) == list(b.lines)
    assert all(r["flow-direction"] is None for r in rows_a)


@pytest.mark.parametrize(("layout", "region"), [("default", REGION),
                                                ("hive-hourly", HIVE_REGION)])
def test_rollover_to_the_next_day_and_late_files_in_the_previous_one(
        tail: Any, raw_s3: Any, layout: str, region: str) -> None:
    bucket = Bucket(raw_s3, f"tail-rollover-{layout}")
    clock = Clock(datetime(2024, 3, 5, 23, 50, tzinfo=UTC))
    day5 = datetime(2024, 3, 5, tzinfo=UTC)
    day6 = datetime(2024, 3, 6, tzinfo=UTC)
    store = RecordStore()
    engine, rec = tail(bucket.url(region), store=store, clock=clock)
    baseline(rec)
    p1 = bucket.put(day5 + timedelta(hours=23, minutes=45), layout=layout)
    wait_done(rec, 1)

    clock.now = day6 + 7 * M  # midnight has passed
    mark = rec.mark()
    p2 = bucket.put(day6, layout=layout)
    wait_done(rec, 2)
    p3 = bucket.put(day5 + timedelta(hours=23, minutes=55), layout=layout)  # late
    wait_done(rec, 3)
    p4 = bucket.put(day5 + timedelta(hours=23, minutes=40), layout=layout)  # later still
    wait_done(rec, 4)
    poll = rec.next_poll()
    folders = rec.next_poll(after=mark).folders  # a poll that began after the clock moved
    assert any("2024/03/06/" in f or "day=06/" in f for f in folders)
    assert any("2024/03/05/" in f or "day=05/" in f for f in poll.folders)
    assert poll.newest == day6

    clock.now = day6 + timedelta(hours=3)  # the previous day is now out of reach
    mark = rec.mark()
    poll = rec.next_poll()
    assert not any("2024/03/05/" in f or "day=05/" in f for f in poll.folders)
    p5 = bucket.put(day6 + timedelta(hours=2, minutes=55), layout=layout)
    wait_done(rec, 5)
    rec.next_poll()

    assert rec.done_keys() == [p1.name, p2.name, p3.name, p4.name, p5.name]
    assert all_lines(store) == expected(p1, p2, p3, p4, p5)


def test_an_object_that_fails_to_load_is_reported_and_the_tail_goes_on(
        tail: Any, raw_s3: Any) -> None:
    bucket = Bucket(raw_s3, "tail-failures")
    store = RecordStore()
    engine, rec = tail(bucket.url(REGION), store=store)
    baseline(rec)
    good_lines = synth.make_text_object(
        synth.generate_lines(40, seed=9, start=int((T - 10 * M).timestamp())),
        synth.DEFAULT_FIELDS)
    cut = bucket.put(T - 10 * M, flow_log_id=FL_A, body=good_lines[: len(good_lines) // 2])
    junk = bucket.put(T - 10 * M, flow_log_id=FL_B, body=b"\x00\x01 not a flow log\n")
    wait_done(rec, 2)
    good = bucket.put(T - 5 * M, flow_log_id=FL_A)
    wait_done(rec, 3)
    rec.next_poll(polls=2)

    problems = {e.ref.location.rpartition("/")[2]: e.error for e in rec.of(ObjectDone)
                if e.error}
    problems.update({e.ref.location.rpartition("/")[2]: e.reason for e in rec.failed()})
    assert set(problems) == {cut.name, junk.name}
    assert all(problems.values())
    assert rec.done_keys().count(cut.name) + [
        f.ref.location for f in rec.failed()].count(bucket.url(cut.key)) == 1
    assert all_lines(store)[-len(good.lines):] == list(good.lines)
    assert not rec.of(PollFailed)


def test_listing_errors_back_off_with_a_reason_and_recover(
        tail: Any, raw_s3: Any) -> None:
    name = "tail-not-yet"
    engine, rec = tail(f"s3://{name}/{REGION}", max_backoff=0.2)
    fails = [rec.wait_for(lambda e, n=n: isinstance(e, PollFailed) and e.failures == n)
             for n in (1, 2, 3)]
    assert "NoSuchBucket" in fails[0].reason and name in fails[0].reason
    assert "\n" not in fails[0].reason
    assert [f.retry_in for f in fails] == [0.1, 0.2, 0.2]
    bucket = Bucket(raw_s3, name)
    first = baseline(rec)
    assert first.newest is None and engine.failures == 0
    p = bucket.put(T - 5 * M)
    wait_done(rec, 1)
    assert rec.done_keys() == [p.name]


def test_pause_holds_rows_back_and_resume_delivers_them(tail: Any, raw_s3: Any) -> None:
    bucket = Bucket(raw_s3, "tail-pause")
    store = RecordStore()
    engine, rec = tail(bucket.url(REGION), store=store)
    baseline(rec)
    engine.pause()
    assert rec.wait_for(lambda e: isinstance(e, Paused)).held == 0
    p = bucket.put(T - 5 * M)
    held = rec.wait_for(lambda e: isinstance(e, PollDone) and e.held == len(p.lines))
    assert held.records == len(p.lines)
    assert len(store) == 0 and rec.batches() == [] and engine.held == len(p.lines)

    engine.resume()
    resumed = rec.wait_for(lambda e: isinstance(e, Resumed))
    assert (resumed.delivered, resumed.dropped) == (len(p.lines), 0)
    assert all_lines(store) == list(p.lines)
    assert sum(b.batch.num_rows for b in rec.batches()) == len(p.lines)
    q = bucket.put(T - 4 * M)
    wait_done(rec, 2)
    assert all_lines(store) == expected(p, q)


def test_keep_bounds_the_store_and_what_pause_holds(tail: Any, raw_s3: Any) -> None:
    bucket = Bucket(raw_s3, "tail-keep")
    store = RecordStore()
    engine, rec = tail(bucket.url(REGION), store=store, keep=30)
    baseline(rec)
    puts = [bucket.put(T - (15 - 5 * i) * M, n=20) for i in range(3)]
    wait_done(rec, 3)
    assert len(store) == 30 and store.dropped == 30
    assert all_lines(store) == expected(*puts)[-30:]

    engine.pause()
    more = [bucket.put(T - (4 - i) * M, n=20) for i in range(2)]
    rec.wait_for(lambda e: isinstance(e, PollDone) and e.held == 30)
    engine.resume()
    resumed = rec.wait_for(lambda e: isinstance(e, Resumed))
    assert (resumed.delivered, resumed.dropped) == (30, 10)
    assert all_lines(store) == expected(*more)[-30:]


def test_backfill_loads_the_newest_files_per_flow_log_at_the_start(
        tail: Any, raw_s3: Any) -> None:
    bucket = Bucket(raw_s3, "tail-backfill")
    for i in range(3):
        bucket.put(T - (30 - 5 * i) * M, flow_log_id=FL_A)
    newest_a = bucket.put(T - 10 * M, flow_log_id=FL_A)
    newest_b = bucket.put(T - 20 * M, flow_log_id=FL_B)
    bucket.put(T - 25 * M, flow_log_id=FL_B)  # sorts before newest_b in time only
    engine, rec = tail(bucket.url(REGION), backfill=1)
    first = baseline(rec)
    assert first.new_objects == 2
    rec.next_poll()
    assert rec.done_keys() == [newest_b.name, newest_a.name]  # by stamp


def test_a_prefix_inside_a_day_folder_follows_only_what_it_names(
        tail: Any, raw_s3: Any) -> None:
    bucket = Bucket(raw_s3, "tail-narrow")
    day = REGION + "2024/03/05/"
    engine, rec = tail(bucket.url(day + f"123456789012_vpcflowlogs_us-east-1_{FL_B}"))
    baseline(rec)
    bucket.put(T - 5 * M, flow_log_id=FL_A)
    b = bucket.put(T - 5 * M, flow_log_id=FL_B)
    bucket.put(T - 5 * M, flow_log_id="fl-0ccc")
    wait_done(rec, 1)
    poll = rec.next_poll(polls=2)
    assert rec.done_keys() == [b.name]
    assert poll.folders == (day,)


def test_stop_ends_the_thread_and_reports(tail: Any, raw_s3: Any) -> None:
    bucket = Bucket(raw_s3, "tail-stop")
    engine, rec = tail(bucket.url(REGION), interval=3600)  # waiting a long time
    baseline(rec)
    assert engine.stop(timeout=5)
    stopped = rec.wait_for(lambda e: isinstance(e, TailStopped))
    assert stopped.polls == 1
    assert tail_threads() == []


def test_poll_now_cuts_the_wait_short(tail: Any, raw_s3: Any) -> None:
    bucket = Bucket(raw_s3, "tail-poll-now")
    engine, rec = tail(bucket.url(REGION), interval=3600)
    baseline(rec)
    p = bucket.put(T - 5 * M)
    engine.poll_now()
    wait_done(rec, 1)
    assert rec.done_keys() == [p.name]


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        TailEngine("s3://b/", client=None, on_event=print, interval=0)
    with pytest.raises(ValueError):
        TailEngine("s3://b/", client=None, on_event=print, keep=0)
    with pytest.raises(ValueError):
        TailEngine("b/prefix", client=None, on_event=print)



def test_poll_done_says_when_the_newest_file_was_delivered(tail: Any, raw_s3: Any) -> None:
    bucket = Bucket(raw_s3, "tail-delivered")
    bucket.put(T - 15 * M)
    put = bucket.put(T - 10 * M)
    engine, rec = tail(bucket.url(REGION), interval=3600)
    first = baseline(rec)
    head = raw_s3.head_object(Bucket=bucket.name, Key=put.key)
    assert first.newest == T - 10 * M and first.delivered == head["LastModified"]


def test_a_file_delivered_out_of_order_is_counted_as_late(tail: Any, raw_s3: Any) -> None:
    """A file stamped before the newest already shown (AWS delivers best effort, so a late
    or out-of-order file is normal: reference §6) is loaded after newer ones, so a printed
    tail shows its records after later records. The poll says how many came late and the
    oldest stamp among them; a second file for the newest 5 minutes is not late."""
    from flowtui.cli.tail import status_line

    bucket = Bucket(raw_s3, "tail-late")
    bucket.put(T - 15 * M)
    engine, rec = tail(bucket.url(REGION), interval=3600, sweep_every=3600)
    baseline(rec)

    def poll(sweep: bool = False) -> PollDone:
        mark = rec.mark()
        engine.poll_now(sweep=sweep)
        return rec.wait_for(lambda e: isinstance(e, PollDone), after=mark)

    bucket.put(T - 5 * M, hash="dddddddd")
    assert poll().late == 0
    bucket.put(T - 25 * M)
    bucket.put(T - 20 * M)
    bucket.put(T - 5 * M, hash="00000002")  # the newest 5 minutes again: not late
    # another flow log's file, on time, stamped before the first one's newest: not late
    bucket.put(T - 10 * M, flow_log_id="fl-0bbb2222cccc3333d")
    swept = poll(sweep=True)
    assert (swept.new_objects, swept.late, swept.late_oldest) == (4, 2, T - 25 * M)
    assert status_line(swept).startswith(
        "poll 3: 4 new files, 80 records (2 delivered late, stamped from 2024-03-05 13:55 "
        "UTC: their records come after newer ones); newest file 2024-03-05 14:15 UTC")
    bucket.put(T - 8 * M, flow_log_id="fl-0bbb2222cccc3333d")  # its next one: on time
    assert poll(sweep=True).late == 0


def test_a_file_delivered_later_than_the_lookback_is_said_not_read(tail: Any,
                                                                    raw_s3: Any) -> None:
    """AWS delivers best effort (reference §6): a file can land hours after its window. A
    sweep lists a flow log only from its newest stamp less the lookback (1 hour), so a file
    stamped before that is never read, and nothing said so. When a listing meets one (here
    the folder's first file of the flow log, which every sweep lists) the poll says it once,
    with the oldest stamp; a late file within the lookback is still read, not "missed"."""
    from flowtui.cli.tail import status_line
    from flowtui.tail import LOOKBACK

    assert LOOKBACK == 60 * M
    bucket = Bucket(raw_s3, "tail-missed")
    bucket.put(T - 50 * M)
    bucket.put(T)
    engine, rec = tail(bucket.url(REGION), interval=3600, sweep_every=3600)
    baseline(rec)

    def sweep() -> PollDone:
        mark = rec.mark()
        engine.poll_now(sweep=True)
        return rec.wait_for(lambda e: isinstance(e, PollDone), after=mark)

    bucket.put(T - 70 * M)  # 13:10, behind 14:20 less an hour: never read
    bucket.put(T - 55 * M)  # 13:25: late, within the lookback, read
    swept = sweep()
    assert (swept.new_objects, swept.late, swept.missed, swept.missed_oldest) == (
        1, 1, 1, T - 70 * M)
    assert status_line(swept).endswith(
        "; 1 file stamped from 2024-03-05 13:10 UTC was delivered more than 1 hour behind its "
        "flow log's newest file: not read (a tail looks back 1 hour; flowtui cat reads them)")
    again = sweep()  # the listing meets it again: said once
    assert (again.new_objects, again.missed) == (0, 0)
    assert "not read" not in status_line(again)
