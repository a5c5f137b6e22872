import pytest

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


# Controls from text no rule was written on (issue 21). The control tests above are in-sample:
# their lines come from the same templates as the benchmark's tuning controls
# (bench/language_corpus.py, CONTROL_LINES and its name lists). These articles are composed for
# the tests, in the manner of real news pages and with the boilerplate real pages carry: photo
# credits in archive formats (Library of Congress, Bundesarchiv, Gallica), bylines, subheadings,
# result tables with real historic clubs and riders, quoted titles and tag lines. The events are
# historic (the 1888-89 Football League, the 1903 German final, the 1903 Tour de France, the
# first Spanish league of 1929); the writers' names are invented. Nothing here comes from the
# benchmark's sets or templates.
REAL_ARTICLES = {
    "en": [
        ("Preston North End became the first champions of the Football League in the spring of 1889 "
         "without losing a single one of their twenty-two matches, and a few weeks later they won the "
         "FA Cup without conceding a goal."),
        "Illustration: The Graphic, 1889. Library of Congress, Prints and Photographs Division",
        ("The club's players were soon known as the Invincibles. Several of them were Scots, recruited "
         "from Glasgow and Edinburgh at a time when many in the game still regarded professionals with "
         "suspicion."),
        "A season without defeat",
        ("Their manager, William Sudell, ran a cotton mill by day and the club in the evenings. He paid "
         "his players out of the gate money, found them work in the town and kept the accounts himself."),
        ("Football League 1888-89\n1. Preston North End 22 18 4 0 74:15 40\n"
         "2. Aston Villa 22 12 5 5 61:43 29\n3. Wolverhampton Wanderers 22 12 4 6 51:37 28"),
        ("Visitors from the Netherlands and Spain still ask to see Deepdale, and a supporters' newsletter "
         "abroad calls the team \u201cDe Onoverwinnelijken\u201d."),
        "By Siobhán Ní Bhriain and Tomasz Żółkiewski",
        "Topics: Football, Preston North End, Deepdale, History",
    ],
    "de": [
        ("Am 31. Mai 1903 trafen sich auf dem Exerzierplatz in Altona zwei Mannschaften, die außerhalb "
         "ihrer Heimatstädte kaum jemand kannte, zum ersten Endspiel um die deutsche Meisterschaft."),
        "Foto: Bundesarchiv, Bild 102 / Georg Pahl",
        ("Der VfB Leipzig gewann gegen den Deutschen Fußball-Club Prag mit 7:2. Rund zweitausend "
         "Zuschauer sahen ein Spiel, das mit Verspätung angepfiffen wurde, weil zunächst kein "
         "brauchbarer Ball zu finden war."),
        "Ein Spiel ohne Ball",
        ("Die Prager Mannschaft bestand fast nur aus Studenten und hatte sich erst am Vortag auf die "
         "lange Bahnreise nach Hamburg gemacht. Über das Ergebnis berichteten am nächsten Morgen auch "
         "die Londoner \u201eTimes\u201c und der Pariser \u201eFigaro\u201c."),
        "Endspiel 1903: VfB Leipzig \u2013 DFC Prag 7:2",
        ("Deutsche Meister: 1903 VfB Leipzig, 1904 nicht ausgetragen, 1905 Union 92 Berlin, "
         "1906 VfB Leipzig, 1907 Freiburger FC"),
        "Von Małgorzata Wiśniewska und Jean-Luc Fournier",
        "Schlagworte: Fußball, VfB Leipzig, DFC Prag, Altona, Geschichte",
    ],
    "fr": [
        ("Le 1er juillet 1903, soixante coureurs quittaient le café Au Réveil-Matin, à Montgeron, pour "
         "le premier Tour de France, une course imaginée par Henri Desgrange et Géo Lefèvre pour le "
         "journal L'Auto."),
        "Photo : Agence Rol / Gallica, Bibliothèque nationale de France",
        ("Six étapes et près de 2 500 kilomètres : les coureurs roulaient de jour comme de nuit, sur "
         "des routes qui n'étaient souvent que des chemins de terre."),
        ("Classement général final\n1. Maurice Garin 94 h 33 min 14 s\n2. Lucien Pothier à 2 h 59 min 21 s\n"
         "3. Fernand Augereau à 4 h 29 min 24 s"),
        ("Maurice Garin, surnommé le petit ramoneur, mena la course du premier au dernier jour. Le "
         "\u00ab New York Herald \u00bb, dans son édition parisienne, consacra lui aussi quelques lignes "
         "à sa victoire."),
        "Par Siobhán O'Connell et Jürgen Baumgärtner",
        "Mots-clés : cyclisme, Tour de France, Montgeron, histoire",
    ],
    "es": [
        ("El 10 de febrero de 1929 se disputó la primera jornada del Campeonato Nacional de Liga, un "
         "torneo de diez equipos que terminó con el FC Barcelona como primer campeón."),
        "Foto: Biblioteca Nacional de España, Hemeroteca Digital",
        ("Los partidos se jugaban los domingos por la tarde y los periódicos de la época publicaban las "
         "crónicas el lunes, a menudo con una sola fotografía del encuentro."),
        "Clasificación final\n1. FC Barcelona 25\n2. Real Madrid 23\n3. Athletic Club 20",
        ("En Inglaterra, donde la liga existía desde 1888, el diario \u201cThe Times\u201d apenas dedicó "
         "unas líneas al nuevo campeonato español."),
        "Por Mariano Ibáñez y Björn Lindqvist",
        "Etiquetas: fútbol, Liga, historia, FC Barcelona, Real Madrid",
    ],
}
# A report in the manner of the 1890s papers, with the Library of Congress's credit line.
HISTORIC_REPORT = (
    "The steamship City of Paris arrived at her pier in New York yesterday morning, six days out of "
    "Queenstown, after a passage which her officers describe as the roughest of the season.\n\n"
    "Photograph: Library of Congress\n\n"
    "Heavy seas struck the vessel on the second night and carried away two of her boats, but no "
    "passenger was hurt, and the saloon was orderly throughout.\n\n"
    "Among those who came ashore were a party of musicians from Vienna, engaged for the winter "
    "season, who had played \u201cAn der schönen blauen Donau\u201d for the passengers on the "
    "evening the storm broke.\n\n"
    "From our own correspondent, Le Havre"
)


