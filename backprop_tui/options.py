"""The command-line options shared by the app, ``train`` and ``check``, in one place.

``backprop_tui.cli`` (the app and ``train``) and ``backprop_tui.check.cli`` both
import from here, so an option means the same everywhere and neither command
module imports the other. Nothing here imports numpy or Textual at module level:
``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import sys

from .terminal import readable_output

PROG = "backprop-tui"
EXIT_BAD_INPUT = 2
EXIT_DIVERGED = 3


class UsageError(Exception):
    """A one-line problem with what the user typed or pointed us at."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and exit status 2, like every other error."""

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        # First, so that even --help and usage errors print on an ASCII-only terminal; the
        # app (prog without a command) needs one character per cell, reports want words.
        readable_output("cells" if self.prog == PROG else "words")
        return super().parse_args(args, namespace)

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def add_data_options(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("data")
    g.add_argument("--dataset", default="lab", metavar="lab|iris|iris-species|PATH|URL",
                   help="the lab's synthetic data (default), the bundled Iris data "
                        "(iris: three measurements -> petal width; iris-species: the four "
                        "measurements -> the species, softmax + ce), a CSV file or an "
                        "http(s) URL of one")
    g.add_argument("--inputs", metavar="COLS",
                   help="input columns, by 0-based index or header name, comma-separated "
                        "(default: every numeric column but the target)")
    g.add_argument("--target", metavar="COL[,COL...]",
                   help="target column (default: the last numeric column); several numeric "
                        "ones, one output unit each: y1,y2; with --loss ce a column of class "
                        "labels (text or whole numbers; default: the last column)")
    g.add_argument("--test-fraction", type=float, metavar="F",
                   help="share of rows held out for testing, in [0, 1) "
                        "(default 0 for lab, 0.2 otherwise)")
    g.add_argument("--normalize", action="store_true",
                   help="min-max scale inputs and target to [0, 1], fitted on the training rows")
    add_limit_options(parser)


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    """The bounds on what a run reads and allocates (core/limits.py), raised only on purpose."""
    from .core.limits import Limits  # numpy-free module: --help stays fast

    d = Limits()
    g = parser.add_argument_group("limits (each refused in one line, exit status 2)")
    g.add_argument("--max-size", type=float, default=d.max_size_mb, metavar="MB",
                   dest="max_size_mb",
                   help=f"largest CSV file or download, in MiB (default {d.max_size_mb:g})")
    g.add_argument("--download-timeout", type=float, default=d.download_timeout,
                   metavar="SECONDS",
                   help=f"time for a whole download (default {d.download_timeout:g})")
    g.add_argument("--max-rows", type=int, default=d.max_rows, metavar="N",
                   help=f"most data rows read (default {d.max_rows:,})")
    g.add_argument("--max-columns", type=int, default=d.max_columns, metavar="N",
                   help=f"most CSV columns (default {d.max_columns})")
    g.add_argument("--max-memory", type=float, default=None, metavar="MB", dest="max_memory_mb",
                   help="memory a run may need, in MiB (default: half of what is available)")


def add_train_options(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("training")
    g.add_argument("--hidden", default="2", metavar="N[,N...]",
                   help="hidden units, 1 to 1000 (default 2); or one size per hidden layer, "
                        "up to 4 layers of up to 64 units: 4,3")
    g.add_argument("--activation", default="sigmoid", metavar="NAME[,NAME...]",
                   help="the hidden layers' activation: sigmoid (default), tanh, relu, "
                        "leaky-relu or identity; or one per layer: tanh,relu")
    g.add_argument("--output", choices=("sigmoid", "identity", "softmax"), default=None,
                   help="the output layer (default sigmoid; softmax for class labels)")
    g.add_argument("--loss", choices=("half-mse", "bce", "ce"), default=None,
                   help="half-mse: ½ (y_hat − y)² (default, with a sigmoid or identity "
                        "output); bce: binary cross-entropy (sigmoid output, targets in "
                        "[0, 1]); ce: cross-entropy over classes (softmax output)")
    g.add_argument("--lr", type=float, default=0.5, metavar="F",
                   help="learning rate eta (default 0.5)")
    g.add_argument("--epochs", type=int, default=20, metavar="N", help="epochs (default 20)")
    g.add_argument("--seed", type=int, default=42, metavar="N",
                   help="seed of the data, initial weights, split and shuffle (default 42)")
    g.add_argument("--init-scale", type=float, default=0.1, metavar="F",
                   help="initial weights are this times standard normal draws (default 0.1)")
    g.add_argument("--shuffle", action="store_true",
                   help="seeded new sample order every epoch (default: file order, as the lab)")


def data_and_config(args: argparse.Namespace):
    """The core's option objects from parsed arguments (imports kept local: fast --help)."""
    from .core.limits import Limits
    from .core.run.session import TrainConfig
    from .core.run.training import DataOptions

    limits = Limits(max_size_mb=args.max_size_mb, download_timeout=args.download_timeout,
                    max_rows=args.max_rows, max_columns=args.max_columns,
                    max_memory_mb=args.max_memory_mb)
    data = DataOptions(args.dataset, args.inputs, args.target, args.test_fraction,
                       args.normalize, limits)
    config = TrainConfig(hidden=hidden_option(args.hidden), lr=args.lr, epochs=args.epochs,
                         seed=args.seed, init_scale=args.init_scale, shuffle=args.shuffle,
                         activation=args.activation, output=args.output, loss=args.loss)
    return data, config


def hidden_option(text: str) -> int | tuple[int, ...]:
    """--hidden: a number for one layer (as before), a tuple for several; UsageError else."""
    from .core.network.arch import parse_hidden

    try:
        layers = parse_hidden(text)
    except ValueError as err:
        raise UsageError(str(err)) from None
    return layers[0] if len(layers) == 1 else layers


def open_session(args: argparse.Namespace):
    """Build the session, turning every data or settings problem into a UsageError."""
    from .core.data.datasets import DataError
    from .core.run.training import build_session

    data, config = data_and_config(args)
    try:
        session = build_session(data, config)
    except (DataError, ValueError) as err:
        raise UsageError(str(err)) from None
    for warning in session.dataset.warnings:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    return session, data
