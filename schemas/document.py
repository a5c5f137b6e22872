"""The records that flow through the pipeline.

One `Document` travels from a reader to the writer; each stage fills in its fields.
A record that fails a stage becomes a `Reject` carrying what is needed to retry it.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional


@dataclass
class Document:
    url: str
    source: str  # file, feed, sitemap, http, warc, jsonl
    fetched_at: datetime  # UTC; for local files the file's modification time (deterministic reruns)
    input: str = ""  # where it came from (path or URL): enough to retry it
    record_number: Optional[int] = None  # line or entry number inside `input`, when it holds several records
    # Payload waiting for extraction: HTML (bytes or str) or plain text.
    content: Optional[object] = None
    content_type: str = "text/plain"
    id: str = ""
    title: Optional[str] = None
    authors: list = field(default_factory=list)
    site_name: Optional[str] = None
    description: Optional[str] = None
    # schema.org isAccessibleForFree of the page (or the JSONL record): False when paywalled, None when unsaid.
    is_accessible_for_free: Optional[bool] = None
    text: str = ""
    # Candidate publication dates by where they came from ('html', 'feed', 'header', 'input', 'url').
    date_hints: dict = field(default_factory=dict)
    published_at: Optional[datetime] = None
    date: str = ""
    date_source: str = ""
    # A sitemap's news:language: the language when the text is too short to tell (not a column).
    language_hint: Optional[str] = None
    language: str = "und"
    language_confidence: float = 0.0
    languages: list = field(default_factory=list)  # [{'lang': str, 'share': float}]
    segments: list = field(default_factory=list)  # [{'start': int, 'end': int, 'lang': str}]
    is_mixed_language: bool = False
    content_hash: str = ""
    cluster_id: Optional[str] = None
    duplicate_of: Optional[str] = None
    boilerplate_removed_chars: int = 0

    def replace(self, **changes) -> "Document":
        return dataclasses.replace(self, **changes)


@dataclass
class Reject:
    id: str
    url: str
    source: str
    stage: str
    reason: str
    error: str
    date: str
    fetched_at: datetime
    input: str = ""
    record_number: Optional[int] = None
    payload: Optional[str] = None  # the raw record when it was one line or entry of a larger input
    http_status: Optional[int] = None
