"""Command line: parses arguments, calls one stage, prints its result. No logic of its own."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import logging
import math
import sys
from collections import Counter
from pathlib import Path

from pipeline import __version__, config
from pipeline.errors import PipelineError
from pipeline.sources import DEFAULT_PROFILE, get_profile, profile_keys

DESCRIPTION = """\
NAIST's International Partners List as clean, typed tables you can hand to others.

Fetches the page that lists NAIST's partner institutions, keeps every version of it in raw/
(append-only evidence), and builds out/partners.csv and out/partners.parquet: one row per
agreement with its country, type, institution and dates, typos fixed and every change listed
in out/corrections.csv. It also tells what changed between two versions and builds the
timeline of every agreement."""

EXAMPLES = """\
examples:
  %(prog)s refresh            # fetch the page if it changed, then rebuild out/
  %(prog)s build --force      # rebuild out/ from the newest snapshot in raw/
  %(prog)s diff               # what changed between the two newest snapshots
  %(prog)s diff OLD.html out/partners.csv --format csv
  %(prog)s history            # the timeline of every agreement over raw/
  %(prog)s COMMAND --help     # every option of one command

raw/ and out/ are those of the current directory (of the repository when run from it).
Exit status: 0 success; 1 an error, bad arguments included (one line on stderr), or
differences with diff --exit-code."""


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the description's and examples' line breaks and shows every option's default.

    Like argparse.ArgumentDefaultsHelpFormatter, but an option without a value to show (a
    flag, or one whose help already says what happens by default) gets no "(default: None)".
    """

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if (action.default not in (None, False, argparse.SUPPRESS)
                and "%(default)" not in text and "default:" not in text):
            text += " (default: %(default)s)"
        return text


