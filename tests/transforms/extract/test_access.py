"""The paywall flag (transforms/extract/access.py): schema.org isAccessibleForFree in JSON-LD,
microdata and meta tags, through extract() and, end to end, into the Parquet column
is_accessible_for_free as readers see it."""
import json

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from trafilatura.utils import load_html

from schemas import ARTICLE_SCHEMA, REJECT_SCHEMA, SIGNATURE_SCHEMA, file_schema
from tests.conftest import make_doc, run_cli
from transforms.extract import extract
from transforms.extract.access import accessible_for_free, flag

BODY = """<body><article><h1>Council approves the harbour plan</h1>
<p>The city council approved the new harbour plan on Monday after three years of public consultation.</p>
<p>The plan moves the ferry terminal east and turns the old fish market into a covered public square.</p>
<p>Work is to begin next spring and the first phase should be finished before the summer season of 2027.</p>
</article></body>"""


# Two more articles, not near-duplicates of BODY nor of each other.
OTHER = ["""<body><article><h1>Orchestra opens its season</h1>
<p>The regional orchestra opened its winter season with a programme of Sibelius and a new violin concerto.</p>
<p>Tickets for all twelve concerts sold out within a week, the first time since the hall was renovated.</p>
<p>The conductor said the young soloist had learned the concerto in barely two months of rehearsals.</p>
</article></body>""", """<body><article><h1>Storm closes mountain roads</h1>
<p>Heavy snow closed three mountain passes overnight and left several villages without electricity.</p>
<p>Road crews expected to reopen the northern pass by Thursday if the wind dropped as forecast.</p>
<p>Schools in the valley stayed shut and the regional bus company cancelled its early services.</p>
</article></body>"""]


def page(head: str = "", body: str = BODY) -> str:
    return f"<html><head><title>Harbour plan</title>{head}</head>{body}</html>"


def ld(data) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def free(html: str):
    return accessible_for_free(load_html(html))


ARTICLE = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Harbour plan"}


@pytest.mark.parametrize("value, expected", [
    (False, False), (True, True), ("False", False), ("false", False), ("TRUE", True), (" true ", True),
    ("https://schema.org/False", False), ("http://schema.org/True", True), ("schema:False", False),
    ({"@value": "false"}, False), (["False"], False), ("maybe", None), (None, None), (0, None), ("", None),
])
def test_values(value, expected):
    assert flag(value) is expected
    assert free(page(ld({**ARTICLE, "isAccessibleForFree": value}))) is expected


def test_a_page_that_says_nothing_is_null():
    assert free(page()) is None
    assert free(page(ld(ARTICLE) + '<meta name="description" content="A plan">')) is None


def test_google_paywalled_content_markup_with_haspart():
    markup = {**ARTICLE, "isAccessibleForFree": False,
              "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": ".paywall"}}
    assert free(page(ld(markup))) is False
    # Only a part is marked: the article is not free as a whole.
    only_part = {**ARTICLE, "hasPart": [{"@type": "WebPageElement", "isAccessibleForFree": "True",
                                        "cssSelector": ".lead"},
                                       {"@type": "WebPageElement", "isAccessibleForFree": "False",
                                        "cssSelector": ".paywall"}]}
    assert free(page(ld(only_part))) is False


def test_graph_arrays_and_main_entity():
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Harbour Times"},
        {"@type": "WebPage", "mainEntity": {**ARTICLE, "isAccessibleForFree": "false"}}]}
    assert free(page(ld(graph))) is False
    assert free(page(ld([{"@type": "Organization"}, {**ARTICLE, "isAccessibleForFree": True}]))) is True
    nested = {"@graph": [{**ARTICLE, "hasPart": {"hasPart": {"isAccessibleForFree": False}}}]}
    assert free(page(ld(nested))) is False


def test_what_other_things_are_said_to_be_is_not_read():
    publisher = {**ARTICLE, "publisher": {"@type": "Organization", "isAccessibleForFree": False},
                 "isPartOf": {"@type": ["CreativeWork", "Product"], "isAccessibleForFree": False}}
    assert free(page(ld(publisher))) is None


def test_json_ld_json_cannot_read_is_searched_for_the_property():
    broken = '<script type="application/ld+json">{"@type": "NewsArticle", "isAccessibleForFree": "False",}</script>'
    assert free(page(broken)) is False
    commented = '<script type="application/ld+json"><!-- {"isAccessibleForFree": true} --></script>'
    assert free(page(commented)) is True
    other_script = '<script>var isAccessibleForFree = false;</script>'
    assert free(page(other_script)) is None


