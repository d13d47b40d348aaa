"""sigmoid_prime written as sigma(z) * (1 - z), used in both layers."""

import numpy as np


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sig(z) * (1 - z)


def forward_backward_pass(x, target, W1, b1, W2, b2):
    z1 = W1 @ x + b1
    a1 = sig(z1)
    z2 = W2 @ a1 + b2
    pred = sig(z2)
    loss = 0.5 * float((pred[0] - target) ** 2)
    delta2 = (pred - target) * sigmoid_prime(z2)
    delta1 = (W2.T @ delta2) * sigmoid_prime(z1)
    return pred, loss, np.outer(delta1, x), delta1, np.outer(delta2, a1), delta2
