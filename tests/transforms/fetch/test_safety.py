"""Which URLs the fetcher may request (transforms/fetch/safety.py): private addresses are refused
without a request unless the user allows them."""
import pytest

from tests.conftest import run_cli
from tests.transforms.fetch import client, failure, table
from tests.webserver import newsroom as serve_newsroom
from transforms.fetch.safety import Blocked, check_url, is_public


def test_private_addresses_are_refused_without_a_request(site):
    site.add("/x", b"secret")
    err = failure(client(allow_private=False), site.url("/x"))
    assert err.reason == "blocked_address" and site.requests() == []
    for url in ("http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/", "http://[::1]/", "http://0.0.0.0/",
                "http://224.0.0.1/", "http://192.168.0.1/", "http://localhost/"):
        with pytest.raises(Blocked) as e:
            check_url(url, allow_private=False)
        assert e.value.reason == "blocked_address", url
    assert is_public("93.184.216.34") and not is_public("::ffff:127.0.0.1")
    with pytest.raises(Blocked) as e:
        check_url("gopher://example.com/", allow_private=True)
    assert e.value.reason == "unsupported_scheme"


def test_without_the_flag_nothing_is_requested(site, tmp_path):
    feed, _ = serve_newsroom(site)
    out = tmp_path / "out"
    result = run_cli("run", "--feeds", feed, "--urls", site.url("/news/2"), "--output", out, "-q")
    assert result.returncode == 0, result.stderr
    assert site.requests() == []
    assert sorted(table(out, "rejects", "stage, reason")) == [("fetch", "blocked_address")] * 2
    assert "balance: read = articles + duplicates + rejects + skipped + filtered: ok" in result.stdout


@pytest.mark.parametrize("address, public", [
    ("8.8.8.8", True), ("2606:4700:4700::1111", True),
    ("100.64.0.1", False),  # carrier-grade NAT: neither private nor global
    ("198.18.0.1", False), ("192.168.1.1", False), ("169.254.169.254", False), ("10.0.0.1", False),
    ("::ffff:10.0.0.1", False), ("::ffff:100.64.0.1", False), ("2001:db8::1", False), ("fe80::1%eth0", False),
    ("0.0.0.0", False), ("224.0.0.1", False), ("::1", False),
    # ranges Python counts as global that are still no place to send a request
    ("224.0.1.1", False), ("ff0e::1", False), ("::ffff:224.0.1.1", False), ("::2", False), ("4000::1", False),
    ("2001:4860:4860::8888%1", True)])
def test_only_global_addresses_are_public(address, public):
    assert is_public(address) is public


def test_every_address_a_name_resolves_to_is_checked_not_only_the_first(monkeypatch):
    """A name answering a public and a private address is refused: the connection may use either."""
    import socket


    answers = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 0)),
               (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 0))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answers)
    with pytest.raises(Blocked) as e:
        check_url("http://two-faced.example/", allow_private=False)
    assert e.value.reason == "blocked_address" and "10.1.2.3" in e.value.detail
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answers[:1])
    check_url("http://two-faced.example/", allow_private=False)  # the public answer alone passes


@pytest.mark.parametrize("url, reason, said", [
    ("ftp://files.example/x", "unsupported_scheme", "only http and https are fetched, not 'ftp'"),
    ("/news/1", "unsupported_scheme", "not 'a relative URL'"),
    ("http:///news/1", "unsupported_scheme", "no host in 'http:///news/1'"),
    ("http://localhost:8080/admin", "blocked_address", "localhost resolves to "),
    # a label over 63 characters fails in the IDNA codec, before any query leaves the machine
    ("http://" + "a" * 64 + ".example/", "dns_error", "cannot resolve " + "a" * 64 + ".example"),
])
def test_a_refused_url_says_why_in_its_reject(url, reason, said):
    """The reason is the reject's `reason` column and the detail its `detail`: both are what an
    operator reads to tell a typo from an attack."""
    with pytest.raises(Blocked) as e:
        check_url(url, allow_private=False)
    assert e.value.reason == reason and said in e.value.detail and str(e.value) == e.value.detail


def test_a_url_that_cannot_be_read_is_a_bad_url_quoted_to_200_characters():
    url = "http://[::1/" + "a" * 300
    with pytest.raises(Blocked) as e:
        check_url(url, allow_private=True)
    assert (e.value.reason, e.value.detail) == ("bad_url", f"cannot request {url[:200]!r}: Invalid IPv6 URL")
