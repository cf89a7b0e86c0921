"""Page-aware cleaning of the 2024 names, their split, and names that must not change."""

from __future__ import annotations

import csv
import dataclasses
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.names import (
    REGISTRY,
    CleanedName,
    NameCleaner,
    Override,
    clean_name,
    replay_changes,
    split_name,
)
from pipeline.names.resources import default_resources
from pipeline.names.text import fold
from tests.typos import EDITS, one_edit

GOLDEN = Path(__file__).parent / "golden" / "clean_names.csv"
with GOLDEN.open(encoding="utf-8", newline="") as _handle:
    GOLDEN_ROWS = list(csv.DictReader(_handle))
PAGE_NAMES = [row["name_raw"] for row in GOLDEN_ROWS]
CLEAN_NAMES = [row["name"] for row in GOLDEN_ROWS]


@pytest.fixture(scope="module")
def cleaner() -> NameCleaner:
    return NameCleaner(PAGE_NAMES)


# --------------------------------------------------------------------------------------------
# The 2024 page


def test_golden_file_has_the_96_names():
    assert len(GOLDEN_ROWS) == 96
    assert list(GOLDEN_ROWS[0]) == ["name_raw", "name", "institution", "unit", "abbreviation"]


@pytest.mark.parametrize("row", GOLDEN_ROWS, ids=lambda row: row["name_raw"][:50])
def test_golden(cleaner, row):
    result = cleaner.clean(row["name_raw"])
    assert result.name == row["name"]
    assert result.institution == row["institution"]
    assert result.unit == (row["unit"] or None)
    assert result.abbreviation == (row["abbreviation"] or None)
    assert replay_changes(row["name_raw"], result.changes) == result.name
    assert not result.suggestions


ISSUE_TYPOS = [
    ("Univetsitas Hasanuddin", "Universitas Hasanuddin", "spelling"),
    (
        "College of Life Sciences, Nanjing Agricultual University",
        "College of Life Sciences, Nanjing Agricultural University",
        "spelling",
    ),
    ("Univesité Toulouse Ⅲ- Paul Sabatier", "Université Toulouse III - Paul Sabatier", None),
    ("Universite de Picardie Jules Verne", "Université de Picardie Jules Verne", "accents"),
    (
        "Ecole Normale Supérieure de Lyon (ENS de Lyon)",
        "École Normale Supérieure de Lyon (ENS de Lyon)",
        "accents",
    ),
    (
        "The University of San Paulo Institute of Mathematics and Statistics",
        "The University of São Paulo Institute of Mathematics and Statistics",
        "override",
    ),
    (
        "Faculty of Electronics and Telecommunications, Ho Chi Minh City University Of Science, "
        "Vietnam National University",
        "Faculty of Electronics and Telecommunications, Ho Chi Minh City University of Science, "
        "Vietnam National University",
        "casing",
    ),
    ("University of California Davis", "University of California, Davis", "system_comma"),
    (
        "Indian Institute of Science Education and Research,",
        "Indian Institute of Science Education and Research",
        "punctuation",
    ),
    (
        "Indira Gandhi Delhi Technical University for Women(IGDTUW)",
        "Indira Gandhi Delhi Technical University for Women (IGDTUW)",
        "punctuation",
    ),
    (
        "École nationale supérieure d'ingénieurs de Caen(ENSICAEN)",
        "École nationale supérieure d'ingénieurs de Caen (ENSICAEN)",
        "punctuation",
    ),
    (
        "DFKI(The German Research Center for Artificial Intelligence)",
        "DFKI (The German Research Center for Artificial Intelligence)",
        "punctuation",
    ),
]


@pytest.mark.parametrize(("raw", "expected", "fixer"), ISSUE_TYPOS)
def test_issue_typos_are_fixed_and_explained(cleaner, raw, expected, fixer):
    result = cleaner.clean(raw)
    assert result.name == expected
    assert result.changes
    if fixer:
        assert {c.fixer for c in result.changes} == {fixer}
    assert replay_changes(raw, result.changes) == expected


