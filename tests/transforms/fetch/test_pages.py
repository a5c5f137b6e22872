"""Article pages from the web (transforms/fetch/pages.py): `news-ingest run --feeds/--urls` against a
real HTTP server on loopback: good pages land in articles, each fault in rejects with its reason,
nothing is lost, hosts are treated politely."""
from tests.conftest import run_cli
from tests.transforms.fetch import FAST, table
from tests.webserver import newsroom as serve_newsroom
from tests.webserver import rss, story


def test_feeds_fetch_pages_and_reject_each_fault_with_its_reason(site, tmp_path):
    feed, atom_feed = serve_newsroom(site)
    out = tmp_path / "out"
    result = run_cli("run", "--feeds", feed, atom_feed, "--output", out, *FAST, "--max-bytes", str(5 << 20))
    assert result.returncode == 0, result.stderr
    assert "balance: read = articles + duplicates + rejects + skipped + filtered: ok" in result.stdout
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


def test_url_lists_and_bad_urls(site, tmp_path):
    site.add("/news/1", story(1))
    listing = tmp_path / "urls.txt"
    listing.write_text(f"{site.url('/news/1')}\nftp://example.com/file\nnot a url\n")
    out = tmp_path / "out"
    result = run_cli("run", "--urls", listing, "--output", out, *FAST)
    assert result.returncode == 0, result.stderr
    assert sorted(r for (r,) in table(out, "rejects", "reason")) == ["unsupported_scheme", "unsupported_scheme"]
    assert len(table(out, "articles", "url")) == 1


def test_a_dripping_page_costs_its_deadline_once_and_the_host_goes_on(site, tmp_path):
    """A page sending one byte every 0.2 s is rejected when --deadline passes, is not tried again,
    and the same host's next page is fetched right after it."""
    from tests.webserver import drip
    site.add("/drip", fn=drip())
    site.add("/news/1", story(1))
    out = tmp_path / "out"
    result = run_cli("run", "--urls", site.url("/drip"), site.url("/news/1"), "--output", out, *FAST,
                     "--timeout", "5", "--deadline", "1.5")
    assert result.returncode == 0, result.stderr
    assert table(out, "rejects", "url, reason") == [(site.url("/drip"), "timeout")]
    assert [u for (u,) in table(out, "articles", "url")] == [site.url("/news/1")]
    (drip_request,) = site.requests("/drip")
    (page_request,) = site.requests("/news/1")
    assert drip_request[1] - drip_request[0] < 1.5 + 1.0  # the server saw the client hang up in time
    assert page_request[0] - drip_request[0] < 1.5 + 1.0  # and the host's next page came after it
