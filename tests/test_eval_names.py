"""The name-cleaning corpus (eval/names): well-formed, reproducibly split, drawn only from the
allowed half of the domains; the typo generator deterministic and first-letter safe."""

from __future__ import annotations

import csv
import doctest
import hashlib
import json
import random
from collections import Counter

import pytest

from eval.names import build_corpus, build_pairs, evaluate, typos
from pipeline import config

DATA = config.PROJECT_ROOT / "eval" / "names" / "data"
PARTS = ("dev", "heldout")


def rows(part: str) -> list[dict[str, str]]:
    with (DATA / f"{part}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def corpus() -> dict[str, list[dict[str, str]]]:
    return {part: rows(part) for part in PARTS}


def test_corpus_files_are_well_formed(corpus):
    for part, found in corpus.items():
        assert found, part
        for row in found:
            assert tuple(row) == build_corpus.COLUMNS
            assert row["name"] == " ".join(row["name"].split()), row
            assert not build_corpus.is_broken(row["name"]), row
            assert row["domain"].rsplit(".", 1)[-1] == row["tld"], row
    names = [r["name"] for found in corpus.values() for r in found]
    assert len(names) == len(set(names)), "a name is in the corpus twice"


def test_corpus_is_big_and_varied_enough(corpus):
    every = [r for found in corpus.values() for r in found]
    languages = Counter(code for r in every for code in r["languages"].split(",") if code)
    assert len(every) >= 3000
    assert sum(1 for n in languages.values() if n >= 20) >= 15
    assert max(Counter(r["tld"] for r in every).values()) <= build_corpus.PER_COUNTRY


def test_no_domain_of_the_kept_apart_half(corpus):
    for found in corpus.values():
        for row in found:
            assert hashlib.sha1(row["domain"].encode()).hexdigest()[0] in "01234567", row


def test_split_is_reproducible_and_at_least_a_third_heldout(corpus):
    for part, found in corpus.items():
        assert all(build_corpus.part_of(r["name"]) == part for r in found)
    assert len(corpus["heldout"]) * 3 >= len(corpus["dev"]) + len(corpus["heldout"])


def test_labels_name_dev_names_only(corpus):
    dev = {r["name"] for r in corpus["dev"]}
    heldout = {r["name"] for r in corpus["heldout"]}
    for raw, expected in typos.labels().items():
        assert raw in dev and raw not in heldout, raw
        assert expected.strip() == expected and expected, raw


def test_heldout_labels_are_well_formed(corpus):
    heldout = {r["name"] for r in corpus["heldout"]}
    path = typos.LABEL_FILES["heldout"]
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == ("name_raw", "expected", "note")
        found = list(reader)
    raws = [row["name_raw"] for row in found]
    assert found and len(raws) == len(set(raws)), "a heldout name is labelled twice"
    for row in found:
        assert row["name_raw"] in heldout, row
        assert row["expected"] and row["expected"].strip() == row["expected"], row
        assert row["note"].strip(), row
    assert typos.part_labels("heldout") == {row["name_raw"]: row["expected"] for row in found}


def test_domain_is_the_path_read_backwards():
    assert build_corpus.domain_of("package/data/lib/domains/lv/edu/bsa.txt") == "bsa.edu.lv"
    assert build_corpus.domain_of("package/data/lib/domains/abused/x.txt") is None
    assert build_corpus.domain_of("package/dist/index.js") is None


@pytest.fixture(scope="module")
def sources() -> list[typos.Source]:
    found = [typos.Source(r["name"], r["name"], "swot") for r in rows("dev")[:150]]
    return [*found, typos.Source("Université de Liège", "Université de Liège", "swot")]


def test_typo_generator_is_deterministic(sources):
    first = typos.generate(sources, "dev", typos.SMALL_LEXICON)
    again = typos.generate(list(reversed(sources)), "dev", typos.SMALL_LEXICON)
    assert first == again
    assert {t.mode for t in first} == {"single", "repeated"}


def test_typo_generator_changes_one_word_never_its_first_letter(sources):
    generated = typos.generate(sources, "dev", typos.SMALL_LEXICON)
    committed = [t for part in PARTS for t in typos.read_typos(DATA / f"typos_{part}.csv")]
    assert committed
    for typo in generated + committed:
        assert typo.misspelt != typo.word and typo.misspelt[0] == typo.word[0], typo
        raw_words = typos.WORD_RE.findall(typo.name_raw)
        expected_words = typos.WORD_RE.findall(typo.expected)
        pairs = zip(raw_words, expected_words, strict=True)
        differ = [(a, b) for a, b in pairs if a != b]
        assert differ == [(typo.misspelt, typo.word)], typo
        assert typo.kind in typos.KINDS and typo.word_class in typos.WORD_CLASSES, typo


def test_no_typo_is_made_from_a_name_labelled_misspelt():
    """A misspelt source has no right expected form to clean back to: such rows are left
    out, and a repeated pair as a whole."""
    for part in PARTS:
        misspelt = {raw for raw, expected in typos.part_labels(part).items() if raw != expected}
        committed = typos.read_typos(DATA / f"typos_{part}.csv")
        assert not [t.expected for t in committed if t.expected in misspelt], part


def test_every_kind_of_edit_keeps_the_first_letter():
    rng = random.Random(1)
    for word in ("University", "Politécnica", "Çukurova", "Medellín"):
        for kind in typos.KINDS:
            for i in typos.positions(word, kind):
                assert typos.misspell(word, kind, i, rng)[0] == word[0], (word, kind, i)


def test_repeated_typos_share_one_misspelling_per_pair():
    committed = typos.read_typos(DATA / "typos_dev.csv")
    pairs = Counter((t.page, t.misspelt) for t in committed if t.mode == "repeated")
    assert pairs and set(pairs.values()) == {2}


def test_pages_hold_100_names_without_the_typos_own_sources():
    committed = typos.read_typos(DATA / "typos_heldout.csv")[:25]
    correct = [r["name"] for r in rows("heldout")]
    for page, names in typos.pages(committed, correct).items():
        members = [t for t in committed if t.page == page]
        assert len(names) == typos.PAGE_SIZE
        assert not {t.expected for t in members} & set(names[len(members) :])


def test_evaluation_runs_on_the_public_api_and_writes_its_figures(tmp_path, capsys):
    target = tmp_path / "results.json"
    assert evaluate.main(["--part", "dev", "--limit", "20", "--json", str(target)]) == 0
    figures = json.loads(target.read_text(encoding="utf-8"))["parts"]["dev"]
    assert set(figures) == {"alone", "page"}
    for mode in figures.values():
        assert set(mode["status"]) == set(evaluate.TARGETS)
        assert mode["corpus_names"] == 20
    assert "false fixes on correct names" in capsys.readouterr().out


@pytest.mark.parametrize("module", [build_corpus, build_pairs, typos, evaluate])
def test_doctests(module):
    assert doctest.testmod(module).failed == 0


def test_institution_pairs_are_sorted_folded_pairs_of_long_words():
    from pipeline.names.resources import INSTITUTION_PAIRS_FILE, MIN_PAIR_WORD, read_pairs
    from pipeline.names.text import fold

    lines = INSTITUTION_PAIRS_FILE.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# generated by `python -m eval.names.build_pairs`")
    body = lines[1:]
    assert body == sorted(set(body)) and len(body) > 100
    for a, b in read_pairs():
        assert a == fold(a) and b == fold(b), (a, b)
        assert a.isalpha() and b.isalpha() and min(len(a), len(b)) >= MIN_PAIR_WORD, (a, b)
        assert not {a, b} & {"the", "and", "des", "der", "del", "for", "para"}, (a, b)
    assert ("high", "school") in read_pairs()


def test_a_pair_counts_each_name_that_writes_it_once():
    assert build_pairs.frequent_pairs(["Xxxx Yyyy"] * 3) == []
    names = ["Aaaa Xxxx Yyyy", "Bbbb Xxxx Yyyy", "Xxxx Yyyy", "Xxxx Yyyy"]
    assert build_pairs.frequent_pairs(names) == [("xxxx", "yyyy")]


def test_natural_shares_weigh_cells_as_typos_fall_on_real_names():
    """The balanced corpus gives every (class, kind) cell examples; the shares put them
    back in proportion: a dropped accent is rare on real names, a vocabulary word common."""
    shares = typos.natural_shares(typos.correct_sources("dev"), typos.SMALL_LEXICON)
    assert sum(shares.values()) == pytest.approx(1.0)
    by_kind: dict[str, float] = {}
    by_class: dict[str, float] = {}
    for (word_class, kind), share in shares.items():
        by_kind[kind] = by_kind.get(kind, 0.0) + share
        by_class[word_class] = by_class.get(word_class, 0.0) + share
    assert by_kind["dropped_accent"] < 0.05 < by_kind["deletion"]
    assert by_class["vocabulary"] > 0.3


def test_recall_over_all_typos_weighs_cells_not_rows():
    from types import SimpleNamespace

    def row(word_class, kind, fixed):
        return SimpleNamespace(word_class=word_class, kind=kind), SimpleNamespace(fixed=fixed)

    # 9 rows of a rare cell all missed, 1 row of a frequent cell fixed
    rows = [row("place", "dropped_accent", False)] * 9 + [row("vocabulary", "deletion", True)]
    shares = {("place", "dropped_accent"): 0.01, ("vocabulary", "deletion"): 0.99}
    figure = evaluate.weighted(rows, shares, evaluate.TARGET_CLASSES)
    assert figure == {"percent": 99.0, "cells": 2, "measured": 1.0}
    assert evaluate.weighted(rows, shares, ("common",))["percent"] is None


@pytest.mark.parametrize("part", PARTS)
def test_typo_rows_are_classed_with_the_current_vocabulary(part):
    """The recall of each (class, kind) cell is weighed by shares computed with today's
    vocabulary: the rows must be classed with it too. Regenerate after a vocabulary change:
    .venv/bin/python -m eval.names.typos"""
    stale = [
        (t.word, t.word_class) for t in typos.read_typos(DATA / f"typos_{part}.csv")
        if (typos.fold(t.word) in typos.vocabulary()) != (t.word_class == "vocabulary")
    ]
    assert not stale, f"{len(stale)} rows classed with another vocabulary, e.g. {stale[:3]}"
