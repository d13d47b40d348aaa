"""``backprop-tui check FILE.py``: a student's forward_backward_pass against the engine.

Exit status: 0 everything matches; 1 the implementation is wrong (mismatch,
wrong shape or count, nan/inf, an exception, or the time limit); 2 the file
cannot be checked (missing, syntax error, no function, wrong parameters) or the
options are wrong. Errors are one ``backprop-tui: error: ...`` line on stderr;
with ``--json`` stdout still gets one JSON document, whatever happens.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING

from .isolate import DEFAULT_MEMORY_MB, MAX_MEMORY_MB
from .loader import StudentError
from .template import DEFAULT_PATH, TemplateError, write_template

if TYPE_CHECKING:
    from ..core.run.session import Session
    from .runner import CheckReport

DEFAULT_TIMEOUT = 10.0


def check_parser() -> argparse.ArgumentParser:
    from ..options import PROG, Parser, add_data_options, add_train_options

    parser = Parser(
        prog=f"{PROG} check",
        description="Run the forward_backward_pass(x, target, W1, b1, W2, b2) in FILE.py "
                    "beside the engine, sample by sample, with the same parameters, and "
                    "report the first value that differs. Training moves on with the "
                    "engine's gradients (--samples says how far; --epochs is not used). "
                    "Exit status: 0 all match, 1 wrong, 2 cannot check.",
    )
    parser.add_argument("file", nargs="?", metavar="FILE.py", help="the file to check")
    parser.add_argument("--template", nargs="?", const=DEFAULT_PATH, metavar="PATH",
                        help=f"write a starting file with TODOs instead (default {DEFAULT_PATH}; "
                             "an existing file is never overwritten)")
    parser.add_argument("--samples", type=int, metavar="K",
                        help="samples to check (default: two epochs when that is at most "
                             "1000 samples, else one epoch)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help="time limit for the student's code, loading included, over "
                             f"the whole check (default {DEFAULT_TIMEOUT:g}, at most 3600)")
    parser.add_argument("--memory", type=float, default=DEFAULT_MEMORY_MB, metavar="MB",
                        help="memory the student's code may use, in MB, on top of what "
                             f"Python and numpy take (default {DEFAULT_MEMORY_MB}; more is "
                             "a verdict, not a crash)")
    parser.add_argument("--json", action="store_true",
                        help="print the report as one JSON document")
    add_data_options(parser)
    add_train_options(parser)
    return parser


def _error(message: str, as_json: bool) -> int:
    """One stderr line (and, for --json, the document saying the same): exit status 2."""
    from ..options import EXIT_BAD_INPUT, PROG

    if as_json:
        json.dump({"status": "error", "message": message, "samples_checked": 0,
                   "first_mismatch": None, "explanation": message}, sys.stdout, indent=2)
        print()
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def run_check(argv: Sequence[str]) -> int:
    from ..options import UsageError

    as_json = "--json" in argv
    try:
        args = check_parser().parse_args(list(argv))
        if args.template is not None:
            return _template(args)
        return _check(args)
    except (UsageError, StudentError, TemplateError) as err:
        return _error(str(err), as_json)


def _template(args: argparse.Namespace) -> int:
    from ..options import UsageError

    if args.file:
        raise UsageError("give either FILE.py to check or --template PATH, not both")
    path = write_template(args.template)
    if args.json:
        print(json.dumps({"status": "ok", "template": str(path)}))
    else:
        print(f"wrote {path}: fill in its TODOs, then run: backprop-tui check {path}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from ..core.limits import MAX_TIMEOUT
    from ..options import UsageError, open_session
    from .runner import check_file, default_samples

    if not args.file:
        raise UsageError("no file to check: backprop-tui check FILE.py "
                         "(or --template to start one)")
    if args.samples is not None and args.samples < 1:
        raise UsageError(f"--samples must be >= 1, got {args.samples}")
    if not 0 < args.timeout <= MAX_TIMEOUT:  # nan and inf fail too
        raise UsageError(f"--timeout must be a number of seconds > 0 and at most "
                         f"{MAX_TIMEOUT:g}, got {args.timeout:g}")
    if not 16 <= args.memory <= MAX_MEMORY_MB:  # nan fails too
        raise UsageError(f"--memory must be a number of MB from 16 to {MAX_MEMORY_MB}, "
                         f"got {args.memory:g}")
    session, _ = open_session(args)
    samples = args.samples if args.samples is not None else default_samples(session.n)
    report = check_file(session, args.file, samples, args.timeout, args.memory)
    try:
        _print_report(args, session, report, samples)
    except BrokenPipeError:  # `check --json | head`: the reader left; the status still counts
        # Python's documented recipe: point stdout at devnull so the exit flush is quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return report.exit_status


def _print_report(args: argparse.Namespace, session: Session, report: CheckReport,
                  samples: int) -> None:
    from ..core.run.training import describe_dataset
    from .report import format_text, to_json

    if args.json:
        context = {"dataset": describe_dataset(session.dataset),
                   "config": asdict(session.config)}
        json.dump(to_json(report, context), sys.stdout, indent=2, allow_nan=False)
        print()
    else:
        ds, cfg = session.dataset, session.config
        header = (f"checking {args.file} against the engine: dataset {ds.name} "
                  f"({ds.n_train} training rows), {samples} sample"
                  f"{'s' if samples != 1 else ''}, hidden {cfg.hidden}, lr {cfg.lr:g}, "
                  f"seed {cfg.seed}")
        print(format_text(report, header))
    sys.stdout.flush()
