"""The hostile corpus through ``flowtui cat``, as a user runs it: the exit code, the one-line
message, every good record kept, no traceback, no escape byte on stdout, bounded wall time,
and bounded memory (under a hard RLIMIT_AS as well) for the bombs (issue 13)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.corpus.generate import CASES, Case

ROOT = Path(__file__).resolve().parent.parent
ADDRESS_SPACE_LIMIT = 3 << 30  # a runaway dies here instead of taking the machine with it
PARALLEL = 3  # cases at once: the slow ones overlap the quick ones on two cores


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mb: float


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))


#: ``flowtui`` as ``python -m flowtui`` runs it, then its own peak resident memory (VmHWM) into
#: a file: the rusage of a forked child also counts the pytest process's memory at the fork.
_DRIVER = """
import os, sys
from flowtui.cli import main
try:
    code = main(sys.argv[1:])
finally:
    with open("/proc/self/status") as status, open(os.environ["FLOWTUI_HWM"], "w") as out:
        out.write(next(line for line in status if line.startswith("VmHWM")))
sys.exit(code)
"""


def _own_peak_mb(hwm_file: Path) -> float | None:
    try:
        return int(hwm_file.read_text().split()[1]) / 1024  # "VmHWM:  12345 kB"
    except (OSError, IndexError, ValueError):
        return None


def _run(case: Case, folder: Path) -> Outcome:
    path = folder / case.name
    path.write_bytes(case.make())
    hwm_file = folder / f"{case.name}.hwm"
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-c", _DRIVER, "cat", str(path), "--format",
                                "jsonl"], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, preexec_fn=_limit_memory,
                               env=dict(os.environ, FLOWTUI_HWM=str(hwm_file)))
    assert process.stdout is not None and process.stderr is not None
    watchdog = threading.Timer(300, process.kill)  # a hang fails the case, not the run
    watchdog.start()
    with ThreadPoolExecutor(2) as readers:
        out = readers.submit(process.stdout.read)
        err = readers.submit(process.stderr.read)
        # wait4, not wait: the child's own peak resident memory comes with its status.
        _, status, usage = os.wait4(process.pid, 0)
        stdout, stderr = out.result(), err.result()
    watchdog.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    own = _own_peak_mb(hwm_file)
    return Outcome(process.returncode, stdout.decode("utf-8", "replace"),
                   stderr.decode("utf-8", "replace"), time.monotonic() - started,
                   own if own is not None else usage.ru_maxrss / 1024)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    folder = tmp_path_factory.mktemp("corpus")
    # The slow cases first, so they overlap the rest.
    ordered = sorted(CASES, key=lambda case: -case.max_seconds)
    with ThreadPoolExecutor(PARALLEL) as pool:
        results = pool.map(lambda case: (case.name, _run(case, folder)), ordered)
        return dict(results)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_corpus_case(case: Case, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[case.name]
    context = f"{case.name}: exit {outcome.returncode}, stderr {outcome.stderr[-600:]!r}"
    assert outcome.returncode == case.exit_code, context
    assert "Traceback" not in outcome.stderr and "terminate called" not in outcome.stderr, context
    for line in outcome.stderr.splitlines():
        assert line.startswith("flowtui: "), context
    if case.message is not None:
        assert case.message.lower() in outcome.stderr.lower(), context
    records = [json.loads(line) for line in outcome.stdout.splitlines()]
    if case.records >= 0:
        assert len(records) == case.records, context
    if case.bad_lines > 0:
        plural = "s" if case.bad_lines != 1 else ""
        assert f"flowtui: {case.bad_lines} bad line{plural} skipped" in outcome.stderr, context
    assert "\x1b" not in outcome.stdout and "\x9b" not in outcome.stdout, context
    assert outcome.seconds < case.max_seconds, f"{case.name}: {outcome.seconds:.1f} s"
    if case.max_rss_mb is not None:
        assert outcome.max_rss_mb < case.max_rss_mb, f"{case.name}: {outcome.max_rss_mb:.0f} MB"


def test_the_records_of_a_truncated_object_are_every_complete_one(tmp_path: Path
                                                                   ) -> None:
    import zlib

    from tests.corpus.generate import truncated

    data = truncated()
    text = zlib.decompressobj(wbits=31).decompress(data)
    complete = text.count(b"\n") - 1  # less the header
    outcome = _run(next(c for c in CASES if c.name == "truncated.log.gz"), tmp_path)
    records = outcome.stdout.splitlines()
    assert len(records) == complete
    assert "1 bad line skipped" in outcome.stderr  # the line the cut went through
