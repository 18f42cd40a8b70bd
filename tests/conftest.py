"""Shared fixtures: a moto S3 server on loopback, seeded with flow logs in every layout.

``s3_server`` (session) starts moto's ThreadedMotoServer on 127.0.0.1 and seeds it once; its
attributes name the buckets and keys (see ``S3Server``). ``s3_client`` is a flowtui client
for it; ``fault_proxy`` puts a fault-injecting proxy in front of it and ``proxy_client``
talks through that proxy (``stall_client`` too, with a short read timeout). Fake credentials
are set for the whole run, and any attempt to open a network connection to a non-loopback
address fails the test, so nothing can reach AWS.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import socket
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from flowtui import fields as fields_mod
from flowtui import synth
from tests.file_order import Recorder, costliest_first, costs

# --- no real AWS: fake credentials, no config files, no metadata service ------------------

_FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_RETRY_MODE": "standard",
}
for _var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
             "AWS_CA_BUNDLE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
             "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
             "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
    os.environ.pop(_var, None)
os.environ.update(_FAKE_ENV)
# pytest-xdist's workers get COLUMNS=80 and LINES=24; Textual reads them before the real
# terminal size, so the app a test starts in a 120x40 tmux pane drew itself 80x24 there
# (the tmux tests failed only under xdist). Tests size their terminals themselves.
os.environ.pop("COLUMNS", None)
os.environ.pop("LINES", None)
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


def pytest_configure(config: pytest.Config) -> None:
    """Compile flowtui's modules once, before the workers start, as pip does for an installed
    package: with PYTHONDONTWRITEBYTECODE set (as on these machines) and an editable install,
    every ``python -m flowtui`` a test starts compiled ~170 modules from source first (0.2 s
    of CPU each time). py_compile writes the files whatever that setting says; reading them
    needs no permission. Only the controller (or a run without xdist) does it."""
    if hasattr(config, "workerinput"):
        return
    import compileall
    import sys

    compileall.compile_dir(Path(fields_mod.__file__).parent, quiet=1)
    # The same for what pytest compiles itself: it rewrites the asserts of every test module
    # and of the plugins' packages (hypothesis, syrupy, xdist: ~100 modules) and caches the
    # result only where bytecode may be written, so with PYTHONDONTWRITEBYTECODE each
    # worker redid it on every run: 16.7 s of CPU from start to the first test (controller
    # and two workers) against 6.8 s with the cache. The workers start after this hook and
    # inherit the environment; a serial run collects after it.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False


_file_seconds = Recorder()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The costliest test files first (tests/file_order.py): the workers end together."""
    items[:] = costliest_first(items, costs(config))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _file_seconds.add(report)  # (in a worker too; only the controller's is saved)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):
        _file_seconds.save(session)


def _is_loopback(host: object) -> bool:
    if not isinstance(host, str):
        return True  # AF_UNIX paths, socketpairs
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
        raise AssertionError(f"test tried to connect to non-loopback address {address[0]}")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
        raise AssertionError(f"test tried to connect to non-loopback address {address[0]}")
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else host
    if name is not None and not _is_loopback(name):
        raise AssertionError(f"test tried to resolve non-loopback host {name}")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(scope="session", autouse=True)
def _loopback_only() -> Iterator[None]:
    """Every test: connections and DNS lookups only for loopback."""
    mp = pytest.MonkeyPatch()
    mp.setattr(socket.socket, "connect", _guarded_connect)
    mp.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    mp.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)
    yield
    mp.undo()


# --- test data ------------------------------------------------------------------------------

DEFAULT_FIELDS = tuple(fields_mod.DEFAULT_FIELDS)
CUSTOM_FIELDS = (
    "version", "vpc-id", "subnet-id", "instance-id", "interface-id", "account-id", "type",
    "srcaddr", "dstaddr", "srcport", "dstport", "pkt-srcaddr", "pkt-dstaddr", "protocol",
    "bytes", "packets", "start", "end", "action", "tcp-flags", "log-status", "region",
    "flow-direction", "traffic-path",
)


def flow_lines(n: int, *, seed: int, account: str, stamp: datetime,
               fields: Sequence[str] = DEFAULT_FIELDS, region: str = "us-east-1") -> list[str]:
    """``n`` realistic records for a file stamped ``stamp`` (synth's generator)."""
    return list(synth.generate_lines(n, seed=seed, fields=fields, start=int(stamp.timestamp()),
                                     span=300, account=account, region=region))


