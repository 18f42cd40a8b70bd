"""The story screen's strip draws a minute of records without an action as recorded, not "none".

A Transit Gateway flow log has no ``action`` field (Transit Gateway guide, "Transit Gateway
Flow Log records", available fields; reference §7): its records' action is '-', not
recorded. The strip drew their minutes with the "· none" cell, so the record's own minute
(under ^) read as if nothing of the flow had been recorded there: '-' read as nothing, as
the timeline's '-' packets and bytes were read as 0."""

from __future__ import annotations

from pathlib import Path

from flowtui.ui.app import FlowtuiApp
from flowtui.ui.features.story.render import EMPTY_CELL, NO_ACTION_CELL
from tests.test_story import T0
from tests.test_ui_story import open_story
from tests.ui_helpers import press, screen_text, wait_for

TGW = ("version resource-type account-id tgw-id tgw-attachment-id srcaddr dstaddr srcport "
       "dstport protocol packets bytes start end log-status tcp-flags flow-direction")


async def test_a_transit_gateway_records_minute_is_drawn_as_recorded(tmp_path: Path) -> None:
    path = tmp_path / "tgw.log"
    path.write_text(f"{TGW}\n6 TransitGateway 111122223333 tgw-0a1b tgw-attach-a 10.11.2.171 "
                    f"172.20.8.92 48517 443 6 2 120 {T0} {T0 + 10} OK 2 ingress\n")
    app = FlowtuiApp(str(path))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, rows=1)
        await press(pilot, "end")
        await wait_for(pilot, lambda: any("^ this record" in r for r in screen_text(pilot)),
                       what="the strip's legend")
        rows = screen_text(pilot)
        at = next(i for i, r in enumerate(rows) if r.startswith("│ → "))
        forward, here, legend = rows[at], rows[at + 2], rows[at + 3]
        column = here.index("^")
        assert forward[column] == NO_ACTION_CELL, (forward, here)
        assert set(forward[4:column]) == {EMPTY_CELL}  # the minutes before: nothing recorded
        assert f"{NO_ACTION_CELL} recorded, no action" in legend, legend
        assert "^ this record" in legend, legend  # the legend still fits 80 columns
