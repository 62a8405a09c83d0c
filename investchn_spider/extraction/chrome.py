"""Page furniture: the lines of an article page that a reader does not read as the article.

Every CMS puts its own chrome around and inside articles, under its own class names, so the rules
here read only a line's text (and, for links, how much of it is linked): the words chrome is made
of (打印, 关闭, 分享到, 扫一扫 …), the labels it carries (标签：, 责任编辑：, 浏览：123次), and its shape
(a line of separator characters, a lone heading word). Three kinds, by what they do to the body:

- a terminator ends the body: 上一篇 / 下一篇, a related list's heading under any of its names, a
  comment form, a copyright or reposting statement;
- a closing line (print / close / share bars, "open the app") ends the body once the article's
  text has begun, and is dropped before it;
- a dropped line (editor's credits, tag lines, counters, QR captions, separators, screen-reader
  headings, video fallback text) is left out wherever it stands.
"""

from __future__ import annotations

import re

from .lines import Line

# -- Terminators ----------------------------------------------------------------------------------
_RELATED_HEADING = (
    r"相关(?:新闻|文章|链接|阅读|信息|报道|资讯|稿件|推荐|内容|专题|文档|视频|图片|阅读推荐)?"
    r"|推荐(?:阅读|文章|新闻|内容|资讯)|延伸阅读|扩展阅读|拓展阅读|热点(?:新闻|推荐|文章|资讯)"
    r"|热门(?:文章|新闻|推荐|阅读|资讯|点击)|猜你喜欢|大家都在看|[你您]可能(?:感兴趣|还想看|也喜欢)"
    r"|精彩推荐|更多精彩|往期回顾|往期推荐|阅读排行|点击排行|热门排行|最新(?:文章|新闻|资讯|发布)"
    r"|本栏目最新|更多(?:新闻|资讯|文章|阅读)|其他新闻|近期文章|为[你您]推荐|(?:新闻|最新|编辑|今日)推荐|本周热门|排行榜"
)
_COMMENT_START = (
    r"发表评论|网友评论|我要评论|发表回复|留下评论|全部评论|最新评论|热门评论|评论区|评论列表|用户评论"
    r"|读者评论|暂无评论|已有\s*\d+\s*(?:人|条)(?:发表)?评论|共\s*\d+\s*条评论|评论\s*[（(]\d+[）)]"
    r"|文明上网|leave a reply"
)
_PREV_NEXT = r"上一[条篇页个]|下一[条篇页个]|上篇|下篇|前一篇|后一篇"
_TERMINATOR_START = re.compile(
    rf"[【\[]?\s*(?:{_PREV_NEXT})(?:文章|新闻|信息|稿件)?\s*[】\]]?\s*(?:[:：|｜]|$)"
    rf"|[【\[]?\s*(?:{_RELATED_HEADING})\s*[】\]]?\s*(?:[:：>»]|更多|$)"
    rf"|[【\[]?\s*(?:{_COMMENT_START})(?:\s*[】\]])?(?:[:：（(\s\d]|$)"
    r"|(?:与我们联系|联系我们)\s*[:：]?\s*$"
    r"|[※*\s]*(?:版权声明|免责声明|特别声明|本站声明|声明)\s*[:：]"
    r"|copyright|©",
    re.IGNORECASE,
)
# Statements that end an article wherever they stand in the line: reposting and copyright notices,
# a footer's site code and registration numbers (looked for only when the line holds their words).
_TERMINATOR_ANYWHERE = re.compile(
    r"(?:未经|禁止|不得|严禁|请勿).{0,12}转载|转载请注明|如有侵权|copyright\s*©|版权所有\s*[:：©]"
    r"|网站标识码|ICP备|公网安备",
    re.IGNORECASE,
)
_TERMINATOR_FIRST = frozenset(
    "【[上下前后相推延扩拓热猜大你您精更往阅点最本其近发网我留全评用读暂已共与联※*声免特版cClL©"
)
_FOOTER_MARK = re.compile(r"copyright|©|版权所有|网站标识码|ICP备|公网安备", re.IGNORECASE)
_FOOTER_LINE = re.compile(
    r"(?:主办|承办|协办|技术支持|运行维护|运维|地址|邮编|邮政编码|电话|传真|联系电话|邮箱|e-?mail)\s*(?:单位)?\s*[:：]",
    re.IGNORECASE,
)
_PREV_NEXT_LINK = re.compile(rf"^(?:{_PREV_NEXT})")

