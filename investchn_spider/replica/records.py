"""The replica's articles as archive records, to fill an archive without crawling.

For benchmarks and tests of what reads the archive (search, export, stats, the web view): the
records are the ground truth of :meth:`ReplicaSite.expected_articles`, stored through the archive's
own writes (``save_article``, ``record_sighting``) as a crawl of the replica would store them, with
every URL and list section. A crawl is still the only test of crawling.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..extraction import EXTRACTOR_VERSION, content_hash
from ..facts import FACTS_VERSION
from ..facts.record import facts_of
from .content import ReplicaSite, section_path


def article_records(site: ReplicaSite, base_url: str) -> Iterator[tuple[list[dict], list[tuple[str, str, str]]]]:
    """Yield ``(records, sightings)`` per article: the record each of its pages gives, and its list sightings.

    A reposted article has two pages, each showing its own section (breadcrumb, district,
    category), and yields its second URL as a sighting in the second section; a cross-listed one is
    listed in both sections at its one URL. Sightings are ``(url, district, category)``.
    """
    base = base_url.rstrip("/")
    for expected in site.expected_articles():
        meta = site.meta(expected["id"])
        urls = [base + path for path in expected["urls"]]
        common = {
            "title": expected["title"],
            "published_date": expected["published_date"],
            "published_at": expected["published_at"],
            "source": expected["source"],
            "zone": expected["zone"],
            "body_text": expected["body_text"],
            "images": [{"src": base + image["src"], "alt": image["alt"]} for image in expected["images"]],
            "attachments": [{"url": base + item["url"], "text": item["text"]} for item in expected["attachments"]],
            "content_hash": content_hash(expected["title"], expected["published_date"], expected["body_text"]),
        }
        records = [
            {
                "url": base + path,
                **common,
                "breadcrumb": ["首页", "开发区新闻", district, category],
                "district": district,
                "category": category,
            }
            for path, (district, category) in site.page_sections(expected["id"])
        ]
        sightings = [(urls[0], *meta.section)]
        if meta.extra:
            sightings.append((urls[1] if meta.repost else urls[0], *meta.extra))
        yield records, sightings


def store_records(
    archive, records: Iterator[tuple[list[dict], list[tuple[str, str, str]]]], seen_at: str, base_url: str
):
    """Store ``records`` (from :func:`article_records`) in ``archive`` as a crawl would; return the outcome counts."""
    base = base_url.rstrip("/")
    counts: dict[str, int] = {}
    for pages, sightings in records:
        for url, district, category in sightings:
            archive.record_sighting(
                url,
                district=district,
                category=category,
                list_url=base + section_path((district, category)),
                listed_title=pages[0]["title"],
                listed_date=pages[0]["published_date"],
                seen_at=seen_at,
            )
        for record in pages:
            outcome = archive.save_article(
                record,
                capture_id=None,
                seen_at=seen_at,
                extractor_version=EXTRACTOR_VERSION,
                facts=facts_of(record),
                facts_version=FACTS_VERSION,
            )
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def fill_archive(archive, site: ReplicaSite, base_url: str, seen_at: str) -> dict[str, int]:
    """Store every article of ``site`` in ``archive`` in one transaction; return the outcome counts."""
    with archive.transaction():
        return store_records(archive, article_records(site, base_url), seen_at, base_url)
