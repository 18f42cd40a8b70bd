"""Flow-log keys: what the browser shows for a folder and which folders a time window needs."""

from datetime import UTC, date, datetime, timedelta

import pytest

from flowtui.layout import (
    day_prefixes,
    describe_prefix,
    hour_in_window,
    parse_hour_folder,
    parse_key,
    region_root,
    stamp_in_window,
)

REF_KEYS = {
    # the three example keys of flow-log-format.md §6.5
    "default": "AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20/"
    "123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log.gz",
    "hourly": "flow-logs/prod/AWSLogs/111122223333/vpcflowlogs/ap-southeast-2/2021/03/26/03/"
    "111122223333_vpcflowlogs_ap-southeast-2_fl-0f1e2d3c4b5a69788_20210326T0325Z_ab12cd34.log.gz",
    "hive-hourly": "vpc/AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/"
    "aws-region=eu-west-1/year=2024/month=03/day=05/hour=14/"
    "123456789012_vpcflowlogs_eu-west-1_fl-0a1b2c3d4e5f67890_20240305T1415Z_3c9a1f2e.log.parquet",
    "hive": "x/y/z/AWSLogs/aws-account-id=123456789012/service=vpcflowlogs/aws-region=eu-west-1/"
    "year=2024/month=03/day=05/"
    "123456789012_vpcflowlogs_eu-west-1_fl-0a1b2c3d4e5f67890_20240305T2355Z_3c9a1f2e.log.gz",
}


def test_default_key_gives_account_region_id_time_and_format() -> None:
    info = parse_key(REF_KEYS["default"])
    assert info is not None
    assert (info.account, info.region, info.flow_log_id) == ("123456789012", "us-east-1",
                                                            "fl-1234abcd")
    assert info.time == datetime(2018, 6, 20, 16, 20, tzinfo=UTC)
    assert (info.fmt, info.layout, info.prefix) == ("text", "default", "")


@pytest.mark.parametrize("layout", ["hourly", "hive-hourly", "hive"])
def test_every_layout_is_recognised(layout: str) -> None:
    info = parse_key(REF_KEYS[layout])
    assert info is not None and info.layout == layout


def test_parquet_and_leading_prefixes() -> None:
    hourly = parse_key(REF_KEYS["hourly"])
    hive = parse_key(REF_KEYS["hive-hourly"])
    assert hourly is not None and hourly.prefix == "flow-logs/prod/"
    assert hourly.flow_log_id == "fl-0f1e2d3c4b5a69788"
    assert hive is not None and hive.fmt == "parquet" and hive.region == "eu-west-1"
    assert hive.time == datetime(2024, 3, 5, 14, 15, tzinfo=UTC)
    # an empty first prefix level ("//") and a folder merely containing the word
    odd = "/" + REF_KEYS["default"]
    assert parse_key(odd) is not None and parse_key(odd).prefix == "/"  # type: ignore[union-attr]
    # "myAWSLogs/" is not the AWSLogs folder: only the file name is trusted then
    copied = parse_key("myAWSLogs/" + REF_KEYS["default"][len("AWSLogs/"):])
    assert copied is not None and copied.layout == "file"


def test_bare_file_name_parses_as_a_local_copy() -> None:
    name = REF_KEYS["default"].rpartition("/")[2]
    info = parse_key(name)
    assert info is not None and info.layout == "file" and info.account == "123456789012"
    assert parse_key("/tmp/downloads/" + name) is not None


@pytest.mark.parametrize("key", [
    "README.txt",
    "AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20/notes.txt",
    # folder date disagrees with the file-name stamp
    "AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/21/"
    "123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log.gz",
    # hour folder disagrees
    "AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20/15/"
    "123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log.gz",
    # impossible time
    "123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20181340T1620Z_fe123456.log.gz",
    # another AWS service's logs
    "AWSLogs/123456789012/elasticloadbalancing/us-east-1/2018/06/20/x.log.gz",
])
def test_other_keys_are_not_flow_logs(key: str) -> None:
    assert parse_key(key) is None