class Parser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line on stderr and exit status 1, like every other
    expected failure (argparse prints its usage block and exits 2)."""

    def error(self, message: str):
        from pipeline.errors import elide

        problem = elide(" ".join(message.split()), 200)
        self.exit(1, f"error: {problem} — see `{self.prog} --help`\n")


def _global_options(top_level: bool) -> argparse.ArgumentParser:
    """Options accepted before and after the command (`refresh -v` and `-v refresh` alike).

    Below the command their defaults are SUPPRESS, so an option given before the command is
    not reset by the command's parser.
    """
    options = argparse.ArgumentParser(add_help=False)
    unset = {} if top_level else {"default": argparse.SUPPRESS}
    options.add_argument("-v", "--verbose", action="store_true",
                         help="report progress on stderr (addresses tried, retries, ...)",
                         **({"default": False} | unset))
    options.add_argument("--version", action="version", version=f"naist-partners {__version__}",
                         help="print the version and exit")
    options.add_argument("--source", choices=profile_keys(),
                         help="which publisher's page (source profile) to read",
                         **({"default": DEFAULT_PROFILE} | unset))
    return options


# Long (about 80 lines) on purpose: one declaration per command and option, read top to bottom
# like the --help it produces; splitting it would scatter one command's options.
def _parser(prog: str | None = None) -> argparse.ArgumentParser:
    prog = prog or _program_name()
    parser = Parser(prog=prog, description=DESCRIPTION, epilog=EXAMPLES,
                    formatter_class=HelpFormatter, parents=[_global_options(top_level=True)])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                title="commands")

    def command(name: str, summary: str, example: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=summary, description=summary,
                              epilog=f"example:\n  {prog} {example}",
                              formatter_class=HelpFormatter,
                              parents=[_global_options(top_level=False)])

    build = command("build", "Build out/ from a snapshot (by default the newest in raw/).",
                    "build --snapshot page.html --out /tmp/partners")
    build.add_argument("--snapshot", type=Path, metavar="FILE",
                       help="build from this HTML file instead (with or without a sidecar); "
                       "default: the newest snapshot in --raw-dir")
    _build_options(build)

    refresh = command("refresh", "Fetch the live page into raw/ if it changed, then build out/.",
                      "refresh --require-live --timeout 10")
    refresh.add_argument("--url", metavar="URL", type=http_url,
                         help="fetch only this address (default: each of the source profile's "
                         "known addresses in turn, moving on when one is gone or no longer "
                         "lists partners)")
    refresh.add_argument("--require-live", action="store_true",
                         help="fail instead of building from raw/ when the page cannot be reached")
    refresh.add_argument("--timeout", type=seconds, default=60.0, metavar="SECONDS",
                         help="give up on an address after this many seconds in all, "
                         "robots.txt, redirects and retries included")
    refresh.add_argument("--retries", type=count, default=3, metavar="N",
                         help="retries on network errors, HTTP 429 and 5xx")
    _build_options(refresh)

    diff = command("diff", "Show what changed between two versions of the list.",
                   "diff raw/OLD.html out/partners.csv --format json --exit-code")
    diff.add_argument("old", type=Path, nargs="?", metavar="OLD",
                      help="the earlier version: a snapshot from raw/, a partners.parquet or a "
                      "partners.csv; default: the second newest snapshot in --raw-dir")
    diff.add_argument("new", type=Path, nargs="?", metavar="NEW",
                      help="the later version, in any of those forms; default: the newest "
                      "snapshot in --raw-dir")
    diff.add_argument("--raw-dir", type=Path, default=config.RAW_DIR, metavar="DIR",
                      help="where to find the two newest snapshots when OLD and NEW are omitted")
    diff.add_argument("--out", type=Path, metavar="DIR",
                      help="also write diff.csv and diff.json into DIR (default: write nothing)")
    diff.add_argument("--format", choices=("text", "csv", "json"), default="text",
                      help="print a summary for people, or diff.csv's or diff.json's content")
    diff.add_argument("--exit-code", action="store_true", help="exit 1 when the data differ")
    diff.add_argument("--allow-count-mismatch", action="store_true",
                      help="compare pages whose stated counts disagree with their rows")

    history = command("history", "Build the timeline of every agreement over all snapshots in "
                      "raw/ (history.parquet, history.csv, events.csv).", "history --out /tmp/h")
    history.add_argument("--raw-dir", type=Path, default=config.RAW_DIR, metavar="DIR",
                         help="the snapshots to replay")
    history.add_argument("--out", type=Path, default=config.OUT_DIR, metavar="DIR",
                         help="where to write the timeline")
    history.add_argument("--skip-damaged", action="store_true",
                         help="warn about and skip snapshots whose bytes no longer match their "
                         "recorded sha256 (default: stop with an error)")

    clean = command("clean-names", "Clean a list of institution names with the same rules "
                    "(all treated as one page); prints CSV name_raw,name,institution,unit,changes.",
                    "clean-names names.txt > clean.csv")
    clean.add_argument("file", nargs="?", type=Path, metavar="FILE",
                       help="names, one per line, or a CSV file with --column (default: stdin)")
    clean.add_argument("--column", metavar="NAME",
                       help="read the names from this column of a CSV file")

    report = command("report", "Rewrite the analyst files in out/ (report.html, partners.xlsx, "
                     "expirations.ics, renewals.csv) for another date, without rebuilding.",
                     "report --on 2025-04-01 --within 6")
    report.add_argument("--out", type=Path, default=config.OUT_DIR, metavar="DIR",
                        help="a built out/")
    _report_options(report)
    return parser


def _report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--on", type=_date, metavar="DATE",
                        help="reference date of the renewal status, YYYY-MM-DD (default: today)")
    parser.add_argument("--within", type=_months, metavar="MONTHS",
                        help="expiring means within this many months (default: 12)")
    parser.add_argument("--remind", type=_months, metavar="MONTHS",
                        help="calendar reminder this many months before (default: 3)")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


def _months(text: str) -> int:
    if not text.isdigit() or int(text) > 1200:
        raise argparse.ArgumentTypeError(f"not a number of months: {text!r}")
    return int(text)


def _build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw-dir", type=Path, default=config.RAW_DIR, metavar="DIR",
                        help="the snapshot store (append-only)")
    parser.add_argument("--out", type=Path, default=config.OUT_DIR, metavar="DIR",
                        help="where to write the tables")
    parser.add_argument("--force", action="store_true", help="rebuild even if out/ is current")
    parser.add_argument("--allow-count-mismatch", action="store_true",
                        help="warn instead of failing when the page's stated counts disagree")
    _report_options(parser)


def _report_kwargs(args) -> dict:
    return {"on": args.on, "within": args.within, "remind": args.remind}


def _program_name() -> str:
    """`naist-partners` when installed, `python -m pipeline` when run from the repository."""
    script = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return "python -m pipeline" if script in {"__main__.py", "-m", ""} else script


def seconds(text: str) -> float:
    """argparse type: a finite number of seconds above zero."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0, not {text!r}")
    return value


def count(text: str) -> int:
    """argparse type: a whole number, 0 or more."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, not {text!r}")
    return int(text)


def http_url(text: str) -> str:
    """argparse type: an http(s) address."""
    from pipeline.errors import elide
    from pipeline.headers import url_problem

    problem = url_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(f"{elide(repr(text), 80)}: {problem}")
    return text


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.ERROR,
                        format="%(message)s", stream=sys.stderr)
    try:
        with collection_paused(), without_test_only_imports():
            return COMMANDS[args.command](args)
    except PipelineError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


@contextlib.contextmanager
def collection_paused():
    """Run one command with the cyclic garbage collector paused, then freeze what survived.

    A command allocates in proportion to its input (cells, rows, frames) and frees little of it
    until it ends, and importing pandas and pandera allocates about a million objects more:
    collections in between would rescan them all and find nothing, which makes a big page
    superlinear. Reference counting still frees everything that is not a cycle. Freezing before
    collection resumes moves the imported modules and the results out of the collector's reach,
    so neither the next collection nor the one at interpreter exit walks them again.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


# Installed only for the test suite; pandera imports it whenever it is importable.
TEST_ONLY_MODULES = ("hypothesis",)


