"""The lab notebook's training loop, standalone: the numpy baseline of bench/train_speed.py.

Run as a script it imports nothing but numpy, so its whole-process time is what a
student's notebook loop costs: ``python bench/lab_loop.py EPOCHS`` prints the summed
loss of the last epoch.
"""

from __future__ import annotations

import sys

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


def forward_backward_pass(x, target, W1, b1, W2, b2):
    """prediction, loss, dW1, db1, dW2, db2 for one sample, in the lab's style."""
    z1 = W1 @ x + b1
    a1 = sigmoid(z1)
    z2 = W2 @ a1 + b2
    pred = sigmoid(z2)
    loss = np.mean((pred - target) ** 2) / 2
    grad_output = (pred - target) * sigmoid_prime(z2)
    dW2 = np.outer(grad_output, a1)          # (1, H), like W2 (the lab's outer is transposed)
    grad_hidden = W2.T @ grad_output * sigmoid_prime(z1)
    dW1 = np.outer(grad_hidden, x)
    return pred, loss, dW1, grad_hidden, dW2, grad_output


def train(X, y, W1, b1, W2, b2, lr: float, epochs: int) -> list[float]:
    """The notebook's loop; the summed loss of every epoch."""
    sums = []
    for _ in range(epochs):
        train_loss = 0.0
        for x, target in zip(X, y, strict=True):
            _, loss, dW1, db1, dW2, db2 = forward_backward_pass(x, target, W1, b1, W2, b2)
            train_loss += loss
            W1, W2, b1, b2 = W1 - lr * dW1, W2 - lr * dW2, b1 - lr * db1, b2 - lr * db2
        sums.append(float(train_loss))
    return sums


def lab(epochs: int) -> list[float]:
    """The lab's data and initial weights from its seeded stream, then the loop."""
    rng = np.random.RandomState(42)
    X = rng.uniform(-1, 1, size=(200, 3))
    y = sigmoid(X @ np.array([1.5, -2.0, 0.5]) - 0.1)
    W1, W2 = 0.1 * rng.randn(2, 3), None
    W2 = 0.1 * rng.randn(1, 2)
    return train(X, y, W1, np.zeros(2), W2, np.zeros(1), 0.5, epochs)


if __name__ == "__main__":
    print(lab(int(sys.argv[1]))[-1])
