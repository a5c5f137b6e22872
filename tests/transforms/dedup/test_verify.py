"""Is B a copy of A? (transforms/dedup/verify.py)"""
from tests.transforms.dedup import MARKET, NEXT_DAY, STORY, f, text
from transforms.dedup.verify import containment, is_copy


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


# A long report in plain words (no mid-sentence capitals: no names) with three figures in it.
REPORT = ("the water board said on monday that the level of the northern reservoir had fallen to {a} percent "
          "of its capacity after a dry spring, and that the pumps at the eastern station would run for {b} "
          "more hours each day until the rain returns. the board asked every household to use less water in "
          "the garden, to fix dripping taps and to take short showers, and said the restrictions would be "
          "reviewed at the end of the month when the next readings come in from the hills. farmers in the "
          "valley have been allowed to draw water at night only, and the board expects to save about {c} "
          "litres a week in this way, which should carry the town through the summer without cuts.")


def guarded_pair(monkeypatch, a: str, b: str, guard: str, off: float):
    """The verdict on (a, b), then the verdict with one guard turned off (set to `off`)."""
    from transforms.dedup import verify
    fa, fb = f("a", a), f("b", b)
    before = verify.is_copy(fa, fb)
    monkeypatch.setattr(verify, guard, off)
    return before, verify.is_copy(fa, fb)


def test_a_next_edition_is_kept_apart_by_its_numbers_alone(monkeypatch):
    from transforms.dedup.verify import MIN_CONTAINMENT, containment
    a, b = REPORT.format(a=41, b=6, c="900,000"), REPORT.format(a=38, b=8, c="750,000")
    fa, fb = f("a", a), f("b", b)
    assert containment(fa.shingles, fb.shingles) >= MIN_CONTAINMENT and not fa.names and not fb.names
    assert guarded_pair(monkeypatch, a, b, "MIN_NUMBER_OVERLAP", 0.0) == (False, True)


def test_a_third_of_the_figures_in_common_is_still_another_edition(monkeypatch):
    a, b = REPORT.format(a=41, b=6, c="900,000"), REPORT.format(a=41, b=8, c="750,000")
    assert guarded_pair(monkeypatch, a, b, "MIN_NUMBER_OVERLAP", 0.3) == (False, True)


def test_the_same_report_about_other_people_is_kept_apart_by_its_names_alone(monkeypatch):
    story = ("officials said on monday that {p} and {q} had signed the agreement in the old town hall, after "
             "talks that lasted most of the night. " + REPORT.format(a=41, b=6, c="900,000") +
             " the chair thanked {r} and {s} for their work on the text.")
    a = story.format(p="Amara Osei", q="Lena Berg", r="Tomas Ruiz", s="Ines Costa")
    b = story.format(p="Kofi Mensah", q="Sara Lund", r="Pedro Alves", s="Maria Sousa")
    assert len(f("a", a).names) >= 2 and f("a", a).numbers == f("b", b).numbers
    assert guarded_pair(monkeypatch, a, b, "MIN_NAME_OVERLAP", 0.0) == (False, True)


def test_two_short_texts_sharing_a_sentence_are_not_copies(monkeypatch):
    a = "the storm closed the coast road on monday and the ferry did not sail. schools stayed open."
    b = "the storm closed the coast road on monday and the ferry did not sail. the market was cancelled."
    assert guarded_pair(monkeypatch, a, b, "MIN_SHINGLES", 0) == (False, True)


def test_a_copy_with_its_own_intro_and_ending_is_a_copy():
    """Containment between 0.6 and 0.85: a copy given a local intro and ending, as papers do."""
    from transforms.dedup.verify import containment, is_copy
    intro = ("Port officials welcomed the news on the day, saying the terminals of the city handle a large share "
             "of the plastic scrap that leaves the region each year and had asked for clear rules for a long time.")
    ending = ("Local recyclers said they would need new software to read the records, and the harbour authority "
              "plans to hold information sessions for shipping agents next month.")
    fa, fb = f("a", text(STORY)), f("b", text([intro] + STORY[:4] + [ending]))
    assert 0.6 <= containment(fa.shingles, fb.shingles) < 0.85
    assert is_copy(fa, fb)


def _features(name, shingles, numbers=(), names=()):
    import numpy as np

    from transforms.dedup.minhash import Features
    return Features(id=name, shingles=np.array(sorted(shingles), dtype=np.uint32), numbers=list(numbers),
                    content_hash=name, names=list(names))


def test_containment_is_the_shorter_texts_share_found_in_the_longer():
    import numpy as np
    empty = np.array([], dtype=np.uint32)
    one = np.array([7], dtype=np.uint32)
    assert containment(empty, one) == containment(one, empty) == 0.0  # nothing to compare is no evidence
    assert containment(one, np.array([3, 7, 9], dtype=np.uint32)) == 1.0
    assert containment(np.arange(10, dtype=np.uint32), np.arange(5, 25, dtype=np.uint32)) == 0.5
    assert containment(np.arange(10, dtype=np.uint32), np.arange(5, 15, dtype=np.uint32)) == 0.5  # same size


def test_the_thresholds_are_inclusive_at_their_documented_values():
    """At least 30 shingles each, at least 60% of the shorter text's shingles in the longer."""
    from transforms.dedup.verify import MIN_CONTAINMENT, MIN_SHINGLES
    assert (MIN_SHINGLES, MIN_CONTAINMENT) == (30, 0.60)
    short = _features("a", range(30))
    assert is_copy(short, _features("b", range(12, 42)))  # 18 of 30: exactly 60%
    assert not is_copy(short, _features("b", range(13, 43)))  # 17 of 30
    assert not is_copy(_features("a", range(29)), _features("b", range(29)))  # too short to judge, not equal


def test_facts_are_judged_only_when_both_texts_have_enough_of_them():
    """A text with no figures is not a different edition of one with figures: the number guard
    needs at least one number on each side, the name guard two names on each."""
    from transforms.dedup.verify import overlap
    assert overlap([], ["12", "40"], 1) is None and overlap(["12", "40"], [], 1) is None
    assert overlap(["12"], ["12", "40"], 1) == overlap(["12", "40"], ["40"], 1) == 1.0
    assert overlap(["Ada"], ["Ada", "Lin"], 2) is None and overlap(["Ada", "Lin"], ["Ada"], 2) is None
    assert overlap(["Ada", "Lin"], ["Ada", "Kim"], 2) == 0.5
    same = range(40)
    assert is_copy(_features("a", same), _features("b", same, numbers=["12", "40"], names=["Ada", "Lin"]))
    assert not is_copy(_features("a", same, numbers=["11"]), _features("b", same, numbers=["12", "40"]))
