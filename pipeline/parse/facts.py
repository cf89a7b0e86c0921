"""What the page states about itself: region headings and their counts, the totals
("96 institutions from 25 countries/regions") and the "As of" date."""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from pipeline.parse.scan import Line
from pipeline.parse.text import collapse_spaces

__all__ = ["Heading", "as_of_date", "region_headings", "region_label", "stated_counts"]

# A count of any size, with or without thousands separators ("100,032"), never read from the
# middle of a bigger number.
_NUMBER = r"(?<![\d,.'’])(?:\d{1,3}(?:[,.'’]\d{3})+|\d+)(?![\d,.'’]\d)"
_REGION_LINE = re.compile(
    r"^(?P<name>[^\W\d_][^()（）\d]{0,48}?)\s*"
    rf"(?:[(（]\s*(?P<count>{_NUMBER})\s*(?:institutions?|partners?)?\s*[)）])?$",
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
    rf"(?P<inst>{_NUMBER})\s+(?:partner\s+|overseas\s+|foreign\s+)?"
    r"(?:institutions?|universities|partners?|organi[sz]ations?)\b\D{0,40}?"
    rf"(?P<countries>{_NUMBER})\s+countr",
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


def region_label(text: str, strict: bool) -> tuple[str, int | None] | None:
    """Read a region label such as "North America(6)" or "Asia (48)"; None if it is not one.

    Without a count only known region names qualify (``strict`` demands one of those even
    with a count).

    >>> region_label("North America(6)", False), region_label("Asia", False)
    (('North America', 6), ('Asia', None))
    >>> region_label("Agreement types", False), region_label("Korea(2)", True)
    (None, None)
    >>> region_label("Asia (1,048)", False)
    ('Asia', 1048)
    """
    if len(text) > 60:
        return None
    match = _REGION_LINE.match(text)
    if match is None:
        return None
    name = collapse_spaces(match.group("name"))
    count = _number(match.group("count"))
    known = name.casefold() in _KNOWN_REGIONS
    if known:
        return name, count
    if count is None or strict:
        return None
    words = name.split()
    if len(words) > 4 or name[0].islower() or any(ch in name for ch in ":;,.!?*/[]"):
        return None
    return name, count


def _number(text: str | None) -> int | None:
    """The count a number written with or without thousands separators stands for.

    >>> _number("100,032"), _number("48"), _number(None)
    (100032, 48, None)
    """
    return int(re.sub(r"\D", "", text)) if text is not None else None


class Heading(NamedTuple):
    """A region heading: its name, the count it states (if any), its text, and whether the name
    is a known region (not merely a short capitalised name with a count)."""

    name: str
    count: int | None
    text: str
    known: bool


def region_headings(lines: list[Line], lo: int, hi: int) -> list[Heading]:
    """The region headings in lines[lo:hi], in page order. Links are left out: menus and
    in-page contents lists repeat region names as links."""
    found = []
    for line in lines[lo:hi]:
        if line.link_only:
            continue
        label = region_label(line.text, False)
        if label is not None:
            known = label[0].casefold() in _KNOWN_REGIONS
            found.append(Heading(label[0], label[1], line.text, known))
    return found


def stated_counts(lines: list[Line]) -> tuple[int | None, int | None]:
    """Read "96 institutions from 25 countries/regions" as (96, 25), counts of any size.

    >>> stated_counts([Line("100,032 institutions from 1,024 countries/regions", False)])
    (100032, 1024)
    >>> stated_counts([Line("Founded 2024: 96 institutions in 25 countries", False)])
    (96, 25)
    """
    for line in lines:
        match = _STATED.search(line.text)
        if match:
            return _number(match.group("inst")), _number(match.group("countries"))
    return None, None


def as_of_date(lines: list[Line]) -> date | None:
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
