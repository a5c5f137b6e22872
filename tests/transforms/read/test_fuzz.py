"""Property-based tests of every reader: random and mutated files of each kind, plain and gzipped,
never stop a run, and every record read ends as exactly one Document or Reject; a Document then
goes through the per-document stages, which either pass it on or reject it (Rejected), nothing else."""
import gzip
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas import Document, Reject
from tests.conftest import WARC_PAGE, make_warc
from transforms.clean import clean
from transforms.extract import extract
from transforms.language import detect_language
from transforms.read import read_path
from transforms.utils.stage import Rejected

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])

SEEDS = {
    "txt": b" date 2024-02-03\nHarbour bridge reopens\n\nThe bridge reopened on Monday after a year of repairs.\n",
    "html": WARC_PAGE.encode(),
    "jsonl": (json.dumps({"url": "https://e.com/a", "title": "T", "text": "Body of the story."}) + "\n" +
              json.dumps({"html": "<p>Other story</p>", "published": "2024-01-02"}) + "\n").encode(),
    "rss": b"""<?xml version="1.0"?><rss version="2.0"><channel><title>S</title><link>https://s.example/</link>
<item><title>One</title><link>/a</link><description>&lt;p&gt;First.&lt;/p&gt;</description></item></channel></rss>""",
    "atom": b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>S</title>
<entry><title>One</title><link href="https://s.example/a"/><id>1</id><content type="html">&lt;p&gt;x&lt;/p&gt;</content></entry></feed>""",
}


def mutate(data: bytes, edits: list) -> bytes:
    """Applies (position, action, payload) edits: delete, insert or overwrite bytes, or cut."""
    out = bytearray(data)
    for position, action, payload in edits:
        at = position % (len(out) + 1)
        if action == "delete":
            del out[at:at + len(payload) + 1]
        elif action == "insert":
            out[at:at] = payload
        elif action == "overwrite":
            out[at:at + len(payload)] = payload
        else:
            del out[at:]
    return bytes(out)


EDITS = st.lists(st.tuples(st.integers(0, 1 << 16), st.sampled_from(["delete", "insert", "overwrite", "cut"]),
                           st.binary(max_size=24)), max_size=6)


def check_file(tmp_path, name: str, data: bytes, gzipped: bool):
    path = tmp_path / (name + (".gz" if gzipped else ""))
    path.write_bytes(gzip.compress(data, mtime=0) if gzipped else data)
    items = list(read_path(str(path)))  # never raises: the reader's contract
    assert items, "a file yields at least one document or reject"
    assert all(isinstance(i, (Document, Reject)) for i in items)
    for doc in (i for i in items if isinstance(i, Document)):
        try:
            detect_language(clean(extract(doc)))
        except Rejected:
            pass  # a reject with its reason, as the stage would write it


@FUZZ
@given(kind=st.sampled_from(sorted(SEEDS)), edits=EDITS, gzipped=st.booleans())
def test_mutated_files_of_every_kind(tmp_path, kind, edits, gzipped):
    check_file(tmp_path, f"f.{kind}", mutate(SEEDS[kind], edits), gzipped)


@FUZZ
@given(kind=st.sampled_from(sorted(SEEDS) + ["warc"]), data=st.binary(max_size=2000), gzipped=st.booleans())
def test_random_bytes_of_every_kind(tmp_path, kind, data, gzipped):
    check_file(tmp_path, f"r.{kind}", data, gzipped)


@FUZZ
@given(edits=EDITS, gzipped=st.booleans())
def test_mutated_warc_archives(tmp_path, edits, gzipped):
    archive = make_warc(tmp_path / "seed.warc.gz").read_bytes()
    raw = gzip.decompress(archive)  # mutate the records, not only the compression
    data = mutate(raw, edits)
    if gzipped:
        buf = io.BytesIO()
        with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as f:
            f.write(data)
        data = buf.getvalue()
    check_file(tmp_path, "m.warc", data, gzipped)
