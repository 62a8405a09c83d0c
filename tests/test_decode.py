"""Charset decisions of extraction/decode.py: labels that name no encoding of the web give way to sniffing."""

from __future__ import annotations

import pytest

from investchn_spider.extraction import decode_html, parse_document
from investchn_spider.extraction.decode import declared_charset, normalise_charset

TEXT = "开发区新闻：园区招商引资取得新进展"
# Labels Python's codecs know but no browser decodes a page with, and labels nothing knows.
ODD_LABELS = ["undefined", "rot13", "rot_13", "idna", "utf-7", "hex", "base64", "zlib", "unicode_escape", "punycode"]
UNKNOWN_LABELS = ["", "x-user-defined", "utf-8\x00", "no such charset", "'\"", "\x00"]


def page(label: str, encoding: str) -> bytes:
    head = f'<html><head><meta charset="{label}"><title>t</title></head>'
    return (head + f"<body><p>{TEXT}</p><p>+ZeVnXVZoV- a+b=c</p></body></html>").encode(encoding)


@pytest.mark.parametrize("label", ODD_LABELS + UNKNOWN_LABELS)
def test_a_label_that_names_no_web_encoding_is_no_declaration(label):
    assert normalise_charset(label) is None


@pytest.mark.parametrize("label", ODD_LABELS)
def test_a_meta_tag_naming_no_web_encoding_declares_nothing(label):
    assert declared_charset(page(label, "utf-8")) is None
    # As a browser's prescan does, a declaration it cannot use is passed over for the next one.
    assert declared_charset(page(label, "utf-8").replace(b"<title>", b'<meta charset="gbk"><title>', 1)) == "gb18030"


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("UTF-8", "utf-8"),
        (" utf8 ", "utf-8"),
        ("gb2312", "gb18030"),
        ("GBK", "gb18030"),
        ("big5", "big5"),
        ("windows-1252", "cp1252"),
        ("shift_jis", "shift_jis"),
        ("utf-16le", "utf-16-le"),
    ],
)
def test_web_encodings_are_still_declarations(label, codec):
    assert normalise_charset(label) == codec


@pytest.mark.parametrize("label", ODD_LABELS + UNKNOWN_LABELS)
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
@pytest.mark.parametrize("where", ["header", "meta"])
def test_pages_with_odd_labels_are_sniffed(label, encoding, where):
    body = page(label if where == "meta" else "", encoding)
    text, codec = decode_html(body, label if where == "header" else None)
    assert codec == encoding
    assert TEXT in text and "+ZeVnXVZoV- a+b=c" in text  # decoded as bytes say, not as utf-7 would


@pytest.mark.parametrize("label", ODD_LABELS)
def test_bytes_nothing_decodes_cleanly_still_decode(label):
    body = page(label, "utf-8") + b"\xff\xfe\x80\x80"  # neither UTF-8 nor GB18030 take these
    text, codec = decode_html(body, label)
    assert codec == "gb18030" and "\ufffd" in text


@pytest.mark.parametrize("label", ODD_LABELS + UNKNOWN_LABELS)
def test_parse_document_reads_pages_with_odd_labels(label):
    doc = parse_document(page(label, "gb18030"), "http://127.0.0.1/a.html", label)
    assert any(TEXT in line.text for line in doc.lines)
