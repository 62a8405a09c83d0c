"""The archive's template profiles (``template_profiles``): one learnt profile per host, and the pages
they are learnt from.

The table is made by the first ``investchn profile`` that stores a profile (:func:`create_table`):
an archive without it has no profile, which every reader takes as "none learnt yet" (``investchn
quality`` says so). ``profile`` is the JSON of :func:`..extraction.profile.learn_profile`, whose
``lines`` are objects with a ``text`` key (what ``store/quality.py`` reads).
"""

from __future__ import annotations

import json
import zlib
from collections import defaultdict
from collections.abc import Iterator

import sqlite_utils

from ..extraction.profile import PROFILE_VERSION, host_of

TABLE = "template_profiles"
_CHUNK = 200  # captures read per query when sampling


def create_table(db: sqlite_utils.Database) -> None:
    """Create ``template_profiles`` when missing: ``host`` (primary key), ``profile`` (JSON), ``pages``
    (read to learn it), ``learned_at`` (UTC), ``profile_version``."""
    db[TABLE].create(
        {"host": str, "profile": str, "pages": int, "learned_at": str, "profile_version": int},
        pk="host",
        if_not_exists=True,
    )


def save_profile(db: sqlite_utils.Database, profile: dict, learned_at: str) -> None:
    """Make ``profile`` (a learnt profile, with its ``host``) the host's stored profile, learnt at ``learned_at``."""
    create_table(db)
    db.execute(
        f"INSERT INTO {TABLE} (host, profile, pages, learned_at, profile_version) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(host) DO UPDATE SET profile = excluded.profile, pages = excluded.pages, "
        "learned_at = excluded.learned_at, profile_version = excluded.profile_version",
        [
            profile["host"],
            json.dumps(profile, ensure_ascii=False, sort_keys=True),
            profile["pages"],
            learned_at,
            profile.get("version", PROFILE_VERSION),
        ],
    )


def load_profiles(db: sqlite_utils.Database) -> dict[str, dict]:
    """Return the stored profiles by host (empty when none was learnt); a profile whose JSON does not
    read as an object is left out (extraction would ignore it anyway)."""
    if TABLE not in db.table_names():
        return {}
    profiles = {}
    for host, text in db.execute(f"SELECT host, profile FROM {TABLE} ORDER BY host"):
        try:
            profile = json.loads(text)
        except (TypeError, ValueError):
            continue
        if isinstance(profile, dict):
            profiles[host] = profile
    return profiles


def article_hosts(db: sqlite_utils.Database) -> dict[str, int]:
    """Return how many archived articles with a capture each host has, by host (sorted)."""
    counts: dict[str, int] = defaultdict(int)
    for (url,) in db.execute("SELECT c.url FROM articles a JOIN captures c ON c.id = a.capture_id"):
        counts[host_of(url)] += 1
    return dict(sorted(counts.items()))


def sample_pages(db: sqlite_utils.Database, host: str, limit: int) -> Iterator[tuple[str, str | None, bytes]]:
    """Yield ``(url, http_charset, body)`` of the pages a profile of ``host`` is learnt from: the capture
    of each of its newest ``limit`` archived articles (the page its record was extracted from).

    Newest by publish date, then by URL: the sample is the same whatever order the pages were
    crawled in (an article's id and fetch time depend on that order, so neither is used).
    """
    rows = [
        (published, url, capture_id)
        for published, url, capture_id in db.execute(
            "SELECT a.published_date, c.url, c.id FROM articles a JOIN captures c ON c.id = a.capture_id"
        )
        if host_of(url) == host
    ]
    rows.sort(key=lambda row: row[1])
    rows.sort(key=lambda row: row[0] or "", reverse=True)  # stable: URL order within a day
    chosen = [capture_id for _, _, capture_id in rows[:limit]]
    for start in range(0, len(chosen), _CHUNK):
        ids = chosen[start : start + _CHUNK]
        marks = ", ".join("?" * len(ids))
        query = f"SELECT id, url, http_charset, body, body_codec FROM captures WHERE id IN ({marks})"
        found = {row[0]: row[1:] for row in db.execute(query, ids)}
        for capture_id in ids:
            url, charset, body, codec = found[capture_id]
            yield url, charset, zlib.decompress(body) if codec == "zlib" else body
