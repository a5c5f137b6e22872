"""The HTTP client and its limits (transforms/fetch/client.py), against a real server on 127.0.0.1
(no mocks of the client)."""
import gzip
import time

import pytest

from tests.transforms.fetch import client, failure
from tests.webserver import drip, hang_up_mid_body
from transforms.fetch.client import FetchConfig, FetchError, HttpClient, read_body, retry_after


def test_ok_and_connection_reuse(site):
    site.add("/a", b"<p>hello</p>")
    c = client()
    for _ in range(3):
        resp = c.get(site.url("/a"))
        assert (resp.status, resp.body, resp.media_type, resp.charset) == (200, b"<p>hello</p>", "text/html", "utf-8")
    assert all(r[4]["User-Agent"].startswith("news-ingest/") for r in site.requests())


def test_http_errors_carry_the_status(site):
    err = failure(client(), site.url("/missing"))
    assert (err.reason, err.status) == ("http_status", 404)
    assert len(site.requests("/missing")) == 1  # 404 is not retried


def test_500_then_200_is_retried(site):
    site.add("/flaky", fn=lambda req, hits: (500, {}, b"oops") if hits == 0 else (200, {"Content-Type": "text/html"}, b"ok"))
    assert client().get(site.url("/flaky")).body == b"ok"
    assert len(site.requests("/flaky")) == 2


def test_retries_are_bounded(site):
    site.add("/down", status=503, body=b"down")
    err = failure(client(max_attempts=3), site.url("/down"))
    assert (err.reason, err.status) == ("http_status", 503) and len(site.requests("/down")) == 3


def test_429_honours_retry_after(site):
    site.add("/busy", fn=lambda req, hits: (429, {"Retry-After": "1"}, b"") if hits == 0 else (200, {}, b"done"))
    assert client().get(site.url("/busy")).body == b"done"
    first, second = site.requests("/busy")
    assert second[0] - first[1] >= 0.95  # the server saw the pause it asked for


def test_retry_after_too_long_gives_up(site):
    site.add("/later", status=429, headers={"Retry-After": "3600"})
    err = failure(client(), site.url("/later"))
    assert (err.reason, err.status) == ("http_status", 429) and len(site.requests("/later")) == 1
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", time.time()) == 0.0 and retry_after("", 0) is None


def test_slow_page_times_out(site):
    def slow(req, hits):
        time.sleep(2)
        return 200, {}, b"late"
    site.add("/slow", fn=slow)
    err = failure(client(read_timeout=0.3, max_attempts=1), site.url("/slow"))
    assert err.reason == "timeout"


def test_total_deadline_for_a_trickling_body(site):
    def trickle():
        for _ in range(20):
            time.sleep(0.1)
            yield b"x" * 100
    site.add("/trickle", fn=lambda req, hits: (200, {"Content-Type": "text/html"}, trickle()))
    err = failure(client(deadline=0.5, max_attempts=1), site.url("/trickle"))
    assert err.reason == "timeout"


@pytest.mark.parametrize("slow_headers", [False, True], ids=["drip-body", "drip-headers"])
def test_a_drip_is_cut_at_the_deadline_and_not_tried_again(site, slow_headers):
    """One byte every 0.2 s never lets the read timeout pass; the deadline still ends the request."""
    site.add("/drip", fn=drip(slow_headers=slow_headers))
    started = time.monotonic()
    err = failure(client(deadline=1.0, read_timeout=5, max_attempts=3), site.url("/drip"))
    took = time.monotonic() - started
    assert err.reason == "timeout" and "deadline" in err.detail
    assert 0.9 <= took < 2.0 and len(site.requests("/drip")) == 1


def test_retries_share_the_deadline(site):
    def slow_503(req, hits):
        time.sleep(0.4)
        return 503, {}, b"busy"
    site.add("/busy-slow", fn=slow_503)
    started = time.monotonic()
    err = failure(client(deadline=1.0, max_attempts=10, backoff_base=0.05), site.url("/busy-slow"))
    assert err.reason in ("http_status", "timeout") and time.monotonic() - started < 2.0
    assert 2 <= len(site.requests("/busy-slow")) <= 3  # not ten: the deadline is spent after two or three


def test_redirect_chain_followed_and_checked(site):
    site.add("/r1", status=301, headers={"Location": "/r2"})
    site.add("/r2", status=302, headers={"Location": site.url("/r3")})
    site.add("/r3", status=307, headers={"Location": "/final"})
    site.add("/final", b"arrived")
    resp = client().get(site.url("/r1"))
    assert resp.body == b"arrived" and resp.url == site.url("/final") and len(resp.redirects) == 3


