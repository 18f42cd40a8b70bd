"""A '-' on a NODATA or SKIPDATA row is explained by the row, not called "unknown".

AWS, VPC guide, "Flow log records", Available fields: log-status "NODATA — There was no
network traffic to or from the network interface during the aggregation interval. SKIPDATA —
Some flow log records were skipped during the aggregation interval"; "If a field is not
applicable or could not be computed for a specific record, the record displays a '-'
symbol" (reference §1, §3.2, §5.5: such rows are mostly '-'). The Transit Gateway guide's
log-status has the same two values. flow-direction is "The direction of the flow with
respect to the interface where traffic is captured" (ingress | egress): a row with no flow
has no direction, yet ``cat --explain`` and the detail panel decoded its '-' as
"unknown (unconfirmed)", as if AWS had failed to say which way a real flow went.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flowtui.cli import main
from flowtui.ui.app import FlowtuiApp
from tests.ui_helpers import detail_field_shown, loaded

T0 = 1709647200  # 2024-03-05 14:00:00 UTC
VPC = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
       "bytes start end action log-status type region flow-direction interface-type")
VPC_NODATA = f"11 111122223333 eni-1 - - - - - - - {T0} {T0 + 60} - NODATA - - - -"
VPC_SKIPDATA = VPC_NODATA.replace("NODATA", "SKIPDATA")
TGW = ("version resource-type account-id tgw-id tgw-attachment-id srcaddr dstaddr srcport "
       "dstport protocol packets bytes start end log-status type region flow-direction")
TGW_NODATA = f"6 TransitGateway 111122223333 tgw-0a1b tgw-attach-a - - - - - - - {T0} " \
             f"{T0 + 60} NODATA - - -"
TGW_SKIPDATA = TGW_NODATA.replace("NODATA", "SKIPDATA")
NODATA_SAYS = "NODATA row (no traffic in the interval), so no flow to describe"
SKIPDATA_SAYS = "SKIPDATA row (records were skipped in the interval"


def _log(tmp_path: Path, header: str, *rows: str) -> Path:
    (path := tmp_path / "flows.log").write_text("\n".join([header, *rows]) + "\n")
    return path


def _decoded(capsys: pytest.CaptureFixture[str], path: Path) -> list[dict[str, str]]:
    """Per record of ``cat --explain``: field → its decoded value (meanings aside)."""
    assert main(["cat", str(path), "--explain"]) == 0
    out: list[dict[str, str]] = []
    for line in capsys.readouterr().out.splitlines():
        if line.startswith("──"):
            out.append({})
        elif line[:3].strip() and line.startswith("  ") and len(line.split()) > 2:
            name, _raw, text = line.split(maxsplit=2)
            out[-1][name] = text
    return out


@pytest.mark.parametrize("header,nodata,skipdata", [(VPC, VPC_NODATA, VPC_SKIPDATA),
                                                    (TGW, TGW_NODATA, TGW_SKIPDATA)])
def test_explain_names_the_row_for_a_dash_on_nodata_and_skipdata_rows(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str, nodata: str,
        skipdata: str) -> None:
    no, skip = _decoded(capsys, _log(tmp_path, header, nodata, skipdata))
    for record, says in ((no, NODATA_SAYS), (skip, SKIPDATA_SAYS)):
        for field in ("flow-direction", "type"):
            assert record[field].startswith(f"no value: {says}"), (field, record[field])
        # region is not a flow's: the row is named, and no more is claimed than AWS says
        assert "is not documented" in record["region"], record["region"]
        for field, text in record.items():
            assert "unknown" not in text and "unconfirmed" not in text, (field, text)


@pytest.mark.asyncio
@pytest.mark.parametrize("header,row,says", [(VPC, VPC_NODATA, NODATA_SAYS),
                                             (TGW, TGW_SKIPDATA, SKIPDATA_SAYS)])
async def test_the_detail_panel_names_the_row(tmp_path: Path, header: str, row: str,
                                              says: str) -> None:
    app = FlowtuiApp(str(_log(tmp_path, header, row)))
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot, 1)
        shown = await detail_field_shown(pilot, header.split().index("flow-direction"))
        assert f"flow-direction - no value: {says}" in shown, shown
        assert "unconfirmed" not in shown, shown
