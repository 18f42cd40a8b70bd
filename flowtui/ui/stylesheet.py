"""The app's stylesheet, parsed once per process rather than once per app.

Textual parses every CSS source (app.tcss and the others, each widget class's DEFAULT_CSS)
for each ``App`` it builds: ~20 ms of each start here, the same text with the same theme
variables every time. A user starts one app and pays it once; a process that builds many
(the test suite builds one per Pilot test, scripts/make_screenshots.py one per picture)
paid it every time. Parsed rules are kept here by their source text, where it came from,
its rank and the theme variables they were parsed with; Textual treats rule sets as values
(it reads them, never changes them), so two apps may share them.

Only Textual's private ``Stylesheet._parse_rules`` and ``_variables`` are used: if a later
Textual renames them, the stylesheet parses as Textual does and nothing else changes.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet

PARSED_KEPT = 256
"""Sources kept (an app has ~20; a theme change parses them all again, once per theme)."""

_parsed: OrderedDict[tuple[Any, ...], list[RuleSet]] = OrderedDict()


class SharedStylesheet(Stylesheet):
    """A ``Stylesheet`` whose parsed sources are shared by every app of the process."""

    def _parse_rules(self, css: str, read_from: Any, is_default_rules: bool = False,
                     tie_breaker: int = 0, scope: str = "") -> list[RuleSet]:
        variables = getattr(self, "_variables", None)
        if not isinstance(variables, dict):
            return super()._parse_rules(css, read_from, is_default_rules, tie_breaker, scope)
        key = (css, read_from, is_default_rules, tie_breaker, scope,
               frozenset(variables.items()))
        rules = _parsed.get(key)
        if rules is None:
            rules = super()._parse_rules(css, read_from, is_default_rules, tie_breaker,
                                         scope)
            if not any(rule.errors for rule in rules):  # errors are reported each time
                _parsed[key] = rules
                if len(_parsed) > PARSED_KEPT:
                    _parsed.popitem(last=False)
        else:
            _parsed.move_to_end(key)
        return rules
