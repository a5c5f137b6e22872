"""Where the clean rules draw their lines (transforms/clean/__init__.py): bylines, teasers, the
story going on after a related block, repeated captions, line endings, and what a reject says."""
import pytest

from tests.conftest import make_doc
from tests.transforms.clean import STORY, joined
from transforms.clean import TAIL_FROM, TEASER_MAX, byline_authors, clean, clean_text, split_names
from transforms.utils.stage import Rejected



def test_a_byline_gives_the_authors_only_when_it_reads_as_names():
    assert byline_authors("By Xavier Dupont and Ann Lee,") == ["Xavier Dupont", "Ann Lee"]
    assert byline_authors("By Jove, It Works!") is None  # a sentence, not a byline
    assert byline_authors("By staff reporters") is None  # not names
    twelve = "By " + ", ".join(["Ann Lee", "Bo Chan", "Cy Diaz", "Di Ng", "Ed Fox", "Flo Grant"])
    assert len(twelve.split()) - 1 == 12 and len(byline_authors(twelve)) == 6
    assert byline_authors(twelve + " Roe") is None  # thirteen words: a sentence, whatever its case


def test_split_names_keeps_names_of_up_to_five_words():
    assert split_names("Juan Carlos Garcia Lopez Ortega") == ["Juan Carlos Garcia Lopez Ortega"]
    assert split_names("Juan Carlos Garcia Lopez Ortega Ruiz") == []
    assert split_names("Xi Ling, Xavier Roe.") == ["Xi Ling", "Xavier Roe"]


def test_metadata_authors_win_over_a_byline_and_a_byline_fills_in_when_there_are_none():
    text = joined(["By Ann Lee"] + STORY)
    from_page = clean(make_doc(text=text, authors=[]))
    assert from_page.authors == ["Ann Lee"] and from_page.text == joined(STORY)
    from_metadata = clean(make_doc(text=text, authors=["Bo Chan"]))
    assert from_metadata.authors == ["Bo Chan"] and from_metadata.text == joined(STORY)
    assert clean(make_doc(text=joined(STORY), authors=[])).authors == []
    assert clean_text(joined(STORY)).authors == []


def test_a_text_of_nothing_but_boilerplate_is_rejected_saying_so():
    with pytest.raises(Rejected) as e:
        clean(make_doc(text="Share this article\nAdvertisement"))
    assert (e.value.reason, e.value.detail) == ("empty_after_clean", "nothing but boilerplate in the text")


def test_windows_and_old_mac_line_endings_are_lines():
    for newline in ("\r\n", "\r"):
        text = newline.join([STORY[0], "Advertisement", STORY[1]])
        assert clean_text(text).text == joined(STORY[:2]), repr(newline)


def test_a_teaser_is_a_headline_of_up_to_160_characters():
    """After a heading early in the text, the headlines that follow it go; a longer line is the
    story again."""
    at_limit, over = "T" * TEASER_MAX, "T" * (TEASER_MAX + 1)
    assert clean_text(joined(["Read more", at_limit] + STORY)).text == joined(STORY)
    assert clean_text(joined(["Read more", over] + STORY)).text == joined([over] + STORY)


def test_a_related_block_late_in_the_story_takes_its_teasers_and_the_story_goes_on():
    """'Don't miss' with three long teasers past the middle, then more paragraphs of the story:
    only the heading and the teasers go."""
    teasers = ["Flood defences along the northern bank to be raised by a metre before next winter at a cost",
               "Residents of the lower town ask the council for help with insurance claims after the third flood",
               "The old stone bridge that has stood since 1820 will be inspected by engineers next week"]
    text = joined(STORY[:3] + ["Don't miss"] + teasers + STORY[3:] + STORY[:1])
    assert clean_text(text).text == joined(STORY[:3] + STORY[3:] + STORY[:1])


def test_a_related_block_late_in_the_story_followed_by_headlines_takes_the_rest():
    """Two sentences among a list of other stories are not the story going on."""
    headlines = [f"Council to review the town's flood plan after the {n} storm of the season" for n in
                 ("first", "second", "third", "fourth", "fifth", "sixth")]
    text = joined(STORY * 3 + ["Don't miss", headlines[0], STORY[0], STORY[1]] + headlines[1:])
    assert clean_text(text).text == joined(STORY * 3)


