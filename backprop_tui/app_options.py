"""The app's options and start-up checks: its parser, --version, a --student file.

Kept out of :mod:`.cli` so that ``serve`` (which checks the app's options before
serving any tab) and the command line share them without importing each other.
Nothing here imports Textual.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import __version__
from .app_setup import add_app_file_options
from .options import PROG, Parser, UsageError, add_data_options, add_train_options

if TYPE_CHECKING:
    from .core.run.session import Session

NETWORKS = ("networks: 1 to 4 hidden layers (--hidden 4,3) of sigmoid, tanh, relu, "
            "leaky-relu or identity units; output sigmoid, identity or softmax; loss "
            "half-mse, bce or ce")


class VersionAction(argparse.Action):
    """``--version``: the version, and which training kernel runs (numba or plain floats)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS,
                 help: str = "show the version and the training kernel, then exit") -> None:
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        from .core.run.engine import summary  # only here: it imports numba to see that it works

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


STUDENT_LOAD_SECONDS = 10.0


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
