"""Generates the typo corpus (eval/names/data/typos_dev.csv, typos_heldout.csv).

Each row is a correct name with exactly one misspelt word, the name it should be cleaned
back to, the kind of typo and the class of the misspelt word:

* kinds: ``transposition`` (``Univeristy``), ``deletion`` (``Univrsity``), ``insertion``
  (a key next to a neighbouring letter: ``Univerdsity``), ``neighbour_key`` (a letter
  replaced by a key next to it on a QWERTY keyboard: ``Unuversity``), ``doubled_letter``
  (``Univerrsity``), ``dropped_accent`` (``Universite``). The first letter of a word is never
  touched, and a misspelling that is itself a real word (``Science`` from ``Sciences``) is
  never produced: it is not a typo a cleaner could see.
* word classes: ``vocabulary`` (a word of the institution vocabulary,
  pipeline/data/institution_vocabulary.txt), ``place`` (a word of a country or
  subdivision name in pycountry), ``common`` (a frequent word, Zipf >= 3, in one of the
  languages of :data:`LANGUAGES` per wordfreq), ``other`` (everything else: proper names,
  rare words).
* modes: ``single`` (the misspelling appears once on its page) and ``repeated`` (the SAME
  misspelling of the same word in two names of one page).

Pages hold 100 names: the typo names of one page id plus correct names of the same part
chosen by :func:`page_fillers` (deterministic, never a typo's own source name). A ``single``
page holds up to :data:`SINGLE_PER_PAGE` different misspellings, a ``repeated`` page up to
:data:`PAIRS_PER_PAGE` pairs.

Everything is deterministic (seeded by :data:`SEED`): regenerate with

    .venv/bin/python -m eval.names.typos
"""

from __future__ import annotations

import csv
import random
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from functools import cache
from pathlib import Path

SEED = 20241
DATA_DIR = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[2]
GOLDEN_2024 = REPO / "tests" / "golden" / "clean_names.csv"

KINDS = (
    "transposition", "deletion", "insertion", "neighbour_key", "doubled_letter", "dropped_accent",
)
WORD_CLASSES = ("vocabulary", "common", "place", "other")
PAGE_SIZE = 100
SINGLE_PER_PAGE = 10
PAIRS_PER_PAGE = 5
REPEATED_PER_CLASS = 60   # repeated pairs wanted per word class and part (fewer if rarer)
MIN_WORD = 4              # shorter words are left alone (``and``, ``of``)
GENERIC_PLACE_WORD = 2    # a word in this many place names is generic (unless a country)
COMMON_ZIPF = 3.0
#: Languages whose frequent words count as "common" (and whose words a typo may not become).
LANGUAGES = (
    "en", "fr", "de", "es", "pt", "it", "nl", "ca", "id", "ms", "vi", "tr", "pl", "cs", "sk",
    "sl", "sh", "fi", "sv", "da", "nb", "ro", "hu", "lt", "lv",
)

_QWERTY = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
WORD_RE = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Typo:
    part: str
    mode: str        # single | repeated
    page: int
    name_raw: str    # the misspelt name
    expected: str    # the correct name
    word: str
    misspelt: str
    kind: str
    word_class: str
    source: str      # swot | page2024


TYPO_COLUMNS = tuple(f.name for f in fields(Typo))


# --------------------------------------------------------------------------------------------
# Edits


def _neighbours() -> dict[str, str]:
    """Keys next to each letter on a QWERTY keyboard (same row and the rows above/below)."""
    near: dict[str, str] = {}
    for row_index, row in enumerate(_QWERTY):
        for col, key in enumerate(row):
            keys = {row[c] for c in (col - 1, col + 1) if 0 <= c < len(row)}
            for other in (row_index - 1, row_index + 1):
                if 0 <= other < len(_QWERTY):
                    near_row = _QWERTY[other]
                    keys.update(near_row[c] for c in (col - 1, col) if 0 <= c < len(near_row))
            near[key] = "".join(sorted(keys))
    return near


NEIGHBOURS = _neighbours()


def strip_accent(char: str) -> str:
    """``é`` -> ``e``; a letter without a combining accent is returned as is."""
    base = unicodedata.normalize("NFD", char)[0]
    return base if base != char else char


def _same_case(letter: str, like: str) -> str:
    return letter.upper() if like.isupper() else letter


