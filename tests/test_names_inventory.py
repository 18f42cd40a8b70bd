"""The EC2 inventory: six Describe calls (and no other), paged, cached per account and region
with its age, and one line instead of names when EC2 can't be read."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from flowtui.names import inventory as inv_mod
from flowtui.names.inventory import (
    ALLOWED_OPERATIONS,
    EC2Refused,
    cache_path,
    fetch,
    load_inventory,
    make_ec2_client,
)
from flowtui.names.resolve import Names, NamesOptions, load_names
from tests.ec2_world import World, refusing_ec2

pytestmark = pytest.mark.usefixtures("cache_home")


def _client(world: World, **kw: Any) -> Any:
    return make_ec2_client(region=world.region, endpoint_url=world.endpoint_url, **kw)


def test_only_the_six_describe_calls_are_allowed() -> None:
    assert ALLOWED_OPERATIONS == {
        "DescribeNetworkInterfaces", "DescribeInstances", "DescribeSecurityGroups",
        "DescribeNetworkAcls", "DescribeSubnets", "DescribeVpcs"}


def test_any_other_ec2_call_is_refused_before_it_is_sent(ec2_world: World,
                                                          fault_proxy: Any) -> None:
    client = make_ec2_client(region=ec2_world.region, endpoint_url=fault_proxy.url)
    with pytest.raises(EC2Refused, match="TerminateInstances"):
        client.terminate_instances(InstanceIds=[ec2_world.web["id"]])
    with pytest.raises(EC2Refused):
        client.describe_managed_prefix_lists()  # a Describe, but not one of the six
    with pytest.raises(EC2Refused):
        client.authorize_security_group_ingress(GroupId=ec2_world.sg_web, IpPermissions=[])
    assert fault_proxy.requests == []
    assert ec2_world.client().describe_instances(InstanceIds=[ec2_world.web["id"]])[
        "Reservations"][0]["Instances"][0]["State"]["Name"] == "running"


def test_fetch_reads_every_page(ec2_world: World, fault_proxy: Any,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    """EC2 pages with NextToken; a page of 5 makes the world's 6 reservations take two
    (moto pages DescribeInstances; the other lists come whole from it)."""
    monkeypatch.setitem(inv_mod._LISTS, "reservations",
                        ("describe_instances", "Reservations", 5))
    inventory = fetch(make_ec2_client(region=ec2_world.region, endpoint_url=fault_proxy.url),
                      ec2_world.region)
    ids = {i["NetworkInterfaceId"] for i in inventory.interfaces}
    assert {ec2_world.web["eni"], ec2_world.db["eni"], ec2_world.nat["eni"],
            ec2_world.endpoint["eni"], ec2_world.lambda_eni["eni"]} <= ids
    assert len(ids) == len(inventory.interfaces) > 5
    assert len(fault_proxy.requests) == 7  # two pages of instances
    instances = {i["InstanceId"] for r in inventory.reservations for i in r["Instances"]}
    assert len(instances) == 6 and ec2_world.plain["id"] in instances
    assert ec2_world.account in inventory.accounts
    assert any(a["NetworkAclId"] == ec2_world.acl for a in inventory.network_acls)


def test_cache_is_used_and_refreshed(ec2_world: World, cache_home: Path) -> None:
    """The second load reads the disk, not EC2; a refresh reads EC2 again and sees a change."""
    account, region = ec2_world.account, ec2_world.region
    first = load_inventory(account, region, lambda: _client(ec2_world))
    assert not first.from_cache and first.inventory is not None
    assert cache_path(account, region).is_relative_to(cache_home / "flowtui")
    assert cache_path(account, region).stat().st_mode & 0o777 == 0o600
    raw = ec2_world.client()
    raw.create_tags(Resources=[ec2_world.plain["id"]], Tags=[{"Key": "Name", "Value": "batch-7"}])
    try:
        def unreachable() -> Any:
            raise AssertionError("the cache should have answered")

        cached = load_inventory(account, region, unreachable)
        assert cached.from_cache and cached.inventory is not None
        names = Names(inventories=[cached.inventory])
        assert names.address(ec2_world.plain["ip"]) == ec2_world.plain["id"]  # as cached
        assert "read 0s ago" in names.describe() or "read 1s ago" in names.describe()
        fresh = load_inventory(account, region, lambda: _client(ec2_world), refresh=True)
        assert not fresh.from_cache and fresh.inventory is not None
        assert Names(inventories=[fresh.inventory]).address(ec2_world.plain["ip"]) == "batch-7"
    finally:
        raw.delete_tags(Resources=[ec2_world.plain["id"]], Tags=[{"Key": "Name"}])


def test_an_old_cache_is_read_again(ec2_world: World) -> None:
    account, region = ec2_world.account, ec2_world.region
    first = load_inventory(account, region, lambda: _client(ec2_world))
    assert first.inventory is not None
    first.inventory.fetched_at -= 2 * inv_mod.MAX_AGE
    inv_mod.write_cache(first.inventory, account)
    again = load_inventory(account, region, lambda: _client(ec2_world))
    assert not again.from_cache and again.inventory is not None
    assert again.inventory.age() < 60


@pytest.fixture()
def refusing() -> Any:
    server = refusing_ec2()
    yield server
    server.close()


def test_missing_permission_is_one_line_and_names_still_come_from_the_file(
        ec2_world: World, refusing: Any, tmp_path: Path) -> None:
    names_file = tmp_path / "names.csv"
    names_file.write_text("cidr,name\n10.20.1.0/24,app-subnet\n")
    names = load_names(NamesOptions(names_file=str(names_file), endpoint_url=refusing.url,
                                    scopes=((ec2_world.account, ec2_world.region),),
                                    download_ip_ranges=False))
    assert names.notes == [
        f"EC2 inventory: ec2:DescribeNetworkInterfaces is not allowed in {ec2_world.region}: "
        "names of interfaces and private addresses are not shown (ask for "
        "ec2:DescribeNetworkInterfaces and the other ec2:Describe* actions in the README's "
        "Names section)"]
    assert refusing.calls == ["DescribeNetworkInterfaces"]  # stopped at the first refusal
    assert names.interface(ec2_world.web["eni"]) is None
    assert names.address(ec2_world.web["ip"]) == "app-subnet"


def test_unreachable_ec2_is_one_line(ec2_world: World, tmp_path: Path) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    names = load_names(NamesOptions(endpoint_url=f"http://127.0.0.1:{port}",
                                    scopes=(("", ec2_world.region),), download_ip_ranges=False))
    (note,) = names.notes
    assert note.startswith(f"EC2 in {ec2_world.region} unreachable (")
    assert "\n" not in note and names.empty


def test_a_stale_cache_serves_when_ec2_fails_and_says_so(ec2_world: World,
                                                         refusing: Any) -> None:
    account, region = ec2_world.account, ec2_world.region
    first = load_inventory(account, region, lambda: _client(ec2_world))
    assert first.inventory is not None
    first.inventory.fetched_at -= 2 * inv_mod.MAX_AGE
    inv_mod.write_cache(first.inventory, account)
    loaded = load_inventory(account, region, lambda: make_ec2_client(
        region=region, endpoint_url=refusing.url))
    assert loaded.inventory is not None and loaded.from_cache
    (note,) = loaded.notes
    assert note.endswith("; using names read 2 d ago")


def test_other_account_is_said(ec2_world: World) -> None:
    """The records' account differs from the one these credentials read."""
    loaded = load_inventory("999999999999", ec2_world.region, lambda: _client(ec2_world))
    assert any("the records are of account 999999999999" in n for n in loaded.notes)


