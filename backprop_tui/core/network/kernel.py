"""The fast trainer: per-sample SGD for the lab's network in plain Python floats.

Per-sample SGD is sequential, so numpy cannot batch it; on arrays of two or three
numbers each numpy call costs far more than its arithmetic. This module states the
same equations as :mod:`backprop_tui.core.network.phases` on Python lists and floats,
which runs epochs many times faster than a numpy loop (see ``bench/train_speed.py``).
The tests hold it to the phase-by-phase numpy path at 1e-12.

It is also the reference for every other kernel: :mod:`backprop_tui.core.network.compiled`
is the same loop compiled by numba, in the same operation order, and the tests
hold it to this one bit for bit. So a run may switch kernels between chunks
(:mod:`backprop_tui.core.run.engine` chooses), and a replay from a checkpoint still
reproduces the run exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .params import Params


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

    @classmethod
    def from_flat(cls, flat: Sequence[float], n_inputs: int, n_hidden: int) -> FastParams:
        """From the flat layout of :meth:`Params.flat` (W1 row-major, b1, W2, b2)."""
        v = list(flat)
        w = n_hidden * n_inputs
        return cls(W1=[v[j : j + n_inputs] for j in range(0, w, n_inputs)],
                   b1=v[w : w + n_hidden], W2=v[w + n_hidden : w + 2 * n_hidden], b2=v[-1])

    def flat(self) -> list[float]:
        """The parameters in :meth:`Params.flat`'s order, as floats: a checkpoint, no numpy."""
        out = [w for row in self.W1 for w in row]
        out += self.b1
        out += self.W2
        out.append(self.b2)
        return out

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


def sgd_columns(W1T: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: float, X: np.ndarray,
                ys: Sequence[float], rows, lr: float, losses: list[float]) -> float:
    """:func:`sgd_samples` for large layers: numpy across the H hidden units, same bits.

    Numpy's matrix product would sum W1 x in another order (and differ in the last
    bits); here z1 is built column by column, z1 = ((b1 + W1[:, 0] x0) + W1[:, 1] x1)
    + ..., which is the plain loop's order for every unit at once, and each
    elementwise product or difference is the one IEEE operation the plain loop does.
    exp stays ``math.exp`` (numpy's may differ in the last bit), O(H) per update.
    Updates ``W1T`` (d, H), ``b1`` and ``W2`` (H,) in place and returns the new b2.
    """
    exp = math.exp
    columns = range(W1T.shape[0])
    for r in rows:
        x = X[r]
        xl = x.tolist()
        z1 = b1.copy()
        for i in columns:
            z1 += W1T[i] * xl[i]
        a1 = []
        z2 = b2
        for z, w in zip(z1.tolist(), W2.tolist(), strict=True):
            if z >= 0.0:
                a = 1.0 / (1.0 + exp(-z))
            else:
                e = exp(z)
                a = e / (1.0 + e)
            a1.append(a)
            z2 += w * a
        if z2 >= 0.0:
            y_hat = 1.0 / (1.0 + exp(-z2))
        else:
            e = exp(z2)
            y_hat = e / (1.0 + e)
        res = y_hat - ys[r]
        losses.append(0.5 * res * res)
        delta2 = res * (y_hat * (1.0 - y_hat))
        a = np.array(a1)
        delta1 = W2 * delta2 * (a * (1.0 - a))
        W2 -= lr * (delta2 * a)
        b1 -= lr * delta1
        W1T -= lr * np.multiply.outer(x, delta1)
        b2 -= lr * delta2
    return b2
