"""A real HTTP server on loopback for fetcher tests, with a log of every request it served.

Routes map a path to a handler `fn(request, hits) -> (status, headers, body)`, where `hits`
counts earlier requests to that path (for "500, then 200"). A body may be bytes or an
iterator of byte chunks (streamed, for huge bodies). The log holds (start, end, host, path,
headers) so tests check politeness from the server's side, not by timing themselves.
"""
from __future__ import annotations

import gzip
import socketserver
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Site:
    def __init__(self, host: str = "127.0.0.1"):
        self.routes: dict = {}
        self.log: list = []
        self.hits: Counter = Counter()
        self.inflight = 0
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                start = time.monotonic()
                path = self.path
                with site._lock:
                    hits = site.hits[path]
                    site.hits[path] += 1
                    site.inflight += 1
                route = site.routes.get(path.split("?")[0]) or site.routes.get(path)
                if route is None:
                    status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
                else:
                    try:
                        status, headers, body = route(self, hits)
                    except ConnectionError:
                        # The route wrote (part of) a response itself and hung up.
                        self.close_connection = True
                        with site._lock:
                            site.log.append((start, time.monotonic(), self.headers.get("Host", ""), path,
                                             dict(self.headers)))
                            site.inflight -= 1
                        return
                try:
                    self.send_response(status)
                    chunks = [body] if isinstance(body, bytes) else body
                    headers = dict(headers)
                    if isinstance(body, bytes):
                        headers.setdefault("Content-Length", str(len(body)))
                    else:
                        headers["Connection"] = "close"
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    for chunk in chunks:
                        self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True
                finally:
                    with site._lock:
                        site.log.append((start, time.monotonic(), self.headers.get("Host", ""), path,
                                         dict(self.headers)))
                        site.inflight -= 1

        class Server(ThreadingHTTPServer):
            def server_bind(self):
                # HTTPServer.server_bind without its socket.getfqdn(): that looks the address up in
                # DNS, a query off the machine for 127.0.0.2.
                socketserver.TCPServer.server_bind(self)
                self.server_name, self.server_port = self.server_address[:2]

            def handle_error(self, request, client_address):
                pass  # clients that abort (too large, timeout) are what these tests provoke

        self.server = Server((host, 0), Handler)
        self.server.daemon_threads = True
        self.host = host
        self.port = self.server.server_address[1]
        # A short poll: close() waits for it, and some suites start a server per test.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def add(self, path: str, body=b"", status: int = 200, content_type: str = "text/html; charset=utf-8",
            headers: dict | None = None, fn=None):
        if fn is None:
            all_headers = {"Content-Type": content_type, **(headers or {})}
            fn = lambda request, hits: (status, all_headers, body)  # noqa: E731
        self.routes[path] = fn

    def requests(self, path: str | None = None) -> list:
        """Logged requests; waits (briefly) for handlers still running, as the client may finish first."""
        deadline = time.monotonic() + 5
        while self.inflight and time.monotonic() < deadline:
            time.sleep(0.01)
        with self._lock:
            return [r for r in self.log if path is None or r[3] == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def article(title: str, paragraphs: list[str], published: str = "2025-05-06T07:08:09+00:00") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
            f"<meta property='og:title' content='{title}'>"
            f"<meta property='article:published_time' content='{published}'></head>"
            f"<body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{body}</article>"
            f"<footer>Contact</footer></body></html>").encode("utf-8")


def rss(items: list[tuple[str, str]], title: str = "Test feed", link: str = "") -> bytes:
    entries = "".join(f"<item><title>{t}</title><link>{u}</link><pubDate>Tue, 06 May 2025 07:00:00 GMT</pubDate>"
                      f"<description>Summary of {t} with enough words to read as a short text.</description></item>"
                      for t, u in items)
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>{title}</title>"
            f"<link>{link}</link>{entries}</channel></rss>").encode("utf-8")


def atom(items: list[tuple[str, str]], base: str = "") -> bytes:
    entries = "".join(f"<entry><title>{t}</title><link href='{u}'/><id>{u}</id><updated>2025-05-07T08:00:00Z</updated>"
                      f"<summary>Atom summary of {t}, long enough to be a text.</summary></entry>" for t, u in items)
    base_attr = f" xml:base='{base}'" if base else ""
    return (f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'{base_attr}>"
            f"<title>Atom test</title><id>urn:x</id><updated>2025-05-07T08:00:00Z</updated>{entries}</feed>").encode()


_WORDS = ("people city council river school market water bridge train road worker family child doctor farmer "
          "week month year morning evening plan money price house street village station office court police "
          "storm rain summer winter report study team club game season music film book museum garden forest "
          "said told agreed voted opened closed built found asked warned promised expected planned reported "
          "new old large small local public early late several many few most other first last next").split()


def story(n, published: str = "2025-05-06T07:08:09+00:00"):
    """A distinct story per n: seeded random English, so no two test pages are near-duplicates."""
    import random
    rng = random.Random(n)

    def sentence():
        words = rng.sample(_WORDS, 12)
        return " ".join(["The"] + words[:5] + ["of", "the"] + words[5:] + [f"in {1990 + rng.randrange(30)}."])
    return article(f"Story number {n}", [" ".join(sentence() for _ in range(3)) for _ in range(3)], published)


