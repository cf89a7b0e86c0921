"""Split a clean name into institution, unit and abbreviation.

Splitting (:func:`split_name`), with rules from ``data/name_structure.csv``:

* Abbreviation: every parenthesized group that is an acronym (it opens with an all-caps
  word of two or more letters, has at most three words and no institution keyword:
  ``(IGDTUW)``, ``(ENS de Lyon)``), and an all-caps first word followed by its expansion
  in parentheses (``DFKI (The German ...)``). Several are joined with ``"; "``. The groups
  are removed from ``institution`` and ``unit``; other parentheticals (former or local
  names: ``(Bogor Agricultural University)``) stay.
* Parts: the name is cut at top-level commas and spaced dashes, and a university name
  directly followed by a unit phrase (``... São Paulo Center of ...``) is cut there.
  A trailing country (``, Vietnam``) is dropped from the parts. A part with no
  institution or unit keyword (``San Diego``, ``Paul Sabatier``, ``Mathematics and
  Computer Science``) belongs to the part before it.
* A part is a unit when it opens with a unit phrase (``Faculty``, ``School of``,
  ``Department``, ``Institute of``, ``Center`` ...) or, unless it names a university or an
  academy, ends with a unit word (``Biotechnology Institute``, ``... program``).
* The institution is the strongest of the other parts: a university, an academy or a
  national laboratory beats an institute, a school or a college, which beats anything
  else. Between two universities one named only after fields of study (``University of
  Information Technology``) is the member, the other the institution; otherwise the
  rightmost wins (``Hanoi University of Science, Vietnam National University``).
* The unit is every other part, in page order, joined with ``", "``; ``None`` when the
  name is one institution. ``institution`` and ``unit`` keep articles as written (``The
  University of Danang``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import NamedTuple

import pycountry

from pipeline.config import DATA_DIR
from pipeline.names.resources import Resources, default_resources
from pipeline.names.text import TOKEN_RE, case_pattern, fold
from pipeline.reference import read_table

STRUCTURE_FILE = DATA_DIR / "name_structure.csv"


# --------------------------------------------------------------------------------------------
# Keywords


PhraseIndex = dict[str, tuple[tuple[str, ...], ...]]  # first word -> phrases (word tuples)


@dataclass(frozen=True)
class Keywords:
    """Folded keyword phrases by role, from ``name_structure.csv``, indexed by first word."""

    institution: PhraseIndex
    organisation: PhraseIndex
    unit_start: PhraseIndex
    unit_end: frozenset[str]
    embedded_unit: PhraseIndex  # unit phrases that may follow a university's name


def _index(phrases: Iterable[tuple[str, ...]]) -> PhraseIndex:
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        index.setdefault(phrase[0], []).append(phrase)
    return {first: tuple(group) for first, group in index.items()}


def read_keywords(path: Path = STRUCTURE_FILE) -> Keywords:
    """Read ``name_structure.csv`` (keyword, role)."""
    roles: dict[str, set[tuple[str, ...]]] = {}
    for row in read_table(path):
        phrase = tuple(TOKEN_RE.findall(fold(row["keyword"])))
        roles.setdefault(row["role"], set()).add(phrase)
    unit_start = roles.get("unit_start", set())
    embedded: set[tuple[str, ...]] = set()
    for phrase in unit_start:
        if phrase[-1] in ("of", "for"):
            embedded.add(phrase)
        else:
            embedded.update({(*phrase, "of"), (*phrase, "for")})
    return Keywords(
        institution=_index(roles.get("institution", ())),
        organisation=_index(roles.get("organisation", ())),
        unit_start=_index(unit_start),
        unit_end=frozenset(p[0] for p in roles.get("unit_end", ()) if len(p) == 1),
        embedded_unit=_index(embedded),
    )


def _contains(words: list[str], index: PhraseIndex) -> bool:
    for i, word in enumerate(words):
        for phrase in index.get(word, ()):
            if len(phrase) == 1 or tuple(words[i : i + len(phrase)]) == phrase:
                return True
    return False


def _starts_with(words: list[str], index: PhraseIndex) -> bool:
    if not words:
        return False
    for phrase in index.get(words[0], ()):
        if len(phrase) == 1 or tuple(words[: len(phrase)]) == phrase:
            return True
    return False


def _country_names() -> frozenset[str]:
    names = set()
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                names.add(fold(value))
    return frozenset(names)


@dataclass(frozen=True)
class Structure:
    """What splitting consults: keywords, vocabulary and function words (folded), countries."""

    keywords: Keywords
    vocabulary: frozenset[str]
    function_words: frozenset[str]
    countries: frozenset[str]
    embedded_start: re.Pattern[str]

    @property
    def subject_words(self) -> frozenset[str]:
        return self.vocabulary | self.function_words

    @classmethod
    def build(cls, resources: Resources) -> Structure:
        keywords = read_keywords()
        function_words: set[str] = set()
        for group in resources.function_words.values():
            function_words |= {w.rstrip("'’") for w in group}
        # A cheap first test for _embedded_unit_cut on folded text: a unit word after at
        # least two other words.
        firsts = sorted(keywords.embedded_unit)
        embedded = re.compile(r" (?:" + "|".join(map(re.escape, firsts)) + r")(?![^\W\d_])")
        return cls(
            keywords=keywords,
            vocabulary=frozenset(resources.vocabulary.by_folded),
            function_words=frozenset(function_words),
            countries=_country_names(),
            embedded_start=embedded,
        )


def _structure() -> Structure:
    # Splitting is a pure function of the name over the default resources (its answers
    # are remembered per name below).
    return default_resources().derived("structure", Structure.build)


def _is_country(text: str) -> bool:
    text = fold(text).strip()
    text = text.removeprefix("the ")
    return text in _structure().countries


# --------------------------------------------------------------------------------------------
# Parentheses and abbreviations


_INNER_GROUP = re.compile(r"\([^()]*\)")
_OUTER_GROUP = re.compile(r"\((?:[^()]|\([^()]*\))*\)")
_QUOTED = re.compile(r'"[^"]*"|“[^”]*”')


def _groups(text: str) -> list[tuple[int, int]]:
    """(start, end) of each balanced parenthesized group, ``text[start] == "("``."""
    if "(" not in text:
        return []
    spans = {m.span() for m in _INNER_GROUP.finditer(text)}
    spans.update(m.span() for m in _OUTER_GROUP.finditer(text))
    if len(spans) == text.count("(") == text.count(")"):
        return sorted(spans)  # at most two levels, all balanced: the common case
    stack: list[int] = []
    found = []
    for i, char in enumerate(text):
        if char == "(":
            stack.append(i)
        elif char == ")" and stack:
            found.append((stack.pop(), i + 1))
    return sorted(found)


_ACRONYM_WORD = re.compile(r"[^\W\d_][\w&.\-]*")


def _is_acronym_word(word: str) -> bool:
    """All letters capitals, at least two of them: ``IGDTUW``, ``ENS``, ``R&D`` (not ``A``)."""
    if not word.isupper() or _ACRONYM_WORD.fullmatch(word) is None:
        return False
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _has_keyword(text: str) -> bool:
    keywords = _structure().keywords
    words = TOKEN_RE.findall(fold(text))
    return _contains(words, keywords.institution) or _contains(words, keywords.organisation)


def _is_acronym_group(content: str) -> bool:
    """An abbreviation in parentheses: ``IGDTUW``, ``ENS de Lyon`` (not ``Telecom ParisTech``)."""
    if "(" in content or ")" in content:
        return False
    words = content.split()
    if not 1 <= len(words) <= 3 or not _is_acronym_word(words[0]):
        return False
    function_words = _structure().function_words
    for word in words[1:]:
        if not (word in function_words or word[:1].isupper()):
            return False
    return not _has_keyword(content)


def _abbreviations(name: str) -> tuple[list[str], str]:
    """(abbreviations, name without its acronym groups)."""
    if "(" not in name:
        return [], name
    found: list[str] = []
    spans = []
    groups = _groups(name)
    for start, end in groups:
        content = name[start + 1 : end - 1].strip()
        if _is_acronym_group(content):
            found.append(" ".join(content.split()))
            spans.append((start, end))
    first = name.split(" ", 1)[0]
    if (
        _is_acronym_word(first)
        and name[len(first) : len(first) + 2] == " ("
        and all(s != len(first) + 1 for s, _ in spans)
        and any(s == len(first) + 1 for s, _ in groups)
    ):
        found.insert(0, first)
    core = name
    for start, end in sorted(spans, reverse=True):
        core = core[:start].rstrip() + (" " if core[end : end + 1].isalnum() else "") + core[end:]
    return found, " ".join(core.split())


# --------------------------------------------------------------------------------------------
# Parts


_SEPARATORS = re.compile(r", | [-–—] ")
_MAY_HAVE_DASH = re.compile(r" [-–—]")


def _separators(text: str) -> list[tuple[int, int]]:
    """Spans of ``_SEPARATORS`` in ``text``; commas found without the regex when no dash
    can be one (the usual name: a scan of each position per alternative costs more)."""
    if _MAY_HAVE_DASH.search(text):
        return [m.span() for m in _SEPARATORS.finditer(text)]
    found = []
    start = text.find(", ")
    while start >= 0:
        found.append((start, start + 2))
        start = text.find(", ", start + 2)
    return found


def _top_level_cuts(text: str) -> list[tuple[int, int]]:
    """Spans of separators outside parentheses and quotes."""
    found = _separators(text)
    if not found or not any(c in text for c in '("“”'):
        return found
    if text.count("(") == text.count(")"):
        groups = [m.span() for m in _OUTER_GROUP.finditer(text)]
        if sum(text.count("(", a, b) for a, b in groups) == text.count("("):
            shielded = groups + [m.span() for m in _QUOTED.finditer(text)]
            return [span for span in found if not any(a < span[0] < b for a, b in shielded)]
    depth = 0
    quoted = False
    inside = []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif char in '"“”':
            quoted = not quoted if char == '"' else char == "“"
        inside.append(depth > 0 or quoted)
    return [span for span in found if not inside[span[0]]]


def _outside_parentheses(text: str) -> str:
    if "(" not in text:
        return text
    result = []
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif depth == 0:
            result.append(char)
    return "".join(result)


class _Part(NamedTuple):
    text: str
    separator: str  # the separator before it ("" for the first)


def _strength(words: list[str]) -> int:
    keywords = _structure().keywords
    if _contains(words, keywords.institution):
        return 3
    if _contains(words, keywords.organisation):
        return 2
    return 1


@cache  # unbounded: a bounded cache overflows on a large page
def _classify(text: str) -> tuple[str, int]:
    """("unit" | "institution" | "other", strength) of one part."""
    keywords = _structure().keywords
    words = TOKEN_RE.findall(fold(_outside_parentheses(text)))
    if words[:1] == ["the"]:
        words = words[1:]
    strength = _strength(words)
    if _starts_with(words, keywords.unit_start):
        return "unit", strength
    if strength < 3 and words and words[-1] in keywords.unit_end:
        return "unit", strength
    return ("institution" if strength >= 2 else "other"), strength


@cache  # unbounded: a bounded cache overflows on a large page
def _subject_named(text: str) -> bool:
    """``University of Science and Technology``: named after fields, not a place or person."""
    words = TOKEN_RE.findall(fold(_outside_parentheses(text)))
    if words[:1] == ["the"]:
        words = words[1:]
    if len(words) < 3 or words[1] != "of":
        return False
    if (words[0],) not in _structure().keywords.institution.get(words[0], ()):
        return False
    allowed = _structure().subject_words
    return all(w in allowed for w in words[2:])


@cache  # unbounded: a bounded cache overflows on a large page
def _embedded_unit_cut(text: str) -> int | None:
    """Where a unit phrase follows a university's name inside one part, else None.

    ``The University of São Paulo Center of Nuclear Energy`` -> before ``Center``. The word
    before the phrase must be a capitalized proper noun (not a vocabulary or function word),
    so ``Polytechnic Institute of Surabaya`` is not cut.
    """
    second_space = text.find(" ", text.find(" ") + 1)
    structure = _structure()
    if second_space < 0 or structure.embedded_start.search(fold(text), second_space) is None:
        return None
    starts = structure.keywords.embedded_unit
    words = TOKEN_RE.findall(fold(text))
    if not any(w in starts for w in words[2:]) or _strength(words) < 3:
        return None
    matches = list(TOKEN_RE.finditer(text))
    folded = [fold(m.group()) for m in matches]
    vocabulary = structure.vocabulary
    function_words = structure.function_words
    for i in range(2, len(matches)):
        if folded[i] not in starts or case_pattern(matches[i].group()) != "title":
            continue
        previous = matches[i - 1].group()
        if (
            case_pattern(previous) != "title"
            or fold(previous) in vocabulary
            or fold(previous) in function_words
        ):
            continue
        if not any(tuple(folded[i : i + len(p)]) == p for p in starts[folded[i]]):
            continue
        left = text[: matches[i].start()]
        if left.count("(") != left.count(")") or left.count('"') % 2:
            continue
        if _strength(folded[:i]) == 3:
            return matches[i].start()
    return None


def _parts(core: str) -> list[_Part]:
    parts: list[_Part] = []
    last = 0
    separator = ""
    for start, end in _top_level_cuts(core):
        parts.append(_Part(core[last:start], separator))
        separator = core[start:end]
        last = end
    parts.append(_Part(core[last:], separator))
    split: list[_Part] = []
    for part in parts:
        cut = _embedded_unit_cut(part.text)
        if cut is None:
            split.append(part)
        else:
            split.append(_Part(part.text[:cut].rstrip(), part.separator))
            split.append(_Part(part.text[cut:], " "))
    return split


class NameParts(NamedTuple):
    """The parts of a clean name."""

    institution: str
    unit: str | None
    abbreviation: str | None


NameCore = tuple[tuple[str, ...], tuple[_Part, ...]]


def name_core(name: str) -> NameCore:
    """The abbreviations of a name and the parts of what is left: what :func:`split_name`
    decides from, and what :func:`system_names` reads (a cleaner computes it once for a
    name the page already spells clean)."""
    found, core = _abbreviations(name)
    return tuple(found), tuple(_parts(core))


@cache  # unbounded: a bounded cache overflows on a large page
def split_name(name: str) -> NameParts:
    """Split a clean name into institution, unit and abbreviation (rules: module docstring).

    >>> split_name("School of Life Sciences, Nanjing University")
    NameParts(institution='Nanjing University', unit='School of Life Sciences', abbreviation=None)
    >>> split_name("Indira Gandhi Delhi Technical University for Women (IGDTUW)")
    NameParts(institution='Indira Gandhi Delhi Technical University for Women', unit=None, \
abbreviation='IGDTUW')
    >>> split_name("Hanoi University of Science, Vietnam National University")
    NameParts(institution='Vietnam National University', unit='Hanoi University of Science', \
abbreviation=None)
    """
    return split_core(name_core(name))


def split_core(core: NameCore) -> NameParts:
    """:func:`split_name` of the name whose :func:`name_core` is ``core``."""
    found, parts = core
    abbreviation = "; ".join(found) or None
    if len(parts) > 1 and _classify(parts[-1].text)[0] == "other" and _is_country(parts[-1].text):
        parts = parts[:-1]
    # Parts without keywords belong to the part before them (the first one to the next).
    merged: list[tuple[str, str, int]] = []  # (text, kind, strength)
    separators: list[str] = []  # the separator before each merged part
    pending: tuple[str, str] | None = None  # leading parts without keywords, separator
    for text, separator in parts:
        kind, strength = _classify(text)
        if kind == "other":
            if merged:
                prev_text, prev_kind, prev_strength = merged[-1]
                merged[-1] = (prev_text + separator + text, prev_kind, prev_strength)
            elif pending is None:
                pending = (text, separator)
            else:
                pending = (pending[0] + separator + text, pending[1])
            continue
        if pending is not None:
            text, separator, pending = pending[0] + separator + text, pending[1], None
        merged.append((text, kind, strength))
        separators.append(separator)
    if not merged:  # no keyword anywhere: the whole name is the institution
        return NameParts("".join(sep + text for text, sep in parts), None, abbreviation)
    candidates = [
        (strength, index)
        for index, (_t, kind, strength) in enumerate(merged)
        if kind == "institution"
    ]
    if not candidates:  # units only: nothing names the organisation they belong to
        whole = "".join(sep + text for (text, _k, _s), sep in zip(merged, separators, strict=True))
        return NameParts(whole, None, abbreviation)
    if len(candidates) == 1:
        chosen = candidates[0][1]
    else:  # strongest; then not named after fields of study; then rightmost
        chosen = max(
            (strength, not _subject_named(merged[index][0]), index)
            for strength, index in candidates
        )[2]
    institution = merged[chosen][0]
    units = [text for index, (text, _k, _s) in enumerate(merged) if index != chosen]
    return NameParts(institution, ", ".join(units) or None, abbreviation)


def system_names(names: Iterable[str]) -> tuple[str, ...]:
    """Names the page follows with ``, <place>``: ``University of California, San Diego``.

    >>> system_names(["University of California, San Diego", "Faculty of Science, Leiden"])
    ('University of California',)
    """
    return system_names_of(name_core(name) for name in names)


def system_names_of(cores: Iterable[NameCore]) -> tuple[str, ...]:
    """:func:`system_names` of the names whose :func:`name_core` are ``cores``."""
    found: dict[str, None] = {}
    for _found, parts in cores:
        pieces = [p.text for p in parts]
        for left, right in pairwise(pieces):
            kind, strength = _classify(left)
            if kind == "institution" and strength == 3 and is_place(right) and _named(left):
                found[left] = None
    return tuple(found)


def _named(system: str) -> bool:
    """True when a system's name holds a proper name (``University of California``), not
    only vocabulary and function words (``University of Applied Sciences``: a kind of
    institution, whose campus is its name, not a campus of one system).

    >>> _named("University of California"), _named("University of Applied Sciences")
    (True, False)
    """
    return not all(_structure_word(t) for t in TOKEN_RE.findall(system))


def _structure_word(token: str) -> bool:
    """True for a vocabulary or function word of name_structure.csv (``University``, ``of``)."""
    structure = _structure()
    folded = fold(token)
    return folded in structure.vocabulary or folded in structure.function_words


def is_place(text: str) -> bool:
    """One to three capitalized words that are not vocabulary, function words or a country."""
    words = text.split()
    if not 1 <= len(words) <= 3 or _is_country(text):
        return False
    for word in words:
        tokens = TOKEN_RE.findall(word)
        if not tokens or not word[:1].isupper():
            return False
        if any(_structure_word(t) for t in tokens):
            return False
    return True
