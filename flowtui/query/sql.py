"""A filter expression (and the queries built on it) as SQL for DuckDB and Athena (Trino).

Athena is where a month of an organisation's flow logs can be asked the question the user typed
in the filter bar; DuckDB is the local engine the tests and benchmarks hold the Arrow path
against. Both get the same tree (``expr.py``) with the same meaning, so the SQL keeps the
two-valued logic: every leaf is ``COALESCE(leaf, FALSE)`` (a missing value or a column the
table lacks is false), which makes ``NOT`` the exact complement, as in the Arrow path.

The SQL is built as sqlglot expressions and generated per dialect, so quoting and literals are
sqlglot's (a value with a quote cannot end its string literal). Columns are named as AWS's
Athena tables name them: ``log-status`` → ``log_status``; ``end`` is quoted.

Network tests: Athena has an ``IPADDRESS`` type and ``contains(cidr, address)``. DuckDB has
one only in its ``inet`` extension, which flowtui cannot count on (it is downloaded at run
time), so the DuckDB form is plain SQL: an IPv4 address is read as its 32-bit number, an IPv6
address (``::`` expanded, an embedded IPv4 tail converted, any case) as 32 lowercase hex
digits, and a network is the range between its first and last address in that form. Text
that is not an address in Python's ``ipaddress`` reading (octets with leading zeros, two
``::``…) matches no network, in both dialects; an address matches only networks of its own
IP version (``::ffff:10.0.0.1`` is IPv6, not inside ``10.0.0.0/8``), in both dialects.
Zone-scoped IPv6 text (``fe80::1%eth0``, never in flow logs) matches nothing in DuckDB.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from typing import Literal

import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.dialects.trino import Trino
from sqlglot.generator import Generator
from sqlglot.generators.duckdb import DuckDBGenerator
from sqlglot.generators.trino import TrinoGenerator

from flowtui.fields import ADDRESS_FIELDS, is_integer
from flowtui.query.expr import (
    And,
    Compare,
    Const,
    Expr,
    FlagsAll,
    InNet,
    InSet,
    Leaf,
    Match,
    Not,
    Or,
)
from flowtui.query.patterns import NO_MATCH, glob_regex

Dialect = Literal["duckdb", "athena"]
DIALECTS: tuple[Dialect, ...] = ("duckdb", "athena")
METRICS = ("records", "packets", "bytes")
EVERYTHING: Expr = Const(True)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1

#: Trino's reserved words (its SQL reference), quoted whatever sqlglot's own list says.
_RESERVED = frozenset("""
alter and as between by case cast constraint create cross cube current_catalog current_date
current_path current_role current_schema current_time current_timestamp current_user
deallocate delete describe distinct drop else end escape except execute exists extract false
for from full group grouping having in inner insert intersect into is join json_array
json_exists json_object json_query json_table json_value left like listagg localtime
localtimestamp natural normalize not null on or order outer prepare recursive right rollup
select skip table then trim true uescape union unnest using values when where with
""".split())
_PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def sql_name(field: str) -> str:
    """A field's column name in an Athena table: ``log-status`` → ``log_status``."""
    return field.strip().lower().replace("-", "_")


def column(field: str) -> exp.Column:
    name = sql_name(field)
    quoted = name in _RESERVED or not _PLAIN_NAME.fullmatch(name)
    return exp.column(exp.to_identifier(name, quoted=quoted))


TableRef = str | tuple[str, str]


def table_name(database: str | None, table: str) -> tuple[str, str]:
    """(database, table) as the user named them: ``--table db.tbl`` names its own database
    (Athena would read ``default.db.tbl`` as catalog ``default``); names are 1-255 bytes
    of printable text (Athena's naming rules; quoting makes any such name safe in SQL).
    Raises ValueError with one line."""
    if "." in table:  # database.table: its own database, whatever --database says
        database, table = table.split(".", 1)
    database = "default" if database is None else database
    for what, name in (("database", database), ("table", table)):
        if not name.strip():
            raise ValueError(f"the {what} name is empty")
        if len(name.encode()) > 255:
            raise ValueError(f"the {what} name is longer than 255 bytes (Athena's limit)")
        if not name.isprintable():
            raise ValueError(f"the {what} name holds control characters")
    if "." in table:
        raise ValueError(f"the table name {table!r} holds a '.' (database.table is one dot)")
    return database, table


