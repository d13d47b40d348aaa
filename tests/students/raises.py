"""Multiplies matrices of shapes that do not fit: numpy raises inside the function."""

import numpy as np


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def hidden(W1, x, b1):
    return sig(x @ W1 + b1)


def forward_backward_pass(x, target, W1, b1, W2, b2):
    a1 = hidden(W1, x, b1)
    pred = sig(W2 @ a1 + b2)
    return pred, 0.0, None, None, None, None
