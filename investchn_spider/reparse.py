"""Re-extraction of the archive: the current extractor over every article's stored capture.

For each article (in id order, optionally only those published within a date range) the capture its
record came from is extracted again (every page's, combined, for an article split over several
pages), each page parsed once, and the new record is compared field by
field with the stored one (JSON list fields as decoded values). Then:

- nothing differs: nothing is written (an older ``extractor_version`` is brought up to date, alone);
- fields differ: the new record replaces the stored one, which goes to ``article_versions``;
- the new content hash is another article's: the two become one (:func:`store.reparse.merge_articles`):
  the lower id survives with the record of the smaller URL, as a crawl would have stored them;
- the page no longer extracts: the record is kept as it is and the page is reported.

Every article is re-extracted, whatever extractor version made its record: a record is the
product of the extractor *and* of the host's profile, and either may have changed. Knows no SQL
(``store/reparse.py`` has it) and no command line (``cli/reparse.py``).
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .extraction import EXTRACTOR_VERSION, RECORD_FIELDS, NotAnArticle, extract_from_document, parse_document
from .extraction.pager import combine_pages
from .extraction.profile import host_of
from .facts import FACTS_VERSION
from .facts.record import facts_of
from .store import Archive
from .store import reparse as store

COMPARED_FIELDS = tuple(name for name in RECORD_FIELDS if name != "url")  # the row keeps its own url
FACT_INPUTS = frozenset({"body_text", "zone"})  # the fields facts are computed from (facts.record.facts_of)
BATCH_SIZE = 200


@dataclass(frozen=True)
class Example:
    """One changed field of one record: its article's URL, the stored value and the new one."""

    url: str
    field: str
    before: object
    after: object


@dataclass
class ReparseSummary:
    """What a reparse found (or, dry, would do).

    ``selected``: articles in the date range; ``pages``: captures extracted again (every page of an
    article split over pages); ``changed``: records whose fields changed (replaced, or merged into
    another article); ``fields``: per field, how many records it changed in; ``merged``: articles
    that became part of another (and are gone); ``version_only``: records the current extractor
    gives unchanged, with an older ``extractor_version``; ``without_capture``: articles with no
    stored page (kept as they are); ``failing``: (URL, reason) of the pages that no longer extract
    (their records kept); ``facts``: articles whose facts (amounts, zone) were computed again: the
    changed records whose body or zone changed, and those computed by other facts rules (or never).
    """

    selected: int = 0
    pages: int = 0
    unchanged: int = 0
    changed: int = 0
    version_only: int = 0
    merged: int = 0
    without_capture: int = 0
    facts: int = 0
    fields: Counter = field(default_factory=Counter)
    failing: list[tuple[str, str]] = field(default_factory=list)
    examples: dict[str, list[Example]] = field(default_factory=dict)

    def counts(self) -> dict:
        """Return the summary as plain JSON-able values (for ``runs.stats``), examples left out."""
        return {
            "selected": self.selected,
            "pages": self.pages,
            "unchanged": self.unchanged,
            "changed": self.changed,
            "version_only": self.version_only,
            "merged": self.merged,
            "without_capture": self.without_capture,
            "facts": self.facts,
            "failing": len(self.failing),
            "fields": dict(sorted(self.fields.items())),
        }


def changed_fields(row: Mapping, record: Mapping) -> list[str]:
    """Return the fields of :data:`COMPARED_FIELDS` whose stored value (``row``, JSON columns as text)
    differs from the new ``record``'s, in that order.

    A list or dict field is compared decoded, so a different JSON spelling of the same value is no
    change; stored text that is no JSON differs.
    """
    return [name for name in COMPARED_FIELDS if not _same(row.get(name), record.get(name))]


def _same(stored, new) -> bool:
    if isinstance(new, list | dict):
        return _decoded(stored) == new
    return stored == new


def _decoded(stored):
    if not isinstance(stored, str):
        return stored
    try:
        return json.loads(stored)
    except ValueError:
        return stored


