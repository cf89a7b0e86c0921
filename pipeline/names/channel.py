"""How likely a misspelling is: the error model of the spelling corrector (noisy channel).

People drop or double a letter, swap two neighbours, hit the key next to the right one;
they rarely type an unrelated letter. :func:`edit_log_likelihood` rates the single edit that
turns the intended word into the typed token (log10 of a relative likelihood); the spelling
fixer adds the word's own frequency in the name's language (Zipf) and ranks by the sum.
"""

from __future__ import annotations

from math import log10

from rapidfuzz.distance import OSA

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_POSITION = {c: (r, i) for r, row in enumerate(_ROWS) for i, c in enumerate(row)}
VOWELS = frozenset("aeiouy")

TRANSPOSITION = log10(0.25)
DOUBLED = log10(0.3)  # a letter doubled or a double letter written once
DROPPED = log10(0.25)
NEIGHBOUR_KEY = log10(0.12)
VOWEL = log10(0.08)
OTHER = log10(0.01)
TWO_EDITS = log10(0.001)


def neighbours(a: str, b: str) -> bool:
    """True for two letters next to each other on a QWERTY keyboard.

    >>> neighbours("s", "d"), neighbours("l", "s")
    (True, False)
    """
    pa, pb = _POSITION.get(a), _POSITION.get(b)
    if pa is None or pb is None or a == b:
        return False
    return abs(pa[0] - pb[0]) <= 1 and abs(pa[1] - pb[1]) <= 1


def is_transposition(typed: str, intended: str) -> bool:
    """True when ``typed`` is ``intended`` with two neighbouring letters swapped.

    >>> is_transposition("regensbrug", "regensburg"), is_transposition("songkla", "songkhla")
    (True, False)
    """
    if len(typed) != len(intended) or typed == intended:
        return False
    diff = [i for i, (a, b) in enumerate(zip(typed, intended, strict=True)) if a != b]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and typed[diff[0]] == intended[diff[1]]
        and typed[diff[1]] == intended[diff[0]]
    )


def edit_log_likelihood(typed: str, intended: str) -> float:
    """log10 of how likely ``intended`` (folded) was typed as ``typed`` (folded).

    >>> edit_log_likelihood("statisticl", "statistical") > edit_log_likelihood(
    ...     "statisticl", "statistics")
    True
    """
    if typed == intended:
        return 0.0
    if OSA.distance(typed, intended, score_cutoff=1) > 1:
        return TWO_EDITS
    if is_transposition(typed, intended):
        return TRANSPOSITION
    if len(typed) == len(intended):
        diff = [i for i, (a, b) in enumerate(zip(typed, intended, strict=True)) if a != b]
        a, b = typed[diff[0]], intended[diff[0]]
        if neighbours(a, b):
            return NEIGHBOUR_KEY
        return VOWEL if a in VOWELS and b in VOWELS else OTHER
    if len(typed) < len(intended):  # a letter dropped
        return _dropped(intended, typed)
    return _inserted(typed, intended)


def two_likely_slips(typed: str, intended: str) -> bool:
    """True when ``typed`` is two edits from ``intended`` and each is a likely slip (no
    unrelated letter typed): ``managmant`` (a letter dropped, a vowel for a vowel) and
    ``techlogical`` (two letters dropped) are; ``humanistics`` for ``humanities`` (a
    ``c`` for an ``e``) is not.

    >>> two_likely_slips("managmant", "management"), two_likely_slips("humanistics", "humanities")
    (True, False)
    """
    if OSA.distance(typed, intended, score_cutoff=2) != 2:
        return False
    letters = "".join(sorted(set(typed) | set(intended)))
    return any(
        OSA.distance(middle, intended, score_cutoff=1) == 1
        and min(edit_log_likelihood(typed, middle), edit_log_likelihood(middle, intended)) > OTHER
        for middle in one_edit_away(typed, letters)
    )


def one_edit_away(typed: str, letters: str, start: int = 0) -> set[str]:
    """Every string one edit from ``typed`` at position ``start`` or after: a letter of
    ``letters`` added or put in place of one, a letter dropped, two neighbours swapped.

    >>> sorted(one_edit_away("ab", "x", start=1))
    ['a', 'abx', 'ax', 'axb']
    """
    forms: set[str] = set()
    for i in range(start, len(typed) + 1):
        head, tail = typed[:i], typed[i:]
        forms.update(head + c + tail for c in letters)
        if tail:
            forms.add(head + tail[1:])
            forms.update(head + c + tail[1:] for c in letters)
        if len(tail) > 1:
            forms.add(head + tail[1] + tail[0] + tail[2:])
    return forms


def _first_difference(longer: str, shorter: str) -> int:
    for i, (a, b) in enumerate(zip(longer, shorter, strict=False)):
        if a != b:
            return i
    return len(shorter)


def _dropped(intended: str, typed: str) -> float:
    i = _first_difference(intended, typed)
    letter = intended[i]
    if (i > 0 and intended[i - 1] == letter) or intended[i + 1 : i + 2] == letter:
        return DOUBLED
    return DROPPED


def _inserted(typed: str, intended: str) -> float:
    i = _first_difference(typed, intended)
    letter = typed[i]
    if (i > 0 and typed[i - 1] == letter) or typed[i + 1 : i + 2] == letter:
        return DOUBLED
    around = typed[i - 1 : i] + typed[i + 1 : i + 2]
    if any(neighbours(letter, c) for c in around):
        return NEIGHBOUR_KEY
    return OTHER
