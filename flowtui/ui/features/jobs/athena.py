"""Athena queries from the TUI: a large folder's records, filtered on Athena, into the table.

The query runs in a thread worker (group ``athena``): it describes the folder's table (S3
reads), submits the SQL, polls its state and brings the rows back batch by batch. The
batches go into a fresh store (as a load's do) and every step comes back to the UI thread as
a typed message: the status line shows state, data scanned, cost and time; the table's title
says the rows came from Athena. Esc sets the job's cancel event; the engine then sends
StopQueryExecution. Nothing reaches Athena unless the user chose "query on Athena".

Where flow logs of several formats write in the folder (or the flow log named is not there),
one table can't read them all: the user picks one of those found in a dialog, and the query
is made again as ``--flow-log`` makes it (that flow log's table name and objects only). The
choice holds for the session, as the table name does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import astuple, dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import App
from textual.message import Message
from textual.worker import Worker, get_current_worker

from flowtui.s3.listing import Entry
from flowtui.store import RecordStore
from flowtui.ui.features.feature import Feature, quiet_when_closing
from flowtui.ui.screen import MainScreen
from flowtui.ui.shown import Shown
from flowtui.ui.widgets.athena.dialogs import (
    AthenaTableScreen,
    FlowLogScreen,
    SqlScreen,
    TableName,
)
from flowtui.ui.widgets.safe import literal

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client

    from flowtui.athena.table import FlowLogsFound


@dataclass(frozen=True)
class AthenaOptions:
    """Where the TUI's queries run (``flowtui --athena-…``); no table: ask the user."""

    database: str | None = None
    table: str | None = None
    workgroup: str | None = None
    output_location: str | None = None
    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None  # else AWS_ENDPOINT_URL_ATHENA, as the engine does
    #: The flow log(s) the table is for, where flow logs of several formats write (the
    #: query keeps their objects only); the default table name then carries them. Else the
    #: app asks where it must.
    flow_logs: tuple[str, ...] = ()


@dataclass
class AthenaJob:
    id: int
    entry: Entry
    name: TableName
    label: str
    where_text: str
    store: RecordStore
    cancel: threading.Event = field(default_factory=threading.Event)
    worker: Worker[Any] | None = None
    sql: str = ""
    table: str = ""
    running: bool = True
    last_line: str = ""


@dataclass
class AthenaSubmitted(Message, bubble=False):
    job_id: int
    sql: str
    table: str


@dataclass
class AthenaChoose(Message, bubble=False):
    """One table can't read every flow log of the folder: the user picks one of ``found``
    (nothing was sent to Athena)."""

    job_id: int
    reason: str  # the dialog's line
    refusal: str  # the one line if the user picks none
    found: list[tuple[str, str]]


@dataclass
class AthenaStatus(Message, bubble=False):
    job_id: int
    line: str


@dataclass
class AthenaRows(Message, bubble=False):
    job_id: int
    rows: int


@dataclass
class AthenaDone(Message, bubble=False):
    """The query ended: ``error`` is one line (None when it succeeded)."""

    job_id: int
    error: str | None = None
    cancelled: bool = False


