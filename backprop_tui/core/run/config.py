"""The training options shared by the app, ``train``, ``trace`` and ``check``.

Kept apart from the session so that what a run is made with can be read (and
saved, :mod:`.savefile`) without the machinery that runs it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..limits import MAX_EPOCHS
from ..network.activations import HIDDEN_NAMES, OUTPUT_NAMES
from ..network.arch import LOSSES, Architecture, check_hidden, expand, parse_names


@dataclass(frozen=True)
class TrainConfig:
    """The training options shared by the app, ``train`` and ``check``.

    ``hidden`` is one number for one hidden layer (the lab's 2) or a tuple, one
    size per layer (4, 3). ``activation`` names the hidden layers' activation, or
    one per layer ("tanh,relu"). ``output`` and ``loss`` left None take the
    dataset's default: a sigmoid with ½ squared error, or for class labels
    (``iris-species``) a softmax with cross-entropy; one given alone brings its
    partner (softmax brings ce, bce brings a sigmoid).
    """

    hidden: int | tuple[int, ...] = 2
    lr: float = 0.5
    epochs: int = 20
    seed: int = 42
    init_scale: float = 0.1
    shuffle: bool = False
    activation: str = "sigmoid"
    output: str | None = None
    loss: str | None = None

    @property
    def layers(self) -> tuple[int, ...]:
        """The hidden layer sizes as a tuple: (2,) for the lab."""
        return (self.hidden,) if isinstance(self.hidden, int) else tuple(self.hidden)

    @property
    def activations(self) -> tuple[str, ...]:
        """One activation per hidden layer."""
        return expand(parse_names(self.activation, "--activation", HIDDEN_NAMES),
                      len(self.layers))

    @property
    def hidden_text(self) -> str:
        """'2' or '4,3', as the option is typed."""
        return ",".join(map(str, self.layers))

    def head(self, classes: bool) -> tuple[str, str]:
        """(output, loss): as given, or the default for data with (or without) class labels."""
        output, loss = self.output, self.loss
        if output is None and loss is None:
            return ("softmax", "ce") if classes else ("sigmoid", "half-mse")
        if output is None:
            output = {"ce": "softmax", "bce": "sigmoid"}.get(loss or "", "sigmoid")
        if loss is None:
            loss = "ce" if output == "softmax" else "half-mse"
        return output, loss

    def wants_classes(self, dataset_classes: bool) -> bool:
        """Whether the target is read as class labels: ce, or the dataset's default is."""
        return self.head(dataset_classes)[1] == "ce"

    def architecture(self, n_inputs: int, n_outputs: int, classes: bool) -> Architecture:
        """The network these options make on data of that shape (validated)."""
        output, loss = self.head(classes)
        arch = Architecture(n_inputs, self.layers, self.activations, output, loss, n_outputs)
        arch.validate()
        return arch

    def validate(self) -> None:
        """Raise ValueError with a one-line reason for settings no run can use."""
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"learning rate must be a finite number > 0, got {self.lr:g}")
        if not 0 <= self.epochs <= MAX_EPOCHS:
            raise ValueError(f"epochs must be between 0 and {MAX_EPOCHS:,}, got "
                             f"{_short(self.epochs)}")
        check_hidden(self.layers)
        self.activations  # noqa: B018 - parses, raising ValueError for an unknown name
        if self.output is not None and self.output not in OUTPUT_NAMES:
            parse_names(self.output, "--output", OUTPUT_NAMES)
        if self.loss is not None and self.loss not in LOSSES:
            parse_names(self.loss, "--loss", LOSSES)
        if not 0 <= self.seed < 2**32:
            raise ValueError(f"seed must be between 0 and 2**32 - 1, got {self.seed}")
        if not (math.isfinite(self.init_scale) and self.init_scale >= 0):
            raise ValueError(f"init scale must be a finite number >= 0, got {self.init_scale:g}")


def _short(number: int) -> str:
    """A number for a one-line message: a pasted 400-digit one is cut, with its length."""
    text = str(number)
    return text if len(text) <= 20 else f"{text[:12]}… ({len(text)} digits)"
