"""Property-based tests: mangled and random HTML never raises anything but NotAnArticle."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from investchn_spider.extraction import RECORD_FIELDS, NotAnArticle, extract_article, parse_document
from investchn_spider.extraction.listing import analyse_page

FIXTURE_PAGES = [path.read_bytes() for path in sorted((Path(__file__).parent / "fixtures").rglob("*.html"))]
URL = "http://www.investchn.com/kfqxw/2022/0913/1.html"

TAGS = ["p", "div", "span", "td", "tr", "table", "br", "a", "img", "font", "h1", "li", "ul", "script", "style", "b"]
WORDS = [
    "发布时间：",
    "发布时间:",
    "来源：",
    "发布开发区：",
    "您现在的位置：",
    "首页",
    " > ",
    "开发区新闻",
    "杨浦区",
    "上一条：",
    "下一条：",
    "相关新闻",
    "与我们联系",
    "Copyright ©",
    "2022-09-13",
    "2022年9月3日",
    "10:23",
    "园区",
    "招商",
    "\u3000",
    "\xa0",
    "&nbsp;",
    "|",
    "【打印】",
    "9999-99-99",
    "2022-02-30",
    "<",
    ">",
    "&",
    "\x00",
]


@st.composite
def html_soup(draw) -> str:
    """Random nestings of the portal's own tags and words."""
    parts = []
    for _ in range(draw(st.integers(0, 60))):
        kind = draw(st.integers(0, 3))
        if kind == 0:
            parts.append(f"<{draw(st.sampled_from(TAGS))}>")
        elif kind == 1:
            parts.append(f"</{draw(st.sampled_from(TAGS))}>")
        elif kind == 2:
            parts.append(draw(st.sampled_from(WORDS)))
        else:
            parts.append(draw(st.text(max_size=20)))
    return "".join(parts)


def _assert_record_or_reason(body, http_charset=None) -> None:
    try:
        record = extract_article(body, URL, http_charset)
    except NotAnArticle as error:
        assert str(error)
        return
    assert tuple(record) == RECORD_FIELDS
    assert record["title"] and record["published_date"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_soup())
def test_extract_article_on_random_soup_returns_record_or_reason(text: str):
    _assert_record_or_reason(text)
    _assert_record_or_reason(text.encode("gb18030", errors="replace"), "gbk")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from([None, "gbk", "utf-8", "latin-1", "no-such-charset", ""]))
def test_extract_article_on_random_bytes_returns_record_or_reason(body: bytes, charset):
    _assert_record_or_reason(body, charset)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(FIXTURE_PAGES),
    st.lists(st.tuples(st.floats(0, 1), st.floats(0, 0.3)), max_size=4),
    st.floats(0.05, 1),
)
def test_extract_article_on_mangled_fixtures_returns_record_or_reason(page: bytes, cuts, keep: float):
    """Chunks cut out of real-looking pages, then the page truncated: what broken servers send."""
    for start, length in cuts:
        begin = int(start * len(page))
        page = page[:begin] + page[begin + int(length * len(page)) :]
    _assert_record_or_reason(page[: max(1, int(keep * len(page)))])


@settings(max_examples=200, deadline=None)
@given(html_soup())
def test_analyse_page_on_random_soup_never_fails(text: str):
    try:
        doc = parse_document(text, URL)
    except NotAnArticle:
        return
    analysis = analyse_page(doc)
    assert analysis.kind in {"article", "listing", "other"}