@pytest.mark.parametrize(("prefix", "label"), [
    ("AWSLogs/", "flow logs (AWSLogs)"),
    ("p/AWSLogs/123456789012/", "account 123456789012"),
    ("AWSLogs/123456789012/vpcflowlogs/", "service vpcflowlogs"),
    ("AWSLogs/123456789012/vpcflowlogs/eu-west-1/", "region eu-west-1"),
    ("AWSLogs/123456789012/vpcflowlogs/eu-west-1/2024/", "year 2024"),
    ("AWSLogs/123456789012/vpcflowlogs/eu-west-1/2024/03/", "2024-03"),
    ("AWSLogs/123456789012/vpcflowlogs/eu-west-1/2024/03/05/", "2024-03-05"),
    ("AWSLogs/123456789012/vpcflowlogs/eu-west-1/2024/03/05/14/", "hour 14"),
    ("a/AWSLogs/aws-account-id=123456789012/", "account 123456789012"),
    ("AWSLogs/aws-account-id=1/aws-service=vpcflowlogs/aws-region=eu-west-1/", "region eu-west-1"),
    ("AWSLogs/aws-account-id=1/service=vpcflowlogs/aws-region=r/year=2024/month=03/day=05/",
     "2024-03-05"),
    ("AWSLogs/aws-account-id=1/service=vpcflowlogs/aws-region=r/year=2024/month=03/day=05/"
     "hour=07/", "hour 07"),
    ("logs/", None),
    ("", None),
])
def test_folder_labels(prefix: str, label: str | None) -> None:
    assert describe_prefix(prefix) == label


def test_region_root_from_any_depth_in_both_spellings() -> None:
    deep = "p/AWSLogs/123456789012/vpcflowlogs/eu-west-1/2024/03/05/"
    root = region_root(deep)
    assert root is not None and root.prefix == "p/AWSLogs/123456789012/vpcflowlogs/eu-west-1/"
    assert not root.hive
    hive = region_root("AWSLogs/aws-account-id=1/service=vpcflowlogs/aws-region=r/year=2024/")
    assert hive is not None and hive.hive
    assert region_root("p/AWSLogs/123456789012/vpcflowlogs/") is None
    assert region_root("p/other/") is None


def test_window_widens_for_file_span_and_record_duration() -> None:
    since = datetime(2024, 3, 5, 14, 0, tzinfo=UTC)
    until = datetime(2024, 3, 5, 14, 30, tzinfo=UTC)
    # read as [T-5, T), a file stamped 14:00 holds records ending 13:55-14:00; read as
    # [T, T+5) (AWS's example), one stamped 13:55 does: either may end at `since`
    assert stamp_in_window(since - timedelta(minutes=9), since, until)
    assert not stamp_in_window(since - timedelta(minutes=10), since, until)
    # a record that started 14:30 ends by 14:40, in a file stamped at most 14:45
    assert stamp_in_window(until + timedelta(minutes=15), since, until)
    assert not stamp_in_window(until + timedelta(minutes=16), since, until)


def test_day_prefixes_cross_midnight_because_of_widening() -> None:
    root = region_root("AWSLogs/1/vpcflowlogs/us-east-1/")
    assert root is not None
    since = datetime(2024, 3, 5, 0, 2, tzinfo=UTC)  # needs the 23:55 file of the 4th
    until = datetime(2024, 3, 5, 23, 50, tzinfo=UTC)  # and files up to 00:05 on the 6th
    assert day_prefixes(root, since, until) == [
        "AWSLogs/1/vpcflowlogs/us-east-1/2024/03/04/",
        "AWSLogs/1/vpcflowlogs/us-east-1/2024/03/05/",
        "AWSLogs/1/vpcflowlogs/us-east-1/2024/03/06/",
    ]
    hive = region_root("AWSLogs/aws-account-id=1/aws-service=vpcflowlogs/aws-region=r/")
    assert hive is not None
    noon = datetime(2024, 3, 5, 12, tzinfo=UTC)
    assert day_prefixes(hive, noon, noon) == [
        "AWSLogs/aws-account-id=1/aws-service=vpcflowlogs/aws-region=r/year=2024/month=03/day=05/"
    ]


def test_hours_in_window() -> None:
    since = datetime(2024, 3, 5, 14, 12, tzinfo=UTC)
    until = datetime(2024, 3, 5, 14, 44, tzinfo=UTC)
    hours = [h for h in range(24) if hour_in_window(date(2024, 3, 5), h, since, until)]
    assert hours == [14]  # files stamped 14:02 to 14:59
    hours = [h for h in range(24) if hour_in_window(date(2024, 3, 5), h, since,
                                                     until + timedelta(minutes=2))]
    assert hours == [14, 15]  # a file stamped 15:01 may hold records that started 14:46
    assert parse_hour_folder("a/b/hour=07/") == 7 and parse_hour_folder("a/23/") == 23
    assert parse_hour_folder("a/24/") is None and parse_hour_folder("a/2024/") is None
