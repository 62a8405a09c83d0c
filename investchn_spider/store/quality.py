"""Read queries of extraction quality: fill rates, lines recurring across bodies, likely mis-extracted articles.

Everything here only reads, and every figure is a function of the archive's rows alone (never of
the order they were written in): counts are SQL aggregates, lists are sorted with a total order.
``investchn quality``, the Quality section of ``investchn stats`` and the crawl's fill-rate drift
check (:func:`run_fill_comparison`) read the archive through this module.
"""

from __future__ import annotations

import heapq
import json
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby

import sqlite_utils

from .queries import ArticleFilter

# A body shorter than this many characters is "very short": a real zone-news article has a few
# sentences (the replica's shortest is over 200), so under 80 the extractor most likely lost the body
# or kept only a caption.
SHORT_BODY_CHARS = 80
PHOTO_CATEGORY = "图片新闻"

# Lines recurring in many bodies: a normalised line of 2 to RECURRING_MAX_CHARS characters found in
# at least RECURRING_SHARE of a district's bodies, and in at least RECURRING_MIN_BODIES of them.
# Chrome that leaked into bodies (a share bar, an editor's credit, a counter) is short and repeats;
# the prose of articles does not.
RECURRING_SHARE = 0.2
RECURRING_MIN_BODIES = 5
RECURRING_MAX_CHARS = 100

# Likely mis-extracted: a body this many times the archive's median length (and over LONG_BODY_CHARS)
# probably swallowed a list or a page's furniture.
LONG_BODY_FACTOR = 8
LONG_BODY_CHARS = 3000
# A field "most of the district has": filled in at least this share of the district's articles.
DISTRICT_MAJORITY = 0.8
# A title shared by at least this many articles is the site's or a section's name, not an article's.
SHARED_TITLE_ARTICLES = 3
# Words of the portal's trail that are never an article's title.
TRAIL_WORDS = frozenset({"首页", "开发区新闻", "您现在的位置", "正文"})


@dataclass(frozen=True)
class QualityField:
    """One checked field: its key, its label (the gap), what filled means, and SQL over ``articles a`` saying
    when it applies and when it is missing."""

    key: str
    label: str
    filled: str
    applies_sql: str
    missing_sql: str


_EMPTY_LIST = "coalesce(a.images, '') IN ('', '[]')"
FIELDS = (
    QualityField("source", "no 来源 (source)", "来源 (source)", "1", "coalesce(a.source, '') = ''"),
    QualityField("zone", "no 发布开发区 (zone)", "发布开发区 (zone)", "1", "coalesce(a.zone, '') = ''"),
    QualityField(
        "time", "no time of day (published_at)", "time of day (published_at)", "1", "coalesce(a.published_at, '') = ''"
    ),
    QualityField("district", "no district (breadcrumb)", "district (breadcrumb)", "1", "coalesce(a.district, '') = ''"),
    QualityField(
        "short_body",
        f"body under {SHORT_BODY_CHARS} characters",
        f"a body of {SHORT_BODY_CHARS}+ characters",
        "1",
        f"length(coalesce(a.body_text, '')) < {SHORT_BODY_CHARS}",
    ),
    QualityField(
        "photo_image",
        f"{PHOTO_CATEGORY} without an image",
        f"an image ({PHOTO_CATEGORY})",
        f"a.category = '{PHOTO_CATEGORY}'",
        _EMPTY_LIST,
    ),
)
FIELD_KEYS = tuple(f.key for f in FIELDS)
# The gaps that make an article "incomplete" (a time of day is often not shown at all by the site).
INCOMPLETE_KEYS = ("source", "zone", "district", "short_body", "photo_image")


@dataclass
class FillRates:
    """How complete a set of articles is: ``articles`` in all; per field key, ``missing`` of ``eligible``.

    ``eligible`` is the articles the field applies to (all of them, but only 图片新闻 for
    ``photo_image``); ``incomplete`` the articles missing any field of :data:`INCOMPLETE_KEYS`.
    """

    articles: int = 0
    missing: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELD_KEYS, 0))
    eligible: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELD_KEYS, 0))
    incomplete: int = 0

    def missing_share(self, key: str) -> float | None:
        """Return the share (0..1) of the eligible articles missing field ``key``; None when none is eligible."""
        return self.missing[key] / self.eligible[key] if self.eligible[key] else None

    def as_dict(self) -> dict:
        """Return the rates as JSON-able data: articles, incomplete, and per field missing/eligible/share."""
        return {
            "articles": self.articles,
            "incomplete": self.incomplete,
            "fields": {
                key: {"missing": self.missing[key], "eligible": self.eligible[key], "share": self.missing_share(key)}
                for key in FIELD_KEYS
            },
        }


