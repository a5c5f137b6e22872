"""Near-duplicate detection: features, verification, clusters, and the Beam transform in batch and across runs."""
from datetime import datetime, timedelta, timezone

import apache_beam as beam
import numpy as np
from apache_beam.testing.util import assert_that, equal_to

from tests.conftest import beam_pipeline, make_doc
from transforms.dedup import Deduplicate, ReadHistory, ReadSignatures, bucket_pairs
from transforms.dedup.clusters import decide
from transforms.dedup.minhash import exact_key, features, shingle_sequence, signature, word_hashes
from transforms.dedup.verify import containment, is_copy
from transforms.ids import content_hash
from transforms.write import WriteTables

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
STORY = [
    "GENEVA (Wire) — Negotiators from 31 countries agreed on Tuesday on a shared set of rules for tracking plastic "
    "waste shipped across borders, ending two weeks of talks that at times looked close to collapse.",
    "Under the agreement, every container of plastic scrap will carry a digital record of its origin, its contents "
    "and the facility that is meant to receive it, and ports may refuse cargo whose record is missing.",
    "Environmental groups have long argued that mixed plastic exported for recycling often ends up burned or dumped "
    "in the open, and that the new records are meant to make that much harder to hide from regulators.",
    "\"This is not the end of plastic pollution,\" said Amara Osei, who chaired the final session of the talks "
    "that began in 2019 and were delayed twice, in 2021 and 2023.",
    "Several exporting countries had resisted a requirement to publish the records, arguing it would expose "
    "commercial information to competitors; the compromise keeps them private for three years.",
    "The rules take effect in January 2027, and countries that fail to comply could lose access to a fund of "
    "450 million dollars that helps build recycling plants.",
]
MARKET = ("Shares in Northland rose 2.4 percent to 18.35 on Monday as trading volume reached 1.2 million, while the "
          "index closed 0.8 percent higher at 7,415 points. Analysts at Baird said 12 of the 40 stocks gained more "
          "than 3 percent, and the currency traded at 1.0842 against the dollar by 17:30 local time.")
NEXT_DAY = ("Shares in Northland fell 1.1 percent to 18.15 on Tuesday as trading volume reached 0.9 million, while the "
            "index closed 0.3 percent lower at 7,392 points. Analysts at Baird said 7 of the 40 stocks gained more "
            "than 3 percent, and the currency traded at 1.0817 against the dollar by 17:30 local time.")


def text(paragraphs):
    return "\n\n".join(paragraphs)


def f(doc_id, body):
    return features(doc_id, body, content_hash(body))


def test_word_hashes_ignore_case_and_punctuation_not_words():
    a = word_hashes("Hello, WORLD! hello world—Ünïcode 34,500")
    assert a[0] == a[2] and a[1] == a[3] and len(a) == 7 and len(set(a.tolist())) == 5
    assert word_hashes("Ünïcode")[0] == word_hashes("U\u0308ni\u0308code")[0]  # NFKC composes the accents
    assert word_hashes("  ünïcode!!")[0] == word_hashes("ÜNÏCODE")[0]


def test_features_are_deterministic_and_compact():
    a, b = f("a", text(STORY)), f("a", text(STORY))
    assert a.keys == b.keys and np.array_equal(a.shingles, b.shingles)
    assert a.shingles.dtype == np.uint32 and 100 < a.size < 300
    assert a.numbers == ["31", "450"] and len(a.keys) == 1 + 32 + 16  # bare years are left out
    short = f("s", "Too short to compare.")
    assert short.keys == [exact_key(content_hash("Too short to compare."))]


