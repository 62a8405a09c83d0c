"""Chinese government-news text generator for the replica site.

Phrase pools and small functions that turn a ``random.Random`` into titles, body paragraphs,
image captions and data tables in the style of a district government's zone-news column.
Everything here is pure: the same RNG state gives the same text. Every string is GBK-encodable
(the GBK templates encode strictly), and a few names use GBK-only characters (喆, 堃, 镕) on
purpose, so a page declared ``gb2312`` only decodes correctly as GBK/GB18030.
"""

from __future__ import annotations

import datetime as dt
import random

# Three-phrase slogan titles, as in the reference article "锚定新使命 奋进新征程 干出新作为".
SLOGAN_PHRASES = (
    "锚定新使命",
    "奋进新征程",
    "干出新作为",
    "勇攀新高峰",
    "展现新担当",
    "开创新局面",
    "聚力谋发展",
    "实干开新局",
    "奋楫正当时",
    "扬帆再出发",
    "踔厉奋发",
    "笃行不怠",
    "抢抓新机遇",
    "跑出加速度",
    "厚植新优势",
    "激发新活力",
    "打造新引擎",
    "构建新格局",
)

EVENTS = (
    "举行{year}年重点项目集中签约仪式",
    "召开优化营商环境推进大会",
    "举办产业链招商对接会",
    "开展“企业服务月”系列活动",
    "召开重点企业座谈会",
    "举办科技创新成果发布会",
    "召开安全生产工作专题会议",
    "举行重大产业项目集中开工活动",
    "举办人才政策宣讲会",
    "召开深化“放管服”改革工作推进会",
    "举办跨境电商发展论坛",
    "召开一季度经济运行分析会",
    "举办数字经济创新发展峰会",
    "开展助企纾困专项行动",
    "举行新一批总部企业授牌仪式",
    "召开基层治理现代化建设工作会议",
    "举办“园区开放日”活动",
    "召开招商引资工作会议",
)

ACHIEVEMENTS = (
    "上半年实际利用外资同比增长{pct}%",
    "{n}个项目入选市级重点项目清单",
    "获评国家级绿色工业园区",
    "高新技术企业数量突破{big}家",
    "营商环境评价位居全市前列",
    "新增市场主体{big}户",
    "工业总产值同比增长{pct}%",
    "入选国家级知识产权试点园区",
    "跨境贸易便利化改革取得新进展",
    "专精特新“小巨人”企业再添{n}家",
    "税收收入实现稳步增长",
    "数字化转型示范项目落地见效",
)

TOPICS = (
    "招商引资",
    "安全生产",
    "科技创新",
    "营商环境",
    "产业发展",
    "项目建设",
    "企业服务",
    "人才引进",
    "城市更新",
    "基层治理",
    "生态环境保护",
    "数字化转型",
    "民生实事",
    "稳外贸稳外资",
)

INDUSTRIES = (
    "集成电路",
    "生物医药",
    "人工智能",
    "新能源汽车",
    "高端装备制造",
    "新材料",
    "数字经济",
    "智能制造",
    "在线新经济",
    "绿色低碳",
    "现代物流",
    "金融科技",
    "工业互联网",
    "航空航天",
)

COMPANIES = (
    "华晟微电子",
    "瑞联生物医药",
    "中科智能装备",
    "远景新能源",
    "恒信精密机械",
    "博远数字科技",
    "新达汽车零部件",
    "蓝海跨境物流",
    "云启软件",
    "金泰新材料",
    "德诚医疗器械",
    "星辰航空科技",
)

PROJECTS = (
    "研发总部项目",
    "智能制造基地",
    "区域总部",
    "创新中心",
    "产业化基地",
    "二期扩建项目",
    "数字工厂",
    "结算中心",
    "供应链管理中心",
    "检测认证平台",
)

LEADER_TITLES = ("区委书记", "区长", "管委会主任", "副区长", "区委副书记", "市委常委", "党工委书记")

# GBK-only characters in some names (喆, 堃, 镕, 祎) make gb2312-declared pages decode only as GBK.
PERSON_NAMES = (
    "谢坚钢",
    "周海鹰",
    "王喆",
    "李堃",
    "陈镕",
    "张祎",
    "刘建国",
    "赵明华",
    "孙立新",
    "吴晓东",
    "郑海涛",
    "黄丽萍",
    "朱卫东",
    "胡晓光",
    "林志强",
    "何春燕",
)

ROLES = (
    "园区管委会相关负责人",
    "区投资促进办公室负责人",
    "企业负责人",
    "区商务委主任",
    "区发展改革委负责人",
    "区科委负责人",
    "签约企业代表",
    "街道党工委书记",
    "园区招商中心主任",
)

