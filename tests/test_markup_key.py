"""markup_key: the page's markup without what the scan never reads. Pages with equal keys must
scan equal (a false match would give a page another page's records), so this is checked on
generated pages of every shape the parser meets: the scan is computed again from the keyed
tree alone and must equal the real scan, and pages changed in one place that keep their key
must parse alike."""

from __future__ import annotations

import ast
import inspect
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from pipeline.errors import ParseError
from pipeline.parse import parse_page, scan
from pipeline.parse.scan import Scanner, markup_key, scan_html, scan_key

TABLE = ("<h3>Asia(1)</h3><table><tr><th>Country</th><th>Type</th><th>Institution</th>"
         "<th>Initial date</th><th>Expiration date</th></tr>"
         "<tr><td>Korea<td>I<td>Hanbat<br>University<td>2011.07.22<td>2026.07.21</table>")

# --- generated pages ---------------------------------------------------------------------------
TAGS = ["table", "tr", "td", "th", "thead", "tbody", "tfoot", "caption", "a", "b", "strong",
        "p", "div", "br", "span", "h3", "li", "ul", "script", "style", "noscript", "template",
        "title", "head", "body", "select", "iframe", "svg", "meta", "link", "img", "input",
        "col", "wbr", "hr", "font", "x-y", "html"]
ATTRIBUTES = ['rowspan="2"', "rowspan=0", 'rowspan=" 3px"', "colspan=x", 'colspan="2"',
              'style="display:none"', 'style="DISPLAY : none"', 'style="visibility: hidden"',
              'style="color:red"', "hidden", 'hidden=""', "href", 'href=""', 'href="/x?v=1"',
              'href="/x?v=2"', 'class="a"', 'src="/i.png?v=1"', 'src="/i.png?v=2"',
              'value="t1"', "nowrap", 'nowrap="nowrap"', "{}hidden", "{}rowspan=2",
              'title="a&amp;b"', 'content="1"', 'content="2"']
ATTRIBUTES = ATTRIBUTES * 10 + ['title="a&#1;b"']
TEXTS = ["Korea", "I", "IS", "Hanbat", " University ", " ", "\n", "\t", "a\ufffdb",
         "a&#xFFFD;b", "&amp;", "&nbsp;", "&lt;td&gt;", "x < y", "2024.1.2", "<br>",
         "\u200bMahidol", "Asia(2)", "\r\n", "<!-- c -->", "<!-- v=1 -->", "<?pi x?>",
         "</td>", "</tr>", "</table>", "</b>", "</p>", "<tr>", "<td>", "</html>", "</body>",
         "<![CDATA[x]]>", "<!doctype html>", "&#0;", "\x00", "\ufeff", "<p>", "<b>"]
# Rarely: characters XML cannot hold (pages with them get no key).
TEXTS = TEXTS * 10 + ["a\x01b", "a&#1;b", "\x0c"]


def element(tag: str, attributes: list[str], inner: list[str], closed: bool) -> str:
    return f"<{' '.join([tag, *attributes])}>{''.join(inner)}" + (f"</{tag}>" if closed else "")


# Markup as pages hold it: elements with attributes (closed, or not), text, comments, stray end
# tags, nested a few levels.
FRAGMENT = st.recursive(
    st.lists(st.sampled_from(TEXTS), max_size=3).map("".join),
    lambda inner: st.builds(element, st.sampled_from(TAGS),
                            st.lists(st.sampled_from(ATTRIBUTES), max_size=3),
                            st.lists(inner, max_size=3), st.booleans()),
    max_leaves=12)


@st.composite
def page(draw) -> list[str]:
    """A page as a list of pieces (so one piece can be changed), with a partner table."""
    pieces = draw(st.lists(FRAGMENT, min_size=1, max_size=6))
    at = draw(st.integers(0, len(pieces)))
    head = draw(FRAGMENT)
    return ["<html><head>", head, "</head><body>", *pieces[:at], TABLE, *pieces[at:],
            "</body></html>"]


