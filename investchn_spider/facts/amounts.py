"""Money amounts in Chinese news text, as data: value in the currency's base unit, currency, kind.

A regex scanner, no dependency. The rules (README "Facts" says the same):

- An amount is a number with a currency: after it (120亿元, 3000万美元, 5亿元人民币) or before it (人民币120亿,
  美元3000万, US$5000万, ￥300元). Numbers are Arabic (1,200, full-width １２０ too), Chinese (一百二十, 两千,
  十二点五) or both with units (2亿3000万, 1.5万亿, 8千万, 3千5百万). A number needs a digit: 万元, 亿元以上,
  百亿级 and 千万元 alone are no amounts, and neither is a vague 数十亿元 / 几千万元.
- Not amounts: anything without a currency (percentages, areas, counts, years, phone numbers, 人次),
  a scale (10亿元级) and a unit price (3万元/平方米, 5元每吨): a rate is not a sum of money.
- ``approximate``: 约 近 超 超过 逾 大约 将近 接近 before it, 余 多 inside it, 左右 以上 上下 after it, or a
  range. A range (10亿至20亿元, 10-20亿元) is one amount, its lower bound, approximate; a bare number
  in a list or a range takes the unit and currency of the amount that ends it (分别为3、5和8亿元).
- ``kind``: the keyword (see ``KINDS``) nearest before the amount in its clause (，；。 bounded), the
  longer one on a tie; else the first after it in the clause; else the nearest in the sentence's earlier
  clauses; else ``other``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from decimal import Decimal

# Currency words after the number, with their ISO 4217 codes (matched longest first: 新加坡元 before 元).
CURRENCIES = {
    "元人民币": "CNY",
    "人民币": "CNY",
    "新加坡元": "SGD",
    "澳门元": "MOP",
    "澳门币": "MOP",
    "新台币": "TWD",
    "加拿大元": "CAD",
    "澳大利亚元": "AUD",
    "瑞士法郎": "CHF",
    "美元": "USD",
    "美金": "USD",
    "欧元": "EUR",
    "日元": "JPY",
    "港元": "HKD",
    "港币": "HKD",
    "英镑": "GBP",
    "韩元": "KRW",
    "澳元": "AUD",
    "加元": "CAD",
    "卢布": "RUB",
    "泰铢": "THB",
    "元": "CNY",
}
_PREFIX_CURRENCIES = {
    "人民币": "CNY",
    "美元": "USD",
    "欧元": "EUR",
    "日元": "JPY",
    "港元": "HKD",
    "港币": "HKD",
    "英镑": "GBP",
    "韩元": "KRW",
    "新加坡元": "SGD",
    "澳门元": "MOP",
    "RMB": "CNY",
    "CNY": "CNY",
    "USD": "USD",
    "EUR": "EUR",
    "HKD": "HKD",
    "US$": "USD",
    "HK$": "HKD",
    "S$": "SGD",
    "$": "USD",
    "￥": "CNY",
    "¥": "CNY",
    "€": "EUR",
    "£": "GBP",
}

# Kind keywords. Compound words come first in the alternation (longest first), so 外商投资 is one
# keyword and never its 投资, and 投资促进 (a bureau's name) matches as a keyword of no kind.
KINDS = {
    "investment": (
        "总投资",
        "投资总额",
        "计划投资",
        "完成投资",
        "固定资产投资",
        "投资额",
        "拟投资",
        "追加投资",
        "协议投资",
        "投资",
        "投入",
        "引资",
        "到位资金",
        "到位内资",
        "注册资本",
        "增资",
        "出资",
    ),
    "contract": (
        "签约金额",
        "合同金额",
        "协议金额",
        "签约总额",
        "签约额",
        "合同额",
        "签约",
        "签订",
        "成交",
        "订单",
        "中标",
    ),
    "foreign_capital": (
        "实际使用外资",
        "实际利用外资",
        "利用外资",
        "使用外资",
        "合同外资",
        "到位外资",
        "引进外资",
        "外商投资",
        "外资",
    ),
    "output": (
        "产值",
        "营业收入",
        "营收",
        "地区生产总值",
        "生产总值",
        "GDP",
        "工业增加值",
        "增加值",
        "进出口额",
        "进出口总额",
        "进出口",
        "出口额",
        "出口",
        "进口",
        "贸易额",
        "税收",
        "纳税",
        "税金",
        "销售收入",
        "销售额",
        "主营业务收入",
        "业务收入",
        "财政收入",
        "预算收入",
        "收入",
        "营业额",
        "交易额",
        "零售额",
        "零售总额",
        "净利润",
        "利润",
        "利税",
        "产出",
        "产业规模",
    ),
    "fund": (
        "基金",
        "融资",
        "授信",
        "贷款",
        "信贷",
        "募资",
        "募集",
        "股权投资",
        "风险投资",
        "创业投资",
        "天使投资",
        "债券",
        "发债",
        "担保",
    ),
    "subsidy": (
        "补贴",
        "奖励",
        "扶持资金",
        "专项资金",
        "补助",
        "资助",
        "奖补",
        "扶持",
        "支持资金",
        "财政资金",
        "贴息",
        "减免",
        "退税",
        "减税",
        "降费",
        "兑现",
        "惠企",
        "纾困",
        "消费券",
        "奖金",
        "给予",
        "财政",
    ),
    # Names of things, not of money: 外资企业 are firms, 投资促进 a bureau.
    None: (
        "投资促进",
        "投资环境",
        "投资指南",
        "招商引资",
        "投资者",
        "投资人",
        "投资方",
        "投资基金",
        "外资企业",
        "外资项目",
        "外商投资企业",
    ),
}
_KEYWORD_KIND = {word: kind for kind, words in KINDS.items() for word in words}
_KEYWORD_KIND["投资基金"] = "fund"  # listed with the no-kind words only to be matched whole
_KEYWORD_RE = re.compile("|".join(sorted(map(re.escape, _KEYWORD_KIND), key=len, reverse=True)))

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_DIGITS |= dict(zip("壹贰叁肆伍陆柒捌玖", range(1, 10), strict=True))  # the numerals of contracts and cheques
_SMALL = {"十": 10, "百": 100, "千": 1000, "拾": 10, "佰": 100, "仟": 1000}
_BIG = {"万": 10**4, "亿": 10**8}

# One number: components of an Arabic number or a run of Chinese numerals, each with its units;
# a further component only after a unit (2亿3000万, 3千5百万), so 一期5亿 is not one number.
_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_ARABIC_PART = rf"(?:{_ARABIC})[余多]?[十百千万亿拾佰仟]*[余多]?"
_CHINESE_PART = r"(?:[零〇一二两三四五六七八九十百千万亿点壹贰叁肆伍陆柒捌玖拾佰仟]|(?<=[十百千万亿拾佰仟])[余多])+"
_COMPONENT = rf"(?:{_ARABIC_PART}|{_CHINESE_PART})"
_NUMBER_RE = re.compile(rf"{_COMPONENT}(?:(?<=[十百千万亿余多拾佰仟]){_COMPONENT})*")
_SUFFIX_RE = re.compile(r"\s?(" + "|".join(sorted(map(re.escape, CURRENCIES), key=len, reverse=True)) + ")")
_PREFIX_RE = re.compile(
    r"(" + "|".join(sorted(map(re.escape, _PREFIX_CURRENCIES), key=len, reverse=True)) + r")\s?(约合|约|大约)?\s?$"
)
# 不超过 is a cap, not an estimate; 上百亿元 is.
_APPROX_BEFORE_RE = re.compile(r"(?<!不)(?:约合|大约|将近|接近|超过|约|近|超|逾)(?:为|达|计|有)?\s?$")
# 每平方米每月10元, 每吨5元: a unit price, as 元/平方米 after it is; a sum per period (每年5000万元) is a sum.
_PERIODS = ("年度", "季度", "年", "月", "季", "天", "日", "周")
_UNITS = (
    "平方米",
    "平米",
    "立方米",
    "千瓦时",
    "公斤",
    "千克",
    "标箱",
    "亩",
    "吨",
    "人",
    "户",
    "度",
    "件",
    "台",
    "辆",
    "套",
    "间",
    "个",
    "次",
    "方",
)
_RATE_BEFORE_RE = re.compile(r"(?:每(?:" + "|".join(_PERIODS + _UNITS) + r"))+$")
_APPROX_AFTER_RE = re.compile(r"\s?(?:左右|以上|上下)")
_VAGUE_BEFORE = ("数", "几", "第")
# After the currency: a scale (10亿元级), a unit price (元/平方米, 元每吨), a word that is no money (元旦, 元素).
_NOT_MONEY_AFTER_RE = re.compile(r"\s?(?:级|/|／|每|[化素旦宵件器])")
# After a number with a prefix currency only: a unit that makes it something else (美元3000万个? no: a count).
_UNIT_AFTER_RE = re.compile(r"[个家项人户次年月日天%％亩平米吨辆台件名位倍股]")
# What may stand between a keyword and the number it governs, and units that make a number no money.
_FILLER_RE = re.compile(
    r"(?:总额|金额|额|规模|共|计|合计|累计|约|约为|达|达到|高达|超|超过|近|逾|为|了|突破|实现|完成|\s)*"
)
_NOT_MONEY_UNIT_RE = re.compile(
    r"\s?(?:[个家项人户次年月日天%％亩米吨辆台件名位倍股套间床所座条栋张份场批处本列元角度部只头匹级]|平方|千瓦|标箱|公里|公斤|千克|立方)"
)
_THRESHOLD_RE = re.compile(r"\s?(?:元|美元)?(?:及?以上|以下)")
_PREFIX_ENDS = frozenset(c for word in _PREFIX_CURRENCIES for c in word[-1]) | {"约", "合", " "}
_UNITS_RE = re.compile(r"[十百千万亿拾佰仟]*$")
_TOKEN_RE = re.compile(rf"{_ARABIC}|.")
# After a number that has no currency: what may join it to the amount after it (a list, a range).
_JOIN_RE = re.compile(r"\s?(?:、|和|及|与|以及|或|至|到|-|—|–|~|～|－)")
_RANGE_SEPARATORS = ("至", "到", "-", "—", "–", "~", "～", "－", "——")
_LIST_SEPARATORS = ("、", "和", "及", "与", "以及", "或")
_SENTENCE_END = "。！？；!?;\n"
_CLAUSE_END = _SENTENCE_END + "，,"
_FULL_WIDTH_RE = re.compile("[０-９．＄]")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．＄", "0123456789.$")


@dataclass(frozen=True)
class Amount:
    """One money amount: ``text`` is ``body_text[start:end]``; ``value`` is in the currency's base unit."""

    text: str
    value: int | float
    currency: str
    approximate: bool
    kind: str
    sentence: str
    start: int
    end: int

    def to_dict(self) -> dict:
        """Return the amount as a JSON-ready dict (text, value, currency, approximate, kind, sentence, start, end)."""
        return asdict(self)


