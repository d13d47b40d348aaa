"""The gradient check's finite differences for any network: deeper, tanh or relu, bce or ce.

The lab's network keeps its own batched formula in :mod:`.gradcheck` (its numbers
stay what they were). Any other network is differenced here by the same rule: the
five-point central difference of L at steps h and 2h for every entry of every
W_l and b_l, each with ``bound``, an estimate of the difference's own error
(rounding of every L from the magnitudes it is made of, the truncation read off
the 2h difference, the placement of the step), so correct backprop is never
called wrong and a wrong formula still shows errors near 1.

Perturbing an entry of layer l leaves layers 1..l-1 alone, so a_(l-1) is computed
once and only z_l onwards is recomputed, for all perturbations of the layer at
once, rows of one numpy batch (in chunks, so a wide layer stays small in memory).
The loss is the one :meth:`Net.run` takes at its L phase, restated on rows
(:func:`loss_at`; ``tests/test_any_network_debugger.py`` holds the two together).

relu and leaky-relu have a kink at z = 0, where a difference that straddles it
measures neither side's slope: an entry whose perturbations move any relu unit
across 0 is differenced again with a step 16 times smaller, a few times; one that
still straddles (a unit within ~1e-10 of its kink) cannot be judged by finite
differences, and its bound is infinite (its error shows as 0).
"""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS
from .fdrule import EPS, OFFSETS, SAFETY, U
from .netphases import Net
from .params import Params, sigmoid

KINKED = ("relu", "leaky-relu")
# Relative rounding of each activation's value: exp, add and divide for σ; tanh to an
# ulp or two; relu exact; leaky relu one multiplication.
ROUNDING = {"sigmoid": 4.0, "tanh": 4.0, "relu": 0.0, "leaky-relu": 1.0, "identity": 0.0}
SHRINK, RETRIES = 16.0, 6
BATCH = 1 << 21  # floats of one layer's rows at a time


