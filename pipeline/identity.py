"""Stable partner identities that survive spacing, case, accent and word-order edits on the page.

A partner_id is ``<country code>-<8 hex>``, the hex being a hash of the fingerprint (OpenRefine's
fingerprint keyer) of the name cleaned on its own (``NameCleaner.identity_name``: no page
evidence, curated overrides applied). So a row's id depends on that row only: other rows, added,
removed or reordered, never move it; page evidence may improve the published name, not the id.
When one name is listed more than once in a country, the oldest agreement keeps the plain id and
the others get their agreement type (then a counter) appended, readable: ``TW-1a2b3c4d-MS``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence

_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)


def fingerprint(name: str) -> str:
    """OpenRefine-style key: NFKC, lowercase, accents folded, punctuation dropped, tokens sorted.

    >>> fingerprint("Université Paris-Saclay")
    'paris saclay universite'
    >>> fingerprint("  universite PARIS saclay ") == fingerprint("Université Paris-Saclay")
    True
    >>> fingerprint("Caen(ENSICAEN)") == fingerprint("caen ensicaen")
    True
    """
    if name.isascii():  # most names: NFKC/NFKD change nothing, casefold is lower
        text = name.lower()
    else:
        text = unicodedata.normalize("NFKC", name).casefold()
        text = "".join(
            ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
        )
    text = _PUNCTUATION.sub(" ", text)
    return " ".join(sorted(set(text.split())))


def _short_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=4).hexdigest()


def partner_id(country_code: str, name: str) -> str:
    """The id of one agreement: country plus a hash of the name's fingerprint.

    >>> partner_id("TH", "Mahidol University") == partner_id("TH", "mahidol  university")
    True
    >>> partner_id("TH", "Mahidol University").startswith("TH-")
    True
    """
    return f"{country_code}-{_short_hash(fingerprint(name))}"


def assign_partner_ids(
    country_codes: Sequence[str],
    names: Sequence[str],
    agreement_types: Sequence[str],
    initial_dates: Sequence[object],
) -> list[str]:
    """Ids for a whole page. When one name is listed more than once in a country, the oldest
    agreement keeps the plain id (so adding a second agreement never changes the first one's id)
    and the others get ``-<agreement type>``, then a counter, appended.

    >>> ids = assign_partner_ids(["TW", "TW"], ["NYCU", "NYCU"], ["MS", "I"], [2017, 2010])
    >>> ids[0].endswith("-MS"), ids[1].endswith("-MS")
    (True, False)
    """
    rows = list(zip(country_codes, names, agreement_types, initial_dates, strict=True))
    plain = [partner_id(cc, name) for cc, name, _, _ in rows]
    ids: list[str] = [""] * len(rows)
    taken: set[str] = set()
    by_age = sorted(range(len(rows)), key=lambda i: (str(rows[i][3]), rows[i][2], i))
    for i in by_age:  # oldest first, so the oldest agreement claims the plain id
        candidate = plain[i] if plain[i] not in taken else f"{plain[i]}-{rows[i][2]}"
        base, n = candidate, 1
        while candidate in taken:  # same name and type listed twice
            n += 1
            candidate = f"{base}-{n}"
        ids[i] = candidate
        taken.add(candidate)
    return ids
