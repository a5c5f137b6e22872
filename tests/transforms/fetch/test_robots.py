"""robots.txt and per-host pacing (transforms/fetch/robots.py), against a real server on 127.0.0.1."""
import itertools
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.transforms.fetch import client, failure
from tests.webserver import drip
from transforms.fetch.client import FetchConfig, HttpClient
from transforms.fetch.hosts import HostFetchFn
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


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 499])
def test_a_robots_txt_answered_with_a_client_error_allows_every_page(site, status):
    """RFC 9309: a 4xx answer (forbidden included) means there are no rules, whatever its body says."""
    site.add("/robots.txt", b"User-agent: *\nDisallow: /\n", status=status, content_type="text/plain")
    robots = RobotsCache(client(max_attempts=1), "news-ingest", HostPacer(0))
    assert robots.check(site.url("/a")) is None and robots.check(site.url("/private/b")) is None
    assert len(site.requests("/robots.txt")) == 1


@pytest.mark.parametrize("status", [500, 503, 599])
def test_a_robots_txt_answered_with_a_server_error_refuses_every_page(site, status):
    """RFC 9309: a 5xx answer means the site is unreachable, so nothing may be fetched from it."""
    site.add("/robots.txt", status=status)
    robots = RobotsCache(client(max_attempts=1), "news-ingest", HostPacer(0))
    for path in ("/a", "/news/1"):
        assert robots.check(site.url(path)).startswith(f"robots.txt unreachable: HTTP {status}")
    assert len(site.requests("/robots.txt")) == 1


def test_a_robots_txt_that_never_comes_refuses_the_host(site):
    """No answer, from a server too slow for the deadline or from nothing listening at all, is unreachable."""
    site.add("/robots.txt", fn=drip(0.1, 30))
    robots = RobotsCache(client(deadline=0.5, max_attempts=1), "news-ingest", HostPacer(0))
    assert robots.check(site.url("/a")).startswith("robots.txt unreachable: ")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    assert robots.check(f"http://127.0.0.1:{closed}/a").startswith("robots.txt unreachable: ")


def test_urls_the_fetcher_may_not_request_are_left_for_the_page_fetch_to_reject(site):
    """No robots.txt can be asked for a blocked address, another scheme or a name that cannot be resolved: the
    check lets the URL through, the page fetch rejects it with the real reason, and the server sees nothing."""
    c = client(allow_private=False)
    robots = RobotsCache(c, "news-ingest", HostPacer(0))
    bad_name = "http://" + "a" * 64 + ".example/a"  # a label over 63 characters fails before any DNS query
    for url, reason in ((site.url("/a"), "blocked_address"), (f"ftp://127.0.0.1:{site.port}/a", "unsupported_scheme"),
                        (bad_name, "dns_error")):
        assert robots.check(url) is None
        assert failure(c, url).reason == reason
    assert site.requests() == []


def test_a_refusal_names_the_host_the_path_and_our_robots_name(site):
    """The reject's detail says whose robots.txt refused which path for which name (the User-Agent's product token)."""
    site.add("/robots.txt", b"User-agent: *\nDisallow: /\n", content_type="text/plain")
    robots = RobotsCache(client(), FetchConfig().user_agent, HostPacer(0))
    netloc = f"127.0.0.1:{site.port}"
    assert robots.check(site.url("/private/x?id=1")) == f"robots.txt of {netloc} disallows /private/x for news-ingest"
    assert robots.check(f"http://{netloc}") == f"robots.txt of {netloc} disallows / for news-ingest"


def test_a_robots_txt_that_is_not_utf8_still_applies(site):
    """Latin-1 bytes in a comment or a path must not stop the rules around them from applying."""
    site.add("/robots.txt", b"# R\xe8gles du site\nUser-agent: *\nDisallow: /archives-\xe9t\xe9/\nDisallow: /private/\n",
             content_type="text/plain; charset=iso-8859-1")
    robots = RobotsCache(client(), "news-ingest", HostPacer(0))
    assert "disallows /private/x" in robots.check(site.url("/private/x"))
    assert robots.check(site.url("/news/1")) is None


