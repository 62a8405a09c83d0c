"""render_lines: what a reader sees, line by line, with the links and images of each line."""

from __future__ import annotations

from investchn_spider.extraction.lines import Image, Line, Link, fold_space, parse_html, render_lines

URL = "http://www.investchn.com/kfqxw/2022/0913/1.html"


def lines(html: str, url: str = URL) -> list[Line]:
    return render_lines(parse_html(html.encode("utf-8")), url)


def texts(html: str) -> list[str]:
    return [line.text for line in lines(html)]


def test_blocks_and_br_start_lines_and_inline_elements_join_without_space():
    html = "<div>一<span>二</span><b>三</b><p>四<br>五</p>六</div><ul><li>七</li><li>八</li></ul>"
    assert texts(html) == ["一二三", "四", "五", "六", "七", "八"]


def test_whitespace_runs_fold_to_one_space_and_lines_are_stripped():
    html = "<p> a \n\t b\xa0\xa0c\u3000d\u200be\ufefff </p><p>\u3000\xa0 </p>"
    assert texts(html) == ["a b c d e f"]
    assert fold_space(" x\u200b\u3000y\n") == "x y"


def test_table_cells_join_with_a_tab_dropping_empty_cells_at_the_ends_only():
    html = "<table><tr><td></td><td>长的布局单元格</td><td></td><td>右</td><td> </td></tr></table>"
    assert texts(html) == ["长的布局单元格\t\t右"]


def test_a_private_use_character_of_the_page_stays_text_and_does_not_split_a_cell():
    assert texts("<table><tr><td>a\ue000b</td><td>c</td></tr></table><p>x\ue000y</p>") == ["a\ue000b\tc", "x\ue000y"]


def test_data_table_keeps_the_blocks_of_a_cell_on_the_row_line():
    html = "<table><tr><th>项目</th><th>金额</th></tr><tr><td><p>甲</p><p>乙</p></td><td>1<br>2</td></tr></table>"
    assert texts(html) == ["项目\t金额", "甲 乙\t1 2"]


def test_layout_table_with_prose_cells_breaks_lines_at_blocks():
    prose = "这是一段很长的正文内容，" * 3
    html = f"<table><tr><td><p>{prose}</p><p>{prose}</p></td><td>侧栏</td></tr></table>"
    assert texts(html) == [prose, prose, "侧栏"]


def test_hidden_elements_scripts_styles_and_comments_are_not_rendered_but_tails_are():
    html = (
        "<p>a<span style='DISPLAY : None'>x</span>b<i hidden>y</i>c<input type='HIDDEN' value=v>"
        "<em style='visibility:\nhidden'>z</em>d<script>var s;</script>e<!-- note -->f<style>p{}</style>g</p>"
        "<div style='display:none'><p>gone</p></div>h"
    )
    assert texts(html) == ["abcdefg", "h"]


def test_control_characters_next_to_a_removed_hidden_element_are_kept():
    assert texts("<p>a\x01<span hidden>x</span>\x02b</p>") == ["a\x01\x02b"]


def test_lines_mostly_inside_headings_bold_or_big_font_are_emphasised():
    html = (
        "<h1>标题</h1><p><b>发布时间</b>：2022年9月13日，正文很长的一句话</p><p><strong>全部加粗</strong>的</p>"
        "<font size='5'>大字</font><p style='font-size:20px'>像素</p><p style='font-size:12px'>小字</p>"
        "<div><span style='font-size: 14pt'>点</span></div><p>正文</p>"
    )
    assert [(line.text, line.emphasised) for line in lines(html)] == [
        ("标题", True),
        ("发布时间：2022年9月13日，正文很长的一句话", False),
        ("全部加粗的", True),  # 4 of 5 characters: 80% is enough
        ("大字", True),
        ("像素", True),
        ("小字", False),
        ("点", True),
        ("正文", False),
    ]


def test_a_heading_broken_over_two_lines_emphasises_both():
    html = "<h1>标题一<br>标题二</h1><p><b>加粗<br>两行</b>与正文的文字</p>"
    assert [(line.text, line.emphasised) for line in lines(html)] == [
        ("标题一", True),
        ("标题二", True),
        ("加粗", True),
        ("两行与正文的文字", False),
    ]


def test_emphasis_counts_non_space_characters_on_both_sides():
    # 4 of 5 letters inside <b>: the spaces around and inside it count on neither side.
    assert lines("<p>x<b> a  b c d </b></p>")[0].emphasised is True
    assert lines("<p>xy<b> a  b c d </b></p>")[0].emphasised is False  # 4 of 6
    assert lines("<p>xy<b> a  b </b>cd</p>")[0].emphasised is False


