"""The fast trainer: per-sample SGD for the lab's network in plain Python floats.

Per-sample SGD is sequential, so numpy cannot batch it; on arrays of two or three
numbers each numpy call costs far more than its arithmetic. This module states the
same equations as :mod:`backprop_tui.core.phases` on Python lists and floats,
which runs epochs many times faster than a numpy loop (see ``bench/train_speed.py``).
The tests hold it to the phase-by-phase numpy path at 1e-12.

It is also the one function that moves the parameters from one sample to the next,
so a replay from a checkpoint reproduces a run bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .network import Params


@dataclass
class FastParams:
    """Mutable list form of Params: W1 rows, b1, the single row of W2, the scalar b2."""

    W1: list[list[float]]
    b1: list[float]
    W2: list[float]
    b2: float

    @classmethod
    def from_params(cls, p: Params) -> FastParams:
        return cls(W1=p.W1.tolist(), b1=p.b1.tolist(), W2=p.W2[0].tolist(), b2=float(p.b2[0]))

    def to_params(self) -> Params:
        return Params(
            W1=np.array(self.W1, dtype=float),
            b1=np.array(self.b1, dtype=float),
            W2=np.array([self.W2], dtype=float),
            b2=np.array([self.b2], dtype=float),
        )


def sgd_samples(
    p: FastParams,
    xs: Sequence[Sequence[float]],
    ys: Sequence[float],
    lr: float,
    losses: list[float],
) -> None:
    """Apply one SGD update per (x, y) in order, updating ``p`` in place.

    Each sample's loss L = 1/2 (y_hat - y)^2 is taken before its update and
    appended to ``losses``, as the lab's bookkeeping does.
    """
    W1, b1, W2 = p.W1, p.b1, p.W2
    b2 = p.b2
    exp = math.exp
    hidden = range(len(b1))
    for x, y in zip(xs, ys, strict=True):
        # forward: z1 = W1 x + b1, a1 = sigmoid(z1), z2 = W2 a1 + b2, y_hat = sigmoid(z2)
        a1 = []
        z2 = b2
        for j in hidden:
            z = b1[j]
            for w, xi in zip(W1[j], x, strict=True):
                z += w * xi
            if z >= 0.0:
                a = 1.0 / (1.0 + exp(-z))
            else:
                e = exp(z)
                a = e / (1.0 + e)
            a1.append(a)
            z2 += W2[j] * a
        if z2 >= 0.0:
            y_hat = 1.0 / (1.0 + exp(-z2))
        else:
            e = exp(z2)
            y_hat = e / (1.0 + e)
        r = y_hat - y
        losses.append(0.5 * r * r)
        # backward: delta2 = (y_hat - y) sigma'(z2); delta1 = W2^T delta2 * sigma'(z1)
        delta2 = r * (y_hat * (1.0 - y_hat))
        for j in hidden:
            a = a1[j]
            delta1 = W2[j] * delta2 * (a * (1.0 - a))
            # update: W <- W - eta dW, with dW2 = delta2 a1^T and dW1 = delta1 x^T
            W2[j] -= lr * (delta2 * a)
            b1[j] -= lr * delta1
            row = W1[j]
            for i, xi in enumerate(x):
                row[i] -= lr * (delta1 * xi)
        b2 -= lr * delta2
    p.b2 = b2
