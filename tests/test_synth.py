"""Synthetic flow logs must obey the format's rules, or every test and benchmark built on
them checks the wrong thing (reference: shared/reference/flow-log-format.md)."""

from __future__ import annotations

import gzip
import io
import ipaddress
import re
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flowtui import synth
from flowtui.fields import DEFAULT_FIELDS, FIELDS, TGW_DEFAULT_FIELDS
from flowtui.synth import incident

START = 1709647200
FORMATS = {
    "default": (DEFAULT_FIELDS, "2"),
    "v5": (synth.V5_EXAMPLE_FIELDS, "5"),
    "tgw": (TGW_DEFAULT_FIELDS, "6"),
    "all": (synth.ALL_VPC_FIELDS, "11"),
}


def records(fields, n=4000, seed=7, **kw) -> list[dict[str, str]]:
    out = []
    for line in synth.generate_lines(n, seed=seed, fields=fields, start=START, **kw):
        values = line.split()
        assert len(values) == len(fields), line
        assert line == " ".join(values), "fields are separated by single spaces"
        out.append(dict(zip(fields, values, strict=True)))
    assert len(out) == n
    return out


def private(addr: str) -> bool:
    return ipaddress.ip_address(addr).is_private


@pytest.mark.parametrize("name", FORMATS)
def test_records_parse_per_reference_rules(name: str) -> None:
    fields, version = FORMATS[name]
    recs = records(fields)
    for r in recs:
        assert r["version"] == version
        for f, v in r.items():
            if v != "-" and FIELDS[f].arrow_type != FIELDS["account-id"].arrow_type:
                int(v)  # integer fields hold integers or '-', never anything else
        s, e = int(r["start"]), int(r["end"])
        assert START <= s <= e < START + 300 and e - s <= 60
        if r["log-status"] != "OK":
            continue
        if r["protocol"] in ("1", "58"):
            assert (r["srcport"], r["dstport"]) == ("0", "0")
        if "tcp-flags" in r:
            if r["protocol"] == "6":
                assert int(r["tcp-flags"]) in {0, 1, 2, 3, 6, 18, 19}
            else:
                assert r["tcp-flags"] == "0"
        if "account-id" in r:
            assert r["account-id"] in ("123456789012", "unknown")
    statuses = Counter(r["log-status"] for r in recs)
    assert statuses["OK"] > 0.95 * len(recs)


def test_default_format_mix_is_realistic() -> None:
    recs = records(DEFAULT_FIELDS, n=20000)
    ok = [r for r in recs if r["log-status"] == "OK"]
    actions = Counter(r["action"] for r in ok)
    assert set(actions) == {"ACCEPT", "REJECT"}
    assert 0.10 < actions["REJECT"] / len(recs) < 0.22
    assert {"6", "17", "1"} <= {r["protocol"] for r in ok}
    ports = {int(r["dstport"]) for r in ok} | {int(r["srcport"]) for r in ok}
    assert {22, 53, 80, 443, 3306, 5432, 6379} <= ports
    assert any(p >= 32768 for p in ports)
    addrs = [r["srcaddr"] for r in ok] + [r["dstaddr"] for r in ok]
    assert any(a.startswith("10.") for a in addrs)
    assert any(ipaddress.ip_address(a) in ipaddress.ip_network("172.16.0.0/12") for a in addrs)
    assert any(not private(a) for a in addrs)
    # Replies follow requests with addresses and ports swapped.
    pairs = sum(
        1 for a, b in zip(ok, ok[1:], strict=False)
        if (a["srcaddr"], a["dstaddr"], a["srcport"], a["dstport"])
        == (b["dstaddr"], b["srcaddr"], b["dstport"], b["srcport"])
        and a["interface-id"] == b["interface-id"]
    )
    assert pairs > 0.3 * len(ok)


def test_nodata_and_skipdata_rows_have_the_documented_shape() -> None:
    recs = records(DEFAULT_FIELDS, n=20000, nodata_rate=0.01, skipdata_rate=0.005)
    idle = [r for r in recs if r["log-status"] in ("NODATA", "SKIPDATA")]
    assert {r["log-status"] for r in idle} == {"NODATA", "SKIPDATA"}
    for r in idle:
        flow = [r[f] for f in DEFAULT_FIELDS[3:10]]
        assert flow == ["-"] * 7 and r["action"] == "-"
        assert r["interface-id"].startswith("eni-")
        assert int(r["start"]) <= int(r["end"])