def _table(table: TableRef, dialect: Dialect) -> exp.Table:
    """A table reference: dotted text (``db.tbl``), or (database, table) quoted as needed."""
    if isinstance(table, str):
        return exp.to_table(table, dialect=_dialect(dialect))
    database, name = table

    def ident(text: str) -> exp.Identifier:
        plain = _PLAIN_NAME.fullmatch(text) is not None and text not in _RESERVED
        return exp.to_identifier(text, quoted=not plain)

    return exp.Table(this=ident(name), db=ident(database))


class _ExplicitNulls(Generator):
    """An ORDER BY term with its direction and its null placement both written out.

    sqlglot leaves out a ``NULLS LAST`` that is the dialect's default, and the order of
    missing values then rests on a setting: Trino's documented default is NULLS LAST
    regardless of the direction, DuckDB's is NULLS LAST only until a session changes
    ``default_null_order``. The table's sort puts missing values last either way; the SQL
    says so, so the rows come back in that order wherever it runs."""

    def ordered_sql(self, expression: exp.Ordered) -> str:
        direction = " DESC" if expression.args.get("desc") else " ASC"
        nulls = " NULLS FIRST" if expression.args.get("nulls_first") else " NULLS LAST"
        return f"{self.sql(expression, 'this')}{direction}{nulls}"


class _DuckDBWriter(_ExplicitNulls, DuckDBGenerator):
    pass


class _TrinoWriter(_ExplicitNulls, TrinoGenerator):
    pass


class FlowtuiDuckDB(DuckDB):
    """DuckDB, with every ORDER BY term's null placement written out."""

    Generator = _DuckDBWriter


class FlowtuiTrino(Trino):
    """Trino (Athena), with every ORDER BY term's null placement written out."""

    Generator = _TrinoWriter


_SQLGLOT_DIALECT: dict[str, type[sqlglot.Dialect]] = {"duckdb": FlowtuiDuckDB,
                                                       "athena": FlowtuiTrino}


def _dialect(dialect: str) -> type[sqlglot.Dialect]:
    try:
        return _SQLGLOT_DIALECT[dialect]
    except KeyError:
        raise ValueError(f"unknown SQL dialect {dialect!r}: use duckdb or athena") from None


# ------------------------------------------------------------------------------ the filter


def condition(expr: Expr, columns: Iterable[str], dialect: Dialect) -> exp.Expr:
    """The filter as a sqlglot boolean expression that is never NULL.

    ``columns``: the table's columns, in AWS or SQL spelling; a leaf on a field the table
    lacks is FALSE.
    """
    _dialect(dialect)
    return _Compiler({sql_name(c) for c in columns}, dialect).build(expr)


def predicate_sql(expr: Expr, columns: Iterable[str], dialect: Dialect) -> str:
    """The filter as SQL boolean text in ``dialect``."""
    return condition(expr, columns, dialect).sql(dialect=_dialect(dialect))


def where_clause(expr: Expr, columns: Iterable[str], dialect: Dialect) -> str:
    """``WHERE …`` for the filter; empty when it keeps every row."""
    if isinstance(expr, Const) and expr.value:
        return ""
    return "WHERE " + predicate_sql(expr, columns, dialect)


