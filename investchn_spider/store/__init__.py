"""The SQLite archive: the only package that knows the schema or speaks SQL. Knows nothing of Scrapy.

``archive`` holds the schema and the crawl's reads and writes; ``search`` the full-text index.
"""

from .archive import ARTICLE_COLUMNS, SCHEMA_VERSION, Archive, ArchiveError, Capture, utc_now

__all__ = ["ARTICLE_COLUMNS", "SCHEMA_VERSION", "Archive", "ArchiveError", "Capture", "utc_now"]
