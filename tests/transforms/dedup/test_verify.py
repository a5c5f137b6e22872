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
