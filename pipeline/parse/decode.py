"""Page bytes → text: refuse what is not an HTML page, then pick the charset and decode.

The bytes are trusted over labels: a label (HTTP charset, ``<meta>``) is followed only when
the bytes decode cleanly under it, and every label not followed is recorded as a warning.
"""

from __future__ import annotations

import codecs
import json
import re
import warnings
from typing import NamedTuple

from pipeline.errors import ParseError, elide
from pipeline.parse.model import MAX_PAGE_BYTES, SNIFF_BYTES, Notice

__all__ = ["Decoded", "check_bytes", "check_text", "decode", "decode_page"]

_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:\-]+)", re.I)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:\-]+)", re.I)
_MARKUP = re.compile(r"<\s*[A-Za-z!/]")
# Text never holds NUL or most C0 controls (ESC is allowed: ISO-2022-JP uses it).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
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
_WIDE = ("utf-16", "utf-32", "utf_16", "utf_32")
# Python text codecs that no web page is written in and that would turn markup into other text.
_NOT_FOR_PAGES = frozenset(
    {"utf-7", "idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined",
     "unicode_escape", "raw_unicode_escape", "palmos", "mbcs", "oem"}
)


class Decoded(NamedTuple):
    """Text of a page, the codec that gave it, and why a label was not followed (if it was not)."""

    text: str
    encoding: str
    warnings: tuple[Notice, ...] = ()


def decode_page(data: bytes, declared_charset: object = None) -> tuple[str, str]:
    """Decode page bytes; return the text and the name of the codec used (see :func:`decode`).

    >>> decode_page("奈良 ①".encode("cp932"), "Shift_JIS")
    ('奈良 ①', 'cp932')
    >>> decode_page(b'<meta charset="utf-8">\\xc3\\xa9')[1]
    'utf-8'
    """
    decoded = decode(data, declared_charset)
    return decoded.text, decoded.encoding


def decode(data: bytes, declared_charset: object = None) -> Decoded:
    """Decode page bytes, trusting the bytes over a label that contradicts them.

    Order: a byte-order mark (it cannot lie); strict UTF-8 for bytes beyond ASCII (text in
    any other charset is all but never valid UTF-8, while UTF-8 read with a wrong label is
    mojibake); the HTTP charset, then the page's own ``<meta>`` or XML declaration, each only if
    the bytes decode under it without error; statistical detection; last, a label that is
    nearly right (a stray bad byte). Every label not followed is a warning.

    >>> decode("École".encode(), "iso-8859-1").warnings[0].message
    'the HTTP charset says iso-8859-1 but the bytes are UTF-8; decoded as such'
    >>> decode(b"<p>ok</p>", "base64").warnings[0].message
    "unknown charset 'base64' in the HTTP charset; ignored"
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            name = codec.removesuffix("-le").removesuffix("-be")
            return Decoded(data[len(bom) :].decode(codec, errors="replace"), name)
    labels, notices = _labels(data, declared_charset)
    if data.isascii():  # every ASCII-compatible label reads these bytes alike
        codec = next((c for _, label, c in labels if c and _ascii_compatible(c)), "utf-8")
        return Decoded(data.decode("ascii"), codec, tuple(notices))
    if (utf8 := _strict(data, "utf-8")) is not None:
        return Decoded(utf8, "utf-8", (*notices, *_overruled(labels, "utf-8", "UTF-8")))
    for _, _, codec in labels:
        if codec and (text := _strict(data, codec)) is not None:
            return Decoded(text, codec, (*notices, *_overruled(labels, codec, codec)))
    detected = _detect(data)
    if detected is not None:
        text, codec = detected
        return Decoded(text, codec, (*notices, *_overruled(labels, codec, f"{codec} (detected)")))
    for _, _, codec in labels:
        text = data.decode(codec, errors="replace")
        # Nearly right: a handful of bad bytes in an otherwise valid page.
        if text.count("\ufffd") <= max(3, len(data) // 1000):
            return Decoded(text, codec, tuple(notices))
    notice = Notice(_LABEL_CHECK, "the page's bytes fit no charset; read as UTF-8 with "
                    "replacement characters", "utf-8")
    return Decoded(data.decode("utf-8", errors="replace"), "utf-8", (*notices, notice))


_LABEL_CHECK = "charset-matches-bytes"  # schemas/checks.py has its sentence


def _labels(data: bytes, declared: object) -> tuple[list[tuple[str, str, str]], list[Notice]]:
    """The charset labels, as (where, label, codec), each codec once; unknown ones as notices."""
    found: list[tuple[str, str, str]] = []
    notices: list[Notice] = []
    for where, label in (("the HTTP charset", declared), ("the page's <meta>", _meta(data))):
        if label is None or label == "":
            continue
        codec = _codec(label) if isinstance(label, str) else None
        if where == "the page's <meta>" and codec and codec.startswith(_WIDE):
            codec = "utf-8"  # a <meta> readable as ASCII proves the page is not UTF-16/32
        shown = elide(str(label), 40)
        if codec is None:
            notices.append(Notice("charset-label-known",
                                  f"unknown charset {shown!r} in {where}; ignored", shown))
        elif all(codec != c for _, _, c in found):
            found.append((where, shown, codec))
    return found, notices


def _overruled(labels: list[tuple[str, str, str]], used: str, shown: str) -> list[Notice]:
    """A warning for each label that names another charset than the one that was used."""
    return [
        Notice(_LABEL_CHECK, f"{where} says {label} but the bytes are {shown}; decoded as such",
               label)
        for where, label, codec in labels
        if codec != used
    ]


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _ascii_compatible(codec: str) -> bool:
    return not codec.startswith(_WIDE) and codec not in _NOT_FOR_PAGES


def _detect(data: bytes) -> tuple[str, str] | None:
    """Statistical detection (for unlabelled or mislabelled legacy pages), kept only when the
    bytes decode without error under the guess."""
    from bs4.dammit import UnicodeDammit

    with warnings.catch_warnings():  # it warns about replacement characters; we count them
        warnings.simplefilter("ignore")
        guess = UnicodeDammit(data, is_html=True, known_definite_encodings=["utf-8"])
    codec = _codec(guess.original_encoding)
    if guess.unicode_markup is None or codec is None:
        return None
    text = _strict(data, codec)
    return (text, codec) if text is not None else None


def _codec(label: str | None) -> str | None:
    """Python text codec for a charset label; None when unknown or not a text encoding.

    >>> _codec("Shift_JIS"), _codec("UTF8"), _codec("text/html; charset=EUC-JP"), _codec("nope")
    ('cp932', 'utf-8', 'euc_jp', None)
    >>> _codec("base64"), _codec("rot13"), _codec("utf-7"), _codec("x-foo")
    (None, None, None, None)
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
    try:
        b"aaaa".decode(name)  # bytes-to-bytes and str-to-str codecs (base64, rot13) refuse
    except LookupError:
        return None
    except UnicodeError:
        pass  # a charset all the same
    if name in _NOT_FOR_PAGES:
        return None
    return _CODEC_ALIASES.get(name, name)


def _meta(data: bytes) -> str | None:
    """Charset label the page declares about itself in ``<meta>`` (or an XML declaration)."""
    head = data[:SNIFF_BYTES]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return match.group(1).decode("ascii") if match else None


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
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))  # counted in C
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
