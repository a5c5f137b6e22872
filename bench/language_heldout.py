"""Held-out language sets (issue 21): real pages that no language rule was written or tuned on.

The mixed-language rules in transforms/language/ were tuned on bench/language_corpus.py's mixed
set: fundus pages of ../shared/eval/warc, the article-extraction benchmark, UDHR paragraphs and
the CONTROL_LINES templates. This set uses none of them:
  fundus-more     - ../shared/eval/fundus-more: 141 news pages of 64 publishers, none of them in
                    ../shared/eval/warc (its README);
  trafilatura-dev - ../shared/eval/trafilatura-dev: 482 news, blog, shop and forum pages.
Each page's text is the pipeline's own extraction (transforms.extract.page.extract_page), the text
the language stage sees in a run: the bylines, captions, photo credits, tables, lists, citations
and embedded posts that extraction keeps stay in. Nothing is inserted.

Labels were read off each page (its opening and a piece of its middle; for every page the
detector flags, the flagged paragraphs, and the whole page where they did not settle it), and
checked against langdetect and detect(): all three agree on every page kept. A held-out control is a page of two
paragraphs or more (a one-paragraph text cannot be flagged). Pages that really are in two
languages are left out (LEFT_OUT, with the reason); pages that are one language and flagged
mixed stay in and count as false positives.

Held-out mixed documents are made the way language_corpus.mixed_set makes them, from held-out
text only: a piece of a prose paragraph of a held-out page in another language, spliced between
two paragraphs of a held-out control. The foreign languages are the required ones the held-out
pages have (en de fr es pt it pl tr ar zh; no ru, uk, nl or ja page is among them).
"""
from __future__ import annotations

import gzip
import json
import os
import random
from pathlib import Path

from bench.language_corpus import REQUIRED, Sample, _clean, _prose, _splice, cut

# fundus-more file prefix -> language (a country is not a language, but here each is one).
FUNDUS_MORE = {"at__": "de", "au__": "en", "ca__": "en", "ch__": "de", "cz__": "cs", "de__": "de",
               "es__": "es", "fr__": "fr", "ind__": "en", "kr__": "ko", "li__": "de", "ls__": "en",
               "lu__": "de", "na__": "en", "no__": "no", "pl__": "pl", "se__": "sv", "tr__": "tr",
               "uk__": "en", "us__": "en", "za__": "en"}