def test_microdata_and_rdfa():
    meta = ('<body><article itemscope itemtype="https://schema.org/NewsArticle">'
            '<meta itemprop="isAccessibleForFree" content="False"><p>Text.</p></article></body>')
    assert free(page(body=meta)) is False
    link = ('<body><div itemscope itemtype="https://schema.org/Article">'
            '<link itemprop="isAccessibleForFree" href="https://schema.org/True"></div></body>')
    assert free(page(body=link)) is True
    part = ('<body><article itemscope itemtype="https://schema.org/NewsArticle"><p>Lead.</p>'
            '<div class="paywall" itemprop="hasPart" itemscope itemtype="https://schema.org/WebPageElement">'
            '<meta itemprop="isAccessibleForFree cssSelector" content="false"></div></article></body>')
    assert free(page(body=part)) is False
    text = '<body><span itemprop="isAccessibleForFree">true</span></body>'
    assert free(page(body=text)) is True
    rdfa = ('<body vocab="https://schema.org/"><span property="schema:isAccessibleForFree" content="False">'
            '</span></body>')
    assert free(page(body=rdfa)) is False


@pytest.mark.parametrize("tag, expected", [
    ('<meta name="isAccessibleForFree" content="false">', False),
    ('<meta name="isaccessibleforfree" content="True">', True),
    ('<meta property="isAccessibleForFree" content="FALSE">', False),
    ('<meta property="article:content_tier" content="free">', True),
    ('<meta property="article:content_tier" content="metered">', False),
    ('<meta property="article:content_tier" content="Locked">', False),
    ('<meta name="article:content_tier" content="locked">', False),
    ('<meta property="article:content_tier" content="something">', None),
    ('<meta name="isAccessibleForFree">', None),
])
def test_meta_tags(tag, expected):
    assert free(page(tag)) is expected


def test_false_anywhere_wins():
    head = '<meta property="article:content_tier" content="free">' + ld({**ARTICLE, "isAccessibleForFree": False})
    assert free(page(head)) is False


def test_extract_sets_the_document_field_and_a_reader_value_fills_what_the_page_lacks():
    html = page(ld({**ARTICLE, "isAccessibleForFree": False}))
    doc = extract(make_doc(text="", url="https://harbour.example/plan", content=html, content_type="text/html"))
    assert doc.is_accessible_for_free is False and "The city council approved" in doc.text
    doc = extract(make_doc(text="", content=page(), content_type="text/html"))
    assert doc.is_accessible_for_free is None
    doc = extract(make_doc(text="", content=page(), content_type="text/html", is_accessible_for_free=True))
    assert doc.is_accessible_for_free is True
    assert extract(make_doc(text="Plain text.")).is_accessible_for_free is None


def test_the_column_is_a_nullable_boolean_in_the_article_tables_only():
    field = ARTICLE_SCHEMA.field("is_accessible_for_free")
    assert field.type == pa.bool_() and field.nullable
    assert file_schema("articles").field("is_accessible_for_free") == field
    assert file_schema("duplicates").field("is_accessible_for_free") == field
    assert "is_accessible_for_free" not in REJECT_SCHEMA.names
    assert "is_accessible_for_free" not in SIGNATURE_SCHEMA.names


def test_end_to_end_readers_see_a_nullable_boolean(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "paywalled.html").write_text(page(ld({**ARTICLE, "isAccessibleForFree": False})), encoding="utf-8")
    (src / "free.html").write_text(page('<meta name="isAccessibleForFree" content="true">', OTHER[0]),
                                   encoding="utf-8")
    (src / "unsaid.html").write_text(page(body=OTHER[1]), encoding="utf-8")
    (src / "lines.jsonl").write_text(
        json.dumps({"url": "https://e.example/a", "text": "A subscriber story about the orchestra's new hall.",
                    "is_accessible_for_free": False}) + "\n"
        + json.dumps({"url": "https://e.example/b", "text": "An open story about the market's new opening hours.",
                      "is_accessible_for_free": "maybe"}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("run", "--input", src, "--output", out, "-q")
    assert result.returncode == 0, result.stderr
    glob = f"{out}/articles/*/*.parquet"
    described = {r[0]: r[1] for r in duckdb.sql(
        f"describe select * from read_parquet('{glob}', hive_partitioning=true)").fetchall()}
    assert described["is_accessible_for_free"] == "BOOLEAN"
    got = dict(duckdb.sql(f"select regexp_extract(url, '[^/]+$'), is_accessible_for_free "
                          f"from read_parquet('{glob}')").fetchall())
    assert got == {"paywalled.html": False, "free.html": True, "unsaid.html": None, "a": False, "b": None}
    [new_file] = sorted((out / "articles").glob("*/*.parquet"))[:1]
    assert pq.read_schema(new_file).field("is_accessible_for_free").type == pa.bool_()

    # Output of an earlier version, without the column, reads beside the new files.
    old = pq.read_table(new_file).drop_columns(["is_accessible_for_free"])
    old_dir = out / "articles" / "date=2001-01-01"
    old_dir.mkdir()
    pq.write_table(old, old_dir / "part-old.parquet")
    rows = duckdb.sql(f"select date, is_accessible_for_free from read_parquet('{glob}', hive_partitioning=true, "
                      f"union_by_name=true)").fetchall()
    assert len(rows) == 5 + old.num_rows
    assert {v for d, v in rows if str(d) == "2001-01-01"} == {None}