class _Compiler:
    def __init__(self, columns: set[str], dialect: Dialect) -> None:
        self.columns = columns
        self.dialect = dialect

    def build(self, expr: Expr) -> exp.Expr:
        match expr:
            case Const(value):
                return exp.true() if value else exp.false()
            case Not(item):
                return exp.not_(self.build(item))
            case And(items):
                return exp.and_(*(self.build(i) for i in items)) if items else exp.true()
            case Or(items):
                return exp.or_(*(self.build(i) for i in items)) if items else exp.false()
            case _:
                if sql_name(expr.field) not in self.columns:
                    return exp.false()
                leaf = self._leaf(expr)
                if isinstance(leaf, exp.Boolean):
                    return leaf
                return exp.Coalesce(this=leaf, expressions=[exp.false()])

    def _leaf(self, leaf: Leaf) -> exp.Expr:
        numeric = is_integer(leaf.field)
        col: exp.Expr = column(leaf.field)
        if not numeric:
            # A table made from AWS's own DDL has no NULL DEFINED AS '-': there '-' is a
            # string, here it is a missing value (false in every comparison), on either table.
            col = exp.Nullif(this=col, expression=exp.Literal.string("-"))
        match leaf:
            case Compare(_, op, value):
                return _compare(col, numeric, op, value)
            case InSet(_, values):
                return _in_set(col, numeric, values)
            case Match(_, pattern, "regex"):
                return self._regex(_text(col, numeric), pattern)
            case Match(_, pattern, _glob):
                return self._glob(_text(col, numeric), pattern)
            case FlagsAll(_, mask):
                target = col if numeric else exp.TryCast(this=col, to=exp.DataType.build(
                    "BIGINT"))
                bits = exp.Literal.number(mask)
                return exp.EQ(this=exp.paren(exp.BitwiseAnd(this=target, expression=bits)),
                              expression=bits.copy())
            case InNet(_, networks):
                return self._in_net(col, networks)
        raise TypeError(f"not a leaf: {leaf!r}")

    def _regex(self, text: exp.Expr, pattern: str) -> exp.Expr:
        # Both search anywhere in the text (not a full match): DuckDB's regexp_matches (RE2)
        # and Trino's regexp_like (Java-style syntax).
        return exp.RegexpLike(this=text, expression=exp.Literal.string(pattern))

    def _glob(self, text: exp.Expr, pattern: str) -> exp.Expr:
        if "[" not in pattern:
            return exp.Escape(this=exp.Like(this=text, expression=exp.Literal.string(
                _like_pattern(pattern))), expression=exp.Literal.string("\\"))
        regex = glob_regex(pattern)
        return exp.false() if regex == NO_MATCH else self._regex(text, regex)

    def _in_net(self, col: exp.Expr, networks: Sequence[str]) -> exp.Expr:
        nets = [ipaddress.ip_network(n, strict=False) for n in networks]
        v4 = [n for n in nets if n.version == 4]
        v6 = [n for n in nets if n.version == 6]
        if self.dialect == "athena":
            return _athena_in_net(col, v4, v6)
        tests: list[exp.Expr] = []
        if v4:
            tests.append(_duck_ranges(_duck_v4_number(col),
                                      [(int(n.network_address), int(n.broadcast_address))
                                       for n in v4], exp.Literal.number))
        if v6:
            tests.append(_duck_ranges(_duck_v6_hex(col),
                                      [(int(n.network_address), int(n.broadcast_address))
                                       for n in v6],
                                      lambda v: exp.Literal.string(f"{v:032x}")))
        return exp.or_(*tests) if tests else exp.false()


def _text(col: exp.Expr, numeric: bool) -> exp.Expr:
    """A column as text for a pattern: integers in decimal, as the Arrow path casts them."""
    return exp.cast(col, exp.DataType.build("VARCHAR")) if numeric else col


def _number(value: int | str) -> int | None:
    """A value for an integer column, as the Arrow path reads it (a word that is no number
    matches no integer)."""
    if isinstance(value, int):
        return value
    try:
        return int(value)
    except ValueError:
        return None


_OPERATORS = {"=": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT,
              ">=": exp.GTE}


def _compare(col: exp.Expr, numeric: bool, op: str, value: int | str) -> exp.Expr:
    operator = _OPERATORS[op]
    if not numeric:
        return operator(this=col, expression=exp.Literal.string(str(value)))
    number = _number(value)
    if number is None:  # a word against a number column compares as text, as in Arrow
        return operator(this=_text(col, True), expression=exp.Literal.string(str(value)))
    if _INT64_MIN <= number <= _INT64_MAX:
        return operator(this=col, expression=exp.Literal.number(number))
    # Beyond any column's range (Trino would read the literal as a decimal, or refuse it):
    # the answer is known for every present value.
    above = number > _INT64_MAX
    always = {"=": False, "!=": True, "<": above, "<=": above, ">": not above,
              ">=": not above}[op]
    return exp.not_(exp.Is(this=col, expression=exp.null())) if always else exp.false()


