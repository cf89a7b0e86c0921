"""out/expirations.ics: an RFC 5545 calendar with one all-day event per agreement that has an
expiration date, each with a reminder some months before.

UIDs come from the partner id, so a subscribed calendar updates an event (a renewal moves
it) instead of adding a second one. DTSTAMP is the reference date, not the clock, so the same
inputs give the same file.

The file is written here as content lines: the same bytes icalendar's component API gives
(the tests compare the two on awkward values, and icalendar parses the file back), without
its cost: one icalendar component per agreement takes about a millisecond, minutes on a page
of a hundred thousand rows, and importing icalendar alone is a noticeable part of a build of
the real page. Values are escaped and long lines folded as icalendar does (:func:`text`,
:func:`fold`); properties come in icalendar's order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

PRODID = "-//naist-partners//International partner agreements//EN"
UID_DOMAIN = "naist-partners.expirations"
FOLD_AT = 74  # octets of a content line before it is folded (RFC 5545: at most 75)
FOLD = "\r\n "
END = "END:VCALENDAR\r\n"


def uid(partner_id: str) -> str:
    """Stable event UID of a partner's expiration.

    >>> uid("TH-1c0e6f2a")
    'TH-1c0e6f2a@naist-partners.expirations'
    """
    return f"{partner_id}@{UID_DOMAIN}"


def calendar_bytes(rows: Iterable[Mapping], opts) -> bytes:
    """The calendar of every dated agreement in ``rows`` (partners table rows)."""
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", fold(f"PRODID:{text(PRODID)}"),
            "CALSCALE:GREGORIAN",
            fold("X-WR-CALNAME:" + text("NAIST partner agreements: expirations"))]
    stamp_line = f"DTSTAMP:{_date(opts.on)}T000000Z"  # midnight UTC of the reference date
    triggers: dict[dt.date, str] = {}  # reminder lead per expiration date, computed once each
    dated = sorted((r for r in rows if r.get("expiration_date")),
                   key=lambda r: (r["expiration_date"], r["partner_id"]))
    # Each event encoded on its own: one str of every event would be two or four bytes a
    # character as soon as one name has a character beyond Latin-1.
    events = [event_text(row, stamp_line, opts.remind, triggers).encode("utf-8")
              for row in dated]
    return b"".join(["\r\n".join([*head, ""]).encode("utf-8"), *events, END.encode("ascii")])


def event_text(row: Mapping, stamp_line: str, remind: int,
               triggers: dict[dt.date, str]) -> str:
    """One VEVENT (with its VALARM when ``remind`` > 0), properties in icalendar's order."""
    expires = row["expiration_date"]
    name = row["name"]
    lines = ["BEGIN:VEVENT",
             fold("SUMMARY:" + text(f"Agreement expires: {name}")),
             f"DTSTART;VALUE=DATE:{_date(expires)}",
             f"DTEND;VALUE=DATE:{_date(expires + dt.timedelta(days=1))}",
             stamp_line,
             fold("UID:" + text(uid(row["partner_id"]))),
             fold("CATEGORIES:" + text(row["country"]) + ","
                  + text(f"type {row['agreement_type']}")),
             fold("DESCRIPTION:" + text(_description(row))),
             "TRANSP:TRANSPARENT"]
    if remind > 0:
        if expires not in triggers:
            triggers[expires] = _trigger(expires, remind)
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY",
                  fold("DESCRIPTION:" + text(f"In {remind} month(s): {name} agreement "
                                             f"expires on {expires.isoformat()}")),
                  triggers[expires], "END:VALARM"]
    lines.append("END:VEVENT\r\n")
    return "\r\n".join(lines)


def _trigger(expires: dt.date, remind: int) -> str:
    """The reminder's TRIGGER line: ``remind`` months before the expiration, as a DURATION
    in days (RFC 5545 3.3.6).

    >>> _trigger(dt.date(2024, 5, 31), 3)
    'TRIGGER:-P92D'
    """
    from pipeline.renewals import add_months

    return f"TRIGGER:-P{(expires - add_months(expires, -remind)).days}D"


def _date(day: dt.date) -> str:
    """An RFC 5545 DATE value.

    >>> _date(dt.date(2029, 2, 20))
    '20290220'
    """
    return f"{day.year:04}{day.month:02}{day.day:02}"


def text(value: str) -> str:
    r"""A TEXT value escaped as RFC 5545 says and icalendar's vText does: backslash,
    semicolon and comma get a backslash, a line break (``\r\n``, ``\n`` or ``\r``) becomes
    ``\n``; every other character is left alone.

    >>> print(text("Paris-Saclay; Dept. of A, B\nC\\D"))
    Paris-Saclay\; Dept. of A\, B\nC\\D
    """
    return (value.replace(r"\N", "\n").replace("\\", "\\\\").replace(";", r"\;")
            .replace(",", r"\,").replace("\r\n", r"\n").replace("\n", r"\n")
            .replace("\r", r"\n"))


def fold(line: str) -> str:
    r"""A content line folded as icalendar folds it: pieces of at most 74 octets joined by
    CRLF and a space, never splitting a character, and never ending a piece on a backslash
    or caret (the escape moves to the next piece). Lines short enough are left alone.

    >>> fold("X:" + "a" * 72) == "X:" + "a" * 72
    True
    >>> fold("X:" + "a" * 80).split("\r\n ") == ["X:" + "a" * 72, "a" * 8]
    True
    """
    if line.isascii():
        if len(line) <= FOLD_AT:
            return line
        return FOLD.join(_ascii_pieces(line))
    return FOLD.join(_pieces(line))


def _ascii_pieces(line: str) -> list[str]:
    pieces, start = [], 0
    while len(line) - start > FOLD_AT:
        end = start + FOLD_AT
        if end - start > 1 and line[end - 1] in "\\^":
            end -= 1
        pieces.append(line[start:end])
        start = end
    pieces.append(line[start:])
    return pieces


def _pieces(line: str) -> list[str]:
    """Folding by octets, for lines with characters beyond ASCII: a cut that would fall
    inside a character moves back to where the character starts."""
    data = line.encode("utf-8")
    pieces, start = [], 0
    while len(data) - start > FOLD_AT:
        end = start + FOLD_AT
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation octet
            end -= 1
        if end - start > 1 and data[end - 1] in b"\\^":
            end -= 1
        pieces.append(data[start:end].decode("utf-8"))
        start = end
    pieces.append(data[start:].decode("utf-8"))
    return pieces


def _description(row: Mapping) -> str:
    lines = [f"{row['name']} ({row['country']})",
             f"Agreement type {row['agreement_type']} ({row.get('agreement_level') or ''}"
             + (f", {row['agreement_field']}" if row.get("agreement_field") else "") + ")",
             f"Initial agreement: {row['initial_date'].isoformat()}",
             f"Expires: {row['expiration_date'].isoformat()}"]
    if row.get("under_renewal"):
        lines.append("The page marks it under renewal.")
    if row.get("notes"):
        lines.append(f"Notes: {row['notes']}")
    lines.append(f"Partner id: {row['partner_id']}")
    return "\n".join(lines)
