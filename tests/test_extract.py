import pytest

from tests.conftest import make_doc
from transforms.extract import MAX_HTML_BYTES, drop_title, extract, fragment_text, split_authors
from transforms.stage import Rejected

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


def test_helpers():
    assert split_authors("A. Smith and B. Jones; C. Wu") == ["A. Smith", "B. Jones", "C. Wu"]
    assert drop_title("Big News!\n\nBody.", "Big news") == "Body."
    assert drop_title("Other first.\n\nBody.", "Big news") == "Other first.\n\nBody."
    assert fragment_text("<div>one<br>two<script>x()</script></div>") == "one\n\ntwo"


def test_site_names_are_cut_from_titles():
    from transforms.extract import strip_site_suffix as strip
    assert strip("Storm hits coast | The Citizen", "The Citizen", None) == "Storm hits coast"
    assert strip("Solar lights boost businesses - Daily News", "Daily News", None) == "Solar lights boost businesses"
    assert strip("Russia hits Kyiv - National | Globalnews.ca", None, "https://globalnews.ca/news/1") == \
        "Russia hits Kyiv - National"
    assert strip("南海トラフ、一時調査 巨大地震：中日新聞Web", "中日新聞Web", None) == "南海トラフ、一時調査 巨大地震"
    # A separator inside the headline itself stays.
    assert strip("Bericht: Aktivistin getötet - Irans Justiz dementiert", "n-tv", "https://www.n-tv.de/a") == \
        "Bericht: Aktivistin getötet - Irans Justiz dementiert"
    assert strip("Citizen | The Citizen", "The Citizen", None) == "Citizen | The Citizen"  # nothing would be left


def test_has_letters_stops_counting_at_the_bar():
    from transforms.extract import has_letters
    assert has_letters("a1b2c3", 3) and not has_letters("12 34 -- !!", 1) and not has_letters("ab", 3)


def test_title_keeps_the_pages_own_spaces():
    from transforms.extract import headlines, refine_title
    html = ("<html><head><title>Sophie Binet met en garde Emmanuel&nbsp;Macron sur la «&nbsp;gravité&nbsp;» | Le Site"
            "</title></head><body><h1>南海トラフ、一時調査\u3000巨大地震</h1></body></html>")
    assert refine_title("Sophie Binet met en garde Emmanuel Macron sur la « gravité »", headlines(html)) == \
        "Sophie Binet met en garde Emmanuel\xa0Macron sur la «\xa0gravité\xa0»"
    assert refine_title("南海トラフ、一時調査 巨大地震", headlines(html.encode())) == "南海トラフ、一時調査\u3000巨大地震"
    assert refine_title("A title not on the page", headlines(html)) == "A title not on the page"


def _page(title: str, og: str, h1s: list[str]) -> list[tuple[str, str]]:
    """The headlines of a page with these <title>, og:title and h1s."""
    from transforms.extract import headlines
    icons = "<svg><title>Share to Facebook</title></svg>"
    return headlines(f'<html><head><title>{title}</title><meta property="og:title" content="{og}"></head><body>{icons}'
                     + "".join(f"<h1>{h}</h1>" for h in h1s) + "</body></html>")


def test_the_headline_readers_see_wins_when_the_document_title_confirms_it():
    from transforms.extract import choose_title
    # og:title is a social-card rewrite; <title> and h1 agree on the headline.
    page = _page("Climate change: Labor on track as Bowen heralds approach | The West", "Labor on track to hit target",
                 ["Climate change: Labor on track as Bowen heralds approach"])
    assert choose_title("Labor on track to hit target", page, "The West", None) == \
        "Climate change: Labor on track as Bowen heralds approach"
    # A kicker dropped from og:title comes back with the h1.
    page = _page("Bei Protesten 2022: Aktivistin getötet", "Aktivistin getötet", ["Bei Protesten 2022: Aktivistin getötet"])
    assert choose_title("Aktivistin getötet", page, None, None) == "Bei Protesten 2022: Aktivistin getötet"
    # No agreement: a live ticker's h1 differs from both <title> and og:title, og:title stays.
    page = _page("Israel und Gaza: News", "Israel und Gaza: aktuelle News", ["Krieg in Nahost: USA schliessen Hafen"])
    assert choose_title("Israel und Gaza: aktuelle News", page, None, None) == "Israel und Gaza: aktuelle News"
    # A logo h1 matching a <title> that is only the site's name is not a headline.
    page = _page("Valley News", "Dam opens after ten years", ["Valley News"])
    assert choose_title("Dam opens after ten years", page, "Valley News", None) == "Dam opens after ten years"
    # Headlines of teasers in other h1s do not count, nor do icon titles in the body.
    page = _page("Notfallplan in Osttirol", "Notfallplan in Osttirol", ["Spektakuläres Video", "Share to Facebook"])
    assert choose_title("Notfallplan in Osttirol", page, None, None) == "Notfallplan in Osttirol"


