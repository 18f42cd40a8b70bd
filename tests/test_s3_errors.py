"""Every failure a user meets is one line saying what to do, without a credential in it."""

import logging
import socket
from typing import Any

import pytest
from botocore.exceptions import ClientError

from flowtui.loader import LoadError, resolve
from flowtui.s3.errors import describe, safe_text
from flowtui.s3.listing import PrefixPager, list_buckets
from flowtui.s3.reader import ObjectStream
from flowtui.s3.session import ALLOWED_OPERATIONS, make_client

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEFAaCXVzLWVhc3QtMSJHMEUCIQD" + "x" * 300


@pytest.fixture(autouse=True)
def distinctive_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials that would be recognisable in any message or log line."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)


def _failure(call: Any) -> BaseException:
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - the test inspects what escaped
        return exc
    raise AssertionError("the call did not fail")


def _check(message: str) -> str:
    assert "\n" not in message and "Traceback" not in message
    for secret in (ACCESS_KEY, SECRET_KEY, TOKEN, TOKEN[:60]):
        assert secret not in message
    return message


def test_access_denied_names_the_action_and_resource(
    s3_server: Any, fault_proxy: Any, proxy_client: Any
) -> None:
    obj = s3_server.find("custom")
    fault_proxy.answer(403, "AccessDenied", "Access Denied")
    exc = _failure(lambda: b"".join(ObjectStream(proxy_client, obj.bucket, obj.key)))
    msg = _check(describe(exc, bucket=obj.bucket, key=obj.key))
    assert msg.startswith("Access denied: s3:GetObject on arn:aws:s3:::flowlogs-main/AWSLogs/")
    fault_proxy.answer(403, "AccessDenied", match=lambda r: r.operation == "ListObjectsV2")
    exc = _failure(lambda: PrefixPager(proxy_client, "flowlogs-main", "AWSLogs/").next_page())
    assert "s3:ListBucket on arn:aws:s3:::flowlogs-main" in describe(exc, bucket="flowlogs-main")


def test_head_403_without_a_body_still_says_access_denied(
    s3_server: Any, fault_proxy: Any, proxy_client: Any
) -> None:
    fault_proxy.answer(403, "AccessDenied", match=lambda r: r.operation == "HeadObject")
    exc = _failure(lambda: proxy_client.head_object(Bucket="flowlogs-main", Key="README.txt"))
    msg = describe(exc, bucket="flowlogs-main", key="README.txt")
    assert msg == ("Access denied: s3:GetObject on arn:aws:s3:::flowlogs-main/README.txt is not "
                   "allowed: ask for it in your IAM or bucket policy")


def test_no_such_bucket(s3_client: Any) -> None:
    exc = _failure(lambda: PrefixPager(s3_client, "no-such-bucket-here", "").next_page())
    assert describe(exc, bucket="no-such-bucket-here") == (
        "Bucket 'no-such-bucket-here' does not exist (NoSuchBucket): check the name")


def test_expired_token(fault_proxy: Any, proxy_client: Any) -> None:
    fault_proxy.answer(400, "ExpiredToken", "The provided token has expired.",
                       match=lambda r: True)
    exc = _failure(lambda: list_buckets(proxy_client))
    msg = _check(describe(exc, profile="prod"))
    assert msg == ("The AWS credentials have expired: refresh them (e.g. `aws sso login "
                   "--profile prod`) and try again")


def test_wrong_region_names_the_buckets_region(fault_proxy: Any, proxy_client: Any) -> None:
    fault_proxy.answer(
        400, "AuthorizationHeaderMalformed",
        "The authorization header is malformed; the region 'us-east-1' is wrong; "
        "expecting 'eu-west-1'", times=10, match=lambda r: True,
        extra_xml="<Region>eu-west-1</Region>", headers={"x-amz-bucket-region": "eu-west-1"})
    exc = _failure(lambda: PrefixPager(proxy_client, "flowlogs-main", "").next_page())
    msg = describe(exc, bucket="flowlogs-main", region="us-east-1")
    assert msg == ("Bucket 'flowlogs-main' is in region eu-west-1, not us-east-1: "
                   "use --region eu-west-1")


