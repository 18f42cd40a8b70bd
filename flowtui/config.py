"""The user's settings: ``$XDG_CONFIG_HOME/flowtui/config.toml`` (else ``~/.config/…``).

Read once at start by the app and the CLI. A setting given on the command line wins over the
file. The file is checked whole before anything of it is used: a bad file is one line that
names the file, the line and the key, and flowtui then runs on its defaults — a half-applied
config (a keymap without the settings it was written with) would be harder to read than none.

No Textual here: the app checks keymap ids against its bindings itself (``ui/keymap.py``).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from flowtui.s3.url import S3Url, S3UrlError, is_s3_url

#: ``FLOWTUI_CONFIG`` names another file (tests, or one config per account).
ENV_PATH = "FLOWTUI_CONFIG"

EXAMPLE = """\
# flowtui settings. Every key is optional; a flag on the command line wins.
[aws]
profile = "logs-readonly"          # as --profile
region = "us-east-1"               # as --region
# endpoint_url = "http://127.0.0.1:5000"

[display]
theme = "ansi-dark"                # textual-dark, textual-light, ansi-dark, ansi-light
mode = "decoded"                   # raw or decoded: how the table starts
columns = ["start", "srcaddr", "srcport", "dstaddr", "dstport", "protocol", "action", "bytes"]

[athena]
database = "flowlogs"
table = "vpc"
workgroup = "primary"
output_location = "s3://my-athena-results/"
# flow_log = "fl-0123456789abcdef0"  # as --athena-flow-log (several formats in a folder)

[names]
names_file = "~/netnames.csv"      # cidr,name (issue #22's names)
ip_ranges = "~/ip-ranges.json"     # AWS's published ranges, read from this file

[bookmarks]                        # shown at the browser's root, reachable with ':'
prod = "s3://flow-logs-prod/AWSLogs/111122223333/vpcflowlogs/us-east-1/"

[filters]                          # saved filters: '/' then ':ssh' (or Tab)
ssh = "reject and port 22"

[keymap]                           # binding id (see '?') = keys
"table.sort" = "S"
"""


class ConfigError(ValueError):
    """One line: the file, the line number when known, the key, what is wrong."""


@dataclass(frozen=True)
class Settings:
    """Effective settings; ``None`` (or empty) means flowtui's default."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    theme: str | None = None
    mode: str | None = None
    columns: tuple[str, ...] = ()
    athena_database: str | None = None
    athena_table: str | None = None
    athena_workgroup: str | None = None
    athena_output_location: str | None = None
    athena_flow_log: str | None = None
    names_file: str | None = None
    ip_ranges: str | None = None
    bookmarks: Mapping[str, str] = field(default_factory=dict)
    filters: Mapping[str, str] = field(default_factory=dict)
    keymap: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Loaded:
    """What :func:`load` found: the settings to use, the file, and the reason the file was
    not used (``None`` when it was, or when there is none)."""

    settings: Settings
    path: Path
    exists: bool
    error: str | None = None


THEMES = ("textual-dark", "textual-light", "ansi-dark", "ansi-light")
MODES = ("raw", "decoded")

# section → key → (Settings field, kind)
_SCALARS: dict[str, dict[str, str]] = {
    "aws": {"profile": "profile", "region": "region", "endpoint_url": "endpoint_url"},
    "display": {"theme": "theme", "mode": "mode"},
    "athena": {"database": "athena_database", "table": "athena_table",
               "workgroup": "athena_workgroup", "output_location": "athena_output_location",
               "flow_log": "athena_flow_log"},
    "names": {"names_file": "names_file", "ip_ranges": "ip_ranges"},
}
_TABLES = ("bookmarks", "filters", "keymap")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def default_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get(ENV_PATH):
        return Path(env[ENV_PATH]).expanduser()
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")) / ".config")
    return Path(base).expanduser() / "flowtui" / "config.toml"


