"""Deterministic site model of the replica: districts, sections, articles, URLs and ground truth.

``ReplicaSite(seed, articles, revision)`` decides everything the replica serves. Per-article light
metadata (section, date, template, duplicates) is drawn for all N articles at start from one
sequential RNG stream, so article i depends only on the seed and on articles 1..i, never on N: a
site with N + k articles is the site with N plus k newer ones. Titles and bodies are generated on
request from an RNG seeded with (seed, i), and ``revision`` only edits bodies. ``expected_articles()``
is the ground truth that tests compare crawls against, so no test hard-codes an output.
"""

from __future__ import annotations

import bisect
import datetime as dt
import posixpath
import random
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from . import textgen

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
ZONE_NEWS = "/kfqxw/"
ARCHIVE_PATH = "/kfqxw/wngd/"  # 往年归档: linked from the zone-news index, disallowed by robots.txt
SEARCH_PATH = "/search/"
TEXT_NEWS, PHOTO_NEWS = "文字新闻", "图片新闻"
TYPE_SLUGS = {TEXT_NEWS: "wzxw", PHOTO_NEWS: "tpxw"}
PAGE_SIZE = 15
# The first article's date; later ones follow it (see _draw_metadata) ...
FIRST_DAY = dt.date(2024, 3, 4)
# ... and no article is dated after this (a fixed day in the past, so every run of a test sees the same
# site whatever today is). The first SPACING_ARTICLES articles are spaced as a portal publishes (about
# 0.67 days apart); each further SPACING_ARTICLES come twice as densely, so any number of them fits
# before LAST_DAY (300 articles end in 2024-09, 2000 in 2025-12, 100,000 in 2026-01).
LAST_DAY = dt.date(2026, 6, 30)
SPACING_ARTICLES = 500

# Doc ids as a TRS-style CMS numbers them; the remainder mod 3 says what the URL is.
_DOCID_BASE = 4_000_000
_PRIMARY, _REPOST, _DEAD = 0, 1, 2
_DOC_PATH = re.compile(r"^/kfqxw/([a-z]+)/([a-z]+)/(\d{6})/t(\d{8})_(\d+)\.html$")
_PAGE_PATH = re.compile(r"^(/kfqxw/[a-z]+/[a-z]+/\d{6}/t\d{8}_\d+)_(\d{1,2})\.html$")
# About 1 article in 15 is long and split over 2 or 3 pages. Templates A and C number the pages as TRS
# does (page 2 is ``…_1.html``), B and D as DedeCMS does (page 2 is ``…_2.html``).
SPLIT_SHARE = 1 / 15
_PAGE_NUMBER_OFFSET = {"A": 1, "B": 0, "C": 1, "D": 0, "E": 1}
_FILE_PATH = re.compile(r"^/kfqxw/([a-z]+)/([a-z]+)/(\d{6})/([WP])0(\d{8})(\d+)_(\d)\.(png|pdf)$")


@dataclass(frozen=True)
class District:
    """A district (区/市) with its own news lists, zones (开发区) and publishing sources."""

    name: str
    slug: str
    zones: tuple[str, ...]
    sources: tuple[str, ...]
    weight: int


DISTRICTS: tuple[District, ...] = (
    District(
        "杨浦区",
        "ypq",
        ("张江高新区杨浦园", "杨浦滨江国际创新带", "大创智功能区"),
        ("杨浦区人民政府", "杨浦区投资促进办公室"),
        5,
    ),
    District(
        "浦东新区",
        "pdxq",
        ("张江科学城", "金桥经济技术开发区", "外高桥保税区", "临港新片区"),
        ("浦东新区人民政府", "浦东新区商务委员会"),
        4,
    ),
    District(
        "闵行区",
        "mhq",
        ("闵行经济技术开发区", "紫竹高新技术产业开发区", "莘庄工业区"),
        ("闵行区人民政府", "闵行区投资促进服务中心"),
        3,
    ),
    District("嘉定区", "jdq", ("嘉定工业区", "上海国际汽车城", "嘉定新城"), ("嘉定区人民政府",), 2),
    District(
        "昆山市",
        "kss",
        ("昆山经济技术开发区", "昆山高新技术产业开发区", "花桥经济开发区"),
        ("昆山市人民政府", "昆山市商务局"),
        3,
    ),
    District(
        "苏州工业园区",
        "szgyyq",
        ("苏州工业园区综合保税区", "独墅湖科教创新区", "金鸡湖商务区"),
        ("苏州工业园区管委会",),
        3,
    ),
    District(
        "滨海新区",
        "bhxq",
        ("天津经济技术开发区", "天津港保税区", "中新天津生态城", "滨海高新区"),
        ("滨海新区人民政府", "天津经济技术开发区管委会"),
        2,
    ),
    District("青浦区", "qpq", ("市西软件信息园", "青浦工业园区", "西虹桥商务区"), ("青浦区人民政府",), 1),
)
DISTRICT_BY_NAME = {d.name: d for d in DISTRICTS}
DISTRICT_BY_SLUG = {d.slug: d for d in DISTRICTS}
TYPE_BY_SLUG = {slug: name for name, slug in TYPE_SLUGS.items()}
SECTIONS: tuple[tuple[str, str], ...] = tuple((d.name, t) for d in DISTRICTS for t in (TEXT_NEWS, PHOTO_NEWS))