def text_object(lines: Sequence[str], fields: Sequence[str] = DEFAULT_FIELDS) -> bytes:
    """A flow-log text object as AWS writes it: gzip, header line first."""
    return synth.make_text_object(lines, fields)


def parquet_object(lines: Sequence[str], fields: Sequence[str] = DEFAULT_FIELDS) -> bytes:
    """The same records as AWS's Parquet delivery: snake_case columns, typed, gzip inside."""
    return synth.make_parquet_object(lines, fields)


# --- the seeded server ---------------------------------------------------------------------

MAIN_BUCKET = "flowlogs-main"
BIG_BUCKET = "flowlogs-big"  # BIG_COUNT small objects under BIG_PREFIX (seeded on demand)
EMPTY_BUCKET = "flowlogs-empty"
BIG_PREFIX = "many/AWSLogs/666666666666/vpcflowlogs/us-east-1/2024/03/05/"
BIG_COUNT = 5000
DAY = datetime(2024, 3, 5, tzinfo=UTC)


@dataclass(frozen=True)
class SeedObject:
    bucket: str
    key: str
    body: bytes
    lines: tuple[str, ...]  # the records (data lines, no header), in file order
    fields: tuple[str, ...]
    fmt: str  # "text" | "parquet" | "other"
    note: str = ""  # "custom", "corrupt", "big", ...

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


@dataclass
class S3Server:
    """The running moto server and what was put in it."""

    endpoint_url: str
    host: str
    port: int
    objects: list[SeedObject] = field(default_factory=list)
    buckets: tuple[str, ...] = (MAIN_BUCKET, EMPTY_BUCKET)
    main_bucket: str = MAIN_BUCKET
    empty_bucket: str = EMPTY_BUCKET
    big_bucket: str = BIG_BUCKET  # only after the ``big_bucket`` fixture ran
    big_prefix: str = BIG_PREFIX
    big_count: int = BIG_COUNT
    day: datetime = DAY  # the seeded day; most files are stamped 14:00-14:10 UTC on it

    def __str__(self) -> str:
        return self.endpoint_url

    def find(self, note: str) -> SeedObject:
        return next(o for o in self.objects if o.note == note)

    def under(self, bucket: str, prefix: str) -> list[SeedObject]:
        """Seeded objects under a prefix, in key order (what a load should read)."""
        return sorted((o for o in self.objects if o.bucket == bucket
                       and o.key.startswith(prefix)), key=lambda o: o.key)

    def client(self, **kw: Any) -> Any:
        from flowtui.s3.session import make_client

        return make_client(endpoint_url=self.endpoint_url, **kw)


def _name(account: str, region: str, flid: str, t: datetime, h: str, ext: str = "gz") -> str:
    return f"{account}_vpcflowlogs_{region}_{flid}_{t:%Y%m%dT%H%MZ}_{h}.log.{ext}"


def _default_key(prefix: str, account: str, region: str, flid: str, t: datetime, h: str,
                 hourly: bool = False, ext: str = "gz") -> str:
    hour = f"{t:%H}/" if hourly else ""
    return (f"{prefix}AWSLogs/{account}/vpcflowlogs/{region}/{t:%Y/%m/%d}/{hour}"
            + _name(account, region, flid, t, h, ext))


def _hive_key(prefix: str, account: str, region: str, flid: str, t: datetime, h: str,
              hourly: bool = False, service: str = "aws-service", ext: str = "gz") -> str:
    hour = f"hour={t:%H}/" if hourly else ""
    return (f"{prefix}AWSLogs/aws-account-id={account}/{service}=vpcflowlogs/aws-region={region}/"
            f"year={t:%Y}/month={t:%m}/day={t:%d}/{hour}" + _name(account, region, flid, t, h, ext))