def test_toulouse_changes_in_order(cleaner):
    changes = cleaner.clean("Univesité Toulouse Ⅲ- Paul Sabatier").changes
    assert [(c.fixer, c.before, c.after, c.confidence) for c in changes] == [
        ("unicode", "Ⅲ", "III", 1.0),
        ("punctuation", "III-", "III -", 1.0),
        ("spelling", "Univesité", "Université", 0.9),
    ]


def test_correct_page_names_come_out_identical(cleaner):
    correct = [row["name_raw"] for row in GOLDEN_ROWS if row["name_raw"] == row["name"]]
    assert len(correct) >= 80
    for name in correct:
        assert cleaner.clean(name).changes == (), name
        assert clean_name(name).changes == (), name


def test_every_difference_is_recorded(cleaner):
    for raw in PAGE_NAMES:
        result = cleaner.clean(raw)
        assert (result.name != raw) == bool(result.changes)
        assert replay_changes(raw, result.changes) == result.name


def test_cleaning_a_clean_name_changes_nothing(cleaner):
    for name in CLEAN_NAMES:
        again = cleaner.clean(name)
        assert again.name == name
        assert again.changes == ()


# --------------------------------------------------------------------------------------------
# Names that must not change: correct, many not English

UNCHANGED = [
    "Universiti Sains Malaysia", "Universitas Gadjah Mada", "Institut Teknologi Sepuluh Nopember",
    "Sorbonne Université", "Universidade Federal de São Paulo", "Justus Liebig University Giessen",
    "Telecom SudParis", "Universiti Tunku Abdul Rahman", "Hanbat National University",
    "Kyungpook National University", "Universitas Jenderal Soedirman", "Mahidol University",
    "Chulalongkorn University", "Kasetsart University",
    "King Mongkut's University of Technology Thonburi", "Hochschule RheinMain",
    "Rheinmain University of Applied Sciences", "University of Ulm",
    "Coburg University of Applied Sciences and Arts", "University of Cagliari",
    "University of Trento", "Cheikh Anta Diop University", "Université Cheikh Anta Diop de Dakar",
    "Unitec Institute of Technology", "KIIT College of Engineering", "KIIT University",
    "RWTH Aachen University", "DFKI (German Research Center for Artificial Intelligence)",
    "IPB University (Bogor Agricultural University)", "Universitat Politècnica de Catalunya",
    "Universitat de Barcelona", "Universitat Pompeu Fabra",
    "Universidad Nacional Autónoma de México", "Universidad de Chile",
    "Pontificia Universidad Católica de Chile", "Universidade de São Paulo",
    "Universidade Estadual de Campinas", "Universidade Federal do Rio de Janeiro",
    "Politecnico di Milano", "Politecnico di Torino", "Università di Bologna",
    "Sapienza Università di Roma", "Università degli Studi di Padova",
    "Università Politecnica delle Marche", "Scuola Normale Superiore",
    "Technische Universität München", "Ludwig-Maximilians-Universität München",
    "Karlsruher Institut für Technologie", "Humboldt-Universität zu Berlin",
    "Freie Universität Berlin", "Universität Stuttgart", "Universität der Künste Berlin",
    "Hochschule für Technik und Wirtschaft Berlin",
    "Rheinisch-Westfälische Technische Hochschule Aachen",
    "Eidgenössische Technische Hochschule Zürich", "École Polytechnique Fédérale de Lausanne",
    "Université de Montréal", "Université Laval", "Université Paris Cité",
    "Université Grenoble Alpes", "Université de Strasbourg",
    "Institut National des Sciences Appliquées de Lyon", "École Centrale de Nantes",
    "CentraleSupélec", "Université Le Havre Normandie", "La Rochelle Université",
    "Le Mans Université", "Universiteit van Amsterdam", "Katholieke Universiteit Leuven",
    "Universiteit Gent", "Technische Universiteit Eindhoven", "Rijksuniversiteit Groningen",
    "Kungliga Tekniska högskolan", "Uppsala universitet", "Lunds universitet",
    "Københavns Universitet", "Helsingin yliopisto", "Uniwersytet Warszawski",
    "Politechnika Warszawska", "Politechnika Wrocławska", "Akademia Górniczo-Hutnicza",
    "Univerzita Karlova", "České vysoké učení technické v Praze", "Universitatea din București",
    "Universitatea Politehnica din București", "Boğaziçi Üniversitesi",
    "Orta Doğu Teknik Üniversitesi", "İstanbul Teknik Üniversitesi", "Universitas Airlangga",
    "Universitas Brawijaya", "Universitas Diponegoro", "Universitas Padjadjaran",
    "Universitas Negeri Yogyakarta", "Universitas Islam Negeri Syarif Hidayatullah Jakarta",
    "Institut Pertanian Bogor", "Politeknik Elektronika Negeri Surabaya",
    "Politeknik Negeri Bandung", "Sekolah Tinggi Teknologi Telkom", "Universiti Putra Malaysia",
    "Universiti Malaya", "Universiti Teknologi MARA", "Universiti Utara Malaysia",
    "Universiti Kebangsaan Malaysia", "Đại học Quốc gia Hà Nội", "Trường Đại học Bách khoa Hà Nội",
    "Dai hoc Quoc gia Ha Noi", "Ton Duc Thang University", "Can Tho University",
    "Hue University of Sciences", "Hanoi University of Science and Technology",
    "Prince of Songkla University", "Khon Kaen University", "Thammasat University",
    "Suranaree University of Technology", "Ateneo de Manila University", "De La Salle University",
    "University of Santo Tomas", "Mapúa University", "Seoul National University",
    "Korea Advanced Institute of Science and Technology",
    "Pohang University of Science and Technology", "Sungkyunkwan University",
    "Tsinghua University", "Shanghai Jiao Tong University",
    "Huazhong University of Science and Technology", "Sun Yat-sen University",
    "National Tsing Hua University", "National Yang Ming Chiao Tung University",
    "Indian Institute of Technology Bombay", "Jawaharlal Nehru University",
    "Amrita Vishwa Vidyapeetham", "Birla Institute of Technology and Science, Pilani",
    "Indira Gandhi Delhi Technical University for Women (IGDTUW)",
    "Université Mohammed V de Rabat", "Université de Tunis El Manar",
    "Universidad de Buenos Aires", "Universidad de los Andes", "Pontificia Universidad Javeriana",
    "Instituto Tecnológico y de Estudios Superiores de Monterrey",
    "Universidad Politécnica de Madrid", "Universidad Complutense de Madrid",
    "Universidade de Lisboa", "Universidade do Porto", "Instituto Superior Técnico",
    "Universidade de Coimbra", "Fundação Getulio Vargas",
    "Universidad Técnica Federico Santa María", "Universidad de la República",
    "Lomonosov Moscow State University", "Peter the Great St. Petersburg Polytechnic University",
    "Skolkovo Institute of Science and Technology", "Nara Institute of Science and Technology",
    "Massachusetts Institute of Technology", "Georgia Institute of Technology",
    "Carnegie Mellon University", "University of Illinois Urbana-Champaign",
    "University of Wisconsin–Madison", "Texas A&M University", "The University of Texas at Austin",
    "Colgate University", "Medaille College", "Bowdoin College", "ETH Zurich", "EPFL",
    "KTH Royal Institute of Technology", "Chalmers University of Technology",
    "Aalborg Universitet", "Norges teknisk-naturvitenskapelige universitet",
    "Trinity College Dublin", "Imperial College London",
    "London School of Economics and Political Science", "Universität Wien",
    "Technische Universität Wien", "Montanuniversität Leoben", "Université de Genève",
    "Universitetet i Bergen", "Jagiellonian University", "Semmelweis Egyetem",
    "Budapesti Műszaki és Gazdaságtudományi Egyetem", "Univerzita Komenského v Bratislave",
    "Sveučilište u Zagrebu", "Univerza v Ljubljani", "Technion – Israel Institute of Technology",
    "Weizmann Institute of Science", "King Abdullah University of Science and Technology",
    "Mohamed bin Zayed University of Artificial Intelligence (MBZUAI)",
    "Kwame Nkrumah University of Science and Technology", "Universidad Nacional de Colombia",
    "Academia Sinica", "Academic Medical Center", "Scripps Research Institute",
    "Institut Pasteur", "Institut Polytechnique de Paris",
    "Centre National de la Recherche Scientifique", "Istituto Italiano di Tecnologia",
    "Consiglio Nazionale delle Ricerche", "Fraunhofer-Gesellschaft",
    "Max-Planck-Institut für Informatik", "Helmholtz-Zentrum Berlin", "Forschungszentrum Jülich",
    "Escola Politécnica da Universidade de São Paulo", "Escuela Politécnica Nacional",
    "Universidad Técnica Particular de Loja", "Universitas Kristen Satya Wacana",
    "Institut Teknologi Sumatera", "Universidad de Costa Rica",
]  # fmt: skip


