"""Sitemaps and site discovery (transforms/fetch/sitemaps.py, discover.py) against real HTTP
servers on loopback: what is found, what is fetched, what is rejected, and what a second
scheduled run asks for."""
import gzip
from datetime import datetime, timedelta, timezone

import pytest

from schemas import Document
from tests.conftest import run_cli
from tests.transforms.fetch import FAST, table
from tests.webserver import published_today, rss, story
from transforms.fetch.discover import feed_links
from transforms.fetch.sitemaps import entry_document, is_old, unchanged_child
from transforms.read.sitemap import SitemapEntry, parse_lastmod

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
BALANCE_OK = "balance: read = articles + duplicates + rejects + skipped + filtered: ok"


def urlset(entries) -> bytes:
    """entries: (url, lastmod or None, news dict or None)."""
    parts = []
    for url, lastmod, news in entries:
        extra = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        if news:
            extra += (f"<news:news><news:publication><news:name>Loop News</news:name><news:language>{news['lang']}"
                      f"</news:language></news:publication><news:publication_date>{news['date']}"
                      f"</news:publication_date><news:title>{news['title']}</news:title></news:news>")
        parts.append(f"<url><loc>{url}</loc>{extra}</url>")
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS}>{"".join(parts)}</urlset>'.encode()


def index(children) -> bytes:
    """children: (url, lastmod or None)."""
    parts = "".join(f"<sitemap><loc>{u}</loc>" + (f"<lastmod>{m}</lastmod>" if m else "") + "</sitemap>"
                    for u, m in children)
    return f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {NS}>{parts}</sitemapindex>'.encode()


def undated(n: int) -> bytes:
    """A story page that gives no publication date of its own."""
    return story(n).replace(b"<meta property='article:published_time' content='2025-05-06T07:08:09+00:00'>", b"")


def test_pure_parts():
    when = datetime(2026, 12, 1, tzinfo=timezone.utc)
    assert is_old(SitemapEntry("https://x/a", lastmod=datetime(2026, 11, 28, tzinfo=timezone.utc)), when)
    # Within the overlap (late entries, cached sitemaps): offered again, and the id decides.
    assert not is_old(SitemapEntry("https://x/a", lastmod=datetime(2026, 11, 30, tzinfo=timezone.utc)), when)
    assert not is_old(SitemapEntry("https://x/a", lastmod=when), when)
    assert not is_old(SitemapEntry("https://x/a"), when) and not is_old(SitemapEntry("https://x/a", lastmod=when), None)
    read = {"listed": when.isoformat(), "read_at": datetime(2026, 12, 2, tzinfo=timezone.utc).isoformat(), "newest": None}
    assert unchanged_child(when, read)
    assert not unchanged_child(when, {**read, "read_at": (when + timedelta(minutes=30)).isoformat()})  # clocks differ
    assert not unchanged_child(when + timedelta(hours=1), read)  # lastmod moved
    assert not unchanged_child(when, {k: v for k, v in read.items() if k != "newest"})  # never read in full
    assert not unchanged_child(None, read)
    day_only = parse_lastmod("2026-12-01")  # a day alone: its end, so a reading that day does not cover it
    assert day_only == datetime(2026, 12, 1, 23, 59, 59, tzinfo=timezone.utc)
    assert not unchanged_child(day_only, {**read, "listed": day_only.isoformat(), "read_at": "2026-12-01T10:00:00+00:00"})
    doc = entry_document(SitemapEntry("https://x.example/a?utm_source=s", published=when, title="T", language="DE"),
                         "https://x.example/s.xml", 4, when)
    assert isinstance(doc, Document) and doc.url == "https://x.example/a" and doc.source == "sitemap"
    assert (doc.date_hints, doc.title, doc.language_hint, doc.record_number) == ({"sitemap": when}, "T", "de", 4)
    page = (b"<html><head><link rel='alternate' type='application/rss+xml' href='/feed.xml'>"
            b"<link rel='alternate stylesheet' type='text/css' href='/x.css'>"
            b"<link rel='Alternate' type='application/atom+xml; charset=utf-8' href='https://o.example/atom'>"
            b"<link rel='alternate' type='application/rss+xml' href='/feed.xml'></head></html>")
    assert feed_links(page, "https://x.example/news/") == ["https://x.example/feed.xml", "https://o.example/atom"]


@pytest.mark.parametrize("beam_args", [[], ["--direct_running_mode=multi_processing", "--direct_num_workers=2"]],
                         ids=["in_process", "multi_processing"])
