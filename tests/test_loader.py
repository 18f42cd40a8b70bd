"""The loader: S3 and local objects into the store, concurrently but in key order, with
failures reported per object and a cancel that leaves nothing running."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from flowtui.loader import (
    BatchLoaded,
    Loader,
    LoadError,
    LoadFinished,
    LoadProgress,
    ObjectDone,
    ObjectFailed,
    ObjectRef,
    ObjectStarted,
    resolve,
)
from flowtui.parquet import iter_parquet_batches
from flowtui.parser import parse_bytes
from flowtui.s3.session import ALLOWED_OPERATIONS, make_client
from flowtui.store import RecordStore

DAY_PREFIX = "AWSLogs/111111111111/vpcflowlogs/us-east-1/2024/03/05/"


class Recorder:
    """Collects events (from worker threads) and lets a test react to them."""

    def __init__(self, on: Any = None) -> None:
        self.events: list[Any] = []
        self.threads: set[str] = set()
        self.lock = threading.Lock()
        self.on = on

    def __call__(self, event: Any) -> None:
        with self.lock:
            self.events.append(event)
            self.threads.add(threading.current_thread().name)
        if self.on is not None:
            self.on(event)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


def expected_store(objects: list[Any]) -> RecordStore:
    """What loading ``objects`` must give: each parsed on its own, appended in order."""
    store = RecordStore()
    for obj in objects:
        if obj.fmt == "parquet":
            import io

            batches = list(iter_parquet_batches(io.BytesIO(obj.body)))
        else:
            batches, _ = parse_bytes(obj.body)
        for batch in batches:
            store.append(batch, obj.url)
    return store


def same_records(a: RecordStore, b: RecordStore) -> bool:
    return (len(a) == len(b) and a.rows(0, len(a)) == b.rows(0, len(b))
            and [a.source(i) for i in range(0, len(a), 97)]
            == [b.source(i) for i in range(0, len(b), 97)])


def load(refs: list[ObjectRef], client: Any, **kw: Any) -> tuple[RecordStore, Recorder, Any]:
    store = RecordStore()
    rec = Recorder()
    progress = Loader(store, client=client, **kw).run(refs, rec, threading.Event())
    return store, rec, progress


def test_a_day_folder_loads_every_record_in_key_order(s3_server: Any, s3_client: Any) -> None:
    refs = resolve([f"s3://{s3_server.main_bucket}/{DAY_PREFIX}"], client=s3_client)
    objects = s3_server.under(s3_server.main_bucket, DAY_PREFIX)
    assert [r.location for r in refs] == [o.url for o in objects]
    store, rec, progress = load(refs, s3_client, concurrency=3)
    assert same_records(store, expected_store(objects))
    assert len(store) == sum(len(o.lines) for o in objects)
    # per object: started, batches, done; objects in key order
    order = [(type(e).__name__, e.ref.location) for e in rec.events
             if isinstance(e, (ObjectStarted, ObjectDone))]
    assert order == [(kind, o.url) for o in objects for kind in ("ObjectStarted", "ObjectDone")]
    assert isinstance(rec.events[-1], LoadFinished) and not rec.events[-1].cancelled
    assert progress == rec.events[-1].progress
    assert progress.objects_done == progress.objects_total == len(objects)
    assert progress.records == len(store) and progress.errors == 0
    assert progress.bytes_read == progress.bytes_total == sum(len(o.body) for o in objects)
    # object events come from the loader's workers; LoadFinished from the thread calling run
    assert {n for n in rec.threads if not n.startswith("flowtui-load-")} == {
        threading.current_thread().name}


def test_a_cut_read_gives_exactly_the_records_of_an_uncut_read(
    s3_server: Any, s3_client: Any, fault_proxy: Any, proxy_client: Any
) -> None:
    big = s3_server.find("big")
    refs = [ObjectRef(big.url)]
    uncut, _, _ = load(refs, s3_client)
    for offset in (150_000, 1, 400_000):
        fault_proxy.cut_after(offset)
    cut, rec, progress = load(refs, proxy_client, chunk_size=32 * 1024)
    assert len(fault_proxy.requests) == 4  # three resumes
    assert same_records(cut, uncut)
    assert len(cut) == len(big.lines) and progress.bytes_read == len(big.body)
    assert rec.of(ObjectDone)[0].error is None


def test_slowdown_during_a_load_is_retried(
    s3_server: Any, fault_proxy: Any, proxy_client: Any
) -> None:
    objects = s3_server.under(s3_server.main_bucket, DAY_PREFIX)
    fault_proxy.slow_down(times=2)
    store, rec, progress = load([ObjectRef(o.url) for o in objects], proxy_client)
    assert progress.errors == 0 and len(store) == sum(len(o.lines) for o in objects)
    assert fault_proxy.operations().count("GetObject") == len(objects) + 2


def test_failing_objects_are_reported_while_the_rest_load(
    s3_server: Any, raw_s3: Any, fault_proxy: Any, proxy_client: Any
) -> None:
    good = s3_server.under(s3_server.main_bucket, DAY_PREFIX)[:3]
    denied = s3_server.find("custom")
    corrupt = s3_server.find("corrupt")
    raw_s3.create_bucket(Bucket="vanishing")
    raw_s3.put_object(Bucket="vanishing", Key="AWSLogs/gone.log.gz", Body=good[0].body)
    refs = resolve(["s3://vanishing/AWSLogs/gone.log.gz"], client=proxy_client)
    raw_s3.delete_object(Bucket="vanishing", Key="AWSLogs/gone.log.gz")  # after the listing
    refs += [ObjectRef(good[0].url), ObjectRef(denied.url), ObjectRef(corrupt.url),
             ObjectRef(good[1].url), ObjectRef(good[2].url)]
    fault_proxy.answer(403, "AccessDenied", match=lambda r: r.key == denied.key, times=9)
    store, rec, progress = load(refs, proxy_client, concurrency=2)
    failed = {e.ref.location: e.reason for e in rec.of(ObjectFailed)}
    assert failed == {
        "s3://vanishing/AWSLogs/gone.log.gz":
            "s3://vanishing/AWSLogs/gone.log.gz does not exist (deleted since it was listed?)",
        denied.url: f"Access denied: s3:GetObject on arn:aws:s3:::{denied.bucket}/{denied.key} "
                    "is not allowed: ask for it in your IAM or bucket policy",
    }
    done = {e.ref.location: e for e in rec.of(ObjectDone)}
    assert done[corrupt.url].error and "truncated" in done[corrupt.url].error
    assert 0 < done[corrupt.url].records < len(corrupt.lines)  # the records before the cut
    assert all(done[o.url].error is None and done[o.url].records == len(o.lines) for o in good)
    assert progress.errors == 3 and progress.objects_done == len(refs)
    assert len(store) == sum(len(o.lines) for o in good) + done[corrupt.url].records


def test_cancel_mid_load_stops_and_leaves_no_thread(
    s3_server: Any, s3_client: Any
) -> None:
    cancel = threading.Event()
    big = s3_server.find("big")
    others = s3_server.under(s3_server.main_bucket, DAY_PREFIX)
    refs = [ObjectRef(big.url)] + [ObjectRef(o.url) for o in others]
    before = set(threading.enumerate())

    def on(event: Any) -> None:
        if isinstance(event, BatchLoaded):
            cancel.set()

    rec = Recorder(on)
    store = RecordStore()
    progress = Loader(store, client=s3_client, concurrency=4, chunk_size=16 * 1024).run(
        refs, rec, cancel)
    assert isinstance(rec.events[-1], LoadFinished) and rec.events[-1].cancelled
    assert len(rec.of(BatchLoaded)) == 1 and rec.of(ObjectDone) == []
    assert 0 < len(store) < len(big.lines) and progress.records == len(store)
    left = [t for t in set(threading.enumerate()) - before
            if t.is_alive() and "process_request_thread" not in t.name]
    assert left == []


def test_cancel_cuts_a_stalled_connection(s3_server: Any, fault_proxy: Any) -> None:
    client = make_client(endpoint_url=fault_proxy.url, read_timeout=60)
    big = s3_server.find("big")
    fault_proxy.stall_after(20_000)
    cancel = threading.Event()
    done = threading.Event()
    result: list[Any] = []
    rec = Recorder()

    def run() -> None:
        result.append(Loader(RecordStore(), client=client).run([ObjectRef(big.url)], rec, cancel))
        done.set()

    worker = threading.Thread(target=run)
    worker.start()
    assert fault_proxy.stalled.wait(10)
    cancel.set()
    assert done.wait(10)  # not the 60 s read timeout (a margin a loaded machine keeps)
    worker.join()
    assert rec.events[-1].cancelled
    assert not any(t.name.startswith("flowtui-") for t in threading.enumerate())


def test_concurrent_fetches_still_deliver_in_key_order(
    s3_server: Any, fault_proxy: Any, stall_client: Any
) -> None:
    objects = s3_server.under(s3_server.main_bucket, DAY_PREFIX)
    first = objects[0]
    fault_proxy.stall_after(100, match=lambda r: r.key == first.key)  # the head is slow
    store, rec, _ = load([ObjectRef(o.url) for o in objects], stall_client, concurrency=4)
    assert [e.ref.location for e in rec.of(ObjectDone)] == [o.url for o in objects]
    assert same_records(store, expected_store(objects))
    # the other objects were fetched while the first one stalled
    gets = [r.key for r in fault_proxy.requests if r.operation == "GetObject"]
    retried = [i for i, key in enumerate(gets) if key == first.key][1]
    assert set(gets[:retried]) >= {o.key for o in objects[1:4]}


def test_window_load_sends_only_read_calls_and_keeps_overlapping_records(
    s3_server: Any, fault_proxy: Any, proxy_client: Any
) -> None:
    since = s3_server.day.replace(hour=14, minute=2)
    until = s3_server.day.replace(hour=14, minute=4)
    refs = resolve([f"s3://{s3_server.main_bucket}/"], client=proxy_client, since=since,
                   until=until)
    keys = {r.location.rpartition("/")[2] for r in refs}
    assert len(keys) == 14 and any(k.endswith(".parquet") for k in keys)
    store, rec, progress = load(refs, proxy_client, since=since, until=until)
    assert set(fault_proxy.operations()) <= ALLOWED_OPERATIONS
    assert progress.errors == 0 and len(store) > 0
    t0, t1 = int(since.timestamp()), int(until.timestamp())
    rows = store.rows(0, len(store))
    assert all(r["end"] >= t0 and r["start"] <= t1 for r in rows)
    assert "pkt-srcaddr" in store.columns  # the custom-format object was among them


def test_parquet_object_from_s3_matches_its_records(s3_server: Any, s3_client: Any) -> None:
    obj = s3_server.find("parquet")
    store, rec, _ = load([ObjectRef(obj.url)], s3_client)
    assert same_records(store, expected_store([obj]))
    assert len(store) == len(obj.lines) and rec.of(ObjectDone)[0].error is None


def test_a_prefix_without_a_window_is_refused_above_the_day_level(
    s3_server: Any, s3_client: Any
) -> None:
    with pytest.raises(LoadError, match="spans many days of flow logs: give a time window"):
        resolve([f"s3://{s3_server.main_bucket}/AWSLogs/111111111111/"], client=s3_client)


def test_the_first_batch_arrives_before_the_object_ends(
    s3_server: Any, s3_client: Any
) -> None:
    big = s3_server.find("big")
    rec = Recorder()
    Loader(None, client=s3_client, chunk_size=64 * 1024).run([ObjectRef(big.url)], rec,
                                                           threading.Event())
    first = next(i for i, e in enumerate(rec.events) if isinstance(e, BatchLoaded))
    progress_before = [e for e in rec.events[:first] if isinstance(e, LoadProgress)]
    assert progress_before == []  # nothing finished before the first records were out
    assert len(rec.of(BatchLoaded)) > 3


# --- local files -----------------------------------------------------------------------------


@pytest.fixture()
def local_tree(s3_server: Any, tmp_path: Path) -> Path:
    """The seeded bucket as ``aws s3 sync`` would copy it."""
    for obj in s3_server.objects:
        if obj.bucket == s3_server.main_bucket:
            path = tmp_path / obj.key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(obj.body)
    return tmp_path


def test_local_folder_loads_recursively_in_key_order(s3_server: Any, local_tree: Path) -> None:
    refs = resolve([str(local_tree / "team")])
    objects = s3_server.under(s3_server.main_bucket, "team/")
    assert [Path(r.location).relative_to(local_tree).as_posix() for r in refs] == [
        o.key for o in objects]
    store, rec, progress = load(refs, None)
    assert len(store) == sum(len(o.lines) for o in objects)
    assert [e.ref for e in rec.of(ObjectDone)] == refs and progress.errors == 0


def test_local_window_uses_file_names_and_reads_parquet(
    s3_server: Any, local_tree: Path
) -> None:
    since = s3_server.day.replace(hour=14, minute=11)
    refs = resolve([str(local_tree / "tgw")], since=since, until=since + timedelta(minutes=1))
    assert [Path(r.location).suffix for r in refs] == [".parquet"]  # 14:00 file ends too early
    store, _, _ = load(refs, None)
    assert len(store) > 0


def test_missing_local_path_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no such file or folder"):
        resolve([str(tmp_path / "nope")])


def test_window_bounds_are_utc() -> None:
    # guard against naive datetimes sneaking into the window arithmetic
    since = datetime(2024, 3, 5, 14, tzinfo=UTC)
    assert since.utcoffset() == timedelta(0)
