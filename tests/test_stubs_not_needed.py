"""The boto3 type stubs (types-boto3-*, botocore-stubs) are in the test extra only: a user's
`pip install flowtui` does not have them, so no flowtui module may import them at run time
(they belong under ``if TYPE_CHECKING:``)."""

from __future__ import annotations

import subprocess
import sys

_IMPORT_ALL = """
import importlib, importlib.abc, pkgutil, sys

STUBS = ("types_boto3", "botocore_stubs", "boto3_stubs", "mypy_boto3", "s3transfer_stubs")

class NoStubs(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.startswith(STUBS):
            raise ImportError(f"{name} is a type stub: import it under TYPE_CHECKING")
        return None

sys.meta_path.insert(0, NoStubs())
import flowtui
names = [m.name for m in pkgutil.walk_packages(flowtui.__path__, "flowtui.")
         if not m.name.endswith("__main__")]
for name in names:
    importlib.import_module(name)
print(len(names))
"""


def test_every_module_imports_without_the_type_stubs() -> None:
    result = subprocess.run([sys.executable, "-c", _IMPORT_ALL], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert int(result.stdout) > 100  # every module was imported, not a few
