"""``flowtui demo``: a private S3 (moto) on 127.0.0.1, filled with realistic flow logs.

The demo lets someone try every screen without an AWS account and without any traffic
leaving the machine: the server listens on loopback only, on a free port, and this process
uses throw-away credentials (the user's real ones are hidden for the demo's lifetime and put
back on stop). The seeded buckets show the cases a real log bucket throws at the tool:
several accounts, regions, layouts and formats, one big object, malformed lines and keys
that would inject terminal markup if shown carelessly.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from flowtui import synth
from flowtui.fields import DEFAULT_FIELDS, TGW_DEFAULT_FIELDS
from flowtui.s3.url import S3Url
from flowtui.synth import incident

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client

INSTALL_HINT = "flowtui demo needs moto: pip install 'flowtui[demo]'"
#: The main flow log (account A, us-east-1, default format): the same VPC in every file, and
#: the daily incident of ``synth`` (14:00-14:15 UTC) in yesterday's folder, and in today's
#: once it is over.
MAIN_FLOW_LOG = "fl-0a1b2c3d4e5f67890"
#: A second flow log in the same folder, on the incident's APP interface only, in a custom v8
#: format with ``reject-reason`` (incident.BPA_FIELDS): it names the Block Public Access block.
BPA_FLOW_LOG = "fl-0de3000000000a9b8"

CENTRAL_BUCKET = "flowtui-demo-logs"
HIVE_BUCKET = "flowtui-demo-hive"
ACCOUNT_A = "111122223333"
ACCOUNT_B = "444455556666"

# Environment the demo overrides: credentials pointing at nothing real, no profile or
# config files (an SSO profile or credential_process must not run for a demo), no IMDS.
_FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "flowtui-demo-key",
    "AWS_SECRET_ACCESS_KEY": "flowtui-demo-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    # moto answers as the demo's main account, so the EC2 inventory (flowtui.demo_ec2) is
    # the account the main flow log's records name
    "MOTO_ACCOUNT_ID": ACCOUNT_A,
}
_HIDDEN_ENV = ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
               "AWS_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
               # names (flowtui.demo_ec2): EC2 is the demo's moto, IP ranges a local file
               "AWS_ENDPOINT_URL_EC2", "FLOWTUI_IP_RANGES", "FLOWTUI_NAMES_CACHE")


def cli_hint(endpoint_url: str, today: datetime | None = None,
             names_env: Mapping[str, str] | None = None) -> list[str]:
    """What ``flowtui demo`` prints at start and on exit, and ``?`` shows while it runs: where
    its S3 listens, and lines to paste into another terminal to reach it from the CLI (the
    demo's dummy credentials, never real ones; ``AWS_ENDPOINT_URL_S3``, which flowtui reads,
    keeps the command short). With ``names_env`` (``DemoServer.names_env``), also its EC2
    endpoint, IP ranges file and names cache: without them ``--names`` sent the dummy
    credentials to EC2 and fetched AWS's IP ranges from the Internet, and cached the demo's
    inventory among the user's own. Each line fits the help screen (<= 104 characters)."""
    day = (today or datetime.now(UTC)).astimezone(UTC)
    prefix = S3Url(CENTRAL_BUCKET, f"AWSLogs/{ACCOUNT_A}/vpcflowlogs/us-east-1/{day:%Y/%m/%d}/")
    return [
        f"demo S3 endpoint: {endpoint_url} (loopback only, dummy credentials)",
        "to use it from another terminal while the demo runs, paste these lines there:",
        f"  export AWS_ENDPOINT_URL_S3={endpoint_url} "
        f"AWS_ACCESS_KEY_ID={_FAKE_ENV['AWS_ACCESS_KEY_ID']}",
        f"  export AWS_SECRET_ACCESS_KEY={_FAKE_ENV['AWS_SECRET_ACCESS_KEY']} "
        f"AWS_DEFAULT_REGION={_FAKE_ENV['AWS_DEFAULT_REGION']}",
        *(f"  export {name}={value}" for name, value in (names_env or {}).items()),
        f"  flowtui cat {prefix} --limit 20",
    ]


