"""The phases of one training step, generated from the architecture, as data.

For a network of L weight layers a step is 4L + 3 phases: load the sample; z_l
then a_l for l = 1..L (a_L is y_hat); the loss L; then for l = L..1 delta_l and
dW_l with db_l; the update. For the lab (L = 2) that is the 11 phases it teaches,
with the same names, formulas and numbers as ever (``tests/test_architectures.py``
holds the generated list to the lab's text). Each phase carries its name, its
formula as text, the quantities it produces and reads, and the function that
computes them from what came before: the stepper, the panels, the equations and
the tests read this one list.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .activations import ACTIVATIONS, softmax
from .arch import Architecture
from .params import Params, half_squared_error

Values = Mapping[str, object]


@dataclass(frozen=True)
class Phase:
    """One operation of a training step."""

    key: str                      # short id, also the name the app shows
    title: str                    # what the operation is, in words
    formula: str                  # the equation, symbolically
    produces: tuple[str, ...]     # names of the quantities it adds
    compute: Callable[[Values], dict[str, object]] = field(compare=False)
    stage: str = "forward"        # "forward", "backward" or "update": the panel it fills
    reads: tuple[str, ...] = ()   # the quantities it uses: the screen marks them as read


def slope_name(arch: Architecture, layer: int) -> str:
    """'dsig1' for a sigmoid layer (the lab's name), 'dact1' for any other activation."""
    return f"dsig{layer}" if arch.layer_activation(layer) == "sigmoid" else f"dact{layer}"


def _a(layer: int, depth: int) -> str:
    """The name of layer ``layer``'s activation: x for 0, y_hat for the output."""
    return "x" if layer == 0 else "y_hat" if layer == depth else f"a{layer}"


def _load(arch: Architecture) -> Callable[[Values], dict[str, object]]:
    vector = arch.n_outputs > 1 or arch.classifies

    def compute(v: Values) -> dict[str, object]:
        y = np.array(v["y"], dtype=float).reshape(-1) if vector else float(v["y"])
        return {"x": np.asarray(v["x"], dtype=float), "y": y}
    return compute


def _z(layer: int, src: str) -> Callable[[Values], dict[str, object]]:
    def compute(v: Values) -> dict[str, object]:
        return {f"z{layer}": v[f"W{layer}"] @ v[src] + v[f"b{layer}"]}
    return compute


def _act(name: str, layer: int, dst: str) -> Callable[[Values], dict[str, object]]:
    f = softmax if name == "softmax" else ACTIVATIONS[name].f

    def compute(v: Values) -> dict[str, object]:
        return {dst: f(v[f"z{layer}"])}
    return compute


def _loss(arch: Architecture) -> Callable[[Values], dict[str, object]]:
    depth, kind = arch.depth, arch.loss

    def compute(v: Values) -> dict[str, object]:
        y_hat, y = v["y_hat"], v["y"]
        if kind == "half-mse" and arch.n_outputs == 1:
            return {"L": half_squared_error(y_hat, y)}
        ys = np.asarray(y, dtype=float).reshape(-1).tolist()
        z = np.asarray(v[f"z{depth}"], dtype=float).tolist()
        if kind == "half-mse":
            terms = [0.5 * (a - t) * (a - t) for a, t in zip(np.ravel(y_hat).tolist(), ys,
                                                               strict=True)]
        elif kind == "bce":
            terms = [max(zk, 0.0) - zk * t + float(np.log1p(np.exp(-abs(zk))))
                     for zk, t in zip(z, ys, strict=True)]
        else:  # ce: log Σ e^(z − m) − (z_c − m), never log 0
            m = max(z)
            s = 0.0
            for zk in z:
                s += float(np.exp(zk - m))
            c = max(range(len(ys)), key=ys.__getitem__)
            terms = [float(np.log(s)) - (z[c] - m)]
        total = terms[0]
        for t in terms[1:]:
            total += t
        return {"L": total}
    return compute


def _delta_out(arch: Architecture) -> Callable[[Values], dict[str, object]]:
    depth = arch.depth
    name = f"delta{depth}"

    def compute(v: Values) -> dict[str, object]:
        y_hat, y = v["y_hat"], v["y"]
        if arch.loss == "half-mse" and arch.output == "sigmoid":
            # dL/dy_hat = (y_hat − y); the output sigmoid contributes its local derivative
            # σ'(z) = y_hat (1 − y_hat): the same numbers as σ'(z) itself, read off y_hat.
            dsig = ACTIVATIONS["sigmoid"].slope(v[f"z{depth}"], y_hat)
            return {f"dsig{depth}": dsig, name: (y_hat - y) * dsig}
        # identity + half-mse: f' = 1; sigmoid + bce, softmax + ce: σ' (softmax's
        # Jacobian) cancels against the loss's derivative and leaves y_hat − y.
        return {name: np.asarray(y_hat - y, dtype=float)}
    return compute


def _grads(layer: int, src: str) -> Callable[[Values], dict[str, object]]:
    def compute(v: Values) -> dict[str, object]:
        delta = v[f"delta{layer}"]
        return {f"dW{layer}": np.outer(delta, v[src]), f"db{layer}": np.array(delta, copy=True)}
    return compute


def _delta_hidden(arch: Architecture, layer: int) -> Callable[[Values], dict[str, object]]:
    act = ACTIVATIONS[arch.activations[layer - 1]]
    slope = slope_name(arch, layer)

    def compute(v: Values) -> dict[str, object]:
        # The error flows back through W(l+1) (transposed), then through this layer's
        # activation: W^T delta is dL/da, what reaches each unit's output; shown on its own.
        da = v[f"W{layer + 1}"].T @ v[f"delta{layer + 1}"]
        ds = act.slope(v[f"z{layer}"], v[f"a{layer}"])
        return {f"da{layer}": da, slope: ds, f"delta{layer}": da * ds}
    return compute


def _update(names: tuple[str, ...]) -> Callable[[Values], dict[str, object]]:
    def compute(v: Values) -> dict[str, object]:
        eta = v["lr"]
        return {f"{n}_new": v[n] - eta * v[f"d{n}"] for n in names}
    return compute


def _titles(arch: Architecture, layer: int) -> tuple[str, str, str, str]:
    """(pre-activation, activation, error, gradients) titles of a layer."""
    if layer == arch.depth:
        return ("output pre-activation", "prediction", "output error", "output gradients")
    if arch.depth == 2:
        return ("hidden pre-activation", "hidden activation", "hidden error", "hidden gradients")
    tag = f" (layer {layer})"
    return (f"hidden pre-activation{tag}", f"hidden activation{tag}", f"hidden error{tag}",
            f"hidden gradients{tag}")


def _act_formula(arch: Architecture, layer: int) -> str:
    name = arch.layer_activation(layer)
    dst, z = _a(layer, arch.depth), f"z{layer}"
    if name == "softmax":
        return f"{dst} = softmax({z})"
    if name == "identity":
        return f"{dst} = {z}"
    return ACTIVATIONS[name].formula(dst, z)


LOSS_FORMULAS = {"half-mse": "L = ½ (y_hat − y)²",
                 "bce": "L = −[y log y_hat + (1 − y) log(1 − y_hat)]",
                 "ce": "L = −Σ y log y_hat"}


def build(arch: Architecture) -> tuple[Phase, ...]:
    """The 4L + 3 phases of one step of ``arch``, in order."""
    depth = arch.depth
    out: list[Phase] = [Phase("load", "load sample", "x, y = training row i", ("x", "y"),
                              _load(arch), "forward")]
    for layer in range(1, depth + 1):
        src, dst = _a(layer - 1, depth), _a(layer, depth)
        pre, act, _, _ = _titles(arch, layer)
        out.append(Phase(f"z{layer}", pre, f"z{layer} = W{layer} {src} + b{layer}",
                         (f"z{layer}",), _z(layer, src), "forward",
                         (f"W{layer}", src, f"b{layer}")))
        out.append(Phase(dst, act, _act_formula(arch, layer), (dst,),
                         _act(arch.layer_activation(layer), layer, dst), "forward",
                         (f"z{layer}",)))
    loss = LOSS_FORMULAS[arch.loss]
    if arch.loss == "half-mse" and arch.n_outputs > 1:
        loss = "L = ½ Σ (y_hat − y)²"
    out.append(Phase("L", "loss", loss, ("L",), _loss(arch), "forward", ("y_hat", "y")))
    for layer in range(depth, 0, -1):
        src = _a(layer - 1, depth)
        _, _, error, grads = _titles(arch, layer)
        if layer == depth:
            sig = arch.loss == "half-mse" and arch.output == "sigmoid"
            formula = (f"delta{layer} = (y_hat − y) · σ'(z{layer})" if sig
                       else f"delta{layer} = y_hat − y")
            produces = (f"dsig{layer}", f"delta{layer}") if sig else (f"delta{layer}",)
            out.append(Phase(f"delta{layer}", error, formula, produces, _delta_out(arch),
                             "backward", ("y_hat", "y")))
        else:
            act = ACTIVATIONS[arch.activations[layer - 1]]
            reads = (f"W{layer + 1}", f"delta{layer + 1}",
                     f"z{layer}" if act.name in ("relu", "leaky-relu") else f"a{layer}")
            out.append(Phase(
                f"delta{layer}", error,
                f"delta{layer} = (W{layer + 1}^T delta{layer + 1}) * {act.slope_symbol}(z{layer})",
                (f"da{layer}", slope_name(arch, layer), f"delta{layer}"),
                _delta_hidden(arch, layer), "backward", reads))
        out.append(Phase(f"dW{layer}", grads,
                         f"dW{layer} = delta{layer} {src}^T,  db{layer} = delta{layer}",
                         (f"dW{layer}", f"db{layer}"), _grads(layer, src), "backward",
                         (f"delta{layer}", src)))
    names = arch.param_names
    out.append(Phase("update", "SGD update", f"W ← W − η dW   ({', '.join(names)})",
                     tuple(f"{n}_new" for n in names), _update(names), "update",
                     (*names, *(f"d{n}" for n in names))))
    return tuple(out)


@dataclass(frozen=True)
class Net:
    """An architecture with its phases and the look-ups every reader of them needs."""

    arch: Architecture
    phases: tuple[Phase, ...]

    @property
    def index(self) -> dict[str, int]:
        return _index(self.phases)

    @property
    def update_phase(self) -> int:
        return len(self.phases) - 1

    @property
    def produced_by(self) -> dict[str, str]:
        return {name: p.key for p in self.phases for name in p.produces}

    @property
    def lab_names(self) -> dict[str, str]:
        """Where the lab's code names a quantity differently, its name there."""
        names = {"y_hat": "pred", "L": "loss", f"delta{self.arch.depth}": "grad_output"}
        if self.arch.depth == 2:
            names["delta1"] = "grad_hidden"
        return names

    def run(self, params: Params, x: np.ndarray, y: object, lr: float,
            upto: int | None = None) -> dict[str, object]:
        """Walk phases[0..upto] for one sample; every quantity computed so far.

        Non-finite arithmetic (a diverging run) yields inf/nan values rather than
        warnings, so the caller can show and explain them.
        """
        last = self.update_phase if upto is None else upto
        values: dict[str, object] = {**params.as_dict(), "x": x, "y": y, "lr": lr}
        with np.errstate(all="ignore"):
            for phase in self.phases[: last + 1]:
                values.update(phase.compute(values))
        return values

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """The shape of every quantity of a step, known before any value is computed."""
        return _shapes(self)

    def hint(self, word: str) -> str:
        """" (did you mean dW2? phases: ...)" for a phase name a letter off, else the list."""
        keys = list(self.index)
        by_lower = {key.lower(): key for key in keys}
        close = difflib.get_close_matches(word, keys, n=1)
        match = by_lower.get(word.lower()) or (close[0] if close else None)
        names = ", ".join(keys)
        return f" (did you mean {match}? phases: {names})" if match else f" (phases: {names})"


@lru_cache(maxsize=64)
def _index(phases: tuple[Phase, ...]) -> dict[str, int]:
    return {p.key: i for i, p in enumerate(phases)}


@lru_cache(maxsize=32)
def _shapes(net: Net) -> dict[str, tuple[int, ...]]:
    arch = net.arch
    zeros = Params(*(np.zeros(arch.param_shapes[n]) for n in arch.param_names))
    y = np.eye(arch.n_outputs)[0] if arch.classifies else (
        np.zeros(arch.n_outputs) if arch.n_outputs > 1 else 0.0)
    values = net.run(zeros, np.zeros(arch.n_inputs), y, lr=0.0)
    return {name: np.shape(value) for name, value in values.items()}


@lru_cache(maxsize=32)
def net_for(arch: Architecture) -> Net:
    """The Net of ``arch`` (made once per architecture)."""
    return Net(arch, build(arch))
