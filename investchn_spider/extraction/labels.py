"""The site's own labels: the meta line (发布时间 / 来源 / 发布开发区 …) and the breadcrumb.

These labels are what every page of the portal prints whatever its template, so extraction anchors
on them. Values end at the next label or at a separator (``|``, ``【``, a table cell).
"""

from __future__ import annotations

import re
from itertools import pairwise
from urllib.parse import urlsplit

from .dates import find_date
from .lines import Line

# Publish-time labels, by how surely they name the publish time: a 发布 label beats a bare 时间
# or 日期 (DedeCMS, EmpireCMS, mobile pages), which beats the 更新/添加 time some CMSs print
# instead (PowerEasy's 更新时间, old ASP sites' 添加时间).
_DATE_LABEL_RANKS = {
    **dict.fromkeys(("发布时间", "发布日期", "发表时间", "发表日期", "发稿时间", "发布于", "发表于"), 0),
    **dict.fromkeys(("时间", "日期"), 1),
    **dict.fromkeys(("添加时间", "录入时间", "更新时间", "更新日期", "上传时间"), 2),
}
DATE_LABELS = tuple(sorted(_DATE_LABEL_RANKS, key=len, reverse=True))
# A bare 时间/日期 is a label only with a colon and not as the end of a longer word (报名时间,
# 成文日期, 废止日期: other dates of the page).
_BARE_DATE_LABELS = ("时间", "日期")
# Longer labels first so that 文章来源 is not read as 来源 with a dangling 文章.
_META_LABELS = (
    *(label for label in DATE_LABELS if label not in _BARE_DATE_LABELS),
    "文章来源",
    "信息来源",
    "新闻来源",
    "稿件来源",
    "来源",
    "发布开发区",
    "发布单位",
    "发布机构",
    "发布人",
    "发布者",
    "作者",
    "责任编辑",
    "编辑",
    "审核",
    "文章录入",
    "录入",
    "浏览次数",
    "浏览量",
    "浏览",
    "点击数",
    "点击量",
    "点击率",
    "点击",
    "阅读次数",
    "阅读量",
    "阅读",
    "访问次数",
    "访问量",
    "评论",
    "字号",
    "字体",
)
_LABEL_CANON = {
    **dict.fromkeys(DATE_LABELS, "发布时间"),
    **dict.fromkeys(("文章来源", "信息来源", "新闻来源", "稿件来源"), "来源"),
}
_BARE_DATES = "|".join(_BARE_DATE_LABELS)
# Checked after the label (a lookbehind over it and the character before), so that every
# alternative of the patterns starts with a literal and the regular expression engine can skip
# ahead to a label's first character.
_NO_CJK_BEFORE_BARE = rf"(?<![\u4e00-\u9fff](?:{_BARE_DATES}))"
# Date labels may stand without a colon ("发布时间 2022-09-13"); any other label needs one, so that
# words such as 点击 or 阅读 inside a value are not taken for labels.
_LABEL = re.compile(
    r"(?P<date>" + "|".join(label for label in DATE_LABELS if label not in _BARE_DATE_LABELS) + r")\s*[:：]?\s*"
    rf"|(?P<bare>{_BARE_DATES}){_NO_CJK_BEFORE_BARE}\s*[:：]\s*"
    r"|(?P<label>" + "|".join(label for label in _META_LABELS if label not in DATE_LABELS) + r")\s*[:：]\s*"
)
_DATE_LABEL_LINE = re.compile(
    r"(?:" + "|".join(label for label in DATE_LABELS if label not in _BARE_DATE_LABELS) + r")\s*[:：]?"
    rf"|(?:{_BARE_DATES}){_NO_CJK_BEFORE_BARE}\s*[:：]"
)
_VALUE_END = re.compile(r"[|｜丨【\[\t]|\s[·•]|[·•]\s")
# What a value runs into when the page sets meta items side by side without a separator: a
# counter (阅读 1.2万, 本文已被浏览 次), a print or font-size control.
_VALUE_TAIL = re.compile(
    r"(?:\s+|(?<=[\u4e00-\u9fff]))(?:本文)?(?:已被)?(?:浏览|阅读|点击|访问|评论|点赞)(?:次数|量|数)?\s*[:：]?\s*"
    r"[\d,.]*\s*万?\s*次?\s*$|\s+[·•]\s*$"
)
_CRUMB_LABEL = re.compile(
    r"(?:(?:您|你)(?:现在|当前|目前|所在)?的?|(?:现在|当前|目前|所在)的?)位置\s*(?:是)?\s*[:：]?\s*"
    r"|^\W{0,3}位置\s*[:：]\s*"  # a bare 位置 only at the start of its line, with a colon
)
# A spaced dash separates items too (Rank Math's " - "); "|" and "·" do not: menus use them.
_CRUMB_SEPARATOR = re.compile(r"\s*(?:[-=—]+>|>>|>|＞|»|›|〉|→|▶|►|/|＞＞|\\)\s*|\s+[-–—]\s+")
META_LINE_START = re.compile(r"^\W{0,2}(?:" + "|".join(_META_LABELS) + r")\s*[:：]")
# The first item of a breadcrumb that has no 您现在的位置 label: the home page.
_HOME_ITEMS = frozenset(("首页", "网站首页", "主页", "返回首页", "回到首页", "Home", "HOME", "home"))
_MAX_CRUMB_ITEM = 20  # characters: a longer line under the label is the title or text, not an item
_MAX_CRUMB_ITEMS = 7
_SENTENCE_MARK = re.compile(r"[，。；！？,;!?]")


