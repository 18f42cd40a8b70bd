"""A small Athena-speaking HTTP endpoint on 127.0.0.1 that echoes each request's headers back
in its answers: in an error message, or as a failed query's ``StateChangeReason``. It stands
for a proxy or endpoint that leaks what it was sent (issue 20.3)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Echo(BaseHTTPRequestHandler):
    mode = "error"  # "error": every call fails; "reason": the query fails, the reason echoes

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        echo = "; ".join(f"{k}: {v}" for k, v in self.headers.items())
        target = (self.headers.get("X-Amz-Target") or "").rpartition(".")[2]
        if self.server.mode == "error":  # type: ignore[attr-defined]
            self._send(400, {"__type": "InvalidRequestException",
                             "Message": f"could not parse request {echo}"})
        elif target == "StartQueryExecution":
            self._send(200, {"QueryExecutionId": "q-echo"})
        elif target == "GetQueryExecution":
            self._send(200, {"QueryExecution": {"QueryExecutionId": "q-echo", "Status": {
                "State": "FAILED", "StateChangeReason": f"HIVE_METASTORE_ERROR: {echo}"}}})
        else:
            self._send(200, {})

    def _send(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def echo_endpoint(mode: str) -> Iterator[str]:
    """The endpoint's URL while the block runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    server.mode = mode  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, name="echo-endpoint", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
