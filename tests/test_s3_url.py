"""S3 locations: one parse and one format (flowtui/s3/url.py), so every place a user types or
reads an ``s3://`` URL agrees on what it means, and a bad one is one line naming it.

Facts relied on (Amazon S3 User Guide, "Naming Amazon S3 objects" and "Bucket naming rules"):
an object key is any sequence of UTF-8 characters up to 1,024 bytes, so spaces, unicode and a
leading or doubled "/" belong to the key; "/" is only a delimiter by convention (the console's
folders). Bucket names hold lower-case letters, digits, "." and "-" (3-63 characters); legacy
us-east-1 buckets may also hold upper-case letters and "_". The AWS CLI writes a location as
``s3://bucket/key`` with the key verbatim (not percent-encoded).
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowtui.config import ConfigError, parse
from flowtui.events import ObjectDone, ObjectRef
from flowtui.loader import Loader, LoadError, resolve
from flowtui.s3.errors import TooManyObjects
from flowtui.s3.select import select_objects
from flowtui.s3.url import S3Url, S3UrlError, is_s3_url, looks_like_s3_url, meant_as_s3_url
from flowtui.store import RecordStore
from tests.conftest import flow_lines, scratch, text_object


@pytest.mark.parametrize(("text", "bucket", "key"), [
    ("s3://logs/AWSLogs/111111111111/x.log.gz", "logs", "AWSLogs/111111111111/x.log.gz"),
    ("s3://logs/my folder/a file.log", "logs", "my folder/a file.log"),  # spaces
    ("s3://logs/données/flöw ☃.log.gz", "logs", "données/flöw ☃.log.gz"),  # unicode
    ("s3://logs/AWSLogs/", "logs", "AWSLogs/"),  # trailing slash: a prefix
    ("s3://logs/", "logs", ""),  # the bucket's root
    ("s3://logs", "logs", ""),  # the bucket alone
    ("s3://logs//x", "logs", "/x"),  # a key may start with "/"
    ("s3://logs/a%20b+c", "logs", "a%20b+c"),  # never percent-decoded
    ("s3://Legacy_Bucket.1/k", "Legacy_Bucket.1", "k"),  # a pre-2018 us-east-1 name
])
def test_parse_takes_the_bucket_and_the_key_verbatim(text: str, bucket: str, key: str) -> None:
    url = S3Url.parse(text)
    assert (url.bucket, url.key) == (bucket, key)


@pytest.mark.parametrize(("text", "shown"), [
    ("s3://logs/my folder/a file.log", "s3://logs/my folder/a file.log"),
    ("s3://logs/données/flöw ☃.log.gz", "s3://logs/données/flöw ☃.log.gz"),
    ("s3://logs/AWSLogs/", "s3://logs/AWSLogs/"),
    ("s3://logs/", "s3://logs/"),
    ("s3://logs", "s3://logs/"),  # the root is always shown with its "/"
])
def test_format_is_the_text_a_user_typed(text: str, shown: str) -> None:
    assert str(S3Url.parse(text)) == shown


@pytest.mark.parametrize(("text", "message"), [
    ("s3://", "no bucket in 's3://' (write s3://bucket/prefix)"),
    ("s3:///key", "no bucket in 's3:///key' (write s3://bucket/prefix)"),
    ("s3:/x", "not an s3:// URL: 's3:/x' (write s3://bucket/prefix)"),
    ("S3://logs/x", "not an s3:// URL: 'S3://logs/x' (write s3://bucket/prefix)"),
    ("logs/x", "not an s3:// URL: 'logs/x' (write s3://bucket/prefix)"),
    ("s3://my logs/x", "not a bucket name: 'my logs' in 's3://my logs/x'"),
    ("s3://lo\ngs/x", "not a bucket name: 'lo\\ngs' in 's3://lo\\ngs/x'"),
])
def test_a_bad_url_is_one_line_naming_it(text: str, message: str) -> None:
    with pytest.raises(S3UrlError) as caught:
        S3Url.parse(text)
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, ValueError)  # callers that catch ValueError still do


def test_misspelt_urls_are_recognised_as_meant_for_s3() -> None:
    assert is_s3_url("s3://b/k") and not is_s3_url("s3:/b/k") and not is_s3_url("./s3")
    assert looks_like_s3_url("s3:/b/k") and looks_like_s3_url("S3://b")
    assert not looks_like_s3_url("logs/s3:x") and not looks_like_s3_url("s3.log")


def test_an_existing_file_named_like_a_misspelt_url_is_a_file(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert meant_as_s3_url("s3:notes.log") and meant_as_s3_url("s3://b/k")
    (tmp_path / "s3:notes.log").write_text("x")
    assert not meant_as_s3_url("s3:notes.log")  # an existing path wins, as in the CLI


def test_prefix_and_folder() -> None:
    """The folder is where a browser lists the key: an object's folder, a prefix's own."""
    obj = S3Url("b", "AWSLogs/1/vpcflowlogs/us-east-1/2024/03/05/x.log.gz")
    assert not obj.is_prefix
    assert str(obj.folder()) == "s3://b/AWSLogs/1/vpcflowlogs/us-east-1/2024/03/05/"
    day = S3Url("b", "AWSLogs/1/vpcflowlogs/us-east-1/2024/03/05/")
    assert day.is_prefix and day.folder() == day
    assert S3Url("b", "top.log").folder() == S3Url("b")
    root = S3Url("b")
    assert root.is_prefix and root.folder() == root
    assert str(root.with_key("a b/")) == "s3://b/a b/"


_buckets = st.from_regex(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", fullmatch=True)
_keys = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)


@given(_buckets, _keys)
def test_parse_and_format_round_trip(bucket: str, key: str) -> None:
    url = S3Url(bucket, key)
    assert str(url) == f"s3://{bucket}/{key}"
    assert S3Url.parse(str(url)) == url


def test_a_key_with_spaces_and_unicode_lists_loads_and_is_named_as_typed(
    s3_server: Any, s3_client: Any
) -> None:
    """The location a load names (events, messages, the detail panel) is the URL of the key S3
    listed, character for character, and the GET of that location finds the object."""
    lines = flow_lines(5, seed=3, account="111111111111", stamp=s3_server.day)
    with scratch(s3_server) as (bucket, raw):
        keys = ["my logs/dé jà ☃.log", "my logs/plain.log"]
        for key in keys:
            raw.put_object(Bucket=bucket, Key=key, Body=text_object(lines))
        refs = resolve([f"s3://{bucket}/my logs/"], client=s3_client)
        assert [r.location for r in refs] == [f"s3://{bucket}/{k}" for k in keys]
        assert [r.url for r in refs] == [S3Url(bucket, k) for k in keys]
        store, done = RecordStore(), []
        Loader(store, client=s3_client).run(
            refs, lambda e: done.append(e) if isinstance(e, ObjectDone) else None,
            threading.Event())
        assert [(d.ref.location, d.records, d.error) for d in done] == [
            (f"s3://{bucket}/{k}", 5, None) for k in keys]
        assert len(store) == 10


def test_a_misspelt_url_is_one_line_not_a_missing_file() -> None:
    with pytest.raises(LoadError, match=r"^not an s3:// URL: 's3:/logs/x' \(write s3://"):
        resolve(["s3:/logs/x"])
    with pytest.raises(LoadError, match=r"^no bucket in 's3://'"):
        resolve(["s3://"])


def test_messages_name_the_place_as_before(s3_server: Any, s3_client: Any) -> None:
    """The strings users read keep their spelling: ``s3://bucket/prefix: reason``."""
    prefix = "AWSLogs/111111111111/vpcflowlogs/us-east-1/"
    with pytest.raises(TooManyObjects) as caught:
        select_objects(s3_client, s3_server.main_bucket, prefix, None, s3_server.day)
    assert str(caught.value) == (f"s3://{s3_server.main_bucket}/{prefix}: give a start time "
                                 "(--since) for a window")
    ref = ObjectRef.s3(S3Url("b", "k/x y.gz"), 3)
    assert ref == ObjectRef("s3://b/k/x y.gz", 3) and ref.is_s3


