"""The readability comparison is skipped only where it cannot change the result."""
import lxml.html
import pytest
from lxml.etree import tostring
from trafilatura.external import try_readability
from trafilatura.utils import trim

from transforms.extract import readability_bound
from transforms.extract import extract_page
from transforms.extract.readability_bound import readability_ceiling

ARTICLE = "".join(f"<p>Paragraph {i} of the report on the harbour works, with enough words to count as prose "
                  f"for every extractor that reads it, and a figure: {i * 37} tonnes.</p>" for i in range(12))
# The article is nearly all of the page: readability cannot find twice its text.
LONG_ARTICLE = f"""<html><head><title>Harbour works</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav><article><h1>Harbour works</h1>{ARTICLE}</article>
<footer>Contact</footer></body></html>"""
# A short lead in a paragraph, the story itself in a list elsewhere on the page: readability may win.
SHORT_LEAD = f"""<html><body><article><p>The harbour works began on Monday morning in rain.</p></article>
<ul class="list">{ARTICLE.replace('<p>', '<li>').replace('</p>', '</li>')}</ul>
<iframe src="https://www.youtube.com/embed/x"></iframe></body></html>"""


def _with_and_without(html: bytes):
    """extract_page's result with the bound, and with trafilatura's own comparison."""
    readability_bound.install()
    before = dict(readability_bound.SKIPPED)
    bounded = extract_page(html, None)
    skipped = readability_bound.SKIPPED["skipped"] - before["skipped"]
    compared = readability_bound.SKIPPED["comparisons"] - before["comparisons"]
    readability_bound.uninstall()
    try:
        original = extract_page(html, None)
    finally:
        readability_bound.install()
    return bounded, original, skipped, compared


def test_a_long_article_skips_the_comparison_with_the_same_result():
    bounded, original, skipped, compared = _with_and_without(LONG_ARTICLE.encode())
    assert compared >= 1 and skipped == compared
    assert bounded == original and "Paragraph 11" in bounded["text"]


def test_a_short_result_on_a_page_with_more_text_is_compared():
    bounded, original, skipped, compared = _with_and_without(SHORT_LEAD.encode())
    assert compared >= 1 and skipped < compared
    assert bounded == original


@pytest.mark.parametrize("page", [LONG_ARTICLE, SHORT_LEAD])
def test_readability_never_finds_more_than_the_ceiling(page):
    tree = lxml.html.fromstring(page)
    ceiling = readability_ceiling(tree)
    found = try_readability(lxml.html.fromstring(page))
    assert len(trim(tostring(found, method="text", encoding="utf-8").decode("utf-8"))) <= ceiling


def test_the_ceiling_leaves_out_scripts_and_counts_video_iframes():
    tree = lxml.html.fromstring('<html><body><p>ab  cd</p><script>var x = 1;</script><style>p{}</style>'
                                '<iframe src="https://youtube.com/embed/1"></iframe></body></html>')
    assert readability_ceiling(tree) == len("ab cd") + readability_bound.IFRAME_TEXT


def test_install_is_idempotent():
    readability_bound.install()
    assert readability_bound.install() is False


def test_the_bound_changes_nothing_on_the_article_benchmark_pages():
    """On real pages (../shared, when present): the same extraction with the bound as without."""
    import gzip

    from tests.conftest import SHARED
    from transforms.utils.stage import Rejected

    folder = SHARED / "eval" / "article-extraction-benchmark" / "html"
    if not folder.is_dir():
        pytest.skip("../shared/eval is not present (clean clone)")
    pages = [gzip.decompress(p.read_bytes()) for p in sorted(folder.glob("*.html.gz"))[:60]]

    def run():
        out = []
        for page in pages:
            try:
                out.append(extract_page(page, None))
            except Rejected as exc:
                out.append(exc.reason)
        return out

    readability_bound.install()
    before = readability_bound.SKIPPED["skipped"]
    bounded = run()
    assert readability_bound.SKIPPED["skipped"] > before  # the bound did skip some comparisons
    readability_bound.uninstall()
    try:
        assert run() == bounded
    finally:
        readability_bound.install()