def positions(word: str, kind: str) -> list[int]:
    """Where ``kind`` can apply in ``word``; never position 0 (the first letter).

    >>> positions("Medellín", "dropped_accent")
    [6]
    >>> positions("Univ", "transposition")
    [1, 2]
    """
    if kind == "dropped_accent":
        return [i for i in range(1, len(word)) if strip_accent(word[i]) != word[i]]
    if kind == "transposition":
        return [i for i in range(1, len(word) - 1) if word[i].lower() != word[i + 1].lower()]
    if kind == "insertion":
        return [i for i in range(1, len(word) + 1) if word[i - 1].lower() in NEIGHBOURS]
    if kind == "doubled_letter":
        return [i for i in range(1, len(word)) if word[i] != word[i - 1]]
    if kind == "deletion":
        return list(range(1, len(word)))
    if kind == "neighbour_key":
        return [i for i in range(1, len(word)) if word[i].lower() in NEIGHBOURS]
    raise ValueError(kind)


def misspell(word: str, kind: str, i: int, rng: random.Random) -> str:
    """``word`` with one typo of ``kind`` at position ``i`` (>= 1).

    >>> rng = random.Random(0)
    >>> [misspell("University", k, 6, rng) for k in KINDS[:2] + KINDS[4:5]]
    ['Univeristy', 'Univerity', 'Universsity']
    >>> misspell("Université", "dropped_accent", 9, rng)
    'Universite'
    """
    if i < 1:
        raise ValueError("the first letter is never touched")
    if kind == "transposition":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "deletion":
        return word[:i] + word[i + 1 :]
    if kind == "insertion":
        letter = rng.choice(NEIGHBOURS[word[i - 1].lower()])
        return word[:i] + _same_case(letter, word[min(i, len(word) - 1)]) + word[i:]
    if kind == "neighbour_key":
        letter = rng.choice(NEIGHBOURS[word[i].lower()])
        return word[:i] + _same_case(letter, word[i]) + word[i + 1 :]
    if kind == "doubled_letter":
        return word[: i + 1] + word[i] + word[i + 1 :]
    if kind == "dropped_accent":
        return word[:i] + strip_accent(word[i]) + word[i + 1 :]
    raise ValueError(kind)


# --------------------------------------------------------------------------------------------
# Word classes


