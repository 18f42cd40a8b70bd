"""A time window lists only the date/hour folders that can hold its records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from flowtui.s3.errors import TooManyObjects
from flowtui.s3.select import select_objects

REGION = "AWSLogs/111111111111/vpcflowlogs/us-east-1/"


def listed(proxy: Any) -> list[str]:
    return [r.query["prefix"][0] for r in proxy.requests if r.operation == "ListObjectsV2"]


def test_window_across_midnight_lists_two_day_folders(
    s3_server: Any, fault_proxy: Any, proxy_client: Any
) -> None:
    since = datetime(2024, 3, 4, 23, 58, tzinfo=UTC)
    until = datetime(2024, 3, 5, 0, 1, tzinfo=UTC)
    found = select_objects(proxy_client, s3_server.main_bucket, REGION, since, until)
    assert [e.info.time for e in found if e.info] == [datetime(2024, 3, 4, 23, 55, tzinfo=UTC)]
    assert listed(fault_proxy) == [REGION + "2024/03/04/", REGION + "2024/03/05/"]


def test_records_ending_late_are_found_in_the_next_days_folder(
    s3_server: Any, fault_proxy: Any, proxy_client: Any
) -> None:
    # a record that started at 23:58 can end at 00:08, in the file stamped 00:05 of the 6th
    since = datetime(2024, 3, 5, 23, 56, tzinfo=UTC)
    until = datetime(2024, 3, 5, 23, 58, tzinfo=UTC)
    found = select_objects(proxy_client, s3_server.main_bucket, REGION, since, until)
    assert [e.info.time for e in found if e.info] == [datetime(2024, 3, 6, 0, 5, tzinfo=UTC)]
    assert listed(fault_proxy) == [REGION + "2024/03/05/", REGION + "2024/03/06/"]


def test_hourly_layout_lists_only_the_hours_in_the_window(
    s3_server: Any, fault_proxy: Any, proxy_client: Any
) -> None:
    region = "team/net/AWSLogs/222222222222/vpcflowlogs/eu-central-1/"
    since = datetime(2024, 3, 5, 15, 2, tzinfo=UTC)
    found = select_objects(proxy_client, s3_server.main_bucket, region, since,
                           since + timedelta(minutes=1))
    assert [e.info.time.hour for e in found if e.info] == [15]
    # hour 14 may hold a file stamped 14:58 with records ending after 15:02; 13 cannot
    assert listed(fault_proxy) == [region + "2024/03/05/", region + "2024/03/05/14/",
                                   region + "2024/03/05/15/"]


def test_from_the_bucket_root_only_structural_folders_are_walked(
    s3_server: Any, fault_proxy: Any, proxy_client: Any
) -> None:
    since = datetime(2024, 3, 5, 14, 6, tzinfo=UTC)
    found = select_objects(proxy_client, s3_server.main_bucket, "", since,
                           since + timedelta(minutes=1))
    assert {e.info.layout for e in found if e.info} == {"default", "hourly", "hive",
                                                         "hive-hourly"}
    prefixes = listed(fault_proxy)
    # never a flat listing, never a day outside the window
    assert len(prefixes) == len(set(prefixes)) <= 40
    assert not any("/03/04/" in p or "/03/06/" in p or "day=04" in p for p in prefixes)


def test_an_exact_key_is_one_head(s3_server: Any, fault_proxy: Any, proxy_client: Any) -> None:
    obj = s3_server.find("custom")
    (entry,) = select_objects(proxy_client, obj.bucket, obj.key)
    assert entry.size == len(obj.body) and entry.etag
    assert fault_proxy.operations() == ["HeadObject"]


def test_a_window_needs_a_start(s3_server: Any, s3_client: Any) -> None:
    with pytest.raises(TooManyObjects, match="give a start time"):
        select_objects(s3_client, s3_server.main_bucket, REGION, None, datetime.now(tz=UTC))


def test_too_many_objects_without_a_window(
    s3_server: Any, big_bucket: str, s3_client: Any
) -> None:
    with pytest.raises(TooManyObjects, match="holds more than 1000 objects"):
        select_objects(s3_client, big_bucket, s3_server.big_prefix, limit=1000)
