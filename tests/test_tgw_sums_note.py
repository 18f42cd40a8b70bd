"""``top`` and ``hist`` name Block Public Access among the causes of '-' only for VPC records.

VPC Block Public Access blocks traffic "through internet gateways and egress-only internet
gateways" of VPCs and subnets (EC2 API reference, ModifyVpcBlockPublicAccessOptions), and its
records carry no bytes (VPC user guide, "Flow log limitations"; reference §2.1). A Transit
Gateway record has no reject-reason and no BPA (Transit Gateway guide, "Transit Gateway Flow
Log records"; reference §7): its '-' is documented only as not recorded (NODATA/SKIPDATA;
docs/format-notes.md). ``top`` and ``hist`` read only the columns they group and sum, which
need not say the format: they said "('-': NODATA/SKIPDATA, Block Public Access)" for a
Transit Gateway file. The family now comes from each object's header (or Parquet columns).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flowtui.cli import main
from tests.cli_fork import flowtui_run
from tests.conftest import S3Server, _raw_client, text_object

TGW = ("version resource-type account-id tgw-id tgw-attachment-id srcaddr dstaddr srcport "
       "dstport protocol packets bytes start end log-status flow-direction")
VPC = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
       "bytes start end action log-status reject-reason")
T0 = 1709647200  # 2024-03-05 14:00:00 UTC
TGW_ROWS = (f"6 TransitGateway 111122223333 tgw-0a1b tgw-attach-a 10.11.2.171 172.20.8.92 "
            f"48517 443 6 2 - {T0} {T0 + 10} OK ingress",
            f"6 TransitGateway 111122223333 tgw-0a1b tgw-attach-a 10.11.2.171 172.20.8.92 "
            f"48517 443 6 3 180 {T0 + 1} {T0 + 20} OK ingress")
VPC_BPA = f"8 111122223333 eni-1 192.0.2.99 10.0.1.5 50123 443 6 3 - {T0} {T0 + 10} REJECT OK BPA"
VPC_OK = f"8 111122223333 eni-1 10.0.1.5 10.0.1.6 50124 443 6 3 90 {T0} {T0 + 10} ACCEPT OK -"
TGW_ONLY = "('-': NODATA/SKIPDATA): the sums are of the others"
BOTH = ("('-': NODATA/SKIPDATA; in VPC records also Block Public Access, never in Transit "
        "Gateway ones)")


def _write(folder: Path, name: str, header: str, *rows: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def _note(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return " ".join(capsys.readouterr().err.split())


@pytest.mark.parametrize("command", [["top", "--by", "srcaddr"], ["hist", "--metric", "bytes"]])
def test_top_and_hist_of_a_transit_gateway_file_name_no_bpa(
        command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "tgw.log", TGW, *TGW_ROWS)
    err = _note(capsys, command[0], str(path), *command[1:])
    assert f"1 of 2 records has no bytes recorded {TGW_ONLY}" in err, err
    assert "Block Public Access" not in err
    # a VPC file's '-' may still be Block Public Access's
    vpc = _write(tmp_path, "vpc.log", VPC, VPC_BPA, VPC_OK)
    err = _note(capsys, command[0], str(vpc), *command[1:])
    assert "('-': NODATA/SKIPDATA, Block Public Access)" in err, err


def test_top_of_transit_gateway_records_from_a_pipe_and_a_parquet_object_names_no_bpa(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "tgw.log", TGW, *TGW_ROWS)
    with path.open("rb") as stdin:
        monkeypatch.setattr(sys, "stdin", stdin)
        err = _note(capsys, "top", "-", "--by", "srcaddr")
    assert TGW_ONLY in err and "Block Public Access" not in err, err
    rows = [line.split() for line in TGW_ROWS]
    table = pa.table({name: [None if row[i] == "-" else row[i] for row in rows]
                      for i, name in enumerate(TGW.split())})
    pq.write_table(table, tmp_path / "tgw.parquet")  # no header: its columns tell
    err = _note(capsys, "top", str(tmp_path / "tgw.parquet"), "--by", "srcaddr")
    assert TGW_ONLY in err and "Block Public Access" not in err, err


def test_a_mix_of_vpc_and_transit_gateway_objects_says_whose_cause_bpa_is(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "mixed"
    _write(folder, "a-tgw.log", TGW, *TGW_ROWS)
    _write(folder, "b-vpc.log", VPC, VPC_BPA, VPC_OK)
    err = _note(capsys, "top", str(folder), "--by", "srcaddr")
    assert f"2 of 4 records have no bytes recorded {BOTH}" in err, err
    err = _note(capsys, "hist", str(folder), "--metric", "bytes")
    assert BOTH in err, err
    # only the Transit Gateway record lacks bytes: Block Public Access is no cause of it
    _write(folder, "b-vpc.log", VPC, VPC_OK)
    err = _note(capsys, "top", str(folder), "--by", "srcaddr")
    assert f"1 of 3 records has no bytes recorded {TGW_ONLY}" in err, err


def test_top_of_a_transit_gateway_object_in_s3_names_no_bpa(s3_server: S3Server) -> None:
    """The same through S3 (moto, over HTTP): the folder is listed while its objects load."""
    bucket = "tgw-sums-note"
    key = ("AWSLogs/111122223333/vpcflowlogs/us-east-1/2024/03/05/111122223333_vpcflowlogs_"
           "us-east-1_fl-0tgw_20240305T1400Z_a0000001.log.gz")
    seeder = _raw_client(s3_server.endpoint_url)  # flowtui's own client only reads
    seeder.create_bucket(Bucket=bucket)
    seeder.put_object(Bucket=bucket, Key=key, Body=text_object(TGW_ROWS, TGW.split()))
    done = flowtui_run("top", f"s3://{bucket}/{key.rsplit('/', 1)[0]}/",
                       "--by", "srcaddr", "--endpoint-url", s3_server.endpoint_url,
                       timeout=120)
    assert done.returncode == 0, done.stderr
    err = " ".join(done.stderr.split())
    assert f"1 of 2 records has no bytes recorded {TGW_ONLY}" in err, err
