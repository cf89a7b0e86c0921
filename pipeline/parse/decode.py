"""Page bytes → text: refuse what is not an HTML page, then pick the charset and decode.

The order of evidence is the byte-order mark, the HTTP charset, the page's own ``<meta>`` or
XML declaration, strict UTF-8, then statistical detection (beautifulsoup4's UnicodeDammit).
"""

from __future__ import annotations

import codecs
import json
import re
import warnings

from pipeline.errors import ParseError
from pipeline.parse.model import MAX_PAGE_BYTES, SNIFF_BYTES

__all__ = ["check_bytes", "check_text", "decode_page"]

_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:\-]+)", re.I)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:\-]+)", re.I)
_MARKUP = re.compile(r"<\s*[A-Za-z!/]")
# Text never holds NUL or most C0 controls (ESC is allowed: ISO-2022-JP uses it).
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "gzip-compressed data"),
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CODEC_ALIASES = {
    # Japanese pages labelled Shift_JIS are in practice Microsoft's superset (①, ㈱, NEC kanji).
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
    "ms_kanji": "cp932", "csshiftjis": "cp932", "windows-31j": "cp932", "ms932": "cp932",
    # Browsers read these labels as windows-1252, and so do real pages that use them.
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
    "us-ascii": "cp1252", "ascii": "cp1252",
}  # fmt: skip


def decode_page(data: bytes, declared_charset: str | None = None) -> tuple[str, str]:
    """Decode page bytes; return the text and the name of the codec used.

    Order: byte-order mark (it cannot lie), the HTTP charset, the page's own ``<meta>`` or XML
    declaration, strict UTF-8, then statistical detection. A label whose strict decoding fails
    is skipped, unless it is nearly right (a stray bad byte), which beats a wrong guess.

    >>> decode_page("奈良 ①".encode("cp932"), "Shift_JIS")
    ('奈良 ①', 'cp932')
    >>> decode_page(b'<meta charset="utf-8">\\xc3\\xa9')[1]
    'utf-8'
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            name = codec.removesuffix("-le").removesuffix("-be")
            return data[len(bom) :].decode(codec, errors="replace"), name

    labels = [_codec(declared_charset), _sniffed_charset(data)]
    if labels[0] == "cp1252" and not data.isascii():
        # "ISO-8859-1" is what HTTP clients report when the server names no charset; bytes
        # that are valid UTF-8 beyond ASCII are all but never meant as Latin-1.
        labels.insert(0, "utf-8")
    tried: list[str] = []
    for codec in labels:
        if codec is None or codec in tried:
            continue
        tried.append(codec)
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    for codec in tried:
        text = data.decode(codec, errors="replace")
        # Nearly right: a handful of bad bytes in an otherwise valid page.
        if text.count("\ufffd") <= max(3, len(data) // 1000):
            return text, codec
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from bs4.dammit import UnicodeDammit  # statistical detection, for unlabelled legacy pages

    with warnings.catch_warnings():  # it warns about replacement characters; we count them
        warnings.simplefilter("ignore")
        guess = UnicodeDammit(data, is_html=True)
    codec = _codec(guess.original_encoding)
    if guess.unicode_markup is not None and codec is not None:
        return data.decode(codec, errors="replace"), codec
    return data.decode("utf-8", errors="replace"), "utf-8"


def _codec(label: str | None) -> str | None:
    """Python codec name for a charset label, or None when unknown.

    >>> _codec("Shift_JIS"), _codec("UTF8"), _codec("text/html; charset=EUC-JP"), _codec("nope")
    ('cp932', 'utf-8', 'euc_jp', None)
    """
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if "charset=" in label:  # a whole Content-Type value was passed
        label = label.split("charset=", 1)[1].split(";", 1)[0].strip().strip("\"'")
    label = _CODEC_ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _CODEC_ALIASES.get(name, name)


def _sniffed_charset(data: bytes) -> str | None:
    """Charset the page declares about itself in ``<meta>`` (or an XML declaration)."""
    head = data[:SNIFF_BYTES]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if match is None:
        return None
    codec = _codec(match.group(1).decode("ascii"))
    # A <meta> readable as ASCII proves the page is not UTF-16/32, whatever it claims.
    if codec is not None and codec.startswith(("utf-16", "utf-32", "utf_16", "utf_32")):
        return "utf-8"
    return codec


def check_bytes(data: bytes) -> None:
    """Refuse bodies that are empty, huge, or clearly not text, before decoding them."""
    if not data or not data.strip():
        raise ParseError("the page is empty", "the response had no body; fetch the page again")
    if len(data) > MAX_PAGE_BYTES:
        raise ParseError(
            f"the page is too large ({len(data):,} bytes)",
            f"the partners list is a few tens of kB; refusing more than {MAX_PAGE_BYTES:,} bytes",
        )
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise ParseError(f"not an HTML page: the body is {kind}", "check the URL")
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return  # UTF-16/32 text is full of NUL bytes
    sample = data[:SNIFF_BYTES]
    controls = len(_CONTROL_BYTES.findall(sample))
    if controls > len(sample) // 50:
        raise ParseError(
            "not an HTML page: the body is binary data",
            f"{controls} control bytes in the first {len(sample):,}",
        )


def check_text(text: str) -> None:
    """Refuse decoded bodies that are not HTML: garbage, JSON, plain text."""
    sample = text[:SNIFF_BYTES]
    bad = sample.count("\ufffd")
    if bad > len(sample) // 50:
        raise ParseError(
            "not an HTML page: the body is binary data",
            f"{bad} undecodable characters in the first {len(sample):,}",
        )
    stripped = text.lstrip()
    if stripped[:1] in ("{", "[", '"'):
        try:
            json.loads(stripped)
        except ValueError:
            pass
        else:
            raise ParseError(
                "not an HTML page: the body is JSON", "the URL may point to an API endpoint"
            )
    if _MARKUP.search(text) is None:
        raise ParseError("not an HTML page: the body has no HTML markup", "it is plain text")
