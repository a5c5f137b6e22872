"""The filters' decisions (transforms/filters), without Beam; the summary's count of them."""
from datetime import date, datetime, timezone

import pytest

from tests.conftest import make_doc
from transforms.filters import (Filters, checks_after_analysis, checks_before_fetch, first_failed, host_allowed,
                                keep_before_fetch, keep_dated, keep_language, known_date, parse_host, parse_language,
                                url_host)

FETCHED = datetime(2025, 6, 1, tzinfo=timezone.utc)


def test_hosts_are_compared_lower_cased_without_www_port_or_trailing_dot():
    assert url_host("https://WWW.Example.COM.:8443/a?b") == "example.com"
    assert url_host("file:///tmp/a.html") is None and url_host("https://feed.example/f.xml#entry=3") == "feed.example"
    assert [parse_host(v) for v in ("Example.com", "www.example.com", "https://www.example.com/news", "127.0.0.2")] \
        == ["example.com", "example.com", "example.com", "127.0.0.2"]
    for bad in ("", "a b", "exa mple.com", "http://", "a/b"):
        with pytest.raises(ValueError):
            parse_host(bad)


def test_a_host_matches_itself_and_its_subdomains_and_exclusion_wins():
    f = Filters(hosts=("example.com",), exclude_hosts=("sport.example.com",))
    assert host_allowed("https://example.com/a", f) and host_allowed("https://news.example.com/a", f)
    assert host_allowed("http://www.example.com/a", f)
    assert not host_allowed("https://notexample.com/a", f)  # a suffix, not a subdomain
    assert not host_allowed("https://example.com.evil.org/a", f)
    assert not host_allowed("https://sport.example.com/a", f) and not host_allowed("https://x.sport.example.com/", f)
    # No web URL, no host: --hosts drops it, --exclude-hosts alone keeps it.
    assert not host_allowed("file:///tmp/a.html", f)
    assert host_allowed("file:///tmp/a.html", Filters(exclude_hosts=("example.com",)))
    assert host_allowed("https://anything.org/", Filters())


def test_the_date_known_before_the_fetch_comes_from_the_entry_or_the_url():
    entry = make_doc(url="https://example.com/a", fetched_at=FETCHED, date_hints={"feed": datetime(2025, 3, 4, 23, 0,
                                                                                                     tzinfo=timezone.utc)})
    assert known_date(entry) == date(2025, 3, 4)
    assert known_date(make_doc(url="https://example.com/2024/02/03/story", fetched_at=FETCHED)) == date(2024, 2, 3)
    # The feed's date comes before the URL's, as extraction would choose.
    entry.url = "https://example.com/2024/02/03/story"
    assert known_date(entry) == date(2025, 3, 4)
    assert known_date(make_doc(url="https://example.com/story", fetched_at=FETCHED)) is None
    # An implausible date (in the future) is no date.
    assert known_date(make_doc(url="https://example.com/a", fetched_at=FETCHED,
                               date_hints={"feed": datetime(2031, 1, 1, tzinfo=timezone.utc)})) is None


def test_before_the_fetch_only_a_known_date_out_of_range_drops():
    f = Filters(since=date(2025, 1, 1), until=date(2025, 1, 31), drop_undated=True)
    at = lambda url: make_doc(url=url, fetched_at=FETCHED)  # noqa: E731
    assert keep_before_fetch(at("https://e.com/2025/01/01/a"), f)
    assert keep_before_fetch(at("https://e.com/2025/01/31/a"), f)
    assert not keep_before_fetch(at("https://e.com/2024/12/31/a"), f)
    assert not keep_before_fetch(at("https://e.com/2025/02/01/a"), f)
    assert keep_before_fetch(at("https://e.com/undated"), f)  # decided after extraction


def test_after_extraction_the_resolved_date_decides_and_undated_are_kept_unless_asked():
    dated = make_doc(published_at=datetime(2025, 1, 15, tzinfo=timezone.utc), date="2025-01-15", date_source="html")
    undated = make_doc(published_at=None, date="2025-06-01", date_source="ingested")
    f = Filters(since=date(2025, 1, 16))
    assert not keep_dated(dated, f) and keep_dated(dated, Filters(until=date(2025, 1, 15)))
    assert keep_dated(undated, f)
    assert not keep_dated(undated, Filters(since=date(2025, 1, 16), drop_undated=True))
    assert not keep_dated(undated, Filters(drop_undated=True)) and keep_dated(dated, Filters(drop_undated=True))


