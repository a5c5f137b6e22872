"""The vectorised language model (transforms/language/model.py) against langdetect's own."""


def test_ngrams_are_langdetects_own():
    """The vectorised extraction finds exactly the known n-grams langdetect's NGram finds."""
    from collections import Counter

    from langdetect import detector_factory
    from langdetect.utils.ngram import NGram

    from transforms.language.model import model

    text = "Der Präsident sagte: NATO und EU-Staaten helfen, der NATOs Plan. Ça va? PCの東京の天気は晴れ。"
    detector_factory.init_factory()
    known = detector_factory._factory.word_lang_prob_map
    expected, ngram = Counter(), NGram()
    for ch in " ".join(text.split()):
        ngram.add_char(ch)
        if ngram.capitalword:
            continue
        for n in (1, 2, 3):
            w = ngram.get(n)
            if w and w in known:
                expected[w] += 1
    m = model()
    _, rows, _ = m.rows(m.code_points(text))
    words = {i: w for w, i in ((w, int(m.lookup(_key(w))[0])) for w in known) if i >= 0}
    got = Counter(words[int(r)] for r in rows)
    # langdetect never closes the last word with a space; the vectorised pass does.
    assert got - expected == Counter({"あ。 ": 1, "。 ": 1})  # 'れ' is normalised to 'あ', as in the profiles
    assert expected - got == Counter()


def _key(word):
    import numpy as np

    from transforms.language.model import _pack
    codes = np.array([[ord(c) for c in word] + [0] * (3 - len(word))], dtype=np.int64)
    return _pack(codes[:, :len(word)], len(word))
