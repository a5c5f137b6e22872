"""trafilatura on one page (transforms/extract/page.py)."""
from transforms.extract.page import fragment_text, split_authors
from transforms.extract.titles import drop_title


def test_helpers():
    assert split_authors("A. Smith and B. Jones; C. Wu") == ["A. Smith", "B. Jones", "C. Wu"]
    assert drop_title("Big News!\n\nBody.", "Big news") == "Body."
    assert drop_title("Other first.\n\nBody.", "Big news") == "Other first.\n\nBody."
    assert fragment_text("<div>one<br>two<script>x()</script></div>") == "one\n\ntwo"


def test_has_letters_stops_counting_at_the_bar():
    from transforms.extract.page import has_letters
    assert has_letters("a1b2c3", 3) and not has_letters("12 34 -- !!", 1) and not has_letters("ab", 3)


def test_prose_chars_counts_paragraph_text_only():
    from trafilatura.utils import load_html

    from transforms.extract.page import prose_chars
    page = ("<html><body><nav><a href='/'>Home</a><a href='/w'>World</a></nav>"
            "<p>One two three.</p><blockquote>Four five.</blockquote>"
            "<div>Line one<br>line two<span>not this</span></div><script>var x = 1;</script></body></html>")
    expected = len("One two three.") + len("Four five.") + len("Line one") + len("line two")
    assert prose_chars(load_html(page)) == expected
    assert prose_chars(load_html(page.encode())) == expected


def test_a_short_result_is_checked_against_recall_mode_only_when_the_page_has_more_prose():
    from trafilatura.utils import load_html

    from transforms.extract.page import needs_recall
    lead = "The council met on Tuesday to agree the budget for the coming year. " * 3
    story = "<html><body><p>" + lead + "</p>" + "<p>The rest of the story, paragraph after paragraph.</p>" * 40
    brief = "<html><body><nav>" + "<a href='/x'>Section</a>" * 200 + "</nav><p>" + lead + "</p></body></html>"
    assert needs_recall(lead, load_html(story))
    assert not needs_recall(lead, load_html(brief))  # nothing more to find: no second extraction
    assert not needs_recall(lead * 20, load_html(story))  # long enough already


def test_drop_unused_removes_page_chrome_and_keeps_what_can_hold_text():
    from lxml.html import tostring
    from trafilatura.utils import load_html

    from transforms.extract.page import drop_unused
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
    from transforms.extract.page import extract_page
    story = "".join(f"<p>Paragraph {n} of the story about the harbour, with enough words to be text.</p>"
                    for n in range(6))
    boxed = (f"<html><body><nav><a class='author' href='/authors'>Our authors</a></nav><article>{story}"
             "<footer><div class='author-name'>Rita Moreno</div></footer></article></body></html>")
    assert extract_page(boxed.encode(), None)["authors"] == ["Rita Moreno"]
    menu_only = f"<html><body><nav><a class='author' href='/authors'>Our authors</a></nav><article>{story}</article></body></html>"
    assert extract_page(menu_only.encode(), None)["authors"] == []
