"""The fault proxy's latency mode in a process of its own, for benchmarks.

Real S3 answers a GET in 20-60 ms; moto on loopback in about one. Benchmarks put this proxy
(tests/faultproxy.py, the one the tests use) between the client and moto so that keeping
enough requests in flight matters as it does against AWS. It runs in its own process so its
relay threads share neither our GIL nor moto's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.loopback import moto_process

ROOT = Path(__file__).resolve().parent.parent

PROXY = """
import sys
sys.path.insert(0, {root!r})
from tests.faultproxy import FaultProxy
proxy = FaultProxy(("127.0.0.1", {port}))
proxy.latency({first_byte}, {rate})
print(proxy.port, flush=True)
sys.stdin.read()
"""


@contextmanager
def latency_proxy(upstream_port: int, first_byte: float = 0.040, rate: float = 50e6
                  ) -> Iterator[str]:
    """An endpoint URL whose answers come from ``upstream_port`` on 127.0.0.1, each GET's
    first byte ``first_byte`` seconds late and the body at ``rate`` bytes/s per connection."""
    code = PROXY.format(root=str(ROOT), port=int(upstream_port), first_byte=first_byte,
                        rate=rate)
    with moto_process(code) as (_process, port):
        yield f"http://127.0.0.1:{int(port)}"