def test_redirect_loop_and_too_many(site):
    site.add("/loop-a", status=302, headers={"Location": "/loop-b"})
    site.add("/loop-b", status=302, headers={"Location": "/loop-a"})
    err = failure(client(), site.url("/loop-a"))
    assert err.reason == "too_many_redirects" and "loop" in err.detail
    for i in range(8):
        site.add(f"/hop{i}", status=302, headers={"Location": f"/hop{i + 1}"})
    err = failure(client(max_redirects=5), site.url("/hop0"))
    assert err.reason == "too_many_redirects" and len(site.requests()) == 2 + 6  # the loop's two requests, then six hops


def test_redirect_to_another_scheme_is_refused(site):
    site.add("/to-file", status=302, headers={"Location": "file:///etc/passwd"})
    site.add("/to-ftp", status=302, headers={"Location": "ftp://example.com/x"})
    assert failure(client(), site.url("/to-file")).reason == "unsupported_scheme"
    assert failure(client(), site.url("/to-ftp")).reason == "unsupported_scheme"


def test_50_mb_page_is_cut_off(site):
    def big():
        for _ in range(50):
            yield b"a" * (1 << 20)
    site.add("/big", fn=lambda req, hits: (200, {"Content-Type": "text/html"}, big()))
    site.add("/big-declared", fn=lambda req, hits: (200, {"Content-Type": "text/html",
                                                          "Content-Length": str(50 << 20)}, big()))
    assert failure(client(), site.url("/big")).reason == "too_large"
    assert failure(client(), site.url("/big-declared")).reason == "too_large"


def test_gzip_bomb_stops_early(site):
    bomb = gzip.compress(b"\0" * (200 << 20), compresslevel=9)
    assert len(bomb) < 300_000
    site.add("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    assert failure(client(max_bytes=10 << 20), site.url("/bomb")).reason == "too_large"
    ok = gzip.compress(b"<p>small</p>")
    site.add("/gz", ok, headers={"Content-Encoding": "gzip"})
    assert client().get(site.url("/gz")).body == b"<p>small</p>"


def test_read_body_bounds_each_decompression_step():
    import zlib

    class Fake:
        headers = {"Content-Encoding": "deflate"}

        def stream(self, n, decode_content):
            yield zlib.compress(b"\0" * (50 << 20))
    with pytest.raises(FetchError) as e:
        read_body(Fake(), 1 << 20, time.monotonic() + 10)
    assert e.value.reason == "too_large"


def test_accept_hook_refuses_before_reading_the_body(site):
    site.add("/pdf", b"%PDF-1.4 ...", content_type="application/pdf")

    def html_only(resp):
        if resp.media_type != "text/html":
            raise FetchError("not_html", resp.media_type)
    assert failure(client(), site.url("/pdf"), accept=html_only).reason == "not_html"


def test_connection_dropped_mid_body(site):
    site.add("/broken", fn=hang_up_mid_body)
    err = failure(client(max_attempts=1), site.url("/broken"))
    assert err.reason == "connection_error"


def test_redirect_status_without_location_is_an_error(site):
    site.add("/odd", status=302, body=b"moved somewhere")
    err = failure(client(), site.url("/odd"))
    assert (err.reason, err.status) == ("http_status", 302)


def test_connection_refused_is_retried_then_rejected(site):
    port = site.port
    site.close()
    err = failure(client(max_attempts=2), f"http://127.0.0.1:{port}/gone")
    assert err.reason == "connection_error"


def test_connected_peer_address_is_checked_too(site):
    """If DNS answered a public address at check time and a private one at connect time
    (rebinding), the socket's real peer is still refused, before any request is sent."""
    from transforms.fetch.connections import make_pool
    site.add("/x", b"secret")
    c = client(allow_private=False)
    c.pool = make_pool(FetchConfig(allow_private=False))
    with pytest.raises(FetchError) as e:
        c._request(site.url("/x"), {}, time.monotonic() + 5)  # skips the pre-connect check, as a rebinding answer would
    assert e.value.reason == "blocked_address" and site.requests() == []


def test_waiting_for_a_turn_at_the_host_is_not_spent_from_the_deadline(site):
    """Crawl-delay and --min-delay pace a host's requests; a URL's deadline counts its own time only."""
    from transforms.fetch.robots import HostPacer
    site.add("/robots.txt", b"User-agent: *\nCrawl-delay: 1.5\n", content_type="text/plain")
    site.add("/old", status=301, headers={"Location": "/new"})
    site.add("/new", b"<p>moved here</p>")
    site.add("/b", b"<p>second</p>")
    pacer = HostPacer(0.0)
    pacer.set_delay("127.0.0.1", 1.5)
    c = HttpClient(FetchConfig(allow_private=True, deadline=1.0, min_delay=0.0), slot=pacer.slot)
    assert c.get(site.url("/old")).body == b"<p>moved here</p>"  # two hops, 1.5 s apart, within a 1 s deadline
    assert c.get(site.url("/b")).body == b"<p>second</p>"
    starts = [r[0] for r in site.requests() if r[3] in ("/old", "/new", "/b")]
    assert all(b - a >= 1.4 for a, b in zip(starts, starts[1:]))  # and the host was still paced
