"""Parser benchmark: flowtui's parser into the store against the zlib floor, same bytes, same run.

The floor is what any Python reader of a gzip flow log must pay: zlib decompression plus
splitting the text into lines. The ratio floor_time / flowtui_time says how close the whole
pipeline (decompress, cut blocks, type columns, narrow, store) comes to it; 1.0 means as
fast as the floor. The same floor with python-isal's inflater (the fastest on this hardware;
``pip install isal`` to see it) and with zlib-ng's (what flowtui inflates with) is printed
beside it. All are run interleaved, best of ``--repeat``, and the load average is printed:
on a shared machine only the ratios mean something. Memory is resident bytes per record of
a loaded store, measured in a fresh process so earlier runs do not pollute it.

``--rss-records 10000000`` also measures peak memory for that many records in one gzip file
(made once from the sample's text): ``flowtui cat --format csv FILE > /dev/null`` as a
process of its own (it keeps no store: its peak should not grow with the file), and the
parser into a store in a fresh process (peak RSS against the store's own bytes; target
<= 1.2x plus the constant of an empty process).

    python bench/bench_parse.py [--records 1000000] [--repeat 5] [--rss-records 10000000]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flowtui.fields import DEFAULT_FIELDS  # noqa: E402
from flowtui.memory import prefer_compact_memory  # noqa: E402
from flowtui.parser import FlowLogParser  # noqa: E402
from flowtui.store import RecordStore  # noqa: E402
from flowtui.synth import generate_lines, make_text_object  # noqa: E402

try:
    from flowtui.inflate import DEFAULT as INFLATE
except ImportError:  # a checkout from before flowtui.inflate: it inflates with zlib
    from types import SimpleNamespace

    INFLATE = SimpleNamespace(name="zlib", module=zlib)

DATA = ROOT / "bench" / "data"
CHUNK = 1 << 20  # what a streaming S3 body or a file read hands over at a time


def sample_file(records: int) -> Path:
    """A deterministic gzip flow log of realistic default-format records, made once."""
    path = DATA / f"default-{records}.log.gz"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        lines = generate_lines(records, seed=2024, interfaces=200, span=3600)
        path.write_bytes(make_text_object(lines, DEFAULT_FIELDS))
    return path


def floor(data: bytes, module=zlib) -> int:
    inflater = module.decompressobj(wbits=31)
    tail = b""
    lines = 0
    for offset in range(0, len(data), CHUNK):
        text = tail + inflater.decompress(data[offset : offset + CHUNK])
        parts = text.split(b"\n")
        tail = parts.pop()
        lines += len(parts)
    return lines + (1 if tail else 0) - 1  # less the header


def flowtui_parse(data: bytes) -> RecordStore:
    """As ``flowtui cat`` reads a local file: the next chunk is always at hand."""
    store = RecordStore()
    parser = FlowLogParser(name="bench")
    for offset in range(0, len(data), CHUNK):
        for batch in parser.feed(data[offset : offset + CHUNK], wait=False):
            store.append(batch)
    for batch in parser.finish():
        store.append(batch)
    return store


def interleaved(repeat: int, works: dict, data: bytes) -> tuple[dict, dict]:
    """Best time of each work, the works taking turns so load hits them alike."""
    best = {name: float("inf") for name in works}
    results: dict = {}
    for _ in range(repeat):
        for name, work in works.items():
            gc.collect()
            started = time.perf_counter()
            results[name] = work(data)
            best[name] = min(best[name], time.perf_counter() - started)
    return best, results


def big_file(path: Path, records: int) -> Path:
    """``records`` records in one gzip member: the sample's records repeated (made once)."""
    text = zlib.decompress(path.read_bytes(), wbits=31)
    header_end = text.index(b"\n") + 1
    body = text[header_end:]
    per_copy = body.count(b"\n")
    target = DATA / f"default-{records}-one-member.log.gz"
    if not target.exists():
        packer = zlib.compressobj(1, wbits=31)
        with open(target.with_suffix(".partial"), "wb") as out:
            out.write(packer.compress(text[:header_end]))
            left = records
            while left > 0:
                take = body if left >= per_copy else body[: _line_offset(body, left)]
                out.write(packer.compress(take))
                left -= per_copy
            out.write(packer.flush())
        target.with_suffix(".partial").rename(target)
    return target


def _line_offset(body: bytes, lines: int) -> int:
    offset = 0
    for _ in range(lines):
        offset = body.index(b"\n", offset) + 1
    return offset


def peak_rss_of(command: list[str]) -> tuple[int, float]:
    """Peak resident bytes of a child Python process and its wall time.

    The child prints its own high-water mark (VmHWM, which starts afresh at exec) to stderr
    as it exits: the ru_maxrss that wait4 reports counts the parent's memory at fork time.
    """
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        done = subprocess.run(command, stdout=sink, stderr=subprocess.PIPE, check=False)
    error = done.stderr.decode()
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {error[-500:]}")
    peak = int(error.rsplit("VmHWM:", 1)[1].split()[0]) * 1024
    return peak, time.perf_counter() - started


def high_water_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


