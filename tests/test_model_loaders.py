"""botocore parses a service's model (megabytes of JSON) once per loader, and every session
makes its own loader: the S3 clients and the EC2 clients flowtui makes in one process share
one loader per search path, so the models are parsed once per process (issue 16 item 5:
the app's tests made hundreds of clients, each parsing again)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flowtui.names.inventory import make_ec2_client
from flowtui.s3.session import make_client


def _loader(client: Any) -> Any:
    return client._loader  # noqa: SLF001 - botocore keeps the loader the client's models came from


def test_s3_clients_share_the_parsed_models_and_still_work(s3_server: Any) -> None:
    first = make_client(endpoint_url=s3_server.endpoint_url)
    second = make_client(endpoint_url=s3_server.endpoint_url)
    assert _loader(first) is _loader(second)
    for client in (first, second):
        keys = client.list_objects_v2(Bucket=s3_server.main_bucket, MaxKeys=1)["Contents"]
        assert len(keys) == 1


def test_a_data_path_gets_a_loader_of_its_own(s3_server: Any, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """$AWS_DATA_PATH puts the user's models first: a loader for that path, not the other."""
    plain = make_client(endpoint_url=s3_server.endpoint_url)
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    pathed = make_client(endpoint_url=s3_server.endpoint_url)
    assert _loader(pathed) is not _loader(plain)
    assert str(tmp_path) in _loader(pathed).search_paths


def test_ec2_clients_share_the_parsed_models_and_still_work(ec2_world: Any) -> None:
    first = make_ec2_client(region=ec2_world.region, endpoint_url=ec2_world.endpoint_url)
    second = make_ec2_client(region=ec2_world.region, endpoint_url=ec2_world.endpoint_url)
    assert _loader(first) is _loader(second)
    for client in (first, second):
        assert client.describe_vpcs()["Vpcs"]
