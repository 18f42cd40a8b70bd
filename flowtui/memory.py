"""Memory policy for a process that holds millions of records.

pyarrow's default pool (mimalloc or jemalloc) keeps freed pages for reuse: after a load,
the temporary text blocks and tables are gone but resident memory stays near twice the
store's size. The system allocator hands them back, so resident memory follows what the
store holds (measured by bench/bench_parse.py: ~99 vs ~48 resident bytes per record for
1M records) at no measurable cost in parse speed.
"""

from __future__ import annotations

import os
import sys

POOL_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"


_USER_POOL = POOL_VARIABLE in os.environ  # the user's choice wins over both policies


def prefer_compact_memory() -> None:
    """Use the system allocator for Arrow buffers; call once at program start.

    Before Arrow is loaded this only sets Arrow's own environment variable (a user's choice
    in it wins), so a command that never needs Arrow (``--help``) does not pay to load it.
    """
    if "pyarrow" not in sys.modules:
        os.environ.setdefault(POOL_VARIABLE, "system")
        return
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())


def release_freed_memory() -> None:
    """Give freed heap pages back to the system after a load (glibc keeps them otherwise).

    Measured by bench/bench_ui.py: after loading a 1M-record object twice, resident memory
    stays near the store's size instead of growing with each load. A no-op off glibc.
    """
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


def prefer_fast_memory() -> None:
    """Use jemalloc for Arrow buffers in a process that streams records and keeps none
    (``cat`` without ``--sort``); a user's ``ARROW_DEFAULT_MEMORY_POOL`` still wins.

    Why: the writers make and free a few megabytes of text columns per batch; the system
    allocator maps and unmaps them, and the kernel zeroes every new page. Measured on 1M
    records (``cat --format jsonl``): the writer thread's CPU 0.75 s instead of 0.95-1.0 s,
    the process's 0.95x, peak memory no higher. Resident memory after a load, the reason
    for the compact policy, does not arise in a process that holds nothing.
    """
    if _USER_POOL:
        return
    import pyarrow as pa

    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except NotImplementedError:  # pragma: no cover - a pyarrow built without jemalloc
        pass
