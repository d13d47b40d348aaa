"""The lab's network: 3 inputs -> H sigmoid hidden units -> 1 sigmoid output.

Names follow the lab (W1, b1, W2, b2). The per-phase equations of one training
step live in :mod:`backprop_tui.core.phases`; this module holds the activation,
the parameter container and its initialisation, which everything else shares.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    """1 / (1 + exp(-z)), computed without overflow for any finite z.

    exp is only ever taken of -|z| <= 0, so it cannot overflow; for z < 0 the
    algebraically equal form exp(z) / (1 + exp(z)) is used.
    """
    z = np.asarray(z, dtype=float)
    # exp(-|z|) underflows to 0 for |z| > ~745: the right answer, not an error, even
    # for a caller running under np.errstate(all="raise").
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z: np.ndarray | float) -> np.ndarray:
    """d sigmoid / dz = sigmoid(z) (1 - sigmoid(z)): the local derivative used by backprop."""
    return sigmoid_slope(sigmoid(z))


def sigmoid_slope(a: np.ndarray | float) -> np.ndarray:
    """sigma'(z) from the activation a = sigma(z): a (1 - a), as the lab's screen writes it
    (bit for bit what sigmoid_prime(z) gives, since a is the same sigmoid(z))."""
    a = np.asarray(a, dtype=float)
    return a * (1.0 - a)


def half_squared_error(y_hat: np.ndarray, y: np.ndarray | float) -> float:
    """Per-sample loss L = 1/2 (y_hat - y)^2 (the output is a single unit)."""
    r = float(np.asarray(y_hat).reshape(-1)[0]) - float(y)
    return 0.5 * r * r


PARAM_NAMES: tuple[str, ...] = ("W1", "b1", "W2", "b2")


@dataclass(frozen=True)
class Params:
    """The four parameter arrays, shaped as in the lab: W1 (H, n), b1 (H,), W2 (1, H), b2 (1,)."""

    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray

    @property
    def n_inputs(self) -> int:
        return int(self.W1.shape[1])

    @property
    def n_hidden(self) -> int:
        return int(self.W1.shape[0])

    def as_dict(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in PARAM_NAMES}

    def flat(self) -> np.ndarray:
        """All parameters in one float64 vector (W1, b1, W2, b2 in that order): compact history."""
        return np.concatenate([getattr(self, n).ravel() for n in PARAM_NAMES])

    @classmethod
    def from_flat(cls, flat: np.ndarray, n_inputs: int, n_hidden: int) -> Params:
        flat = np.asarray(flat, dtype=float)
        shapes = param_shapes(n_inputs, n_hidden)
        parts: dict[str, np.ndarray] = {}
        start = 0
        for name in PARAM_NAMES:
            size = int(np.prod(shapes[name]))
            parts[name] = flat[start : start + size].reshape(shapes[name]).copy()
            start += size
        return cls(**parts)

    def is_finite(self) -> bool:
        return all(bool(np.all(np.isfinite(a))) for a in self.as_dict().values())

    def equals(self, other: Params) -> bool:
        """Bit-for-bit equality, the standard time travel is held to."""
        return all(np.array_equal(a, b) for a, b in zip(self.as_dict().values(),
                                                         other.as_dict().values(), strict=True))


def param_shapes(n_inputs: int, n_hidden: int) -> dict[str, tuple[int, ...]]:
    return {"W1": (n_hidden, n_inputs), "b1": (n_hidden,), "W2": (1, n_hidden), "b2": (1,)}


def init_params(
    rng: np.random.RandomState, n_inputs: int, n_hidden: int = 2, init_scale: float = 0.1
) -> Params:
    """Small random weights and zero biases, drawn W1 then W2 from ``rng`` as the lab does."""
    W1 = init_scale * rng.randn(n_hidden, n_inputs)
    b1 = np.zeros(n_hidden)
    W2 = init_scale * rng.randn(1, n_hidden)
    b2 = np.zeros(1)
    return Params(W1=W1, b1=b1, W2=W2, b2=b2)


def predict(params: Params, X: np.ndarray) -> np.ndarray:
    """y_hat for every row of X at once (used for dataset-wide losses, not for stepping)."""
    a1 = sigmoid(X @ params.W1.T + params.b1)
    return sigmoid(a1 @ params.W2.T + params.b2)[:, 0]


def mean_loss(params: Params, X: np.ndarray, y: np.ndarray) -> float:
    """1/2 mean (y_hat - y)^2 over the rows: the lab's dataset loss (Task 1, test loss)."""
    if len(y) == 0:
        return float("nan")
    with np.errstate(all="ignore"):
        r = predict(params, X) - y
        return float(0.5 * np.mean(r * r))