@pytest.mark.parametrize("name", UNCHANGED)
def test_correct_names_come_out_identical(cleaner, name):
    for result in (clean_name(name), cleaner.clean(name)):
        assert result.name == name
        assert result.changes == ()
        assert result.suggestions == ()


# --------------------------------------------------------------------------------------------
# Misspellings the code has never seen, inside the page's own names

TYPO_WORDS = (
    "University", "Universitas", "Universiti", "Université", "Universidade", "Institute",
    "Institut", "Technology", "Teknologi", "Science", "Sciences", "Statistical", "Medicine",
    "Polytechnique", "Polytechnic", "Agricultural", "Engineering", "Academy", "National",
    "Faculty", "Department", "School", "College", "Information", "Mathematics", "Electronics",
)  # fmt: skip


def _edit(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)  # never the first letter
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    return one_edit(word, rng.choice(EDITS), i, letter)


def _honest_refusal(typo: str, result: CleanedName) -> bool:
    """A typo may be left alone when it is a real word, a vocabulary word, or equally close
    to several words (then it must be offered for review)."""
    resources = default_resources()
    if fold(typo) in resources.vocabulary.by_folded or resources.is_known_word(typo):
        return True
    return any(s.token == typo and len(s.candidates) > 1 for s in result.suggestions)