def published_today() -> str:
    """A publication time today: a run looks ids up in recent days' partitions (--remember-days)."""
    from datetime import datetime, timezone
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT00:00:01+00:00")


def etag_feed(body, etag='"v1"'):
    def fn(req, hits):
        if req.headers.get("If-None-Match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": "application/rss+xml", "ETag": etag}, body
    return fn


def newsroom(site):
    """Good pages and one of every fault; returns the URLs of an RSS feed and an Atom feed over them."""
    site.add("/robots.txt", b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    for n in (1, 2, 3):
        site.add(f"/news/{n}", story(n))
    site.add("/flaky", fn=lambda req, hits: (503, {}, b"") if hits == 0 else (200, {"Content-Type": "text/html"}, story(4)))
    site.add("/busy", fn=lambda req, hits: (429, {"Retry-After": "1"}, b"") if hits == 0 else
             (200, {"Content-Type": "text/html"}, story(5)))
    # Declared UTF-8, sent as Latin-1: the text must still come out right.
    site.add("/latin1", article("Café crème", ["Le café de la gare a rouvert ses portes après des travaux qui ont duré "
                                               "plus de deux ans, à la grande joie des voyageurs du matin."])
             .decode().encode("latin-1"))

    def slow(req, hits):
        time.sleep(2)
        return 200, {"Content-Type": "text/html"}, story(9)
    site.add("/slow", fn=slow)
    site.add("/loop", status=302, headers={"Location": "/loop2"})
    site.add("/loop2", status=302, headers={"Location": "/loop"})
    site.add("/big", fn=lambda req, hits: (200, {"Content-Type": "text/html"}, (b"a" * (1 << 20) for _ in range(50))))
    site.add("/bomb", gzip.compress(b"<p>" + b"a" * (60 << 20)), headers={"Content-Encoding": "gzip"})
    site.add("/binary", bytes(range(256)) * 64)
    site.add("/private/secret", story(10))
    site.add("/report.pdf", b"%PDF-1.7", content_type="application/pdf")
    items = [("One", "/news/1?utm_source=rss&utm_medium=feed"), ("Two", "news/2"), ("Flaky", "/flaky"),
             ("Busy", "/busy"), ("Latin", "/latin1"), ("Slow", "/slow"), ("Loop", "/loop"), ("Big", "/big"),
             ("Bomb", "/bomb"), ("Binary", "/binary"), ("Private", "/private/secret"), ("Pdf", "/report.pdf"),
             ("Gone", "/gone")]
    site.add("/feed.xml", fn=etag_feed(rss(items, link=site.url("/"))))
    # The Atom feed shares story 1 (with other tracking parameters) and adds story 3.
    site.add("/atom.xml", atom([("One again", "news/1?fbclid=abc#comments"), ("Three", "news/3")], base=site.url("/")),
             content_type="application/atom+xml")
    return site.url("/feed.xml"), site.url("/atom.xml")


if __name__ == "__main__":
    # A newsroom to try the fetcher by hand:  python -m tests.webserver
    newsroom_site = Site()
    rss_url, atom_url = newsroom(newsroom_site)
    print(f"serving on {newsroom_site.url('/')}\n  news-ingest run --feeds {rss_url} {atom_url} "
          f"--allow-private-networks --timeout 1 --output /tmp/newsroom", flush=True)
    try:
        newsroom_site.thread.join()
    except KeyboardInterrupt:
        newsroom_site.close()


def start_body(req, promised: int, first: bytes, content_type: str | None = None) -> None:
    """Sends a 200 promising `promised` bytes and the first part of the body, for a route that then
    stalls, hangs up or sends the rest."""
    req.send_response(200)
    if content_type:
        req.send_header("Content-Type", content_type)
    req.send_header("Content-Length", str(promised))
    req.end_headers()
    req.wfile.write(first)
    req.wfile.flush()


def hang_up_mid_body(req, hits):
    """Promises 10,000 bytes, sends 100 and hangs up."""
    start_body(req, 10000, b"x" * 100, "text/html")
    req.close_connection = True
    raise ConnectionResetError


def drip(interval: float = 0.2, seconds: float = 30.0, slow_headers: bool = False):
    """A route that sends one byte every `interval` seconds for `seconds`: of a body promised
    at once in full headers, or (`slow_headers`) of the headers themselves. It stops when the
    client hangs up."""
    def fn(req, hits):
        try:
            if slow_headers:
                req.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            else:
                req.send_response(200)
                req.send_header("Content-Type", "text/html")
                req.send_header("Content-Length", str(1 << 20))
                req.end_headers()
            req.wfile.flush()
            ends = time.monotonic() + seconds
            while time.monotonic() < ends:
                time.sleep(interval)
                req.wfile.write(b"a")
                req.wfile.flush()
        except OSError:
            pass
        req.close_connection = True
        raise ConnectionResetError
    return fn
