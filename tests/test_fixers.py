"""The named fixers one by one, the registry, the curated data, and generated misspellings."""

from __future__ import annotations

import csv
import random
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from pipeline.config import DATA_DIR
from pipeline.names.context import PageContext
from pipeline.names.fixers.accents import restore_accents
from pipeline.names.fixers.casing import fix_function_word_case
from pipeline.names.fixers.overrides import apply_overrides, override_tokens
from pipeline.names.fixers.punctuation import fix_punctuation
from pipeline.names.fixers.spelling import fix_spelling, spelling_index, spelling_suggestions
from pipeline.names.fixers.unicode import fix_unicode
from pipeline.names.records import Change, Override, describe_changes, replay_changes
from pipeline.names.registry import REGISTRY, Fixer, FixerRegistry
from pipeline.names.resources import LONG_WORD, default_resources
from pipeline.names.text import apply_case, fold
from tests.typos import one_edit

RESOURCES = default_resources()

# --------------------------------------------------------------------------------------------
# Registry


def test_registry_order_is_fixed():
    assert REGISTRY.names == (
        "invisible", "unicode", "punctuation", "spelling", "accents", "casing", "system_comma",
        "override",
    )  # fmt: skip


def test_registry_rejects_duplicate_names():
    with pytest.raises(ValueError):
        FixerRegistry([Fixer("a", fix_unicode), Fixer("a", fix_unicode)])


def test_registry_records_each_fixer_change_in_order():
    raw = "Univesité Toulouse Ⅲ- Paul Sabatier"
    name, changes = REGISTRY.apply(raw)
    assert name == "Université Toulouse III - Paul Sabatier"
    assert [(c.fixer, c.before, c.after) for c in changes] == [
        ("unicode", "Ⅲ", "III"),
        ("punctuation", "III-", "III -"),
        ("spelling", "Univesité", "Université"),
    ]
    assert [c.confidence for c in changes] == [1.0, 1.0, 0.9]
    assert replay_changes(raw, changes) == name


def test_unchanged_text_records_nothing():
    assert REGISTRY.apply("Universiti Sains Malaysia") == ("Universiti Sains Malaysia", ())


# --------------------------------------------------------------------------------------------
# 1. unicode


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Univesité Toulouse Ⅲ- Paul Sabatier", "Univesité Toulouse III- Paul Sabatier"),
        ("Kasetsart University  ", "Kasetsart University"),
        ("College of IT Engineering,\n Kyungpook", "College of IT Engineering, Kyungpook"),
        ("Ｔｏｋｙｏ\u00a0Tech", "Tokyo Tech"),
        ("Ecole\u0301", "Ecolé"),  # decomposed accent composed (NFC part of NFKC)
    ],
)
def test_fix_unicode(raw, expected):
    assert fix_unicode(raw) == expected


@pytest.mark.parametrize(
    "name", ["École nationale supérieure d'ingénieurs de Caen", "King Mongkut's University"]
)
def test_fix_unicode_leaves_accents_and_apostrophes(name):
    assert fix_unicode(name) == name


# --------------------------------------------------------------------------------------------
# 2. punctuation


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("University for Women(IGDTUW)", "University for Women (IGDTUW)"),
        ("d'ingénieurs de Caen(ENSICAEN)", "d'ingénieurs de Caen (ENSICAEN)"),
        ("DFKI(The German Research Center)", "DFKI (The German Research Center)"),
        ("Surabaya (Politeknik Surabaya(PENS))", "Surabaya (Politeknik Surabaya (PENS))"),
        ("Université Toulouse III- Paul Sabatier", "Université Toulouse III - Paul Sabatier"),
        ("Université Toulouse III -Paul Sabatier", "Université Toulouse III - Paul Sabatier"),
        ("Science Education and Research,", "Science Education and Research"),
        ("Faculty of Science ,Leiden University", "Faculty of Science, Leiden University"),
        ("Faculty of Science,,  Leiden University", "Faculty of Science, Leiden University"),
        ("École Supérieure (ESIEE)Paris", "École Supérieure (ESIEE) Paris"),
        ("Telecom Paris ( Telecom ParisTech )", "Telecom Paris (Telecom ParisTech)"),
        # a conjunction of a language that writes no suspended hyphens, or a chain that
        # reaches none, leaves a dash to space
        ("University of Hawaii- Manoa and Hilo", "University of Hawaii - Manoa and Hilo"),
        ("Universidade Federal- Porto e Lisboa", "Universidade Federal - Porto e Lisboa"),
        ("Université Paris- Saclay- Sud", "Université Paris - Saclay - Sud"),
        ("Institute of technology -campus", "Institute of technology - campus"),
    ],
)  # fmt: skip
def test_fix_punctuation(raw, expected):
    assert fix_punctuation(raw) == expected