def test_a_bookmark_without_a_bucket_names_the_reason(tmp_path: Any) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[bookmarks]\nprod = "s3://"\n')
    with pytest.raises(ConfigError) as caught:
        parse(path.read_text(), str(path))
    assert str(caught.value) == (
        f"{path} line 2: [bookmarks] prod: a bookmark is an s3://bucket/prefix location: "
        "no bucket in 's3://' (write s3://bucket/prefix)")


@pytest.mark.parametrize(("argv", "says"), [
    (["cat", "s3:/logs/x"], "flowtui: not an s3:// URL: 's3:/logs/x' (write s3://bucket/prefix)"),
    (["cat", "S3://logs/x"], "flowtui: not an s3:// URL: 'S3://logs/x'"),
    (["top", "s3://", "--by", "srcaddr"], "flowtui: no bucket in 's3://'"),
    (["tail", "s3://"], "flowtui: no bucket in 's3://' (write s3://bucket/prefix)"),
    (["athena", "ddl", "s3://"], "flowtui: no bucket in 's3://'"),
])
def test_a_bad_url_on_the_command_line_is_one_line(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str], tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never "no such file" for a misspelt URL, never a traceback for a URL without a bucket."""
    from flowtui.cli import main

    monkeypatch.chdir(tmp_path)  # no local file of that name
    code = main(argv)
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(says), err
    assert "Traceback" not in err


async def test_the_app_given_a_misspelt_url_says_so_and_shows_the_buckets(
    s3_server: Any, s3_client: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``flowtui s3:/logs/x`` is a typo of an S3 URL, not a missing local file."""
    from flowtui.ui.app import FlowtuiApp
    from tests.ui_helpers import record_notes, wait_for

    monkeypatch.chdir(tmp_path)
    app = FlowtuiApp("s3:/logs/x", client=s3_client)
    said = record_notes(app)  # (a toast can be gone before a loaded machine looks)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: said, what="error notification")
        assert said == ["not an s3:// URL: 's3:/logs/x' (write s3://bucket/prefix)"], said
        await wait_for(pilot, lambda: any(e.bucket == s3_server.main_bucket
                                          for e in app.browser.entries), what="buckets")


@pytest.mark.parametrize("bucket", [
    "logs", "my-logs.2024", "Legacy_Bucket.1", "a" * 255,  # ok, old rules included
    "my logs", "lo\ngs", "a" * 256, "logs:x", "",  # never a bucket
])
def test_the_browser_path_prompt_takes_the_buckets_the_cli_takes(bucket: str) -> None:
    """A pre-2018 us-east-1 bucket (upper case, "_", up to 255 characters) opens with
    ``flowtui s3://Legacy_Bucket.1/`` and must open from the browser's ``:`` prompt too (it
    was refused there: the prompt held today's stricter naming rule)."""
    from flowtui.ui.widgets.browser.sources import Location, NoPlace, typed_location

    text = f"s3://{bucket}/AWSLogs/"
    try:
        url = S3Url.parse(text)
    except S3UrlError:
        with pytest.raises(NoPlace):
            typed_location(text, None)
    else:
        assert typed_location(text, None) == Location("s3", url.bucket, url.key)
