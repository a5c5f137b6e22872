"""The HTTP client's limits and retries as a server and a user see them (transforms/fetch/client.py):
the requests and headers in the test server's log, the waits between attempts, and the response
or FetchError (reason, detail, status, URL) that comes back. Real servers on 127.0.0.1, no mocks."""
import contextlib
import gzip
import os
import socket
import time
import tracemalloc
import zlib
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from tests.transforms.fetch import client, failure
from tests.webserver import drip, hang_up_mid_body, start_body
from transforms.fetch.client import FetchConfig, FetchError, HttpClient
from transforms.fetch.connections import make_pool


def recording(real=False):
    """A `sleep` for HttpClient that notes each wait between attempts (and waits it out if `real`)."""
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        if real:
            time.sleep(seconds)
    return waits, sleep


def echo(status=200, body=b"ok", headers=None):
    """A route that answers the same to every request and notes the headers and client port of each."""
    seen = []

    def fn(req, hits):
        seen.append({"port": req.client_address[1], **{name: req.headers.get_all(name) or [] for name in
                     ("User-Agent", "Accept-Encoding", "If-None-Match")}})
        return status, {"Content-Type": "text/html; charset=utf-8", **(headers or {})}, body
    return fn, seen


def assert_says(err, reason, *phrases, status=None, url=None):
    """The reason is the reject's `reason`, the detail what an operator reads; printing the error shows the detail."""
    assert err.reason == reason, (err.reason, err.detail)
    assert str(err) == err.detail
    for phrase in phrases:
        assert phrase in err.detail, (phrase, err.detail)
    assert err.status == status
    if url is not None:
        assert err.url == url


# What the server sees

def test_every_hop_carries_the_user_agent_the_accepted_encodings_and_the_callers_headers(site):
    """A conditional GET that is redirected must still be conditional and identified on the second hop."""
    old, seen_old = echo(status=301, body=b"", headers={"Location": "/new"})
    new, seen_new = echo()
    site.add("/old", fn=old)
    site.add("/new", fn=new)
    agent = "probe/2.0 (+mailto:ops@example.org)"
    assert client(user_agent=agent).get(site.url("/old"), headers={"If-None-Match": '"v7"'}).body == b"ok"
    for seen in (seen_old, seen_new):
        assert seen[0]["User-Agent"] == [agent] and seen[0]["If-None-Match"] == ['"v7"']
        assert seen[0]["Accept-Encoding"] == ["gzip, deflate"]  # only what read_body can decode


def test_a_callers_header_replaces_the_clients_own_instead_of_being_sent_twice(site):
    fn, seen = echo()
    site.add("/x", fn=fn)
    client().get(site.url("/x"), headers={"User-Agent": "other/1.0", "Accept-Encoding": "identity"})
    assert seen[0]["User-Agent"] == ["other/1.0"] and seen[0]["Accept-Encoding"] == ["identity"]


def test_a_connection_is_reused_after_a_whole_body_or_a_304_and_dropped_after_an_unread_one(site):
    """Only a connection whose response was read to its end can carry the next request; one left
    with an unread body (an error page, a page the accept hook refused) would hand its leftovers
    to the next response."""
    page, seen_page = echo(body=b"<p>whole</p>")
    site.add("/page", fn=page)
    same, seen_same = echo(status=304, body=b"", headers={"ETag": '"v1"'})
    site.add("/same", fn=same)
    c = client()
    assert c.get(site.url("/page")).body == b"<p>whole</p>"
    not_modified = c.get(site.url("/same"), headers={"If-None-Match": '"v1"'})
    assert (not_modified.status, not_modified.body, not_modified.header("etag")) == (304, b"", '"v1"')
    assert c.get(site.url("/page")).body == b"<p>whole</p>"
    assert seen_page[0]["port"] == seen_same[0]["port"] == seen_page[1]["port"]

    gone, seen_gone = echo(status=404, body=b"<p>no such page</p>" * 100)
    site.add("/gone", fn=gone)
    pdf, seen_pdf = echo(body=b"%PDF-1.7 " * 1000, headers={"Content-Type": "application/pdf"})
    site.add("/report.pdf", fn=pdf)

    def html_only(head):
        if head.media_type != "text/html":
            raise FetchError("not_html", head.media_type, status=head.status)
    assert failure(c, site.url("/gone")).status == 404
    assert c.get(site.url("/page")).body == b"<p>whole</p>"
    assert failure(c, site.url("/report.pdf"), accept=html_only).reason == "not_html"
    assert c.get(site.url("/page")).body == b"<p>whole</p>"
    assert len(seen_page) == 4 and len(seen_gone) == 1 and len(seen_pdf) == 1  # no request was tried twice
    assert seen_page[2]["port"] != seen_gone[0]["port"] and seen_page[3]["port"] != seen_pdf[0]["port"]


