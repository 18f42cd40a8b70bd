"""A store holding VPC and Transit Gateway flow-log objects: explain() reads each of its rows
by the record's own family (the Pilot test is tests/test_ui_mixed_formats.py).

AWS, Transit Gateway guide, "Transit Gateway Flow Log records": a custom format may name any
of the available fields, so a TGW record need not carry ``resource-type``; its TGW-only
fields (``tgw-id``, ``tgw-attachment-id``) say what it is (reference §7: the columns decide,
the S3 key cannot). ``flow-direction`` in a TGW record is with respect to where the transit
gateway recorded it, not an interface (tests/test_tgw_field_words.py).
"""

from __future__ import annotations

import pyarrow as pa

from flowtui.explain import explain
from flowtui.store import RecordStore
from tests.test_explain import record
from tests.test_ui_mixed_formats import TGW, TGW_LINE, VPC, VPC_LINE


def test_a_store_row_of_a_tgw_record_is_explained_as_tgw() -> None:
    """A store's row has every store column (None where its object has none): the TGW
    record's own values decide, not the VPC object's empty vpc-id beside them. Before, the
    columns said "unknown" and the VPC guide's words were used: 'ingress: into the interface
    where the traffic was recorded'."""
    store = RecordStore()
    store.append(pa.RecordBatch.from_pylist([record(" ".join(VPC), VPC_LINE)]), "vpc.log")
    store.append(pa.RecordBatch.from_pylist([record(" ".join(TGW), TGW_LINE)]), "tgw.log")
    row = store.row(1)
    assert row["vpc-id"] is None and row["tgw-id"] == "tgw-0a1b"
    result = explain(row)
    assert result.family == "tgw"
    decoded = {line.field: line.decoded for line in result.rows}
    assert decoded["flow-direction"] == ("ingress, with respect to where the transit gateway "
                                         "recorded it (tgw-attachment-id)")
    vpc = explain(store.row(0))  # the VPC record beside it is still the VPC guide's
    assert vpc.family == "vpc"
    assert "into the interface" in {line.field: line.decoded
                                    for line in vpc.rows}["flow-direction"]