def test_v5_fields_follow_direction_and_address_rules() -> None:
    recs = [r for r in records(synth.ALL_VPC_FIELDS, n=20000) if r["log-status"] == "OK"]
    for r in recs:
        assert r["flow-direction"] in ("ingress", "egress")
        if r["flow-direction"] == "ingress":
            assert r["traffic-path"] == "-"
        else:
            assert 1 <= int(r["traffic-path"]) <= 8
        for side in ("src", "dst"):
            if r[f"pkt-{side}-aws-service"] != "-":
                assert not private(r[f"pkt-{side}addr"])
        assert r["type"] == ("IPv6" if ":" in r["srcaddr"] else "IPv4")
        if r["reject-reason"] == "BPA":
            assert r["action"] == "REJECT" and r["bytes"] == "-"
    rewritten = [r for r in recs
                 if (r["srcaddr"], r["dstaddr"]) != (r["pkt-srcaddr"], r["pkt-dstaddr"])]
    assert rewritten, "NAT-gateway records show the internet host only in pkt-*addr"
    for r in rewritten:
        assert r["instance-id"] == "-" and r["interface-type"] == "nat_gateway"
        assert private(r["srcaddr"]) and private(r["dstaddr"])
    assert {r["pkt-dst-aws-service"] for r in recs} >= {"S3", "-"}
    assert any(r["flow-direction"] == "egress" for r in recs)
    assert any(r["type"] == "IPv6" for r in recs)


def test_tgw_records_have_no_vpc_only_fields_and_consistent_attachments() -> None:
    recs = records(TGW_DEFAULT_FIELDS)
    for r in recs:
        assert r["resource-type"] == "TransitGateway"
        assert r["tgw-attachment-id"].startswith("tgw-attach-")
        assert r["tgw-pair-attachment-id"] != r["tgw-attachment-id"]


def test_generation_is_deterministic_by_seed() -> None:
    a = list(synth.generate_lines(3000, seed=1))
    assert a == list(synth.generate_lines(3000, seed=1))
    assert a != list(synth.generate_lines(3000, seed=2))
    assert list(synth.generate_lines(0)) == []


def test_text_object_has_header_then_records() -> None:
    lines = list(synth.generate_lines(500, seed=3, fields=synth.V5_EXAMPLE_FIELDS))
    blob = synth.make_text_object(lines, synth.V5_EXAMPLE_FIELDS)
    assert blob[:2] == b"\x1f\x8b"
    text = gzip.decompress(blob).decode()
    rows = text.splitlines()
    assert rows[0] == " ".join(synth.V5_EXAMPLE_FIELDS)
    assert rows[1:] == lines and text.endswith("\n")
    plain = synth.make_text_object(lines, synth.V5_EXAMPLE_FIELDS, compress=False)
    assert plain.decode() == text
    assert blob == synth.make_text_object(lines, synth.V5_EXAMPLE_FIELDS)  # byte-stable


def test_parquet_object_has_aws_column_names_types_and_nulls() -> None:
    fields = synth.ALL_VPC_FIELDS
    lines = list(synth.generate_lines(3000, seed=4, fields=fields, nodata_rate=0.02))
    table = pq.read_table(io.BytesIO(synth.make_parquet_object(lines, fields)))
    assert table.num_rows == 3000
    assert table.column_names == [f.replace("-", "_") for f in fields]
    schema = table.schema
    assert schema.field("srcport").type == pa.int32()
    assert schema.field("version").type == pa.int32()
    assert schema.field("bytes").type == pa.int64()
    assert schema.field("start").type == pa.int64()
    assert schema.field("account_id").type == pa.string()
    assert schema.field("log_status").type == pa.string()
    rows = table.to_pylist()
    for line, row in zip(lines, rows, strict=True):
        values = line.split()
        for f, v in zip(fields, values, strict=True):
            got = row[f.replace("-", "_")]
            assert got is None if v == "-" else str(got) == v
    assert any(r["log_status"] == "NODATA" and r["srcaddr"] is None for r in rows)
    empty = pq.read_table(io.BytesIO(synth.make_parquet_object([], DEFAULT_FIELDS)))
    assert empty.num_rows == 0 and empty.schema.field("packets").type == pa.int64()