SUBJECTS = (
    "全区各级党组织",
    "园区",
    "各相关部门",
    "区投资促进办公室",
    "各街道（镇）",
    "广大党员干部",
    "入驻企业",
    "开发区管委会",
    "区属国有企业",
    "各招商中心",
    "产业园区运营主体",
    "区市场监管局",
)

ACTIONS = (
    "深入贯彻落实",
    "认真学习领会",
    "持续深化",
    "全面推进",
    "加快推动",
    "着力提升",
    "不断完善",
    "积极探索",
    "扎实开展",
    "统筹推进",
    "全力做好",
    "进一步优化",
)

OBJECTS = (
    "市委、市政府决策部署",
    "产业链招商“链长制”",
    "重点项目全生命周期服务",
    "营商环境改革各项举措",
    "“一网通办”“一网统管”建设",
    "企业服务专员制度",
    "科技成果转化机制",
    "人才安居保障体系",
    "安全生产隐患排查整治",
    "产城融合发展格局",
    "“四个结合”“六大工程”的落实",
    "高质量发展各项任务",
    "招商引资“一把手”工程",
    "产业空间载体建设",
    "首发经济和总部经济",
)

PURPOSES = (
    "为区域经济高质量发展注入新动能",
    "切实增强企业获得感",
    "推动各项任务落地见效",
    "打造具有全球影响力的科技创新高地",
    "跑出项目建设“加速度”",
    "确保全年目标任务圆满完成",
    "以更强的历史使命感和社会责任感投身火热实践",
    "不断提升城市核心竞争力",
    "为上海建设具有全球影响力的科技创新中心贡献力量",
    "让企业在园区安心发展",
)

STATEMENTS = (
    "我们将始终坚持企业需求导向，当好服务企业的‘店小二’，让企业在这里发展得更好",
    "园区将围绕主导产业精准招商，力争全年引进亿元以上项目{n}个",
    "这次签约是双方合作的新起点，我们对在这里长期发展充满信心",
    "下一步，我们将持续优化政策供给，推动更多优质项目早落地、早开工、早投产",
    "营商环境没有最好，只有更好……我们将以企业满意度作为检验工作的第一标准",
    "项目建成后预计年产值可达{big}亿元，将带动上下游企业集聚发展",
    "我们要把学习成果转化为推动发展的实际成效，以实干实绩交出满意答卷",
)

CAPTION_SCENES = (
    "签约仪式现场",
    "项目开工现场",
    "座谈会现场",
    "企业生产车间",
    "园区全景",
    "活动现场",
    "研发中心实验室",
    "专题调研现场",
    "政策宣讲会现场",
    "产业对接会现场",
)

TABLE_HEADS = (
    ("项目名称", "投资额（亿元）", "所属产业"),
    ("企业名称", "签约内容", "落户园区"),
    ("指标", "本期数", "同比增长（%）"),
)

ATTACHMENT_NAMES = (
    "{year}年重点产业项目清单",
    "关于开展{year}年度企业申报工作的通知",
    "扶持政策申报指南",
    "{topic}工作实施方案",
    "报名回执表",
    "{year}年第{n}批拟认定企业名单",
)


def _fill(rng: random.Random, template: str) -> str:
    """Return ``template`` with its {year}/{n}/{pct}/{big}/{topic} fields filled from ``rng``."""
    return template.format(**_fill_values(rng))


def _fill_values(rng: random.Random) -> dict:
    """Return the values of the {year}/{n}/{pct}/{big}/{topic} fields, drawn from ``rng`` (always all five)."""
    return {
        "year": rng.choice((2022, 2023, 2024)),
        "n": rng.randint(2, 30),
        "pct": f"{rng.randint(30, 450) / 10:.1f}",
        "big": rng.choice((100, 120, 150, 200, 300, 500, 800, 1000)),
        "topic": rng.choice(TOPICS),
    }


# -- money amounts with known values (the ground truth of facts.amounts on the replica) ----------------


def _money(text: str, value: int, currency: str = "CNY", kind: str = "other", approximate: bool = False) -> dict:
    """Return an amount as the text shows it and as extraction should read it (offsets added by _compose)."""
    return {"text": text, "value": value, "currency": currency, "approximate": approximate, "kind": kind}


