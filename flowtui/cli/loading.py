"""Loading what a command's paths name (s3:// URLs, local files and folders, ``-``) into a
writer or a sink, with each failed object and bad line said on stderr and an exit code.

The loader delivers batches in key order from its worker threads, one at a time, so the
writer is only ever called by one thread at once; reaching ``--limit`` cancels the rest of
the load, and so does a reader that went away (``| head``): the command then ends quietly,
as local ``cat``.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from flowtui.cli import collector, results
from flowtui.cli.args import say, window_text
from flowtui.s3.url import is_s3_url, meant_as_s3_url

if TYPE_CHECKING:
    from flowtui.reffeed import RefFeed

# The loader (Arrow, boto3) is imported when it is used: a local ``cat`` must not load it.

MAX_BAD_LINES_SHOWN = 20


def wants_loader(args: argparse.Namespace) -> bool:
    """S3 URLs and time windows go through the loader; plain local paths need not."""
    return (any(meant_as_s3_url(p) for p in args.paths) or args.since is not None
            or args.until is not None)


def open_sources(args: argparse.Namespace) -> tuple[Any, list[Any]] | int:
    """The S3 client (None for local paths only) and the objects behind ``args.paths`` in the
    window, for every command that loads; an exit code after one line when there are none
    to be had (bad profile, reversed window, nothing selectable).

    The loader (Arrow, the parser) is imported on a thread while the listing waits for the
    server, which leaves the GIL free for it; not sooner: imports and making the client
    hold the GIL, so overlapping them gains nothing and only delays the listing."""
    if args.since is not None and args.until is not None and args.until < args.since:
        say("--until is before --since")
        return 2
    importer = _Importer("flowtui.loader")
    try:
        listed = _list_s3(args, importer)
    finally:
        importer.join()
    if isinstance(listed, int):
        return listed
    client, entries = listed
    from flowtui.loader import LoadError, resolve

    try:
        refs = resolve(args.paths, client=client, since=args.since, until=args.until,
                       listed=entries)
    except LoadError as exc:
        say(str(exc))
        return 2
    return client, refs


def _list_s3(args: argparse.Namespace, importer: _Importer
             ) -> tuple[Any, dict[str, list[Any]]] | int:
    """The S3 client and the objects of each s3:// path (no client and nothing when there
    are none), or an exit code after one line. ``importer`` starts once the client is made."""
    if not any(is_s3_url(p) for p in args.paths):
        return None, {}
    from flowtui.s3.select import SelectError, objects_at

    client = _client(args)
    if isinstance(client, int):
        return client
    importer.start()
    listed: dict[str, list[Any]] = {}
    for location in args.paths:
        if is_s3_url(location) and location not in listed:
            try:
                listed[location] = objects_at(client, location, args.since, args.until)
            except SelectError as exc:
                say(str(exc))
                return 2
    return client, listed


def _client(args: argparse.Namespace) -> Any:
    """The S3 client the options ask for, or an exit code after one line."""
    from flowtui.s3.errors import describe
    from flowtui.s3.session import make_client, pool_size

    try:
        return make_client(profile=args.profile, region=args.region,
                           endpoint_url=args.endpoint_url, no_sign=args.no_sign_request,
                           max_pool_connections=pool_size(args.concurrency))
    except Exception as exc:  # bad profile and the like: one line
        say(describe(exc, profile=args.profile))
        return 2


class _Importer:
    """A module imported on a thread of its own once ``start`` is called; ``join`` waits for
    it (its error, if any, is raised again by the caller's own import of the module)."""

    def __init__(self, name: str, *, start: bool = False) -> None:
        self.name = name
        self._thread: threading.Thread | None = None
        if start:
            self.start()

    def start(self) -> None:
        import importlib
        import sys

        if self._thread is None and self.name not in sys.modules:
            self._thread = threading.Thread(target=_quietly, args=(importlib.import_module,
                                                                   self.name),
                                            name="flowtui-import", daemon=True)
            self._thread.start()

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()


def _quietly(function: Callable[[str], object], name: str) -> None:
    try:
        function(name)
    except BaseException:  # noqa: BLE001 - the caller's own import raises it again
        pass


def load_objects(args: argparse.Namespace, writer: Any, *,
                 predicate: Callable[[Any], Any] | None = None,
                 columns: Sequence[str] | None = None, prefilter: Any = None,
                 on_refs: Callable[[list[str]], None] | None = None,
                 make_writer: Callable[[], Any] | None = None, dictionaries: bool = True,
                 on_objects: Callable[[Any, Any], None] | None = None) -> int:
    """Exit code as for local ``cat``: 0 done, 1 some objects failed, 2 nothing to read.
    ``predicate`` (batch → matching rows) runs in the loader's threads, before ``writer``;
    ``columns`` (None: all) are the only columns read; ``prefilter`` see ``Loader``;
    ``on_refs`` hears the objects' locations before they load. ``make_writer`` makes the
    writer (``writer`` is then None) once the objects are listed: the writers import Arrow,
    which ``open_sources`` imports while it lists. ``dictionaries=False``: text columns as
    plain strings (``FlowLogParser``). ``on_objects(client, refs)`` hears of the objects
    (a list, or a ``RefFeed`` still being listed) before they load.

    Folders without a window load while they are still being listed (``_Listing``): the
    first object is read once the first page names it. A listing that fails after its
    first page stops the load with the same line and exit code as before any, but the
    records of the objects listed before it may have been printed."""
    cancel = threading.Event()
    listing: _Listing | None = None
    if on_refs is None and _streams(args):
        opened = _open_listing(args, cancel)
        if isinstance(opened, int):
            return opened
        client, listing = opened
        refs: list[Any] | RefFeed = listing.feed
    else:
        sources = open_sources(args)
        if isinstance(sources, int):
            return sources
        client, refs = sources
    try:
        return _load_refs(args, writer, client, refs, cancel, predicate=predicate,
                          columns=columns, prefilter=prefilter, on_refs=on_refs,
                          make_writer=make_writer, dictionaries=dictionaries,
                          on_objects=on_objects)
    finally:
        if listing is not None:
            listing.stop()


def _load_refs(args: argparse.Namespace, writer: Any, client: Any, refs: list[Any] | RefFeed,
               cancel: threading.Event, *, predicate: Callable[[Any], Any] | None,
               columns: Sequence[str] | None, prefilter: Any,
               on_refs: Callable[[list[str]], None] | None,
               make_writer: Callable[[], Any] | None, dictionaries: bool,
               on_objects: Callable[[Any, Any], None] | None = None) -> int:
    """``load_objects`` once the objects are known (a list) or are being listed (a feed
    that holds the first of them, or is closed)."""
    from flowtui.cli.readergone import when_reader_leaves
    from flowtui.events import BatchLoaded, ObjectDone, ObjectFailed
    from flowtui.loader import Loader
    from flowtui.memory import keep_freed_pages
    from flowtui.outfile import OutputError
    from flowtui.reffeed import RefFeed

    feed = refs if isinstance(refs, RefFeed) else None
    if make_writer is not None:
        writer = make_writer()
    keep_freed_pages()  # the client is made (see there)
    collector.release()  # the modules are loaded; records come next
    if not (feed.refs if feed is not None else refs):
        say(f"no flow-log objects in {', '.join(args.paths)}{window_text(args)}")
        return 0
    if on_refs is not None and not isinstance(refs, RefFeed):  # (a feed is never given one)
        on_refs([ref.location for ref in refs])
    if on_objects is not None:
        on_objects(client, refs)
    failed = 0
    bad_total = 0
    delivered = 0
    broken_pipe = False
    write_failed: list[OutputError] = []

    def on_event(event: Any) -> None:
        nonlocal failed, bad_total, broken_pipe, delivered
        if broken_pipe:
            return
        if isinstance(event, BatchLoaded):
            delivered += event.batch.num_rows
            try:
                if not writer.done:
                    _write(writer, event.batch, event.ref.location, event.lines, event.family)
            except BrokenPipeError:  # in a worker thread: stop the load, end in this one
                broken_pipe = True
                cancel.set()
                return
            except OutputError as exc:  # the output's failure, not the object's
                write_failed.append(exc)
                broken_pipe = True
                cancel.set()
                return
            if writer.done:
                cancel.set()
        elif isinstance(event, ObjectFailed):
            failed += 1
            say(event.reason)
        elif isinstance(event, ObjectDone):
            where = event.ref.location
            if event.error:
                failed += 1
                say(f"{where}: {event.error}")
            for bad in event.bad_lines[:MAX_BAD_LINES_SHOWN]:
                say(f"{where}:{bad.line_number}: {bad.reason}: {bad.text[:120]}")
            if event.bad_count > MAX_BAD_LINES_SHOWN:
                say(f"{where}: … and {event.bad_count - MAX_BAD_LINES_SHOWN} more bad lines")
            bad_total += event.bad_count

    loader = Loader(None, client=client, concurrency=args.concurrency, fields=args.fields,
                    since=args.since, until=args.until, predicate=predicate,
                    columns=columns, prefilter=prefilter, dictionaries=dictionaries)
    def reader_gone() -> None:  # ``| head`` has its lines; the next write may be far off
        nonlocal broken_pipe
        broken_pipe = True
        cancel.set()

    with when_reader_leaves(reader_gone):
        loader.run(refs, on_event, cancel)
    if write_failed:
        raise write_failed[0]  # cli.main says it in one line
    if broken_pipe:
        raise BrokenPipeError  # cli.main ends quietly
    if feed is not None and feed.error is not None:
        say(feed.error)  # the listing failed after its first page: the load was stopped
        return 2
    if not delivered and not failed and predicate is None:
        _say_window_empty(args)
    if bad_total:
        say(f"{bad_total} bad line{'s' if bad_total != 1 else ''} skipped")
    return 1 if failed else 0


def _write(writer: Any, batch: Any, source: str, lines: Any, family: str) -> None:
    """A batch to ``writer``, with its object's format family when the writer is a
    ``results.Sink`` (group states name the causes of '-' in their note by it)."""
    if isinstance(writer, results.Sink):
        writer.write_batch(batch, source, lines, family=family)
    else:
        writer.write_batch(batch, source, lines)


def _say_window_empty(args: argparse.Namespace) -> None:
    """The objects were read and the window kept none of their records: said, not an empty
    answer (``cat`` printed nothing at all, ``top`` said "no records loaded")."""
    window = window_text(args)
    if window:
        say(f"no record of {', '.join(args.paths)} lies{window} (--since/--until)")


def _streams(args: argparse.Namespace) -> bool:
    """Whether the objects can load while their folders are listed: every path an s3://
    URL and no window (a window's folders are chosen and listed whole first)."""
    return (args.since is None and args.until is None
            and all(is_s3_url(p) for p in args.paths))


def _open_listing(args: argparse.Namespace, cancel: threading.Event
                  ) -> tuple[Any, _Listing] | int:
    """The client and the listing of ``args.paths`` under way, once its first objects are
    known (or it ended); an exit code after one line when the client cannot be made or
    the listing failed before naming any object."""
    client = _client(args)
    if isinstance(client, int):
        return client
    importer = _Importer("flowtui.loader")  # while the first page is on its way
    listing = _Listing(client, args.paths, cancel)
    importer.start()
    listing.feed.wait_started()
    importer.join()
    with listing.feed.lock:
        error = listing.feed.error if not listing.feed.refs else None
    if error is not None:
        say(error)
        return 2
    return client, listing


class _Listing:
    """The objects of s3:// paths, listed on a thread of its own into a ``RefFeed``, in the
    order ``resolve`` gives them (each path's objects in key order, an object two paths
    name loaded once); ``object_pages`` says which. A failure closes the feed with its line
    and sets ``cancel``, so the load stops. ``stop`` cuts a listing the load no longer
    needs (``--limit`` reached, the reader gone)."""

    def __init__(self, client: Any, paths: Sequence[str], cancel: threading.Event) -> None:
        from flowtui.reffeed import RefFeed
        from flowtui.s3.inflight import Scope

        self.feed = RefFeed()
        self._client = client
        self._paths = list(paths)
        self._cancel = cancel
        self._scope = Scope()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="flowtui-listing", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from flowtui.events import ObjectRef
        from flowtui.s3.select import SelectError, object_pages
        from flowtui.s3.url import S3Url

        error: str | None = None
        seen: set[str] = set()  # each object once, as resolve gives them
        try:
            with self._scope.active():
                for location in dict.fromkeys(self._paths):
                    for page in object_pages(self._client, location):
                        if self._cancel.is_set():
                            return
                        got = [ObjectRef.s3(S3Url(e.bucket, e.key), e.size, e.etag)
                               for e in page]
                        got = [ref for ref in got if ref.location not in seen]
                        seen.update(ref.location for ref in got)
                        if got and not self.feed.refs:
                            self._read_ahead(got[0])
                        self.feed.add(got)
        except SelectError as exc:
            if not (self._stopped or self._cancel.is_set()):  # (not after --limit was met)
                error = str(exc)
                self._cancel.set()
        finally:
            self.feed.close(error)

    def _read_ahead(self, ref: Any) -> None:
        """The first object's GET, sent now: its answer comes while Arrow is imported (the
        loader waits for that import before it could send it). Text deliveries only
        (``.gz``): the loader reads a Parquet-named object another way."""
        from flowtui.s3.reader import ObjectStream, ReadAhead

        url = ref.url
        if url.key.lower().endswith(".gz"):
            stream = ObjectStream(self._client, url.bucket, url.key, cancel=self._cancel)
            self.feed.read_ahead(ref.location, ReadAhead(stream))

    def stop(self) -> None:
        self._stopped = True
        self._scope.cut()
        self._thread.join(2.0)


def load(args: argparse.Namespace, sink: Any, keep: Callable[[Any], Any] | None = None,
         columns: Sequence[str] | None = None, prefilter: Any = None, *,
         make_writer: Callable[[], Any] | None = None, dictionaries: bool = True,
         on_objects: Callable[[Any, Any], None] | None = None) -> int:
    """Read ``args.paths`` (S3, local files and folders, ``-``) into ``sink`` keeping only what
    the window (``--since``/``--until``) and ``keep`` keep, and of each record only
    ``columns`` (None: all). Exit code: 0 done, 1 some objects failed, 2 nothing could be
    read. ``make_writer``: makes the sink (``sink`` is then None) once the objects are
    listed; ``on_objects`` hears of the objects before they load (see ``load_objects``;
    not of standard input)."""
    from flowtui.memory import cap_arenas
    from flowtui.outfile import check_target

    check_target(getattr(args, "output", None))  # before any work: one line, exit 2
    cap_arenas()  # before the listing's threads; freed pages are kept once records come
    if args.since is not None and args.until is not None and args.until < args.since:
        say("--until is before --since")
        return 2
    if getattr(keep, "pending", False):
        # The filter's bare times wait for the data's day: a prefilter made now would read
        # them on another day and drop what the keeper will keep.
        prefilter = None
    if "-" in args.paths:
        return _load_stdin(args, sink if make_writer is None else make_writer(), keep,
                           columns, prefilter, dictionaries)
    # Only a filter waiting for the data's day needs the objects' keys before they load.
    on_refs = getattr(keep, "on_refs", None) if getattr(keep, "pending", False) else None
    return load_objects(args, sink, predicate=keep, columns=columns, prefilter=prefilter,
                        on_refs=on_refs, make_writer=make_writer, dictionaries=dictionaries,
                        on_objects=on_objects)


class _StoreSink:
    """A sink that keeps every batch in a store (``story`` reads records, not a stream)."""

    done = False

    def __init__(self, store: Any) -> None:
        self.store = store

    def write_batch(self, batch: Any, name: str, lines: Any = None) -> None:
        self.store.append(batch, name, lines)


def stdin_into(store: Any, args: argparse.Namespace) -> int:
    """Standard input (``-``) into ``store``, through the window as ``load`` reads it; the
    exit code as ``load``'s (2: ``-`` mixed with other paths)."""
    return _load_stdin(args, _StoreSink(store), None)


def _load_stdin(args: argparse.Namespace, sink: Any, keep: Callable[[Any], Any] | None,
                columns: Sequence[str] | None = None, prefilter: Any = None,
                dictionaries: bool = True) -> int:
    from pathlib import Path

    from flowtui.localfiles import LocalPathError, read_batches
    from flowtui.memory import keep_freed_pages
    from flowtui.parser import FlowLogParser
    from flowtui.query.times import window_filter

    keep_freed_pages()
    collector.release()  # the modules are loaded; records come next
    if args.paths != ["-"]:
        say("'-' (standard input) can't be mixed with other paths")
        return 2
    parser = FlowLogParser(args.fields, name="-", columns=columns, prefilter=prefilter,
                           dictionaries=dictionaries)
    window = (args.since, args.until) if args.since or args.until else None
    delivered = 0
    try:
        for batch in read_batches(Path("-"), parser):
            if window is not None:  # as the loader drops records outside it
                batch = window_filter(batch, *window)
            delivered += batch.num_rows
            if keep is not None:
                batch = keep(batch)
            _write(sink, batch, "-", None, parser.family_of(batch))
            if sink.done:
                break
    except LocalPathError as exc:
        say(str(exc))
        return 1
    if parser.error:
        say(f"-: {parser.error}")
        return 1
    if not delivered and prefilter is None:
        _say_window_empty(args)
    if parser.bad_count:
        say(f"{parser.bad_count} bad line{'s' if parser.bad_count != 1 else ''} skipped")
    return 0
