"""Running a query on Athena: submit, watch, cancel, and bring the answer back typed.

The answer lands as Arrow record batches with the same column names and types a local load
gives (``log_status`` → ``log-status``, ports and counters as integers, ``-`` as null), so the
store, the view, the table, the story and the exporters work on it unchanged.

Safety: the Athena client can send exactly the calls listed in ``ALLOWED_OPERATIONS``; a hook
refuses anything else before it is sent, as the S3 client's does. Athena itself writes the
result file to the output location (that is how Athena works, and the README says so).
"""

from __future__ import annotations

import html
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from flowtui.fields import arrow_type, canonical_name
from flowtui.redact import redact, watch
from flowtui.s3 import inflight
from flowtui.s3.url import S3Url
from flowtui.textsafe import printable

if TYPE_CHECKING:
    from types_boto3_athena import AthenaClient
    from types_boto3_s3 import S3Client

ALLOWED_OPERATIONS = frozenset({"StartQueryExecution", "GetQueryExecution", "GetQueryResults",
                                "StopQueryExecution"})
#: Athena's price per TB scanned in most regions (US East, Europe); an estimate, said so.
DOLLARS_PER_TB = 5.0
POLL_SECONDS = 0.5
RESULT_PAGE = 1000


class AthenaRefused(RuntimeError):
    """flowtui tried an Athena call outside the allowed list."""


class QueryFailed(RuntimeError):
    """The query did not succeed; the message is one line for the user, whatever the server
    sent (every message passes ``one_line`` here, where the CLI and the app both take it),
    and redacted (an endpoint may echo the request's credentials into an error or a
    StateChangeReason)."""

    def __init__(self, message: str) -> None:
        super().__init__(redact(one_line(message)))


_PAGE = re.compile(r"<\s*(?:!doctype|html|head|body|title)\b", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)


def one_line(text: str) -> str:
    """``text`` as one line a terminal shows literally: a web page (what a proxy, a load
    balancer or an endpoint that is not Athena answers) reduced to its text, every run of
    whitespace, newlines included, one space, control characters escaped."""
    if _PAGE.search(text):
        text = html.unescape(_TAG.sub(" ", text))
    return printable(" ".join(text.split()))


def _refuse_others(model: Any = None, **_: Any) -> None:
    name = getattr(model, "name", None)
    if name not in ALLOWED_OPERATIONS:
        raise AthenaRefused(f"flowtui only runs queries on Athena; refused to send {name}")


def make_athena_client(profile: str | None = None, region: str | None = None,
                       endpoint_url: str | None = None) -> AthenaClient:
    import boto3
    from botocore.config import Config

    endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL_ATHENA") or os.environ.get(
        "AWS_ENDPOINT_URL")
    session = boto3.session.Session(profile_name=profile, region_name=region)
    client = session.client("athena", endpoint_url=endpoint, config=Config(
        retries={"mode": "standard", "total_max_attempts": 5}, connect_timeout=10,
        read_timeout=30))
    client.meta.events.register("before-call.athena", _refuse_others)
    watch(client)
    inflight.install(client)
    return client


@dataclass(frozen=True)
class QueryStatus:
    """One look at a running query, for a progress line."""

    query_id: str
    state: str  # QUEUED RUNNING SUCCEEDED FAILED CANCELLED
    scanned_bytes: int
    elapsed: float
    reason: str = ""

    @property
    def cost(self) -> float:
        """Estimated dollars: scanned TB × the list price (10 MB minimum per query)."""
        scanned = max(self.scanned_bytes, 10 * 1024 * 1024) if self.scanned_bytes else 0
        return scanned / 1e12 * DOLLARS_PER_TB

    def line(self) -> str:
        from flowtui.decoders import human_bytes

        return (f"athena {self.state.lower()} · {human_bytes(self.scanned_bytes)} scanned · "
                f"~${self.cost:.4f} · {self.elapsed:.1f} s")


@dataclass(frozen=True)
class AthenaTarget:
    database: str = "default"
    workgroup: str | None = None
    output_location: str | None = None
    catalog: str | None = None