def _in_set(col: exp.Expr, numeric: bool, values: Sequence[int | str]) -> exp.Expr:
    if numeric:
        numbers = [n for n in (_number(v) for v in values)
                   if n is not None and _INT64_MIN <= n <= _INT64_MAX]
        literals = [exp.Literal.number(n) for n in dict.fromkeys(numbers)]
    else:
        literals = [exp.Literal.string(str(v)) for v in dict.fromkeys(values)]
    if not literals:
        return exp.false()
    return exp.In(this=col, expressions=literals)


# --------------------------------------------------------------------------------- globs


def _like_pattern(glob: str) -> str:
    """A glob without character classes as a LIKE pattern (escape character ``\\``)."""
    out = []
    for char in glob:
        if char in "\\%_":
            out.append("\\" + char)
        elif char == "*":
            out.append("%")
        elif char == "?":
            out.append("_")
        else:
            out.append(char)
    return "".join(out)


# ------------------------------------------------------------------------------ networks


def _athena_in_net(col: exp.Expr, v4: list[ipaddress.IPv4Network],
                   v6: list[ipaddress.IPv6Network]) -> exp.Expr:
    # Trino keeps IPv4 addresses as IPv4-mapped IPv6, so ::/0 would hold 10.0.0.1 and
    # 10.0.0.0/8 would hold ::ffff:10.0.0.1; the text's own version decides first.
    address = exp.TryCast(this=col.copy(), to=exp.DataType.build("IPADDRESS", dialect="trino"))
    colon = exp.func("strpos", col.copy(), exp.Literal.string(":"))
    tests: list[exp.Expr] = []
    for nets, version_test in ((v4, exp.EQ(this=colon, expression=exp.Literal.number(0))),
                               (v6, exp.GT(this=colon.copy(),
                                           expression=exp.Literal.number(0)))):
        if not nets:
            continue
        inside = exp.or_(*(exp.Anonymous(this="contains", expressions=[
            exp.Literal.string(str(n)), address.copy()]) for n in nets))
        tests.append(exp.and_(version_test, inside))
    return exp.or_(*tests) if tests else exp.false()


_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_V4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
_GROUPS = r"(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)?"

# The DuckDB forms bind a value once with a one-element list and a lambda (DuckDB has no LET
# in an expression); the lambda names are flowtui's own so no column is shadowed.
_DUCK_V4_NUMBER = f"""
CASE WHEN regexp_full_match({{c}}, '{_V4}') THEN
  TRY_CAST(split_part({{c}}, '.', 1) AS BIGINT) * 16777216
  + TRY_CAST(split_part({{c}}, '.', 2) AS BIGINT) * 65536
  + TRY_CAST(split_part({{c}}, '.', 3) AS BIGINT) * 256
  + TRY_CAST(split_part({{c}}, '.', 4) AS BIGINT) END
"""
_DUCK_V6_HEX = f"""
list_transform([lower({{c}})], lambda flowtui_s:
  list_transform([CASE
      WHEN strpos(flowtui_s, '.') = 0 THEN flowtui_s
      WHEN regexp_full_match(flowtui_s, '[0-9a-f:]*:{_V4}') THEN
        regexp_extract(flowtui_s, '^(.*:)', 1) || printf('%x:%x',
          CAST(split_part(regexp_extract(flowtui_s, '[^:]*$', 0), '.', 1) AS INTEGER) * 256
          + CAST(split_part(regexp_extract(flowtui_s, '[^:]*$', 0), '.', 2) AS INTEGER),
          CAST(split_part(regexp_extract(flowtui_s, '[^:]*$', 0), '.', 3) AS INTEGER) * 256
          + CAST(split_part(regexp_extract(flowtui_s, '[^:]*$', 0), '.', 4) AS INTEGER))
      END], lambda flowtui_t:
    CASE WHEN regexp_full_match(flowtui_t, '{_GROUPS}(?:::{_GROUPS})?')
          AND CASE WHEN strpos(flowtui_t, '::') > 0
                   THEN len(regexp_extract_all(flowtui_t, '[0-9a-f]+')) <= 7
                   ELSE len(regexp_extract_all(flowtui_t, '[0-9a-f]+')) = 8 END
    THEN array_to_string(list_transform(string_split(trim(replace(flowtui_t, '::',
           ':' || repeat('0:', 8 - len(regexp_extract_all(flowtui_t, '[0-9a-f]+')))), ':'),
           ':'), lambda flowtui_g: lpad(flowtui_g, 4, '0')), '')
    END)[1])[1]
"""


