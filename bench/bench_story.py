"""Story benchmark: telling a record's story and a conversation on a loaded store, against one
filtered pass over the same store (``RecordView`` with a one-term filter), same run.

The baseline is the cheapest thing that reads every row: the ratio story/baseline says how
many such passes a story costs. The TUI runs stories in a thread worker; this says how long
the user waits for one (the time a frame may take is 16 ms: anything above runs off the UI
thread).

    python bench/bench_story.py [--records 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flowtui.fields import DEFAULT_FIELDS  # noqa: E402
from flowtui.parser import parse_bytes  # noqa: E402
from flowtui.query.conversation import conversation  # noqa: E402
from flowtui.query.expr import parse  # noqa: E402
from flowtui.query.query import Query  # noqa: E402
from flowtui.query.story import tell  # noqa: E402
from flowtui.query.view import RecordView  # noqa: E402
from flowtui.store import RecordStore  # noqa: E402
from flowtui.synth import generate_lines  # noqa: E402


def median_time(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    lines = generate_lines(args.records, seed=1)
    data = (" ".join(DEFAULT_FIELDS) + "\n" + "\n".join(lines) + "\n").encode()
    batches, _ = parse_bytes(data)
    store = RecordStore()
    for batch in batches:
        store.append(batch, "bench.log")
    print(f"{len(store):,} records in {len(batches)} batches")

    def baseline() -> int:
        return len(RecordView(store, Query(where=parse("dstport = 443"))))

    base = median_time(baseline, args.repeat)
    print(f"baseline (one filtered pass):   {base * 1000:7.1f} ms")
    for index in (10, len(store) // 2, len(store) - 10):
        spent = median_time(lambda i=index: tell(store, i), args.repeat)  # type: ignore[misc]
        verdict = tell(store, index).verdict
        print(f"tell row {index:>9,} ({verdict:>13}): {spent * 1000:7.1f} ms   "
              f"ratio story/baseline {spent / base:5.1f}")
    record = store.row(10)
    a, b = str(record["srcaddr"]), str(record["dstaddr"])
    spent = median_time(lambda: conversation(store, a, b), args.repeat)
    print(f"conversation:                   {spent * 1000:7.1f} ms   "
          f"ratio conversation/baseline {spent / base:5.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
