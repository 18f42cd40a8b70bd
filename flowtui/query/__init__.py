"""Questions asked of the loaded records: which rows, in what order, grouped how.

Between the store and both front ends: the CLI's flags and the TUI's filter bar build the same
``Query``; nothing here knows argparse or Textual.
"""
