"""The lab notebook's loop grown to two hidden layers: the numpy baseline for deeper networks.

Written as a student extends the lab after the lecture (sigmoid everywhere, L = ½ (ŷ − y)²,
per-sample SGD), standalone: ``python bench/deep_loop.py EPOCHS [H1,H2]`` imports nothing
but numpy and prints every epoch's summed loss as JSON, so its whole-process time is what
such a loop costs and ``bench/train_speed.py`` can compare the numbers with ``train``'s.
"""

from __future__ import annotations

import json
import sys

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def forward_backward_pass(x, target, W1, b1, W2, b2, W3, b3):
    """loss and the six gradients of a 3-H1-H2-1 sigmoid network, one sample."""
    a1 = sigmoid(W1 @ x + b1)
    a2 = sigmoid(W2 @ a1 + b2)
    pred = sigmoid(W3 @ a2 + b3)
    loss = float(np.sum((pred - target) ** 2)) / 2
    delta3 = (pred - target) * pred * (1 - pred)
    delta2 = (W3.T @ delta3) * a2 * (1 - a2)
    delta1 = (W2.T @ delta2) * a1 * (1 - a1)
    return (loss, np.outer(delta1, x), delta1, np.outer(delta2, a1), delta2,
            np.outer(delta3, a2), delta3)


def train(X, y, params: list, lr: float, epochs: int) -> list[float]:
    sums = []
    for _ in range(epochs):
        total = 0.0
        for x, target in zip(X, y, strict=True):
            loss, *grads = forward_backward_pass(x, target, *params)
            total += loss
            params = [p - lr * g for p, g in zip(params, grads, strict=True)]
        sums.append(total)
    return sums


def lab(epochs: int, hidden: tuple[int, int]) -> list[float]:
    """The lab's data, then W1, W2, W3 drawn in order from its seeded stream, as ``train`` does."""
    rng = np.random.RandomState(42)
    X = rng.uniform(-1, 1, size=(200, 3))
    y = 1.0 / (1.0 + np.exp(-(X @ np.array([1.5, -2.0, 0.5]) - 0.1)))
    h1, h2 = hidden
    W1 = 0.1 * rng.randn(h1, 3)
    W2 = 0.1 * rng.randn(h2, h1)
    W3 = 0.1 * rng.randn(1, h2)
    params = [W1, np.zeros(h1), W2, np.zeros(h2), W3, np.zeros(1)]
    return train(X, y, params, 0.5, epochs)


if __name__ == "__main__":
    sizes = tuple(int(v) for v in (sys.argv[2] if len(sys.argv) > 2 else "32,32").split(","))
    print(json.dumps(lab(int(sys.argv[1]), sizes)))  # type: ignore[arg-type]
