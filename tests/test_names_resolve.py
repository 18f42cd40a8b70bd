"""Names for interfaces and addresses: each kind of interface, IPv4 and IPv6, the names file
and AWS's IP ranges, and their precedence (names file, inventory, IP ranges)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from flowtui.names.inventory import fetch, make_ec2_client
from flowtui.names.ipranges import load_ip_ranges, parse_ip_ranges
from flowtui.names.namesfile import NamesFileError, parse_names, read_names_file
from flowtui.names.resolve import Names, NamesOptions, load_names, scopes_from_paths
from tests.ec2_world import World

IP_RANGES = {
    "syncToken": "1764000000", "createDate": "2026-11-30-12-00-00",
    "prefixes": [
        {"ip_prefix": "52.94.0.0/16", "region": "us-east-1", "service": "AMAZON",
         "network_border_group": "us-east-1"},
        {"ip_prefix": "52.94.0.0/16", "region": "us-east-1", "service": "EC2",
         "network_border_group": "us-east-1"},
        {"ip_prefix": "52.94.8.0/24", "region": "us-east-1", "service": "AMAZON",
         "network_border_group": "us-east-1"},
        {"ip_prefix": "52.94.8.0/24", "region": "us-east-1", "service": "S3",
         "network_border_group": "us-east-1"},
        {"ip_prefix": "10.20.1.0/24", "region": "ap-northeast-3", "service": "AMAZON",
         "network_border_group": "ap-northeast-3"},
    ],
    "ipv6_prefixes": [
        {"ipv6_prefix": "2600:1f18::/33", "region": "us-east-1", "service": "EC2",
         "network_border_group": "us-east-1"},
    ],
}


@pytest.fixture()
def ranges_file(tmp_path: Path) -> Path:
    path = tmp_path / "ip-ranges.json"
    path.write_text(json.dumps(IP_RANGES))
    return path


@pytest.fixture(scope="module")
def inventory(ec2_world: World) -> Any:
    return fetch(make_ec2_client(region=ec2_world.region, endpoint_url=ec2_world.endpoint_url),
                 ec2_world.region)


def test_instance_interfaces_are_named_by_their_name_tag_and_id(ec2_world: World,
                                                                inventory: Any) -> None:
    names = Names(inventories=[inventory])
    web = names.interface(ec2_world.web["eni"])
    assert web is not None
    assert (web.name, web.kind, web.instance_id) == ("web-1", "instance", ec2_world.web["id"])
    assert web.subnet_id == ec2_world.subnet_app and web.vpc_id == ec2_world.vpc
    assert web.security_groups == (ec2_world.sg_web,)
    assert web.label() == f"web-1 ({ec2_world.web['id']}, sg-web)"
    plain = names.interface(ec2_world.plain["eni"])
    assert plain is not None and plain.name == ec2_world.plain["id"]  # no Name tag: the id
    assert plain.label() == f"{ec2_world.plain['id']} (db)"  # group without a Name tag


def test_managed_interfaces_are_named_by_their_owner(ec2_world: World, inventory: Any) -> None:
    """AWS services' interfaces say whose they are by InterfaceType and Description (EC2 user
    guide, "Requester-managed network interfaces": e.g. "VPC Endpoint Interface vpce-…")."""
    names = Names(inventories=[inventory])
    nat = names.interface(ec2_world.nat["eni"])
    endpoint = names.interface(ec2_world.endpoint["eni"])
    lam = names.interface(ec2_world.lambda_eni["eni"])
    assert nat is not None and (nat.kind, nat.name) == (
        "nat-gateway", f"NAT gateway {ec2_world.nat['id']}")
    assert endpoint is not None and (endpoint.kind, endpoint.name) == (
        "vpc-endpoint", f"VPC endpoint {ec2_world.endpoint['id']}")
    assert lam is not None and (lam.kind, lam.name) == ("lambda", "Lambda orders")


@pytest.mark.parametrize(("description", "interface_type", "requester", "expected"), [
    ("ELB app/shop-alb/50dc6c495c0c9188", "interface", "amazon-elb",
     ("load-balancer", "ELB app/shop-alb/50dc6c495c0c9188")),
    ("EFS mount target for fs-0123abcd (fsmt-0456)", "interface", "", ("efs", "EFS fs-0123abcd")),
    ("RDSNetworkInterface", "interface", "amazon-rds", ("rds", "RDS")),
    ("Network Interface for Transit Gateway Attachment tgw-attach-0abc1234def567890",
     "transit_gateway", "", ("transit-gateway", "TGW attachment tgw-attach-0abc1234def567890")),
    ("VPC Endpoint Interface: vpce-0f00567fa8477a1e6", "interface", "",
     ("vpc-endpoint", "VPC endpoint vpce-0f00567fa8477a1e6")),
    ("", "interface", "amazon-elb", ("load-balancer", "ELB")),
])
def test_managed_owner_from_description_type_or_requester(
        description: str, interface_type: str, requester: str,
        expected: tuple[str, str]) -> None:
    from flowtui.names.interfaces import managed_owner

    assert managed_owner({"Description": description, "InterfaceType": interface_type,
                          "RequesterId": requester, "RequesterManaged": True}) == expected


def test_addresses_are_named_by_the_interface_that_holds_them(ec2_world: World,
                                                              inventory: Any) -> None:
    names = Names(inventories=[inventory])
    assert names.address(ec2_world.web["ip"]) == "web-1"
    assert names.address(ec2_world.web["ipv6"]) == "web-1"
    assert names.address(ec2_world.web["ipv6"].upper()) == "web-1"  # any spelling of it
    assert names.address(ec2_world.nat["ip"]) == f"NAT gateway {ec2_world.nat['id']}"
    assert names.address("10.20.9.9") is None
    assert names.address("not an address") is None


def test_names_file_most_specific_prefix_wins() -> None:
    table = parse_names("cidr,name\n# corp\n10.0.0.0/8,corp\n10.20.0.0/16, vpn-paris\n"
                        "10.20.5.5,scanner\n2001:db8::/32,lab-v6\n\n")
    names = Names(names_file=table)
    assert names.address("10.1.2.3") == "corp"
    assert names.address("10.20.1.1") == "vpn-paris"
    assert names.address("10.20.5.5") == "scanner"
    assert names.address("2001:db8::1") == "lab-v6"
    assert names.address("192.0.2.1") is None


@pytest.mark.parametrize(("text", "message"), [
    ("10.0.0.0/8\n", "names.csv line 1: expected cidr,name, got '10.0.0.0/8'"),
    ("cidr,name\n10.0.0.300/8,x\n", "names.csv line 2: not an address or CIDR: '10.0.0.300/8'"),
])
def test_a_bad_names_file_line_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "names.csv"
    path.write_text(text)
    with pytest.raises(NamesFileError) as caught:
        read_names_file(path)
    assert str(caught.value) == f"{path.parent}/{message}"


def test_ip_ranges_name_public_addresses_by_service_and_region(ranges_file: Path) -> None:
    """ip-ranges.json lists every range under AMAZON and again under its service; the
    narrowest range and the service that is not AMAZON name the address."""
    ranges, notes = load_ip_ranges(str(ranges_file))
    assert notes == [] and ranges is not None
    assert ranges.create_date == "2026-11-30-12-00-00"
    names = Names(ip_ranges=ranges.table)
    assert names.address("52.94.1.1") == "AWS EC2 us-east-1"
    assert names.address("52.94.8.8") == "AWS S3 us-east-1"
    assert names.address("2600:1f18::1") == "AWS EC2 us-east-1"
    assert names.address("8.8.8.8") is None


def test_precedence_names_file_then_inventory_then_ip_ranges(ec2_world: World, inventory: Any,
                                                             ranges_file: Path) -> None:
    ranges = parse_ip_ranges(json.loads(ranges_file.read_text()))
    both = Names(inventories=[inventory], ip_ranges=ranges.table)
    # web-1's address lies in a published range too: the inventory wins over the IP ranges
    assert both.address(ec2_world.web["ip"]) == "web-1"
    assert both.address("10.20.1.200") == "AWS AMAZON ap-northeast-3"
    table = parse_names(f"{ec2_world.web['ip']}/32,frontend\n")
    first = Names(names_file=table, inventories=[inventory], ip_ranges=ranges.table)
    assert first.address(ec2_world.web["ip"]) == "frontend"
    found = first.address_name(ec2_world.web["ip"])
    assert found is not None and found.source == "names file"
    assert first.address_name(ec2_world.db["ip"]).source == "inventory"  # type: ignore[union-attr]


def test_a_column_is_named_on_its_dictionary(ec2_world: World, inventory: Any) -> None:
    names = Names(inventories=[inventory])
    values = [ec2_world.web["ip"], "8.8.8.8", None, ec2_world.db["ip"], ec2_world.web["ip"]]
    column = pa.array(values, pa.string()).dictionary_encode()
    named = names.column("srcaddr", column)
    assert named.to_pylist() == ["web-1", None, None, "db-1", "web-1"]
    assert pa.types.is_dictionary(named.type)
    plain = names.column("dstaddr", pa.array(values))
    assert plain.to_pylist() == named.to_pylist()
    batch = pa.RecordBatch.from_pydict({
        "interface-id": pa.array([ec2_world.web["eni"]] * 5).dictionary_encode(),
        "srcaddr": column, "dstaddr": pa.array(values[::-1]).dictionary_encode(),
        "dstport": pa.array([1, 2, 3, 4, 5], pa.int32())})
    out = names.with_names(batch)
    assert out.schema.names == ["interface-id", "interface-id.name", "srcaddr", "srcaddr.name",
                                "dstaddr", "dstaddr.name", "dstport"]
    assert out.column("interface-id.name").to_pylist() == ["web-1"] * 5
    assert out.column("dstaddr.name").to_pylist() == ["web-1", "db-1", None, None, "web-1"]


def test_scopes_come_from_the_paths() -> None:
    assert scopes_from_paths(["s3://b/AWSLogs/111111111111/vpcflowlogs/eu-west-1/2024/"],
                             "us-east-1") == (("111111111111", "eu-west-1"),)
    assert scopes_from_paths(["s3://b/x/AWSLogs/aws-account-id=2/aws-service=vpcflowlogs/"
                              "aws-region=us-west-2/year=2024/"], None) == (("2", "us-west-2"),)
    assert scopes_from_paths(["./logs"], "us-east-1") == (("", "us-east-1"),)


def test_ip_ranges_offline_is_said_once(monkeypatch: pytest.MonkeyPatch,
                                        cache_home: Path) -> None:
    """Without --ip-ranges and no cached copy the file is downloaded; offline, one note. (The
    download is made to fail before any connection: tests never leave loopback.)"""
    import urllib.request

    def offline(*_: Any, **__: Any) -> Any:
        raise OSError("network is unreachable")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    names = load_names(NamesOptions(inventory=False))
    (note,) = names.notes
    assert note.startswith("AWS IP ranges: can't download https://ip-ranges.amazonaws.com/"
                           "ip-ranges.json (")
    assert note.endswith("public addresses are not named (give --ip-ranges FILE)")
    assert names.ip_ranges is None


def test_a_downloaded_copy_is_kept_with_its_date(monkeypatch: pytest.MonkeyPatch,
                                                 cache_home: Path) -> None:
    import io
    import urllib.request

    calls: list[str] = []

    def answer(url: str, timeout: float) -> Any:
        calls.append(url)
        return io.BytesIO(json.dumps(IP_RANGES).encode())

    monkeypatch.setattr(urllib.request, "urlopen", answer)
    first = load_names(NamesOptions(inventory=False))
    second = load_names(NamesOptions(inventory=False))
    assert calls == ["https://ip-ranges.amazonaws.com/ip-ranges.json"]  # once
    assert first.ip_ranges_date == second.ip_ranges_date == "2026-11-30-12-00-00"
    assert second.address("52.94.8.8") == "AWS S3 us-east-1"
    assert "AWS IP ranges of 2026-11-30-12-00-00" in second.describe()
    load_names(NamesOptions(inventory=False, refresh=True))
    assert len(calls) == 2


def test_an_address_two_vpcs_use_is_not_named_after_one_of_them(ec2_world: World,
                                                                 inventory: Any) -> None:
    """VPCs may overlap (a default VPC per Region, each a /16: EC2 API Reference,
    CreateDefaultVpc, whose example answers 172.31.0.0/16), and names of several regions are
    merged when a folder holds them: the same private address then has two holders. The
    first read won, so a record of one region was named after another region's instance.
    Now the name says both and the detail which interfaces hold it."""
    from tests.ec2_world import twin_vpc

    region = "ap-southeast-4"  # no other test uses it: moto's state is shared
    made = twin_vpc(ec2_world.endpoint_url, region, ec2_world.web["ip"], "other-web")
    other = fetch(make_ec2_client(region=region, endpoint_url=ec2_world.endpoint_url), region)
    names = Names(inventories=[inventory, other])
    found = names.address_name(ec2_world.web["ip"])
    assert found is not None
    assert found.name == "web-1 or other-web"
    assert found.detail.startswith("held by 2 interfaces in different VPCs: ")
    assert ec2_world.web["eni"] in found.detail
    assert made["eni"] in found.detail
    column = names.column("srcaddr", pa.array([ec2_world.web["ip"], "10.20.9.9"]))
    assert column.to_pylist() == ["web-1 or other-web", None]
    # each interface keeps its own name
    assert names.interface(ec2_world.web["eni"]).name == "web-1"


def test_a_range_of_several_services_is_named_after_all_of_them_whatever_the_order() -> None:
    """A prefix is listed once per subset it is in ("every subset is also in the AMAZON
    subset": VPC User Guide, Syntax for AWS IP address range JSON) and a range may serve
    several services ("Route 53 health checks may use an EC2 IP address range": AWS IP
    address ranges). Before: the first non-AMAZON service listed won, so the same file in
    another order named 54.243.31.200 otherwise."""
    entries = [{"ip_prefix": "54.243.31.192/26", "region": "us-east-1", "service": s}
               for s in ("AMAZON", "EC2", "ROUTE53_HEALTHCHECKS")]
    named = {parse_ip_ranges({"prefixes": order}).table.lookup("54.243.31.200")
             for order in (entries, entries[::-1], entries[1:] + entries[:1])}
    assert named == {("AWS EC2/ROUTE53_HEALTHCHECKS us-east-1", "54.243.31.192/26")}
    only = parse_ip_ranges({"prefixes": entries[:1]}).table.lookup("54.243.31.200")
    assert only == ("AWS AMAZON us-east-1", "54.243.31.192/26")
