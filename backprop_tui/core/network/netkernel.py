"""The fast trainer for any :class:`~.arch.Architecture`, on Python floats.

The lab's own network keeps its hand-unrolled loop (:mod:`.kernel`); every other
network (deeper, tanh or relu, bce or softmax with cross-entropy, several outputs)
runs here. The operations are the lab loop's, generalised, in the same order, so
that on the lab's network this loop gives the lab loop's bits (a test holds it
to that), and :func:`backprop_tui.core.network.compiled.sgd_net` is this loop compiled,
bit for bit:

- forward, layer by layer: z = b[j], then z += W[j][i] a[i] for i in order;
  a = f(z) (the output layer: sigmoid, identity, or softmax over the layer);
- the loss: Σ ½ r² (half-mse), Σ max(z, 0) − z y + log1p(e^−|z|) (bce, from z so
  that it never takes log 0), log Σ e^(z − m) − (z_c − m) (ce, m = max z);
- delta_L: r σ'(z) or r for half-mse, ŷ − y for bce and ce (σ' cancels);
- backward: delta_l[i] = (W[0][i] delta[0] + W[1][i] delta[1] + ...) f'(z_l[i]),
  with every W still the one the forward pass used;
- the update: W[k][i] −= η (delta[k] a[i]), b[k] −= η delta[k].
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .activations import ACTIVATIONS as _ACTS
from .activations import LEAKY_RELU, LEAKY_SLOPE, RELU, SIGMOID, SOFTMAX, TANH
from .arch import Architecture

HALF_MSE, BCE, CE = range(3)
LOSS_CODES = {"half-mse": HALF_MSE, "bce": BCE, "ce": CE}


def codes(arch: Architecture) -> tuple[list[int], int, int]:
    """(hidden activation codes, output code, loss code): what the kernels switch on."""
    out = SOFTMAX if arch.output == "softmax" else _ACTS[arch.output].code
    return [_ACTS[a].code for a in arch.activations], out, LOSS_CODES[arch.loss]


def act(code: int, z: float) -> float:
    """f(z) for one unit, as :mod:`.activations` defines it."""
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


def slope(code: int, z: float, a: float) -> float:
    """f'(z), from a where the lecture reads it off a (σ, tanh), from z where not."""
    if code == SIGMOID:
        return a * (1.0 - a)
    if code == TANH:
        return 1.0 - a * a
    if code == RELU:
        return 1.0 if z > 0.0 else 0.0
    if code == LEAKY_RELU:
        return 1.0 if z > 0.0 else LEAKY_SLOPE
    return 1.0


def forward(Ws: list[list[list[float]]], bs: list[list[float]], x: Sequence[float],
            hidden: Sequence[int], out: int) -> tuple[list[list[float]], list[list[float]]]:
    """(z per layer, a per layer with a[0] = x): the forward pass of one sample."""
    zs: list[list[float]] = [[]]
    acts: list[list[float]] = [list(x)]
    last = len(Ws) - 1
    for layer, (W, b) in enumerate(zip(Ws, bs, strict=True)):
        prev = acts[-1]
        z_row = []
        for j, row in enumerate(W):
            z = b[j]
            for w, v in zip(row, prev, strict=True):
                z += w * v
            z_row.append(z)
        zs.append(z_row)
        code = out if layer == last else hidden[layer]
        acts.append(softmax(z_row) if code == SOFTMAX else [act(code, z) for z in z_row])
    return zs, acts


def softmax(z: list[float]) -> list[float]:
    m = max(z)
    e = [math.exp(v - m) for v in z]
    s = e[0]
    for v in e[1:]:
        s += v
    return [v / s for v in e]


def loss_and_delta(z: list[float], a: list[float], y: Sequence[float], out: int,
                   loss: int) -> tuple[float, list[float]]:
    """The sample's loss and delta_L = dL/dz_L."""
    if loss == HALF_MSE:
        total = 0.0
        delta = []
        for k, (ak, yk) in enumerate(zip(a, y, strict=True)):
            r = ak - yk
            total = 0.5 * r * r if k == 0 else total + 0.5 * r * r
            delta.append(r * (ak * (1.0 - ak)) if out == SIGMOID else r * 1.0)
        return total, delta
    if loss == BCE:
        total = 0.0
        for k, (zk, yk) in enumerate(zip(z, y, strict=True)):
            term = max(zk, 0.0) - zk * yk + math.log1p(math.exp(-abs(zk)))
            total = term if k == 0 else total + term
        return total, [ak - yk for ak, yk in zip(a, y, strict=True)]
    m = max(z)
    s = math.exp(z[0] - m)
    for v in z[1:]:
        s += math.exp(v - m)
    c = max(range(len(y)), key=y.__getitem__)
    return math.log(s) - (z[c] - m), [ak - yk for ak, yk in zip(a, y, strict=True)]


def sgd_net(Ws: list[list[list[float]]], bs: list[list[float]], arch: Architecture,
            xs: Sequence[Sequence[float]], ys: Sequence[Sequence[float]], lr: float,
            losses: list[float]) -> None:
    """One SGD update per (x, y) in order, updating ``Ws`` and ``bs`` in place.

    ``ys`` holds each sample's target vector (one entry per output unit; one-hot
    for ce). Each sample's loss, taken before its update, is appended to ``losses``.
    """
    hidden, out, loss = codes(arch)
    depth = len(Ws)
    for x, y in zip(xs, ys, strict=True):
        zs, acts = forward(Ws, bs, x, hidden, out)
        value, delta = loss_and_delta(zs[-1], acts[-1], y, out, loss)
        losses.append(value)
        deltas = [delta]
        for layer in range(depth - 1, 0, -1):  # delta of hidden layer `layer` (1-based)
            W = Ws[layer]
            d = deltas[-1]
            code = hidden[layer - 1]
            z_row, a_row = zs[layer], acts[layer]
            new = []
            for i in range(len(z_row)):
                s = W[0][i] * d[0]
                for k in range(1, len(d)):
                    s += W[k][i] * d[k]
                new.append(s * slope(code, z_row[i], a_row[i]))
            deltas.append(new)
        deltas.reverse()
        for layer in range(depth):
            W, b, d, prev = Ws[layer], bs[layer], deltas[layer], acts[layer]
            for k, dk in enumerate(d):
                b[k] -= lr * dk
                row = W[k]
                for i, v in enumerate(prev):
                    row[i] -= lr * (dk * v)


def split_flat(flat: Sequence[float], arch: Architecture
               ) -> tuple[list[list[list[float]]], list[list[float]]]:
    """Ws and bs from the flat layout (W1 row-major, b1, W2, b2, ...)."""
    v = list(flat)
    sizes = arch.sizes
    Ws, bs, at = [], [], 0
    for layer in range(arch.depth):
        n_in, n_out = sizes[layer], sizes[layer + 1]
        Ws.append([v[at + j * n_in: at + (j + 1) * n_in] for j in range(n_out)])
        at += n_in * n_out
        bs.append(v[at: at + n_out])
        at += n_out
    return Ws, bs


def join_flat(Ws: list[list[list[float]]], bs: list[list[float]]) -> list[float]:
    out: list[float] = []
    for W, b in zip(Ws, bs, strict=True):
        for row in W:
            out += row
        out += b
    return out
