"""`news-ingest run --feeds/--urls` against a real HTTP server on loopback: good pages land in
articles, each fault in rejects with its reason, nothing is lost, hosts are treated politely."""
import gzip
import time

import duckdb
import pytest

from tests.conftest import SHARED, run_cli
from tests.webserver import etag_feed, rss, story
from tests.webserver import newsroom as serve_newsroom

FAST = ["--allow-private-networks", "--min-delay", "0.2", "--timeout", "0.5", "--retry-delay", "0.05", "-q"]


def table(out, name, columns):
    return duckdb.sql(f"select {columns} from read_parquet('{out}/{name}/*/*.parquet', hive_partitioning=true)").fetchall()


def test_feeds_fetch_pages_and_reject_each_fault_with_its_reason(site, tmp_path):
    feed, atom_feed = serve_newsroom(site)
    out = tmp_path / "out"
    result = run_cli("run", "--feeds", feed, atom_feed, "--output", out, *FAST, "--max-bytes", str(5 << 20))
    assert result.returncode == 0, result.stderr
    assert "balance: read = articles + duplicates + rejects + skipped: ok" in result.stdout
    articles = {u.replace(site.url(""), ""): (t, d, s) for u, t, d, s in table(out, "articles", "url, text, date, date_source")}
    assert sorted(articles) == ["/busy", "/flaky", "/latin1", "/news/1", "/news/2", "/news/3"]
    assert "Le café de la gare a rouvert" in articles["/latin1"][0]
    assert {(str(d), s) for _, d, s in articles.values()} == {("2025-05-06", "html")}
    rejects = {u.replace(site.url(""), ""): (stage, reason, status)
               for u, stage, reason, status in table(out, "rejects", "url, stage, reason, http_status")}
    assert rejects == {
        "/slow": ("fetch", "timeout", None), "/loop": ("fetch", "too_many_redirects", 302),
        "/big": ("fetch", "too_large", None), "/bomb": ("fetch", "too_large", None),
        "/binary": ("fetch", "not_html", 200), "/private/secret": ("fetch", "robots_disallowed", None),
        "/report.pdf": ("fetch", "not_html", 200), "/gone": ("fetch", "http_status", 404)}
    # Story 1 is in both feeds, under different tracking parameters: fetched once.
    assert len(site.requests("/news/1?utm_source=rss&utm_medium=feed")) + len(site.requests("/news/1")) == 1
    assert len(site.requests("/robots.txt")) == 1
    assert len(site.requests("/private/secret")) == 0
    # Politeness, from the server's own log: requests to the host start at least 0.2 s apart, and
    # none starts while another one the client still waits for is running (the slow page's
    # handler sleeps on after the client gave up, so its end is not the client's).
    log = sorted(site.requests(), key=lambda r: r[0])
    starts = [b[0] - a[0] for a, b in zip(log, log[1:])]
    assert min(starts) >= 0.19, starts
    answered = [r for r in log if r[3] != "/slow"]
    assert all(b[0] - a[1] >= 0.19 for a, b in zip(answered, answered[1:]) if a[1] < b[0] + 1)


def test_without_the_flag_nothing_is_requested(site, tmp_path):
    feed, _ = serve_newsroom(site)
    out = tmp_path / "out"
    result = run_cli("run", "--feeds", feed, "--urls", site.url("/news/2"), "--output", out, "-q")
    assert result.returncode == 0, result.stderr
    assert site.requests() == []
    assert sorted(table(out, "rejects", "stage, reason")) == [("fetch", "blocked_address")] * 2
    assert "balance: read = articles + duplicates + rejects + skipped: ok" in result.stdout


def test_second_run_gets_304_and_fetches_nothing(site, tmp_path):
    site.add("/news/1", story(1))
    site.add("/feed.xml", fn=etag_feed(rss([("One", site.url("/news/1"))])))
    out = tmp_path / "out"
    first = run_cli("run", "--feeds", site.url("/feed.xml"), "--output", out, *FAST)
    assert first.returncode == 0 and "articles written: 1" in first.stdout
    second = run_cli("run", "--feeds", site.url("/feed.xml"), "--output", out, *FAST)
    assert second.returncode == 0 and "documents read: 0" in second.stdout
    feed_requests = site.requests("/feed.xml")
    assert len(feed_requests) == 2 and feed_requests[1][4].get("If-None-Match") == '"v1"'
    assert len(site.requests("/news/1")) == 1
    assert (out / "_state" / "feeds.json").is_file()


