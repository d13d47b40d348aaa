"""The any-network trainer compiled by numba: :func:`~backprop_tui.core.netkernel.sgd_net`, line
for line.

The same operations in the same order on one flat float64 vector (W1 row-major,
b1, W2, b2, ...: the layout of ``Params.flat``), with ``math`` functions and no
``fastmath``, so it yields the plain loop's bits (``tests/test_architectures.py``).
Layers, activations, output and loss arrive as small integer arrays (the codes
of :mod:`.activations` and :mod:`.netkernel`), so one compiled function serves
every architecture. Only :mod:`backprop_tui.core.engine` imports this module,
and only for work long enough to pay for numba's start-up.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# The codes of .activations and .netkernel (numba reads module constants as literals).
SIGMOID, TANH, RELU, LEAKY_RELU, IDENTITY, SOFTMAX = range(6)
HALF_MSE, BCE, CE = range(3)
LEAKY_SLOPE = 0.01


@njit(cache=True, nogil=True)
def _act(code, z):  # pragma: no cover - compiled
    if code == SIGMOID:
        if z >= 0.0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)
    if code == TANH:
        return math.tanh(z)
    if code == RELU:
        return z if z > 0.0 else 0.0
    if code == LEAKY_RELU:
        return z if z > 0.0 else LEAKY_SLOPE * z
    return z


@njit(cache=True, nogil=True)
def _slope(code, z, a):  # pragma: no cover - compiled
    if code == SIGMOID:
        return a * (1.0 - a)
    if code == TANH:
        return 1.0 - a * a
    if code == RELU:
        return 1.0 if z > 0.0 else 0.0
    if code == LEAKY_RELU:
        return 1.0 if z > 0.0 else LEAKY_SLOPE
    return 1.0


@njit(cache=True, nogil=True)
def sgd_net(theta, X, Y, rows, sizes, hidden, out, loss_code, lr, losses,
            total):  # pragma: no cover - compiled
    """One SGD update per row index in ``rows``, updating ``theta`` in place.

    ``Y`` is (N, outputs). Writes each sample's loss to ``losses[k]`` and adds it
    to ``total`` in order. Returns (every loss and parameter finite, new total).
    """
    depth = sizes.shape[0] - 1
    units = 0
    for s in sizes:
        units += s
    pw = np.empty(depth, np.int64)
    pb = np.empty(depth, np.int64)
    ao = np.empty(depth + 1, np.int64)
    at = 0
    ao[0] = 0
    for layer in range(depth):
        pw[layer] = at
        at += sizes[layer] * sizes[layer + 1]
        pb[layer] = at
        at += sizes[layer + 1]
        ao[layer + 1] = ao[layer] + sizes[layer]
    zb = np.empty(units)
    ab = np.empty(units)
    db = np.empty(units)
    finite = True
    last = depth - 1
    n_out = sizes[depth]
    oo = ao[depth]
    for k in range(rows.shape[0]):
        r = rows[k]
        for i in range(sizes[0]):
            ab[i] = X[r, i]
        for layer in range(depth):
            n_in = sizes[layer]
            src = ao[layer]
            dst = ao[layer + 1]
            for j in range(sizes[layer + 1]):
                z = theta[pb[layer] + j]
                base = pw[layer] + j * n_in
                for i in range(n_in):
                    z += theta[base + i] * ab[src + i]
                zb[dst + j] = z
            code = out if layer == last else hidden[layer]
            if code == SOFTMAX:
                m = zb[dst]
                for j in range(1, sizes[layer + 1]):
                    if zb[dst + j] > m:
                        m = zb[dst + j]
                for j in range(sizes[layer + 1]):
                    ab[dst + j] = math.exp(zb[dst + j] - m)
                s = ab[dst]
                for j in range(1, sizes[layer + 1]):
                    s += ab[dst + j]
                for j in range(sizes[layer + 1]):
                    ab[dst + j] = ab[dst + j] / s
            else:
                for j in range(sizes[layer + 1]):
                    ab[dst + j] = _act(code, zb[dst + j])
        # the loss and delta_L
        if loss_code == HALF_MSE:
            value = 0.0
            for j in range(n_out):
                a = ab[oo + j]
                res = a - Y[r, j]
                value = 0.5 * res * res if j == 0 else value + 0.5 * res * res
                db[oo + j] = res * (a * (1.0 - a)) if out == SIGMOID else res * 1.0
        elif loss_code == BCE:
            value = 0.0
            for j in range(n_out):
                z = zb[oo + j]
                top = z
                if z < 0.0:
                    top = 0.0
                term = top - z * Y[r, j] + math.log1p(math.exp(-abs(z)))
                value = term if j == 0 else value + term
                db[oo + j] = ab[oo + j] - Y[r, j]
        else:
            m = zb[oo]
            for j in range(1, n_out):
                if zb[oo + j] > m:
                    m = zb[oo + j]
            s = math.exp(zb[oo] - m)
            for j in range(1, n_out):
                s += math.exp(zb[oo + j] - m)
            c = 0
            for j in range(1, n_out):
                if Y[r, j] > Y[r, c]:
                    c = j
            value = math.log(s) - (zb[oo + c] - m)
            for j in range(n_out):
                db[oo + j] = ab[oo + j] - Y[r, j]
        losses[k] = value
        total += value
        finite = finite and math.isfinite(value)
        # backward: delta_l[i] = (sum_k W_{l+1}[k, i] delta_{l+1}[k]) f'(z_l[i])
        for layer in range(depth - 1, 0, -1):
            n_in = sizes[layer]
            n_next = sizes[layer + 1]
            nxt = ao[layer + 1]
            here = ao[layer]
            code = hidden[layer - 1]
            for i in range(n_in):
                s = theta[pw[layer] + i] * db[nxt]
                for q in range(1, n_next):
                    s += theta[pw[layer] + q * n_in + i] * db[nxt + q]
                db[here + i] = s * _slope(code, zb[here + i], ab[here + i])
        # the update: W <- W - eta (delta a^T), b <- b - eta delta
        for layer in range(depth):
            n_in = sizes[layer]
            src = ao[layer]
            dst = ao[layer + 1]
            for j in range(sizes[layer + 1]):
                dk = db[dst + j]
                theta[pb[layer] + j] -= lr * dk
                base = pw[layer] + j * n_in
                for i in range(n_in):
                    theta[base + i] -= lr * (dk * ab[src + i])
    for v in theta:
        finite = finite and math.isfinite(v)
    return finite, total