@contextlib.contextmanager
def without_test_only_imports():
    """Run one command as it runs where only the runtime dependencies are installed.

    pandera loads its data-synthesis layer (pandera.strategies, on hypothesis, ~0.2 s) when
    hypothesis can be imported, as in the development environment; no command uses it.
    Marking the module absent for the command (``None`` in ``sys.modules``: the import
    system's own way to make an import fail) lets pandera take its documented path for an
    environment without hypothesis; validation is the same. Nothing is hidden when it is
    already imported, and it is importable again once the command returns.
    """
    hidden = [name for name in TEST_ONLY_MODULES if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None
    try:
        yield
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]


def _resources(args):
    from pipeline.reference import Resources

    return Resources.load(get_profile(args.source))


def _build(args) -> int:
    from pipeline.build import build

    result = build(args.snapshot, raw_dir=args.raw_dir, out_dir=args.out, force=args.force,
                   strict_counts=not args.allow_count_mismatch, resources=_resources(args),
                   **_report_kwargs(args))
    _print_build(result)
    return 0


def _refresh(args) -> int:
    from pipeline.fetch import FetchPolicy
    from pipeline.refresh import refresh

    result = refresh(args.url, urls=get_profile(args.source).urls, raw_dir=args.raw_dir,
                     out_dir=args.out, require_live=args.require_live, force=args.force,
                     strict_counts=not args.allow_count_mismatch,
                     policy=FetchPolicy.within(args.timeout, retries=args.retries),
                     resources=_resources(args), report_options=_report_kwargs(args))
    print(result.fetch_message, file=sys.stdout if result.live else sys.stderr)
    _print_build(result.build)
    return 0


def _print_build(result) -> None:
    if result.up_to_date:
        print(f"{result.out_dir} is up to date with {result.snapshot} (use --force to rebuild)")
        return
    print(f"built {result.out_dir} from {result.snapshot}: {result.rows} partners in "
          f"{result.countries} countries, {result.corrections} corrections, "
          f"{result.suggestions} suggestions to review, {len(result.warnings)} warnings")
    for line in warning_lines(result.warnings, result.out_dir / config.METADATA_JSON):
        print(line, file=sys.stderr)
    from pipeline.changes import printed_summary

    changes = printed_summary(result.out_dir)
    if changes:
        print(changes)


def warning_lines(warnings, listed_in: Path) -> list[str]:
    """One line per kind of warning: the message itself, or a count, the kind and one example.

    >>> from pipeline.normalize import Finding
    >>> terms = [Finding("whole-terms", f"row {n}") for n in (1, 2)]
    >>> for line in warning_lines(terms, Path("out/metadata.json")):
    ...     print(line)
    warning: 2 × agreements run for whole terms (e.g. row 1); all in out/metadata.json
    """
    from schemas.checks import message

    lines = []
    for check, count in Counter(w.check for w in warnings).items():
        example = next(w.message for w in warnings if w.check == check)
        if count == 1:
            lines.append(f"warning: {example}")
        else:
            lines.append(f"warning: {count} × {message(check)} (e.g. {example}); "
                         f"all in {listed_in}")
    return lines


def _diff(args) -> int:
    from pipeline import diff
    from pipeline.build import check_directories
    from pipeline.versions import NAME_TWO, newest_pair

    if args.out is not None:  # before any work: never into raw/, never over a file
        check_directories(args.raw_dir, args.out)

    if (args.old is None) != (args.new is None):
        raise PipelineError("diff needs two versions, OLD and NEW, or none "
                            "(then the two newest snapshots in raw/ are compared)", NAME_TWO)
    old, new = (args.old, args.new) if args.old else newest_pair(args.raw_dir)
    if args.old is None:
        print(f"comparing {old.name} with {new.name}, the two newest snapshots in "
              f"{args.raw_dir}", file=sys.stderr)
    result = diff.compare_paths(old, new, strict_counts=not args.allow_count_mismatch)
    if args.out is not None:
        written = diff.write_outputs(result, args.out)
        print(f"wrote {', '.join(str(path) for path in written.values())}", file=sys.stderr)
    output = diff.render(result, args.format)
    sys.stdout.write(output if output.endswith("\n") else output + "\n")
    return 1 if args.exit_code and result.differs else 0


def _history(args) -> int:
    from pipeline import history
    from pipeline.build import check_directories

    check_directories(args.raw_dir, args.out)
    result = history.build_history(args.raw_dir, args.out, skip_damaged=args.skip_damaged)
    print(history.summary_text(result))
    return 0


def _clean_names(args) -> int:
    from pipeline.names import listing

    if args.file is None:
        text = sys.stdin.read()
    else:
        try:
            text = args.file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise PipelineError(f"cannot read {args.file}: {getattr(error, 'strerror', error)}",
                                "give a UTF-8 text or CSV file") from None
    rows = listing.clean_rows(listing.read_names(text, args.column))
    sys.stdout.write(listing.to_csv(rows))
    return 0


def _report(args) -> int:
    from pipeline import analyst

    options = analyst.options(**_report_kwargs(args))
    written = analyst.write_from_out(args.out, options)
    print(f"wrote {', '.join(written)} in {args.out} for {options.on.isoformat()}")
    return 0


COMMANDS = {"build": _build, "refresh": _refresh, "diff": _diff, "history": _history,
            "clean-names": _clean_names, "report": _report}
