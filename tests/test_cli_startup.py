"""Start-up: a command loads only what it uses, and Arrow still gets the compact memory pool.

``--help`` answers without Arrow, boto3 or Textual, and ``cat`` of a local file never loads
boto3 or Textual (boto3 alone costs a tenth of a second before the first row). Each case
runs the real entry point in a fresh interpreter and reads back which modules it loaded.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from flowtui.fields import DEFAULT_FIELDS
from tests.cli_probe import PROBE, modules_loaded_by

ROOT = Path(__file__).resolve().parent.parent
RECORD = ("2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 "
          "1418530010 1418530070 ACCEPT OK")


def loaded_by(*args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """The top-level packages ``flowtui ARGS`` loaded, the Arrow modules whose import the
    tests watch, and ``pool:NAME`` for Arrow's memory pool."""
    result, modules, pool = modules_loaded_by(*args)
    loaded = {name.split(".")[0] for name in modules}
    loaded |= {name for name in ("pyarrow.parquet", "pyarrow.compute", "pyarrow.acero",
                                 "pyarrow.dataset") if name in modules}
    if pool is not None:
        loaded.add("pool:" + pool)
    return result, loaded


@pytest.mark.parametrize("args", [["--help"], ["cat", "--help"]])
def test_help_loads_neither_arrow_nor_boto3_nor_textual(args: list[str]) -> None:
    result, loaded = loaded_by(*args)
    assert result.returncode == 0 and "usage: flowtui" in result.stdout
    assert not loaded & {"pyarrow", "boto3", "botocore", "textual"}


def test_cat_of_a_local_file_loads_neither_boto3_nor_textual(tmp_path: Path) -> None:
    path = tmp_path / "a.log.gz"
    path.write_bytes(gzip.compress(f"{' '.join(DEFAULT_FIELDS)}\n{RECORD}\n".encode()))
    for fmt in ("table", "csv", "jsonl"):
        result, loaded = loaded_by("cat", str(path), "--format", fmt)
        assert result.returncode == 0 and "eni-1235b8ca123456789" in result.stdout, fmt
        assert "pyarrow" in loaded  # the probe sees real imports
        # CSV streamed through, none kept: jemalloc (memory.prefer_streaming_memory); the
        # other writers keep the compact policy, which holds without Arrow loaded
        assert f"pool:{'jemalloc' if fmt == 'csv' else 'system'}" in loaded, fmt
        assert not loaded & {"boto3", "botocore", "s3transfer", "textual"}, fmt


def test_cat_of_a_text_log_loads_neither_parquet_nor_the_filter_grammar(tmp_path: Path) -> None:
    """pyarrow.parquet (~40 ms) and lark (~150 ms on a busy box) come before the first row
    of every ``cat`` that imports them; a gzip text log without ``--where`` needs neither."""
    path = tmp_path / "a.log.gz"
    path.write_bytes(gzip.compress(f"{' '.join(DEFAULT_FIELDS)}\n{RECORD}\n".encode()))
    for args in (["--format", "csv"], ["--sort", "-bytes", "--limit", "1"]):
        result, loaded = loaded_by("cat", str(path), *args)
        assert result.returncode == 0 and "eni-1235b8ca123456789" in result.stdout, args
        assert "pyarrow" in loaded
        assert not loaded & {"pyarrow.parquet", "lark"}, args


def test_cat_to_stdout_loads_neither_tempfile_nor_dateutil(tmp_path: Path) -> None:
    """tempfile (and shutil, random: ~5 ms of every command's start) is for ``--output``'s
    temporary file; ``cli.main`` imports the output module for its error type. dateutil
    (~3 ms) comes with Arrow's type inference (``pa.array`` of Python values, no type),
    which nothing on cat's way needs."""
    path = tmp_path / "a.log.gz"
    path.write_bytes(gzip.compress(f"{' '.join(DEFAULT_FIELDS)}\n{RECORD}\n".encode()))
    result, modules, _pool = modules_loaded_by("cat", str(path), "--format", "csv")
    assert result.returncode == 0 and "eni-1235b8ca123456789" in result.stdout
    assert "flowtui.outfile" in modules and "tempfile" not in modules
    assert "pyarrow.csv" in modules and "dateutil" not in modules