def _compose(*parts: str | dict) -> tuple[str, list[dict]]:
    """Return the text of ``parts`` (strings and _money amounts) and its amounts with start/end in that text."""
    text, amounts = "", []
    for part in parts:
        if isinstance(part, dict):
            amounts.append({**part, "start": len(text), "end": len(text) + len(part["text"])})
            part = part["text"]
        text += part
    return text, amounts


_CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """Return ``n`` (1–9999) in Chinese numerals as news text writes it: 二十三, 十五, 一百零八, 三千五百."""
    parts, zero = [], False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            if zero and parts:
                parts.append("零")
            parts.append(("" if unit == "十" and not parts and digit == 1 else _CHINESE_DIGITS[digit]) + unit)
            zero = False
        else:
            zero = True
    return "".join(parts)


_FOREIGN_CURRENCIES = (
    ("美元", "USD", "美国"),
    ("欧元", "EUR", "德国"),
    ("日元", "JPY", "日本"),
    ("港元", "HKD", "香港"),
)


def make_money_sentence(rng: random.Random, place: str) -> tuple[str, list[dict]]:
    """Return one sentence about money (signings, funds, subsidies, foreign capital) and its amounts."""
    kind = rng.randrange(10)
    company = rng.choice(COMPANIES)
    if kind == 0:
        total, foreign = rng.randint(5, 90), rng.randint(1, 9)
        return _compose(
            f"{company}{rng.choice(PROJECTS)}签约落户{place}，总投资",
            _money(f"{total}亿元", total * 10**8, kind="investment"),
            "，其中外资",
            _money(f"{foreign}亿美元", foreign * 10**8, "USD", "foreign_capital"),
            "。",
        )
    if kind == 1:
        count, total = rng.randint(5, 40), rng.randint(11, 99)
        return _compose(
            f"本次集中签约项目{count}个，签约金额合计",
            _money(f"{chinese_number(total)}亿元", total * 10**8, kind="contract"),
            "。",
        )
    if kind == 2:
        size, first = rng.choice((10, 20, 30, 50, 100)), rng.randint(2, 9)
        return _compose(
            f"{place}设立总规模",
            _money(f"{size}亿元", size * 10**8, kind="fund"),
            f"的{rng.choice(INDUSTRIES)}产业引导基金，首期规模",
            _money(f"{first}亿元", first * 10**8, kind="fund"),
            "。",
        )
    if kind == 3:
        top = rng.choice((100, 200, 300, 500, 1000))
        return _compose(
            "对新落户的总部企业，给予最高",
            _money(f"{top}万元", top * 10**4, kind="subsidy"),
            "的一次性奖励。",
        )
    if kind == 4:
        whole, tenth, month = rng.randint(1, 9), rng.randint(1, 9), rng.randint(2, 11)
        return _compose(
            f"1—{month}月，{place}实际使用外资",
            _money(f"{whole}.{tenth}亿美元", (whole * 10 + tenth) * 10**7, "USD", "foreign_capital"),
            f"，同比增长{rng.randint(2, 30)}.{rng.randint(0, 9)}%。",
        )
    if kind == 5:
        hundreds, tens = rng.randint(1, 9), rng.randint(1, 9) * 1000
        return _compose(
            f"{company}完成新一轮融资",
            _money(f"{hundreds}亿{tens}万元", hundreds * 10**8 + tens * 10**4, kind="fund"),
            "，将用于研发投入和产能扩张。",
        )
    if kind == 6:
        low = rng.randint(2, 20)
        return _compose(
            f"{company}{rng.choice(PROJECTS)}预计总投资",
            _money(f"{low}亿至{low + rng.randint(2, 10)}亿元", low * 10**8, kind="investment", approximate=True),
            "，分两期建设。",
        )
    if kind == 7:
        first, second = rng.randint(1, 9), rng.randint(10, 30)
        return _compose(
            "两家企业分别获得银行授信",
            _money(f"{first}亿元", first * 10**8, kind="fund"),
            "和",
            _money(f"{second}亿元", second * 10**8, kind="fund"),
            "。",
        )
    if kind == 8:
        amount = rng.randint(1, 9) * 1000 + rng.randint(1, 9) * 100
        return _compose(
            "区财政安排专项资金",
            _money(f"{amount:,}万元", amount * 10**4, kind="subsidy"),
            f"，支持{rng.choice(INDUSTRIES)}产业发展。",
        )
    word, code, country = rng.choice(_FOREIGN_CURRENCIES)
    amount = rng.randint(2, 90) * 100
    return _compose(
        f"{country}某{rng.choice(INDUSTRIES)}企业将追加投资约",
        _money(f"{amount}万{word}", amount * 10**4, code, "investment", approximate=True),
        f"，在{place}建设{rng.choice(PROJECTS)}。",
    )


