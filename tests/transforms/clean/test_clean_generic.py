"""Issue 23: classes of boilerplate that every publisher prints, in several languages — teaser lines
with their headline, prompts (newsletters, following, tips, paywalls), credits and notes (photo credits,
contributors, first published in, affiliate notes, reading time), datelines, the author's note at
the end — and the related heading whose links were not extracted. Each rule with prose beside it
that must stay."""
import pytest

from tests.conftest import make_doc
from tests.transforms.clean import STORY, joined
from transforms.clean import TEASER_MAX, boilerplate, clean, clean_text



def cleaned(line, authors=()):
    """The story with `line` in its middle, cleaned."""
    return clean_text(joined(STORY[:2] + [line] + STORY[2:]), list(authors)).text


@pytest.mark.parametrize("line", [
    "READ MORE: China plague outbreak confirmed: Two diagnosed with disease in Beijing",
    "Related: 7 Strange Signs You're Having an Allergic Reaction",
    "ALSO READ: Solar firm to boost clean energy uptake",
    "MORE : WIN Two tickets to see the band at the seaside",
    "Lesen Sie hier: Spielabbruch in der Kreisliga",
    "Les også: Tone Damli røper detaljer om frieriet",
    "Leggi anche | Il fiume esonda nella notte",
    "Czytaj więcej",
])
def test_a_teaser_line_goes_wherever_it_stands(line):
    assert cleaned(line) == joined(STORY)


@pytest.mark.parametrize("line", [
    "Read more: the council said the plan would be published before the end of the month.",  # a sentence
    "Related: " + "A" * (TEASER_MAX + 1),  # longer than a headline
    "Moreover: the bridge will stay closed",  # not the heading 'more'
])
def test_a_sentence_after_a_heading_word_is_not_a_teaser(line):
    assert cleaned(line) == joined(STORY[:2] + [line] + STORY[2:])


@pytest.mark.parametrize("line", [
    "Sign up for The Morning Brief today to get the free daily newsletter delivered to your inbox.",
    "For the latest news from across the globe, sign up for our newsletters.",
    "City Gazette Newsletter",
    "Jetzt den Newsletter der Stadtzeitung kostenlos abonnieren!",
    "Follow The Gazette on Twitter and Instagram @Gazette and on Facebook.",
    "Follow AP's full coverage of the election at https://apnews.com/election",
    "Síguenos en Telegram, Instagram, Facebook y Twitter",
    "Got a story? Get in touch with our news team by emailing us at news@example.com.",
    "To view the full story, please subscribe to The Gazette.",
    "If you're seeing this message but you're already a subscriber, you can log in.",
    "If you enjoyed this article, we have a proposition for you: join our members.",
    "Hat Ihnen dieser Artikel gefallen? Dann unterstützen Sie uns bitte mit einer Spende.",
    "Il vous reste 57.09% de cet article à lire. La suite est réservée aux abonnés.",
    "Tell us what YOU think...",
])
def test_prompts_to_the_reader_go(line):
    assert cleaned(line) == joined(STORY)


@pytest.mark.parametrize("line", [
    "Crédits photos : Bestimage",
    "Fot. Jan Kowalski / Agencja",
    "Image illustrative : Lego figures by a photographer, Creative Commons",
    "Fotos: Berliner Feuerwehr",
    "Associated Press writers Alan Fram and Zeke Miller contributed to this report.",
    "Dieser Artikel ist zuerst bei \"Capital\" erschienen.",
    "This article originally appeared on The Conversation.",
    "Reviews are independent. The publisher may earn an affiliate commission from purchases made through links.",
    "*Werbung. Dieser Beitrag enthält Werbung für eine Marke.",
    "Tempo de leitura: 2 minutos",
    "Lesezeit: 4 Min.",
    "reporter@example.com",
    "<Copyright ⓒ Daily Times. All rights reserved.>",
])
def test_credits_and_notes_go(line):
    assert cleaned(line) == joined(STORY)


