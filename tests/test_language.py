from transforms.language import analyze, detect

EN = ("The council met on Monday to discuss the budget for the coming year. Members agreed to spend "
      "more on roads, parks and libraries after a long debate that lasted well into the evening.")
PT = ("O Centro de Operações da cidade foi inaugurado nesta quinta-feira com a presença do prefeito, "
      "que prometeu mais investimentos em transporte público e saúde para os próximos anos.")


def test_detect_common_languages():
    assert detect(EN)[0] == "en" and detect(EN)[1] > 0.9
    assert detect(PT)[0] == "pt"
    assert detect("Der Stadtrat hat am Montag den Haushalt für das kommende Jahr beschlossen.")[0] == "de"
    assert detect("市议会周一通过了明年的预算，议员们同意在道路和公园上花更多的钱。")[0] == "zh"


def test_too_little_signal_is_und():
    assert detect("") == ("und", 0.0)
    assert detect("12345 67.89 https://example.com/a/b @handle #tag") == ("und", 0.0)


def test_deterministic():
    short = "Ok bien merci"
    assert len({detect(short) for _ in range(20)}) == 1


def test_mixed_document_has_a_foreign_segment_with_its_span():
    text = EN + "\n\n" + PT + "\n\n" + EN
    result = analyze(text)
    assert result["language"] == "en" and result["is_mixed"]
    pt = [s for s in result["segments"] if s["lang"] == "pt"]
    assert len(pt) == 1 and PT in text[pt[0]["start"]:pt[0]["end"]]
    assert result["segments"][0]["start"] == 0 and result["segments"][-1]["end"] == len(text)
    assert all(a["end"] == b["start"] for a, b in zip(result["segments"], result["segments"][1:]))
    assert {x["lang"] for x in result["languages"]} == {"en", "pt"}


def test_names_credits_and_short_lines_do_not_make_a_document_mixed():
    text = "\n\n".join([EN, "Da @sputnik_brasil pic.twitter.com/fqWO — A Voz do Cerrado (@avoz) February 24, 2022",
                        "Fußball-Bundesliga", EN])
    result = analyze(text)
    assert not result["is_mixed"] and result["languages"] == [{"lang": "en", "share": 1.0}]
