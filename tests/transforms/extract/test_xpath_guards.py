"""The guarded XPath expressions select exactly what trafilatura's own select."""
import re

import lxml.html
import trafilatura  # noqa: F401 - loads the modules whose expressions are compared
from lxml.etree import XPath

from transforms.extract import xpath_guards
from transforms.extract.xpath_guards import guard, guarded

TAGS = ["div", "section", "p", "span", "ul", "ol", "aside", "a", "details", "article", "main"]


def _regex_expressions() -> list[XPath]:
    """trafilatura's own regex-testing expressions (kept aside when they were replaced)."""
    xpath_guards.install()
    return [original for original, _ in xpath_guards.REPLACED.values()]


def _names(expressions) -> list[str]:
    """Class and id values that hit, nearly hit and miss the expressions' patterns."""
    names = set()
    for expression in expressions:
        for pattern in re.findall(r"re:test\([^,]+,\s*'([^']*)'", expression.path):
            for token in pattern.split("|"):
                word = re.sub(r"\(\?[:!=][^)]*\)|[\\^$()?*+{}\[\]]|\d,\d", "", token)
                if word:
                    names |= {word, word.upper(), f"x {word}", f"{word}-x", word[:-1], f"{word}ary"}
    return sorted(names) + ["", " ", "hidden", "ΚΕΛ cookie", "\u212aookie-banner", "comments", "Commentary"]


def _page(names: list[str]) -> lxml.html.HtmlElement:
    parts = []
    for i, name in enumerate(names):
        tag = TAGS[i % len(TAGS)]
        attrs = [f'class="{name}"', f'id="{name}"', f'id="n{i}" class="{name}"', f'class="{name}" id="n{i}"',
                 f'style="{name}"', ""][i % 6]
        parts.append(f"<{tag} {attrs}><p>text {i}</p><h1>h</h1></{tag}>")
    return lxml.html.fromstring("<html><body>" + "".join(parts) + "</body></html>")


def test_every_guarded_expression_selects_the_same_elements():
    expressions = _regex_expressions()
    assert len(expressions) >= 10  # the rewrite has real work to check
    assert all("re:test(@" in x.path for x in expressions)  # originals, not guarded ones
    tree = _page(_names(expressions))
    selected = 0
    for expression in expressions:
        original = expression(tree)
        assert guarded(expression)(tree) == original, expression.path
        selected += len(original)
    assert selected > 100  # the page makes the patterns match, not only miss


def test_a_pattern_that_can_match_nothing_is_not_guarded_by_the_attribute():
    assert guard("//*[re:test(@class, 'a*')]") == "//*[re:test(string(@class), 'a*')]"
    assert guard("//*[re:test(@id|@class, '^nav', 'i')]") == \
        "//*[((@id|@class) and re:test(string(@id|@class), '^nav', 'i'))]"


def test_install_replaces_the_expressions_trafilatura_uses():
    from trafilatura import xpaths

    xpath_guards.install()
    assert all("re:test(@" not in x.path for x in xpaths.OVERALL_DISCARD_XPATH)
    assert xpath_guards.install() == 0  # idempotent
