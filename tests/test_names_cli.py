"""``--names`` on ``cat``, ``top`` and ``story`` as a user runs them (a subprocess), against
the EC2 world in moto (AWS_ENDPOINT_URL_EC2) and an ip-ranges.json file: FIELD.name columns
in every format, filters by name, top-N by name, the story in names with the rule."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.cli_fork import flowtui_run
from tests.ec2_world import HEADER, RANGES, World, flow_lines

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def files(ec2_world: World, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    w = ec2_world
    folder = tmp_path_factory.mktemp("names-cli")
    lines = flow_lines(w)
    log = folder / "flows.log"
    log.write_text(HEADER + "\n" + "\n".join(lines) + "\n")
    ranges = folder / "ip-ranges.json"
    ranges.write_text(json.dumps(RANGES))
    names = folder / "names.csv"
    names.write_text("cidr,name\n198.51.100.0/24,partner\n")
    return {"log": log, "ranges": ranges, "names": names, "folder": folder}


def flowtui(world: World, files: dict[str, Path], *args: str, names: bool = True
            ) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, AWS_ENDPOINT_URL_EC2=world.endpoint_url,
               XDG_CACHE_HOME=str(files["folder"] / "cache"))
    extra = ["--names", "--ip-ranges", str(files["ranges"]), "--region", world.region] \
        if names else []
    return flowtui_run(*args, *extra, cwd=ROOT, timeout=300, env=env)


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def test_cat_names_adds_name_columns(ec2_world: World, files: dict[str, Path]) -> None:
    w = ec2_world
    done = flowtui(w, files, "cat", str(files["log"]), "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    rows = jsonl(done.stdout)
    assert list(rows[0])[2:8] == ["interface-id", "interface-id.name", "srcaddr", "srcaddr.name",
                                  "dstaddr", "dstaddr.name"]
    assert [(r["interface-id.name"], r["srcaddr.name"], r["dstaddr.name"]) for r in rows] == [
        ("web-1", "web-1", "db-1"), ("db-1", "web-1", "db-1"), ("web-1", None, "web-1"),
        (f"NAT gateway {w.nat['id']}", f"NAT gateway {w.nat['id']}", "AWS S3 us-east-1"),
        (None, None, None)]
    assert "names from EC2 inventory of 123456789012 in ap-northeast-3" in done.stderr
    assert "AWS IP ranges of 2026-11-30-12-00-00" in done.stderr


def test_cat_names_in_csv_table_and_parquet(ec2_world: World, files: dict[str, Path]) -> None:
    w = ec2_world
    done = flowtui(w, files, "cat", str(files["log"]), "--format", "csv")
    table = list(csv.DictReader(io.StringIO(done.stdout)))
    assert table[2]["dstaddr.name"] == "web-1" and table[2]["srcaddr.name"] == ""
    # CSV reads text as plain strings, JSON lines as dictionaries: the same names
    fields = ("interface-id.name", "srcaddr.name", "dstaddr.name")
    rows = jsonl(flowtui(w, files, "cat", str(files["log"]), "--format", "jsonl").stdout)
    assert [[r[f] for f in fields] for r in table] == [[r[f] or "" for f in fields]
                                                        for r in rows]
    shown = flowtui(w, files, "cat", str(files["log"]))
    header, first = shown.stdout.splitlines()[:2]
    assert "interface-id.name" in header.split() and "web-1" in first.split()
    out = files["folder"] / "named.parquet"
    flowtui(w, files, "cat", str(files["log"]), "--format", "parquet", "--output", str(out))
    parquet = pq.read_table(out)
    assert parquet.column("dstaddr.name").to_pylist()[:3] == ["db-1", "db-1", "web-1"]


def test_filters_by_name(ec2_world: World, files: dict[str, Path]) -> None:
    w = ec2_world

    def ids(where: str, *more: str) -> list[tuple[str, str]]:
        done = flowtui(w, files, "cat", str(files["log"]), "--format", "jsonl", "--where",
                       where, *more)
        assert done.returncode == 0, done.stderr
        return [(r["interface-id"], r["dstport"]) for r in jsonl(done.stdout)]

    assert ids("name db-*") == [(w.web["eni"], 5432), (w.db["eni"], 5432)]
    assert ids("dstaddr.name = web-1") == [(w.web["eni"], 22)]
    assert ids("srcaddr.name = partner", "--names-file", str(files["names"])) == [
        (w.web["eni"], 22)]
    assert ids(f"sg {w.sg_db}") == [(w.db["eni"], 5432)]
    assert ids("reject and not name 'NAT*'") == [(w.web["eni"], 22)]
    assert ids("dstaddr.name = 'AWS S3*'", "--sort", "-bytes") == [(w.nat["eni"], 443)]


def test_a_name_filter_that_cannot_match_is_one_line(ec2_world: World,
                                                     files: dict[str, Path]) -> None:
    done = flowtui(ec2_world, files, "cat", str(files["log"]), "--where", "name wbe-1")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines()[-1].startswith(
        "flowtui: no interface or address is named 'wbe-1' (names like: web-1")
    bare = flowtui(ec2_world, files, "cat", str(files["log"]), "--where", "name web-1",
                   names=False)
    assert bare.returncode == 2
    assert bare.stderr.startswith("flowtui: name, sg and FIELD.name need names (--names")


def test_top_by_name(ec2_world: World, files: dict[str, Path]) -> None:
    done = flowtui(ec2_world, files, "top", str(files["log"]), "--by", "srcaddr.name",
                   "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    rows = jsonl(done.stdout)
    assert rows[0]["srcaddr.name"] == f"NAT gateway {ec2_world.nat['id']}"
    assert rows[0]["bytes"] == 9000
    assert {"srcaddr.name": "web-1", "records": 2, "packets": 10, "bytes": 1000} in rows
    refused = flowtui(ec2_world, files, "top", str(files["log"]), "--by", "srcaddr.name",
                      names=False)
    assert refused.returncode == 2 and "add --names" in refused.stderr
    # the field is named as typed, the hint outside its quotes (was: unknown field
    # 'srcaddr.name (add --names)', a name nobody typed)
    assert "unknown field 'srcaddr.name' (add --names)" in refused.stderr, refused.stderr


def test_story_speaks_in_names_and_names_the_rule(ec2_world: World,
                                                  files: dict[str, Path]) -> None:
    """The REJECT of ssh from 198.51.100.7: NACL rule 90 (inbound, deny tcp 22 from
    198.51.100.0/24) — entries are processed in ascending rule number (NetworkAclEntry)."""
    w = ec2_world
    done = flowtui(w, files, "story", str(files["log"]), "--where", "reject", "--format", "json")
    assert done.returncode == 0, done.stderr
    story = json.loads(done.stdout)
    assert story["who"] == f"198.51.100.7 → web-1 ({w.web['id']}, sg-web) tcp 22"
    assert story["names"] == {"interface-id": "web-1", "srcaddr": None, "dstaddr": "web-1"}
    rule = story["rule"]
    assert {k: rule[k] for k in ("kind", "id", "rule-number", "direction")} == {
        "kind": "network-acl", "id": w.acl, "rule-number": 90, "direction": "inbound"}
    assert rule["text"].startswith(f"NACL {w.acl} inbound rule 90 denies tcp 22 from "
                                   "198.51.100.0/24; if the NACL let it through, no rule of "
                                   f"sg-web ({w.sg_web}) allows tcp 22 from 198.51.100.7")
    assert "— today's configuration" in rule["text"]
    text = flowtui(w, files, "story", str(files["log"]), "--where", "reject")
    lines = text.stdout.splitlines()
    assert lines[1] == "verdict  rejected"
    assert f"who      198.51.100.7 → web-1 ({w.web['id']}, sg-web) tcp 22" in lines
    assert any(line.startswith(f"rule     NACL {w.acl} inbound rule 90 denies") for line in lines)
    plain = flowtui(w, files, "story", str(files["log"]), "--where", "reject", "--format",
                    "json", names=False)
    assert "rule" not in json.loads(plain.stdout)


def test_a_conversation_says_who_its_two_sides_are(ec2_world: World,
                                                  files: dict[str, Path]) -> None:
    """``story --conversation A B --names``: the title names both sides, the JSON has them;
    an address nobody knows stays a bare address; without --names no name is claimed."""
    w = ec2_world
    pair = (w.web["ip"], w.db["ip"])
    text = flowtui(w, files, "story", str(files["log"]), "--conversation", *pair)
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith(
        f"conversation {w.web['ip']} (web-1) ⇄ {w.db['ip']} (db-1): 1 group(s), 2 record(s)")
    done = flowtui(w, files, "story", str(files["log"]), "--conversation", *pair,
                   "--format", "json")
    assert json.loads(done.stdout)["names"] == {"a": "web-1", "b": "db-1"}
    unknown = flowtui(w, files, "story", str(files["log"]), "--conversation", "10.99.0.1",
                      "10.99.0.2")
    assert unknown.stdout.startswith("conversation 10.99.0.1 ⇄ 10.99.0.2: 1 group(s)")
    plain = flowtui(w, files, "story", str(files["log"]), "--conversation", *pair,
                    "--format", "json", names=False)
    assert "names" not in json.loads(plain.stdout)


def test_names_file_from_the_config(ec2_world: World, files: dict[str, Path],
                                    tmp_path: Path) -> None:
    """[names] names_file in config.toml is used with --names (a flag would win)."""
    conf = tmp_path / "config.toml"
    conf.write_text(f'[names]\nnames_file = "{files["names"]}"\n')
    env = dict(os.environ, AWS_ENDPOINT_URL_EC2=ec2_world.endpoint_url, FLOWTUI_CONFIG=str(conf),
               XDG_CACHE_HOME=str(files["folder"] / "cache"))
    done = flowtui_run("cat", str(files["log"]), "--names", "--ip-ranges", str(files["ranges"]),
                       "--region", ec2_world.region, "--format", "jsonl", "--where",
                       "srcaddr.name = partner", cwd=ROOT, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    assert [r["dstport"] for r in jsonl(done.stdout)] == [22]
    assert "names file (1 networks)" in done.stderr