def test_site_discovery_reads_robots_sitemaps_index_news_and_gzip_and_home_page_feeds(site, tmp_path, beam_args):
    """robots.txt names an index, which points to a news sitemap and a gzipped urlset; the home
    page links a feed. Every article of all three is written once; the news sitemap's date and
    language are the document's hints."""
    for n in (1, 2, 3, 4):
        site.add(f"/news/{n}", story(n))
    site.add("/news/5", undated(5))
    site.add("/robots.txt", f"User-agent: *\nDisallow: /private/\nSitemap: {site.url('/sitemap_index.xml')}\n".encode(),
             content_type="text/plain")
    site.add("/sitemap_index.xml", index([(site.url("/news-sitemap.xml"), "2026-12-01"), ("/pages.xml.gz", None)]),
             content_type="application/xml")
    site.add("/news-sitemap.xml", urlset([
        (site.url("/news/5"), None, {"lang": "en", "date": "2026-12-01T09:30:00+01:00", "title": "Five"}),
        (site.url("/news/1"), None, {"lang": "en", "date": "2026-12-01T08:00:00Z", "title": "One"})]),
        content_type="text/xml")
    site.add("/pages.xml.gz", gzip.compress(urlset([(site.url("/news/2"), "2026-11-30", None),
                                                     (site.url("/news/1"), "2026-11-29", None)])),
             content_type="application/x-gzip")
    site.add("/feed.xml", rss([("Three", site.url("/news/3")), ("Four", site.url("/news/4"))]),
             content_type="application/rss+xml")
    site.add("/", b"<html><head><title>Home</title><link rel='alternate' type='application/rss+xml' "
                  b"href='/feed.xml'></head><body>Home</body></html>")
    out = tmp_path / "out"
    result = run_cli("run", "--sites", site.url("/"), "--output", out, *FAST, *beam_args)
    assert result.returncode == 0, result.stderr
    assert BALANCE_OK in result.stdout and "articles written: 5" in result.stdout, result.stdout
    assert f"feed {site.url('/feed.xml')}" in result.stdout
    assert f"sitemap {site.url('/sitemap_index.xml')}" in result.stdout
    assert "3 sitemaps" in result.stdout  # index, news sitemap, gzipped urlset
    rows = dict(((u, (s, d, lang)) for u, s, d, lang in table(out, "articles", "url, source, date_source, language")))
    assert rows[site.url("/news/5")] == ("sitemap", "sitemap", "en")
    assert rows[site.url("/news/3")][0] == "feed"
    assert all(len(site.requests(f"/news/{n}")) == 1 for n in (1, 2, 3, 4, 5))  # story 1 is listed twice
    assert not site.requests("/sitemap.xml")  # robots.txt named the sitemaps: no guessing


def test_usual_locations_when_robots_names_none_and_a_site_with_nothing(site, other_site, tmp_path):
    site.add("/news/1", story(1))
    site.add("/sitemap.xml", urlset([(site.url("/news/1"), None, None)]), content_type="application/xml")
    site.add("/sitemap_index.xml", b"<html><body>Soft 404</body></html>")  # an HTML page is no sitemap
    site.add("/", b"<html><body>No feed links</body></html>")
    other_site.add("/", b"<html><body>Nothing here</body></html>")
    out = tmp_path / "out"
    result = run_cli("run", "--sites", site.url("/"), other_site.url("/"), "--output", out, *FAST)
    assert result.returncode == 0, result.stderr
    assert BALANCE_OK in result.stdout and "articles written: 1" in result.stdout
    assert f"sitemap {site.url('/sitemap.xml')}" in result.stdout
    assert f"{other_site.url('/')}: nothing found" in result.stdout
    assert table(out, "rejects", "reason, source") == [("nothing_found", "site")]


def test_recursive_malformed_and_gzip_bomb_sitemaps_are_rejects(site, tmp_path):
    site.add("/news/1", story(1))
    site.add("/root.xml", index([(site.url("/a.xml"), None), (site.url("/bad.xml"), None),
                                 (site.url("/bomb.xml.gz"), None), (site.url("/pages.xml"), None)]))
    site.add("/a.xml", index([(site.url("/b.xml"), None)]), content_type="application/xml")
    site.add("/b.xml", index([(site.url("/a.xml"), None), (site.url("/root.xml"), None)]),
             content_type="application/xml")
    site.add("/bad.xml", b"<?xml version='1.0'?><urlset><url><loc>http://x/1</loc></urlset>",
             content_type="application/xml")
    # 1 MB on the wire, 200 MB inflated: refused at the protocol's 50 MB, not inflated further.
    site.add("/bomb.xml.gz", gzip.compress(b"<urlset>" + b" " * (200 << 20), compresslevel=9),
             content_type="application/gzip")
    site.add("/pages.xml", urlset([(site.url("/news/1"), None, None)]), content_type="application/xml")
    out = tmp_path / "out"
    result = run_cli("run", "--sitemaps", site.url("/root.xml"), "--output", out, "--max-bytes", str(2 << 20), *FAST)
    assert result.returncode == 0, result.stderr
    assert BALANCE_OK in result.stdout and "articles written: 1" in result.stdout, result.stdout
    reasons = sorted(r for (r,) in table(out, "rejects", "reason"))
    assert reasons == ["sitemap_loop", "sitemap_loop", "sitemap_parse_error", "too_large"], reasons
    assert len(site.requests("/a.xml")) == 1 and len(site.requests("/root.xml")) == 1