class Reparser:
    """One re-extraction of ``archive``; :meth:`run` does it and returns the :class:`ReparseSummary`.

    ``at``: the time written as ``updated_at`` and ``valid_until``. ``profiles``: host -> template
    profile (``store.profiles.load_profiles``), handed to the extractor for the pages of that host
    (empty: no profiles yet).
    ``dry_run``: write nothing, count what would change. ``examples``: how many before/after
    examples to keep per field. ``on_progress(done, total)`` is called after each batch.
    """

    def __init__(
        self,
        archive: Archive,
        *,
        at: str,
        since: str | None = None,
        until: str | None = None,
        dry_run: bool = False,
        profiles: Mapping[str, object] | None = None,
        extractor_version: str = EXTRACTOR_VERSION,
        facts_version: str = FACTS_VERSION,
        examples: int = 3,
        batch_size: int = BATCH_SIZE,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.archive = archive
        self.at = at
        self.since, self.until = since, until
        self.dry_run = dry_run
        self.profiles = dict(profiles or {})
        self.version = extractor_version
        self.facts_version = facts_version
        self.max_examples = examples
        self.batch_size = batch_size
        self.on_progress = on_progress
        self.summary = ReparseSummary()
        self._done: set[int] = set()  # articles settled (or merged away) in this run
        # A dry run writes nothing, so it keeps what it would have written to find merges: content
        # hash -> article, and the articles whose stored hash is no longer theirs.
        self._would_own: dict[str, int] = {}
        self._vacated: set[int] = set()

    def run(self) -> ReparseSummary:
        """Re-extract every selected article, apply (or count) the changes; return the summary."""
        self.summary.selected = total = store.count_articles(self.archive, self.since, self.until)
        done = 0
        for batch in store.iter_batches(self.archive, self.since, self.until, self.batch_size):
            work = [(stored, self._extract(stored)) for stored in batch if stored.id not in self._done]
            if not self.dry_run and any(self._needs_write(stored, new) for stored, new in work):
                counted = copy.deepcopy(self.summary)
                try:
                    with self.archive.transaction():
                        self._settle_all(work)
                except BaseException:  # rolled back: the summary counts what was committed only
                    self.summary = counted
                    raise
            else:
                self._settle_all(work)
            done += len(batch)
            if self.on_progress is not None:
                self.on_progress(done, total)
        return self.summary

    # --- one article ---------------------------------------------------------------------------

    def _settle_all(self, work: list) -> None:
        for stored, new in work:
            if stored.id not in self._done:  # not settled (or merged away) meanwhile, as another's match
                self._settle(stored, new)

    def _extract(self, stored: store.StoredArticle):
        """Return the new record of ``stored``'s page, the exception it fails with, or None without a page."""
        if stored.body is None:
            return None
        url = stored.page_url or stored.url
        profile = self.profiles.get(host_of(url))
        try:
            record = extract_page(stored.body, url, stored.http_charset, profile)
            if not stored.more_pages:
                return record
            records = [record]
            for number, (page_url, charset, body) in enumerate(stored.more_pages, 2):
                try:
                    records.append(extract_page(body, page_url, charset, profile))
                except NotAnArticle as error:  # as in a crawl: the whole article fails, never a truncated record
                    raise NotAnArticle(f"page {number} of the article ({page_url}): {error}") from error
            return combine_pages(records)
        except Exception as error:  # a page the extractor cannot read is reported, not fatal to the run
            return error

    def _needs_write(self, stored: store.StoredArticle, new) -> bool:
        if stored.facts_version != self.facts_version:
            return True
        if not isinstance(new, dict):
            return False
        return stored.extractor_version != self.version or bool(changed_fields(stored.row, new))

    def _refresh_facts(self, stored: store.StoredArticle, record: Mapping) -> None:
        """Compute the facts of a record that stays, if its stored ones are of other rules (or none)."""
        if stored.facts_version == self.facts_version:
            return
        self.summary.facts += 1
        if not self.dry_run:
            store.store_facts(self.archive, stored.id, dict(record), facts_of(record), self.facts_version)

    def _settle(self, stored: store.StoredArticle, new) -> None:
        summary = self.summary
        self._done.add(stored.id)
        if new is None:
            summary.without_capture += 1
            self._refresh_facts(stored, stored.row)  # facts come from the record's text, not the page
            return
        summary.pages += 1 + len(stored.more_pages)
        if isinstance(new, Exception):
            summary.failing.append((stored.url, _reason(new)))
            self._refresh_facts(stored, stored.row)
            return
        fields = changed_fields(stored.row, new)
        if not fields:
            if stored.extractor_version == self.version:
                summary.unchanged += 1
            else:
                summary.version_only += 1
                if not self.dry_run:
                    store.set_extractor_version(self.archive, stored.id, self.version)
            self._refresh_facts(stored, new)
            return
        digest = new["content_hash"]
        owner = self._owner(digest)
        if owner is not None and owner != stored.id and owner not in self._done:
            # Its stored record may be stale too: settle it first with its own new record, then look again.
            target = store.stored_article(self.archive, owner)
            if target is not None:
                self._settle(target, self._extract(target))
            if not self.dry_run:
                refreshed = store.stored_article(self.archive, stored.id)
                if refreshed is None:  # settling the other article merged this one into it
                    return
                stored = refreshed
                fields = changed_fields(stored.row, new)
            owner = self._owner(digest)
        summary.changed += 1
        summary.fields.update(fields)
        self._keep_examples(stored, new, fields)
        if owner is None or owner == stored.id:
            self._replace(stored, new, fields)
        else:
            self._merge(stored, new, owner)

    def _owner(self, digest: str) -> int | None:
        if self.dry_run and digest in self._would_own:
            return self._would_own[digest]
        owner = store.article_for_hash(self.archive, digest)
        return None if owner in self._vacated else owner

    def _replace(self, stored: store.StoredArticle, new: dict, fields: list[str]) -> None:
        # Facts come from the body and the zone alone: a record whose other fields changed (its
        # source, say) keeps the facts the current rules computed, unchanged and not recomputed.
        refresh = stored.facts_version != self.facts_version or bool(FACT_INPUTS.intersection(fields))
        self.summary.facts += refresh
        if self.dry_run:
            self._vacated.add(stored.id)
            self._would_own[new["content_hash"]] = stored.id
            return
        store.replace_record(self.archive, stored.id, new, self.version, self.at, fields)
        if refresh:
            store.store_facts(self.archive, stored.id, new, facts_of(new), self.facts_version)

    def _merge(self, stored: store.StoredArticle, new: dict, owner: int) -> None:
        self.summary.merged += 1
        survivor, other = sorted((stored.id, owner))
        self._done.add(other)
        self.summary.facts += 1
        if self.dry_run:
            self._vacated.update((stored.id, owner))
            self._would_own[new["content_hash"]] = survivor
            return
        target = store.stored_article(self.archive, owner)
        # The record of the smaller URL wins, as when a crawl finds one article at two URLs.
        if stored.url < target.url:
            url, record, capture_id, version = stored.url, new, stored.capture_id, self.version
        else:
            url, record, capture_id, version = target.url, target.row, target.capture_id, target.extractor_version
        store.merge_articles(
            self.archive,
            survivor,
            other,
            url=url,
            record=record,
            capture_id=capture_id,
            extractor_version=version,
            at=self.at,
        )
        store.store_facts(self.archive, survivor, record, facts_of(record), self.facts_version)

    def _keep_examples(self, stored: store.StoredArticle, new: dict, fields: list[str]) -> None:
        for name in fields:
            kept = self.summary.examples.setdefault(name, [])
            if len(kept) < self.max_examples:
                before, after = stored.row.get(name), new.get(name)
                if isinstance(after, list | dict):
                    before = _decoded(before)
                kept.append(Example(stored.url, name, before, after))


def extract_page(body: bytes, url: str, http_charset: str | None, profile=None) -> dict:
    """Return the record of one stored page (parsed once); raise ``NotAnArticle`` when it is none.

    ``profile`` is the page's host's extraction profile (None: none learnt).
    """
    return extract_from_document(parse_document(body, url, http_charset), profile=profile)


def _reason(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text if type(error).__name__ == "NotAnArticle" else f"{type(error).__name__}: {text}"