def test_emphasis_belongs_to_the_text_own_element_not_to_equal_text_elsewhere():
    html = "<h1>园区新闻</h1><p>园区新闻</p><p><b>招商</b></p><p>招商引资</p><td>园区</td><p>园区新闻</p>"
    assert [(line.text, line.emphasised) for line in lines(html)] == [
        ("园区新闻", True),
        ("园区新闻", False),
        ("招商", True),
        ("招商引资", False),
        ("园区", False),
        ("园区新闻", False),
    ]


def test_rendering_leaves_no_mark_of_its_own_in_the_tree():
    root = parse_html(
        b"<table><tr><td style='font-size:20px'>1</td><td>2</td></tr></table><span style='font-size:20px'>x</span>"
    )
    render_lines(root, URL)
    assert [element.tag for element in root.iter()] == ["html", "body", "table", "tr", "td", "td", "span"]
    assert not [element for element in root.iter() if "DATA" in element.attrib]


def test_emphasis_follows_big_fonts_inside_links_cells_blocks_and_data_tables():
    html = (
        "<p><a href='a.html'><b>加粗链接</b></a></p><div style='font-size:20px'><p>大字段落</p>小字<br>尾</div>"
        "<table><tr><td><b>甲</b></td><td><b>乙</b></td></tr><tr><td>丙</td><td><font size=5>丁</font></td></tr>"
        "</table><h2 style='font-size:30px'>标题<br>次行</h2><p>正文<font size='+2' style='display:none'>藏</font></p>"
    )
    assert [(line.text, line.emphasised) for line in lines(html)] == [
        ("加粗链接", True),
        ("大字段落", True),
        ("小字", True),
        ("尾", True),
        ("甲\t乙", True),
        ("丙\t丁", False),
        ("标题", True),
        ("次行", True),
        ("正文", False),
    ]


def test_links_keep_href_text_and_base_and_skip_what_cannot_be_followed():
    html = (
        "<head><base href='http://example.com/base/'></head><body>"
        "<p><a href=' next.html '>下一条： <span>标题</span></a>"
        "<a href='javascript:void(0)'>x</a><a href='MailTo:a@b'>m</a><a href='#top'>t</a><a>no href</a></p>"
        "<p><a href='/pic'><img src='p.png' alt='图 片'></a></p></body>"
    )
    base = "http://example.com/base/"
    assert lines(html) == [
        Line("下一条： 标题xmtno href", [Link("next.html", "下一条： 标题", base)]),
        Line("", [Link("/pic", "图 片", base)], [Image("p.png", "图 片", base)]),
    ]
    assert lines(html)[0].links[0].url == "http://example.com/base/next.html"


def test_a_link_belongs_to_the_line_it_starts_on_and_links_may_nest():
    html = "<p>前<a href='/a'>甲<br>乙</a></p><a href='/o'>外<span><a href='/i'>内</a></span><div>下</div></a>"
    assert lines(html) == [
        Line("前甲", [Link("/a", "甲乙", URL)]),
        Line("乙"),
        Line("外内", [Link("/o", "外内下", URL), Link("/i", "内", URL)]),
        Line("下"),
    ]


def test_images_take_the_first_usable_source_and_their_alt_or_title():
    html = (
        "<p><img data-src='lazy.jpg' src=' ' alt=' 图\u3000注 '><img src='data:image/png;base64,AA' original='o.gif'"
        " title='题'><img src='DATA:x'><img alt='无源'></p><p>文字<img data-original='d.png'></p>"
    )
    assert lines(html) == [
        Line("", [], [Image("lazy.jpg", "图 注", URL), Image("o.gif", "题", URL)]),
        Line("文字", [], [Image("d.png", "", URL)]),
    ]


def test_lines_without_text_or_images_are_dropped():
    assert texts("<div> </div><p><a href='/x'> </a></p><table><tr><td></td><td>\xa0</td></tr></table><p>末</p>") == [
        "末"
    ]


def test_escaped_and_special_characters_come_through_unchanged():
    html = "<p>a &lt;b&gt; &amp;amp; \U0001f600 \ufdd0\ufdd1 \ue001</p><p><a href='/x'>\ufdd4链接</a></p>"
    rendered = lines(html)
    assert [line.text for line in rendered] == ["a <b> &amp; \U0001f600 \ufdd0\ufdd1 \ue001", "\ufdd4链接"]
    assert rendered[1].links == [Link("/x", "\ufdd4链接", URL)]


def test_content_after_a_closed_html_element_is_not_rendered():
    assert texts("<html><body><p>正文</p></body></html><p>尾巴</p>") == ["正文"]