def has_date_label(text: str) -> bool:
    """Return True when ``text`` contains a publish-time label (发布时间 and its synonyms)."""
    # Two characters of every date label, tested as substrings first: most lines hold none.
    if not ("时间" in text or "日期" in text or "发布" in text or "发表" in text or "发稿" in text):
        return False
    return _DATE_LABEL_LINE.search(text) is not None


def parse_meta(text: str) -> dict[str, str]:
    """Return the labelled values of a meta line, keyed by canonical label (发布时间, 来源 …).

    The first occurrence of a label wins, except that a surer publish-time label (发布时间) beats a
    vaguer one (时间, 更新时间) wherever it stands; values are stripped and may be empty strings.
    """
    found = list(_LABEL.finditer(text))
    values: dict[str, str] = {}
    date_rank = 3
    for index, match in enumerate(found):
        label = match.group("date") or match.group("bare") or match.group("label")
        end = found[index + 1].start() if index + 1 < len(found) else len(text)
        raw = text[match.end() : end]
        if label in _DATE_LABEL_RANKS:
            if _DATE_LABEL_RANKS[label] < date_rank:
                date_rank = _DATE_LABEL_RANKS[label]
                values["发布时间"] = raw.strip(" \t:：,，;；")
            continue
        label = _LABEL_CANON.get(label, label)
        if label not in values:
            values[label] = _clean_value(raw)
    return values


def _clean_value(raw: str) -> str:
    """Return a label's value cut at the next separator, a date or a counter, and stripped."""
    value = _VALUE_END.split(raw, maxsplit=1)[0]
    date = find_date(value)
    if date and date.start() > 0:  # items set side by side: 来源：成都日报2022-09-13 10:05
        value = value[: date.start()]
    if value and ("阅" in value or "浏" in value or "点" in value or "访" in value or "评" in value or "·" in value):
        value = _VALUE_TAIL.sub("", value)
    return value.strip(" \t:：,，;；")


def find_breadcrumb(lines: list[Line], title_tag: str = "") -> tuple[int, list[str]] | None:
    """Return ``(line index, items)`` of the first 「您现在的位置」 breadcrumb, or None when absent.

    The index is the breadcrumb's last line. Items are split at the usual separators; when the
    separators are images or CSS (so the text runs together) the link texts are used instead,
    followed by any unlinked trailing item; when each item is a block of its own (an ``<ol>`` of
    ``<li>``) the items are the short lines under the label. ``title_tag`` (the page's ``<title>``)
    tells a short title under such a list from a last item.
    """
    for index, line in enumerate(lines):
        match = "位置" in line.text and _CRUMB_LABEL.search(line.text)
        if not match:
            continue
        rest = _first_cell(line.text[match.end() :])
        if not rest and index + 1 < len(lines):  # label and trail in separate blocks
            following = lines[index + 1]
            if following.anchor_count > 1 or len(_split_crumb(_first_cell(following.text))) > 1:
                index, line, rest = index + 1, following, _first_cell(following.text)
            else:
                return _stacked_crumb(lines, index + 1, title_tag)
        return index, _crumb_items(line, rest)
    return None


