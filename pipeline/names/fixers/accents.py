"""The accents fixer: accents of vocabulary words and of words the page spells with them."""

from __future__ import annotations

import re

from pipeline.names.context import PageContext, page_accent_keys, resources_of
from pipeline.names.resources import Resources
from pipeline.names.text import TOKEN_RE, apply_case, case_pattern, fold, has_diacritics, tokens_of


def restore_accents(text: str, ctx: PageContext | None = None) -> str:
    """Give back the accents of a word written without them, when the accented form is known.

    Known: a vocabulary word (``Universite`` -> ``Université``, ``Ecole`` -> ``École``) in
    the language of the rest of the name, or a spelling the page uses next to the same
    neighbouring word (``Sao Paulo`` when the page writes ``São Paulo``), or an accented word
    the page uses for a token that is neither a vocabulary word nor common English.
    Changes only when exactly one accented form is known. Leaves alone: words with accents
    already, words that are themselves in the vocabulary (Catalan ``Universitat``), names
    in another language than the accented word's, words no accented form is known for
    (``Telecom``: the page never writes ``Télécom``), common English words (``College``).

    >>> restore_accents("Universite de Picardie Jules Verne")
    'Université de Picardie Jules Verne'
    >>> restore_accents("Telecom SudParis")
    'Telecom SudParis'
    """
    resources = resources_of(ctx)
    vocabulary = resources.vocabulary
    keys = vocabulary.accentable
    if ctx is not None:
        keys = ctx.accent_keys or page_accent_keys(keys, ctx.accented_words, ctx.accented_bigrams)
    if not any(token.lower() in keys for token in tokens_of(text)):
        return text
    matches = list(TOKEN_RE.finditer(text))
    markers: list[frozenset[str]] | None = None
    protected = ctx.protected if ctx else frozenset()
    pieces = []
    last = 0
    for i, match in enumerate(matches):
        token = match.group()
        low = token.lower()
        if low not in keys or not token.isascii() or token in protected:
            continue  # nothing known, accents already (or another script), or protected
        pattern = case_pattern(token)
        if pattern == "mixed":
            continue
        forms: set[str] = set()
        vocab_forms = resources.accent_forms(low)
        if vocab_forms:
            if markers is None:
                markers = [vocabulary.languages_of(m.group()) for m in matches]
            # The language of the rest of the name (the token itself would vote for the form).
            languages = frozenset().union(
                *(langs for j, langs in enumerate(markers) if j != i and len(langs) == 1)
            )
            forms.update(w for w in vocab_forms if not languages or languages & vocabulary.words[w])
        if ctx is not None:
            forms.update(_page_accent_forms(ctx, matches, i, low, resources))
        if len(forms) != 1:
            continue
        pieces.append(text[last : match.start()])
        pieces.append(apply_case(forms.pop(), pattern))
        last = match.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def _page_accent_forms(
    ctx: PageContext, matches: list[re.Match[str]], i: int, low: str, resources: Resources
) -> set[str]:
    """Accented spellings the page uses for ``low``: next to the same neighbouring word, or
    anywhere when ``low`` is neither a vocabulary word nor common English."""
    forms: set[str] = set()
    if i + 1 < len(matches):
        pair = ctx.accented_bigrams.get((low, fold(matches[i + 1].group())))
        if pair and has_diacritics(pair[0]):
            forms.add(pair[0])
    if i > 0:
        pair = ctx.accented_bigrams.get((fold(matches[i - 1].group()), low))
        if pair and has_diacritics(pair[1]):
            forms.add(pair[1])
    if not forms and low not in resources.vocabulary.words and not resources.is_common_english(low):
        forms.update(ctx.accented_words.get(low, ()))
    return forms
