"""Feeds from the web (transforms/fetch/feeds.py), against a real HTTP server on loopback: feeds
sent with odd types, entries used as they are, scheduled runs fetching only what is new."""
from tests.conftest import run_cli
from tests.transforms.fetch import FAST, table
from tests.webserver import etag_feed, rss, story


def test_no_fetch_uses_entry_content_and_feed_lists(site, tmp_path):
    site.add("/feed.xml", rss([("One", site.url("/news/1")), ("Two", site.url("/news/2"))]), content_type="text/xml")
    listing = tmp_path / "feeds.txt"
    listing.write_text(f"# our feeds\n{site.url('/feed.xml')}\n\n{site.url('/feed.xml')}  # twice\n")
    opml = tmp_path / "feeds.opml"
    opml.write_text(f'<opml version="2.0"><body><outline text="x" xmlUrl="{site.url("/feed.xml")}"/></body></opml>')
    out = tmp_path / "out"
    result = run_cli("run", "--feeds", listing, opml, "--no-fetch", "--output", out, *FAST)
    assert result.returncode == 0, result.stderr
    assert len(site.requests("/feed.xml")) == 1 and not site.requests("/news/1")
    texts = sorted(t for (t,) in table(out, "articles", "text"))
    assert texts[0].startswith("Summary of One")


def test_feed_quirks(site, tmp_path):
    # A valid feed sent as text/html, an HTML page where a feed should be, an entry with no link,
    # and a page sent without a Content-Type.
    site.add("/news/1", story(1), content_type="")
    site.add("/html-feed.xml", rss([("One", site.url("/news/1"))]), content_type="text/html")
    site.add("/not-a-feed.xml", story(2))
    site.add("/nolink.xml", b"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title><item><title>No link</title>"
             b"<guid isPermaLink='false'>x1</guid><description>An entry with no page, whose own text is long enough "
             b"to stand as a short article.</description></item></channel></rss>", content_type="application/rss+xml")
    out = tmp_path / "out"
    result = run_cli("run", "--feeds", site.url("/html-feed.xml"), site.url("/not-a-feed.xml"), site.url("/nolink.xml"),
                     "--output", out, *FAST)
    assert result.returncode == 0, result.stderr
    assert "balance: read = articles + duplicates + rejects + skipped + filtered: ok" in result.stdout
    assert table(out, "rejects", "reason") == [("not_feed",)]
    urls = sorted(u for (u,) in table(out, "articles", "url"))
    assert urls == [site.url("/news/1"), site.url("/nolink.xml") + "#entry=x1"]
    assert len(site.requests("/nolink.xml")) == 1  # the entry without a link is not fetched again as a page


def test_two_scheduled_runs_fetch_only_what_is_new_and_link_copies_of_earlier_stories(site, tmp_path):
    """The hourly batch: an unchanged feed answers 304, a changed one lists a new story and a
    republished copy of a story the first run wrote; only those two pages are fetched."""
    for n in (1, 2, 3):
        site.add(f"/news/{n}", story(n))
    site.add("/copy/1", story(1).replace(b"Story number 1", b"Republished: story number one"))
    site.add("/a.xml", fn=etag_feed(rss([("One", site.url("/news/1"))]), etag='"a1"'))
    site.add("/b.xml", rss([("Two", site.url("/news/2"))]), content_type="application/rss+xml")
    out = tmp_path / "out"
    feeds = ["--feeds", site.url("/a.xml"), site.url("/b.xml")]
    first = run_cli("run", *feeds, "--output", out, *FAST)
    assert first.returncode == 0 and "articles written: 2" in first.stdout
    site.add("/b.xml", rss([("Two", site.url("/news/2")), ("Three", site.url("/news/3")),
                            ("Copy", site.url("/copy/1"))]), content_type="application/rss+xml")
    second = run_cli("run", *feeds, "--output", out, *FAST)
    assert second.returncode == 0, second.stderr
    assert "articles written: 1" in second.stdout and "duplicates: 1" in second.stdout
    assert "already in output (skipped): 1" in second.stdout
    a = site.requests("/a.xml")
    assert len(a) == 2 and a[1][4].get("If-None-Match") == '"a1"'  # answered 304
    assert [len(site.requests(f"/news/{n}")) for n in (1, 2, 3)] == [1, 1, 1]
    assert len(site.requests("/copy/1")) == 1
    one = table(out, "articles", "id, url")
    first_id = next(i for i, u in one if u.endswith("/news/1"))
    assert table(out, "duplicates", "url, duplicate_of") == [(site.url("/copy/1"), first_id)]
    assert sorted(u.rsplit("/", 1)[1] for _, u in one) == ["1", "2", "3"]


def test_real_feeds_fetched_over_http_give_every_entry_with_its_fields(site, tmp_path):
    """Real publishers' feeds (../shared/eval/feeds), served as a web server would: relative links
    resolved against the feed's URL, Latin-1 and windows-1251 decoded, every entry accounted for."""
    import pytest

    from tests.conftest import SHARED
    feeds = SHARED / "eval" / "feeds"
    if not feeds.is_dir():
        pytest.skip("../shared/eval/feeds is not present (clean clone)")
    names = ["nodefp__tpm.atom", "nodefp__rss-with-relative-urls.xml", "nodefp__iconv-windows1251.xml",
             "feedrs__rss_1.0_golem_iso8859.xml", "rssparser__guardian.rss", "feedrs__rss_2.0_reuters_invalid.xml"]
    for name in names:
        site.add(f"/{name}", (feeds / name).read_bytes(), content_type="application/xml")
    out = tmp_path / "out"
    result = run_cli("run", "--feeds", *[site.url(f"/{n}") for n in names], "--no-fetch", "--output", out, *FAST)
    assert result.returncode == 0, result.stderr
    assert "balance: read = articles + duplicates + rejects + skipped + filtered: ok" in result.stdout
    articles = table(out, "articles", "url, title, language, cast(published_at as date)::varchar, text")
    # 20 + 2 + 10 + 1 + 55 entries; the truncated Reuters feed is one reject
    assert len(articles) == 88
    assert table(out, "rejects", "url, stage, reason") == [
        (site.url("/feedrs__rss_2.0_reuters_invalid.xml"), "fetch", "feed_parse_error")]
    by_host = {}
    for url, title, language, day, text in articles:
        assert title and text and "<" not in title and "\ufffd" not in title + text, url
        by_host.setdefault(url.split("/")[2], []).append((title, language, day))
    # tpm.atom's 20 and the other feed's 2 relative links point at the server the feeds came from
    assert len(by_host.pop(site.url("/").split("/")[2])) == 22
    oren = by_host.pop("www.oren.ru")
    assert len(oren) == 10 and {(lang, day) for _, lang, day in oren} == {("ru", "2014-01-22")}
    assert "Вышла новая книга с изречениями Черномырдина" in {t for t, _, _ in oren}
    assert by_host.pop("www.golem.de") == [("Digitalministerium: Neue Glasfaserförderung mit Schnellkasse", "de",
                                            "2023-01-25")]
    guardian = by_host.pop("www.theguardian.com")
    assert len(guardian) == 55 and {lang for _, lang, _ in guardian} == {"en"}
    assert {day for _, _, day in guardian} == {"2017-12-08", "2018-01-29", "2018-01-30", "2018-01-31"}
    assert not by_host
