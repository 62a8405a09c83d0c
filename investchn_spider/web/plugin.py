"""The Datasette plugin of ``investchn serve``: search of any length on the articles table, a month facet.

Registered by :func:`investchn_spider.web.serve` for its own Datasette only (not through an entry
point, so other Datasette instances on the machine are unaffected).

- ``?_search=`` on ``articles`` is answered by the archive's own search (``store.search``): words of
  one or two characters work too, and the result is exactly the CLI's (articles another program
  changed since they were indexed included: the SQL functions it needs are registered on every
  connection). Datasette's built-in FTS
  search does not apply: the index is contentless, so Datasette does not take it for the table's.
- ``{"month": "published_date"}`` facets by ``YYYY-MM``; a month's link filters with
  ``published_date__startswith``.
- Cells of the article tables (``cells.py``): body text as a snippet, search words marked.
- The article's own page (``articles`` row): title, meta, body as paragraphs, its URLs, sections,
  earlier versions and money amounts (``templates/row.html``, data from ``store.queries``).
- ``.xlsx`` downloads (``xlsx.py``).
"""

from __future__ import annotations

import contextvars
import sqlite3
from urllib.parse import parse_qs

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.filters import FilterArguments
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

from ..store.queries import ARTICLE_PAGE_QUERIES, month_facet_sql
from ..store.search import INDEX_TABLE, SearchError, match_sql_named, parse_query, register_functions
from . import cells, xlsx

SEARCH_TABLE = "articles"
# The search words of the request being answered: render_cell is not given the request in
# Datasette 0.65, so the ASGI wrapper below sets them for the request's task.
_SEARCH_WORDS: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("investchn_search", default=())


@hookimpl
def prepare_connection(conn):
    """Register the SQL functions of exact search on each of Datasette's connections."""
    register_functions(conn)


@hookimpl(trylast=True)  # last, so its supports_search wins over Datasette's "no FTS table here"
def filters_from_request(request, database, table, datasette):
    """Return the where clause of ``?_search=`` on the articles table of an investchn archive."""
    if table != SEARCH_TABLE:
        return None

    async def inner():
        db = datasette.get_database(database)
        indexed = await db.table_exists(INDEX_TABLE)  # archives of schema 1 have none: every article is tested
        text = request.args.get("_search", "")
        context = {"supports_search": True, "search": text}
        try:
            query = parse_query(text)
        except SearchError:  # no words: no search, the table as is
            return FilterArguments([], extra_context=context)
        sql, params = match_sql_named(query, "investchn_search", indexed=indexed)
        # The unary + keeps SQLite from fetching and sorting every match: it walks the table's
        # order (newest first) testing membership, and stops when the page is full.
        return FilterArguments(
            [f"+id IN ({sql})"],
            params,
            human_descriptions=["title or body contains " + " and ".join(f'"{word}"' for word in query.words)],
            extra_context=context,
        )

    return inner


@hookimpl
def register_facet_classes():
    """Return the month facet."""
    return [MonthFacet]


class MonthFacet(Facet):
    """Counts of rows per month of a ``YYYY-MM-DD`` column, newest month first."""

    type = "month"

    async def suggest(self):
        """Return no suggestions: the metadata turns this facet on where it makes sense."""
        return []

    async def facet_results(self):
        """Return ``(facets, timed_out)`` as Datasette's facets do: one facet per configured column."""
        results, timed_out = [], []
        selected_args = dict(self.get_querystring_pairs())
        size = self.get_facet_size()
        for config in self.get_configs():
            column = config["config"].get("column") or config["config"]["simple"]
            try:
                rows = await self.ds.execute(
                    self.database,
                    month_facet_sql(self.sql, escape_sqlite(column), size + 1),
                    self.params,
                    truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except QueryInterrupted:
                timed_out.append(column)
                continue
            key = f"{column}__startswith"  # Datasette's own filter: the month's link is a plain filter
            values = []
            for row in rows.rows[:size]:
                selected = selected_args.get(key) == row["value"]
                change = path_with_removed_args if selected else path_with_added_args
                values.append(
                    {
                        "value": row["value"],
                        "label": row["value"],
                        "count": row["count"],
                        "toggle_url": self.ds.absolute_url(self.request, change(self.request, {key: row["value"]})),
                        "selected": selected,
                    }
                )
            results.append(
                {
                    "name": column,
                    "type": self.type,
                    "results": values,
                    "hideable": config["source"] != "metadata",
                    "toggle_url": path_with_removed_args(self.request, {"_facet_month": column}),
                    "truncated": len(rows.rows) > size,
                }
            )
        return results, timed_out


@hookimpl
def asgi_wrapper(datasette):
    """Return a wrapper that makes each request's ``_search`` words known to :func:`render_cell`."""

    def wrap(app):
        async def with_search_words(scope, receive, send):
            words: tuple[str, ...] = ()
            if scope.get("type") == "http":
                text = parse_qs(scope.get("query_string", b"").decode("utf-8", "replace")).get("_search", [""])[0]
                try:
                    words = parse_query(text).words
                except SearchError:
                    words = ()
            token = _SEARCH_WORDS.set(words)
            try:
                await app(scope, receive, send)
            finally:
                _SEARCH_WORDS.reset(token)

        return with_search_words

    return wrap


@hookimpl
def render_cell(value, column, table, database, datasette):
    """Return the HTML of a cell of an article table (snippet, marks), or None for Datasette's own."""
    if table not in cells.ARTICLE_TABLES:
        return None
    return cells.render_article_cell(column, value, _SEARCH_WORDS.get())


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    """Return the article page's data (``article_page``) for the row page of an article, else nothing."""
    if view_name != "row" or table != SEARCH_TABLE:
        return None

    async def inner():
        from datasette.utils import urlsafe_components

        try:
            (article_id,) = urlsafe_components(request.url_vars["pks"])
            article_id = int(article_id)
        except (KeyError, ValueError):
            return {}
        db = datasette.get_database(database)
        page = {}
        for name, sql in ARTICLE_PAGE_QUERIES.items():
            try:
                result = await db.execute(sql, {"id": article_id})
            except sqlite3.OperationalError:  # an archive without the facts tables: that part is left out
                page[name] = None
                continue
            page[name] = [dict(row) for row in result.rows]
        if not page.get("article"):
            return {}
        page["article"] = page["article"][0]
        page["paragraphs"] = [line for line in (page["article"]["body_text"] or "").split("\n") if line.strip()]
        page["zone"] = page["zone"][0] if page.get("zone") else None
        return {"article_page": page}

    return inner


@hookimpl
def register_output_renderer(datasette):
    """Return the ``.xlsx`` renderer."""
    return {"extension": "xlsx", "render": xlsx.render, "can_render": xlsx.can_render}
