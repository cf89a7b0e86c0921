"""The legend of agreement types ("I: Institute-wide level, IS: Information Science …")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.parse.scan import Line

__all__ = ["legend_blocks", "pick_legend"]

_LEGEND_LABEL = re.compile(
    r"^(?:agreement\s+types?|types?\s+of\s+agreements?|legend|abbreviations?)\s*[:：]?\s*",
    re.IGNORECASE,
)
_LEGEND_ITEM = re.compile(r"(?:^|[,;，、；])\s*([A-Z][A-Z0-9]{0,5})\s*[:：=]\s*")


@dataclass(frozen=True)
class LegendBlock:
    entries: dict[str, str]
    labelled: bool  # introduced by "Agreement types" (or similar)


def legend_blocks(lines: list[Line]) -> list[LegendBlock]:
    """Runs of consecutive "CODE: description" lines, with whether a label introduced them."""
    blocks: list[LegendBlock] = []
    entries: dict[str, str] = {}
    labelled = False
    previous_label = False
    for line in lines:
        text = line.text
        label = _LEGEND_LABEL.match(text)
        is_label = label is not None and label.end() > 0
        found = _legend_entries(text[label.end() :] if is_label else text)
        if found:
            if not entries:
                labelled = previous_label or is_label
            for code, description in found:
                entries.setdefault(code, description)
        elif entries:
            blocks.append(LegendBlock(entries, labelled))
            entries = {}
        previous_label = is_label and not found
    if entries:
        blocks.append(LegendBlock(entries, labelled))
    return blocks


def _legend_entries(text: str) -> list[tuple[str, str]]:
    """Parse "I: Institute-wide level," or several on one line; [] if the line is not that.

    >>> _legend_entries("I: Institute-wide level,")
    [('I', 'Institute-wide level')]
    >>> _legend_entries("IS: Information Science (Graduate school-level), BS: Biology")
    [('IS', 'Information Science (Graduate school-level)'), ('BS', 'Biology')]
    >>> _legend_entries("Institute: no")
    []
    """
    if ":" not in text and "：" not in text and "=" not in text:
        return []  # every entry has one: the common case of an ordinary line
    matches = list(_LEGEND_ITEM.finditer(text))
    if not matches or matches[0].start() != 0:
        return []
    found = []
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following is not None else len(text)
        description = text[match.end() : end].strip().rstrip(",;，、；").strip()
        if not description:
            return []
        found.append((match.group(1), description))
    return found


def pick_legend(blocks: list[LegendBlock], used_codes: set[str]) -> dict[str, str]:
    """The legend is the labelled block, or the one naming codes the tables use
    (this leaves out look-alikes such as "TEL: 0743-72-5111" in a footer)."""
    legend: dict[str, str] = {}
    for block in blocks:
        if block.labelled or used_codes.intersection(block.entries):
            for code, description in block.entries.items():
                legend.setdefault(code, description)
    return legend