def test_second_scheduled_run_fetches_only_new_entries(site, tmp_path):
    """The index says which child changed: the unchanged one is not asked for again; in the
    changed one only the entries newer than the last run's are fetched."""
    for n in (1, 2, 3, 4, 5):
        site.add(f"/news/{n}", story(n, published_today()))
    site.add("/index.xml", index([(site.url("/a.xml"), "2026-12-01T10:00:00Z"), (site.url("/b.xml"), "2026-12-01T10:00:00Z")]))
    site.add("/a.xml", urlset([(site.url("/news/1"), "2026-11-20T08:00:00Z", None),
                               (site.url("/news/2"), "2026-12-01T10:00:00Z", None)]), content_type="application/xml")
    site.add("/b.xml", urlset([(site.url("/news/3"), "2026-12-01T09:00:00Z", None)]), content_type="application/xml")
    out = tmp_path / "out"
    args = ["run", "--sitemaps", site.url("/index.xml"), "--output", out, *FAST]
    first = run_cli(*args)
    assert first.returncode == 0 and "articles written: 3" in first.stdout, first.stdout + first.stderr
    # An hour later: a.xml lists two new stories (one re-dated, one new) and drops nothing; b.xml is unchanged.
    site.add("/index.xml", index([(site.url("/a.xml"), "2026-12-01T11:00:00Z"), (site.url("/b.xml"), "2026-12-01T10:00:00Z")]))
    site.add("/a.xml", urlset([(site.url("/news/1"), "2026-11-20T08:00:00Z", None),
                               (site.url("/news/2"), "2026-12-01T10:00:00Z", None),
                               (site.url("/news/4"), "2026-12-01T11:00:00Z", None),
                               (site.url("/news/5"), None, None)]), content_type="application/xml")
    second = run_cli(*args)
    assert second.returncode == 0, second.stderr
    assert "articles written: 2" in second.stdout and BALANCE_OK in second.stdout, second.stdout
    assert "sitemaps unchanged since the last run: 1; entries older than the last run's: 1" in second.stdout
    assert len(site.requests("/b.xml")) == 1  # not asked for again
    assert [len(site.requests(f"/news/{n}")) for n in (1, 2, 3, 4, 5)] == [1, 1, 1, 1, 1]
    # news/2 (the newest of the last run: within the overlap) passed the date test and was skipped by id.
    assert "already in output (skipped): 1" in second.stdout


def test_host_and_date_filters_drop_sitemap_entries_before_any_request(site, other_site, tmp_path):
    """A sitemap file on disk: the excluded host gets no request, nor does the page whose news date is too old."""
    site.add("/news/1", story(1))
    site.add("/news/3", story(3))
    other_site.add("/news/2", story(2))
    sitemap = tmp_path / "sitemap.xml"
    sitemap.write_bytes(urlset([(site.url("/news/1"), None, None), (other_site.url("/news/2"), None, None),
                                (site.url("/news/3"), None, {"lang": "en", "date": "2020-01-01", "title": "Old"})]))
    out = tmp_path / "out"
    result = run_cli("run", "--sitemaps", sitemap, "--exclude-hosts", "127.0.0.2", "--since", "2025-01-01",
                     "--output", out, *FAST)
    assert result.returncode == 0, result.stderr
    assert "filtered out: 2 (date=1, host=1)" in result.stdout and BALANCE_OK in result.stdout, result.stdout
    assert not other_site.requests() and not site.requests("/news/3") and len(site.requests("/news/1")) == 1


