"""``flowtui athena ddl --apply`` speaks as every other command does, against moto's Athena.

Every message of the CLI is one line on stderr prefixed ``flowtui: `` (cli/main.py), so a
user (or a script reading stderr) can tell flowtui's words from the statement on stdout and
from other programs' output. A statement Athena did not run leaves nothing done: exit 2 with
one line that says why and what to do, as a bad argument does, not 1 (some output written).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.cli_fork import flowtui_run

ROOT = Path(__file__).resolve().parent.parent


def _apply(s3_server, *extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, AWS_ENDPOINT_URL_ATHENA=s3_server.endpoint_url)
    return flowtui_run("athena", "ddl", f"s3://{s3_server.main_bucket}/hive/", "--apply",
                       "--yes", "--database", "logs", "--table", "vpc", "--endpoint-url",
                       s3_server.endpoint_url, *extra, cwd=ROOT, env=env, timeout=120)


def test_apply_says_every_line_as_flowtui(s3_server) -> None:
    done = _apply(s3_server, "--output-location", "s3://r/q/")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("CREATE EXTERNAL TABLE")
    lines = done.stderr.splitlines()
    assert lines and all(line.startswith("flowtui: ") for line in lines), done.stderr
    assert any(line.startswith("flowtui: athena succeeded") for line in lines), done.stderr
    assert lines[-1] == "flowtui: table logs.vpc created"


def test_a_statement_athena_did_not_run_is_exit_2_and_one_line(s3_server) -> None:
    done = _apply(s3_server, "--workgroup", "no-such-group", "--output-location", "s3://r/q/")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert all(line.startswith("flowtui: ") for line in lines), done.stderr
    last = lines[-1]
    assert last.startswith("flowtui: Athena"), done.stderr
    assert "no-such-group" in last or "WorkGroup" in last, last  # why, in Athena's words
    assert "logs.vpc was not created" in last  # what it means
    assert "the statement above" in last, last  # what to do
