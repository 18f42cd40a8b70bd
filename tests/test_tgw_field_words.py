"""A Transit Gateway record is not explained as if it had been recorded at an interface.

AWS, Transit Gateway guide, "Transit Gateway Flow Log records", Available fields:
- ``tgw-attachment-id``: "The ID of the transit gateway attachment for which traffic is being
  recorded"; ``tgw-pair-attachment-id``: "Depending on the flow direction, this is either the
  egress or ingress attachment ID of the flow".
- ``flow-direction`` (version 5) is a TGW field: "The direction of the flow with respect to
  the interface where traffic is captured. The possible values are: ingress | egress." The
  words are the VPC guide's; a TGW record has no interface-id (reference §7), so flowtui says
  the direction is with respect to where the transit gateway recorded it (tgw-attachment-id),
  and claims no more (which way ingress points is not written down).
- ``log-status`` NODATA: "There was no network traffic to or from the network interface
  during the aggregation interval" (again the VPC guide's words); a TGW flow log is created
  on a ``TransitGateway`` or ``TransitGatewayAttachment`` (Transit Gateway guide, "Create and
  manage … using APIs or the CLI", ``--resource-type``).
- ``account-id``: "The AWS account ID of the owner of the source transit gateway"; the VPC
  guide's ``unknown`` (an interface an AWS service created) is not documented for it.
(docs/format-notes.md, "Transit Gateway `version`" and "flow-direction in Transit Gateway
records".)

``cat --explain``, ``cat --format jsonl --decoded`` and the app's detail panel decoded a TGW
``ingress`` as "ingress: into the interface where the traffic was recorded".
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from flowtui.cli import main
from flowtui.ui.app import FlowtuiApp
from tests.ui_helpers import detail_field_shown, loaded

TGW = ("version resource-type account-id tgw-id tgw-attachment-id tgw-pair-attachment-id "
       "srcaddr dstaddr srcport dstport protocol packets bytes start end log-status "
       "flow-direction")
T0 = 1709647200  # 2024-03-05 14:00:00 UTC
INGRESS = (f"6 TransitGateway 111122223333 tgw-0a1b tgw-attach-a tgw-attach-b 10.11.2.171 "
           f"172.20.8.92 48517 443 6 3 180 {T0} {T0 + 20} OK ingress")
EGRESS = (f"6 TransitGateway 111122223333 tgw-0a1b tgw-attach-b tgw-attach-a 10.11.2.171 "
          f"172.20.8.92 48517 443 6 3 180 {T0} {T0 + 20} OK egress")
NODATA = f"6 TransitGateway unknown tgw-0a1b tgw-attach-a - - - - - - - - {T0} {T0 + 60} NODATA -"
VPC = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
       "bytes start end action log-status flow-direction")
VPC_INGRESS = (f"5 111122223333 eni-1 10.0.1.5 10.0.1.6 50124 443 6 3 90 {T0} {T0 + 10} "
               "ACCEPT OK ingress")
#: Words that place a record at an interface (the VPC decoders' and facts' wording).
AT_INTERFACE = re.compile(r"\b(the|this|one) interface\b|created the interface")
WHERE = "with respect to where the transit gateway recorded it (tgw-attachment-id)"


def _file(tmp_path: Path, header: str, *rows: str) -> Path:
    path = tmp_path / ("tgw.log" if header == TGW else "vpc.log")
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def _explained(capsys: pytest.CaptureFixture[str], path: Path) -> list[dict[str, str]]:
    """Each record's rows of ``cat --explain``: field → its decoded value and meaning."""
    assert main(["cat", str(path), "--explain"]) == 0
    records: list[dict[str, str]] = []
    field = ""
    for line in capsys.readouterr().out.splitlines():
        if line.startswith("──"):
            records.append({})
        elif line.startswith("  ") and not line.startswith("   ") and line.split()[0] in TGW:
            field = line.split()[0]
            records[-1][field] = line
        elif line.strip().startswith("↳") and field:
            records[-1][field] += " " + line.strip()
            field = ""
    return records


def test_explain_decodes_a_tgw_flow_direction_at_its_attachment_not_an_interface(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ingress, egress, nodata = _explained(capsys, _file(tmp_path, TGW, INGRESS, EGRESS, NODATA))
    assert f"ingress, {WHERE}" in ingress["flow-direction"], ingress["flow-direction"]
    assert f"egress, {WHERE}" in egress["flow-direction"], egress["flow-direction"]
    assert "the transit gateway attachment for which traffic is being recorded" in \
        ingress["flow-direction"]
    # NODATA at the transit gateway or attachment the flow log is for; 'unknown' undocumented
    assert ("NODATA: no network traffic during the interval at the transit gateway or "
            "attachment the flow log is for") in nodata["log-status"], nodata["log-status"]
    assert "the Transit Gateway guide documents no such value" in nodata["account-id"]
    for record in (ingress, egress, nodata):
        for field, row in record.items():  # ("A TGW record names no interface" is fine)
            assert not AT_INTERFACE.search(row), (field, row)
    # a VPC record's flow-direction is still at its interface (VPC guide, the same row)
    (vpc,) = _explained(capsys, _file(tmp_path, VPC, VPC_INGRESS))
    assert "ingress: into the interface where the traffic was recorded" in vpc["flow-direction"]


def test_explain_facts_of_a_tgw_nodata_row_and_its_recording_side_name_no_interface(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    skipdata = NODATA.replace("unknown", "111122223333").replace("NODATA", "SKIPDATA")
    assert main(["cat", str(_file(tmp_path, TGW, INGRESS, NODATA, skipdata)), "--explain"]) == 0
    out = capsys.readouterr().out
    assert "  recording side: ingress at transit gateway attachment tgw-attach-a" in out, out
    said = " ".join(out.split())
    assert ("! NODATA: the transit gateway or attachment the flow log is for had no traffic "
            "during this interval; this row is not a flow") in said
    assert "so totals for this interval are lower bounds" in said
    assert not AT_INTERFACE.search(out), AT_INTERFACE.search(out)


def test_jsonl_decoded_flow_direction_of_a_tgw_record(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path, TGW, INGRESS, NODATA)
    assert main(["cat", str(path), "--format", "jsonl", "--decoded"]) == 0
    ingress, nodata = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert ingress["flow-direction.decoded"] == f"ingress, {WHERE}"
    assert not AT_INTERFACE.search(nodata["log-status.decoded"])
    assert not AT_INTERFACE.search(nodata["account-id.decoded"])


async def test_the_detail_panel_says_it_of_a_tgw_record(tmp_path: Path) -> None:
    app = FlowtuiApp(str(_file(tmp_path, TGW, INGRESS)))
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot, 1)
        # the highlighted field is shown whole (wrapped): flow-direction, the 17th
        shown = await detail_field_shown(pilot, TGW.split().index("flow-direction"))
        assert f"flow-direction ingress ingress, {WHERE}" in shown, shown
        assert "into the interface" not in shown, shown