@pytest.mark.parametrize(
    "name",
    [
        "École Normale Supérieure Paris-Saclay",
        "Université Bourgogne Franche-Comté (UBFC)",
        "Ludwig-Maximilians-Universität München",
        "Technion – Israel Institute of Technology",
        "University of Wisconsin–Madison",
        "Peter the Great St. Petersburg Polytechnic University",
        "Macromolecular Science & Engineering program, University of Michigan",
        "Office of Student(s) Affairs",
        'Higher School of Agriculture "Luiz de Queiroz"',
        "University of Science and Technology - The University of Danang, Vietnam",
        # suspended hyphens
        "Höhere Bundes- Lehr- und Versuchsanstalt",
        "Kaiser- Wilhelm und Ratsgymnasium Hannover",
        "Hoch- und Tiefbau- sowie Umwelttechnik",
        "Hogeschool voor Land- en Tuinbouw",
        "Universität für Gesundheitswissenschaften und -technologie",
    ],
)
def test_fix_punctuation_leaves_correct_punctuation(name):
    assert fix_punctuation(name) == name


# --------------------------------------------------------------------------------------------
# 3. spelling


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Univetsitas Hasanuddin", "Universitas Hasanuddin"),
        ("Nanjing Agricultual University", "Nanjing Agricultural University"),
        ("Univesité Toulouse III", "Université Toulouse III"),
        ("Univesite Toulouse", "Universite Toulouse"),  # accents are the next fixer's job
        ("Karlsruhe Institue of Technology", "Karlsruhe Institute of Technology"),
        ("Universiti Teknolgi Malaysia", "Universiti Teknologi Malaysia"),
        ("Department of Statisitcal Science", "Department of Statistical Science"),
        ("UNIVERSITY OF TOKYO", "UNIVERSITY OF TOKYO"),  # all caps: read as acronyms, kept
    ],
)
def test_fix_spelling(raw, expected):
    assert fix_spelling(raw) == expected


@pytest.mark.parametrize(
    "word",
    [
        # real words of the page's languages and proper nouns of its names
        "Sains", "Gadjah", "Mada", "Teknologi", "Sepuluh", "Nopember", "Sorbonne", "Justus",
        "Liebig", "Giessen", "Telecom", "SudParis", "Tunku", "Abdul", "Rahman", "Hanbat",
        "Kyungpook", "Soedirman", "Mahidol", "Chulalongkorn", "Kasetsart", "Thonburi",
        "Rheinmain", "RheinMain", "Ulm", "Coburg", "Cagliari", "Trento", "Cheikh", "Anta", "Diop",
        "Unitec", "KIIT", "RWTH", "DFKI", "IPB", "Universite", "Universitat", "Politecnica",
        "Politechnika", "Federale", "Superiores", "Unibersidad", "Kebangsaan", "Negeri",
        "Elektronika", "Jenderal", "Hasanuddin", "Paulo",
    ],
)  # fmt: skip
def test_fix_spelling_leaves_real_words_and_names(word):
    assert fix_spelling(word) == word
    assert fix_spelling(f"{word} University") == f"{word} University"


def test_typos_are_not_known_words_and_real_words_are():
    for typo in ("Univetsitas", "Agricultual", "Univesité", "Institue"):
        assert not RESOURCES.is_known_word(typo)
    # Real words near the vocabulary (the only ones the spelling fixer ever asks about).
    for word in ("Sains", "Teknologi", "Unibersidad", "Politechnika"):
        assert RESOURCES.is_known_word(word)


def test_spelling_keeps_case_pattern():
    assert fix_spelling("univetsitas") == "universitas"
    assert fix_spelling("Univetsitas") == "Universitas"
    assert apply_case("école", "title") == "École"


def test_spelling_keeps_the_first_letter():
    # A typo on the first letter is never corrected: too many proper nouns differ there.
    assert fix_spelling("Oniversity of Tokyo") == "Oniversity of Tokyo"