def _flag_columns() -> str:
    """Return the per-row flags: ``m_<key>`` (the field applies and is missing) and ``e_<key>`` (it applies)."""
    parts = []
    for f in FIELDS:
        parts.append(f"(({f.applies_sql}) AND ({f.missing_sql})) AS m_{f.key}")
        parts.append(f"({f.applies_sql}) AS e_{f.key}")
    return ", ".join(parts)


def _sums() -> str:
    """Return the SELECT list of a :class:`FillRates` row over the flags: count, missing and eligible per
    field, incomplete."""
    parts = ["count(*)"]
    for f in FIELDS:
        parts += [f"coalesce(sum(m_{f.key}), 0)", f"coalesce(sum(e_{f.key}), 0)"]
    parts.append(f"coalesce(sum({' OR '.join(f'm_{key}' for key in INCOMPLETE_KEYS)}), 0)")
    return ", ".join(parts)


def _grouped_rates(db: sqlite_utils.Database, group: str, tables: str, where: str, params: list) -> list[tuple]:
    """Return ``(group value, FillRates)`` per value of the SQL expression ``group``, in its order.

    The flags are computed once per article into a materialized table of small rows: summed
    straight from ``articles``, SQLite would measure each body once per expression that reads it.
    """
    rows = db.execute(
        f"""WITH f AS MATERIALIZED (SELECT {group} AS grp, {_flag_columns()} FROM {tables} WHERE {where})
            SELECT grp, {_sums()} FROM f GROUP BY grp ORDER BY grp""",
        params,
    )
    return [(row[0], _rates(row[1:])) for row in rows]


def _rates(values) -> FillRates:
    articles, *rest = values
    rates = FillRates(articles=articles, incomplete=rest[-1])
    for number, key in enumerate(FIELD_KEYS):
        rates.missing[key] = rest[2 * number]
        rates.eligible[key] = rest[2 * number + 1]
    return rates


def fill_rates(db: sqlite_utils.Database, selection: ArticleFilter | None = None) -> FillRates:
    """Return the :class:`FillRates` of the articles ``selection`` selects (all of them by default)."""
    where, params = (selection or ArticleFilter()).where()
    found = _grouped_rates(db, "0", "articles a", where, params)
    return found[0][1] if found else FillRates()


def fill_rates_by_month(
    db: sqlite_utils.Database, selection: ArticleFilter | None = None
) -> list[tuple[str, FillRates]]:
    """Return ``(YYYY-MM, FillRates)`` per publish month of the selected articles, oldest first."""
    where, params = (selection or ArticleFilter()).where()
    return _grouped_rates(db, "substr(a.published_date, 1, 7)", "articles a", where, params)


@dataclass
class RunFill:
    """The fill rates of the articles whose current record a run stored (from a page it captured)."""

    run_id: int
    started_at: str | None
    status: str | None
    rates: FillRates


def fill_rates_by_run(
    db: sqlite_utils.Database, selection: ArticleFilter | None = None, limit: int = 5
) -> list[RunFill]:
    """Return the :class:`RunFill` of the latest ``limit`` runs that stored records, newest first.

    An article belongs to the run that captured the page its current record was extracted from
    (``articles.capture_id`` → ``captures.run_id``); articles stored without a capture belong to none.
    """
    where, params = (selection or ArticleFilter()).where()
    tables = "articles a JOIN captures c ON c.id = a.capture_id"
    found = _grouped_rates(db, "c.run_id", tables, f"c.run_id IS NOT NULL AND {where}", params)
    latest = found[::-1][:limit] if limit else []
    runs = {
        row[0]: row[1:]
        for row in db.execute(
            f"SELECT id, started_at, status FROM runs WHERE id IN ({', '.join('?' * len(latest))})",
            [run_id for run_id, _ in latest],
        )
    }
    return [RunFill(run_id, *runs.get(run_id, (None, None)), rates) for run_id, rates in latest]


def run_fill_comparison(db: sqlite_utils.Database, run_id: int) -> tuple[FillRates, FillRates]:
    """Return ``(this run, history)``: the fill rates of the articles whose record run ``run_id`` stored,
    and of the articles whose record an earlier run (or no run) stored.

    What the crawl's fill-rate drift check compares (see ``report.judge``); articles, not pages, so
    a repost fetched twice counts once, whatever the order its pages came in.
    """
    tables = "articles a LEFT JOIN captures c ON c.id = a.capture_id"
    rows = _grouped_rates(db, "coalesce(c.run_id, 0) = ?", tables, "coalesce(c.run_id, 0) <= ?", [run_id, run_id])
    found = {bool(this_run): rates for this_run, rates in rows}
    return found.get(True, FillRates()), found.get(False, FillRates())


