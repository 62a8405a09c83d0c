"""Static and binary files of the replica: stylesheet, scripts, news photos (PNG) and PDF attachments.

All bytes are generated with the standard library and depend only on their arguments, so repeated
fetches and two replicas with the same seed serve identical bytes.
"""

from __future__ import annotations

import hashlib
import struct
import zlib

STYLE_CSS = """\
body{margin:0;font:12px/1.8 "宋体",SimSun,Arial;color:#333;background:#f4f4f4}
a{color:#333;text-decoration:none}a:hover{color:#c00}
.top,.nav,.main,.footer{width:1000px;margin:0 auto}
.nav ul{margin:0;padding:0;background:#0a4f9c}.nav li{display:inline-block;padding:0 18px;line-height:40px}
.nav li a{color:#fff;font-size:14px}
.position{line-height:36px;border-bottom:1px solid #ddd}
.news-list li{list-style:none;line-height:30px;border-bottom:1px dashed #ddd}.news-list span{float:right}
.page{text-align:center;padding:20px 0}.page a,.page span{margin:0 3px}
.article h1{font-size:22px;text-align:center}.article .info{text-align:center;color:#888}
.TRS_Editor p{text-indent:2em}.share{text-align:right}
.footer{background:#eee;padding:10px 0;text-align:center}
"""

COMMON_JS = """\
// Site-wide helpers of the CMS front end.
function shareTo(target) { return false; }
function printPage() { window.print(); }
function closeWindow() { window.opener = null; window.close(); }
function setHits(id, value) { var el = document.getElementById(id); if (el) { el.innerHTML = value; } }
"""


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    """Return one PNG chunk (length, type, data, CRC)."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_image(key: str, width: int = 64, height: int = 40) -> bytes:
    """Return a small valid PNG whose two colours derive from ``key`` (a stand-in news photo)."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    top, bottom = digest[:3], digest[3:6]
    rows = b"".join(b"\x00" + (top if y < height // 2 else bottom) * width for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(rows, 9))
        + _png_chunk(b"IEND", b"")
    )


def pdf_document(key: str) -> bytes:
    """Return a minimal one-page PDF naming ``key`` in ASCII (a stand-in attachment)."""
    label = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    stream = f"BT /F1 12 Tf 72 720 Td (Attachment {label}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


LOGO_PNG = png_image("investchn-logo", 200, 60)
