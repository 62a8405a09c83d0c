"""Resolve a 发布开发区 (zone) name to its province, prefecture city, county-level district and zone type.

Pure functions over a string and two data files shipped beside this module (see facts/data/README.md):
divisions.csv, China's administrative divisions to county level, and zone_aliases.csv, a curated table of zones
whose names carry no place (张江高新区, 苏州工业园区, TEDA …) and of the State Council's national-level lists.
The data is read once, on first use. A wrong non-null field is worse than a null one: a place name that could be
any of several divisions (鼓楼区, 朝阳) resolves only the fields all of them share.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

_DATA = Path(__file__).resolve().parent / "data"

TYPES = ("经开区", "高新区", "综保区", "自贸区", "新区", "工业园区", "other")

# Type keywords; the one that ends last in the name decides (苏州工业园区综合保税区 is a 综保区). Sub-unit words
# (园, 分园, 片区, 园区 after a keyword) are not keywords, so a park of a 高新区 is a 高新区.
_TYPE_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("经济技术开发区", "经开区"),
    ("经济技术开发园区", "经开区"),
    ("经济开发区", "经开区"),
    ("经济开发园区", "经开区"),
    ("经开区", "经开区"),
    ("高新技术产业开发区", "高新区"),
    ("高新技术产业园区", "高新区"),
    ("高新技术开发区", "高新区"),
    ("高新技术园区", "高新区"),
    ("高新产业开发区", "高新区"),
    ("高新区", "高新区"),
    ("高新园区", "高新区"),
    ("高新园", "高新区"),
    ("高新技术产业园", "高新区"),
    ("高新产业园", "高新区"),
    ("高科技园区", "高新区"),
    ("高技术产业开发区", "高新区"),
    ("新技术产业开发区", "高新区"),
    ("新技术开发区", "高新区"),
    ("高新技术产业示范区", "高新区"),
    ("综合保税区", "综保区"),
    ("综保区", "综保区"),
    ("保税港区", "综保区"),
    ("保税区", "综保区"),
    ("出口加工区", "综保区"),
    ("保税物流园区", "综保区"),
    ("自由贸易试验区", "自贸区"),
    ("自由贸易区", "自贸区"),
    ("自贸试验区", "自贸区"),
    ("自贸片区", "自贸区"),
    ("自贸区", "自贸区"),
    ("自由贸易港", "自贸区"),
    ("自贸港", "自贸区"),
    ("工业园区", "工业园区"),
    ("工业园", "工业园区"),
    ("工业区", "工业园区"),
    ("产业园区", "工业园区"),
    ("产业园", "工业园区"),
    ("工业集中区", "工业园区"),
    ("工业集聚区", "工业园区"),
    ("产业集聚区", "工业园区"),
)

# Suffixes of the issuing body, not of the zone's name (苏州工业园区管委会 is 苏州工业园区).
_BODY_SUFFIX = re.compile(
    r"(?:党工委|管委会|管理委员会|管理局|管理办公室|管委办|办公室|办事处|综合办|宣传部|招商局|招商中心|投资促进局)+$"
)
# Names of companies and offices are not zones.
_NOT_A_ZONE = re.compile(
    r"(?:有限公司|有限责任公司|股份公司|集团|公司|人民政府|政府办公室|委员会|商务局|发展和改革委员会)$"
)
_BRACKETED = re.compile(r"[(（][^()（）]*[)）]")
_EMPTY = {"", "-", "—", "--", "无", "暂无", "null", "none", "n/a", "未知", "其他", "/"}
# Words after a place that make it a sub-park of the zone named before it (张江高新区杨浦园, 自贸区苏州片区).
_SUBUNIT = ("片区", "分园", "园区", "园", "新片区", "区块", "组团")
_LEADING = ("中华人民共和国", "国家级", "国家", "中国")

# China's 56 ethnic groups, for the short forms of autonomous prefectures and counties (黔南布依族苗族自治州 → 黔南).
_ETHNIC = (
    *("维吾尔", "哈萨克", "柯尔克孜", "乌孜别克", "塔吉克", "塔塔尔", "俄罗斯", "鄂温克", "鄂伦春", "达斡尔"),
    *("布依", "朝鲜", "土家", "哈尼", "傈僳", "拉祜", "东乡", "纳西", "景颇", "仫佬"),
    *("布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "德昂", "保安", "裕固"),
    *("独龙", "赫哲", "门巴", "珞巴", "基诺", "蒙古", "高山", "汉", "回", "藏"),
    *("苗", "彝", "壮", "满", "侗", "瑶", "白", "傣", "黎", "佤"),
    *("畲", "水", "土", "羌", "怒", "京"),
)
_ETHNIC_RUN = re.compile("(?:" + "|".join(e + "族" for e in _ETHNIC) + ")+自治(?:州|县|旗)$")
# Short forms that are also generic words of zone names (滨江新城, 城东片区, 港口物流园): read as a place only
# after the city they are in (宁波江北, 杭州滨江).
_GENERIC_SHORT = frozenset(
    (
        *("滨江", "滨海", "新城", "城东", "城西", "城南", "城北", "城中", "江南", "江北", "河西", "河东"),
        *("港口", "新兴", "合作", "开发", "高新", "中心", "东区", "西区", "南区", "北区"),
        # directions and lakes, seas and mountains named like a county (南部县, 东方市, 太湖县, 长白县, 松山区)
        *("南部", "东方", "南湖", "东湖", "西湖", "太湖", "东海", "鄱阳", "长白", "松山"),
    )
)
_PROVINCE_SUFFIX = re.compile(r"(?:维吾尔自治区|壮族自治区|回族自治区|自治区|特别行政区|省|市)$")
_CITY_SUFFIX = re.compile(r"(?:地区|市|盟|自治州)$")
_COUNTY_SUFFIX = re.compile(r"(?:新区|林区|特区|自治县|自治旗|区|县|市|旗)$")


class _Place(NamedTuple):
    province: str
    city: str | None
    district: str | None


@dataclass(frozen=True)
class _Alias:
    place: _Place
    type: str
    national: bool


@dataclass
class _Data:
    places: dict[str, tuple[_Place, ...]]
    aliases: dict[str, _Alias]
    longest_place: int


def normalise(name: str) -> str:
    """Return the name as compared: NFKC (full-width to half-width), no whitespace, no ASCII-only bracketed
    part (an English name), other brackets dropped with their content kept, no 国家级/中国 prefix."""
    text = unicodedata.normalize("NFKC", name)
    text = re.sub(r"\s+", "", text).lower()
    text = re.sub(r"[(\[<〔【](?:[\x00-\x7f]*|国家级|省级|国家)[)\]>〕】]", "", text)
    text = re.sub(r"[()\[\]<>〔〕【】《》“”\"'·・.,，、:：\-—–]", "", text)
    changed = True
    while changed:
        changed = False
        for lead in _LEADING:
            if text.startswith(lead) and len(text) > len(lead):
                text = text[len(lead) :]
                changed = True
    return text


def _strip_body(text: str) -> str:
    """Return the zone's name without the issuing body's suffix (管委会 …), if something remains."""
    stripped = _BODY_SUFFIX.sub("", text)
    return stripped if len(stripped) >= 2 else text


def _short_forms(full: str, suffix: re.Pattern[str]) -> set[str]:
    """Return the forms a division is written in: its full name and, when two characters or more remain, the
    name without its ethnic groups and administrative suffix (昆山市 → 昆山, 彭水苗族土家族自治县 → 彭水)."""
    forms = {full}
    base = _ETHNIC_RUN.sub("", full)
    if base != full and len(base) >= 2:
        forms.add(base)
    short = suffix.sub("", base)
    if len(short) >= 2:
        forms.add(short)
    return forms


@cache
def _data() -> _Data:
    """Return the gazetteer and the alias table, read once from facts/data."""
    places: dict[str, set[_Place]] = {}
    province_forms: dict[str, set[str]] = {}

    def add(form: str, place: _Place) -> None:
        places.setdefault(form, set()).add(place)

    with (_DATA / "divisions.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            province, city, district = row["province"], row["city"] or None, row["district"] or None
            municipality = city == province
            if city is None or district is None:
                for form in _short_forms(province, _PROVINCE_SUFFIX):
                    add(form, _Place(province, city if municipality else None, None))
                    province_forms.setdefault(form, set()).add(province)
            if city is None:
                continue
            if district is None:
                for form in _short_forms(city, _CITY_SUFFIX):
                    add(form, _Place(province, city, None))
                continue
            current = district if row["status"] == "current" else (row["current_name"] or None)
            for form in _short_forms(district, _COUNTY_SUFFIX):
                add(form, _Place(province, city, current))
    for form, provinces in province_forms.items():
        # 河北, 河南, 海南 are provinces before they are 天津's 河北区 or 青海's 海南藏族自治州.
        found = places[form]
        found.intersection_update({p for p in found if p.province in provinces})
    # A curated reading replaces the gazetteer's (西安 is 西安市, not 辽源's or 牡丹江's 西安区).
    places.update({form: set(extra) for form, extra in _read_place_aliases().items()})
    aliases = _read_zone_aliases()
    frozen = {
        form: tuple(sorted(found, key=lambda p: (p.province, p.city or "", p.district or "")))
        for form, found in places.items()
    }
    return _Data(frozen, aliases, max(map(len, frozen)))


def _read_place_aliases() -> dict[str, list[_Place]]:
    """Return the informal and old names of divisions (呼市, 襄樊), and the readings of short names that are
    not ambiguous in use (西安), from place_aliases.csv."""
    out: dict[str, list[_Place]] = {}
    with (_DATA / "place_aliases.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            place = _Place(row["province"], row["city"] or None, row["district"] or None)
            out.setdefault(row["alias"], []).append(place)
    return out


def _read_zone_aliases() -> dict[str, _Alias]:
    """Return the curated zones by every normalised spelling (zone_aliases.csv: name, other names, place, type)."""
    out: dict[str, _Alias] = {}
    with (_DATA / "zone_aliases.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            alias = _Alias(
                _Place(row["province"], row["city"] or None, row["district"] or None),
                row["type"],
                row["national"] == "yes",
            )
            for spelling in [row["name"], *filter(None, row["other_names"].split("|"))]:
                out[normalise(spelling)] = alias
    return out


class _Context:
    """The place found so far; each match narrows it, never contradicts it."""

    def __init__(self) -> None:
        self.province: str | None = None
        self.city: str | None = None
        self.district: str | None = None

    def consistent(self, place: _Place) -> bool:
        return (
            (self.province is None or place.province == self.province)
            and (self.city is None or place.city in (None, self.city))
            and (self.district is None or place.district in (None, self.district))
        )

    def narrow(self, candidates: tuple[_Place, ...]) -> bool:
        """Fill the fields every consistent candidate agrees on; return whether any candidate was consistent."""
        fitting = [p for p in candidates if self.consistent(p)]
        if not fitting:
            return False
        # After 吉林省, a second 吉林 is the city, not the province again.
        finer = [p for p in fitting if not (p.city is None and p.province == self.province)]
        fitting = finer or fitting
        for field in ("province", "city", "district"):
            values = {getattr(p, field) for p in fitting}
            if len(values) == 1 and (value := values.pop()) is not None:
                setattr(self, field, value)
            elif field != "district" and len(values) > 1:
                break  # the candidates disagree on a higher level: the lower ones cannot be trusted
        return True

    def place(self) -> _Place | None:
        return _Place(self.province, self.city, self.district) if self.province else None


def _match_at(text: str, start: int, data: _Data, context: _Context) -> tuple[int, tuple]:
    """Return (end, candidates) of the longest division name at text[start:], or (start, ()) when none."""
    for end in range(min(len(text), start + data.longest_place), start + 1, -1):
        word = text[start:end]
        found = data.places.get(word)
        if found and (context.city is not None or word not in _GENERIC_SHORT):
            return end, found
    return start, ()


def _type_of(text: str) -> str:
    """Return the zone type given by the keyword that ends last in the name ('other' when none)."""
    best_end, best_len, best = -1, 0, "other"
    for keyword, kind in _TYPE_KEYWORDS:
        at = text.rfind(keyword)
        if at < 0:
            continue
        end = at + len(keyword)
        if end > best_end or (end == best_end and len(keyword) > best_len):
            best_end, best_len, best = end, len(keyword), kind
    return best


def _starts_with_keyword(text: str) -> bool:
    """Return whether a zone-type keyword or a sub-park word starts the text."""
    return text.startswith(_SUBUNIT) or any(text.startswith(keyword) for keyword, _ in _TYPE_KEYWORDS)


def _parse_places(text: str, data: _Data, context: _Context, start: int = 0) -> list[int]:
    """Narrow the context with the administrative prefix of text[start:] (江苏昆山 …), then with full division
    names, provinces, and places followed by a zone word (…杨浦园, …苏州片区) further in; return the offsets
    where the prefix's names end."""
    boundaries = [start]
    pos = start
    while pos < len(text):
        end, found = _match_at(text, pos, data, context)
        if not found or not context.narrow(found):
            break
        pos = end
        boundaries.append(pos)
    while pos < len(text):
        end, found = _match_at(text, pos, data, context)
        if found:
            word = text[pos:end]
            # A full name of three characters or more (杨浦区, 苏州市; not 东区 or 城区, words of zone names too).
            full = len(word) >= 3 and (_COUNTY_SUFFIX.search(word) or _CITY_SUFFIX.search(word)) is not None
            province_level = all(p.city in (None, p.province) and p.district is None for p in found)
            if (full or province_level or _starts_with_keyword(text[end:])) and context.narrow(found):
                pos = end
                continue
        pos += 1
    return [b for b in boundaries if b < len(text)]


