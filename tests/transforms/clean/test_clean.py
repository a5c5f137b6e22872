from transforms.clean import byline_authors, clean, clean_text, split_names
from tests.conftest import make_doc

PROSE = ["The council met on Monday to discuss the budget for the coming year and the new school.",
         "Members agreed to spend more on roads, parks and libraries after a long and heated debate.",
         "The mayor said the plan would be published in full before the end of the month."]


def body(*extra, lead=PROSE):
    return "\n\n".join(list(lead) + list(extra))


def test_trailing_related_block_goes_with_its_headlines():
    c = clean_text(body("More Stories", "Striker signs for city club", "Storm warning lifted"))
    assert c.text == body() and c.removed_chars > 40


def test_comment_form_and_author_box_and_source_link():
    text = body("Source link", "About John", "Check Also", "Another story teaser",
                "Leave a Reply", "Your email address will not be published.")
    assert clean_text(text).text == body()


def test_line_rules_anywhere():
    text = "\n\n".join([PROSE[0], "ADVERTISEMENT", "Share this articleComments", PROSE[1],
                        "Share this articleClose Button", PROSE[2]])
    assert clean_text(text).text == body()


def test_prose_mentioning_ads_and_comments_stays():
    prose = ["An advertisement placed in the local paper brought in hundreds of replies from readers.",
             "Comments from residents were mostly positive, the council said in a statement.",
             "Related discussions will continue next week when the committee meets again in public."]
    assert clean_text("\n\n".join(prose)).text == "\n\n".join(prose)


def test_early_heading_takes_only_its_teasers():
    text = body(lead=["Read more", "Teaser headline one", "Teaser two"] + PROSE)
    assert clean_text(text).text == body()


def test_other_languages():
    de = ["Der Stadtrat hat am Montag den Haushalt für das kommende Jahr beschlossen und viel diskutiert.",
          "Die Mitglieder stimmten mit großer Mehrheit für mehr Geld für Straßen und Schulen im Landkreis."]
    assert clean_text("\n\n".join(de + ["Anzeige", "Mehr zum Thema", "Andere Geschichte"])).text == "\n\n".join(de)
    ru = ["Городской совет в понедельник утвердил бюджет на следующий год после долгих обсуждений.",
          "Депутаты согласились выделить больше денег на дороги, парки и библиотеки города."]
    assert clean_text("\n\n".join(ru + ["Читайте также:", "Другая новость"])).text == "\n\n".join(ru)


def test_repeated_caption_and_copyright_lines():
    caption = "Protesters gather outside the consulate in Istanbul, Turkey, Thursday, Feb. 24, 2022."
    text = "\n".join(["Headline here", "", caption,
                      caption + " Copyright Jane Roe/Copyright 2022 The Associated Press. All rights reserved",
                      "Copyright\u00a0Jane Roe/Copyright 2022 The Associated Press. All rights reserved",
                      "By\u00a0Naira DavlashyanOrlando Crowcroft", "", PROSE[0], PROSE[1]])
    c = clean_text(text)
    assert c.text == "Headline here\n\n" + PROSE[0] + "\n" + PROSE[1]
    assert c.authors == ["Naira Davlashyan", "Orlando Crowcroft"]


def test_bylines():
    assert byline_authors("By Jane Doe and John Smith") == ["Jane Doe", "John Smith"]
    assert byline_authors("By the end of the week, prices rose.") is None
    assert split_names("Ronald McDonald, Ann DeVries") == ["Ronald McDonald", "Ann DeVries"]


def test_clean_sets_hash_and_rejects_boilerplate_only():
    import pytest
    from transforms.utils.stage import Rejected
    doc = clean(make_doc(text=body("ADVERTISEMENT")))
    assert doc.content_hash and doc.boilerplate_removed_chars == len("ADVERTISEMENT")
    with pytest.raises(Rejected) as e:
        clean(make_doc(text="ADVERTISEMENT\n\nShare this article"))
    assert e.value.reason == "empty_after_clean"


