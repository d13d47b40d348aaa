"""The any-network trainer compiled by numba: :func:`~.netkernel.sgd_net`, line for line.

The same operations in the same order on views into one flat float64 vector (W1
row-major, b1, W2, b2, ...: the layout of ``Params.flat``), with ``math`` functions
and no ``fastmath``, so it yields the plain loop's bits (``tests/test_architectures.py``).
Layers, activations, output and loss arrive as small integer arrays (the codes
of :mod:`.activations` and :mod:`.netkernel`), so one compiled function serves
every architecture. Only :mod:`backprop_tui.core.run.engine` imports this module,
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
def sgd_net(Ws, bs, X, Y, rows, hidden, out, loss_code, lr, losses,
            total):  # pragma: no cover - compiled
    """One SGD update per row index in ``rows``, updating the layers in place.

    ``Ws`` and ``bs`` are tuples of views into the flat parameter vector (W_l as a
    (units, inputs) matrix, b_l): indexed by loop variables, the loops compile to
    tight machine code (~4x the flat-offset form), each sum still in the plain
    loop's order. ``Y`` is (N, outputs). Writes each sample's loss to ``losses[k]``
    and adds it to ``total`` in order. Returns (every loss and parameter finite, total).
    """
    depth = len(Ws)
    width = X.shape[1]
    for W in Ws:
        width = max(width, W.shape[0])
    zs = np.empty((depth + 1, width))
    acts = np.empty((depth + 1, width))
    ds = np.empty((depth + 1, width))
    finite = True
    n_out = Ws[depth - 1].shape[0]
    for k in range(rows.shape[0]):
        r = rows[k]
        a0 = acts[0]
        for i in range(X.shape[1]):
            a0[i] = X[r, i]
        # forward: z = b + W a (each unit's sum in order), a = f(z)
        for layer in range(depth):
            W = Ws[layer]
            b = bs[layer]
            src = acts[layer]
            z = zs[layer + 1]
            dst = acts[layer + 1]
            n_here, n_in = W.shape
            for j in range(n_here):
                total_z = b[j]
                for i in range(n_in):
                    total_z += W[j, i] * src[i]
                z[j] = total_z
            code = out if layer == depth - 1 else hidden[layer]
            if code == SOFTMAX:
                m = z[0]
                for j in range(1, n_here):
                    if z[j] > m:
                        m = z[j]
                for j in range(n_here):
                    dst[j] = math.exp(z[j] - m)
                e_sum = dst[0]
                for j in range(1, n_here):
                    e_sum += dst[j]
                for j in range(n_here):
                    dst[j] = dst[j] / e_sum
            else:
                for j in range(n_here):
                    dst[j] = _act(code, z[j])
        # the loss and delta_L
        z = zs[depth]
        a = acts[depth]
        d = ds[depth]
        if loss_code == HALF_MSE:
            value = 0.0
            for j in range(n_out):
                res = a[j] - Y[r, j]
                value = 0.5 * res * res if j == 0 else value + 0.5 * res * res
                d[j] = res * (a[j] * (1.0 - a[j])) if out == SIGMOID else res * 1.0
        elif loss_code == BCE:
            value = 0.0
            for j in range(n_out):
                top = z[j]
                if z[j] < 0.0:
                    top = 0.0
                term = top - z[j] * Y[r, j] + math.log1p(math.exp(-abs(z[j])))
                value = term if j == 0 else value + term
                d[j] = a[j] - Y[r, j]
        else:
            m = z[0]
            for j in range(1, n_out):
                if z[j] > m:
                    m = z[j]
            e_sum = math.exp(z[0] - m)
            for j in range(1, n_out):
                e_sum += math.exp(z[j] - m)
            c = 0
            for j in range(1, n_out):
                if Y[r, j] > Y[r, c]:
                    c = j
            value = math.log(e_sum) - (z[c] - m)
            for j in range(n_out):
                d[j] = a[j] - Y[r, j]
        losses[k] = value
        total += value
        finite = finite and math.isfinite(value)
        # backward: delta_l[i] = (W[0,i] d[0] + W[1,i] d[1] + ...) f'(z_l[i]), rows of W in turn
        for layer in range(depth - 1, 0, -1):
            W = Ws[layer]
            n_next, n_in = W.shape
            d = ds[layer + 1]
            here = ds[layer]
            d0 = d[0]
            for i in range(n_in):
                here[i] = W[0, i] * d0
            for q in range(1, n_next):
                dq = d[q]
                for i in range(n_in):
                    here[i] += W[q, i] * dq
            code = hidden[layer - 1]
            z = zs[layer]
            a = acts[layer]
            for i in range(n_in):
                here[i] = here[i] * _slope(code, z[i], a[i])
        # the update: W <- W - eta (delta a^T), b <- b - eta delta
        for layer in range(depth):
            W = Ws[layer]
            b = bs[layer]
            d = ds[layer + 1]
            src = acts[layer]
            n_here, n_in = W.shape
            for j in range(n_here):
                dk = d[j]
                b[j] -= lr * dk
                for i in range(n_in):
                    W[j, i] -= lr * (dk * src[i])
    for layer in range(depth):
        for v in Ws[layer].ravel():
            finite = finite and math.isfinite(v)
        for v in bs[layer]:
            finite = finite and math.isfinite(v)
    return finite, total


def views(theta: np.ndarray, sizes: tuple[int, ...]) -> tuple[tuple, tuple]:
    """(W_l as (units, inputs) views, b_l views) into the flat vector, as sgd_net reads them."""
    Ws, bs, at = [], [], 0
    for n_in, n_here in zip(sizes[:-1], sizes[1:], strict=True):
        Ws.append(theta[at: at + n_in * n_here].reshape(n_here, n_in))
        at += n_in * n_here
        bs.append(theta[at: at + n_here])
        at += n_here
    return tuple(Ws), tuple(bs)