def make_title(rng: random.Random, district: str, zone: str | None) -> str:
    """Return a government-news headline about ``zone`` (or ``district`` when there is none)."""
    place = zone or district
    kind = rng.randrange(8)
    if kind == 0:
        return " ".join(rng.sample(SLOGAN_PHRASES, 3))
    if kind == 1:
        return place + _fill(rng, rng.choice(EVENTS))
    if kind == 2:
        return f"{place}：{_fill(rng, rng.choice(ACHIEVEMENTS))}"
    if kind == 3:
        return f"{rng.randint(3, 40)}个{rng.choice(INDUSTRIES)}项目集中落户{place}"
    if kind == 4:
        return f"{rng.choice(LEADER_TITLES)}{rng.choice(PERSON_NAMES)}赴{place}调研{rng.choice(TOPICS)}工作"
    if kind == 5:
        return f"{rng.choice(COMPANIES)}{rng.choice(PROJECTS)}在{place}正式开工"
    if kind == 6:
        return f"{rng.choice(SLOGAN_PHRASES)} {place}持续擦亮{rng.choice(INDUSTRIES)}产业品牌"
    return f"{district}{rng.choice(ACTIONS)}{rng.choice(TOPICS)}工作 {rng.choice(PURPOSES)}"


# Relative weights of the sentence kinds in _sentence: plain statements dominate, lists are rare.
_SENTENCE_WEIGHTS = (24, 10, 10, 12, 4, 10, 6, 10, 8, 6)


def _sentence(rng: random.Random, district: str, place: str, month: int) -> tuple[str, list[dict]]:
    """Return one sentence of body text, ending in 。 or ”, and the money amounts in it (see _compose)."""
    kind = rng.choices(range(len(_SENTENCE_WEIGHTS)), _SENTENCE_WEIGHTS)[0]
    if kind == 1:
        period = f"1—{month - 1}月" if month > 2 else "1月" if month == 2 else "去年全年"
        opening = f"{'' if month <= 1 else '今年'}{period}，{place}实现{rng.choice(INDUSTRIES)}产业产值"
        whole, tenth = rng.randint(12, 980), rng.randint(0, 9)
        return _compose(
            opening,
            _money(f"{whole}.{tenth}亿元", (whole * 10 + tenth) * 10**7, kind="output"),
            f"，同比增长{rng.randint(2, 35)}.{rng.randint(0, 9)}%。",
        )
    if kind == 2:
        role = rng.choice(ROLES)
        name = rng.choice(PERSON_NAMES)
        statement = rng.choice(STATEMENTS)
        values = _fill_values(rng)
        if "{big}亿元" not in statement:
            return f"{role}{name}表示：“{statement.format(**values)}。”", []
        before, after = statement.split("{big}亿元")
        big = values["big"]
        return _compose(
            f"{role}{name}表示：“{before.format(**values)}",
            _money(f"{big}亿元", big * 10**8, kind="output"),
            f"{after.format(**values)}。”",
        )
    if kind == 5:
        opening = f"{rng.choice(COMPANIES)}{rng.choice(PROJECTS)}总投资约"
        total = rng.randint(2, 60)
        return _compose(
            opening,
            _money(f"{total}亿元", total * 10**8, kind="investment", approximate=True),
            f"，主要从事{rng.choice(INDUSTRIES)}相关业务，预计{rng.choice((2025, 2026, 2027))}年建成投用。",
        )
    return _plain_sentence(rng, kind, district, place), []


def _plain_sentence(rng: random.Random, kind: int, district: str, place: str) -> str:
    """Return a sentence of ``kind`` that holds no money amount."""
    if kind == 0:
        return f"{rng.choice(SUBJECTS)}{rng.choice(ACTIONS)}{rng.choice(OBJECTS)}，{rng.choice(PURPOSES)}。"
    if kind == 3:
        return (
            f"围绕{rng.choice(INDUSTRIES)}、{rng.choice(INDUSTRIES)}等重点领域，"
            f"{district}{rng.choice(ACTIONS)}{rng.choice(OBJECTS)}，累计服务企业{rng.randint(20, 900)}家次。"
        )
    if kind == 4:
        first, second, third = rng.sample(ACTIONS, 3)
        return (
            f"一是{first}{rng.choice(OBJECTS)}；二是{second}{rng.choice(OBJECTS)}；三是{third}{rng.choice(OBJECTS)}。"
        )
    if kind == 6:
        return f"下一步，{district}将{rng.choice(ACTIONS)}{rng.choice(OBJECTS)}，{rng.choice(PURPOSES)}。"
    if kind == 7:
        return (
            f"会上，{rng.choice(ROLES)}{rng.choice(PERSON_NAMES)}介绍了{place}{rng.choice(TOPICS)}工作情况，"
            f"并就{rng.choice(OBJECTS)}作了具体部署。"
        )
    if kind == 8:
        return (
            f"近年来，{place}坚持以{rng.choice(INDUSTRIES)}为主导产业，{rng.choice(ACTIONS)}"
            f"{rng.choice(OBJECTS)}，已集聚相关企业{rng.randint(30, 800)}余家。"
        )
    return f"据了解，{rng.choice(COMPANIES)}已在{place}设立{rng.choice(PROJECTS)}，{rng.choice(PURPOSES)}。"


