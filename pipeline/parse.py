"""Parse a snapshot of the partners page into raw records, exactly as the page displays them.

The page is decoded (byte-order mark, HTTP charset, ``<meta>``, detection) and parsed with
lxml's HTML parser (which closes omitted ``</td>``/``</tr>`` the way browsers do), whose
start/end/text events are consumed once, in document order, as they come: no document tree is
built. A single ordered pass keeps the work linear in the page size; being iterative, it never
recurses.

Partner tables are recognised by what they contain (a column of agreement-type codes next to
columns of dates), never by position or CSS class, so layout and navigation tables are ignored.
Nothing is cleaned here: typos, odd spacing and Unicode forms are kept for ``normalize``.
"""

from __future__ import annotations

import codecs
import gc
import json
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from pipeline.errors import ParseError

__all__ = ["ParsedPage", "RawRecord", "decode_page", "parse_page"]


@dataclass(frozen=True)
class RawRecord:
    """One institution row of a partners table, text as displayed (``<br>`` → space)."""

    region: str | None
    country: str
    agreement_type: str
    name: str
    initial_date: str
    expiration: str
    table: int  # index among the page's partner tables, in page order
    row: int  # 0-based position among all records of the page


@dataclass(frozen=True)
class ParsedPage:
    """Everything the page states about itself, plus its records."""

    records: tuple[RawRecord, ...]
    stated_institutions: int | None
    stated_countries: int | None
    as_of: date | None
    legend: dict[str, str]
    region_counts: dict[str, int]
    encoding: str


# --- limits ----------------------------------------------------------------------------------
MAX_PAGE_BYTES = 64 * 1024 * 1024  # the real page is ~25 kB; anything this big is not it
MAX_COLSPAN = 1000  # the HTML standard's own clamp
MAX_TABLE_CELLS = 1_000_000  # grid slots per table after span expansion
MAX_DEPTH = 1000  # element nesting; the real page is ~15 deep
_SNIFF_BYTES = 16 * 1024  # where <meta charset> and binary signatures are looked for

# --- text patterns ---------------------------------------------------------------------------
_DATE = re.compile(r"(?<!\d)\d{4}\s*[./\-]\s*\d{1,2}\s*[./\-]\s*\d{1,2}(?!\d)")
# Agreement-type codes: "I", "IS", "BS", "MS"; tolerate "I/IS" and a footnote star.
_CODE = re.compile(r"^[A-Z]{1,5}(?:\s*[/,&・]\s*[A-Z]{1,5})*\*?$")
_REGION_LINE = re.compile(
    r"^(?P<name>[^\W\d_][^()（）\d]{0,48}?)\s*"
    r"(?:[(（]\s*(?P<count>\d{1,5})\s*(?:institutions?|partners?)?\s*[)）])?$",
    re.IGNORECASE,
)
# Region names accepted without a count; with a count any short capitalised name is accepted.
_KNOWN_REGIONS = frozenset(
    {
        "africa", "america", "americas", "the americas", "antarctica", "asia", "asia pacific",
        "asia-pacific", "asia and oceania", "asia & oceania", "asia/oceania",
        "australia and oceania",
        "caribbean", "central america", "central and south america", "east asia", "eurasia",
        "europe", "latin america", "latin america and the caribbean", "middle east",
        "middle east and africa", "north america", "north and central america", "oceania",
        "pacific", "south america", "south asia", "southeast asia", "west asia",
    }
)  # fmt: skip
_STATED = re.compile(
    r"(?P<inst>\d{1,5})\s+(?:partner\s+|overseas\s+|foreign\s+)?"
    r"(?:institutions?|universities|partners?|organi[sz]ations?)\b\D{0,40}?"
    r"(?P<countries>\d{1,4})\s+countr",
    re.IGNORECASE,
)
_AS_OF = re.compile(r"\bas\s+of\b[\s:]*(?P<rest>.{0,40})", re.IGNORECASE)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sept", "sep"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
_DATE_FORMS = (
    re.compile(r"^(?P<y>\d{4})\s*[./\-年]\s*(?P<m>\d{1,2})\s*[./\-月]\s*(?P<d>\d{1,2})"),
    re.compile(r"^(?P<mon>[A-Za-z]+)\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\s*,?\s+(?P<y>\d{4})"),
    re.compile(r"^(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mon>[A-Za-z]+)\.?\s*,?\s+(?P<y>\d{4})"),
)
_LEGEND_LABEL = re.compile(
    r"^(?:agreement\s+types?|types?\s+of\s+agreements?|legend|abbreviations?)\s*[:：]?\s*",
    re.IGNORECASE,
)
_LEGEND_ITEM = re.compile(r"(?:^|[,;，、；])\s*([A-Z][A-Z0-9]{0,5})\s*[:：=]\s*")
_HEADER_WORDS = re.compile(
    r"country|region|agreement|type|institution|partner|date|initial|expir", re.IGNORECASE
)
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:\-]+)", re.I)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:\-]+)", re.I)
_MARKUP = re.compile(r"<\s*[A-Za-z!/]")
# Text never holds NUL or most C0 controls (ESC is allowed: ISO-2022-JP uses it).
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")

