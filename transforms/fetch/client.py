"""One HTTP fetch with every limit a crawler on someone else's server needs.

- Connections are reused (one urllib3 pool per worker, built in DoFn.setup, never pickled).
- Connect and read timeouts, and one deadline for the whole of a URL: every attempt, redirect
  and wait between attempts. A watchdog cuts the connection when the deadline passes, however
  the server sends (slow headers, a drip of bytes, a body that never ends).
- The body is read as a stream and abandoned past `max_bytes`; compressed bodies are
  decompressed here, in bounded steps, and measured after decompression (a gzip bomb stops early).
- Redirects are followed by hand, at most `max_redirects`, each hop checked again; loops are detected.
- Connection errors, 429 and 5xx are retried with exponential backoff and jitter, honouring
  Retry-After, a bounded number of times.
- The peer address of every new connection is checked (see safety.py).
"""
from __future__ import annotations

import contextlib
import email.utils
import http.client
import random
import socket
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, ContextManager, Optional
from urllib.parse import urljoin, urlsplit

import urllib3

from transforms.fetch.connections import Watchdog, make_pool
from transforms.fetch.safety import Blocked, check_url

DEFAULT_USER_AGENT = "news-ingest/0.1 (+https://github.com/news-ingest/news-ingest)"
RETRY_STATUSES = {429, 500, 502, 503, 504}
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchConfig:
    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 60.0  # one URL in all: every attempt, redirect and wait between attempts
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    max_attempts: int = 3
    backoff_base: float = 1.0
    backoff_max: float = 30.0
    retry_after_max: float = 120.0  # a server asking for a longer pause gets a reject, not a stalled worker
    min_delay: float = 1.0  # between two requests to the same host
    allow_private: bool = False
    threads: int = 8  # hosts fetched at once per worker
    robots: bool = True


class FetchError(Exception):
    """A failed fetch; `reason` is the reject reason, `status` the HTTP status when there was one."""

    def __init__(self, reason: str, detail: str, status: Optional[int] = None, url: str = ""):
        super().__init__(detail)
        self.reason, self.detail, self.status, self.url = reason, detail, status, url
        self.retry_after: Optional[float] = None  # seconds the server asked us to wait


@dataclass
class Response:
    url: str  # final URL after redirects
    status: int
    headers: dict
    body: bytes
    fetched_at: datetime
    redirects: list = field(default_factory=list)

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)

    @property
    def media_type(self) -> str:
        return self.header("content-type").split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> Optional[str]:
        for part in self.header("content-type").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'").lower()
        return None


def _decoder(encoding: str):
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj(zlib.MAX_WBITS | 32)  # zlib or gzip header, as servers send either
    raise FetchError("unsupported_encoding", f"Content-Encoding {encoding!r} is not supported")


def read_body(resp, max_bytes: int, deadline: float) -> bytes:
    """Reads and decompresses the body in bounded steps; raises FetchError past the size or time budget."""
    decoder = _decoder(resp.headers.get("Content-Encoding", ""))
    declared = resp.headers.get("Content-Length")
    if decoder is None and declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError("too_large", f"Content-Length {declared} is over the {max_bytes} byte limit")
    out = bytearray()
    for chunk in resp.stream(CHUNK, decode_content=False):
        if time.monotonic() > deadline:
            raise FetchError("timeout", "the response took longer than the total deadline")
        if decoder is None:
            out += chunk
        else:
            # max_length bounds what one step may expand to, however small the input. Input it leaves
            # unconsumed would only expand past the cap, which this step has then reached.
            try:
                out += decoder.decompress(chunk, max_bytes + 1 - len(out))
            except zlib.error as exc:
                raise FetchError("bad_encoding", f"cannot decompress body: {exc}") from None
        if len(out) > max_bytes:
            raise FetchError("too_large", f"body is over the {max_bytes} byte limit (after decompression)")
    if decoder is not None and out and not decoder.eof:
        # Each step decoded all it was given, so nothing is left to flush; a stream without its end
        # was cut off in transfer (a connection closed early, with no Content-Length to tell).
        raise FetchError("bad_encoding", "the compressed body ends before its end of stream")
    return bytes(out)


def retry_after(value: str, now: float) -> Optional[float]:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


class Budget:
    """One URL's deadline (time.monotonic), shared by its attempts, redirects and waits between
    attempts; waiting for a turn at its host moves it on."""

    def __init__(self, seconds: float):
        self.ends = time.monotonic() + seconds