def test_a_pool_the_user_names_is_kept_and_the_questions_keep_the_compact_one(
        tmp_path: Path) -> None:
    """``ARROW_DEFAULT_MEMORY_POOL`` is the user's to set (cat keeps theirs), and a command
    that keeps what it reads (``top``'s groups) keeps the system pool whose resident memory
    follows what is held (``memory.prefer_compact_memory``)."""
    path = tmp_path / "a.log.gz"
    path.write_bytes(gzip.compress(f"{' '.join(DEFAULT_FIELDS)}\n{RECORD}\n".encode()))
    for chosen in ("system", "jemalloc"):
        result = subprocess.run([sys.executable, "-c", PROBE, "cat", str(path), "--format",
                                 "csv"], capture_output=True, text=True, cwd=ROOT, timeout=120,
                                env={**os.environ, "ARROW_DEFAULT_MEMORY_POOL": chosen})
        assert result.returncode == 0 and "eni-1235b8ca123456789" in result.stdout
        assert f'"pool": "{chosen}"' in result.stderr
    _result, loaded = loaded_by("top", str(path), "--by", "srcaddr")
    assert "pool:system" in loaded


# Runs cat with builtins.compile watched: which modules compiled source text at run time.
COMPILE_PROBE = """
import builtins, json, sys
callers = []
compile_ = builtins.compile
def watched(*args, **kwargs):
    callers.append(sys._getframe(1).f_globals.get("__name__"))
    return compile_(*args, **kwargs)
builtins.compile = watched
from flowtui.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
sys.stderr.write("COMPILED " + json.dumps(callers) + "\\n")
sys.exit(code)
"""


