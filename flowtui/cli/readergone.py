"""Notice that the reader of stdout went away while nothing is being written.

A command learns that ``| head -1`` has its line only when its next write fails (EPIPE).
When the next write waits on the network — a stalled S3 download, a tail polling a quiet
prefix — that can be minutes, or never, and the command holds its connections open all that
time. On Linux the write end of a pipe reports POLLERR as soon as the last reader closed it,
which a thread can wait for without writing anything (GNU ``tail -f`` does the same since
coreutils 8.28). Only pipes are watched: a file or a terminal has no reader to lose.
"""

from __future__ import annotations

import os
import select
import stat
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def when_reader_leaves(on_gone: Callable[[], None], fd: int | None = None) -> Iterator[None]:
    """Call ``on_gone`` (once, on a watcher thread) if the pipe on ``fd`` (default: stdout)
    loses its reader while the block runs; nothing is watched when ``fd`` is no pipe."""
    try:
        watched = sys.stdout.fileno() if fd is None else fd
        is_pipe = stat.S_ISFIFO(os.fstat(watched).st_mode)
    except (AttributeError, ValueError, OSError):  # stdout replaced, closed or unusable
        is_pipe = False
    if not is_pipe or not hasattr(select, "poll"):
        yield
        return
    wake_read, wake_write = os.pipe()
    poller = select.poll()
    poller.register(watched, 0)  # no events asked: POLLERR, POLLHUP and POLLNVAL come anyway
    poller.register(wake_read, select.POLLIN)

    def watch() -> None:
        while True:
            ready = dict(poller.poll())
            if wake_read in ready:
                return
            if ready.get(watched, 0) & select.POLLERR:
                on_gone()
                return
            if watched in ready:  # POLLNVAL/POLLHUP: nothing more to learn from this fd
                return

    watcher = threading.Thread(target=watch, name="flowtui-reader-gone", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        os.write(wake_write, b"x")
        watcher.join()
        os.close(wake_read)
        os.close(wake_write)
