"""The spelling fixer: unknown tokens next to one word of the domain vocabulary."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import OSA

from pipeline.names.context import PageContext, resources_of
from pipeline.names.records import Suggestion
from pipeline.names.resources import Resources, Vocabulary
from pipeline.names.text import TOKEN_RE, apply_case, case_pattern, fold, has_diacritics, tokens_of

#: Shorter tokens are never spelling-corrected: too many names and acronyms are that short.
MIN_SPELL_LENGTH = 4


@dataclass(frozen=True)
class SpellingDecision:
    """What the spelling fixer does with one token: ``keep``, ``fix`` or ``suggest``."""

    action: str
    replacement: str | None = None
    candidates: tuple[str, ...] = ()
    reason: str = ""
    ambiguous: bool = False  # a suggestion because several words are equally near


_KEEP_SHORT = SpellingDecision("keep", reason="too short to correct safely")
_KEEP_CASE = SpellingDecision("keep", reason="acronym or mixed-case proper noun")
_KEEP_VOCAB = SpellingDecision("keep", reason="a vocabulary word (accents aside)")
_KEEP_FAR = SpellingDecision("keep", reason="not near any vocabulary word")
_KEEP_KNOWN = SpellingDecision("keep", reason="a known word")


class SpellingIndex:
    """Decides, once per token, whether it is a typo of a vocabulary word.

    A token is left alone when it is short, all-caps or mixed-case, a vocabulary word,
    not within the edit budget of any vocabulary word with the same first letter (a proper
    noun such as ``Kyungpook``), or a known word (:meth:`Resources.is_known_word`). Otherwise it is
    corrected to the single nearest vocabulary word, keeping its case pattern and leaving
    accents to the accents fixer when it had none. Two equally near words give a
    suggestion (which :func:`fix_spelling` may still settle with the language of the rest
    of the name); so does a token used elsewhere on the same page.
    """

    def __init__(self, resources: Resources) -> None:
        self.resources = resources
        self.vocabulary = resources.vocabulary
        self._cache: dict[tuple[str, bool], SpellingDecision] = {}
        #: Tokens decided "keep" whatever the page says: the fast path of every scan.
        self.kept: set[str] = set()

    def decide(self, token: str, used_elsewhere: bool = False) -> SpellingDecision:
        key = (token, used_elsewhere)
        decision = self._cache.get(key)
        if decision is None:
            decision = self._cache[key] = self._decide(token, used_elsewhere)
            if decision.action == "keep" and not used_elsewhere:
                self.kept.add(token)
        return decision

    def _decide(self, token: str, used_elsewhere: bool) -> SpellingDecision:
        if len(token) < MIN_SPELL_LENGTH:
            return _KEEP_SHORT
        pattern = case_pattern(token)
        if pattern in ("upper", "mixed"):
            return _KEEP_CASE
        low = token.lower()
        folded = fold(low)
        if low in self.vocabulary.words or folded in self.vocabulary.by_folded:
            return _KEEP_VOCAB
        near = self.vocabulary.near(folded)
        if not near:
            return _KEEP_FAR
        if self.resources.is_known_word(low):
            return _KEEP_KNOWN
        accented = has_diacritics(low)
        # Candidates as they would be written: without accents when the token has none.
        scored: dict[str, tuple[int, int]] = {}
        for word, distance in near:
            written = word if accented else fold(word)
            score = (distance, OSA.distance(low, written))
            scored[written] = min(scored.get(written, score), score)
        ranked = sorted(scored, key=lambda w: (scored[w], w))
        best = [w for w in ranked if scored[w] == scored[ranked[0]]]
        candidates = tuple(apply_case(w, pattern) for w in best)  # the nearest ones
        if len(best) > 1:
            return SpellingDecision(
                "suggest",
                candidates=candidates,
                reason="equally close to several words",
                ambiguous=True,
            )
        if used_elsewhere:
            return SpellingDecision(
                "suggest",
                candidates=candidates,
                reason="close to a vocabulary word but used elsewhere on the page",
            )
        return SpellingDecision(
            "fix",
            replacement=apply_case(best[0], pattern),
            candidates=candidates,
            reason=f"unknown word, edit distance {scored[best[0]][0]}",
        )


def spelling_index(resources: Resources) -> SpellingIndex:
    """The spelling index of these resources (built on first use, kept with them)."""
    return resources.derived("spelling", SpellingIndex)


def _spelling_decisions(text: str, ctx: PageContext | None):
    index = spelling_index(resources_of(ctx))
    kept = index.kept
    if all(token in kept for token in tokens_of(text)):
        return
    protected = ctx.protected if ctx else frozenset()
    for match in TOKEN_RE.finditer(text):
        token = match.group()
        if token in protected:
            continue
        decision = index.decide(token)
        if decision.action != "keep" and ctx and ctx.used_elsewhere(token):
            decision = index.decide(token, used_elsewhere=True)
        elif decision.ambiguous:
            decision = _in_name_language(decision, text, index.vocabulary)
        yield match, decision


def _in_name_language(
    decision: SpellingDecision, text: str, vocabulary: Vocabulary
) -> SpellingDecision:
    """Break a tie between the nearest words with the language of the rest of the name.

    Each candidate scores one point per vocabulary word of the name sharing a language with
    it; a single best score wins. ``Institue`` is as close to ``Institut`` as to
    ``Institute``, but ``Karlsruhe Institue of Technology`` is English and ``Institue
    Teknologi Bandung`` Indonesian or Malay; ``Sciencs`` (``Science``/``Sciences``) stays a
    suggestion.
    """
    voters = [vocabulary.languages_of(t) for t in tokens_of(text)]
    voters = [langs for langs in voters if langs]
    if not voters:
        return decision
    scores = {
        c: sum(1 for langs in voters if langs & vocabulary.languages_of(c))
        for c in decision.candidates
    }
    best = max(scores.values())
    winners = [c for c, score in scores.items() if score == best]
    if best == 0 or len(winners) != 1:
        return decision
    return SpellingDecision(
        "fix",
        replacement=winners[0],
        candidates=decision.candidates,
        reason="nearest word in the language of the name",
    )


def fix_spelling(text: str, ctx: PageContext | None = None) -> str:
    """Correct unknown tokens that are one or two edits from exactly one vocabulary word.

    Changes: ``Univetsitas`` -> ``Universitas``, ``Agricultual`` -> ``Agricultural``,
    ``Univesité`` -> ``Université`` (the rules are in :class:`SpellingIndex`).
    Leaves alone: real words of any checked language (``Sains``, ``Giessen``), words used
    elsewhere on the page, proper nouns far from the vocabulary (``Kyungpook``, ``Hanbat``),
    acronyms and mixed-case words (``KIIT``, ``SudParis``), short tokens, a token equally
    close to two vocabulary words (unless only one of them is in the language of the rest
    of the name: ``Karlsruhe Institue of Technology``), and every token's first letter.

    >>> fix_spelling("Univetsitas Hasanuddin")
    'Universitas Hasanuddin'
    >>> fix_spelling("College of Life Sciences, Nanjing Agricultual University")
    'College of Life Sciences, Nanjing Agricultural University'
    >>> fix_spelling("Universiti Tunku Abdul Rahman")
    'Universiti Tunku Abdul Rahman'
    """
    # A fix can settle the language of the name and so break a tie elsewhere in it
    # (``Univetsitas Universitis``): repeat until nothing changes, so a second call has
    # nothing left to do. Each round turns at least one unknown token into a vocabulary
    # word, so this ends.
    while True:
        fixed = _fix_spelling_once(text, ctx)
        if fixed == text:
            return text
        text = fixed


def _fix_spelling_once(text: str, ctx: PageContext | None) -> str:
    pieces = []
    last = 0
    for match, decision in _spelling_decisions(text, ctx):
        if decision.action == "fix":
            pieces.append(text[last : match.start()])
            pieces.append(decision.replacement or match.group())
            last = match.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def spelling_suggestions(text: str, ctx: PageContext | None = None) -> tuple[Suggestion, ...]:
    """Tokens the spelling fixer would not correct but a person may want to review.

    >>> spelling_suggestions("Universitis Gadjah Mada")
    (Suggestion(token='Universitis', candidates=('Universitas', 'Universites', 'Universiti', \
'Universities'), reason='equally close to several words'),)
    """
    found: dict[str, Suggestion] = {}
    for match, decision in _spelling_decisions(text, ctx):
        if decision.action == "suggest":
            token = match.group()
            found.setdefault(token, Suggestion(token, decision.candidates, decision.reason))
    return tuple(found.values())
