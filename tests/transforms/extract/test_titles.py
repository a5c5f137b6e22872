"""The headline (transforms/extract/titles.py)."""


def test_site_names_are_cut_from_titles():
    from transforms.extract.titles import strip_site_suffix as strip
    assert strip("Storm hits coast | The Citizen", "The Citizen", None) == "Storm hits coast"
    assert strip("Solar lights boost businesses - Daily News", "Daily News", None) == "Solar lights boost businesses"
    assert strip("Russia hits Kyiv - National | Globalnews.ca", None, "https://globalnews.ca/news/1") == \
        "Russia hits Kyiv - National"
    assert strip("南海トラフ、一時調査 巨大地震：中日新聞Web", "中日新聞Web", None) == "南海トラフ、一時調査 巨大地震"
    # A separator inside the headline itself stays.
    assert strip("Bericht: Aktivistin getötet - Irans Justiz dementiert", "n-tv", "https://www.n-tv.de/a") == \
        "Bericht: Aktivistin getötet - Irans Justiz dementiert"
    assert strip("Citizen | The Citizen", "The Citizen", None) == "Citizen | The Citizen"  # nothing would be left


def test_title_keeps_the_pages_own_spaces():
    from transforms.extract.titles import headlines, refine_title
    html = ("<html><head><title>Sophie Binet met en garde Emmanuel&nbsp;Macron sur la «&nbsp;gravité&nbsp;» | Le Site"
            "</title></head><body><h1>南海トラフ、一時調査\u3000巨大地震</h1></body></html>")
    assert refine_title("Sophie Binet met en garde Emmanuel Macron sur la « gravité »", headlines(html)) == \
        "Sophie Binet met en garde Emmanuel\xa0Macron sur la «\xa0gravité\xa0»"
    assert refine_title("南海トラフ、一時調査 巨大地震", headlines(html.encode())) == "南海トラフ、一時調査\u3000巨大地震"
    assert refine_title("A title not on the page", headlines(html)) == "A title not on the page"


def _page(title: str, og: str, h1s: list[str]) -> list[tuple[str, str]]:
    """The headlines of a page with these <title>, og:title and h1s."""
    from transforms.extract.titles import headlines
    icons = "<svg><title>Share to Facebook</title></svg>"
    return headlines(f'<html><head><title>{title}</title><meta property="og:title" content="{og}"></head><body>{icons}'
                     + "".join(f"<h1>{h}</h1>" for h in h1s) + "</body></html>")


def test_the_headline_readers_see_wins_when_the_document_title_confirms_it():
    from transforms.extract.titles import choose_title
    # og:title is a social-card rewrite; <title> and h1 agree on the headline.
    page = _page("Climate change: Labor on track as Bowen heralds approach | The West", "Labor on track to hit target",
                 ["Climate change: Labor on track as Bowen heralds approach"])
    assert choose_title("Labor on track to hit target", page, "The West", None) == \
        "Climate change: Labor on track as Bowen heralds approach"
    # A kicker dropped from og:title comes back with the h1.
    page = _page("Bei Protesten 2022: Aktivistin getötet", "Aktivistin getötet", ["Bei Protesten 2022: Aktivistin getötet"])
    assert choose_title("Aktivistin getötet", page, None, None) == "Bei Protesten 2022: Aktivistin getötet"
    # No agreement: a live ticker's h1 differs from both <title> and og:title, og:title stays.
    page = _page("Israel und Gaza: News", "Israel und Gaza: aktuelle News", ["Krieg in Nahost: USA schliessen Hafen"])
    assert choose_title("Israel und Gaza: aktuelle News", page, None, None) == "Israel und Gaza: aktuelle News"
    # A logo h1 matching a <title> that is only the site's name is not a headline.
    page = _page("Valley News", "Dam opens after ten years", ["Valley News"])
    assert choose_title("Dam opens after ten years", page, "Valley News", None) == "Dam opens after ten years"
    # Headlines of teasers in other h1s do not count, nor do icon titles in the body.
    page = _page("Notfallplan in Osttirol", "Notfallplan in Osttirol", ["Spektakuläres Video", "Share to Facebook"])
    assert choose_title("Notfallplan in Osttirol", page, None, None) == "Notfallplan in Osttirol"


def test_a_label_appended_to_the_h1_is_cut():
    from transforms.extract.titles import choose_title
    page = _page("x", "x", ["Russia hits Kyiv with ballistic missile"])
    assert choose_title("Russia hits Kyiv with ballistic missile - National", page, None, None) == \
        "Russia hits Kyiv with ballistic missile"
    page = _page("x", "x", ["„Unermüdlicher Einsatz“"])
    assert choose_title("„Unermüdlicher Einsatz“ - Die Neue Südtiroler Tageszeitung", page, None, None) == \
        "„Unermüdlicher Einsatz“"
    # A one-word h1 ('News') or a long continuation is not a headline with a label.
    page = _page("x", "x", ["News", "Storm hits coast"])
    assert choose_title("News - Storm hits coast", page, None, None) == "News - Storm hits coast"
    assert choose_title("Storm hits coast - and the town asks why the warnings came so late", page, None, None) == \
        "Storm hits coast - and the town asks why the warnings came so late"
