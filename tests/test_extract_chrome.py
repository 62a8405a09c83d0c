"""The general rules that keep chrome out of the body and read labels and breadcrumbs of any CMS.

Each test builds a small page in no fixture's markup and checks both sides of a rule: what is
left out and what a reader reads as the article, which must stay.
"""

from __future__ import annotations

import pytest

from investchn_spider.extraction import NotAnArticle, extract_article
from investchn_spider.extraction.chrome import is_closing, is_controls, is_dropped, is_terminator
from investchn_spider.extraction.labels import parse_meta

URL = "http://www.investchn.com/kfqxw/yangpu/wzxw/202209/t20220913_1.html"
CRUMB = (
    "<div>当前位置：<a href='/'>首页</a> &gt; <a href='/kfqxw/'>开发区新闻</a> &gt; "
    "<a href='/kfqxw/yp/'>杨浦区</a></div>"
)
TITLE = "<h1>杨浦区园区签约十个重点项目</h1>"
META = "<div>发布时间：2022-09-13 10:05 来源：杨浦区投资办</div>"
P1 = "9月13日，杨浦区举行重点项目集中签约仪式，十个项目总投资一百二十亿元。"
P2 = "签约项目涵盖人工智能、生物医药和在线新经济等领域，将于年内陆续开工。"


def page(body: str, crumb: str = CRUMB, head: str = "<title>杨浦区园区签约十个重点项目</title>") -> str:
    return f"<html><head>{head}</head><body>{crumb}{TITLE}{META}{body}</body></html>"


def body_of(html: str) -> str:
    return extract_article(html, URL)["body_text"]


@pytest.mark.parametrize(
    "chrome",
    [
        "<p>标签：<a href='/t/1'>园区</a> <a href='/t/2'>签约</a></p>",
        "<p>关键字 人工智能 生物医药</p>",
        "<p>Tags: 园区, 签约</p>",
        "<p>（责任编辑：王敏）</p>",
        "<p>编辑：王敏　审核：李强　终审：张伟</p>",
        "<p>本文已被浏览 1024 次</p>",
        "<p>阅读 1.2万</p>",
        "<p>＊＊＊＊＊＊</p>",
        "<p>====分割线====</p>",
        "<p>#园区 #签约</p>",
        "<p>您的浏览器不支持 video 标签，请升级浏览器</p>",
        "<h2>文章正文</h2>",
        "<div><img src='/qr.png'><p>微信扫一扫 分享到朋友圈</p></div>",
    ],
)
def test_a_dropped_line_is_left_out_wherever_it_stands_and_the_text_around_it_is_kept(chrome: str):
    assert body_of(page(f"<p>{P1}</p>{chrome}<p>{P2}</p>")) == f"{P1}\n{P2}"
    record = extract_article(page(f"<p>{P1}</p>{chrome}<p>{P2}</p>"), URL)
    assert record["images"] == []  # the QR code went with its caption


@pytest.mark.parametrize(
    "closing",
    [
        "<div>【<a href='javascript:print()'>打印本页</a>】【<a href='javascript:close()'>关闭窗口</a>】</div>",
        "<div><a href='#'>A+</a> <a href='#'>A</a> <a href='#'>A-</a> <a href='#'>收藏</a></div>",
        "<div>分享到：<a href='#'>微信</a><a href='#'>微博</a></div>",
        "<div>打开APP，阅读全文</div>",
    ],
)
def test_a_closing_bar_ends_the_body_after_the_text_and_is_dropped_before_it(closing: str):
    footer = "<p>主办单位：杨浦区人民政府 地址：上海市杨浦区</p>"
    assert body_of(page(f"<p>{P1}</p>{closing}{footer}")) == P1
    assert body_of(page(f"{closing}<p>{P1}</p><p>{P2}</p>")) == f"{P1}\n{P2}"


@pytest.mark.parametrize(
    "heading", ["相关稿件", "猜你喜欢", "大家都在看", "延伸阅读", "热门推荐", "往期回顾", "网友评论"]
)
def test_a_related_list_or_comment_box_ends_the_body_under_any_of_its_names(heading: str):
    related = f"<h3>{heading}</h3><ul><li><a href='/kfqxw/a.html'>杨浦区举办数字经济招商推介会</a></li></ul>"
    assert body_of(page(f"<p>{P1}</p><p>{P2}</p>{related}")) == f"{P1}\n{P2}"


def test_a_list_of_links_after_the_text_goes_with_its_unknown_heading_but_a_file_link_stays():
    related = "<div>园区快讯</div><div><a href='/kfqxw/a.html'>杨浦区举办数字经济招商推介会</a></div>"
    files = "<p>附件：<a href='/files/plan.pdf'>实施方案.pdf</a></p>"
    assert body_of(page(f"<p>{P1}</p>{files}{related}")) == f"{P1}\n附件：实施方案.pdf"


