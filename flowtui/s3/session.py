"""An S3 client from the standard AWS credential chain, set up for reading logs.

The standard chain (environment, shared config and credentials files, SSO, instance roles)
is what users already have on a jump host; flowtui adds no configuration of its own. Only
read calls leave the client: a hook refuses anything else, so flowtui can be pointed at a
production bucket without fear.

The client comes from botocore's session, not boto3's: boto3 adds resources and s3transfer
(upload and download managers) that flowtui never uses, about a tenth of the client's
start-up (issue 21, the first line from S3). The credential chain, the config files and the
request pipeline are botocore's either way.
"""

from __future__ import annotations

import json
import os
import threading
from typing import TYPE_CHECKING, Any, cast

import botocore.session
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import DataNotFoundError
from botocore.loaders import JSONFileLoader, Loader

from flowtui.redact import watch
from flowtui.s3 import inflight

if TYPE_CHECKING:  # the stubs are a test dependency; nothing is imported at run time
    from types_boto3_s3 import S3Client

#: The only S3 calls flowtui makes. Anything else is a bug and is refused before it is sent.
#: HeadBucket is botocore's own: it asks for a bucket's region after a HEAD answered 301 or
#: 400 (it needs only s3:ListBucket).
ALLOWED_OPERATIONS = frozenset({"ListBuckets", "ListObjectsV2", "HeadObject", "GetObject",
                                "HeadBucket"})


class ReadOnlyViolation(RuntimeError):
    """flowtui tried to send an S3 call other than list/head/get."""


def _refuse_writes(model: Any = None, **_: Any) -> None:
    name = getattr(model, "name", None)
    if name not in ALLOWED_OPERATIONS:
        raise ReadOnlyViolation(f"flowtui only reads from S3; refused to send {name}")


def make_client(
    profile: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
    no_sign: bool = False,
    *,
    retry_mode: str = "standard",
    max_attempts: int = 5,
    max_pool_connections: int = 64,
    connect_timeout: float = 10.0,
    read_timeout: float = 30.0,
) -> S3Client:
    """An S3 client (botocore's; the same a boto3 session makes).

    ``endpoint_url`` (or ``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_S3``) points at an
    S3-compatible server, which almost always wants path-style addressing. ``no_sign`` sends
    unsigned requests, for public buckets without credentials. Retries (``standard`` or
    ``adaptive``; ``max_attempts`` counts the first try) cover throttling and 5xx before an
    error reaches the user. The read timeout
    bounds how long a stalled connection can hold a read before it is resumed. The pool holds
    enough connections for the most requests a loader keeps in flight (``pool_size``).
    """
    if retry_mode not in ("standard", "adaptive", "legacy"):
        raise ValueError(f"retry mode must be standard or adaptive, not {retry_mode!r}")
    endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get(
        "AWS_ENDPOINT_URL"
    )
    options: dict[str, Any] = {
        "retries": {"mode": retry_mode, "total_max_attempts": max_attempts},
        "max_pool_connections": max_pool_connections,
        "connect_timeout": connect_timeout,
        "read_timeout": read_timeout,
        # Checksums are validated on whole-object GETs only; resumed reads are ranged, and the
        # ETag (IfMatch) is what ties the pieces together.
        "response_checksum_validation": "when_required",
        "request_checksum_calculation": "when_required",
    }
    if endpoint:
        options["s3"] = {"addressing_style": "path"}
    if no_sign:
        options["signature_version"] = UNSIGNED
    session = botocore_session(profile, region)
    client = cast("S3Client", session.create_client("s3", endpoint_url=endpoint_url,
                                                    config=Config(**options)))
    # Refused as the call starts, before its parameters are checked against a model that
    # may no longer describe them (``_ClientFiles``), and again before it is sent.
    client.meta.events.register("provide-client-params.s3", _refuse_writes)
    client.meta.events.register("before-call.s3", _refuse_writes)
    watch(client)  # its credentials are hidden from every error text
    inflight.install(client)  # so a stop or quit can cut requests waiting on the network
    return client


