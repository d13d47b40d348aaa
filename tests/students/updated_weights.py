"""Returns the updated weights W − 0.5 dW where the gradients belong."""

import numpy as np


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def forward_backward_pass(x, target, W1, b1, W2, b2):
    lr = 0.5
    a1 = sig(W1 @ x + b1)
    pred = sig(W2 @ a1 + b2)
    loss = 0.5 * float((pred[0] - target) ** 2)
    delta2 = (pred - target) * pred * (1 - pred)
    delta1 = (W2.T @ delta2) * a1 * (1 - a1)
    W1 = W1 - lr * np.outer(delta1, x)
    b1 = b1 - lr * delta1
    W2 = W2 - lr * np.outer(delta2, a1)
    b2 = b2 - lr * delta2
    return pred, loss, W1, b1, W2, b2
