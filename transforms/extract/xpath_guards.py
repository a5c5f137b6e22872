"""trafilatura's XPath expressions, rewritten to call back into Python less often.

trafilatura matches class and id names with EXSLT `re:test(@class, 'pattern')`. lxml runs each
such test as a Python call, for every element the expression visits, even one without the
attribute, and hands the attribute over as a "smart" string that builds a Python proxy of its
element. On news pages (hundreds to thousands of elements, nine pruning passes per page) these
calls were the largest single cost of extraction.

Each test becomes `((@class) and re:test(string(@class), 'pattern'))`:
- an element without the attribute is not tested, when the pattern cannot match an empty
  string (so the answer is the same);
- the attribute goes over as a plain string: `string(@id|@class)` is the first attribute in
  document order, exactly what lxml passed before.
The regular expression still decides, so every expression selects the same nodes as before.
"""
from __future__ import annotations

import re
import sys

from lxml.etree import XPath

REGEXP_NS = "http://exslt.org/regular-expressions"
_TEST = re.compile(r"re:test\(\s*(@[\w@|]+)\s*,\s*'([^']*)'\s*(?:,\s*'([^']*)'\s*)?\)")


def guard(path: str) -> str:
    """The XPath `path` with each `re:test(@attr, 'pattern'[, 'flags'])` guarded as above."""
    def rewrite(m: re.Match) -> str:
        attrs, pattern, flags = m.groups()
        call = f"re:test(string({attrs}), '{pattern}'" + (f", '{flags}')" if flags is not None else ")")
        matches_nothing = re.search(pattern, "", re.I if flags and "i" in flags else 0) is None
        return f"(({attrs}) and {call})" if matches_nothing else call
    return _TEST.sub(rewrite, path)


def guarded(expression: XPath) -> XPath:
    """`expression` guarded; itself when there is nothing to guard (no test, or guarded already)."""
    path = guard(expression.path)
    if path == expression.path:
        return expression
    return XPath(path, namespaces={"re": REGEXP_NS}, smart_strings=False)


# trafilatura's own expressions by path, with their guarded forms: one replacement for an
# expression several modules import, and the originals kept for checking.
REPLACED: dict[str, tuple[XPath, XPath]] = {}


def install() -> int:
    """Replaces the regex-testing XPath expressions held by trafilatura's loaded modules (alone
    or in lists) with guarded ones. Returns how many module attributes changed: none the second
    time, as guarded expressions are left as they are."""
    import trafilatura  # noqa: F401 - loads the extraction modules whose expressions are replaced

    def swap(expression: XPath) -> XPath:
        if expression.path not in REPLACED:
            new = guarded(expression)
            if new is expression:
                return expression
            REPLACED[expression.path] = (expression, new)
        return REPLACED[expression.path][1]

    changed = 0
    # The modules extraction has loaded; the rest of the package (crawler, CLI) is not used here.
    modules = [m for name, m in list(sys.modules.items()) if name.startswith("trafilatura.") and m is not None]
    for module in modules:
        for name, value in list(vars(module).items()):
            if isinstance(value, XPath):
                new = swap(value)
            elif isinstance(value, (list, tuple)) and value and all(isinstance(v, XPath) for v in value):
                new = type(value)(swap(v) for v in value)
            else:
                continue
            if new != value:
                setattr(module, name, new)
                changed += 1
    return changed