def run_query(client: AthenaClient, sql: str, target: AthenaTarget, *,
              cancel: threading.Event | None = None,
              on_status: Callable[[QueryStatus], None] | None = None,
              poll_seconds: float = POLL_SECONDS,
              s3_client: S3Client | None = None) -> Iterator[pa.RecordBatch]:
    """Submit ``sql``, report its status until it ends, then yield its rows as typed batches.

    ``cancel`` set → StopQueryExecution and ``QueryFailed("cancelled")``. Blocking: run it in a
    worker thread (the TUI) or the main thread (the CLI, where Ctrl-C sets ``cancel``). With
    ``s3_client``, the result file is read from S3 when it can be; otherwise (or when that
    read is refused) the rows come through GetQueryResults."""
    cancel = cancel or threading.Event()
    query_id = submit(client, sql, target)
    started = time.monotonic()
    while True:
        status = _cuttable(lambda: status_of(client, query_id, started), cancel)
        if status is None:  # cancelled while Athena did not answer
            stop(client, query_id)
            raise QueryFailed("cancelled: Athena was asked to stop the query")
        if on_status is not None:
            on_status(status)
        if status.state == "SUCCEEDED":
            break
        if status.state in ("FAILED", "CANCELLED"):
            raise QueryFailed(f"Athena query {status.state.lower()}: "
                              f"{status.reason or 'no reason given'}")
        if cancel.wait(poll_seconds):
            stop(client, query_id)
            raise QueryFailed("cancelled: Athena was asked to stop the query")
    location = output_location(client, query_id) if s3_client is not None else None
    if s3_client is not None and location and location.endswith(".csv"):
        try:
            first = True
            for batch in results_from_s3(s3_client, location, cancel=cancel):
                first = False
                yield batch
            return
        except QueryFailed:
            raise
        except Exception:
            if not first:  # half a result is worse than a slow one: say so
                raise QueryFailed(f"reading the result file {location} failed midway; run "
                                  "the query again") from None
    yield from results(client, query_id, cancel=cancel)


def _cuttable(call: Callable[[], QueryStatus], cancel: threading.Event) -> QueryStatus | None:
    """``call()``, cut short when ``cancel`` is set while it waits for Athena (a stop must
    not wait out the read timeout and its retries); None when it was cut."""
    scope = inflight.Scope()
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.05):
            if cancel.is_set():
                scope.cut()
                return

    watcher = threading.Thread(target=watch, name="athena-cancel", daemon=True)
    watcher.start()
    try:
        with scope.active():
            return call()
    except QueryFailed:
        if scope.is_cut:
            return None
        raise
    finally:
        done.set()


def submit(client: AthenaClient, sql: str, target: AthenaTarget) -> str:
    request: dict[str, Any] = {"QueryString": sql,
                               "QueryExecutionContext": {"Database": target.database}}
    if target.catalog:
        request["QueryExecutionContext"]["Catalog"] = target.catalog
    if target.workgroup:
        request["WorkGroup"] = target.workgroup
    if target.output_location:
        request["ResultConfiguration"] = {"OutputLocation": target.output_location}
    try:
        reply = client.start_query_execution(**request)
    except Exception as exc:  # botocore's ClientError and connection errors alike
        raise QueryFailed(describe_error(exc)) from None
    return str(reply["QueryExecutionId"])


def status_of(client: AthenaClient, query_id: str, started: float) -> QueryStatus:
    try:
        execution = client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
    except Exception as exc:
        raise QueryFailed(describe_error(exc)) from None
    status = execution.get("Status", {})
    statistics = execution.get("Statistics", {})
    return QueryStatus(query_id=query_id, state=str(status.get("State", "QUEUED")),
                       scanned_bytes=int(statistics.get("DataScannedInBytes") or 0),
                       elapsed=time.monotonic() - started,
                       reason=redact(str(status.get("StateChangeReason", ""))))


def stop(client: AthenaClient, query_id: str) -> None:
    try:
        client.stop_query_execution(QueryExecutionId=query_id)
    except Exception:  # the query may have ended meanwhile; cancel is best effort
        pass


def results(client: AthenaClient, query_id: str, *, cancel: threading.Event | None = None
            ) -> Iterator[pa.RecordBatch]:
    """Pages of GetQueryResults as typed batches (the first row of the first page is the
    header, as Athena returns it for SELECT queries)."""
    token: str | None = None
    header: list[str] | None = None
    while True:
        if cancel is not None and cancel.is_set():
            raise QueryFailed("cancelled")
        request: dict[str, Any] = {"QueryExecutionId": query_id, "MaxResults": RESULT_PAGE}
        if token:
            request["NextToken"] = token
        try:
            page = client.get_query_results(**request)
        except Exception as exc:
            raise QueryFailed(describe_error(exc)) from None
        rows = [[cell.get("VarCharValue") for cell in row.get("Data", [])]
                for row in page.get("ResultSet", {}).get("Rows", [])]
        if header is None:
            info = page.get("ResultSet", {}).get("ResultSetMetadata", {}).get("ColumnInfo")
            names = [c.get("Name", "") for c in info] if info else []
            if rows and (not names or rows[0] == names):
                header, rows = [str(v) for v in rows[0]], rows[1:]
            else:
                header = names
        if rows:
            yield typed_batch(header, rows)
        token = page.get("NextToken")
        if not token:
            return