class AthenaQueries(Feature):
    """The app's Athena query: one at a time, started from the large-folder question."""

    def __init__(self, app: App[Any], screen: MainScreen, shown: Shown,
                 client: Callable[[], S3Client], options: AthenaOptions | None) -> None:
        super().__init__()
        self._app = app
        self._screen = screen
        self._shown = shown
        self._client = client
        self._options = options or AthenaOptions()
        self._table_name: TableName | None = (
            TableName(self._options.database or "default", self._options.table)
            if self._options.table else None)
        #: The flow log(s) queries are for: the start-up option's, then the one picked.
        self._flow_logs = self._options.flow_logs
        #: The table name was given (option, config, typed): a flow log picked keeps it;
        #: else the name follows the flow log, as ``--flow-log`` without ``--table``.
        self._named = bool(self._options.table)
        self._ids = 0
        self.job: AthenaJob | None = None

    # ------------------------------------------------------------- starting

    def offer(self, entry: Entry) -> None:
        """The user chose "query on Athena" for ``entry`` (a day/hour folder in S3)."""
        if self._table_name is not None:
            self.start(entry, self._table_name)
            return

        from flowtui.athena.table import default_table_name

        offered = default_table_name(self._flow_logs)

        def chosen(name: TableName | None) -> None:
            if name is not None:
                self._table_name = name  # asked once per session
                self._named = name.table != offered
                self.start(entry, name)

        self._app.push_screen(AthenaTableScreen(
            self._options.database or "default", offered), chosen)

    def start(self, entry: Entry, name: TableName) -> AthenaJob:
        """Query the folder with the table's filter; its rows replace the table's."""
        screen = self._screen
        self.cancel(quiet=True)
        self._ids += 1
        store = RecordStore()
        label = entry.label or entry.key
        query = self._shown.query
        job = AthenaJob(self._ids, entry, name, label, query.where_text, store)
        self.job = job
        self._shown.show_records(store)
        screen.table.column_layout.origin = f"from Athena {name.database}.{name.table}"
        screen.table.placeholder = f"Querying {label} on Athena… (Esc cancels)"
        screen.status.athena = "athena: describing the folder's table…"
        job.worker = self._app.run_worker(
            partial(self._run, job, name, query.where, self._flow_logs), thread=True,
            group="athena", exit_on_error=False, name=f"athena {label}")
        screen.table.focus()
        return job

    def _run(self, job: AthenaJob, name: TableName, where: Any,
             flow_logs: tuple[str, ...]) -> None:
        """Thread worker: describe, submit, poll, read; every step as a message."""
        from flowtui.athena.engine import (
            AthenaTarget,
            QueryFailed,
            describe_error,
            make_athena_client,
            run_query,
        )
        from flowtui.athena.folder import folder_query
        from flowtui.athena.table import FlowLogsFound, TableError
        from flowtui.s3.errors import describe

        worker = get_current_worker()
        post = self.post_message
        options = self._options
        bucket, key = job.entry.bucket, job.entry.key
        try:
            s3 = self._client()
            query = folder_query(s3, bucket, key, where, database=name.database,
                                 table_name=name.table, flow_logs=flow_logs)
        except FlowLogsFound as exc:
            post(_choice(job.id, exc, flow_logs))
            return
        except TableError as exc:
            post(AthenaDone(job.id, str(exc)))
            return
        except Exception as exc:
            post(AthenaDone(job.id, describe(exc, bucket=bucket, key=key)))
            return
        post(AthenaSubmitted(job.id, query.sql, query.name))
        target = AthenaTarget(database=name.database, workgroup=options.workgroup,
                              output_location=options.output_location)

        def on_status(status: Any) -> None:
            if worker.is_cancelled:
                job.cancel.set()
            post(AthenaStatus(job.id, status.line()))

        try:
            client = make_athena_client(options.profile, options.region, options.endpoint_url)
            for batch in run_query(client, query.sql, target, cancel=job.cancel,
                                   on_status=on_status, s3_client=s3):
                job.store.append(batch, "athena")
                post(AthenaRows(job.id, batch.num_rows))
        except QueryFailed as exc:
            post(AthenaDone(job.id, str(exc), cancelled=job.cancel.is_set()))
            return
        except Exception as exc:  # a one-line message, never a traceback
            post(AthenaDone(job.id, describe_error(exc), cancelled=job.cancel.is_set()))
            return
        post(AthenaDone(job.id))

    # ------------------------------------------------------------ following

    def _mine(self, job_id: int) -> AthenaJob | None:
        job = self.job
        if job is None or job.id != job_id or self._screen.closing:
            return None
        return job

    @on(AthenaSubmitted)
    @quiet_when_closing
    def submitted(self, message: AthenaSubmitted) -> None:
        job = self._mine(message.job_id)
        if job is not None:
            job.sql, job.table = message.sql, message.table
            self._screen.status.athena = "athena: submitting…"

    def _superseded(self, job: AthenaJob) -> bool:
        """A load or a tail took the table over: the query's rows have nowhere to go, so
        it stops (it costs by the byte scanned)."""
        if self._shown.holds(job.store):
            return False
        if job.running:
            self.cancel(quiet=True)
            self._screen.status.athena = ""
        return True

    @on(AthenaChoose)
    @quiet_when_closing
    def choose(self, message: AthenaChoose) -> None:
        """Ask which flow log; the answer queries again (Esc: the refusal, one line)."""
        job = self._mine(message.job_id)
        if job is None or self._superseded(job):
            return
        self._screen.status.athena = "athena: which flow log? (several in this folder)"

        def named(flow_log: str) -> str:
            return ".".join(astuple(self._name_for(job.name, flow_log)))

        def chosen(flow_log: str | None) -> None:
            if self.job is not job or not job.running:
                return
            if flow_log is None:
                self.post_message(AthenaDone(job.id, message.refusal))
                return
            self._flow_logs = (flow_log,)
            name = self._name_for(job.name, flow_log)
            if self._table_name is not None:
                self._table_name = name
            self.start(job.entry, name)

        self._app.push_screen(FlowLogScreen(message.reason, message.found, named), chosen)

    def _name_for(self, name: TableName, flow_log: str) -> TableName:
        """The table a query for ``flow_log`` reads: the one the user named, else the
        flow log's default (``vpc_flow_logs_fl_…``, what ``athena ddl --flow-log`` makes)."""
        from flowtui.athena.table import default_table_name

        if self._named:
            return name
        return TableName(name.database, default_table_name((flow_log,)))

    @on(AthenaStatus)
    @quiet_when_closing
    def status(self, message: AthenaStatus) -> None:
        job = self._mine(message.job_id)
        if job is not None and job.running and not self._superseded(job):
            job.last_line = message.line
            self._screen.status.athena = f"{message.line} · Esc cancels"

    @on(AthenaRows)
    @quiet_when_closing
    def rows(self, message: AthenaRows) -> None:
        job = self._mine(message.job_id)
        if job is not None and not self._superseded(job):
            self._screen.table.data_changed()

    @on(AthenaDone)
    @quiet_when_closing
    def done(self, message: AthenaDone) -> None:
        job = self._mine(message.job_id)
        if job is None:
            return
        job.running = False
        screen, notify = self._screen, self._app.notify
        shown = self._shown.holds(job.store)
        if not shown:  # superseded by a load or a tail: say so once, leave its line alone
            if message.cancelled:
                notify("Athena query stopped: the table shows other records now",
                       markup=False, timeout=3)
            return
        screen.table.refresh_now()
        if message.cancelled:
            screen.status.athena = "athena: cancelled (the query was stopped)"
            if not len(job.store):
                screen.table.placeholder = "Athena query cancelled before any record arrived."
            notify(f"Athena query cancelled after {len(job.store):,} records", markup=False)
        elif message.error:
            screen.status.athena = "athena: failed"
            if not len(job.store):
                screen.table.placeholder = literal(message.error)
            notify(literal(message.error), title="Athena", severity="error", markup=False)
        else:
            line = job.last_line or "athena succeeded"
            screen.status.athena = f"{line} · {len(job.store):,} records · A shows the SQL"
            if not len(job.store):
                screen.table.placeholder = f"No records in {job.label} match on Athena."
            from flowtui.athena.folder import ROW_LIMIT

            if len(job.store) >= ROW_LIMIT:
                notify(f"Athena returned the first {ROW_LIMIT:,} records (the query's LIMIT); "
                       "narrow the filter for the rest", severity="warning", markup=False)

    # ------------------------------------------------------------- controls

    def cancel(self, quiet: bool = False) -> bool:
        """Stop the query in progress (StopQueryExecution); True if there was one."""
        job = self.job
        if job is None or not job.running:
            return False
        job.cancel.set()
        if job.worker is not None:
            job.worker.cancel()
        if not quiet:
            self._screen.status.athena = "athena: cancelling…"
        return True

    def let_go(self) -> None:
        """Other records may come (a load, a tail): a finished query's line goes. A running
        one stops only once they replace its rows (a "no" to the question keeps it)."""
        if self.job is None or not self.job.running:
            self._screen.status.athena = ""

    def stop_now(self) -> None:
        if self.job is not None:
            self.job.cancel.set()

    def show_sql(self) -> None:
        job = self.job
        if job is None or not job.sql:
            self._app.notify("No Athena query yet (a large folder offers one: a)",
                             markup=False, timeout=3)
            return
        where = f" · filter: {job.where_text}" if job.where_text else ""
        self._app.push_screen(SqlScreen(f"{job.label} on Athena ({job.table}){where}",
                                        job.sql))


def _choice(job_id: int, found: FlowLogsFound, flow_logs: tuple[str, ...]) -> AthenaChoose:
    """What to ask, from the core's refusal (``FlowLogsFound``): why, and the line that
    stays if the user picks none."""
    from flowtui.athena.table import MixedFormats, UnknownFlowLog

    named = f"{', '.join(flow_logs)} (--athena-flow-log, [athena] flow_log or chosen before)"
    if isinstance(found, MixedFormats):
        reason = (f"Flow logs of {len(found.groups)} formats write in this folder, and Athena "
                  "reads every object under a table's location in the table's one format: "
                  "the query reads the chosen flow log's objects only.")
        refusal = found.hint("", how="choose one (a on the folder asks again), or start "
                                     "flowtui with --athena-flow-log fl-…")
    elif isinstance(found, UnknownFlowLog):
        reason = f"No object of flow log {named} in this folder: choose one of these."
        refusal = str(found)
    else:  # several flow logs named, of different formats
        reason = (f"Flow logs {named} write different formats, and one table reads one: "
                  "choose one.")
        refusal = str(found).replace("--flow-log", "--athena-flow-log", 1)
    return AthenaChoose(job_id, reason, refusal, found.found)
