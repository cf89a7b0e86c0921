"""The system_comma fixer: the page's comma between a system name and its campus."""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.names.context import PageContext, resources_of
from pipeline.names.split import is_place
from pipeline.names.text import TOKEN_RE


@lru_cache(maxsize=256)
def _system_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(
        r"(?:^|(?<=, ))(" + alternatives + r") "
        r"(?=([^\W\d_][\w.'’-]*(?: [^\W\d_][\w.'’-]*){0,2})(?:$|, | \())"
    )


def _in_gazetteer(campus: str, resources) -> bool:
    """True when every word of three letters or more of ``campus`` is a place's word, and
    none is written in capitals.

    >>> from pipeline.names.resources import default_resources
    >>> [_in_gazetteer(c, default_resources()) for c in ("San Diego", "System", "BALTAZAR")]
    [True, False, False]
    """
    words = [w for w in TOKEN_RE.findall(campus) if len(w) >= 3]
    return bool(words) and all(not w.isupper() and resources.is_place(w) for w in words)


def fix_system_comma(text: str, ctx: PageContext | None = None) -> str:
    """Put the page's comma between a system name and a campus.

    ``University of California Davis`` -> ``University of California, Davis`` when the page
    writes ``University of California, San Diego``.

    Changes only a system name the same page writes with ``, <place>`` and only when one
    to three capitalized words of places (the gazetteer's) follow it up to the end of the
    name or part. Leaves alone: everything without such page evidence (no context:
    nothing), names where the words after it are vocabulary or function words
    (``University of California Research Center``) or no place's (``University of
    California System``, ``University of South Carolina Upstate``), words in capitals
    (an acronym), names already with the comma.

    >>> ctx = PageContext(system_names=("University of California",))
    >>> fix_system_comma("University of California Davis", ctx)
    'University of California, Davis'
    >>> fix_system_comma("University of California Davis")
    'University of California Davis'
    """
    if not ctx or not any(name in text for name in ctx.system_names):
        return text

    resources = resources_of(ctx)

    def repl(match: re.Match[str]) -> str:
        campus = match.group(2)
        if is_place(campus) and _in_gazetteer(campus, resources):
            return match.group(1) + ", "
        return match.group(0)

    return _system_pattern(ctx.system_names).sub(repl, text)
