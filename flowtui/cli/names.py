"""``--names`` and its options on ``cat``, ``top`` and ``story``: load the names once (the
command puts them on ``args.names_loaded``; the loader's keeper adds ``FIELD.name`` columns
and the query resolves ``name``/``sg`` filter terms with them).

Light at import (argparse only): the names core, Arrow and boto3 load when a command runs
with ``--names``. Loading reads EC2 and perhaps downloads AWS's IP ranges, so it happens once,
before the records, and each source that can't be read is one line on stderr.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from flowtui.cli.args import say


def add_names_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("names (interfaces, addresses, the rule behind a REJECT)")
    group.add_argument("--names", action="store_true",
                       help="add FIELD.name beside interface-id, srcaddr and dstaddr: names "
                            "from the EC2 inventory (ec2:Describe*), AWS's IP ranges and "
                            "--names-file; the story names the rule that refused a REJECT")
    group.add_argument("--names-file", metavar="FILE",
                       help="CSV of cidr,name for networks EC2 doesn't know (on-premises, "
                            "partners); the narrowest network wins; implies --names")
    group.add_argument("--ip-ranges", metavar="FILE",
                       help="AWS's ip-ranges.json to read instead of downloading it once; "
                            "implies --names")
    group.add_argument("--refresh-names", action="store_true",
                       help="read the EC2 inventory (and the IP ranges) again instead of "
                            "the cached copy; implies --names")


def wanted(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "names", False) or getattr(args, "names_file", None)
                or getattr(args, "ip_ranges", None) or getattr(args, "refresh_names", False))


def load(args: argparse.Namespace) -> Any:
    """The ``Names`` for ``args`` (None without --names), or an exit code after one line.
    Notes (a missing permission, offline) and where the names came from go to stderr."""
    if not wanted(args):
        return None
    from flowtui import config
    from flowtui.names.namesfile import NamesFileError
    from flowtui.names.resolve import NamesOptions, load_names, scopes_from_paths

    loaded = config.load()  # [names] names_file / ip_ranges; a flag wins
    if loaded.error:
        say(loaded.error)
    settings = loaded.settings
    region = getattr(args, "region", None) or default_region(getattr(args, "profile", None))
    options = NamesOptions(
        names_file=user_path(args.names_file or settings.names_file),
        ip_ranges=user_path(args.ip_ranges or settings.ip_ranges), refresh=args.refresh_names,
        profile=getattr(args, "profile", None),
        endpoint_url=os.environ.get("AWS_ENDPOINT_URL_EC2") or None,
        scopes=scopes_from_paths(args.paths, region))
    try:
        names = load_names(options)
    except NamesFileError as exc:
        say(str(exc))
        return 2
    for note in names.notes:
        say(note)
    say(names.describe())
    return names


def user_path(text: str | None) -> str | None:
    """A file named by a flag or the config, ``~`` expanded."""
    return os.path.expanduser(text) if text else None


def default_region(profile: str | None) -> str | None:
    """The profile's region (local files name no region; their names need one)."""
    try:
        import boto3

        return boto3.session.Session(profile_name=profile).region_name
    except Exception:  # a bad profile is said by the S3 client's own message
        return None


def read_as(columns: list[str]) -> list[str]:
    """The fields read for ``columns`` (``--by``/``--columns``): FIELD.name is read as
    FIELD, and an address's name also needs the record's interface-id (names.resolve:
    the inventory names an address only on a record whose interface it knows)."""
    read = [c.removesuffix(".name") for c in columns]
    if any(c.endswith(".name") and c != "interface-id.name" for c in columns):
        read.append("interface-id")
    return list(dict.fromkeys(read))


def column_name(text: str, names: Any) -> str:
    """A ``--columns``/``--by`` name: a field, or ``FIELD.name`` when names are loaded.
    Raises ``UnknownField`` (with a hint to add --names for a FIELD.name)."""
    # The constants as the filter language has them: names.resolve (and the Arrow compute
    # module it imports) only once names are loaded.
    from flowtui.query.named import NAME_FIELDS, SUFFIX
    from flowtui.query.query import UnknownField, field_name

    text = text.strip()
    if text.lower().endswith(SUFFIX):
        base = field_name(text[: -len(SUFFIX)])
        if base in NAME_FIELDS:
            if names is None:
                raise UnknownField(text, why="add --names")
            return base + SUFFIX
        raise UnknownField(text)
    return field_name(text)


__all__ = ["add_names_arguments", "column_name", "read_as", "default_region", "load", "user_path",
           "wanted"]