def resolve_zone(name: str | None) -> dict | None:
    """Return the zone as {"name", "province", "city", "district", "type"} (plus "national_level": True for a zone
    of the shipped official lists), None when the name is empty or names no zone (a company, a government office).

    province is the full name (江苏省, 广西壮族自治区); city the prefecture (a municipality's own name);
    district the county-level division when the zone lies in one, else None; type one of TYPES. Fields that the
    name does not settle (an ambiguous 鼓楼区, a zone with no place in its name) are None.
    """
    if name is None:
        return None
    shown = re.sub(r"\s+", " ", name).strip()
    text = _strip_body(normalise(shown))
    if text in _EMPTY or _NOT_A_ZONE.search(text) or _BODY_SUFFIX.fullmatch(text):
        return None  # nothing, a company, an office, or an issuing body with no zone named (投资促进局)
    data = _data()
    kind, national = _type_of(text), False
    context = _Context()
    for inside in _BRACKETED.findall(shown):
        # A place in brackets is the zone's (中德（沈阳）高端装备制造产业园, 中国（江苏）…).
        found = data.places.get(normalise(inside[1:-1]))
        if found:
            context.narrow(found)
    alias = data.aliases.get(text)
    aside = ""  # what brackets add to a curated name: 武汉东湖高新区（中国光谷）, …（头屯河区）
    if alias is None and _BRACKETED.search(shown):
        alias = data.aliases.get(_strip_body(normalise(_BRACKETED.sub("", shown))))
        aside = normalise("".join(_BRACKETED.findall(shown))) if alias else ""
    if alias is None:
        # 南京江北新区, 江苏苏州工业园区: a curated zone after an administrative prefix that agrees with it.
        for start in _parse_places(text, data, context)[1:]:
            found = data.aliases.get(text[start:])
            if found and context.consistent(found.place):
                alias = found
                break
    if alias is not None:
        kind, national = alias.type, alias.national
        # The curated place, made finer by a prefix or a bracket that agrees with it (成都天府新区, …（头屯河区）).
        merged = _Context()
        merged.narrow((alias.place,))
        if context.place() and merged.consistent(context.place()):
            merged.narrow((context.place(),))
        if aside:
            _parse_places(aside, data, merged)
        context = merged
    else:
        # No keyword gives 新区: only the 19 national-level 新区 of the curated table (and their parts) are 新区.
        prefix = _prefix_alias(text, data, context, _parse_places(text, data, _Context()))
        if prefix is not None:
            # A park of a curated zone (张江高新区杨浦园, 珠海横琴新区): its place, narrowed by the places after it.
            end, found = prefix
            parent = _Context()
            parent.narrow((_Place(found.place.province, found.place.city, None),))
            parent.narrow((context.place(),) if context.place() and parent.consistent(context.place()) else ())
            _parse_places(text, data, parent, start=end)
            if parent.district is None:
                parent.district = found.place.district
            context = parent
            if kind == "other":
                kind = found.type
    place = context.place()
    out = {
        "name": shown,
        "province": place.province if place else None,
        "city": place.city if place else None,
        "district": place.district if place else None,
        "type": kind,
    }
    if national:
        out["national_level"] = True
    return out


def _prefix_alias(text: str, data: _Data, context: _Context, starts: list[int]) -> tuple[int, _Alias] | None:
    """Return (end, zone) of the longest curated zone name that starts the text (松山湖 in 松山湖科技产业园区,
    whatever place its first characters could be), or that starts it after its administrative prefix and agrees
    with that prefix (珠海 + 横琴 in 珠海横琴新区); None when there is none."""
    for start in starts:
        for end in range(len(text) - 1, start + 1, -1):
            found = data.aliases.get(text[start:end])
            if found and (start == 0 or context.consistent(found.place)):
                return end, found
    return None
