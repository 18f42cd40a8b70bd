"""Names benchmark: ``flowtui cat --names`` against ``cat`` without names, on 1M records.

Whole processes, as a user runs them, on bench_parse's 1M-record gzip flow log (200
interfaces, public peers by the thousand). The names are the three sources a user has: an
EC2 inventory naming every interface of the file and its address (written into a cache
folder of this run, as a previous ``--names`` run would leave it: no EC2 call is made), AWS's
IP ranges for the AWS addresses synth draws (the demo's file), and a names file of a few
private networks. Both commands go through the same loader path (``--output FILE``), jsonl
and csv; plain ``cat > /dev/null`` is shown for reference. Interleaved, best of --repeat.

Target (issue 22): naming adds <= 10 % to cat's wall time.

    python bench/bench_names.py [--records 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_cli import best_interleaved  # noqa: E402
from bench.bench_parse import sample_file  # noqa: E402

TARGET = 1.10
REGION = "us-east-1"


def inventory_for(path: Path) -> dict[str, object]:
    """An inventory document (the cache's format) naming every interface of the file."""
    from flowtui.localfiles import read_batches
    from flowtui.names.inventory import CACHE_VERSION
    from flowtui.parser import FlowLogParser

    own: dict[str, str] = {}  # interface id → its own address (the side seen on every record)
    seen: dict[str, dict[str, int]] = {}
    for batch in read_batches(path, FlowLogParser(name=str(path))):
        table = batch.select(["interface-id", "srcaddr", "dstaddr"]).to_pydict()
        for eni, src, dst in zip(table["interface-id"], table["srcaddr"], table["dstaddr"],
                                 strict=True):
            if eni is None:
                continue
            counts = seen.setdefault(eni, {})
            for address in (src, dst):
                if address is not None:
                    counts[address] = counts.get(address, 0) + 1
    for eni, counts in seen.items():
        own[eni] = max(counts, key=counts.__getitem__)
    interfaces = []
    reservations = []
    for number, (eni, address) in enumerate(sorted(own.items())):
        instance = f"i-{number:017x}"
        interfaces.append({"NetworkInterfaceId": eni, "PrivateIpAddress": address,
                           "PrivateIpAddresses": [{"PrivateIpAddress": address}],
                           "SubnetId": "subnet-0bench", "VpcId": "vpc-0bench",
                           "OwnerId": "111122223333", "Attachment": {"InstanceId": instance},
                           "Groups": [{"GroupId": "sg-0bench", "GroupName": "bench"}]})
        reservations.append({"Instances": [{"InstanceId": instance, "Tags": [
            {"Key": "Name", "Value": f"host-{number}"}]}]})
    return {"version": CACHE_VERSION, "region": REGION, "fetched_at": time.time(),
            "interfaces": interfaces, "reservations": reservations, "security_groups": [],
            "network_acls": [], "subnets": [], "vpcs": []}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from flowtui.demo_ec2 import ip_ranges_document

    path = sample_file(args.records)
    work = Path(tempfile.mkdtemp(prefix="flowtui-bench-names-"))
    cache = work / "cache" / "flowtui"
    cache.mkdir(parents=True)
    inventory = inventory_for(path)
    (cache / f"ec2-default-{REGION}.json").write_text(json.dumps(inventory))
    ranges = work / "ip-ranges.json"
    ranges.write_text(json.dumps(ip_ranges_document()))
    names_file = work / "names.csv"
    names_file.write_text("cidr,name\n10.0.0.0/8,corp\n10.3.0.0/16,vpn-paris\n")
    os.environ["XDG_CACHE_HOME"] = str(work / "cache")
    os.environ.pop("FLOWTUI_NAMES_CACHE", None)
    flowtui = [sys.executable, "-m", "flowtui", "cat", str(path)]
    names = ["--names", "--ip-ranges", str(ranges), "--names-file", str(names_file),
             "--region", REGION]
    commands: dict[str, list[str]] = {"cat > /dev/null (jsonl)": [*flowtui, "--format", "jsonl"]}
    for fmt in ("jsonl", "csv"):
        out = str(work / f"out.{fmt}")
        commands[f"cat {fmt}"] = [*flowtui, "--format", fmt, "--output", out]
        commands[f"cat {fmt} --names"] = [*flowtui, "--format", fmt, "--output", out, *names]
    print(f"input: {path.name}: {path.stat().st_size / 1e6:.1f} MB gzip; "
          f"{len(inventory['interfaces'])} interfaces named (cached inventory), "  # type: ignore[arg-type]
          f"{len(ip_ranges_document()['prefixes'])} IP-range prefixes, a 2-line names file; "
          f"best of {args.repeat}, interleaved; {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f}")
    best = best_interleaved(commands, args.repeat)
    print(f"{'command':<26} {'wall s':>7} {'cpu s':>7}")
    for name, (wall, cpu) in best.items():
        print(f"{name:<26} {wall:7.3f} {cpu:7.3f}")
    for fmt in ("jsonl", "csv"):
        plain, named = best[f"cat {fmt}"], best[f"cat {fmt} --names"]
        ratio = named[0] / plain[0]
        verdict = "ok" if ratio <= TARGET else "OVER"
        print(f"--names / without, {fmt}: wall {ratio:.3f} (target <= {TARGET:.2f}: {verdict}),"
              f" cpu {named[1] / plain[1]:.3f}")


if __name__ == "__main__":
    main()
