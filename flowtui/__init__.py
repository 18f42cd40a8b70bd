"""flowtui: a terminal explorer for AWS VPC Flow Logs in S3.

The package root and every module outside ``flowtui.ui`` are the core: format knowledge,
parsing, S3, loading, storing and explaining. They never import Textual, so the headless
CLI and the tests use them without a terminal.
"""

__version__ = "0.1.0"
