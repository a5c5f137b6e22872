"""Extract (transforms/extract/__init__.py): a document's text, metadata and date."""
import pytest

from tests.conftest import make_doc
from transforms.extract import extract
from transforms.extract.page import MAX_HTML_BYTES
from transforms.utils.stage import Rejected

PAGE = """<html><head><title>Dam opens | Valley News</title>
<meta property="og:title" content="Dam opens after ten years">
<meta property="og:site_name" content="Valley News"><meta name="author" content="Ana Lima; Ben Ode">
<meta property="article:published_time" content="2024-03-05T08:00:00+01:00"></head>
<body><nav><a href="/">Home</a><a href="/x">World</a></nav><article><h1>Dam opens after ten years</h1>
<p>The new dam on the Ribeira river opened on Tuesday after a decade of planning and construction work.</p>
<p>Engineers said the reservoir would take two winters to fill and would supply water to forty villages.</p>
<p>Farmers downstream had campaigned for the project since the drought of 2012 destroyed most of their crops.</p>
</article><footer>Contact us | Privacy policy</footer></body></html>"""


def test_page_text_and_metadata():
    doc = extract(make_doc(text="", url="https://valley.example/2024/03/05/dam", content=PAGE.encode(),
                           content_type="text/html"))
    assert doc.text.startswith("The new dam on the Ribeira river") and "Privacy policy" not in doc.text
    assert doc.title == "Dam opens after ten years" and doc.site_name == "Valley News"
    assert doc.authors == ["Ana Lima", "Ben Ode"]
    assert (doc.date, doc.date_source) == ("2024-03-05", "html") and doc.content is None


@pytest.mark.parametrize("published, expected", [
    ("2024-03-04T21:00:00Z", "2024-03-04"),  # the article's JSON-LD date comes before the page's other tags
    ("0001-01-01T00:00:00Z", "2024-03-05"),  # a placeholder is no date: the other tags decide
    ("2099-01-01T00:00:00Z", "2024-03-05"),  # nor is one in the future
])
def test_the_json_ld_date_counts_only_when_plausible(published, expected):
    ld = f'<script type="application/ld+json">{{"@type": "NewsArticle", "datePublished": "{published}"}}</script>'
    doc = extract(make_doc(text="", url="https://valley.example/dam", content=PAGE.replace("</head>", ld + "</head>").encode(),
                           content_type="text/html"))
    assert (doc.date, doc.date_source) == (expected, "html")


def test_feed_hints_fill_what_the_page_lacks_and_dates_fall_back():
    doc = make_doc(text="", content="<p>Short entry body that is a paragraph.</p><p>Second one.</p>",
                   content_type="text/html-fragment", title="From feed", date_hints={"feed": "2023-01-02"})
    doc = extract(doc)
    assert doc.text == "Short entry body that is a paragraph.\n\nSecond one."
    assert doc.title == "From feed" and (doc.date, doc.date_source) == ("2023-01-02", "feed")


def test_text_documents_get_url_date_or_capture_date():
    doc = extract(make_doc(text="Body.", url="https://x.example/2021/07/08/story"))
    assert (doc.date, doc.date_source) == ("2021-07-08", "url")
    doc = extract(make_doc(text="Body.", url="file:///tmp/2021/07/08/a.txt"))
    assert (doc.date, doc.date_source, doc.published_at) == ("2025-01-02", "ingested", None)


def test_pages_without_text_or_over_budget_are_rejected():
    with pytest.raises(Rejected) as e:
        extract(make_doc(text="", content=b"<html><body><nav>Home</nav></body></html>", content_type="text/html"))
    assert e.value.reason == "no_text"
    with pytest.raises(Rejected) as e:
        extract(make_doc(text="", content=b"<p>" + b"x" * (MAX_HTML_BYTES + 1), content_type="text/html"))
    assert e.value.reason == "too_large"


def test_a_text_over_the_limit_is_too_large_with_its_size():
    from transforms.extract import MAX_TEXT_CHARS
    with pytest.raises(Rejected) as e:
        extract(make_doc(text="word " * 100), max_text_chars=499)
    assert e.value.reason == "too_large" and "500 characters" in e.value.detail
    assert extract(make_doc(text="word " * 100), max_text_chars=500).text
    page = "<html><body><article>" + "<p>A sentence of the story goes here.</p>" * 100 + "</article></body></html>"
    with pytest.raises(Rejected) as e:
        extract(make_doc(text="", content=page, content_type="text/html"), max_text_chars=1000)
    assert e.value.reason == "too_large" and MAX_TEXT_CHARS >= 100_000


def test_the_limit_is_a_flag_and_a_reject_keeps_the_balance(tmp_path):
    from tests.conftest import SAMPLES, run_cli
    out = tmp_path / "out"
    result = run_cli("run", "--input", SAMPLES / "text", "--output", out, "--max-text-chars", "1000", "-q")
    assert result.returncode == 0, result.stderr
    assert "rejected at extract: too_large:" in result.stdout
    assert "balance: read = articles + duplicates + rejects + skipped + filtered: ok" in result.stdout
