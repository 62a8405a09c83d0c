"""Template profiles on synthetic pages: what is learnt on either side of the threshold, and how a
profile is applied (only its lines, in their place, never a whole body)."""

from __future__ import annotations

import json
import random

import pytest

from investchn_spider.extraction import content_hash, extract_article, extract_from_document, parse_document
from investchn_spider.extraction.profile import (
    MIN_PAGES,
    MIN_SAMPLE,
    PROFILE_VERSION,
    SHARE,
    host_of,
    learn_profile,
    normalise,
    position_of,
    template_keys,
    threshold,
)

HOST = "www.example.gov.cn"
CRUMB = (
    "<div>当前位置：<a href='/'>首页</a> &gt; <a href='/kfqxw/'>开发区新闻</a> &gt; "
    "<a href='/kfqxw/yp/'>杨浦区</a></div>"
)
BANNER = "◆ 园区观察第{n}期 ◆ 本栏目由开发区频道编辑部整理"
LEAD = "记者从区商务局获悉，今年以来全区外资项目落地明显提速。"


def paragraph(seed: int, number: int) -> str:
    """A sentence no other page has (seeded), long enough to be text."""
    rng = random.Random(f"{seed}/{number}")
    words = ["园区", "项目", "企业", "签约", "投资", "产业", "服务", "创新", "发展", "落地", "集聚", "推进"]
    return "".join(rng.choice(words) for _ in range(14)) + f"，涉及企业{rng.randint(10, 999)}家。"


def html(number: int, lines: list[str], files: list[str] = ()) -> str:
    body = "".join(f"<p>{line}</p>" for line in lines)
    body += "".join(f"<p>附件：<a href='/files/{name}'>{name}</a></p>" for name in files)
    return (
        f"<html><head><title>园区新闻第{number}号</title></head><body>{CRUMB}<h1>园区新闻第{number}号</h1>"
        f"<div>发布时间：2024-05-06 10:05 来源：杨浦区投资办</div>{body}<p>上一条：没有了</p></body></html>"
    )


def url(number: int) -> str:
    return f"http://{HOST}/kfqxw/yp/t20240506_{number}.html"


def document(number: int, lines: list[str], files: list[str] = ()):
    return parse_document(html(number, lines, files).encode("utf-8"), url(number))


def body(number: int, paragraphs: int = 4) -> list[str]:
    return [paragraph(number, index) for index in range(paragraphs)]


def record(number: int, lines: list[str]) -> dict:
    return {"url": url(number), "body_text": "\n".join(lines), "attachments": []}


def records(total: int, marked: int, line=BANNER, where: str = "head") -> list[dict]:
    """``total`` pages of a host, the first ``marked`` of them with ``line`` (its number varying) at ``where``."""
    out = []
    for number in range(total):
        lines = body(number)
        if number < marked:
            text = line.format(n=number + 100)
            lines = [text, *lines] if where == "head" else [*lines, text] if where == "tail" else lines
        out.append(record(number, lines))
    return out


def learnt(profile: dict) -> list[tuple[str, str, int]]:
    return [(line["pattern"], line["position"], line["pages"]) for line in profile["lines"]]


# --- keys ---------------------------------------------------------------------------------------


def test_a_key_is_the_text_with_digit_runs_as_hash_and_whitespace_folded():
    assert normalise("◆ 园区观察第123期\u3000◆  2024-09-13") == "◆ 园区观察第#期 ◆ #-#-#"
    assert normalise("第１２期") == normalise("第7期") == "第#期"  # full-width digits too
    assert host_of("http://WWW.Example.gov.cn:8080/a.html") == "www.example.gov.cn"
    assert host_of("http://[x/") == ""


def test_positions_are_the_nearer_edge_within_three_text_lines():
    assert [position_of(index, 10) for index in range(10)] == ["head"] * 3 + ["body"] * 4 + ["tail"] * 3
    assert [position_of(index, 3) for index in range(3)] == ["head", "head", "tail"]  # a tie goes to the head
    assert [position_of(index, 2) for index in range(2)] == ["head", "tail"]
    assert position_of(0, 1) == "head"


# --- the threshold, both sides ------------------------------------------------------------------


def test_the_threshold_is_the_floor_or_the_share_whichever_is_more():
    assert (MIN_PAGES, SHARE, MIN_SAMPLE) == (5, 0.05, 20)
    assert threshold(20) == threshold(100) == MIN_PAGES
    assert threshold(101) == 6 and threshold(200) == 10 and threshold(1000) == 50


def test_a_line_on_one_page_fewer_than_the_floor_is_not_learnt_and_on_the_floor_it_is():
    below = learn_profile(HOST, records(40, MIN_PAGES - 1))
    at = learn_profile(HOST, records(40, MIN_PAGES))
    assert below["lines"] == [] and below["pages"] == 40 and below["threshold"] == MIN_PAGES
    assert learnt(at) == [("◆ 园区观察第#期 ◆ 本栏目由开发区频道编辑部整理", "head", MIN_PAGES)]
    assert at["lines"][0]["text"] == BANNER.format(n=100)  # an example of the line as a page shows it


