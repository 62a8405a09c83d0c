"""Learning the archive's template profiles (``investchn profile``): each host's sampled captures,
parsed, handed to :func:`.extraction.profile.learn_profile`. Knows no SQL (``store/profiles.py``
has it) and no command line (``cli/profile.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import sqlite_utils

from .extraction import Document, NotAnArticle, parse_document
from .extraction.profile import learn_profile
from .store.profiles import article_hosts, sample_pages

DEFAULT_SAMPLE = 500  # pages read per host: the newest articles show the templates the site uses now


def learn_profiles(db: sqlite_utils.Database, hosts: list[str], sample: int = DEFAULT_SAMPLE) -> list[dict]:
    """Return the profile learnt for each of ``hosts`` (in that order) from its ``sample`` newest articles' pages."""
    return [learn_profile(host, _documents(db, host, sample)) for host in hosts]


def archive_hosts(db: sqlite_utils.Database) -> dict[str, int]:
    """Return the hosts of the archived articles with the number of articles each has a page of (sorted)."""
    return article_hosts(db)


def _documents(db: sqlite_utils.Database, host: str, sample: int) -> Iterator[Document]:
    """Yield the sampled pages of ``host`` parsed, one at a time (learning keeps only their body lines)."""
    for url, charset, body in sample_pages(db, host, sample):
        try:
            yield parse_document(body, url, charset)
        except NotAnArticle:  # an empty or unparseable capture: not a page to learn from
            continue