def botocore_session(profile: str | None = None,
                     region: str | None = None) -> botocore.session.Session:
    """A botocore session for ``profile`` (None: the default chain) and ``region`` whose
    clients read their models through the process's one shared loader (``_ModelLoader``):
    S3's and EC2's models are parsed once per process, not once per session."""
    session = botocore.session.Session(profile=profile)
    if region is not None:
        session.set_config_variable("region", region)
    session.register_component("data_loader", _ModelLoader.for_session(session))
    return session


class _JSONFiles(JSONFileLoader):
    """botocore's JSON files read into plain dicts, not ``OrderedDict``s.

    botocore asks ``json`` for an ``OrderedDict`` per object (from before dicts kept their
    order); an S3 client reads ~3.5 MB of JSON (the S3 model, its endpoint rules, the
    endpoints of every partition), and building ``OrderedDict``s doubles the parse: ~20 ms
    of a client's ~70 ms of CPU (issue 21 item 4). A dict keeps the same order, and
    botocore reads the models as mappings (``.get``, ``.items``, ``deep_merge``). Should
    botocore stop calling ``_load_file``, its own loading runs, slower and the same."""

    def _load_file(self, full_path: str, open_method: Any) -> Any:
        if not os.path.isfile(full_path):
            return None
        with open_method(full_path, "rb") as fp:
            payload = fp.read().decode("utf-8")
        return json.loads(payload)


#: The services whose endpoints a client of flowtui's sessions may look up: S3 and EC2
#: (``botocore_session``'s callers), and those the credential chain makes clients of from
#: the same session (STS for a role or web identity, SSO and SSO-OIDC for an SSO profile,
#: Sign-In for a console login).
ENDPOINT_SERVICES = frozenset({"s3", "ec2", "sts", "sso", "sso-oidc", "signin"})


class _ClientFiles(_JSONFiles):
    """The model files as ``_JSONFiles`` reads them, and the endpoints file (every region of
    every service of every partition, 1.2 MB of JSON) kept to ``ENDPOINT_SERVICES``.

    A client looks up its own service's endpoints in that file (and its partition's own
    data: regions, DNS suffix, defaults); the rest of it stayed in memory for the life of
    the process: 4.1 MB of dicts of ~300 services nobody asks for, in every command that
    reads S3 (issue 21 item 2). A service left out would be answered from its partition's
    defaults, as botocore answers a service it does not know."""

    def _load_file(self, full_path: str, open_method: Any) -> Any:
        data = super()._load_file(full_path, open_method)
        if os.path.basename(full_path) == "endpoints.json" and isinstance(data, dict):
            data = _kept_endpoints(data)
        elif (os.path.basename(full_path) in ("service-2.json", "service-2.json.gz")
              and os.path.basename(os.path.dirname(os.path.dirname(full_path))) == "s3"
              and isinstance(data, dict)):
            data = _kept_s3_model(data)
        return data


