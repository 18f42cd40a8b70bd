"""S3 loading benchmark: flowtui's loader against plain boto3 get_object + zlib, same bytes,
same run, from a moto server on loopback (in its own process, so it does not share our GIL).

Measured, best of ``--repeat``:
- one 1M-record object: time to the first batch in the store, and total load time;
- 50 objects (the same 1M records cut in 50): loaded one at a time, and concurrently.
Each figure is also given as a ratio to the baseline (flowtui time / baseline time: 1.00 means
as fast as just downloading and gunzipping; the parser and store cost the rest).

    python bench/bench_s3.py [--records 1000000] [--objects 50] [--concurrency 4] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loopback import isolate_aws_env, moto_process  # noqa: E402

isolate_aws_env()

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

from flowtui.fields import DEFAULT_FIELDS  # noqa: E402
from flowtui.loader import BatchLoaded, Loader, ObjectRef  # noqa: E402
from flowtui.memory import prefer_compact_memory  # noqa: E402
from flowtui.s3.session import make_client  # noqa: E402
from flowtui.store import RecordStore  # noqa: E402
from flowtui.synth import generate_lines, make_text_object  # noqa: E402

DATA = ROOT / "bench" / "data"
CHUNK = 256 * 1024  # the loader's default read size; the baseline reads the same
BUCKET = "bench-flowlogs"


def sample_lines(records: int) -> list[str]:
    path = DATA / f"s3-default-{records}.txt"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        lines = generate_lines(records, seed=2024, interfaces=200, span=3600)
        path.write_text("\n".join(lines) + "\n")
    return path.read_text().splitlines()


def key(i: int) -> str:
    return (f"AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/03/05/123456789012_vpcflowlogs_"
            f"us-east-1_fl-0bench_20240305T{i // 12:02d}{i % 12 * 5:02d}Z_{i:08x}.log.gz")


def baseline_one(client, k: str, first: list[float], started: float) -> int:
    body = client.get_object(Bucket=BUCKET, Key=k)["Body"]
    inflater = zlib.decompressobj(wbits=31)
    out = 0
    while chunk := body.read(CHUNK):
        text = inflater.decompress(chunk)
        if text and not first:
            first.append(time.perf_counter() - started)
        out += len(text)
    return out


def baseline(client, keys: list[str], concurrency: int = 1) -> tuple[float, float]:
    first: list[float] = []
    started = time.perf_counter()
    if concurrency == 1:
        for k in keys:
            baseline_one(client, k, first, started)
    else:
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(lambda k: baseline_one(client, k, first, started), keys))
    return time.perf_counter() - started, first[0]


def flowtui_load(client, keys: list[str], concurrency: int) -> tuple[float, float, int]:
    store = RecordStore()
    first: list[float] = []
    started = time.perf_counter()

    def on_event(event) -> None:
        if isinstance(event, BatchLoaded) and not first:
            first.append(time.perf_counter() - started)

    refs = [ObjectRef(f"s3://{BUCKET}/{k}") for k in keys]
    Loader(store, client=client, concurrency=concurrency, chunk_size=CHUNK).run(
        refs, on_event, threading.Event())
    return time.perf_counter() - started, first[0], len(store)


def best(repeat: int, work):
    results = []
    for _ in range(repeat):
        gc.collect()
        results.append(work())
    return min(results, key=lambda r: r[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--objects", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    prefer_compact_memory()

    lines = sample_lines(args.records)
    with moto_process() as (_server, port):
        endpoint = f"http://127.0.0.1:{int(port)}"
        plain = boto3.client("s3", endpoint_url=endpoint, config=Config(
            s3={"addressing_style": "path"}, max_pool_connections=32,
            response_checksum_validation="when_required"))
        ours = make_client(endpoint_url=endpoint, max_pool_connections=32)
        plain.create_bucket(Bucket=BUCKET)
        big_key = key(0).replace("_00000000.log.gz", "_big.log.gz")
        big = make_text_object(lines, DEFAULT_FIELDS)
        plain.put_object(Bucket=BUCKET, Key=big_key, Body=big)
        per = -(-len(lines) // args.objects)
        small_keys = [key(i) for i in range(args.objects)]
        small_bytes = 0
        for i, k in enumerate(small_keys):
            body = make_text_object(lines[i * per:(i + 1) * per], DEFAULT_FIELDS)
            small_bytes += len(body)
            plain.put_object(Bucket=BUCKET, Key=k, Body=body)

        print(f"loopback moto S3 (separate process); {len(lines):,} records; "
              f"chunk {CHUNK // 1024} KiB; best of {args.repeat}; {os.cpu_count()} CPUs")
        b_total, b_first = best(args.repeat, lambda: baseline(plain, [big_key]))
        f_total, f_first, n = best(args.repeat, lambda: flowtui_load(ours, [big_key], 1))
        assert n == len(lines), (n, len(lines))
        print(f"\none object, {len(big) / 1e6:.1f} MB gzip:")
        print(f"  baseline get_object + zlib:  first bytes {b_first * 1000:7.1f} ms   "
              f"total {b_total:6.2f} s")
        print(f"  flowtui loader -> store:     first batch {f_first * 1000:7.1f} ms   "
              f"total {f_total:6.2f} s   {n / f_total / 1e6:.2f} M rec/s")
        print(f"  ratio flowtui/baseline:      first {f_first / b_first:5.2f}            "
              f"total {f_total / b_total:5.2f}")

        print(f"\n{args.objects} objects, {small_bytes / 1e6:.1f} MB gzip in all:")
        s_total, _ = best(args.repeat, lambda: baseline(plain, small_keys))
        c_base, _ = best(args.repeat, lambda: baseline(plain, small_keys, args.concurrency))
        print(f"  baseline sequential:         {s_total:6.2f} s")
        print(f"  baseline {args.concurrency} threads:           {c_base:6.2f} s")
        for conc in (1, args.concurrency):
            total, first, n = best(args.repeat, lambda c=conc: flowtui_load(ours, small_keys, c))
            assert n == len(lines), (n, len(lines))
            label = "sequential" if conc == 1 else f"concurrency {conc}"
            print(f"  flowtui {label:<19} {total:6.2f} s   first batch {first * 1000:6.1f} ms"
                  f"   ratio to baseline sequential {total / s_total:5.2f}"
                  + ("" if conc == 1 else f", to baseline {conc} threads {total / c_base:5.2f}"))


if __name__ == "__main__":
    main()
