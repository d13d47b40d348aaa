"""The shape of the network: layer sizes, each layer's activation, the output and the loss.

The lab's network is ``Architecture(3, (2,))``: 3 inputs, one hidden layer of 2
sigmoid units, one sigmoid output, L = ½ (y_hat − y)². Everything that depends on
the shape of the network (the phases, the kernels, the parameter names, the
screen) reads it from here, so a 3-4-4-1 tanh network is the same code with
other numbers. Layers are numbered as in the lecture: l = 1..L, layer l maps
a(l−1) (a0 = x) to z_l and a_l; a_L is y_hat.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..limits import MAX_HIDDEN
from .activations import ACTIVATIONS, HIDDEN_NAMES, OUTPUT_NAMES, unknown

MAX_LAYERS = 4
"""Hidden layers at most: the debugger shows every number, and four layers fill a screen."""
MAX_DEEP_UNITS = 64
"""Units per hidden layer when there are two or more (one layer may have up to MAX_HIDDEN)."""
MAX_CLASSES = 50
"""Classes a softmax output may have: past that a class column is a numeric column."""
LOSSES = ("half-mse", "bce", "ce")
PAIRS = {("sigmoid", "half-mse"), ("identity", "half-mse"), ("sigmoid", "bce"),
         ("softmax", "ce")}
PAIRS_TEXT = ("sigmoid or identity output with half-mse, sigmoid output with bce, "
              "softmax output with ce")


@dataclass(frozen=True)
class Architecture:
    """Sizes and functions of every layer; frozen and hashable (it keys caches)."""

    n_inputs: int
    hidden: tuple[int, ...] = (2,)
    activations: tuple[str, ...] = ("sigmoid",)
    output: str = "sigmoid"
    loss: str = "half-mse"
    n_outputs: int = 1

    def __post_init__(self) -> None:
        if len(self.activations) != len(self.hidden):
            object.__setattr__(self, "activations", expand(self.activations, len(self.hidden)))

    # -- shape ------------------------------------------------------------------
    @property
    def depth(self) -> int:
        """L: the number of weight layers (hidden layers + 1)."""
        return len(self.hidden) + 1

    @property
    def sizes(self) -> tuple[int, ...]:
        """Units per layer, inputs first: (3, 2, 1) for the lab."""
        return (self.n_inputs, *self.hidden, self.n_outputs)

    @property
    def is_lab(self) -> bool:
        """One sigmoid hidden layer, one sigmoid output, ½ squared error: the lab's family,
        which the lab-specific kernels (and their numbers, bit for bit) serve."""
        return (len(self.hidden) == 1 and self.activations == ("sigmoid",)
                and self.output == "sigmoid" and self.loss == "half-mse"
                and self.n_outputs == 1)

    @property
    def classifies(self) -> bool:
        """Whether targets are class labels (softmax + cross-entropy)."""
        return self.loss == "ce"

    @cached_property
    def param_names(self) -> tuple[str, ...]:
        """W1, b1, W2, b2, ...: the order of the flat parameter vector."""
        return tuple(n for layer in range(1, self.depth + 1) for n in (f"W{layer}", f"b{layer}"))

    @cached_property
    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        sizes = self.sizes
        out: dict[str, tuple[int, ...]] = {}
        for layer in range(1, self.depth + 1):
            out[f"W{layer}"] = (sizes[layer], sizes[layer - 1])
            out[f"b{layer}"] = (sizes[layer],)
        return out

    @property
    def n_params(self) -> int:
        sizes = self.sizes
        return sum(sizes[i + 1] * (sizes[i] + 1) for i in range(self.depth))

    def layer_activation(self, layer: int) -> str:
        """The activation of layer ``layer`` (1..L); the output's for L."""
        return self.output if layer == self.depth else self.activations[layer - 1]

    # -- words ------------------------------------------------------------------
    def text(self) -> str:
        """'3-4-4-1 tanh, sigmoid output, half-mse': the architecture in one line."""
        acts = self.activations
        act = acts[0] if len(set(acts)) == 1 else ",".join(acts)
        return (f"{'-'.join(map(str, self.sizes))} {act}, {self.output} output, "
                f"{self.loss}")

    def as_json(self) -> dict[str, object]:
        return {"sizes": list(self.sizes), "hidden": list(self.hidden),
                "activations": list(self.activations), "output": self.output,
                "loss": self.loss}

    def validate(self) -> None:
        """ValueError with one line for a network no run can use."""
        check_hidden(self.hidden)
        for name in self.activations:
            if name not in ACTIVATIONS:
                raise ValueError(unknown(name, HIDDEN_NAMES, "--activation"))
        if self.output not in OUTPUT_NAMES:
            raise ValueError(unknown(self.output, OUTPUT_NAMES, "--output"))
        if self.loss not in LOSSES:
            raise ValueError(unknown(self.loss, LOSSES, "--loss"))
        if (self.output, self.loss) not in PAIRS:
            raise ValueError(f"--output {self.output} does not go with --loss {self.loss}: "
                             f"use {PAIRS_TEXT}")
        if self.n_inputs < 1 or self.n_outputs < 1:
            raise ValueError("a network needs at least one input and one output")
        if self.output == "softmax" and not 2 <= self.n_outputs <= MAX_CLASSES:
            raise ValueError(f"a softmax output needs 2 to {MAX_CLASSES} classes, "
                             f"got {self.n_outputs}")


def check_hidden(hidden: tuple[int, ...]) -> None:
    if not 1 <= len(hidden) <= MAX_LAYERS:
        raise ValueError(f"--hidden takes 1 to {MAX_LAYERS} hidden layers, got {len(hidden)}")
    top = MAX_HIDDEN if len(hidden) == 1 else MAX_DEEP_UNITS
    for units in hidden:
        if not 1 <= units <= top:
            where = "" if len(hidden) == 1 else " in each of several hidden layers"
            raise ValueError(f"hidden units must be between 1 and {top}{where}, got {units}")


def expand(names: tuple[str, ...], layers: int) -> tuple[str, ...]:
    """One activation for every layer, or one per layer (ValueError when the count is off)."""
    if len(names) == 1:
        return names * layers
    if len(names) != layers:
        raise ValueError(f"--activation lists {len(names)} activations for {layers} hidden "
                         f"layers: give one for all, or one per layer")
    return names


def parse_hidden(text: str) -> tuple[int, ...]:
    """'4,3' -> (4, 3); ValueError in one line for '4,,3', '0', '4,-1', '1e9', ''."""
    parts = [p.strip() for p in str(text).split(",")]
    out = []
    for part in parts:
        if not part:
            raise ValueError(f"--hidden {text!r}: an empty layer size; write sizes like 4,3")
        digits = part[1:] if part[:1] in "+-" else part
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 12:
            raise ValueError(f"--hidden {text!r}: {part!r} is not a whole number of units "
                             f"(write sizes like 4,3)")
        out.append(int(part))
    hidden = tuple(out)
    check_hidden(hidden)
    return hidden


def parse_names(text: str, option: str, choices: tuple[str, ...]) -> tuple[str, ...]:
    """'tanh' or 'tanh,relu' -> a tuple of known names (ValueError naming the closest)."""
    names = tuple(p.strip().lower() for p in str(text).split(","))
    for name in names:
        if name not in choices:
            raise ValueError(unknown(name, choices, option))
    return names
