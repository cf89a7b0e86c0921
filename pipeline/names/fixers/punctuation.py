"""The punctuation fixer: spaces around parentheses, dashes and commas."""

from __future__ import annotations

import re

from pipeline.names.context import PageContext

_OPEN_INNER_SPACE = re.compile(r"\(\s+")
_CLOSE_INNER_SPACE = re.compile(r"\s+\)")
_GLUED_OPEN = re.compile(r"(?<=[^\W_])\((?=[^\W\d_])")
_GLUED_CLOSE = re.compile(r"\)(?=[^\W\d_])")
# A dash glued to the word before it, then a space, then a word not in lowercase (a lowercase
# word after it is a suspended hyphen: ``Bildungs- und``, ``Informations- und``).
_DASH_GLUED_LEFT = re.compile(r"(?<=[^\W_])([-–—])\s+(?=[^\W_])")
_DASH_GLUED_RIGHT = re.compile(r"(?<=[^\W_])\s+([-–—])(?=[^\W_])")
# The conjunctions a suspended hyphen waits for, in the languages that write one (German,
# Dutch, the Scandinavian languages, Hungarian, Finnish): ``Bildungs- und``.
_SUSPENDING_CONJUNCTIONS = r"(?:und|oder|sowie|bzw|u|en|og|och|eller|és|ja)"
# What follows a suspended hyphen up to its conjunction: more words of a chain
# (``Bundes- Lehr- und``), then at most one word (``Kaiser- Wilhelm und Ratsgymnasium``).
_SUSPENDED_NEXT = re.compile(
    rf"(?:[^\W\d_]+[-–]\s+)*(?:[^\W\d_]+\s+)?{_SUSPENDING_CONJUNCTIONS}[\s.]"
)
# A suspended first half: ``… und -technologie``.
_SUSPENDING_BEFORE = re.compile(rf"(?:^|\s){_SUSPENDING_CONJUNCTIONS}$")
_SPACE_BEFORE_COMMA = re.compile(r"\s+(?=[,;])")
_REPEATED_COMMA = re.compile(r",[\s,]*,")
_COMMA_GLUED = re.compile(r"(?<=[^\W\d_]),(?=[^\W\d_])")
_DOUBLE_SPACE = re.compile(r"\s{2,}")
# One search each, to skip the substitutions above for the usual, well-spaced name.
_PAREN_TROUBLE = re.compile(r"\(\s|\s\)|[^\W_]\(|\)[^\W\d_]")
_DASH_TROUBLE = re.compile(r"[^\W_][-–—]\s|[^\W_]\s+[-–—][^\W_]")
_COMMA_TROUBLE = re.compile(r"\s[,;]|,[\s,]*,|[^\W\d_],[^\W\d_]")
_LEADING = re.compile(r"^[\s,;:]+")
_TRAILING = re.compile(r"[\s,;:]+$")
# An HTML character reference (``&quot;``, ``&#351;``) ends in a semicolon that is no
# punctuation: a list copied from HTML source keeps them, and they stay whole.
_CHARACTER_REFERENCE_END = re.compile(r"&(?:#[0-9]+|#x[0-9a-f]+|[a-z][a-z0-9]*);$", re.I)
_EDGE_CHARS = frozenset(",;:") | {c for c in map(chr, range(0x3000 + 1)) if c.isspace()}


def _space_before_if_upper(match: re.Match[str]) -> str:
    following = match.string[match.end() : match.end() + 1]
    return " (" if following.isupper() else "("


def _space_after_if_upper(match: re.Match[str]) -> str:
    following = match.string[match.end() : match.end() + 1]
    return ") " if following.isupper() else ")"


def _spaced_dash_unless_suspended(match: re.Match[str]) -> str:
    following = match.string[match.end() : match.end() + 1]
    if following.islower() or _SUSPENDED_NEXT.match(match.string, match.end()):
        return match.group(0)
    return f" {match.group(1)} "


def _spaced_dash_unless_suspended_after(match: re.Match[str]) -> str:
    following = match.string[match.end() : match.end() + 1]
    if following.islower() and _SUSPENDING_BEFORE.search(match.string, 0, match.start()):
        return match.group(0)  # ``und -technologie``: the first half's ending suspended
    return f" {match.group(1)} "


