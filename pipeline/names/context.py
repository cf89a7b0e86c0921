"""What the rest of the page tells the fixers about one name (:class:`PageContext`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pipeline.names.memo import PageMemo
from pipeline.names.records import Override
from pipeline.names.resources import Resources, default_resources
from pipeline.names.text import has_diacritics, lower


@dataclass(frozen=True)
class PageContext:
    """The page's evidence for cleaning one name, and the resources to clean it with.

    ``page_words``: lowercase token -> number of page names using it.
    ``own_words``: lowercase tokens of the name being cleaned when it is itself on the page
    (a word counts as "used elsewhere on the page" only if some *other* name uses it).
    ``accented_words``: folded lowercase form -> lowercase accented spellings on the page.
    ``accented_bigrams``: (folded word, folded next word) -> their spellings on the page,
    for pairs where one of them has accents (``São Paulo``).
    ``page_pairs``: adjacent (folded) word pairs of the page's names.
    ``accent_keys``: folded words the page or the vocabulary offers an accented spelling for.
    ``system_names``: institution names the page follows with ``, <campus>``.
    ``protected``: tokens covered by an override phrase; spelling, accents and casing leave
    them alone.
    ``overrides``: the curated overrides (``None``: those of ``resources``).
    ``resources``: the data the fixers consult (``None``: :func:`default_resources`).
    ``memo``: answers remembered for the cleaner's page (:mod:`pipeline.names.memo`); shared
    by the contexts of one cleaner; ``None``: nothing is remembered.
    """

    page_words: Mapping[str, int] = field(default_factory=dict)
    own_words: frozenset[str] = frozenset()
    accented_words: Mapping[str, frozenset[str]] = field(default_factory=dict)
    accented_bigrams: Mapping[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    accent_keys: frozenset[str] | None = None
    page_pairs: frozenset[tuple[str, str]] = frozenset()
    system_names: tuple[str, ...] = ()
    protected: frozenset[str] = frozenset()
    overrides: tuple[Override, ...] | None = None
    resources: Resources | None = None
    memo: PageMemo | None = field(default=None, compare=False, repr=False)

    def for_name(self, own_words: frozenset[str], protected: frozenset[str]) -> PageContext:
        """This context with one name's own fields: what ``dataclasses.replace`` gives, made
        without running ``__init__`` again (the cleaner makes one context per name, and
        ``replace`` costs several times the copy).

        >>> from dataclasses import replace
        >>> page = PageContext(page_words={"tech": 2})
        >>> page.for_name(frozenset({"tech"}), frozenset()) == replace(
        ...     page, own_words=frozenset({"tech"}), protected=frozenset())
        True
        """
        copied = object.__new__(PageContext)
        fields = copied.__dict__
        fields.update(self.__dict__)
        fields["own_words"] = own_words
        fields["protected"] = protected
        return copied

    def used_elsewhere(self, token: str) -> bool:
        """True when another name on the page uses ``token`` (case-insensitive)."""
        low = lower(token)
        return self.page_words.get(low, 0) - (low in self.own_words) > 0


def resources_of(ctx: PageContext | None) -> Resources:
    """The resources a fixer uses: the context's, else the default ones."""
    if ctx is not None and ctx.resources is not None:
        return ctx.resources
    return default_resources()


def page_accent_keys(
    accentable: frozenset[str],
    words: Mapping[str, frozenset[str]],
    bigrams: Mapping[tuple[str, str], tuple[str, str]],
) -> frozenset[str]:
    """Folded words the page (``words``, ``bigrams``) or the vocabulary (``accentable``)
    offers an accented spelling for."""
    found = set(words) | accentable
    for (first, second), (spelled_first, spelled_second) in bigrams.items():
        if has_diacritics(spelled_first):
            found.add(first)
        if has_diacritics(spelled_second):
            found.add(second)
    return frozenset(found)
