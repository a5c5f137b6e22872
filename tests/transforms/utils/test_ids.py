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


def test_ids_and_hashes_are_the_same_in_every_version():
    """Ids and hashes are stored (the written-ids history, earlier output): a change to how they
    are made would make every stored article look new. These values are pinned."""
    assert article_id("https://example.com/story") == "740b6188400ea6b2"
    assert article_id("", "Same text.") == "9de3a34c55e7e20f"
    assert article_id("") == "1658fae457c16fc1"
    assert content_hash("Hello, World!") == "b94d27b9934d3e08"
    # a record with no URL is told apart by its text, and never mistaken for a URL
    assert article_id("", "Another text.") != article_id("", "Same text.") != article_id("text:Same text.")


def test_canonical_url_keeps_what_names_the_page():
    assert canonical_url("https://Example.COM./x") == "https://example.com/x"  # the root's trailing dot
    assert canonical_url("https://user:pw@Example.com/x") == "https://user:pw@example.com/x"
    assert canonical_url("https://user@Example.com/x") == "https://user@example.com/x"
    assert canonical_url("https://example.com/search?q=&page=2&utm_source=feed") == \
        "https://example.com/search?q=&page=2"
    assert canonical_url("http:///a") == "http:///a"
    assert canonical_url(None) == canonical_url("   ") == ""


def test_only_http_and_https_urls_with_a_host_are_web_urls():
    from transforms.utils.ids import is_web_url
    assert is_web_url("https://news.example/a") and is_web_url("HTTP://news.example")
    for url in ("file:///tmp/a.txt", "https:///no-host", "mailto:desk@news.example", "javascript:alert(1)",
                "http://[::1", "news.example/a", ""):
        assert not is_web_url(url), url