# trafilatura-dev file prefix -> language; every page not listed is German. None: a language
# langdetect does not know (Papiamento), left out.
TRAFILATURA_DEV = {
    "en": ("luxuryhaven.co.hyatt", "luxuriousmagazine.com.polo", "caktusgroup.com.django",
           "knowtechie.com.rally", "boingboing.net.millenials", "reddit.com.init", "shabka.org.about",
           "tofugu.com.dezuka-suisan", "fivethirtyeight.com.endorsement", "hearya.com.metal",
           "thenervousbreakdown.com.loneliest", "tonedeaf.thebrag.com.luboku", "newrepublic.com.neoliberalism",
           "creativecommons.org", "theguardian.com.academics", "phys.org.tool", "pluralsight.com.python",
           "stackoverflow.com.rust", "reuters.com.parasite", "pythonspeed.com.docker", "pcgamer.com.darkest",
           "thelocal.se.tattooed", "acpjournals.org.3075", "strangemachines.io.performant",
           "businessjargons.com.leadership", "royalroad.com.melas", "harpers.org.justice",
           "netbits.us.stunnel_rsync", "politico.com.retirement", "wevolver.com.3dprinting",
           "medicalnewstoday.com.318674", "mdavis.xyz.supermarket", "eatwhattonight.com.stir",
           "flawlessfood.co.uk.olive", "dailymail.co.uk.food", "independent.co.uk.penalty",
           "stardewvalleywiki.com.penny", "statisticsglobe.com.ggplot2", "foxyfolksy.com.buttercream",
           "mydailymagazine.com.halloween", "popsugar.co.uk.halloween", "msn.com.university",
           "plantcaretoday.com.bougainvillea", "anarc.at.cdpath", "economictimes.indiatimes.com.slideshow",
           "redtri.com.jokes", "womencantalksports.com-top10", "edition.cnn.com-royal",
           "caymancompass.com-prison", "viconsortium.com-cocaine", "elavegan.com-Peanut",
           "abc13.com-Copperfield", "kxan.com-Voters", "gothamist.com-plagues", "observer.com-LVMH",
           "bostonherald.com-Brothel-catering", "abc7news.com-Napa", "phillyvoice.com-Sixers",
           "twincities.com-mayor", "publishedreporter.com-Hottest", "miamitodaynews.com-Transitway",
           "heartlandnewsfeed.com-Christian", "reporternewspapers.net-Brookhaven", "geeks3d.com.hacklab",
           "github.com.yapapi", "telegraph.co.uk.plumber", "thebalance.com.coinbase",
           "jamaicaobserver.com-attacks", "breakingbelizenews.com-paho", "nowgrenada.com-pm",
           "haitiantimes.com-family", "nationnews.com-tridents", "jis.gov.jm-investment",
           "jamaica.gleaner.com-victims", "searchlight.vc-dimond", "bahamaslocal.com-atlantis",
           "pcgamer.com.skyrim", "mercurynews.com.2023.01.16.letters", "dw.com.colonial", "blog.python.org",
           "echte-demokratie-jetzt.de.blog", "beyssonmanagement.com.innovation", "pointofsail-kiel.de.wilson"),
    "es": ("pagina12.com.ar-suprema", "losandes.com-mendoza", "eldeber.com.bo-autos",
           "paginasiete.bo-carabineros", "lostiempos.com-juicio", "biobiochile.cl-gremios",
           "cooperativa.cl-presidente", "lacuarta.com-loretoaravena", "24horas.cl-segundo",
           "publimetro.cl-ministra", "elcolumbiano.com-alcaldia", "minuto30-lasierra", "ultimahora.com-apelacion",
           "elcomercio.pe-kenjifujimori", "elnuevodia.com-mujeres", "ladiaria.com.uy-productor",
           "elenacional.com-carta", "eluniversal.com-senador", "ultimasnoticias.com.ve-ucraina",
           "cubadebate.cu-sesiona", "laestrella.com.pa-laboral", "laprensagrafica.com.fiscal",
           "elfaro.net-asamblea", "elheraldo.hn-JOH", "everardoherrera.com-momento"),
    "fr": ("bondyblog.fr.paris-8", "lapresse.tn.parite", "ledevoir.com.trottinettes", "aoc.media.archaisme",
           "tdg.ch.chlorothalonil", "gala.fr.surnom", "soundofscience.fr.1927", "legrandcontinent.eu.heran",
           "lopinion.fr.glyphosate", "france.attc.org-privatisations", "francais.radio.cz-ministre"),
    "pl": ("sportowefakty.wp.pl.falubaz", "Nowa Zelandia_", "Winda w chmurach", "Ile jest warta godzina",
           "Dezubekizacja", "Eurostat_ Polska", "_Ziemniaki na szóstej", "Rosyjskie zamachy",
           "Angus Barbieri", "Rosjanie sugerują"),
    "it": ("lastampa.it.temperature", "parcoabruzzo.it.58354", "vegolosi.it.climate"),
    "pt": ("correiobraziliense.com.br-poderes", "correio24horas.com.br-PMS"),
    "zh": ("xinhuanet.com.c_1125597921",), "ar": ("assabah.com.tn.article",), "fi": ("yle.fi.3-11212601",),
    "hu": ("mindmegette.hu.levagott",), "bn": ("ukbdnews.com.23646",),
    None: ("24ora.com-internationalschol",),
}
# Pages left out as controls because they really are in two languages (read in full; each was
# flagged by the detector, and so were 28 pages that are one language, which stay in).
LEFT_OUT = {
    "us__TheGatewayPundit_2026_07_19": "embeds a French tweet of three sentences",
    "de.globalvoices.org.nicaragua": "quotes three Spanish paragraphs",
    "colours-of-the-soul.alhelm.net": "German post under 5,800 characters of English PHP warnings",
    "silvias.net.wahlzensur": "quotes a Portuguese sentence",
    "hr-innovation.org.enterprise": "quotes Einstein in English",
    "echte-demokratie-jetzt.de.blog": "one letter in German, Spanish, Greek and English",
    "beyssonmanagement.com.innovation": "German with long English quotes (Jobs, Brier)",
    "netzfueralle.blog.rosalux.de.netzpolitik": "quotes an English paragraph (Warren)",
    "derpapierplanet.de.juni": "German review quoting an English blurb",
    "pointofsail-kiel.de.wilson": "German with an English quoted product paragraph",
    "archive.ordnungsrausch.com.orga-life": "the Wayback Machine's English notice twice over German",
    "fr.de.nordkorea": "quotes English tweets",
    "pocketpc.ch.auslieferung": "German forum quoting English instructions",
    "baechli-bergsport.ch-lawinen": "German post quoting an English avalanche bulletin's sentences",
}
MIN_PARAGRAPHS = 2
LENGTHS = [(24, 49), (50, 200), (201, 700)]


