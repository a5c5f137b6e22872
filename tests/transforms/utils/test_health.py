"""Extraction health by site (transforms/utils/health.py): one definition for the run's per-site
metrics and the report."""
from tests.conftest import make_doc
from transforms.utils.health import SHORT_TEXT_CHARS, health_counters, problems, site_of


def test_a_site_is_the_host_without_www():
    assert site_of("https://www.Example.com:8443/a?b") == "example.com"
    assert site_of("https://news.example.co.uk/x") == "news.example.co.uk"
    assert site_of("file:///data/a.html") == "(local)"
    assert site_of("file:///data/a.html", " The  Daily Paper ") == "the daily paper"
    assert site_of("https://paper.example/a", "Another Name") == "paper.example"
    assert site_of(None) == "(local)"


def test_problems_name_what_an_article_lacks():
    long = "x" * SHORT_TEXT_CHARS
    assert problems("A title", "html", ["A. Author"], long) == []
    assert problems(" ", "ingested", [], long[:-1]) == ["no_title", "no_date", "no_authors", "short_text"]
    assert problems(None, "", None, "") == ["no_title", "no_date", "no_authors", "short_text"]


def test_health_counters_are_per_site():
    doc = make_doc(text="short", url="https://www.paper.example/story", title="T", date_source="html",
                   authors=["B"])
    assert health_counters(doc) == ["health.paper.example.articles", "health.paper.example.short_text"]