def test_ambiguous_token_is_a_suggestion_not_a_fix():
    assert fix_spelling("Universitis") == "Universitis"
    (suggestion,) = spelling_suggestions("Universitis")
    assert suggestion.token == "Universitis"
    assert {"Universitas", "Universities"} <= set(suggestion.candidates)
    assert "equally close" in suggestion.reason


def test_a_spelling_many_names_of_the_page_use_is_only_suggested():
    ctx = PageContext(page_words={"agricultual": 5}, own_words=frozenset({"agricultual"}))
    assert fix_spelling("Nanjing Agricultual University", ctx) == "Nanjing Agricultual University"
    (suggestion,) = spelling_suggestions("Nanjing Agricultual University", ctx)
    assert suggestion.candidates[0] == "Agricultural"
    assert "the page's own spelling" in suggestion.reason


@pytest.mark.parametrize("uses", [1, 2, 3])
def test_the_same_typo_in_two_or_three_names_is_fixed(uses):
    ctx = PageContext(page_words={"agricultual": uses}, own_words=frozenset({"agricultual"}))
    assert fix_spelling("Nanjing Agricultual University", ctx) == "Nanjing Agricultural University"


def test_vocabulary_index_matches_brute_force():
    vocabulary = RESOURCES.vocabulary

    for token in ("univetsitas", "agricultual", "institue", "scool", "statisitcal", "sains"):
        budget = 2 if len(token) >= LONG_WORD else 1
        brute = {
            (w, OSA.distance(token, fold(w)))
            for w in vocabulary.words
            if fold(w)[:1] == token[:1] and OSA.distance(token, fold(w)) <= budget
        }
        assert set(vocabulary.near(token)) == brute


# --------------------------------------------------------------------------------------------
# Generated misspellings of institution words

TYPO_WORDS = (
    "University", "Universities", "Institute", "Technology", "Science", "Sciences",
    "Statistical", "Statistics", "Medicine", "Medical", "Université", "Polytechnique",
    "Polytechnic", "Universitas", "Universiti", "Teknologi", "Universidade", "Universidad",
    "Universität", "Agricultural", "Engineering", "Laboratory", "Academy", "Faculty",
    "Department", "National", "Research", "Information", "Mathematics", "Electronics",
    "Politeknik", "College", "School", "Graduate", "Chemistry", "Physics", "Materials",
    "Biological", "Telecommunications", "Informatics", "Biotechnology", "Technical",
)  # fmt: skip


_typo = one_edit


def _expected(word: str, typo: str) -> str:
    """What a fix must give: the word, without accents when the typo had none."""
    return word if not typo.isascii() else apply_case(fold(word), "title")


def _classify_typo(word: str, typo: str) -> str:
    """``fixed``, an honest refusal (``known``, ``vocabulary``, ``ambiguous``), or ``wrong``."""
    fixed = fix_spelling(typo)
    if fixed != typo:
        if fixed == _expected(word, typo):
            return "fixed"
        # Another vocabulary word at most as far from the typo as the intended one: the typo
        # is ambiguous by construction (Akademy: Academy or Akademi), not a wrong fix.
        nearer = OSA.distance(fold(typo), fold(fixed)) <= OSA.distance(fold(typo), fold(word))
        return "other word" if nearer and fold(fixed) in RESOURCES.vocabulary.by_folded else "wrong"
    suggestions = spelling_suggestions(typo)
    if suggestions and len(suggestions[0].candidates) > 1:
        assert _expected(word, typo) in suggestions[0].candidates
        return "ambiguous"
    kept = spelling_index(RESOURCES).candidates(typo)
    if RESOURCES.unaccented_languages(typo):
        return "known"  # a real word without its accents (Institue: French institué)
    if getattr(kept, "reason", "").startswith(("a singular or plural", "a place", "a real word")):
        return "known"  # another real word: a plural (Polytechnics), a place, an inflection
    if fold(typo) in RESOURCES.vocabulary.by_folded:
        return "vocabulary"  # the edit produced another vocabulary word (Sciences -> Science)
    if RESOURCES.is_known_word(typo):
        return "known"  # the edit produced a real word of some language (Collegi, Graduated)
    return "wrong"


