"""Builds realistic wire-story sets from real article texts, for the near-duplicate benchmark.

Each base article gets republished copies with the edits syndication makes, in varied strengths:
  light    - new headline, dateline dropped, a few copy edits, outlet boilerplate, an inline ad (>= 90% kept)
  trimmed  - the last paragraphs cut (50-85% kept), plus light edits
  intro    - a local intro paragraph added on top, plus light edits
  edited   - heavier copy edits (about 8% of words changed or dropped) and a trimmed end
  brief    - the first two or three paragraphs only, under a new headline
and hard negatives that must not be merged:
  next_edition - the same wording with new figures and other names (tomorrow's market report)
  shared_para  - two different stories that each quote the same background paragraph
The generator is seeded: the same sources give the same corpus.
"""
from __future__ import annotations

import gzip
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

BOILERPLATE = ["Follow us on social media for the latest news.", "ADVERTISEMENT",
               "Sign up for our morning newsletter.", "© 2024 The Daily Courier. All rights reserved.",
               "This story was first published by a news agency.", "Advertisement",
               "Read more stories like this on our website."]
SWAPS = {"said": "stated", "says": "states", "told": "informed", "about": "around", "also": "additionally",
         "but": "however", "big": "large", "show": "indicate", "start": "begin", "help": "assist",
         "more": "further", "many": "numerous", "people": "individuals", "before": "prior to", "after": "following"}
_NUM = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<=[a-z,;] )[A-Z][a-z]{2,}")


@dataclass
class Item:
    id: str
    text: str
    group: str  # base article id: copies share it
    kind: str  # original, light, trimmed, intro, edited, brief, next_edition, shared_para


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def load_sources(shared: Path) -> list[str]:
    texts = []
    gt = shared / "eval" / "article-extraction-benchmark" / "ground-truth.json"
    if gt.is_file():
        texts += [v["articleBody"] for v in json.loads(gt.read_text(encoding="utf-8")).values()]
    fundus = shared / "eval" / "warc" / "fundus-news-expected.jsonl"
    if fundus.is_file():
        with open(fundus, encoding="utf-8") as f:
            texts += [json.loads(line)["body"] for line in f if line.strip()]
    # Long enough to be a wire story with a body to trim.
    return [t for t in texts if len(paragraphs(t)) >= 5 and len(t.split()) >= 150]


def copy_edit(rng: random.Random, paras: list[str], rate: float) -> list[str]:
    out = []
    for p in paras:
        words = p.split()
        for i, w in enumerate(words):
            if rng.random() < rate:
                key = w.lower().strip(".,")
                if key in SWAPS:
                    words[i] = SWAPS[key]
                elif rng.random() < 0.5 and not any(c.isdigit() for c in w):
                    words[i] = ""  # a word cut
        out.append(" ".join(w for w in words if w))
    return out


def light(rng, paras, headline):
    paras = list(paras)
    paras[0] = re.sub(r"^[A-Z][A-Za-z .,]{2,40}\s*(\([^)]{1,30}\))?\s*[—–-]\s*", "", paras[0])  # dateline
    paras = copy_edit(rng, paras, 0.01)
    at = rng.randrange(1, len(paras))
    paras.insert(at, rng.choice(BOILERPLATE[:2] + BOILERPLATE[5:6]))
    return [headline] + paras + [rng.choice(BOILERPLATE)]


def next_edition(rng, text, names):
    text = _NUM.sub(lambda m: str(rng.randrange(2, 999)) if not m.group().startswith("20") else m.group(), text)
    return _NAME.sub(lambda m: rng.choice(names) if rng.random() < 0.7 else m.group(), text)


def build(sources: list[str], seed: int = 7) -> list[Item]:
    rng = random.Random(seed)
    names = sorted({m for t in sources for m in _NAME.findall(t)})[:2000] or ["Smith"]
    order = list(range(len(sources)))
    rng.shuffle(order)
    # A quarter of the sources are held out: the shared-paragraph stories and the local intros
    # are made of them, so they are not copies of anything else in the corpus.
    held_out = [sources[i] for i in order[: len(sources) // 4]]
    sources = [sources[i] for i in sorted(order[len(sources) // 4:])]
    items: list[Item] = []
    for n, text in enumerate(sources):
        paras = paragraphs(text)
        base = f"s{n:04d}"
        headline = f"Headline {rng.randrange(10**6)}: " + " ".join(paras[0].split()[:6])
        items.append(Item(base, "\n\n".join(paras), base, "original"))
        variants = {
            "light": light(rng, paras, headline),
            "trimmed": light(rng, paras[: max(3, int(len(paras) * rng.uniform(0.5, 0.85)))], headline),
            # A local intro is the outlet's own paragraph: taken from a held-out text, not from the corpus.
            "intro": light(rng, [rng.choice(paragraphs(rng.choice(held_out)))] + paras, headline),
            "edited": [headline] + copy_edit(rng, paras[: max(3, int(len(paras) * rng.uniform(0.7, 1.0)))], 0.08),
            "brief": [headline] + paras[: rng.choice([2, 3])],
        }
        for kind, body in variants.items():
            items.append(Item(f"{base}-{kind}", "\n\n".join(body), base, kind))
        if len(_NUM.findall(text)) >= 3:
            items.append(Item(f"{base}-next", next_edition(rng, "\n\n".join(paras), names), f"{base}-next", "next_edition"))
    # Two unrelated stories quoting one background paragraph (of a story in the corpus).
    for k in range(len(held_out) // 2):
        a, b = held_out[2 * k], held_out[2 * k + 1]
        shared = rng.choice(paragraphs(rng.choice(sources)))
        for side, src in (("a", a), ("b", b)):
            paras = paragraphs(src)[:4]
            paras.insert(rng.randrange(1, len(paras)), shared)
            items.append(Item(f"bg{k:03d}{side}", "\n\n".join(paras), f"bg{k:03d}{side}", "shared_para"))
    return items


def write_jsonl(items: list[Item], path: Path) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for it in items:
            f.write(json.dumps({"url": f"https://wire.example/{it.id}", "text": it.text, "group": it.group,
                                "kind": it.kind}) + "\n")
