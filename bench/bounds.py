"""Bounds under hostile servers and inputs: the time a dripping page costs, and peak memory per record.

    python -m bench.bounds [--json bench/results/bounds.json] [--skip-drip]

1. Drip: a local server sends a page's headers at once, then one byte every 2 seconds for 5
   minutes. `news-ingest run --urls` on it with the default flags: the wall time until the
   command ends, and the reject it wrote. The client's watchdog should end it at --deadline.
2. Memory: peak resident memory (GNU time's maximum RSS) of `news-ingest run` over one record:
   a text of 100 kB, a text at the --max-text-chars limit, a text of 1 MB (over the limit:
   what a reject costs) and the same accepted with the limit raised, an HTML page of 5 MB of
   article paragraphs, and an HTML page of 5 MB of markup (nested elements, little text). A
   run over one short text gives the fixed part (imports, graph) to read the others against.

Texts are made of the words of the bundled samples, in 60-word sentences, deterministically.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COMMAND = [sys.executable, "-m", "pipeline", "run", "-q"]


def prose(chars: int, seed: int = 1) -> str:
    words = [w for w in (REPO / "samples/text/harbour-bridge-reopens.txt").read_text().split() if w.isalpha()]
    rng = random.Random(seed)
    out, size = [], 0
    while size < chars:
        sentence = " ".join(rng.choice(words) for _ in range(60)) + "."
        out.append(sentence)
        size += len(sentence) + 2
    return "\n\n".join(out)[:chars]


def article_page(chars: int) -> str:
    body = "".join(f"<p>{p}</p>\n" for p in prose(chars).split("\n\n"))
    return f"<html><head><title>Long</title></head><body><article><h1>Long</h1>{body}</article></body></html>"


def markup_page(size: int) -> str:
    """Nested containers with a word or two each: mostly tags, like a page of widgets."""
    block = '<div class="w"><span class="a">x</span><ul><li><a href="/l">link</a></li></ul></div>'
    inner = block * (size // len(block))
    return f"<html><head><title>Widgets</title></head><body><main>{inner}</main><p>{prose(400)}</p></body></html>"


def peak_rss(args: list, workdir: Path) -> dict:
    """Runs the command under GNU time; its peak RSS in MB, wall seconds and summary lines."""
    out = workdir / f"out-{time.monotonic_ns()}"
    started = time.monotonic()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", *COMMAND, *args, "--output", str(out)], cwd=REPO,
                          capture_output=True, text=True)
    wall = time.monotonic() - started
    kb = int(proc.stderr.strip().splitlines()[-1])
    summary = [line.strip() for line in proc.stdout.splitlines() if re.match(r"\s*(articles|rejected)", line)]
    return {"peak_rss_mb": round(kb / 1024, 1), "seconds": round(wall, 2), "summary": summary}


def memory(workdir: Path) -> dict:
    from transforms.extract import MAX_TEXT_CHARS
    cases = {
        "short text (fixed part)": ("t.txt", prose(2_000), []),
        "text 100 kB": ("t.txt", prose(100_000), []),
        f"text at the limit ({MAX_TEXT_CHARS:,} characters)": ("t.txt", prose(MAX_TEXT_CHARS), []),
        "text 1 MB (over the limit: rejected)": ("t.txt", prose(1_000_000), []),
        "text 1 MB, --max-text-chars 1000000": ("t.txt", prose(1_000_000), ["--max-text-chars", "1000000"]),
        "HTML 5 MB of article paragraphs": ("p.html", article_page(5_000_000), []),
        "HTML 5 MB of markup": ("p.html", markup_page(5_000_000), []),
    }
    results = {}
    for name, (file_name, content, extra) in cases.items():
        folder = workdir / re.sub(r"\W+", "-", name)
        folder.mkdir()
        (folder / file_name).write_text(content, encoding="utf-8")
        results[name] = {"input_bytes": len(content.encode()), **peak_rss(["--input", str(folder), *extra], workdir)}
        print(f"{name:45} {results[name]['input_bytes']:>10,} B  peak {results[name]['peak_rss_mb']:7.1f} MB"
              f"  {results[name]['seconds']:6.2f} s  {'; '.join(results[name]['summary'])}", flush=True)
    return results


def drip(workdir: Path) -> dict:
    sys.path.insert(0, str(REPO))
    from tests.webserver import Site, drip as drip_route

    site = Site("127.0.0.1")
    site.add("/drip", fn=drip_route(interval=2.0, seconds=300.0))
    try:
        out = workdir / "drip-out"
        started = time.monotonic()
        proc = subprocess.run([*COMMAND, "--urls", site.url("/drip"), "--allow-private-networks", "--output", str(out)],
                              cwd=REPO, capture_output=True, text=True, timeout=900)
        wall = time.monotonic() - started
        import duckdb
        rejects = duckdb.sql(f"select reason, error from read_parquet('{out}/rejects/*/*.parquet')").fetchall()
        requests = len(site.requests("/drip"))
    finally:
        site.close()
    result = {"seconds_to_reject": round(wall, 1), "rejects": [list(r) for r in rejects], "requests": requests,
              "exit_code": proc.returncode}
    print(f"drip page (1 byte / 2 s for 5 min), default flags: {wall:.1f} s to reject, {requests} request(s), "
          f"rejects {rejects}", flush=True)
    return result


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", default="")
    ap.add_argument("--skip-drip", action="store_true", help="leave out the drip (it takes the default deadline)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        results = {"memory": memory(Path(tmp))}
        if not args.skip_drip:
            results["drip"] = drip(Path(tmp))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