def test_cat_compiles_no_annotation_at_its_start(tmp_path: Path) -> None:
    """A NamedTuple class whose annotations are strings (``from __future__ import
    annotations``) has typing compile each one (~0.2 ms a field): cat's way holds none."""
    path = tmp_path / "a.log.gz"
    path.write_bytes(gzip.compress(f"{' '.join(DEFAULT_FIELDS)}\n{RECORD}\n".encode()))
    result = subprocess.run([sys.executable, "-c", COMPILE_PROBE, "cat", str(path), "--format",
                             "csv"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0 and "eni-1235b8ca123456789" in result.stdout
    lines = [line for line in result.stderr.splitlines() if line.startswith("COMPILED ")]
    callers = json.loads(lines[-1].removeprefix("COMPILED "))
    assert "typing" not in callers, callers


@pytest.mark.parametrize(("args", "shown"), [
    (["top", "--by", "srcaddr"], "172.31.16.139"), (["hist"], "2014-12-14T04:06"),
    (["cat", "--sort", "-bytes", "--limit", "1"], "172.31.16.139")])
def test_questions_about_a_local_file_load_no_boto3(tmp_path: Path, args: list[str],
                                                    shown: str) -> None:
    """botocore and urllib3 cost a fifth of a second of start-up: only S3 needs them."""
    path = tmp_path / "a.log.gz"
    path.write_bytes(gzip.compress(f"{' '.join(DEFAULT_FIELDS)}\n{RECORD}\n".encode()))
    result, loaded = loaded_by(args[0], str(path), *args[1:])
    assert result.returncode == 0 and shown in result.stdout, result.stderr
    assert not loaded & {"boto3", "botocore", "s3transfer", "urllib3"}
    assert "lark" not in loaded  # the filter grammar (~0.15 s): no filter was given


def test_a_filter_still_loads_the_grammar_and_is_applied(tmp_path: Path) -> None:
    """lark comes in when a filter is parsed: ``--where`` keeps working, and a bad one
    is still one line."""
    path = tmp_path / "a.log.gz"
    path.write_bytes(gzip.compress(f"{' '.join(DEFAULT_FIELDS)}\n{RECORD}\n".encode()))
    result, loaded = loaded_by("top", str(path), "--by", "srcaddr", "--where", "port 22")
    assert result.returncode == 0 and "172.31.16.139" in result.stdout, result.stderr
    assert "lark" in loaded
    result, _ = loaded_by("top", str(path), "--by", "srcaddr", "--where", "port 22 and")
    assert result.returncode == 2 and "Traceback" not in result.stderr


# A header, a record, a record of nulls ('-'), a line with too few fields, a negative count
# and a terminal escape in a text field: the parse's slow path, the null cells and the
# escaping all run.
HOSTILE = "\n".join([
    " ".join(DEFAULT_FIELDS), RECORD,
    "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1418530010 1418530070 - NODATA",
    "2 123456789010 eni-1235b8ca123456789 172.31.16.139 broken",
    RECORD.replace(" 4249 ", " -5 "),
    RECORD.replace("eni-1235b8ca123456789", "eni-\x1b[31mred"), ""])


def test_cat_never_imports_pyarrow_compute(tmp_path: Path) -> None:
    """Importing ``pyarrow.compute`` makes a wrapper and a docstring for each of Arrow's
    ~280 kernels: 0.05-0.07 s of CPU before the first row (issue 21 item 4). ``cat``'s
    parse and writers call the kernels through ``flowtui.arrowcompute`` instead, and
    Arrow's methods that compute (``Array.cast``, ``.take``, ``.filter``) import
    ``pyarrow.compute``, so a call to one of them on this path brings the cost back."""
    path = tmp_path / "a.log.gz"
    path.write_bytes(gzip.compress(HOSTILE.encode()))
    for fmt in (["--format", "table"], ["--format", "csv"], ["--format", "jsonl"],
                ["--decoded"], ["--explain"]):
        result, loaded = loaded_by("cat", str(path), *fmt)
        assert result.returncode == 0, result.stderr
        assert "eni-1235b8ca123456789" in result.stdout and "NODATA" in result.stdout, fmt
        assert "2 bad lines skipped" in result.stderr, fmt
        assert "pyarrow" in loaded
        assert not loaded & {"pyarrow.compute", "lark", "sqlglot"}, fmt


@pytest.mark.parametrize(("args", "shown"), [
    (["top", "--by", "srcaddr", "--metric", "bytes", "-n", "10"], "172.31.16.139"),
    (["top", "--by", "dstport", "--where", "srcaddr in 172.31.0.0/16"], "22"),
    (["hist", "--every", "1m"], "2014-12-14T04:06"),
    (["hist", "--where", "not reject"], "2014-12-14T04:06"),
    (["cat", "--where", "accept and dstport = 22", "--format", "csv"], "172.31.16.139"),
    (["cat", "--sort", "-bytes", "--limit", "20"], "172.31.16.139"),
    (["cat", "--sort", "-bytes", "--where", "dstport = 22", "--format", "jsonl"],
     "172.31.16.139")])
def test_the_questions_never_import_pyarrow_compute(tmp_path: Path, args: list[str],
                                                    shown: str) -> None:
    """``top``, ``hist``, ``cat --where`` and ``cat --sort`` answer without ``pyarrow.compute``
    (~0.055 s of CPU, see above) and without ``pyarrow.acero``, which ``Table.group_by``
    imports with ``pyarrow.dataset`` and its file systems (~0.08 s together): a tenth of a
    question on a million records, all of it before or between the first batches
    (issue 21 item 1). The filter, the group-by (``query/groupby.py``), the histogram, the
    top-k and the sorted view call the kernels through ``flowtui.arrowcompute``."""
    path = tmp_path / "a.log.gz"
    path.write_bytes(gzip.compress(HOSTILE.encode()))
    result, loaded = loaded_by(args[0], str(path), *args[1:])
    assert result.returncode == 0 and shown in result.stdout, result.stderr
    assert "2 bad lines skipped" in result.stderr
    assert "pyarrow" in loaded
    assert not loaded & {"pyarrow.compute", "pyarrow.acero", "pyarrow.dataset"}, args


def test_cat_of_an_s3_folder_loads_neither_compute_nor_the_query_engine(
        scratch_bucket: tuple[str, Any], s3_server: Any) -> None:
    """The S3 path (listing thread, read-ahead, loader threads) to the last row: no
    ``pyarrow.compute`` (see above), no filter grammar (lark), no SQL (sqlglot), no boto3
    (botocore's client is made directly)."""
    bucket, raw = scratch_bucket
    day = "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/03/05/"
    for i in range(2):
        raw.put_object(Bucket=bucket, Key=f"{day}123456789012_vpcflowlogs_us-east-1_fl-1_"
                                          f"20240305T000{i}Z_{i:08x}.log.gz",
                       Body=gzip.compress(HOSTILE.encode()))
    for fmt in ("table", "csv", "jsonl"):
        result, loaded = loaded_by("cat", f"s3://{bucket}/{day}", "--endpoint-url",
                                   s3_server.endpoint_url, "--format", fmt)
        assert result.returncode == 0, result.stderr
        assert result.stdout.count("NODATA") == 2, fmt
        assert "4 bad lines skipped" in result.stderr, fmt
        assert "botocore" in loaded  # the probe sees real imports
        assert not loaded & {"pyarrow.compute", "lark", "sqlglot", "boto3"}, fmt


# Runs the entry point as the process's own (argv from sys.argv), and reports what Python's
# cycle collector did: collections before the command's modules were loaded, whether it
# was on when the first bytes were parsed, and after the command.
COLLECTOR_PROBE = """
import gc, json, sys
import flowtui.cli.collector as collector
import flowtui.parser as parser
seen = {"collections": 0, "at_release": None, "on_when_parsing": None}
gc.callbacks.append(lambda phase, info: phase == "start" and seen.update(
    collections=seen["collections"] + 1))
release, stream = collector.release, parser.FlowLogParser.stream
def released():
    if seen["at_release"] is None:
        seen["at_release"] = seen["collections"]
    release()
def parsing(self, *args, **kwargs):
    if seen["on_when_parsing"] is None:
        seen["on_when_parsing"] = gc.isenabled()
    return stream(self, *args, **kwargs)
collector.release, parser.FlowLogParser.stream = released, parsing
sys.argv = ["flowtui", *sys.argv[1:]]
from flowtui.cli import main
seen["collections"] = 0  # (the probe's own imports above)
code = main()
sys.stdout.flush()
seen.update(enabled=gc.isenabled(), frozen=gc.get_freeze_count(), code=code)
sys.stderr.write("GC " + json.dumps(seen) + "\\n")
"""


def collector_during(*args: str) -> dict[str, Any]:
    result = subprocess.run([sys.executable, "-c", COLLECTOR_PROBE, *args],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    lines = [line for line in result.stderr.splitlines() if line.startswith("GC ")]
    assert lines, result.stderr
    seen: dict[str, Any] = json.loads(lines[-1].removeprefix("GC "))
    assert seen["code"] == 0 and "172.31.16.139" in result.stdout, result.stderr
    return seen


def test_no_collection_runs_while_a_command_starts(
        tmp_path: Path, scratch_bucket: tuple[str, Any], s3_server: Any) -> None:
    """Imports make ~100k objects and none is garbage: the collector walked them ~140 times
    before the first line from S3 (~35 ms of CPU). It is held off until the modules are
    loaded, on again before any record is parsed (a long load collects as before), and
    the start-up's objects are frozen out of its sight."""
    path = tmp_path / "a.log.gz"
    path.write_bytes(gzip.compress(f"{' '.join(DEFAULT_FIELDS)}\n{RECORD}\n".encode()))
    bucket, raw = scratch_bucket
    raw.put_object(Bucket=bucket, Key="day/a.log.gz", Body=path.read_bytes())
    for args in (["cat", str(path)], ["cat", str(path), "--format", "csv", "--limit", "1"],
                 ["cat", f"s3://{bucket}/day/", "--endpoint-url", s3_server.endpoint_url],
                 ["top", str(path), "--by", "srcaddr"]):
        seen = collector_during(*args)
        assert seen["at_release"] == 0, args  # none before the modules were loaded
        assert seen["on_when_parsing"] is True, args
        assert seen["enabled"] is True and seen["frozen"] > 10_000, args


def test_a_caller_in_its_own_process_keeps_its_collector(tmp_path: Path) -> None:
    """``main(argv)`` called by a program (tests, a wrapper) leaves its collector alone:
    nothing of the caller's is frozen."""
    path = tmp_path / "a.log.gz"
    path.write_bytes(gzip.compress(f"{' '.join(DEFAULT_FIELDS)}\n{RECORD}\n".encode()))
    done = subprocess.run([sys.executable, "-c", "import gc, sys\nfrom flowtui.cli import main\n"
                           "code = main(sys.argv[1:])\nsys.stdout.flush()\n"
                           "print(code, gc.isenabled(), gc.get_freeze_count(), file=sys.stderr)",
                           "cat", str(path)], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert done.stderr.split() == ["0", "True", "0"], done.stderr