# -- An article's own pager: 第1页 第2页, 上一页 1 2 3 下一页, [1] [2], 共3页 首页 … 尾页 -------------------------
_PAGER_WORD = r"首页|上一页|上页|前页|下一页|下页|后页|尾页|末页|最后一页|第一页|返回第一页"
_PAGER_TOKEN = (
    rf"{_PAGER_WORD}|(?:当前)?第\s*\d{{1,3}}\s*(?:/\s*\d{{1,3}}\s*)?页|共\s*\d{{1,3}}\s*页|\d{{1,3}}\s*/\s*\d{{1,3}}"
    r"|\[\s*\d{1,3}\s*\]|【\s*\d{1,3}\s*】|\d{1,3}(?!\d)|[<>«»‹›]+|\.{2,}|…+|[:：|｜,，、]"
)
# Every token is matched whole (digits may not run on, runs of marks are one token), so a long line
# that is not a pager fails fast instead of trying every way to cut it.
_PAGER_LINE = re.compile(rf"(?:\s*(?:{_PAGER_TOKEN}))+\s*")
PAGER_LINK_TEXT = re.compile(rf"\s*(?:{_PAGER_TOKEN})\s*")  # a pager link's whole text
_PAGER_MARK = re.compile(rf"{_PAGER_WORD}|页|\[|【")
_PAGER_WORD_MARK = re.compile(rf"{_PAGER_WORD}|页")
_MAX_PAGER_LINE = 120

# -- Closing lines: whole lines of controls --------------------------------------------------------
_CONTROL_TOKEN = (
    r"【[^】]{0,12}】|\[[^\]]{0,12}\]|(?:字体|字号)(?:大小)?\s*[:：]?|[大中小]|大号|超大|标准|放大|缩小|A\+|A-|A|T"
    r"|打印(?:本页|此页|此文|本文|文章|页面)?|我要打印|关闭(?:窗口|本页|页面)?|(?:加入|添加)?收藏(?:本页|本站)?"
    r"|(?:一键)?分享(?:到|至|此文|本文|本页|给朋友)?\s*[:：]?|复制链接|返回(?:顶部|列表|首页)?|顶部|top|我要纠错|纠错|报告错误|挑错"
    r"|推荐|告诉好友|视力保护色|护眼|默认|微信|朋友圈|微博|新浪|腾讯|QQ空间|QQ好友|QQ|人人网|豆瓣|今日头条"
    r"|twitter|facebook|点赞|赞|踩|顶一下|踩一下|顶|赏|打赏|公众号|正在加载[.…。]*|加载中[.…。]*"
    r"|share|print|close|wechat|weibo|e-?mail|linkedin|tweet|like|favou?rite|bookmark"
    r"|\(\d*\)|（\d*）|\d{1,7}|[|/｜丨\s:：·•]"
)
_CONTROLS = re.compile(rf"(?:{_CONTROL_TOKEN})+|分享到.*", re.IGNORECASE)
_MAX_CONTROLS = 80  # a longer line is text, unless it is a share bar
_QR_WORDS = re.compile(r"扫一扫|扫码|扫描|二维码|微信扫")
_APP_LINE = re.compile(
    r"(?:打开|下载|安装|前往).{0,12}(?:app|客户端)|展开全文|阅读全文|查看全文|继续阅读", re.IGNORECASE
)
_MAX_QR_LINE = 40

