"""Stable partner identities that survive spacing, case, accent and word-order edits on the page.

A partner_id is ``<country code>-<8 hex>``, the hex being a hash of the clean name's fingerprint
(OpenRefine's fingerprint keyer). Row order never enters it, so reordering the page keeps every id.
Two agreements whose fingerprints collide in one country (same institution listed twice) are kept
apart by appending their agreement type, then a counter.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)


def fingerprint(name: str) -> str:
    """OpenRefine-style key: NFKC, lowercase, accents folded, punctuation dropped, tokens sorted.

    >>> fingerprint("Université Paris-Saclay")
    'paris saclay universite'
    >>> fingerprint("  universite PARIS saclay ") == fingerprint("Université Paris-Saclay")
    True
    >>> fingerprint("University of California, Davis") == fingerprint("University of California Davis")
    True
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    text = _PUNCTUATION.sub(" ", text)
    return " ".join(sorted(set(text.split())))


def _short_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=4).hexdigest()


def partner_id(country_code: str, name: str, disambiguator: str = "") -> str:
    """The id of one agreement: country plus a hash of the name's fingerprint.

    >>> partner_id("TH", "Mahidol University") == partner_id("TH", "mahidol  university")
    True
    >>> partner_id("TH", "Mahidol University").startswith("TH-")
    True
    """
    key = fingerprint(name)
    if disambiguator:
        key = f"{key}|{disambiguator}"
    return f"{country_code}-{_short_hash(key)}"


def assign_partner_ids(
    country_codes: Sequence[str], names: Sequence[str], agreement_types: Sequence[str]
) -> list[str]:
    """Ids for a whole page; collisions get the agreement type, then a counter, appended.

    >>> ids = assign_partner_ids(["TW", "TW"], ["NYCU", "NYCU"], ["I", "MS"])
    >>> ids[0] != ids[1]
    True
    """
    keys = [(cc, fingerprint(n)) for cc, n in zip(country_codes, names, strict=True)]
    collisions = Counter(keys)
    ids: list[str] = []
    taken: set[str] = set()
    for key, name, kind in zip(keys, names, agreement_types, strict=True):
        base = partner_id(key[0], name, kind if collisions[key] > 1 else "")
        candidate, n = base, 1
        while candidate in taken:  # same name and type twice: number them in page order
            n += 1
            candidate = f"{base}-{n}"
        ids.append(candidate)
        taken.add(candidate)
    return ids
