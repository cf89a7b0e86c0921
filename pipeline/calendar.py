"""out/expirations.ics: an RFC 5545 calendar with one all-day event per agreement that has an
expiration date, each with a reminder some months before.

UIDs come from the partner id, so a subscribed calendar updates an event (a renewal moves
it) instead of adding a second one. DTSTAMP is the reference date, not the clock, so the same
inputs give the same file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

PRODID = "-//naist-partners//International partner agreements//EN"
UID_DOMAIN = "naist-partners.expirations"


def uid(partner_id: str) -> str:
    """Stable event UID of a partner's expiration.

    >>> uid("TH-1c0e6f2a")
    'TH-1c0e6f2a@naist-partners.expirations'
    """
    return f"{partner_id}@{UID_DOMAIN}"


def calendar_bytes(rows: Iterable[Mapping], opts) -> bytes:
    """The calendar of every dated agreement in ``rows`` (partners table rows)."""
    import icalendar

    from pipeline.renewals import add_months

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "NAIST partner agreements: expirations")
    stamp = dt.datetime.combine(opts.on, dt.time(), tzinfo=dt.UTC)
    dated = sorted((r for r in rows if r.get("expiration_date")),
                   key=lambda r: (r["expiration_date"], r["partner_id"]))
    for row in dated:
        expires = row["expiration_date"]
        event = icalendar.Event()
        event.add("uid", uid(row["partner_id"]))
        event.add("dtstamp", stamp)
        event.add("dtstart", expires)
        event.add("dtend", expires + dt.timedelta(days=1))
        event.add("summary", f"Agreement expires: {row['name']}")
        event.add("description", _description(row))
        event.add("categories", [row["country"], f"type {row['agreement_type']}"])
        event.add("transp", "TRANSPARENT")
        if opts.remind > 0:
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"In {opts.remind} month(s): {row['name']} agreement "
                                     f"expires on {expires.isoformat()}")
            lead = expires - add_months(expires, -opts.remind)
            alarm.add("trigger", -lead)
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()


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