def find_unlabelled_breadcrumb(lines: list[Line], start: int, end: int) -> tuple[int, list[str]] | None:
    """Return ``(last line index, items)`` of a breadcrumb without a label between lines ``start``
    and ``end`` (exclusive), nearest to ``end``, or None.

    Such a breadcrumb starts at the home page (首页) and is either one line of separated items,
    mostly links, or a run of short link lines (an ``<ol>`` styled by CSS), its last item perhaps
    plain text. The caller passes the lines just above the article's title and meta line, where
    breadcrumbs stand: the navigation menu, which also starts at 首页, is longer and further up.
    """
    for index in range(end - 1, start - 1, -1):
        text = lines[index].text
        if text in _HOME_ITEMS:
            stacked = _stacked_crumb(lines, index, "", until=end)
            if (
                stacked
                and len(stacked[1]) >= 3
                and stacked[0] >= end - 3
                and _links_nest(lines[index : stacked[0] + 1])
            ):
                return stacked
            continue
        items = _split_crumb(_first_cell(text))
        if (
            len(items) >= 3
            and items[0] in _HOME_ITEMS
            and len(items) <= _MAX_CRUMB_ITEMS
            and lines[index].anchor_count >= len(items) - 1
            and all(len(item) <= 2 * _MAX_CRUMB_ITEM for item in items)
        ):
            return index, _crumb_items(lines[index], _first_cell(text))
    return None


def _links_nest(lines: list[Line]) -> bool:
    """Return True when the links of these one-link lines, after the first (home), go down one
    path: each URL's path extends the one before (/kfqxw/, /kfqxw/huangpu/). A menu's links are
    siblings (/kfqxw/, /zsxm/), so a list of links without a label is read as a breadcrumb only
    when they nest."""
    paths = [urlsplit(line.links[0].url).path for line in lines[1:] if line.links]
    if len(paths) < 2:
        return False
    return all(later.startswith(earlier.rstrip("/") + "/") for earlier, later in pairwise(paths))


def _split_crumb(rest: str) -> list[str]:
    return [item.strip() for item in _CRUMB_SEPARATOR.split(rest) if item.strip()]


def _crumb_items(line: Line, rest: str) -> list[str]:
    """Return the items of a one-line breadcrumb whose text after the label is ``rest``."""
    items = _split_crumb(rest)
    if len(items) < line.anchor_count:  # the links tell more items apart than the separators
        linked = [link.text for link in line.links if link.text and link.text in rest]
        if len(items) < len(linked):
            trailing = rest[rest.rfind(linked[-1]) + len(linked[-1]) :].strip()
            items = linked + ([trailing] if trailing else [])
    if items:  # a date set beside the breadcrumb runs into its last item (正文2022年9月13日)
        date = find_date(items[-1])
        if date and date.end() == len(items[-1].rstrip()):
            items[-1] = items[-1][: date.start()].strip()
            if not items[-1]:
                items.pop()
    return items


def _stacked_crumb(
    lines: list[Line], first: int, title_tag: str, until: int | None = None
) -> tuple[int, list[str]] | None:
    """Return the breadcrumb made of the short lines from ``first`` on, one item each: links, then
    at most one plain item; None when there is none."""
    items: list[str] = []
    last = first - 1
    for index in range(first, min(len(lines), until if until is not None else len(lines), first + _MAX_CRUMB_ITEMS)):
        line = lines[index]
        text = line.text
        if not _could_be_crumb_item(line):
            break
        linked = line.anchor_count == 1 and len(line.links) == 1 and line.links[0].text == text
        if not linked and (line.emphasised or (len(text) >= 6 and text in title_tag)):
            break  # the title under the breadcrumb
        items.append(text)
        last = index
        if not linked:
            break
    if len(items) > _MAX_CRUMB_ITEMS - 1 and until is not None:
        return None  # a menu, not a breadcrumb
    return (last, items) if items else None


def _could_be_crumb_item(line: Line) -> bool:
    text = line.text
    return (
        0 < len(text) <= _MAX_CRUMB_ITEM
        and "\t" not in text
        and not _SENTENCE_MARK.search(text)
        and not META_LINE_START.match(text)
        and not find_date(text)
    )


def _first_cell(text: str) -> str:
    # A breadcrumb shares its table row with other cells (a date, a search box) on many templates.
    return next((cell.strip() for cell in text.split("\t") if cell.strip()), "")
