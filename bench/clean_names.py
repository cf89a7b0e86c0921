"""Time the name cleaner on many distinct, realistic institution names.

    python bench/clean_names.py [--count 10000] [--seed 7]

Prints one JSON object: the seconds spent importing ``pipeline.names``, building the
page-aware :class:`~pipeline.names.NameCleaner` over all the names, cleaning the first name
(which loads the reference data the fixers use on first use) and cleaning all of them, plus
how many names the cleaner changed. Interpreter start-up and making up the names are not
timed.

The names are built like the page's: units and institutions of universities in many
countries and languages (``Faculty of Science, Université de Lyon``), some with the page's
kinds of defects: accents dropped, two letters swapped, doubled spaces, a parenthesis glued
to the word before it, capitalised function words.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PLACES = (
    "Lyon", "Bordeaux", "Grenoble", "Montpellier", "Besançon", "Orléans", "Nîmes", "Créteil",
    "Stuttgart", "Göttingen", "Würzburg", "Tübingen", "Münster", "Köln", "Bonn", "Jena",
    "Leiden", "Utrecht", "Groningen", "Uppsala", "Lund", "Linköping", "Tartu", "Turku",
    "Bologna", "Padova", "Trento", "Pisa", "Napoli", "Torino", "Porto", "Coimbra", "Braga",
    "Valencia", "Sevilla", "Córdoba", "Málaga", "Granada", "Zaragoza", "Kraków", "Gdańsk",
    "Wrocław", "Poznań", "Brno", "Olomouc", "Debrecen", "Szeged", "Cluj", "Iași", "Sofia",
    "São Carlos", "Campinas", "Curitiba", "Florianópolis", "Brasília", "Medellín", "Bogotá",
    "Concepción", "Valparaíso", "Rosario", "Mendoza", "Monterrey", "Puebla", "Querétaro",
    "Bandung", "Surabaya", "Yogyakarta", "Malang", "Makassar", "Padang", "Semarang",
    "Chiang Mai", "Khon Kaen", "Songkhla", "Hanoi", "Da Nang", "Hue", "Can Tho", "Penang",
    "Johor", "Sabah", "Cebu", "Davao", "Iloilo", "Pune", "Chennai", "Kanpur", "Roorkee",
    "Hyderabad", "Mysore", "Dhaka", "Rajshahi", "Chittagong", "Kathmandu", "Lahore",
    "Daejeon", "Busan", "Gwangju", "Daegu", "Ulsan", "Pohang", "Suwon", "Chengdu", "Wuhan",
    "Nanjing", "Hangzhou", "Xiamen", "Harbin", "Dalian", "Kunming", "Lanzhou", "Hsinchu",
    "Tainan", "Taichung", "Kaohsiung", "Ulaanbaatar", "Almaty", "Tashkent", "Nairobi",
    "Kampala", "Accra", "Ibadan", "Stellenbosch", "Durban", "Rabat", "Tunis", "Adelaide",
    "Brisbane", "Perth", "Hobart", "Wollongong", "Dunedin", "Christchurch", "Waikato",
    "Ottawa", "Calgary", "Waterloo", "Sherbrooke", "Québec", "Boulder", "Austin", "Tucson",
    "Houston", "Davis", "Irvine", "Riverside", "Pittsburgh", "Rochester", "Buffalo",
)  # fmt: skip
INSTITUTIONS = (
    "University of {p}", "{p} University", "{p} University of Technology",
    "{p} National University", "National University of {p}", "{p} Institute of Technology",
    "Université de {p}", "Universidad de {p}", "Universidade de {p}", "Università di {p}",
    "Universität {p}", "Universitas {p}", "{p} Polytechnic University",
    "{p} University of Science and Technology", "Technical University of {p}",
)  # fmt: skip
UNITS = (
    "Faculty of Engineering", "Faculty of Science", "School of Medicine",
    "Graduate School of Information Science", "Department of Computer Science",
    "Institute for Chemical Research", "College of Agriculture", "School of Life Sciences",
    "Faculty of Pharmaceutical Sciences", "Graduate School of Materials Science",
    "Center for Biotechnology", "Department of Electrical Engineering",
    "School of Mechanical Engineering", "Faculty of Informatics", "Institute of Physics",
    "College of Engineering", "School of Chemistry", "Department of Biology",
    "Faculty of Medicine", "Graduate School of Engineering", "School of Computing",
    "Faculty of Agriculture", "Department of Mathematics", "Institute of Biochemistry",
    "Research Center for Nanotechnology", "College of Life Sciences",
    "Faculty of Environmental Studies", "School of Information Technology",
    "Department of Applied Physics", "Graduate School of Biological Sciences",
)  # fmt: skip
ABBREVIATED = ("{name} ({abbr})", "{name}({abbr})")


def _abbreviation(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[:1].isupper())


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _swap_letters(text: str, rnd: random.Random) -> str:
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 7 and w.isalpha()]
    if not long:
        return text
    i = rnd.choice(long)
    j = rnd.randrange(2, len(words[i]) - 2)
    w = words[i]
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def make_names(count: int, seed: int = 7) -> list[str]:
    """``count`` distinct names (deterministic for a seed)."""
    rnd = random.Random(seed)
    institutions = [form.format(p=place) for place in PLACES for form in INSTITUTIONS]
    names: dict[str, None] = {}
    while len(names) < count:
        institution = rnd.choice(institutions)
        roll = rnd.random()
        if roll < 0.3:
            name = institution
        elif roll < 0.38:
            name = rnd.choice(ABBREVIATED).format(name=institution,
                                                  abbr=_abbreviation(institution))
        else:
            name = f"{rnd.choice(UNITS)}, {institution}"
        defect = rnd.random()
        if defect < 0.05:
            name = _strip_accents(name)
        elif defect < 0.08:
            name = _swap_letters(name, rnd)
        elif defect < 0.10:
            name = name.replace(" ", "  ", 1)
        elif defect < 0.12:
            name = name.replace(" of ", " Of ", 1)
        names.setdefault(name, None)
    return list(names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    names = make_names(args.count, args.seed)

    t0 = time.perf_counter()
    from pipeline.names import NameCleaner

    t1 = time.perf_counter()
    cleaner = NameCleaner(names)
    t2 = time.perf_counter()
    first = cleaner.clean(names[0])
    t3 = time.perf_counter()
    cleaned = [first, *(cleaner.clean(name) for name in names[1:])]
    t4 = time.perf_counter()
    print(json.dumps({
        "names": len(names),
        "import_s": round(t1 - t0, 4),
        "cleaner_setup_s": round(t2 - t1, 4),
        "first_name_s": round(t3 - t2, 4),
        "cleaning_s": round(t4 - t1, 4),  # setup + every name (the first one included)
        "per_name_us": round((t4 - t3) / max(1, len(names) - 1) * 1e6, 1),
        "changed": sum(1 for c in cleaned if c.changes),
        "suggestions": sum(len(c.suggestions) for c in cleaned),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
