"""The unicode fixer: compatibility characters (NFKC), composed accents, whitespace."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from pipeline.names.context import PageContext


@lru_cache(maxsize=4096)
def _compatible(char: str) -> str:
    """NFKC of one character, unless that turns a symbol into other symbols (``″`` into
    ``′′``) or a spacing accent into a space and a combining one (``´`` of ``Sotheby´s``):
    only letters, digits and spaces come out of a compatibility form.

    >>> _compatible("Ⅲ"), _compatible("´"), _compatible("\u00a0")
    ('III', '´', ' ')
    """
    normal = unicodedata.normalize("NFKC", char)
    if any(unicodedata.combining(c) for c in normal):
        return char
    if normal == char or any(c.isalnum() or c.isspace() for c in normal):
        return normal
    return char


def fix_unicode(text: str, ctx: PageContext | None = None) -> str:
    """Normalize compatibility characters and accents, collapse whitespace, strip the ends.

    Changes: compatibility characters (``Ⅲ`` -> ``III``, full-width letters, ligatures,
    no-break spaces), decomposed accents (composed), runs of whitespace (one space).
    Leaves alone: accents, apostrophes, quotes and primes (``″``), spacing accents used as
    apostrophes (``Sotheby´s``), dashes, case.

    >>> fix_unicode("Univesité Toulouse Ⅲ-  Paul Sabatier ")
    'Univesité Toulouse III- Paul Sabatier'
    >>> fix_unicode("Universidade Federal de São Paulo")
    'Universidade Federal de São Paulo'
    """
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFC", "".join(map(_compatible, text)))
    return " ".join(text.split())  # str.split() splits on the same whitespace as \s
