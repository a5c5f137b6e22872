"""What scheduled runs remember between runs (transforms/fetch/state.py): the feeds' validators,
so an unchanged feed answers 304."""
from tests.conftest import run_cli
from tests.transforms.fetch import FAST
from tests.webserver import etag_feed, rss, story


def test_second_run_gets_304_and_fetches_nothing(site, tmp_path):
    site.add("/news/1", story(1))
    site.add("/feed.xml", fn=etag_feed(rss([("One", site.url("/news/1"))])))
    out = tmp_path / "out"
    first = run_cli("run", "--feeds", site.url("/feed.xml"), "--output", out, *FAST)
    assert first.returncode == 0 and "articles written: 1" in first.stdout
    second = run_cli("run", "--feeds", site.url("/feed.xml"), "--output", out, *FAST)
    assert second.returncode == 0 and "documents read: 0" in second.stdout
    feed_requests = site.requests("/feed.xml")
    assert len(feed_requests) == 2 and feed_requests[1][4].get("If-None-Match") == '"v1"'
    assert len(site.requests("/news/1")) == 1
    assert (out / "_state" / "feeds.json").is_file()