def _kept_s3_model(data: dict[str, Any]) -> dict[str, Any]:
    """The S3 model with the shapes of ``ALLOWED_OPERATIONS`` only (727 shapes -> ~120).

    A client keeps its model for the life of the process: the S3 model's 100-odd
    operations and their shapes were 2.5 MB of dicts, and trimming them took 1.6 MB off
    `top`'s peak from a day folder (92.0 -> 90.4 MiB, bench_peers_s3.py). Every operation
    keeps its name, so the client still has every method, and calling one flowtui does
    not make is refused (``_refuse_writes``, as the call starts) rather than missing.
    Anything unexpected in the model: it is kept whole."""
    operations = data.get("operations")
    shapes = data.get("shapes")
    if not isinstance(operations, dict) or not isinstance(shapes, dict):
        return data
    try:
        wanted: list[str] = []
        for name in ALLOWED_OPERATIONS & operations.keys():
            operation = operations[name]
            wanted += [operation[key]["shape"] for key in ("input", "output")
                       if key in operation]
            wanted += [error["shape"] for error in operation.get("errors", [])]
        kept: set[str] = set()
        while wanted:
            name = wanted.pop()
            if name in kept:
                continue
            kept.add(name)
            shape = shapes[name]
            wanted += [member["shape"] for member in shape.get("members", {}).values()]
            wanted += [shape[key]["shape"] for key in ("member", "key", "value")
                       if key in shape]
    except (KeyError, TypeError, AttributeError):
        return data
    return dict(data, shapes={name: shapes[name] for name in kept}, operations={
        name: operation if name in ALLOWED_OPERATIONS else {
            key: operation[key] for key in ("name", "http") if key in operation}
        for name, operation in operations.items()})


def _kept_endpoints(data: dict[str, Any]) -> dict[str, Any]:
    """botocore's endpoints data with each partition's services kept to
    ``ENDPOINT_SERVICES`` (everything else as it was)."""
    partitions = data.get("partitions")
    if not isinstance(partitions, list):
        return data
    kept = []
    for partition in partitions:
        services = partition.get("services") if isinstance(partition, dict) else None
        if isinstance(services, dict):
            partition = dict(partition, services={
                name: value for name, value in services.items() if name in ENDPOINT_SERVICES})
        kept.append(partition)
    return dict(data, partitions=kept)


class _ModelLoader(Loader):
    """botocore's model loader, checking one service's folder instead of all of them.

    Before it loads a model, botocore checks that the service exists by listing every
    service folder it ships (400 and more, a listdir and a few stats each, twice per S3
    client: a quarter of making one). A service exists for a model type when one of its
    API versions has that model, which ``list_api_versions`` answers from its own folder:
    the same answer for that one name. Any other caller (and a name that is no service,
    for botocore's own error) gets botocore's full list. The session may make other
    clients (STS for a role profile, SSO) on other threads: the name asked for is kept
    per thread."""

    FILE_LOADER_CLASS = _ClientFiles

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._asking = threading.local()

    @classmethod
    def for_session(cls, session: botocore.session.Session) -> _ModelLoader:
        """The loader botocore would make (``create_loader``): $AWS_DATA_PATH first. One
        per process for each such path, shared by the sessions: a loader of its own parsed
        the S3 model and its endpoint rules again for every client (~0.1 s of CPU each; the
        app's tests make hundreds). botocore already gives one loader's cached models to
        every client of a session; sessions share them the same way."""
        paths = session.get_config_variable("data_path") or ""
        with _LOADERS_LOCK:
            loader = _LOADERS.get(paths)
            if loader is None:
                loader = _LOADERS[paths] = cls(extra_search_paths=[
                    os.path.expanduser(os.path.expandvars(path))
                    for path in paths.split(os.pathsep)]) if paths else cls()
            return loader

    def load_service_model(self, service_name: str, type_name: str,
                           api_version: str | None = None) -> Any:
        self._asking.name = service_name
        try:
            return super().load_service_model(service_name, type_name, api_version)
        finally:
            self._asking.name = None

    def list_available_services(self, type_name: str) -> list[str]:
        name = getattr(self._asking, "name", None)
        if name is not None:
            try:
                self.list_api_versions(name, type_name)
            except DataNotFoundError:
                pass
            else:
                return [name]
        return super().list_available_services(type_name)


_LOADERS: dict[str, _ModelLoader] = {}
_LOADERS_LOCK = threading.Lock()


def pool_size(concurrency: int | None) -> int:
    """Connections to keep for a loader fetching ``concurrency`` objects at once (None: the
    loader chooses, up to 32). A pool smaller than the requests in flight throws connections
    away and logs a warning for each."""
    return max(64, 2 * (concurrency or 0))

