"""The demo's EC2: names for the incident's hosts and the NACL rule behind the REJECTed
replies, with no download and nothing left in the user's cache."""

from __future__ import annotations

import os
from pathlib import Path

from flowtui import demo, demo_ec2
from flowtui.names.resolve import NamesOptions, load_names
from flowtui.names.rules import which_rule


def test_demo_names_the_incident_and_its_rule(monkeypatch: object) -> None:
    """WEB's replies to the NACL clients' ephemeral ports leave the public subnet and meet
    outbound rule 90 (deny tcp 1024-65535 to 198.51.100.0/28): NACL entries are processed
    in ascending rule number, and a NACL is stateless (VPC User Guide, network ACL rules)."""
    before = {k: os.environ.get(k) for k in ("AWS_ENDPOINT_URL_EC2", "FLOWTUI_IP_RANGES",
                                             "FLOWTUI_NAMES_CACHE", "MOTO_ACCOUNT_ID")}
    server = demo.start_server()
    try:
        ids = demo_ec2.seed(server.endpoint_url)
        assert demo_ec2.seed(server.endpoint_url) == ids  # once per process
        names = load_names(NamesOptions(scopes=((demo.ACCOUNT_A, "us-east-1"),),
                                        download_ip_ranges=False))
        assert names.notes == []
        web, bastion, app = demo_ec2.incident_hosts()
        assert names.interface(web.eni).label() == f"web-1 ({web.instance}, sg-web)"  # type: ignore[union-attr]
        assert names.address(bastion.ip) == "bastion-1" and names.address(app.ip) == "app-1"
        assert names.address("52.216.9.9") == "AWS S3 us-east-1"  # the demo's ranges file
        # a NAT gateway takes no security group (moto gives its interface the default one)
        nat = next(i for i in names.interfaces.by_id.values() if i.kind == "nat-gateway")
        assert nat.security_groups == () and nat.label() == f"NAT gateway {ids['nat']}"
        reply = {"interface-id": web.eni, "srcaddr": web.ip, "dstaddr": "198.51.100.7",
                 "srcport": 443, "dstport": 50514, "protocol": 6, "action": "REJECT"}
        rule = which_rule(reply, names)
        assert rule is not None and (rule["kind"], rule["id"], rule["rule-number"]) == (
            "network-acl", ids["acl"], demo_ec2.NACL_RULE)
        assert rule["text"].startswith(f"NACL {ids['acl']} outbound rule 90 denies tcp "
                                       "1024-65535 to 198.51.100.0/28")
        guess = {"interface-id": bastion.eni, "srcaddr": "198.51.100.23",
                 "dstaddr": bastion.ip, "srcport": 40000, "dstport": 22, "protocol": 6}
        refused = which_rule(guess, names)
        assert refused is not None and refused["id"] == ids["sg-bastion"]
        cache = Path(os.environ["FLOWTUI_NAMES_CACHE"])
        assert any(cache.iterdir())  # the inventory was cached in the demo's own folder
    finally:
        server.stop()
    assert not cache.exists()
    assert {k: os.environ.get(k) for k in before} == before