@pytest.mark.parametrize("lang", sorted(REAL_ARTICLES))
def test_real_articles_with_their_boilerplate_are_one_language(lang):
    text = "\n\n".join(REAL_ARTICLES[lang])
    result = analyze(text)
    assert result["language"] == lang and detect(text)[0] == lang
    foreign = [text[s["start"]:s["end"]].strip() for s in result["segments"] if s["lang"] != lang]
    assert not result["is_mixed"], foreign
    assert result["languages"] == [{"lang": lang, "share": 1.0}]


def test_historic_report_with_credit_and_quoted_title_is_one_language():
    result = analyze(HISTORIC_REPORT)
    assert result["language"] == "en" and not result["is_mixed"]


CITY_DE = ("Die Stadtverwaltung hat am Montag neue Pläne für den Ausbau des Nahverkehrs vorgestellt. Bis 2030 "
           "sollen zwei neue Straßenbahnlinien entstehen und die Busse häufiger fahren.")
CITY_DE_2 = ("Kritik kam von den Anwohnern, die mehr Lärm und höhere Mieten befürchten. Die Verwaltung will die "
             "Pläne im Herbst in mehreren Bürgerversammlungen erklären.")
EN_2 = ("Residents who spoke at the meeting asked for more frequent buses and safer crossings near the schools, "
        "and the chair promised a report by the spring.")


# Kinds of lines real pages carry between paragraphs of prose (subheadings in the article's own
# language, citations of papers in another language, captions and credits, commands), composed
# for the tests. A command reads as prose by the rules (several lower-case words) and is
# flagged: command lines (3) and a number table were 4 of the 28 false alarms on the benchmark's
# held-out pages.
@pytest.mark.parametrize("base, line, base2", [
    (CITY_DE, "Neue Linien bis 2030", CITY_DE_2),
    (CITY_DE, "Wer bezahlt den Ausbau?", CITY_DE_2),
    (CITY_DE, ("Quelle: Newman P., Kenworthy J. (1999): Sustainability and Cities: Overcoming Automobile "
               "Dependence. Island Press, Washington."), CITY_DE_2),
    (CITY_DE, "Bildunterschrift: Die neue Straßenbahn am Hauptbahnhof. Foto: Stadtwerke", CITY_DE_2),
    (CITY_DE, "Tram Line 5 (photo: Stadtwerke Freiburg)", CITY_DE_2),
    (EN, "What the plan costs", EN_2),
    (EN, "Photograph: Library of Congress", EN_2),
    pytest.param(EN, "$ pip install requests", EN_2, marks=pytest.mark.xfail(
        strict=True, reason="a command line reads as prose by the rules and scores as Catalan; the same "
                            "kind of false alarm as on the held-out pages, left as found: a fix would be "
                            "tuning on the held-out set")),
])
def test_lines_real_pages_carry_do_not_make_a_document_mixed(base, line, base2):
    result = analyze(f"{base}\n\n{line}\n\n{base2}")
    assert not result["is_mixed"], line
