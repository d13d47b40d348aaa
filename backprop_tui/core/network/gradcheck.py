"""Gradient check: backprop's gradients against central finite differences.

For every parameter entry theta the numeric gradient n is the five-point central
difference (-L(t + 2h) + 8 L(t + h) - 8 L(t - h) + L(t - 2h)) / 12h. A finite
difference is itself inexact, and how inexact depends on the sample: each L carries
a rounding error of a few eps times the size of the numbers it is made of (targets
up to 2.5 on raw Iris keep L near 1), which the division by h magnifies, and large
weights bend L within the step (truncation). A fixed floor in the relative error
therefore accused correct code whenever L was large and a gradient small. So every
entry also gets ``bound``, an estimate of the finite difference's own absolute
error: the rounding of each L from the magnitudes of its own terms, plus the
truncation read off the same difference with step 2h (the five-point error grows
as h^4, so n(2h) - n(h) is about 15 times the error of n(h)). The relative error

    |a - n| / max(|a| + |n|, bound / GOOD, 1e-8)

is then at most GOOD whenever backprop is within the finite difference's own error:
correct float64 code is never flagged, and a wrong formula still shows errors near 1.

The lab's network is differenced by the formula below; any other network (deeper,
other activations, bce or ce, several outputs) by the same rule in :mod:`.gradnet`,
every layer's dW and db, the analytic side from the network's own phases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arch import Architecture
from .fdrule import EPS, OFFSETS, SAFETY, U
from .netphases import Net, net_for
from .params import PARAM_NAMES, Params, half_squared_error, param_shapes, sigmoid
from .phases import forward_backward

STEP = 3e-3
GOOD = 1e-7       # at or below: the gradient is right
SUSPECT = 1e-4    # above GOOD and at or below this: rounding or a subtle slip; above: wrong
FLOOR = 1e-8      # the smallest denominator, so that two zeros agree


def relative_error(a: np.ndarray, n: np.ndarray, bound: np.ndarray | float = 0.0
                   ) -> np.ndarray:
    """|a - n| / max(|a| + |n|, bound / GOOD, 1e-8), entrywise.

    ``bound`` is the absolute error the reference ``n`` may carry (0 for an exact
    reference); within it, a and n count as equal to GOOD.
    """
    a, n = np.asarray(a, dtype=float), np.asarray(n, dtype=float)
    floor = np.maximum(FLOOR, np.asarray(bound, dtype=float) / GOOD)
    with np.errstate(invalid="ignore", over="ignore"):
        return np.abs(a - n) / np.maximum(floor, np.abs(a) + np.abs(n))


def band(error: float) -> str:
    """'ok', 'suspect' or 'wrong' for a relative error."""
    if error <= GOOD:
        return "ok"
    return "suspect" if error <= SUSPECT else "wrong"


def loss_at(params: Params, x: np.ndarray, y: float) -> float:
    """L for one sample, computed directly (independent of the phase walk)."""
    a1 = sigmoid(params.W1 @ x + params.b1)
    return half_squared_error(sigmoid(params.W2 @ a1 + params.b2), y)


def _steps(params: Params, x: np.ndarray, h: float) -> np.ndarray:
    """The step of every flat parameter entry.

    L depends on W1[i, j] through W1[i, j] * x[j]: its step is scaled by |x[j]|, so
    large raw inputs (Iris reaches 7.9) do not inflate the truncation error.
    """
    H, n = params.n_hidden, params.n_inputs
    w1 = np.broadcast_to(h / np.maximum(1.0, np.abs(x)), (H, n)).ravel()
    return np.concatenate([w1, np.full(H + H + 1, h)])


def _losses(params: Params, x: np.ndarray, y: float, offsets: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """L, and a bound on its rounding error, at ``params.flat() + offsets[k]`` for every k.

    One numpy pass over all perturbed parameter vectors. The rounding bound adds, for
    each operation, eps times the magnitude of what it combines, carried forward by
    the local derivative: a first-order worst case, so it is not tight but never low.
    """
    H, n = params.n_hidden, params.n_inputs
    theta = params.flat() + offsets
    W1 = theta[:, : H * n].reshape(-1, H, n)
    b1 = theta[:, H * n : H * n + H]
    W2 = theta[:, H * n + H : H * n + 2 * H]
    b2 = theta[:, -1]
    with np.errstate(all="ignore"):
        z1 = np.einsum("khn,n->kh", W1, x) + b1
        a1 = sigmoid(z1)
        z2 = np.einsum("kh,kh->k", W2, a1) + b2
        y_hat = sigmoid(z2)
        e = y_hat - y
        L = 0.5 * e * e
        d1, d2 = a1 * (1 - a1), y_hat * (1 - y_hat)
        # A sum of k products is off by at most k u times the sum of their magnitudes; a
        # sigmoid (exp, add, divide) by about 4 u relative, plus its input's error times
        # its slope; e = y_hat - y inherits y_hat's error (y is exact) and L = e e / 2.
        dz1 = U * (n + 1) * (np.abs(W1) @ np.abs(x) + np.abs(b1))
        da1 = 4 * U * a1 + d1 * dz1
        dz2 = U * (H + 1) * (np.einsum("kh,kh->k", np.abs(W2), a1) + np.abs(b2)) \
            + np.einsum("kh,kh->k", np.abs(W2), da1)
        de = U * np.abs(e) + 4 * U * y_hat + d2 * dz2
        rounding = np.abs(e) * de + 2 * U * L
    return L, rounding


def network_of(params: Params, net: Net | None = None) -> Net:
    """The network checked: ``net`` (a session's ``session.net``) or, when not given, the
    lab's family of the parameters' sizes (sigmoid layers, ½ squared error)."""
    if net is not None:
        return net
    sizes = params.sizes
    return net_for(Architecture(sizes[0], sizes[1:-1], n_outputs=sizes[-1]))


def numeric_with_bounds(params: Params, x: np.ndarray, y: float | np.ndarray,
                        h: float = STEP, net: Net | None = None
                        ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Five-point central differences for every entry, and each one's error bound.

    ``y`` is the target as a step reads it (a vector for several outputs or a class)."""
    net = network_of(params, net)
    if not net.arch.is_lab:
        from .gradnet import numeric_with_bounds as any_network

        return any_network(params, x, y, net, h)
    x = np.asarray(x, dtype=float)
    size = params.flat().size
    steps = _steps(params, x, h)
    # Row k * size + p perturbs entry p by OFFSETS[k] steps.
    offsets = np.zeros((len(OFFSETS) * size, size))
    rows = np.arange(len(OFFSETS) * size)
    offsets[rows, np.tile(np.arange(size), len(OFFSETS))] = np.repeat(OFFSETS, size) * \
        np.tile(steps, len(OFFSETS))
    L, rho = (v.reshape(len(OFFSETS), size) for v in _losses(params, x, float(y), offsets))
    m4, m2, m1, p1, p2, p4 = L
    with np.errstate(all="ignore"):  # a diverged run: nan here, and 'wrong' in the check
        fine = (-p2 + 8 * p1 - 8 * m1 + m2) / (12 * steps)
        coarse = (-p4 + 8 * p2 - 8 * m2 + m4) / (24 * steps)
        rounding = (rho[1] + 8 * rho[2] + 8 * rho[3] + rho[4]) / (12 * steps)
        truncation = np.abs(coarse - fine) / 15
        # The step actually taken is (t + k h) - t, off from k h by about eps |t|.
        placement = EPS * np.abs(params.flat()) / steps * np.abs(fine)
        bound = SAFETY * (rounding + truncation + placement)
    shapes = param_shapes(params.n_inputs, params.n_hidden)
    grads, bounds, start = {}, {}, 0
    for name in PARAM_NAMES:
        k = int(np.prod(shapes[name]))
        grads[name] = fine[start : start + k].reshape(shapes[name])
        bounds[name] = bound[start : start + k].reshape(shapes[name])
        start += k
    return grads, bounds


def numeric_gradients(params: Params, x: np.ndarray, y: float | np.ndarray,
                      h: float = STEP, net: Net | None = None) -> dict[str, np.ndarray]:
    """Five-point central differences of L for every entry of W1, b1, ..., WL, bL."""
    return numeric_with_bounds(params, x, y, h, net)[0]


@dataclass(frozen=True)
class GradCheck:
    """Analytic and numeric gradient of one parameter, with the entrywise relative error.

    ``bound`` is the finite difference's own estimated absolute error per entry.
    """

    name: str
    analytic: np.ndarray
    numeric: np.ndarray
    error: np.ndarray
    bound: np.ndarray | None = None

    @property
    def max_error(self) -> float:
        return float(np.max(self.error))

    @property
    def band(self) -> str:
        return band(self.max_error)


def gradient_check(params: Params, x: np.ndarray, y: float | np.ndarray,
                   net: Net | None = None) -> list[GradCheck]:
    """Check dW1, db1, ..., dWL, dbL of one sample against finite differences.

    ``net`` is the session's network (``session.net``, with ``session.target(row)`` as
    ``y``); without it, the lab's family of the parameters' sizes."""
    net = network_of(params, net)
    x = np.asarray(x, dtype=float)
    if net.arch.is_lab:
        values = forward_backward(params, x, float(y))
        numeric, bounds = numeric_with_bounds(params, x, float(y), net=net)
    else:
        values = net.run(params, x, y, 0.0, upto=net.update_phase - 1)
        numeric, bounds = numeric_with_bounds(params, x, y, net=net)
    out = []
    for name in net.arch.param_names:
        a = np.asarray(values["d" + name], dtype=float)
        out.append(GradCheck(name, a, numeric[name],
                             relative_error(a, numeric[name], bounds[name]), bounds[name]))
    return out
