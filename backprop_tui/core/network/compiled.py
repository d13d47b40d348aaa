"""The fast trainer compiled by numba: :func:`~.kernel.sgd_samples`, line for line.

Why a second copy of the loop: the plain-float kernel costs O(H·d) interpreted
operations per update, so it loses to numpy from about 16 hidden units and is
~40x slower than machine code on the lab. This is the very same loop on one flat
float64 vector (W1 row-major, b1, W2, b2: the layout of ``Params.flat``), in the
same operation order, with ``math.exp`` and no ``fastmath`` (no reassociation, no
fused multiply-add), so it yields the same bits; ``tests/test_kernels.py`` holds
it to that. ``cache=True`` writes the machine code beside this file (or to numba's
user cache), so the ~0.5 s compile is paid once per machine.

Importing this module imports numba (~0.1-0.2 s): only
:mod:`backprop_tui.core.run.engine` imports it, and only for work long enough to pay.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def sgd_rows(theta, X, Y, rows, n_hidden, lr, losses, total):  # pragma: no cover - compiled
    """One SGD update per row index in ``rows`` (in order), updating ``theta`` in place.

    Writes each sample's loss (taken before its update) to ``losses[k]`` and adds it
    to ``total`` in order, as the lab's ``train_loss += loss`` does. Returns
    (every loss and the final parameters are finite, the new total).
    """
    n_inputs = X.shape[1]
    ob1 = n_hidden * n_inputs
    ow2 = ob1 + n_hidden
    ob2 = ow2 + n_hidden
    a1 = np.empty(n_hidden)
    b2 = theta[ob2]
    finite = True
    for k in range(rows.shape[0]):
        r = rows[k]
        # forward: z1 = W1 x + b1, a1 = sigmoid(z1), z2 = W2 a1 + b2, y_hat = sigmoid(z2)
        z2 = b2
        for j in range(n_hidden):
            z = theta[ob1 + j]
            base = j * n_inputs
            for i in range(n_inputs):
                z += theta[base + i] * X[r, i]
            if z >= 0.0:
                a = 1.0 / (1.0 + math.exp(-z))
            else:
                e = math.exp(z)
                a = e / (1.0 + e)
            a1[j] = a
            z2 += theta[ow2 + j] * a
        if z2 >= 0.0:
            y_hat = 1.0 / (1.0 + math.exp(-z2))
        else:
            e = math.exp(z2)
            y_hat = e / (1.0 + e)
        res = y_hat - Y[r]
        loss = 0.5 * res * res
        losses[k] = loss
        total += loss
        finite = finite and math.isfinite(loss)
        # backward: delta2 = (y_hat - y) sigma'(z2); delta1 = W2^T delta2 * sigma'(z1)
        delta2 = res * (y_hat * (1.0 - y_hat))
        for j in range(n_hidden):
            a = a1[j]
            delta1 = theta[ow2 + j] * delta2 * (a * (1.0 - a))
            # update: W <- W - eta dW, with dW2 = delta2 a1^T and dW1 = delta1 x^T
            theta[ow2 + j] -= lr * (delta2 * a)
            theta[ob1 + j] -= lr * delta1
            base = j * n_inputs
            for i in range(n_inputs):
                theta[base + i] -= lr * (delta1 * X[r, i])
        b2 -= lr * delta2
    theta[ob2] = b2
    for v in theta:
        finite = finite and math.isfinite(v)
    return finite, total
