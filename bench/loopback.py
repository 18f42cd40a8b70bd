"""What every S3 benchmark needs: fake credentials only, and moto in its own process.

moto runs in a separate process so it shares neither the GIL nor the memory of what is
measured; its only address is 127.0.0.1. Credentials and profiles of the person running the
benchmark are hidden, so no request can reach real AWS.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

MOTO_SERVER = (
    "import logging, sys\n"
    "from moto.server import ThreadedMotoServer\n"
    "logging.getLogger('werkzeug').setLevel(logging.ERROR)\n"
    "s = ThreadedMotoServer(ip_address='127.0.0.1', port=0, verbose=False)\n"
    "s.start()\n"
    "print(s.get_host_and_port()[1], flush=True)\n"
    "sys.stdin.read()\n"  # runs until the benchmark closes our stdin
)


def isolate_aws_env() -> None:
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
                       "AWS_CONFIG_FILE": os.devnull,
                       "AWS_SHARED_CREDENTIALS_FILE": os.devnull})
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        os.environ.pop(name, None)


@contextmanager
def moto_process(code: str = MOTO_SERVER) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Run ``code`` (it prints the port first, then anything else) until the block ends;
    yields the process and the first line it printed."""
    server = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert server.stdin is not None and server.stdout is not None
    try:
        yield server, server.stdout.readline()
    finally:
        server.stdin.close()
        server.wait(timeout=30)
