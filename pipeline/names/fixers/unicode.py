"""The unicode fixer: NFKC, invisible characters, whitespace."""

from __future__ import annotations

import unicodedata

from pipeline.names.context import PageContext

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad"), None)


def fix_unicode(text: str, ctx: PageContext | None = None) -> str:
    """Normalize to NFKC, drop invisible characters, collapse whitespace, strip the ends.

    Changes: compatibility characters (``Ⅲ`` -> ``III``, full-width letters, ligatures,
    no-break spaces), decomposed accents (composed), zero-width spaces, soft hyphens, runs
    of whitespace (one space). Leaves alone: accents, apostrophes and quotes, dashes, case.

    >>> fix_unicode("Univesité Toulouse Ⅲ-  Paul Sabatier ")
    'Univesité Toulouse III- Paul Sabatier'
    >>> fix_unicode("Universidade Federal de São Paulo")
    'Universidade Federal de São Paulo'
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text.translate(_INVISIBLE))
    return " ".join(text.split())  # str.split() splits on the same whitespace as \s
