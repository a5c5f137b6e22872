import gzip
import json

import pytest

from schemas import Document, Reject
from transforms.read import expand_inputs, kind_of, read_path, UsageError
from transforms.read.text import guess_title, split_header


def read(path):
    return list(read_path(str(path)))


def test_kinds_by_extension():
    assert [kind_of(p) for p in ("a.txt", "b.HTML.gz", "c.jsonl", "d.rss", "e.atom", "f.pdf")] == \
        ["text", "html", "jsonl", "feed", "feed", "unknown"]


def test_date_header_on_the_first_line_is_not_text():
    assert split_header(" date 2022-02-24 With the support of") == ("2022-02-24", "With the support of")
    assert split_header("date 2024-01-03\nBody") == ("2024-01-03", "Body")
    assert split_header("The date 2022-02-24 was") == (None, "The date 2022-02-24 was")


def test_headline_guess():
    assert guess_title("Moscow denies claims\n\nA spokesman said.") == "Moscow denies claims"
    assert guess_title("A full sentence ends here.\n\nMore.") is None


def test_text_file(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(" date 2023-03-01 First sentence here.\n\nSecond.", encoding="utf-8")
    [doc] = read(p)
    assert isinstance(doc, Document) and doc.text.startswith("First sentence")
    assert doc.date_hints == {"header": "2023-03-01"} and doc.url == p.as_uri() and doc.id


@pytest.mark.parametrize("name,data,reason", [
    ("empty.txt", b"", "empty_input"),
    ("blank.txt", b"  \n\n ", "empty_input"),
    ("binary.txt", bytes(range(256)) * 4, "binary_input"),
    ("latin1.txt", "caf\u00e9 cr\u00e8me".encode("latin-1"), "undecodable"),
    ("page.html", b"\x00\x01\x02PNG\x00" * 100, "binary_input"),
    ("notes.pdf", b"%PDF-1.4", "unknown_kind"),
    ("broken.html.gz", b"\x1f\x8b\x08\x00garbage", "bad_gzip"),
    ("feed.xml", b"<rss><channel><title>x</title></channel></rss>", "feed_empty"),
    ("junk.rss", b"this is not xml at all <<<", "feed_parse_error"),
])
def test_bad_files_become_rejects(tmp_path, name, data, reason):
    p = tmp_path / name
    p.write_bytes(data)
    [rej] = read(p)
    assert isinstance(rej, Reject)
    assert (rej.stage, rej.reason, rej.input) == ("read", reason, str(p))


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


def test_feed_entries(tmp_path):
    p = tmp_path / "f.rss"
    p.write_text("""<?xml version="1.0"?><rss version="2.0"><channel><title>Site</title><link>https://s.example/news/</link>
      <item><title>One</title><link>2024/01/02/one?utm_campaign=z</link><pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate>
      <description>&lt;p&gt;First entry text.&lt;/p&gt;</description></item>
      <item><title>Two</title><guid isPermaLink="false">g2</guid><description>Second.</description></item>
      </channel></rss>""", encoding="utf-8")
    one, two = read(p)
    assert one.url == "https://s.example/news/2024/01/02/one" and one.title == "One" and one.site_name == "Site"
    assert one.date_hints["feed"].isoformat() == "2024-01-02T10:00:00+00:00"
    assert one.source == "feed" and one.content_type == "text/html-fragment"
    assert two.url == p.as_uri() + "#entry=g2" and one.id != two.id


def test_expand_inputs(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("b.txt", "sub/a.html", ".hidden.txt", "sub/c.jsonl"):
        (tmp_path / name).write_text("x")
    found = expand_inputs([str(tmp_path), str(tmp_path / "b.txt")])
    assert [p.replace(str(tmp_path), "") for p in found] == ["/b.txt", "/sub/a.html", "/sub/c.jsonl"]
    with pytest.raises(UsageError):
        expand_inputs([str(tmp_path / "missing")])
