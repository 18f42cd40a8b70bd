"""``flowtui cat F --format csv`` against zcat, and where its CPU goes (issue 21 items 3, 7).

Two tables from one run on the same gzip flow log (bench_parse's sample file):

Stages, in this process, each over the whole file, CPU seconds (all threads; medians of
``--repeat`` interleaved rounds): the inflate floors (zlib, zlib-ng which flowtui uses,
python-isal); Arrow's CSV reader alone over the inflated text in the parser's 2 MB blocks,
every column as bytes (as ``cat --format csv`` reads them); cat's CSV writer (Arrow's) alone
over the parser's batches; flowtui's parser as cat runs it (``dictionaries=False,
numbers_as_text=True``); and that parser feeding the writer. Reader alone + writer alone +
the zlib-ng floor + start-up is the least this reader-and-writer pipeline can cost; the gap
above it is flowtui's own work (line counting, the checks, copies, Python, threads).

Whole processes, output to /dev/null: ``zcat F`` and ``flowtui cat F --format csv``
interleaved pair by pair (CPU = user + sys of the process and its threads, from wait4), with
the ratio of each pair; and flowtui's start-up (cat of a one-record file).

On a shared machine only same-run ratios mean anything: the load average is printed.

    python bench/bench_cat_csv.py [--records 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import gc
import gzip
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_parse import sample_file  # noqa: E402
from flowtui.memory import (  # noqa: E402
    keep_freed_pages,
    prefer_compact_memory,
    prefer_streaming_memory,
)

BLOCK = 2 << 20  # the parser's largest block (parser.MAX_BLOCK_BYTES)
CHUNK = 1 << 20  # what a local file read hands the parser


def stages(data: bytes) -> dict[str, Callable[[], object]]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from flowtui.arrowcsv import PARSE_OPTIONS
    from flowtui.blocks import BlockTyper
    from flowtui.fields import DEFAULT_FIELDS
    from flowtui.output import make_writer
    from flowtui.parser import FlowLogParser

    text = zlib.decompress(data, wbits=31)
    text = text[text.index(b"\n") + 1 :]
    blocks = []
    start = 0
    while start < len(text):
        end = text.rfind(b"\n", start, start + BLOCK) + 1 or len(text)
        blocks.append(text[start:end])
        start = end
    options = BlockTyper(list(DEFAULT_FIELDS), None, None, dictionaries=False,
                         numbers_as_text=True)._options()
    assert options.text is not None
    read_options = options.read
    convert = options.text

    def inflate(module: object) -> Callable[[], object]:
        def run() -> int:
            inflater = module.decompressobj(wbits=31)  # type: ignore[attr-defined]
            return sum(len(inflater.decompress(data[o : o + CHUNK]))
                       for o in range(0, len(data), CHUNK))
        return run

    def arrow_read() -> int:
        return sum(pacsv.read_csv(pa.BufferReader(block), read_options, PARSE_OPTIONS,
                                  convert).num_rows for block in blocks)

    def write_only() -> int:
        writer = make_writer("csv", _null_text())
        for batch in batches:
            writer.write_batch(batch, "bench")
        return writer.written

    def parse(sink: Callable[[pa.RecordBatch], object] = len) -> int:
        parser = FlowLogParser(name="bench", dictionaries=False, numbers_as_text=True)
        rows = 0
        for offset in range(0, len(data), CHUNK):
            for batch in parser.feed(data[offset : offset + CHUNK], wait=False):
                rows += batch.num_rows
                sink(batch)
        for batch in parser.finish():
            rows += batch.num_rows
            sink(batch)
        return rows

    def parse_and_write() -> int:
        writer = make_writer("csv", _null_text())
        return parse(lambda batch: writer.write_batch(batch, "bench"))

    batches: list[pa.RecordBatch] = []
    parse(batches.append)

    works: dict[str, Callable[[], object]] = {"zlib inflate": inflate(zlib)}
    try:
        from zlib_ng import zlib_ng

        works["zlib-ng inflate (flowtui's)"] = inflate(zlib_ng)
    except ImportError:
        pass
    try:
        from isal import isal_zlib

        works["isal inflate"] = inflate(isal_zlib)
    except ImportError:
        print("(python-isal not installed: no isal floor)")
    works["Arrow CSV reader alone"] = arrow_read
    works["flowtui csv writer alone"] = write_only
    works["flowtui parser (cat csv mode)"] = parse
    works["flowtui parser + csv writer"] = parse_and_write
    return works


def _null_text() -> io.TextIOWrapper:
    """A text stream with a binary buffer, as stdout is, that throws its bytes away."""
    return io.TextIOWrapper(io.BufferedWriter(_Null(), 1 << 16), encoding="utf-8",
                            newline="")


class _Null(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        return len(data)  # type: ignore[arg-type]


def interleaved(works: dict[str, Callable[[], object]], repeat: int
                ) -> dict[str, tuple[float, float]]:
    """Median CPU and wall seconds of each work, taking turns."""
    cpu: dict[str, list[float]] = {name: [] for name in works}
    wall: dict[str, list[float]] = {name: [] for name in works}
    for _ in range(repeat):
        for name, work in works.items():
            gc.collect()
            started, used = time.perf_counter(), time.process_time()
            work()
            cpu[name].append(time.process_time() - used)
            wall[name].append(time.perf_counter() - started)
    return {name: (statistics.median(cpu[name]), statistics.median(wall[name]))
            for name in works}


def process(command: list[str]) -> tuple[float, float]:
    """CPU and wall seconds of one whole process, output to /dev/null."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        child = subprocess.Popen(command, stdout=sink, stderr=sink, cwd=ROOT)
        _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({child.returncode})")
    return usage.ru_utime + usage.ru_stime, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    prefer_compact_memory()  # as the CLI does
    keep_freed_pages()  # as cat does
    import pyarrow  # noqa: F401  (the pool is chosen once Arrow is loaded)

    prefer_streaming_memory()  # as cat --format csv does: Arrow's jemalloc pool
    path = sample_file(args.records)
    data = path.read_bytes()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores); {path.name}, {len(data) / 1e6:.1f} MB gzip")

    timed = interleaved(stages(data), args.repeat)
    print(f"\nstages in process, medians of {args.repeat} (CPU s, all threads; wall s)")
    for name, (cpu, wall) in timed.items():
        print(f"  {name:34s} cpu {cpu:6.3f}   wall {wall:6.3f}")

    with tempfile.TemporaryDirectory() as folder:
        tiny = Path(folder) / "one.log.gz"
        with gzip.open(path) as whole:
            tiny.write_bytes(gzip.compress(whole.readline() + whole.readline()))
        python = [sys.executable, "-m", "flowtui", "cat"]
        commands = {"zcat": ["zcat", str(path)],
                    "flowtui cat --format csv": [*python, str(path), "--format", "csv"],
                    "flowtui start-up (1 record)": [*python, str(tiny), "--format", "csv"]}
        for command in commands.values():
            process(command)  # warm-up: page cache, .pyc files
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, command in commands.items():
                runs[name].append(process(command))
    print(f"\nwhole processes, medians of {args.repeat} interleaved rounds")
    for name, pairs in runs.items():
        print(f"  {name:34s} cpu {statistics.median(c for c, _ in pairs):6.3f}   "
              f"wall {statistics.median(w for _, w in pairs):6.3f}")
    ours, zcat = runs["flowtui cat --format csv"], runs["zcat"]
    print("  flowtui/zcat, pair by pair (median): "
          f"cpu {statistics.median(a[0] / b[0] for a, b in zip(ours, zcat, strict=True)):.2f}x   "
          f"wall {statistics.median(a[1] / b[1] for a, b in zip(ours, zcat, strict=True)):.2f}x   "
          "(target <= 1.5x both)")
    floor = (timed["Arrow CSV reader alone"][0] + timed["flowtui csv writer alone"][0]
             + timed.get("zlib-ng inflate (flowtui's)", timed["zlib inflate"])[0]
             + statistics.median(c for c, _ in runs["flowtui start-up (1 record)"]))
    print(f"  least CPU of the Arrow reader+writer pipeline (inflate + reader + writer + "
          f"start-up): {floor:.3f} s = "
          f"{floor / statistics.median(c for c, _ in zcat):.2f}x zcat")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
