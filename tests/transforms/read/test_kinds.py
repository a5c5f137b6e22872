"""What kind of input a file is (transforms/read/kinds.py)."""
from transforms.read.kinds import kind_of


def test_kinds_by_extension():
    assert [kind_of(p) for p in ("a.txt", "b.HTML.gz", "c.jsonl", "d.rss", "e.atom", "f.pdf")] == \
        ["text", "html", "jsonl", "feed", "feed", "unknown"]
