"""The filters in `news-ingest run`, against real HTTP servers on loopback: each drops what it should
before the costly step (no request for a filtered host or an out-of-range feed entry, no parse of a
filtered WARC record), counts it in the summary, and keeps the balance."""
import io
import json

from warcio.warcwriter import WARCWriter

from tests.conftest import WARC_PAGE, run_cli, warc_record
from tests.transforms.fetch import FAST, table
from tests.webserver import article, story

BALANCE = "balance: read = articles + duplicates + rejects + skipped + filtered: ok"


def run_counters(out):
    [record] = (out / "_state" / "summaries").glob("*.json")
    return json.loads(record.read_text())["counters"]


def feed(items) -> bytes:
    """RSS of (title, url, pubDate or None) items."""
    entries = "".join(f"<item><title>{t}</title><link>{u}</link>" + (f"<pubDate>{d}</pubDate>" if d else "")
                      + f"<description>Summary of {t}.</description></item>" for t, u, d in items)
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Feed</title>{entries}"
            f"</channel></rss>").encode()


def undated_page(n) -> bytes:
    return story(n).replace(b"<meta property='article:published_time' content='2025-05-06T07:08:09+00:00'>", b"")


def test_a_filtered_host_gets_no_request(site, other_site, tmp_path):
    site.add("/news/1", story(1))
    other_site.add("/news/2", story(2))
    other_site.add("/news/3", story(3))
    site.add("/feed.xml", feed([("One", site.url("/news/1"), None), ("Two", other_site.url("/news/2"), None)]),
             content_type="application/rss+xml")
    out = tmp_path / "out"
    result = run_cli("run", "--feeds", site.url("/feed.xml"), "--urls", other_site.url("/news/3"),
                     "--hosts", "127.0.0.1", "--output", out, *FAST)
    assert result.returncode == 0, result.stderr
    assert other_site.requests() == []  # not even its robots.txt
    assert len(site.requests("/news/1")) == 1
    assert [u for (u,) in table(out, "articles", "url")] == [site.url("/news/1")]
    assert "filtered out: 2 (host=2)" in result.stdout and BALANCE in result.stdout


def test_a_warc_record_of_an_excluded_host_is_not_parsed(tmp_path):
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    warc_record(writer, "https://news.example.com/harbour", WARC_PAGE.encode())
    warc_record(writer, "https://www.Other.example.org/a", WARC_PAGE.replace("fishing", "sailing").encode())
    warc_record(writer, "https://sport.other.example.org/b", WARC_PAGE.replace("fishing", "rowing").encode())
    archive = tmp_path / "a.warc.gz"
    archive.write_bytes(buf.getvalue())
    out = tmp_path / "out"
    result = run_cli("run", "--input", archive, "--exclude-hosts", "other.example.org", "--output", out, "-q")
    assert result.returncode == 0, result.stderr
    assert [u for (u,) in table(out, "articles", "url")] == ["https://news.example.com/harbour"]
    counts = run_counters(out)
    assert counts["read.records"] == 3 and counts["filter.host"] == 2
    assert counts["extract.ok"] == 1  # only the kept record was parsed
    assert "filtered out: 2 (host=2)" in result.stdout and BALANCE in result.stdout