def test_a_related_block_inside_the_article_takes_only_its_teasers():
    from transforms.clean import clean_text
    story = ("The council met on Monday to discuss the budget for the coming year, and members agreed after a long "
             "debate to spend more on roads, parks and libraries across the district over the next three years.")
    later = ("After the vote the mayor said the plan would be reviewed in the spring, when the first figures on "
             "spending are due, and that residents would be asked for their views at a series of public meetings.")
    text = "\n\n".join([story, story.replace("Monday", "Tuesday"), "DON'T MISS",
                        "Mayor under fire over parking fees [INSIGHT]", "Five parks to visit this summer [VIDEO]",
                        "Residents said they had waited years for the repairs to begin.", later])
    out = clean_text(text).text
    assert "DON'T MISS" not in out and "[INSIGHT]" not in out and "[VIDEO]" not in out
    assert out.endswith(later)
    # The same heading at the end, with teasers only after it, still cuts the tail.
    tail = clean_text("\n\n".join([story, later, "More Stories", "Storm hits coast", "Team wins cup"])).text
    assert tail == "\n\n".join([story, later])


def test_words_that_begin_like_a_tag_list_are_prose():
    from transforms.clean import clean_text
    text = ("The council met on Monday to discuss the budget.\n\nIt was a long meeting.\n\n"
            "Tagline, colours and fonts were chosen by the team.\n\nThemen wie Verkehr und Schulen blieben offen.")
    assert clean_text(text).text == text
    assert clean_text(text + "\n\nTags: budget, council, roads").text == text


def test_share_prompts_site_teasers_and_dated_copyright_lines_go():
    from transforms.clean import clean_text
    text = ("The council met on Monday.\n\nLike this story? Share it with a friend!\n\n"
            "Also on rt.com Journalists threatened with arrest\n\ncopyright Inexhibit 2019 - ISSN: 2283-5474\n\n"
            "Copyright holders have long argued that the rules are unfair to them.\n\nI also like this story? No.")
    assert clean_text(text).text == ("The council met on Monday.\n\nCopyright holders have long argued that the "
                                     "rules are unfair to them.\n\nI also like this story? No.")


def test_metadata_leaves_as_plain_text():
    from tests.conftest import make_doc
    doc = make_doc(text="A sentence long enough to be an article about the harbour bridge reopening today.",
                   title="<b>Bridge</b>\x07 reopens", authors=["<i>Ann Lee</i>", "\x00"], site_name="Post\n",
                   description="<script>alert(1)</script>Short")
    out = clean(doc)
    assert (out.title, out.authors, out.site_name, out.description) == (
        "Bridge reopens", ["Ann Lee"], "Post", "alert(1) Short")


SENTENCE = ("The council voted on Tuesday to rebuild the harbour wall before the winter storms, after a long "
            "debate about the cost and about who should pay for the repairs to the old quay.")


def story(n: int) -> list[str]:
    return [f"{SENTENCE} This is paragraph {k} of the story." for k in range(1, n + 1)]


def test_a_tail_heading_early_in_the_text_takes_only_its_own_line():
    """A tag line a fifth of the way in is not the start of the page's tail: the story goes on."""
    lines = story(1) + ["Tags: harbour, council, storms"] + story(4)[1:]
    out = clean_text("\n\n".join(lines)).text
    assert "Tags:" not in out and all(f"paragraph {k} of" in out for k in range(1, 5))


def test_a_tail_heading_past_the_middle_takes_everything_after_it():
    """Past the middle of the text a trailing block starts: headlines and sentences after it go."""
    lines = story(4) + ["Leave a Reply", "Your email address will not be published.", SENTENCE + " Comment text."]
    out = clean_text("\n\n".join(lines)).text
    assert out == "\n\n".join(story(4))


def test_each_trailing_block_is_recognised_on_its_own():
    """The comment form and the related-stories list, each alone at the end of a story."""
    for heading, after in (("Leave a reply", ["Name", "Email", "Website", "Post Comment"]),
                           ("Related articles", ["Ferry service resumes after storm", "New bridge opens in May"])):
        out = clean_text("\n\n".join(story(3) + [heading] + after)).text
        assert out == "\n\n".join(story(3)), heading


def test_a_credit_or_copyright_notice_alone_on_its_line_goes():
    """What is cut from the end of a caption is page furniture on a line of its own too, also where
    no line rule has its form."""
    for notice in ("(Photo: Jane Roe/AP)", "Image: John Smith/Reuters",
                   "Copyright Jane Roe for The Evening Post, distributed by the Wire Agency to its members and "
                   "partners; no reuse without written permission. All rights reserved"):
        c = clean_text("\n".join([PROSE[0], notice, PROSE[1]]))
        assert (c.text, c.removed_chars) == ("\n".join(PROSE[:2]), len(notice)), notice