def load(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Loaded:
    """The settings from ``path`` (default: :func:`default_path`); never raises: a missing
    file is the defaults, a bad one the defaults with ``error`` saying why."""
    where = path or default_path(environ)
    try:
        text = where.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Loaded(Settings(), where, exists=False)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        return Loaded(Settings(), where, exists=True,
                      error=f"{where}: {reason}; using the defaults")
    try:
        return Loaded(parse(text, str(where)), where, exists=True)
    except ConfigError as exc:
        return Loaded(Settings(), where, exists=True, error=f"{exc}; using the defaults")


def parse(text: str, name: str = "config.toml") -> Settings:
    """Settings from TOML text, or :class:`ConfigError` naming the line and the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: {_one_line(str(exc))}") from None
    values: dict[str, object] = {}
    for section, body in data.items():
        where = _Where(text, name, section)
        if section in _SCALARS:
            if not isinstance(body, dict):
                raise where.error(None, "must be a table ([" + section + "])")
            for key, value in body.items():
                if section == "display" and key == "columns":
                    values["columns"] = _check_columns(where, value)
                    continue
                target = _SCALARS[section].get(key)
                if target is None:
                    raise where.error(key, "unknown key" + _nearest(key, _SCALARS[section]))
                if not isinstance(value, str) or not value.strip():
                    raise where.error(key, "must be a non-empty string")
                values[target] = _check_scalar(where, key, target, value)
        elif section in _TABLES:
            if not isinstance(body, dict):
                raise where.error(None, "must be a table ([" + section + "])")
            values[section] = _check_table(where, section, body)
        else:
            known = [*_SCALARS, *_TABLES]
            raise where.error(None, f"unknown section [{section}]" + _nearest(section, known))
    return Settings(**values)  # type: ignore[arg-type]


def error_at(path: Path, section: str, key: str | None, what: str) -> str:
    """The one line for a mistake found after parsing (the app's keymap ids), with the line
    of ``key`` in ``path``, as :func:`load` words its own."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    return f"{_Where(text, str(path), section).error(key, what)}; using the defaults"


def render(settings: Settings) -> str:
    """The effective settings as TOML (``flowtui config``), defaults as comments."""
    lines: list[str] = []
    for section, keys in _SCALARS.items():
        lines.append(f"[{section}]")
        for key, target in keys.items():
            value = getattr(settings, target)
            lines.append(f"{key} = {_toml_str(value)}" if value is not None
                         else f"# {key} = (default)")
        if section == "display":
            lines.append("columns = [" + ", ".join(_toml_str(c) for c in settings.columns) + "]"
                         if settings.columns else "# columns = (default)")
        lines.append("")
    for section in _TABLES:
        lines.append(f"[{section}]")
        table = getattr(settings, section)
        for key, value in table.items():
            lines.append(f"{_toml_str(key)} = {_toml_str(value)}")
        if not table:
            lines.append("# (none)")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# ------------------------------------------------------------------ checks


class _Where:
    """Finds the line of a key in its section, for messages (tomllib gives none)."""

    def __init__(self, text: str, name: str, section: str) -> None:
        self.text, self.name, self.section = text, name, section

    def line_of(self, key: str | None) -> int | None:
        current = None
        header = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$")
        for number, line in enumerate(self.text.splitlines(), 1):
            match = header.match(line)
            if match:
                current = match.group(1).strip().strip('"')
                if key is None and current == self.section:
                    return number
                continue
            if key is not None and current == self.section:
                stripped = line.lstrip()
                for quoted in (key, f'"{key}"', f"'{key}'"):
                    if stripped.startswith(quoted) and \
                            stripped[len(quoted):].lstrip().startswith("="):
                        return number
        return None

    def error(self, key: str | None, what: str) -> ConfigError:
        line = self.line_of(key)
        at = f" line {line}" if line else ""
        label = f"[{self.section}] {key}" if key is not None else f"[{self.section}]"
        return ConfigError(f"{self.name}{at}: {_one_line(label)}: {what}")


def _check_scalar(where: _Where, key: str, target: str, value: str) -> str:
    if target == "theme" and value not in THEMES:
        raise where.error(key, f"{value!r} is not a theme (one of {', '.join(THEMES)})")
    if target == "mode" and value not in MODES:
        raise where.error(key, f"{value!r}: must be raw or decoded")
    if target == "athena_output_location" and (why := _not_s3(value)) is not None:
        raise where.error(key, f"must be an s3:// location{why}")
    if target == "athena_flow_log":
        from flowtui.athena.table import TableError, flow_log_ids

        try:
            flow_log_ids([value], "flow_log")
        except TableError as exc:
            raise where.error(key, str(exc).removeprefix("flow_log ")) from None
    if target == "endpoint_url" and not re.match(r"^https?://", value):
        raise where.error(key, "must start with http:// or https://")
    return value


def _not_s3(value: str) -> str | None:
    """None for an S3 location; else what to add to the message ("" when it is no URL at all,
    the parse error's reason when it starts like one, e.g. ``s3://`` without a bucket)."""
    if not is_s3_url(value):
        return ""
    try:
        S3Url.parse(value)
    except S3UrlError as exc:
        return f": {exc}"
    return None


def _check_table(where: _Where, section: str, body: dict[str, object]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in body.items():
        if not isinstance(value, str) or not value.strip():
            raise where.error(key, "must be a non-empty string")
        if section in ("bookmarks", "filters") and not _NAME.match(key):
            raise where.error(key, "names are letters, digits, '.', '_' and '-' (at most 64)")
        if section == "bookmarks" and (why := _not_s3(value)) is not None:
            raise where.error(key, f"a bookmark is an s3://bucket/prefix location{why}")
        if section == "filters":
            _check_filter(where, key, value)
        if section == "keymap" and not re.match(r"^[\w.-]+$", key):
            raise where.error(key, "not a binding id (see ? in the app)")
        out[key] = value
    return out


def _check_filter(where: _Where, key: str, value: str) -> None:
    from flowtui.query.expr import FilterError
    from flowtui.query.expr import parse as parse_filter

    try:
        parse_filter(value)
    except FilterError as exc:
        raise where.error(key, f"not a filter: {_one_line(str(exc))}") from None


def _check_columns(where: _Where, columns: object) -> tuple[str, ...]:
    from flowtui.fields import FIELDS

    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise where.error("columns", "must be a list of field names")
    for column in columns:
        if column not in FIELDS:
            raise where.error("columns", f"unknown field {column!r}" + _nearest(column, FIELDS))
    return tuple(columns)


def _nearest(word: str, choices: object) -> str:
    import difflib

    names = [str(c) for c in choices]  # type: ignore[attr-defined]
    close = difflib.get_close_matches(word, names, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _toml_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def _one_line(text: str) -> str:
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


__all__ = ["ConfigError", "EXAMPLE", "Loaded", "Settings", "default_path", "load", "parse",
           "render"]
