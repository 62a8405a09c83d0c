"""Articles split over several pages: the in-article pager, and one record made of every page's.

Pure functions, no Scrapy, no SQL. A CMS that splits a long article prints a pager under the body
(第1页 第2页 第3页, 上一页 1 2 3 下一页, [1] [2] [3], 共3页 首页 上一页 下一页 尾页) whose links go to the
article's own continuation pages. Those are told apart from every other link of an article page by
two things together: the link is on a pager line (only page tokens, see
:func:`~.chrome.is_pager_line`) with a page token for its text, and its URL continues the first
page's URL the way CMSs number pages:

- the file name with a page number appended: ``t20240927_4000897.html`` → ``t20240927_4000897_1.html``
  (TRS, where ``_1`` is page 2), ``123.html`` → ``123_2.html`` (DedeCMS), ``show-1-5.html`` →
  ``show-1-5-2.html``; a folder page ``/a/`` or ``/a/index.html`` → ``/a/index_1.html``;
- the same path with a page parameter in the query: ``?id=5`` → ``?id=5&page=2`` (``p``, ``pn``,
  ``pageNo``, ``page_no``, ``pageIndex``, ``curPage``, ``currentPage``, ``cp``).

So 上一条 / 下一条 (another article's URL, a title for text), 相关新闻 (titles), and a list page's
pager (not an article: classified by :mod:`.listing`, and :func:`continuation_pages` checks the page
is an article) never count as continuation pages. Pages are ordered by the number in their URL,
which every scheme above increases page by page.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from .article import content_hash, looks_like_article
from .chrome import PAGER_LINK_TEXT, is_pager_line
from .document import Document

_PAGE_PARAMETERS = frozenset(
    ("page", "p", "pn", "pg", "pageno", "page_no", "pagenum", "pageindex", "curpage", "currentpage", "cp")
)
_NUMBERED_STEM = re.compile(r"(?P<stem>.*?)[_-](?P<number>\d{1,3})")
_FOLDER_INDEX = re.compile(r"(?:index|default)\.s?html?", re.IGNORECASE)


def page_number(url: str, first_url: str) -> int | None:
    """Return the page number ``url`` carries as a continuation page of the article at ``first_url``
    (the number in its name or query, as the CMS numbers it), or None when it is not one."""
    first, page = urlsplit(first_url), urlsplit(url)
    if (page.scheme, page.netloc.lower()) != (first.scheme, first.netloc.lower()):
        return None
    if page.path == first.path:
        return _query_page(page.query, first.query)
    if page.query != first.query:
        return None
    folder, _, name = first.path.rpartition("/")
    if not name or _FOLDER_INDEX.fullmatch(name):
        stem, extension = "index", None  # a folder page: its pages are index_1.html …
    elif "." in name:
        stem, extension = name.rsplit(".", 1)
    else:
        return None
    page_folder, _, page_name = page.path.rpartition("/")
    if page_folder != folder or "." not in page_name:
        return None
    page_stem, page_extension = page_name.rsplit(".", 1)
    if extension is not None and page_extension.lower() != extension.lower():
        return None
    match = _NUMBERED_STEM.fullmatch(page_stem)
    if match is None or match["stem"] != stem:
        return None
    return int(match["number"])


def _query_page(query: str, first_query: str) -> int | None:
    """Return the page parameter's value of ``query`` when the rest of it is ``first_query``'s, else None."""
    pairs = parse_qsl(query, keep_blank_values=True)
    numbers = [value for key, value in pairs if key.lower() in _PAGE_PARAMETERS]
    rest = sorted((key, value) for key, value in pairs if key.lower() not in _PAGE_PARAMETERS)
    first_pairs = parse_qsl(first_query, keep_blank_values=True)
    first_rest = sorted((key, value) for key, value in first_pairs if key.lower() not in _PAGE_PARAMETERS)
    if len(numbers) != 1 or not numbers[0].isdigit() or rest != first_rest:
        return None
    number = int(numbers[0])
    return number if number > 1 else None  # page=1 (or 0) is the first page itself


def continuation_pages(doc: Document, first_url: str | None = None) -> list[str]:
    """Return the URLs of the article's continuation pages that ``doc`` links from its pager, ordered
    by page number ([] for a page that is not an article, or has no pager).

    ``first_url`` is the article's first page (default: ``doc``'s own URL); pass it when ``doc`` is
    itself a continuation page, whose pager also links back to page 1 and to itself (neither is
    returned).
    """
    first_url = first_url or doc.url
    own = doc.url.split("#", 1)[0]
    found: dict[str, int] = {}
    for line in doc.lines:
        if not line.anchor_count or not is_pager_line(line):
            continue
        for link in line.links:
            url = link.url.split("#", 1)[0]
            if not PAGER_LINK_TEXT.fullmatch(link.text) or url in found or url == own:
                continue
            number = page_number(url, first_url)
            if number is not None:
                found[url] = number
    if not found or not looks_like_article(doc.lines, doc.title_tag):
        return []
    return sorted(found, key=lambda url: (found[url], url))


def combine_pages(records: list[dict]) -> dict:
    """Return the one record of an article from the records of its pages, in page order.

    Title, dates, meta, breadcrumb, section and URL are the first page's (continuation pages repeat
    them); ``body_text`` is the pages' bodies joined in order by a line break (the paragraph break of
    ``body_text``); images and attachments are concatenated, an attachment every page repeats listed
    once; ``content_hash`` is over the whole text.
    """
    first = records[0]
    combined = dict(first)
    combined["body_text"] = "\n".join(record["body_text"] for record in records if record["body_text"])
    combined["images"] = [image for record in records for image in record["images"]]
    attachments: list[dict] = []
    for record in records:
        attachments.extend(item for item in record["attachments"] if item not in attachments)
    combined["attachments"] = attachments
    combined["content_hash"] = content_hash(first["title"], first["published_date"], combined["body_text"])
    return combined
