"""Publication dates: parsing candidates and choosing the most trustworthy plausible one."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Optional

# Most trusted first. 'input' is a date given by the input record itself (a JSONL field).
PRIORITY = ("html", "feed", "sitemap", "input", "header", "url")
EARLIEST = datetime(1990, 1, 1, tzinfo=timezone.utc)
# Clock skew between publisher and us; anything later is a typo or a placeholder.
FUTURE_SLACK = timedelta(days=1)

_URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?!\d)")
_URL_DATE_SLASHED = re.compile(r"/((?:19|20)\d{2})/(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])(?:/|$)")


def parse_date(value) -> Optional[datetime]:
    """ISO 8601, RFC 2822 or a datetime/date/struct_time; naive times are taken as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    elif hasattr(value, "tm_year"):  # time.struct_time from feedparser, already UTC
        dt = datetime(*value[:6])
    else:
        text = str(value).strip()
        dt = None
        try:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            try:
                dt = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text)
                if m:
                    try:
                        dt = datetime(int(m[1]), int(m[2]), int(m[3]))
                    except ValueError:
                        dt = None
        if dt is None:
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def date_from_url(url: str) -> Optional[datetime]:
    path = url.split("?", 1)[0]
    for pattern in (_URL_DATE_SLASHED, _URL_DATE):
        m = pattern.search(path)
        if m:
            try:
                return datetime(int(m[1]), int(m[2]), int(m[3]), tzinfo=timezone.utc)
            except ValueError:
                continue
    return None


def plausible(dt: Optional[datetime], now: datetime) -> bool:
    return dt is not None and EARLIEST <= dt <= now + FUTURE_SLACK


def first_plausible(candidates, fetched_at: datetime):
    """The first of `candidates` (any form parse_date reads) that is a plausible date for a page
    captured at `fetched_at`, as given; None when none is."""
    now = max(fetched_at, datetime.now(timezone.utc))
    return next((c for c in candidates if plausible(parse_date(c), now)), None)


def resolve(hints: dict, fetched_at: datetime, now: Optional[datetime] = None) -> tuple[Optional[datetime], str, str]:
    """Returns (published_at, date YYYY-MM-DD, date_source) from candidate dates by priority.

    Implausible candidates (before 1990, or in the future relative to the capture) are skipped.
    With none left, the partition date is the capture date and published_at stays unknown.
    """
    now = now or max(fetched_at, datetime.now(timezone.utc))
    for source in PRIORITY:
        dt = parse_date(hints.get(source))
        if plausible(dt, now):
            return dt, dt.strftime("%Y-%m-%d"), source
    return None, fetched_at.astimezone(timezone.utc).strftime("%Y-%m-%d"), "ingested"
