"""Read the publish time the portal prints after 发布时间, in any of the formats Chinese CMSs use.

The site publishes Asia/Shanghai wall-clock times without an offset. We parse the numbers with an
explicit pattern rather than dateutil's fuzzy mode: fuzzy parsing of "2022年9月13日" silently returns
the current year (measured), and a wrong date is worse than a clear error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser

SHANGHAI = ZoneInfo("Asia/Shanghai")

# A weekday may stand between the date and the time (2022年9月13日 星期二 10:05), and a 12-hour
# clock says 上午 or 下午 before the hour (.NET's zh-CN "2022/9/13 下午 3:05:00").
_DATE_TIME = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?!\d)\s*日?"
    r"(?:[\sT]*(?:(?:星期|礼拜|周)[一二三四五六日天]\s*)?(?P<half>上午|下午|中午|晚上|凌晨|早上)?\s*"
    r"(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2})(?!\d))?)?"
)
_AFTERNOON = frozenset(("下午", "晚上"))
_COMPACT_DATE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)")
_ISO_WITH_OFFSET = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)")


@dataclass(frozen=True)
class PublishTime:
    """A publish date, and the time of day when the page gives one."""

    date: str  # YYYY-MM-DD
    at: str | None  # YYYY-MM-DDTHH:MM:SS+08:00, or None when only a date is printed


def find_date(text: str) -> re.Match[str] | None:
    """Return the first match of a printed date (with an optional time of day) in ``text``, or None."""
    return _DATE_TIME.search(text)


def parse_publish_time(text: str) -> PublishTime | None:
    """Return the first valid publish time printed in ``text``, or None when it holds no valid date."""
    iso = _ISO_WITH_OFFSET.search(text)
    if iso:
        moment = dateutil_parser.isoparse(iso.group(0)).astimezone(SHANGHAI)
        return PublishTime(moment.date().isoformat(), moment.isoformat(timespec="seconds"))
    for match in _DATE_TIME.finditer(text):
        parsed = _from_match(match)
        if parsed:
            return parsed
    compact = _COMPACT_DATE.search(text)
    return _from_match(compact) if compact else None


# Asia/Shanghai has kept +08:00 all year since daylight saving time ended in 1991.
_LAST_DST_YEAR = 1991


def _from_match(match: re.Match[str]) -> PublishTime | None:
    parts = match.groupdict()
    try:
        day = date(int(parts["y"]), int(parts["m"]), int(parts["d"]))
    except ValueError:
        return None
    if parts.get("H") is None:
        return PublishTime(day.isoformat(), None)
    hour = int(parts["H"])
    if hour < 12 and (parts.get("half") in _AFTERNOON or (parts.get("half") == "中午" and hour < 6)):
        hour += 12
    try:
        clock = time(hour, int(parts["M"]), int(parts.get("S") or 0))
    except ValueError:  # a garbled time of day still leaves a good date
        return PublishTime(day.isoformat(), None)
    if day.year > _LAST_DST_YEAR:  # the common case, without a time zone lookup
        return PublishTime(day.isoformat(), f"{day.isoformat()}T{clock.isoformat()}+08:00")
    moment = datetime.combine(day, clock, tzinfo=SHANGHAI)
    return PublishTime(day.isoformat(), moment.isoformat(timespec="seconds"))
