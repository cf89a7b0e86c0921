"""The name cleaner: runs the registry over one page's names and splits each clean name."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from pipeline.names.context import PageContext, page_accent_keys
from pipeline.names.fixers.invisible import remove_invisible
from pipeline.names.fixers.overrides import override_tokens
from pipeline.names.fixers.punctuation import fix_punctuation
from pipeline.names.fixers.spelling import spelling_suggestions
from pipeline.names.fixers.unicode import fix_unicode
from pipeline.names.memo import PageMemo
from pipeline.names.records import Change, Override, Suggestion
from pipeline.names.registry import REGISTRY
from pipeline.names.resources import Resources, default_resources
from pipeline.names.split import NameCore, name_core, split_core, split_name, system_names_of
from pipeline.names.text import TOKEN_RE, fold, has_diacritics, lower, tokens_of

#: Remembered answers that do not depend on the page: the page's cleaner and the one that
#: cleans each name alone (for its id) share them.
PAGE_FREE_MEMOS = ("languages", "language_votes")

#: An override of the whole name wins over every fix: only these run then.
_OVERRIDE_ONLY = REGISTRY.only(("invisible", "unicode", "override"))


@dataclass(frozen=True)
class CleanedName:
    """A clean name, its parts, what was changed and what may need a look."""

    name: str
    institution: str
    unit: str | None
    abbreviation: str | None
    changes: tuple[Change, ...]
    suggestions: tuple[Suggestion, ...]


def _page_evidence(names: list[str]) -> tuple[dict, dict, dict, frozenset, dict]:
    """Token counts, accented spellings, accented word pairs and word pairs of a page, and
    the lowercase words of each name."""
    words: dict[str, frozenset[str]] = {}
    counts: Counter[str] = Counter()
    pairs: set[tuple[str, str]] = set()
    accented: dict[str, set[str]] = {}
    bigrams: dict[tuple[str, str], tuple[str, str]] = {}
    for name in names:
        tokens = tokens_of(name)  # remembered: the fixers read the same tokens of the name
        if name.isascii():  # lowercasing keeps ASCII tokens whole: one scan is enough
            low_tokens = [token.lower() for token in tokens]
            own = set(low_tokens)
            counts.update(own)
            words[name] = frozenset(own)
            pairs.update(pairwise(low_tokens))
            continue
        own = set(TOKEN_RE.findall(lower(name)))
        counts.update(own)
        words[name] = frozenset(own)
        folded = TOKEN_RE.findall(fold(name))
        if len(folded) == len(tokens):  # folding can merge a mark into a token; rare
            pairs.update(pairwise(folded))
        marked = [has_diacritics(token) for token in tokens]
        for token, mark in zip(tokens, marked, strict=True):
            if mark:
                accented.setdefault(fold(token), set()).add(lower(token))
        for (a, b), (mark_a, mark_b) in zip(pairwise(tokens), pairwise(marked), strict=True):
            if mark_a or mark_b:
                key = (fold(a), fold(b))
                pair = (lower(a), lower(b))
                bigrams[key] = pair if bigrams.get(key, pair) == pair else ("", "")
    accented_words = {k: frozenset(v) for k, v in accented.items()}
    return dict(counts), accented_words, bigrams, frozenset(pairs), words


def _prepare(raw: str) -> tuple[str, str, str]:
    """``raw`` after the invisible, unicode and punctuation fixers, in turn."""
    visible = remove_invisible(raw)
    unicode_clean = fix_unicode(visible)
    return visible, unicode_clean, fix_punctuation(unicode_clean)


class NameCleaner:
    """Cleans the names of one page, using what the whole page says.

    >>> page = ["University of California Davis", "University of California, San Diego"]
    >>> NameCleaner(page).clean("University of California Davis").name
    'University of California, Davis'
    """

    def __init__(
        self,
        page_names: Iterable[str] = (),
        *,
        overrides: Iterable[Override] | None = None,
        resources: Resources | None = None,
    ) -> None:
        """``overrides``: the curated overrides to use (default: ``name_overrides.csv``);
        ``resources``: the data to clean with (default: :func:`default_resources`)."""
        self.resources = resources or default_resources()
        self.page_names = tuple(page_names)
        #: What the first, page-blind fixers make of each name of the page: computed here for
        #: the page's evidence, and not again when the name is cleaned.
        self._prepared = {raw: _prepare(raw) for raw in self.page_names}
        unicode_clean = [self._prepared[raw][1] for raw in self.page_names]
        normalized = [self._prepared[raw][2] for raw in self.page_names]
        counts, accented, bigrams, pairs, words = _page_evidence(normalized)
        self._on_page = {
            u: words[n] if u == n else frozenset(TOKEN_RE.findall(lower(u)))
            for u, n in zip(unicode_clean, normalized, strict=True)
        }
        #: The parts of each name as the page spells it: most names are clean already, and
        #: their split is then read from here.
        self._cores: dict[str, NameCore] = {name: name_core(name) for name in normalized}
        self.overrides = self.resources.overrides if overrides is None else tuple(overrides)
        self._whole_name_overrides = frozenset(
            name for o in self.overrides if o.scope == "name" for name in (o.match, o.replacement)
        )
        self._memo = PageMemo()
        self.context = PageContext(
            page_words=counts,
            accented_words=accented,
            accented_bigrams=bigrams,
            accent_keys=page_accent_keys(self.resources.vocabulary.accentable, accented, bigrams),
            page_pairs=pairs,
            system_names=system_names_of(self._cores.values()),
            overrides=self.overrides,
            resources=self.resources,
            memo=self._memo,
        )
        self._cache: dict[str, CleanedName] = {}
        self._alone: NameCleaner | None = None
        #: Identity names depend on the raw name, the overrides and the resources only: with
        #: the default overrides they are kept with the resources, for every page of the run
        #: (a history meets the same names in every version).
        self._identities: dict[str, str] = (
            self.resources.derived("identity_names", _new_table)
            if overrides is None
            else {}
        )

    def identity_name(self, raw: str) -> str:
        """The name a partner's id is computed from: ``raw`` cleaned on its own.

        Every fixer runs, without the page's evidence (the curated overrides still apply),
        so the result depends on this one name only: no other row of the page can move it.
        Page evidence may improve :attr:`CleanedName.name`, never this.

        >>> page = ["University of California Davis", "University of California, San Diego"]
        >>> NameCleaner(page).identity_name("University of California Davis")
        'University of California Davis'
        """
        if not self.page_names:
            return self.clean(raw).name
        known = self._identities.get(raw)
        if known is not None:
            return known
        if self._alone is None:
            self._alone = NameCleaner(overrides=self.overrides, resources=self.resources)
            self._alone._memo.share(self._memo, PAGE_FREE_MEMOS)
            self._alone._cores = self._cores
            self._alone._prepared = self._prepared
        known = self._identities[raw] = self._alone.clean(raw).name
        return known

    def _context_for(self, unicode_clean: str) -> PageContext:
        """The page's context with this name's own words and protected tokens."""
        return self.context.for_name(
            self._on_page.get(unicode_clean, frozenset()),
            override_tokens(unicode_clean, self.overrides),
        )

    def clean(self, raw: str) -> CleanedName:
        """Clean one name; results are remembered per raw string."""
        cached = self._cache.get(raw)
        if cached is not None:
            return cached
        prepared = self._prepared.get(raw) or _prepare(raw)
        visible, unicode_clean, punctuated = prepared
        ctx = self._context_for(unicode_clean)
        registry = REGISTRY
        if unicode_clean in self._whole_name_overrides:
            registry = _OVERRIDE_ONLY
        known = {
            "invisible": (raw, visible),
            "unicode": (visible, unicode_clean),
            "punctuation": (unicode_clean, punctuated),
        }
        name, changes = registry.apply(raw, ctx, known)
        core = self._cores.get(name)
        parts = split_name(name) if core is None else split_core(core)
        result = CleanedName(
            name=name,
            institution=parts.institution,
            unit=parts.unit,
            abbreviation=parts.abbreviation,
            changes=changes,
            suggestions=spelling_suggestions(name, ctx),
        )
        self._cache[raw] = result
        return result


def _new_table(_resources: Resources) -> dict[str, str]:
    return {}


_ALONE: list[NameCleaner] = []


def clean_name(raw: str, page_names: Iterable[str] = ()) -> CleanedName:
    """Clean one name, optionally with the other names of its page as context.

    >>> clean_name("Univetsitas Hasanuddin").name
    'Universitas Hasanuddin'
    """
    page = tuple(page_names)
    if page:
        return NameCleaner(page).clean(raw)
    if not _ALONE:
        _ALONE.append(NameCleaner())
    return _ALONE[0].clean(raw)