# Article templates (see article_templates.py) and how often each is used.
TEMPLATES = ("A", "B", "C", "D")
_TEMPLATE_WEIGHTS = (35, 25, 20, 20)
# A site made with ``template_chrome=True`` also serves template E, a column's template whose body
# carries chrome no single-page rule knows (a banner and a link line, numbered per article), for
# about this share of its articles, drawn per article from an RNG of its own (every other article
# is what it was); and a few articles open with one lead sentence the newsroom reused, a genuine
# line that recurs (SHARED_LEAD_IDS, when the site has them).
CHROME_TEMPLATE = "E"
CHROME_TEMPLATE_SHARE = 0.25
SHARED_LEAD = "记者从区商务局获悉，今年以来全区重大产业项目推进顺利，一批优质项目加快落地见效。"
SHARED_LEAD_IDS = (3, 7, 11)

# Other top-level sections: their pages carry 发布时间 but are not zone news.
OTHER_SECTIONS = {"tzzn": "投资指南", "zcfg": "政策法规", "zsxm": "招商项目"}


def section_path(section: tuple[str, str]) -> str:
    """Return the directory path of a (district, type) list, e.g. "/kfqxw/ypq/wzxw/"."""
    district, kind = section
    return f"{ZONE_NEWS}{DISTRICT_BY_NAME[district].slug}/{TYPE_SLUGS[kind]}/"


def district_path(district: str) -> str:
    """Return the directory path of a district page, e.g. "/kfqxw/ypq/"."""
    return f"{ZONE_NEWS}{DISTRICT_BY_NAME[district].slug}/"


def list_page_path(section: tuple[str, str], page: int) -> str:
    """Return the path of page ``page`` (1-based) of a list: the directory, then index_2.html …"""
    base = section_path(section)
    return base if page == 1 else f"{base}index_{page}.html"


def relative_link(from_path: str, to_path: str) -> str:
    """Return ``to_path`` relative to the page at ``from_path``, CMS style ("./x.html", "../y/")."""
    rel = posixpath.relpath(to_path, posixpath.dirname(from_path) or "/")
    if to_path.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return rel if rel.startswith("..") else "./" + rel


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    """Light per-article metadata drawn for every article at start."""

    id: int
    district: str
    kind: str  # 文字新闻 / 图片新闻: the type of the primary section
    zone: str | None
    source: str | None
    day: int  # date ordinal (Asia/Shanghai)
    seconds: int  # time of day in seconds; shown only when show_time
    show_time: bool
    template: str
    extra: tuple[str, str] | None = None  # second section (cross-listed or reposted)
    repost: bool = False  # True: extra section lists a second URL
    shared_lead: bool = False  # True: the body opens with SHARED_LEAD (a template_chrome site only)

    @property
    def section(self) -> tuple[str, str]:
        """Return the primary (district, type) section."""
        return (self.district, self.kind)

    @property
    def date(self) -> dt.date:
        """Return the publish date."""
        return dt.date.fromordinal(self.day)

    @property
    def published(self) -> dt.datetime:
        """Return the publish datetime in Asia/Shanghai, including the time of day even if not shown."""
        return dt.datetime.combine(self.date, dt.time(), SHANGHAI) + dt.timedelta(seconds=self.seconds)

    @property
    def docid(self) -> int:
        """Return the CMS doc id of the primary URL."""
        return _DOCID_BASE + 3 * self.id + _PRIMARY


@dataclass(slots=True)
class DeadItem:
    """A list item (title and date) whose URL answers 404; it sits next to article ``slot``."""

    slot: int
    section: tuple[str, str]
    day: int


