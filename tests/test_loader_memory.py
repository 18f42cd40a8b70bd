"""What a question that needs only sums keeps in memory: the modules it loads, and the
records it holds before they are reduced to their groups (issue 21 item 2).

Each command runs through the real entry point in a fresh interpreter, so the modules it
loaded and the answers it printed are its own.
"""

from __future__ import annotations

import csv
import gzip
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa

from flowtui.fields import DEFAULT_FIELDS
from flowtui.query import aggregate
from flowtui.query.aggregate import GroupStates, group_by
from tests.cli_probe import modules_loaded_by

ROOT = Path(__file__).resolve().parent.parent
def _log(path: Path) -> Path:
    """Three sources, 10.0.0.1 with most bytes; records one minute apart."""
    lines = [" ".join(DEFAULT_FIELDS)]
    for i, (src, size) in enumerate([("10.0.0.1", 900), ("10.0.0.2", 50), ("10.0.0.1", 100),
                                     ("10.0.0.3", 70)]):
        start = 1699999920 + 60 * i  # a whole number of 2-minute buckets
        lines.append(f"2 123456789012 eni-0abc {src} 10.0.1.10 443 5000{i} 6 3 {size} "
                     f"{start} {start + 30} ACCEPT OK")
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


def _run(*args: str) -> tuple[str, set[str]]:
    result, modules, _pool = modules_loaded_by(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout, modules


def test_top_and_hist_group_without_loading_pyarrows_datasets(tmp_path: Path) -> None:
    """``top`` and ``hist`` group record batches with Acero's plan (``query/groupby.py``)
    and never scan a dataset: ``pyarrow.acero`` would import ``pyarrow.dataset`` (and every
    filesystem module it brings: S3, GCS, Azure, HDFS, Substrait), 11 MB of resident memory.
    The answers are the sums the records give."""
    path = _log(tmp_path / "a.log.gz")
    out, loaded = _run("top", str(path), "--by", "srcaddr", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["srcaddr"], r["records"], r["bytes"]) for r in rows] == [
        ("10.0.0.1", "2", "1000"), ("10.0.0.3", "1", "70"), ("10.0.0.2", "1", "50")]
    assert "pyarrow.acero" not in loaded
    assert not {m for m in loaded if m.startswith(("pyarrow.dataset", "pyarrow._dataset",
                                                   "pyarrow.fs", "pyarrow._s3fs"))}

    out, loaded = _run("hist", str(path), "--every", "2m", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["records"], r["bytes"]) for r in rows] == [("2", "950"), ("2", "170")]
    assert "pyarrow.acero" not in loaded and "pyarrow.dataset" not in loaded


#: glibc's ``mallinfo2`` as ``libc.mallinfo2()`` in a child's script.
MALLINFO2 = """
import ctypes
class MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]
libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = MallInfo2
"""

HEAP_TOP = MALLINFO2 + """
import sys, threading
from flowtui.memory import keep_freed_pages
keep_freed_pages()
from flowtui.loader import Loader, resolve
from flowtui.s3.session import make_client

libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
client = make_client(endpoint_url=sys.argv[1])
Loader(None, client=client).run(resolve(sys.argv[2:], client=client), lambda e: None,
                                threading.Event())
block = libc.malloc(16 << 20)
ctypes.memset(block, 1, 16 << 20)
libc.free(block)
# keepcost: the free top of the main heap, what a trim would give back. Not the heap's
# growth, which is smaller when the load left free space at the top for the block to use.
print(libc.mallinfo2().keepcost >> 20)
"""


