"""The activations a hidden or output layer may use: function, derivative and formula together.

As micrograd keeps each operation's backward beside its forward, each entry here
holds one activation's numpy form (what the phases compute and the screen shows),
its derivative written the way the lecture writes it (from the activation a
where that is how it is taught: σ' = a (1 − a), tanh' = 1 − a²; from z where
it is not: relu' = [z > 0]), and the formula text the equation panel prints.

The float kernels (:mod:`.kernel`, :mod:`.netkernel`, :mod:`.compiled`) restate
these formulas on Python floats and in numba, operation for operation, by
``code``: ``tests/test_architectures.py`` holds all of them to one another.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .params import sigmoid, sigmoid_slope

LEAKY_SLOPE = 0.01
"""The slope of leaky-relu below zero (Keras's and PyTorch's default is 0.01 too)."""


def _tanh(z: np.ndarray) -> np.ndarray:
    return np.tanh(np.asarray(z, dtype=float))


def _tanh_slope(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return 1.0 - a * a


def _relu(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    return np.where(z > 0.0, z, 0.0)


def _relu_slope(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    # At z = 0 exactly relu has no derivative; like every framework we take 0 there.
    return np.where(np.asarray(z) > 0.0, 1.0, 0.0)


def _leaky(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    return np.where(z > 0.0, z, LEAKY_SLOPE * z)


def _leaky_slope(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.where(np.asarray(z) > 0.0, 1.0, LEAKY_SLOPE)


def _identity(z: np.ndarray) -> np.ndarray:
    return np.array(z, dtype=float, copy=True)


def _identity_slope(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.ones(np.shape(z))


def _sigmoid_slope(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return sigmoid_slope(a)


@dataclass(frozen=True)
class Activation:
    """One activation function, its derivative, and how the screen writes both."""

    name: str                 # as typed: --activation tanh
    code: int                 # what the float and compiled kernels switch on
    symbol: str               # as in a1 = σ(z1)
    slope_symbol: str         # σ', tanh', ...
    slope_text: str           # the derivative in words of this layer, {a} and {z} filled in
    note: str                 # one line the equation panel adds (what happens at z = 0, ...)
    f: Callable[[np.ndarray], np.ndarray]
    slope: Callable[[np.ndarray, np.ndarray], np.ndarray]  # from (z, a)
    definition: str = ""      # what it is, as its first lecture writes it: σ(z) = 1/(1 + e^−z)

    def formula(self, a: str, z: str) -> str:
        """'a1 = σ(z1)'."""
        return f"{a} = {self.symbol}({z})"

    def slope_formula(self, a: str, z: str) -> str:
        """"σ'(z1) = a1 (1 − a1)"."""
        return f"{self.slope_symbol}({z}) = {self.slope_text.format(a=a, z=z)}"


SIGMOID, TANH, RELU, LEAKY_RELU, IDENTITY, SOFTMAX = range(6)

ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (
    Activation("sigmoid", SIGMOID, "σ", "σ'", "{a} (1 − {a})",
               "σ(z) = 1 / (1 + e^−z), so σ'(z) = σ(z) (1 − σ(z))", sigmoid, _sigmoid_slope,
               "σ(z) = 1 / (1 + e^−z)"),
    Activation("tanh", TANH, "tanh", "tanh'", "1 − {a}²",
               "tanh' = 1 − tanh², read off the activation", _tanh, _tanh_slope,
               "tanh(z) = (e^z − e^−z) / (e^z + e^−z)"),
    Activation("relu", RELU, "relu", "relu'", "[{z} > 0]",
               "relu' is 1 where z > 0, else 0 (at z = 0 exactly: 0, as every framework "
               "takes it)", _relu, _relu_slope, "relu(z) = max(0, z)"),
    Activation("leaky-relu", LEAKY_RELU, "lrelu", "lrelu'",
               f"[{{z}} > 0] + {LEAKY_SLOPE:g} [{{z}} ≤ 0]",
               f"leaky relu: z where z > 0, else {LEAKY_SLOPE:g} z; its slope is 1 or "
               f"{LEAKY_SLOPE:g} (at z = 0: {LEAKY_SLOPE:g})", _leaky, _leaky_slope,
               f"lrelu(z) = z where z > 0, else {LEAKY_SLOPE:g} z"),
    Activation("identity", IDENTITY, "id", "id'", "1",
               "the identity passes z on: a = z, slope 1", _identity, _identity_slope,
               "id(z) = z"),
)}
HIDDEN_NAMES = tuple(ACTIVATIONS)
OUTPUT_NAMES = ("sigmoid", "identity", "softmax")


def softmax(z: np.ndarray) -> np.ndarray:
    """e^(z − max z) / Σ e^(z − max z): probabilities that sum to 1, without overflow.

    The sum runs in index order, as the float kernels add it, so the numbers agree.
    """
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z))
    total = 0.0
    for v in e.tolist():
        total += v
    return e / total


def activation(name: str, option: str = "--activation") -> Activation:
    """The activation called ``name``, or ValueError naming the closest one."""
    found = ACTIVATIONS.get(name)
    if found is None:
        raise ValueError(unknown(name, HIDDEN_NAMES, option))
    return found


def unknown(name: str, choices: tuple[str, ...], option: str) -> str:
    """"unknown --activation 'tahn' (did you mean tanh? choose from ...)"."""
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.5)
    hint = f"did you mean {close[0]}? " if close else ""
    return f"unknown {option} {name!r} ({hint}choose from {', '.join(choices)})"
