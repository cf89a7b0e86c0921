"""The accents fixer: accents of vocabulary words and of words the page spells with them."""

from __future__ import annotations

import re

from pipeline.names.context import PageContext, page_accent_keys, resources_of
from pipeline.names.fixers import name_languages_of, until_stable
from pipeline.names.resources import Resources
from pipeline.names.text import (
    APOSTROPHES,
    TOKEN_RE,
    apply_case,
    case_pattern,
    fold,
    has_diacritics,
    has_vietnamese_marks,
    is_all_caps,
    lower,
    tokens_of,
)


def restore_accents(text: str, ctx: PageContext | None = None) -> str:
    """Give back the accents of a word written without them, when the accented form is known.

    Known: a vocabulary word (``Universite`` -> ``Université``, ``Ecole`` -> ``École``) in
    the language of the rest of the name, or a spelling the page uses next to the same
    neighbouring word (``Sao Paulo`` when the page writes ``São Paulo``; in a name written
    without any accents, only for a place's whole name), or an accented word
    the page uses for a token that is neither a vocabulary word nor common English.
    Changes only when exactly one accented form is known. Leaves alone: words with accents
    already, words that are themselves in the vocabulary (Catalan ``Universitat``), names
    in another language than the accented word's, words no accented form is known for
    (``Telecom``: the page never writes ``Télécom``), common English words (``College``),
    a word the name itself also writes with accents (a name given in two forms), and
    Vietnamese marks in a name written without any accents (``Truong Trung cap nghe``).

    >>> restore_accents("Universite de Picardie Jules Verne")
    'Université de Picardie Jules Verne'
    >>> restore_accents("Telecom SudParis")
    'Telecom SudParis'
    >>> restore_accents("Université Lumière | Universite Lumiere")
    'Université Lumière | Universite Lumiere'
    """
    # An accent given back can settle the language of the name and so decide another word
    # (``University Universites Ecole``); each round adds accents to at least one word.
    return until_stable(_restore_accents_once, text, ctx)


def _restore_accents_once(text: str, ctx: PageContext | None) -> str:
    resources = resources_of(ctx)
    keys = resources.vocabulary.accentable
    if ctx is not None:
        keys = ctx.accent_keys or page_accent_keys(keys, ctx.accented_words, ctx.accented_bigrams)
    if is_all_caps(text) or keys.isdisjoint(map(lower, tokens_of(text))):
        return text
    matches = list(TOKEN_RE.finditer(text))
    protected = ctx.protected if ctx else frozenset()
    pieces = []
    last = 0
    for i, match in enumerate(matches):
        token = match.group()
        if lower(token) not in keys or token in protected or _written_both_ways(matches, i):
            continue
        others = [m.group() for j, m in enumerate(matches) if j != i]
        languages = name_languages_of(others, resources, ctx)
        if not _may_take_accents(match):
            continue
        forms = _accented_forms(matches, i, languages, resources, ctx)
        if len(forms) != 1:
            continue
        pieces.append(text[last : match.start()])
        pieces.append(apply_case(forms.pop(), case_pattern(token)))
        last = match.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def _written_both_ways(matches: list[re.Match[str]], i: int) -> bool:
    """True when the name itself writes token ``i`` with accents elsewhere: a name given in
    two forms (``Thành Đô | Thanh Do College``) writes the plain one so on purpose."""
    folded = fold(matches[i].group())
    return any(
        j != i and has_diacritics(m.group()) and fold(m.group()) == folded
        for j, m in enumerate(matches)
    )


def _may_take_accents(match: re.Match[str]) -> bool:
    """Not when it has accents already (or is another script), is mixed-case, is followed
    by an apostrophe standing for its accent (``Universita'``)."""
    token = match.group()
    if not token.isascii() or case_pattern(token) == "mixed":
        return False
    after = match.string[match.end() : match.end() + 1]
    return not (after and after in APOSTROPHES)


def _accented_forms(
    matches: list[re.Match[str]],
    i: int,
    languages: frozenset[str],
    resources: Resources,
    ctx: PageContext | None,
) -> set[str]:
    """The accented spellings known for token ``i`` in the name's ``languages``."""
    low = lower(matches[i].group())
    forms = {
        w
        for w in resources.accent_forms(low)
        if not languages or languages & resources.vocabulary.words[w]
    }
    if ctx is not None:
        forms.update(_page_accent_forms(ctx, matches, i, languages, resources))
    token = matches[i].group()
    if not any(has_diacritics(m.group()) for m in matches):
        # Vietnamese written without its marks is a convention (``Truong Trung cap nghe Cu
        # Chi``), and putting back some syllables' marks leaves a name in neither spelling.
        forms = {w for w in forms if not has_vietnamese_marks(w)}
    return {w for w in forms if not _real_as_written(token, w, languages, resources)}


def _same_language(word: str, languages: frozenset[str], resources: Resources) -> bool:
    """True when ``word`` is a word of one of the name's ``languages``."""
    return bool(languages & resources.word_languages(word))


def _real_as_written(
    token: str, form: str, languages: frozenset[str], resources: Resources
) -> bool:
    """True when ``token`` is itself a word of the name's language, as common as the
    accented ``form`` or more (Dutch ``Academie``, Spanish ``Colegio``, Vietnamese ``Vinh``; not
    French ``Ecole``, many times rarer than ``École``)."""
    own = resources.word_languages(token)
    if languages:
        own &= languages
    if not own:
        return False
    return resources.zipf(token, own) >= resources.zipf(form, own)


def _page_accent_forms(
    ctx: PageContext,
    matches: list[re.Match[str]],
    i: int,
    languages: frozenset[str],
    resources: Resources,
) -> set[str]:
    """Accented spellings the page uses for token ``i``: next to the same neighbouring word
    (a place's name, or in the name's language: ``São Paulo``), or anywhere when the token
    is neither a vocabulary word nor common English and the spelling is of the name's
    language (never ``Colégio`` onto a Spanish ``Colegio``); in the name's language only
    when the name writes another word with accents."""
    low = fold(matches[i].group())
    forms: set[str] = set()
    # A name written without any accent is written so on purpose (``Pontificia Universidad
    # Catolica de Chile``): the page's accented words are evidence only for a name that
    # writes its other words with accents; a place's spelling next to the same word too,
    # and in a name of the spelling's own language when that word is a place word as well
    # (the place's whole name: ``Universidade de Sao Paulo``; not ``studija Nis`` from
    # ``studija Niš``, nor an English ``Hai Phong University`` from ``Hải Phòng``).
    accented_name = any(has_diacritics(m.group()) for j, m in enumerate(matches) if j != i)
    pairs = []
    if i + 1 < len(matches):
        pairs.append((0, (low, fold(matches[i + 1].group()))))
    if i > 0:
        pairs.append((1, (fold(matches[i - 1].group()), low)))
    for side, key in pairs:
        spelled = ctx.accented_bigrams.get(key)
        if not spelled or not has_diacritics(spelled[side]):
            continue
        word = spelled[side]
        neighbour = key[1 - side]
        place = resources.is_place(word)
        same_language = _same_language(word, languages, resources)
        if (accented_name and (place or same_language)) or (
            place and same_language and resources.is_place(neighbour)
        ):
            forms.add(word)
    known = low in resources.vocabulary.words or resources.is_common_english(low)
    if not forms and not known and accented_name:
        forms.update(
            w for w in ctx.accented_words.get(low, ()) if _same_language(w, languages, resources)
        )
    return forms
