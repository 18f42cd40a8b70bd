"""Amazon Athena: the same question over more data than one machine should load.

Nothing here runs unless the user asks for Athena (``flowtui athena …``, ``--engine athena``).
"""