def test_endpoint_unreachable() -> None:
    with socket.create_server(("127.0.0.1", 0)) as s:  # a port nobody listens on, once closed
        port = s.getsockname()[1]
    client = make_client(endpoint_url=f"http://127.0.0.1:{port}", max_attempts=1,
                         connect_timeout=2)
    msg = _check(describe(_failure(lambda: list_buckets(client))))
    assert msg.startswith(f"Cannot reach http://127.0.0.1:{port}")


def test_throttling_that_outlasts_the_retries(
    s3_server: Any, fault_proxy: Any
) -> None:
    client = make_client(endpoint_url=fault_proxy.url, max_attempts=2)
    fault_proxy.slow_down(times=2, match=lambda r: True)
    exc = _failure(lambda: list_buckets(client))
    assert fault_proxy.operations() == ["ListBuckets", "ListBuckets"]
    assert "kept throttling (SlowDown) after all retries" in describe(exc)


def test_no_credentials(monkeypatch: pytest.MonkeyPatch, s3_server: Any) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(var)
    client = make_client(endpoint_url=s3_server.endpoint_url, max_attempts=1)
    msg = describe(_failure(lambda: list_buckets(client)))
    assert msg.startswith("No AWS credentials found")


def test_unknown_profile() -> None:
    msg = describe(_failure(lambda: make_client(profile="nope")), profile="nope")
    assert msg.startswith("AWS profile 'nope' is not in your AWS config")


def test_deleted_object(s3_client: Any) -> None:
    exc = _failure(lambda: b"".join(ObjectStream(s3_client, "flowlogs-main", "gone.log.gz")))
    assert describe(exc, bucket="flowlogs-main", key="gone.log.gz") == (
        "s3://flowlogs-main/gone.log.gz does not exist (deleted since it was listed?)")


def test_messages_never_carry_credentials_even_when_the_server_echoes_them(
    fault_proxy: Any, proxy_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="flowtui")
    echoed = (f"Signature mismatch for X-Amz-Credential={ACCESS_KEY}/20240305/us-east-1 "
              f"secret={SECRET_KEY} X-Amz-Security-Token={TOKEN}")
    fault_proxy.answer(400, "WeirdError", echoed, match=lambda r: True)
    exc = _failure(lambda: list_buckets(proxy_client))
    assert isinstance(exc, ClientError)
    msg = _check(describe(exc))
    assert msg.startswith("S3: WeirdError: Signature mismatch")
    for record in caplog.records:
        _check(record.getMessage())


def test_keys_with_control_characters_stay_on_one_line() -> None:
    text = safe_text("s3://b/evil\x1b[31mred\nnext\x07")
    assert text == "s3://b/evil\\x1b[31mred next\\x07"


# --- a HEAD error has no body: what a load by key says -------------------------------------

KEY = "AWSLogs/111111111111/vpcflowlogs/us-east-1/2024/03/05/some.log.gz"


def _resolve_failure(client: Any) -> str:
    exc = _failure(lambda: resolve([f"s3://flowlogs-main/{KEY}"], client=client))
    assert isinstance(exc, LoadError)
    return _check(str(exc))


@pytest.mark.parametrize(("code", "expected"), [
    ("ExpiredToken", "The AWS credentials have expired: refresh them (e.g. `aws sso login`) "
                     "and try again"),
    ("InvalidToken", "S3 rejected the AWS credentials (InvalidToken): check the profile or "
                     "environment variables in use"),
])
def test_a_key_whose_head_is_refused_for_the_credentials_says_so(
        fault_proxy: Any, proxy_client: Any, code: str, expected: str) -> None:
    # Every request is refused, as S3 does with such credentials; a HEAD's answer has no body.
    fault_proxy.answer(400, code, "The provided token is bad.", times=100, match=lambda r: True)
    assert _resolve_failure(proxy_client) == expected
    assert set(fault_proxy.operations()) <= ALLOWED_OPERATIONS


