"""What a cleaner remembers for its page never changes a result: the same name cleans the
same whatever was cleaned before it, with the page's cleaner or a fresh one."""

from __future__ import annotations

import random

from pipeline.names import NameCleaner
from tests.test_names import PAGE_NAMES
from tests.typos import one_edit


def _misspelt(name: str) -> str:
    """``name`` with two letters of its longest word swapped."""
    word = max(name.split(), key=len)
    return name.replace(word, one_edit(word, "transpose", 2, ""), 1)


# The 2024 page with a misspelt copy of some of its names, so the spelling fixer has
# decisions to remember (the same unknown word in several names).
PAGE = PAGE_NAMES + [_misspelt(name) for name in PAGE_NAMES[::4]]


def _fresh(raw: str) -> tuple:
    cleaner = NameCleaner(PAGE)
    return cleaner.clean(raw), cleaner.identity_name(raw)


def test_a_name_cleans_the_same_whatever_was_cleaned_before():
    expected = {raw: _fresh(raw) for raw in PAGE}
    for seed in (1, 2):
        order = PAGE[:]
        random.Random(seed).shuffle(order)
        cleaner = NameCleaner(PAGE)
        for raw in order:
            assert (cleaner.clean(raw), cleaner.identity_name(raw)) == expected[raw], raw


def test_identity_names_are_the_same_before_and_after_the_page_is_cleaned():
    first = NameCleaner(PAGE)
    before = [first.identity_name(raw) for raw in PAGE]
    second = NameCleaner(PAGE)
    for raw in PAGE:
        second.clean(raw)
    assert [second.identity_name(raw) for raw in PAGE] == before


def test_names_off_the_page_clean_as_they_would_alone():
    cleaner = NameCleaner(PAGE)
    for raw in PAGE[:20]:
        cleaner.clean(raw)
    stranger = "Departmnet of Statisticl Science, Univeristy of Tartu"
    assert cleaner.clean(stranger) == NameCleaner(PAGE).clean(stranger)


def test_identity_names_kept_for_the_run_are_those_each_page_would_compute():
    from pipeline.names.resources import default_resources

    own_table = NameCleaner(PAGE, overrides=default_resources().overrides)  # not shared
    NameCleaner(PAGE[::-1][:30]).identity_name(PAGE[-1])  # another page of the run first
    shared = NameCleaner(PAGE)
    assert [shared.identity_name(raw) for raw in PAGE] == [
        own_table.identity_name(raw) for raw in PAGE]


def test_identity_names_follow_the_cleaner_overrides():
    raw = "The University of San Paulo Institute of Mathematics and Statistics"
    page = [raw, "Universidade Federal de São Paulo"]
    assert "São Paulo" in NameCleaner(page).identity_name(raw)  # the curated override
    assert "San Paulo" in NameCleaner(page, overrides=()).identity_name(raw)
    assert "São Paulo" in NameCleaner(page).identity_name(raw)