def typed_batch(header: list[str], rows: list[list[str | None]]) -> pa.RecordBatch:
    """Text cells from Athena → the columns a local load would give."""
    columns = [pa.array([row[i] if i < len(row) else None for row in rows], pa.string())
               for i in range(len(header))]
    return typed_columns(header, columns)


def typed_columns(header: list[str], columns: list[pa.Array]) -> pa.RecordBatch:
    names = [canonical_name(name) for name in header]
    arrays = []
    for name, texts in zip(names, columns, strict=True):
        texts = pc.if_else(pc.equal(texts, "-"), pa.scalar(None, pa.string()), texts)
        target = arrow_type(name) if name in _known() else _guess(texts)
        arrays.append(_cast(texts, target))
    return pa.RecordBatch.from_arrays(arrays, names=names)


def output_location(client: AthenaClient, query_id: str) -> str | None:
    """Where Athena wrote the result file (``s3://…/<id>.csv``), if it says."""
    try:
        execution = client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
    except Exception:
        return None
    location = execution.get("ResultConfiguration", {}).get("OutputLocation")
    return str(location) if location else None


def results_from_s3(s3_client: S3Client, url: str, *, cancel: threading.Event | None = None
                    ) -> Iterator[pa.RecordBatch]:
    """The result CSV streamed from S3 (much faster than GetQueryResults' 1,000-row pages).
    Athena quotes every value and writes NULL as an empty unquoted field."""
    import pyarrow.csv as csv

    where = S3Url.parse(url)
    body = s3_client.get_object(Bucket=where.bucket, Key=where.key)["Body"]
    reader = csv.open_csv(
        body,
        read_options=csv.ReadOptions(block_size=1 << 20),
        convert_options=csv.ConvertOptions(strings_can_be_null=True, null_values=[""],
                                           quoted_strings_can_be_null=False,
                                           column_types=None, auto_dict_encode=False),
    )
    header = reader.schema.names
    for batch in reader:
        if cancel is not None and cancel.is_set():
            body.close()
            raise QueryFailed("cancelled")
        columns = [pc.cast(c, pa.string()) for c in batch.columns]
        yield typed_columns(header, columns)


def _known() -> frozenset[str]:
    from flowtui.fields import FIELDS

    return frozenset(FIELDS)


def _guess(texts: pa.Array) -> pa.DataType:
    """Aggregate columns (records, bytes, time buckets …) are numbers when all values are."""
    present = texts.drop_null()
    if len(present) and pc.all(pc.match_substring_regex(present, r"^-?\d+$")).as_py():
        return pa.int64()
    return pa.string()


def _cast(texts: pa.Array, target: pa.DataType) -> pa.Array:
    if pa.types.is_dictionary(target):
        return texts.dictionary_encode()
    try:
        return pc.cast(texts, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return texts.dictionary_encode()


def describe_error(exc: BaseException) -> str:
    """One actionable line for an Athena error."""
    return one_line(_describe(exc))


def _describe(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        error = response.get("Error", {})
        code, message = str(error.get("Code", "")), str(error.get("Message", ""))
        if _PAGE.search(message):
            title = _TITLE.search(message)
            page = f" ({title.group(1)})" if title else ""
            status = response.get("ResponseMetadata", {}).get("HTTPStatusCode") or code
            return (f"Athena: the endpoint answered HTTP {status} with a web page{page}, not "
                    "an Athena reply: check AWS_ENDPOINT_URL_ATHENA / AWS_ENDPOINT_URL and any "
                    "proxy (an Athena emulator may not speak this botocore's protocol)")
        if code in ("AccessDeniedException", "AccessDenied"):
            return (f"Athena access denied: {message} (needs athena:StartQueryExecution, "
                    "GetQueryExecution, GetQueryResults, StopQueryExecution on the workgroup, "
                    "glue:GetTable on the table, and s3:PutObject on the output location)")
        if code == "InvalidRequestException" and "output" in message.lower():
            return (f"Athena needs a place for results: {message} (give --output-location "
                    "s3://bucket/prefix/ or a workgroup that has one)")
        if code == "InvalidRequestException":
            return f"Athena refused the query: {message}"
        return f"Athena: {code}: {message}" if code else f"Athena: {message}"
    from flowtui.s3.errors import describe

    return describe(exc)
