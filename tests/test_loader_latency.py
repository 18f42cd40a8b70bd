"""The loader against S3 with real-world latency (the fault proxy's latency mode): many
small objects in flight at once, records still in key order, objects that finish early
hold a bounded number of bytes while they wait for their turn, and only a few objects are
inflated and parsed at once however many are fetched."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from flowtui import loader as loader_module
from flowtui.loader import BatchLoaded, Loader, ObjectRef, choose_concurrency
from flowtui.parser import FlowLogParser, parse_bytes
from flowtui.store import RecordStore
from tests.conftest import DAY, flow_lines, text_object

BUCKET = "flowlogs-latency"


def put_objects(raw_s3: Any, count: int, records: int) -> list[tuple[ObjectRef, bytes]]:
    raw_s3.create_bucket(Bucket=BUCKET)
    out = []
    for i in range(count):
        key = f"AWSLogs/333333333333/vpcflowlogs/us-east-1/2024/03/05/obj-{i:04d}.log.gz"
        lines = flow_lines(records, seed=900 + i, account="333333333333", stamp=DAY)
        body = text_object(lines)
        raw_s3.put_object(Bucket=BUCKET, Key=key, Body=body)
        out.append((ObjectRef(f"s3://{BUCKET}/{key}", len(body)), body))
    return out


def expected_rows(objects: list[tuple[ObjectRef, bytes]]) -> list[dict[str, object]]:
    """Each object parsed on its own, in key order: what the store must hold."""
    store = RecordStore()
    for ref, body in objects:
        for batch in parse_bytes(body)[0]:
            store.append(batch, ref.location)
    return store.rows(0, len(store))


def sources_in_order(store: RecordStore) -> list[str]:
    seen: list[str] = []
    for i in range(len(store)):
        source = store.source(i)
        if not seen or seen[-1] != source:
            seen.append(source)
    return seen


def test_many_small_objects_in_flight_still_reach_the_store_in_key_order(
    raw_s3: Any, fault_proxy: Any, proxy_client: Any
) -> None:
    objects = put_objects(raw_s3, 24, 50)
    refs = [ref for ref, _ in objects]
    # Later keys answer sooner, so the downloads finish roughly in reverse key order.
    order = {ref.location.partition(f"{BUCKET}/")[2]: i for i, ref in enumerate(refs)}
    fault_proxy.latency(lambda r: 0.02 + 0.01 * (len(refs) - order.get(r.key, 0)))
    store = RecordStore()
    batches: list[str] = []
    loader = Loader(store, client=proxy_client)
    loader.run(refs, lambda e: batches.append(e.ref.location)
               if isinstance(e, BatchLoaded) else None, threading.Event())
    assert loader.chosen == choose_concurrency(refs) == len(refs)  # small: all of them at once
    assert fault_proxy.peak_in_flight > 4  # more than the old fixed concurrency
    assert sources_in_order(store) == [ref.location for ref in refs]
    assert list(dict.fromkeys(batches)) == [ref.location for ref in refs]
    assert store.rows(0, len(store)) == expected_rows(objects)


def test_objects_waiting_for_their_turn_hold_a_bounded_number_of_bytes(
    raw_s3: Any, fault_proxy: Any, proxy_client: Any
) -> None:
    objects = put_objects(raw_s3, 12, 400)
    refs = [ref for ref, _ in objects]
    head_key = refs[0].location.partition(f"{BUCKET}/")[2]
    fault_proxy.stall_after(0, match=lambda r: r.operation == "GetObject" and r.key == head_key)
    store = RecordStore()
    loader = Loader(store, client=proxy_client, concurrency=12, max_buffered=40_000)
    done = threading.Event()
    worker = threading.Thread(target=lambda: (loader.run(refs, lambda e: None,
                                                         threading.Event()), done.set()))
    worker.start()
    try:
        # While the first object stalls, the others load until the budget stops them.
        deadline = time.monotonic() + 60
        while loader.waits_for_room == 0 and not done.is_set():
            assert time.monotonic() < deadline, "no worker ever waited for room"
            time.sleep(0.01)
        assert not done.is_set() and len(store) == 0  # nothing passes the stalled head
        assert loader.buffered_bytes <= loader.max_buffered
    finally:
        fault_proxy.release()
        worker.join(60)
    assert done.is_set()
    assert 0 < loader.peak_buffered_bytes <= loader.max_buffered
    assert store.rows(0, len(store)) == expected_rows(objects)
    assert sources_in_order(store) == [ref.location for ref in refs]


def test_objects_fetched_at_once_are_parsed_a_few_at_a_time(
    raw_s3: Any, fault_proxy: Any, proxy_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Requests overlap (each waits on the network), parses do not pile up: an object is
    inflated and parsed only with one of ``parse_turns`` turns, or as the head of the key
    order, so at most ``parse_turns + 1`` objects hold their text and Arrow buffers at once
    whatever the concurrency (issue 21: `top` of a 288-object day folder, 32 fetched at
    once, peaked 25-35 MB higher than fetching them one by one)."""
    objects = put_objects(raw_s3, 16, 3000)  # ~80 kB each: two paced slices
    refs = [ref for ref, _ in objects]
    # Each body's second 64 kB slice comes ~0.2 s after its first: an object is being
    # parsed from its first chunk until its parser is closed, so parses would overlap.
    fault_proxy.latency(0.02, rate=300e3)
    lock = threading.Lock()
    parsing = [0, 0]  # now, the most at once

    class Counted(FlowLogParser):
        counted = False

        def stream(self, chunk: bytes, *, wait: bool = True) -> Any:
            if not self.counted:
                self.counted = True
                with lock:
                    parsing[0] += 1
                    parsing[1] = max(parsing[1], parsing[0])
            yield from super().stream(chunk, wait=wait)

        def close(self) -> None:
            if self.counted:
                self.counted = False
                with lock:
                    parsing[0] -= 1
            super().close()

    monkeypatch.setattr(loader_module, "FlowLogParser", Counted)
    store = RecordStore()
    loader = Loader(store, client=proxy_client, concurrency=16, parse_turns=2)
    loader.run(refs, lambda e: None, threading.Event())
    assert fault_proxy.peak_in_flight >= 6  # the requests still overlap
    assert 1 <= parsing[1] <= 3  # two turns and the head
    assert loader.peak_parsing <= 2
    assert sources_in_order(store) == [ref.location for ref in refs]
    assert store.rows(0, len(store)) == expected_rows(objects)