def make_paragraphs(
    rng: random.Random, district: str, zone: str | None, count: int, day: dt.date | None = None
) -> list[str]:
    """Return ``count`` body paragraphs of 1–6 sentences each; the first opens with ``day`` if given."""
    return [text for text, _ in make_paragraphs_with_amounts(rng, district, zone, count, day)]


def make_paragraphs_with_amounts(
    rng: random.Random, district: str, zone: str | None, count: int, day: dt.date | None = None
) -> list[tuple[str, list[dict]]]:
    """Return ``count`` (paragraph, its money amounts with offsets in it); the texts of :func:`make_paragraphs`."""
    place = zone or district
    paragraphs = []
    for index in range(count):
        month = day.month if day else 12
        sentences = [_sentence(rng, district, place, month) for _ in range(rng.choice((1, 1, 2, 2, 3, 4, 6)))]
        if index == 0:
            when = day - dt.timedelta(days=rng.randint(0, 2)) if day else None
            opening = f"{when.month}月{when.day}日" if when else "日前"
            sentences.insert(0, (f"{opening}，{place}{_fill(rng, rng.choice(EVENTS))}。", []))
        paragraphs.append(_compose(*(part for text, amounts in sentences for part in _parts(text, amounts))))
    return paragraphs


def _parts(text: str, amounts: list[dict]) -> list[str | dict]:
    """Return ``text`` split into strings and its amounts (the inverse of _compose), to compose it again."""
    parts: list[str | dict] = []
    position = 0
    for amount in amounts:
        parts.append(text[position : amount["start"]])
        parts.append({key: value for key, value in amount.items() if key not in ("start", "end")})
        position = amount["end"]
    parts.append(text[position:])
    return parts


def make_caption(rng: random.Random, place: str) -> tuple[str, str]:
    """Return (alt text, caption paragraph) for one news photo taken at ``place``."""
    scene = rng.choice(CAPTION_SCENES)
    alt = f"{place}{scene}"
    caption = f"图为{place}{scene}。（{rng.choice(('记者', '通讯员'))} {rng.choice(PERSON_NAMES)} 摄）"
    return alt, caption


def make_table(rng: random.Random, place: str) -> list[tuple[str, ...]]:
    """Return a data table as rows of cell texts, header row first."""
    head = rng.choice(TABLE_HEADS)
    rows: list[tuple[str, ...]] = [head]
    for _ in range(rng.randint(3, 6)):
        if head[0] == "项目名称":
            rows.append(
                (
                    rng.choice(COMPANIES) + rng.choice(PROJECTS),
                    f"{rng.randint(1, 80)}.{rng.randint(0, 9)}",
                    rng.choice(INDUSTRIES),
                )
            )
        elif head[0] == "企业名称":
            rows.append((rng.choice(COMPANIES) + "有限公司", rng.choice(PROJECTS), place))
        else:
            rows.append(
                (
                    rng.choice(INDUSTRIES) + "产值（亿元）",
                    f"{rng.randint(10, 900)}.{rng.randint(0, 9)}",
                    f"{rng.randint(1, 40)}.{rng.randint(0, 9)}",
                )
            )
    return rows


def make_attachment_name(rng: random.Random, district: str) -> str:
    """Return the visible name of a PDF attachment, ending in .pdf."""
    return f"{district}{_fill(rng, rng.choice(ATTACHMENT_NAMES))}.pdf"


def make_revision_paragraph(rng: random.Random, district: str, revision: int) -> str:
    """Return the paragraph an edit at ``revision`` adds or substitutes."""
    return (
        f"（更新）据{district}最新统计，截至目前已有{rng.randint(10, 300)}家企业参与相关工作，"
        f"{rng.choice(PURPOSES)}。（第{revision}次修订）"
    )
