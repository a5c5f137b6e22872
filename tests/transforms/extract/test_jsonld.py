"""JSON-LD (transforms/extract/jsonld.py): blocks parsed once, the article found, its date."""
import json

from trafilatura.utils import load_html

from transforms.extract import jsonld
from transforms.extract.access import accessible_for_free


def page(*blocks: str) -> str:
    scripts = "".join(f'<script type="application/ld+json">{b}</script>' for b in blocks)
    return f"<html><head><title>t</title>{scripts}</head><body><p>Text of the page.</p></body></html>"


def article_of(*data) -> dict | None:
    return jsonld.article(jsonld.blocks(load_html(page(*(json.dumps(d) for d in data)))))


def test_the_article_in_a_graph_a_list_or_under_main_entity():
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Valley News"}, {"@type": "NewsArticle", "headline": "Dam opens"}]}
    assert article_of(graph)["headline"] == "Dam opens"
    assert article_of([{"@type": "Organization"}, {"@type": ["BlogPosting"], "headline": "Post"}])["headline"] == "Post"
    webpage = {"@type": "WebPage", "schema:mainEntity": {"@type": "ReportageNewsArticle", "headline": "Deep"}}
    assert article_of(webpage)["headline"] == "Deep"
    # Across blocks: the first block without an article is passed over.
    assert article_of({"@type": "BreadcrumbList"}, {"@type": "Article", "headline": "Second"})["headline"] == "Second"


def test_what_other_things_are_said_to_be_is_no_article():
    assert article_of({"@type": "WebPage", "isPartOf": {"@type": "Article", "headline": "Other"}}) is None
    assert article_of({"@type": "Organization", "name": "Valley News"}) is None


def test_walk_depth_is_bounded():
    node = {"@type": "NewsArticle", "headline": "Too deep"}
    for _ in range(jsonld.MAX_DEPTH + 2):
        node = {"@type": "WebPage", "mainEntity": node}
    assert article_of(node) is None
    assert len(list(jsonld.objects(node, jsonld.ARTICLE_PLACES))) == jsonld.MAX_DEPTH + 1


def test_blocks_json_cannot_read_or_too_large_are_left_unparsed():
    tree = load_html(page('{"@type": "NewsArticle",}', '<!-- {"@type": "NewsArticle", "headline": "C"} -->',
                          '{"@type":\x0b"NewsArticle", "headline": "a\x0bb"}'))
    found = jsonld.blocks(tree)
    assert [b.data is None for b in found] == [True, False, False]
    assert found[1].data["headline"] == "C"
    huge = json.dumps({"@type": "NewsArticle", "articleBody": "x" * jsonld.MAX_BLOCK_CHARS})
    assert jsonld.parse(huge) is None
    assert jsonld.parse("[" * 100_000 + "]" * 100_000) is None  # nesting json cannot follow


def test_date_published_is_a_string_of_the_article():
    assert jsonld.date_published({"datePublished": " 2024-03-05T08:00:00+01:00 "}) == "2024-03-05T08:00:00+01:00"
    assert jsonld.date_published({"datePublished": ["2024-03-05"]}) is None
    assert jsonld.date_published({"datePublished": ""}) is None
    assert jsonld.date_published(None) is None


def test_the_paywall_flag_reads_the_same_parsed_blocks():
    tree = load_html(page(json.dumps({"@type": "WebPage", "mainEntity": {"@type": "NewsArticle",
                                                                         "isAccessibleForFree": False}})))
    found = jsonld.blocks(tree)
    assert accessible_for_free(tree, found) is False and accessible_for_free(tree) is False
    # A block too large to parse is still searched for the flag.
    huge = json.dumps({"@type": "NewsArticle", "isAccessibleForFree": "False",
                       "articleBody": "x" * jsonld.MAX_BLOCK_CHARS})
    assert accessible_for_free(load_html(page(huge))) is False