# --- HTML structure --------------------------------------------------------------------------
# Elements that start a new line of displayed text (so headings and legend lines stay apart).
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd",
        "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure",
        "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html",
        "legend", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
# Never displayed as page text: code, styles, form controls, embedded documents, <head>.
_SKIP_TAGS = frozenset(
    {
        "head", "script", "style", "template", "noscript", "select", "textarea", "iframe",
        "object", "svg", "math", "title", "rt", "rp",
    }
)  # fmt: skip
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
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


def parse_page(data: bytes, declared_charset: str | None = None) -> ParsedPage:
    """Parse the bytes of a partners page into records and the facts the page states.

    ``declared_charset`` is the charset from the HTTP ``Content-Type`` header, if any.
    Raises ``ParseError`` when the bytes are not a partners list.

    >>> page = parse_page(b"<h3>Asia(1)</h3><table><tr><th>Country</th><th>Type</th>"
    ...     b"<th>Institution</th><th>Initial date</th><th>Expiration date</th></tr>"
    ...     b"<tr><td>Korea<td>I<td>Hanbat<br>University<td>2011.07.22<td>2026.07.21</table>")
    >>> page.records[0].name, page.records[0].region, page.region_counts
    ('Hanbat University', 'Asia', {'Asia': 1})
    """
    # A big page is hundreds of thousands of cells, rows and lines that the cyclic garbage
    # collector would rescan again and again while they are created (superlinear); nothing
    # here makes reference cycles.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _parse_page(data, declared_charset)
    finally:
        if collecting:
            gc.enable()


def _parse_page(data: bytes, declared_charset: str | None) -> ParsedPage:
    _check_bytes(data)
    text, encoding = decode_page(data, declared_charset)
    _check_text(text)
    scan = _scan(text)
    legend_blocks = _legend_blocks(scan.lines)
    legend_codes = frozenset(code for block in legend_blocks for code in block.entries)

    partners: list[tuple[_Table, _Layout]] = []
    for number, table in enumerate(sorted(scan.tables, key=lambda t: t.start), start=1):
        layout = _layout(table, legend_codes, f"table {number} of the page")
        if layout is not None:
            partners.append((table, layout))
    if not partners:
        raise ParseError(
            "no partner table found on the page",
            "expected a table with a column of agreement types (I, IS, BS, MS) and date columns; "
            "the page layout may have changed",
        )

    records, region_counts = _records(partners, scan.lines)
    used_codes = {r.agreement_type for r in records}
    inst, countries = _stated_counts(scan.lines)
    return ParsedPage(
        records=tuple(records),
        stated_institutions=inst,
        stated_countries=countries,
        as_of=_as_of(scan.lines),
        legend=_pick_legend(legend_blocks, used_codes),
        region_counts=region_counts,
        encoding=encoding,
    )


# --- decoding --------------------------------------------------------------------------------
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
    head = data[:_SNIFF_BYTES]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if match is None:
        return None
    codec = _codec(match.group(1).decode("ascii"))
    # A <meta> readable as ASCII proves the page is not UTF-16/32, whatever it claims.
    if codec is not None and codec.startswith(("utf-16", "utf-32", "utf_16", "utf_32")):
        return "utf-8"
    return codec


def _check_bytes(data: bytes) -> None:
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
    sample = data[:_SNIFF_BYTES]
    controls = len(_CONTROL_BYTES.findall(sample))
    if controls > len(sample) // 50:
        raise ParseError(
            "not an HTML page: the body is binary data",
            f"{controls} control bytes in the first {len(sample):,}",
        )


def _check_text(text: str) -> None:
    """Refuse decoded bodies that are not HTML: garbage, JSON, plain text."""
    sample = text[:_SNIFF_BYTES]
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


