"""Money amounts in body text (``facts/amounts.py``): scores on the labelled corpus, and each rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from investchn_spider.facts import Amount, extract_amounts

CORPUS = Path(__file__).parent / "fixtures" / "facts" / "amounts.jsonl"
ROWS = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def score(rows: list[dict]) -> dict[str, float]:
    """Return precision, recall, F1 and, over matched amounts, kind/approximate/text accuracy.

    A found amount matches a labelled one of the same sentence with the same value and currency
    (each labelled amount matched once).
    """
    tp = fp = fn = kind = approximate = text = 0
    for row in rows:
        found = extract_amounts(row["text"])
        for gold in row["amounts"]:
            match = next((a for a in found if a.value == gold["value"] and a.currency == gold["currency"]), None)
            if match is None:
                fn += 1
                continue
            found.remove(match)
            tp += 1
            kind += match.kind == gold["kind"]
            approximate += match.approximate == gold["approximate"]
            text += match.text == gold["text"]
        fp += len(found)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    matched = max(tp, 1)
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "kind": kind / matched,
        "approximate": approximate / matched,
        "text": text / matched,
        "amounts": tp + fn,
    }


def test_the_corpus_is_big_and_varied_enough():
    amounts = [a for row in ROWS for a in row["amounts"]]
    assert len(amounts) >= 220
    assert len(ROWS) >= 120
    assert sum(1 for row in ROWS if not row["amounts"]) >= 80
    assert {a["kind"] for a in amounts} == {
        "investment",
        "contract",
        "foreign_capital",
        "output",
        "fund",
        "subsidy",
        "other",
    }
    assert len({a["currency"] for a in amounts}) >= 8
    assert {row["part"] for row in ROWS} == {"tune", "heldout"}
    for row in ROWS:  # every label names text of its sentence
        for amount in row["amounts"]:
            assert amount["text"] in row["text"], row


@pytest.mark.parametrize("part", ["tune", "heldout", "all"])
def test_scores_on_the_labelled_corpus(part, capsys):
    rows = [row for row in ROWS if part in ("all", row["part"])]
    result = score(rows)
    with capsys.disabled():
        print(
            f"\namounts {part}: {result['amounts']} amounts, P {result['precision']:.3f} R {result['recall']:.3f} "
            f"F1 {result['f1']:.3f}, kind {result['kind']:.3f}, approximate {result['approximate']:.3f}, "
            f"text {result['text']:.3f}"
        )
    assert result["f1"] >= 0.95
    assert result["kind"] >= 0.9
    assert result["approximate"] >= 0.95


def test_distractor_sentences_yield_nothing():
    offenders = {row["text"]: extract_amounts(row["text"]) for row in ROWS if not row["amounts"]}
    assert {text: found for text, found in offenders.items() if found} == {}


def one(text: str) -> Amount:
    found = extract_amounts(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "span", "value", "currency"),
    [
        ("总投资120亿元", "120亿元", 12_000_000_000, "CNY"),
        ("总投资一百二十亿元", "一百二十亿元", 12_000_000_000, "CNY"),
        ("规模1.5万亿元", "1.5万亿元", 1_500_000_000_000, "CNY"),
        ("贷款8千万元", "8千万元", 80_000_000, "CNY"),
        ("补贴1,200万元", "1,200万元", 12_000_000, "CNY"),
        ("融资2亿3000万美元", "2亿3000万美元", 230_000_000, "USD"),
        ("融资两亿三千万美元", "两亿三千万美元", 230_000_000, "USD"),
        ("投资三千五百万元", "三千五百万元", 35_000_000, "CNY"),
        ("投资十二点五亿元", "十二点五亿元", 1_250_000_000, "CNY"),
        ("投资一千零五十万元", "一千零五十万元", 10_500_000, "CNY"),
        ("投资１２０亿元", "１２０亿元", 12_000_000_000, "CNY"),
        ("投资3千5百万元", "3千5百万元", 35_000_000, "CNY"),
        ("营收突破千亿元", "千亿元", 100_000_000_000, "CNY"),
        ("收入12.5元", "12.5元", 12.5, "CNY"),
    ],
)
def test_numbers_in_every_notation(text, span, value, currency):
    amount = one(text)
    assert (amount.text, amount.value, amount.currency) == (span, value, currency)
    assert text[amount.start : amount.end] == span


@pytest.mark.parametrize(
    ("text", "span", "currency"),
    [
        ("人民币120亿元", "人民币120亿元", "CNY"),
        ("120亿元人民币", "120亿元人民币", "CNY"),
        ("120亿人民币", "120亿人民币", "CNY"),
        ("美元3000万", "美元3000万", "USD"),
        ("US$3000万", "US$3000万", "USD"),
        ("$3000万", "$3000万", "USD"),
        ("HK$3000万", "HK$3000万", "HKD"),
        ("€3000万", "€3000万", "EUR"),
        ("￥3000万", "￥3000万", "CNY"),
        ("¥3000万元", "¥3000万元", "CNY"),
        ("3000万欧元", "3000万欧元", "EUR"),
        ("3000万日元", "3000万日元", "JPY"),
        ("3000万港元", "3000万港元", "HKD"),
        ("3000万港币", "3000万港币", "HKD"),
        ("3000万英镑", "3000万英镑", "GBP"),
        ("3000万韩元", "3000万韩元", "KRW"),
        ("3000万新加坡元", "3000万新加坡元", "SGD"),
        ("3000万澳门元", "3000万澳门元", "MOP"),
    ],
)
def test_currencies_before_and_after_the_number(text, span, currency):
    amount = one(text)
    assert (amount.text, amount.value, amount.currency) == (span, 30_000_000 if "3000" in text else 12e9, currency)


@pytest.mark.parametrize(
    "text",
    [
        "约50亿元",
        "近50亿元",
        "超50亿元",
        "超过50亿元",
        "逾50亿元",
        "50余亿元",
        "50多亿元",
        "50亿元左右",
        "50亿元以上",
        "50亿元上下",
        "约为50亿元",
        "人民币约50亿元",
    ],
)
def test_approximate_markers(text):
    amount = one(text)
    assert amount.approximate and amount.value == 5_000_000_000 and amount.currency == "CNY"


@pytest.mark.parametrize("text", ["50亿元", "达50亿元", "不超过50亿元", "突破50亿元", "最高50亿元"])
def test_exact_amounts_are_not_approximate(text):
    assert not one(text).approximate


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("总投资10亿至20亿元", "10亿至20亿元", 1_000_000_000),
        ("总投资10至20亿元", "10至20亿元", 1_000_000_000),
        ("总投资10-20亿元", "10-20亿元", 1_000_000_000),
        ("总投资10亿元至20亿元", "10亿元至20亿元", 1_000_000_000),
        ("总投资5000万—1亿元", "5000万—1亿元", 50_000_000),
        ("总投资人民币10至20亿元", "人民币10至20亿元", 1_000_000_000),
    ],
)
def test_a_range_is_one_approximate_amount_its_lower_bound(text, span, value):
    amount = one(text)
    assert (amount.text, amount.value, amount.approximate, amount.kind) == (span, value, True, "investment")


def test_lists_give_one_amount_each_and_bare_numbers_take_the_unit_and_currency_after_them():
    found = extract_amounts("两家企业分别获得贷款3亿元和5亿元。")
    assert [(a.text, a.value) for a in found] == [("3亿元", 300_000_000), ("5亿元", 500_000_000)]
    found = extract_amounts("三个项目投资额分别为4亿、6亿和12亿美元。")
    assert [(a.text, a.value, a.currency) for a in found] == [
        ("4亿", 400_000_000, "USD"),
        ("6亿", 600_000_000, "USD"),
        ("12亿美元", 1_200_000_000, "USD"),
    ]
    found = extract_amounts("分别为3、5和8亿元")
    assert [a.value for a in found] == [300_000_000, 500_000_000, 800_000_000]


@pytest.mark.parametrize(
    "text",
    [
        "同比增长12.5%",
        "占地120亩，建筑面积15万平方米，规划面积32平方公里",
        "引进项目12个、企业30家、重点项目5项，服务企业200家次",
        "吸纳就业3000人，接待游客50万人次，新增市场主体1.2万户",
        "2023年，2024年3月15日",
        "咨询电话：021-58881234，13912345678",
        "亿元以上项目12个",
        "打造百亿级产业集群和千亿级产业集群",
        "引进10亿元级重大项目",
        "租金3万元/平方米，每平方米每月10元，每吨5元",
        "数十亿元、几千万元",
        "坚持“两个毫不动摇”，实现“两个率先”，十四五期间，一带一路",
        "第三批，第5名，其中一期",
        "万元GDP能耗下降5%，亿元以上项目占比",
        "千万元级以上项目",
    ],
)
def test_distractors_are_not_amounts(text):
    assert extract_amounts(text) == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("项目总投资50亿元", "investment"),
        ("完成投资50亿元", "investment"),
        ("签约金额50亿元", "contract"),
        ("合同金额50亿元", "contract"),
        ("实际使用外资50亿美元", "foreign_capital"),
        ("合同外资5亿美元", "foreign_capital"),
        ("外商投资5亿美元", "foreign_capital"),
        ("实现产值50亿元", "output"),
        ("营业收入50亿元", "output"),
        ("地区生产总值500亿元", "output"),
        ("进出口额50亿元", "output"),
        ("税收收入5亿元", "output"),
        ("设立50亿元产业基金", "fund"),
        ("获得银行授信50亿元", "fund"),
        ("完成融资5亿元", "fund"),
        ("给予一次性奖励100万元", "subsidy"),
        ("扶持资金100万元", "subsidy"),
        ("收购价格5亿元", "other"),
        ("区投资促进办公室表示，价格5亿元", "other"),
    ],
)
def test_kind_from_the_governing_keyword(text, kind):
    assert one(text).kind == kind


def test_kind_precedence_nearest_before_then_after_then_earlier_clauses():
    # nearest keyword before wins over one further back and over one after
    assert [a.kind for a in extract_amounts("总投资50亿元、年产值80亿元")] == ["investment", "output"]
    assert one("投资5亿元设立基金").kind == "investment"
    # none before in the clause: the first after it
    assert one("其中5亿元用于设立基金").kind == "fund"
    # none in the clause: the sentence's earlier clauses, nearest first
    assert [a.kind for a in extract_amounts("设立产业基金，首期规模5亿元。其中，规模2亿元")] == ["fund", "other"]
    # a keyword right after an amount governs that amount, not the next one
    assert [a.kind for a in extract_amounts("获得2亿元贷款及5000万元贴息")] == ["fund", "subsidy"]


def test_sentence_and_offsets():
    text = "园区召开大会。\n项目总投资50亿元，年产值80亿元！下一步，将持续推进；全年税收3亿元"
    found = extract_amounts(text)
    assert [a.sentence for a in found] == ["项目总投资50亿元，年产值80亿元！"] * 2 + ["全年税收3亿元"]
    for amount in found:
        assert text[amount.start : amount.end] == amount.text
    assert found[0].to_dict() == {
        "text": "50亿元",
        "value": 5_000_000_000,
        "currency": "CNY",
        "approximate": False,
        "kind": "investment",
        "sentence": "项目总投资50亿元，年产值80亿元！",
        "start": text.index("50亿元"),
        "end": text.index("50亿元") + 4,
    }


def test_values_are_exact_not_floating_point():
    assert one("投资1.15亿元").value == 115_000_000
    assert one("投资0.3亿元").value == 30_000_000
    assert isinstance(one("投资1.15亿元").value, int)


def test_empty_and_amountless_text():
    assert extract_amounts("") == []
    assert extract_amounts("园区召开安全生产工作会议。") == []


def test_a_number_a_money_keyword_governs_is_in_yuan_when_the_text_leaves_the_currency_unsaid():
    found = extract_amounts("项目总投资约15亿，年产值达到30亿，融资超2亿")
    assert [(a.text, a.value, a.currency, a.kind, a.approximate) for a in found] == [
        ("15亿", 1_500_000_000, "CNY", "investment", True),
        ("30亿", 3_000_000_000, "CNY", "output", False),
        ("2亿", 200_000_000, "CNY", "fund", True),
    ]
    # without a keyword, or with a unit that is no money, it is no amount
    assert extract_amounts("园区人口15亿，出口1.5亿件，投入使用1.5万平方米，营收超百亿级") == []


def test_financial_numerals_and_vague_hundreds():
    assert one("合同金额壹仟贰佰万元").value == 12_000_000
    amount = one("投资上百亿元")
    assert (amount.value, amount.approximate) == (10_000_000_000, True)


@pytest.mark.parametrize(("seed", "revision"), [(2024, 0), (7, 3)])
def test_the_replica_articles_give_exactly_their_known_amounts(seed, revision):
    from investchn_spider.replica.content import ReplicaSite

    site = ReplicaSite(seed=seed, articles=300, revision=revision)
    keys = ("text", "value", "currency", "approximate", "kind", "start", "end")
    total = with_money = 0
    for article in site.expected_articles():
        found = [{key: getattr(a, key) for key in keys} for a in extract_amounts(article["body_text"])]
        assert found == article["amounts"], article["body_text"]
        for amount in article["amounts"]:
            assert article["body_text"][amount["start"] : amount["end"]] == amount["text"]
        total += len(found)
        with_money += bool(found)
    # the generator's sentences about money, and the ones the site always had, are both there
    assert total > 300 and with_money > 150
    kinds = {a["kind"] for article in site.expected_articles() for a in article["amounts"]}
    assert kinds == {"investment", "contract", "foreign_capital", "output", "fund", "subsidy"}


def test_parse_facts_adds_the_amounts_and_the_zone():
    from click.testing import CliRunner

    from investchn_spider.cli import cli

    page = Path(__file__).parent / "fixtures" / "articles" / "02-sip-table-font-gbk.html"
    plain = CliRunner().invoke(cli, ["parse", str(page)])
    result = CliRunner().invoke(cli, ["parse", "--facts", str(page)])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)  # one JSON line and nothing else on stdout
    assert "facts" not in json.loads(plain.stdout)
    assert {k: v for k, v in record.items() if k != "facts"} == json.loads(plain.stdout)
    amounts = record["facts"]["amounts"]
    assert amounts == [a.to_dict() for a in extract_amounts(record["body_text"])]
    assert {
        "text": "420亿元",
        "value": 42_000_000_000,
        "currency": "CNY",
        "approximate": True,
        "kind": "investment",
    }.items() <= amounts[0].items()
    assert amounts[1]["currency"] == "USD" and amounts[1]["value"] == 1_800_000_000
    # the zone is resolved by facts.zones where that module is installed, else null
    assert record["facts"]["zone"] is None or record["facts"]["zone"]["name"]