def test_generated_misspellings_in_page_names_are_fixed():
    rng = random.Random(2024)
    cases = []
    for row in GOLDEN_ROWS:
        words = [w for w in TYPO_WORDS if f" {w} " in f" {row['name']} "]
        for word in words:
            for _ in range(3):
                typo = _edit(word, rng)
                if typo != word:
                    cases.append((row, word, typo))
    assert len(cases) > 150
    fixed = refused = 0
    for row, word, typo in cases:
        raw = f" {row['name']} ".replace(f" {word} ", f" {typo} ", 1).strip()
        page = [raw if n == row["name_raw"] else n for n in PAGE_NAMES]
        result = NameCleaner(page).clean(raw)
        if result.name == row["name"]:
            fixed += 1
            assert any(c.fixer == "spelling" for c in result.changes)
        else:
            refused += 1
            # Never another word: the typo is left exactly as it was, for an honest reason.
            assert result.name == raw, (typo, result.name)
            assert _honest_refusal(typo, result), (typo, result)
    assert fixed / len(cases) >= 0.9, (fixed, refused)


# --------------------------------------------------------------------------------------------
# Institution, unit, abbreviation

SPLITS = [
    # (clean name, institution, unit, abbreviation)
    ("School of Life Sciences, Nanjing University", "Nanjing University",
     "School of Life Sciences", None),
    ("Vietnam National University Ho Chi Minh City, University of Information Technology",
     "Vietnam National University Ho Chi Minh City", "University of Information Technology", None),
    ("Faculty of Electronics and Telecommunications, Ho Chi Minh City University of Science, "
     "Vietnam National University", "Vietnam National University",
     "Faculty of Electronics and Telecommunications, Ho Chi Minh City University of Science", None),
    ("Department of Electronic and Telecommunication Engineering, University of Science and "
     "Technology - The University of Danang, Vietnam", "The University of Danang",
     "Department of Electronic and Telecommunication Engineering, University of Science and "
     "Technology", None),
    ("Hanoi University of Science, Vietnam National University", "Vietnam National University",
     "Hanoi University of Science", None),
    ("Institute of Genetics and Developmental Biology, Chinese Academy of Sciences",
     "Chinese Academy of Sciences", "Institute of Genetics and Developmental Biology", None),
    ("Lawrence Berkeley National Laboratory (LBNL), Joint Genome Institute (JGI)",
     "Lawrence Berkeley National Laboratory", "Joint Genome Institute", "LBNL; JGI"),
    ("Macromolecular Science & Engineering program, University of Michigan",
     "University of Michigan", "Macromolecular Science & Engineering program", None),
    ("Biotechnology Institute, University of Minnesota", "University of Minnesota",
     "Biotechnology Institute", None),
    ("Faculty of Medicine, University of Turku", "University of Turku",
     "Faculty of Medicine", None),
    ("The University of São Paulo Center of Nuclear Energy in Agriculture",
     "The University of São Paulo", "Center of Nuclear Energy in Agriculture", None),
    ("The University of São Paulo Higher School of Agriculture \"Luiz de Queiroz\"",
     "The University of São Paulo", "Higher School of Agriculture \"Luiz de Queiroz\"", None),
    ("The University of São Paulo Institute of Mathematics and Statistics",
     "The University of São Paulo", "Institute of Mathematics and Statistics", None),
    ("Mahidol University", "Mahidol University", None, None),
    ("IPB University (Bogor Agricultural University)",
     "IPB University (Bogor Agricultural University)", None, None),
    ("Telecom Paris (Telecom ParisTech)", "Telecom Paris (Telecom ParisTech)", None, None),
    ("Electronic Engineering Polytechnic Institute of Surabaya (Politeknik Elektronika Negeri "
     "Surabaya (PENS))", "Electronic Engineering Polytechnic Institute of Surabaya (Politeknik "
     "Elektronika Negeri Surabaya)", None, "PENS"),
    ("DFKI (The German Research Center for Artificial Intelligence)",
     "DFKI (The German Research Center for Artificial Intelligence)", None, "DFKI"),
    ("École Normale Supérieure de Lyon (ENS de Lyon)", "École Normale Supérieure de Lyon", None,
     "ENS de Lyon"),
    ("Université Toulouse III - Paul Sabatier", "Université Toulouse III - Paul Sabatier",
     None, None),
    ("University of California, San Diego", "University of California, San Diego", None, None),
    ("Faculty of Electrical Engineering, Mathematics and Computer Science, Delft University of "
     "Technology", "Delft University of Technology",
     "Faculty of Electrical Engineering, Mathematics and Computer Science", None),
    # the same rules on names that are not on the page
    ("Graduate School of Medicine, Kyoto University, Japan", "Kyoto University",
     "Graduate School of Medicine", None),
    ("The University of Tokyo Graduate School of Engineering", "The University of Tokyo",
     "Graduate School of Engineering", None),
    ("Center for Data Science, New York University", "New York University",
     "Center for Data Science", None),
    ("Columbia College (SC)", "Columbia College", None, "SC"),
    ("Office of Student(s) Affairs", "Office of Student(s) Affairs", None, None),
]  # fmt: skip