def _label(source: str, name: str) -> str | None:
    table = FUNDUS_MORE.items() if source == "fundus-more" else \
        ((prefix, lang) for lang, prefixes in TRAFILATURA_DEV.items() for prefix in prefixes)
    found = [lang for prefix, lang in table if name.startswith(prefix)]
    if source == "fundus-more":
        return found[0] if found else None
    return found[0] if found else "de"


def _pages(shared: Path):
    """(source, name, url, html bytes) of every held-out page."""
    more = shared / "eval" / "fundus-more"
    for line in (more / "fundus-more-expected.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        name = Path(row["file"]).name.removesuffix(".html.gz")
        yield "fundus-more", name, row["url"], gzip.decompress((more / row["file"]).read_bytes())
    dev = shared / "eval" / "trafilatura-dev"
    for url, row in json.loads((dev / "evaldata.json").read_text(encoding="utf-8")).items():
        base = os.path.basename(row["file"])
        yield "trafilatura-dev", base.removesuffix(".html"), url, gzip.decompress((dev / "html" / f"{base}.gz").read_bytes())


def heldout_articles(shared: Path) -> list[tuple[str, str, str, list[str]]]:
    """[(source, page name, language, paragraphs)] of the held-out controls, in file order."""
    from transforms.extract.page import extract_page, install_speedups
    from transforms.utils.stage import Rejected

    install_speedups()
    out = []
    for source, name, url, html in _pages(shared):
        lang = _label(source, name)
        if lang is None or name in LEFT_OUT:
            continue
        try:
            text = extract_page(html, url)["text"]
        except Rejected:
            continue  # no article text (one fundus-more page)
        paras = [_clean(p) for p in text.split("\n\n") if _clean(p)]
        if len(paras) >= MIN_PARAGRAPHS:
            out.append((source, name, lang, paras))
    return out


def heldout_mixed_set(shared: Path, seed: int = 13) -> list[Sample]:
    """Every held-out control untouched, and as many held-out mixed documents."""
    rng = random.Random(seed)
    articles = heldout_articles(shared)
    samples = [Sample("\n\n".join(paras), lang, source=source, kind="held-out control", extra={"page": name})
               for source, name, lang, paras in articles]
    pool: dict[str, list[tuple[str, str]]] = {}
    for _, name, lang, paras in articles:
        if lang in REQUIRED:
            pool.setdefault(lang, []).extend((name, p) for p in paras if _prose(p))
    count = len(samples)
    while sum(s.mixed for s in samples) < count:
        source, name, base_lang, paras = rng.choice(articles)
        foreign = rng.choice(sorted(lang for lang in pool if lang != base_lang))
        low, high = rng.choice(LENGTHS)
        _, paragraph = rng.choice(pool[foreign])
        piece = cut(rng, paragraph, low, high, opening=rng.random() < 0.5)
        if piece is None:
            continue
        text, span = _splice(rng, paras, piece)
        samples.append(Sample(text, base_lang, source=source, mixed=True, foreign=foreign, span=span,
                              kind=f"{low}-{high}", extra={"page": name}))
    return samples
