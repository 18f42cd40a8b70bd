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

#: Seconds per test file (sum of phases), the quiet green fresh-clone run of 2026-12-07 13:09
#: (``bash .ci/run``, main 0a15cbb, from its pytest cache); files under half a second are left
#: out (they go last).
RECORDED: dict[str, float] = {
    "test_ui_filter": 22.6, "test_ui_truth": 20.4, "test_corpus_ui": 20.1,
    "test_ui_everyday": 20.1, "test_ui_app": 19.9, "test_query_equivalence": 19.6,
    "test_ui_names": 19.4, "test_ui_story": 18.9, "test_corpus_s3_keys": 17.3,
    "test_output_bulk": 16.6, "test_ui_snapshots": 14.4, "test_ui_signals": 13.5,
    "test_ui_invariants": 13, "test_tmux_demo": 12.4, "test_corpus": 12.4,
    "test_where_fast_path": 11.8, "test_ui_repaint": 11, "test_ui_tail": 10,
    "test_ui_browser_edges": 10, "test_cli_startup": 10, "test_parser_exit": 9,
    "test_ui_panes": 8.7, "test_athena_table": 8.3, "test_demo": 8.3, "test_s3_session": 8.1,
    "test_query_view": 7.9, "test_ui_athena": 7.8, "test_config": 7.7, "test_parser_inflate": 7.3,
    "test_parser_hostile": 7.1, "test_app_start": 7, "test_fast_paths": 6.8,
    "test_athena_cli": 6.6, "test_ui_clipboard": 6.5, "test_corpus_filters": 6.3,
    "test_ui_ssh_bytes": 6.2, "test_cli_cat": 5.9, "test_redact": 5.6, "test_athena_hostile": 5.6,
    "test_csv_number_text": 5.4, "test_s3_first_line": 5.3, "test_query_cli": 5.3,
    "test_actions": 5.1, "test_names_cli": 5, "test_synth": 4.9, "test_s3_hang": 4.8,
    "test_output": 4.8, "test_tail": 4.7, "test_story_bounds": 4.3, "test_ui_cursor_burst": 4.2,
    "test_ui_table": 4.1, "test_terminal_output": 4.1, "test_peers_duckdb": 4,
    "test_ui_tail_edges": 3.8, "test_output_paths": 3.8, "test_parser": 3.6,
    "test_names_inventory": 3.6, "test_loader": 3.6, "test_story_s3": 3.6, "test_tail_cli": 3.4,
    "test_loader_latency": 3.2, "test_s3_listing": 3, "test_s3_reader": 3, "test_tmux_paste": 2.9,
    "test_reference_day": 2.9, "test_cli_boundary": 2.8, "test_ui_help": 2.4,
    "test_athena_duckdb": 2.3, "test_loader_memory": 2.1, "test_s3_cat": 2.1, "test_boundary": 2,
    "test_s3_select": 1.9, "test_absent_fields": 1.7, "test_query_expr": 1.4,
    "test_athena_engine": 1.3, "test_histogram_sums": 1.3, "test_filter_refused": 1.3,
    "test_s3_errors": 1.2, "test_detect_by_content": 1.2, "test_outfile": 1.2,
    "test_cli_stdin_window": 1.2, "test_history_private": 1.1, "test_query_values": 1.1,
    "test_names_filter": 1, "test_query_sql": 1, "test_names_rules": 0.9, "test_s3_url": 0.9,
    "test_stubs_not_needed": 0.9, "test_explain": 0.8, "test_names_demo": 0.7,
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
