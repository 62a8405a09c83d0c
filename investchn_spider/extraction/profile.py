"""A host's template profile: the body lines its pages share, learnt from the pages themselves.

The single-page rules (:mod:`.chrome`) know the chrome every CMS prints (分享到, 责任编辑, 上一条 …);
a site may add its own: a column banner above the text (◆ 园区观察第123期 ◆), a promotion below
it. Such a line is printed by the template, so it stands on many of the host's pages, in the same
place relative to the article, with at most a number or a link varying. A profile is the list of
those lines; :func:`learn_profile` finds them, and extraction drops them from the host's bodies.

How a line is keyed: its text normalised (:func:`normalise`: every run of digits is ``#``,
whitespace folded; links are not part of a line's text, so their URLs never count) and its place
in the body (:func:`position_of`: among the first :data:`EDGE_LINES` text lines, the ``head``;
among the last, the ``tail``; else the ``body``). A key is template when it is on at least
:func:`threshold` distinct pages: ``max(MIN_PAGES, SHARE * pages)``.

Why these numbers: the portal is one host with several templates, so a template's line may be on
a fifth of the host's pages or less (the share must be small); a genuine sentence may recur on a
few pages (a lead sentence such as 记者从区商务局获悉, a correction note), and must not be learnt
(the floor). :data:`MIN_SAMPLE` pages at least are read, since below that a few pages alike would
be "most of the site". Learning is deterministic: pages are read by URL, each counted once.

Pure: no Scrapy, no SQL. The store keeps profiles (``store/profiles.py``); ``investchn profile``
learns them and ``investchn reparse`` applies them.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from .document import Document
from .lines import fold_space

PROFILE_VERSION = 1
MIN_PAGES = 5  # a line on fewer pages is never template, however few pages were read
SHARE = 0.05  # ... and it must be on this share of the pages read
MIN_SAMPLE = 20  # fewer pages give no profile
EDGE_LINES = 3  # the first and last text lines of a body: where a template's banner or promotion stands
POSITIONS = ("head", "body", "tail")

_DIGITS = re.compile(r"[0-9０-９]+")


def host_of(url: str) -> str:
    """Return the host name a page's profile is kept under ("" for a URL without one)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:  # a malformed authority: no host, no profile
        return ""


def normalise(text: str) -> str:
    """Return the key text of a line: whitespace folded, every run of digits (ASCII or full-width) ``#``."""
    return _DIGITS.sub("#", fold_space(text))


def position_of(index: int, count: int) -> str:
    """Return where the ``index``-th of ``count`` text lines of a body stands: ``head``, ``tail`` or ``body``.

    A line within :data:`EDGE_LINES` of both ends (a short body) belongs to the nearer one, the head
    on a tie, so that a banner on the first line and a promotion on the last are each keyed alike on
    long and short pages.
    """
    from_end = count - 1 - index
    if index < EDGE_LINES and index <= from_end:
        return "head"
    return "tail" if from_end < EDGE_LINES else "body"


def threshold(pages: int) -> int:
    """Return on how many distinct pages (of ``pages`` read) a key must be to be template."""
    return max(MIN_PAGES, math.ceil(SHARE * pages))


def keys_of(texts: list[str]) -> list[tuple[str, str]]:
    """Return the ``(pattern, position)`` key of each of a body's text lines, in order."""
    count = len(texts)
    return [(normalise(text), position_of(index, count)) for index, text in enumerate(texts)]


def learn_profile(host: str, pages: Iterable[Document | Mapping]) -> dict:
    """Return the profile learnt from ``pages`` of ``host``: parsed :class:`Document` pages, or records
    (dicts with ``url`` and ``body_text``), as the single-page rules extract them.

    The profile is JSON-able: ``{"version", "host", "pages" (read), "min_pages", "share",
    "threshold", "lines": [{"text" (an example), "pattern", "position", "pages"}]}``, its lines in
    head, body, tail order, most pages first. With fewer than :data:`MIN_SAMPLE` pages its
    ``lines`` are empty. A page that is not an article (or that the extractor cannot read) is
    skipped, and not counted in ``pages``; a URL given more than once is
    read once (the body that sorts first), so the profile never depends on the order of ``pages``.
    """
    bodies: dict[str, list[tuple[str, bool]]] = {}
    for page in pages:
        url, lines = _page_lines(page)
        if lines is not None and (url not in bodies or lines < bodies[url]):
            bodies[url] = lines  # a URL given twice counts once, and not by which came first
    counted: Counter = Counter()
    examples: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for url in sorted(bodies):
        lines = bodies[url]
        keyed = [
            (key, text)
            for key, (text, links_file) in zip(keys_of([t for t, _ in lines]), lines, strict=True)
            if not links_file
        ]
        for key in {key for key, _ in keyed}:
            counted[key] += 1
        for key, text in keyed:
            examples[key][text] += 1
    needed = threshold(len(bodies))
    lines = []
    if len(bodies) >= MIN_SAMPLE:
        for (pattern, position), count in counted.items():
            if count >= needed and pattern:
                # The example shown is the key's most frequent text (the smallest of equals).
                text = min(examples[pattern, position].items(), key=lambda item: (-item[1], item[0]))[0]
                lines.append({"text": text, "pattern": pattern, "position": position, "pages": count})
    lines.sort(key=lambda line: (POSITIONS.index(line["position"]), -line["pages"], line["pattern"]))
    return {
        "version": PROFILE_VERSION,
        "host": host,
        "pages": len(bodies),
        "min_pages": MIN_PAGES,
        "share": SHARE,
        "threshold": needed,
        "lines": lines,
    }


def template_keys(profile: Mapping | None) -> frozenset[tuple[str, str]]:
    """Return the ``(pattern, position)`` keys of a profile's template lines; none for no profile, or
    for one of another version or shape (an unknown profile is ignored, never guessed at)."""
    if not isinstance(profile, Mapping) or profile.get("version") != PROFILE_VERSION:
        return frozenset()
    lines = profile.get("lines")
    if not isinstance(lines, list):
        return frozenset()
    return frozenset(
        (line["pattern"], line["position"])
        for line in lines
        if isinstance(line, Mapping)
        and isinstance(line.get("pattern"), str)
        and line["pattern"]
        and line.get("position") in POSITIONS
    )


def _page_lines(page: Document | Mapping) -> tuple[str, list[tuple[str, bool]] | None]:
    """Return a page's URL and its body's text lines as the single-page rules give them, each with
    whether it links a file (None: the page is no article).

    A line that links a file is keyed (it has its place) but never counted: a file is the article's,
    even when many pages link it.
    """
    if isinstance(page, Document):
        from .article import body_lines_of, line_attachments  # article applies profiles: imported late

        try:
            lines = body_lines_of(page)
        except Exception:  # not an article, or a page the extractor cannot read: nothing to learn from
            return page.url, None
        return page.url, [(line.text, bool(line_attachments(line))) for line in lines if line.text]
    body = page.get("body_text")
    if not isinstance(body, str):
        return str(page.get("url", "")), None
    files = [item.get("text") for item in page.get("attachments") or () if isinstance(item, Mapping)]
    lines = [(text, any(name and name in text for name in files)) for text in body.split("\n") if text]
    return str(page.get("url", "")), lines