def test_new_entries_only_are_fetched_on_a_scheduled_run(site, tmp_path):
    site.add("/news/1", story(1))
    site.add("/news/2", story(2))
    site.add("/feed.xml", rss([("One", site.url("/news/1"))]), content_type="text/xml")
    out = tmp_path / "out"
    assert run_cli("run", "--feeds", site.url("/feed.xml"), "--output", out, *FAST).returncode == 0
    site.add("/feed.xml", rss([("One", site.url("/news/1")), ("Two", site.url("/news/2"))]), content_type="text/xml")
    second = run_cli("run", "--feeds", site.url("/feed.xml"), "--output", out, *FAST)
    assert "articles written: 1" in second.stdout and "already in output (skipped): 1" in second.stdout
    assert len(site.requests("/news/1")) == 1 and len(site.requests("/news/2")) == 1


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


def test_two_hosts_are_fetched_at_the_same_time_each_one_politely(site, other_site, tmp_path):
    for s in (site, other_site):
        for n in range(4):
            s.add(f"/p{n}", fn=lambda req, hits, n=n: (time.sleep(0.3), (200, {"Content-Type": "text/html"}, story(n)))[1])
    urls = [s.url(f"/p{n}") for s in (site, other_site) for n in range(4)]
    out = tmp_path / "out"
    result = run_cli("run", "--urls", *urls, "--output", out, *FAST)
    assert result.returncode == 0, result.stderr
    for s in (site, other_site):
        log = sorted(s.requests(), key=lambda r: r[0])
        assert all(b[0] - a[1] >= 0.19 for a, b in zip(log, log[1:]))  # never two at once on one host
    a, b = site.requests("/p0")[0], other_site.requests("/p0")[0]
    spans = [(r[0], r[1]) for r in site.requests() if r[3].startswith("/p")]
    other = [(r[0], r[1]) for r in other_site.requests() if r[3].startswith("/p")]
    overlap = any(s0 < o1 and o0 < s1 for s0, s1 in spans for o0, o1 in other)
    assert overlap  # the two hosts were served concurrently


def test_url_lists_and_bad_urls(site, tmp_path):
    site.add("/news/1", story(1))
    listing = tmp_path / "urls.txt"
    listing.write_text(f"{site.url('/news/1')}\nftp://example.com/file\nnot a url\n")
    out = tmp_path / "out"
    result = run_cli("run", "--urls", listing, "--output", out, *FAST)
    assert result.returncode == 0, result.stderr
    assert sorted(r for (r,) in table(out, "rejects", "reason")) == ["unsupported_scheme", "unsupported_scheme"]
    assert len(table(out, "articles", "url")) == 1


def test_missing_feed_list_is_a_usage_error(tmp_path):
    result = run_cli("run", "--feeds", tmp_path / "nope.txt")
    assert result.returncode == 2 and result.stderr.strip() == f"news-ingest: error: feed list not found: {tmp_path / 'nope.txt'}"


def test_every_real_feed_yields_entries_or_a_reject(tmp_path):
    from transforms.read import read_path
    feeds = SHARED / "eval" / "feeds"
    if not feeds.is_dir():
        pytest.skip("../shared/eval/feeds is not present (clean clone)")
    files = sorted(p for p in feeds.iterdir() if p.suffix != ".md")
    for path in files:
        assert list(read_path(str(path))), path.name
    out = tmp_path / "out"
    result = run_cli("run", "--feeds", *files, "--no-fetch", "--output", out, "-q")
    assert result.returncode == 0, result.stderr
    assert "balance: read = articles + duplicates + rejects + skipped: ok" in result.stdout


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
    assert "balance: read = articles + duplicates + rejects + skipped: ok" in result.stdout
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
