"""Read queries of the archive for people: filtered article selections, search results, statistics.

Everything here only reads. Rows stream from SQLite cursors (one article in memory at a time), so
an export of any size runs in flat memory. ``search`` owns the full-text index; this module
combines its :func:`~.search.match_sql` with the other filters.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise

import sqlite_utils

from .archive import ARTICLE_COLUMNS
from .facts import FACT_EXPORT_COLUMNS
from .search import SearchQuery, count_matches, has_index, match_sql, newest_matches, read_snapshot, snippet
from .views import export_source

# The article's own columns an export may choose, then what it adds from article_urls and url_sections.
ARTICLE_EXPORT_COLUMNS = (
    "id",
    "url",
    *ARTICLE_COLUMNS,
    "first_seen_at",
    "last_seen_at",
    "updated_at",
    "capture_id",
    "extractor_version",
)
# Oldest first; ties by URL, then by content (unique): never by id, which follows the crawl's order.
ARTICLE_ORDER = "a.published_date, a.url, a.content_hash"
COMPUTED_COLUMNS = ("urls", "sections")
SELECTABLE_COLUMNS = (*ARTICLE_EXPORT_COLUMNS, *COMPUTED_COLUMNS)
JSON_COLUMNS = ("breadcrumb", "images", "attachments", "urls", "sections")


@dataclass(frozen=True)
class ArticleFilter:
    """Which articles to read. Empty fields do not filter; several values of one field mean any of them.

    ``since`` and ``until`` are inclusive ``YYYY-MM-DD`` publish dates; ``search`` a parsed query.
    """

    since: str | None = None
    until: str | None = None
    districts: tuple[str, ...] = ()
    zones: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    search: SearchQuery | None = None

    def where(self, *, indexed: bool = True) -> tuple[str, list]:
        """Return ``(sql, params)``: a WHERE condition on ``articles a`` (``1`` when nothing filters).

        ``indexed``: whether the archive has the search index (:func:`~.search.has_index`); the
        search condition needs the connection's ``investchn_contains`` function either way.
        """
        conditions: list[str] = []
        params: list = []
        if self.since:
            conditions.append("a.published_date >= ?")
            params.append(self.since)
        if self.until:
            conditions.append("a.published_date <= ?")
            params.append(self.until)
        for column, values in (
            ("district", self.districts),
            ("zone", self.zones),
            ("source", self.sources),
            ("category", self.categories),
        ):
            if values:
                conditions.append(f"a.{column} IN ({', '.join('?' * len(values))})")
                params.extend(values)
        if self.search:
            sql, search_params = match_sql(self.search, indexed=indexed)
            # Unary + keeps SQLite from driving the query by the match list (one row lookup per
            # match, then a sort): it walks the publish-date index instead and stops at LIMIT.
            conditions.append(f"+a.id IN ({sql})")
            params.extend(search_params)
        return (" AND ".join(conditions) or "1"), params


def count_articles(db: sqlite_utils.Database, selection: ArticleFilter) -> int:
    """Return how many articles ``selection`` selects."""
    where, params = selection.where(indexed=has_index(db))
    return db.execute(f"SELECT count(*) FROM articles a WHERE {where}", params).fetchone()[0]


def iter_articles(
    db: sqlite_utils.Database, selection: ArticleFilter, columns: tuple[str, ...] = SELECTABLE_COLUMNS
) -> Iterator[dict]:
    """Yield the selected articles, oldest publish date first (then by URL), as dicts of ``columns``.

    ``columns`` are names from :data:`SELECTABLE_COLUMNS`; JSON columns come back as Python lists
    (``sections`` as ``"district/category"`` strings). Streams: one article in memory at a time.
    """
    unknown = [column for column in columns if column not in SELECTABLE_COLUMNS]
    if unknown:
        raise ValueError(f"unknown column(s): {', '.join(unknown)}")
    # The rows of the export_articles view (one definition of what an export row is); SQLite
    # computes only the chosen columns and walks the publish-date index.
    where, params = selection.where(indexed=has_index(db))
    chosen = ", ".join("a." + column for column in columns)
    cursor = db.execute(f"SELECT {chosen} FROM {export_source(db)} a WHERE {where} ORDER BY {ARTICLE_ORDER}", params)
    json_positions = [position for position, column in enumerate(columns) if column in JSON_COLUMNS]
    for values in cursor:
        row = dict(zip(columns, values, strict=True))
        for position in json_positions:
            column = columns[position]
            row[column] = json.loads(row[column]) if row[column] else []
        yield row


@dataclass
class SearchHit:
    """One search result: what ``investchn search`` shows of an article."""

    id: int
    published_date: str
    district: str | None
    zone: str | None
    title: str
    snippet: str
    marks: list[tuple[int, int]]  # (start, end) of each query word in the snippet
    url: str


@dataclass
class SearchResults:
    """The newest matching articles (at most the limit) and how many match in all."""

    total: int
    hits: list[SearchHit] = field(default_factory=list)


def search_articles(
    db: sqlite_utils.Database, selection: ArticleFilter, limit: int = 20, snippet_chars: int = 40
) -> SearchResults:
    """Return the newest ``limit`` articles that ``selection`` (with its ``search``) selects, and the total.

    Each hit carries a snippet of about ``snippet_chars`` characters around the first match in the
    body (or the body's start when only the title matches). A selection by search, dates and
    districts only is answered by the index alone (newest first, stopping after ``limit``).
    """
    query = selection.search
    if query is None:
        raise ValueError("search_articles needs a selection with a search")
    with read_snapshot(db):  # the total, the hits and their rows from one state of the archive
        if selection.zones or selection.sources or selection.categories:
            where, params = selection.where(indexed=has_index(db))
            total = count_articles(db, selection)
            ids = [
                row[0]
                for row in db.execute(
                    f"SELECT a.id FROM articles a WHERE {where} ORDER BY a.published_date DESC, a.id DESC LIMIT ?",
                    [*params, limit],
                )
            ]
        else:
            scope = {"since": selection.since, "until": selection.until, "districts": selection.districts}
            total = count_matches(db, query, **scope)
            ids = newest_matches(db, query, limit, **scope) if total else []
        rows = {
            row[0]: row
            for row in db.execute(
                f"""SELECT id, published_date, district, zone, title, body_text, url FROM articles
                    WHERE id IN ({", ".join("?" * len(ids))})""",
                ids,
            )
        }
    hits = []
    for article_id in ids:
        _, published_date, district, zone, title, body_text, url = rows[article_id]
        excerpt, marks = snippet(query, body_text or "", snippet_chars)
        hits.append(SearchHit(article_id, published_date, district, zone, title, excerpt, marks, url))
    return SearchResults(total=total, hits=hits)


# --- the web view (Datasette) -------------------------------------------------------------------

# Canned queries of the web view, by name; their titles and descriptions are in web/metadata.json.
CANNED_QUERIES = {
    "articles_per_month_per_district": """
        SELECT substr(published_date, 1, 7) AS month, district, count(*) AS articles
        FROM articles
        GROUP BY month, district
        ORDER BY month DESC, articles DESC, district""",
    "latest_articles": """
        SELECT id, published_date, district, zone, category, title, url
        FROM articles
        ORDER BY published_date DESC, url, content_hash
        LIMIT 200""",
    "duplicates_merged": """
        SELECT a.id, a.published_date, a.district, a.title, count(u.url) AS urls,
               group_concat(u.url, ' ') AS seen_at, a.first_seen_at, a.last_seen_at
        FROM articles a JOIN (SELECT article_id, url FROM article_urls ORDER BY url) u ON u.article_id = a.id
        GROUP BY a.id
        HAVING count(u.url) > 1
        ORDER BY a.published_date DESC, a.url, a.content_hash""",
    # The Atom feed (datasette-atom reads the atom_* columns): the newest 100 articles by publish
    # date, each entry updated when its record was stored, its content the body as text.
    "newest_articles": """
        SELECT 'tag:investchn,' || content_hash AS atom_id,
               title AS atom_title,
               coalesce(updated_at, first_seen_at) AS atom_updated,
               url AS atom_link,
               coalesce(published_date, '') || ' ' || coalesce(zone, district, '') || char(10)
                   || body_text AS atom_content,
               published_date, district, zone
        FROM articles
        ORDER BY sort_key DESC
        LIMIT 100""",
    # Money said to be signed or invested, summed per month and province. Only yuan are summed
    # (amounts in other currencies are not converted: they are left out, and counted apart).
    "investment_per_month_by_province": """
        SELECT month, coalesce(province, '(unresolved)') AS province,
               round(sum(CASE WHEN currency = 'CNY' THEN value END) / 1e8, 2) AS yi_yuan,
               sum(currency = 'CNY') AS amounts,
               sum(currency != 'CNY') AS other_currency_amounts,
               count(DISTINCT article_id) AS articles
        FROM amount_facts
        WHERE kind IN ('investment', 'contract') AND month IS NOT NULL
        GROUP BY month, province
        ORDER BY month DESC, yi_yuan DESC, province""",
}

# The web view's charts (datasette-dashboards): name -> SQL, each a small aggregate.
CHART_QUERIES = {
    "articles_per_month": """
        SELECT substr(published_date, 1, 7) AS month, count(*) AS articles
        FROM articles WHERE published_date IS NOT NULL
        GROUP BY month ORDER BY month""",
    "articles_per_month_by_district": """
        SELECT substr(published_date, 1, 7) AS month, coalesce(district, '(none)') AS district, count(*) AS articles
        FROM articles WHERE published_date IS NOT NULL
        GROUP BY month, district ORDER BY month, district""",
    "articles_by_zone": """
        SELECT coalesce(zone, '(none)') AS zone, count(*) AS articles
        FROM articles GROUP BY zone ORDER BY articles DESC, zone LIMIT 25""",
    # The canned query's rows (the chart draws its yi_yuan; a month and province with amounts in other
    # currencies only has none, and no bar).
    "investment_per_month_by_province": CANNED_QUERIES["investment_per_month_by_province"],
}

# --- the article's own page in the web view ------------------------------------------------------

ARTICLE_PAGE_QUERIES = {
    "article": """
        SELECT id, url, title, published_date, published_at, source, zone, district, category, body_text,
               breadcrumb, extractor_version, first_seen_at, last_seen_at, updated_at
        FROM articles WHERE id = :id""",
    "urls": "SELECT url, first_seen_at, last_seen_at FROM article_urls WHERE article_id = :id ORDER BY url",
    "sections": """
        SELECT district, category FROM article_sections WHERE article_id = :id ORDER BY district, category""",
    "versions": """
        SELECT id, title, extractor_version, valid_from, valid_until FROM article_versions
        WHERE article_id = :id ORDER BY valid_from DESC, id DESC""",
    "amounts": """
        SELECT text, value, currency, approximate, kind FROM amounts WHERE article_id = :id ORDER BY position""",
    "zone": "SELECT z.* FROM zones z JOIN articles a ON a.zone = z.name WHERE a.id = :id",
}


# The filter fields whose values people type (ArticleFilter attribute -> articles column).
FILTER_COLUMNS = {"districts": "district", "zones": "zone", "sources": "source", "categories": "category"}


def field_values(db: sqlite_utils.Database, column: str) -> list[tuple[str, int]]:
    """Return the values ``column`` (one of :data:`FILTER_COLUMNS`' columns) takes, with their article
    counts, most articles first (ties by value)."""
    if column not in FILTER_COLUMNS.values():
        raise ValueError(f"not a filter column: {column}")
    sql = (
        f"SELECT {column}, count(*) AS n FROM articles WHERE {column} IS NOT NULL AND {column} != '' "
        f"GROUP BY {column} ORDER BY n DESC, {column}"
    )
    return [(value, count) for value, count in db.execute(sql).fetchall()]


def month_facet_sql(inner_sql: str, column: str, limit: int) -> str:
    """Return SQL counting the rows of ``inner_sql`` per ``YYYY-MM`` of the date ``column``, newest first.

    ``column`` must already be quoted for SQL. Columns: ``value`` (the month) and ``count``.
    """
    return f"""SELECT substr({column}, 1, 7) AS value, count(*) AS count FROM ({inner_sql})
               WHERE {column} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]*'
               GROUP BY value ORDER BY value DESC LIMIT {int(limit)}"""


# --- statistics ---------------------------------------------------------------------------------


@dataclass
class ArchiveStats:
    """What ``investchn stats`` shows: counts per district and per month, the date range and the gaps.

    ``districts``: ``(district, articles, first date, last date)``, most articles first (district
    None for articles without one). ``months``: ``(YYYY-MM, articles)``, oldest first. ``gaps``:
    per district, ``(first missing month, last missing month, months)`` runs of months without an
    article between the district's first and last month.
    """

    articles: int
    first_date: str | None
    last_date: str | None
    districts: list[tuple[str | None, int, str, str]]
    months: list[tuple[str, int]]
    gaps: dict[str, list[tuple[str, str, int]]]


def archive_stats(db: sqlite_utils.Database, since: str | None = None, until: str | None = None) -> ArchiveStats:
    """Return the :class:`ArchiveStats` of the articles published from ``since`` to ``until`` (inclusive
    ``YYYY-MM-DD``; None: no bound), in one pass over the publish-date index each."""
    where, params = ArticleFilter(since=since, until=until).where()
    articles, first, last = db.execute(
        f"SELECT count(*), min(published_date), max(published_date) FROM articles a WHERE {where}", params
    ).fetchone()
    districts = [
        tuple(row)
        for row in db.execute(
            f"""SELECT district, count(*) AS articles, min(published_date), max(published_date)
                FROM articles a WHERE {where} GROUP BY district ORDER BY articles DESC, district""",
            params,
        )
    ]
    per_district_month = db.execute(
        f"""SELECT district, substr(published_date, 1, 7) AS month, count(*) FROM articles a
            WHERE published_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-*' AND {where}
            GROUP BY district, month ORDER BY district, month""",
        params,
    ).fetchall()
    months: dict[str, int] = {}
    present: dict[str, set[str]] = {}
    for district, month, count in per_district_month:
        months[month] = months.get(month, 0) + count
        if district is not None:
            present.setdefault(district, set()).add(month)
    return ArchiveStats(
        articles=articles,
        first_date=first,
        last_date=last,
        districts=districts,
        months=sorted(months.items()),
        gaps={district: gaps for district, found in present.items() if (gaps := month_gaps(found))},
    )


def month_gaps(months: set[str]) -> list[tuple[str, str, int]]:
    """Return the runs of missing months between the first and last of ``months`` (``YYYY-MM`` strings).

    Each run is ``(first missing, last missing, how many)``, in order.
    """
    if not months:
        return []
    ordinals = sorted(_month_ordinal(month) for month in months)
    gaps = []
    for before, after in pairwise(ordinals):
        if after - before > 1:
            gaps.append((_month_name(before + 1), _month_name(after - 1), after - before - 1))
    return gaps


def _month_ordinal(month: str) -> int:
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def _month_name(ordinal: int) -> str:
    return f"{ordinal // 12:04d}-{ordinal % 12 + 1:02d}"


# --- facts ------------------------------------------------------------------------------------


def count_amounts(db: sqlite_utils.Database, selection: ArticleFilter) -> int:
    """Return how many money amounts the selected articles hold."""
    where, params = selection.where(indexed=has_index(db))
    return db.execute(
        f"SELECT count(*) FROM amounts WHERE article_id IN (SELECT a.id FROM articles a WHERE {where})", params
    ).fetchone()[0]


def iter_amount_facts(db: sqlite_utils.Database, selection: ArticleFilter) -> Iterator[dict]:
    """Yield one dict of :data:`~.facts.FACT_EXPORT_COLUMNS` per amount in the selected articles.

    Ordered by publish date, URL, then position in the text (an order-free key: one URL, one record).
    """
    where, params = selection.where(indexed=has_index(db))
    cursor = db.execute(
        f"SELECT {', '.join(FACT_EXPORT_COLUMNS)} FROM amount_facts "
        f"WHERE article_id IN (SELECT a.id FROM articles a WHERE {where}) ORDER BY published_date, url, position",
        params,
    )
    for values in cursor:
        row = dict(zip(FACT_EXPORT_COLUMNS, values, strict=True))
        row["approximate"] = bool(row["approximate"])
        yield row


@dataclass
class FactsSummary:
    """What ``investchn stats --facts`` prints: amounts by kind and currency, and CNY investment by place."""

    amounts: int = 0
    articles_with_amounts: int = 0
    articles: int = 0
    by_kind: list[tuple[str, str, int, float]] = field(default_factory=list)  # kind, currency, amounts, sum
    investment_by_province: list[tuple[str, int, float]] = field(default_factory=list)  # province, amounts, CNY
    investment_by_zone_type: list[tuple[str, int, float]] = field(default_factory=list)
    investment_by_month: list[tuple[str, int, float]] = field(default_factory=list)
    zones: int = 0
    zones_resolved: int = 0


def facts_summary(db: sqlite_utils.Database, since: str | None = None, until: str | None = None) -> FactsSummary:
    """Return the :class:`FactsSummary` of the articles published in ``since``..``until`` (inclusive)."""
    article_conditions, params = ArticleFilter(since=since, until=until).where()
    conditions = f"article_id IN (SELECT a.id FROM articles a WHERE {article_conditions})"
    summary = FactsSummary()
    summary.amounts, summary.articles_with_amounts = db.execute(
        f"SELECT count(*), count(DISTINCT article_id) FROM amount_facts WHERE {conditions}", params
    ).fetchone()
    summary.articles = db.execute(f"SELECT count(*) FROM articles a WHERE {article_conditions}", params).fetchone()[0]
    summary.by_kind = [
        tuple(row)
        for row in db.execute(
            f"SELECT kind, currency, count(*), sum(value) FROM amount_facts WHERE {conditions} "
            "GROUP BY kind, currency ORDER BY kind, currency",
            params,
        )
    ]
    # Signed or planned investment in yuan: what an analyst sums by place. Other currencies are not
    # converted (no exchange rate is right for every date), so they are left out of these sums.
    investment = f"{conditions} AND kind IN ('investment', 'contract') AND currency = 'CNY'"
    for target, expression in (
        ("investment_by_province", "coalesce(province, '(unresolved)')"),
        ("investment_by_zone_type", "coalesce(zone_type, '(unresolved)')"),
        ("investment_by_month", "month"),
    ):
        rows = db.execute(
            f"SELECT {expression} AS key, count(*), sum(value) FROM amount_facts WHERE {investment} "
            "GROUP BY key ORDER BY key",
            params,
        )
        setattr(summary, target, [tuple(row) for row in rows])
    summary.zones, summary.zones_resolved = db.execute(
        "SELECT count(*), count(province) FROM zones WHERE name IN (SELECT DISTINCT zone FROM articles a "
        f"WHERE {article_conditions})",
        params,
    ).fetchone()
    return summary
