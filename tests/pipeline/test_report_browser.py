"""The run report opened in a real browser: headless Chromium, no network, every chart drawn.

Skipped when no Chromium can be found (Debian's `chromium`, `chromium-browser`, `google-chrome` on
PATH, or $NEWS_INGEST_CHROMIUM) or Playwright is missing; `.ci/run` installs Chromium where it can.
"""
import struct

import pytest

from tests.browser import Browser, why_no_browser
from tests.conftest import SAMPLES, run_cli

WIDTH = 1200
# Decided before any fixture runs, so a machine with no browser does not run the pipeline for nothing.
pytestmark = pytest.mark.skipif(why_no_browser() is not None, reason=str(why_no_browser()))


@pytest.fixture(scope="module")
def browser():
    reason = why_no_browser()
    if reason:
        pytest.skip(reason)
    with Browser() as b:
        yield b


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def check_report(browser, html, tmp_path):
    """Open the report written to `html`, and hold it to what a reader needs."""
    assert html.is_file() and html.stat().st_size > 0
    shot = tmp_path / "report.png"
    page = browser.check(html, screenshot=shot, width=WIDTH)
    assert page.console_errors == [], page.console_errors
    assert page.page_errors == [], page.page_errors
    assert page.network_requests == [], f"a self-contained report asked the network for {page.network_requests}"
    assert page.failed_requests == [], page.failed_requests
    assert page.title.strip()
    assert page.charts, "the report has no <figure class=chart>"
    for chart in page.charts:
        assert chart.draws, f"chart {chart.id!r} draws nothing: {chart}"
        assert chart.caption, f"chart {chart.id!r} has no caption"
    ids = [c.id for c in page.charts]
    assert len(set(ids)) == len(ids), f"chart ids repeat: {ids}"
    assert page.problems() == []
    # A full-page screenshot: as wide as the window, as tall as the page, and not blank.
    width, height = png_size(shot)
    assert width == WIDTH and height >= min(page.page_height, 900)
    assert shot.stat().st_size > 10_000, f"screenshot is {shot.stat().st_size} bytes: a blank page?"
    return page


def test_samples_report_in_browser(samples_run, browser, tmp_path):
    from pipeline.report import write_report
    out, _ = samples_run
    html = tmp_path / "report.html"
    summary = write_report(str(out), str(html))
    assert isinstance(summary, str) and summary.strip()
    check_report(browser, html, tmp_path)


def test_several_runs_report_in_browser(browser, tmp_path):
    """Two runs into one output (the HTML pages, then all the samples), reported by the command."""
    out = tmp_path / "out"
    for args in (["--input", SAMPLES / "html"], []):
        result = run_cli("run", "-q", "--output", out, *args)
        assert result.returncode == 0, result.stderr
    html = tmp_path / "report.html"
    result = run_cli("report", out, "--html", html)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    page = check_report(browser, html, tmp_path)
    assert len(page.charts) >= 2


def test_checker_sees_a_broken_page(browser, tmp_path):
    """The checks above would catch a broken report: errors, network use, charts with no data drawn."""
    bad = tmp_path / "bad.html"
    bad.write_text("""<!doctype html><html><head><title>bad</title></head><body>
<figure class="chart" id="good"><svg width="200" height="100"><rect width="50" height="40" fill="#3465a4"></rect>
<text x="60" y="20">ok</text></svg><figcaption>Good</figcaption></figure>
<figure class="chart" id="empty"><svg width="200" height="100"></svg><figcaption>Empty</figcaption></figure>
<figure class="chart" id="axes-only"><svg width="200" height="100"><line x1="10" y1="90" x2="190" y2="90"
stroke="black"></line><text x="10" y="99">0</text><rect x="500" width="20" height="40" fill="#3465a4"></rect>
</svg><figcaption>Axes, and a bar outside the picture</figcaption></figure>
<figure class="chart" id="missing"><figcaption>No SVG</figcaption></figure>
<img src="https://example.invalid/pixel.png">
<script>console.error("logged"); undefinedFunction();</script>
</body></html>""", encoding="utf-8")
    page = browser.check(bad)
    assert page.console_errors and any("logged" in m for m in page.console_errors)
    assert page.page_errors and "undefinedFunction" in page.page_errors[0]
    assert page.network_requests == ["https://example.invalid/pixel.png"]
    assert {c.id: c.draws for c in page.charts} == {"good": True, "empty": False, "axes-only": False,
                                                    "missing": False}
    assert len(page.problems()) >= 6
