"""The archive as a Datasette database: Datasette's own, but for the rows it cannot count.

Datasette counts every table's rows for its database and table pages. The search index is a
contentless FTS5 table, which SQLite cannot scan: each count would fail and print an ERROR line to
the server log on an ordinary page. Its count is given as unknown instead, without asking SQLite.
"""

from __future__ import annotations

import sqlite3

from datasette.database import Database, QueryInterrupted

from ..store.search import INDEX_TABLE


class ArchiveDatabase(Database):
    """An investchn archive served by Datasette (``table_counts`` skips the search index)."""

    async def table_counts(self, limit=10):
        """Return ``{table: rows}`` as Datasette's does: None where counting timed out or cannot be done."""
        counts = {}
        for table in await self.table_names():
            if table == INDEX_TABLE:
                counts[table] = None
                continue
            try:
                result = await self.execute(f"select count(*) from [{table}]", custom_time_limit=limit)
                counts[table] = result.rows[0][0]
            except (QueryInterrupted, sqlite3.OperationalError, sqlite3.DatabaseError):
                counts[table] = None
        return counts