def test_a_summary_box_that_repeats_the_opening_is_dropped_and_one_that_does_not_is_kept():
    repeated = f"<div><b>摘要：</b>{P1[:30]}……</div><p>{P1}</p><p>{P2}</p>"
    assert body_of(page(repeated)) == f"{P1}\n{P2}"
    unlabelled = f"<div>{P1}</div><p>{P1}</p><p>{P2}</p>"
    assert body_of(page(unlabelled)) == f"{P1}\n{P2}"
    own = "<div><b>导读：</b>杨浦区把重点项目建设作为稳增长的关键抓手。</div>"
    assert body_of(page(f"{own}<p>{P1}</p>")) == f"导读：杨浦区把重点项目建设作为稳增长的关键抓手。\n{P1}"


def test_a_qr_caption_mid_notice_does_not_end_the_body():
    notice = f"<p>{P1}</p><p>扫码报名</p><p><img src='/signup-qr.png'></p><p>联系人：张三，电话：021-12345678。</p>"
    assert body_of(page(notice)) == f"{P1}\n联系人：张三，电话：021-12345678。"


def test_an_editor_credit_closing_the_last_paragraph_is_cut_from_it():
    assert body_of(page(f"<p>{P1}（编辑：赵敏）</p>")) == P1
    kept = "<p>会议由区投资办（编辑部）主办。</p>"
    assert body_of(page(f"<p>{P1}</p>{kept}")) == f"{P1}\n会议由区投资办（编辑部）主办。"


def test_a_row_of_figures_in_a_data_table_is_text_not_a_counter():
    table = "<table><tr><th>年份</th><th>项目</th></tr><tr><td>2021</td><td>120</td></tr></table>"
    assert body_of(page(f"<p>{P1}</p>{table}")) == f"{P1}\n年份\t项目\n2021\t120"
    assert not is_controls("2021\t120") and is_controls("顶一下(3)踩一下(0)")


def test_a_time_label_inside_the_body_is_not_the_meta_line_and_not_a_list():
    lines = "".join(
        f"<p>{label}：2022年9月{day}日</p>" for label, day in (("报名时间", 20), ("活动时间", 25), ("截止日期", 30))
    )
    record = extract_article(page(f"<p>{P1}</p>{lines}"), URL)
    assert record["published_date"] == "2022-09-13"
    assert record["body_text"].endswith("截止日期：2022年9月30日")


def test_publish_labels_beat_vaguer_dates_wherever_they_stand():
    assert parse_meta("更新时间：2022-09-14 发布时间：2022-09-13 来源：新华网")["发布时间"] == "2022-09-13"
    assert parse_meta("时间：2022-09-13 来源：新华网 点击：次")["发布时间"] == "2022-09-13"
    assert "发布时间" not in parse_meta("成文日期：2022-09-09 报名时间：2022-09-20")
    assert parse_meta("来源：成都日报2022-09-13 10:05阅读 1.2万") == {"来源": "成都日报"}
    assert parse_meta("发布开发区：临港新片区 · 阅读 1024")["发布开发区"] == "临港新片区"


def test_a_meta_line_without_a_date_label_is_read_only_under_a_title():
    bare = f"<html><body>{CRUMB}{TITLE}<div>2022年9月13日 星期二 下午 3:05</div><p>{P1}</p></body></html>"
    record = extract_article(bare, URL)
    assert record["published_at"] == "2022-09-13T15:05:00+08:00" and record["body_text"] == P1
    dated_list = "".join(
        f"<div><a href='/a{day}.html'>园区新闻标题第{day}条</a></div><div>2022-09-{day}</div>" for day in (10, 11, 12)
    )
    with pytest.raises(NotAnArticle):
        extract_article(f"<html><body>{CRUMB}{dated_list}</body></html>", URL)


def test_a_stacked_list_of_links_is_a_breadcrumb_only_when_its_links_nest():
    crumb = "".join(
        f"<li><a href='{href}'>{text}</a></li>"
        for href, text in (
            ("/", "首页"),
            ("/kfqxw/", "开发区新闻"),
            ("/kfqxw/yp/", "杨浦区"),
            ("/kfqxw/yp/wzxw/", "文字新闻"),
        )
    )
    record = extract_article(page(f"<p>{P1}</p>", crumb=f"<ol>{crumb}</ol>"), URL)
    assert record["breadcrumb"] == ["首页", "开发区新闻", "杨浦区", "文字新闻"] and record["district"] == "杨浦区"
    menu = "".join(
        f"<li><a href='{href}'>{text}</a></li>"
        for href, text in (("/", "首页"), ("/kfqxw/", "开发区新闻"), ("/zsxm/", "招商项目"), ("/about/", "关于我们"))
    )
    assert extract_article(page(f"<p>{P1}</p>", crumb=f"<ul>{menu}</ul>"), URL)["breadcrumb"] == []
    bar = "<div><a href='/'>首页</a> | <a href='/kfqxw/'>开发区新闻</a> | <a href='/zsxm/'>招商项目</a></div>"
    assert extract_article(page(f"<p>{P1}</p>", crumb=bar), URL)["breadcrumb"] == []


