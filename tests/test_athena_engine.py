"""The Athena engine against moto's Athena on loopback: submit, poll, stop, typed results."""

from __future__ import annotations

import json
import threading
import urllib.request
from typing import Any

import boto3
import pytest

from flowtui.athena.engine import (
    AthenaRefused,
    AthenaTarget,
    QueryFailed,
    make_athena_client,
    run_query,
)
from flowtui.query.query import Query
from flowtui.query.view import RecordView
from flowtui.store import RecordStore

HEADER = ["srcaddr", "dstaddr", "dstport", "protocol", "bytes", "action", "log_status"]
ROWS = [["10.0.0.5", "10.0.1.10", "22", "6", "840", "REJECT", "OK"],
        ["10.0.0.6", "10.0.1.10", "443", "6", "12000", "ACCEPT", "OK"],
        ["-", "-", "-", "-", "-", "-", "NODATA"]]


def _post(url: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    urllib.request.urlopen(request, timeout=60).read()


def _set_results(endpoint: str, header: list[str], rows: list[list[str]]) -> None:
    def row(values: list[str]) -> dict[str, Any]:
        return {"Data": [{"VarCharValue": v} for v in values]}

    _post(endpoint + "/moto-api/static/athena/query-results", {
        "region": "us-east-1",
        "results": [{"rows": [row(header)] + [row(r) for r in rows],
                     "column_info": [{"Name": n, "Type": "varchar", "Label": n,
                                      "CatalogName": "awsdatacatalog", "SchemaName": "default",
                                      "TableName": "t"} for n in header]}]})


def _slow_queries(endpoint: str, polls: int) -> None:
    """Queries stay QUEUED/RUNNING for ``polls`` status calls per transition (moto's state
    manager), so polling and stopping can be seen."""
    _post(endpoint + "/moto-api/state-manager/set-transition", {
        "model_name": "athena::execution",
        "transition": {"progression": "manual", "times": polls}})


@pytest.fixture()
def athena(s3_server) -> Any:
    return make_athena_client(region="us-east-1", endpoint_url=s3_server.endpoint_url)


def _raw(s3_server) -> Any:
    return boto3.client("athena", region_name="us-east-1", endpoint_url=s3_server.endpoint_url)


def test_results_land_typed_in_the_store_and_a_view_filters_them(s3_server, athena) -> None:
    _slow_queries(s3_server.endpoint_url, 1)
    _set_results(s3_server.endpoint_url, HEADER, ROWS)
    seen: list[str] = []
    store = RecordStore()
    sql = "SELECT srcaddr FROM t WHERE COALESCE(dstport = 22, FALSE)"
    for batch in run_query(athena, sql, AthenaTarget(output_location="s3://results/q/"),
                           on_status=lambda s: seen.append(s.state), poll_seconds=0.05):
        store.append(batch, "athena")
    assert seen[-1] == "SUCCEEDED" and "RUNNING" in seen  # polled while it ran
    rows = store.rows(0, len(store))
    assert rows[0]["dstport"] == 22 and rows[0]["log-status"] == "OK"  # typed, hyphenated
    assert rows[2]["srcaddr"] is None and rows[2]["dstport"] is None  # "-" is missing
    view = RecordView(store, Query.build("reject and port 22"))
    assert [r["srcaddr"] for r in view.rows(0, len(view))] == ["10.0.0.5"]
    # the query Athena got is the one we sent
    executions = _raw(s3_server).list_query_executions()["QueryExecutionIds"]
    sent = [_raw(s3_server).get_query_execution(QueryExecutionId=i)["QueryExecution"]["Query"]
            for i in executions]
    assert sql in sent


def test_cancel_stops_the_query_on_athena(s3_server, athena) -> None:
    _slow_queries(s3_server.endpoint_url, 1000)
    cancel = threading.Event()
    ids: list[str] = []

    def on_status(status: Any) -> None:
        ids.append(status.query_id)
        if len(ids) == 2:
            cancel.set()

    try:
        with pytest.raises(QueryFailed, match="cancelled"):
            list(run_query(athena, "SELECT 1", AthenaTarget(output_location="s3://results/q/"),
                           cancel=cancel, on_status=on_status, poll_seconds=0.05))
    finally:
        _slow_queries(s3_server.endpoint_url, 1)
    state = _raw(s3_server).get_query_execution(QueryExecutionId=ids[0])["QueryExecution"]
    assert state["Status"]["State"] == "CANCELLED"


def test_only_the_query_calls_can_be_sent(athena) -> None:
    with pytest.raises(AthenaRefused, match="refused to send ListWorkGroups"):
        athena.list_work_groups()
    with pytest.raises(AthenaRefused, match="refused to send DeleteWorkGroup"):
        athena.delete_work_group(WorkGroup="primary")


def test_a_missing_workgroup_is_one_line(s3_server, athena) -> None:
    with pytest.raises(QueryFailed) as caught:
        list(run_query(athena, "SELECT 1", AthenaTarget(workgroup="no-such-group",
                                                        output_location="s3://r/")))
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith("Athena")


def test_a_web_page_instead_of_an_athena_reply_is_one_line(s3_server) -> None:
    """An endpoint that answers with an HTML page instead of Athena's JSON (a proxy, a wrong
    AWS_ENDPOINT_URL_ATHENA; here moto's own 404 page, reached through a path it does not
    serve, the page moto 5.2.6 gives botocore >= 1.44.14's rest-json Athena calls) reaches
    the user as one line that says what happened, without the page's markup."""
    client = make_athena_client(region="us-east-1",
                                endpoint_url=s3_server.endpoint_url + "/not-athena")
    with pytest.raises(QueryFailed) as caught:
        list(run_query(client, "SELECT 1", AthenaTarget(output_location="s3://r/")))
    message = str(caught.value)
    assert "\n" not in message and "<" not in message, message
    assert message.startswith("Athena: the endpoint answered HTTP 404 with a web page"), message
    assert "AWS_ENDPOINT_URL_ATHENA" in message


def test_every_query_failure_is_one_line_whatever_athena_wrote() -> None:
    """A FAILED query's StateChangeReason is Athena's text (a Trino error may span lines or
    carry control characters): the user still gets one line, shown literally."""
    reason = "line 1:8: mismatched input 'FROM'.\n\tExpecting: <expression>\x1b[2J"
    message = str(QueryFailed(f"Athena query failed: {reason}"))
    assert message == ("Athena query failed: line 1:8: mismatched input 'FROM'. "
                       "Expecting: <expression>\\x1b[2J")


def test_results_are_read_from_the_result_file_when_it_can_be(s3_server, athena,
                                                              scratch_bucket) -> None:
    """A real Athena writes <id>.csv at the output location; reading it beats 1,000-row pages.
    moto writes no file, so the test puts one where Athena would, with different rows than
    GetQueryResults would give, to see which path answered."""
    results_bucket, raw_s3 = scratch_bucket
    _slow_queries(s3_server.endpoint_url, 2)
    _set_results(s3_server.endpoint_url, HEADER, ROWS)
    placed: list[str] = []

    def on_status(status: Any) -> None:
        if not placed:
            csv = ('"srcaddr","dstport","log_status"\n"10.9.9.9","3389","OK"\n,,"NODATA"\n')
            raw_s3.put_object(Bucket=results_bucket, Key=f"q/{status.query_id}.csv",
                              Body=csv.encode())
            placed.append(status.query_id)

    try:
        batches = list(run_query(athena, "SELECT 1", AthenaTarget(
            output_location=f"s3://{results_bucket}/q/"), on_status=on_status,
            poll_seconds=0.05, s3_client=s3_server.client()))
    finally:
        _slow_queries(s3_server.endpoint_url, 1)
    rows = [r for b in batches for r in b.to_pylist()]
    assert rows == [{"srcaddr": "10.9.9.9", "dstport": 3389, "log-status": "OK"},
                    {"srcaddr": None, "dstport": None, "log-status": "NODATA"}]