def _duck_template(template: str, col: exp.Expr) -> exp.Expr:
    text = template.replace("{c}", col.sql(dialect="duckdb"))
    return sqlglot.parse_one(text, read="duckdb")


def _duck_v4_number(col: exp.Expr) -> exp.Expr:
    """A DuckDB expression: the IPv4 address in ``col`` as a number, NULL if it is not one."""
    return _duck_template(_DUCK_V4_NUMBER, col)


def _duck_v6_hex(col: exp.Expr) -> exp.Expr:
    """A DuckDB expression: the IPv6 address in ``col`` as 32 lowercase hex digits, NULL if
    it is not one."""
    return _duck_template(_DUCK_V6_HEX, col)


def _duck_ranges(value: exp.Expr, ranges: list[tuple[int, int]],
                 literal: object) -> exp.Expr:
    """``value`` inside any of ``ranges``, with ``value`` computed once."""
    def between(target: exp.Expr, low: int, high: int) -> exp.Expr:
        return exp.Between(this=target, low=literal(low), high=literal(high))  # type: ignore[operator]

    if len(ranges) == 1:
        return between(value, *ranges[0])
    bound = exp.to_identifier("flowtui_v")
    body = exp.or_(*(between(exp.column(bound.copy()), low, high) for low, high in ranges))
    lam = exp.Lambda(this=body, expressions=[bound])
    listed = exp.func("list_transform", exp.Array(expressions=[value]), lam, dialect="duckdb")
    # sqlglot holds indices 0-based and writes DuckDB's 1-based [1]
    return exp.Bracket(this=listed, expressions=[exp.Literal.number(0)])


# ------------------------------------------------------------------------------- queries


def _also(extra: Iterable[exp.Expr | str], dialect: Dialect) -> list[exp.Expr]:
    """Extra conditions (partition predicates from a time window …), as trees or as SQL
    text in ``dialect``."""
    return [sqlglot.parse_one(e, read=_dialect(dialect)) if isinstance(e, str) else e
            for e in extra]


def _where(query: exp.Select, where: Expr, columns: Iterable[str], dialect: Dialect,
           also: Iterable[exp.Expr | str]) -> exp.Select:
    conditions = _also(also, dialect)
    if not (isinstance(where, Const) and where.value):
        conditions.append(condition(where, columns, dialect))
    return query.where(exp.and_(*conditions)) if conditions else query


def sort_keys(field: str, descending: bool, columns: Iterable[str],
              dialect: Dialect) -> list[exp.Ordered]:
    """ORDER BY terms for one sort key, nulls last either way; addresses sort as the view
    sorts them: IPv4 by number, then IPv6 by number, then other text as text."""
    if sql_name(field) not in {sql_name(c) for c in columns}:
        return []
    col = column(field)
    if field in ADDRESS_FIELDS:
        if dialect == "athena":
            v4 = exp.EQ(this=exp.func("strpos", col.copy(), exp.Literal.string(":")),
                        expression=exp.Literal.number(0))
            address = exp.TryCast(this=col.copy(),
                                  to=exp.DataType.build("IPADDRESS", dialect="trino"))
            version = exp.Case(ifs=[
                exp.If(this=exp.Is(this=col.copy(), expression=exp.null()),
                       true=exp.null()),
                exp.If(this=exp.Is(this=address.copy(), expression=exp.null()),
                       true=exp.Literal.number(7)),
                exp.If(this=v4, true=exp.Literal.number(4))],
                default=exp.Literal.number(6))
            keys: list[exp.Expr] = [version, address, col]
        else:
            number, hexed = _duck_v4_number(col), _duck_v6_hex(col)
            version = exp.Case(ifs=[
                exp.If(this=exp.Is(this=col.copy(), expression=exp.null()),
                       true=exp.null()),
                exp.If(this=exp.not_(exp.Is(this=number.copy(), expression=exp.null())),
                       true=exp.Literal.number(4)),
                exp.If(this=exp.not_(exp.Is(this=hexed.copy(), expression=exp.null())),
                       true=exp.Literal.number(6))],
                default=exp.Literal.number(7))
            keys = [version, number, hexed, col]
    else:
        keys = [col]
    return [exp.Ordered(this=k, desc=descending, nulls_first=False) for k in keys]


