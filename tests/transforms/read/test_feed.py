"""RSS, Atom and RDF feed files (transforms/read/feed.py)."""
import pytest

from tests.conftest import SHARED
from tests.transforms.read import read


def test_feed_entries(tmp_path):
    p = tmp_path / "f.rss"
    p.write_text("""<?xml version="1.0"?><rss version="2.0"><channel><title>Site</title><link>https://s.example/news/</link>
      <item><title>One</title><link>2024/01/02/one?utm_campaign=z</link><pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate>
      <description>&lt;p&gt;First entry text.&lt;/p&gt;</description></item>
      <item><title>Two</title><guid isPermaLink="false">g2</guid><description>Second.</description></item>
      </channel></rss>""", encoding="utf-8")
    one, two = read(p)
    assert one.url == "https://s.example/news/2024/01/02/one" and one.title == "One" and one.site_name == "Site"
    assert one.date_hints["feed"].isoformat() == "2024-01-02T10:00:00+00:00"
    assert one.source == "feed" and one.content_type == "text/html-fragment"
    assert two.url == p.as_uri() + "#entry=g2" and one.id != two.id


# Entries per real feed, as ../shared/eval/feeds/README.md lists them (counted there with
# feedparser 6.0.14, independently of this reader); 0 means the feed cannot be read.
REAL_FEED_ENTRIES = {
    "feedrs__rss_1.0_biorxiv.xml": 1, "feedrs__rss_1.0_golem_iso8859.xml": 1, "feedrs__rss_2.0_ilmessaggero.xml": 1,
    "feedrs__rss_2.0_nbcny.xml": 1, "feedrs__rss_2.0_relurl_1.xml": 2, "feedrs__rss_2.0_reuters_invalid.xml": 0,
    "feedrs__rss_2.0_spiegel.xml": 1, "feedrs__rss_2.0_wirecutter.xml": 1, "nodefp__iconv-windows1251.xml": 10,
    "nodefp__illegally-nested.xml": 20, "nodefp__invalid-characters.xml.gz": 25,
    "nodefp__rss-with-relative-urls.xml": 2, "nodefp__tpm.atom": 20, "nodefp__wapowellness.xml": 29,
    "rssparser__craigslist-rdf.rss": 25, "rssparser__guardian.rss": 55, "rssparser__heise.atom": 15,
    "rssparser__heraldsun-rss092.rss": 2, "rssparser__instant-article.rss": 1, "rssparser__jn-pt-iso8859.rss": 40,
    "rssparser__medium-content-encoded.rss": 7, "rssparser__reddit-home.atom": 24, "rssparser__uolNoticias.rss": 15,
}


def test_every_real_feed_gives_each_of_its_entries_with_a_link_and_a_title():
    from schemas import Reject
    from transforms.read import read_path
    feeds = SHARED / "eval" / "feeds"
    if not feeds.is_dir():
        pytest.skip("../shared/eval/feeds is not present (clean clone)")
    assert sorted(p.name for p in feeds.iterdir() if p.suffix != ".md") == sorted(REAL_FEED_ENTRIES)
    for name, entries in REAL_FEED_ENTRIES.items():
        records = list(read_path(str(feeds / name)))
        if entries == 0:
            assert [(type(r), r.reason) for r in records] == [(Reject, "feed_parse_error")], name
            continue
        assert len(records) == entries, name
        assert len({r.id for r in records}) == entries, name
        for doc in records:
            assert doc.source == "feed" and doc.url.startswith(("http://", "https://", "file://")), (name, doc.url)
            if name == "nodefp__illegally-nested.xml" and not doc.text:
                continue  # its bad nesting makes an empty entry after each of its 10 items
            assert doc.title and "<" not in doc.title and "\ufffd" not in doc.title, (name, doc.title)


def test_an_entry_link_that_is_not_a_web_url_is_never_a_page(tmp_path):
    """A javascript: or mailto: link is not followed and not kept: the entry is read with its own
    content, under the URI the pipeline makes for it."""
    from transforms.read.feed import has_page
    p = tmp_path / "f.rss"
    p.write_text("""<?xml version="1.0"?><rss version="2.0"><channel><title>Site</title>
      <item><title>One</title><link>javascript:alert(1)</link><guid>g1</guid><description>First.</description></item>
      <item><title>Two</title><link>mailto:desk@s.example</link><guid>g2</guid><description>Second.</description></item>
      </channel></rss>""", encoding="utf-8")
    one, two = read(p)
    assert (one.url, two.url) == (p.as_uri() + "#entry=g1", p.as_uri() + "#entry=g2")
    assert not has_page(one) and not has_page(two)


def test_a_title_the_feed_marks_as_html_is_read_as_text(tmp_path):
    """RDF feeds (Craigslist's, say) put HTML in CDATA titles: readers see '$4300 ... 1930ft2',
    not '&#x0024;' or '<sup>'."""
    p = tmp_path / "f.rdf"
    p.write_text("""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
      xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://s.example/"><title>Listings</title>
      <link>https://s.example/</link></channel>
      <item rdf:about="https://s.example/1"><title><![CDATA[Victorian &#x0024;4300 3bd 1930ft<sup>2</sup>]]></title>
      <link>https://s.example/1</link><description><![CDATA[Bright rooms<br>near the park &amp; the lake]]></description>
      </item></rdf:RDF>""", encoding="utf-8")
    (one,) = read(p)
    assert one.title == "Victorian $4300 3bd 1930ft2"
