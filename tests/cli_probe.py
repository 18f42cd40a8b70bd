"""Run flowtui's entry point in a fresh process and learn which modules it loaded.

Import costs and memory are guarded by what a command loads (test_cli_startup: no boto3 for a
local cat, no pyarrow.compute on the questions' paths; test_loader_memory: no
pyarrow.dataset for top and hist); one probe serves both."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Runs flowtui's entry point, then reports every loaded module and Arrow's pool on stderr.
PROBE = """
import json, sys
from flowtui.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
pool = (sys.modules["pyarrow"].default_memory_pool().backend_name
        if "pyarrow" in sys.modules else None)
sys.stderr.write("LOADED " + json.dumps({"modules": sorted(sys.modules), "pool": pool}) + "\\n")
sys.exit(code)
"""


def modules_loaded_by(*args: str) -> tuple[subprocess.CompletedProcess[str], set[str],
                                           str | None]:
    """``flowtui ARGS`` run to its end: the process, every module it loaded, and the name of
    Arrow's memory pool (None when Arrow was not loaded)."""
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                            text=True, cwd=ROOT, timeout=120)
    lines = [line for line in result.stderr.splitlines() if line.startswith("LOADED ")]
    assert lines, result.stderr
    report = json.loads(lines[-1].removeprefix("LOADED "))
    return result, set(report["modules"]), report["pool"]