# --- one ordered pass over the document ------------------------------------------------------
class _Line(NamedTuple):
    """A line of displayed text outside (or inside) tables, for headings and stated facts."""

    text: str
    link_only: bool  # all of its text is link text (menus, in-page tables of contents)


@dataclass(slots=True)
class _Cell:
    header: bool  # a <th>
    rowspan: int  # as written; clamped when the grid is built
    colspan: int
    parts: list[str] = field(default_factory=list)  # raw text while the cell is open
    text: str = ""  # displayed text, set when the cell closes
    bold: bool = False  # has text inside <b>/<strong>
    plain: bool = False  # has text outside them
    row0: int = -1  # top-left grid position, set when placed
    col0: int = -1


@dataclass(slots=True)
class _Row:
    cells: list[_Cell]
    in_thead: bool


@dataclass
class _Table:
    start: int  # index of the first line after the table opened
    end: int  # index of the first line after it closed
    rows: list[_Row]
    caption: str


class _TableBuilder:
    """Collects the rows and cells of one open <table>, as the parser reports them."""

    __slots__ = ("caption", "cell", "in_caption", "row", "rows", "section", "start")

    def __init__(self, start: int) -> None:
        self.start = start
        self.rows: list[_Row] = []
        self.row: _Row | None = None
        self.cell: _Cell | None = None
        self.section = ""  # "thead", "tbody", "tfoot" while inside one
        self.in_caption = False
        self.caption: list[str] = []

    def start_row(self) -> None:
        self.end_row()
        self.row = _Row([], self.section == "thead")

    def start_cell(self, header: bool, attrs: Mapping[str, str]) -> _Cell:
        self.end_cell()
        if self.row is None:  # a cell straight in <table>: the row is implied
            self.start_row()
        if attrs:
            cell = _Cell(header, _span(attrs.get("rowspan"), 1), _span(attrs.get("colspan"), 1))
        else:
            cell = _Cell(header, 1, 1)
        self.cell = cell
        return cell

    def end_cell(self) -> None:
        cell = self.cell
        if cell is not None and self.row is not None:
            cell.text = _clean("".join(cell.parts))
            cell.parts = []
            self.row.cells.append(cell)
        self.cell = None

    def end_row(self) -> None:
        self.end_cell()
        if self.row is not None:
            self.rows.append(self.row)
        self.row = None


class _TooDeep(Exception):
    """Raised from inside the parser when nesting passes ``MAX_DEPTH``."""