# --- the scan, from the keyed tree alone --------------------------------------------------------
def scan_of_tree(text: str):
    """The scan computed from the tree markup_key serializes: its elements, attributes and
    texts handed to a Scanner in document order. Equal to the real scan when the tree holds
    all the scan reads."""
    scanner = Scanner()
    for top in scan._read_tree(scan._page_text(text)):
        for event, element in etree.iterwalk(top, events=("start", "end")):
            if event == "start":
                scanner.start(element.tag, dict(element.items()))
                if element.text:
                    scanner.data(element.text)
            else:
                scanner.end(element.tag)
                if element.tail:
                    scanner.data(element.tail)
    return scan_key(scanner.close())


def outcome(function, *args):
    """What ``function`` returns, or the type and message of what it raises."""
    try:
        return function(*args)
    except (ParseError, scan._TooDeep, scan._TooMany) as error:
        return type(error).__name__, getattr(error, "message", "")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page())
def test_a_keyed_page_scans_as_its_keyed_tree_says(pieces):
    text = "".join(pieces)
    if markup_key(text) is None:
        return
    expected = outcome(lambda t: scan_key(scan_html(t)), text)
    found = outcome(scan_of_tree, text)
    if isinstance(expected, tuple) and isinstance(expected[0], str):  # the scan refused it
        assert isinstance(found, tuple) and found[0] in ("_TooDeep", "_TooMany")
    else:
        assert found == expected


# Changes to a piece of a page, as (old, new): many leave what the scan reads as it was
# (other asset URLs and scripts, comments, end tags the parser implies, spellings of the same
# markup), some do not.
EDITS = [("v=1", "v=2"), ("t1", "t2"), ('"1"', '"2"'), ("", "<!-- added -->"),
         ("", "<script>var x = '<td>1</td>';</script>"), ("", '<img src="/a.png?v=9">'),
         ("", '<link href="/a.css?v=9">'), ("", "<meta content=x>"), ("", "<style>p{}</style>"),
         ("</td>", ""), ("</tr>", ""), ("</b>", ""), ("</p>", ""), ("<br>", "<br/>"),
         ("<td>", "<td >"), ("<td>", "<TD>"), ('="2"', "=2"), ("&amp;", "&#38;"),
         ("&nbsp;", "\u00a0"), ("Korea", "Korea "), ("Korea", "Korea\n"), ("hidden", "hidden=x"),
         ("href", "href=x"), ("style=", "title="), ("<script>", "<script>/**/"), ("<td", "<th"),
         ("rowspan", "colspan")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page(), st.data())
def test_pages_with_equal_keys_parse_alike(pieces, data):
    """The page edited (see EDITS), or one piece of it replaced: when the key stays the same,
    parse_page gives the same result or the same error (with the memo or without)."""
    first = "".join(pieces)
    old, new = data.draw(st.sampled_from([(o, n) for o, n in EDITS if o in first]))
    at = data.draw(st.integers(0, len(pieces) - 1))
    if data.draw(st.booleans()):
        second = first.replace(old, new) if old else "".join([*pieces[:at], new, *pieces[at:]])
    else:
        second = "".join([*pieces[:at], data.draw(FRAGMENT), *pieces[at + 1:]])
    key = markup_key(first)
    if key is None or key != markup_key(second):
        return
    assert outcome(parse_page, second.encode()) == outcome(parse_page, first.encode())
    memo: dict = {}
    assert outcome(parse_page, first.encode(), None) == outcome(
        lambda d: parse_page(d, memo=memo), first.encode())
    assert outcome(lambda d: parse_page(d, memo=memo), second.encode()) == outcome(
        parse_page, second.encode())


