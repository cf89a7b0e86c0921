"""Institution-name cleaning: the public API.

``clean_name(raw)`` cleans one name on its own; ``NameCleaner(page_names).clean(raw)``
cleans a name with the other names of its page as evidence. Each result has ``.name`` (the
clean name), ``.institution``, ``.unit``, ``.abbreviation``, ``.changes`` (each with
``.fixer``, ``.before``, ``.after``) and ``.suggestions``.

The package, along its seams: :mod:`.text` (folding, tokens), :mod:`.resources` (word lists
and curated data, loaded once), :mod:`.language` (a name's languages), :mod:`.fixers` (one
family per module), :mod:`.registry` (the order), :mod:`.records` (change records),
:mod:`.split` (institution / unit / abbreviation), :mod:`.cleaner` (the page-aware cleaner),
:mod:`.memo` (answers remembered for one page), :mod:`.wordlist` (generates the word lists).
"""

from pipeline.names.cleaner import CleanedName, NameCleaner, clean_name
from pipeline.names.records import Change, Override, Suggestion, replay_changes
from pipeline.names.registry import REGISTRY, fixer_list
from pipeline.names.split import NameParts, split_name

__all__ = [
    "REGISTRY",
    "Change",
    "CleanedName",
    "NameCleaner",
    "NameParts",
    "Override",
    "Suggestion",
    "clean_name",
    "fixer_list",
    "replay_changes",
    "split_name",
]