class _Scanner:
    """Consumes the parser's start/end/text events in document order (lxml's parser-target
    interface), without building a document tree.

    It produces lines of displayed text and, for every table, its rows of cells. Text goes
    to the innermost open cell only, so a layout table never swallows the tables it holds.

    Subtrees a browser does not display (``_SKIP_TAGS``, hidden elements) are dropped. Open
    elements are kept on a stack of ``(name, shown)``; an end tag closes everything up to the
    innermost open element of that name (a stray end tag closes nothing), which is the
    nesting a document tree built from the same events has. Nesting deeper than
    ``MAX_DEPTH`` is refused: browsers cap it too (Chromium at 512).
    """

    def __init__(self) -> None:
        self.lines: list[_Line] = []
        self.tables: list[_Table] = []
        self._parts: list[str] = []  # text of the current line
        self._has_text = False  # the current line has non-space text
        self._has_plain_text = False  # ... outside links
        self._links: list[bool] = []  # one entry per open <a>: does it have an href?
        self._link_depth = 0
        self._bold_depth = 0
        self._open: list[_TableBuilder] = []  # open tables, innermost last
        self._table: _TableBuilder | None = None  # the innermost open table
        self._cell: _Cell | None = None  # its open cell, where text goes
        self._elements: list[tuple[str, bool]] = []  # open elements: (name, shown)
        self._open_names: dict[str, int] = {}  # how many elements of each name are open
        self._depth = 0  # nesting as the parser reports it, for the limit
        self._shown = True  # whether what comes now is displayed

    # --- the parser-target interface --------------------------------------------------------
    def start(self, tag: str, attrs: Mapping[str, str]) -> None:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _TooDeep
        names = self._open_names
        names[tag] = names.get(tag, 0) + 1
        if not self._shown or tag in _SKIP_TAGS or (attrs and _hidden(attrs)):
            self._elements.append((tag, False))
            self._shown = False
            return
        self._elements.append((tag, True))
        if tag in _BLOCK_TAGS and (self._parts or self._cell is not None):
            self._break()
        if tag == "td" or tag == "th":
            if self._table is not None:
                self._cell = self._table.start_cell(tag == "th", attrs)
        elif tag == "tr":
            if self._table is not None:
                self._table.start_row()
                self._cell = None
        elif tag == "a":
            linked = attrs.get("href") is not None if attrs else False
            self._links.append(linked)
            self._link_depth += linked
        elif tag == "b" or tag == "strong":
            self._bold_depth += 1
        elif tag == "table":
            self._table = _TableBuilder(len(self.lines))
            self._open.append(self._table)
            self._cell = None
        elif self._table is not None:
            if tag in ("thead", "tbody", "tfoot"):
                self._table.section = tag
            elif tag == "caption":
                self._table.in_caption = True

    def end(self, tag: str) -> None:
        self._depth -= 1
        names = self._open_names
        if not names.get(tag):
            return  # nothing of that name is open
        elements = self._elements
        while elements:
            name, shown = elements.pop()
            names[name] -= 1
            if shown:
                self._end(name)
            if name == tag:
                break
        self._shown = elements[-1][1] if elements else True

    def data(self, text: str) -> None:
        if not self._shown or not text:
            return
        self._parts.append(text)
        if text.isspace():
            if self._cell is not None:
                self._cell.parts.append(text)
            elif self._table is not None and self._table.in_caption:
                self._table.caption.append(text)
            return
        self._has_text = True
        if self._link_depth == 0:
            self._has_plain_text = True
        cell = self._cell
        if cell is not None:
            cell.parts.append(text)
            if self._bold_depth:
                cell.bold = True
            else:
                cell.plain = True
        elif self._table is not None and self._table.in_caption:
            self._table.caption.append(text)

    def close(self) -> _Scanner:
        while self._elements:  # elements still open at the end of the document
            name, shown = self._elements.pop()
            if shown:
                self._end(name)
        self._break()
        while self._open:  # a page cut off inside a table still yields what it had
            self._end("table")
        return self

    # --- displayed elements -----------------------------------------------------------------
    def _end(self, tag: str) -> None:
        if tag in _BLOCK_TAGS and (self._parts or self._cell is not None):
            self._break()
        table = self._table
        if tag == "td" or tag == "th":
            if table is not None:
                table.end_cell()
                self._cell = None
        elif tag == "tr":
            if table is not None:
                table.end_row()
                self._cell = None
        elif tag == "a":
            if self._links:
                self._link_depth -= self._links.pop()
        elif tag == "b" or tag == "strong":
            self._bold_depth = max(0, self._bold_depth - 1)
        elif table is not None:
            if tag in ("thead", "tbody", "tfoot"):
                table.section = ""
            elif tag == "caption":
                table.in_caption = False
            elif tag == "table":
                table.end_row()
                self._open.pop()
                caption = _clean("".join(table.caption))
                self.tables.append(_Table(table.start, len(self.lines), table.rows, caption))
                self._table = self._open[-1] if self._open else None
                self._cell = self._table.cell if self._table is not None else None

    def _break(self) -> None:
        """End the current line of text; inside a cell, a line break is a space."""
        if self._cell is not None:
            self._cell.parts.append(" ")
        if self._parts:
            if self._has_text:  # else the line is only whitespace
                self.lines.append(_Line(_clean("".join(self._parts)), not self._has_plain_text))
            self._parts = []
            self._has_text = self._has_plain_text = False


def _scan(text: str) -> _Scanner:
    """Parse the text with lxml's HTML parser, streaming its events to a :class:`_Scanner`."""
    from lxml import etree

    # lxml rejects NUL characters; browsers show U+FFFD for them.
    text = text.replace("\x00", "\ufffd").removeprefix("\ufeff")
    rejected = []
    try:
        # As text first; should lxml refuse that, as UTF-8 bytes.
        for markup, encoding in ((text, None), (None, "utf-8")):
            if markup is None:
                markup = text.encode("utf-8", errors="replace")
            parser = etree.HTMLParser(target=_Scanner(), recover=True, encoding=encoding)
            try:
                parser.feed(markup)
                return parser.close()
            except (UnicodeError, LookupError, etree.ParserError) as exc:
                rejected.append(str(exc))
        raise ParseError("the page could not be parsed as HTML", "; ".join(rejected))
    except _TooDeep as exc:
        raise ParseError(
            f"the page is nested more than {MAX_DEPTH:,} elements deep",
            "pathological markup; it is not the partners list",
        ) from exc
    except RecursionError as exc:  # defence in depth: nothing here should recurse
        raise ParseError("the page is nested too deeply to parse", "pathological markup") from exc


