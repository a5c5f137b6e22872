"""Open a local HTML file in headless Chromium and report what a person would see go wrong.

The browser is the machine's own Chromium (Debian's `chromium` package, or the one named by
NEWS_INGEST_CHROMIUM), driven with Playwright for Python. Playwright's own browser downloads are
never used (`playwright install` is not needed): Chromium is launched from its path.

    python -m tests.browser report.html shot.png [--width 1200] [--max-height 2500]

checks the page like the tests do and writes a screenshot (the README's docs/report.png is made so).
"""
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_ENV = "NEWS_INGEST_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Elements that put ink on an SVG.
DRAWN = "path, rect, line, circle, ellipse, polyline, polygon, text"
# URL schemes a self-contained page may load from: itself and what it makes in memory.
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def find_chromium() -> str | None:
    """The Chromium to drive: $NEWS_INGEST_CHROMIUM if it is set and exists, else the first on PATH."""
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        return shutil.which(named) or (named if os.access(named, os.X_OK) else None)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def why_no_browser() -> str | None:
    """None when a page can be opened here; otherwise why not (a reason to skip)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if find_chromium() is None:
        return (f"no Chromium found ({', '.join(CHROMIUM_NAMES)} on PATH, or ${CHROMIUM_ENV}); "
                "install Debian's chromium package")
    return None


@dataclass
class Chart:
    id: str
    caption: str
    svgs: int
    drawn: int  # path/rect/line/... elements inside the figure's SVGs
    width: float  # the largest SVG's box on the page, in CSS pixels
    height: float
    # Pixels in colour (not white, grey or black) once the SVGs are rendered: the data marks. Axes,
    # ticks, grid and labels alone draw none, so an empty plot (say, bars outside the axis range)
    # has 0. -1: the SVG could not be rendered on its own.
    colored_pixels: int = 0

    @property
    def draws(self) -> bool:
        return (self.svgs > 0 and self.drawn > 0 and self.width > 0 and self.height > 0
                and self.colored_pixels > 0)


@dataclass
class PageCheck:
    url: str
    title: str = ""
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    network_requests: list[str] = field(default_factory=list)  # attempted, and refused
    failed_requests: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    screenshot: Path | None = None
    page_height: int = 0

    def problems(self) -> list[str]:
        """Everything wrong with the page, one line each; empty when it is fine."""
        out = [f"console error: {m}" for m in self.console_errors]
        out += [f"page error: {m}" for m in self.page_errors]
        out += [f"network request attempted: {u}" for u in self.network_requests]
        out += [f"request failed: {u}" for u in self.failed_requests if u not in self.network_requests]
        out += [f"chart {c.id!r} draws nothing ({c})" for c in self.charts if not c.draws]
        return out


_CHARTS_JS = """async (drawn) => {
  // Pixels of an SVG in colour: it is drawn as an image on a canvas (in memory, no request made).
  async function colored(svg, w, h) {
    if (!w || !h) return 0;
    const clone = svg.cloneNode(true);
    clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
    clone.setAttribute('width', w);
    clone.setAttribute('height', h);
    const img = new Image();
    img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(new XMLSerializer().serializeToString(clone));
    try { await img.decode(); } catch (e) { return -1; }
    const canvas = document.createElement('canvas');
    canvas.width = w; canvas.height = h;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, w, h).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 128 && Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 40) n++;
    }
    return n;
  }
  const charts = [];
  for (const fig of document.querySelectorAll('figure.chart')) {
    const svgs = [...fig.querySelectorAll('svg')];
    let width = 0, height = 0, colored_pixels = 0;
    for (const s of svgs) {
      const r = s.getBoundingClientRect();
      if (r.width * r.height > width * height) { width = r.width; height = r.height; }
      const n = await colored(s, Math.ceil(r.width), Math.ceil(r.height));
      colored_pixels = n < 0 || colored_pixels < 0 ? -1 : colored_pixels + n;
    }
    const cap = fig.querySelector('figcaption');
    charts.push({id: fig.id || '', caption: cap ? cap.textContent.trim() : '', svgs: svgs.length,
                 drawn: svgs.reduce((n, s) => n + s.querySelectorAll(drawn).length, 0), width, height,
                 colored_pixels});
  }
  return charts;
}"""


class Browser:
    """One headless Chromium, for as many pages as needed; close() it (or use `with`)."""

    def __init__(self, executable: str | None = None, timeout_s: float = 30):
        from playwright.sync_api import sync_playwright
        executable = executable or find_chromium()
        if executable is None:
            raise RuntimeError(why_no_browser())
        self.timeout_ms = timeout_s * 1000
        self._pw = sync_playwright().start()
        try:
            # As root Chromium refuses to start with its sandbox; the pages are our own files.
            # Containers often have a small /dev/shm, where Chromium's renderer would crash.
            self._browser = self._pw.chromium.launch(executable_path=executable, headless=True,
                                                     args=["--no-sandbox", "--disable-gpu",
                                                           "--disable-dev-shm-usage"],
                                                     timeout=self.timeout_ms)
        except Exception:
            self._pw.stop()
            raise
        self.version = self._browser.version

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self._browser.close()
        finally:
            self._pw.stop()

    def check(self, html: str | Path, screenshot: str | Path | None = None, width: int = 1200,
              max_height: int | None = None) -> PageCheck:
        """Open a local HTML file with no network, wait for its charts, and note what went wrong.

        Any request for something other than the file itself (or data:/blob: URLs) is refused and
        recorded. With `screenshot`, a full-page PNG is written there (cut at `max_height` pixels).
        """
        url = Path(html).resolve().as_uri()
        result = PageCheck(url=url)
        context = self._browser.new_context(viewport={"width": width, "height": 900}, service_workers="block")
        try:
            context.set_default_timeout(self.timeout_ms)

            def route(r):
                if r.request.url.startswith(LOCAL_SCHEMES):
                    r.continue_()
                else:
                    result.network_requests.append(r.request.url)
                    r.abort("blockedbyclient")
            context.route("**/*", route)
            page = context.new_page()
            page.on("console", lambda m: result.console_errors.append(_located(m)) if m.type == "error" else None)
            page.on("pageerror", lambda e: result.page_errors.append(str(e)))
            page.on("requestfailed", lambda r: result.failed_requests.append(r.url))
            page.goto(url, wait_until="load")
            # Charts drawn by a script come a moment after `load`; static SVG is there already.
            try:
                page.wait_for_function(
                    "() => [...document.querySelectorAll('figure.chart')].every("
                    "f => f.querySelector('svg'))", timeout=5000)
            except Exception:
                pass  # reported below as a chart that draws nothing
            page.evaluate("() => document.fonts.ready")
            result.title = page.title()
            result.charts = [Chart(**c) for c in page.evaluate(_CHARTS_JS, DRAWN)]
            result.page_height = page.evaluate("() => document.documentElement.scrollHeight")
            if screenshot is not None:
                screenshot = Path(screenshot)
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                clip = None
                if max_height and result.page_height > max_height:
                    clip = {"x": 0, "y": 0, "width": width, "height": max_height}
                page.screenshot(path=str(screenshot), full_page=True, clip=clip, type="png")
                result.screenshot = screenshot
        finally:
            context.close()
        return result


def _located(message) -> str:
    loc = message.location or {}
    where = f" ({loc.get('url', '')}:{loc.get('lineNumber', '')})" if loc.get("url") else ""
    return message.text + where


def main(argv=None) -> int:
    import argparse
    ap = argparse.ArgumentParser(prog="python -m tests.browser", description=__doc__.split("\n\n")[0])
    ap.add_argument("html")
    ap.add_argument("screenshot")
    ap.add_argument("--width", type=int, default=1200)
    ap.add_argument("--max-height", type=int, default=None, help="cut the screenshot at this many pixels")
    args = ap.parse_args(argv)
    reason = why_no_browser()
    if reason:
        print(reason)
        return 2
    with Browser() as browser:
        got = browser.check(args.html, args.screenshot, width=args.width, max_height=args.max_height)
    print(f"{got.url}: {len(got.charts)} charts, page {got.page_height}px high; "
          f"screenshot {got.screenshot} ({got.screenshot.stat().st_size} bytes)")
    for line in got.problems():
        print(line)
    return 1 if got.problems() else 0


if __name__ == "__main__":
    raise SystemExit(main())
