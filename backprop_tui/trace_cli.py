"""``backprop-tui trace``: every quantity of every phase, update by update, as JSONL or CSV.

Kept apart from :mod:`backprop_tui.cli` (which dispatches here) so that module
stays small; like ``train``, it never imports Textual.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .options import (
    EXIT_DIVERGED,
    PROG,
    Parser,
    UsageError,
    add_data_options,
    add_train_options,
    open_session,
)

if TYPE_CHECKING:
    from .core.run.session import Session

TRACE_EPILOG = ("EPOCH:SAMPLE counts as the app does: epochs from 0, samples 1..N in each "
                "epoch; both ends are included. Example: backprop-tui trace --from 0:1 "
                "--to 1:200 --format csv -o trace.csv")


def max_updates(text: str) -> int:
    """--max-updates: a whole number between 1 and the trace limit (it can only lower it)."""
    from .core.files.trace import TRACE_LIMIT

    try:
        value = int(text)
    except ValueError:
        raise UsageError(f"--max-updates {text!r}: not a whole number") from None
    if not 1 <= value <= TRACE_LIMIT:
        raise UsageError(f"--max-updates {value}: must be between 1 and {TRACE_LIMIT:,}")
    return value


def trace_parser() -> Parser:
    parser = Parser(prog=f"{PROG} trace", epilog=TRACE_EPILOG,
                    description="Write every quantity of every phase (x, y, W1, ..., z1, a1, "
                                "..., dW1, db1, W1_new, ...) for each update in a range, as "
                                "the app shows them.")
    add_data_options(parser)
    add_train_options(parser)
    g = parser.add_argument_group("trace")
    g.add_argument("--from", dest="start", metavar="E:S",
                   help="first update: epoch E (from 0), sample S (from 1); default 0:1")
    g.add_argument("--to", dest="stop", metavar="E:S",
                   help="last update, included (default: the end of --from's epoch)")
    g.add_argument("--format", choices=("jsonl", "csv"),
                   help="jsonl: one JSON object per update (default; csv when -o ends in "
                        ".csv); csv: one column per array element, W1[0,1]")
    g.add_argument("-o", "--out", metavar="FILE", dest="out_file",
                   help="write to FILE (atomically; '-' or none: standard output); "
                        "--output is the network's output layer, as everywhere")
    g.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    g.add_argument("--load", metavar="FILE",
                   help="trace a saved session (the app's ctrl+s): its data, options and "
                        "edits (= key); data and training options may not be given too")
    g.add_argument("--max-updates", type=max_updates, default=None, metavar="N",
                   help="refuse a range of more than N updates (default and most: 1,000,000)")
    return parser


def reach(session: Session, first: int, start: str | None) -> None:
    """Compute the run up to the first traced update before writing anything, by the
    kernel that gets there first (numba for a long way), saying how far it is past a
    second: the range's check bounds it as the app's go-to is bounded."""
    from .progress import Progress

    if first > session.timeline.head:
        with Progress(f"computing the run up to --from {start} (update {first:,})") as shown:
            session.run_to(first, 0, shown)


def run_trace(argv: Sequence[str]) -> int:
    args = trace_parser().parse_args(argv)
    import os

    from .core.files.atomic import WriteError, write_atomic
    from .core.files.trace import (
        TRACE_LIMIT,
        TraceError,
        trace_records,
        update_range,
        write_csv,
        write_jsonl,
    )

    if args.out_file is not None and not args.out_file.strip():  # Path("") is "."
        raise UsageError("-o: the path is empty; give a file name, or - for standard output")
    to_file = args.out_file not in (None, "-")
    fmt = args.format or ("csv" if to_file and args.out_file.lower().endswith(".csv")
                          else "jsonl")
    if to_file and os.path.lexists(args.out_file):
        if not args.force:
            raise UsageError(f"{args.out_file}: already exists; not overwritten (--force "
                             "replaces it)")
        if not os.path.isfile(args.out_file):
            raise UsageError(f"{args.out_file}: not a regular file; not replaced (to write to "
                             "a device or a pipe, use -o - and redirect)")
    if args.load is not None:  # '' is said to be empty (resume), not skipped
        from .app_setup import resume

        session = resume(args, argv, to_cursor=False)[0]  # the range says where to go
    else:
        session, _ = open_session(args)
    try:
        updates = update_range(args.start, args.stop, session.n, session.config.epochs,
                               args.max_updates or TRACE_LIMIT)
    except TraceError as err:
        raise UsageError(str(err)) from None
    reach(session, updates[0], args.start)

    def write(out) -> None:
        records = trace_records(session, updates)
        if fmt == "csv":
            write_csv(records, out, session.net)
        else:
            write_jsonl(records, out)

    if to_file:
        try:
            write_atomic(args.out_file, write, overwrite=args.force)
        except WriteError as err:
            raise UsageError(str(err)) from None
    else:
        write(sys.stdout)
        sys.stdout.flush()
    if session.divergence is not None and session.divergence.update <= updates[-1]:
        print(f"{PROG}: {session.divergence.message} (the trace ends there)", file=sys.stderr)
        return EXIT_DIVERGED
    return 0