def _hidden(attrs: Mapping[str, str]) -> bool:
    """Elements the browser does not display (e.g. a duplicate table for another layout)."""
    if "hidden" in attrs:
        return True
    style = attrs.get("style")
    return isinstance(style, str) and _HIDDEN_STYLE.search(style) is not None


def _span(value: object, default: int) -> int:
    """Parse a rowspan/colspan attribute like browsers do: leading digits, else the default.

    ``0`` is kept (rowspan=0 means "to the end of the table"); clamping happens in the grid.

    >>> _span("3", 1), _span(" 2px", 1), _span("x", 1), _span("-4", 1), _span(None, 1)
    (3, 2, 1, 1, 1)
    """
    if not isinstance(value, str):
        return default
    match = re.match(r"\s*(\d{1,9})", value)
    return int(match.group(1)) if match else default


# --- tables ----------------------------------------------------------------------------------
def _grid(rows: Sequence[_Row], where: str) -> list[list[_Cell | None]]:
    """Expand rowspan/colspan into a full grid; a spanning cell fills every slot it covers.

    Spans are clamped: rowspan to the rows that remain (0 means all of them), colspan to
    ``MAX_COLSPAN``. Slots no cell covers are None.
    """
    grid: list[list[_Cell | None]] = []
    pending: dict[int, tuple[int, _Cell]] = {}  # column -> (rows below still covered, cell)
    total = 0
    for r, row in enumerate(rows):
        slots: dict[int, _Cell]
        if pending:
            slots = {c: cell for c, (_, cell) in pending.items()}
            pending = {c: (n - 1, cell) for c, (n, cell) in pending.items() if n > 1}
        else:
            slots = {}
        remaining = len(rows) - r
        spans = [1 if cell.colspan == 1 else min(max(cell.colspan, 1), MAX_COLSPAN)
                 for cell in row.cells]
        total += len(slots) + sum(spans)
        if total > MAX_TABLE_CELLS:
            raise ParseError(f"{where} is too large to expand", "absurd rowspan/colspan values")
        col = 0
        for cell, colspan in zip(row.cells, spans, strict=True):
            while col in slots:
                col += 1
            rowspan = cell.rowspan
            if rowspan != 1:
                rowspan = remaining if rowspan == 0 else min(max(rowspan, 1), remaining)
            cell.row0, cell.col0 = r, col
            for c in range(col, col + colspan):
                slots[c] = cell
                if rowspan > 1:
                    pending[c] = (rowspan - 1, cell)
            col += colspan
        width = max(slots) + 1 if slots else 0
        grid.append([slots.get(c) for c in range(width)])
    return grid


@dataclass(frozen=True)
class _Layout:
    """What each row and column of a partner table means."""

    grid: list[list[_Cell | None]]
    kinds: list[str]  # per row: "data", "header", "region", "skip"
    country: int | None
    agreement_type: int
    name: int
    initial: int
    expiration: int | None
    region: int | None  # a column of region names, if the table has one


class _Column(NamedTuple):
    """What the record cells of one column look like."""

    filled: int  # non-empty values
    codes: float  # share that are agreement-type codes
    dates: float  # share that hold a date
    in_legend: int  # values that are codes named in the page's legend
    mean_length: float


def _column(values: list[str], legend_codes: frozenset[str]) -> _Column:
    n = len(values) or 1
    return _Column(
        filled=len(values),
        codes=sum(1 for v in values if _CODE.match(v) or v in legend_codes) / n,
        dates=sum(1 for v in values if _DATE.search(v)) / n,
        in_legend=sum(1 for v in values if v in legend_codes),
        mean_length=sum(len(v) for v in values) / n,
    )