def test_languages():
    assert parse_language(" EN ") == "en" and parse_language("und") == "und"
    for bad in ("english", "e", "en-US", ""):
        with pytest.raises(ValueError):
            parse_language(bad)
    f = Filters(languages=frozenset({"en", "de"}))
    assert keep_language(make_doc(language="de"), f) and not keep_language(make_doc(language="fr"), f)
    assert not keep_language(make_doc(language="und"), f)
    assert keep_language(make_doc(language="und"), Filters(languages=frozenset({"en", "und"})))
    assert keep_language(make_doc(language="fr"), Filters())


def test_checks_are_only_those_asked_for_and_a_document_counts_once():
    assert checks_before_fetch(Filters()) == [] and checks_after_analysis(Filters()) == []
    assert [n for n, _ in checks_before_fetch(Filters(languages=frozenset({"en"})))] == []
    assert [n for n, _ in checks_before_fetch(Filters(drop_undated=True))] == []
    f = Filters(hosts=("e.com",), since=date(2025, 1, 1), languages=frozenset({"en"}))
    assert [n for n, _ in checks_before_fetch(f)] == ["host", "date"]
    after = checks_after_analysis(f)
    assert [n for n, _ in after] == ["host", "date", "language"]
    both = make_doc(url="https://other.org/a", language="fr", published_at=datetime(2020, 1, 1, tzinfo=timezone.utc),
                    date="2020-01-01", date_source="html")
    assert first_failed(both, after) == "host"
    good = make_doc(url="https://news.e.com/a", language="en", published_at=datetime(2025, 2, 1, tzinfo=timezone.utc),
                    date="2025-02-01", date_source="html")
    assert first_failed(good, after) is None
    assert first_failed(good.replace(language="fr"), after) == "language"


def test_the_summary_counts_filtered_documents_by_filter_and_in_its_balance():
    from pipeline.summary import batch_line, summarize
    c = {"read.records": 10, "write.articles.rows": 4, "write.duplicates.rows": 1, "write.rejects.rows": 1,
         "filter.host": 2, "filter.date": 1, "filter.language": 1}
    text = summarize(c, 1.0, "out")
    assert "filtered out: 4 (date=1, host=2, language=1)" in text
    assert "balance: read = articles + duplicates + rejects + skipped + filtered: ok" in text
    assert "filtered 4" in batch_line(c)
    c["filter.host"] = 1
    assert "balance: read = articles + duplicates + rejects + skipped + filtered: MISMATCH" in summarize(c, 1.0, "o")
    plain = summarize({"read.records": 1, "write.articles.rows": 1}, 1.0, "out")
    assert "filtered out" not in plain and "skipped + filtered: ok" in plain


def test_the_flags_give_the_filters_and_refuse_mistakes(tmp_path):
    from pipeline.cli import parse
    from pipeline.errors import UsageError
    from pipeline.template import translate
    out = ["--output", str(tmp_path / "out")]
    f = parse(["run", "--languages", "en,DE", "fr", "--since", "2025-01-01", "--until", "2025-01-31", "--drop-undated",
               "--hosts", "WWW.A.com,https://b.org/x", "--exclude-hosts", "sport.a.com", *out]).graph.filters
    assert f == Filters(languages=frozenset({"en", "de", "fr"}), since=date(2025, 1, 1), until=date(2025, 1, 31),
                        drop_undated=True, hosts=("a.com", "b.org"), exclude_hosts=("sport.a.com",))
    assert parse(["run", *out]).graph.filters == Filters()
    for bad in (["--languages", "english"], ["--since", "2025-02-02", "--until", "2025-02-01"], ["--hosts", "a b"],
                ["--until", "2025-13-01"]):
        with pytest.raises(UsageError):
            parse(["run", *bad, *out])
    # The Flex Template's parameters become the same flags.
    assert translate(["--languages=en,de", "--since=2025-01-01", "--drop_undated=true"])[2:] == [
        "--languages", "en", "de", "--since", "2025-01-01", "--drop-undated"]