# --- lines recurring in bodies -------------------------------------------------------------------

_DIGITS = re.compile(r"\d+")


def normalise_line(line: str) -> str:
    """Return ``line`` as compared across bodies: whitespace collapsed, every run of digits as ``#``
    (a counter or a date in leaked chrome differs from page to page)."""
    return _DIGITS.sub("#", " ".join(line.split()))


def _candidate_lines(body: str | None) -> set[str]:
    """Return the distinct normalised lines of ``body`` that could be chrome (2 to RECURRING_MAX_CHARS long,
    stripped)."""
    # The length is the stripped line's, before normalising: long prose lines cost no regex.
    return {normalise_line(line) for line in (body or "").split("\n") if 2 <= len(line.strip()) <= RECURRING_MAX_CHARS}


@dataclass(frozen=True)
class RecurringLine:
    """A normalised line found in ``bodies`` of the ``district_articles`` bodies of ``district``."""

    district: str | None
    line: str
    bodies: int
    district_articles: int

    @property
    def share(self) -> float:
        """Return the share (0..1) of the district's bodies that contain the line."""
        return self.bodies / self.district_articles


def recurring_lines(db: sqlite_utils.Database, selection: ArticleFilter | None = None) -> list[RecurringLine]:
    """Return the lines found in at least :data:`RECURRING_SHARE` (and :data:`RECURRING_MIN_BODIES`) of a
    district's selected bodies, most bodies first (ties by district, then line).

    The strongest sign of chrome that leaked into bodies. Streams the bodies once; keeps only the
    counts of short lines.
    """
    where, params = (selection or ArticleFilter()).where()
    # One district at a time (the district index gives them in order; NULL and '' are adjacent), so
    # memory holds the line counts of the largest district, not of the archive.
    rows = db.execute(f"SELECT a.district, a.body_text FROM articles a WHERE {where} ORDER BY a.district", params)
    found = []
    for district, group in groupby(rows, key=lambda row: row[0] or ""):
        bodies = 0
        counts: Counter = Counter()
        for _, body in group:
            bodies += 1
            counts.update(_candidate_lines(body))
        found += [
            RecurringLine(district or None, line, count, bodies)
            for line, count in counts.items()
            if count >= RECURRING_MIN_BODIES and count >= RECURRING_SHARE * bodies
        ]
    return sorted(found, key=lambda r: (-r.bodies, r.district or "", r.line))


# --- likely mis-extracted articles ---------------------------------------------------------------


@dataclass
class Suspect:
    """An article that is likely mis-extracted: its URL, title, score and the reasons that add up to it."""

    url: str
    title: str
    score: int
    reasons: list[str]


@dataclass
class _Context:
    """What the archive (the selection) says about itself, for judging one article."""

    median_body: int
    shared_titles: set[str]
    # per district ('' for none): articles, and how many have a source, a zone, a time of day
    districts: dict[str, tuple[int, int, int, int]]
    recurring: dict[str, set[str]]


def _context(db: sqlite_utils.Database, where: str, params: list, recurring: list[RecurringLine]) -> _Context:
    lengths = db.execute(
        f"SELECT length(coalesce(a.body_text, '')) FROM articles a WHERE {where} ORDER BY 1", params
    ).fetchall()
    median = int(statistics.median_low(row[0] for row in lengths)) if lengths else 0
    shared = {
        row[0]
        for row in db.execute(
            f"SELECT a.title FROM articles a WHERE {where} GROUP BY a.title HAVING count(*) >= ?",
            [*params, SHARED_TITLE_ARTICLES],
        )
    }
    districts = {
        row[0]: tuple(row[1:])
        for row in db.execute(
            f"""SELECT coalesce(a.district, ''), count(*), count(nullif(a.source, '')), count(nullif(a.zone, '')),
                       count(nullif(a.published_at, ''))
                FROM articles a WHERE {where} GROUP BY 1""",
            params,
        )
    }
    by_district: dict[str, set[str]] = {}
    for item in recurring:
        by_district.setdefault(item.district or "", set()).add(item.line)
    return _Context(median, shared, districts, by_district)