def _layout(table: _Table, legend_codes: frozenset[str], where: str) -> _Layout | None:
    """Decide whether a table is a partners table and which column holds what; else None.

    Content decides whether it is one (a column mostly of codes, columns mostly of dates);
    the header, when there is one, decides which column is which.
    """
    grid = _grid(table.rows, where)
    kinds = [_row_kind(grid, r, table.rows[r].in_thead) for r in range(len(grid))]
    data_rows = [grid[r] for r, kind in enumerate(kinds) if kind == "data"]
    if not data_rows:
        return None
    width = max(len(row) for row in grid)
    columns = [
        _column(
            [t for row in data_rows if c < len(row) and row[c] and (t := row[c].text)],
            legend_codes,
        )
        for c in range(width)
    ]
    codes = [c for c, col in enumerate(columns) if col.filled and col.codes >= 0.6]
    dates = [
        c for c, col in enumerate(columns) if col.filled and col.dates >= 0.5 and c not in codes
    ]
    roles = _header_roles(grid, kinds, width)
    # Agreements have a start and an end: two date columns, unless the header vouches for
    # the table. One date column next to a code is also what a news list looks like.
    vouched = "type" in roles and "institution" in roles
    if not codes or not dates or (len(dates) < 2 and not vouched):
        return None

    type_col = roles.get("type")
    if type_col not in codes:
        # Legend codes first, then the shortest values ("I" beats a country "USA"), leftmost.
        type_col = min(codes, key=lambda c: (-columns[c].in_legend, columns[c].mean_length, c))
    initial = roles.get("initial")
    if initial is None or initial == type_col:
        initial = dates[0]
    expiration = roles.get("expiration")
    if expiration is None or expiration in (type_col, initial):
        later = [c for c in dates if c > initial]
        expiration = later[0] if later else None
    taken = {type_col, initial, expiration}
    free = [c for c in range(width) if c not in taken and columns[c].filled]
    name = roles.get("institution")
    if name is None or name in taken:
        if not free:
            return None
        name = max(free, key=lambda c: (columns[c].mean_length, -c))  # names are the longest
    taken.add(name)
    country = roles.get("country")
    if country is None or country in taken:
        left = [c for c in free if c not in taken and c < name]
        country = left[0] if left else None
    region = roles.get("region")
    if region in taken or region == country:
        region = None
    return _Layout(grid, kinds, country, type_col, name, initial, expiration, region)


def _row_kind(grid: list[list[_Cell | None]], r: int, in_thead: bool) -> str:
    """Classify a grid row: a record, a header, a region label inside the table, or neither."""
    row = grid[r]
    own = [cell for c, cell in enumerate(row) if cell and cell.row0 == r and cell.col0 == c]
    filled = [cell for cell in own if cell.text]
    if not filled:
        return "skip"  # an empty row, or one made only of cells spanning down from above
    if len(filled) == 1:
        cell = filled[0]
        others_blank = all(o is cell or o is None or not o.text for o in row)
        if others_blank and (cell.colspan > 1 or len(own) == 1):
            if _region_label(cell.text, strict=cell.colspan <= 1) is not None:
                return "region"
            if cell.colspan > 1:
                return "skip"  # a note or title spanning the table, not a record
    if any(cell.text and _DATE.search(cell.text) for cell in _distinct(row)):
        return "data"  # headers hold no dates (cells spanning from above count too)
    if in_thead or all(cell.header for cell in filled):
        return "header"
    if all(cell.bold and not cell.plain for cell in filled):
        return "header"
    if sum(1 for cell in filled if _HEADER_WORDS.search(cell.text)) >= 2:
        return "header"
    return "data"


def _header_roles(grid: list[list[_Cell | None]], kinds: list[str], width: int) -> dict[str, int]:
    """Map roles (country, type, institution, initial, expiration, region) to columns by
    the text of the header rows above the first record."""
    labels = [""] * width
    for r, kind in enumerate(kinds):
        if kind == "data":
            break
        if kind != "header":
            continue
        for c, cell in enumerate(grid[r]):
            if cell is not None and cell.text and cell.text not in labels[c]:
                labels[c] = f"{labels[c]} {cell.text}".strip()
    roles: dict[str, int] = {}
    for c, label in enumerate(labels):
        role = _header_role(label)
        if role == "date":
            role = "initial" if "initial" not in roles else "expiration"
        if role is not None and role not in roles:
            roles[role] = c
    return roles


def _header_role(label: str) -> str | None:
    """What a header cell's text says its column holds.

    >>> [_header_role(x) for x in ("Country / region", "Agreement type", "Institution",
    ...  "Initial agreement date", "agreement expiration date", "Region", "Remarks")]
    ['country', 'type', 'institution', 'initial', 'expiration', 'region', None]
    """
    text = label.casefold()
    if not text:
        return None
    if "expir" in text or "until" in text or "end date" in text or "valid" in text:
        return "expiration"
    if "initial" in text or "conclu" in text or "signed" in text or "start" in text:
        return "initial"
    if "date" in text:
        return "date"
    if "country" in text or "nation" in text:
        return "country"
    if "type" in text or "level" in text:
        return "type"
    if "institution" in text or "partner" in text or "university" in text or "name" in text:
        return "institution"
    if text in ("region", "regions", "area", "continent"):
        return "region"
    if "region" in text:
        return "country"  # "Country or region" written without the word country is rare
    if "agreement" in text:
        return "type"
    return None