def test_a_labelled_breadcrumb_in_list_items_reads_one_item_per_line_and_stops_at_the_title():
    crumb = (
        "<ul><li>您所在的位置：</li><li><a href='/'>首页</a></li><li><a href='/kfqxw/'>开发区新闻</a></li>"
        "<li>杨浦区</li></ul>"
    )
    record = extract_article(page(f"<p>{P1}</p>", crumb=crumb), URL)
    assert record["breadcrumb"] == ["首页", "开发区新闻", "杨浦区"]
    assert record["title"] == "杨浦区园区签约十个重点项目"


def test_a_subtitle_is_not_the_title_even_when_emphasised_and_nearest_the_meta_line():
    html = f"<html><body>{CRUMB}{TITLE}<h2>——记杨浦区重点项目建设</h2>{META}<p>{P1}</p></body></html>"
    assert extract_article(html, URL)["title"] == "杨浦区园区签约十个重点项目"


def test_kinds_of_chrome_lines():
    assert is_terminator("上一篇文章：园区签约") and is_terminator("※ 未经授权不得转载") and is_terminator("相关")
    assert not is_terminator("相关负责人表示：项目年内开工。") and not is_terminator("下一步，园区将加快建设。")
    assert is_closing("【打印】【关闭】") and not is_closing("打印机产业园开工")
    assert is_dropped("责任编辑：李明") and not is_dropped("编辑部主任李明表示，园区将继续优化服务。")


def test_a_list_of_page_links_ends_the_body_whatever_its_heading_and_the_footer_after_it_goes_too():
    related = (
        "<div>看了本文的人还看了</div>"
        "<div><a href='/kfqxw/a.html'>杨浦区举办数字经济招商推介会</a></div>"
        "<div><a href='/kfqxw/b.html'>杨浦滨江新增两家外资研发中心</a></div>"
    )
    footer = "<p>主办单位：杨浦区人民政府</p><p>地址：上海市杨浦区江浦路</p><p>沪ICP备00000000号</p>"
    assert body_of(page(f"<p>{P1}</p><p>{P2}</p>{related}{footer}")) == f"{P1}\n{P2}"
    assert body_of(page(f"<p>{P1}</p><p>{P2}</p>{footer}")) == f"{P1}\n{P2}"  # no list: the footer's lines go
    contact = "<p>联系电话：021-12345678</p><p>【打印】【关闭】</p>"
    assert body_of(page(f"<p>{P1}</p>{contact}{footer}")) == f"{P1}\n联系电话：021-12345678"  # the article's own
    files = "".join(f"<p><a href='/files/{name}.pdf'>{name}.pdf</a></p>" for name in ("申报指南", "申报表"))
    assert body_of(page(f"<p>{P1}</p>{files}{related}")) == f"{P1}\n申报指南.pdf\n申报表.pdf"


@pytest.mark.parametrize("credit", ["（编辑 王敏）", "[责任编辑:王敏]", "本文编辑：王敏", "编辑/王敏"])
def test_editor_credits_in_their_usual_forms_are_left_out(credit: str):
    assert body_of(page(f"<p>{P1}</p><p>{credit}</p>")) == P1


def test_a_summary_repeating_the_opening_with_other_punctuation_is_still_a_repeat():
    summary = "<div>导读：9月13日 杨浦区举行重点项目集中签约仪式 十个项目总投资一百二十亿元...</div>"
    assert body_of(page(f"{summary}<p>{P1}</p><p>{P2}</p>")) == f"{P1}\n{P2}"


def test_a_bare_position_label_an_arrow_separator_and_a_label_above_its_value_are_read():
    crumb = (
        "<div>位置：<a href='/'>首页</a>-&gt;<a href='/kfqxw/'>开发区新闻</a>-&gt;<a href='/kfqxw/yp/'>杨浦区</a></div>"
    )
    meta = "<dl><dt>发布日期</dt><dd>2022-09-13</dd><dt>来源</dt><dd>杨浦区人民政府</dd></dl>"
    html = f"<html><body>{crumb}{TITLE}{meta}<p>{P1}</p></body></html>"
    record = extract_article(html, URL)
    assert record["breadcrumb"] == ["首页", "开发区新闻", "杨浦区"] and record["district"] == "杨浦区"
    assert record["source"] == "杨浦区人民政府" and record["body_text"] == P1
    kept = f"<html><body>{crumb}{TITLE}{META}<p>作者</p><p>{P1}</p></body></html>"
    assert extract_article(kept, URL)["body_text"] == f"作者\n{P1}"  # a lone word above prose is text


def test_an_english_share_bar_is_chrome():
    assert body_of(page(f"<div>Share: <a>WeChat</a> <a>Weibo</a> | Print</div><p>{P1}</p>")) == P1
