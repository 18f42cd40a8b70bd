"""``flowtui demo`` must give a working, loopback-only S3 full of realistic flow logs, and
leave the user's environment as it found it."""

from __future__ import annotations

import gzip
import io
import os
import re
import sys
from datetime import UTC, date, datetime, timedelta

import boto3
import pyarrow.parquet as pq
import pytest
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError

from flowtui import demo, synth
from flowtui.fields import DEFAULT_FIELDS, TGW_DEFAULT_FIELDS
from flowtui.synth import incident
from tests.cli_fork import flowtui_run

NOW = datetime(2024, 3, 5, 0, 40, tzinfo=UTC)  # just after midnight: logs span 3 UTC days

KEY = re.compile(
    r"(?:[\w-]+/)?AWSLogs/(?:aws-account-id=)?(?P<account>\d{12})/(?:aws-service=)?vpcflowlogs/"
    r"(?:aws-region=)?(?P<region>[a-z0-9-]+)/(?:year=)?\d{4}/(?:month=)?\d\d/(?:day=)?\d\d/"
    r"(?:(?:hour=)?\d\d/)?(?P=account)_vpcflowlogs_(?P=region)_fl-[0-9a-f]+_\d{8}T\d{4}Z_"
    r"[0-9a-f]+\.log\.(?:gz|parquet)"
)


def http_client(endpoint_url: str):
    return boto3.client("s3", endpoint_url=endpoint_url, region_name="us-east-1",
                        config=Config(s3={"addressing_style": "path"},
                                      retries={"max_attempts": 1}, connect_timeout=2))


#: Buckets on the demo's server before it was seeded: moto keeps its state per process, so
#: buckets that other tests made in this process show up there too, and are not the demo's.
PREEXISTING: set[str] = set()


@pytest.fixture(scope="module")
def seeded():
    server = demo.start_server()
    try:
        client = http_client(server.endpoint_url)
        PREEXISTING.update(b["Name"] for b in client.list_buckets()["Buckets"])
        summary = demo.seed(server.client(), now=NOW)
        keys = {
            bucket: [obj["Key"] for page in client.get_paginator("list_objects_v2")
                     .paginate(Bucket=bucket) for obj in page.get("Contents", [])]
            for bucket in summary.buckets
        }
        yield server, summary, client, keys
    finally:
        server.stop()


def body(client, bucket: str, key: str) -> bytes:
    return client.get_object(Bucket=bucket, Key=key)["Body"].read()


def test_server_listens_on_loopback_with_fake_credentials(seeded) -> None:
    server, summary, client, _ = seeded
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.endpoint_url)
    assert os.environ["AWS_ACCESS_KEY_ID"] == "flowtui-demo-key"
    assert "AWS_PROFILE" not in os.environ
    names = {b["Name"] for b in client.list_buckets()["Buckets"]} - PREEXISTING
    assert names == set(summary.buckets) == {demo.CENTRAL_BUCKET, demo.HIVE_BUCKET}


def test_messages_name_the_demo_buckets_in_full(seeded) -> None:
    """Every message is redacted of the credentials in the environment (flowtui.redact), and
    the demo's dummy access key id was "flowtui-demo", part of its bucket names: the CLI said
    ``s3://<hidden>-logs/…`` for ``s3://flowtui-demo-logs/…``, a bucket that does not exist."""
    server, *_ = seeded
    region = f"s3://{demo.CENTRAL_BUCKET}/AWSLogs/{demo.ACCOUNT_A}/vpcflowlogs/us-east-1/"
    done = flowtui_run("cat", region, "--limit", "1",
                       env=dict(os.environ, AWS_ENDPOINT_URL_S3=server.endpoint_url))
    assert done.returncode == 2 and "spans many days" in done.stderr, done.stderr
    assert region in done.stderr and "<hidden>" not in done.stderr, done.stderr
    for value in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        assert os.environ[value] not in " ".join((demo.CENTRAL_BUCKET, demo.HIVE_BUCKET))


def test_seed_has_accounts_regions_and_layouts(seeded) -> None:
    _, summary, client, keys = seeded
    flow_keys = [k for b in keys for k in keys[b] if not k.startswith("odd/")]
    assert summary.objects == sum(len(v) for v in keys.values())
    for key in flow_keys:
        assert KEY.fullmatch(key), key
    infos = {(m["account"], m["region"]) for m in map(KEY.fullmatch, flow_keys)}
    assert {a for a, _ in infos} == {demo.ACCOUNT_A, demo.ACCOUNT_B}
    assert {r for _, r in infos} == {"us-east-1", "eu-west-1"}
    days = {re.search(r"_(\d{8})T", k)[1] for k in flow_keys}
    assert len(days) >= 3
    assert any("/aws-service=vpcflowlogs/" in k and "/hour=" in k for k in flow_keys)
    assert any("/aws-service=vpcflowlogs/" in k and "/hour=" not in k for k in flow_keys)
    assert any(re.search(r"/vpcflowlogs/[a-z0-9-]+/\d{4}/\d\d/\d\d/\d\d/", k) for k in flow_keys)
    top = client.list_objects_v2(Bucket=demo.CENTRAL_BUCKET, Delimiter="/")
    assert {p["Prefix"] for p in top["CommonPrefixes"]} == {"AWSLogs/", "odd/", "vpc-logs/"}
    # Two files for one window, differing only by hash.
    stems = [k.rsplit("_", 1)[0] for k in keys[demo.CENTRAL_BUCKET]]
    assert len(stems) != len(set(stems))