def test_one_sentence_after_a_late_related_block_is_not_the_story_going_on():
    text = joined(STORY + ["Don't miss", "A teaser about the flood", STORY[1] + " " + STORY[2]])
    assert clean_text(text).text == joined(STORY)


def test_the_story_goes_on_when_sentences_are_at_least_half_of_what_follows():
    """Past the middle, after 'Don't miss' and its teaser: sentences of 60 characters or more,
    at least half of what follows in characters, mean the story goes on."""
    story = ["S" * 400 + "."]
    block = ["Don't miss", "Short teaser"]
    sentences = ["A" * 59 + ".", "B" * 59 + "."]
    half = [sentences[0], "H" * 120, sentences[1]]  # 120 of 240 characters
    assert clean_text(joined(story + block + half)).text == joined(story + half)
    for rest in (["A" * 58 + ".", "B" * 58 + ".", "H" * 20],  # 59 characters: too short to be a paragraph
                 ["Yes.", "No.", "H" * 170],  # lines that end like sentences but are not paragraphs
                 ["H" * 170, "H" * 170]):  # long lines that do not end like sentences
        assert clean_text(joined(story + block + rest)).text == joined(story), rest


def test_a_comment_heading_late_in_the_story_takes_the_comments_even_when_they_are_sentences():
    comments = ["I have lived on the quay for thirty years and never seen the water this high before.",
                "The council was warned about the drains last spring and did nothing about them at all."]
    text = joined(STORY + ["Leave a Reply"] + comments)
    assert clean_text(text).text == joined(STORY)


def test_a_heading_exactly_at_the_middle_cuts_the_rest():
    assert TAIL_FROM == 0.5
    lead, rest = "L" * 88 + ".", ["More stories", "T" * 76 + "."]  # 89 characters before, 89 from the heading on
    text = joined([lead] + rest)
    assert clean_text(text).text == lead
    # one character short of the middle: early, so only the heading goes
    lead, rest = "L" * 87 + ".", ["More stories", "T" * 77 + "."]
    assert clean_text(joined([lead] + rest)).text == joined([lead, rest[1]])


def test_captions_printed_twice_within_three_lines_go_and_short_repeats_stay():
    caption = "Water in the market square on Tuesday"  # a caption (alt text, then caption)
    assert clean_text(joined([STORY[0], caption, STORY[1], STORY[2], caption, STORY[3]])).text == joined(STORY)
    far = joined([STORY[0], caption, STORY[1], STORY[2], STORY[3], caption])
    assert clean_text(far).text == far  # four lines apart: two mentions, not a repeat
    at_limit = "W" * 25
    assert clean_text(joined([STORY[0], at_limit, at_limit, STORY[1]])).text == joined(STORY[:2])
    short = "Final score: 2-1"  # short repeats (table rows, scores) are left to the line rules
    assert clean_text(joined([STORY[0], short, short, STORY[1]])).text == joined([STORY[0], short, short, STORY[1]])


def test_a_copyright_notice_after_a_caption_goes_and_is_counted():
    notice = " © 2024 The Evening Post. All rights reserved."
    cleaned = clean_text(joined([STORY[0], "Flooded streets" + notice, STORY[1]]))
    assert cleaned.text == joined([STORY[0], "Flooded streets", STORY[1]]) and cleaned.removed_chars == len(notice)
    cleaned = clean_text(joined([STORY[0], "A" + notice, STORY[1]]))
    assert cleaned.text == joined([STORY[0], "A", STORY[1]]) and cleaned.removed_chars == len(notice)
    cleaned = clean_text(joined(["Flooded streets" + notice, STORY[0], "The quay" + notice, STORY[1]]))
    assert cleaned.text == joined(["Flooded streets", STORY[0], "The quay", STORY[1]])
    assert cleaned.removed_chars == 2 * len(notice)
    # a line that is only the notice goes as a line, leaving no gap
    cleaned = clean_text(joined([STORY[0], notice.strip(), STORY[1]]))
    assert cleaned.text == joined(STORY[:2]) and cleaned.removed_chars == len(notice.strip())
