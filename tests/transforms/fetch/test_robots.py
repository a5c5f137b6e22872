"""robots.txt and per-host pacing (transforms/fetch/robots.py), against a real server on 127.0.0.1."""
from tests.transforms.fetch import client
from transforms.fetch.client import FetchConfig, HttpClient
from transforms.fetch.robots import HostPacer, RobotsCache


def test_robots_disallow_and_crawl_delay(site):
    site.add("/robots.txt", b"User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n", content_type="text/plain")
    pacer = HostPacer(0.1)
    c = HttpClient(FetchConfig(allow_private=True), slot=pacer.slot)
    robots = RobotsCache(c, FetchConfig().user_agent, pacer)
    assert robots.check(site.url("/private/page")) and robots.check(site.url("/public/page")) is None
    assert len(site.requests("/robots.txt")) == 1  # cached per host
    assert pacer._delays["127.0.0.1"] == 2.0


def test_robots_missing_allows_and_server_error_disallows(site):
    c = client()
    assert RobotsCache(c, "news-ingest", HostPacer(0)).check(site.url("/a")) is None
    site.add("/robots.txt", status=503)
    assert "unreachable" in RobotsCache(client(max_attempts=1), "news-ingest", HostPacer(0)).check(site.url("/a"))


def test_pacer_spaces_requests_to_one_host(site):
    site.add("/p", b"ok")
    pacer = HostPacer(0.3)
    c = HttpClient(FetchConfig(allow_private=True), slot=pacer.slot)
    for _ in range(3):
        c.get(site.url("/p"))
    log = site.requests("/p")
    assert all(b[0] - a[1] >= 0.29 for a, b in zip(log, log[1:]))


def test_the_rules_for_our_user_agent_apply_not_those_for_every_robot(site):
    site.add("/robots.txt", b"User-agent: news-ingest\nDisallow: /private/\n\nUser-agent: otherbot\nDisallow: /\n\n"
                            b"User-agent: *\nDisallow:\n", content_type="text/plain")
    robots = RobotsCache(client(), FetchConfig().user_agent, HostPacer(0))
    assert "disallows /private/x" in robots.check(site.url("/private/x"))  # our group, not '*' (which allows all)
    assert robots.check(site.url("/news/1")) is None  # otherbot's 'Disallow: /' is not ours


def test_crawl_delay_spaces_the_requests_the_server_sees(site):
    site.add("/robots.txt", b"User-agent: *\nCrawl-delay: 1\n", content_type="text/plain")
    site.add("/p", b"ok")
    pacer = HostPacer(0.05)
    c = HttpClient(FetchConfig(allow_private=True, min_delay=0.05), slot=pacer.slot)
    robots = RobotsCache(c, FetchConfig().user_agent, pacer)
    for _ in range(3):
        assert robots.check(site.url("/p")) is None
        c.get(site.url("/p"))
    starts = [r[0] for r in site.requests("/p")]
    assert len(starts) == 3 and all(b - a >= 0.95 for a, b in zip(starts, starts[1:]))
