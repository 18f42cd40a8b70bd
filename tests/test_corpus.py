"""The hostile corpus through ``flowtui cat``, as a user runs it: the exit code, the one-line
message, every good record kept, no traceback, no escape byte on stdout, bounded CPU time,
and bounded memory (under a hard RLIMIT_AS as well) for the bombs (issue 13)."""

from __future__ import annotations

import json

import pytest

from tests.cli_fork import Done, Job, run_all
from tests.corpus.generate import CASES, Case

ADDRESS_SPACE_LIMIT = 3 << 30  # a runaway dies here instead of taking the machine with it
PARALLEL = 3  # cases at once: the slow ones overlap the quick ones on two cores


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Done]:
    """Every case through ``flowtui cat FILE --format jsonl``, each a process of its own
    under a hard RLIMIT_AS (forked from one warmed-up driver: tests/cli_fork.py)."""
    folder = tmp_path_factory.mktemp("corpus")
    # The slow cases first, so they overlap the rest.
    ordered = sorted(CASES, key=lambda case: -case.max_seconds)
    jobs = []
    for case in ordered:
        path = folder / case.name
        path.write_bytes(case.make())
        jobs.append(Job(("cat", str(path), "--format", "jsonl"),
                        rlimit_as=ADDRESS_SPACE_LIMIT))
    done = run_all(jobs, width=PARALLEL)
    return {case.name: outcome for case, outcome in zip(ordered, done, strict=True)}


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_corpus_case(case: Case, outcomes: dict[str, Done]) -> None:
    outcome = outcomes[case.name]
    stdout, stderr = _text(outcome.stdout), _text(outcome.stderr)
    context = f"{case.name}: exit {outcome.returncode}, stderr {stderr[-600:]!r}"
    assert outcome.returncode == case.exit_code, context
    assert "Traceback" not in stderr and "terminate called" not in stderr, context
    for line in stderr.splitlines():
        assert line.startswith("flowtui: "), context
    if case.message is not None:
        assert case.message.lower() in stderr.lower(), context
    records = [json.loads(line) for line in stdout.splitlines()]
    if case.records >= 0:
        assert len(records) == case.records, context
    if case.bad_lines > 0:
        plural = "s" if case.bad_lines != 1 else ""
        assert f"flowtui: {case.bad_lines} bad line{plural} skipped" in stderr, context
    assert "\x1b" not in stdout and "\x9b" not in stdout, context
    # CPU time, not wall time: a quadratic pass or a spin shows, a busy machine does not.
    assert outcome.cpu_seconds < case.max_seconds, f"{case.name}: {outcome.cpu_seconds:.1f} s"
    if case.max_rss_mb is not None:
        assert outcome.max_rss_mb < case.max_rss_mb, f"{case.name}: {outcome.max_rss_mb:.0f} MB"


def test_the_records_of_a_truncated_object_are_every_complete_one(
        outcomes: dict[str, Done]) -> None:
    import zlib

    from tests.corpus.generate import truncated

    data = truncated()  # the case's bytes (gzip's header time aside)
    text = zlib.decompressobj(wbits=31).decompress(data)
    complete = text.count(b"\n") - 1  # less the header
    outcome = outcomes["truncated.log.gz"]
    records = outcome.stdout.splitlines()
    assert len(records) == complete
    assert "1 bad line skipped" in _text(outcome.stderr)  # the line the cut went through
