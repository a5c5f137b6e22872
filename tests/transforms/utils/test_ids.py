"""Article ids, canonical URLs and content hashes (transforms/utils/ids.py)."""
from transforms.utils.ids import article_id, canonical_url, content_hash, normalise_text


def test_canonical_url_drops_tracking_fragment_and_default_port():
    assert canonical_url("HTTPS://News.Example.COM:443/a/b?utm_source=x&id=3&fbclid=y#top") == \
        "https://news.example.com/a/b?id=3"
    assert canonical_url("http://example.com:8080") == "http://example.com:8080/"
    assert canonical_url("file:///tmp/a.txt") == "file:///tmp/a.txt"


def test_article_id_is_stable_and_url_based():
    a = article_id("https://example.com/story?utm_medium=rss")
    assert a == article_id("https://EXAMPLE.com/story") and len(a) == 16
    assert a != article_id("https://example.com/other")
    assert article_id("", "Same text.") == article_id("", "same   TEXT")


def test_content_hash_ignores_case_punctuation_and_spacing():
    assert content_hash("Hello, World!\n\nBye.") == content_hash("hello world bye")
    assert normalise_text("Ｆｕｌｌ－width") == "full width"