@dataclass(frozen=True, slots=True)
class ListItem:
    """One entry of a (district, type) list, as rendered: newest first in the list."""

    title: str
    date: dt.date
    path: str
    article_id: int | None  # None for a dead link
    kind: str  # "primary", "crosslist", "repost" or "dead"


@dataclass
class Article:
    """A fully generated article: metadata plus title, body blocks and attachments."""

    meta: ArticleMeta
    title: str
    # Body blocks in order: ("p", text), ("img", src, alt), ("caption", text), ("table", rows).
    blocks: list[tuple] = field(default_factory=list)
    attachments: list[dict] = field(default_factory=list)  # {"url": path, "text": link text}
    revised_at: int = 0  # last revision that edited the body (0: never)
    # An article split over several pages (第1页 / 下一页): the index of the block each page after the
    # first starts with; () for an article on one page.
    page_starts: tuple[int, ...] = ()

    @property
    def page_count(self) -> int:
        """Return how many pages the article is split over (1 for most)."""
        return len(self.page_starts) + 1

    def page_view(self, page: int) -> Article:
        """Return the part of the article page ``page`` (1-based) shows: its blocks, and the attachments
        on the last page."""
        if self.page_count == 1:
            return self
        bounds = (0, *self.page_starts, len(self.blocks))
        attachments = self.attachments if page == self.page_count else []
        return replace(self, blocks=self.blocks[bounds[page - 1] : bounds[page]], attachments=attachments)

    # The money amounts of each paragraph that has any, by the paragraph's text, offsets in that text.
    amounts: dict[str, list[dict]] = field(default_factory=dict)

    def shown_datetime(self) -> dt.datetime | None:
        """Return the datetime as the page shows it (seconds only in template A), or None if no time."""
        if not self.meta.show_time:
            return None
        shown = self.meta.published
        return shown if self.meta.template == "A" else shown.replace(second=0)

    def body_lines(self) -> list[str]:
        """Return the body as the extractor should see it, one normalised line per block."""
        lines = []
        for block in self.blocks:
            if block[0] in ("p", "caption"):
                lines.append(_collapse(block[1]))
            elif block[0] == "table":
                lines.extend("\t".join(_collapse(cell) for cell in row) for row in block[1])
        # The 附件 block stands between the text and 上一条 on every template: a reader sees it as
        # the article's last lines, and so does the extractor (links split by <br>, one per line).
        for index, attachment in enumerate(self.attachments):
            lines.append(_collapse(("附件：" if index == 0 else "") + attachment["text"]))
        return [line for line in lines if line]

    def body_amounts(self) -> list[dict]:
        """Return the money amounts of the body, in order, with ``start``/``end`` in ``body_text``."""
        found, offset = [], 0
        paragraphs = {_collapse(text): amounts for text, amounts in self.amounts.items() if _collapse(text) == text}
        for line in self.body_lines():
            found.extend(
                {**a, "start": a["start"] + offset, "end": a["end"] + offset} for a in paragraphs.get(line, ())
            )
            offset += len(line) + 1
        return found


def _collapse(text: str) -> str:
    """Return ``text`` with runs of whitespace (Python's notion, incl. U+3000) collapsed, stripped."""
    return " ".join(text.split())


def _pick_weighted(rng: random.Random, items: tuple, weights: tuple[int, ...]):
    """Return one of ``items`` drawn with integer ``weights`` (cheaper than rng.choices for one draw)."""
    point = rng.randrange(sum(weights))
    for item, weight in zip(items, weights, strict=True):
        if point < weight:
            return item
        point -= weight
    raise AssertionError("unreachable")


