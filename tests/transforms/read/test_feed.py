"""RSS, Atom and RDF feed files (transforms/read/feed.py)."""
import pytest

from tests.conftest import SHARED, run_cli
from tests.transforms.read import read


def test_feed_entries(tmp_path):
    p = tmp_path / "f.rss"
    p.write_text("""<?xml version="1.0"?><rss version="2.0"><channel><title>Site</title><link>https://s.example/news/</link>
      <item><title>One</title><link>2024/01/02/one?utm_campaign=z</link><pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate>
      <description>&lt;p&gt;First entry text.&lt;/p&gt;</description></item>
      <item><title>Two</title><guid isPermaLink="false">g2</guid><description>Second.</description></item>
      </channel></rss>""", encoding="utf-8")
    one, two = read(p)
    assert one.url == "https://s.example/news/2024/01/02/one" and one.title == "One" and one.site_name == "Site"
    assert one.date_hints["feed"].isoformat() == "2024-01-02T10:00:00+00:00"
    assert one.source == "feed" and one.content_type == "text/html-fragment"
    assert two.url == p.as_uri() + "#entry=g2" and one.id != two.id


def test_every_real_feed_yields_entries_or_a_reject(tmp_path):
    from transforms.read import read_path
    feeds = SHARED / "eval" / "feeds"
    if not feeds.is_dir():
        pytest.skip("../shared/eval/feeds is not present (clean clone)")
    files = sorted(p for p in feeds.iterdir() if p.suffix != ".md")
    for path in files:
        assert list(read_path(str(path))), path.name
    out = tmp_path / "out"
    result = run_cli("run", "--feeds", *files, "--no-fetch", "--output", out, "-q")
    assert result.returncode == 0, result.stderr
    assert "balance: read = articles + duplicates + rejects + skipped: ok" in result.stdout


def test_an_entry_link_that_is_not_a_web_url_is_never_a_page(tmp_path):
    """A javascript: or mailto: link is not followed and not kept: the entry is read with its own
    content, under the URI the pipeline makes for it."""
    from transforms.read.feed import has_page
    p = tmp_path / "f.rss"
    p.write_text("""<?xml version="1.0"?><rss version="2.0"><channel><title>Site</title>
      <item><title>One</title><link>javascript:alert(1)</link><guid>g1</guid><description>First.</description></item>
      <item><title>Two</title><link>mailto:desk@s.example</link><guid>g2</guid><description>Second.</description></item>
      </channel></rss>""", encoding="utf-8")
    one, two = read(p)
    assert (one.url, two.url) == (p.as_uri() + "#entry=g1", p.as_uri() + "#entry=g2")
    assert not has_page(one) and not has_page(two)
