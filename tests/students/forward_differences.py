"""Gradients by forward differences (L(θ + h) − L(θ)) / h: close, not to 1e-7, no float32."""

import numpy as np

H = 1e-7


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def loss_of(x, target, W1, b1, W2, b2):
    pred = sig(W2 @ sig(W1 @ x + b1) + b2)
    return pred, 0.5 * float((pred[0] - target) ** 2)


def forward_backward_pass(x, target, W1, b1, W2, b2):
    params = [np.array(p, dtype=float) for p in (W1, b1, W2, b2)]
    pred, loss = loss_of(x, target, *params)
    grads = []
    for p in params:
        g = np.zeros(p.shape)
        for i in np.ndindex(p.shape):
            p[i] += H
            g[i] = (loss_of(x, target, *params)[1] - loss) / H
            p[i] -= H
        grads.append(g)
    dW1, db1, dW2, db2 = grads
    return pred, loss, dW1, db1, dW2, db2
