"""Forks CHILDREN processes, WIDTH at a time; each parses an object holding a rejected line,
as ``flowtui cat`` does, and then ends through a normal interpreter shutdown.

Prints the children's wait statuses as ``[(status, count), ...]``. Forking from one parent
that has already imported pyarrow makes a child cost milliseconds instead of a fresh
interpreter's start, so a few hundred runs fit in a test.

    python tests/parse_exit_driver.py CHILDREN WIDTH
"""

from __future__ import annotations

import gc
import os
import sys

from flowtui.fields import DEFAULT_FIELDS
from flowtui.parser import FlowLogParser

LINE = (b"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 "
        b"4249 1418530010 1418530070 ACCEPT OK\n")
DATA = " ".join(DEFAULT_FIELDS).encode() + b"\n" + LINE * 50 + b"2 rejected\n" + LINE * 50


def child(pipelined: bool) -> None:
    parser = FlowLogParser(pipelined=pipelined)
    parser.feed(DATA)
    parser.finish()
    if parser.bad_count != 1 or parser.records != 100:
        os._exit(3)


def main() -> None:
    children, width = int(sys.argv[1]), int(sys.argv[2])
    gc.freeze()  # the children's shutdown skips the parent's objects: cheaper children
    statuses: dict[int, int] = {}
    running = 0
    for n in range(children):
        if running == width:
            _, status = os.wait()
            statuses[status] = statuses.get(status, 0) + 1
            running -= 1
        if os.fork() == 0:
            child(pipelined=n % 2 == 0)
            return  # falls off the end of the script: the interpreter shuts down normally
        running += 1
    while running:
        _, status = os.wait()
        statuses[status] = statuses.get(status, 0) + 1
        running -= 1
    print(sorted(statuses.items()))


if __name__ == "__main__":
    main()
