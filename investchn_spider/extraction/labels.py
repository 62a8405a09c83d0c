"""The site's own labels: the meta line (发布时间 / 来源 / 发布开发区 …) and the breadcrumb.

These labels are what every page of the portal prints whatever its template, so extraction anchors
on them. Values end at the next label or at a separator (``|``, ``【``, a table cell).
"""

from __future__ import annotations

import re

from .lines import Line

DATE_LABELS = ("发布时间", "发布日期", "发表时间")
# Longer labels first so that 文章来源 is not read as 来源 with a dangling 文章.
_META_LABELS = (
    *DATE_LABELS,
    "文章来源",
    "信息来源",
    "来源",
    "发布开发区",
    "发布单位",
    "发布人",
    "发布者",
    "作者",
    "责任编辑",
    "编辑",
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
    "访问量",
    "字号",
    "字体",
)
_LABEL_CANON = {"文章来源": "来源", "信息来源": "来源", "发布日期": "发布时间", "发表时间": "发布时间"}
# Date labels may stand without a colon ("发布时间 2022-09-13"); any other label needs one, so that
# words such as 点击 or 阅读 inside a value are not taken for labels.
_LABEL = re.compile(
    r"(?P<date>" + "|".join(DATE_LABELS) + r")\s*[:：]?\s*"
    r"|(?P<label>" + "|".join(label for label in _META_LABELS if label not in DATE_LABELS) + r")\s*[:：]\s*"
)
_DATE_LABEL_LINE = re.compile(r"(?:" + "|".join(DATE_LABELS) + r")\s*[:：]?")
_VALUE_END = re.compile(r"[|｜丨【\[\t]")
_CRUMB_LABEL = re.compile(r"(?:您现在的位置|您当前的位置|您的位置|当前位置|现在位置|所在位置)\s*(?:是)?\s*[:：]?\s*")
_CRUMB_SEPARATOR = re.compile(r"\s*(?:>>|>|＞|»|›|→|/|＞＞|\\)\s*")
META_LINE_START = re.compile(r"^\W{0,2}(?:" + "|".join(_META_LABELS) + r")\s*[:：]")


def has_date_label(text: str) -> bool:
    """Return True when ``text`` contains a publish-time label (发布时间 and its synonyms)."""
    return "发" in text and _DATE_LABEL_LINE.search(text) is not None  # substring test first: most lines fail it


def parse_meta(text: str) -> dict[str, str]:
    """Return the labelled values of a meta line, keyed by canonical label (发布时间, 来源 …).

    The first occurrence of a label wins; values are stripped and may be empty strings.
    """
    found = list(_LABEL.finditer(text))
    values: dict[str, str] = {}
    for index, match in enumerate(found):
        label = match.group("date") or match.group("label")
        label = _LABEL_CANON.get(label, label)
        end = found[index + 1].start() if index + 1 < len(found) else len(text)
        raw = text[match.end() : end]
        if label != "发布时间":
            raw = _VALUE_END.split(raw, maxsplit=1)[0]
        values.setdefault(label, raw.strip(" \t:：,，;；"))
    return values


def find_breadcrumb(lines: list[Line]) -> tuple[int, list[str]] | None:
    """Return ``(line index, items)`` of the first 「您现在的位置」 breadcrumb, or None when absent.

    Items are split at the usual separators; when the separators are images (so the text runs
    together) the link texts are used instead, followed by any unlinked trailing item.
    """
    for index, line in enumerate(lines):
        match = "位置" in line.text and _CRUMB_LABEL.search(line.text)
        if not match:
            continue
        rest = _first_cell(line.text[match.end() :])
        if not rest and index + 1 < len(lines):  # label and trail in separate blocks
            index, line, rest = index + 1, lines[index + 1], _first_cell(lines[index + 1].text)
        items = [item.strip() for item in _CRUMB_SEPARATOR.split(rest) if item.strip()]
        if len(items) >= line.anchor_count:  # the links cannot tell more items apart
            return index, items
        linked = [link.text for link in line.links if link.text and link.text in rest]
        if len(items) < len(linked):
            trailing = rest[rest.rfind(linked[-1]) + len(linked[-1]) :].strip()
            items = linked + ([trailing] if trailing else [])
        return index, items
    return None


def _first_cell(text: str) -> str:
    # A breadcrumb shares its table row with other cells (a date, a search box) on many templates.
    return next((cell.strip() for cell in text.split("\t") if cell.strip()), "")