def test_rules_past_the_first_512_kib_of_a_huge_robots_txt_are_ignored(site):
    """RFC 9309 lets a crawler stop at a parsing limit of at least 500 KiB; a huge file still gives its first rules."""
    filler = b"".join(b"Disallow: /filler-%06d/\n" % n for n in range(600 * 1024 // 24))
    site.add("/robots.txt", b"User-agent: *\nDisallow: /early/\n" + filler + b"Disallow: /late/\n",
             content_type="text/plain")
    robots = RobotsCache(client(), "news-ingest", HostPacer(0))
    assert "disallows /early/x" in robots.check(site.url("/early/x"))
    assert robots.check(site.url("/late/x")) is None


def test_threads_asking_about_a_new_host_at_once_fetch_its_robots_txt_once(site):
    """A worker runs host batches in threads: those that ask about one host together wait for one fetch."""
    def slow_robots(request, hits):
        time.sleep(0.3)
        return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"
    site.add("/robots.txt", fn=slow_robots)
    pacer = HostPacer(0.05)
    robots = RobotsCache(HttpClient(FetchConfig(allow_private=True, min_delay=0.05), slot=pacer.slot), "news-ingest",
                         pacer)
    together = threading.Barrier(4)

    def ask(_):
        together.wait()
        return robots.check(site.url("/private/x"))
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(ask, range(4)))
    assert all("disallows /private/x" in answer for answer in answers)
    assert len(site.requests("/robots.txt")) == 1


def test_a_slow_robots_txt_does_not_hold_up_other_hosts(site, other_site):
    """While one host's robots.txt is still coming, another host's is asked for."""
    asked, release = threading.Event(), threading.Event()

    def slow_robots(request, hits):
        asked.set()
        release.wait(5)
        return 404, {}, b""
    site.add("/robots.txt", fn=slow_robots)
    robots = RobotsCache(client(), "news-ingest", HostPacer(0))
    waiting = threading.Thread(target=robots.check, args=(site.url("/a"),))
    waiting.start()
    assert asked.wait(5)
    try:
        assert robots.check(other_site.url("/a")) is None
    finally:
        release.set()
        waiting.join()
    assert other_site.requests("/robots.txt")[0][0] < site.requests("/robots.txt")[0][1]


_fresh = itertools.count(1)


def fresh_settings(*min_delays):
    """A robots name and min delays no earlier test in this process used: shared pacers and robots.txt caches live
    as long as the process, and one that already knows a host would hide what a test looks for."""
    n = next(_fresh)
    return f"step{n}bot", [delay + n * 1e-6 for delay in min_delays]


@pytest.fixture
def worker():
    """Makes fetch steps (feeds or pages) of one worker process as the pipeline sets them up; tears them down."""
    made = []

    def step(name, min_delay):
        made.append(HostFetchFn(FetchConfig(user_agent=f"{name}/1.0", allow_private=True, min_delay=min_delay)))
        made[-1].setup()
        return made[-1]
    yield step
    for made_step in made:
        made_step.teardown()


def test_fetch_steps_of_a_worker_share_robots_txt_and_its_crawl_delay(site, worker):
    """Feed and page steps ask for robots.txt once per host and space their requests together by its Crawl-delay."""
    site.add("/robots.txt", b"User-agent: *\nDisallow: /private/\nCrawl-delay: 1\n", content_type="text/plain")
    site.add("/p", b"ok")
    name, (delay,) = fresh_settings(0.05)
    feeds, pages = worker(name, delay), worker(name, delay)
    for step in (feeds, pages, feeds):
        assert step.robots.check(site.url("/private/x")) and step.robots.check(site.url("/p")) is None
        step.client.get(site.url("/p"))
    assert len(site.requests("/robots.txt")) == 1
    starts = [r[0] for r in site.requests("/p")]
    assert len(starts) == 3 and all(b - a >= 0.95 for a, b in itertools.pairwise(starts))


def test_the_crawl_delay_reaches_steps_with_another_min_delay(site, worker):
    """A step with its own --min-delay has its own pacer, and robots.txt's Crawl-delay must space its requests too."""
    site.add("/robots.txt", b"User-agent: *\nCrawl-delay: 1\n", content_type="text/plain")
    site.add("/p", b"ok")
    name, (short, longer) = fresh_settings(0.05, 0.3)
    first, second = worker(name, short), worker(name, longer)
    assert first.robots.check(site.url("/p")) is None
    for _ in range(2):
        assert second.robots.check(site.url("/p")) is None
        second.client.get(site.url("/p"))
    starts = [r[0] for r in site.requests("/p")]
    assert len(starts) == 2 and starts[1] - starts[0] >= 0.95


def test_a_step_keeps_its_own_min_delay_beside_a_step_with_a_shorter_one(other_site, worker):
    """Two --min-delay settings in one worker: the longer one still spaces its step's requests."""
    other_site.add("/p", b"ok")
    name, (short, longer) = fresh_settings(0.01, 0.5)
    hasty, patient = worker(name, short), worker(name, longer)
    hasty.client.get(other_site.url("/p?hasty"))
    for _ in range(3):
        patient.client.get(other_site.url("/p"))
    starts = [r[0] for r in other_site.requests("/p")]
    assert len(starts) == 3 and all(b - a >= 0.49 for a, b in itertools.pairwise(starts))


def test_each_robots_name_follows_its_own_group(site, worker):
    """Steps of two user agents in one worker each follow the group of robots.txt for their name."""
    (first, _), (second, _) = fresh_settings(), fresh_settings()
    site.add("/robots.txt", f"User-agent: {first}\nDisallow: /first/\n\nUser-agent: {second}\nDisallow: /second/\n"
             .encode(), content_type="text/plain")
    for name, mine, theirs in ((first, "/first/x", "/second/x"), (second, "/second/x", "/first/x")):
        for step in (worker(name, 0.0), worker(name, 0.0)):
            assert step.robots.check(site.url(mine)) and step.robots.check(site.url(theirs)) is None
