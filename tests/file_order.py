"""The order the test files start in: the costliest first, so the two workers finish together.

pytest-xdist's ``--dist loadfile`` hands a worker the next whole file when it is almost out of
work, in the order of the work queue. By default (``--loadscope-reorder``) that queue is sorted
by the number of tests per file, which says little about time: a UI file of ten tests takes
20 s, a file of two hundred parametrised cases 1 s, and the big UI files came last, so one
worker ran a 17 s file while the other had nothing left (a 10 s tail in the lead's quiet run
of 2026-12-07, replayed from its durations). Longest first (``--no-loadscope-reorder`` in
``pyproject.toml``, and the collection sorted here) leaves a tail of at most the last small
file. Tests keep their order inside a file (module fixtures, as in a serial run).

A file's cost is what the last whole, green run measured (the sum of its tests' set-up, call
and tear-down; kept in pytest's cache by the controller), else ``RECORDED``, else
``UNKNOWN``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

CACHE_KEY = "flowtui/file-seconds"

#: Seconds per test file (sum of phases), quiet run of 2026-12-07, ``pytest --durations=0``;
#: files under half a second are left out (they go last).
RECORDED: dict[str, float] = {
    "test_ui_truth": 25.8, "test_corpus_ui": 23.8, "test_ui_filter": 21.5,
    "test_ui_everyday": 19.7, "test_ui_app": 19.2, "test_ui_story": 18.8,
    "test_ui_snapshots": 18, "test_ui_names": 17.3, "test_corpus_s3_keys": 17.3,
    "test_ui_invariants": 17, "test_parser": 15.9, "test_query_equivalence": 12.4,
    "test_ui_repaint": 11.1, "test_output_bulk": 9.6, "test_ui_panes": 9.3,
    "test_tmux_demo": 8.8, "test_corpus": 8.7, "test_ui_tail": 8.4,
    "test_where_fast_path": 8.4, "test_ui_athena": 8.2, "test_ui_browser_edges": 7.9,
    "test_parser_exit": 7.4, "test_ui_clipboard": 7.2, "test_athena_table": 7,
    "test_redact": 6.3, "test_names_inventory": 6.2, "test_ui_ssh_bytes": 6.1,
    "test_s3_hang": 6, "test_demo": 6, "test_parser_hostile": 5.7, "test_corpus_filters": 5.7,
    "test_query_view": 5.7, "test_config": 5.6, "test_s3_first_line": 5.5, "test_tail": 5.4,
    "test_parser_inflate": 5.4, "test_athena_hostile": 5.2, "test_ui_cursor_burst": 5.1,
    "test_loader": 5, "test_cli_cat": 4.9, "test_athena_cli": 4.7, "test_fast_paths": 4.7,
    "test_app_start": 4.6, "test_s3_listing": 4.3, "test_actions": 4.2,
    "test_ui_tail_edges": 4.2, "test_query_cli": 4.1, "test_ui_table": 4,
    "test_s3_reader": 3.6, "test_athena_duckdb": 3.5, "test_synth": 3.5, "test_output": 3.5,
    "test_s3_errors": 3.4, "test_s3_session": 3.2, "test_story_bounds": 3.1, "test_s3_cat": 3,
    "test_names_resolve": 2.9, "test_output_paths": 2.8, "test_s3_url": 2.8,
    "test_names_cli": 2.6, "test_s3_select": 2.6, "test_tmux_paste": 2.6,
    "test_cli_startup": 2.5, "test_tail_cli": 2.5, "test_boundary": 2.5, "test_story_s3": 2.4,
    "test_terminal_output": 2.2, "test_reference_day": 2.1, "test_ui_signals": 2.1,
    "test_athena_engine": 2, "test_peers_duckdb": 1.8, "test_cli_boundary": 1.8,
    "test_loader_latency": 1.8, "test_histogram_sums": 1.7, "test_absent_fields": 1.5,
    "test_detect_by_content": 1.4, "test_stubs_not_needed": 1.3, "test_outfile": 1.1,
    "test_filter_refused": 1.1, "test_ui_help": 1.1, "test_query_expr": 1.1,
    "test_names_demo": 1.1, "test_cli_stdin_window": 1, "test_history_private": 0.9,
    "test_ui_browser_fetch": 0.9, "test_names_filter": 0.8, "test_query_values": 0.6,
    "test_query_sql": 0.6,
}
#: A file with no record (a new one): mid-table, so it neither holds up the end nor waits.
UNKNOWN = 5.0


def file_key(nodeid: str) -> str:
    """``tests/test_x.py::test_y[z]`` -> ``test_x``."""
    path = nodeid.split("::", 1)[0]
    return path.rsplit("/", 1)[-1].removesuffix(".py")


def costs(config: pytest.Config) -> dict[str, float]:
    """``RECORDED``, updated by what the last runs measured (pytest's cache, if enabled)."""
    seconds = dict(RECORDED)
    cache = getattr(config, "cache", None)
    if cache is not None:
        measured = cache.get(CACHE_KEY, {})
        if isinstance(measured, dict):
            seconds.update({k: float(v) for k, v in measured.items()
                            if isinstance(v, int | float)})
    return seconds


def costliest_first(items: Sequence[Any], seconds: Mapping[str, float]) -> list[Any]:
    """``items`` grouped by file, the files by cost (highest first), each file's tests in
    their own order (the sort is stable)."""
    first_seen: dict[str, int] = {}
    for n, item in enumerate(items):
        first_seen.setdefault(file_key(item.nodeid), n)
    return sorted(items, key=lambda item: (-seconds.get(file_key(item.nodeid), UNKNOWN),
                                           first_seen[file_key(item.nodeid)]))


class Recorder:
    """Sums each file's test phases as the reports reach the controller (or a serial run)
    and keeps them in pytest's cache at the end, for the next run's order."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)

    def add(self, report: pytest.TestReport) -> None:
        self.seconds[file_key(report.nodeid)] += report.duration

    def save(self, session: pytest.Session) -> None:
        """Only after a whole, green run: a file run in part (``-k``, ``--lf``, ``-x``) would
        be recorded as cheap and go last the next time."""
        config = session.config
        cache = getattr(config, "cache", None)
        whole = (config.args_source == pytest.Config.ArgsSource.TESTPATHS
                 and not config.option.keyword and not config.option.markexpr
                 and not config.getoption("lf", False) and not config.getoption("deselect")
                 and session.exitstatus == pytest.ExitCode.OK)
        if cache is None or not self.seconds or not whole:
            return
        kept = cache.get(CACHE_KEY, {})
        merged = dict(kept) if isinstance(kept, dict) else {}
        merged.update({k: round(v, 2) for k, v in self.seconds.items()})
        cache.set(CACHE_KEY, merged)
