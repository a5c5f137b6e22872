"""The standfirst (transforms/extract/standfirst.py), and what extract() makes of JSON-LD."""
from trafilatura.utils import load_html

from tests.conftest import make_doc
from transforms.extract import extract
from transforms.extract.standfirst import descriptions, standfirst, visible_blocks

LEAD = "The new dam on the Ribeira river opened on Tuesday after a decade of planning and work."
FIRST = "Engineers said the reservoir would take two winters to fill and would supply forty villages."
REST = ("Farmers downstream had campaigned for the project since the drought of 2012 destroyed their crops.\n\n"
        "The regional government paid for most of the work, with a loan from the national development bank.")
TEXT = FIRST + "\n\n" + REST


def tree(between: str = "<p class='byline'>By Ana Lima</p>", lead: str = LEAD):
    return load_html(f"<html><head><meta name='description' content='{lead}'></head><body>"
                     f"<header><h1>Dam opens</h1><p class='standfirst'>{lead}</p>{between}</header>"
                     f"<article><p>{FIRST}</p><p>{REST.split(chr(10))[0]}</p></article>"
                     "<footer><p>Contact us</p></footer></body></html>")


def test_visible_blocks_split_at_block_elements_and_leave_hidden_text_out():
    page = load_html("<html><head><title>T</title></head><body><div>One <b>two</b><script>x()</script> three"
                     "<p>Four</p>five</div><ul><li>Six</li></ul><style>p {}</style>seven</body></html>")
    assert list(visible_blocks(page)) == ["One two three", "Four", "five", "Six", "seven"]


def test_descriptions_from_meta_tags_and_json_ld_unescaped_and_not_too_short():
    page = load_html("<html><head><meta name='description' content='A short label'>"
                     f"<meta property='og:description' content='{LEAD.replace('Tuesday', '&amp;amp; Tuesday')}'>"
                     f"<meta name='twitter:description' content='{LEAD}'></head><body><p>x</p></body></html>")
    found = descriptions(page, LEAD, {"description": "  The JSON-LD\n description of the article, long enough. "})
    assert found == [LEAD, LEAD.replace("Tuesday", "& Tuesday"), "The JSON-LD description of the article, long enough."]


def test_a_description_shown_just_before_the_first_paragraph_is_put_first():
    assert standfirst(TEXT, tree(), [LEAD]) == LEAD
    # the text's first paragraph found by a long block it starts with (a paragraph split by markup)
    assert standfirst(FIRST + " More words.\n\n" + REST, tree(), [LEAD]) == LEAD


def test_not_when_it_stands_too_far_from_the_first_paragraph():
    assert standfirst(TEXT, tree(between="<p>a</p><p>b</p><p>c</p>"), [LEAD]) == LEAD  # three blocks: near
    assert standfirst(TEXT, tree(between="<p>a</p><p>b</p><p>c</p><p>d</p>"), [LEAD]) is None  # four: too far
    assert standfirst(TEXT, tree(between=f"<p>{'x' * 301}</p>"), [LEAD]) is None  # over 300 characters


def test_not_when_the_text_has_it_already_or_the_page_does_not_show_it():
    assert standfirst(LEAD + "\n\n" + TEXT, tree(), [LEAD]) is None
    assert standfirst(TEXT, tree(), ["A description the page never shows as a block of its own."]) is None
    assert standfirst("A first paragraph the page does not hold.", tree(), [LEAD]) is None
    assert standfirst(TEXT, tree(), []) is None


PAGE = """<html><head><title>Dam opens | Valley News</title>
<meta property="og:site_name" content="Valley News"><meta name="author" content="Valley News">
<meta name="description" content="{desc}">
<meta property="article:published_time" content="2024-03-07T08:00:00+01:00">
<script type="application/ld+json">{{"@context": "https://schema.org", "@graph": [
 {{"@type": "WebSite", "name": "Valley News"}},
 {{"@type": "NewsArticle", "headline": "Dam opens", "datePublished": "2024-03-05T08:00:00+01:00",
   "author": [{{"@type": "Person", "name": "By Ana Lima"}}, {{"@type": "Organization", "name": "Valley News"}}]}}]}}
</script></head>
<body><header class="article-header"><h1>Dam opens</h1><div class="standfirst">{desc}</div>
<div class="byline">By Ana Lima</div></header><article><div class="article-body">
<p>{first}</p>
<p>Farmers downstream had campaigned for the project since the drought of 2012 destroyed most of their crops.</p>
<p>The regional government paid for most of the work, with a loan from the national development bank.</p>
</div></article></body></html>"""


def test_extract_takes_authors_date_and_standfirst_from_the_page():
    html = PAGE.format(desc=LEAD, first=FIRST)
    doc = extract(make_doc(text="", url="https://valleynews.example/dam", content=html.encode(),
                           content_type="text/html"))
    assert doc.authors == ["Ana Lima"]
    assert (doc.date, doc.date_source) == ("2024-03-05", "html")  # datePublished, not article:published_time
    # trafilatura leaves the standfirst out (it stands outside the article): put back first.
    assert doc.text.startswith(LEAD + "\n\n" + FIRST)
    # A description the page does not show is not put in the text.
    other = PAGE.format(desc=LEAD, first=FIRST).replace(
        f'content="{LEAD}"', 'content="A summary written for search engines only, never shown."')
    doc = extract(make_doc(text="", url="https://valleynews.example/dam", content=other.encode(),
                           content_type="text/html"))
    assert doc.text.startswith(FIRST)
