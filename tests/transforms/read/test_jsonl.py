"""JSON Lines files (transforms/read/jsonl.py)."""
import gzip
import json

from schemas import Document, Reject
from tests.transforms.read import read


def test_jsonl_lines_good_and_bad(tmp_path):
    p = tmp_path / "a.jsonl.gz"
    lines = [json.dumps({"url": "https://e.com/x?utm_source=a", "title": "T", "text": "Body", "authors": "A and B",
                         "published": "2024-02-03T04:05:06Z", "extra": 1}),
             "{broken", json.dumps([1, 2]), json.dumps({"url": "https://e.com/y"}), "",
             json.dumps({"html": "<p>Hi</p>"})]
    with gzip.open(p, "wt", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    out = read(p)
    docs = [o for o in out if isinstance(o, Document)]
    rejects = [o for o in out if isinstance(o, Reject)]
    assert [d.url for d in docs] == ["https://e.com/x", p.as_uri() + "#line=6"]
    assert docs[0].authors == ["A", "B"] and docs[0].date_hints == {"input": "2024-02-03T04:05:06Z"}
    assert docs[1].content_type == "text/html" and docs[0].source == "jsonl"
    assert [(r.reason, r.record_number) for r in rejects] == [("bad_json", 2), ("bad_record", 3), ("no_content", 4)]
    assert rejects[0].payload == "{broken\n"


def test_jsonl_undecodable_line(tmp_path):
    p = tmp_path / "a.jsonl"
    p.write_bytes(b'{"text": "ok"}\n{"text": "\xff\xfe"}\n')
    out = read(p)
    assert isinstance(out[0], Document) and (out[1].reason, out[1].record_number) == ("undecodable", 2)


def test_a_record_url_that_is_not_a_web_url_is_a_reject(tmp_path):
    """Downstream readers put `url` into links: only http and https pass (a blank one is no URL)."""
    p = tmp_path / "u.jsonl"
    urls = ["javascript:alert(1)", "file:///etc/passwd", "ftp://e.com/x", "https://", 42, "", "HTTPS://E.com"]
    p.write_text("\n".join(json.dumps({"url": u, "text": "Body"}) for u in urls) + "\n")
    out = read(p)
    assert [(r.reason, r.record_number) for r in out if isinstance(r, Reject)] == [
        ("bad_url", 1), ("bad_url", 2), ("bad_url", 3), ("bad_url", 4), ("bad_url", 5)]
    assert [d.url for d in out if isinstance(d, Document)] == [p.as_uri() + "#line=6", "https://e.com/"]


def test_a_line_over_the_limit_is_read_past_not_held():
    import io

    from transforms.read.jsonl import TOO_LONG, bounded_lines
    stream = io.BytesIO(b'{"text": "a"}\n' + b"x" * 5000 + b'\n{"text": "b"}\n' + b"y" * 80)
    assert list(bounded_lines(stream, limit=50)) == [b'{"text": "a"}\n', TOO_LONG, b'{"text": "b"}\n', TOO_LONG]
