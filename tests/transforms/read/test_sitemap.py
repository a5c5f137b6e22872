"""Sitemap parsing (transforms/read/sitemap.py): urlsets, Google News entries, indexes, plain
text, and the inputs that must become rejects rather than hangs or crashes."""
import gzip
from datetime import datetime, timezone

import pytest

from transforms.read import sitemap as sm
from transforms.read.sitemap import looks_like_sitemap, parse_sitemap
from transforms.utils.stage import Rejected

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
 <url><loc>https://news.example/a</loc><lastmod>2026-12-01T10:00:00Z</lastmod>
  <news:news><news:publication><news:name>Example News</news:name><news:language>zh-cn</news:language></news:publication>
   <news:publication_date>2026-12-01T09:30:00+01:00</news:publication_date><news:title>Rates &amp; prices</news:title>
  </news:news></url>
 <url><loc>/relative/b</loc></url>
 <url><loc>ftp://news.example/c</loc></url>
</urlset>"""


def test_news_sitemap_entries_carry_their_hints():
    site = parse_sitemap(NEWS, "https://news.example/sitemap.xml")
    assert site.kind == "urlset" and site.unusable == 1 and not site.over_cap  # the ftp URL
    first, second = site.entries
    assert first.url == "https://news.example/a"
    assert first.published == datetime(2026, 12, 1, 8, 30, tzinfo=timezone.utc)
    assert (first.title, first.language, first.site_name) == ("Rates & prices", "zh-cn", "Example News")
    assert first.newest == datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)
    assert second.url == "https://news.example/relative/b" and second.newest is None


def test_index_gzip_and_plain_text():
    index = (b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://x.example/1.xml'
             b'</loc><lastmod>2026-01-02</lastmod></sitemap><sitemap><loc>2.xml.gz</loc></sitemap></sitemapindex>')
    site = parse_sitemap(gzip.compress(index), "https://x.example/index.xml")
    assert site.kind == "index"
    assert site.children == [("https://x.example/1.xml", datetime(2026, 1, 2, 23, 59, 59, tzinfo=timezone.utc)),
                             ("https://x.example/2.xml.gz", None)]
    text = parse_sitemap(b"https://x.example/a\n\nhttps://x.example/b\nnot a url\n")
    assert [e.url for e in text.entries] == ["https://x.example/a", "https://x.example/b"] and text.unusable == 1
    with_bom = parse_sitemap(b"\xef\xbb\xbf" + index, "https://x.example/index.xml")
    assert with_bom.kind == "index" and len(with_bom.children) == 2
    utf16 = parse_sitemap(NEWS.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode("utf-16"))
    assert [e.title for e in utf16.entries][:1] == ["Rates & prices"]


@pytest.mark.parametrize("data, reason", [
    (b"<urlset><url><loc>https://x.example/a</url></urlset>", "sitemap_parse_error"),
    (b"<html><body>Not found</body></html>", "sitemap_parse_error"),
    (b"   \n", "sitemap_empty"),
    (gzip.compress(b"<urlset>" + b" " * (sm.MAX_UNZIPPED_BYTES + 10)), "too_large"),
    (b"\x1f\x8bnot really gzip", "sitemap_parse_error"),
    (b"\xef\xbb\xbf\x00<\x00u\x00r\x00l", "sitemap_parse_error"),  # markup read as a list of URLs
    (b"relative/path\nnot a url\n", "sitemap_parse_error"),
])
def test_bad_sitemaps_are_rejected_with_their_reason(data, reason):
    with pytest.raises(Rejected) as err:
        parse_sitemap(data, "https://x.example/s.xml")
    assert err.value.reason == reason


def test_entities_are_not_expanded_and_entries_are_capped(monkeypatch):
    # An external entity must not read a local file; a billion-laughs style entity must not expand.
    hostile = (b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY f SYSTEM "file:///etc/passwd"><!ENTITY a "aaaaaaaa">]>'
               b'<urlset><url><loc>https://x.example/&f;&a;</loc></url></urlset>')
    site = parse_sitemap(hostile)
    assert [e.url for e in site.entries] == ["https://x.example/"]
    monkeypatch.setattr(sm, "MAX_ENTRIES", 3)
    many = b"<urlset>" + b"".join(b"<url><loc>https://x.example/%d</loc></url>" % n for n in range(10)) + b"</urlset>"
    site = parse_sitemap(many)
    assert len(site.entries) == 3 and site.over_cap == 7 and not site.unusable


def test_looks_like_sitemap():
    assert looks_like_sitemap(NEWS) and looks_like_sitemap(gzip.compress(b"x"))
    assert not looks_like_sitemap(b"<!DOCTYPE html><html><body>soft 404</body></html>")