# -- Dropped lines ---------------------------------------------------------------------------------
_CREDIT_LABELS = (
    r"责任编辑|责编|编辑|审核|审校|校对|终审|初审|复审|一审|二审|三审|签发|值班编辑|网站编辑|文章录入|录入|监制|美编"
)
# The editor's credit that closes many articles ("（责任编辑：李晓）") is page metadata, not text.
_CREDIT = re.compile(
    rf"[（(【\[]?\s*(?:本文)?(?:{_CREDIT_LABELS})\s*[:：/][^（）()【】\[\]]{{0,40}}[）)】\]]?"
    rf"|[（(【\[]\s*(?:本文)?(?:{_CREDIT_LABELS})\s+[^（）()【】\[\]\s]{{1,12}}\s*[）)】\]]"
)
_TRAILING_CREDIT = re.compile(rf"\s*[（(【\[]\s*(?:{_CREDIT_LABELS})\s*[:：][^（）()【】\[\]]{{1,30}}[）)】\]]$")
_TAG_LINE = re.compile(
    r"^[【\[]?\s*(?:本文|文章|相关)?(?:标签|关键词|关键字|热词|tags?|tag标签)(?:搜索)?\s*([:：]?)", re.IGNORECASE
)
_HASHTAGS = re.compile(r"(?:#[^#\s]{1,20}#?\s*)+")
_COUNTER = re.compile(
    r"(?:本文)?(?:已被)?(?:浏览|阅读|点击|访问|查看|热度|人气)(?:次数|量|数|率)?\s*[:：]?\s*[\d,.]*\s*万?\s*次?"
    r"|[\d,.]+\s*万?\s*(?:人|次)?(?:阅读|浏览|围观|看过)|(?:已有|共)\s*\d*\s*(?:人|次)(?:阅读|浏览|参与)"
)
_PAGE_LINK_LABEL = re.compile(r"^(?:本文链接|本文地址|文章链接|本文网址|原文地址)\s*[:：]")
_VIDEO_FALLBACK = re.compile(
    r"浏览器.{0,10}不支持|不支持.{0,6}(?:video|视频|html5)|does not support|请(?:升级|更换|使用).{0,10}浏览器",
    re.IGNORECASE,
)
_SEPARATOR_WORDS = re.compile(r"[-—=_*~·.－─━]{2,}\s*(?:分隔线|分割线)\s*[-—=_*~·.－─━]*")
# Lone headings a screen reader announces or a tab shows, never an article's own line.
_SECTION_WORDS = frozenset(
    (
        "正文",
        "正文内容",
        "文章内容",
        "内容",
        "文章正文",
        "全文",
        "详细内容",
        "文章详情",
        "新闻详情",
        "文章导航",
        "跳转到主要内容",
        "跳至内容",
        "跳到主要内容",
        "跳过导航",
        "无障碍浏览",
        "无障碍",
        "长者模式",
        "关怀版",
    )
)
_SENTENCE_END = re.compile(r"[。！？；]")
# Whole lines of metadata, one pattern for speed: a credit, a counter, hashtags, a separator line.
_METADATA_LINE = re.compile(
    "|".join(f"(?:{pattern.pattern})" for pattern in (_CREDIT, _COUNTER, _HASHTAGS, _SEPARATOR_WORDS))
)
_MAX_LABEL_LINE = 60
_SUMMARY_LABEL = re.compile(
    r"^[【\[]?\s*(?:内容摘要|内容提要|文章摘要|摘要|导读|导语|提要|核心提示|简介|概要|summary)\s*[】\]]?\s*[:：]?\s*",
    re.IGNORECASE,
)
_DANGLING_LABEL = re.compile(r"[\w\u4e00-\u9fff ]{1,8}[:：]")
_WORD_CHAR = re.compile(r"[^\W_]")  # a letter, digit or CJK character
_URL_TEXT = re.compile(r"^(?:https?://|www\.)", re.IGNORECASE)


def is_terminator(text: str) -> bool:
    """Return True when a line ends an article's body (上一条, 相关新闻, comments, copyright)."""
    # Cheap tests first: most lines start with none of the characters a terminator starts with,
    # and hold none of the words of a statement that may stand mid-line.
    if text[:1] in _TERMINATOR_FIRST and _TERMINATOR_START.match(text):
        return True
    if (
        "转载" in text
        or "侵权" in text
        or "版权" in text
        or "opyright" in text
        or "COPYRIGHT" in text
        or "标识码" in text
        or "ICP" in text
        or "公网安" in text
    ):
        return _TERMINATOR_ANYWHERE.search(text) is not None
    return False


def is_footer_mark(text: str) -> bool:
    """Return True when a line is the site's footer: a copyright line, a site code, a registration
    number (ICP备, 公网安备)."""
    return is_terminator(text) and _FOOTER_MARK.search(text) is not None


def is_footer_line(text: str) -> bool:
    """Return True when a line is one of the footer's own (主办单位：, 地址：, 电话： …)."""
    return len(text) <= _MAX_LABEL_LINE and _FOOTER_LINE.match(text) is not None


def ends_body(line: Line) -> bool:
    """Return True when ``line`` ends an article's body: a terminator, or a prev/next line whose
    label runs into its linked title (上一篇文章上一篇 标题, WordPress)."""
    text = line.text
    if is_terminator(text):
        return True
    if _PREV_NEXT_LINK.match(text) and line.anchor_count:
        return sum(len(link.text) for link in line.links) >= 0.5 * len(text)
    return False


