"""Misspellings for tests: one edit of a word, never on its first letter."""

EDITS = ("insert", "delete", "substitute", "transpose")


def one_edit(word: str, kind: str, i: int, letter: str) -> str:
    """``word`` with one insertion, deletion, substitution or transposition at position ``i``.

    >>> [one_edit("Science", k, 2, "x") for k in EDITS]
    ['Scxience', 'Scence', 'Scxence', 'Sceince']
    """
    if kind == "insert":
        return word[:i] + letter + word[i:]
    if kind == "delete":
        return word[:i] + word[i + 1 :]
    if kind == "substitute":
        return word[:i] + letter + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # transpose
