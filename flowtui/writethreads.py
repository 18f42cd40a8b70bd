"""Writing records on threads of their own, behind a bounded queue (``BackgroundWriter``).

Apart from output.py, which holds the writers themselves (what a batch becomes as text):
this module holds how that text is made and written beside the parse on two cores.
"""

from __future__ import annotations

import pyarrow as pa

from flowtui.output import RecordWriter
from flowtui.rowlines import RowLines


class BackgroundWriter:
    """A writer that formats and writes on threads of its own, behind a bounded queue.

    Why: turning a batch into text (Arrow kernels that release the GIL) and writing it
    otherwise waits for the thread that inflates the next chunk, and the other way round; on
    two cores they overlap. A writer that ``renders`` (table, CSV, JSON lines) has the text
    of ``threads`` batches made at once and written in order: one thread making text was
    the whole pipeline's slowest stage (alone runnable most of the time on a busy box, the
    parse waiting on the full queue); a batch whose columns differ from the one before (a
    header, the table's widths) is made alone, after every batch before it is written and
    before any after it. At most ``depth`` batches wait, and ``threads`` are being made
    (bounded memory). What a thread raises (a reader that went away: ``BrokenPipeError``)
    is raised again by the next ``write_batch``, ``drain`` or ``close``, in the caller's
    thread; batches after it are dropped. ``done`` and ``written`` are the wrapped writer's,
    so a ``--limit`` may stop the caller a batch or two late (the writer itself never
    writes past it; with a limit, one thread writes through ``write_batch``).
    """

    def __init__(self, writer: RecordWriter, depth: int = 4, threads: int = 2) -> None:
        import queue
        import threading

        self.writer = writer
        self._renders = writer.renders and writer.limit is None
        self._queue: queue.Queue[_Job | None] = queue.Queue(depth)
        self._turn = threading.Condition()
        self._sent = 0  # batches given (the caller's thread only)
        self._names: list[str] | None = None
        self._gate = -1  # the last batch given whose columns differ from the one before
        self._opened = -1  # the last such batch whose text is made
        self._written = 0  # batches written (or dropped after an error)
        self._error: BaseException | None = None
        self._threads = [threading.Thread(target=self._run, name=f"flowtui-write_{number}",
                                          daemon=True)
                         for number in range(threads if self._renders else 1)]
        for thread in self._threads:
            thread.start()

    @property
    def done(self) -> bool:
        return self.writer.done

    @property
    def written(self) -> int:
        return self.writer.written

    def write_batch(self, batch: pa.RecordBatch, source: str, lines: RowLines = None) -> None:
        """``lines``: where the rows are in ``source`` (``rowlines``), for a writer that
        names records by their line (``--explain``)."""
        self._raise()
        if not batch.num_rows:
            return  # writes nothing, not even a header (``RecordWriter.write_batch``)
        names = batch.schema.names
        alone = names != self._names
        if alone:
            self._names, self._gate = names, self._sent
        self._queue.put(_Job(self._sent, batch, source, self._gate, alone, lines))
        self._sent += 1

    def drain(self) -> None:
        """Wait until every batch given so far is written (before a message on stderr)."""
        self._queue.join()
        self._raise()

    def close(self) -> None:
        """Write what is queued and end the threads; idempotent."""
        if any(thread.is_alive() for thread in self._threads):
            for _thread in self._threads:
                self._queue.put(None)
            for thread in self._threads:
                thread.join()
        self._raise()

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is None:
            self.close()
            return
        # Leaving on an error (Ctrl-C, a closed pipe): what is queued is dropped and nothing
        # is waited for (a thread may be blocked writing to a reader that stopped reading;
        # they are daemons), so the caller's error goes through at once.
        self._error = self._error or _Abandoned()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            try:
                if job is None:
                    return
                self._do(job)
            finally:
                self._queue.task_done()

    def _do(self, job: _Job) -> None:
        """Make the batch's text when its turn allows, then write it in its turn; the turns
        move on whatever happens, so no thread waits for a batch that failed."""
        turn = self._turn
        parts = None
        try:
            with turn:
                if job.alone:
                    turn.wait_for(lambda: self._written == job.number)
                else:
                    turn.wait_for(lambda: self._opened >= job.gate)
            if self._error is None and self._renders:
                parts = self.writer.render(job.batch, job.source, _Stream(self, job.number))
        except BaseException as exc:  # raised again in the caller's thread
            self._error = self._error or exc
        finally:
            if job.alone:
                with turn:
                    self._opened = job.number
                    turn.notify_all()
        try:
            with turn:
                turn.wait_for(lambda: self._written == job.number)
            if self._error is None:
                if parts is None:
                    self.writer.write_batch(job.batch, job.source, job.lines)
                else:
                    self.writer.write_rendered(parts, job.batch.num_rows)
        except BaseException as exc:
            self._error = self._error or exc
        finally:
            with turn:
                self._written += 1
                turn.notify_all()


class _Stream(list[bytes | memoryview]):
    """A batch's bytes as ``render`` makes them: written at once while it is the batch's
    turn (every batch before it is written), kept until then otherwise. Why: a rendered
    batch of 44,000 JSON lines is 13 MB; the thread whose turn it is held all of it before
    writing any, beside the other thread's, and the peak memory followed."""

    __slots__ = ("_number", "_owner")

    def __init__(self, owner: BackgroundWriter, number: int) -> None:
        super().__init__()
        self._owner = owner
        self._number = number

    def append(self, data: bytes | memoryview) -> None:
        owner = self._owner
        # Only this batch moves the turn on from here, so a turn seen is this batch's until
        # it is written; a turn not seen yet only keeps the bytes a little longer.
        if owner._written != self._number or owner._error is not None:
            super().append(data)
            return
        for held in self:
            owner.writer.write_part(held)
        self.clear()
        owner.writer.write_part(data)


class _Job:
    """A batch for the writing threads: its place in the output, and the last batch before
    it (or itself) whose columns differ from the one before (``alone``). A plain class: a
    dataclass costs cat's start-up its generated code."""

    __slots__ = ("alone", "batch", "gate", "lines", "number", "source")

    def __init__(self, number: int, batch: pa.RecordBatch, source: str, gate: int,
                 alone: bool, lines: RowLines = None) -> None:
        self.number, self.batch, self.source = number, batch, source
        self.gate, self.alone, self.lines = gate, alone, lines


class _Abandoned(Exception):
    """The caller left on an error of its own: what is still queued is not written."""
