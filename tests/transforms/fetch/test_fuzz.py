"""Property-based tests of the HTTP client's header and charset handling against a real server on
loopback: whatever status line, headers, encoding and body the server sends, a fetch ends in a
Response or a FetchError, and a page then becomes a Document or a reject of the fetch or extract stage."""
import gzip
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_doc
from tests.transforms.fetch import client
from tests.webserver import Site
from transforms.extract import extract
from transforms.fetch.client import FetchError
from transforms.fetch.pages import accept_html, page_document
from transforms.utils.stage import Rejected

HEADER_NAMES = [b"Content-Type", b"Content-Encoding", b"Content-Length", b"Transfer-Encoding", b"Retry-After",
                b"Location", b"ETag", b"X-Junk"]
CHARSETS = [b"utf-8", b"UTF-8", b"latin-1", b"iso-8859-1", b"windows-1252", b"shift_jis", b"utf-16", b"koi8-r",
            b"no-such-charset", b"", b"\"utf-8\"", b"utf-8; charset=latin-1", b"\xff\xfe"]
TYPES = [b"text/html", b"application/xhtml+xml", b"text/plain", b"application/octet-stream", b"image/png", b"",
         b"text/html;", b"TEXT/HTML"]
BODIES = [b"<html><head><title>T</title></head><body><article><p>" + b"Caf\xc3\xa9 au lait, the story goes on. " * 8
          + b"</p></article></body></html>", "<p>Caf\u00e9 \u65e5\u672c</p>".encode("utf-16"), b"\x00\x01binary\x02",
          b"", "<p>Привет, мир, и долгая история.</p>".encode("koi8-r")]


@st.composite
def responses(draw):
    status = draw(st.sampled_from([b"200 OK", b"200", b"203 Non-Authoritative", b"206 Partial", b"299 Odd",
                                   b"301 Moved", b"404 Not Found", b"500 Error", b"999 What", b"abc", b""]))
    body = draw(st.sampled_from(BODIES) | st.binary(max_size=300))
    encoding = draw(st.sampled_from([b"", b"gzip", b"deflate", b"br", b"gzip, gzip", b"identity", b"x-gzip"]))
    if encoding in (b"gzip", b"x-gzip") and draw(st.booleans()):
        body = gzip.compress(body)
    elif encoding == b"deflate" and draw(st.booleans()):
        body = zlib.compress(body)
    headers = [(b"Content-Type", draw(st.sampled_from(TYPES)) + b"; charset=" + draw(st.sampled_from(CHARSETS)))]
    if encoding:
        headers.append((b"Content-Encoding", encoding))
    length = draw(st.sampled_from([len(body), len(body) + 10, max(0, len(body) - 3), None, -1]))
    if length is not None:
        headers.append((b"Content-Length", str(length).encode()))
    extra = draw(st.lists(st.tuples(st.sampled_from(HEADER_NAMES),
                                    st.binary(max_size=40).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))),
                          max_size=3))
    return status, headers + extra, body


@pytest.fixture(scope="module")
def server():
    site = Site("127.0.0.1")
    yield site
    site.close()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(response=responses())
def test_any_response_ends_in_a_document_or_a_reject(server, response):
    status, headers, body = response

    def raw(req, hits):
        req.wfile.write(b"HTTP/1.1 " + status + b"\r\n" + b"".join(k + b": " + v + b"\r\n" for k, v in headers)
                        + b"Connection: close\r\n\r\n" + body)
        req.wfile.flush()
        req.close_connection = True
        raise ConnectionResetError
    server.add("/fuzz", fn=raw)
    fetcher = client(max_attempts=1, deadline=3.0, read_timeout=1.0, max_redirects=0)
    try:
        try:
            resp = fetcher.get(server.url("/fuzz"), accept=accept_html)
            doc = page_document(make_doc(text="", url=server.url("/fuzz")), resp)
        except FetchError:
            return  # a fetch reject with its reason
        try:
            extract(doc)
        except Rejected:
            pass  # an extract reject with its reason
    finally:
        fetcher.close()
