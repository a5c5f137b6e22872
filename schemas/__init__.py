"""Record types and their Arrow schemas: the single source of truth for every stage and table."""
from schemas.document import Document, Reject
from schemas.arrow import (ARTICLE_SCHEMA, PARTITION_KEY, REJECT_SCHEMA, SIGNATURE_SCHEMA, SIGNATURES_FOLDER, TABLES,
                           article_row, file_schema, reject_row, signature_row)

__all__ = ["Document", "Reject", "ARTICLE_SCHEMA", "REJECT_SCHEMA", "SIGNATURE_SCHEMA", "SIGNATURES_FOLDER", "TABLES",
           "PARTITION_KEY", "article_row", "file_schema", "reject_row", "signature_row"]