def select_sql(table: TableRef, columns: Sequence[str], *, dialect: Dialect,
               where: Expr = EVERYTHING, select: Sequence[str] | None = None,
               order_by: Sequence[tuple[str, bool]] = (), limit: int | None = None,
               also: Iterable[exp.Expr | str] = ()) -> str:
    """``SELECT`` the records a filter keeps.

    ``table``: dotted text (database.table) or a (database, table) pair (``table_name``);
    ``columns``: the table's columns; ``select``: the fields to return (all of ``columns`` by
    default; ``["*"]`` for every column the table has; a field the table lacks comes back
    NULL); ``order_by``: (field, descending) pairs, nulls last; ``also``: extra conditions
    such as partition predicates. Unlike the view, SQL does not promise that ties
    keep load order.
    """
    names = list(select) if select is not None else list(columns)
    present = {sql_name(c) for c in columns}
    outputs: list[exp.Expr] = [column(f) if sql_name(f) in present
                               else exp.alias_(exp.null(), column(f).this.copy())
                               for f in names]
    if select is not None and list(select) == ["*"]:
        outputs = [exp.Star()]  # whatever columns the table has
    query = exp.select(*outputs).from_(_table(table, dialect))
    query = _where(query, where, columns, dialect, also)
    terms = [t for field, descending in order_by
             for t in sort_keys(field, descending, columns, dialect)]
    if terms:
        query = query.order_by(*terms)
    if limit is not None:
        query = query.limit(limit)
    return query.sql(dialect=_dialect(dialect))


def _aggregates(columns: Iterable[str], extent: bool = True) -> list[exp.Expr]:
    """records, packets, bytes (+ first_start, last_end with ``extent``), accept, reject: the
    Arrow aggregates' columns (aggregate.py), under SQL names (``first-start`` there). As
    there, packets and bytes are the sums of the records that recorded them, NULL where none
    did (SUM of only NULLs is NULL in both engines; '-' is not 0); a time the table lacks
    gives NULL."""
    present = {sql_name(c) for c in columns}

    def total(field: str) -> exp.Expr:
        if sql_name(field) not in present:
            return exp.cast(exp.null(), exp.DataType.build("BIGINT"))
        return exp.Sum(this=column(field))

    def over(func: type[exp.Func], field: str) -> exp.Expr:
        return func(this=column(field)) if sql_name(field) in present else exp.null()

    def count(action: str) -> exp.Expr:
        if "action" not in present:
            return exp.Literal.number(0)
        # (DuckDB's COUNT_IF of only NULL conditions is NULL: a group whose records all
        # lack an action counted none, as in Arrow and Athena, not NULL)
        return exp.Coalesce(this=exp.CountIf(this=exp.EQ(
            this=column("action"), expression=exp.Literal.string(action))),
            expressions=[exp.Literal.number(0)])

    out = [exp.alias_(exp.Count(this=exp.Star()), "records"),
           exp.alias_(total("packets"), "packets"),
           exp.alias_(total("bytes"), "bytes")]
    if extent:
        out += [exp.alias_(over(exp.Min, "start"), "first_start"),
                exp.alias_(over(exp.Max, "end"), "last_end")]
    return out + [exp.alias_(count("ACCEPT"), "accept"), exp.alias_(count("REJECT"), "reject")]


