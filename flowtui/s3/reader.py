"""Reading an S3 object's bytes as they arrive, surviving dropped connections.

A flow-log object can be tens of megabytes read over a flaky SSH-hop network. Starting over
after a drop would repeat records already handed to the parser, so a broken read resumes
with a Range GET from the next byte, pinned to the first response's ETag (IfMatch): if the
object was replaced in between, the pieces would not belong together and the read stops with
a clear error instead.

``ObjectStream`` yields chunks for the text parser. ``RangeFile`` is a seekable file object
over ranged GETs for Parquet, whose footer sits at the end.
"""

from __future__ import annotations

import http.client
import io
import logging
import socket
import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from botocore import exceptions as bce
from urllib3.exceptions import HTTPError as URLLib3Error

from flowtui.s3.errors import ObjectChanged
from flowtui.s3.inflight import Cancelled
from flowtui.s3.url import S3Url

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client

log = logging.getLogger(__name__)

CHUNK_SIZE = 256 * 1024
#: The first read of an object is smaller, so its first records reach the screen sooner.
FIRST_CHUNK_SIZE = 32 * 1024

#: Failures after which the rest of the object can still be fetched with a Range GET.
RESUMABLE: tuple[type[BaseException], ...] = (
    bce.ResponseStreamingError,
    bce.IncompleteReadError,
    bce.ReadTimeoutError,
    bce.ConnectionClosedError,
    bce.EndpointConnectionError,
    bce.ConnectTimeoutError,
    URLLib3Error,
    http.client.HTTPException,
    ConnectionError,
    TimeoutError,
)


__all__ = ["CHUNK_SIZE", "Cancelled", "ObjectStream", "RangeFile", "ReadAhead"]


def _is_precondition_failed(exc: BaseException) -> bool:
    if not isinstance(exc, bce.ClientError):
        return False
    code = str(exc.response.get("Error", {}).get("Code", ""))
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code in ("PreconditionFailed", "412") or status == 412


def _socket_of(body: Any) -> socket.socket | None:
    """The socket under a botocore StreamingBody, reached through urllib3's internals.

    Used only to interrupt a read blocked on a stalled connection when the user cancels.
    """
    raw = getattr(body, "_raw_stream", None)
    conn = getattr(raw, "_connection", None)
    sock = getattr(conn, "sock", None)
    if isinstance(sock, socket.socket):
        return sock
    fp = getattr(getattr(raw, "_fp", None), "fp", None)
    sock = getattr(getattr(fp, "raw", None), "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


class ObjectStream:
    """The bytes ``[start, end)`` of one object, in order, each byte exactly once.

    Iterate to get chunks. ``size`` and ``etag`` are known after the first response.
    ``abort()`` may be called from another thread: it breaks a blocked read so a cancelled
    load does not wait for a stalled connection's timeout.
    """

    def __init__(self, client: S3Client, bucket: str, key: str, *, start: int = 0,
                 end: int | None = None, etag: str | None = None,
                 chunk_size: int = CHUNK_SIZE, max_retries: int = 5,
                 cancel: threading.Event | None = None) -> None:
        self.client = client
        self.bucket = bucket
        self.key = key
        self.start = start
        self.end = end
        self.etag = etag
        self.chunk_size = chunk_size
        self.max_retries = max_retries
        self.cancel = cancel or threading.Event()
        self.position = start
        self.size: int | None = None  # the whole object's size
        self.resumes = 0
        self.requests = 0
        self._body: Any = None
        self._lock = threading.Lock()
        self._aborted = False

    @property
    def location(self) -> str:
        return str(S3Url(self.bucket, self.key))

    def _stop(self) -> int | None:
        """Exclusive end of what to read, once known."""
        if self.end is not None:
            return self.end if self.size is None else min(self.end, self.size)
        return self.size

    def _open(self) -> Any:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self.key}
        if self.etag:
            params["IfMatch"] = self.etag
        if self.position > 0 or self.end is not None:
            last = "" if self.end is None else str(self.end - 1)
            params["Range"] = f"bytes={self.position}-{last}"
        self.requests += 1
        try:
            response = self.client.get_object(**params)
        except bce.ClientError as exc:
            if _is_precondition_failed(exc) and self.etag:
                raise ObjectChanged(
                    f"{self.location} was replaced while it was being read (its ETag changed): "
                    "load it again"
                ) from exc
            raise
        etag = response.get("ETag")
        if self.etag and etag and etag != self.etag:
            response["Body"].close()
            raise ObjectChanged(f"{self.location} was replaced while it was being read: "
                                "load it again")
        self.etag = self.etag or etag
        if self.size is None:
            content_range = response.get("ContentRange")  # "bytes 0-99/1234"
            if content_range and "/" in content_range:
                total = content_range.rpartition("/")[2]
                self.size = int(total) if total.isascii() and total.isdigit() else None
            else:
                self.size = response.get("ContentLength")
        return response["Body"]

    def __iter__(self) -> Iterator[bytes]:
        failures = 0
        try:
            while True:
                stop = self._stop()
                if stop is not None and self.position >= stop:
                    return
                if self.cancel.is_set():
                    raise Cancelled()
                progressed = False
                try:
                    body = self._open()
                    with self._lock:
                        self._body = body
                        if self._aborted:
                            raise Cancelled()
                    stop = self._stop()
                    while stop is None or self.position < stop:
                        if self.cancel.is_set():
                            raise Cancelled()
                        want = self.chunk_size if self.position > self.start else min(
                            self.chunk_size, FIRST_CHUNK_SIZE)
                        if stop is not None:
                            want = min(want, stop - self.position)
                        chunk = body.read(want)
                        if not chunk:
                            if stop is None:
                                return
                            raise bce.IncompleteReadError(
                                actual_bytes=self.position, expected_bytes=stop
                            )
                        self.position += len(chunk)
                        progressed = True
                        yield chunk
                    self._close_body()
                    return
                except RESUMABLE as exc:
                    if self.cancel.is_set() or self._aborted:
                        raise Cancelled() from exc
                    self._close_body()
                    failures = 0 if progressed else failures + 1
                    if failures > self.max_retries:
                        raise exc
                    self.resumes += 1
                    log.info("resuming %s at byte %d after %s", self.location, self.position,
                             type(exc).__name__)
                    if failures > 1 and self.cancel.wait(min(2.0, 0.1 * 2 ** failures)):
                        raise Cancelled() from exc
        finally:
            self._close_body()

    def _close_body(self) -> None:
        with self._lock:
            body, self._body = self._body, None
        if body is not None:
            try:
                body.close()
            except Exception:  # closing a broken connection may fail; nothing to keep
                pass

    def abort(self) -> None:
        """Interrupt a read in progress (from any thread); the iterator raises Cancelled."""
        with self._lock:
            self._aborted = True
            body = self._body
        if body is None:
            return
        sock = _socket_of(body)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class ReadAhead:
    """An object's stream whose GET was sent, and first chunk read, before its reader came:
    by the thread that listed it, while the reader's modules (Arrow) were still being
    imported. Iterating gives that chunk, then the rest, on the reader's thread; an error
    met while reading ahead is raised then, where the reader reports it."""

    def __init__(self, stream: ObjectStream) -> None:
        self.stream = stream
        self._chunks = iter(stream)
        self._first: bytes | None = None
        self._error: Exception | None = None
        try:
            self._first = next(self._chunks, None)
        except Exception as exc:  # noqa: BLE001 - the reader raises it as its own
            self._error = exc

    def __iter__(self) -> Iterator[bytes]:
        if self._error is not None:
            raise self._error
        if self._first is None:
            return
        yield self._first
        yield from self._chunks