@pytest.mark.parametrize(("name", "institution", "unit", "abbreviation"), SPLITS)
def test_split(name, institution, unit, abbreviation):
    assert split_name(name) == (institution, unit, abbreviation)


def test_institution_and_unit_come_from_the_name():
    for name in CLEAN_NAMES:
        parts = split_name(name)
        stripped = name
        for abbreviation in (parts.abbreviation or "").split("; "):
            stripped = stripped.replace(f" ({abbreviation})", "") if abbreviation else stripped
        assert parts.institution in stripped
        if parts.unit:
            for piece in parts.unit.split(", "):
                assert piece in stripped


# --------------------------------------------------------------------------------------------
# Page awareness, overrides, API


def test_system_comma_needs_page_evidence():
    assert clean_name("University of California Davis").name == "University of California Davis"
    page = ["University of California, San Diego"]
    assert clean_name("University of California Davis", page).name == (
        "University of California, Davis"
    )
    # Words of the vocabulary after the system name are not a campus.
    assert clean_name("University of California Research Center", page).name == (
        "University of California Research Center"
    )


def test_page_spelling_gives_accents_back():
    page = ["Universidade Federal de São Paulo", "Universidade Estadual de Sao Paulo"]
    result = clean_name("Universidade Estadual de Sao Paulo", page)
    assert result.name == "Universidade Estadual de São Paulo"
    assert [c.fixer for c in result.changes] == ["accents"]
    # An English name writes the place as English does: no Portuguese accent copied.
    assert clean_name("Sao Paulo State University", page).name == "Sao Paulo State University"


