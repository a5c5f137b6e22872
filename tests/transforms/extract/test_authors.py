"""Authors (transforms/extract/authors.py): JSON-LD names first, the page's after, one cleaning."""
import pytest

from transforms.extract.authors import (
    choose_authors,
    clean_names,
    jsonld_names,
    strip_byline_word,
)


def test_person_objects_strings_and_untyped_objects_are_names():
    article = {"@type": "NewsArticle", "author": [{"@type": "Person", "name": "Ana Lima"},
                                                   {"name": "Ben Ode"}, "Cleo Park",
                                                   {"@type": "Person", "name": ["Dan", "Roe"]}]}
    assert jsonld_names(article) == ["Ana Lima", "Ben Ode", "Cleo Park", "Dan Roe"]
    assert jsonld_names({"author": {"@type": ["Person"], "name": "Ana Lima"}}) == ["Ana Lima"]
    assert jsonld_names({"author": "Ana Lima"}) == ["Ana Lima"]


def test_an_organization_counts_only_when_no_person_is_named():
    both = {"author": [{"@type": "Organization", "name": "Valley News"}, {"@type": "Person", "name": "Ana Lima"}]}
    assert jsonld_names(both) == ["Ana Lima"]
    assert jsonld_names({"author": {"@type": "Organization", "name": "Reuters"}}) == ["Reuters"]
    assert jsonld_names({"author": [{"@type": "Person", "name": " "}, {"@id": "#ana"}, 3]}) == []
    assert jsonld_names(None) == [] and jsonld_names({"headline": "x"}) == []


def test_an_author_given_by_reference_is_looked_up_in_the_graph():
    """The @graph layout of many CMS plugins: the article names its author by @id only."""
    from transforms.extract import jsonld
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "NewsArticle", "@id": "https://n.example/a#article", "author": {"@id": "https://n.example/#/p/1"}},
        {"@type": "Person", "@id": "https://n.example/#/p/1", "name": "Ana Lima"}]}
    found = [jsonld.Block("", graph)]
    article = jsonld.article(found)
    assert jsonld_names(article, found) == ["Ana Lima"]
    assert jsonld_names(article) == []  # without the index, a bare reference names nobody


@pytest.mark.parametrize("name, expected", [
    ("By Ana Lima", "Ana Lima"),
    ("Von Anna Berg", "Anna Berg"),
    ("Capital Von Jemima Kelly", "Jemima Kelly"),
    ("Text: Par Jean Dupont", "Jean Dupont"),
    ("Di Mario Rossi", "Mario Rossi"),
    ("Angel Di Maria", "Angel Di Maria"),  # a surname particle, not Italian's 'by'
    ("Lars von Trier", "Lars von Trier"),  # lower case: a name particle
    ("Bybee Jones", "Bybee Jones"),
    ("By ana", "By ana"),  # no capital after it: not a byline
])
def test_byline_words(name, expected):
    assert strip_byline_word(name) == expected


@pytest.mark.parametrize("names, expected", [
    (["Ana Lima and Ben Ode"], ["Ana Lima", "Ben Ode"]),
    (["Anna Berg und Tom Kurz"], ["Anna Berg", "Tom Kurz"]),
    (["Jean Dupont et Marie Curie"], ["Jean Dupont", "Marie Curie"]),
    (["Ole Dahl og Kari Nord"], ["Ole Dahl", "Kari Nord"]),
    (["Juan Pérez y Ana Gómez"], ["Juan Pérez", "Ana Gómez"]),
    (["Иван Петров и Анна Смирнова"], ["Иван Петров", "Анна Смирнова"]),
    (["Ana Lima; Ben Ode & Cleo Park | Dan Roe / Eva Sol"], ["Ana Lima", "Ben Ode", "Cleo Park", "Dan Roe", "Eva Sol"]),
    (["Ana Lima, Ben Ode, dpa"], ["Ana Lima", "Ben Ode", "dpa"]),
    (["Smith, John"], ["Smith, John"]),  # a surname first: one name
    (["Ana Lima (dpa)"], ["Ana Lima"]),
    (["Ana Lima (Senior Political Correspondent)"], ["Ana Lima (Senior Political Correspondent)"]),
    (["https://example.com/authors/ana", "www.example.org", "Ana Lima"], ["Ana Lima"]),
    (["Ana Lima", "ana  lima", "Ana Lima."], ["Ana Lima"]),
    (["By Ana Lima and Ben Ode"], ["Ana Lima", "Ben Ode"]),
])
def test_clean_names(names, expected):
    assert clean_names(names, None, None) == expected


def test_the_site_goes_when_a_person_is_named_beside_it():
    assert clean_names(["Ana Lima", "Valley News"], "Valley News", None) == ["Ana Lima"]
    assert clean_names(["Ana Lima", "VALLEYNEWS Staff"], None, "https://www.valleynews.example/a") == ["Ana Lima"]
    assert clean_names(["Valley News"], "Valley News", None) == ["Valley News"]  # nobody else: kept


def test_json_ld_names_come_first_and_the_page_fills_in():
    assert choose_authors(["Ana Lima"], ["Someone Else"], "Valley News", None) == ["Ana Lima"]
    assert choose_authors([], ["By Ben Ode"], "Valley News", None) == ["Ben Ode"]
    # JSON-LD names only the site: the page's byline names a person.
    assert choose_authors(["Valley News"], ["Ben Ode"], "Valley News", None) == ["Ben Ode"]
    # Both name only the site: the JSON-LD's stays.
    assert choose_authors(["Valley News"], ["Valley News Staff"], "Valley News", None) == ["Valley News"]
    assert choose_authors([], [], "Valley News", None) == []