def _region_label(text: str, strict: bool) -> tuple[str, int | None] | None:
    """Read a region label such as "North America(6)" or "Asia (48)"; None if it is not one.

    Without a count only known region names qualify (``strict`` demands one of those even
    with a count).

    >>> _region_label("North America(6)", False), _region_label("Asia", False)
    (('North America', 6), ('Asia', None))
    >>> _region_label("Agreement types", False), _region_label("Korea(2)", True)
    (None, None)
    """
    if len(text) > 60:
        return None
    match = _REGION_LINE.match(text)
    if match is None:
        return None
    name = _clean(match.group("name"))
    count = match.group("count")
    known = name.casefold() in _KNOWN_REGIONS
    if known:
        return name, int(count) if count is not None else None
    if count is None or strict:
        return None
    words = name.split()
    if len(words) > 4 or name[0].islower() or any(ch in name for ch in ":;,.!?*/[]"):
        return None
    return name, int(count)


# --- records ---------------------------------------------------------------------------------
def _records(
    partners: list[tuple[_Table, _Layout]], lines: list[_Line]
) -> tuple[list[RawRecord], dict[str, int]]:
    """Turn partner tables into records, with regions from headings or in-table labels."""
    records: list[RawRecord] = []
    counts: dict[str, int] = {}
    previous_end = 0
    for index, (table, layout) in enumerate(partners):
        heading = _region_label(table.caption, False) if table.caption else None
        if heading is None:
            heading = _heading_before(lines, previous_end, table.start)
        previous_end = max(previous_end, table.end)
        if heading is not None and heading[1] is not None:
            counts[heading[0]] = counts.get(heading[0], 0) + heading[1]
        region = heading[0] if heading is not None else None
        width = _data_width(layout)
        for r, (row, kind) in enumerate(zip(layout.grid, layout.kinds, strict=True)):
            if kind == "region":
                label = next(cell.text for cell in row if cell is not None and cell.text)
                name, count = _region_label(label, False) or (label, None)
                region = name
                if count is not None:
                    counts[name] = counts.get(name, 0) + count
                continue
            if kind != "data":
                continue
            present = sum(1 for c in range(width) if c < len(row) and row[c] is not None)
            if present < width:
                shown = " | ".join(cell.text for cell in _distinct(row) if cell.text)[:80]
                raise ParseError(
                    f"partner table {index + 1}, row {r + 1} has {present} of {width} cells"
                    f" ({shown!r})",
                    "the page looks cut off or the row is malformed; fetch it again",
                )
            records.append(
                RawRecord(
                    region=_text(row, layout.region) or region,
                    country=_text(row, layout.country),
                    agreement_type=_text(row, layout.agreement_type),
                    name=_text(row, layout.name),
                    initial_date=_text(row, layout.initial),
                    expiration=_text(row, layout.expiration),
                    table=index,
                    row=len(records),
                )
            )
    return records, counts


def _text(row: list[_Cell | None], col: int | None) -> str:
    """The text in a grid slot; "" for a column the table does not have."""
    if col is None or col >= len(row):
        return ""
    cell = row[col]
    return cell.text if cell is not None else ""


def _data_width(layout: _Layout) -> int:
    """Columns the records use: trailing columns empty in every record (a stray
    ``<td></td>``, a header-only "Remarks") do not count."""
    return 1 + max(
        (
            c
            for row, kind in zip(layout.grid, layout.kinds, strict=True)
            if kind == "data"
            for c, cell in enumerate(row)
            if cell and cell.text
        ),
        default=-1,
    )


def _heading_before(lines: list[_Line], lo: int, hi: int) -> tuple[str, int | None] | None:
    """The nearest region heading in lines[lo:hi] (between the previous partner table and
    this one). A heading labels one table only: a later table without its own heading
    gets None rather than a neighbour's region."""
    for i in range(hi - 1, lo - 1, -1):
        line = lines[i]
        if line.link_only:
            continue  # menus and in-page contents lists repeat region names as links
        label = _region_label(line.text, False)
        if label is not None:
            return label
    return None