class HttpClient:
    """Fetches URLs under a FetchConfig; `slot(host)` holds a host for one request (per-host pacing)."""

    def __init__(self, cfg: FetchConfig, slot: Callable[[str], ContextManager] = lambda host: contextlib.nullcontext(),
                 sleep: Callable[[float], None] = time.sleep):
        self.cfg = cfg
        self.pool = make_pool(cfg)
        # urllib3 replaces, not merges, a pool's headers with a request's: every request carries these.
        self.headers = {"User-Agent": cfg.user_agent, "Accept-Encoding": "gzip, deflate"}
        self.slot = slot
        self.sleep = sleep

    def close(self):
        self.pool.clear()

    def get(self, url: str, headers: Optional[dict] = None, accept: Optional[Callable[[Response], None]] = None) -> Response:
        """GET with redirects and retries, all within one deadline (cfg.deadline). `accept(response_head)`
        may raise FetchError before the body is read."""
        budget = Budget(self.cfg.deadline)
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._follow(url, headers or {}, accept, budget)
            except FetchError as err:
                wait = self._retry_wait(err, attempt)
                if wait is None or time.monotonic() + wait >= budget.ends:
                    raise  # what is left of the deadline is not worth another attempt
                self.sleep(wait)

    def _retry_wait(self, err: FetchError, attempt: int) -> Optional[float]:
        retryable = err.reason in ("connection_error", "timeout") or (err.status in RETRY_STATUSES)
        if not retryable or attempt >= self.cfg.max_attempts:
            return None
        backoff = min(self.cfg.backoff_max, self.cfg.backoff_base * 2 ** (attempt - 1))
        wait = backoff * (0.5 + random.random() / 2)  # jitter: retries from many workers do not align
        server_wait = err.retry_after
        if server_wait is not None:
            if server_wait > self.cfg.retry_after_max:
                return None
            wait = max(wait, server_wait)
        return wait

    def _follow(self, url: str, headers: dict, accept, budget: "Budget") -> Response:
        seen = [url]
        current = url
        for _ in range(self.cfg.max_redirects + 1):
            try:
                check_url(current, self.cfg.allow_private)
            except Blocked as exc:
                raise FetchError(exc.reason, exc.detail, url=current) from None
            waiting = time.monotonic()
            with self.slot(urlsplit(current).hostname):  # check_url made sure there is one
                budget.ends += time.monotonic() - waiting  # a turn at the host is politeness, not the URL's cost
                outcome = self._hop(current, headers, accept, seen, budget.ends)
            if isinstance(outcome, Response):
                return outcome
            current = outcome
        raise FetchError("too_many_redirects", f"more than {self.cfg.max_redirects} redirects: " + " -> ".join(seen),
                         url=current)

    def _hop(self, current: str, headers: dict, accept, seen: list, ends: float):
        """One request, cut when the deadline `ends` (time.monotonic) passes: a Response, or the
        next URL of a redirect."""
        left = ends - time.monotonic()
        if left <= 0:
            raise FetchError("timeout", f"the deadline of {self.cfg.deadline:g} s passed", url=current)
        with Watchdog(left) as watchdog:
            try:
                outcome = self._hop_within(current, headers, accept, seen, ends)
            except FetchError as err:
                if watchdog.expired and err.reason in ("timeout", "connection_error"):
                    raise FetchError("timeout", f"the deadline of {self.cfg.deadline:g} s passed: {err.detail}",
                                     status=err.status, url=current) from None
                raise
        if watchdog.expired:  # what came before the cut may look whole (headers ended by the cut)
            raise FetchError("timeout", f"the deadline of {self.cfg.deadline:g} s passed", url=current)
        return outcome

    def _hop_within(self, current: str, headers: dict, accept, seen: list, ends: float):
        resp = self._request(current, headers, ends)
        complete = False  # a connection whose body was not read to the end is not reused
        try:
            if resp.status in REDIRECT_STATUSES and resp.headers.get("Location"):
                try:
                    nxt = urljoin(current, resp.headers["Location"].strip())
                except ValueError as exc:
                    raise FetchError("bad_url", f"cannot follow the redirect to {resp.headers['Location'][:200]!r}: "
                                     f"{exc}", status=resp.status, url=current) from None
                if nxt in seen:
                    raise FetchError("too_many_redirects", "redirect loop: " + " -> ".join(seen + [nxt]),
                                     status=resp.status, url=current)
                seen.append(nxt)
                return nxt
            head = Response(current, resp.status, {k.lower(): v for k, v in resp.headers.items()}, b"",
                            datetime.now(timezone.utc), seen[:-1])
            if resp.status == 304:
                complete = True
                return head
            if not 200 <= resp.status < 300:
                err = FetchError("http_status", f"HTTP {resp.status} {resp.reason or ''}".strip(),
                                 status=resp.status, url=current)
                err.retry_after = retry_after(resp.headers.get("Retry-After", ""), time.time())
                raise err
            if accept:
                accept(head)
            try:
                head.body = read_body(resp, self.cfg.max_bytes, ends)
            except (urllib3.exceptions.HTTPError, OSError, http.client.HTTPException) as exc:
                # The connection broke while the body was coming (reset, incomplete chunk, ...).
                raise FetchError("timeout" if isinstance(exc, (socket.timeout, urllib3.exceptions.ReadTimeoutError))
                                 else "connection_error", f"body not received in full: {type(exc).__name__}: {exc}",
                                 status=resp.status, url=current) from None
            complete = True
            return head
        finally:
            if not complete:
                resp.close()
            resp.release_conn()

    def _request(self, url: str, headers: dict, ends: float) -> urllib3.BaseHTTPResponse:
        left = max(0.001, ends - time.monotonic())
        timeout = urllib3.Timeout(connect=min(self.cfg.connect_timeout, left), read=min(self.cfg.read_timeout, left))
        try:
            # read_body streams the body with decode_content=False: it decompresses it itself, in bounded steps.
            return self.pool.request("GET", url, headers={**self.headers, **headers}, redirect=False,
                                     preload_content=False, timeout=timeout, retries=False)
        except Blocked as exc:  # the peer check of a new connection (connections.py); urllib3 lets it through as is
            raise FetchError(exc.reason, exc.detail, url=url) from None
        except urllib3.exceptions.NewConnectionError as exc:  # before timeouts: urllib3 makes it a ConnectTimeoutError
            raise FetchError("connection_error", str(exc), url=url) from None
        except (urllib3.exceptions.ConnectTimeoutError, urllib3.exceptions.ReadTimeoutError, socket.timeout) as exc:
            raise FetchError("timeout", f"{type(exc).__name__}: {exc}", url=url) from None
        except urllib3.exceptions.LocationValueError as exc:
            raise FetchError("bad_url", f"cannot request {url!r}: {exc}", url=url) from None
        except (urllib3.exceptions.HTTPError, OSError, http.client.HTTPException) as exc:
            raise FetchError("connection_error", f"{type(exc).__name__}: {exc}", url=url) from None