def test_generated_misspellings_are_fixed_or_honestly_refused():
    rng = random.Random(20240401)
    outcomes: dict[str, list[tuple[str, str]]] = {}
    for word in TYPO_WORDS:
        for _ in range(40):
            kind = rng.choice(("insert", "delete", "substitute", "transpose"))
            i = rng.randrange(1, len(word) - 1)
            letter = rng.choice(string.ascii_lowercase)
            typo = _typo(word, kind, i, letter)
            if typo == word:
                continue
            outcomes.setdefault(_classify_typo(word, typo), []).append((word, typo))
    total = sum(len(v) for v in outcomes.values())
    assert not outcomes.get("wrong"), outcomes.get("wrong")
    assert len(outcomes.get("other word", [])) / total <= 0.03, outcomes.get("other word")
    # Refusals are allowed only for the honest reasons above, and must stay rare.
    assert len(outcomes["fixed"]) / total >= 0.9, {k: len(v) for k, v in outcomes.items()}


@settings(max_examples=300, deadline=None)
@given(
    word=st.sampled_from(TYPO_WORDS),
    kind=st.sampled_from(("insert", "delete", "substitute", "transpose")),
    position=st.integers(min_value=1, max_value=30),
    letter=st.sampled_from(string.ascii_lowercase),
)
def test_any_single_edit_is_fixed_or_honestly_refused(word, kind, position, letter):
    i = min(position, len(word) - 2)
    typo = _typo(word, kind, i, letter)
    if typo != word:
        assert _classify_typo(word, typo) != "wrong"


def test_generated_misspellings_inside_real_names_are_fixed():
    rng = random.Random(7)
    templates = (
        "{} of Malaya",
        "Nanjing Agricultural {}",
        "Tianjin {} of Technology",
        "Karlsruhe {} of Technology",
        "Faculty of {}, Leiden University",
    )
    fixed = refused = 0
    for word in ("University", "Institute", "Science", "Medicine", "Engineering"):
        for template in templates:
            name = template.format(word)
            i = rng.randrange(1, len(word) - 1)
            typo = _typo(word, "substitute", i, rng.choice("qxz"))
            result, changes = REGISTRY.apply(name.replace(word, typo, 1))
            if result == name:
                fixed += 1
                assert [c.fixer for c in changes] == ["spelling"]
            else:
                refused += 1
                assert result == name.replace(word, typo, 1)  # left alone, never another word
                # ... and only for an honest reason: Science -> Scienze is Italian.
                assert _classify_typo(word, typo) in ("known", "vocabulary", "ambiguous")
    assert fixed >= 23 and refused <= 2


# --------------------------------------------------------------------------------------------
# 4. accents


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Universite de Picardie Jules Verne", "Université de Picardie Jules Verne"),
        ("Ecole Normale Superieure de Lyon", "École Normale Supérieure de Lyon"),
        ("Faculte de Medecine", "Faculté de Médecine"),
    ],
)
def test_restore_accents_from_vocabulary(raw, expected):
    assert restore_accents(raw) == expected


@pytest.mark.parametrize(
    "name",
    [
        "Telecom SudParis",  # the page never writes Télécom
        "Universitat de Barcelona",  # Catalan, itself a vocabulary word
        "Boston College",  # no accented form is used for a common English word
        "Departement Informatica, Universiteit Leiden",  # a Dutch name keeps Dutch spelling
        "Sao Paulo State University",  # no page evidence
    ],
)
def test_restore_accents_leaves_alone(name):
    assert restore_accents(name) == name


def test_restore_accents_from_page_spelling():
    ctx = PageContext(
        accented_words={"sao": frozenset({"são"}), "college": frozenset({"collège"})},
        accented_bigrams={("sao", "paulo"): ("são", "paulo"), ("college", "de"): ("collège", "de")},
    )
    assert restore_accents("Universidade Estadual de Sao Paulo", ctx) == (
        "Universidade Estadual de São Paulo")
    # A place's Portuguese spelling is not copied into an English name.
    assert restore_accents("Sao Paulo State University", ctx) == "Sao Paulo State University"
    # Page evidence next to the same neighbour only, for a common English word.
    assert restore_accents("Boston College", ctx) == "Boston College"
    assert restore_accents("College de France, Département des Études", ctx) == (
        "Collège de France, Département des Études")
    # A name written without any accent keeps it so, but for a place's whole name written
    # in the name's own language (Universidade ... de Sao Paulo).
    assert restore_accents("College de France", ctx) == "College de France"


