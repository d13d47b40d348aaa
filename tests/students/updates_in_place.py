"""Takes the SGD step inside: W1 -= lr * dW1 on the arguments (a double update in the loop)."""

import numpy as np


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))



def forward_backward_pass(x, target, W1, b1, W2, b2, lr=0.5):
    a1 = sig(W1 @ x + b1)
    pred = sig(W2 @ a1 + b2)
    loss = 0.5 * float((pred[0] - target) ** 2)
    delta2 = (pred - target) * pred * (1 - pred)
    delta1 = (W2.T @ delta2) * a1 * (1 - a1)
    dW1, db1, dW2, db2 = np.outer(delta1, x), delta1, np.outer(delta2, a1), delta2
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
    return pred, loss, dW1, db1, dW2, db2
