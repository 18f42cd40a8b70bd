"""The client: standard credential chain, path-style for custom endpoints, read-only."""

from pathlib import Path
from typing import Any

import pytest

from flowtui.s3.listing import PrefixPager, list_buckets
from flowtui.s3.session import ReadOnlyViolation, make_client


def test_endpoint_url_means_path_style(s3_server: Any, fault_proxy: Any) -> None:
    client = make_client(endpoint_url=fault_proxy.url)
    PrefixPager(client, s3_server.main_bucket, "AWSLogs/").next_page()
    (request,) = fault_proxy.requests
    assert request.path == f"/{s3_server.main_bucket}"
    assert request.headers["host"] == f"127.0.0.1:{fault_proxy.port}"


def test_aws_endpoint_url_from_the_environment(
    s3_server: Any, fault_proxy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", fault_proxy.url)
    PrefixPager(make_client(), s3_server.main_bucket, "").next_page()
    assert [r.path for r in fault_proxy.requests] == [f"/{s3_server.main_bucket}"]


def test_no_sign_request_sends_no_credentials(s3_server: Any, fault_proxy: Any) -> None:
    client = make_client(endpoint_url=fault_proxy.url, no_sign=True)
    PrefixPager(client, s3_server.main_bucket, "").next_page()
    (request,) = fault_proxy.requests
    assert "authorization" not in request.headers
    assert "x-amz-security-token" not in request.headers


def test_profile_from_shared_config(
    tmp_path: Path, fault_proxy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    config.write_text("[profile analyst]\nregion = eu-west-1\n")
    creds = tmp_path / "credentials"
    creds.write_text("[analyst]\naws_access_key_id = AKIAPROFILEKEY000001\n"
                     "aws_secret_access_key = profilesecret\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds))
    monkeypatch.delenv("AWS_DEFAULT_REGION")  # the environment would win over the profile
    monkeypatch.delenv("AWS_REGION")
    client = make_client(profile="analyst", endpoint_url=fault_proxy.url)
    assert client.meta.region_name == "eu-west-1"
    list_buckets(client)
    auth = fault_proxy.requests[0].headers["authorization"]
    assert "Credential=AKIAPROFILEKEY000001/" in auth and "/eu-west-1/s3/" in auth
    # an explicit region wins over the profile's
    assert make_client(profile="analyst", region="ap-south-1").meta.region_name == "ap-south-1"


@pytest.mark.parametrize("mode", ["standard", "adaptive"])
def test_retry_modes_retry_slowdown(mode: str, s3_server: Any, fault_proxy: Any) -> None:
    client = make_client(endpoint_url=fault_proxy.url, retry_mode=mode)
    assert client.meta.config.retries["mode"] == mode
    fault_proxy.slow_down(times=1, match=lambda r: True)
    assert list_buckets(client)
    assert fault_proxy.operations() == ["ListBuckets", "ListBuckets"]


def test_anything_but_list_head_get_is_refused_before_it_is_sent(
    fault_proxy: Any, proxy_client: Any
) -> None:
    with pytest.raises(ReadOnlyViolation):
        proxy_client.put_object(Bucket="flowlogs-main", Key="x", Body=b"x")
    with pytest.raises(ReadOnlyViolation):
        proxy_client.delete_object(Bucket="flowlogs-main", Key="README.txt")
    assert fault_proxy.requests == []