def test_a_label_appended_to_the_h1_is_cut():
    from transforms.extract import choose_title
    page = _page("x", "x", ["Russia hits Kyiv with ballistic missile"])
    assert choose_title("Russia hits Kyiv with ballistic missile - National", page, None, None) == \
        "Russia hits Kyiv with ballistic missile"
    page = _page("x", "x", ["„Unermüdlicher Einsatz“"])
    assert choose_title("„Unermüdlicher Einsatz“ - Die Neue Südtiroler Tageszeitung", page, None, None) == \
        "„Unermüdlicher Einsatz“"
    # A one-word h1 ('News') or a long continuation is not a headline with a label.
    page = _page("x", "x", ["News", "Storm hits coast"])
    assert choose_title("News - Storm hits coast", page, None, None) == "News - Storm hits coast"
    assert choose_title("Storm hits coast - and the town asks why the warnings came so late", page, None, None) == \
        "Storm hits coast - and the town asks why the warnings came so late"


def test_prose_chars_counts_paragraph_text_only():
    from trafilatura.utils import load_html

    from transforms.extract import prose_chars
    page = ("<html><body><nav><a href='/'>Home</a><a href='/w'>World</a></nav>"
            "<p>One two three.</p><blockquote>Four five.</blockquote>"
            "<div>Line one<br>line two<span>not this</span></div><script>var x = 1;</script></body></html>")
    expected = len("One two three.") + len("Four five.") + len("Line one") + len("line two")
    assert prose_chars(load_html(page)) == expected
    assert prose_chars(load_html(page.encode())) == expected


def test_a_short_result_is_checked_against_recall_mode_only_when_the_page_has_more_prose():
    from trafilatura.utils import load_html

    from transforms.extract import needs_recall
    lead = "The council met on Tuesday to agree the budget for the coming year. " * 3
    story = "<html><body><p>" + lead + "</p>" + "<p>The rest of the story, paragraph after paragraph.</p>" * 40
    brief = "<html><body><nav>" + "<a href='/x'>Section</a>" * 200 + "</nav><p>" + lead + "</p></body></html>"
    assert needs_recall(lead, load_html(story))
    assert not needs_recall(lead, load_html(brief))  # nothing more to find: no second extraction
    assert not needs_recall(lead * 20, load_html(story))  # long enough already


def test_drop_unused_removes_page_chrome_and_keeps_what_can_hold_text():
    from lxml.html import tostring
    from trafilatura.utils import load_html

    from transforms.extract import drop_unused
    tree = load_html("<html><head><script type='application/ld+json'>{\"@type\": \"NewsArticle\"}</script>"
                     "<script>track()</script><style>p {}</style></head><body>"
                     "<nav><a href='/'>Home</a></nav>before <svg><title>icon</title><path d='M0'/></svg>after"
                     "<p>Text <button>Share</button>kept.</p><aside>Side story</aside><noscript>Plain text</noscript>"
                     "<form><label>Name</label><input name='n'><select><option>a</option></select></form>"
                     "<footer>Contact us</footer></body></html>")
    drop_unused(tree)
    html = tostring(tree, encoding="unicode")
    for gone in ("<nav", "<svg", "<button", "<footer", "<label", "<input", "<select", "track()", "<style"):
        assert gone not in html
    for kept in ("application/ld+json", "<aside>Side story", "<noscript>Plain text", "<form"):
        assert kept in html
    assert "before after" in " ".join(tree.text_content().split()) and "Text kept." in tree.text_content()


def test_the_byline_search_sees_article_footers_and_not_menus():
    from transforms.extract import extract_page
    story = "".join(f"<p>Paragraph {n} of the story about the harbour, with enough words to be text.</p>"
                    for n in range(6))
    boxed = (f"<html><body><nav><a class='author' href='/authors'>Our authors</a></nav><article>{story}"
             "<footer><div class='author-name'>Rita Moreno</div></footer></article></body></html>")
    assert extract_page(boxed.encode(), None)["authors"] == ["Rita Moreno"]
    menu_only = f"<html><body><nav><a class='author' href='/authors'>Our authors</a></nav><article>{story}</article></body></html>"
    assert extract_page(menu_only.encode(), None)["authors"] == []