@dataclass
class _Number:
    start: int
    end: int  # end of the number (before any suffix currency)
    digits: str
    value: Decimal | None  # None: no digit (万元, 百亿级)
    units: str  # its trailing unit characters (亿, 万亿, 千万), to lend a bare number in a list
    currency: str | None = None
    money_start: int = 0  # start of the amount's text (a prefix currency included)
    money_end: int = 0  # end of the amount's text (a suffix currency included)


def extract_amounts(text: str) -> list[Amount]:
    """Return every money amount in ``text``, in order of appearance (see the module's rules)."""
    if not text:
        return []
    scan = text.translate(_FULL_WIDTH) if _FULL_WIDTH_RE.search(text) else text
    numbers = [number for match in _NUMBER_RE.finditer(scan) if (number := _read_number(scan, match))]
    found: list[tuple[_Number, bool]] = []  # (amount, a range)
    skip: set[int] = set()
    for index, number in enumerate(numbers):
        if index in skip or number.currency is None or number.value is None:
            continue
        ranged = False
        later = numbers[index + 1] if index + 1 < len(numbers) else None
        if (
            later is not None
            and later.currency == number.currency
            and later.value is not None
            and _between(scan, number, later) in _RANGE_SEPARATORS  # 10亿元至20亿元
        ):
            if not number.units and later.units:  # 人民币10至20亿元
                number.value = _parse(number.digits + later.units)
            number.money_end, ranged = later.money_end, True
            skip.add(index + 1)
        chain: list[_Number] = []  # bare numbers of a list that ends with this amount (分别为3、5和8亿元)
        position = index
        while position > 0 and numbers[position - 1].currency is None and numbers[position - 1].value is not None:
            left = numbers[position - 1]
            separator = _between(scan, left, numbers[position])
            if separator in _RANGE_SEPARATORS and position == index and not ranged:
                lower = _lend(left, number)  # 10至20亿元: one amount, the lower bound
                lower.money_end, number, ranged = number.money_end, lower, True
                break
            if separator not in _LIST_SEPARATORS or (_is_chinese(left.digits) and not left.units):
                break
            chain.insert(0, _lend(left, number))
            position -= 1
        found.extend((item, False) for item in chain)
        found.append((number, ranged))
    ends = [number.money_end for number, _ in found]
    return [
        Amount(
            text=text[number.money_start : number.money_end],
            value=_plain(number.value),
            currency=number.currency,
            approximate=ranged or _approximate(scan, number),
            kind=_kind(scan, number.money_start, number.money_end, ends),
            sentence=_sentence(text, number.money_start, number.money_end),
            start=number.money_start,
            end=number.money_end,
        )
        for number, ranged in found
    ]