def _distinct(row: list[_Cell | None]) -> list[_Cell]:
    """The cells of a grid row, each once (a spanning cell fills several slots)."""
    return list({id(cell): cell for cell in row if cell is not None}.values())


# --- what the page states about itself -------------------------------------------------------
def _stated_counts(lines: list[_Line]) -> tuple[int | None, int | None]:
    """Read "96 institutions from 25 countries/regions" as (96, 25)."""
    for line in lines:
        match = _STATED.search(line.text)
        if match:
            return int(match.group("inst")), int(match.group("countries"))
    return None, None


def _as_of(lines: list[_Line]) -> date | None:
    """The first "As of <date>" on the page that is a real date."""
    for line in lines:
        for match in _AS_OF.finditer(line.text):
            found = _parse_date(match.group("rest"))
            if found is not None:
                return found
    return None


def _parse_date(text: str) -> date | None:
    """Read a date at the start of ``text`` in the forms pages use.

    >>> [_parse_date(s) for s in ("April 1, 2024)", "1 April 2024", "2024.4.1", "Apr. 1st 2024",
    ...  "2024年4月1日", "Febtember 1, 2024", "2024.2.30")]  # doctest: +NORMALIZE_WHITESPACE
    [datetime.date(2024, 4, 1), datetime.date(2024, 4, 1), datetime.date(2024, 4, 1),
     datetime.date(2024, 4, 1), datetime.date(2024, 4, 1), None, None]
    """
    for form in _DATE_FORMS:
        match = form.match(text.strip())
        if match is None:
            continue
        parts = match.groupdict()
        month = int(parts["m"]) if "m" in parts else _MONTHS.get(parts["mon"].casefold())
        if month is None:
            continue
        try:
            return date(int(parts["y"]), month, int(parts["d"]))
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class _LegendBlock:
    entries: dict[str, str]
    labelled: bool  # introduced by "Agreement types" (or similar)


def _legend_blocks(lines: list[_Line]) -> list[_LegendBlock]:
    """Runs of consecutive "CODE: description" lines, with whether a label introduced them."""
    blocks: list[_LegendBlock] = []
    entries: dict[str, str] = {}
    labelled = False
    previous_label = False
    for line in lines:
        text = line.text
        label = _LEGEND_LABEL.match(text)
        is_label = label is not None and label.end() > 0
        found = _legend_entries(text[label.end() :] if is_label else text)
        if found:
            if not entries:
                labelled = previous_label or is_label
            for code, description in found:
                entries.setdefault(code, description)
        elif entries:
            blocks.append(_LegendBlock(entries, labelled))
            entries = {}
        previous_label = is_label and not found
    if entries:
        blocks.append(_LegendBlock(entries, labelled))
    return blocks


def _legend_entries(text: str) -> list[tuple[str, str]]:
    """Parse "I: Institute-wide level," or several on one line; [] if the line is not that.

    >>> _legend_entries("I: Institute-wide level,")
    [('I', 'Institute-wide level')]
    >>> _legend_entries("IS: Information Science (Graduate school-level), BS: Biology")
    [('IS', 'Information Science (Graduate school-level)'), ('BS', 'Biology')]
    >>> _legend_entries("Institute: no")
    []
    """
    if ":" not in text and "：" not in text and "=" not in text:
        return []  # every entry has one: the common case of an ordinary line
    matches = list(_LEGEND_ITEM.finditer(text))
    if not matches or matches[0].start() != 0:
        return []
    found = []
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following is not None else len(text)
        description = text[match.end() : end].strip().rstrip(",;，、；").strip()
        if not description:
            return []
        found.append((match.group(1), description))
    return found


def _pick_legend(blocks: list[_LegendBlock], used_codes: set[str]) -> dict[str, str]:
    """The legend is the labelled block, or the one naming codes the tables use
    (this leaves out look-alikes such as "TEL: 0743-72-5111" in a footer)."""
    legend: dict[str, str] = {}
    for block in blocks:
        if block.labelled or used_codes.intersection(block.entries):
            for code, description in block.entries.items():
                legend.setdefault(code, description)
    return legend


def _clean(text: str) -> str:
    """Collapse every run of whitespace (NBSP, en spaces, newlines) into one space.

    >>> _clean("  College of IT Engineering,\\u00a0\\u2002Kyungpook  ")
    'College of IT Engineering, Kyungpook'
    """
    return " ".join(text.split())
