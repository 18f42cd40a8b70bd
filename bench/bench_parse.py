"""Parser benchmark: flowtui's parser into the store against the zlib floor, same bytes, same run.

The floor is what any Python reader of a gzip flow log must pay: zlib decompression plus
splitting the text into lines. The ratio floor_time / flowtui_time says how close the whole
pipeline (decompress, cut blocks, type columns, narrow, store) comes to it; 1.0 means as
fast as the floor. Memory is resident bytes per record of a loaded store, measured in a
fresh process so earlier runs do not pollute it.

    python bench/bench_parse.py [--records 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import json
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


def floor(data: bytes) -> int:
    inflater = zlib.decompressobj(wbits=31)
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


def best_of(repeat: int, work, data: bytes) -> tuple[float, object]:
    best = float("inf")
    result = None
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        result = work(data)
        best = min(best, time.perf_counter() - started)
    return best, result


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
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory-probe", help=argparse.SUPPRESS)
    args = parser.parse_args()
    prefer_compact_memory()  # as the CLI and the app do
    if args.memory_probe:
        print(json.dumps(memory_probe(Path(args.memory_probe))))
        return
    path = sample_file(args.records)
    data = path.read_bytes()
    text_bytes = len(zlib.decompress(data, wbits=31))
    floor_s, floor_lines = best_of(args.repeat, floor, data)
    parse_s, store = best_of(args.repeat, flowtui_parse, data)
    records = len(store)  # type: ignore[arg-type]
    assert records == floor_lines, (records, floor_lines)
    probe = subprocess.run([sys.executable, __file__, "--memory-probe", str(path)],
                           capture_output=True, text=True, check=True)
    memory = json.loads(probe.stdout)
    print(f"input: {path.name}: {records:,} records, {len(data) / 1e6:.1f} MB gzip, "
          f"{text_bytes / 1e6:.1f} MB text (best of {args.repeat})")
    print(f"floor  (zlib decompress + line split): {floor_s:.3f} s  "
          f"{records / floor_s / 1e6:.2f} M rec/s")
    print(f"flowtui parser into the store:         {parse_s:.3f} s  "
          f"{records / parse_s / 1e6:.2f} M rec/s")
    print(f"ratio floor/flowtui: {floor_s / parse_s:.2f}   (target >= 0.85)")
    print(f"memory: {memory['rss_per_record']:.1f} resident bytes/record, "
          f"{memory['arrow_per_record']:.1f} Arrow bytes/record   (target <= 64)")


if __name__ == "__main__":
    main()