def top_sql(table: TableRef, columns: Sequence[str], *, by: Sequence[str], dialect: Dialect,
            metric: str = "bytes", n: int | None = 20, where: Expr = EVERYTHING,
            also: Iterable[exp.Expr | str] = ()) -> str:
    """One row per group of ``by`` (NULL is a group of its own, as in Arrow's group-by):
    the ``by`` columns, records, packets, bytes, first_start, last_end, accept, reject;
    the ``n`` largest by ``metric`` (ties by the group columns, so the answer is stable)."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}: use {', '.join(METRICS)}")
    if not by:
        raise ValueError("top needs at least one column to group by")
    present = {sql_name(c) for c in columns}
    groups = [column(f) if sql_name(f) in present
              else exp.alias_(exp.null(), column(f).this.copy()) for f in by]
    query = exp.select(*groups, *_aggregates(columns)).from_(
        _table(table, dialect))
    query = _where(query, where, columns, dialect, also)
    query = query.group_by(*(exp.Literal.number(i + 1) for i in range(len(by))))
    order = [exp.Ordered(this=exp.column(metric), desc=True, nulls_first=False)]
    order += [exp.Ordered(this=exp.Literal.number(i + 1), desc=False, nulls_first=False)
              for i in range(len(by))]
    query = query.order_by(*order)
    if n is not None:
        query = query.limit(n)
    return query.sql(dialect=_dialect(dialect))


def histogram_sql(table: TableRef, columns: Sequence[str], *, every: int, dialect: Dialect,
                  where: Expr = EVERYTHING,
                  also: Iterable[exp.Expr | str] = ()) -> str:
    """Rows of ``time`` (the bucket's first second, epoch seconds: ``start`` rounded down to
    a multiple of ``every``), records, packets, bytes, accept, reject, by time, as
    aggregate.histogram's columns. Records without a ``start`` belong to no bucket and are
    left out; unlike ``histogram(fill=True)`` empty buckets are not rows."""
    if every < 1:
        raise ValueError("a histogram bucket is at least one second")
    if sql_name("start") not in {sql_name(c) for c in columns}:
        raise ValueError("a histogram needs the start column")
    start = column("start")
    width = exp.Literal.number(every)
    # start - ((start % every) + every) % every: the floor in both engines, whatever sign
    # (both take the remainder's sign from the dividend).
    floor = exp.Sub(this=start, expression=exp.Mod(
        this=exp.paren(exp.Add(this=exp.Mod(this=start.copy(), expression=width),
                               expression=width.copy())),
        expression=width.copy()))
    query = exp.select(exp.alias_(floor, "time"), *_aggregates(columns, extent=False)).from_(
        _table(table, dialect))
    query = _where(query, where, columns, dialect,
                   [*_also(also, dialect),
                    exp.not_(exp.Is(this=start.copy(), expression=exp.null()))])
    query = query.group_by(exp.Literal.number(1)).order_by(
        exp.Ordered(this=exp.Literal.number(1), desc=False, nulls_first=False))
    return query.sql(dialect=_dialect(dialect))


# ----------------------------------------------------------------------- Arrow for DuckDB


def arrow_for_sql(batches: Iterable[pa.RecordBatch]) -> pa.Table:
    """Store batches (several formats, narrowed types) as one table a SQL engine can read:
    the union of their columns under their SQL names, integers as int64, text as
    dictionary-encoded strings, missing columns NULL."""
    batches = list(batches)
    names: list[str] = []
    for batch in batches:
        names += [n for n in batch.schema.names if n not in names]
    types = {n: pa.int64() if is_integer(n) else pa.dictionary(pa.int32(), pa.string())
             for n in names}
    tables = []
    for batch in batches:
        arrays = []
        for name in names:
            index = batch.schema.get_field_index(name)
            if index < 0:
                arrays.append(pa.nulls(batch.num_rows, types[name]))
            else:
                arrays.append(batch.column(index).cast(types[name]))
        tables.append(pa.Table.from_arrays(arrays, names=[sql_name(n) for n in names]))
    if not tables:
        return pa.table({sql_name(n): pa.array([], types[n]) for n in names})
    return pa.concat_tables(tables)


__all__ = [
    "DIALECTS", "METRICS", "Dialect", "arrow_for_sql", "column", "condition",
    "histogram_sql", "predicate_sql", "select_sql", "sort_keys", "sql_name", "table_name",
    "top_sql", "where_clause",
]