def test_sitemap_flags_mistakes_are_one_line_and_exit_2(tmp_path):
    listing = tmp_path / "sites.txt"
    listing.write_text("example.com\n")
    sitemap_list = tmp_path / "sitemaps.txt"
    sitemap_list.write_text("sitemap.xml\n")
    for args, message in ((["--sites", listing], "site lists hold http(s) URLs"),
                          (["--sites", "example.com"], "--sites takes http(s) URLs"),
                          (["--sitemaps", sitemap_list], "sitemap lists hold http(s) URLs"),
                          (["--sitemaps", "https://example.com/s.xml", "--no-fetch"], "--no-fetch"),
                          (["--sitemaps", tmp_path / "missing.xml"], "sitemap list not found")):
        result = run_cli("run", *args, "--output", tmp_path / "out")
        assert result.returncode == 2 and message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_what_scheduled_runs_must_not_lose(site, tmp_path):
    """An index with an ETag whose child changes, an entry dated far in the future, and a robots.txt
    naming a local file: the second run still fetches the new entry, and no file is read."""
    secret = tmp_path / "secret.txt"
    secret.write_text(site.url("/leak") + "\n")
    site.add("/robots.txt", f"User-agent: *\nSitemap: {secret}\nSitemap: /index.xml\n".encode(), content_type="text/plain")
    site.add("/", b"<html><body>Home</body></html>")
    for n in (1, 2, 3):
        site.add(f"/news/{n}", story(n, published_today()))

    def index_fn(req, hits):
        if req.headers.get("If-None-Match") == '"i1"':
            return 304, {"ETag": '"i1"'}, b""
        return 200, {"Content-Type": "application/xml", "ETag": '"i1"'}, index([(site.url("/news.xml"), None)])
    site.add("/index.xml", fn=index_fn)
    site.add("/news.xml", urlset([(site.url("/news/1"), "2099-01-01T00:00:00Z", None),
                                  (site.url("/news/2"), "2026-12-01T00:00:00Z", None)]), content_type="application/xml")
    out = tmp_path / "out"
    args = ["run", "--sites", site.url("/"), "--output", out, *FAST]
    first = run_cli(*args)
    assert first.returncode == 0 and "articles written: 2" in first.stdout, first.stdout + first.stderr
    site.add("/news.xml", urlset([(site.url("/news/1"), "2099-01-01T00:00:00Z", None),
                                  (site.url("/news/2"), "2026-12-01T00:00:00Z", None),
                                  (site.url("/news/3"), "2026-12-02T00:00:00Z", None)]), content_type="application/xml")
    second = run_cli(*args)
    assert second.returncode == 0 and "articles written: 1" in second.stdout and BALANCE_OK in second.stdout, second.stdout
    assert len(site.requests("/news/3")) == 1 and not site.requests("/leak")
    assert all("If-None-Match" not in headers for *_, headers in site.requests("/index.xml"))


def test_entry_cap_takes_the_newest_and_a_full_queue_does_not_stall(site, other_site, tmp_path):
    """12,000 entries (more than a worker queues at once) on an excluded host pass the fetch step's
    queue without a request; past --max-sitemap-entries the newest are taken and the sitemap is a reject."""
    entries = [(other_site.url(f"/n/{n}"), f"2026-11-{1 + n % 28:02d}", None) for n in range(12_000)]
    big = tmp_path / "big.xml"
    big.write_bytes(urlset(entries))
    out = tmp_path / "out"
    result = run_cli("run", "--sitemaps", big, "--exclude-hosts", "127.0.0.2", "--output", out, *FAST)
    assert result.returncode == 0, result.stderr
    assert "filtered out: 12000 (host=12000)" in result.stdout and BALANCE_OK in result.stdout, result.stdout
    assert not other_site.requests()
    site.add("/news/1", story(1))
    site.add("/news/2", story(2))
    small = tmp_path / "small.xml"
    small.write_bytes(urlset([(site.url("/news/1"), "2026-11-01", None), (site.url("/news/2"), "2026-11-30", None)]))
    capped = run_cli("run", "--sitemaps", small, "--max-sitemap-entries", "1", "--output", tmp_path / "out2", *FAST)
    assert capped.returncode == 0 and BALANCE_OK in capped.stdout, capped.stdout
    assert len(site.requests("/news/2")) == 1 and not site.requests("/news/1")
    assert table(tmp_path / "out2", "rejects", "reason") == [("too_many_entries",)]


def test_a_site_that_no_longer_links_its_feed_is_reported_as_such(site, tmp_path):
    site.add("/news/1", story(1))
    site.add("/feed.xml", rss([("One", site.url("/news/1"))]), content_type="application/rss+xml")
    site.add("/", b"<html><head><link rel='alternate' type='application/rss+xml' href='/feed.xml'></head></html>")
    out = tmp_path / "out"
    assert f"feed {site.url('/feed.xml')}" in run_cli("run", "--sites", site.url("/"), "--output", out, *FAST).stdout
    site.add("/", b"<html><body>Redesigned, no feed links</body></html>")
    second = run_cli("run", "--sites", site.url("/"), "--output", out, *FAST)
    assert f"{site.url('/')}: nothing found" in second.stdout and BALANCE_OK in second.stdout, second.stdout
