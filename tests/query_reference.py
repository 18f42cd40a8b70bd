"""The filter's meaning in plain Python, row by row: the yardstick the engines are held to.

Written from the semantics (expr.py's docstrings and the query-core issue), not from any
engine: a leaf that meets a missing value (None, or a column the row does not have) is false;
``Not`` is the complement; a regex is searched anywhere (Python ``re.search``), a glob matches
the whole text (``fnmatch.fnmatchcase``), a network holds an address of its own IP version
(``ipaddress``), and text that is not an address is in no network.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import operator
import re
from collections.abc import Callable, Mapping

from flowtui.query.expr import (
    And,
    Compare,
    Const,
    Expr,
    FlagsAll,
    InNet,
    InSet,
    Match,
    Not,
    Or,
)

_OPS: dict[str, Callable[[object, object], bool]] = {
    "=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge,
}


def evaluate(expr: Expr, row: Mapping[str, object]) -> bool:
    match expr:
        case Const(value):
            return value
        case Not(item):
            return not evaluate(item, row)
        case And(items):
            return all(evaluate(item, row) for item in items)
        case Or(items):
            return any(evaluate(item, row) for item in items)
    value = row.get(expr.field)
    if value is None:
        return False
    match expr:
        case Compare(_, op, wanted):
            if type(value) is not type(wanted):
                raise TypeError(f"{expr!r} against {value!r}: an ill-typed tree")
            return _OPS[op](value, wanted)
        case InSet(_, values):
            return value in values
        case InNet(_, networks):
            try:
                address = ipaddress.ip_address(str(value))
            except ValueError:
                return False
            return any(address.version == net.version and address in net
                       for net in map(ipaddress.ip_network, networks))
        case Match(_, pattern, "regex"):
            return re.search(pattern, str(value)) is not None
        case Match(_, pattern, "glob"):
            return fnmatch.fnmatchcase(str(value), pattern)
        case FlagsAll(_, mask):
            assert isinstance(value, int)
            return value & mask == mask
    raise TypeError(f"not an expression: {expr!r}")


def matching(expr: Expr, rows: list[Mapping[str, object]]) -> list[int]:
    """Indices of the rows ``expr`` keeps."""
    return [i for i, row in enumerate(rows) if evaluate(expr, row)]
