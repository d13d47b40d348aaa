"""Sends the output error back with W2 @ grad_output, without the transpose."""

import numpy as np


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def forward_backward_pass(x, target, W1, b1, W2, b2):
    a1 = sig(W1 @ x + b1)
    pred = sig(W2 @ a1 + b2)
    loss = 0.5 * float((pred[0] - target) ** 2)
    grad_output = (pred - target) * pred * (1 - pred)
    grad_hidden = W2 @ grad_output * a1 * (1 - a1)
    dW1, db1 = np.outer(grad_hidden, x), grad_hidden
    return pred, loss, dW1, db1, np.outer(grad_output, a1), grad_output
