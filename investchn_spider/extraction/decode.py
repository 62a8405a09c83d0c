"""Turn the bytes of a page into text, the way a browser would pick the charset.

Order of evidence: a byte-order mark, then the charset of the HTTP ``Content-Type`` header, then a
``<meta>`` declaration in the first bytes of the page, then sniffing (strict UTF-8, else GB18030).
Every GB-family label decodes as GB18030, its superset: pages declared "gb2312" routinely contain
characters that only GBK/GB18030 define, and the stricter codec would turn them into mojibake.
Only the encodings of the web count as a declaration: a label that names no encoding, or one that
Python knows but no browser decodes a page with (``undefined``, ``utf-7``, ``idna``, ``rot13``,
``hex`` …), is ignored and the bytes are sniffed.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "gb_2312-80", "x-gbk", "cp936", "euc-cn", "x-euc-cn", "csgb2312", "chinese"}
# The encodings of the WHATWG Encoding Standard, by the names Python's codecs give them. Python knows
# many more (utf-7, idna, punycode, unicode_escape, undefined, and bytes-to-bytes codecs such as rot13,
# hex or zlib); a page declaring one of those is mislabelled, and decoding with it fails or garbles.
_WEB_CODECS = frozenset(
    ["utf-8", "utf-16-le", "utf-16-be", "utf-16", "cp866", "koi8-r", "koi8-u", "mac-roman", "cp874"]
    + [f"iso8859-{n}" for n in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)]
    + [f"cp{n}" for n in range(1250, 1259)]
    + ["big5", "big5hkscs", "cp950", "euc_jp", "iso2022_jp", "shift_jis", "cp932", "euc_kr", "cp949"]
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_SNIFF_BYTES = 4096


def normalise_charset(label: str | None) -> str | None:
    """Return the Python codec name for a charset label, or None when the label is empty, unknown or
    names no encoding of the web (see :data:`_WEB_CODECS`)."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _GB_FAMILY:
        return "gb18030"
    try:
        name = codecs.lookup(label).name
    except (LookupError, ValueError):  # ValueError: a label with a NUL in it
        return None
    if name not in _WEB_CODECS:
        return None
    # Browsers treat a declared latin-1 as windows-1252, and Chinese CMSs that say "iso-8859-1" are
    # usually lying about GBK or UTF-8 bytes; let sniffing decide instead.
    if name in {"latin-1", "iso8859-1", "ascii"}:
        return None
    return name


def charset_from_content_type(content_type: str | None) -> str | None:
    """Return the raw charset label of an HTTP Content-Type value, or None when it has none."""
    if not content_type:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None


def declared_charset(body: bytes) -> str | None:
    """Return the codec named by a ``<meta>`` tag or XML declaration near the top of ``body``, or None."""
    head = body[:_SNIFF_BYTES]
    for pattern in (_META_CHARSET, _XML_DECL):
        for match in pattern.finditer(head):  # a declaration naming no usable encoding is passed over
            charset = normalise_charset(match.group(1).decode("ascii", "replace"))
            if charset:
                return charset
    return None


def decode_html(body: bytes | str, http_charset: str | None = None) -> tuple[str, str]:
    """Decode page bytes; return ``(text, codec)`` where codec names the charset that was used.

    Text input is returned as is (codec ``"str"``). Declared charsets that do not fit the bytes
    (a "utf-8" page full of GBK bytes is common on old CMSs) give way to the one that decodes
    cleanly; when nothing decodes cleanly the declared charset wins with replacement characters.
    """
    if isinstance(body, str):
        return body.lstrip("\ufeff"), "str"
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, errors="replace"), codec

    declared = normalise_charset(http_charset) or declared_charset(body)
    candidates = [c for c in (declared, "utf-8", "gb18030") if c]
    for codec in dict.fromkeys(candidates):
        try:
            return body.decode(codec), codec
        except UnicodeDecodeError:
            continue
    fallback = declared or "gb18030"
    return body.decode(fallback, errors="replace"), fallback
