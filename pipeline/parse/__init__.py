"""Parse a snapshot of the partners page into raw records, exactly as the page displays them.

The steps, one module each: ``decode`` (bytes → text, trusting the bytes over charset labels,
refusing what is not HTML), ``scan`` (one ordered pass over lxml's parser events: lines of
text and table rows, with ``text`` removing invisible characters from every cell; and a key
of the markup the pass reads, known without it), ``layout``
(which tables are partner tables and which column holds what), ``records`` (rows → records
with their regions, the page's structure checked), ``facts`` (headings, stated counts, the
"As of" date) and ``legend``; ``model`` holds the results and the per-page limits. Nothing is
cleaned beyond invisible characters: typos, odd spacing and Unicode forms are kept for
``normalize``.
"""

from __future__ import annotations

import hashlib

from pipeline.errors import ParseError
from pipeline.parse.decode import check_bytes, check_text, decode, decode_page
from pipeline.parse.facts import as_of_date, stated_counts
from pipeline.parse.layout import Layout, expand_spans, infer_layout
from pipeline.parse.legend import legend_blocks, pick_legend
from pipeline.parse.model import MAX_PAGE_CELLS, Notice, ParsedPage, RawRecord
from pipeline.parse.records import build_records
from pipeline.parse.scan import Scan, Table, markup_key, scan_html, scan_key

__all__ = ["Notice", "ParsedPage", "RawRecord", "decode_page", "parse_page"]


def parse_page(data: bytes, declared_charset: object = None, *,
               memo: dict | None = None) -> ParsedPage:
    """Parse the bytes of a partners page into records and the facts the page states.

    ``declared_charset`` is the charset from the HTTP ``Content-Type`` header, if any (as
    stored in a sidecar: anything, which is checked). What the page gets wrong without making
    its data wrong (a charset label its bytes contradict) is in ``warnings``.
    Raises ``ParseError`` when the bytes are not a partners list.

    ``memo`` (a dict the caller keeps for many pages): everything after the scan is a function
    of the scan and the decoding alone, so a page that scans the same as an earlier one (daily
    snapshots that differ only in markup the scan does not read: asset URLs, scripts,
    comments) gets that page's result, the same object, without laying out its tables again.
    It is looked up twice, each key held with the decoding: first by the markup the scan
    reads (:func:`pipeline.parse.scan.markup_key`, kept as its sha256), which is known
    without scanning; then, for a page scanned, by the whole scan
    (:func:`pipeline.parse.scan.scan_key`, compared for equality). Only pages that parsed
    are kept: one that fails is parsed, and fails, again.

    >>> page = parse_page(b"<h3>Asia(1)</h3><table><tr><th>Country</th><th>Type</th>"
    ...     b"<th>Institution</th><th>Initial date</th><th>Expiration date</th></tr>"
    ...     b"<tr><td>Korea<td>I<td>Hanbat<br>University<td>2011.07.22<td>2026.07.21</table>")
    >>> page.records[0].name, page.records[0].region, page.region_counts
    ('Hanbat University', 'Asia', {'Asia': 1})
    """
    check_bytes(data)
    decoded = decode(data, declared_charset)
    check_text(decoded.text)
    if memo is None:
        return _from_scan(scan_html(decoded.text), decoded)
    markup = markup_key(decoded.text)
    read = None if markup is None else (_MARKUP, decoded.encoding, decoded.warnings,
                                        hashlib.sha256(markup.encode()).digest())
    if read is not None and (page := memo.get(read)) is not None:
        return page
    scan = scan_html(decoded.text)
    key = (decoded.encoding, decoded.warnings, scan_key(scan))
    page = memo.get(key)
    if page is None:
        page = memo[key] = _from_scan(scan, decoded)
    if read is not None:
        memo[read] = page
    return page


_MARKUP = "markup"  # marks the memo's markup keys (its scan keys have three parts, not four)


def _from_scan(scan: Scan, decoded) -> ParsedPage:
    """The records and stated facts of a scanned page (``decoded``: how it was decoded)."""
    blocks = legend_blocks(scan.lines)
    legend_codes = frozenset(code for block in blocks for code in block.entries)

    partners: list[tuple[Table, Layout]] = []
    budget = MAX_PAGE_CELLS  # shared by all tables of the page
    for table in sorted(scan.tables, key=lambda t: t.start):
        grid = expand_spans(table.rows, budget)
        budget -= sum(len(row) for row in grid)
        layout = infer_layout(table, grid, legend_codes)
        if layout is not None:
            partners.append((table, layout))
    if not partners:
        raise ParseError(
            "no partner table found on the page",
            "expected a table with a column of agreement types (I, IS, BS, MS) and date columns; "
            "the page layout may have changed",
        )

    records, region_counts = build_records(partners, scan.lines)
    used_codes = {r.agreement_type for r in records}
    inst, countries = stated_counts(scan.lines)
    return ParsedPage(
        records=tuple(records),
        stated_institutions=inst,
        stated_countries=countries,
        as_of=as_of_date(scan.lines),
        legend=pick_legend(blocks, used_codes),
        region_counts=region_counts,
        encoding=decoded.encoding,
        warnings=decoded.warnings,
    )
