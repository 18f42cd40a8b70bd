"""Streaming reads: every byte once, in order, across dropped and stalled connections."""

import io
import threading
import time
from typing import Any

import pyarrow.parquet as pq
import pytest

from flowtui.s3.errors import ObjectChanged
from flowtui.s3.reader import Cancelled, ObjectStream, RangeFile
from flowtui.s3.session import make_client


def _read(stream: ObjectStream) -> bytes:
    return b"".join(stream)


def test_uncut_read_gives_the_object(s3_server: Any, s3_client: Any) -> None:
    big = s3_server.find("big")
    stream = ObjectStream(s3_client, big.bucket, big.key, chunk_size=64 * 1024)
    assert _read(stream) == big.body
    assert stream.size == len(big.body) and stream.resumes == 0 and stream.requests == 1


def test_cut_connections_resume_from_the_next_byte(
    s3_server: Any, fault_proxy: Any, proxy_client: Any
) -> None:
    big = s3_server.find("big")
    fault_proxy.cut_after(100_000)
    fault_proxy.cut_after(7)  # the resumed read is cut too, almost at once
    fault_proxy.cut_after(300_001)
    stream = ObjectStream(proxy_client, big.bucket, big.key)
    assert _read(stream) == big.body
    assert stream.resumes == 3
    ranges = [r.headers.get("range") for r in fault_proxy.requests]
    assert ranges == [None, "bytes=100000-", "bytes=100007-", "bytes=400008-"]
    assert all(r.headers.get("if-match") == stream.etag for r in fault_proxy.requests[1:])
    assert set(fault_proxy.operations()) == {"GetObject"}


def test_a_stalled_connection_times_out_and_resumes(
    s3_server: Any, fault_proxy: Any, stall_client: Any
) -> None:
    big = s3_server.find("big")
    fault_proxy.stall_after(50_000)
    stream = ObjectStream(stall_client, big.bucket, big.key, chunk_size=16384)
    assert _read(stream) == big.body
    assert stream.resumes == 1
    # whole chunks before the stall were kept; the read resumed after the last of them
    assert fault_proxy.requests[1].headers["range"] == f"bytes={50_000 // 16384 * 16384}-"


def test_slowdown_is_retried(s3_server: Any, fault_proxy: Any, proxy_client: Any) -> None:
    obj = s3_server.find("custom")
    fault_proxy.slow_down(times=2)
    assert _read(ObjectStream(proxy_client, obj.bucket, obj.key)) == obj.body
    assert fault_proxy.operations() == ["GetObject"] * 3


def test_a_replaced_object_is_a_clear_error(
    s3_server: Any, raw_s3: Any, fault_proxy: Any, proxy_client: Any
) -> None:
    big = s3_server.find("big")
    raw_s3.create_bucket(Bucket="replaced-midway")
    raw_s3.put_object(Bucket="replaced-midway", Key="k.log.gz", Body=big.body)
    fault_proxy.cut_after(200_000)
    stream = iter(ObjectStream(proxy_client, "replaced-midway", "k.log.gz", chunk_size=65536))
    next(stream)
    raw_s3.put_object(Bucket="replaced-midway", Key="k.log.gz", Body=big.body[::-1])
    with pytest.raises(ObjectChanged, match="replaced while it was being read"):
        for _ in stream:
            pass
    assert fault_proxy.requests[-1].headers.get("if-match")


def test_abort_breaks_a_stalled_read_at_once(
    s3_server: Any, fault_proxy: Any
) -> None:
    client = make_client(endpoint_url=fault_proxy.url, read_timeout=60)
    big = s3_server.find("big")
    fault_proxy.stall_after(10_000)
    stream = ObjectStream(client, big.bucket, big.key)
    outcome: list[BaseException] = []

    def read() -> None:
        try:
            _read(stream)
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            outcome.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    assert fault_proxy.stalled.wait(10)
    started = time.monotonic()
    stream.cancel.set()
    stream.abort()
    reader.join(10)
    assert not reader.is_alive()
    assert time.monotonic() - started < 5  # not the 60 s read timeout
    assert outcome and isinstance(outcome[0], Cancelled)


def test_parquet_reads_through_ranged_gets(
    s3_server: Any, fault_proxy: Any, proxy_client: Any
) -> None:
    obj = s3_server.find("parquet")
    f = RangeFile(proxy_client, obj.bucket, obj.key, block_size=4096)
    table = pq.ParquetFile(f).read()
    assert table.equals(pq.read_table(io.BytesIO(obj.body)))
    assert table.num_rows == len(obj.lines)
    ops = fault_proxy.operations()
    assert ops[0] == "HeadObject" and set(ops[1:]) == {"GetObject"}
    assert all(r.headers.get("range") for r in fault_proxy.requests[1:])
    assert all(r.headers.get("if-match") == f.etag for r in fault_proxy.requests[1:])


def test_range_file_resumes_a_cut_range(
    s3_server: Any, fault_proxy: Any, proxy_client: Any
) -> None:
    big = s3_server.find("big")
    f = RangeFile(proxy_client, big.bucket, big.key, block_size=256 * 1024)
    fault_proxy.cut_after(1000)
    f.seek(-300_000, io.SEEK_END)
    assert f.read(250_000) == big.body[-300_000:-50_000]
    f.seek(5)
    assert f.read(10) == big.body[5:15]
    assert f.read(0) == b"" and f.tell() == 15