def test_concurrency_follows_the_objects_and_can_be_overridden() -> None:
    def s3(count: int, size: int) -> list[ObjectRef]:
        return [ObjectRef(f"s3://b/k{i}", size) for i in range(count)]

    assert choose_concurrency(s3(2000, 12_000), cores=2) == 32  # latency-bound: many in flight
    # A day folder of 80 KB objects: what two cores parse while the requests wait for their
    # first byte, not 32 (as fast behind 40 ms of latency; each thread held memory).
    assert choose_concurrency(s3(288, 80_000), cores=2) == 15
    assert choose_concurrency(s3(288, 80_000), cores=8) == 32
    assert choose_concurrency(s3(10, 12_000), cores=2) == 10  # never more than the objects
    assert choose_concurrency(s3(50, 24 << 20), cores=2) == 2  # large: one per core
    assert choose_concurrency(s3(50, 24 << 20), cores=8) == 8
    assert choose_concurrency(s3(50, 4 << 20), cores=2) == 3  # in between
    assert choose_concurrency(s3(50, 4 << 20), cores=8) == 8
    assert choose_concurrency([ObjectRef(f"/logs/{i}.gz", 1000) for i in range(50)],
                              cores=2) == 2  # local files: CPU only
    assert choose_concurrency(s3(1, 1000)) == 1
    loader = Loader(None, concurrency=3)
    loader.run([], lambda e: None, threading.Event())
    assert loader.chosen == 3
