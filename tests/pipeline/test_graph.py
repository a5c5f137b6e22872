"""The graphs' composites (pipeline/graph.py): the per-document stages chained on a real
(in-process) Beam runner, checked with assert_that."""
import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from tests.conftest import beam_pipeline, make_doc
from transforms.clean import Clean
from transforms.extract import Extract
from transforms.language import DetectLanguage

EN = ("The council met on Monday to discuss the budget for the coming year. Members agreed to spend "
      "more on roads, parks and libraries after a long debate that lasted well into the evening.")


def three_documents():
    """An article with a boilerplate tail, a page with no text, a text that is only boilerplate."""
    return [make_doc(text=EN + "\n\nMore Stories\nOther headline", url="https://e.com/2023/02/03/a"),
            make_doc(text="", url="https://e.com/b", content=b"<html><body></body></html>", content_type="text/html"),
            make_doc(text="ADVERTISEMENT", url="https://e.com/c")]


def test_extract_clean_language_chain_with_rejects():
    docs = three_documents()
    with beam_pipeline() as p:
        ext = p | beam.Create(docs) | Extract()
        cln = ext["main"] | Clean()
        lang = cln["main"] | DetectLanguage()
        assert_that(lang["main"] | beam.Map(lambda d: (d.url, d.date, d.date_source, d.text == EN, d.language,
                                                       d.is_mixed_language)),
                    equal_to([("https://e.com/2023/02/03/a", "2023-02-03", "url", True, "en", False)]), label="ok")
        assert_that(ext["rejects"] | beam.Map(lambda r: (r.url, r.stage, r.reason)),
                    equal_to([("https://e.com/b", "extract", "no_text")]), label="extract_rejects")
        assert_that(cln["rejects"] | beam.Map(lambda r: (r.url, r.stage, r.reason)),
                    equal_to([("https://e.com/c", "clean", "empty_after_clean")]), label="clean_rejects")


def test_analyse_documents_chains_the_three_stages_and_gathers_their_rejects():
    from pipeline.graph import AnalyseDocuments

    docs = three_documents()
    with beam_pipeline() as p:
        analysed = p | beam.Create(docs) | AnalyseDocuments()
        assert_that(analysed["main"] | beam.Map(lambda d: (d.url, d.text == EN, d.language)),
                    equal_to([("https://e.com/2023/02/03/a", True, "en")]), label="ok")
        assert_that(analysed["rejects"] | beam.Map(lambda r: (r.url, r.stage, r.reason)),
                    equal_to([("https://e.com/b", "extract", "no_text"), ("https://e.com/c", "clean", "empty_after_clean")]),
                    label="rejects")