def _between(scan: str, left: _Number, right: _Number) -> str:
    """Return the text between two numbers' amounts, stripped (a separator, when they form a list or range)."""
    return scan[left.money_end : right.money_start].strip() if left.money_end <= right.money_start else "?"


def _read_number(scan: str, match: re.Match) -> _Number | None:
    """Return the number ``match`` found, with the currency before or after it, or None if it is neither an
    amount nor a bare number that a list or range could join to one (most numbers of a text: dates, counts)."""
    digits = match.group()
    start, end = match.start(), match.end()
    if start and scan[start - 1] in "0123456789.":
        return None
    spelled = any(c.isdigit() or c in _DIGITS for c in digits)
    if not spelled and digits[0] not in _SMALL:  # 千亿元 is 一千亿元; 万元, 亿元以上 are no number
        return None
    suffix = _SUFFIX_RE.match(scan, end)
    prefix = _PREFIX_RE.search(scan, max(0, start - 9), start) if start and scan[start - 1] in _PREFIX_ENDS else None
    joins = _JOIN_RE.match(scan, end)
    units = _UNITS_RE.search(digits.rstrip("余多")).group()
    keyword = not (suffix or prefix) and ("万" in units or "亿" in units) and _money_keyword_before(scan, start)
    if not (suffix or prefix or joins or keyword):
        return None
    number = _Number(start, end, digits, _parse(digits), units, money_start=start, money_end=end)
    if (start and scan[start - 1] in _VAGUE_BEFORE) or _unit_price(scan, start):
        number.value = None  # 数十亿元, 几千万元, 第三: vague or an ordinal
    if not spelled and _THRESHOLD_RE.match(scan, end):
        number.value = None  # 百亿元以上项目: a class of projects, as 亿元以上 is
    if suffix:
        number.currency = CURRENCIES[suffix.group(1)]
        number.money_end = suffix.end()
        if _NOT_MONEY_AFTER_RE.match(scan, suffix.end()):
            number.value = None  # 10亿元级, 3万元/平方米: a scale or a unit price, not a sum
    if prefix and not _preceded_by_number(scan, prefix.start()):
        if number.currency is None and _UNIT_AFTER_RE.match(scan, end):
            return number
        if number.currency is None or number.currency == "CNY":
            number.currency = _PREFIX_CURRENCIES[prefix.group(1)]
        number.money_start = prefix.start()
    if keyword and not _NOT_MONEY_UNIT_RE.match(scan, end):
        number.currency = "CNY"  # 总投资1.5亿, 融资超2亿: a sum in 元 left unsaid
    return number