class DemoError(RuntimeError):
    """The demo can't run; the message is one line meant for the user."""


def _server_class() -> Any:
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:  # moto, or its server extra (flask, werkzeug), is missing
        raise DemoError(INSTALL_HINT) from exc
    return ThreadedMotoServer


class DemoServer:
    """A running moto S3 on 127.0.0.1; ``stop()`` shuts it down and restores the env."""

    def __init__(self, server: Any, saved_env: dict[str, str | None]) -> None:
        import tempfile
        from pathlib import Path

        from flowtui import demo_ec2

        self._server = server
        self._saved_env = saved_env
        host, port = server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"
        self._stopped = False
        self._names_dir = tempfile.mkdtemp(prefix="flowtui-demo-names-")
        #: The demo's names (its EC2 endpoint, IP ranges file, names cache), as variables.
        self.names_env = demo_ec2.prepare(self.endpoint_url, Path(self._names_dir))
        os.environ.update(self.names_env)

    def client(self) -> S3Client:
        """A boto3 S3 client for this server (path-style: no bucket DNS names on loopback)."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3", endpoint_url=self.endpoint_url, region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}),
        )

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        try:
            self._server.stop()
            inner = getattr(self._server, "_server", None)
            if inner is not None:
                inner.server_close()  # free the port now, not at garbage collection
        finally:
            _restore_env(self._saved_env)
            import shutil

            shutil.rmtree(self._names_dir, ignore_errors=True)

    def __enter__(self) -> DemoServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _apply_env() -> dict[str, str | None]:
    saved = {name: os.environ.get(name) for name in (*_FAKE_ENV, *_HIDDEN_ENV)}
    for name in _HIDDEN_ENV:
        os.environ.pop(name, None)
    os.environ.update(_FAKE_ENV)
    return saved


def _restore_env(saved: dict[str, str | None]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def start_server() -> DemoServer:
    """Start moto's S3 on 127.0.0.1 (a free port) with fake credentials for this process."""
    server_class = _server_class()
    # werkzeug logs every request to stderr, which would scribble over the TUI.
    logging.getLogger("werkzeug").disabled = True
    saved = _apply_env()
    try:
        server = server_class(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
    except Exception as exc:
        _restore_env(saved)
        raise DemoError(f"could not start the demo S3 server on 127.0.0.1: {exc}") from exc
    return DemoServer(server, saved)


@dataclass(frozen=True)
class SeedSummary:
    buckets: tuple[str, ...]
    objects: int
    records: int
    big_object: str  # "s3://bucket/key" of the large object
    bad_object: str  # "s3://bucket/key" of the object with malformed lines


@dataclass(frozen=True)
class _FlowLog:
    bucket: str
    layout: str
    prefix: str
    account: str
    region: str
    flow_log_id: str
    fields: tuple[str, ...]
    fmt: str = "text"


def _file_times(newest: datetime, hours_back: tuple[int, ...],
                minutes: tuple[int, ...]) -> Iterator[datetime]:
    """File times, oldest first: minute ``m`` of the hour ``h`` hours before ``newest``'s
    hour, for each pair, never later than ``newest``. Relative times keep every flow log
    populated whatever the time of day, and spread over several UTC days."""
    hour = newest.replace(minute=0, second=0, microsecond=0)
    for h in sorted(hours_back, reverse=True):
        for m in minutes:
            t = hour - timedelta(hours=h) + timedelta(minutes=m)
            if t <= newest:
                yield t


def incident_days(newest: datetime) -> list[date]:
    """The days whose incident the demo writes: yesterday, and today when the incident and
    the file after it are delivered by ``newest`` (the newest file's time)."""
    today = newest.date()
    days = [today - timedelta(days=1)]
    if newest.timestamp() >= incident.incident_start(today) + incident.INCIDENT_SECONDS + 600:
        days.append(today)
    return days


def seed(client: S3Client, *, now: datetime | None = None,
         big_records: int = 200_000) -> SeedSummary:
    """Create the demo buckets and fill them; nothing is changed afterwards.

    ``now`` (default: the current UTC time) places the newest files about ten minutes in
    the past, as real delivery would.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    newest = now - timedelta(minutes=10)
    newest = newest.replace(minute=newest.minute - newest.minute % 5, second=0, microsecond=0)

    client.create_bucket(Bucket=CENTRAL_BUCKET)
    client.create_bucket(Bucket=HIVE_BUCKET,
                         CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    objects = 0
    records = 0
    counter = 0

    def put(key: str, bucket: str, body: bytes) -> None:
        nonlocal objects
        client.put_object(Bucket=bucket, Key=key, Body=body)
        objects += 1

    def write(log: _FlowLog, when: datetime, n: int, *, hash: str | None = None,
              spoil: int = 0, compresslevel: int = 6, extra: Sequence[str] = ()) -> str:
        nonlocal records, counter
        counter += 1
        stable = log.flow_log_id == MAIN_FLOW_LOG  # the main VPC: the same hosts every file
        lines: Iterable[str] = synth.generate_lines(
            n, seed=counter, fields=log.fields, start=int(when.timestamp()),
            account=log.account, region=log.region,
            interfaces=12 if stable else 8 + counter % 9,
            world_seed=log.flow_log_id if stable else None,
        )
        if extra:
            lines = [*lines, *extra]
            n = len(lines)
        if spoil:
            lines = synth.with_bad_lines(lines, log.fields, every=spoil, seed=counter)
        if log.fmt == "parquet":
            body = synth.make_parquet_object(lines, log.fields)
        else:
            body = synth.make_text_object(lines, log.fields, compresslevel=compresslevel)
        hash = hash or hashlib.sha1(f"flowtui-demo:{counter}".encode()).hexdigest()[:8]
        key = synth.object_key(layout=log.layout, prefix=log.prefix, account=log.account,
                               region=log.region, flow_log_id=log.flow_log_id, when=when,
                               fmt=log.fmt, hash=hash)
        put(key, log.bucket, body)
        records += n
        return key

    prod = _FlowLog(CENTRAL_BUCKET, "default", "", ACCOUNT_A, "us-east-1",
                    MAIN_FLOW_LOG, DEFAULT_FIELDS)
    bpa = _FlowLog(CENTRAL_BUCKET, "default", "", ACCOUNT_A, "us-east-1", BPA_FLOW_LOG,
                   incident.BPA_FIELDS)
    v5 = _FlowLog(CENTRAL_BUCKET, "hourly", "vpc-logs", ACCOUNT_A, "eu-west-1",
                  "fl-05c0ffee12345678a", synth.V5_EXAMPLE_FIELDS)
    other = _FlowLog(CENTRAL_BUCKET, "default", "", ACCOUNT_B, "us-east-1",
                     "fl-0badc0de98765432f", DEFAULT_FIELDS)
    hive = _FlowLog(HIVE_BUCKET, "hive", "hive", ACCOUNT_B, "eu-west-1",
                    "fl-0123456789abcdef0", DEFAULT_FIELDS)
    parquet = _FlowLog(HIVE_BUCKET, "hive-hourly", "parquet", ACCOUNT_A, "eu-west-1",
                       "fl-0feedfacecafe1234", synth.ALL_VPC_FIELDS, fmt="parquet")
    tgw = _FlowLog(HIVE_BUCKET, "default", "tgw", ACCOUNT_B, "eu-west-1",
                   "fl-07a7e5a7e5a7e5a71", TGW_DEFAULT_FIELDS)

    for when in _file_times(newest, (0, 5, 12, 19, 24, 31, 38, 45, 50), (5, 35)):
        write(prod, when, 600)
    for day in incident_days(newest):
        # The daily incident (incident.incident_records), in the 5-minute files around it.
        start = incident.incident_start(day)
        incident_lines = incident.incident_records(day, fields=prod.fields,
                                                   account=prod.account, region=prod.region)
        blocked = incident.incident_records(day, fields=bpa.fields, account=bpa.account,
                                            region=bpa.region, only=[incident.APP.eni])
        for window in range(start - 600, start + incident.INCIDENT_SECONDS + 600, 300):
            when = datetime.fromtimestamp(window, UTC)
            mine = [line for _, end, line in incident_lines if window <= end < window + 300]
            write(prod, when, 600, extra=mine)
            theirs = [line for _, end, line in blocked if window <= end < window + 300]
            if theirs:
                write(bpa, when, 0, extra=theirs)
    # Two files for one 5-minute window, told apart only by the hash (reference §6.4).
    write(prod, newest, 400, hash="a1b2c3d4")
    write(prod, newest, 300, hash="e5f60718")
    # One large object to show streaming; written for an earlier window of the same log.
    big_when = newest - timedelta(minutes=5)
    big_key = write(prod, big_when, big_records, compresslevel=1)

    for when in _file_times(newest, (1, 6, 10, 26, 30), (0, 30)):
        write(v5, when, 500)
    for when in _file_times(newest, (2, 13, 25, 37), (15,)):
        write(other, when, 400)
    bad_when = newest.replace(minute=0) - timedelta(hours=1)
    bad_key = write(other, bad_when, 1500, spoil=25, hash="badbad00")
    for when in _file_times(newest, (0, 6, 12, 18, 24, 30), (10,)):
        write(hive, when, 500)
    for when in _file_times(newest, (1, 3, 10), (20,)):
        write(parquet, when, 2000)
    for when in _file_times(newest, (4, 16, 28), (0, 45)):
        write(tgw, when, 500)

    # Hostile keys: valid flow logs whose names must be shown literally, never as markup
    # or terminal control sequences.
    sample = synth.make_text_object(synth.generate_lines(50, seed=99), DEFAULT_FIELDS)
    for key in (
        "odd/[red]x[/red].log.gz",
        "odd/[bold red]unclosed markup.log.gz",
        "odd/esc-\x1b[31mred\x1b[0m.log.gz",
        "odd/spaces and ünïcode ✓ 日本.log.gz",
        "odd//double-slash.log.gz",
    ):
        put(key, CENTRAL_BUCKET, sample)
        records += 50
    put("odd/README.txt", CENTRAL_BUCKET, b"not a flow log\n")
    # The EC2 inventory the incident's hosts live in (names, and the rule behind a REJECT).
    from flowtui import demo_ec2

    demo_ec2.seed(client.meta.endpoint_url)

    return SeedSummary(
        buckets=(CENTRAL_BUCKET, HIVE_BUCKET), objects=objects, records=records,
        big_object=str(S3Url(CENTRAL_BUCKET, big_key)),
        bad_object=str(S3Url(CENTRAL_BUCKET, bad_key)),
    )


LIVE_RECORDS = 300


def deliver_live(client: S3Client, stop: threading.Event, *, every: float = 20.0,
                 records: int = LIVE_RECORDS) -> int:
    """Act as AWS while the demo runs: every ``every`` seconds a new file for the main flow
    log lands in today's folder, stamped with the current 5-minute window, so following a
    prefix (``t`` in the browser, ``flowtui tail``) has something to show. Several files
    share a 5-minute window, as AWS allows; their hashes rise with time so each sorts after
    the last (a real late file, sorting earlier, is found by the tail's periodic sweep).
    Returns the number of files written when ``stop`` is set.
    """
    log = _FlowLog(CENTRAL_BUCKET, "default", "", ACCOUNT_A, "us-east-1",
                   MAIN_FLOW_LOG, DEFAULT_FIELDS)
    written = 0
    while not stop.wait(every):
        now = datetime.now(UTC)
        window = now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)
        written += 1
        lines = synth.generate_lines(records, seed=10_000 + written, fields=log.fields,
                                     start=int(window.timestamp()), account=log.account,
                                     region=log.region, interfaces=12,
                                     world_seed=MAIN_FLOW_LOG)
        key = synth.object_key(layout=log.layout, prefix=log.prefix, account=log.account,
                               region=log.region, flow_log_id=log.flow_log_id, when=window,
                               hash=f"{int(now.timestamp() * 1000) % 16**8:08x}")
        try:
            client.put_object(Bucket=log.bucket, Key=key,
                              Body=synth.make_text_object(lines, log.fields))
        except Exception:  # the server is stopping with the app; nothing to report
            return written
    return written