def fix_punctuation(text: str, ctx: PageContext | None = None) -> str:
    """Space punctuation the way the rest of the page does.

    Changes: a ``(`` glued to the word before it when a capital follows (``Women(IGDTUW)``
    -> ``Women (IGDTUW)``) and a ``)`` glued to a capitalized word after it; spaces just
    inside parentheses; a dash spaced on one side only between two words (``III- Paul`` ->
    ``III - Paul``); spaces before a comma, a missing space after a comma between words,
    repeated commas; commas, semicolons, colons and spaces at either end (``Research,``).
    Leaves alone: the semicolon of an HTML character reference (``&quot;Tor Vergata&quot;``),
    suspended hyphens (``Bildungs- und``: a lowercase word follows; ``Bundes- Lehr- und``:
    a chain of them up to a conjunction; ``Kaiser- Wilhelm und``: a word then a conjunction
    follow; ``und -technologie``: after a conjunction, before a lowercase word),
    hyphenated words (``Paris-Saclay``, ``Franche-Comté``), lowercase parentheticals
    (``Student(s)``), periods (``St. Petersburg``), ``&``, apostrophes.

    >>> fix_punctuation("Indira Gandhi Delhi Technical University for Women(IGDTUW)")
    'Indira Gandhi Delhi Technical University for Women (IGDTUW)'
    >>> fix_punctuation("Université Toulouse III- Paul Sabatier")
    'Université Toulouse III - Paul Sabatier'
    >>> fix_punctuation("Indian Institute of Science Education and Research,")
    'Indian Institute of Science Education and Research'
    >>> fix_punctuation("University of Roma &quot;Tor Vergata&quot;")
    'University of Roma &quot;Tor Vergata&quot;'
    >>> fix_punctuation("Höhere Bundes- Lehr- und Versuchsanstalt")
    'Höhere Bundes- Lehr- und Versuchsanstalt'
    >>> fix_punctuation("Universität für Gesundheitswissenschaften und -technologie")
    'Universität für Gesundheitswissenschaften und -technologie'
    >>> fix_punctuation("University of Hawaii- Manoa and Hilo")
    'University of Hawaii - Manoa and Hilo'
    >>> fix_punctuation("Université Paris- Saclay- Sud")
    'Université Paris - Saclay - Sud'
    >>> fix_punctuation("Université Bourgogne Franche-Comté (UBFC)")
    'Université Bourgogne Franche-Comté (UBFC)'
    """
    if ("(" in text or ")" in text) and _PAREN_TROUBLE.search(text):
        text = _OPEN_INNER_SPACE.sub("(", text)
        text = _CLOSE_INNER_SPACE.sub(")", text)
        text = _GLUED_OPEN.sub(_space_before_if_upper, text)
        text = _GLUED_CLOSE.sub(_space_after_if_upper, text)
    if ("-" in text or "–" in text or "—" in text) and _DASH_TROUBLE.search(text):
        text = _DASH_GLUED_LEFT.sub(_spaced_dash_unless_suspended, text)
        text = _DASH_GLUED_RIGHT.sub(_spaced_dash_unless_suspended_after, text)
    if ("," in text or ";" in text) and _COMMA_TROUBLE.search(text):
        text = _SPACE_BEFORE_COMMA.sub("", text)
        text = _REPEATED_COMMA.sub(",", text)
        text = _COMMA_GLUED.sub(", ", text)
    if "  " in text:
        text = _DOUBLE_SPACE.sub(" ", text)
    if text[:1] in _EDGE_CHARS or text[-1:] in _EDGE_CHARS:
        text = _strip_edges(text)
    return text


def _strip_edges(text: str) -> str:
    """``text`` without commas, semicolons, colons and spaces at either end, except the
    semicolon that ends a character reference."""
    text = _LEADING.sub("", text)
    trailing = _TRAILING.search(text)
    if trailing is None:
        return text
    cut = trailing.start()
    if text[cut] == ";" and _CHARACTER_REFERENCE_END.search(text, 0, cut + 1):
        cut += 1
    return text[:cut]
