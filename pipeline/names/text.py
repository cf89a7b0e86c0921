"""Text helpers every part of the name cleaner shares: folding, tokens, case patterns."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

TOKEN_RE = re.compile(r"[^\W\d_]+")
APOSTROPHES = "'’"
_SEGMENT_OPENERS = set("([{,;:-–—/\"“”‘’'«»&")
_DOT_ABOVE = "\u0307"


def lower(text: str) -> str:
    """Lowercase without the stray dot ``str.lower()`` leaves on a Turkish capital ``İ``.

    ``"İ".lower()`` is ``i`` + U+0307 (two characters); here it is plain ``i``, so
    ``ÜNİVERSİTESİ`` and ``Üniversitesi`` have the same lowercase form.

    >>> lower("ÜNİVERSİTESİ") == "üniversitesi"
    True
    """
    if "İ" not in text:
        return text.lower()
    return unicodedata.normalize("NFC", text.lower().replace("i" + _DOT_ABOVE, "i"))


class _CombiningMarks(dict):
    """``str.translate`` table deleting combining marks (``unicodedata.combining`` > 0),
    each code point looked up once: a per-character loop in Python costs three times as
    much on a page's worth of names."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_WITHOUT_MARKS = _CombiningMarks()


@cache  # unbounded: a bounded cache overflows on a large page
def fold(text: str) -> str:
    """Lowercase and drop diacritics: ``fold("École") == "ecole"``.

    >>> fold("Université Düsseldorf São")
    'universite dusseldorf sao'
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFD", lower(text))
    return unicodedata.normalize("NFC", decomposed.translate(_WITHOUT_MARKS))


def has_diacritics(text: str) -> bool:
    """True when ``text`` carries accents or other combining marks."""
    return not text.isascii() and fold(text) != lower(text)


# Marks of Vietnamese spelling that the languages of the partner list do not use: a hook
# above, a dot below (also in scholarly romanizations, ``Ḥusayn``), a horn, and a tone mark
# stacked on another mark (``ấ``, ``ờ``); and ``đ``.
_VIETNAMESE_MARKS = frozenset("\u0309\u0323\u031b")


def has_vietnamese_marks(text: str) -> bool:
    """True when ``text`` carries a mark of Vietnamese spelling that the other languages
    of the partner list do not use.

    >>> [has_vietnamese_marks(w) for w in ("Trường", "cấp", "Đà", "São", "Pécs", "Hà")]
    [True, True, True, False, False, False]
    """
    if text.isascii():
        return False
    for char in text:
        if char in "đĐ":
            return True
        marks = [m for m in unicodedata.normalize("NFD", char)[1:] if unicodedata.combining(m)]
        if len(marks) > 1 or _VIETNAMESE_MARKS.intersection(marks):
            return True
    return False


def case_pattern(token: str) -> str:
    """``"lower"``, ``"upper"``, ``"title"`` or ``"mixed"`` (``SudParis``, ``iPhone``).

    >>> [case_pattern(t) for t in ("of", "KIIT", "Science", "RheinMain")]
    ['lower', 'upper', 'title', 'mixed']
    """
    if token.islower():
        return "lower"
    if token.isupper():
        return "title" if len(token) == 1 else "upper"
    if token[:1].isupper() and (len(token) == 1 or token[1:].islower()):
        return "title"
    return "mixed"


def apply_case(word: str, pattern: str) -> str:
    """Write ``word`` (lowercase) in a token's case pattern."""
    if pattern == "upper":
        return word.upper()
    if pattern == "title":
        return word[:1].upper() + word[1:]
    return word


@cache  # unbounded: a bounded cache overflows on a large page
def tokens_of(text: str) -> tuple[str, ...]:
    """The word tokens of a text (letters only; ``d'Ingénieurs`` -> ``d``, ``Ingénieurs``).

    >>> tokens_of("King Mongkut's University")
    ('King', 'Mongkut', 's', 'University')
    """
    return tuple(TOKEN_RE.findall(text))


def segment_start(text: str, start: int) -> bool:
    """True when the token at ``start`` opens the name or a part of it (after ``,`` ``(`` ``-``)."""
    before = text[:start].rstrip()
    return not before or before[-1] in _SEGMENT_OPENERS


def is_all_caps(text: str) -> bool:
    """True for a name written in capitals (``UNIVERSITE DE LYON``): the cleaner leaves its
    words as they are.

    >>> is_all_caps("ÜNİVERSİTESİ ANKARA"), is_all_caps("KIIT University")
    (True, False)
    """
    return text.isupper() and sum(c.isalpha() for c in text) >= 4