def test_vocabulary_accented_words_never_rewrite_common_english():
    vocabulary = RESOURCES.vocabulary
    for folded in vocabulary.accentable:
        if RESOURCES.is_common_english(folded):
            assert vocabulary.accent_forms(folded) == (), folded


# --------------------------------------------------------------------------------------------
# 5. casing


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ho Chi Minh City University Of Science", "Ho Chi Minh City University of Science"),
        ("University Of Science And Technology", "University of Science and Technology"),
        ("Peter The Great Polytechnic University", "Peter the Great Polytechnic University"),
        ("École Normale Supérieure De Lyon", "École Normale Supérieure de Lyon"),
        ("École Supérieure D'Ingénieurs En Chimie", "École Supérieure d'Ingénieurs en Chimie"),
        ("Hochschule Für Technik Und Wirtschaft", "Hochschule für Technik und Wirtschaft"),
    ],
)  # fmt: skip
def test_fix_function_word_case(raw, expected):
    assert fix_function_word_case(raw) == expected


@pytest.mark.parametrize(
    "name",
    [
        "The University of Newcastle",  # start of the name
        "University of Science and Technology - The University of Danang",  # start of a part
        "DFKI (The German Research Center for Artificial Intelligence)",
        "De La Salle University",  # English name: Spanish words are not English function words
        "Université Le Havre Normandie",  # Le is part of the place name
        "College of IT Engineering, Kyungpook National University",  # acronym
        "Ateneo De Manila",  # no language marker: nothing is touched
    ],
)
def test_fix_function_word_case_leaves_alone(name):
    assert fix_function_word_case(name) == name


# --------------------------------------------------------------------------------------------
# 6. overrides


def test_overrides_file_is_reviewable():
    with (DATA_DIR / "name_overrides.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and set(rows[0]) == {"match", "replacement", "scope", "reason"}
    assert all(row["reason"].strip() for row in rows)
    assert all(row["scope"] in ("phrase", "name") for row in rows)


def test_override_phrase_and_whole_words_only():
    assert apply_overrides("The University of San Paulo") == "The University of São Paulo"
    assert apply_overrides("San Paulonia Institute") == "San Paulonia Institute"
    ctx = PageContext(overrides=(Override("X Univ", "X University", "name", "test"),))
    assert apply_overrides("X Univ", ctx) == "X University"
    assert apply_overrides("X Univ Tokyo", ctx) == "X Univ Tokyo"


def test_override_tokens_are_protected_from_automatic_fixers():
    name = "Karlsruhe Institue of Technology"
    override = Override("Institue of", "Institut of", "phrase", "test")
    ctx = PageContext(overrides=(override,), protected=override_tokens(name, [override]))
    assert REGISTRY.apply(name, ctx)[0] == "Karlsruhe Institut of Technology"
    assert REGISTRY.apply(name)[0] == "Karlsruhe Institute of Technology"  # without it
    # An entry that maps a phrase to itself keeps it as written.
    keep = Override("Agricultual", "Agricultual", "phrase", "test")
    ctx = PageContext(overrides=(keep,), protected=override_tokens("Agricultual", [keep]))
    assert REGISTRY.apply("Agricultual University", ctx) == ("Agricultual University", ())


def test_default_overrides_load():
    assert any(o.match == "San Paulo" for o in RESOURCES.overrides)


# --------------------------------------------------------------------------------------------
# Change records


def test_describe_changes_uses_small_fragments():
    fixer = Fixer("casing", fix_function_word_case)
    before = "University Of Science And Technology Of Hanoi"
    after = fix_function_word_case(before)
    changes = describe_changes(fixer, before, after)
    assert [(c.before, c.after) for c in changes] == [
        ("Of Science", "of Science"),  # a short word is shown with the next one
        ("And Technology", "and Technology"),
        ("Of Hanoi", "of Hanoi"),
    ]
    assert replay_changes(before, changes) == after


def test_describe_changes_grows_fragments_until_unique():
    fixer = Fixer("test", lambda text, ctx=None: text)
    changes = describe_changes(fixer, "Of Science Of", "Of Science of")
    assert replay_changes("Of Science Of", changes) == "Of Science of"
    assert all(isinstance(c, Change) for c in changes)


# --------------------------------------------------------------------------------------------
# Properties

NAME_PIECES = st.sampled_from(
    [
        "University", "Univetsitas", "Of", "of", "And", "The", "De", "de", "Ecole", "École",
        "Universite", "Agricultual", "Institue", "Sains", "KIIT", "SudParis", "Ⅲ", "III", "São",
        "Sao", "Paulo", "San", "(", ")", "(IGDTUW)", "Women(IGDTUW)", "-", "–", ",", ", ", " ",
        "  ", "Paris-Saclay", "d'Ingénieurs", "D'", "\u00a0", "\t", "Ｔｏｋｙｏ", "e\u0301",
        "St.", "&", "\"", "Center", "Faculty of", "Technology", "Telecom", "Universitis",
    ]
)  # fmt: skip
NAMES = st.lists(NAME_PIECES, max_size=12).map(" ".join) | st.lists(NAME_PIECES, max_size=12).map(
    "".join
)
TEXT = NAMES | st.text(alphabet="aAeEéÉ oOfF()-–,;:'\"&.Ⅲ\u00a0\u0301\t", max_size=30)
PAGE_CONTEXT = PageContext(
    page_words={"são": 1, "paulo": 2, "école": 1},
    accented_words={"sao": frozenset({"são"}), "ecole": frozenset({"école"})},
    accented_bigrams={("sao", "paulo"): ("são", "paulo")},
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT, use_context=st.booleans())
def test_every_fixer_is_idempotent(text, use_context):
    ctx = PAGE_CONTEXT if use_context else None
    for fixer in REGISTRY.fixers:
        once = fixer.func(text, ctx)
        assert fixer.func(once, ctx) == once, fixer.name


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT, use_context=st.booleans())
def test_changes_replay_to_the_result_and_a_second_pass_changes_nothing(text, use_context):
    ctx = PAGE_CONTEXT if use_context else None
    result, changes = REGISTRY.apply(text, ctx)
    assert replay_changes(text, changes) == result
    assert REGISTRY.apply(result, ctx) == (result, ())


