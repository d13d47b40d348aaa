"""Right, in Python's decimal module (40 significant digits), one number at a time."""

from decimal import Decimal, getcontext

import numpy as np

getcontext().prec = 40


def sig(z):
    return 1 / (1 + (-z).exp())


def dot(ws, vs, start):
    return sum((Decimal(float(w)) * v for w, v in zip(ws, vs, strict=True)), start)


def forward_backward_pass(x, target, W1, b1, W2, b2):
    xs = [Decimal(float(v)) for v in x]
    y = Decimal(float(target))
    a1 = [sig(dot(row, xs, Decimal(float(b)))) for row, b in zip(W1, b1, strict=True)]
    pred = sig(dot(W2[0], a1, Decimal(float(b2[0]))))
    loss = (pred - y) ** 2 / 2
    delta2 = (pred - y) * pred * (1 - pred)
    delta1 = [Decimal(float(w)) * delta2 * a * (1 - a) for w, a in zip(W2[0], a1, strict=True)]
    dW1 = np.array([[float(g * v) for v in xs] for g in delta1])
    dW2 = np.array([[float(delta2 * a) for a in a1]])
    db1 = np.array([float(g) for g in delta1])
    return np.array([float(pred)]), float(loss), dW1, db1, dW2, np.array([float(delta2)])
