"""One ordered pass over lxml's parser events: lines of displayed text and every table's rows.

lxml's HTML parser (which closes omitted ``</td>``/``</tr>`` the way browsers do) reports
start/end/text events to a :class:`Scanner` (its parser-target interface); they are consumed
once, in document order, as they come: no document tree is built. Being iterative, the pass
never recurses, and its work is linear in the page size.

:func:`markup_key` tells, without the pass, when two pages would scan the same: libxml2's own
tree of the page (built in C) with what the pass never reads cleared.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from pipeline.errors import ParseError
from pipeline.parse.model import MAX_DEPTH, MAX_PAGE_CELLS, too_many_cells
from pipeline.parse.text import collapse_spaces, mark_invisible, strip_invisible

__all__ = ["Cell", "Line", "Row", "Scan", "Table", "markup_key", "scan_html", "scan_key"]

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
# Every other tag the Scanner acts on at its start or end (tables, links, bold text).
_ACTED_ON_TAGS = frozenset(
    {"td", "th", "tr", "a", "b", "strong", "table", "thead", "tbody", "tfoot", "caption"}
)
# Tags of elements that are empty (void) in HTML and none of the above: when such an element
# is empty, its attributes change nothing in the pass (see markup_key).
_VOID_TAGS = frozenset(
    {
        "area", "base", "basefont", "bgsound", "col", "embed", "frame", "img", "input",
        "keygen", "link", "meta", "param", "source", "track", "wbr",
    }
)  # fmt: skip


# --- what the pass produces ------------------------------------------------------------------
class Line(NamedTuple):
    """A line of displayed text outside (or inside) tables, for headings and stated facts."""

    text: str
    link_only: bool  # all of its text is link text (menus, in-page tables of contents)


@dataclass(slots=True)
class Cell:
    header: bool  # a <th>
    rowspan: int  # as written; clamped when the grid is built
    colspan: int
    parts: list[str] = field(default_factory=list)  # raw text while the cell is open
    text: str = ""  # displayed text, set when the cell closes
    removed: str = ""  # when invisible characters were removed: the text with them marked
    bold: bool = False  # has text inside <b>/<strong>
    plain: bool = False  # has text outside them
    row0: int = -1  # top-left grid position, set when placed
    col0: int = -1


@dataclass(slots=True)
class Row:
    cells: list[Cell]
    in_thead: bool


@dataclass
class Table:
    start: int  # index of the first line after the table opened
    end: int  # index of the first line after it closed
    rows: list[Row]
    caption: str


class Scan(NamedTuple):
    """The page as the pass saw it: lines of displayed text, and tables in the order they close."""

    lines: list[Line]
    tables: list[Table]


# --- the pass ---------------------------------------------------------------------------------
class _TableBuilder:
    """Collects the rows and cells of one open <table>, as the parser reports them."""

    __slots__ = ("caption", "cell", "in_caption", "row", "rows", "section", "start")

    def __init__(self, start: int) -> None:
        self.start = start
        self.rows: list[Row] = []
        self.row: Row | None = None
        self.cell: Cell | None = None
        self.section = ""  # "thead", "tbody", "tfoot" while inside one
        self.in_caption = False
        self.caption: list[str] = []

    def start_row(self) -> None:
        self.end_row()
        self.row = Row([], self.section == "thead")

    def start_cell(self, header: bool, attrs: Mapping[str, str]) -> Cell:
        self.end_cell()
        if self.row is None:  # a cell straight in <table>: the row is implied
            self.start_row()
        if attrs:
            cell = Cell(header, _span(attrs.get("rowspan"), 1), _span(attrs.get("colspan"), 1))
        else:
            cell = Cell(header, 1, 1)
        self.cell = cell
        return cell

    def end_cell(self) -> None:
        cell = self.cell
        if cell is not None and self.row is not None:
            raw = "".join(cell.parts)
            shown = raw if raw.isprintable() else strip_invisible(raw)  # most cells: no call
            if shown != raw:  # kept, made visible, for the record of what was removed
                cell.removed = collapse_spaces(mark_invisible(raw))
            cell.text = collapse_spaces(shown)
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


class _TooMany(Exception):
    """Raised from inside the parser when the page's cells and rows pass ``MAX_PAGE_CELLS``."""