def test_a_key_whose_head_is_redirected_without_a_region_says_another_region(
        s3_server: Any, fault_proxy: Any, proxy_client: Any) -> None:
    fault_proxy.answer(301, "PermanentRedirect", "Moved", times=100,
                       match=lambda r: r.operation == "HeadObject")
    assert _resolve_failure(proxy_client) == (
        "Bucket 'flowlogs-main' is in another region: pass its region with --region")
    assert "HeadBucket" in fault_proxy.operations()  # botocore asks where the bucket is
    assert set(fault_proxy.operations()) <= ALLOWED_OPERATIONS


def test_head_bucket_is_a_read() -> None:
    assert "HeadBucket" in ALLOWED_OPERATIONS


def test_a_bare_400_to_a_head_still_says_what_to_try(fault_proxy: Any, proxy_client: Any
                                                      ) -> None:
    fault_proxy.answer(400, "ExpiredToken", times=100, match=lambda r: True)
    exc = _failure(lambda: proxy_client.head_object(Bucket="flowlogs-main", Key=KEY))
    assert _check(describe(exc, bucket="flowlogs-main", key=KEY, profile="prod")) == (
        f"s3://flowlogs-main/{KEY}: S3 refused the request (400, and a HEAD's answer says no "
        "more): most often expired or invalid credentials (refresh them, e.g. `aws sso login "
        "--profile prod`) or another region (--region)")


SIGN_IN = (b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head>"
           b"<body>Sign in<br></body></html>")
XHTML = b"<html><body><p>Your request was blocked by the proxy.</p></body></html>"


@pytest.mark.parametrize(("operation", "status", "page"), [
    ("ListObjectsV2", 200, SIGN_IN),  # botocore makes it a 500 and retries: "internal error"
    ("ListObjectsV2", 200, XHTML),  # well-formed XML: parsed as a page without IsTruncated
    ("ListObjectsV2", 503, SIGN_IN),  # read "S3 kept throttling"
    ("GetObject", 500, SIGN_IN),  # read "S3 internal error after all retries"
    ("GetObject", 502, XHTML),  # read "502: Bad Gateway"
])
def test_an_html_page_instead_of_s3s_answer_says_what_it_is(
        s3_server: Any, fault_proxy: Any, proxy_client: Any, operation: str, status: int,
        page: bytes) -> None:
    """A captive portal or a proxy between flowtui and AWS answers with a web page
    (``text/html``), 200 or 5xx, where S3 answers XML (S3 User Guide, "The REST error
    response": "An XML error document as the response body", "Content-Type:
    application/xml"; docs.aws.amazon.com/AmazonS3/latest/dev/ErrorMessage.html). It read
    "S3 internal error after all
    retries" (botocore takes a 200 it cannot parse for an S3 error), "S3 kept throttling",
    or a listing "cut off": each sends the user to wait for AWS instead of looking at their
    network."""
    obj = s3_server.find("custom")
    fault_proxy.reply(lambda request: page, status=status, content_type="text/html",
                      match=lambda request: request.operation == operation)
    if operation == "GetObject":
        exc = _failure(lambda: b"".join(ObjectStream(proxy_client, obj.bucket, obj.key)))
        where = f"s3://{obj.bucket}/{obj.key}"
        msg = _check(describe(exc, bucket=obj.bucket, key=obj.key))
    else:
        exc = _failure(lambda: PrefixPager(proxy_client, obj.bucket, "AWSLogs/").next_page())
        where = f"s3://{obj.bucket}/AWSLogs/"
        msg = _check(describe(exc, bucket=obj.bucket, key="AWSLogs/"))
    assert msg == (f"{where}: S3 answered with something that is not an S3 response (a proxy "
                   "or a sign-in page between here and AWS?)")


def test_s3s_own_internal_error_still_says_so(s3_server: Any, fault_proxy: Any,
                                              proxy_client: Any) -> None:
    """S3's own 500 (its XML, code InternalError) is still S3's internal error."""
    obj = s3_server.find("custom")
    fault_proxy.answer(500, "InternalError", "We encountered an internal error.", times=100)
    exc = _failure(lambda: b"".join(ObjectStream(proxy_client, obj.bucket, obj.key)))
    assert describe(exc, bucket=obj.bucket, key=obj.key).endswith(
        "S3 internal error after all retries; try again later")