# Responses as the user sees them

def test_the_response_carries_status_headers_final_url_redirects_and_fetch_time(site):
    site.add("/a", status=302, headers={"Location": "/b"})
    site.add("/b", status=303, headers={"Location": " /c "})  # whitespace around a Location is not part of it
    site.add("/c", b"<p>made</p>", status=203, headers={"X-Edition": "Morning"})
    before = datetime.now(timezone.utc)
    resp = client().get(site.url("/a"))
    assert (resp.status, resp.body, resp.url) == (203, b"<p>made</p>", site.url("/c"))
    assert resp.redirects == [site.url("/a"), site.url("/b")]
    assert resp.header("X-EDITION") == "Morning" and resp.header("x-edition") == "Morning"
    assert before <= resp.fetched_at <= datetime.now(timezone.utc) and resp.fetched_at.utcoffset() == timedelta(0)


def test_a_page_without_content_type_has_no_media_type_and_no_charset(site):
    site.add("/bare", fn=lambda req, hits: (200, {}, b"plain words"))
    resp = client().get(site.url("/bare"))
    assert (resp.body, resp.media_type, resp.charset, resp.header("content-type")) == (b"plain words", "", None, "")
    assert resp.header("etag") == "" and resp.header("etag", "none") == "none"


def test_a_location_header_on_a_page_that_is_not_a_redirect_is_ignored(site):
    site.add("/created", b"<p>here</p>", headers={"Location": "/elsewhere"})
    resp = client().get(site.url("/created"))
    assert (resp.url, resp.body, resp.redirects) == (site.url("/created"), b"<p>here</p>", [])
    assert [r[3] for r in sorted(site.requests())] == ["/created"]


@pytest.mark.parametrize("status, reason_phrase", [(404, "HTTP 404 Not Found"), (300, "HTTP 300 Multiple Choices"),
                                                   (599, "HTTP 599")])
def test_a_status_outside_2xx_is_an_error_that_names_it(site, status, reason_phrase):
    """300 without a Location is no page; a status without a reason phrase is named by its number alone."""
    site.add("/x", b"<p>something</p>", status=status)
    err = failure(client(max_attempts=1), site.url("/x"))
    assert_says(err, "http_status", status=status, url=site.url("/x"))
    assert err.detail == reason_phrase


# Redirects

def test_redirects_are_followed_up_to_the_limit_and_resolved_against_each_hop(site):
    site.add("/news/a", status=301, headers={"Location": "b"})
    site.add("/news/b", status=302, headers={"Location": "../desk/c"})
    site.add("/desk/c", status=307, headers={"Location": site.url("/final")})
    site.add("/final", b"<p>arrived</p>")
    resp = client(max_redirects=3).get(site.url("/news/a"))
    assert resp.body == b"<p>arrived</p>" and resp.url == site.url("/final")
    assert resp.redirects == [site.url(p) for p in ("/news/a", "/news/b", "/desk/c")]

    err = failure(client(max_redirects=2), site.url("/news/a"))
    chain = " -> ".join(site.url(p) for p in ("/news/a", "/news/b", "/desk/c", "/final"))
    assert_says(err, "too_many_redirects", f"more than 2 redirects: {chain}", url=site.url("/final"))
    assert [r[3] for r in sorted(site.requests())][4:] == ["/news/a", "/news/b", "/desk/c"]  # the 4th URL is never asked