class Scanner:
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
        self.lines: list[Line] = []
        self.tables: list[Table] = []
        self._parts: list[str] = []  # text of the current line
        self._has_text = False  # the current line has non-space text
        self._has_plain_text = False  # ... outside links
        self._links: list[bool] = []  # one entry per open <a>: does it have an href?
        self._link_depth = 0
        self._bold_depth = 0
        self._open: list[_TableBuilder] = []  # open tables, innermost last
        self._table: _TableBuilder | None = None  # the innermost open table
        self._cell: Cell | None = None  # its open cell, where text goes
        self._elements: list[tuple[str, bool]] = []  # open elements: (name, shown)
        self._open_names: dict[str, int] = {}  # how many elements of each name are open
        self._depth = 0  # nesting as the parser reports it, for the limit
        self._table_items = 0  # cells and rows of all tables so far, for the limit
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
                self._count_table_item()
                self._cell = self._table.start_cell(tag == "th", attrs)
        elif tag == "tr":
            if self._table is not None:
                self._count_table_item()
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

    def close(self) -> Scan:
        while self._elements:  # elements still open at the end of the document
            name, shown = self._elements.pop()
            if shown:
                self._end(name)
        self._break()
        while self._open:  # a page cut off inside a table still yields what it had
            self._end("table")
        scan = Scan(self.lines, self.tables)
        self.release()
        return scan

    def release(self) -> None:
        """Drop everything collected. lxml's parser and its parser context refer to each other
        (a reference cycle inside lxml) and to this target, so the target lives until the next
        cyclic collection: it must hold nothing by then."""
        self.__init__()

    def _count_table_item(self) -> None:
        self._table_items += 1
        if self._table_items > MAX_PAGE_CELLS:
            raise _TooMany

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
                caption = collapse_spaces(strip_invisible("".join(table.caption)))
                self.tables.append(Table(table.start, len(self.lines), table.rows, caption))
                self._table = self._open[-1] if self._open else None
                self._cell = self._table.cell if self._table is not None else None

    def _break(self) -> None:
        """End the current line of text; inside a cell, a line break is a space."""
        if self._cell is not None:
            self._cell.parts.append(" ")
        if self._parts:
            if self._has_text:  # else the line is only whitespace
                text = collapse_spaces(strip_invisible("".join(self._parts)))
                self.lines.append(Line(text, not self._has_plain_text))
            self._parts = []
            self._has_text = self._has_plain_text = False


def scan_html(text: str) -> Scan:
    """Parse the text with lxml's HTML parser, streaming its events to a :class:`Scanner`."""
    from lxml import etree

    text = _page_text(text)
    rejected = []
    try:
        # As text first; should lxml refuse that, as UTF-8 bytes.
        for markup, encoding in ((text, None), (None, "utf-8")):
            if markup is None:
                markup = text.encode("utf-8", errors="replace")
            scanner = Scanner()
            parser = _html_parser(target=scanner, encoding=encoding)
            try:
                parser.feed(markup)
                return parser.close()
            except (UnicodeError, LookupError, etree.ParserError) as exc:
                rejected.append(str(exc))
            finally:
                scanner.release()  # whatever lxml's cycle keeps alive is now empty
                del parser
        raise ParseError("the page could not be parsed as HTML", "; ".join(rejected))
    except _TooMany:
        raise too_many_cells() from None
    except _TooDeep as exc:
        raise ParseError(
            f"the page is nested more than {MAX_DEPTH:,} elements deep",
            "pathological markup; it is not the partners list",
        ) from exc
    except RecursionError as exc:  # defence in depth: nothing here should recurse
        raise ParseError("the page is nested too deeply to parse", "pathological markup") from exc


def _page_text(text: str) -> str:
    """The text as the parser is given it: lxml rejects NUL characters (browsers show U+FFFD
    for them), and a byte-order mark is not text."""
    return text.replace("\x00", "\ufffd").removeprefix("\ufeff")


def _html_parser(**options):
    """lxml's HTML parser as the pass uses it (``options``: a target, comment handling...)."""
    from lxml import etree

    return etree.HTMLParser(recover=True, **options)


def scan_key(scan: Scan) -> tuple:
    """Every field of the scan as one hashable value: equal keys, equal scans (what parses
    after the scan reads is then the same).

    >>> scan_key(scan_html("<p>a<table><tr><td rowspan=2>b</table>")) == scan_key(
    ...     scan_html("<p>a<table><tr><td rowspan='2'>b</td></tr></table><!-- x -->"))
    True
    """
    return (tuple(scan.lines),
            tuple((t.start, t.end, t.caption, tuple(map(_row_key, t.rows))) for t in scan.tables))


def _row_key(row: Row) -> tuple:
    # every field of Row and Cell (tests/test_parse_memo.py checks that none is left out)
    return (row.in_thead, tuple(
        (c.header, c.rowspan, c.colspan, tuple(c.parts), c.text, c.removed, c.bold, c.plain,
         c.row0, c.col0) for c in row.cells))


# --- what the pass reads, known without running it --------------------------------------------
_KEY_MAX_CHARS = 2_000_000  # libxml2's tree builder stops at a text node of 10,000,000 bytes
_KEY_MAX_LEVELS = 250  # ... and at 256 nested elements (without XML_PARSE_HUGE)
_REPLACED = "&#xFFFD;"  # how its serializer writes a character XML cannot hold