def _reasons(row: dict, context: _Context) -> list[tuple[int, str]]:
    """Return ``(points, reason)`` for every sign that the article ``row`` was mis-extracted."""
    found: list[tuple[int, str]] = []
    body = row["body_text"] or ""
    title = (row["title"] or "").strip()
    district = row["district"] or ""
    if len(body) < SHORT_BODY_CHARS:
        found.append((3, f"body of {len(body)} characters (under {SHORT_BODY_CHARS})"))
    elif context.median_body and len(body) > max(LONG_BODY_CHARS, LONG_BODY_FACTOR * context.median_body):
        found.append((1, f"body of {len(body)} characters ({len(body) // context.median_body}× the median)"))
    if title in context.shared_titles:
        found.append((3, "title shared by several articles (a site or section name?)"))
    try:
        trail = json.loads(row["breadcrumb"]) if row["breadcrumb"] else []
    except ValueError:
        trail = []
    words = {str(word).strip() for word in trail if isinstance(word, str)} | TRAIL_WORDS
    if title in words:
        found.append((3, f"title {title!r} is a breadcrumb word"))
    if len(title) >= 4 and body.lstrip().startswith(title):
        found.append((2, "body starts with the title"))
    if not district:
        found.append((2, "no district (breadcrumb not read)"))
    recurring = context.recurring.get(district)
    leaked = sorted(recurring & _candidate_lines(body)) if recurring else []
    if leaked:
        shown = "; ".join(repr(line) for line in leaked[:2]) + (" …" if len(leaked) > 2 else "")
        found.append((2, f"{len(leaked)} line(s) recurring in many bodies: {shown}"))
    total, sources, zones, times = context.districts.get(district, (0, 0, 0, 0))
    for value, filled, label in ((row["source"], sources, "来源"), (row["zone"], zones, "发布开发区")):
        if not value and total and filled >= DISTRICT_MAJORITY * total:
            found.append((1, f"no {label} while {filled} of the district's {total} articles have one"))
    if not row["published_at"] and total and times >= DISTRICT_MAJORITY * total:
        found.append((1, f"no time of day while {times} of the district's {total} articles have one"))
    if row["category"] == PHOTO_CATEGORY and (row["images"] or "[]") == "[]":
        found.append((1, f"{PHOTO_CATEGORY} without an image"))
    return found


def likely_misextracted(
    db: sqlite_utils.Database,
    selection: ArticleFilter | None = None,
    limit: int = 10,
    recurring: list[RecurringLine] | None = None,
) -> tuple[int, list[Suspect]]:
    """Return ``(how many articles score above 0, the top limit)``: the articles most likely mis-extracted.

    Each sign adds points (see :func:`_reasons`); the highest scores come first, ties by URL, so the
    list does not depend on the order articles were stored in. ``recurring`` is
    :func:`recurring_lines` of the same selection (computed when not given).
    """
    selection = selection or ArticleFilter()
    where, params = selection.where()
    if recurring is None:
        recurring = recurring_lines(db, selection)
    context = _context(db, where, params, recurring)
    cursor = db.execute(
        f"""SELECT a.url, a.title, a.district, a.category, a.source, a.zone, a.published_at, a.breadcrumb,
                   a.images, a.body_text FROM articles a WHERE {where}""",
        params,
    )
    columns = [d[0] for d in cursor.description]
    scored = 0

    def candidates():
        nonlocal scored
        for values in cursor:
            row = dict(zip(columns, values, strict=True))
            reasons = _reasons(row, context)
            if reasons:
                scored += 1
                yield Suspect(row["url"], row["title"], sum(p for p, _ in reasons), [r for _, r in reasons])

    top = heapq.nsmallest(limit, candidates(), key=lambda s: (-s.score, s.url))
    return scored, top


# --- template profiles (learned by another command) ----------------------------------------------


def template_profile_lines(db: sqlite_utils.Database) -> dict[str, list[str]] | None:
    """Return the lines each host's learned template profile treats as template, by host (sorted);
    None when the archive has no ``template_profiles`` table.

    The profile is JSON; its lines are read defensively: a list under ``lines`` (or
    ``template_lines``), or the JSON itself when it is a list; items that are strings, or objects
    with a ``text`` or ``line``. Anything else gives no lines for that host.
    """
    if "template_profiles" not in db.table_names():
        return None
    columns = db["template_profiles"].columns_dict
    if "host" not in columns or "profile" not in columns:
        return {}
    found: dict[str, list[str]] = {}
    for host, profile in db.execute("SELECT host, profile FROM template_profiles ORDER BY host"):
        try:
            data = json.loads(profile) if isinstance(profile, str | bytes) else None
        except ValueError:
            data = None
        if isinstance(data, dict):
            data = data.get("lines", data.get("template_lines"))
        lines = []
        for item in data if isinstance(data, list) else []:
            if isinstance(item, dict):
                item = item.get("text", item.get("line"))
            if isinstance(item, str) and item.strip():
                lines.append(item.strip())
        found[str(host)] = lines
    return found
