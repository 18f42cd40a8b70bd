"""Names instead of numbers: who an interface or an address is, and which rule refused a record.

Three sources (a user's names file, the account's EC2 inventory, AWS's published IP ranges)
resolve into one ``Names`` object (``resolve.py``) that the CLI, the filter, the story and the
TUI all read. ``rules.py`` evaluates today's network ACL and security groups against a
rejected record. No Textual here: the UI loads ``Names`` in a worker and asks it questions.
"""