def numeric_with_bounds(params: Params, x: np.ndarray, y: object, net: Net, h: float
                        ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Five-point central differences of L for every entry of W1, b1, ..., WL, bL, and
    each one's error bound (see the module doc)."""
    arch = net.arch
    x = np.asarray(x, dtype=float)
    t = np.asarray(y, dtype=float).reshape(-1)
    p = params.as_dict()
    grads: dict[str, np.ndarray] = {}
    bounds: dict[str, np.ndarray] = {}
    with np.errstate(all="ignore"):  # a diverged run: nan here, and 'wrong' in the check
        a, da, zs = x, np.zeros_like(x), []
        for layer in range(1, arch.depth + 1):
            W, b = p[f"W{layer}"], p[f"b{layer}"]
            z = W @ a + b
            dz = U * (len(a) + 1) * (np.abs(W) @ np.abs(a) + np.abs(b)) + np.abs(W) @ da
            zs.append(z)
            tail = _Tail(net, p, layer, z, dz, t, zs)
            units, inputs = W.shape
            rows = np.repeat(np.arange(units), inputs)
            by = np.tile(a, units)
            grads[f"W{layer}"], bounds[f"W{layer}"] = (
                v.reshape(W.shape) for v in _entries(tail, rows, by, W.ravel(),
                                                    h / np.maximum(1.0, np.abs(by))))
            ones = np.ones(units)
            grads[f"b{layer}"], bounds[f"b{layer}"] = _entries(tail, np.arange(units), ones,
                                                               b, np.full(units, h))
            if layer < arch.depth:
                act = arch.activations[layer - 1]
                f = ACTIVATIONS[act]
                new = f.f(z)
                da = ROUNDING[act] * U * np.abs(new) + np.abs(f.slope(z, new)) * dz
                a = new
    return grads, bounds


def loss_at(params: Params, x: np.ndarray, y: object, net: Net) -> float:
    """L of one sample as the differences take it (the L phase's formula, restated on
    rows): the tests hold it to :meth:`Net.run`'s L."""
    arch, p = net.arch, params.as_dict()
    a = np.asarray(x, dtype=float)
    with np.errstate(all="ignore"):
        for layer in range(1, arch.depth):
            a = ACTIVATIONS[arch.activations[layer - 1]].f(p[f"W{layer}"] @ a + p[f"b{layer}"])
        z = (p[f"W{arch.depth}"] @ a + p[f"b{arch.depth}"])[None, :]
        t = np.asarray(y, dtype=float).reshape(-1)
        return float(_loss(arch.output, arch.loss, z, np.zeros_like(z), t)[0][0])


def _entries(tail: _Tail, units: np.ndarray, by: np.ndarray, theta: np.ndarray,
             steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(difference, bound) of the entries whose change moves z_l[units] by ``by`` times
    it: theta are their values, steps their steps (made smaller where a kink is crossed)."""
    fine = np.zeros(len(theta))
    bound = np.zeros(len(theta))
    todo = np.arange(len(theta))
    steps = np.array(steps, dtype=float)
    for attempt in range(RETRIES + 1):
        f, bd, crossed = _differences(tail, units[todo], by[todo], theta[todo], steps[todo])
        fine[todo], bound[todo] = f, bd
        if not crossed.any():
            break
        todo = todo[crossed]
        if attempt == RETRIES:
            bound[todo] = np.inf  # on a kink: finite differences cannot judge this entry
        steps[todo] /= SHRINK
    return fine, bound


def _differences(tail: _Tail, units: np.ndarray, by: np.ndarray, theta: np.ndarray,
                 steps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The five-point differences at h and 2h, their bound, and which crossed a kink."""
    count = len(theta)
    chunk = max(1, BATCH // (len(OFFSETS) * max(tail.width, 1)))
    L = np.empty((len(OFFSETS), count))
    rho = np.empty((len(OFFSETS), count))
    crossed = np.zeros(count, dtype=bool)
    for start in range(0, count, chunk):
        part = slice(start, min(start + chunk, count))
        n = part.stop - part.start
        # the step actually taken is (t + k h) − t, as a perturbed parameter would hold it
        moved = (theta[part] + OFFSETS[:, None] * steps[part]) - theta[part]
        Z = np.tile(tail.z, (len(OFFSETS) * n, 1))
        rows = np.arange(len(OFFSETS) * n)
        Z[rows, np.tile(units[part], len(OFFSETS))] += (moved * by[part]).ravel()
        values, errors, kinked = tail.run(Z)
        L[:, part] = values.reshape(len(OFFSETS), n)
        rho[:, part] = errors.reshape(len(OFFSETS), n)
        crossed[part] = kinked.reshape(len(OFFSETS), n).any(axis=0)
    m4, m2, m1, p1, p2, p4 = L
    fine = (-p2 + 8 * p1 - 8 * m1 + m2) / (12 * steps)
    coarse = (-p4 + 8 * p2 - 8 * m2 + m4) / (24 * steps)
    rounding = (rho[1] + 8 * rho[2] + 8 * rho[3] + rho[4]) / (12 * steps)
    truncation = np.abs(coarse - fine) / 15
    placement = EPS * np.abs(theta) / steps * np.abs(fine)
    return fine, SAFETY * (rounding + truncation + placement), crossed


class _Tail:
    """Layers l..L and the loss, on rows of perturbed z_l: L, its rounding, kinks crossed."""

    def __init__(self, net: Net, p: dict[str, np.ndarray], layer: int, z: np.ndarray,
                 dz: np.ndarray, t: np.ndarray, zs: list[np.ndarray]) -> None:
        self.arch, self.p, self.layer, self.z, self.dz, self.t = net.arch, p, layer, z, dz, t
        self.zs = zs  # z of layers 1..l unperturbed; later ones are filled by run()
        self.width = max(net.arch.sizes[layer:])
        self.base: dict[int, np.ndarray] = {}

    def run(self, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        arch, p = self.arch, self.p
        DZ = np.broadcast_to(self.dz, Z.shape)
        crossed = np.zeros(len(Z), dtype=bool)
        for layer in range(self.layer, arch.depth):
            act = arch.activations[layer - 1]
            f = ACTIVATIONS[act]
            if act in KINKED:
                crossed |= ((Z > 0.0) != (self._base(layer) > 0.0)).any(axis=1)
            A = f.f(Z)
            DA = ROUNDING[act] * U * np.abs(A) + np.abs(f.slope(Z, A)) * DZ
            W, b = p[f"W{layer + 1}"], p[f"b{layer + 1}"]
            Z = A @ W.T + b
            DZ = U * (W.shape[1] + 1) * (np.abs(A) @ np.abs(W).T + np.abs(b)) + DA @ np.abs(W).T
        values, errors = _loss(arch.output, arch.loss, Z, DZ, self.t)
        return values, errors, crossed

    def _base(self, layer: int) -> np.ndarray:
        """Layer ``layer``'s z without any perturbation (what a crossing is judged from)."""
        if layer <= len(self.zs):
            return self.zs[layer - 1]
        if layer not in self.base:
            a = ACTIVATIONS[self.arch.activations[layer - 2]].f(self._base(layer - 1))
            z = self.p[f"W{layer}"] @ a + self.p[f"b{layer}"]
            self.base[layer] = z
        return self.base[layer]


def _loss(output: str, loss: str, Z: np.ndarray, DZ: np.ndarray, t: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray]:
    """Each row's loss from its z_L, as the L phase takes it, and a bound on its rounding."""
    K = Z.shape[1]
    if loss == "half-mse":
        if output == "sigmoid":
            Y = sigmoid(Z)
            DY = 4 * U * Y + Y * (1 - Y) * DZ
        else:
            Y, DY = Z, DZ
        E = Y - t
        terms = 0.5 * E * E
        values = terms.sum(axis=1)
        errors = (np.abs(E) * (U * np.abs(E) + DY) + 2 * U * terms).sum(axis=1) \
            + U * K * values
        return values, errors
    if loss == "bce":
        soft = np.log1p(np.exp(-np.abs(Z)))
        terms = np.maximum(Z, 0.0) - Z * t + soft
        values = terms.sum(axis=1)
        own = 6 * U * (np.maximum(Z, 0.0) + np.abs(Z * t) + soft)
        errors = (np.abs(sigmoid(Z) - t) * DZ + own).sum(axis=1) \
            + U * K * np.abs(terms).sum(axis=1)
        return values, errors
    m = Z.max(axis=1, keepdims=True)
    e = np.exp(Z - m)
    S = e.sum(axis=1)
    P = e / S[:, None]
    c = int(np.argmax(t))
    log_s, picked = np.log(S), Z[:, c] - m[:, 0]
    values = log_s - picked
    own = U * ((P * np.abs(Z - m)).sum(axis=1) + 2 + K + np.abs(log_s) + np.abs(picked)
               + np.abs(values))
    return values, (np.abs(P - t) * DZ).sum(axis=1) + own