class RangeFile(io.RawIOBase):
    """A read-only, seekable file over ranged GETs of one object, for Parquet readers.

    Reads are rounded up to ``block_size`` and a few blocks are kept, so a Parquet reader's
    small footer and page reads do not each become a request. Every range is pinned to one
    ETag and resumes like ``ObjectStream``.
    """

    def __init__(self, client: S3Client, bucket: str, key: str, *, size: int | None = None,
                 etag: str | None = None, block_size: int = 1024 * 1024, cache_blocks: int = 8,
                 cancel: threading.Event | None = None) -> None:
        super().__init__()
        self.client = client
        self.bucket = bucket
        self.key = key
        self.cancel = cancel or threading.Event()
        if size is None or etag is None:
            head = (client.head_object(Bucket=bucket, Key=key, IfMatch=etag) if etag
                    else client.head_object(Bucket=bucket, Key=key))
            size = head["ContentLength"] if size is None else size
            etag = etag or head.get("ETag")
        self.size: int = int(size)
        self.etag = etag
        self.block_size = block_size
        self.cache_blocks = cache_blocks
        self.bytes_fetched = 0
        self.requests = 0
        self._pos = 0
        self._blocks: OrderedDict[int, bytes] = OrderedDict()
        self._stream: ObjectStream | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            pos = offset
        elif whence == io.SEEK_CUR:
            pos = self._pos + offset
        elif whence == io.SEEK_END:
            pos = self.size + offset
        else:
            raise ValueError(f"bad whence {whence}")
        if pos < 0:
            raise ValueError("negative seek position")
        self._pos = pos
        return pos

    def _fetch(self, start: int, end: int) -> bytes:
        stream = ObjectStream(self.client, self.bucket, self.key, start=start, end=end,
                              etag=self.etag, cancel=self.cancel)
        self._stream = stream
        data = b"".join(stream)
        self._stream = None
        self.requests += stream.requests
        self.bytes_fetched += len(data)
        return data

    def _block(self, index: int) -> bytes:
        block = self._blocks.get(index)
        if block is None:
            start = index * self.block_size
            block = self._fetch(start, min(self.size, start + self.block_size))
            self._blocks[index] = block
            while len(self._blocks) > self.cache_blocks:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(index)
        return block

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        want = min(len(view), max(0, self.size - self._pos))
        if want == 0:
            return 0
        if want > self.block_size * 2:
            # A large read (a whole column chunk): fetch it in one request, outside the cache.
            data = self._fetch(self._pos, self._pos + want)
            view[: len(data)] = data
            self._pos += len(data)
            return len(data)
        done = 0
        while done < want:
            index, offset = divmod(self._pos, self.block_size)
            block = self._block(index)
            piece = block[offset : offset + want - done]
            if not piece:
                break
            view[done : done + len(piece)] = piece
            done += len(piece)
            self._pos += len(piece)
        return done

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.size - self._pos
        buffer = bytearray(max(0, min(size, self.size - self._pos)))
        n = self.readinto(buffer)
        return bytes(buffer[:n])

    def abort(self) -> None:
        stream = self._stream
        if stream is not None:
            stream.abort()