def _heap_kept_after(endpoint: str, *paths: str) -> int:
    result = subprocess.run([sys.executable, "-c", HEAP_TOP, endpoint, *paths],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    return int(result.stdout.strip())


def test_a_folder_of_small_s3_objects_gives_the_heaps_top_back(
        s3_server: Any, scratch_bucket: tuple[str, Any], tmp_path: Path) -> None:
    """Loading commands keep up to 64 MB of freed heap for reuse (a large object's blocks
    are a few MB each, and faulting them in again cost a fifth of a second on 1M records);
    a folder of small S3 objects is parsed in blocks of a few hundred KB, and what that
    kept was 5 MB of `hist`'s peak on a day folder. After such a load the heap's top is
    given back as it frees; after a local file's, it is still kept."""
    bucket, raw = scratch_bucket
    for i in range(3):
        raw.put_object(Bucket=bucket, Key=f"day/{i}.log.gz", Body=_log(tmp_path / f"{i}.gz")
                       .read_bytes())
    assert _heap_kept_after(s3_server.endpoint_url, f"s3://{bucket}/day/") == 0
    assert _heap_kept_after(s3_server.endpoint_url, str(tmp_path / "0.gz")) >= 15


#: The command (argv) run in this process; then the bytes its heaps hold (mallinfo2's
#: ``arena``). With "first" before the command, freed pages are kept from the start, as
#: commands did before they made their S3 client under glibc's own thresholds.
HEAP_AFTER_COMMAND = MALLINFO2 + """
import sys
from flowtui.cli.main import main
from flowtui.memory import keep_freed_pages
if sys.argv[1] == "first":
    keep_freed_pages()
code = main(sys.argv[2:])
sys.stdout.flush()
print(code, libc.mallinfo2().arena)
"""


def test_an_s3_command_makes_its_client_before_it_keeps_freed_pages(
        s3_server: Any, scratch_bucket: tuple[str, Any]) -> None:
    """Making the S3 client reads S3's model and endpoint files: a few MB of text and
    dicts for a moment. Kept freed pages (``memory.keep_freed_pages``) held them in the
    heap for the rest of the command, 2.7 MB of every S3 command's floor; they are kept
    only once the client is made. ``top`` of an empty folder: its heaps hold ~5 MB less
    than when freed pages are kept from the start (17.3 -> 12.4 MB here)."""
    bucket, _raw = scratch_bucket
    command = ["top", f"s3://{bucket}/empty/", "--by", "srcaddr",
               "--endpoint-url", s3_server.endpoint_url]

    def heaps(when: str) -> int:
        done = subprocess.run([sys.executable, "-c", HEAP_AFTER_COMMAND, when, *command],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert "no flow-log objects" in done.stderr, done.stderr
        code, arena = done.stdout.split()[-2:]
        assert code == "0"
        return int(arena)

    assert heaps("as-run") < heaps("first") - (3 << 20)


def _object_batch(seed: int, rows: int = 3500, sources: int = 4000) -> pa.RecordBatch:
    """One small object's records as the parser gives them: srcaddr with a dictionary of
    its own, packets and bytes."""
    addresses = [f"10.{(seed * 7 + i) % sources // 256}.{(seed * 7 + i) % 256}.1"
                 for i in range(rows)]
    return pa.record_batch({
        "srcaddr": pa.array(addresses).dictionary_encode(),
        "packets": pa.array([i % 9 + 1 for i in range(rows)], pa.uint32()),
        "bytes": pa.array([(i * 37 + seed) % 1500 for i in range(rows)], pa.uint32())})


def test_top_of_many_small_objects_holds_a_few_batches_and_states() -> None:
    """`top` of an S3 day folder reduces 288 objects of ~3.5k records each, every one with
    its own dictionaries. Holding 65k records (19 batches and their dictionaries) before
    each reduction, and every reduction's groups until the end (4k sources: 15 states of
    4k rows), was 3.6 MB of `top`'s peak from a day folder (bench_peers_s3.py). At most
    ``GROUP_BATCHES`` batches wait, and the states are merged once they pass a few
    thousand rows; the sums are those of one group-by over every record."""
    states = GroupStates(["srcaddr"])
    batches = [_object_batch(seed) for seed in range(40)]
    most_batches = most_state_rows = 0
    for batch in batches:
        states.add(batch)
        most_batches = max(most_batches, len(states._pending))
        most_state_rows = max(most_state_rows, sum(s.num_rows for s in states._states))
    assert most_batches <= aggregate.GROUP_BATCHES < 19
    assert most_state_rows <= 3 * 4000
    expected = group_by(batches, ["srcaddr"], ("records", "packets", "bytes"))
    got = states.result()
    key = [("srcaddr", "ascending")]
    assert got.sort_by(key).to_pylist() == expected.sort_by(key).to_pylist()