def test_dates_from_the_feed_filter_before_the_fetch_and_resolved_dates_after(site, tmp_path):
    site.add("/old", story(1))  # the feed says 2024: never fetched
    site.add("/new", story(2))  # the feed and the page say 2025-05-06
    site.add("/may", story(3).replace(b"2025-05-06T07:08:09", b"2025-05-01T07:08:09"))
    site.add("/nodate", undated_page(4))  # no date anywhere: kept unless --drop-undated
    site.add("/oldpage", story(5).replace(b"2025-05-06T07:08:09", b"2020-01-02T07:08:09"))  # the page says 2020
    site.add("/feed.xml", feed([("Old", site.url("/old"), "Mon, 01 Jan 2024 10:00:00 GMT"),
                                ("New", site.url("/new"), "Tue, 06 May 2025 07:00:00 GMT"),
                                ("May", site.url("/may"), "Thu, 01 May 2025 07:00:00 GMT"),
                                ("No date", site.url("/nodate"), None), ("Old page", site.url("/oldpage"), None)]),
             content_type="application/rss+xml")
    first = tmp_path / "first"
    result = run_cli("run", "--feeds", site.url("/feed.xml"), "--since", "2025-01-01", "--output", first, *FAST)
    assert result.returncode == 0, result.stderr
    assert site.requests("/old") == []
    assert sorted(u.rsplit("/", 1)[1] for (u,) in table(first, "articles", "url")) == ["may", "new", "nodate"]
    assert dict(table(first, "articles", "url, date_source"))[site.url("/nodate")] == "ingested"
    assert "filtered out: 2 (date=2)" in result.stdout and BALANCE in result.stdout

    second = tmp_path / "second"
    result = run_cli("run", "--feeds", site.url("/feed.xml"), "--since", "2025-01-01", "--until", "2025-05-05",
                     "--drop-undated", "--output", second, *FAST)
    assert result.returncode == 0, result.stderr
    assert site.requests("/old") == [] and len(site.requests("/new")) == 1  # /new: only by the first run
    assert len(site.requests("/nodate")) == 2  # its date is known only once the page is read
    assert [u.rsplit("/", 1)[1] for (u,) in table(second, "articles", "url")] == ["may"]
    assert "filtered out: 4 (date=4)" in result.stdout and BALANCE in result.stdout


GERMAN = ["Der Gemeinderat hat am Montagabend beschlossen, die alte Brücke über den Fluss im nächsten Sommer "
          "zu erneuern, weil die Schäden an den Pfeilern größer sind als bisher angenommen wurde.",
          "Die Arbeiten sollen im Juni beginnen und bis zum Herbst dauern; während dieser Zeit wird der Verkehr "
          "über die neue Umgehungsstraße am Bahnhof geleitet, wie der Bürgermeister erklärte."]


def test_languages_are_filtered_after_detection(site, tmp_path):
    site.add("/en", story(1))
    site.add("/de", article("Brücke wird erneuert", GERMAN))
    site.add("/2020/01/02/old", story(2))
    out = tmp_path / "out"
    result = run_cli("run", "--urls", site.url("/en"), site.url("/de"), site.url("/2020/01/02/old"),
                     "--languages", "de,fr", "--since", "2025-01-01", "--output", out, *FAST)
    assert result.returncode == 0, result.stderr
    assert len(site.requests("/en")) == 1  # its language is known only once it is read
    assert site.requests("/2020/01/02/old") == []  # the date in its URL is known before
    assert table(out, "articles", "url, language") == [(site.url("/de"), "de")]
    assert "filtered out: 2 (date=1, language=1)" in result.stdout and BALANCE in result.stdout


def test_a_continuous_run_filters_an_entry_once_per_window_before_the_fetch(site, other_site, tmp_path):
    """Here one pipeline run per window (pipeline/local_stream.py): a window counts an entry it sees
    as read once, however often it is polled, and a filtered one as filtered once."""
    site.add("/news/1", story(1))
    other_site.add("/news/2", story(2))
    site.add("/feed.xml", feed([("One", site.url("/news/1"), None), ("Two", other_site.url("/news/2"), None)]),
             content_type="application/rss+xml")
    out = tmp_path / "out"
    result = run_cli("run", "--streaming", "--feeds", site.url("/feed.xml"), "--poll-interval", "1", "--window", "2",
                     "--stop-after", "5", "--exclude-hosts", "127.0.0.2", "--allow-private-networks",
                     "--min-delay", "0", "--output", out)
    assert result.returncode == 0, result.stderr
    assert len(site.requests("/feed.xml")) >= 2
    assert other_site.requests() == []
    assert [u for (u,) in table(out, "articles", "url")] == [site.url("/news/1")]
    windows = [line for line in result.stderr.splitlines() if line.startswith("news-ingest: window ")]
    assert windows and all("filtered 1," in line for line in windows), windows
    assert f"filtered out: {len(windows)} (host={len(windows)})" in result.stdout and BALANCE in result.stdout
