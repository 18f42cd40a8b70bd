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


def prefer_compact_memory() -> None:
    """Use the system allocator for Arrow buffers; call once at program start.

    Before Arrow is loaded this only sets Arrow's own environment variable (a user's choice
    in it wins), so a command that never needs Arrow (``--help``) does not pay to load it.
    """
    global _pool_is_ours
    if "pyarrow" not in sys.modules:
        _pool_is_ours = POOL_VARIABLE not in os.environ
        os.environ.setdefault(POOL_VARIABLE, "system")
        return
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())


#: Whether ``prefer_compact_memory`` chose Arrow's pool (the user named none).
_pool_is_ours = False


def prefer_streaming_memory() -> None:
    """Arrow's jemalloc pool for a command that streams records through and keeps none,
    unless the user named a pool; call before the first record. Used by ``cat --format
    csv`` of local files, the one stream it was measured to help.

    Why: with the system allocator, the blocks and batches of a few MB that the CSV path
    (text columns, the CSV writer) allocates and frees on five threads fragment glibc's
    heaps, which grew to ~190 MB (8 MB in use at the end) and faulted in ~46,000 pages
    on 1M records even with freed pages kept (``keep_freed_pages``). jemalloc reuses its
    extents: ~33,000 faults, system time 0.19-0.22 -> 0.13-0.15 s, peak ~155 MB instead
    of ~210 MB, and the whole command 0.88-0.90x the CPU and 0.83-0.87x the wall (medians
    of 11 and 13 pairs, load 6-8). The JSON lines and table writers allocate otherwise:
    there jemalloc faulted more (JSON lines 1.06x the CPU), so they keep the system pool.
    What the compact policy is for, resident memory that follows what a store holds for
    hours, does not arise in a command that holds nothing. A pyarrow built without
    jemalloc keeps the system pool.
    """
    if not _pool_is_ours or "pyarrow" not in sys.modules:
        return
    import pyarrow as pa

    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except (NotImplementedError, pa.ArrowNotImplementedError):
        pass


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


#: glibc's mallopt parameters (malloc.h) and the values a one-shot load runs best with.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
_TRIM_THRESHOLD = 64 << 20
_MMAP_THRESHOLD = 32 << 20


def keep_freed_pages() -> None:
    """Let a command that streams an object through (``cat``, ``top``, ``hist``) reuse the
    pages it frees instead of asking the kernel for new ones; call when the records come
    next: after the S3 client is made and the listing has begun (``cli.loading``).

    Not sooner: making the client reads S3's model and endpoint files, a few MB of text and
    dicts for a moment. Under glibc's own thresholds their large buffers are mapped and
    unmapped; under these they came from the heap and stayed resident, 2.7 MB of every S3
    command's floor (`top` of an empty prefix: 84.9 -> 82.2 MB, medians of 7, load 3-4;
    bench/bench_peers_s3.py's floor table). A question that reads a whole folder reuses
    that memory anyway, so its peak did not change.

    A load allocates and frees blocks of a few MB many times over (inflated text, Arrow's
    buffers, on several threads). glibc serves those from fresh mmaps, or trims its heaps
    as soon as they free, so every block's pages are faulted in and zeroed again: on 1M
    records that was about 70,000 page faults and a fifth of a second of system time,
    against 20,000 and under a tenth with freed memory kept up to 64 MB and blocks under
    32 MB taken from the heap; peak resident memory is unchanged (measured with
    ``/usr/bin/time -f '%M %R'``). Not for the app, which holds its store for hours and
    gives its freed pages back after each load (``release_freed_memory``). A no-op off
    glibc.

    Heaps are also capped at one per core (``cap_arenas``, also called on its own before the
    client is made, so the listing's and the importer's threads are held to it too): glibc
    gives each new thread a
    heap of its own, up to 8 per core, and each keeps the most it ever held. An S3 folder
    is fetched by up to 32 threads (``concurrency.choose_concurrency``); with 16 heaps, `top`
    of a 288-object day folder peaked 25 MB higher than with 2 (bench/bench_peers_s3.py),
    at the same speed: only a few of those threads parse at once (``loader.PARSE_TURNS``).
    """
    global _pages_kept
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)
        libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
        _pages_kept = True
    except (OSError, AttributeError):
        pass
    cap_arenas()


def cap_arenas() -> None:
    """Hold a loading command to ``arena_cap`` glibc heaps; call before its first thread
    (the S3 listing's, the loader's import) allocates: glibc fixes its limit when the first
    thread past the main one asks for a heap. A no-op off glibc."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, arena_cap())
    except (OSError, AttributeError):
        pass


_pages_kept = False
#: glibc's own trim threshold (before ``mallopt`` changes it).
_DEFAULT_TRIM_THRESHOLD = 128 << 10


def loading_small_objects() -> None:
    """After ``keep_freed_pages``: the load is of many small objects (an S3 folder of
    5-minute files), so give the top of the heap back as it frees again.

    Their blocks are a few hundred KB, not the few MB of one large object that made
    keeping freed pages worth it: the page faults saved are few, and what the 64 MB
    threshold kept, each of the many objects' parse leaving the heap's top a little
    further out, was 5 MB of `hist`'s peak on a 288-object day folder (111.5 -> 106 MB,
    0.97x CPU; farm-bench, bench_peers_s3's folder). Does nothing unless
    ``keep_freed_pages`` ran (the app keeps glibc's own settings)."""
    if not _pages_kept:
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(_M_TRIM_THRESHOLD, _DEFAULT_TRIM_THRESHOLD)
    except (OSError, AttributeError):
        pass


def arena_cap(cores: int | None = None) -> int:
    """glibc heaps (arenas) a loading command may use: one per core, at least two."""
    return max(2, cores or os.cpu_count() or 2)