# --- cases the key must tell apart, or refuse --------------------------------------------------
@pytest.mark.parametrize(("first", "second"), [
    ("<td>a\x01b</td>", "<td>a\ufffdb</td>"),  # XML has no \x01: written as U+FFFD
    ('<td style="display\x1f:none">x</td>', '<td style="display\ufffd:none">x</td>'),
    ('<td rowspan="\x1f2">x</td><tr><td>y', '<td rowspan="\ufffd2">x</td><tr><td>y'),
    ("<td {}rowspan=2>x</td><tr><td>y", "<td rowspan=2>x</td><tr><td>y"),  # no namespace
    ('<td><a href="x">y</a></td>', "<td><a>y</a></td>"),
    ("<td>a<br>b</td>", "<td>a b</td>"),
    ('<td><div style="display:none">a</div></td>', "<td><div>a</div></td>"),
    ("<td><b>a</b></td>", "<td>a</td>"),
])
def test_markup_the_scan_reads_differently_never_shares_a_key(first, second):
    first, second = (f"{TABLE}<table><tr>{cells}</table><p>a</p><p>b</p>"
                     for cells in (first, second))
    assert scan_key(scan_html(first)) != scan_key(scan_html(second))
    keys = {markup_key(first), markup_key(second)}
    assert len(keys) == 2 or keys == {None}


def test_a_page_the_tree_builder_cuts_short_gets_no_key():
    """libxml2's tree builder stops at 256 nested elements, where the scan goes on: two pages
    that differ only below that depth would build the same tree."""
    deep = "<div>" * 300
    assert markup_key(deep + "a") is None and markup_key(deep + "b") is None
    assert markup_key("<div>" * 200 + "a") is not None
    assert markup_key("x" * (scan._KEY_MAX_CHARS + 1)) is None
    assert markup_key("<p>\udc80</p>") is None  # lxml refuses it as text; scan_html retries


def test_unread_markup_shares_a_key():
    base = "<html><head>{}</head><body>{}" + TABLE + "</body></html>"
    same = [
        ('<link href="/a.css?v=1">', '<link href="/a.css?v=2">'),
        ("<script>var a = 1;</script>", "<script>var a = '<table><td>x';</script>"),
        ('<meta content="1">', '<meta content="2">'),
        ("<title>1</title>", "<title>2</title>"),
        ("<style>.a{}</style>", '<style media="print">.b{}</style>'),
    ]
    for head, other in same:
        assert markup_key(base.format(head, "")) == markup_key(base.format(other, ""))
    body = [
        ('<img src="/a.png?v=1">', '<img src="/a.png?v=2" hidden>'),
        ('<input type="hidden" value="t1">', '<input type="hidden" value="t2">'),
        ("<script>track(1)</script>", "<script>track(2)</script>"),
        ("<noscript><p>1</p></noscript>", "<noscript><p>2</p></noscript>"),
        ("<!-- 1 -->", "<!-- 2 -->"),
        ('<a href="/1">x</a>', '<a href="/2">x</a>'),  # kept: only its presence is read
    ]
    for part, other in body[:-1]:
        assert markup_key(base.format("", part)) == markup_key(base.format("", other))
    part, other = body[-1]
    assert markup_key(base.format("", part)) != markup_key(base.format("", other))


def test_every_tag_the_scanner_acts_on_is_known_to_the_key():
    """markup_key clears the attributes of empty ``_VOID_TAGS`` elements because the Scanner
    does nothing at their start or end: a tag it starts acting on must be listed."""
    literals = set()
    for method in (Scanner.start, Scanner.end, Scanner.data, Scanner._end):
        tree = ast.parse(textwrap.dedent(inspect.getsource(method)))
        literals |= {node.value for node in ast.walk(tree)
                     if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    literals -= {"href"}  # an attribute name (read for <a>, which is acted on)
    literals = {word for word in literals if word.isidentifier()}  # not docstrings
    acted_on = scan._ACTED_ON_TAGS | scan._BLOCK_TAGS | scan._SKIP_TAGS
    assert literals <= acted_on
    assert not scan._VOID_TAGS & acted_on