@pytest.mark.parametrize("line", [
    "Stand: 22.04.2024, 06:00 Uhr",
    "Updated at 1:23 p.m.",
    "Uppdaterad 15.59 | Publicerad 14.14",
    "Letzte Änderung 14.02.2019",
    "Veröffentlicht am 06.12.2022",
    "Mis à jour le 3 mars 2021 à 10h15",
])
def test_a_dateline_goes(line):
    assert cleaned(line) == joined(STORY)


@pytest.mark.parametrize("line", [
    "Termin: 29.02.2020, 19 Uhr",  # a date in the story, with no published/updated label
    "4:14 p.m.",  # a time heading of a live story
    "— Jane Roe (@janeroe) May 2, 2020",  # an embedded post's signature
    "Updated figures show that 1,200 homes were flooded by 10.30 on Tuesday morning, the council said.",
    "Published in 1998, the report warned of floods on the quay.",  # a label word, then prose
])
def test_dates_in_the_story_stay(line):
    assert cleaned(line) == joined(STORY[:2] + [line] + STORY[2:])


@pytest.mark.parametrize("line", [
    "An advertisement in the paper said the newsletter of the club would be sent to members.",
    "Readers who follow the council on Facebook were told of the flood at midnight.",
    "She contributed to the report on the floods that the council published in 2019 and then left.",
    "The photo: a street under water, shared thousands of times.",  # a credit opens with 'photo:'
])
def test_prose_that_names_the_same_things_stays(line):
    assert cleaned(line) == joined(STORY[:2] + [line] + STORY[2:])


def test_table_bars_do_not_hide_a_rule():
    assert cleaned("| Kommentare insgesamt: 0 | |") == joined(STORY)
    assert cleaned("| Stand: 22.04.2024, 06:00 Uhr |") == joined(STORY)


def test_a_related_heading_whose_links_were_left_out_goes_alone():
    """Past the middle, 'Leggi anche' followed straight by a long paragraph: the story goes on."""
    paragraph = ("Tornando al remake, il titolo provvisorio è ancora incerto e la prima stagione dovrebbe "
                 "essere di dodici episodi, che conterranno il periodo della guerra galattica, dicono.")
    assert len(paragraph) > TEASER_MAX
    assert clean_text(joined(STORY * 2 + ["Leggi anche", paragraph])).text == joined(STORY * 2 + [paragraph])
    # a headline after the heading: a related block at the end, as before
    assert clean_text(joined(STORY * 2 + ["Leggi anche", "Il fiume esonda", paragraph])).text == joined(STORY * 2)
    # an author's box is not a related heading: what follows it goes
    assert clean_text(joined(STORY * 2 + ["About the author", paragraph])).text == joined(STORY * 2)


def test_the_authors_note_at_the_end_goes():
    note = "Jane Roe is a reporter at the Gazette, where she covers the environment and the river."
    text = joined(STORY + [note])
    assert clean(make_doc(text=text, authors=["Jane Roe"])).text == joined(STORY)
    assert clean_text(text, ["Jane Roe"]).text == joined(STORY)
    assert clean_text(text).text == text  # no author known
    assert clean_text(text, ["Roe"]).text == text  # one word is not a full name
    # found by the byline too
    assert clean_text(joined(["By Jane Roe"] + STORY + [note])).text == joined(STORY)
    # earlier in the text, the author is quoted or named: the paragraph stays
    early = joined(STORY[:1] + [note] + STORY[1:])
    assert clean_text(early, ["Jane Roe"]).text == early
    # the name further into the paragraph: prose that mentions her
    late = "The mayor thanked the volunteers and Jane Roe for the photographs of the flood."
    assert clean_text(joined(STORY + [late]), ["Jane Roe"]).text == joined(STORY + [late])
    # a short text keeps its paragraphs
    short = joined(STORY[:2] + [note])
    assert clean_text(short, ["Jane Roe"]).text == short


def test_floating_line_rules_and_strip_rules_name_a_word_they_need():
    """A line rule that opens with any text is tried only on a line holding one of LINE_NEEDS: each
    must hold one, or it would silently never match."""
    for _, _, scope, pattern in boilerplate.rules():
        if scope == "line" and pattern.startswith("."):
            assert any(word in pattern for word in boilerplate.LINE_NEEDS), pattern
        if scope == "strip":
            assert any(need in pattern for need in boilerplate.STRIP_NEEDS), pattern
