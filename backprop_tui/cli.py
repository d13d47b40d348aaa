"""Command line: ``backprop-tui`` opens the app; ``train`` runs headless; ``check`` checks code.

This module imports neither Textual nor the app until the app is really opened,
so ``train`` and ``--help`` answer at once and work without a terminal.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import __version__

if TYPE_CHECKING:
    from .core.session import Session
    from .core.timeline import EpochRecord

from .app_setup import add_app_file_options, prepare
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


class VersionAction(argparse.Action):
    """``--version``: the version, and which training kernel runs (numba or plain floats)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS,
                 help: str = "show the version and the training kernel, then exit") -> None:
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        from .core.engine import summary  # only here: it imports numba to see that it works

        print(f"{PROG} {__version__}\n{summary(probe=True)}\n{NETWORKS}")  # stdout, as argparse
        parser.exit()


def app_parser() -> Parser:
    parser = Parser(
        prog=PROG,
        description="A terminal step-through debugger for backpropagation. With no command, "
                    "opens the app; 'train' runs headless; 'trace' writes every number; 'check' "
                    "checks your own backprop; "
                    "'serve' serves the app to web browsers.",
        epilog="commands:\n  train    run epochs headless and print the losses "
               "(backprop-tui train --help)\n  trace    every number of every phase, "
               "update by update (backprop-tui trace --help)\n  check    check a "
               "forward_backward_pass of your own (backprop-tui check --help)\n  serve    "
               "the app in web browsers (backprop-tui serve --help)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        usage=f"{PROG} [train | trace | check | serve] [options]   ({PROG} COMMAND --help)",
    )
    parser.add_argument("--version", action=VersionAction)
    add_data_options(parser)
    add_train_options(parser)
    parser.add_argument("--theme", metavar="NAME",
                        help="colour theme: 'projector' (high contrast, for a projector), "
                             "or any of Textual's (textual-dark, the default; textual-light, "
                             "nord, gruvbox, solarized-light, ...); the palette (ctrl+p) "
                             "changes it while the app runs")
    parser.add_argument("--student", metavar="FILE.py",
                        help="show the forward_backward_pass in FILE.py beside the engine")
    parser.add_argument("--memory", type=float, default=None, metavar="MB",
                        help="memory the --student file's code may use, in MB (default 2048, "
                             "as for check)")
    add_app_file_options(parser)
    return parser


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

    from .core.training import report, train

    session, data = open_session(args)
    # Every epoch is printed (or kept for the JSON) as it is recorded: the session keeps
    # only a thinned history of very long runs (core/records.py).
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


NETWORKS = ("networks: 1 to 4 hidden layers (--hidden 4,3) of sigmoid, tanh, relu, "
            "leaky-relu or identity units; output sigmoid, identity or softmax; loss "
            "half-mse, bce or ce")
STUDENT_LOAD_SECONDS = 10.0
# The lab's handout prints another table; say why where a student compares the two.
LAB_TABLE_NOTE = ("note: the lab's handout prints 7.6, 7.5, 7.0, 4.8, ... : its dW2 is "
                  "transposed, (2, 1) for a (1, 2) W2, so W2 - lr * dW2 broadcasts W2 to "
                  "(2, 2). This is the correct 3-2-1 network (README: 'a teaching moment').")


def load_student_for_app(path: str, memory_mb: float | None = None):
    """Start FILE.py in its child process for the app's side-by-side view, or say why not.

    Loading runs under a time limit, so a file that never finishes importing (a
    loop at its top) is reported instead of leaving a blank terminal.
    """
    from .app.student import start_student
    from .check.isolate import DEFAULT_MEMORY_MB, MAX_MEMORY_MB
    from .check.loader import StudentError
    from .check.sandbox import Crashed, TimedOut

    memory = DEFAULT_MEMORY_MB if memory_mb is None else memory_mb
    if not 16 <= memory <= MAX_MEMORY_MB:  # nan fails too
        raise UsageError(f"--memory must be a number of MB from 16 to {MAX_MEMORY_MB}, "
                         f"got {memory:g}")
    print(f"{PROG}: loading {path} ...", file=sys.stderr)
    try:
        return start_student(path, STUDENT_LOAD_SECONDS, memory)
    except TimedOut:
        raise UsageError(f"{path}: importing it did not finish within "
                         f"{STUDENT_LOAD_SECONDS:g} s (a loop at the top of the file?)") from None
    except (StudentError, Crashed) as err:
        raise UsageError(str(err)) from None


def student_network(session: Session) -> None:
    """A --student file is the lab's forward_backward_pass: any other network is refused
    in one line (as ``check`` refuses it), before the file is loaded."""
    from .check.names import lab_only

    if (refused := lab_only(session.arch, "--student compares with")) is not None:
        raise UsageError(refused)


def needs_no_terminal() -> bool:
    """True when the app draws somewhere else than this terminal (a browser, through
    textual-serve, sets TEXTUAL_DRIVER), so a redirected stdout is fine."""
    return bool(os.environ.get("TEXTUAL_DRIVER"))


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