def is_pager_line(line: Line) -> bool:
    """Return True when ``line`` is a pager (第1页 第2页, 上一页 1 2 3 下一页, [1] [2] [3], 共3页 首页 …
    尾页): only page tokens, and a page word, or links and at least two numbers (a row of figures
    without links is data)."""
    text = line.text
    if len(text) > _MAX_PAGER_LINE or _PAGER_LINE.fullmatch(text) is None:
        return False
    if not line.anchor_count:  # the current page's own line, unlinked (第1页), says 页 or a page word
        return _PAGER_WORD_MARK.search(text) is not None
    return _PAGER_MARK.search(text) is not None or len(re.findall(r"\d+", text)) >= 2


def is_controls(text: str) -> bool:
    """Return True when a line is only controls: share, print, font-size and like bars, counts."""
    if len(text) > _MAX_CONTROLS and not text.startswith("分享到"):
        return False
    if _CONTROLS.fullmatch(text) is None:
        return False
    return not all(char.isdigit() or char.isspace() for char in text)  # a row of figures is data


def is_closing(text: str) -> bool:
    """Return True when a line is chrome that follows an article: controls, an "open the app"
    prompt. (A QR code's caption is only dropped: a notice may print a sign-up code mid-text.)"""
    if is_controls(text):
        return True
    return len(text) <= _MAX_QR_LINE and not _SENTENCE_END.search(text) and _APP_LINE.search(text) is not None


def is_dropped(text: str) -> bool:
    """Return True when a line is page metadata left out wherever it stands: an editor's credit, a
    tag or keyword line, a counter, a separator, a screen-reader heading, video fallback text."""
    if len(text) > _MAX_LABEL_LINE:
        return _WORD_CHAR.search(text) is None  # a long separator line
    if text in _SECTION_WORDS or _WORD_CHAR.search(text) is None:
        return True
    if text[-1] in "。！？" and "浏览器" not in text:  # a sentence: the usual line, and no metadata
        return False
    if _METADATA_LINE.fullmatch(text) or is_qr_caption(text):
        return True
    tag = _TAG_LINE.match(text)
    if tag and not _SENTENCE_END.search(text) and (tag.group(1) or not re.search("[，,]", text)):
        return True
    return bool(_PAGE_LINK_LABEL.match(text) or _VIDEO_FALLBACK.search(text))


def is_chrome(text: str) -> bool:
    """Return True when a line is page furniture of any kind (closing or dropped)."""
    return is_closing(text) or is_dropped(text)


def is_qr_caption(text: str) -> bool:
    """Return True when a line is the caption of a QR code (扫一扫在手机打开当前页)."""
    if "扫" not in text and "二维码" not in text:  # most lines: no regular expression
        return False
    return len(text) <= _MAX_QR_LINE and not _SENTENCE_END.search(text) and _QR_WORDS.search(text) is not None


def strip_trailing_credit(text: str) -> str:
    """Return ``text`` without an editor's credit closing it (……。（编辑：赵敏）)."""
    if text.endswith(("）", ")", "】", "]")) and ("：" in text or ":" in text):
        return _TRAILING_CREDIT.sub("", text)
    return text


def is_tail_chrome(line: Line) -> bool:
    """Return True when ``line``, standing after an article's last line of text, may be chrome:
    mostly links (a related list, tag links, prev/next without a label) whose texts are not URLs,
    or a label with no value (赞过：). The caller keeps the lines that link files."""
    text = line.text
    if _DANGLING_LABEL.fullmatch(text):
        return True
    if not line.anchor_count:
        return False
    links = line.links
    linked = sum(len(link.text) for link in links if not _URL_TEXT.match(link.text))
    return linked >= 0.5 * len(text)


def is_heading_word(text: str) -> bool:
    """Return True when a line is short and unpunctuated: the heading of a box."""
    return 0 < len(text) <= 12 and not _SENTENCE_END.search(text) and "，" not in text


def summary_core(text: str) -> tuple[bool, str]:
    """Return whether a line starts with a summary label (摘要, 导读 …), and its text after it."""
    labelled = _SUMMARY_LABEL.match(text)
    return bool(labelled), (text[labelled.end() :] if labelled else text).strip()
