"""Athena in the TUI: the large-folder offer, the table dialog, the SQL screen."""