def markup_key(text: str) -> str | None:
    """The page's markup without what :func:`scan_html` never reads: pages with equal keys
    scan equal (their scans have equal :func:`scan_key`), so the key can stand for the scan
    without running it (a tree is built in C, about six times faster than the pass).
    None when that cannot be vouched for: the page is then scanned.

    Why equal keys mean equal scans:

    * The same parser reads the same text: lxml's HTML parser with the pass's options
      (:func:`_html_parser`), fed the text as :func:`scan_html` feeds it, building libxml2's
      own tree instead of calling a target. libxml2 decides what it reports (elements,
      implied and closed ones, text) from the text and its stack of open element names alone;
      the tree it builds is the fold of those reports: a start is a child of the open element,
      an end (always for the innermost open element) closes it, consecutive texts join. So
      the tree holds every element, attribute value (one with no value is ``""``, as the
      target gets it; a few boolean attributes the pass never reads are set to their name)
      and text the pass is given, in order, nested as reported. Comments and processing
      instructions are reported to neither (the pass has no handler for them). Whitespace
      reported while no element is open (after ``</html>``) is not in the tree; the pass
      only drops it at the next line break.
    * The tree builder stops where the pass would not: at 256 nested elements and at a text
      node over 10 MB. Pages that come near either (``_KEY_MAX_LEVELS``,
      ``_KEY_MAX_CHARS``: four UTF-8 bytes per character at most) get no key.
    * The pass reads nothing inside an element it does not display: under ``_SKIP_TAGS``
      (``<head>``, ``<script>``, ``<style>``...) it only tracks nesting. So their attributes,
      and every text, attribute and tail inside them, are cleared; their elements stay
      (nesting depth, and so ``MAX_DEPTH`` and ``MAX_PAGE_CELLS``, are unchanged).
    * An empty element with a ``_VOID_TAGS`` tag (``<link>``, ``<meta>``, ``<img>``,
      ``<input>``...) changes nothing in the pass whatever its attributes (hidden or not: it
      has nothing to hide, and its tag breaks no line and is not acted on), so they are
      cleared.
    * Everything else is kept as it is, though the pass reads less of it (of attributes only
      ``hidden``, ``style``, whether ``<a>`` has ``href``, and a cell's ``rowspan`` and
      ``colspan``).
    * The serialized tree (XML, as text; every top-level element, as content after
      ``</html>`` makes another) is one string per tree: names cannot hold whitespace,
      ``/`` or ``>`` (and an attribute name no ``=`` after its first character), ``&``,
      ``<``, ``>`` and quotes in values and text are escaped. Control characters XML cannot
      hold are written as U+FFFD, losing which one they were: such a page gets no key.

    Read from libxml2 2.14 and lxml 6.1 (the locked versions); tests/test_markup_key.py
    computes the scan again from the keyed tree of generated pages and compares.

    >>> day1 = '<head><link href="/a.css?v=1"><script>var t = 1;</script></head><p>Hello'
    >>> day2 = '<head><link href="/a.css?v=2"><script>var t = 2;</script></head><p>Hello'
    >>> markup_key(day1) == markup_key(day2), markup_key(day1) == markup_key(day1 + "!")
    (True, False)
    """
    text = _page_text(text)
    if len(text) > _KEY_MAX_CHARS:
        return None
    try:
        elements = _read_tree(text)
        if elements is None:
            return None
        from lxml import etree

        markup = "".join(etree.tostring(element, encoding=str) for element in elements)
    except Exception:  # whatever it is, the page is scanned as usual
        return None
    return None if _REPLACED in markup else markup


def _read_tree(text: str) -> list | None:
    """The document's top-level elements (more than one when content follows ``</html>``),
    parsed from ``text`` (already :func:`_page_text`), with what the pass does not read
    cleared (see :func:`markup_key`); None when they may not hold all the pass reads."""
    parser = _html_parser(remove_comments=True, remove_pis=True)
    parser.feed(text)
    root = parser.close()
    if root is None or _too_deep()(root.getroottree()):
        return None
    elements = [root, *root.itersiblings()]
    for top in elements:
        for element in top.iter(*_SKIP_TAGS):
            element.attrib.clear()
            element.text = None
            for inner in element.iterdescendants():
                inner.attrib.clear()
                inner.text = inner.tail = None
        for element in top.iter(*_VOID_TAGS):
            if element.text is None and len(element) == 0:
                element.attrib.clear()
    return elements


@functools.cache
def _too_deep():
    """An XPath test: does the document nest ``_KEY_MAX_LEVELS`` elements?"""
    from lxml import etree

    return etree.XPath(f"boolean({'/*' * _KEY_MAX_LEVELS})")


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
