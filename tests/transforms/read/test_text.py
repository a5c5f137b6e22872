"""Text files (transforms/read/text.py)."""
from schemas import Document
from tests.transforms.read import read
from transforms.read.text import guess_title, split_header


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