@pytest.mark.parametrize(
    ("name", "word"),
    [
        ("Technologic University of Puebla", "Technologie"),  # French, an unrelated letter
        ('State Institute of Information Technologies (SIIT&T "Informika")', "Informatika"),
        ("Malotte University", "Mayotte"),  # a surname an unrelated letter from a country
    ],
)
def test_unlikely_edits_into_another_language_or_a_place_are_only_suggested(name, word):
    result = clean_name(name)
    assert result.name == name and not result.changes
    assert [s.candidates[0] for s in result.suggestions] == [word]


def test_whole_name_override_wins_over_every_fix():
    override = Override("Univrsity of Xanadu", "Univrsity of Xanadu", "name", "kept as written")
    result = NameCleaner([], overrides=[override]).clean("Univrsity of Xanadu")
    assert result.name == "Univrsity of Xanadu" and result.changes == ()
    assert clean_name("Univrsity of Xanadu").name != "Univrsity of Xanadu"


def test_cleaned_name_is_frozen():
    result = clean_name("Univetsitas Hasanuddin")
    assert isinstance(result, CleanedName)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.name = "x"  # type: ignore[misc]


def test_ambiguous_typo_is_returned_as_a_suggestion():
    result = clean_name("Universitis")  # nothing else in the name says which word it is
    assert result.name == "Universitis"
    assert result.suggestions[0].token == "Universitis"


@pytest.mark.parametrize(("raw", "token"), [
    # an unrelated letter from Czech Univerzita, one letter dropped from Serbian Univerzitet
    ("Univerzitt Kolarac", "Univerzitt"),
    # two edits from Dutch universiteit, in a name whose language no word tells
    ("Termiz uinversiteti", "uinversiteti"),
    # a letter added to a country's name, or a key away from its adjective
    ("Estoniam Academy of Sound", "Estoniam"),
])
def test_unlikely_edit_of_a_vocabulary_word_is_only_suggested(raw, token):
    result = clean_name(raw)
    assert result.name == raw
    assert result.suggestions[0].token == token


def test_a_surname_one_slip_away_makes_a_common_word_fix_a_tie():
    """Two letters swapped from a common word, one letter short of a listed surname: the
    token is as likely the surname, so it is left as written."""
    from pipeline.names.fixers.spelling import decide_common, spelling_index

    index = spelling_index(default_resources())
    assert "calderon" in index.names
    args = ("Caldeon", frozenset({"en"}), index.common, ("", ""), frozenset(), False)
    places = frozenset({"caledon"})
    assert decide_common(*args, places).replacement == "Caledon"
    assert decide_common(*args, places, index.names) is None