def test_bad_lines_are_mixed_in_at_the_requested_rate() -> None:
    lines = list(synth.generate_lines(1000, seed=5))
    spoiled = list(synth.with_bad_lines(lines, DEFAULT_FIELDS, every=10))
    assert len(spoiled) == 1000
    wrong_count = [s for s in spoiled if len(s.split()) != 14]
    bad_port = [s for s in spoiled
                if len(s.split()) == 14 and not s.split()[5].lstrip("-").isdigit()
                and s.split()[5] != "-"]
    assert wrong_count and bad_port
    assert len([a for a, b in zip(lines, spoiled, strict=True) if a != b]) == 100


# Reference §6.1 and §6.2.
NAME = (r"(?P<account>\d{12})_vpcflowlogs_(?P<region>[a-z0-9-]+)_(?P<fl>fl-[0-9a-f]+)_"
        r"(?P<ts>\d{8}T\d{4}Z)_(?P<hash>[0-9a-f]+)\.log\.(?P<ext>gz|parquet)")
PATTERNS = {
    "default": r"AWSLogs/(?P<a>\d{12})/vpcflowlogs/(?P<r>[a-z0-9-]+)/(?P<y>\d{4})/(?P<m>\d\d)/"
               r"(?P<d>\d\d)/",
    "hourly": r"AWSLogs/(?P<a>\d{12})/vpcflowlogs/(?P<r>[a-z0-9-]+)/(?P<y>\d{4})/(?P<m>\d\d)/"
              r"(?P<d>\d\d)/(?P<h>\d\d)/",
    "hive": r"AWSLogs/aws-account-id=(?P<a>\d{12})/aws-service=vpcflowlogs/"
            r"aws-region=(?P<r>[a-z0-9-]+)/year=(?P<y>\d{4})/month=(?P<m>\d\d)/day=(?P<d>\d\d)/",
    "hive-hourly": r"AWSLogs/aws-account-id=(?P<a>\d{12})/aws-service=vpcflowlogs/"
                   r"aws-region=(?P<r>[a-z0-9-]+)/year=(?P<y>\d{4})/month=(?P<m>\d\d)/"
                   r"day=(?P<d>\d\d)/hour=(?P<h>\d\d)/",
}


@pytest.mark.parametrize("layout", synth.LAYOUTS)
@pytest.mark.parametrize("fmt", ["text", "parquet"])
@pytest.mark.parametrize("prefix", ["", "flow-logs/prod", "vpc/"])
def test_object_keys_round_trip(layout: str, fmt: str, prefix: str) -> None:
    when = datetime(2024, 3, 5, 7, 25, 41, tzinfo=UTC)
    key = synth.object_key(layout=layout, prefix=prefix, account="012345678901",
                           region="ap-southeast-2", flow_log_id="fl-0f1e2d3c4b5a69788",
                           when=when, fmt=fmt)
    lead = re.escape(prefix.rstrip("/") + "/") if prefix else ""
    m = re.fullmatch(lead + PATTERNS[layout] + NAME, key)
    assert m, key
    assert m["a"] == m["account"] == "012345678901"
    assert m["r"] == m["region"] == "ap-southeast-2"
    assert m["fl"] == "fl-0f1e2d3c4b5a69788"
    assert (m["y"], m["m"], m["d"]) == ("2024", "03", "05")
    if "h" in m.groupdict() and m["h"] is not None:
        assert m["h"] == "07"
    assert datetime.strptime(m["ts"], "%Y%m%dT%H%MZ") == datetime(2024, 3, 5, 7, 25)
    assert m["ext"] == ("parquet" if fmt == "parquet" else "gz")
    assert len(key.rsplit("/", 1)[1].split("_")) == 6
    assert key == synth.object_key(layout=layout, prefix=prefix, account="012345678901",
                                   region="ap-southeast-2", flow_log_id="fl-0f1e2d3c4b5a69788",
                                   when=when, fmt=fmt)


