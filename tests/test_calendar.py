"""expirations.ics written line by line equals what icalendar's component API writes for the
same agreements, on awkward values too (escapes, long and non-ASCII lines, folds next to an
escape), and icalendar reads it back."""

from __future__ import annotations

import datetime as dt
import itertools

import icalendar
import pytest
from icalendar.parser import Contentline

from pipeline import analyst, calendar
from pipeline.renewals import add_months

ON = dt.date(2024, 4, 1)


def by_component_api(rows, opts) -> bytes:
    """The calendar built the plain way: one icalendar component per event and alarm."""
    cal = icalendar.Calendar()
    cal.add("prodid", calendar.PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "NAIST partner agreements: expirations")
    stamp = dt.datetime.combine(opts.on, dt.time(), tzinfo=dt.UTC)
    dated = sorted((r for r in rows if r.get("expiration_date")),
                   key=lambda r: (r["expiration_date"], r["partner_id"]))
    for row in dated:
        expires = row["expiration_date"]
        event = icalendar.Event()
        event.add("uid", calendar.uid(row["partner_id"]))
        event.add("dtstamp", stamp)
        event.add("dtstart", expires)
        event.add("dtend", expires + dt.timedelta(days=1))
        event.add("summary", f"Agreement expires: {row['name']}")
        event.add("description", calendar._description(row))
        event.add("categories", [row["country"], f"type {row['agreement_type']}"])
        event.add("transp", "TRANSPARENT")
        if opts.remind > 0:
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"In {opts.remind} month(s): {row['name']} agreement "
                                     f"expires on {expires.isoformat()}")
            alarm.add("trigger", -(expires - add_months(expires, -opts.remind)))
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()


AWKWARD_NAMES = [
    "Université de Lyon",
    "A, B; C\\D",
    "x" * 44 + "\\" + "y" * 40,  # a backslash where a line folds
    "x" * 45 + ";" + "y" * 40,  # an escaped semicolon across the fold
    "é" * 60 + "ü" * 7 + "a",  # two-octet characters across the fold
    "東京工業大学" * 10,  # three-octet characters
    "x" * 46 + "^" + "y" * 40,
    "Line\nbreak\r\nand\rreturn",
    "Emoji 🎓 " * 12,
    "",
]


def awkward_rows():
    days = [dt.date(2024, 2, 29), dt.date(2025, 8, 31), dt.date(2030, 1, 1), None]
    for i, (name, expires) in enumerate(itertools.product(AWKWARD_NAMES, days)):
        yield {"partner_id": f"ZZ-{i:08x}", "name": name, "country": "Côte d'Ivoire, Rep.",
               "agreement_type": "MS", "agreement_level": "graduate school",
               "agreement_field": "Materials; Science" if i % 2 else None,
               "initial_date": dt.date(2010, 1, 1), "expiration_date": expires,
               "under_renewal": i % 3 == 0, "notes": "[MOU], see \\ note" if i % 5 else None}


@pytest.mark.parametrize("remind", [0, 1, 3, 14])
def test_lines_written_here_equal_icalendars_own(remind):
    rows = list(awkward_rows())
    opts = analyst.Options(ON, 12, remind)
    assert calendar.calendar_bytes(rows, opts) == by_component_api(rows, opts)


def test_a_calendar_without_events_equals_icalendars_own():
    opts = analyst.Options(dt.date(2031, 12, 31), 12, 3)
    assert calendar.calendar_bytes([], opts) == by_component_api([], opts)


@pytest.mark.parametrize("width", range(60, 100))
def test_folding_equals_icalendars_at_every_length(width):
    for filler in ("a", "é", "\\", "^", "€", "🎓", "a\\", "ab^"):
        line = ("SUMMARY:" + filler * width)[: width + 8]
        expected = Contentline(line).to_ical().decode("utf-8")
        assert calendar.fold(line) == expected, (filler, width)


def test_icalendar_reads_every_event_back():
    rows = list(awkward_rows())
    parsed = icalendar.Calendar.from_ical(calendar.calendar_bytes(rows, analyst.Options(ON)))
    events = parsed.walk("VEVENT")
    dated = [r for r in rows if r["expiration_date"]]
    assert len(events) == len(dated)
    by_uid = {str(e["UID"]): e for e in events}
    for row in dated:
        event = by_uid[calendar.uid(row["partner_id"])]
        name = row["name"].replace("\r\n", "\n").replace("\r", "\n")  # one line break
        assert str(event["SUMMARY"]) == f"Agreement expires: {name}"
        assert event.decoded("DTSTART") == row["expiration_date"]
        assert len(event.walk("VALARM")) == 1
