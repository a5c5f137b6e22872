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
