"""What a question that needs only sums keeps in memory: the modules it loads, and the
records it holds before they are reduced to their groups (issue 21 item 2).

Each command runs through the real entry point in a fresh interpreter, so the modules it
loaded and the answers it printed are its own.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

from flowtui.fields import DEFAULT_FIELDS

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json, sys
from flowtui.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
sys.stderr.write("LOADED " + json.dumps(sorted(sys.modules)) + "\\n")
sys.exit(code)
"""


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
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                            text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = [line for line in result.stderr.splitlines() if line.startswith("LOADED ")]
    return result.stdout, set(json.loads(loaded[-1].removeprefix("LOADED ")))


def test_top_and_hist_group_without_loading_pyarrows_datasets(tmp_path: Path) -> None:
    """``top`` and ``hist`` group record batches with Acero and never scan a dataset:
    ``pyarrow.dataset`` (and every filesystem module it brings: S3, GCS, Azure, HDFS,
    Substrait) cost them 11 MB of resident memory before it was left out. The answers are
    the sums the records give."""
    path = _log(tmp_path / "a.log.gz")
    out, loaded = _run("top", str(path), "--by", "srcaddr", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["srcaddr"], r["records"], r["bytes"]) for r in rows] == [
        ("10.0.0.1", "2", "1000"), ("10.0.0.3", "1", "70"), ("10.0.0.2", "1", "50")]
    assert "pyarrow.acero" in loaded
    assert not {m for m in loaded if m.startswith(("pyarrow.dataset", "pyarrow._dataset",
                                                   "pyarrow.fs", "pyarrow._s3fs"))}

    out, loaded = _run("hist", str(path), "--every", "2m", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["records"], r["bytes"]) for r in rows] == [("2", "950"), ("2", "170")]
    assert "pyarrow.acero" in loaded and "pyarrow.dataset" not in loaded


def test_acero_imported_alone_leaves_pyarrow_dataset_importable() -> None:
    """A later caller that does want datasets (none in flowtui today) still gets them."""
    code = ("import sys; from flowtui.memory import import_acero_alone; import_acero_alone(); "
            "assert 'pyarrow.dataset' not in sys.modules; import pyarrow.dataset as ds; "
            "import pyarrow as pa; print(ds.dataset(pa.table({'a': [1, 2]})).count_rows())")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "2", result.stderr