def test_formats_text_v5_tgw_and_parquet(seeded) -> None:
    _, _, client, keys = seeded
    headers = set()
    for bucket, names in keys.items():
        for key in names:
            if key.endswith(".log.gz") and not key.startswith("odd/") and "badbad" not in key:
                blob = body(client, bucket, key)
                if len(blob) > 1_000_000:
                    continue
                lines = gzip.decompress(blob).decode().splitlines()
                header = lines[0].split()
                headers.add(tuple(header))
                assert all(len(line.split()) == len(header) for line in lines[1:])
    assert {DEFAULT_FIELDS, synth.V5_EXAMPLE_FIELDS, TGW_DEFAULT_FIELDS} <= headers
    parquet = [k for k in keys[demo.HIVE_BUCKET] if k.endswith(".log.parquet")]
    assert parquet
    table = pq.read_table(io.BytesIO(body(client, demo.HIVE_BUCKET, parquet[0])))
    assert table.num_rows > 0 and "log_status" in table.column_names


def test_large_object_and_bad_lines(seeded) -> None:
    _, summary, client, _ = seeded
    bucket, key = summary.big_object.removeprefix("s3://").split("/", 1)
    lines = gzip.decompress(body(client, bucket, key)).splitlines()
    assert len(lines) == 200_001
    bucket, key = summary.bad_object.removeprefix("s3://").split("/", 1)
    lines = gzip.decompress(body(client, bucket, key)).decode().splitlines()
    counts = [len(line.split()) for line in lines[1:]]
    assert any(c != 14 for c in counts)
    assert any(c == 14 and not line.split()[5].isdigit() and line.split()[5] != "-"
               for c, line in zip(counts, lines[1:], strict=True))


def test_hostile_keys_are_stored_literally(seeded) -> None:
    _, _, client, keys = seeded
    odd = set(keys[demo.CENTRAL_BUCKET])
    assert "odd/[red]x[/red].log.gz" in odd
    assert "odd/esc-\x1b[31mred\x1b[0m.log.gz" in odd
    assert "odd/spaces and ünïcode ✓ 日本.log.gz" in odd
    blob = body(client, demo.CENTRAL_BUCKET, "odd/esc-\x1b[31mred\x1b[0m.log.gz")
    assert gzip.decompress(blob).decode().splitlines()[0] == " ".join(DEFAULT_FIELDS)


def test_stop_closes_the_port_and_restores_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "someone-real")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALREALREAL")
    server = demo.start_server()
    assert os.environ["AWS_ACCESS_KEY_ID"] == "flowtui-demo-key"
    assert "AWS_PROFILE" not in os.environ
    client = http_client(server.endpoint_url)
    client.create_bucket(Bucket="probe-bucket")
    server.stop()
    server.stop()  # idempotent
    assert os.environ["AWS_PROFILE"] == "someone-real"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAREALREALREAL"
    with pytest.raises(EndpointConnectionError):
        client.list_buckets()


def test_missing_moto_gives_one_line_install_hint(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "moto.server", None)
    with pytest.raises(demo.DemoError) as info:
        demo.start_server()
    message = str(info.value)
    assert "pip install 'flowtui[demo]'" in message and "\n" not in message


def test_live_delivery_adds_new_files_to_todays_folder() -> None:
    """The demo's stand-in for AWS delivery: a new file in today's folder each interval."""
    import threading
    from datetime import UTC, datetime

    from flowtui.demo import CENTRAL_BUCKET, deliver_live, start_server

    server = start_server()
    try:
        client = server.client()
        client.create_bucket(Bucket=CENTRAL_BUCKET)
        stop = threading.Event()
        counted: list[int] = []
        feeder = threading.Thread(
            target=lambda: counted.append(deliver_live(client, stop, every=0.05, records=20)))
        feeder.start()
        today = datetime.now(UTC).strftime("%Y/%m/%d")
        prefix = f"AWSLogs/111122223333/vpcflowlogs/us-east-1/{today}/"
        keys: list[str] = []
        for _ in range(400):  # each listing waits on the server; bounded, no fixed sleep
            keys = [o["Key"] for o in client.list_objects_v2(
                Bucket=CENTRAL_BUCKET, Prefix=prefix).get("Contents", [])]
            if len(keys) >= 2:
                break
            stop.wait(0.05)
        stop.set()
        feeder.join(timeout=10)
        assert len(keys) >= 2 and len(set(keys)) == len(keys)
        assert counted and counted[0] >= 2
    finally:
        server.stop()


