"""``python -m flowtui`` runs the same entry point as the ``flowtui`` script."""

from flowtui.cli.main import entry

entry()
