"""Listing: buckets, and one folder level a page at a time (never the whole bucket)."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flowtui.s3.errors import ListingCut, ListingLoop, describe
from flowtui.s3.listing import PrefixPager, list_all, list_buckets
from flowtui.s3.session import make_client
from tests.cli_fork import flowtui_run
from tests.faultproxy import Request

ROOT = Path(__file__).resolve().parent.parent


def test_list_buckets_shows_every_bucket(s3_server: Any, s3_client: Any) -> None:
    names = {e.name for e in list_buckets(s3_client)}
    assert {s3_server.main_bucket, s3_server.empty_bucket} <= names
    assert all(e.kind == "bucket" for e in list_buckets(s3_client))


def test_first_page_of_a_5000_key_folder_costs_one_request(
    s3_server: Any, big_bucket: str, fault_proxy: Any
) -> None:
    # The default timeouts: a page of 1,000 keys from a busy moto may take seconds.
    client = make_client(endpoint_url=fault_proxy.url)
    pager = PrefixPager(client, big_bucket, s3_server.big_prefix)
    first = pager.next_page()
    assert fault_proxy.operations() == ["ListObjectsV2"]
    assert len(first) == 1000 and pager.has_more
    assert [e.key for e in first] == sorted(e.key for e in first)
    # the rest only when asked for, one request per page
    seen = [e.key for e in first]
    while pager.has_more:
        seen.extend(e.key for e in pager.next_page())
    assert fault_proxy.operations() == ["ListObjectsV2"] * 5
    assert len(seen) == len(set(seen)) == s3_server.big_count
    assert seen == sorted(seen)
    assert pager.next_page() == []  # no request once the listing has ended
    assert len(fault_proxy.operations()) == 5


def test_one_level_only_folders_and_objects_merged(s3_server: Any, s3_client: Any) -> None:
    page = PrefixPager(s3_client, s3_server.main_bucket, "").next_page()
    kinds = {e.name: e.kind for e in page}
    assert kinds["README.txt"] == "object"
    assert kinds["AWSLogs/"] == "prefix" and kinds["team/"] == "prefix"
    # nothing from deeper levels
    assert all("/" not in e.key.rstrip("/") for e in page)


def test_folders_carry_flow_log_labels_and_objects_their_key_facts(
    s3_server: Any, s3_client: Any
) -> None:
    accounts = PrefixPager(s3_client, s3_server.main_bucket, "AWSLogs/").next_page()
    assert [e.label for e in accounts] == ["account 111111111111"]
    day = "AWSLogs/111111111111/vpcflowlogs/us-east-1/2024/03/05/"
    objects = list_all(s3_client, s3_server.main_bucket, day)
    assert {e.info.flow_log_id for e in objects if e.info} == {
        "fl-0aaa1111bbbb2222c", "fl-0ddd3333eeee4444f", "fl-0c0ffee0c0ffee000"}
    assert all(e.kind == "object" and e.size and e.etag for e in objects)
    hourly = PrefixPager(s3_client, s3_server.main_bucket,
                         "team/net/AWSLogs/222222222222/vpcflowlogs/eu-central-1/2024/03/05/")
    assert [e.label for e in hourly.next_page()] == ["hour 13", "hour 14", "hour 15"]


def test_empty_bucket_is_one_empty_page(s3_server: Any, s3_client: Any) -> None:
    pager = PrefixPager(s3_client, s3_server.empty_bucket, "")
    assert pager.next_page() == [] and not pager.has_more


def test_small_pages_resume_where_the_last_one_ended(s3_server: Any, s3_client: Any) -> None:
    pager = PrefixPager(s3_client, s3_server.main_bucket, "", page_size=2)
    pages = list(pager)
    assert all(len(p) <= 2 for p in pages) and pager.pages == len(pages) >= 4
    keys = [e.key for p in pages for e in p]
    assert keys == sorted(keys) and len(keys) == len(set(keys))


# --- a server that never lets a listing end --------------------------------------------------

LOOP_PREFIX = "loop/AWSLogs/777777777777/vpcflowlogs/us-east-1/2024/03/05/"


def looping_page(token: Callable[[int], str]) -> Callable[[Request], bytes]:
    """A ListObjectsV2 page that is always truncated, with the same key and ``token(n)``
    as its next continuation token for the n-th request."""
    count = [0]

    def page(request: Request) -> bytes:
        count[0] += 1
        prefix = request.query.get("prefix", [""])[0]
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            f"<Name>flowlogs-main</Name><Prefix>{prefix}</Prefix><KeyCount>1</KeyCount>"
            "<MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>"
            f"<NextContinuationToken>{token(count[0])}</NextContinuationToken>"
            f"<Contents><Key>{prefix}777777777777_vpcflowlogs_us-east-1_fl-0777_"
            "20240305T1400Z_77777777.log.gz</Key><LastModified>2024-03-05T14:05:00.000Z"
            "</LastModified><ETag>\"e\"</ETag><Size>100</Size><StorageClass>STANDARD"
            "</StorageClass></Contents></ListBucketResult>").encode()

    return page


LOOPS = {"repeated token": lambda n: "the-same-token", "no new key": lambda n: f"token-{n}"}


@pytest.mark.parametrize("loop", list(LOOPS))
def test_a_listing_that_never_ends_is_stopped_with_one_line(
        s3_server: Any, fault_proxy: Any, loop: str) -> None:
    # 20 looping pages at most (then moto answers, with an error): a pager that follows the
    # loop fails the test instead of running forever.
    fault_proxy.reply(looping_page(LOOPS[loop]), times=20,
                      match=lambda r: r.operation == "ListObjectsV2")
    client = make_client(endpoint_url=fault_proxy.url, max_attempts=1)
    with pytest.raises(ListingLoop) as caught:
        list_all(client, s3_server.main_bucket, LOOP_PREFIX, delimiter="")
    assert fault_proxy.operations() == ["ListObjectsV2"] * 2
    why = {"repeated token": "the server sent a continuation token it had sent before",
           "no new key": "a page added no key"}[loop]
    assert describe(caught.value) == (
        f"s3://{s3_server.main_bucket}/{LOOP_PREFIX}: the listing does not move on ({why}); "
        "stopped after 2 pages: the endpoint, or a proxy in front of it, is misbehaving")


def test_cat_of_a_listing_that_never_ends_says_so_and_stops(
        s3_server: Any, fault_proxy: Any) -> None:
    fault_proxy.reply(looping_page(LOOPS["repeated token"]), times=20,
                      match=lambda r: r.operation == "ListObjectsV2")
    result = flowtui_run("cat", f"s3://{s3_server.main_bucket}/{LOOP_PREFIX}", "--endpoint-url",
                         fault_proxy.url, cwd=ROOT, timeout=120)
    assert result.returncode == 2
    # The first object is read while the folder is still listed, and the looping page's key
    # names no real object: that read's one line may be there too.
    lines = result.stderr.splitlines()
    loop = [line for line in lines if "the listing does not move on" in line]
    assert len(loop) == 1, lines
    assert all("does not exist" in line for line in lines if line not in loop) \
        and len(lines) <= 2, lines
    assert fault_proxy.operations().count("ListObjectsV2") == 2


# --- a page cut short ----------------------------------------------------------------------

def _continued(request: Request) -> bool:
    return request.operation == "ListObjectsV2" and "continuation-token" in request.query


def test_an_empty_page_is_not_the_end_of_the_listing(s3_server: Any, fault_proxy: Any) -> None:
    """S3's ListObjectsV2 always answers with ``IsTruncated`` ("false if all of the results
    were returned", the S3 API reference); botocore reads an empty 200 body as a page with
    no keys and no flag. Taken as the last page, it ended a listing after its first page
    with no word: 1 of 4 objects printed, exit 0."""
    fault_proxy.reply(lambda request: b"", times=1, match=_continued)
    client = make_client(endpoint_url=fault_proxy.url, max_attempts=1)
    pager = PrefixPager(client, s3_server.main_bucket, "", page_size=2)
    first = pager.next_page()
    assert len(first) == 2 and pager.has_more
    with pytest.raises(ListingCut) as caught:
        pager.next_page()
    assert not pager.has_more
    assert describe(caught.value) == (
        f"s3://{s3_server.main_bucket}/: listing page 2 came back without its end-of-listing "
        "flag (IsTruncated): an empty or cut-off answer, not the end of the folder; stopped "
        "rather than list part of it")


def test_cat_of_a_folder_whose_second_page_is_empty_says_so(
        s3_server: Any, fault_proxy: Any) -> None:
    fault_proxy.reply(lambda request: b"", times=1, match=_continued)
    folder = f"s3://{s3_server.main_bucket}/AWSLogs/111111111111/vpcflowlogs/us-east-1/2024/03/05/"
    result = flowtui_run("cat", folder, "--endpoint-url", fault_proxy.url, cwd=ROOT,
                         timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1
    assert "came back without its end-of-listing flag (IsTruncated)" in result.stderr
    assert any(_continued(r) for r in fault_proxy.requests)
