"""Run the command line in this process, shaped like a finished subprocess.

``cli.main`` is what ``python -m pipeline`` calls; running it here skips starting an
interpreter and importing pandas again, which is most of a subprocess test's time. What a user
would see on stderr is kept: the command's own lines, its log records (ERROR and above, as
``cli.main`` configures them) and Python warnings shown with the interpreter's default filters.
"""

from __future__ import annotations

import contextlib
import gc
import io
import logging
import subprocess
import warnings


def run_cli(argv: list[str]) -> subprocess.CompletedProcess:
    """``cli.main(argv)`` with stdout and stderr captured; returncode is its exit status."""
    from pipeline.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    handler = logging.StreamHandler(stderr)
    handler.setLevel(logging.INFO if {"-v", "--verbose"} & set(argv) else logging.ERROR)
    handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(stdout), \
                contextlib.redirect_stderr(stderr):
            _interpreter_default_warnings(stderr)
            code = main(argv)
    finally:
        root.removeHandler(handler)
        gc.unfreeze()  # main froze what survived; let this process collect it as usual
    return subprocess.CompletedProcess(argv, code, stdout.getvalue(), stderr.getvalue())


def _interpreter_default_warnings(stream: io.StringIO) -> None:
    """Show warnings on ``stream`` as a fresh interpreter would (its default filters)."""
    warnings.resetwarnings()
    warnings.simplefilter("default")
    for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning,
                     ResourceWarning):
        warnings.simplefilter("ignore", category)
    warnings.showwarning = lambda message, category, filename, lineno, file=None, line=None: \
        stream.write(warnings.formatwarning(message, category, filename, lineno, line))