def test_signature_agreement_tracks_jaccard():
    w = word_hashes(text(STORY) * 3)
    a, b = np.unique(shingle_sequence(w)), np.unique(shingle_sequence(w[: len(w) // 2]))
    jaccard = np.intersect1d(a, b).size / np.union1d(a, b).size
    assert abs((signature(a) == signature(b)).mean() - jaccard) < 0.15
    assert (signature(a) == signature(a)).all()


def test_copies_with_edits_are_copies():
    original = f("o", text(STORY))
    edited = text(["Plastic deal reached", "Negotiators from 31 countries agreed on Tuesday on a shared set of rules "
                   "for tracking plastic waste shipped across borders, after two weeks of talks."] + STORY[1:] +
                  ["Follow The Evening Post on social media for more world news."])
    trimmed = text(STORY[:4])
    brief = text(STORY[:2])
    local_intro = text(["Local recyclers in Marlow said the deal could bring new jobs to the town's two plants, which "
                        "sort about 40 tonnes of plastic a week."] + STORY)
    for name, body in (("edited", edited), ("trimmed", trimmed), ("brief", brief), ("local", local_intro)):
        assert is_copy(original, f(name, body)), name


def test_hard_negatives_are_not_copies():
    assert not is_copy(f("m1", MARKET), f("m2", NEXT_DAY))  # next edition: same wording, new figures
    shared = STORY[2]
    one = text(["The city council voted on Monday to close the old landfill by 2030 and to build a sorting plant in "
                "its place, after years of complaints from residents about smell and traffic.", shared,
                "The plant will cost 80 million and is expected to employ 120 people when it opens in 2031."])
    other = text(["A ship carrying 2,000 tonnes of mixed plastic was turned back at the port of Valdera on Friday "
                  "after inspectors found its papers did not match the cargo in its hold.", shared,
                  "The shipping company said it would appeal against the decision and blamed a paperwork error."])
    assert not is_copy(f("p1", one), f("p2", other))
    assert containment(f("p1", one).shingles, f("p2", other).shingles) < 0.5


def test_clusters_are_transitive_and_keep_the_earliest():
    nodes = [("c", T0 + timedelta(hours=3), T0, None), ("a", T0 + timedelta(hours=2), T0, None),
             ("b", None, T0, None), ("d", T0, T0, None), ("e", T0, T0 - timedelta(hours=1), None)]
    got = decide(nodes, [("a", "b"), ("b", "c"), ("d", "e")])
    assert got == {"a": ("a", None), "b": ("a", "a"), "c": ("a", "a"), "e": ("e", None), "d": ("e", "e")}


def test_history_keeps_its_article():
    nodes = [("new", T0 - timedelta(days=1), T0, None), ("old", T0, T0, "oldroot")]
    assert decide(nodes, [("new", "old")]) == {"new": ("oldroot", "oldroot"), "old": ("oldroot", None)}


def test_big_buckets_become_chains():
    members = [("c", None, "hc"), ("a", None, "ha"), ("b", None, "hb")]
    assert list(bucket_pairs(("k", members))) == [("a", "b"), ("a", "c"), ("b", "c")]
    assert len(list(bucket_pairs(("k", [(str(i), None, str(i)) for i in range(500)])))) == 499


def test_earlier_clusters_pair_through_their_kept_article_only():
    # Story K was kept by an earlier run, with 20 copies; a new document n meets all of them in a bucket.
    old = [("K", "K", "hK")] + [(f"c{i:02d}", "K", f"h{i}") for i in range(20)]
    assert sorted(bucket_pairs(("k", old + [("n", None, "hn")]))) == [("K", "n")]
    # Without the kept one in the bucket, the first two members stand for the cluster.
    assert sorted(bucket_pairs(("k", old[5:] + [("n", None, "hn")]))) == [("c04", "n"), ("c05", "n")]
    # Earlier documents alone make no pairs: earlier runs decided them.
    assert list(bucket_pairs(("k", old))) == []


def test_copies_of_one_text_are_chained_once_and_compared_through_the_first():
    from transforms.dedup.minhash import exact_key
    copies = [(f"c{i}", None, "same") for i in range(10)]
    other = ("x", None, "other")
    exact = exact_key("0123456789abcdef")
    # Their exact-text bucket: a chain, 9 pairs instead of 45.
    assert list(bucket_pairs((exact, copies))) == [(f"c{i}", f"c{i + 1}") for i in range(9)]
    # A bucket they share with another text: the first copy stands for all ten.
    assert list(bucket_pairs(("band", copies + [other]))) == [("c0", "x")]
    # Two texts whose 56-bit keys collide are not chained together.
    assert list(bucket_pairs((exact, [("a", None, "h1"), ("b", None, "h2")]))) == []
    # An earlier run's copy of the text is paired with the first new one only.
    assert list(bucket_pairs((exact, copies[:3] + [("K", "K", "same")]))) == [("c0", "c1"), ("c1", "c2"), ("K", "c0")]


def docs():
    """a and b are the same text (b published earlier); c is read twice from the same URL; d is unique."""
    def d(url, body, hours, **kw):
        doc = make_doc(text=body, url=url, published_at=T0 + timedelta(hours=hours), **kw)
        doc.date = (T0 + timedelta(hours=hours)).strftime("%Y-%m-%d")
        doc.content_hash = content_hash(body)
        return doc
    return [d("https://a.com/1", "Same story text.", 5), d("https://b.com/1", "same story TEXT", 1),
            d("https://c.com/1", "Story C", 2), d("https://c.com/1?utm_source=x", "Story C", 3),
            d("https://d.com/1", "Story D", 4)]


def wire_docs():
    def d(url, body, hours):
        doc = make_doc(text=body, url=url, published_at=T0 + timedelta(hours=hours))
        doc.date, doc.content_hash = "2024-01-01", content_hash(body)
        return doc
    return [d("https://wire.example/story", text(STORY), 1), d("https://paper.example/brief", text(STORY[:2]), 3),
            d("https://other.example/edited", text(["Plastic deal reached"] + STORY[1:]), 2),
            d("https://market.example/mon", MARKET, 1), d("https://market.example/tue", NEXT_DAY, 25)]


def run_dedup(p, items, out_dir, run_date=T0.date()):
    history = p | "H" >> ReadHistory(out_dir)
    signatures = p | "S" >> ReadSignatures(out_dir, run_date)
    return p | beam.Create(items) | Deduplicate(history, signatures)


def test_batch_exact_and_near_copies(tmp_path):
    with beam_pipeline() as p:
        out = run_dedup(p, docs() + wire_docs(), str(tmp_path / "none"))
        assert_that(out["articles"] | beam.Map(lambda d: (d.url, d.cluster_id == d.id)),
                    equal_to([("https://b.com/1", True), ("https://c.com/1", True), ("https://d.com/1", True),
                              ("https://wire.example/story", True), ("https://market.example/mon", True),
                              ("https://market.example/tue", True)]), label="kept")
        ids = {d.url: d.id for d in docs() + wire_docs()}
        assert_that(out["duplicates"] | beam.Map(lambda d: (d.url, d.duplicate_of, d.cluster_id)),
                    equal_to([("https://a.com/1", ids["https://b.com/1"], ids["https://b.com/1"]),
                              ("https://c.com/1?utm_source=x", ids["https://c.com/1"], ids["https://c.com/1"]),
                              ("https://paper.example/brief", ids["https://wire.example/story"],
                               ids["https://wire.example/story"]),
                              ("https://other.example/edited", ids["https://wire.example/story"],
                               ids["https://wire.example/story"])]), label="copies")


def test_across_runs_copies_link_to_history_and_written_articles_are_skipped(tmp_path):
    out_dir = str(tmp_path / "out")
    first = wire_docs()[:1]
    with beam_pipeline() as p:
        out = run_dedup(p, first, out_dir)
        _ = ({"articles": out["articles"], "duplicates": out["duplicates"], "signatures": out["signatures"],
              "rejects": p | "NoRejects" >> beam.Create([])} | WriteTables(out_dir, run_date=T0.date().isoformat()))
    second = wire_docs()[:3]  # the story again (written: skipped), a brief and an edited copy of it
    with beam_pipeline() as p:
        out = run_dedup(p, second, out_dir, run_date=T0.date() + timedelta(days=2))
        assert_that(out["articles"], equal_to([]), label="nothing_new_kept")
        kept = first[0].id
        assert_that(out["duplicates"] | beam.Map(lambda d: (d.url, d.duplicate_of)),
                    equal_to([("https://paper.example/brief", kept), ("https://other.example/edited", kept)]),
                    label="linked")
    # Past the history window, the signatures are no longer read.
    with beam_pipeline() as p:
        out = run_dedup(p, wire_docs()[1:2], out_dir, run_date=T0.date() + timedelta(days=30))
        assert_that(out["duplicates"], equal_to([]), label="expired")


def test_streaming_state_keeps_the_first_copy_links_later_ones_and_expires():
    from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
    from apache_beam.testing.test_pipeline import TestPipeline
    from apache_beam.testing.test_stream import TestStream
    from apache_beam.transforms.window import TimestampedValue
    from transforms.dedup.streaming import StreamingDeduplicate

    def doc(url, body, hours):
        d = make_doc(text=body, url=url, published_at=T0 + timedelta(hours=hours))
        d.date, d.content_hash = "2024-01-01", content_hash(body)
        return TimestampedValue(d, (T0 + timedelta(hours=hours)).timestamp())

    day = 3600 * 24
    stream = (TestStream()
              .add_elements([doc("https://wire.example/story", text(STORY), 0)])
              .advance_watermark_to(T0.timestamp() + 3600)
              .add_elements([doc("https://paper.example/brief", text(STORY[:2]), 2),
                             doc("https://market.example/mon", MARKET, 3)])
              .advance_watermark_to(T0.timestamp() + 6 * 3600)
              # Late data: an edited copy stamped before the watermark is still linked.
              .add_elements([doc("https://other.example/edited", text(["Plastic deal reached"] + STORY[1:]), 1),
                             doc("https://market.example/tue", NEXT_DAY, 27)])
              .advance_watermark_to(T0.timestamp() + 3 * day)
              # Past the two-day memory: a copy is a new story again.
              .add_elements([doc("https://late.example/again", text(STORY), 72)])
              .advance_watermark_to_infinity())
    options = PipelineOptions(streaming=True)
    options.view_as(StandardOptions).runner = "BundleBasedDirectRunner"
    with TestPipeline(options=options) as p:
        out = p | stream | StreamingDeduplicate(ttl=timedelta(days=2))
        wire = doc("https://wire.example/story", "x", 0).value.id
        assert_that(out["articles"] | beam.Map(lambda d: d.url),
                    equal_to(["https://wire.example/story", "https://market.example/mon",
                              "https://market.example/tue", "https://late.example/again"]), label="kept")
        assert_that(out["duplicates"] | beam.Map(lambda d: (d.url, d.duplicate_of, d.cluster_id)),
                    equal_to([("https://paper.example/brief", wire, wire),
                              ("https://other.example/edited", wire, wire)]), label="linked")