def test_at_the_share_boundary_a_line_on_one_page_too_few_is_not_learnt():
    pages = 200  # threshold: 5% of 200 = 10 pages, more than the floor
    assert learn_profile(HOST, records(pages, 9, where="tail"))["lines"] == []
    assert learnt(learn_profile(HOST, records(pages, 10, where="tail"))) == [
        ("◆ 园区观察第#期 ◆ 本栏目由开发区频道编辑部整理", "tail", 10)
    ]


def test_a_genuine_sentence_on_a_few_pages_is_not_learnt():
    pages = records(60, 0)
    for page in pages[:3]:  # a lead sentence the newsroom reuses
        page["body_text"] = LEAD + "\n" + page["body_text"]
    assert learn_profile(HOST, pages)["lines"] == []


def test_too_few_pages_give_no_profile_whatever_they_share():
    assert learn_profile(HOST, records(MIN_SAMPLE - 1, MIN_SAMPLE - 1))["lines"] == []
    assert len(learn_profile(HOST, records(MIN_SAMPLE, MIN_SAMPLE))["lines"]) == 1


def test_a_line_in_another_place_is_another_key():
    pages = records(40, 3, where="head") + [record(100 + n, [*body(100 + n), BANNER.format(n=n)]) for n in range(3)]
    assert learn_profile(HOST, pages)["lines"] == []  # 3 at the head and 3 at the tail: neither is 5


def test_one_page_counts_once_however_often_it_is_given_or_shows_the_line():
    twice = records(30, 4)
    twice += [dict(twice[0])]  # the same URL again
    twice[1]["body_text"] += "\n" + BANNER.format(n=1)  # twice on one page (head and tail: another key)
    assert learn_profile(HOST, twice)["lines"] == [] and learn_profile(HOST, twice)["pages"] == 30


def test_learning_does_not_depend_on_the_order_of_the_pages():
    pages = records(80, 20)
    for page in pages[50:56]:
        page["body_text"] += "\n（本文转自园区微信公众号）"
    pages += [record(0, ["另一次抓取的正文，与第一次的不同。", *body(0)])]  # a URL twice, with another body
    shuffled = list(pages)
    random.Random(3).shuffle(shuffled)
    assert learn_profile(HOST, shuffled) == learn_profile(HOST, pages) == learn_profile(HOST, pages[::-1])
    assert [line["pages"] for line in learn_profile(HOST, pages)["lines"]] == [20, 6]
    assert json.dumps(learn_profile(HOST, pages), ensure_ascii=False, sort_keys=True)  # JSON-able as it is


def test_a_profile_is_learnt_from_documents_as_the_single_page_rules_give_their_bodies():
    docs = [document(number, [BANNER.format(n=number), *body(number)]) for number in range(24)]
    docs.append(parse_document(b"<html><body><p>not an article</p></body></html>", url(99)))  # skipped
    profile = learn_profile(HOST, docs)
    assert profile["version"] == PROFILE_VERSION and profile["host"] == HOST and profile["pages"] == 24
    assert learnt(profile) == [("◆ 园区观察第#期 ◆ 本栏目由开发区频道编辑部整理", "head", 24)]


def test_a_line_that_links_a_file_is_never_template():
    docs = [document(number, body(number), files=["申报指南.pdf"]) for number in range(24)]
    assert learn_profile(HOST, docs)["lines"] == []


# --- applying a profile -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def profile() -> dict:
    docs = [document(number, [BANNER.format(n=number), *body(number)]) for number in range(24)]
    return learn_profile(HOST, docs)


def test_a_learnt_line_is_removed_before_the_content_hash_and_the_rest_is_kept(profile):
    lines = [BANNER.format(n=777), *body(500)]
    plain = extract_article(html(500, lines), url(500))
    clean = extract_article(html(500, lines), url(500), profile=profile)
    assert plain["body_text"].split("\n") == lines  # the single-page rules do not know the banner
    assert clean["body_text"].split("\n") == lines[1:]
    assert clean["content_hash"] == content_hash(clean["title"], clean["published_date"], clean["body_text"])
    assert {k: v for k, v in clean.items() if k not in ("body_text", "content_hash")} == {
        k: v for k, v in plain.items() if k not in ("body_text", "content_hash")
    }


def test_the_same_line_elsewhere_in_the_body_is_kept(profile):
    lines = [*body(501, 3), BANNER.format(n=5), *body(502, 3)]  # in the middle: not the template's place
    assert extract_article(html(501, lines), url(501), profile=profile)["body_text"].split("\n") == lines


def test_a_profile_never_empties_a_body(profile):
    only = [BANNER.format(n=8)]
    record = extract_from_document(document(502, only), profile=profile)
    assert record["body_text"] == only[0]


def test_a_profile_of_another_version_or_shape_is_ignored(profile):
    lines = [BANNER.format(n=9), *body(503)]
    expected = extract_article(html(503, lines), url(503))
    for other in ({**profile, "version": PROFILE_VERSION + 1}, {"lines": "x"}, {}, {"version": 1, "lines": [3, {}]}):
        assert template_keys(other) == frozenset()
        assert extract_article(html(503, lines), url(503), profile=other) == expected
