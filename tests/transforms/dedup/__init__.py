"""Texts and documents the near-duplicate tests share: a wire story, its copies, and market
reports that differ only in their figures."""
from datetime import datetime, timedelta, timezone

import apache_beam as beam

from tests.conftest import make_doc
from transforms.dedup import Deduplicate, ReadSignatures, Written
from transforms.dedup.minhash import features
from transforms.utils.ids import content_hash

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)

STORY = [
    "GENEVA (Wire) — Negotiators from 31 countries agreed on Tuesday on a shared set of rules for tracking plastic "
    "waste shipped across borders, ending two weeks of talks that at times looked close to collapse.",
    "Under the agreement, every container of plastic scrap will carry a digital record of its origin, its contents "
    "and the facility that is meant to receive it, and ports may refuse cargo whose record is missing.",
    "Environmental groups have long argued that mixed plastic exported for recycling often ends up burned or dumped "
    "in the open, and that the new records are meant to make that much harder to hide from regulators.",
    "\"This is not the end of plastic pollution,\" said Amara Osei, who chaired the final session of the talks "
    "that began in 2019 and were delayed twice, in 2021 and 2023.",
    "Several exporting countries had resisted a requirement to publish the records, arguing it would expose "
    "commercial information to competitors; the compromise keeps them private for three years.",
    "The rules take effect in January 2027, and countries that fail to comply could lose access to a fund of "
    "450 million dollars that helps build recycling plants.",
]
MARKET = ("Shares in Northland rose 2.4 percent to 18.35 on Monday as trading volume reached 1.2 million, while the "
          "index closed 0.8 percent higher at 7,415 points. Analysts at Baird said 12 of the 40 stocks gained more "
          "than 3 percent, and the currency traded at 1.0842 against the dollar by 17:30 local time.")
NEXT_DAY = ("Shares in Northland fell 1.1 percent to 18.15 on Tuesday as trading volume reached 0.9 million, while the "
            "index closed 0.3 percent lower at 7,392 points. Analysts at Baird said 7 of the 40 stocks gained more "
            "than 3 percent, and the currency traded at 1.0817 against the dollar by 17:30 local time.")


def text(paragraphs):
    return "\n\n".join(paragraphs)


def f(doc_id, body):
    return features(doc_id, body, content_hash(body))


def wire_docs():
    def d(url, body, hours):
        doc = make_doc(text=body, url=url, published_at=T0 + timedelta(hours=hours))
        doc.date, doc.content_hash = "2024-01-01", content_hash(body)
        return doc
    return [d("https://wire.example/story", text(STORY), 1), d("https://paper.example/brief", text(STORY[:2]), 3),
            d("https://other.example/edited", text(["Plastic deal reached"] + STORY[1:]), 2),
            d("https://market.example/mon", MARKET, 1), d("https://market.example/tue", NEXT_DAY, 25)]


def run_dedup(p, items, out_dir, run_date=T0.date()):
    signatures = p | "S" >> ReadSignatures(out_dir, run_date)
    return p | beam.Create(items) | Deduplicate(Written(out_dir, run_date), signatures)
