"""Publication dates from hints, URLs and formats (transforms/utils/dates.py)."""
from datetime import datetime, timezone

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
