"""Read a page of the portal as a navigator: what kind of page it is and which links lead on.

Pure functions over a parsed :class:`Document`. Pages are told apart by what they show, not by URL:
an article has the 发布时间 label and a breadcrumb under 开发区新闻; a list page has a breadcrumb
under 开发区新闻 and dated links; anything else (home page, other sections, error pages) only
matters for the 开发区新闻 links it carries.

Only http(s) URLs with a host lead on. A link the crawl would follow but cannot request (another
scheme such as ``ftp:``, ``file:``, ``sms:``, ``weixin:``; a malformed URL such as ``http://[x/``) is
set aside in ``skipped_links``, for the crawl to count; the rest of the page is read as usual. Links
that are no navigation at all (``javascript:``, ``mailto:``, ``#``) are not links to begin with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .article import SECTION_NAME, is_terminator, looks_like_article, section_of
from .dates import find_date, parse_publish_time
from .document import Document
from .labels import find_breadcrumb
from .lines import Line, Link

_PAGER_TEXT = re.compile(
    r"(?:首页|上一页|上页|前页|下一页|下页|后页|尾页|末页|最后一页|第一页|\d{1,5}|[<>«»‹›]{1,2}|\.{2,3}|…|第\s*\d+\s*页|"
    r"\[\s*\d{1,5}\s*\])"
)
_NEXT_TEXT = re.compile(r"(?:下一页|下页|后页|[>›»]{1,2})")
_NEXT_WORD = re.compile(r"下一页|下页|后页")
_SECTION_LINK_TEXT = re.compile(r"(?:更多)?" + SECTION_NAME)
_EMPTY_NOTICE = re.compile(r"暂无|没有(?:相关|找到)?(?:信息|内容|数据|记录|新闻|文章)")
_MIN_UNDATED_TITLE = 10  # an undated link this long on a list page is taken for an article title


@dataclass(frozen=True)
class ListedArticle:
    """An article link as a list page shows it: URL, the listed title and its date (or None)."""

    url: str
    title: str
    date: str | None


@dataclass
class PageAnalysis:
    """What a page is and where it leads. ``kind`` is ``article``, ``listing`` or ``other``."""

    kind: str
    breadcrumb: list[str]
    district: str | None = None
    category: str | None = None
    articles: list[ListedArticle] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)
    section_links: list[str] = field(default_factory=list)
    entry_links: list[str] = field(default_factory=list)
    empty_notice: bool = False  # the list says it has nothing (暂无信息): empty, not broken
    skipped_links: list[str] = field(default_factory=list)  # links to follow that cannot be requested

    @property
    def in_section(self) -> bool:
        """True when the page's breadcrumb places it under 开发区新闻."""
        return SECTION_NAME in self.breadcrumb


def requestable(url: str) -> bool:
    """Return True when ``url`` is an absolute http(s) URL with a host and a valid port: one a crawler
    can request (False for other schemes, and for URLs no request can be built from)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number or out of range
        url.encode("utf-8")  # a lone surrogate cannot go on the wire
    except ValueError:  # UnicodeEncodeError included
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def analyse_page(doc: Document) -> PageAnalysis:
    """Return the :class:`PageAnalysis` of a parsed page."""
    lines = doc.lines
    crumb = find_breadcrumb(lines)
    crumb_index, breadcrumb = crumb if crumb else (-1, [])
    district, category = section_of(breadcrumb)
    analysis = PageAnalysis("other", breadcrumb, district, category)
    if looks_like_article(lines):
        analysis.kind = "article"
        return analysis
    if not analysis.in_section:
        entry = [link for line in lines for link in line.links if _SECTION_LINK_TEXT.fullmatch(link.text)]
        analysis.entry_links = _dedupe(link.url for link in entry if requestable(link.url))
        analysis.skipped_links = _dedupe(link.url or link.href for link in entry if not requestable(link.url))
        return analysis
    analysis.kind = "listing"
    content = _content_lines(lines, crumb_index)
    _read_links(analysis, content)
    analysis.empty_notice = any(_EMPTY_NOTICE.search(line.text) for line in content)
    return analysis


def _content_lines(lines: list[Line], crumb_index: int) -> list[Line]:
    """Lines below the breadcrumb and above the footer: where a list page's own links are."""
    content = []
    for line in lines[crumb_index + 1 :]:
        if is_terminator(line.text) and not line.links:
            break
        content.append(line)
    return content


def _read_links(analysis: PageAnalysis, lines: list[Line]) -> None:
    # Every link of a list page's content is followed (article, pager or section link), so every one
    # that cannot be requested is a link skipped; the others are read as if it were not there.
    skipped: list[str] = []
    links_of: dict[int, list[Link]] = {}
    for number, line in enumerate(lines):
        for link in line.links:
            if requestable(link.url):
                links_of.setdefault(number, []).append(link)
            else:
                skipped.append(link.url or link.href)
    analysis.skipped_links = _dedupe(skipped)
    dated = [
        line
        for number, line in enumerate(lines)
        if find_date(line.text) and any(len(link.text) >= 4 for link in links_of.get(number, ()))
    ]
    articles, numbered, named_next, pager_urls, sections = [], [], [], set(), []
    has_next_word = any(_NEXT_WORD.search(line.text) for line in lines)
    for number, line in enumerate(lines):
        links = links_of.get(number, [])
        pager_links = [link for link in links if _PAGER_TEXT.fullmatch(link.text)]
        for link in pager_links:
            pager_urls.add(link.url)
            if _NEXT_TEXT.fullmatch(link.text):
                named_next.append(link.url)
            elif link.text.strip("[] ").isdigit():
                numbered.append(link.url)
        others = [link for link in links if link not in pager_links]
        title_link = _article_link(line, others, undated_ok=not dated)
        if title_link is not None:
            published = parse_publish_time(line.text)
            articles.append(ListedArticle(title_link.url, title_link.text, published.date if published else None))
        sections.extend(link.url for link in others if link is not title_link)
    analysis.articles = list({article.url: article for article in articles}.values())
    # Walking by 下一页 keeps the newest-first order an incremental crawl stops on; numbered pages
    # are the fallback for pagers without one.
    # A pager that knows 下一页 links it on every page but the last, where it is plain text: there
    # the walk ends. Only pagers without the word fall back to their numbered links.
    analysis.next_pages = _dedupe(named_next if has_next_word else numbered)
    listed = {article.url for article in analysis.articles} | pager_urls
    analysis.section_links = [url for url in _dedupe(sections) if url not in listed]


def _article_link(line: Line, links: list[Link], *, undated_ok: bool) -> Link | None:
    if not links:
        return None
    longest = max(links, key=lambda link: len(link.text))
    if find_date(line.text):
        return longest if len(longest.text) >= 4 else None
    if undated_ok and len(longest.text) >= _MIN_UNDATED_TITLE and len(longest.text) >= 0.6 * len(line.text):
        return longest
    return None


def _dedupe(urls) -> list[str]:
    return list(dict.fromkeys(urls))
