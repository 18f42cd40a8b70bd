"""Write flowtui/query/grammar_tables.py: the filter grammar's LALR tables, made from
filter.lark by the installed lark, so a ``--where`` loads them instead of building them.

    python scripts/make_grammar_tables.py
"""

from __future__ import annotations

from pathlib import Path

from flowtui.query import expr

if __name__ == "__main__":
    target = Path(expr.__file__).with_name("grammar_tables.py")
    target.write_text(expr.grammar_tables_source(), encoding="utf-8")
    print(f"wrote {target}")
