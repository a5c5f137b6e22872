"""Features of a text: word hashes, shingles, MinHash signatures and keys (transforms/dedup/minhash.py)."""
import numpy as np

from tests.transforms.dedup import STORY, f, text
from transforms.dedup.minhash import exact_key, shingle_sequence, signature, word_hashes
from transforms.utils.ids import content_hash


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
    again = np.unique(shingle_sequence(word_hashes(text(STORY) * 3)))  # computed anew, as another worker would
    assert np.array_equal(signature(a), signature(again)) and signature(a).dtype == signature(again).dtype


def test_word_hashes_from_many_threads_at_once_while_the_tables_grow():
    """--direct_running_mode=multi_threading runs DoFns in threads of one process: the shared power
    tables grow while other threads read them."""
    import threading

    from transforms.dedup import minhash
    texts = [" ".join(f"word{i}" for i in range(n)) for n in (5_000, 9_000, 14_000, 20_000)]
    expected = [minhash.word_hashes(t) for t in texts]
    for _ in range(5):
        minhash._powers = (minhash._powers[0][:0], minhash._powers[1][:0])
        errors, results = [], {}
        start = threading.Barrier(8)

        def work(k):
            try:
                start.wait()
                results[k] = minhash.word_hashes(texts[k % 4])
            except Exception as exc:  # noqa: BLE001 - the test reports any
                errors.append(exc)
        threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert all((results[k] == expected[k % 4]).all() for k in range(8))
