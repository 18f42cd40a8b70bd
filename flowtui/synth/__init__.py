"""Realistic synthetic flow logs, deterministic by seed, for the demo, tests and benchmarks.

The face of the package: lines (``lines.py``) and the objects that carry them (``objects.py``).
The demo's daily incident is ``flowtui.synth.incident``.
"""

from flowtui.fields import DEFAULT_FIELDS, TGW_DEFAULT_FIELDS
from flowtui.synth.lines import (
    ALL_VPC_FIELDS,
    DEFAULT_START,
    V5_EXAMPLE_FIELDS,
    generate_lines,
    with_bad_lines,
)
from flowtui.synth.objects import (
    LAYOUTS,
    make_parquet_object,
    make_text_object,
    object_key,
    parquet_name,
)

__all__ = [
    "ALL_VPC_FIELDS",
    "DEFAULT_FIELDS",
    "DEFAULT_START",
    "LAYOUTS",
    "TGW_DEFAULT_FIELDS",
    "V5_EXAMPLE_FIELDS",
    "generate_lines",
    "make_parquet_object",
    "make_text_object",
    "object_key",
    "parquet_name",
    "with_bad_lines",
]