def test_a_redirect_loop_is_refused_at_the_first_repeat(site):
    site.add("/a", status=302, headers={"Location": "/b"})
    site.add("/b", status=308, headers={"Location": "/a"})
    err = failure(client(max_redirects=10), site.url("/a"))
    loop = " -> ".join(site.url(p) for p in ("/a", "/b", "/a"))
    assert_says(err, "too_many_redirects", f"redirect loop: {loop}", status=308, url=site.url("/b"))
    assert [r[3] for r in sorted(site.requests())] == ["/a", "/b"]


def test_a_redirect_to_ftp_is_refused_before_any_request_to_it(site):
    site.add("/to-ftp", status=302, headers={"Location": "ftp://files.example/report.txt"})
    err = failure(client(), site.url("/to-ftp"))
    assert_says(err, "unsupported_scheme", "not 'ftp'", url="ftp://files.example/report.txt")


def test_a_redirect_to_a_private_address_is_refused_before_any_request_to_it(site, monkeypatch):
    """A public site's redirect to the cloud metadata address is checked as its first URL was."""
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        # news.test is public to the check (which asks without a port) and the test server to the connection
        if host == "news.test":
            host = "93.184.216.34" if port is None else "127.0.0.1"
        return real(host, port, *args, **kwargs)
    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    site.add("/moved", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    c = HttpClient(FetchConfig(allow_private=False))
    c.pool = make_pool(FetchConfig(allow_private=True))  # lets the connection reach the loopback server
    err = failure(c, f"http://news.test:{site.port}/moved")
    assert_says(err, "blocked_address", "169.254.169.254 resolves to 169.254.169.254, a non-public address",
                url="http://169.254.169.254/latest/meta-data/")
    assert [r[3] for r in sorted(site.requests())] == ["/moved"]


def test_a_connection_whose_peer_is_private_is_refused_with_the_address(site):
    """The hop's URL passed (as if DNS answered a public address), the socket's peer did not: nothing is sent."""
    site.add("/x", b"secret")
    c = client()
    c.pool = make_pool(FetchConfig(allow_private=False))
    err = failure(c, site.url("/x"))
    assert_says(err, "blocked_address", "resolves to 127.0.0.1, a non-public address", url=site.url("/x"))
    assert site.requests() == []


# Bodies: size cap and decoding

def test_a_body_of_exactly_the_cap_is_kept_and_one_byte_more_is_refused(site):
    site.add("/at", b"a" * 1000)
    site.add("/over", b"a" * 1001)
    site.add("/at-streamed", fn=lambda req, hits: (200, {}, iter([b"a" * 600, b"a" * 400])))
    site.add("/over-streamed", fn=lambda req, hits: (200, {}, iter([b"a" * 600, b"a" * 401])))
    c = client(max_bytes=1000)
    assert c.get(site.url("/at")).body == b"a" * 1000
    assert c.get(site.url("/at-streamed")).body == b"a" * 1000
    assert_says(failure(c, site.url("/over")), "too_large", "Content-Length 1001 is over the 1000 byte limit")
    assert_says(failure(c, site.url("/over-streamed")), "too_large", "over the 1000 byte limit (after decompression)")
    gz_at, gz_over = gzip.compress(b"z" * 1000), gzip.compress(b"z" * 1001)
    site.add("/gz-at", gz_at, headers={"Content-Encoding": "gzip"})
    site.add("/gz-over", gz_over, headers={"Content-Encoding": "gzip"})
    assert c.get(site.url("/gz-at")).body == b"z" * 1000
    assert_says(failure(c, site.url("/gz-over")), "too_large", "over the 1000 byte limit (after decompression)")


def test_a_declared_length_over_the_cap_is_refused_without_waiting_for_the_body(site):
    """The body never comes: only the declared length can have refused it."""
    def promise(req, hits):
        req.send_response(200)
        req.send_header("Content-Type", "text/html")
        req.send_header("Content-Length", str(50 << 20))
        req.end_headers()
        req.wfile.flush()
        time.sleep(1.5)
        req.close_connection = True
        raise ConnectionResetError
    site.add("/promise", fn=promise)
    err = failure(client(max_bytes=1 << 20, deadline=1.0, max_attempts=1), site.url("/promise"))
    assert_says(err, "too_large", f"Content-Length {50 << 20} is over the {1 << 20} byte limit")


def test_a_body_past_the_cap_is_refused_as_it_arrives_not_when_it_ends(site):
    """The server sends more than the cap and then stalls: the fetch ends at the cap, not at the deadline."""
    def flood(req, hits):
        yield os.urandom(300_000)
        time.sleep(2)
    site.add("/flood", fn=lambda req, hits: (200, {"Content-Type": "text/html"}, flood(req, hits)))
    err = failure(client(max_bytes=100_000, deadline=1.5, max_attempts=1), site.url("/flood"))
    assert_says(err, "too_large", "over the 100000 byte limit")


def test_a_gzip_bomb_is_never_expanded_much_past_the_cap(site):
    """Decompression goes in steps bounded by what is left under the cap, however much one read holds:
    here the read that crosses the cap carries 16 MB of zeros."""
    cap = 1 << 20
    head = os.urandom(cap - 2 * 16_384)  # incompressible: nearly the cap, and the zeros start mid-read
    bomb = gzip.compress(head + b"\0" * (16 << 20), compresslevel=9)
    site.add("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    c = client(max_bytes=cap)
    tracemalloc.start()
    try:
        err = failure(c, site.url("/bomb"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert err.reason == "too_large"
    assert peak < 3 * cap, peak


@pytest.mark.parametrize("encoding, encode", [
    ("gzip", gzip.compress), ("x-gzip", gzip.compress), (" GZip ", gzip.compress),
    ("deflate", zlib.compress),  # the zlib format RFC 9110 names
    ("deflate", gzip.compress),  # what some servers send under that name
    ("identity", lambda body: body)])
def test_compressed_bodies_are_decoded(site, encoding, encode):
    body = "<p>Café crème, ünïcödé</p>".encode("utf-8") + os.urandom(200_000).hex().encode()  # over one read
    site.add("/page", encode(body), headers={"Content-Encoding": encoding})
    resp = client().get(site.url("/page"))
    assert resp.body == body and resp.charset == "utf-8"


def test_a_body_in_an_encoding_not_offered_is_refused(site):
    site.add("/br", b"\x1b\x03\x00\xf8\xa5\x00\x00", headers={"Content-Encoding": "br"})
    assert_says(failure(client(), site.url("/br")), "unsupported_encoding", "Content-Encoding 'br' is not supported")


@pytest.mark.parametrize("encoding, body", [("gzip", zlib.compress(b"<p>zlib under a gzip label</p>")),
                                            ("deflate", b"<p>not compressed at all</p>")],
                         ids=["zlib-labelled-gzip", "plain-labelled-deflate"])
def test_a_body_that_is_not_in_its_declared_encoding_is_refused(site, encoding, body):
    site.add("/bad", body, headers={"Content-Encoding": encoding})
    assert_says(failure(client(), site.url("/bad")), "bad_encoding", "cannot decompress body: ")


def test_a_compressed_body_cut_off_in_transfer_is_refused(site):
    """Without a Content-Length the end of the connection ends the body; only the compressed stream's
    own end says whether it all arrived."""
    whole = gzip.compress(os.urandom(20_000).hex().encode())
    site.add("/cut", fn=lambda req, hits: (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"},
                                           iter([whole[:len(whole) // 2]])))
    site.add("/whole", fn=lambda req, hits: (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"},
                                             iter([whole[:100], whole[100:]])))
    c = client(max_attempts=1)
    assert c.get(site.url("/whole")).body == gzip.decompress(whole)
    err = failure(c, site.url("/cut"))
    assert_says(err, "bad_encoding")
    assert err.detail == "the compressed body ends before its end of stream"


# Failures of the connection

def test_connection_refused_says_so_and_is_retried(site):
    port = site.port
    site.close()
    waits, sleep = recording()
    c = HttpClient(FetchConfig(allow_private=True, max_attempts=3, backoff_base=0.01), sleep=sleep)
    url = f"http://127.0.0.1:{port}/gone"
    assert_says(failure(c, url), "connection_error", "Connection refused", url=url)
    assert len(waits) == 2


def test_a_server_that_hangs_up_without_answering_is_retried_once_per_attempt(site):
    def hang_up(req, hits):
        req.close_connection = True
        raise ConnectionResetError
    site.add("/hangup", fn=hang_up)
    err = failure(client(max_attempts=2), site.url("/hangup"))
    assert_says(err, "connection_error", "ProtocolError: ('Connection aborted.', RemoteDisconnected(",
                url=site.url("/hangup"))
    assert len(site.requests("/hangup")) == 2


def test_a_body_cut_mid_way_reports_the_status_it_came_with(site):
    site.add("/broken", fn=hang_up_mid_body)
    err = failure(client(max_attempts=1), site.url("/broken"))
    assert_says(err, "connection_error", "body not received in full: ProtocolError", status=200,
                url=site.url("/broken"))


def test_a_body_that_stalls_past_the_read_timeout_is_a_timeout_and_is_retried(site):
    def stall(req, hits):
        start_body(req, 200, b"x" * 100)
        if hits == 0:
            time.sleep(0.6)
        req.wfile.write(b"y" * 100)
        req.wfile.flush()
        raise ConnectionResetError
    site.add("/stall", fn=stall)
    err = failure(client(read_timeout=0.2, max_attempts=1), site.url("/stall"))
    assert_says(err, "timeout", "body not received in full: ReadTimeoutError", status=200, url=site.url("/stall"))
    assert client(read_timeout=0.2, max_attempts=2).get(site.url("/stall")).body == b"x" * 100 + b"y" * 100


def test_a_slow_answer_is_a_read_timeout_and_is_retried(site):
    def slow_first(req, hits):
        if hits == 0:
            time.sleep(0.6)
        return 200, {"Content-Type": "text/html"}, b"<p>in time</p>"
    site.add("/slow", fn=slow_first)
    err = failure(client(read_timeout=0.2, max_attempts=1), site.url("/slow"))
    assert_says(err, "timeout", "ReadTimeoutError", "Read timed out", url=site.url("/slow"))
    site.add("/slow2", fn=slow_first)
    assert client(read_timeout=0.2, max_attempts=2).get(site.url("/slow2")).body == b"<p>in time</p>"
    assert len(site.requests("/slow2")) == 2


def test_an_unusable_url_is_a_bad_url_even_as_a_redirect_target(site):
    """The error names the URL that could not be requested, not the one that pointed to it."""
    url = "http://127.0.0.1:99999/x"
    assert_says(failure(client(), url), "bad_url", f"cannot request {url!r}", url=url)
    site.add("/moved", status=301, headers={"Location": url})
    assert_says(failure(client(), site.url("/moved")), "bad_url", f"cannot request {url!r}", url=url)


# Retries and their spacing

def test_waits_between_attempts_grow_exponentially_with_jitter(site):
    site.add("/down", status=503, body=b"down")
    waits = []
    for _ in range(8):
        got, sleep = recording()
        c = HttpClient(FetchConfig(allow_private=True, max_attempts=5, backoff_base=0.01, backoff_max=100),
                       sleep=sleep)
        assert_says(failure(c, site.url("/down")), "http_status", "HTTP 503", status=503, url=site.url("/down"))
        assert len(got) == 4
        waits += [(wait, 0.01 * 2 ** n) for n, wait in enumerate(got)]
    ratios = [wait / step for wait, step in waits]
    assert all(0.5 <= r <= 1.0 for r in ratios), ratios  # between half and the whole of the doubling step
    assert min(ratios) < 0.65 and max(ratios) > 0.85, ratios  # spread, so that many workers do not retry in step
    assert len(site.requests("/down")) == 8 * 5


def test_waits_are_capped_by_backoff_max(site):
    site.add("/down", status=502)
    waits, sleep = recording()
    c = HttpClient(FetchConfig(allow_private=True, max_attempts=4, backoff_base=1.0, backoff_max=0.02), sleep=sleep)
    failure(c, site.url("/down"))
    assert len(waits) == 3 and all(0.01 <= w <= 0.02 for w in waits), waits


def test_the_server_sees_the_waits_between_attempts(site):
    site.add("/flaky", fn=lambda req, hits: (500, {}, b"oops") if hits < 3 else (200, {}, b"<p>back</p>"))
    waits, sleep = recording(real=True)
    c = HttpClient(FetchConfig(allow_private=True, max_attempts=4, backoff_base=0.05), sleep=sleep)
    assert c.get(site.url("/flaky")).body == b"<p>back</p>"
    log = site.requests("/flaky")
    assert len(log) == 4 and len(waits) == 3
    assert all(after[0] - before[1] >= wait for before, after, wait in zip(log, log[1:], waits))
    assert waits[1] >= 0.05 and waits[2] >= 0.1


@pytest.mark.parametrize("asked, limit, waited", [("2", 2.0, 2.0), ("0", 120.0, None)])
def test_retry_after_in_seconds_is_honoured_up_to_its_limit(site, asked, limit, waited):
    site.add("/busy", fn=lambda req, hits: (503, {"Retry-After": asked}, b"") if hits == 0 else (200, {}, b"done"))
    waits, sleep = recording()
    c = HttpClient(FetchConfig(allow_private=True, backoff_base=0.01, retry_after_max=limit), sleep=sleep)
    assert c.get(site.url("/busy")).body == b"done"
    assert len(waits) == 1
    if waited is not None:
        assert waits == [waited]
    else:
        assert waits[0] < 0.011  # "0" asks for no pause: the usual backoff applies


def test_retry_after_as_a_date_is_honoured(site):
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=4), usegmt=True)
    site.add("/busy", fn=lambda req, hits: (429, {"Retry-After": when}, b"") if hits == 0 else (200, {}, b"done"))
    waits, sleep = recording()
    c = HttpClient(FetchConfig(allow_private=True, backoff_base=0.01), sleep=sleep)
    assert c.get(site.url("/busy")).body == b"done"
    assert len(waits) == 1 and 2.0 <= waits[0] <= 4.0


def test_retry_after_over_its_limit_gives_up_and_says_what_was_asked(site):
    site.add("/later", status=503, headers={"Retry-After": "3"})
    waits, sleep = recording()
    c = HttpClient(FetchConfig(allow_private=True, retry_after_max=2.5), sleep=sleep)
    err = failure(c, site.url("/later"))
    assert_says(err, "http_status", "HTTP 503 Service Unavailable", status=503)
    assert err.retry_after == 3.0 and waits == [] and len(site.requests("/later")) == 1


def test_a_wait_longer_than_what_is_left_of_the_deadline_is_not_waited(site):
    site.add("/busy", fn=lambda req, hits: (503, {"Retry-After": "5"}, b"") if hits == 0 else (200, {}, b"done"))
    waits, sleep = recording()
    c = HttpClient(FetchConfig(allow_private=True, deadline=4.0), sleep=sleep)
    assert failure(c, site.url("/busy")).status == 503
    assert waits == [] and len(site.requests("/busy")) == 1


def test_an_attempt_never_starts_after_the_deadline_even_when_a_wait_overran_it(site):
    """A busy machine may sleep longer than asked; the attempt after such a wait is not sent."""
    site.add("/down", status=503)
    c = HttpClient(FetchConfig(allow_private=True, deadline=0.6, backoff_base=0.2, max_attempts=3),
                   sleep=lambda seconds: time.sleep(seconds + 0.6))
    err = failure(c, site.url("/down"))
    assert_says(err, "timeout", url=site.url("/down"))
    assert err.detail == "the deadline of 0.6 s passed"
    assert len(site.requests("/down")) == 1


# The deadline

def test_a_drip_of_body_is_cut_at_the_deadline(site):
    site.add("/drip", fn=drip())
    err = failure(client(deadline=0.6, read_timeout=5, max_attempts=3), site.url("/drip"))
    assert err.reason == "timeout" and err.detail.startswith("the deadline of 0.6 s passed: ")
    assert err.url == site.url("/drip") and len(site.requests("/drip")) == 1


def test_a_drip_of_one_long_chunk_is_cut_at_the_deadline_with_its_status(site):
    """Cut inside a chunk of a chunked body, the response breaks; the error still says the deadline
    ended it, and with which status the body was coming."""
    def chunk_drip(req, hits):
        req.send_response(200)
        req.send_header("Transfer-Encoding", "chunked")
        req.end_headers()
        req.wfile.write(b"100000\r\n")  # a chunk of 1 MB, sent a byte at a time
        ends = time.monotonic() + 5
        with contextlib.suppress(OSError):
            while time.monotonic() < ends:
                req.wfile.write(b"a")
                req.wfile.flush()
                time.sleep(0.1)
        req.close_connection = True
        raise ConnectionResetError
    site.add("/chunks", fn=chunk_drip)
    err = failure(client(deadline=0.6, read_timeout=5, max_attempts=3), site.url("/chunks"))
    assert_says(err, "timeout", "the deadline of 0.6 s passed: body not received in full: ", status=200,
                url=site.url("/chunks"))


def test_a_drip_of_headers_is_cut_at_the_deadline(site):
    site.add("/drip", fn=drip(slow_headers=True))
    err = failure(client(deadline=0.6, read_timeout=5, max_attempts=3), site.url("/drip"))
    assert_says(err, "timeout", "the deadline of 0.6 s passed", url=site.url("/drip"))


def trickle(req, hits, chunks=16):
    """A body without Content-Length (it ends when the connection does) that comes 100 bytes at a time."""
    def chunked():
        for _ in range(chunks):
            time.sleep(0.05)
            yield b"x" * 100
    return 200, {"Content-Type": "text/html"}, chunked()


def test_a_trickle_without_length_is_refused_past_the_deadline(site):
    site.add("/trickle", fn=trickle)
    err = failure(client(deadline=0.3, max_attempts=1), site.url("/trickle"))
    assert_says(err, "timeout", "the deadline of 0.3 s passed: the response took longer than the total deadline",
                url=site.url("/trickle"))


def test_a_trickle_without_length_is_cut_at_the_deadline(site):
    """http.client lets go of the connection's socket when the response ends with the connection;
    the body still comes through that socket, and the watchdog must still cut it."""
    site.add("/trickle", fn=lambda req, hits: trickle(req, hits, chunks=24))
    started = time.monotonic()
    err = failure(client(deadline=0.2, max_attempts=1), site.url("/trickle"))
    assert err.reason == "timeout" and time.monotonic() - started < 1.0


def test_a_connection_that_is_never_accepted_ends_at_the_deadline():
    """A listener whose queue is full drops new connections' SYNs: connect() hangs as it would
    towards a dead host. The deadline, not the 10 s connect timeout, ends it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(8):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            fillers.append(s)
        time.sleep(0.1)
        started = time.monotonic()
        err = failure(client(connect_timeout=10, deadline=0.25, max_attempts=1), f"http://127.0.0.1:{port}/")
        took = time.monotonic() - started
    finally:
        for s in fillers:
            s.close()
        listener.close()
    assert err.reason == "timeout", (err.reason, err.detail)
    assert took < 0.9  # neither the connect timeout nor a second of it


def test_a_malformed_url_or_redirect_target_is_a_bad_url_not_a_crash(site):
    """An unclosed IPv6 bracket makes urllib raise ValueError: the caller must get a reject, not a crash."""
    err = failure(client(), "http://[::1/news")
    assert err.reason == "bad_url" and "Invalid IPv6 URL" in err.detail
    site.add("/moved", status=301, headers={"Location": "http://[::1/elsewhere"})
    err = failure(client(max_attempts=1), site.url("/moved"))
    assert (err.reason, err.status) == ("bad_url", 301) and "http://[::1/elsewhere" in err.detail
