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


def test_the_client_keeps_the_shapes_of_the_calls_it_may_send_and_refuses_the_rest(
        fault_proxy: Any, proxy_client: Any) -> None:
    """The S3 model is kept for the life of the process: only the shapes of list, head and
    get are (727 shapes were 2.5 MB of dicts, 1.6 MB of `top`'s peak from a day folder).
    Every other call is still a method, and is refused before it is sent, even one whose
    parameters the kept model no longer describes."""
    model = proxy_client.meta.service_model
    assert len(model.shape_names) < 200
    assert "PutObject" in model.operation_names
    assert {"Body", "ETag", "ContentRange"} <= set(
        model.operation_model("GetObject").output_shape.members)
    assert "ContinuationToken" in model.operation_model("ListObjectsV2").input_shape.members
    for call in (lambda: proxy_client.select_object_content(Bucket="flowlogs-main", Key="x"),
                 lambda: proxy_client.put_bucket_policy(Bucket="flowlogs-main", Policy="{}")):
        with pytest.raises(ReadOnlyViolation):
            call()
    assert fault_proxy.requests == []


# The files an S3 client reads (botocore/data): the S3 model and its endpoint rules, every
# partition's endpoints, the retry and default-configuration tables.
CLIENT_FILES = ("endpoints", "partitions", "_retry", "sdk-default-configuration",
                "s3/2006-03-01/service-2", "s3/2006-03-01/endpoint-rule-set-1")


def test_botocores_files_are_read_whole_and_in_order_into_plain_dicts() -> None:
    """flowtui reads botocore's model files into dicts (half the parse of OrderedDicts):
    the same keys, values and order as botocore's own loader gives."""
    import json
    import os

    import botocore
    from botocore.loaders import JSONFileLoader

    from flowtui.s3.session import _JSONFiles

    data = os.path.join(os.path.dirname(botocore.__file__), "data")
    for name in CLIENT_FILES:
        ours = _JSONFiles().load_file(os.path.join(data, name))
        theirs = JSONFileLoader().load_file(os.path.join(data, name))
        assert ours is not None and type(ours) is dict, name
        assert json.dumps(ours) == json.dumps(theirs), name  # the same order, all the way


def test_the_client_reads_its_models_through_plain_dicts(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    """The faster reading is the one the client uses (a botocore that stopped calling
    ``_load_file`` would be slower, not wrong: this says so)."""
    from flowtui.s3 import session

    read: list[str] = []
    load = session._JSONFiles._load_file

    def recording(self: Any, full_path: str, open_method: Any) -> Any:
        got = load(self, full_path, open_method)
        if got is not None:
            read.append(Path(full_path).name)
        return got

    monkeypatch.setattr(session._JSONFiles, "_load_file", recording)
    monkeypatch.setattr(session, "_LOADERS", {})  # a loader whose models are not parsed yet
    make_client(region="eu-west-1")
    assert {"service-2.json.gz", "endpoints.json", "endpoint-rule-set-1.json.gz"} <= set(read)


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1",
                                    "eu-isoe-west-1"])
def test_the_endpoint_is_the_one_botocore_chooses(region: str) -> None:
    """Each partition's S3 endpoint and signing region, as a plain botocore client has them
    (nothing is sent: both are settled when the client is made)."""
    import botocore.session

    ours = make_client(region=region)
    theirs = botocore.session.Session().create_client("s3", region_name=region)
    assert ours.meta.endpoint_url == theirs.meta.endpoint_url
    assert ours.meta.region_name == theirs.meta.region_name == region
    assert ours.meta.partition == theirs.meta.partition


def test_credentials_from_the_environment_send_nothing_but_the_request(
        s3_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """With keys in the environment, the client asks no instance metadata service: boto3
    "stop[s] as soon as it finds credentials", environment variables come third and the
    instance metadata service last (Boto3 guide, Credentials,
    https://docs.aws.amazon.com/boto3/latest/guide/credentials.html). A probe would wait
    for its timeout before the first request on any machine that is no EC2 instance."""
    import socket

    monkeypatch.delenv("AWS_EC2_METADATA_DISABLED")  # the probe is allowed, not made
    opened: list[Any] = []
    connect = socket.socket.connect

    def recording(self: socket.socket, address: Any) -> Any:
        opened.append(address)
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", recording)
    client = make_client(endpoint_url=s3_server.endpoint_url)
    PrefixPager(client, s3_server.main_bucket, "").next_page()
    assert opened and {(host, port) for host, port, *_ in opened} == {
        (s3_server.host, s3_server.port)}


def test_the_client_keeps_the_endpoints_of_its_own_services_only() -> None:
    """botocore's endpoints file names every region of ~300 services; flowtui's session
    keeps S3's, EC2's and those of the credential chain's own clients (4 MB of dicts less in
    every command that reads S3), and each partition's own data (regions, DNS suffix)
    whole."""
    import botocore.session
    from botocore.loaders import create_loader

    from flowtui.s3.session import ENDPOINT_SERVICES, _ModelLoader

    ours = _ModelLoader.for_session(botocore.session.Session()).load_data("endpoints")
    theirs = create_loader().load_data("endpoints")
    assert [p["partition"] for p in ours["partitions"]] == [
        p["partition"] for p in theirs["partitions"]]
    for kept, full in zip(ours["partitions"], theirs["partitions"], strict=True):
        assert set(kept["services"]) == set(full["services"]) & ENDPOINT_SERVICES
        assert {k: v for k, v in kept.items() if k != "services"} == {
            k: v for k, v in full.items() if k != "services"}
    assert "s3" in ours["partitions"][0]["services"]


@pytest.mark.parametrize("service", ["ec2", "sts", "sso", "sso-oidc"])
@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1"])
def test_the_credential_chains_clients_find_the_endpoints_botocore_finds(
        service: str, region: str) -> None:
    """A role profile makes an STS client, an SSO profile SSO and SSO-OIDC clients, from the
    same session as the S3 client (botocore.credentials), and names read EC2 through the
    same loader (``botocore_session``): each gets the endpoint and the signing region a
    plain botocore session gives it."""
    import botocore.session

    from flowtui.s3.session import botocore_session

    ours = botocore_session().create_client(service, region_name=region)
    theirs = botocore.session.Session().create_client(service, region_name=region)
    assert ours.meta.endpoint_url == theirs.meta.endpoint_url
    assert ours.meta.region_name == theirs.meta.region_name
    assert ours.meta.partition == theirs.meta.partition
    assert ours._request_signer._region_name == theirs._request_signer._region_name
