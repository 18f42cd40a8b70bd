"""A small fault-injecting HTTP proxy on loopback, in front of the moto server.

Tests use it to see what flowtui sends (every request is recorded with its S3 operation) and
to break things the way real networks do: cut a response after N body bytes, answer
``503 SlowDown``, stall mid-body until released, hold a request and then answer it in full
once released (a slow listing that still succeeds), hang (read the request and never answer:
a server that accepts connections and then goes silent), or reply with a body of the test's
own (what a misbehaving server sends). Each request gets its own upstream connection
(``Connection: close``), which keeps the relay simple and the byte counts exact.

``latency()`` makes loopback behave like a real S3 endpoint: moto answers a GET in about a
millisecond, real S3 in 20-60 ms, and a loader that keeps too few requests in flight looks
fine against the first and slow against the second. The benchmarks use it too (bench/ runs
this module in a process of its own through bench/latency.py).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


def error_body(code: str, message: str, extra: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>{message}</Message>{extra}<RequestId>FAULT</RequestId></Error>").encode()


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # unquoted, without the query
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names

    @property
    def operation(self) -> str:
        """The S3 API call this request is (path-style addressing)."""
        query = {k: v for k, v in self.query.items() if k != "x-id"}
        if "x-id" in self.query:
            return self.query["x-id"][0]
        parts = [p for p in self.path.split("/") if p]
        if self.method == "GET" and not parts:
            return "ListBuckets"
        if len(parts) == 1:
            if self.method == "GET" and query.get("list-type") == ["2"]:
                return "ListObjectsV2"
            if self.method == "GET" and not query:
                return "ListObjects"
            if self.method == "HEAD":
                return "HeadBucket"
            return f"{self.method} bucket?{'&'.join(sorted(query))}"
        if self.method == "GET" and not query:
            return "GetObject"
        if self.method == "HEAD" and not query:
            return "HeadObject"
        return f"{self.method} object?{'&'.join(sorted(query))}"

    @property
    def key(self) -> str:
        parts = self.path.lstrip("/").split("/", 1)
        return parts[1] if len(parts) > 1 else ""


@dataclass
class Fault:
    kind: str  # "cut" | "stall" | "answer" (an S3 error response instead of forwarding)
    #            | "hold" (forward only once released, then relay the whole answer)
    #            | "hang" (never answer) | "reply" (answer ``status`` with ``reply(request)``)
    after: int = 0  # body bytes relayed before the fault
    times: int = 1  # how many matching requests it hits
    match: Callable[[Request], bool] = field(default=lambda r: True)
    hits: int = 0
    status: int = 503
    code: str = "SlowDown"
    message: str = "Please reduce your request rate."
    headers: dict[str, str] = field(default_factory=dict)
    extra_xml: str = ""
    reply: Callable[[Request], bytes] | None = None
    opened: threading.Event = field(default_factory=threading.Event)  # a "hold" ends


@dataclass
class Latency:
    """Delay and pace matching responses: the first byte (the status line) leaves
    ``first_byte`` seconds after the request was forwarded (a number, or a function of the
    request), then the rest at no more than ``rate`` bytes per second per connection."""

    first_byte: float | Callable[[Request], float] = 0.040
    rate: float = 50e6
    match: Callable[[Request], bool] = field(default=lambda r: True)

    def delay(self, request: Request) -> float:
        return self.first_byte(request) if callable(self.first_byte) else self.first_byte


#: Bytes sent between two pacing checks: 1.3 ms of data at 50 MB/s.
PACE_SLICE = 64 * 1024


def is_get_object(request: Request) -> bool:
    return request.operation == "GetObject"


class FaultProxy:
    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self.stalled = threading.Event()  # set when a stall (or a hang) has begun
        self.held = threading.Event()  # set when a held request has begun waiting
        self.slow: Latency | None = None
        self.in_flight = 0  # requests being relayed now
        self.peak_in_flight = 0  # the most relayed at once
        self._release = threading.Event()
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._sockets: set[socket.socket] = set()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._accepter = threading.Thread(target=self._accept, name="faultproxy-accept",
                                          daemon=True)
        self._accepter.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- configuring faults -------------------------------------------------------------

    def add(self, kind: str, *, after: int = 0, times: int = 1,
            match: Callable[[Request], bool] = is_get_object, **kw: Any) -> Fault:
        fault = Fault(kind=kind, after=after, times=times, match=match, **kw)
        with self._lock:
            self.faults.append(fault)
        return fault

    def cut_after(self, nbytes: int, **kw: object) -> Fault:
        return self.add("cut", after=nbytes, **kw)  # type: ignore[arg-type]

    def stall_after(self, nbytes: int, **kw: object) -> Fault:
        return self.add("stall", after=nbytes, **kw)  # type: ignore[arg-type]

    def slow_down(self, times: int = 1, **kw: Any) -> Fault:
        return self.add("answer", times=times, **kw)

    def hang(self, *, times: int = 1_000_000, match: Callable[[Request], bool] = lambda r: True
             ) -> Fault:
        """Read matching requests and never answer them (until ``release`` or ``close``):
        every request, by default."""
        return self.add("hang", times=times, match=match)

    def hold(self, *, times: int = 1_000_000,
             match: Callable[[Request], bool] = lambda r: True) -> Fault:
        """Keep matching requests waiting (``held`` is set when one does), then relay them
        in full once ``release`` (every fault) or the fault's ``opened.set()`` (this one)
        is called: a slow answer that is still a good one."""
        return self.add("hold", times=times, match=match)

    def reply(self, body: Callable[[Request], bytes], *, times: int = 1_000_000,
              match: Callable[[Request], bool] = lambda r: True, status: int = 200,
              content_type: str = "application/xml") -> Fault:
        """Answer matching requests ``status`` (200 OK) with ``body(request)`` (XML, or
        what ``content_type`` says: a captive portal's ``text/html``), not forwarding."""
        return self.add("reply", times=times, match=match, reply=body, status=status,
                        headers={"Content-Type": content_type})

    def answer(self, status: int, code: str, message: str = "", *, times: int = 1,
               **kw: Any) -> Fault:
        """Reply with an S3 error (e.g. 403 AccessDenied) instead of forwarding."""
        return self.add("answer", times=times, status=status, code=code,
                        message=message or code, **kw)

    def latency(self, first_byte: float | Callable[[Request], float] = 0.040,
                rate: float = 50e6, *, match: Callable[[Request], bool] = lambda r: True
                ) -> Latency:
        """From now on, relayed responses to matching requests start ``first_byte`` seconds
        late and arrive at ``rate`` bytes/s per connection (real S3: 20-60 ms, tens of MB/s);
        faults still apply on top."""
        self.slow = Latency(first_byte, rate, match)
        return self.slow

    def release(self) -> None:
        """End every stall (their connections are then closed)."""
        self._release.set()

    def operations(self) -> list[str]:
        with self._lock:
            return [r.operation for r in self.requests]

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    # --- relay ----------------------------------------------------------------------------

    def _pick(self, request: Request) -> Fault | None:
        with self._lock:
            self.requests.append(request)
            for fault in self.faults:
                if (fault.hits < fault.times and not fault.opened.is_set()
                        and fault.match(request)):
                    fault.hits += 1
                    return fault
        return None

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._closed.is_set():
                    conn.close()
                    return
                self._sockets.add(conn)
                t = threading.Thread(target=self._serve, args=(conn,), name="faultproxy-conn",
                                     daemon=True)
                self._threads.append(t)
            t.start()

    def _serve(self, client: socket.socket) -> None:
        try:
            while not self._closed.is_set():
                head, rest = _read_head(client, b"")
                if head is None:
                    return
                request, raw_head = _parse_request(head)
                length = int(request.headers.get("content-length", "0") or 0)
                body = rest
                while len(body) < length:
                    data = client.recv(65536)
                    if not data:
                        return
                    body += data
                fault = self._pick(request)
                if fault is not None and fault.kind == "answer":
                    client.sendall(_error_response(request, fault))
                    continue
                if fault is not None and fault.kind == "hang":
                    self._break(client, fault)
                    return
                if fault is not None and fault.kind == "reply":
                    assert fault.reply is not None
                    client.sendall(_response(fault.status, HTTPStatus(fault.status).phrase,
                                             fault.reply(request), fault.headers))
                    continue
                if fault is not None and fault.kind == "hold":
                    self.held.set()
                    while not (self._release.is_set() or self._closed.is_set()
                               or fault.opened.is_set()):
                        self._release.wait(0.05)
                    fault = None
                slow = self.slow if self.slow is not None and self.slow.match(request) else None
                self._relay(client, raw_head + body, fault,
                            None if slow is None else (slow.delay(request), slow.rate))
                return
        except OSError:
            return
        finally:
            self._forget(client)

    def _relay(self, client: socket.socket, request: bytes, fault: Fault | None,
               slow: tuple[float, float] | None = None) -> None:
        upstream = socket.create_connection(self.upstream)
        with self._lock:
            self._sockets.add(upstream)
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            upstream.sendall(request)
            send = client.sendall if slow is None else _Paced(client, time.monotonic(),
                                                             *slow, self._closed).send
            header_done = False
            buffered = b""
            body_sent = 0
            limit = fault.after if fault is not None else None
            while True:
                data = upstream.recv(65536)
                if not data:
                    return
                if not header_done:
                    buffered += data
                    end = buffered.find(b"\r\n\r\n")
                    if end < 0:
                        continue
                    header_done = True
                    send(buffered[: end + 4])
                    data = buffered[end + 4 :]
                if limit is not None and body_sent + len(data) >= limit:
                    send(data[: limit - body_sent])
                    self._break(client, fault)  # type: ignore[arg-type]
                    return
                send(data)
                body_sent += len(data)
        finally:
            with self._lock:
                self.in_flight -= 1
            self._forget(upstream)

    def _break(self, client: socket.socket, fault: Fault) -> None:
        if fault.kind in ("stall", "hang"):
            self.stalled.set()
            while not (self._release.is_set() or self._closed.is_set()):
                self._release.wait(0.05)
        try:
            client.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _forget(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)
        try:
            sock.close()
        except OSError:
            pass

    def close(self) -> None:
        self._closed.set()
        self._release.set()
        try:  # shutdown wakes the accept() blocked in the accepter thread; close alone does not
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._accepter.join(timeout=5)
        with self._lock:
            threads = list(self._threads)
        for t in threads:
            t.join(timeout=5)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Paced:
    """Sends to ``sock`` no sooner than ``delay`` after ``start``, then at ``rate`` bytes/s."""

    def __init__(self, sock: socket.socket, start: float, delay: float, rate: float,
                 closed: threading.Event) -> None:
        self.sock = sock
        self.begin = start + delay
        self.rate = rate
        self.sent = 0
        self.closed = closed

    def send(self, data: bytes) -> None:
        for at in range(0, len(data), PACE_SLICE):
            due = self.begin + self.sent / self.rate
            wait = due - time.monotonic()
            if wait > 0 and self.closed.wait(wait):
                raise OSError("the proxy is closing")
            piece = data[at : at + PACE_SLICE]
            self.sock.sendall(piece)
            self.sent += len(piece)


def _error_response(request: Request, fault: Fault) -> bytes:
    body = error_body(fault.code, fault.message, fault.extra_xml)
    if request.method == "HEAD":  # no body, as S3 answers HEAD errors
        body = b""
    return _response(fault.status, fault.code, body, fault.headers)


def _response(status: int, reason: str, body: bytes, extra: dict[str, str] | None = None
              ) -> bytes:
    headers = {"Content-Type": "application/xml", **(extra or {}),
               "Content-Length": str(len(body))}
    head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return head.encode() + body


def _read_head(sock: socket.socket, buffered: bytes) -> tuple[bytes | None, bytes]:
    while b"\r\n\r\n" not in buffered:
        data = sock.recv(65536)
        if not data:
            return None, b""
        buffered += data
    head, _, rest = buffered.partition(b"\r\n\r\n")
    return head, rest


def _parse_request(head: bytes) -> tuple[Request, bytes]:
    lines = head.decode("latin-1").split("\r\n")
    method, target, version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    out = [lines[0]]
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
        if name.strip().lower() not in ("connection", "keep-alive"):
            out.append(line)
    out.append("Connection: close")
    parts = urlsplit(target)
    request = Request(
        method=method,
        path=unquote(parts.path),
        query=parse_qs(parts.query, keep_blank_values=True),
        headers=headers,
    )
    return request, ("\r\n".join(out) + "\r\n\r\n").encode("latin-1")
