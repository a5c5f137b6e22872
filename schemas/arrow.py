"""Arrow schemas of the output tables, built from one column table that also documents them.

`python -m schemas` prints the tables as Markdown (the README's schema section is that output).
"""
from __future__ import annotations

import pyarrow as pa

from schemas.document import Document, Reject

_TS = pa.timestamp("us", tz="UTC")

# (column, arrow type, meaning). Order here is column order in the files.
ARTICLE_COLUMNS = [
    ("id", pa.string(), "Stable id: hash of the canonical URL (or of the text when there is no URL); the same article gets the same id on every run."),
    ("url", pa.string(), "Canonical URL; file:// URI for a local file; the record's url for JSONL."),
    ("source", pa.string(), "Kind of input: file, feed, sitemap, http, warc or jsonl."),
    ("title", pa.string(), "Headline."),
    ("authors", pa.list_(pa.string()), "Author names, one per element."),
    ("published_at", _TS, "Publication time in UTC, when known."),
    ("date", pa.string(), "Partition date YYYY-MM-DD: published_at's date, else the ingestion date."),
    ("date_source", pa.string(), "Where `date` came from: html, feed, sitemap, input, header, url or ingested."),
    ("fetched_at", _TS, "When the document was captured (fetch time; a local file's modification time)."),
    ("site_name", pa.string(), "Publisher or site name."),
    ("description", pa.string(), "Summary from page or feed metadata."),
    ("is_accessible_for_free", pa.bool_(), "Paywall flag: schema.org `isAccessibleForFree` of the page (JSON-LD, "
     "microdata, meta tags); false when paywalled, null when the page says nothing."),
    ("text", pa.string(), "Clean article text, paragraphs separated by blank lines."),
    ("language", pa.string(), "ISO 639-1 code of the main language, or 'und'."),
    ("language_confidence", pa.float32(), "Confidence of `language`, 0 to 1."),
    ("languages", pa.list_(pa.struct([("lang", pa.string()), ("share", pa.float32())])), "Languages present with their share of characters."),
    ("is_mixed_language", pa.bool_(), "True when a segment in another language carries real content."),
    ("segments", pa.list_(pa.struct([("start", pa.int32()), ("end", pa.int32()), ("lang", pa.string())])), "Character spans of `text` with their language; they cover the text."),
    ("content_hash", pa.string(), "Hash of the normalised text (exact-duplicate key)."),
    ("cluster_id", pa.string(), "Id shared by an article and all its copies (the kept article's id)."),
    ("duplicate_of", pa.string(), "Id of the kept article; null in articles."),
    ("boilerplate_removed_chars", pa.int32(), "Characters removed as boilerplate after extraction."),
]

REJECT_COLUMNS = [
    ("id", pa.string(), "Stable id of the reject (hash of input, record number, stage and reason)."),
    ("url", pa.string(), "URL or file:// URI of the record."),
    ("source", pa.string(), "Kind of input: file, feed, sitemap, http, warc or jsonl."),
    ("stage", pa.string(), "Stage that rejected it: read, fetch, extract, clean, language."),
    ("reason", pa.string(), "Short machine-readable reason, e.g. empty_input, bad_json, timeout, http_status, no_text."),
    ("error", pa.string(), "Human-readable detail."),
    ("date", pa.string(), "Partition date YYYY-MM-DD (publication date if known, else ingestion date)."),
    ("fetched_at", _TS, "When the record was captured."),
    ("input", pa.string(), "Path or URL the record came from: enough to retry it."),
    ("record_number", pa.int64(), "Line or entry number inside `input`, when it holds several records."),
    ("payload", pa.string(), "The raw record (one JSONL line, one feed entry), when it was part of a larger input."),
    ("http_status", pa.int32(), "HTTP status of a failed fetch, when the server answered."),
]


# Near-duplicate state for later runs (not an output table for users): one row per document
# written, under OUTPUT/_state/signatures/date=<run date>/.
SIGNATURES_FOLDER = "_state/signatures"
SIGNATURE_COLUMNS = [
    ("id", pa.string(), "Id of the article or copy."),
    ("cluster_id", pa.string(), "Its cluster (the kept article's id)."),
    ("published_at", _TS, "Publication time, for the kept-article rule."),
    ("fetched_at", _TS, "Capture time, for the kept-article rule."),
    ("content_hash", pa.string(), "Hash of the normalised text."),
    ("shingles", pa.list_(pa.uint32()), "Sorted distinct word-shingle hashes."),
    ("numbers", pa.list_(pa.string()), "Numbers of the text (a next edition differs in them)."),
    ("names", pa.list_(pa.string()), "Names of the text."),
    ("keys", pa.list_(pa.uint64()), "LSH band keys and the exact-text key."),
]


def _schema(columns) -> pa.Schema:
    return pa.schema([pa.field(name, typ) for name, typ, _ in columns])


ARTICLE_SCHEMA = _schema(ARTICLE_COLUMNS)
REJECT_SCHEMA = _schema(REJECT_COLUMNS)
SIGNATURE_SCHEMA = _schema(SIGNATURE_COLUMNS)
# Output folders and their schemas. `date` is the Hive partition key: it lives in the folder
# name (date=YYYY-MM-DD), not inside the files, because Spark refuses a column that is both.
PARTITION_KEY = "date"
TABLES = {"articles": ARTICLE_SCHEMA, "duplicates": ARTICLE_SCHEMA, "rejects": REJECT_SCHEMA}


def file_schema(table: str) -> pa.Schema:
    schema = TABLES[table]
    return schema.remove(schema.get_field_index(PARTITION_KEY))


def article_row(doc: Document) -> dict:
    return {name: getattr(doc, name) for name in ARTICLE_SCHEMA.names}


def reject_row(rej: Reject) -> dict:
    return {name: getattr(rej, name) for name in REJECT_SCHEMA.names}


def signature_row(features) -> dict:
    """A row of SIGNATURE_SCHEMA from near-duplicate features (transforms/dedup/minhash.Features)."""
    return {name: getattr(features, name) for name in SIGNATURE_SCHEMA.names}


def markdown() -> str:
    out = []
    for title, cols in (("articles and duplicates", ARTICLE_COLUMNS), ("rejects", REJECT_COLUMNS)):
        out += [f"**{title}**", "", "| column | type | meaning |", "|---|---|---|"]
        out += [f"| `{n}` | `{t}` | {m} |" for n, t, m in cols]
        out.append("")
    return "\n".join(out)