def fold(word: str) -> str:
    """Lowercase without accents (``Université`` -> ``universite``)."""
    decomposed = unicodedata.normalize("NFD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def vocabulary_path() -> Path:
    """The institution vocabulary, wherever the cleaner keeps it."""
    found = sorted(REPO.glob("pipeline/**/institution_vocabulary.txt"))
    if not found:
        raise FileNotFoundError("institution_vocabulary.txt not found under pipeline/")
    return found[0]


@cache
def vocabulary_words() -> frozenset[str]:
    """The vocabulary's words, lowercase, spelled as listed (with their accents)."""
    words = set()
    for line in vocabulary_path().read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            words.add(line.split()[0].lower())
    return frozenset(words)


@cache
def vocabulary() -> frozenset[str]:
    return frozenset(fold(w) for w in vocabulary_words())


@cache
def places() -> frozenset[str]:
    """Folded words (>= MIN_WORD letters) of pycountry's country and subdivision names,
    without the generic ones that recur in several names (``City``, ``Region``, ``North``)
    unless they are a country's whole name (``Mexico``)."""
    import pycountry

    names = {c.name for c in pycountry.countries}
    names |= {getattr(c, "common_name", "") for c in pycountry.countries}
    names |= {s.name for s in pycountry.subdivisions}
    used_in: dict[str, int] = {}
    for name in names:
        for word in {fold(w) for w in WORD_RE.findall(name or "") if len(w) >= MIN_WORD}:
            used_in[word] = used_in.get(word, 0) + 1
    countries = {fold(name) for name in names if name and WORD_RE.fullmatch(name)}
    return frozenset(
        word for word, count in used_in.items() if count < GENERIC_PLACE_WORD or word in countries
    )


@dataclass(frozen=True)
class Lexicon:
    """What a word is: its class, and whether a string is a real word (not a typo)."""

    is_common: Callable[[str], bool]

    def word_class(self, word: str) -> str:
        folded = fold(word)
        if folded in vocabulary():
            return "vocabulary"
        if folded in places():
            return "place"
        return "common" if self.is_common(word) else "other"

    def is_real_word(self, word: str, kind: str = "") -> bool:
        """A real word, not a typo. Web text writes many words without their accents, so a
        dropped accent is checked against the vocabulary's own spellings only."""
        if word.lower() in vocabulary_words():
            return True
        return kind != "dropped_accent" and self.is_common(word)


@cache
def _zipf_common(word: str) -> bool:
    from wordfreq import zipf_frequency

    lower = word.lower()
    return any(zipf_frequency(lower, language) >= COMMON_ZIPF for language in LANGUAGES)


#: The lexicon of the committed corpus (needs wordfreq, a development dependency).
WORDFREQ_LEXICON = Lexicon(is_common=_zipf_common)
#: A lexicon from the project's vocabulary and pycountry alone: fast, for tests.
SMALL_LEXICON = Lexicon(is_common=lambda word: False)


# --------------------------------------------------------------------------------------------
# Generation


@dataclass(frozen=True)
class Source:
    name: str
    expected: str
    source: str


def _candidates(name: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of the words a typo may go into: >= MIN_WORD letters, not all caps."""
    return [
        (m.start(), m.end(), m.group())
        for m in WORD_RE.finditer(name)
        if len(m.group()) >= MIN_WORD and not m.group().isupper()
    ]


def _replace(name: str, start: int, end: int, new: str) -> str:
    return name[:start] + new + name[end:]


def _try_typo(word: str, kind: str, rng: random.Random, lexicon: Lexicon) -> str | None:
    spots = positions(word, kind)
    rng.shuffle(spots)
    for i in spots[:3]:
        misspelt = misspell(word, kind, i, rng)
        if misspelt != word and misspelt[0] == word[0] and not lexicon.is_real_word(misspelt, kind):
            return misspelt
    return None


def single_typos(
    sources: Sequence[Source], part: str, lexicon: Lexicon, rng: random.Random
) -> list[Typo]:
    """One typo per source name, of the (kind, class) pair made least often so far among
    those the name allows, so that rare pairs (a dropped accent in a place name) still
    get examples."""
    made = dict.fromkeys(((k, c) for c in WORD_CLASSES for k in KINDS), 0)
    typos: list[Typo] = []
    for source in sources:
        by_class: dict[str, list[tuple[int, int, str]]] = {}
        for span in _candidates(source.name):
            by_class.setdefault(lexicon.word_class(span[2]), []).append(span)
        options = sorted(  # least made first; ties settled by the seeded generator
            (made[(kind, word_class)], rng.random(), kind, word_class, span)
            for word_class, spans in by_class.items()
            for span in spans
            for kind in KINDS
            if positions(span[2], kind)
        )
        for _count, _order, kind, word_class, (start, end, word) in options[:6]:
            misspelt = _try_typo(word, kind, rng, lexicon)
            page = len(typos) // SINGLE_PER_PAGE
            if misspelt is None or any(
                t.page == page and t.misspelt == misspelt for t in typos[-SINGLE_PER_PAGE:]
            ):
                continue  # on one page a misspelling stays single
            made[(kind, word_class)] += 1
            typos.append(Typo(part, "single", page, _replace(source.name, start, end, misspelt),
                              source.expected, word, misspelt, kind, word_class, source.source))
            break
    return typos


def repeated_typos(
    sources: Sequence[Source], part: str, lexicon: Lexicon, rng: random.Random, first_page: int
) -> list[Typo]:
    """Pairs of names sharing a word, both with the same misspelling of it. A word may serve
    up to three pairs (on different pages), the kinds of typo taken in turn."""
    holders: dict[str, list[tuple[Source, int, int]]] = {}
    for source in sources:
        for start, end, word in _candidates(source.name):
            holders.setdefault(word, []).append((source, start, end))
    shared = sorted(w for w, found in holders.items() if len({s.name for s, _, _ in found}) >= 2)
    rng.shuffle(shared)
    wanted = dict.fromkeys(WORD_CLASSES, REPEATED_PER_CLASS)
    typos: list[Typo] = []
    pairs = 0
    for _round in range(3):
        for word in shared:
            word_class = lexicon.word_class(word)
            if not wanted[word_class]:
                continue
            kind = KINDS[pairs % len(KINDS)]
            misspelt = _try_typo(word, kind, rng, lexicon)
            if misspelt is None:
                continue
            first, second = rng.sample(holders[word], 2)
            if first[0].name == second[0].name:
                continue
            page = first_page + pairs // PAIRS_PER_PAGE
            for source, start, end in (first, second):
                typos.append(Typo(
                    part, "repeated", page, _replace(source.name, start, end, misspelt),
                    source.expected, word, misspelt, kind, word_class, source.source,
                ))
            wanted[word_class] -= 1
            pairs += 1
    return typos


def generate(sources: Sequence[Source], part: str, lexicon: Lexicon) -> list[Typo]:
    """The typo corpus of one part, deterministic for the same sources and lexicon."""
    rng = random.Random(f"{SEED}:{part}")
    ordered = sorted(sources, key=lambda s: (s.source, s.name))
    rng.shuffle(ordered)
    single = single_typos(ordered, part, lexicon, rng)
    first_page = (max((t.page for t in single), default=-1)) + 1
    return single + repeated_typos(ordered, part, lexicon, rng, first_page)


def natural_shares(sources: Iterable[Source], lexicon: Lexicon) -> dict[tuple[str, str], float]:
    """(word class, kind) -> the share of one-typo names in that cell when typos fall as
    they do on real names: a name of ``sources``, then one of its words a typo may go into
    (each equally likely), then one of the kinds that word allows (each equally likely).

    The corpus itself is balanced on purpose, so that a rare cell (a dropped accent in a
    place: about 1 typo in 1,000) still has enough examples to be measured; these shares
    weigh each cell's recall back into one figure for all one-typo names. They sum to 1.

    >>> shares = natural_shares([Source("Universität Graz", "Universität Graz", "x")],
    ...                         SMALL_LEXICON)
    >>> round(shares[("vocabulary", "dropped_accent")], 3), round(sum(shares.values()), 6)
    (0.083, 1.0)
    """
    weights: dict[tuple[str, str], float] = {}
    names = 0
    for source in sources:
        spans = [span for span in _candidates(source.expected)
                 if any(positions(span[2], kind) for kind in KINDS)]
        if not spans:
            continue
        names += 1
        for _start, _end, word in spans:
            kinds = [kind for kind in KINDS if positions(word, kind)]
            cell_class = lexicon.word_class(word)
            for kind in kinds:
                share = 1 / len(spans) / len(kinds)
                weights[(cell_class, kind)] = weights.get((cell_class, kind), 0.0) + share
    return {cell: weight / names for cell, weight in sorted(weights.items())}


def page_fillers(page: int, part: str, correct: Sequence[str], exclude: Iterable[str],
                 count: int) -> list[str]:
    """``count`` correct names of the part for page ``page``, never one of ``exclude``."""
    rng = random.Random(f"{SEED}:{part}:page:{page}")
    excluded = set(exclude)
    pool = [name for name in correct if name not in excluded]
    return rng.sample(pool, min(count, len(pool)))


def pages(typos: Sequence[Typo], correct: Sequence[str]) -> dict[int, list[str]]:
    """Page id -> the page's 100 names (its typo names first, then fillers)."""
    by_page: dict[int, list[Typo]] = {}
    for typo in typos:
        by_page.setdefault(typo.page, []).append(typo)
    result = {}
    for page, members in sorted(by_page.items()):
        names = [t.name_raw for t in members]
        exclude = {t.expected for t in members} | set(names)
        fillers = page_fillers(page, members[0].part, correct, exclude, PAGE_SIZE - len(names))
        result[page] = names + fillers
    return result


# --------------------------------------------------------------------------------------------
# Files


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_typos(path: Path) -> list[Typo]:
    return [Typo(**{**row, "page": int(row["page"])}) for row in read_csv(path)]


def write_typos(path: Path, typos: Iterable[Typo]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=TYPO_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(asdict(t) for t in typos)


#: The hand labels of each part: the expected name of every name some cleaner changed (and,
#: for heldout, of every name read and found misspelt); a name not listed is expected as is.
LABEL_FILES = {"dev": DATA_DIR / "labels.csv", "heldout": DATA_DIR / "heldout_labels.csv"}


def labels(path: Path = LABEL_FILES["dev"]) -> dict[str, str]:
    """Hand-checked expected names (``name_raw`` -> ``expected``), of the dev part by default."""
    return {row["name_raw"]: row["expected"] for row in read_csv(path)} if path.exists() else {}


def part_labels(part: str) -> dict[str, str]:
    """The hand labels of ``part`` (``dev`` or ``heldout``)."""
    return labels(LABEL_FILES[part])


def correct_sources(part: str) -> list[Source]:
    """Correct names of ``part`` to misspell: corpus names whose expected name is the raw one,
    and (dev only) the clean names of the 2024 page."""
    expected = part_labels(part)
    rows = read_csv(DATA_DIR / f"{part}.csv")
    found = [Source(r["name"], r["name"], "swot") for r in rows
             if expected.get(r["name"], r["name"]) == r["name"]]
    if part == "dev":
        page = dict.fromkeys(row["name"] for row in read_csv(GOLDEN_2024))
        found += [Source(name, name, "page2024") for name in page]
    return found


def main() -> int:
    for part in ("dev", "heldout"):
        typos = generate(correct_sources(part), part, WORDFREQ_LEXICON)
        path = DATA_DIR / f"typos_{part}.csv"
        write_typos(path, typos)
        print(f"{len(typos)} typo names written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