def test_registry_order():
    assert REGISTRY.names == (
        "invisible", "unicode", "punctuation", "spelling", "accents", "casing", "system_comma",
        "override",
    )  # fmt: skip


NAME_PIECES = st.sampled_from(CLEAN_NAMES + PAGE_NAMES + UNCHANGED[:40])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=st.lists(NAME_PIECES, min_size=1, max_size=3), separator=st.sampled_from([", ", " "]))
def test_cleaning_is_a_fixed_point(pieces, separator):
    cleaner = NameCleaner(PAGE_NAMES)
    raw = separator.join(pieces)
    result = cleaner.clean(raw)
    assert replay_changes(raw, result.changes) == result.name
    again = cleaner.clean(result.name)
    assert again.name == result.name
    assert again.changes == ()


# --------------------------------------------------------------------------------------------
# Data files: names that must not change, typos that must be fixed

DATA = Path(__file__).parent / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        return list(csv.DictReader(lines))


def _page(row: dict[str, str], own: str) -> list[str]:
    others = [p.strip() for p in row["page"].split(" | ") if p.strip()]
    return [own, *others]


@pytest.mark.parametrize("row", _rows("names_must_not_change.csv"), ids=lambda r: r["name"][:40])
def test_must_not_change(row):
    name = row["name"]
    results = [clean_name(name)]
    if row["page"]:
        results.append(NameCleaner(_page(row, name)).clean(name))
    for result in results:
        assert result.name == name, row["why"]
        assert result.changes == ()
        assert result.suggestions == ()


@pytest.mark.parametrize("row", _rows("names_typos.csv"), ids=lambda r: r["raw"][:40])
def test_typos_are_fixed(row):
    result = NameCleaner(_page(row, row["raw"])).clean(row["raw"])
    assert result.name == row["expected"]
    assert replay_changes(row["raw"], result.changes) == row["expected"]


def test_turkish_capitals_lowercase_without_a_stray_dot():
    page = ["ANKARA ÜNİVERSİTESİ", "Ankara Üniversitesi", "İstanbul Teknik Üniversitesi"]
    cleaner = NameCleaner(page)
    assert "i\u0307" not in "".join(cleaner.context.page_words)
    assert cleaner.context.page_words["üniversitesi"] == 3


def test_readme_lists_the_fixers_in_the_registrys_order():
    from pipeline.names import fixer_list

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert fixer_list() in readme, "paste pipeline.names.fixer_list() into the README"


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=12))
def test_fold_drops_exactly_the_combining_marks(text):
    """fold is lowercase (Turkish İ aside), canonical decomposition, every combining mark
    dropped, recomposition: what its translate table does, checked against the definition."""
    import unicodedata

    from pipeline.names.text import lower

    decomposed = unicodedata.normalize("NFD", lower(text))
    expected = unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
    assert fold.__wrapped__(text) == (text.lower() if text.isascii() else expected)


def test_a_rival_common_word_listed_is_the_likeliest():
    """Polish ``Akademia`` (frequent) is listed over ``Akademii`` (its genitive), whatever
    order the run's string hashing gives the words one edit away."""
    suggestions = clean_name("Akademai Muzyczna w Krakowie").suggestions
    assert [s.candidates for s in suggestions] == [("Akademi", "Akademia")]


def test_personal_names_list_is_generated_with_the_current_settings():
    """The list must be regenerated when its thresholds change."""
    import gzip

    from pipeline.names.personal_names import PERSONAL_NAMES_DIR, settings

    files = sorted(PERSONAL_NAMES_DIR.glob("*.txt.gz"))
    assert files, "run: .venv/bin/python -m pipeline.names.personal_names"
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            assert handle.readline().rstrip("\n").endswith(settings()), (
                f"{path.name}: run .venv/bin/python -m pipeline.names.personal_names")
