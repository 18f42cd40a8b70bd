"""Cutting S3 requests that wait on the network, so stop and quit never wait for a timeout.

botocore blocks in a socket read for up to the read timeout and then retries: against a server
that accepts connections and never answers, a stop that waits for the request in flight takes
minutes (5 attempts × 30 s). botocore has no way to interrupt a request, so flowtui's clients
use a connection class that notes which requests each socket serves. Cutting a ``Scope`` shuts
down the sockets of the requests made inside it (the blocked read returns at once) and refuses
their retries; ``close(client)`` does that for every request of a client (quitting).
"""

from __future__ import annotations

import logging
import socket
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from botocore.awsrequest import (
    AWSHTTPConnection,
    AWSHTTPConnectionPool,
    AWSHTTPSConnection,
    AWSHTTPSConnectionPool,
)

if TYPE_CHECKING:
    from botocore.client import BaseClient

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """The work was cancelled by the caller (a cut scope, a closed client)."""


_local = threading.local()


def _active() -> tuple[Scope, ...]:
    scopes: tuple[Scope, ...] = getattr(_local, "scopes", ())
    return scopes


class Scope:
    """The S3 requests threads make while inside ``active()``; ``cut()``, from any thread,
    ends them with ``Cancelled`` and refuses any further request made inside it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cut = False
        self._conns: weakref.WeakSet[Any] = weakref.WeakSet()

    @property
    def is_cut(self) -> bool:
        return self._cut

    @contextmanager
    def active(self) -> Iterator[Scope]:
        """Requests made by this thread inside the block belong to the scope."""
        previous = _active()
        _local.scopes = (*previous, self)
        try:
            yield self
        finally:
            _local.scopes = previous

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            conns = list(self._conns)
        for conn in conns:
            if self in getattr(conn, "flowtui_scopes", ()):
                _shut(conn)

    def _adopt(self, conn: Any) -> None:
        with self._lock:
            self._conns.add(conn)
            cut = self._cut
        if cut:
            _shut(conn)


def _shut(conn: Any) -> None:
    """Wake whatever thread is blocked on the connection's socket."""
    sock = getattr(conn, "sock", None)
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _tracked(base: type, client_scope: Scope) -> type:
    """A connection class that tells its scopes which socket serves the current request."""

    def claim(conn: Any) -> None:
        scopes = (client_scope, *_active())
        conn.flowtui_scopes = scopes
        for scope in scopes:
            scope._adopt(conn)

    def connect(self: Any) -> None:
        base.connect(self)  # type: ignore[attr-defined]
        claim(self)

    def request(self: Any, *args: Any, **kwargs: Any) -> Any:
        claim(self)
        return base.request(self, *args, **kwargs)  # type: ignore[attr-defined]

    return type(f"Tracked{base.__name__}", (base,), {"connect": connect, "request": request})


_clients: weakref.WeakKeyDictionary[BaseClient, Scope] = weakref.WeakKeyDictionary()


def install(client: BaseClient) -> Scope:
    """Make ``client``'s requests cuttable (an S3 or an Athena client); returns the scope
    that ``close`` cuts."""
    client_scope = Scope()

    def refuse_when_cut(**_: Any) -> None:
        if client_scope.is_cut or any(s.is_cut for s in _active()):
            raise Cancelled()

    # Before each attempt (retries included), and instead of botocore's retry decision: a
    # request cut while it waited must not be sent again (or wait out a back-off first).
    service = client.meta.service_model.service_id.hyphenize()  # "s3", "athena"
    client.meta.events.register(f"before-send.{service}", refuse_when_cut)
    client.meta.events.register_first(f"needs-retry.{service}", refuse_when_cut)
    # botocore exposes no way to choose the connection class; its session keeps the pool
    # classes in a dict that its pool managers share, so replacing the entries is enough.
    session = getattr(getattr(client, "_endpoint", None), "http_session", None)
    pools = getattr(session, "_pool_classes_by_scheme", None)
    if isinstance(pools, dict):
        pools["http"] = type("TrackedHTTPConnectionPool", (AWSHTTPConnectionPool,), {
            "ConnectionCls": _tracked(AWSHTTPConnection, client_scope)})
        pools["https"] = type("TrackedHTTPSConnectionPool", (AWSHTTPSConnectionPool,), {
            "ConnectionCls": _tracked(AWSHTTPSConnection, client_scope)})
    else:  # a botocore that moved it: a cut then only stops retries
        log.warning("cannot track S3 connections: a stop may wait for the read timeout")
    _clients[client] = client_scope
    return client_scope


def close(client: BaseClient) -> None:
    """End every request of ``client`` now and refuse new ones (the app is quitting)."""
    scope = _clients.get(client)
    if scope is not None:
        scope.cut()
