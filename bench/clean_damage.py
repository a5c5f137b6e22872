"""What the clean stage removes from text that is all article: the gold bodies of the article
benchmark and the fundus pages (a page's own gold authors given, as extraction would give them).

    python -m bench.clean_damage [--shared ../shared] [--show N]

Every line removed here is either boilerplate the gold kept (AEB's gold keeps tweet signatures
and copyright lines) or article text lost: the list says which.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from bench.extraction import DEFAULT_SHARED, pages_of
from transforms.clean import clean_text


def removed_lines(pages: dict) -> tuple[list[tuple[str, str]], int, int]:
    """([(set, line removed)], lines, characters) over every gold body."""
    removed, lines_seen, chars_seen = [], 0, 0
    for name, found in pages.items():
        for page in found:
            gold = page.gold["articleBody"] if name == "aeb" else page.gold["body"]
            lines = [line.strip() for line in gold.split("\n") if line.strip()]
            kept = {line.strip() for line in clean_text("\n\n".join(lines), page.gold.get("authors") or []).text.split("\n")}
            lines_seen += len(lines)
            chars_seen += sum(map(len, lines))
            removed += [(name, line) for line in lines if line not in kept]
    return removed, lines_seen, chars_seen


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(DEFAULT_SHARED))
    ap.add_argument("--show", type=int, default=100, help="removed lines to list")
    args = ap.parse_args(argv)
    removed, lines, chars = removed_lines(pages_of(Path(args.shared) / "eval", ("aeb", "fundus")))
    lost = sum(len(line) for _, line in removed)
    print(f"gold lines removed: {len(removed)} of {lines}; characters {lost} of {chars} ({lost / chars:.4%})")
    for name, line in removed[:args.show]:
        print(f"  {name:7} {line[:120]}")


if __name__ == "__main__":
    main()
