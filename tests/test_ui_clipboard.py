"""What the keys put in the clipboard: never a control or bidi character from the data.

A value holding ``ESC[201~``, a newline and a command, pasted into a shell with bracketed
paste, would end the paste and run the command. The values come from a Parquet object on
the moto server (Parquet strings can hold newlines, which text flow logs cannot).
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flowtui.synth import parquet_name
from flowtui.ui.app import FlowtuiApp
from tests.conftest import DEFAULT_FIELDS, parquet_object
from tests.ui_helpers import DAY_PREFIX, detail_caught_up, press, wait_for

pytestmark = pytest.mark.asyncio

HOSTILE = "eni-0\x1b[201~\nrm -rf ~/x\r\n\x07\x9b31m\x85\u202eevil\u2066x\u2069\U000e0001"
HOSTILE_ACTION = "ACCEPT\x1b]52;c;ZWNobyBwd25lZA==\x07\u202a"
# C0, DEL, C1, and the bidi embeddings, overrides and isolates (and marks)
FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def recording_app(url: str, client: Any) -> tuple[FlowtuiApp, list[str]]:
    """The app, with every text it hands to the clipboard kept (the real method still runs)."""
    app = FlowtuiApp(url, client=client)
    copied: list[str] = []
    real = app.copy_to_clipboard

    def copy_to_clipboard(text: str) -> None:
        copied.append(text)
        real(text)

    app.copy_to_clipboard = copy_to_clipboard  # type: ignore[method-assign]
    return app, copied


def _hostile_parquet() -> bytes:
    fields = DEFAULT_FIELDS
    line = ("2 123456789012 eni-placeholder 10.0.0.1 10.0.0.2 443 5555 6 10 840 1709647200 "
            "1709647260 ACCEPT OK")
    assert len(line.split()) == len(fields)
    table = pq.read_table(io.BytesIO(parquet_object([line], fields)))
    for field, value in (("interface-id", HOSTILE), ("action", HOSTILE_ACTION)):
        name = parquet_name(field)
        table = table.set_column(table.schema.get_field_index(name), name,
                                 pa.array([value], type=pa.string()))
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()


@pytest.fixture()
def hostile_url(s3_server: Any, raw_s3: Any) -> Any:
    bucket = s3_server.main_bucket
    key = "ui-clipboard/AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/03/05/hostile.parquet"
    raw_s3.put_object(Bucket=bucket, Key=key, Body=_hostile_parquet())
    yield f"s3://{bucket}/{key}"
    raw_s3.delete_object(Bucket=bucket, Key=key)


async def _loaded(pilot: Any, app: FlowtuiApp) -> None:
    await wait_for(pilot, lambda: app.job is not None and not app.job.status.running
                   and app.table.row_count == 1, timeout=20, what="hostile record loaded")
    await detail_caught_up(pilot)


def _clean(text: str) -> bool:
    return FORBIDDEN.search(text) is None


async def test_copied_values_hold_no_control_or_bidi_character(
        hostile_url: str, s3_client: Any) -> None:
    app, copied = recording_app(hostile_url, client=s3_client)
    async with app.run_test(size=(160, 48)) as pilot:
        await _loaded(pilot, app)
        record = app.main_screen.current_record()
        assert record is not None and record["interface-id"] == HOSTILE  # loaded intact
        app.detail.list.focus()
        await pilot.pause()
        lines = app.detail.list.targets
        wanted = {"interface-id", "action"}
        for index, target in enumerate(lines):
            if target is None:
                continue
            app.detail.list.highlighted = index
            await pilot.pause()
            for key in ("y", "Y"):
                before = len(copied)
                await press(pilot, key)
                assert len(copied) == before + 1, (key, target.label)
                assert _clean(copied[-1]), (key, target.label, copied[-1])
            wanted.discard(target.label)
        assert not wanted  # both hostile fields were copied
        # the escaped value is what the screen shows, so the user can recognise it
        hostile_copies = [c for c in copied if c.startswith("eni-0")]
        assert "eni-0\\x1b[201~\\x0arm -rf ~/x\\x0d\\x0a" in hostile_copies[0]
        assert "\\u202eevil" in hostile_copies[0]
        # ... and the user is told the copy is not the raw bytes
        assert any("(control characters escaped)" in n.message
                   for n in app._notifications)  # noqa: SLF001


async def test_copied_json_holds_no_control_or_bidi_character_and_keeps_the_value(
        hostile_url: str, s3_client: Any) -> None:
    app, copied = recording_app(hostile_url, client=s3_client)
    async with app.run_test(size=(160, 48)) as pilot:
        await _loaded(pilot, app)
        app.table.focus()
        await press(pilot, "c")
        assert len(copied) == 1
        assert _clean(copied[0]), copied[0]
        # JSON escapes are lossless: the data reads back exactly
        data = json.loads(copied[0])
        assert data["interface-id"] == HOSTILE
        assert data["action"] == HOSTILE_ACTION
        assert any(n.message.startswith("Copied row 1 of ") and n.message.endswith(" as JSON")
                   for n in app._notifications)  # noqa: SLF001


def recording_notes(app: FlowtuiApp) -> list[str]:
    """Every toast's text (the real notify still runs)."""
    said: list[str] = []
    real = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        said.append(message)
        real(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return said


async def _copy_twice(pilot: Any, app: FlowtuiApp) -> None:
    await wait_for(pilot, lambda: app.job is not None and not app.job.status.running
                   and app.table.row_count > 0, timeout=20, what="records loaded")
    app.table.focus()
    await press(pilot, "c")
    await press(pilot, "down", "c")


async def test_first_copy_inside_tmux_says_osc52_must_be_allowed(
        s3_server: Any, s3_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMUX", "/tmp/tmux-1000/default,1234,0")
    target = s3_server.under(s3_server.main_bucket, DAY_PREFIX)[0]
    app = FlowtuiApp(target.url, client=s3_client)
    said = recording_notes(app)
    async with app.run_test(size=(120, 30)) as pilot:
        await _copy_twice(pilot, app)
        await wait_for(pilot, lambda: sum(s.startswith("Copied") for s in said) == 2,
                       what="two copies")
        told = [s for s in said if "OSC 52" in s]
        assert len(told) == 1  # once a session
        assert "set -g set-clipboard on" in told[0] and "w exports to a file" in told[0]


async def test_copy_outside_tmux_says_only_copied(
        s3_server: Any, s3_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TMUX", raising=False)
    target = s3_server.under(s3_server.main_bucket, DAY_PREFIX)[0]
    app = FlowtuiApp(target.url, client=s3_client)
    said = recording_notes(app)
    async with app.run_test(size=(120, 30)) as pilot:
        await _copy_twice(pilot, app)
        await wait_for(pilot, lambda: sum(s.startswith("Copied") for s in said) == 2,
                       what="two copies")
        assert not [s for s in said if "OSC 52" in s]
