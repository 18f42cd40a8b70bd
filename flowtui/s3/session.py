"""An S3 client from the standard AWS credential chain, set up for reading logs.

The standard chain (environment, shared config and credentials files, SSO, instance roles)
is what users already have on a jump host; flowtui adds no configuration of its own. Only
read calls leave the client: a hook refuses anything else, so flowtui can be pointed at a
production bucket without fear.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import boto3
from botocore import UNSIGNED
from botocore.config import Config

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
    """A boto3 S3 client.

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
    session = boto3.session.Session(profile_name=profile, region_name=region)
    client = session.client("s3", endpoint_url=endpoint_url, config=Config(**options))
    client.meta.events.register("before-call.s3", _refuse_writes)
    watch(client)  # its credentials are hidden from every error text
    inflight.install(client)  # so a stop or quit can cut requests waiting on the network
    return client


def pool_size(concurrency: int | None) -> int:
    """Connections to keep for a loader fetching ``concurrency`` objects at once (None: the
    loader chooses, up to 32). A pool smaller than the requests in flight throws connections
    away and logs a warning for each."""
    return max(64, 2 * (concurrency or 0))

