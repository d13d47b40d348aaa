"""Command line: ``backprop-tui`` opens the app; ``train`` runs headless; ``check`` checks code.

This module imports neither Textual nor the app until the app is really opened,
so ``train`` and ``--help`` answer at once and work without a terminal.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .core.run.timeline import EpochRecord

from .app_options import app_parser, load_student_for_app, student_network
from .app_setup import prepare
from .options import (
    EXIT_BAD_INPUT,
    EXIT_DIVERGED,
    PROG,
    Parser,
    UsageError,
    add_data_options,
    add_train_options,
    open_session,
)
from .terminal import needs_no_terminal

# The lab's handout prints another table; say why where a student compares the two.
LAB_TABLE_NOTE = ("note: the lab's handout prints 7.6, 7.5, 7.0, 4.8, ... : its dW2 is "
                  "transposed, (2, 1) for a (1, 2) W2, so W2 - lr * dW2 broadcasts W2 to "
                  "(2, 2). This is the correct 3-2-1 network (README: 'a teaching moment').")


def train_parser() -> Parser:
    parser = Parser(prog=f"{PROG} train",
                    description="Train the network headless and print the loss of every epoch.")
    add_data_options(parser)
    add_train_options(parser)
    parser.add_argument("--json", action="store_true",
                        help="print one JSON document (config, losses, final parameters)")
    return parser


def format_loss(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"


def run_train(argv: Sequence[str]) -> int:
    args = train_parser().parse_args(argv)  # before any numpy import: --help answers at once
    import json

    from .core.run.training import report, train

    session, data = open_session(args)
    # Every epoch is printed (or kept for the JSON) as it is recorded: the session keeps
    # only a thinned history of very long runs (core/run/records.py).
    records: list[EpochRecord] = []
    if args.json:
        session.timeline.on_epoch = records.append
        result = train(session, session.config.epochs)
        json.dump(report(session, data, result, records), sys.stdout, indent=2,
                  allow_nan=False)
        print()
    else:
        ds = session.dataset
        print(f"dataset {ds.name}: {ds.n_train} training rows, {ds.n_test} test rows; "
              f"inputs {', '.join(ds.input_names)} -> {ds.target_name}")
        shape = (f"hidden {session.config.hidden}" if session.arch.is_lab
                 else f"network {session.arch.text()}")
        print(f"{shape}, lr {session.config.lr:g}, seed {session.config.seed}; initial mean "
              f"loss {format_loss(session.initial_train_loss)}")
        print(f"{'epoch':>5}  {'loss sum':>12}  {'mean loss':>12}  {'test loss':>12}")

        def show(r: EpochRecord) -> None:
            print(f"{r.epoch:>5}  {format_loss(r.train_loss_sum):>12}  "
                  f"{format_loss(r.train_loss):>12}  {format_loss(r.test_loss):>12}")

        session.timeline.on_epoch = show
        result = train(session, session.config.epochs)
        if ds.name == "lab" and session.arch.is_lab and session.epoch_records:
            print(LAB_TABLE_NOTE)
    if result.divergence is not None:
        print(f"{PROG}: {result.divergence.message}", file=sys.stderr)
        return EXIT_DIVERGED
    return 0


def check_theme(name: str) -> None:
    """A theme the app knows, or a one-line error naming the ones it does."""
    from textual.theme import BUILTIN_THEMES

    names = ["projector", *BUILTIN_THEMES]
    if name not in names:
        raise UsageError(f"unknown theme {name!r}; choose one of: {', '.join(names)}")


def run_app(argv: Sequence[str]) -> int:
    # Start-up allocates ~100k objects that live as long as the app: the collector's
    # passes over them (~13 ms) are skipped until the first frame is out, when the
    # main screen freezes them and turns it back on (MainScreen.mount_plots).
    gc.disable()
    try:
        return _run_app(argv)
    finally:
        gc.enable()


def _run_app(argv: Sequence[str]) -> int:
    args = app_parser().parse_args(argv)
    if args.theme is not None:
        check_theme(args.theme)
    setup = prepare(args, argv)
    if args.student:
        student_network(setup.session)
    if not needs_no_terminal() and not (sys.stdout.isatty() and sys.stdin.isatty()):
        # Textual sizes the screen from stdout: redirected, it draws for the wrong size.
        raise UsageError("the app draws on a terminal, and stdin or stdout is not one "
                         "(redirected?); for text output use: backprop-tui train")
    if args.memory is not None and not args.student:
        raise UsageError("--memory limits the code of a --student FILE.py; give one, or drop it")
    student = load_student_for_app(args.student, args.memory) if args.student else None
    from .app.app import BackpropApp

    BackpropApp(setup.session, student=student, theme=args.theme,
                screenshot_dir=str(setup.screenshot_dir), files_dir=str(setup.files_dir),
                keymap=setup.keymap, data=setup.data, state=setup.state).run()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "train":
            return run_train(argv[1:])
        if argv and argv[0] == "trace":
            from .trace_cli import run_trace

            return run_trace(argv[1:])
        if argv and argv[0] == "check":
            from .check.cli import run_check

            return run_check(argv[1:])
        if argv and argv[0] == "serve":
            from .serve import run_serve

            return run_serve(argv[1:])
        return run_app(argv)
    except UsageError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `backprop-tui train | head`: the reader left; say nothing more, as cat does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
