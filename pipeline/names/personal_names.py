"""Personal names (given names and surnames), so that a person's name is never "corrected".

Institutions are named after people and places far more often than a frequency list of
running text knows: the Bulgarian given name ``Presian`` is two letters swapped from
``Persian``. The spelling fixer reads this list to leave such a token alone when it *is* a
name, and to count a name one slip away from it as a rival of the common word it would
otherwise be corrected into (a surname with a letter left out may be two letters swapped
from a common word too).

``personal_names/<first letter>.txt.gz``: the folded given names and surnames of the
names-dataset package (first and last names with their rank in each country) ranked among
the :data:`MAX_RANK` most frequent of at least one country, four letters or more, in Latin
script; one file per first letter (a slip never touches the first letter), read lazily.
Generated from names-dataset, which only regenerating needs:

    .venv/bin/python -m pipeline.names.personal_names
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import DATA_DIR
from pipeline.names.common_words import gz_lines, intended_forms, letter_file, slip
from pipeline.names.resources import PLACES_FILE, data_lines
from pipeline.names.text import fold

PERSONAL_NAMES_DIR = DATA_DIR / "personal_names"
#: A name is listed when it is among this many most frequent first or last names of at least
#: one country: rarer entries of the source are as often nicknames, typos or plain words.
MAX_RANK = 2000
#: The slips by which a listed name counts as a misspelling of a place or of a far more
#: frequent name (two letters swapped, one typed twice): such names are left out.
MISSPELLING_SLIPS = frozenset({"swap", "doubled"})
#: A name one slip from a name this many times more frequent (by rank) is left out.
LIKELIER = 10
#: Shorter names are not listed (shorter tokens are never spelling-corrected).
MIN_NAME_LENGTH = 4


@dataclass
class PersonalNames:
    """The listed personal names, loaded one first letter at a time.

    >>> names = PersonalNames()
    >>> "presian" in names, "technology" in names
    (True, False)
    """

    directory: Path = PERSONAL_NAMES_DIR
    _letters: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def of_letter(self, letter: str) -> frozenset[str]:
        """The folded names that start with ``letter``."""
        found = self._letters.get(letter)
        if found is None:
            path = self.directory / f"{letter_file(letter)}.txt.gz"
            lines = gz_lines(path) if path.exists() else []
            found = self._letters[letter] = frozenset(lines)
        return found

    def __contains__(self, folded: object) -> bool:
        return isinstance(folded, str) and folded[:1] != "" and folded in self.of_letter(folded[0])


def generate() -> list[str]:
    """The folded names to list, sorted (needs names-dataset)."""
    ranks = _best_ranks()
    places = set(data_lines(PLACES_FILE))
    return sorted(
        name
        for name, rank in ranks.items()
        if rank <= MAX_RANK and not _slip_of_a_likelier_name(name, rank, ranks, places)
    )


def _best_ranks() -> dict[str, int]:
    """Folded name -> its best rank as a first or last name in any country."""
    import pickle
    from importlib.resources import files

    data = files("names_dataset") / "v3"
    best: dict[str, int] = {}
    for kind in ("first_names", "last_names"):
        with gzip.open(str(data / f"{kind}.pkl.gz"), "rb") as handle:
            table = pickle.load(handle)  # the package's own data file, as it reads it
        for name, entry in table.items():
            ranks = [r for r in (entry.get("rank") or {}).values() if r is not None]
            folded = fold(name)
            if ranks and len(folded) >= MIN_NAME_LENGTH and folded.isalpha() and _latin(folded):
                best[folded] = min(best.get(folded, min(ranks)), min(ranks))
    return best


def _slip_of_a_likelier_name(name: str, rank: int, ranks: dict[str, int], places: set[str]) -> bool:
    """True for a listed name that is two letters swapped or one doubled from a place or from
    a name far more frequent (``Siimon``, ``Junnior``): the source lists people's own
    misspellings too."""
    for form in intended_forms(name):
        if form == name or slip(name, form) not in MISSPELLING_SLIPS:
            continue
        if form in places or ranks.get(form, MAX_RANK * 100) * LIKELIER < rank:
            return True
    return False


def _latin(folded: str) -> bool:
    return all("a" <= c <= "z" or c in "ßæøœłđðþı" for c in folded)


def settings() -> str:
    """The thresholds the list was made with, as its header states them (a test compares)."""
    return f"rank <= {MAX_RANK}, length >= {MIN_NAME_LENGTH}, likelier x{LIKELIER}"


def main() -> None:
    from importlib.metadata import version

    names = generate()
    header = (f"# generated by `python -m pipeline.names.personal_names` from names-dataset "
              f"{version('names-dataset')}; {settings()}\n")  # fmt: skip
    by_letter: dict[str, list[str]] = {}
    for name in names:
        by_letter.setdefault(name[0], []).append(name)
    for old in PERSONAL_NAMES_DIR.glob("*.txt.gz"):
        old.unlink()
    PERSONAL_NAMES_DIR.mkdir(parents=True, exist_ok=True)
    for letter, lines in by_letter.items():
        data = (header + "\n".join(lines) + "\n").encode("utf-8")
        path = PERSONAL_NAMES_DIR / f"{letter_file(letter)}.txt.gz"
        with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
            handle.write(data)
    print(f"{len(names)} personal names written to {PERSONAL_NAMES_DIR}")


if __name__ == "__main__":
    main()
