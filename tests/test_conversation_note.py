"""The conversation view says once when its sums leave out records that recorded nothing.

NODATA/SKIPDATA rows carry '-' in packets and bytes (AWS, "Flow log record examples": ``2
123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA``) and
Block Public Access records carry no bytes (VPC user guide, "Flow log limitations";
reference §2.1): not recorded, not 0. A direction with one record of '-' and one of 180 bytes
showed "180 B" with nothing said, where top and hist say "1 of 3 records has no packets or
bytes recorded …: the sums are of the others". ``story --conversation`` (text and JSON) and
the app's conversation screen (``v``) now say it too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowtui.cli import main
from flowtui.ui.app import FlowtuiApp
from flowtui.ui.features.story.conversation import ConversationScreen
from flowtui.ui.messages import ShowConversation
from tests.ui_helpers import loaded, screen_text, wait_for

HEADER = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
          "bytes start end action log-status")
NOTE = ("1 of 3 records has no packets or bytes recorded ('-': NODATA/SKIPDATA, Block Public "
        "Access): the sums are of the others, '-' where none")


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "flows.log"
    path.write_text("\n".join([
        HEADER,  # A→B: one REJECT that recorded no counters, one ACCEPT of 180 bytes
        "2 123456789012 eni-1 10.0.0.1 10.0.0.2 40000 22 6 - - 1700000000 1700000060 REJECT OK",
        "2 123456789012 eni-1 10.0.0.1 10.0.0.2 40001 22 6 3 180 1700000000 1700000060 ACCEPT OK",
        "2 123456789012 eni-1 10.0.0.2 10.0.0.1 22 40001 6 2 100 1700000000 1700000060 ACCEPT OK",
    ]) + "\n")
    return path


def test_the_cli_conversation_says_how_many_records_its_sums_leave_out(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path)
    assert main(["story", str(path), "--conversation", "10.0.0.1", "10.0.0.2"]) == 0
    out = capsys.readouterr().out
    assert f"({NOTE})" in " ".join(out.split()), out
    assert main(["story", str(path), "--conversation", "10.0.0.1", "10.0.0.2",
                 "--format", "json"]) == 0
    talk = json.loads(capsys.readouterr().out)
    assert talk["note"] == NOTE
    assert (talk["groups"][0]["a_to_b"]["packets"], talk["groups"][0]["a_to_b"]["bytes"]) == \
        (3, 180)


async def test_the_app_conversation_screen_says_it_under_the_table(tmp_path: Path) -> None:
    app = FlowtuiApp(str(_file(tmp_path)))
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, 3)
        app.table.post_message(ShowConversation("10.0.0.1", "10.0.0.2"))
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen)
                       and "group(s)" in "\n".join(screen_text(pilot)), what="the conversation")
        shown = " ".join(" ".join(screen_text(pilot)).replace("│", " ").split())
        assert NOTE in shown, shown