def _seed_objects() -> list[SeedObject]:
    objs: list[SeedObject] = []
    counter = iter(range(1, 10_000))

    def text(key: str, n: int, account: str, t: datetime, region: str = "us-east-1",
             fields: Sequence[str] = DEFAULT_FIELDS, note: str = "") -> None:
        lines = flow_lines(n, seed=next(counter), account=account, stamp=t, fields=fields,
                           region=region)
        objs.append(SeedObject(MAIN_BUCKET, key, text_object(lines, fields), tuple(lines),
                               tuple(fields), "text", note))

    t14 = DAY.replace(hour=14)
    m = timedelta(minutes=1)
    # default layout, no prefix: two flow logs, two regions, a day boundary on either side
    a1, r1 = "111111111111", "us-east-1"
    fl1, fl2 = "fl-0aaa1111bbbb2222c", "fl-0ddd3333eeee4444f"
    for t, h in ((t14, "aa000001"), (t14 + 5 * m, "aa000002"), (t14 + 10 * m, "aa000003"),
                 (DAY - 5 * m, "aa000004"), (DAY + timedelta(days=1, minutes=5), "aa000005")):
        text(_default_key("", a1, r1, fl1, t, h), 40, a1, t, r1)
    text(_default_key("", a1, r1, fl2, t14, "bb000001"), 30, a1, t14, r1)
    text(_default_key("", a1, "eu-west-1", fl1, t14, "cc000001"), 25, a1, t14, "eu-west-1")
    # two files for one 5-minute window (same stamp, different hash)
    text(_default_key("", a1, r1, fl2, t14, "bb000002"), 20, a1, t14, r1)
    # custom format (v5 fields, its own header), same folder
    text(_default_key("", a1, r1, "fl-0c0ffee0c0ffee000", t14, "dd000001"), 35, a1, t14, r1,
         fields=CUSTOM_FIELDS, note="custom")
    # hourly partitions under a two-level prefix
    a2, r2 = "222222222222", "eu-central-1"
    for t, h in ((t14 - 5 * m, "ee000001"), (t14, "ee000002"), (t14 + 5 * m, "ee000003"),
                 (t14 + 60 * m, "ee000004")):
        text(_default_key("team/net/", a2, r2, "fl-0222", t, h, hourly=True), 30, a2, t, r2)
    # Hive-compatible
    a3, r3 = "333333333333", "ap-southeast-2"
    for t, h in ((t14, "ff000001"), (t14 + 5 * m, "ff000002")):
        text(_hive_key("hive/", a3, r3, "fl-0333", t, h), 30, a3, t, r3)
    # Hive + hourly, spelled "service=" as the TGW guide does; one of them Parquet
    a4, r4 = "444444444444", "us-west-2"
    text(_hive_key("tgw/", a4, r4, "fl-0444", t14, "ab000001", hourly=True, service="service"),
         30, a4, t14, r4)
    pq_lines = flow_lines(60, seed=next(counter), account=a4, stamp=t14 + 5 * m, region=r4)
    objs.append(SeedObject(
        MAIN_BUCKET,
        _hive_key("tgw/", a4, r4, "fl-0444", t14 + 5 * m, "ab000002", hourly=True,
                  service="service", ext="parquet"),
        parquet_object(pq_lines), tuple(pq_lines), DEFAULT_FIELDS, "parquet", "parquet"))
    # a big object, for cut/stall/cancel tests (~1 MB of gzip)
    a5 = "555555555555"
    t12 = DAY.replace(hour=12)
    text(_default_key("big/", a5, r1, "fl-0555", t12, "bf000001"), 30_000, a5, t12, r1,
         note="big")
    # something that is not a flow log, and a corrupt one: truncated gzip after some records
    objs.append(SeedObject(MAIN_BUCKET, "README.txt", b"not a flow log\n", (), (), "other",
                           "readme"))
    broken_lines = flow_lines(500, seed=next(counter), account=a5, stamp=t12, region=r1)
    full = text_object(broken_lines)
    objs.append(SeedObject(MAIN_BUCKET,
                           _default_key("broken/", a5, r1, "fl-0bad", t12, "0bad0001"),
                           full[: len(full) // 2], tuple(broken_lines), DEFAULT_FIELDS, "text",
                           "corrupt"))
    objs.append(SeedObject(MAIN_BUCKET,
                           _default_key("broken/", a5, r1, "fl-0bad", t12 + 5 * m, "0bad0002"),
                           text_object(broken_lines[:100]), tuple(broken_lines[:100]),
                           DEFAULT_FIELDS, "text", "broken-neighbour"))
    return objs


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """A moto S3 server on 127.0.0.1 (free port), seeded once for the whole session."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    info = S3Server(endpoint_url=f"http://{host}:{port}", host=host, port=port)
    seeder = _raw_client(info.endpoint_url)
    for bucket in info.buckets:
        seeder.create_bucket(Bucket=bucket)
    info.objects = _seed_objects()
    for obj in info.objects:
        seeder.put_object(Bucket=obj.bucket, Key=obj.key, Body=obj.body)
    try:
        yield info
    finally:
        server.stop()


def _raw_client(endpoint_url: str) -> Any:
    """A plain boto3 client for seeding and for changing objects behind flowtui's back."""
    import boto3
    from botocore.config import Config

    return boto3.client("s3", endpoint_url=endpoint_url, region_name="us-east-1",
                        config=Config(s3={"addressing_style": "path"},
                                      retries={"mode": "standard", "max_attempts": 2}))


@pytest.fixture(scope="session")
def big_bucket(s3_server: S3Server) -> str:
    """BIG_BUCKET with BIG_COUNT tiny flow-log objects in one day folder (BIG_PREFIX).

    Seeded through moto's in-process backend: putting 5,000 objects over HTTP takes ~30 s,
    and what the tests exercise is the listing, which still goes over HTTP.
    """
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    _raw_client(s3_server.endpoint_url).create_bucket(Bucket=BIG_BUCKET)
    backend = s3_backends[DEFAULT_ACCOUNT_ID]["global"]
    body = text_object([])
    for i in range(BIG_COUNT):
        t = DAY + timedelta(minutes=5 * (i % 288))
        key = BIG_PREFIX + _name("666666666666", "us-east-1", f"fl-{i // 288:04x}", t,
                                 f"{i:08x}")
        backend.put_object(BIG_BUCKET, key, body)
    return BIG_BUCKET


@pytest.fixture()
def raw_s3(s3_server: S3Server) -> Any:
    """A plain boto3 client (not flowtui's) for arranging tests: put/delete behind our back."""
    return _raw_client(s3_server.endpoint_url)


@pytest.fixture()
def s3_client(s3_server: S3Server) -> Any:
    """flowtui's client for the moto server."""
    return s3_server.client()


@pytest.fixture()
def fault_proxy(s3_server: S3Server) -> Iterator[Any]:
    """A fault-injecting proxy in front of the moto server (see tests/faultproxy.py)."""
    from tests.faultproxy import FaultProxy

    proxy = FaultProxy((s3_server.host, s3_server.port))
    try:
        yield proxy
    finally:
        proxy.close()


@pytest.fixture()
def proxy_client(fault_proxy: Any) -> Any:
    """flowtui's client through the fault proxy, with the default read timeout: a busy moto
    on a loaded machine may take seconds to answer, and no test may depend on it being fast."""
    from flowtui.s3.session import make_client

    return make_client(endpoint_url=fault_proxy.url, connect_timeout=2.0, max_attempts=3)


@pytest.fixture()
def stall_client(fault_proxy: Any) -> Any:
    """Through the fault proxy with a 1 s read timeout, for the tests whose subject is a
    stalled read timing out and resuming (nothing else: moto may be slower than that)."""
    from flowtui.s3.session import make_client

    return make_client(endpoint_url=fault_proxy.url, read_timeout=1.0, connect_timeout=2.0,
                       max_attempts=3)


@contextlib.contextmanager
def scratch(s3_server: S3Server) -> Iterator[tuple[str, Any]]:
    """A bucket of the caller's own (name, plain boto3 client to fill it), emptied and deleted
    afterwards: moto runs in this process and ``flowtui demo``'s tests share its state, so a
    bucket left behind would show up in the demo's listing."""
    import uuid

    raw = _raw_client(s3_server.endpoint_url)
    name = f"flowtui-scratch-{uuid.uuid4().hex[:12]}"
    raw.create_bucket(Bucket=name)
    try:
        yield name, raw
    finally:
        for page in raw.get_paginator("list_objects_v2").paginate(Bucket=name):
            for item in page.get("Contents", []):
                raw.delete_object(Bucket=name, Key=item["Key"])
        raw.delete_bucket(Bucket=name)


@pytest.fixture()
def scratch_bucket(s3_server: S3Server) -> Iterator[tuple[str, Any]]:
    """A scratch bucket for one test (see ``scratch``)."""
    with scratch(s3_server) as bucket:
        yield bucket


@pytest.fixture(autouse=True)
def _state_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
               ) -> Path:
    """The app's history files go to a directory of the test's, never the user's; so do
    the config it reads and the caches it writes (names inventories): no test sees the
    user's files, nor a file another test (on another xdist worker, at the same time)
    wrote."""
    state = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(state / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(state / "cache"))
    return state


# --- names (issue 22): an EC2 world in the same moto server, a cache folder per test -------

@pytest.fixture(scope="session")
def ec2_world(s3_server: S3Server) -> Any:
    """VPC, subnets, security groups, a NACL, instances, a NAT gateway, an endpoint interface
    in moto's EC2 (tests/ec2_world.py), made once per session."""
    from tests.ec2_world import seed

    return seed(s3_server.endpoint_url)


@pytest.fixture()
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``$XDG_CACHE_HOME`` of the test's own: the inventory and IP-ranges caches go there."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"
