"""The change summary: what changed since the previous build, for people (out/changes.md, a
short text printed by build and refresh) and for tables (out/changes.csv, the workbook).

Every use of the diff machinery is in :func:`_compare`, through its public functions only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

CHANGES_MD = "changes.md"
CHANGES_CSV = "changes.csv"
SHORT_LINES = 12  # lines of the change list printed after the summary line


@dataclass(frozen=True)
class Changes:
    """The difference between the previous build and this one."""

    previous: bool  # a previous build existed to compare with
    differs: bool = False
    summary: str = ""  # "2 added, 1 removed, 5 changed: 3 renewals"
    lines: tuple[str, ...] = ()  # the diff's text, one change a line
    rows: list[dict] = field(default_factory=list)  # diff.csv's rows
    old_as_of: dt.date | None = None
    new_as_of: dt.date | None = None


def columns() -> tuple[str, ...]:
    """Columns of changes.csv: those of diff.csv."""
    from schemas.describe import types
    from schemas.diff import DiffModel

    return tuple(types(DiffModel))


def against_previous(previous: Path, rows: Sequence[Mapping],
                     as_of: dt.date | None) -> Changes:
    """Compare the rows of a new build with the partners.parquet of the previous one."""
    if not previous.is_file():
        return Changes(previous=False, new_as_of=as_of)
    return _compare(previous, rows, as_of)


def _compare(previous: Path, rows: Sequence[Mapping], as_of: dt.date | None) -> Changes:
    from pipeline import diff
    from pipeline.errors import PipelineError

    try:
        old = diff.load(previous)
    except PipelineError:  # an unreadable previous build: nothing to compare with
        return Changes(previous=False, new_as_of=as_of)
    result = diff.compare(old.rows, list(rows), old.version, {"as_of": as_of})
    # The first two lines of the text name the two files; changes.md says it in words.
    lines = tuple(diff.render(result, "text").splitlines()[3:])
    return Changes(previous=True, differs=result.differs or bool(result.corrections),
                   summary=diff.summary_line(result), lines=lines,
                   rows=diff.diff_rows(result), old_as_of=old.version.as_of, new_as_of=as_of)


def markdown(changes: Changes) -> str:
    """out/changes.md: readable as plain text, on a git host and in an e-mail."""
    title = "# Changes in the NAIST international partners list\n\n"
    if not changes.previous:
        return title + "First build: there is no previous version to compare with.\n"
    span = f"as of {_day(changes.old_as_of)} → as of {_day(changes.new_as_of)}"
    if not changes.differs:
        return title + f"No partner changed since the previous build ({span}).\n"
    body = "\n".join(changes.lines).strip("\n")
    return (title + f"Compared with the previous build ({span}):\n\n**{changes.summary}**\n\n"
            f"```text\n{body}\n```\n")


def from_files(changes_md: str, rows: list[dict]) -> Changes:
    """The Changes a build wrote as changes.md and changes.csv (for `pipeline report`)."""
    if "no previous version" in changes_md:
        return Changes(previous=False)
    if "**" not in changes_md:
        return Changes(previous=True, rows=rows)
    body = changes_md.split("```text\n", 1)[1].rsplit("```", 1)[0].strip("\n")
    return Changes(previous=True, differs=True, summary=changes_md.split("**")[1],
                   lines=tuple(body.splitlines()), rows=rows)


def short_text(changes_md: str) -> str:
    """What build and refresh print: the summary line and the first changes, or nothing
    when no partner changed."""
    if "**" not in changes_md:
        return ""
    summary = changes_md.split("**")[1]
    body = changes_md.split("```text\n", 1)[1].rsplit("```", 1)[0].strip("\n").splitlines()
    shown = body[:SHORT_LINES]
    more = [f"  … {len(body) - SHORT_LINES} more lines"] if len(body) > SHORT_LINES else []
    return "\n".join([f"changes: {summary}", *shown, *more])


def printed_summary(out_dir: Path) -> str:
    """The short text of out/changes.md ("" when there is none or nothing changed)."""
    try:
        return short_text((out_dir / CHANGES_MD).read_text(encoding="utf-8"))
    except OSError:
        return ""


def _day(day: dt.date | None) -> str:
    return day.isoformat() if day else "an unknown date"