def _money_keyword_before(scan: str, start: int) -> bool:
    """Return whether a kind keyword governs the number at ``start`` directly (总投资1.5亿, 产值达到30亿)."""
    for match in _KEYWORD_RE.finditer(scan, max(0, start - 12), start):
        if _KEYWORD_KIND[match.group()] and _FILLER_RE.fullmatch(scan, match.end(), start):
            return True
    return False


def _unit_price(scan: str, start: int) -> bool:
    """Return whether the number at ``start`` follows 每 and a unit that is not a period (每平方米, 每吨, 每人)."""
    rate = _RATE_BEFORE_RE.search(scan, max(0, start - 12), start)
    return bool(rate) and any(unit not in _PERIODS for unit in rate.group().split("每")[1:])


def _preceded_by_number(scan: str, position: int) -> bool:
    """Return whether the text before ``position`` ends with a digit or a unit (美元 there is a suffix)."""
    return position > 0 and (scan[position - 1].isdigit() or scan[position - 1] in "十百千万亿余多")


def _lend(bare: _Number, amount: _Number) -> _Number:
    """Return ``bare`` with the units (when it has none) and currency of the ``amount`` after it."""
    value = bare.value
    if value is not None and not bare.units and amount.units:
        value = _parse(bare.digits + amount.units)
    return _Number(
        bare.start,
        bare.end,
        bare.digits,
        value,
        bare.units or amount.units,
        amount.currency,
        bare.start,
        bare.end,
    )


