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


def test_scripts_settle_cjk_languages():
    assert detect("人人有權享受平等保護，以免受違反本宣言的任何歧視行為")[0] == "zh"  # Korean's Hanja do not win
    assert detect("대통령은 월요일 국회에서 예산안을 발표했다")[0] == "ko"
    assert detect("ところがKindle for PCをインストールすると")[0] == "ja"  # Latin brand names inside Japanese


def test_close_languages_and_capitals():
    assert detect("Кожна людина має право на освіту і вільний розвиток")[0] == "uk"
    assert detect("Каждый человек имеет право на образование и свободу")[0] == "ru"
    assert detect("Všichni lidé rodí se svobodní a sobě rovní")[0] == "cs"
    assert detect("Všetci ľudia sa rodia slobodní a rovní")[0] == "sk"
    assert detect("El gobierno no ha dicho nada todavía sobre el acuerdo")[0] == "es"
    assert detect("O governo ainda não disse nada sobre o acordo")[0] == "pt"
    assert detect("De regering heeft nog niets gezegd over het akkoord")[0] == "nl"
    assert detect("Die regering het nog niks oor die ooreenkoms gesê nie")[0] == "af"
    assert detect("L'ASSEMBLEA GENERALE DELLE NAZIONI UNITE")[0] == "it"  # a headline in capitals


def test_short_foreign_paragraph_is_found():
    for foreign, lang in (("Isso é um absurdo total, disse ele.", "pt"),
                          ("Das Grundgesetz gestehe Meinungsfreiheit zu.", "de"),
                          ("Мы не собираемся уходить отсюда.", "ru")):
        text = EN + "\n\n" + foreign + "\n\n" + EN
        result = analyze(text)
        assert result["is_mixed"], foreign
        seg = [s for s in result["segments"] if s["lang"] == lang]
        assert len(seg) == 1 and text[seg[0]["start"]:seg[0]["end"]].strip() == foreign


def test_credits_tables_and_titles_are_not_foreign_content():
    lines = ["Photo: Pieter van den Berg/dpa", "(Reporting by Anne-Sophie Mutter; Editing by Jürgen Klopp)",
             "1. Olympique de Marseille 30 24 3 3 78:22 75\n2. Atlético de Madrid 30 21 5 4 66:30 68",
             "\u201cCien años de soledad\u201d", "Source: Hans-Joachim Müller, Reggio Emilia", "Fußball-Bundesliga",
             "AS - www.autoracing.com.br", "Watch: Wir sind die Neuen | Hans-Joachim Müller"]
    for line in lines:
        result = analyze(EN + "\n\n" + line + "\n\n" + EN)
        assert not result["is_mixed"], line


def test_offsets_hold_with_characters_outside_the_basic_plane():
    text = "🎉🎉 " + EN + "\n\n" + PT + " 🇧🇷\n\n" + EN
    result = analyze(text)
    pt = [s for s in result["segments"] if s["lang"] == "pt"]
    assert len(pt) == 1 and PT in text[pt[0]["start"]:pt[0]["end"]]
    assert result["segments"][-1]["end"] == len(text)


def test_short_text_without_letters_or_empty():
    assert analyze("") == {"language": "und", "confidence": 0.0, "languages": [], "segments": [], "is_mixed": False}
    result = analyze("2024-01-03 12:00")
    assert result["language"] == "und" and result["segments"] == [{"start": 0, "end": 16, "lang": "und"}]