# The flowtui of this checkout, whatever is installed (to compare checkouts).
_HWM = ("import sys; print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0], "
        "file=sys.stderr)")
_RUN_CLI = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); from flowtui.cli import main; "
            f"code = main(sys.argv[1:]); {_HWM}; raise SystemExit(code)")


def store_probe(path: Path) -> dict[str, float]:
    """Runs in a child process: the parser reading a file into a store, as the app does."""
    import pyarrow as pa

    from flowtui.localfiles import read_batches

    pa.default_memory_pool()
    before = resident_bytes()
    store = RecordStore()
    parser = FlowLogParser(name="bench")
    for batch in read_batches(path, parser):
        store.append(batch)
    peak = high_water_bytes()
    return {"records": len(store), "store_bytes": store.nbytes, "before": before,
            "peak": peak}


def resident_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def memory_probe(path: Path) -> dict[str, float]:
    """Runs in a child process: RSS before and after loading the store."""
    import pyarrow as pa

    data = path.read_bytes()
    pa.default_memory_pool().release_unused()
    gc.collect()
    before = resident_bytes()
    store = flowtui_parse(data)
    del data
    gc.collect()
    pa.default_memory_pool().release_unused()
    after = resident_bytes()
    records = len(store)
    return {"records": records, "rss_per_record": (after - before) / records,
            "arrow_per_record": store.nbytes / records}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rss-records", type=int, default=0,
                        help="also measure peak RSS for this many records in one file")
    parser.add_argument("--memory-probe", help=argparse.SUPPRESS)
    parser.add_argument("--store-probe", help=argparse.SUPPRESS)
    args = parser.parse_args()
    prefer_compact_memory()  # as the CLI and the app do
    if args.memory_probe:
        print(json.dumps(memory_probe(Path(args.memory_probe))))
        return
    if args.store_probe:
        print(json.dumps(store_probe(Path(args.store_probe))))
        return
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores); flowtui inflates with {INFLATE.name}")
    path = sample_file(args.records)
    data = path.read_bytes()
    text_bytes = len(zlib.decompress(data, wbits=31))
    works = {"zlib floor": floor}
    try:
        from isal import isal_zlib

        works["isal floor"] = lambda d: floor(d, isal_zlib)
    except ImportError:
        print("(python-isal not installed: no isal floor; pip install isal)")
    if INFLATE.name != "zlib":
        works[f"{INFLATE.name} floor"] = lambda d: floor(d, INFLATE.module)
    works["flowtui"] = flowtui_parse
    best, results = interleaved(args.repeat, works, data)
    records = len(results["flowtui"])
    assert all(results[name] == records for name in works if name != "flowtui"), results
    probe = subprocess.run([sys.executable, __file__, "--memory-probe", str(path)],
                           capture_output=True, text=True, check=True)
    memory = json.loads(probe.stdout)
    print(f"input: {path.name}: {records:,} records, {len(data) / 1e6:.1f} MB gzip, "
          f"{text_bytes / 1e6:.1f} MB text (best of {args.repeat}, interleaved)")
    for name, seconds in best.items():
        label = "flowtui parser into the store" if name == "flowtui" else \
            f"{name} (inflate + line split)"
        print(f"{label:40s} {seconds:.3f} s  {records / seconds / 1e6:.2f} M rec/s")
    print(f"ratio zlib floor/flowtui: {best['zlib floor'] / best['flowtui']:.2f}   (target >= 1.0)")
    if "isal floor" in best:
        print(f"ratio isal floor/flowtui: {best['isal floor'] / best['flowtui']:.2f}")
    print(f"memory: {memory['rss_per_record']:.1f} resident bytes/record, "
          f"{memory['arrow_per_record']:.1f} Arrow bytes/record   (target <= 64)")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.rss_records:
        rss(path, args.rss_records)


def rss(sample: Path, records: int) -> None:
    big = big_file(sample, records)
    print(f"peak memory, {records:,} records in one file ({big.stat().st_size / 1e6:.0f} MB gzip):")
    idle, _ = peak_rss_of([sys.executable, "-c", f"import pyarrow, flowtui.parser; {_HWM}"])
    cat, seconds = peak_rss_of([sys.executable, "-c", _RUN_CLI, "cat", "--format", "csv",
                                str(big)])
    print(f"  a process importing pyarrow and the parser: peak {idle / 2**20:.0f} MiB")
    print(f"  flowtui cat --format csv > /dev/null: peak {cat / 2**20:.0f} MiB ({seconds:.0f} s; "
          "no store: should not grow with the file)")
    probe = subprocess.run([sys.executable, __file__, "--store-probe", str(big)],
                           capture_output=True, text=True, check=True)
    store = json.loads(probe.stdout)
    assert store["records"] == records, store
    grown = store["peak"] - store["before"]
    print(f"  parser into a store: peak {store['peak'] / 2**20:.0f} MiB, "
          f"{store['before'] / 2**20:.0f} MiB before reading; "
          f"store {store['store_bytes'] / 2**20:.0f} MiB; "
          f"(peak - before) / store = {grown / store['store_bytes']:.2f}   (target <= 1.2)")


if __name__ == "__main__":
    main()