class ReplicaSite:
    """The replica's whole site, generated from ``seed``: ``articles`` zone-news articles and their lists."""

    def __init__(self, seed: int = 2024, articles: int = 300, revision: int = 0, template_chrome: bool = False):
        if articles < 1:
            raise ValueError("articles must be >= 1")
        self.seed = seed
        self.count = articles
        self.revision = revision
        self.template_chrome = template_chrome
        self.metas: list[ArticleMeta] = []
        self.dead: list[DeadItem] = []
        self._draw_metadata()
        self._index_sections()

    # -- metadata -----------------------------------------------------------------------------------

    def _draw_metadata(self) -> None:
        """Draw all articles' metadata from one RNG stream, in id order (so i never depends on N)."""
        rng = random.Random(f"investchn-replica/{self.seed}/meta")
        # Thins out the day gaps past SPACING_ARTICLES; a stream of its own, so the first
        # SPACING_ARTICLES articles are drawn exactly as they were before LAST_DAY existed.
        spacing = random.Random(f"investchn-replica/{self.seed}/spacing")
        day = FIRST_DAY.toordinal()
        last_day = LAST_DAY.toordinal()
        seconds = 0
        weights = tuple(d.weight for d in DISTRICTS)
        for i in range(1, self.count + 1):
            density = 0.5 ** ((i - 1) // SPACING_ARTICLES)
            new_day = i == 1
            if i > 1:
                roll = rng.random()
                gap = 0 if roll < 0.6 else 1 if roll < 0.9 else rng.randint(2, 3)
                if gap and density < 1 and spacing.random() >= density:
                    gap = 0
                if gap and day < last_day:
                    day = min(day + gap, last_day)
                    new_day = True
                    weekday = dt.date.fromordinal(day).weekday()
                    if weekday >= 5 and rng.random() < 0.85:  # government news rarely appears at weekends
                        day = min(day + 7 - weekday, last_day)
            if new_day:
                seconds = 8 * 3600 + 30 * 60 + rng.randrange(90 * 60)
            else:  # same day: later in the day, so list order (by id) and time order agree
                step = rng.randrange(10 * 60, 150 * 60)
                seconds = min(seconds + max(1, int(step * density)), 86399)
            district = _pick_weighted(rng, DISTRICTS, weights)
            kind = PHOTO_NEWS if rng.random() < 0.25 else TEXT_NEWS
            zone = None if rng.random() < 0.05 else rng.choice(district.zones)
            source = None if rng.random() < 0.08 else rng.choice(district.sources)
            show_time = rng.random() < 0.5
            template = _pick_weighted(rng, TEMPLATES, _TEMPLATE_WEIGHTS)
            extra, repost = None, False
            roll = rng.random()
            if roll < 0.08:  # 5% listed in a second list at the same URL, 3% reposted at a second URL
                extra = rng.choice([s for s in SECTIONS if s != (district.name, kind)])
                repost = roll >= 0.05
            meta = ArticleMeta(i, district.name, kind, zone, source, day, seconds, show_time, template, extra, repost)
            self.metas.append(self._with_template_chrome(meta) if self.template_chrome else meta)
            if rng.random() < 0.022:  # about 2% of all list items are dead links
                self.dead.append(DeadItem(i, rng.choice(SECTIONS), day))

    def _with_template_chrome(self, meta: ArticleMeta) -> ArticleMeta:
        """Return ``meta`` as a template_chrome site has it: template E for about CHROME_TEMPLATE_SHARE
        of the articles, the shared lead for SHARED_LEAD_IDS (drawn apart from the main stream)."""
        column = random.Random(f"investchn-replica/{self.seed}/{meta.id}/column").random() < CHROME_TEMPLATE_SHARE
        return replace(
            meta,
            template=CHROME_TEMPLATE if column else meta.template,
            shared_lead=meta.id in SHARED_LEAD_IDS,
        )

    def _index_sections(self) -> None:
        """Build each list's items (newest first) and each section's primary ids (for 上一条/下一条)."""
        entries: dict[tuple[str, str], list[tuple[int, int, int]]] = {s: [] for s in SECTIONS}
        self._primary_ids: dict[tuple[str, str], list[int]] = {s: [] for s in SECTIONS}
        for meta in self.metas:
            entries[meta.section].append((meta.id, 0, _PRIMARY))
            self._primary_ids[meta.section].append(meta.id)
            if meta.extra:
                entries[meta.extra].append((meta.id, 0, _REPOST if meta.repost else -1))
        for item in self.dead:
            entries[item.section].append((item.slot, 1, _DEAD))
        # Sort ascending by (slot, order) and reverse: newest first, a dead item just above its slot.
        self._entries = {s: sorted(e, reverse=True) for s, e in entries.items()}
        self._dead_by_slot = {item.slot: item for item in self.dead}

    # -- URLs ---------------------------------------------------------------------------------------

    def _doc_path(self, section: tuple[str, str], day: int, docid: int) -> str:
        """Return the CMS path of a document in ``section`` published on ``day``."""
        date = dt.date.fromordinal(day)
        return f"{section_path(section)}{date:%Y%m}/t{date:%Y%m%d}_{docid}.html"

    def primary_path(self, article_id: int) -> str:
        """Return the primary URL path of article ``article_id``."""
        meta = self.metas[article_id - 1]
        return self._doc_path(meta.section, meta.day, meta.docid)

    def repost_path(self, article_id: int) -> str | None:
        """Return the second URL path of a reposted article, or None."""
        meta = self.metas[article_id - 1]
        if not meta.repost:
            return None
        return self._doc_path(meta.extra, meta.day, meta.docid + _REPOST)

    def dead_path(self, item: DeadItem) -> str:
        """Return the (404) URL path of a dead list item."""
        return self._doc_path(item.section, item.day, _DOCID_BASE + 3 * item.slot + _DEAD)

    def article_urls(self, article_id: int) -> list[str]:
        """Return every path at which article ``article_id`` is served, primary first."""
        repost = self.repost_path(article_id)
        return [self.primary_path(article_id)] + ([repost] if repost else [])

    def page_sections(self, article_id: int) -> list[tuple[str, tuple[str, str]]]:
        """Return ``(path, section its breadcrumb shows)`` for every page of the article, smallest path first.

        A repost's page shows the section it is reposted in. The archive takes an article's record
        from its smallest URL (all URLs share the replica's base, so the smallest path).
        """
        meta = self.metas[article_id - 1]
        pages = [(self.primary_path(article_id), meta.section)]
        if meta.repost:
            pages.append((self.repost_path(article_id), meta.extra))
        return sorted(pages)

    def page_paths(self, article_id: int, path: str) -> list[str]:
        """Return the paths of every page of the article served at ``path`` (one of its URLs): ``path``
        itself, then its continuation pages for an article split over several."""
        article = self.article(article_id)
        offset = _PAGE_NUMBER_OFFSET[article.meta.template]
        stem = path.removesuffix(".html")
        return [path] + [f"{stem}_{page - offset}.html" for page in range(2, article.page_count + 1)]

    def continuation_paths(self, article_id: int) -> list[str]:
        """Return the continuation pages' paths (page 2 on) at every URL of the article ([] for most)."""
        return [page for path in self.article_urls(article_id) for page in self.page_paths(article_id, path)[1:]]

    def resolve_page(self, path: str) -> tuple[int, tuple[str, str], str, int] | None:
        """Return (article id, section shown, its first page's path, page number) for any page of an
        article (page 1 included), else None."""
        found = self.resolve_document(path)
        if found:
            return (*found, path, 1)
        match = _PAGE_PATH.match(path)
        if not match:
            return None
        first = match.group(1) + ".html"
        found = self.resolve_document(first)
        if not found:
            return None
        pages = self.page_paths(found[0], first)
        if path not in pages[1:]:
            return None
        return (*found, first, pages.index(path) + 1)

    def resolve_document(self, path: str) -> tuple[int, tuple[str, str]] | None:
        """Return (article id, section shown in the breadcrumb) for an article path, else None."""
        match = _DOC_PATH.match(path)
        if not match:
            return None
        offset = int(match.group(5)) - _DOCID_BASE
        article_id, role = divmod(offset, 3)
        if offset < 0 or not 1 <= article_id <= self.count or role == _DEAD:
            return None
        meta = self.metas[article_id - 1]
        if role == _PRIMARY and path == self.primary_path(article_id):
            return article_id, meta.section
        if role == _REPOST and path == self.repost_path(article_id):
            return article_id, meta.extra
        return None

    def resolve_file(self, path: str) -> tuple[str, int, int] | None:
        """Return ("image"|"attachment", article id, number) for an image or PDF path of an article."""
        match = _FILE_PATH.match(path)
        if not match:
            return None
        offset = int(match.group(6)) - _DOCID_BASE
        article_id, role = divmod(offset, 3)
        if offset < 0 or role != _PRIMARY or not 1 <= article_id <= self.count:
            return None
        article = self.article(article_id)
        if match.group(4) == "W":
            if any(b[0] == "img" and b[1] == path for b in article.blocks):
                return "image", article_id, int(match.group(7))
        elif any(a["url"] == path for a in article.attachments):
            return "attachment", article_id, int(match.group(7))
        return None

    # -- lazy content -------------------------------------------------------------------------------

    def meta(self, article_id: int) -> ArticleMeta:
        """Return the metadata of article ``article_id`` (1-based)."""
        return self.metas[article_id - 1]

    def title(self, article_id: int) -> str:
        """Return the title of article ``article_id``."""
        meta = self.metas[article_id - 1]
        return _title(self.seed, article_id, meta.district, meta.zone)

    def dead_title(self, item: DeadItem) -> str:
        """Return the title shown for a dead list item."""
        rng = random.Random(f"investchn-replica/{self.seed}/{item.slot}/dead")
        district = item.section[0]
        return textgen.make_title(rng, district, rng.choice(DISTRICT_BY_NAME[district].zones))

    def article(self, article_id: int) -> Article:
        """Return article ``article_id`` with its body generated (depends on seed, id and revision only)."""
        return _article(self.seed, self.revision, self.metas[article_id - 1])

    # -- navigation ---------------------------------------------------------------------------------

    def list_items(self, section: tuple[str, str], start: int = 0, stop: int | None = None) -> list[ListItem]:
        """Return the items of a (district, type) list, newest first, sliced [start:stop]."""
        items = []
        for slot, _, role in self._entries[section][start:stop]:
            if role == _DEAD:
                dead = self._dead_by_slot[slot]
                items.append(
                    ListItem(self.dead_title(dead), dt.date.fromordinal(dead.day), self.dead_path(dead), None, "dead")
                )
                continue
            meta = self.metas[slot - 1]
            if role == _PRIMARY:
                path, kind = self.primary_path(slot), "primary"
            elif role == _REPOST:
                path, kind = self.repost_path(slot), "repost"
            else:
                path, kind = self.primary_path(slot), "crosslist"
            items.append(ListItem(self.title(slot), meta.date, path, slot, kind))
        return items

    def list_length(self, section: tuple[str, str]) -> int:
        """Return how many items a (district, type) list has."""
        return len(self._entries[section])

    def page_count(self, section: tuple[str, str]) -> int:
        """Return how many list pages a (district, type) list has (at least 1)."""
        return max(1, -(-self.list_length(section) // PAGE_SIZE))

    def neighbours(self, article_id: int) -> tuple[int | None, int | None]:
        """Return (newer, older) neighbour ids in the primary section: the 上一条 and 下一条 links."""
        ids = self._primary_ids[self.metas[article_id - 1].section]
        pos = bisect.bisect_left(ids, article_id)
        newer = ids[pos + 1] if pos + 1 < len(ids) else None
        older = ids[pos - 1] if pos > 0 else None
        return newer, older

    def related(self, article_id: int) -> list[int]:
        """Return 5 (or fewer on a tiny site) other article ids for the 相关新闻 block."""
        rng = random.Random(f"investchn-replica/{self.seed}/{article_id}/related")
        if article_id > 5:  # older articles only, so the block does not change as the site grows
            return sorted(rng.sample(range(1, article_id), 5), reverse=True)
        pool = [j for j in range(1, min(self.count, 6) + 1) if j != article_id]
        return sorted(rng.sample(pool, min(5, len(pool))), reverse=True)

    def latest(self, count: int) -> list[int]:
        """Return the ids of the ``count`` newest articles, newest first."""
        return list(range(self.count, max(0, self.count - count), -1))

    # -- other sections -----------------------------------------------------------------------------

    def other_pages(self, slug: str) -> list[dict]:
        """Return the article-like pages of a non-zone section (投资指南 …): path, title, date, paragraphs."""
        return _other_pages(self.seed, slug)

    def archive_pages(self) -> list[dict]:
        """Return the 往年归档 pages (robots-disallowed): path, title, date, paragraphs, district."""
        return _archive_pages(self.seed)

    # -- ground truth -------------------------------------------------------------------------------

    def expected_articles(self) -> list[dict]:
        """Return one dict per article, as a correct crawl + extraction should record it (id order).

        ``url``, ``district`` and ``category`` are those of the article's smallest URL (its record's
        page, see :meth:`page_sections`); ``urls`` are all its URL paths, primary first; ``amounts``
        the money amounts of ``body_text`` as ``facts.extract_amounts`` should find them (text, value,
        currency, approximate, kind, start, end).
        """
        result = []
        for meta in self.metas:
            article = self.article(meta.id)
            shown = article.shown_datetime()
            url, (district, category) = self.page_sections(meta.id)[0]
            result.append(
                {
                    "id": meta.id,
                    "url": url,
                    "urls": self.article_urls(meta.id),
                    "title": article.title,
                    "published_date": meta.date.isoformat(),
                    "published_at": shown.isoformat() if shown else None,
                    "source": meta.source,
                    "zone": meta.zone,
                    "district": district,
                    "category": category,
                    "sections": [meta.section] + ([meta.extra] if meta.extra else []),
                    "body_text": "\n".join(article.body_lines()),
                    "images": [{"src": b[1], "alt": b[2]} for b in article.blocks if b[0] == "img"],
                    "attachments": [dict(a) for a in article.attachments],
                    "pages": article.page_count,  # the body is the whole article, whatever its pages
                    "amounts": article.body_amounts(),
                }
            )
        return result

    def dead_links(self) -> list[str]:
        """Return the paths of the dead list items (each answers 404)."""
        return [self.dead_path(item) for item in self.dead]

    def list_pages(self) -> list[dict]:
        """Return every list page: path, district, type, page, pages, and alias (index.html of page 1)."""
        pages = []
        for section in SECTIONS:
            total = self.page_count(section)
            for page in range(1, total + 1):
                path = list_page_path(section, page)
                pages.append(
                    {
                        "path": path,
                        "district": section[0],
                        "type": section[1],
                        "page": page,
                        "pages": total,
                        "alias": path + "index.html" if page == 1 else None,
                    }
                )
        return pages

    def disallowed_paths(self) -> list[str]:
        """Return the path prefixes robots.txt disallows."""
        return [SEARCH_PATH, ARCHIVE_PATH]

    def revised_ids(self) -> list[int]:
        """Return the ids of articles whose body differs from revision 0 at this revision."""
        return [m.id for m in self.metas if self.revision and _revised_at(self.seed, self.revision, m.id)]

    def duplicate_counts(self) -> dict[str, int]:
        """Return how many articles are cross-listed or reposted, and how many dead links exist."""
        return {
            "crosslisted": sum(1 for m in self.metas if m.extra and not m.repost),
            "reposted": sum(1 for m in self.metas if m.repost),
            "dead_links": len(self.dead),
            "list_items": sum(len(e) for e in self._entries.values()),
        }


# -- cached pure generators (module level so the cache is shared and keyed by value) -----------------


@lru_cache(maxsize=4096)
def _title(seed: int, article_id: int, district: str, zone: str | None) -> str:
    """Return the title of an article; only (seed, id) and its district/zone matter."""
    return textgen.make_title(random.Random(f"investchn-replica/{seed}/{article_id}/title"), district, zone)


def _revised_at(seed: int, revision: int, article_id: int) -> int:
    """Return the last revision (1..revision) that edits this article's body, or 0."""
    last = 0
    for rev in range(1, revision + 1):
        if random.Random(f"investchn-replica/{seed}/{article_id}/rev{rev}").random() < 0.05:
            last = rev
    return last


@lru_cache(maxsize=512)
def _article(seed: int, revision: int, meta: ArticleMeta) -> Article:
    """Return the generated article for ``meta`` (cached: list and related blocks reuse it)."""
    rng = random.Random(f"investchn-replica/{seed}/{meta.id}/body")
    place = meta.zone or meta.district
    date = meta.date
    folder = f"{section_path(meta.section)}{date:%Y%m}/"
    paragraphs = textgen.make_paragraphs_with_amounts(rng, meta.district, meta.zone, rng.randint(3, 15), date)
    # Half the articles get one more sentence about money, from an RNG of their own so that every
    # other text of the site stays as it was.
    money = random.Random(f"investchn-replica/{seed}/{meta.id}/money")
    if money.random() < 0.5:
        index = money.randrange(len(paragraphs))
        text, amounts = paragraphs[index]
        sentence, added = textgen.make_money_sentence(money, place)
        shifted = [{**a, "start": a["start"] + len(text), "end": a["end"] + len(text)} for a in added]
        paragraphs[index] = (text + sentence, amounts + shifted)
    if meta.shared_lead:
        paragraphs.insert(0, (SHARED_LEAD, []))
    blocks: list[tuple] = [("p", text) for text, _ in paragraphs]
    if meta.kind == PHOTO_NEWS:
        count = rng.randint(1, 3)
        positions = sorted([0] + [rng.randint(1, len(blocks)) for _ in range(count - 1)], reverse=True)
        for number, pos in zip(range(count, 0, -1), positions, strict=True):
            alt, caption = textgen.make_caption(rng, place)
            src = f"{folder}W0{date:%Y%m%d}{meta.docid}_{number}.png"
            blocks[pos:pos] = [("img", src, alt), ("caption", caption)]
    if rng.random() < 0.05:
        pos = rng.randint(1, len(blocks))
        blocks.insert(pos, ("table", textgen.make_table(rng, place)))
    attachments = []
    if rng.random() < 0.05:
        for number in range(1, rng.randint(1, 2) + 1):
            text = textgen.make_attachment_name(rng, meta.district)
            while any(a["text"] == text for a in attachments):  # two links with one name confuse readers
                text = textgen.make_attachment_name(rng, meta.district)
            attachments.append({"url": f"{folder}P0{date:%Y%m%d}{meta.docid}_{number}.pdf", "text": text})
    page_starts = _split_long(seed, meta, blocks, paragraphs)
    article = Article(meta, _title(seed, meta.id, meta.district, meta.zone), blocks, attachments)
    article.page_starts = page_starts
    article.amounts = {text: amounts for text, amounts in paragraphs if amounts}
    for rev in range(1, revision + 1):
        edit = random.Random(f"investchn-replica/{seed}/{meta.id}/rev{rev}")
        if edit.random() >= 0.05:
            continue
        paragraph = textgen.make_revision_paragraph(edit, meta.district, rev)
        text_positions = [n for n, b in enumerate(article.blocks) if b[0] == "p"]
        if edit.random() < 0.5:
            article.blocks.append(("p", paragraph))
        else:
            article.blocks[edit.choice(text_positions)] = ("p", paragraph)
        article.revised_at = rev
    return article


def _split_long(
    seed: int, meta: ArticleMeta, blocks: list[tuple], paragraphs: list[tuple[str, list[dict]]]
) -> tuple[int, ...]:
    """Make about 1 article in :data:`SPLIT_SHARE` long (more paragraphs added to ``blocks``, and with
    their money amounts to ``paragraphs``) and return where its pages 2 and 3 start; () for the
    others, whose blocks are left as they are.

    Drawn from an RNG of its own, so that every other article is what it was before pages existed. A
    page never starts between a photo and its caption.
    """
    rng = random.Random(f"investchn-replica/{seed}/{meta.id}/split")
    if rng.random() >= SPLIT_SHARE:
        return ()
    parts = rng.choice((2, 3))
    more = textgen.make_paragraphs_with_amounts(rng, meta.district, meta.zone, 4 * parts, meta.date)
    blocks.extend(("p", text) for text, _ in more)
    paragraphs.extend(more)
    cuts = [n for n in range(1, len(blocks)) if blocks[n][0] == "p" and blocks[n - 1][0] != "img"]
    return tuple(cuts[len(cuts) * part // parts] for part in range(1, parts))


@lru_cache(maxsize=8)
def _other_pages(seed: int, slug: str) -> list[dict]:
    """Return six article-like pages of a non-zone section; they are not zone news."""
    rng = random.Random(f"investchn-replica/{seed}/other/{slug}")
    pages = []
    for number in range(6, 0, -1):
        date = dt.date(2024, 1, 1) + dt.timedelta(days=number * 23 + rng.randrange(20))
        district = rng.choice(DISTRICTS)
        title = {
            "tzzn": f"{district.name}投资指南：{rng.choice(textgen.INDUSTRIES)}产业投资环境介绍",
            "zcfg": f"关于印发《{district.name}促进{rng.choice(textgen.INDUSTRIES)}产业高质量发展若干措施》的通知",
            "zsxm": f"{rng.choice(district.zones)}{rng.choice(textgen.INDUSTRIES)}"
            f"{rng.choice(textgen.PROJECTS)}招商公告",
        }[slug]
        docid = 2_000_000 + 100 * list(OTHER_SECTIONS).index(slug) + number
        pages.append(
            {
                "path": f"/{slug}/{date:%Y%m}/t{date:%Y%m%d}_{docid}.html",
                "title": title,
                "date": date,
                "source": rng.choice(district.sources),
                "paragraphs": textgen.make_paragraphs(rng, district.name, None, rng.randint(3, 6), date),
            }
        )
    return pages


@lru_cache(maxsize=8)
def _archive_pages(seed: int) -> list[dict]:
    """Return the 往年归档 articles: old zone news a robots-obeying crawler never sees."""
    rng = random.Random(f"investchn-replica/{seed}/archive")
    pages = []
    for number in range(10, 0, -1):
        date = dt.date(2015, 3, 1) + dt.timedelta(days=number * 61 + rng.randrange(30))
        district = rng.choice(DISTRICTS)
        zone = rng.choice(district.zones)
        pages.append(
            {
                "path": f"{ARCHIVE_PATH}{date:%Y}/t{date:%Y%m%d}_{1_000_000 + number}.html",
                "title": textgen.make_title(rng, district.name, zone),
                "date": date,
                "district": district.name,
                "zone": zone,
                "source": district.sources[0],
                "paragraphs": textgen.make_paragraphs(rng, district.name, zone, rng.randint(3, 6), date),
            }
        )
    return pages
