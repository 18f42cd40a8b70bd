"""S3 loading benchmark: flowtui's loader against plain boto3 get_object + zlib, same bytes,
same run, from a moto server on loopback (in its own process, so it does not share our GIL).

Measured, best of ``--repeat``:
- one 1M-record object: time to the first batch in the store, and total load time;
- 50 objects (the same 1M records cut in 50): loaded one at a time, and concurrently.
Each figure is also given as a ratio to the baseline (flowtui time / baseline time: 1.00 means
as fast as just downloading and gunzipping; the parser and store cost the rest).

Then the same records through the fault proxy's latency mode (bench/latency.py: each GET's
first byte 40 ms late, 50 MB/s per connection, as real S3 rather than loopback moto):
- a day folder, 288 objects (the 1M records cut in 288);
- 2,000 small objects of 500 records;
each loaded by flowtui with the concurrency it chooses (and with the old fixed 4, once) and by
the baseline: boto3 get_object + zlib in 32 threads, no parsing. Runs are interleaved.

    python bench/bench_s3.py [--records 1000000] [--objects 50] [--concurrency 4] [--repeat 3]
                             [--latency-ms 40] [--rate-mb 50] [--small 2000]
                             [--sections loopback,day,small]
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

from bench.latency import latency_proxy  # noqa: E402
from bench.loopback import isolate_aws_env, moto_process  # noqa: E402

isolate_aws_env()

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

from flowtui.fields import DEFAULT_FIELDS  # noqa: E402
from flowtui.loader import MAX_BUFFERED_BYTES, BatchLoaded, Loader, ObjectRef  # noqa: E402
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


def flowtui_load(client, keys: list[str], concurrency: int | None,
                 sizes: dict[str, int] | None = None, stats: dict | None = None
                 ) -> tuple[float, float, int]:
    store = RecordStore()
    first: list[float] = []
    order: list[str] = []
    started = time.perf_counter()

    def on_event(event) -> None:
        if isinstance(event, BatchLoaded):
            if not first:
                first.append(time.perf_counter() - started)
            if not order or order[-1] != event.ref.location:
                order.append(event.ref.location)

    refs = [ObjectRef(f"s3://{BUCKET}/{k}", (sizes or {}).get(k)) for k in keys]
    loader = Loader(store, client=client, concurrency=concurrency, chunk_size=CHUNK)
    loader.run(refs, on_event, threading.Event())
    elapsed = time.perf_counter() - started
    assert order == [r.location for r in refs], "records out of key order"
    if stats is not None:
        stats.update(chosen=loader.chosen, peak_buffered=max(
            stats.get("peak_buffered", 0), loader.peak_buffered_bytes))
    return elapsed, first[0], len(store)


def interleaved(repeat: int, runs: dict[str, object], once: tuple[str, ...] = ()
                ) -> dict[str, tuple]:
    """Each run ``repeat`` times, taking turns (the runs in ``once`` only in the first
    round); the best result of each."""
    results: dict[str, list[tuple]] = {name: [] for name in runs}
    for round_ in range(repeat):
        for name, work in runs.items():
            if round_ and name in once:
                continue
            gc.collect()
            results[name].append(work())  # type: ignore[operator]
    return {name: min(r, key=lambda x: x[0]) for name, r in results.items()}


def put_all(client, objects: dict[str, bytes]) -> None:
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda kv: client.put_object(Bucket=BUCKET, Key=kv[0], Body=kv[1]),
                      objects.items()))


def latency_section(title: str, lines: list[str], count: int, per: int, args, endpoint: str,
                    direct_plain, direct_ours) -> None:
    """``count`` objects of ``per`` records, loaded through the latency proxy."""
    prefix = f"{title}/AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/03/05/"
    objects = {prefix + key(i).rpartition("/")[2]: make_text_object(
        lines[i * per:(i + 1) * per], DEFAULT_FIELDS) for i in range(count)}
    objects = {k: v for k, v in objects.items() if v}
    put_all(direct_plain, objects)
    keys = sorted(objects)
    sizes = {k: len(v) for k, v in objects.items()}
    records = sum(min(per, max(0, len(lines) - i * per)) for i in range(count))
    with latency_proxy(int(endpoint.rsplit(":", 1)[1]), args.latency_ms / 1000,
                       args.rate_mb * 1e6) as slow_endpoint:
        plain = boto3.client("s3", endpoint_url=slow_endpoint, config=Config(
            s3={"addressing_style": "path"}, max_pool_connections=64,
            response_checksum_validation="when_required"))
        ours = make_client(endpoint_url=slow_endpoint)
        stats: dict = {}
        runs = {
            "baseline": lambda: baseline(plain, keys, args.threads),
            "flowtui": lambda: flowtui_load(ours, keys, None, sizes, stats),
            "flowtui-direct": lambda: flowtui_load(direct_ours, keys, None, sizes),
            "flowtui-4": lambda: flowtui_load(ours, keys, 4, sizes),
        }
        best_of = interleaved(args.repeat, runs, once=("flowtui-4",))
    for name in ("flowtui", "flowtui-direct", "flowtui-4"):
        assert best_of[name][2] == records, (name, best_of[name][2], records)
    base = best_of["baseline"][0]
    total_mb = sum(sizes.values()) / 1e6
    print(f"\n{title}: {len(keys)} objects x {per:,} records ({total_mb:.1f} MB gzip, "
          f"{total_mb * 1e6 / len(keys) / 1e3:.0f} kB each) through the latency proxy "
          f"(first byte {args.latency_ms:.0f} ms, {args.rate_mb:.0f} MB/s per connection):")
    print(f"  baseline boto3 {args.threads} threads, GET + inflate:   {base:6.2f} s")
    label = f"flowtui, concurrency chosen ({stats['chosen']}):"
    ours_best = best_of["flowtui"][0]
    print(f"  {label:<40} {ours_best:6.2f} s   ratio {ours_best / base:5.2f}"
          f"   first batch {best_of['flowtui'][1] * 1000:6.1f} ms")
    print(f"  {'flowtui, --concurrency 4 (old default):':<40} {best_of['flowtui-4'][0]:6.2f} s"
          f"   ratio {best_of['flowtui-4'][0] / base:5.2f}   (one run)")
    print(f"  {'flowtui, no proxy (its CPU floor):':<40} {best_of['flowtui-direct'][0]:6.2f} s"
          f"   ratio {best_of['flowtui-direct'][0] / base:5.2f}")
    print(f"  out-of-order batches buffered at most: {stats['peak_buffered'] / 2**20:.1f} MiB "
          f"(bound {MAX_BUFFERED_BYTES / 2**20:.0f} MiB); records reached the store in key order")


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
    parser.add_argument("--latency-ms", type=float, default=40.0)
    parser.add_argument("--rate-mb", type=float, default=50.0)
    parser.add_argument("--threads", type=int, default=32, help="the baseline's threads")
    parser.add_argument("--small", type=int, default=2000, help="small objects (500 records)")
    parser.add_argument("--sections", default="loopback,day,small")
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    prefer_compact_memory()

    lines = sample_lines(args.records)
    with moto_process() as (_server, port):
        endpoint = f"http://127.0.0.1:{int(port)}"
        plain = boto3.client("s3", endpoint_url=endpoint, config=Config(
            s3={"addressing_style": "path"}, max_pool_connections=32,
            response_checksum_validation="when_required"))
        ours = make_client(endpoint_url=endpoint, max_pool_connections=32)
        plain.create_bucket(Bucket=BUCKET)
        print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
        if "day" in sections:
            latency_section("day", lines, 288, -(-len(lines) // 288), args, endpoint, plain,
                            ours)
        if "small" in sections:
            latency_section("small", lines, args.small, 500, args, endpoint, plain, ours)
        if "loopback" not in sections:
            print(f"load average {os.getloadavg()[0]:.1f} at the end")
            return
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
        print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