def test_an_answer_that_is_not_ec2s_is_one_line(ec2_world: World, fault_proxy: Any) -> None:
    """Something between flowtui and EC2 (a captive portal, an inspecting proxy) answers
    200 with a page that is not EC2's XML: botocore raises ResponseParserError, which is
    not a BotoCoreError. It was a traceback from ``cat --names`` and the app's names; it
    is one note now, and the names that can come from elsewhere still do."""
    fault_proxy.reply(lambda request: b"<html><body>Sign in to continue<br></body></html>")
    names = load_names(NamesOptions(endpoint_url=fault_proxy.url,
                                    scopes=((ec2_world.account, ec2_world.region),),
                                    download_ip_ranges=False))
    (note,) = names.notes
    assert note.startswith(f"EC2 in {ec2_world.region} answered with something that is not "
                           "an EC2 response"), note
    assert "\n" not in note and len(note) < 300 and names.empty


def test_another_accounts_inventory_names_nothing_of_these_records(ec2_world: World) -> None:
    """Records of account 111122223333 (AWSLogs/111122223333/… or their account-id, "the AWS
    account ID of the owner of the source network interface": VPC User Guide, Flow log
    records) read with credentials of the world's account. Private addresses overlap across
    accounts freely, so the world's web-1 at 10.20.1.10 says nothing about who 10.20.1.10
    was in the other account. Before: the other account's inventory was used anyway (the
    note said "can't be named", the columns named web-1) and cached as 111122223333's, so
    the next run named them silently for a day."""
    other = "111122223333"
    options = NamesOptions(endpoint_url=ec2_world.endpoint_url, download_ip_ranges=False,
                           scopes=((other, ec2_world.region),))
    names = load_names(options)
    assert names.address(ec2_world.web["ip"]) is None
    (note,) = names.notes
    assert f"the records are of account {other}" in note and "not named" in note
    assert names.inventories == []
    assert not cache_path(other, ec2_world.region).exists()
    again = load_names(options)  # the second run: no cache of the wrong account answers
    assert again.address(ec2_world.web["ip"]) is None


def test_a_cache_of_another_account_is_not_used(ec2_world: World) -> None:
    """A cache file written under this account's name by an older flowtui holds another
    account's interfaces: it is read again from EC2 (and refused), not believed."""
    loaded = load_inventory(ec2_world.account, ec2_world.region, lambda: _client(ec2_world))
    assert loaded.inventory is not None
    other = "111122223333"
    inv_mod.write_cache(loaded.inventory, other)  # as the old code did
    again = load_inventory(other, ec2_world.region, lambda: _client(ec2_world))
    assert again.inventory is None and not again.from_cache