def test_the_printed_cli_line_reaches_the_demo_from_a_clean_environment(seeded) -> None:
    """Issue 17 item 7: the demo prints its endpoint and a line to paste into another
    terminal; pasted into a shell with none of the demo's environment, it prints records of
    the demo's day folder."""
    import subprocess
    from pathlib import Path

    server, _, _, _ = seeded
    hint = demo.cli_hint(server.endpoint_url, NOW, server.names_env)
    assert server.endpoint_url in hint[0]
    assert all(len(line) <= 104 for line in hint)  # the help screen shows them unwrapped
    script = [line.strip() for line in hint[2:]]
    assert script[-1] == ("flowtui cat s3://flowtui-demo-logs/AWSLogs/111122223333/"
                          "vpcflowlogs/us-east-1/2024/03/05/ --limit 20")
    root = Path(__file__).resolve().parent.parent
    script[-1] = script[-1].replace("flowtui cat ", f"{sys.executable} -m flowtui cat ", 1)
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/nonexistent",
             "PYTHONPATH": str(root), "AWS_CONFIG_FILE": os.devnull,
             "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_EC2_METADATA_DISABLED": "true"}
    result = subprocess.run(["sh", "-c", "\n".join(script)], capture_output=True, text=True,
                            env=clean, timeout=120)
    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()
    assert len(rows) == 21 and "srcaddr" in rows[0]  # header and --limit 20
    # --names on the demo reads its own EC2 inventory and IP ranges: nothing leaves the
    # machine (before, the pasted lines sent the dummy credentials to EC2, fetched
    # ip-ranges.json from the Internet and cached the demo's inventory in the user's cache)
    script[-1] += " --names --columns srcaddr,srcaddr.name"
    named = subprocess.run(["sh", "-c", "\n".join(script)], capture_output=True, text=True,
                           env=clean, timeout=120)
    assert named.returncode == 0, named.stderr
    assert "names from EC2 inventory of 111122223333 in us-east-1" in named.stderr
    assert "download" not in named.stderr and "EC2" in named.stderr, named.stderr


def test_yesterdays_folder_holds_the_daily_incident_and_no_host_talks_to_itself(
        seeded) -> None:
    """Issue 17 item 9: the README's examples need the incident at a known time whatever
    time the demo starts (NOW is 00:40: only yesterday's 14:00 has passed), and the demo's
    traffic must be plausible: no record from an address to itself (there were 585)."""
    _, _, client, keys = seeded
    yesterday = "AWSLogs/111122223333/vpcflowlogs/us-east-1/2024/03/04/"
    today = "AWSLogs/111122223333/vpcflowlogs/us-east-1/2024/03/05/"
    assert demo.incident_days(NOW - timedelta(minutes=10)) == [date(2024, 3, 4)]
    assert demo.incident_days(datetime(2024, 3, 5, 14, 25, tzinfo=UTC)) == [
        date(2024, 3, 4), date(2024, 3, 5)]
    found = {"bpa": 0, "scan": 0, "self": 0, "web": 0}
    for key in keys[demo.CENTRAL_BUCKET]:
        if not key.startswith("AWSLogs/111122223333/vpcflowlogs/us-east-1/"):
            continue
        if client.head_object(Bucket=demo.CENTRAL_BUCKET, Key=key)["ContentLength"] > 500_000:
            continue  # the large object: made by the same generator
        lines = gzip.decompress(body(client, demo.CENTRAL_BUCKET, key)).decode().splitlines()
        header = lines[0].split()
        for line in lines[1:]:
            r = dict(zip(header, line.split(), strict=True))
            found["self"] += r["srcaddr"] == r["dstaddr"] != "-"
            if key.startswith(yesterday):
                found["bpa"] += r.get("reject-reason") == "BPA"
                found["scan"] += r["srcaddr"] == incident.SCANNER
                found["web"] += r["interface-id"] == incident.WEB.eni
            else:
                assert r["interface-id"] not in {h.eni for h in incident.INCIDENT_HOSTS}, key
    assert found["self"] == 0
    assert found["bpa"] == 6 and found["scan"] == 2 * len(incident.SCANNED_PORTS)
    assert found["web"] > 100
    assert any(k.startswith(today) for k in keys[demo.CENTRAL_BUCKET])
    assert any(demo.BPA_FLOW_LOG in k for k in keys[demo.CENTRAL_BUCKET] if
               k.startswith(yesterday))
