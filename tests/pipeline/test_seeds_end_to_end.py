"""The five real seed articles in ../shared/seeds (skipped on a clean clone without ../shared)."""
import duckdb
import pytest

from tests.conftest import SHARED, run_cli


@pytest.fixture(scope="module")
def seeds_out(tmp_path_factory):
    if not (SHARED / "seeds").is_dir():
        pytest.skip("../shared/seeds is not present (clean clone)")
    out = tmp_path_factory.mktemp("seeds") / "out"
    result = run_cli("run", "--input", SHARED / "seeds", "--output", out)
    assert result.returncode == 0, result.stderr
    return out, result


def articles(out):
    rows = duckdb.sql(f"select url, date, date_source, authors, text, language, is_mixed_language, segments "
                      f"from read_parquet('{out}/articles/*/*.parquet', hive_partitioning=true)").fetchall()
    return {r[0].rsplit("/", 1)[-1][:3]: r for r in rows}


def test_five_documents_with_header_dates(seeds_out):
    out, result = seeds_out
    got = articles(out)
    assert sorted(got) == ["000", "001", "002", "003", "004"]
    assert (str(got["000"][1]), got["000"][2]) == ("2022-02-24", "header")
    assert (str(got["004"][1]), got["004"][2]) == ("2024-01-03", "header")
    assert "documents read: 5" in result.stdout


def test_second_run_leaves_the_same_rows(seeds_out):
    out, _ = seeds_out
    before = sorted(articles(out).items())
    again = run_cli("run", "--input", SHARED / "seeds", "--output", out)
    assert again.returncode == 0
    assert sorted(articles(out).items()) == before


def test_boilerplate_gone_and_prose_kept(seeds_out):
    out, _ = seeds_out
    got = articles(out)
    assert got["001"][4].endswith("reluctant to call the fall of Luhansk a defeat.🔱")
    assert "More Stories" not in got["001"][4] and "Ronaldo" not in got["001"][4]
    t2 = got["002"][4]
    assert t2.rstrip().endswith("With information from AFP and AP")
    for junk in ("Source link", "About John", "Check Also", "Leave a Reply", "will not be published"):
        assert junk not in t2
    t3 = got["003"][4]
    assert got["003"][3] == ["Naira Davlashyan", "Orlando Crowcroft"]
    for junk in ("Share this article", "ADVERTISEMENT", "You might also like", "All rights reserved",
                 "Pro-Ukraine people shout"):
        assert junk not in t3
    assert t3.startswith("Moscow denies") and "A spokesman for Russia's defence ministry" in t3
    assert t3.rstrip().endswith("There is no threat to the civilian population.\"")
    assert got["000"][4].startswith("With the support of the Russian army")


def test_languages(seeds_out):
    out, _ = seeds_out
    got = articles(out)
    assert {k: (v[5], v[6]) for k, v in got.items()} == {
        "000": ("en", True), "001": ("en", False), "002": ("en", False), "003": ("en", False), "004": ("en", False)}
    text, segments = got["000"][4], got["000"][7]
    pt = [s for s in segments if s["lang"] == "pt"]
    assert len(pt) == 1 and "O Centro de Operações Especiais" in text[pt[0]["start"]:pt[0]["end"]]