def test_known_words_list_is_generated_from_the_current_vocabulary():
    """The list must be regenerated when the vocabulary, languages or threshold change."""
    from pipeline.names.wordlist import (
        COMMON_ENGLISH_FILE,
        FAINT_SWAPS_FILE,
        KNOWN_WORDS_FILE,
        LANGUAGE_WORDS_FILE,
        PLACES_FILE,
        TRIGRAMS_FILE,
        fingerprint_of_inputs,
    )

    for path in (KNOWN_WORDS_FILE, COMMON_ENGLISH_FILE, LANGUAGE_WORDS_FILE, PLACES_FILE,
                 TRIGRAMS_FILE, FAINT_SWAPS_FILE):
        with path.open(encoding="utf-8") as handle:
            first_line = handle.readline().rstrip("\n")
        assert first_line.endswith(f"inputs {fingerprint_of_inputs()}"), (
            "run: .venv/bin/python -m pipeline.names.wordlist")


def test_known_words_list_agrees_with_wordfreq_on_near_vocabulary_tokens():
    """Spot check against the full frequency lists for every one-edit typo of a few words."""
    from wordfreq import zipf_frequency

    from pipeline.names.wordlist import KNOWN_WORD_ZIPF, LANGUAGES

    vocabulary = RESOURCES.vocabulary
    letters = "abcdefghijklmnopqrstuvwxyz"
    for word in ("university", "institute", "technology", "science", "sains", "college"):
        variants = {word[:i] + word[i + 1:] for i in range(1, len(word))}
        variants |= {word[:i] + c + word[i + 1:] for i in range(1, len(word)) for c in letters}
        for token in sorted(variants):
            if not vocabulary.near(fold(token)):
                continue
            full = max(zipf_frequency(token, lang) for lang in LANGUAGES)
            assert (token in RESOURCES.known) == (full >= KNOWN_WORD_ZIPF), token


def test_the_places_list_is_folded():
    """The spelling fixer looks a misspelt place's swapped forms up in the list as they are:
    every place must be written folded (lowercase, no accents), as the generator writes it."""
    from pipeline.names.text import fold

    unfolded = [place for place in RESOURCES.places if fold(place) != place]
    assert not unfolded, f"places.txt must hold folded forms: {unfolded[:5]}"