def test_object_key_time_is_utc_and_hash_is_kept() -> None:
    east = timezone(timedelta(hours=-5))
    key = synth.object_key(when=datetime(2024, 3, 4, 22, 30, tzinfo=east), hash="fe123456")
    assert key == ("AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/03/05/"
                   "123456789012_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f67890_20240305T0330Z_"
                   "fe123456.log.gz")
    with pytest.raises(ValueError, match="layout"):
        synth.object_key(layout="flat", when=datetime(2024, 1, 1))


@pytest.mark.parametrize("interfaces", [1, 2, 12, 16])
def test_no_address_talks_to_itself(interfaces: int) -> None:
    """Issue 17 item 9: the demo had 585 records from an address to itself (an ENI
    REJECTing its own address on 5432, 3306, 22, 3389), which dominated "who was rejected
    on 22" and made the story advise "allow 10.3.2.166 → 10.3.2.166"."""
    for seed in range(40):
        for line in synth.generate_lines(3000, seed=seed, interfaces=interfaces):
            values = line.split()
            assert values[3] != values[4] or values[3] == "-", line


def test_a_world_seed_keeps_one_flow_logs_hosts_across_its_files() -> None:
    """The files of one flow log show the same interfaces and hosts (a real VPC's do), so a
    day folder answers "who sends most to X" across files; the traffic still differs."""
    a = records(DEFAULT_FIELDS, n=3000, seed=1, world_seed="fl-x")
    b = records(DEFAULT_FIELDS, n=3000, seed=2, world_seed="fl-x")
    assert {r["interface-id"] for r in a} == {r["interface-id"] for r in b}
    assert [r["start"] for r in a] != [r["start"] for r in b]
    other = records(DEFAULT_FIELDS, n=3000, seed=1, world_seed="fl-y")
    assert not {r["interface-id"] for r in a} & {r["interface-id"] for r in other}


def test_the_daily_incident_is_fixed_and_shaped_as_documented() -> None:
    """The demo's incident at 14:00-14:15 UTC (synth's constants): the same every day but
    for its date; a scan, SSH guesses, replies refused by a NACL, a BPA block.

    Facts: a NACL is stateless, so an ACCEPTed request with its reply REJECTed on the same
    ENI points at the NACL (reference §3.1); BPA records carry no bytes (§2.1) and say
    ``BPA`` in reject-reason (§2.6)."""
    from datetime import date

    day = date(2026, 12, 5)
    t0 = incident.incident_start(day)
    assert t0 == int(datetime(2026, 12, 5, 14, 0, tzinfo=UTC).timestamp())
    recs = [dict(zip(DEFAULT_FIELDS, line.split(), strict=True))
            for _, _, line in incident.incident_records(day)]
    assert incident.incident_records(day) == incident.incident_records(day)
    assert all(t0 <= int(r["start"]) <= int(r["end"]) < t0 + incident.INCIDENT_SECONDS
               for r in recs)
    assert all(r["srcaddr"] != r["dstaddr"] for r in recs)
    scan = {int(r["dstport"]) for r in recs if r["srcaddr"] == incident.SCANNER}
    assert scan == set(incident.SCANNED_PORTS)
    ssh = Counter(r["srcaddr"] for r in recs if r["dstport"] == "22" and r["action"] == "REJECT")
    assert set(ssh.most_common(2)) == {(g, 30) for g in incident.SSH_GUESSERS}
    to_web = Counter()
    for r in recs:
        if r["dstaddr"] == incident.WEB.ip:
            to_web[r["srcaddr"]] += int(r["bytes"])
    assert to_web.most_common(1)[0][0] == incident.HEAVY_UPLOADER
    refused = [r for r in recs if r["srcaddr"] == incident.WEB.ip and r["action"] == "REJECT"]
    assert {r["dstaddr"] for r in refused} == set(incident.NACL_CLIENTS)
    bpa = [dict(zip(incident.BPA_FIELDS, line.split(), strict=True)) for _, _, line in
           incident.incident_records(day, fields=incident.BPA_FIELDS, only=[incident.APP.eni])]
    assert bpa and all(r["reject-reason"] == "BPA" and r["bytes"] == "-"
                       and r["action"] == "REJECT" and r["srcaddr"] == incident.BPA_SOURCE
                       for r in bpa)
    later = incident.incident_records(date(2026, 12, 6))
    assert len(later) == len(recs) and later != incident.incident_records(day)
