"""Query benchmark: filter, sort, top-N and histogram over records held in the store, against
the same operation hand-written in pyarrow.compute on one concatenated table and DuckDB on the
same Arrow data, in the same run. Also: filtering while loading against plain loading, and
the bytes a view holds per matching row.

The records are synth's (200,000 generated and parsed once, cached in bench/data/), repeated
with their times shifted by an hour per copy up to the size asked: the store keeps its real
column types (dictionary strings with narrow indices, uint32 counters) and its batch sizes.
Each measurement is the best of ``--repeat`` runs, the engines interleaved.

    python bench/bench_query.py [--records 1000000,10000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402

from flowtui.cli.filtering import keeper  # noqa: E402
from flowtui.export import conform, unified_schema  # noqa: E402
from flowtui.fields import DEFAULT_FIELDS  # noqa: E402
from flowtui.loader import Loader, resolve  # noqa: E402
from flowtui.parser import parse_bytes  # noqa: E402
from flowtui.query import aggregate  # noqa: E402
from flowtui.query.query import Query  # noqa: E402
from flowtui.query.view import RecordView  # noqa: E402
from flowtui.store import RecordStore  # noqa: E402
from flowtui.synth import generate_lines, make_text_object  # noqa: E402

DATA = ROOT / "bench" / "data"
BASE = 200_000
SELECTIVE = "reject and dstport = 22"
BROAD = "tcp and bytes > 1000"


def base_file() -> Path:
    path = DATA / f"query-{BASE}.log.gz"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        lines = generate_lines(BASE, seed=77, interfaces=300, span=3600)
        path.write_bytes(make_text_object(lines, DEFAULT_FIELDS))
    return path


def make_store(records: int, base: list[pa.RecordBatch]) -> RecordStore:
    store = RecordStore()
    copy = 0
    while len(store) < records:
        shift = pa.scalar(copy * 3600, pa.uint32())
        for batch in base:
            if len(store) >= records:
                break
            columns = [pc.add(c, shift) if n in ("start", "end") else c
                       for n, c in zip(batch.schema.names, batch.columns, strict=True)]
            batch = pa.RecordBatch.from_arrays(columns, names=batch.schema.names)
            store.append(batch.slice(0, records - len(store)), f"copy-{copy}")
        copy += 1
    return store


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def interleaved(fns: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    out = {name: float("inf") for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            out[name] = min(out[name], best(fn, 1))
    return out


def run_size(records: int, base: list[pa.RecordBatch], repeat: int, duck: object) -> None:
    store = make_store(records, base)
    schema = unified_schema(store.batches())
    table = pa.Table.from_batches([conform(b, schema) for b in store.batches()],
                                  schema=schema).unify_dictionaries().combine_chunks()
    con = duck.connect()  # type: ignore[attr-defined]
    con.register("t", table)
    print(f"\n{records:,} records in {len(store.batches()):,} batches, store "
          f"{store.nbytes / records:.1f} B/record")

    def report(what: str, times: dict[str, float], target: str = "") -> None:
        ours = times["flowtui"]
        parts = [f"flowtui {ours:.3f}s"]
        for name, value in times.items():
            if name != "flowtui":
                parts.append(f"{name} {value:.3f}s (x{ours / value:.2f})")
        print(f"  {what:<28} " + "  ".join(parts) + (f"  target {target}" if target else ""))

    # --- filter
    for label, text, hand, sql in (
        ("filter selective", SELECTIVE,
         lambda: pc.indices_nonzero(pc.and_(pc.equal(table["action"], "REJECT"),
                                            pc.equal(table["dstport"], 22))),
         "SELECT count(*) FROM t WHERE action = 'REJECT' AND dstport = 22"),
        ("filter broad", BROAD,
         lambda: pc.indices_nonzero(pc.and_(pc.equal(table["protocol"], 6),
                                            pc.greater(table["bytes"], 1000))),
         "SELECT count(*) FROM t WHERE protocol = 6 AND bytes > 1000"),
    ):
        query = Query.build(text)
        views: list[RecordView] = []

        def ours(query: Query = query, views: list[RecordView] = views) -> None:
            views.clear()
            view = RecordView(store, query)
            len(view)
            views.append(view)

        times = interleaved({"flowtui": ours, "pyarrow": hand,
                             "duckdb": lambda sql=sql: con.execute(sql).fetchall()}, repeat)
        report(f"{label} ({len(views[0]):,})", times, "<= 1.1x pyarrow, < 1 s")
        print(f"  {'':<28} view holds {views[0].nbytes / max(len(views[0]), 1):.2f} B per "
              "matching row (target <= 4)")

    # --- sort
    sort_query = Query.build(sort="-bytes")
    times = interleaved({
        "flowtui": lambda: RecordView(store, sort_query).sort_now(),
        "pyarrow": lambda: pc.sort_indices(table, sort_keys=[("bytes", "descending")]),
        "duckdb": lambda: con.execute("SELECT max(r) FROM (SELECT row_number() OVER "
                                      "(ORDER BY bytes DESC) AS r FROM t)").fetchall(),
    }, repeat)
    report("sort by -bytes", times, "<= 2 s")

    # --- top-N
    def hand_top() -> object:
        grouped = table.group_by("srcaddr").aggregate([("bytes", "sum")])
        return grouped.take(pc.select_k_unstable(grouped, 20, [("bytes_sum", "descending")]))

    batches = store.batches()
    times = interleaved({
        "flowtui": lambda: aggregate.top(batches, ["srcaddr"], "bytes", 20),
        "pyarrow": hand_top,
        "duckdb": lambda: con.execute("SELECT srcaddr, sum(bytes) AS b FROM t GROUP BY 1 "
                                      "ORDER BY b DESC LIMIT 20").fetchall(),
    }, repeat)
    report("top-20 srcaddr by bytes", times, "<= 0.5 s")

    # --- histogram
    def hand_hist() -> object:
        bucket = pc.multiply(pc.divide(table["start"], 60), 60)
        t = pa.table({"b": bucket, "packets": table["packets"], "bytes": table["bytes"],
                      "accept": pc.equal(table["action"], "ACCEPT").cast(pa.uint8()),
                      "reject": pc.equal(table["action"], "REJECT").cast(pa.uint8())})
        return t.group_by("b").aggregate([("b", "count"), ("packets", "sum"), ("bytes", "sum"),
                                          ("accept", "sum"), ("reject", "sum")])

    times = interleaved({
        "flowtui": lambda: aggregate.histogram(batches, 60),
        "pyarrow": hand_hist,
        "duckdb": lambda: con.execute(
            "SELECT start // 60 * 60 AS m, count(*), sum(packets), sum(bytes), "
            "sum(CASE WHEN action = 'ACCEPT' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN action = 'REJECT' THEN 1 ELSE 0 END) FROM t GROUP BY 1 ORDER BY 1"
        ).fetchall(),
    }, repeat)
    report("histogram per minute", times, "<= 0.5 s")
    con.close()


def load_bench(path: Path, repeat: int) -> None:
    refs = resolve([str(path)])
    query = Query.build(SELECTIVE)

    def plain() -> None:
        Loader(RecordStore()).run(refs, lambda e: None, threading.Event())

    def filtered() -> None:
        Loader(RecordStore(), predicate=keeper(query)).run(refs, lambda e: None,
                                                            threading.Event())

    times = interleaved({"flowtui": filtered, "plain load": plain}, repeat)
    print(f"\nloading {BASE:,} records from a local gzip: plain {times['plain load']:.3f}s, "
          f"--where '{SELECTIVE}' while loading {times['flowtui']:.3f}s "
          f"(x{times['flowtui'] / times['plain load']:.3f}; target <= 1.10)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", default="1000000,10000000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import duckdb

    path = base_file()
    base, _ = parse_bytes(path.read_bytes())
    print(f"pyarrow {pa.__version__}, duckdb {duckdb.__version__}; ratios are flowtui / other "
          "(below 1 = flowtui faster)")
    load_bench(path, args.repeat)
    for records in (int(r) for r in args.records.split(",")):
        run_size(records, base, args.repeat, duckdb)


if __name__ == "__main__":
    main()
