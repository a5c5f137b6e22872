"""Reading input files (transforms/read/files.py): every file yields documents or rejects; ReadInputs
on a real (in-process) Beam runner."""
import io

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to
from warcio.warcwriter import WARCWriter

from schemas import Reject
from tests.conftest import WARC_PAGE as PAGE
from tests.conftest import beam_pipeline
from tests.conftest import warc_record as record
from tests.transforms.read import read
from transforms.read import ReadInputs


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


def test_read_inputs_splits_documents_and_rejects(tmp_path):
    (tmp_path / "a.txt").write_text(" date 2024-01-01 Hello there, this is a story.")
    (tmp_path / "b.jsonl").write_text('{"url": "https://e.com/1", "text": "One"}\n{bad\n')
    (tmp_path / "c.bin").write_bytes(b"\x00\x01")
    paths = sorted(str(p) for p in tmp_path.iterdir())
    with beam_pipeline() as p:
        out = p | ReadInputs(paths)
        assert_that(out["main"] | beam.Map(lambda d: (d.source, d.url.rsplit("/", 1)[-1])),
                    equal_to([("file", "a.txt"), ("jsonl", "1")]), label="docs")
        assert_that(out["rejects"] | beam.Map(lambda r: (r.stage, r.reason, r.record_number)),
                    equal_to([("read", "bad_json", 2), ("read", "unknown_kind", None)]), label="rejects")


def test_the_records_of_one_archive_are_spread_over_the_workers(tmp_path):
    """A file is read by one worker; its records must not all be extracted by that worker."""
    import os

    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions
    from apache_beam.testing.util import assert_that, equal_to

    from transforms.read import ReadInputs

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    for n in range(12):
        record(writer, f"https://news.example.com/story-{n}", PAGE.replace("Monday", f"day {n}").encode())
    archive = tmp_path / "many.warc.gz"
    archive.write_bytes(buf.getvalue())
    options = PipelineOptions(["--direct_running_mode=multi_processing", "--direct_num_workers=2"])
    with beam.Pipeline(runner="FnApiRunner", options=options) as p:
        docs = p | ReadInputs([str(archive)])
        workers = docs["main"] | beam.Map(lambda _: os.getpid()) | beam.Distinct() | beam.combiners.Count.Globally()
        assert_that(workers, equal_to([2]))
