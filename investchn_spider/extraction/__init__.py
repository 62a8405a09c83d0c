"""Pure extraction: page bytes in, article record out. Imports neither Scrapy nor SQLite."""

from .article import EXTRACTOR_VERSION, RECORD_FIELDS, content_hash, extract_article, extract_from_document
from .decode import charset_from_content_type, decode_html
from .document import Document, NotAnArticle, parse_count, parse_document

__all__ = [
    "EXTRACTOR_VERSION",
    "RECORD_FIELDS",
    "Document",
    "NotAnArticle",
    "charset_from_content_type",
    "content_hash",
    "decode_html",
    "extract_article",
    "extract_from_document",
    "parse_count",
    "parse_document",
]
