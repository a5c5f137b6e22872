"""Publication dates from hints, URLs and formats (transforms/utils/dates.py)."""
from datetime import datetime, timedelta, timezone

from transforms.utils import dates

FETCHED = datetime(2025, 6, 1, tzinfo=timezone.utc)


def test_resolve_prefers_page_then_feed_then_header():
    hints = {"html": "2024-05-01T10:00:00+02:00", "feed": "2024-05-02", "header": "2024-05-03"}
    published, day, source = dates.resolve(hints, FETCHED)
    assert (day, source) == ("2024-05-01", "html") and published.tzinfo is not None
    assert dates.resolve({"header": "2024-05-03"}, FETCHED)[1:] == ("2024-05-03", "header")


def test_resolve_skips_implausible_dates_and_falls_back_to_capture_date():
    now = datetime(2025, 6, 1, tzinfo=timezone.utc)
    hints = {"html": "2099-01-01", "feed": "1970-01-01", "url": "2025-05-30"}
    assert dates.resolve(hints, FETCHED, now=now)[1:] == ("2025-05-30", "url")
    assert dates.resolve({}, FETCHED, now=now) == (None, "2025-06-01", "ingested")


def test_dates_from_urls_and_formats():
    assert dates.date_from_url("https://x.com/2023/04/05/story").date().isoformat() == "2023-04-05"
    assert dates.date_from_url("https://x.com/news/story-20230405.html").date().isoformat() == "2023-04-05"
    assert dates.date_from_url("https://x.com/news/1234567") is None
    assert dates.parse_date("Mon, 18 Aug 2025 06:30:00 +0200").hour == 4
    assert dates.parse_date("not a date") is None


def test_the_feed_date_outranks_a_date_in_the_url():
    from datetime import datetime, timezone
    fetched = datetime(2025, 3, 1, tzinfo=timezone.utc)
    hints = {"url": datetime(2024, 12, 30, tzinfo=timezone.utc), "feed": "2025-01-02T08:00:00Z"}
    published, day, source = dates.resolve(hints, fetched, now=fetched)
    assert (day, source) == ("2025-01-02", "feed")


def test_a_date_more_than_a_day_ahead_of_the_capture_is_a_placeholder():
    from datetime import datetime, timedelta, timezone
    fetched = datetime(2025, 3, 1, tzinfo=timezone.utc)
    for ahead, expected in ((timedelta(hours=20), "html"), (timedelta(days=30), "ingested")):
        hints = {"html": (fetched + ahead).isoformat()}
        assert dates.resolve(hints, fetched, now=fetched)[2] == expected, ahead


UTC = timezone.utc


def test_every_kind_of_date_value_becomes_the_same_utc_instant():
    import time
    from datetime import date
    expected = datetime(2024, 3, 5, 10, 30, 15, tzinfo=UTC)
    assert dates.parse_date(date(2024, 3, 5)) == datetime(2024, 3, 5, tzinfo=UTC)
    assert dates.parse_date(time.struct_time((2024, 3, 5, 10, 30, 15, 1, 65, 0))) == expected  # feedparser's
    assert dates.parse_date("2024-03-05T10:30:15Z") == expected
    assert dates.parse_date("2024-03-05T12:30:15+02:00") == expected
    assert dates.parse_date("Tue, 05 Mar 2024 10:30:15 GMT") == expected
    assert dates.parse_date(expected) == expected
    assert dates.parse_date(None) is None and dates.parse_date("") is None and dates.parse_date("soon") is None


def test_a_date_followed_by_other_words_is_read_as_that_day():
    assert dates.parse_date("2024-03-05, updated in the evening") == datetime(2024, 3, 5, tzinfo=UTC)
    assert dates.parse_date("2024-02-30, a day that does not exist") is None


def test_times_without_a_zone_are_utc_whatever_the_machines_zone(monkeypatch):
    """A worker in another time zone must put a story on the same day as one running in UTC."""
    import time
    monkeypatch.setenv("TZ", "EST5")  # a POSIX zone: no tz database needed
    time.tzset()
    try:
        parsed = dates.parse_date("2024-03-05T02:00:00")
        assert parsed == datetime(2024, 3, 5, 2, 0, tzinfo=UTC) and parsed.utcoffset().total_seconds() == 0
        tokyo = timezone(timedelta(hours=9))
        fetched = datetime(2024, 3, 5, 11, 0, tzinfo=tokyo)  # 02:00 UTC on the 5th, the 4th in EST
        assert dates.resolve({}, fetched, now=fetched) == (None, "2024-03-05", "ingested")
    finally:
        monkeypatch.undo()
        time.tzset()


def test_dates_in_urls_are_utc_days_of_the_path_only():
    assert dates.date_from_url("https://news.example/2024/3/5/story") == datetime(2024, 3, 5, tzinfo=UTC)
    assert dates.date_from_url("https://news.example/world/story-20240305.html") == datetime(2024, 3, 5, tzinfo=UTC)
    # a date in the query names a filter or a tracker, not the page
    assert dates.date_from_url("https://news.example/story?from=2019-01-02") is None
    assert dates.date_from_url("https://news.example/story?from=2019-01-02?ref=feed") is None
    # an impossible slashed date does not hide a real one later in the path
    assert dates.date_from_url("https://news.example/2024/2/30/story-20240229") == datetime(2024, 2, 29, tzinfo=UTC)


def test_the_plausible_range_includes_both_ends():
    now = datetime(2025, 6, 1, tzinfo=UTC)
    assert dates.plausible(dates.EARLIEST, now) and dates.plausible(now + dates.FUTURE_SLACK, now)
    assert dates.EARLIEST == datetime(1990, 1, 1, tzinfo=UTC)