def _is_chinese(digits: str) -> bool:
    return not any(c.isdigit() for c in digits)


def _approximate(scan: str, number: _Number) -> bool:
    """Return whether a marker before, inside or after the amount says it is approximate."""
    if "余" in number.digits or "多" in number.digits:
        return True
    if number.start and scan[number.start - 1] == "上" and number.digits[0] in _SMALL:
        return True  # 上百亿元, 上千万元
    before = scan[max(0, number.money_start - 5) : number.money_start]
    if _APPROX_BEFORE_RE.search(before) or _APPROX_BEFORE_RE.search(scan[max(0, number.start - 5) : number.start]):
        return True
    return bool(_APPROX_AFTER_RE.match(scan, number.money_end))


def _parse(digits: str) -> Decimal | None:
    """Return the value of a number written in Arabic and/or Chinese numerals with units, or None."""
    total = wan = section = Decimal(0)
    number: Decimal | None = None
    decimals = 0  # digits read after 点
    for token in _TOKEN_RE.findall(digits):
        if token[0].isdigit():
            number = Decimal(token.replace(",", ""))
        elif token in _DIGITS:
            digit = Decimal(_DIGITS[token])
            if decimals:
                number = (number or Decimal(0)) + digit / (Decimal(10) ** decimals)
                decimals += 1
            else:
                number = (number or Decimal(0)) * 10 + digit
        elif token == "点":
            decimals = 1
        elif token in _SMALL:
            section += (number if number is not None else Decimal(1)) * _SMALL[token]
            number, decimals = None, 0
        elif token == "万":
            wan += (section + (number or 0)) * _BIG["万"]
            section, number, decimals = Decimal(0), None, 0
        elif token == "亿":
            total = (total + wan + section + (number or 0)) * _BIG["亿"]
            wan, section, number, decimals = Decimal(0), Decimal(0), None, 0
    return total + wan + section + (number or 0)


def _plain(value: Decimal) -> int | float:
    """Return ``value`` as an int when it is whole (as money in base units nearly always is), else a float."""
    return int(value) if value == value.to_integral_value() else float(value)


def _kind(scan: str, start: int, end: int, amount_ends: list[int]) -> str:
    """Return the kind of the amount at ``start:end`` from the keyword that governs it (see the module's rules).

    ``amount_ends`` are where the text's amounts end: a keyword right after an earlier amount
    (2亿元低息贷款及5000万元贴息) is that amount's, not this one's.
    """
    clause_start = max(scan.rfind(c, 0, start) for c in _CLAUSE_END) + 1
    ends = [p for p in (scan.find(c, end) for c in _CLAUSE_END) if p >= 0]
    clause_end = min(ends) if ends else len(scan)
    before = [
        keyword
        for keyword in _keywords(scan, clause_start, start)
        if not any(_attached(scan, e, keyword[0]) for e in amount_ends if clause_start <= e <= keyword[0])
    ]
    if before:
        return max(before, key=lambda k: (k[1], k[1] - k[0]))[2]
    after = _keywords(scan, end, clause_end)
    if after:
        return min(after, key=lambda k: (k[0], k[0] - k[1]))[2]
    sentence_start = max(scan.rfind(c, 0, start) for c in _SENTENCE_END) + 1
    earlier = _keywords(scan, sentence_start, clause_start)
    if earlier:
        return max(earlier, key=lambda k: (k[1], k[1] - k[0]))[2]
    return "other"


def _attached(scan: str, amount_end: int, keyword_start: int) -> bool:
    """Return whether a keyword starting at ``keyword_start`` follows the amount ending at ``amount_end`` closely."""
    between = scan[amount_end:keyword_start]
    return len(between) <= 4 and not any(c in between for c in "、和及与或")


def _keywords(scan: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Return (start, end, kind) of the kind keywords in ``scan[start:end]`` (words of no kind left out)."""
    return [
        (m.start(), m.end(), _KEYWORD_KIND[m.group()])
        for m in _KEYWORD_RE.finditer(scan, start, end)
        if _KEYWORD_KIND[m.group()]
    ]


def _sentence(text: str, start: int, end: int) -> str:
    """Return the sentence (。！？； or line bounded) that holds ``text[start:end]``, stripped."""
    first = max(text.rfind(c, 0, start) for c in _SENTENCE_END) + 1
    ends = [p for p in (text.find(c, end) for c in _SENTENCE_END) if p >= 0]
    last = min(ends) + 1 if ends else len(text)
    return text[first:last].strip()
