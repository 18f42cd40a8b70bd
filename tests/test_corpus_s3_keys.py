"""Hostile S3 keys (issue 13's corpus): keys of 1,024 bytes, ``..`` segments, a key ending in
``/`` beside a folder of the same name, control characters, OSC 52 / OSC 8 / title escapes,
a carriage return, bidi overrides and Rich markup. Each sits in its own folder of a scratch
bucket beside a good neighbour and is read as a user reads it: ``flowtui cat`` in a
subprocess (exit code, one line per problem, every good record, no control byte out) and the
browser (listed literally, Enter loads it or says why in one line, the app answers and
quits)."""

from __future__ import annotations

import gzip
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from flowtui.ui.app import FlowtuiApp
from flowtui.ui.widgets.browser.sources import Location, entry_location
from flowtui.ui.widgets.safe import literal
from tests.cli_fork import Job, run_all
from tests.conftest import scratch
from tests.corpus.generate import GOOD, HEADER, lines
from tests.ui_helpers import press, record_notes, screen_segments, screen_text, wait_for

CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
GOOD_BODY = gzip.compress(lines(HEADER, *GOOD))
NEIGHBOUR = "neighbour.log.gz"  # a plain good object in every case's folder


def _truncated() -> bytes:
    return GOOD_BODY[: len(GOOD_BODY) // 2]


@dataclass(frozen=True)
class KeyCase:
    """One hostile key (relative to the case's folder) and what it holds."""

    name: str
    key: str
    body: bytes = GOOD_BODY
    records: int = len(GOOD)  # records the hostile object holds (-1: some, not all)
    broken: bool = False  # the object is cut off: one line and exit 1
    extra: tuple[tuple[str, bytes], ...] = ()  # more objects beside it


KEY_CASES = [
    KeyCase("key-1024-bytes", "LONG"),
    KeyCase("dot-dot", "../up.log.gz"),
    KeyCase("dot-dot-deep", "a/../../b/./c.log.gz"),
    KeyCase("trailing-slash", "dir/", extra=(("dir/inner.log.gz", GOOD_BODY),)),
    KeyCase("osc52", "clip-\x1b]52;c;ZWNobyBoaQ==\x07.log.gz"),
    KeyCase("osc8", "link-\x1b]8;;http:x\x1b\\text\x1b]8;;\x1b\\.log.gz"),
    KeyCase("title", "title-\x1b]0;owned\x07.log.gz", _truncated(), -1, broken=True),
    KeyCase("c0-c1-controls", "ctl-\x01\x08\x7f\u009b31m\r.log.gz"),
    # (a newline in a key: moto's router answers 404 to any request for it, so not here)
    KeyCase("rich-markup", "[bold red]markup[/bold red][link=http:x]y.log.gz"),
    KeyCase("bidi", "evil\u202egz.gol.exe"),
]


def _key(case: KeyCase) -> str:
    folder = f"{case.name}/"
    if case.key == "LONG":
        return folder + "x" * (1024 - len(folder) - len(".log.gz")) + ".log.gz"
    return folder + case.key


@pytest.fixture(scope="module")
def hostile_bucket(s3_server: Any) -> Iterator[str]:
    """A scratch bucket (deleted afterwards) holding every case, shared by this module."""
    with scratch(s3_server) as (name, raw):
        for case in KEY_CASES:
            raw.put_object(Bucket=name, Key=_key(case), Body=case.body)
            raw.put_object(Bucket=name, Key=f"{case.name}/{NEIGHBOUR}", Body=GOOD_BODY)
            for extra, body in case.extra:
                raw.put_object(Bucket=name, Key=f"{case.name}/{extra}", Body=body)
        assert len(_key(KEY_CASES[0]).encode()) == 1024
        yield name


# --- flowtui cat ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CatRun:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def cat_runs(s3_server: Any, hostile_bucket: str) -> dict[tuple[str, str], CatRun]:
    """Each case's folder, and its hostile key itself, through ``flowtui cat``: each a process
    of its own, forked from one warmed-up driver (tests/cli_fork.py), 3 at once."""
    jobs = []
    for case in KEY_CASES:
        jobs.append((case.name, "folder", f"s3://{hostile_bucket}/{case.name}/"))
        jobs.append((case.name, "key", f"s3://{hostile_bucket}/{_key(case)}"))
    done = run_all([Job(("cat", url, "--format", "jsonl", "--endpoint-url",
                         s3_server.endpoint_url)) for _, _, url in jobs], width=3)
    return {(name, what): CatRun(run.returncode, run.stdout.decode("utf-8", "replace"),
                                 run.stderr.decode("utf-8", "replace"))
            for (name, what, _), run in zip(jobs, done, strict=True)}


def _check_output(run: CatRun, context: str) -> list[dict[str, Any]]:
    assert "Traceback" not in run.stderr, context
    for line in run.stderr.splitlines():
        assert line.startswith("flowtui: "), context
    assert not CONTROL.search(run.stdout), context
    assert not CONTROL.search(run.stderr.replace("\n", "")), context
    return [json.loads(line) for line in run.stdout.splitlines()]


@pytest.mark.parametrize("case", KEY_CASES, ids=[case.name for case in KEY_CASES])
def test_cat_of_the_folder_keeps_every_good_record(
        case: KeyCase, cat_runs: dict[tuple[str, str], CatRun]) -> None:
    run = cat_runs[(case.name, "folder")]
    context = f"{case.name}: exit {run.returncode}, stderr {run.stderr[-800:]!r}"
    records = _check_output(run, context)
    good = len(GOOD) * (1 + len(case.extra))  # the neighbour and the extras
    if case.broken:
        assert run.returncode == 1, context
        assert len(records) >= good, context
        # the object is named in its one line, escaped
        assert any(literal(case.key) in line and "ends early" in line
                   for line in run.stderr.splitlines()), context
    else:
        assert run.returncode == 0, context
        assert len(records) == good + case.records, context
        assert run.stderr == "", context


@pytest.mark.parametrize("case", KEY_CASES, ids=[case.name for case in KEY_CASES])
def test_cat_of_the_key_itself(case: KeyCase, cat_runs: dict[tuple[str, str], CatRun]
                               ) -> None:
    run = cat_runs[(case.name, "key")]
    context = f"{case.name}: exit {run.returncode}, stderr {run.stderr[-800:]!r}"
    records = _check_output(run, context)
    if case.broken:
        assert run.returncode == 1, context
        assert 0 < len(records) < len(GOOD), context
    elif case.key.endswith("/"):
        # a key ending in "/" names the folder: its objects (the slash object among them)
        assert run.returncode == 0, context
        assert len(records) == len(GOOD) * (1 + len(case.extra)), context
    else:
        assert (run.returncode, len(records), run.stderr) == (0, case.records, ""), context


# --- the browser ---------------------------------------------------------------------------


async def _highlight_key(pilot: Any, app: FlowtuiApp, url: str) -> None:
    browser = app.browser
    await wait_for(pilot, lambda: any(entry_location(e) == url for e in browser.entries),
                   timeout=30, what=f"{url!r} listed")
    await press(pilot, "home")
    for _ in range(len(browser.entries) + 1):
        entry = browser.highlighted_entry()
        if entry is not None and entry_location(entry) == url:
            return
        await press(pilot, "down")
    raise AssertionError(f"could not reach {url!r}")


@pytest.mark.asyncio
@pytest.mark.parametrize("case", KEY_CASES, ids=[case.name for case in KEY_CASES])
async def test_the_browser_lists_the_key_literally_and_loads_it(
        case: KeyCase, s3_server: Any, hostile_bucket: str) -> None:
    key = _key(case)
    # (an object whose key ends in "/" is listed inside the folder of its own name)
    parent = key if key.endswith("/") else key.rpartition("/")[0] + "/"
    url = f"s3://{hostile_bucket}/{key}"
    app = FlowtuiApp(None, client=s3_server.client())
    notes = record_notes(app)  # every toast, also one gone before a loaded machine looks
    async with app.run_test(size=(160, 40)) as pilot:
        app.browser.open(Location("s3", hostile_bucket, parent))
        await _highlight_key(pilot, app, url)
        entry = app.browser.highlighted_entry()
        assert entry is not None and entry.kind == "object"
        shown = "\n".join(screen_text(pilot))
        assert entry.name and literal(entry.name)[:24] in shown, shown
        await press(pilot, "enter")
        await wait_for(pilot, lambda: app.job is not None and not app.job.status.running
                       and app.job.worker is not None and app.job.worker.is_finished,
                       timeout=60, what="load finished")
        await pilot.pause()
        state = app.browser._states[url]
        if case.broken:
            assert state.error and "\n" not in state.error
            assert 0 < app.table.row_count < len(GOOD)
            assert any("ends early" in note for note in notes), notes
        else:
            assert (state.status, state.error) == ("done", None)
            assert app.table.row_count == case.records
        for note in notes:
            assert "\n" not in note
            assert not CONTROL.search(note)
        text = "\n".join(screen_text(pilot))
        assert "Traceback" not in text
        assert not any(CONTROL.search(segment) for segment in screen_segments(pilot))
        # still answering: the table's cursor moves on a key
        app.table.focus()
        await press(pilot, "G")
        await wait_for(pilot, lambda: app.table.cursor_row == app.table.row_count - 1,
                       what="the cursor at the last row")
        started = time.monotonic()
        await pilot.press("q")
    assert time.monotonic() - started < 10
    assert not app.is_running
