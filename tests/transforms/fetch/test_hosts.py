"""Fetching grouped by host (transforms/fetch/hosts.py): hosts at the same time, each one politely."""
import time

from tests.conftest import run_cli
from tests.transforms.fetch import FAST
from tests.webserver import story


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


def test_the_test_servers_resolve_no_name(monkeypatch):
    """Tests talk to servers on loopback only: starting one makes no DNS query."""
    import socket

    from tests.webserver import Site

    def no_dns(*args, **kwargs):
        raise AssertionError("a DNS lookup")
    monkeypatch.setattr(socket, "getfqdn", no_dns)
    monkeypatch.setattr(socket, "gethostbyaddr", no_dns)
    for host in ("127.0.0.1", "127.0.0.2"):
        Site(host).close()
