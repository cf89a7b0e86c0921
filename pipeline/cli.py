"""Command line: parses arguments, calls one stage, prints. No logic of its own.

    python -m pipeline build   [--snapshot PATH] [--out DIR] [--raw-dir DIR] [--force]
    python -m pipeline refresh [--url URL] [--raw-dir DIR] [--out DIR] [--require-live] [--force]
    python -m pipeline diff OLD NEW [--out DIR] [--format text|csv|json] [--exit-code]
    python -m pipeline history [--raw-dir DIR] [--out DIR]
    python -m pipeline report  [--out DIR] [--on DATE] [--within MONTHS] [--remind MONTHS]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from collections import Counter
from pathlib import Path

from pipeline import __version__, config
from pipeline.errors import PipelineError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="report progress (retries, ...)")
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="build out/ from a snapshot (default: newest in raw/)")
    build.add_argument("--snapshot", type=Path, help="any HTML file, with or without a sidecar")
    _common_build_options(build)

    refresh = sub.add_parser("refresh", help="fetch the live page, then build")
    refresh.add_argument("--url", default=config.DEFAULT_URL,
                         help="page address (default: %(default)s)")
    refresh.add_argument("--require-live", action="store_true",
                         help="fail instead of building from raw/ when the page cannot be reached")
    refresh.add_argument("--timeout", type=float, default=20.0,
                         help="seconds to wait for the server (default: %(default)s)")
    refresh.add_argument("--retries", type=int, default=3,
                         help="retries on network errors, 429 and 5xx (default: %(default)s)")
    _common_build_options(refresh)

    diff = sub.add_parser("diff", help="compare two versions (snapshots or partners.parquet)")
    diff.add_argument("old", type=Path)
    diff.add_argument("new", type=Path)
    diff.add_argument("--out", type=Path, default=config.OUT_DIR,
                      help="writes diff.csv and diff.json here")
    diff.add_argument("--format", choices=("text", "csv", "json"), default="text")
    diff.add_argument("--exit-code", action="store_true", help="exit 1 when the data differ")
    diff.add_argument("--allow-count-mismatch", action="store_true",
                      help="compare pages whose stated counts disagree with their rows")

    history = sub.add_parser("history", help="timeline of every agreement over raw/")
    history.add_argument("--raw-dir", type=Path, default=config.RAW_DIR)
    history.add_argument("--out", type=Path, default=config.OUT_DIR)

    report = sub.add_parser("report", help="rewrite report.html, partners.xlsx, "
                            "expirations.ics and renewals.csv in out/ without rebuilding")
    report.add_argument("--out", type=Path, default=config.OUT_DIR, help="a built out/")
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


def _common_build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw-dir", type=Path, default=config.RAW_DIR, help="snapshot store")
    parser.add_argument("--out", type=Path, default=config.OUT_DIR, help="output directory")
    parser.add_argument("--force", action="store_true", help="rebuild even if out/ is current")
    parser.add_argument("--allow-count-mismatch", action="store_true",
                        help="warn instead of failing when the page's stated counts disagree")
    _report_options(parser)


def _report_kwargs(args) -> dict:
    return {"on": args.on, "within": args.within, "remind": args.remind}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.ERROR,
                        format="%(message)s", stream=sys.stderr)
    try:
        return COMMANDS[args.command](args)
    except PipelineError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _build(args) -> int:
    from pipeline.build import build

    result = build(args.snapshot, raw_dir=args.raw_dir, out_dir=args.out, force=args.force,
                   strict_counts=not args.allow_count_mismatch, **_report_kwargs(args))
    _print_build(result)
    return 0


def _refresh(args) -> int:
    from pipeline.refresh import refresh

    result = refresh(args.url, raw_dir=args.raw_dir, out_dir=args.out,
                     require_live=args.require_live, force=args.force,
                     strict_counts=not args.allow_count_mismatch,
                     timeout=(min(args.timeout, 10.0), args.timeout), retries=args.retries,
                     report_options=_report_kwargs(args))
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
    for check, count in Counter(w.check for w in result.warnings).items():
        example = next(w.message for w in result.warnings if w.check == check)
        more = f" (+{count - 1} more)" if count > 1 else ""
        print(f"warning: {example}{more}", file=sys.stderr)
    from pipeline.changes import printed_summary

    changes = printed_summary(result.out_dir)
    if changes:
        print(changes)


def _diff(args) -> int:
    from pipeline import diff

    result = diff.compare_paths(args.old, args.new,
                                strict_counts=not args.allow_count_mismatch)
    diff.write_outputs(result, args.out)
    output = diff.render(result, args.format)
    sys.stdout.write(output if output.endswith("\n") else output + "\n")
    return 1 if args.exit_code and result.differs else 0


def _history(args) -> int:
    from pipeline import history

    result = history.build_history(args.raw_dir, args.out)
    print(history.summary_text(result))
    return 0


def _report(args) -> int:
    from pipeline import analyst

    options = analyst.options(**_report_kwargs(args))
    written = analyst.write_from_out(args.out, options)
    print(f"wrote {', '.join(written)} in {args.out} for {options.on.isoformat()}")
    return 0


COMMANDS = {"build": _build, "refresh": _refresh, "diff": _diff, "history": _history,
            "report": _report}
